"""Hub designation, its SLA (deliverables, budget) and re-designation against criteria."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hubs import selectors, services
from hubs.models import (
    BudgetLine,
    CriterionJudgement,
    Deliverable,
    DeliverableStatus,
    Hub,
    HubStatus,
    RedesignationReview,
    ServiceLevelAgreement,
)
from tests.factories import BudgetLineFactory, DeliverableFactory, RedesignationCriterionFactory

pytestmark = pytest.mark.django_db


def test_admin_designates_a_distributed_hub_with_its_first_sla(
    partnership, area, hub_school, school, admin_user
):
    today = timezone.localdate()

    hub = services.designate_hub(
        actor=admin_user,
        partnership=partnership,
        name="Cwm literacy hub",
        area=area,
        schools=[hub_school, school],
        starts_on=today,
        ends_on=today + timedelta(days=365),
        funding=Decimal("20000"),
    )

    assert set(hub.schools.all()) == {hub_school, school}
    assert ServiceLevelAgreement.objects.get(hub=hub).funding == Decimal("20000.00")


def test_designation_page_refuses_a_period_out_of_order(client_for, admin_user, area, hub_school):
    today = timezone.localdate()

    response = client_for(admin_user).post(
        "/p/cwm/hubs/new/",
        {
            "name": "Backwards hub",
            "area": area.pk,
            "schools": [hub_school.pk],
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=1)).isoformat(),
            "funding": "1000",
        },
    )

    assert "The end date must be after the start date." in response.content.decode()
    assert not Hub.objects.exists()


def test_designation_page_refuses_negative_funding(client_for, admin_user, area, hub_school):
    today = timezone.localdate()

    response = client_for(admin_user).post(
        "/p/cwm/hubs/new/",
        {
            "name": "Negative hub",
            "area": area.pk,
            "schools": [hub_school.pk],
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(),
            "funding": "-20000",
        },
    )

    assert "The amount cannot be negative." in response.content.decode()
    assert not Hub.objects.exists()


# --- Deliverables --------------------------------------------------------------------------


def test_a_deliverable_is_due_within_the_agreement(hub, admin_user):
    agreement = hub.agreements.get()

    with pytest.raises(ValidationError) as error:
        services.add_deliverable(
            actor=admin_user,
            agreement=agreement,
            kind="report",
            title="Termly report",
            due_on=agreement.ends_on + timedelta(days=1),
        )

    assert "within the agreement" in str(error.value)
    assert not Deliverable.objects.exists()


def test_supporting_a_named_school_needs_the_school(hub, admin_user):
    agreement = hub.agreements.get()

    with pytest.raises(ValidationError):
        services.add_deliverable(
            actor=admin_user,
            agreement=agreement,
            kind="school_support",
            title="Support Ysgol y Cwm",
            due_on=agreement.starts_on + timedelta(days=10),
        )


def test_hub_lead_marks_a_deliverable_done_with_its_date(client_for, hub, hub_lead):
    deliverable = DeliverableFactory(partnership=hub.partnership, agreement=hub.agreements.get())
    done_on = timezone.localdate()

    response = client_for(hub_lead).post(
        f"/p/cwm/hubs/deliverables/{deliverable.pk}/",
        {
            "status": "done",
            "completed_on": done_on.isoformat(),
            "progress_note": "Minutes attached",
        },
    )

    assert response.status_code == 302
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.completed_on) == (DeliverableStatus.DONE, done_on)


def test_done_without_a_date_is_refused(client_for, hub, hub_lead):
    deliverable = DeliverableFactory(partnership=hub.partnership, agreement=hub.agreements.get())

    response = client_for(hub_lead).post(
        f"/p/cwm/hubs/deliverables/{deliverable.pk}/", {"status": "done"}
    )

    assert "Enter the date it was completed." in response.content.decode()
    deliverable.refresh_from_db()
    assert deliverable.status == DeliverableStatus.NOT_STARTED


# --- Budget ----------------------------------------------------------------------------------


def test_the_budget_shows_planned_and_spent_by_category(hub):
    agreement = hub.agreements.get()
    BudgetLineFactory(
        partnership=hub.partnership,
        agreement=agreement,
        category="staffing",
        planned=Decimal("6000"),
        actual=Decimal("2000"),
    )
    BudgetLineFactory(
        partnership=hub.partnership,
        agreement=agreement,
        category="staffing",
        planned=Decimal("1000"),
        actual=Decimal("500"),
    )
    BudgetLineFactory(
        partnership=hub.partnership,
        agreement=agreement,
        category="venues",
        planned=Decimal("3000"),
        actual=Decimal("0"),
    )

    summary = selectors.budget_summary(agreement)

    assert [(r.category, r.planned, r.actual) for r in summary.rows] == [
        ("staffing", Decimal("7000"), Decimal("2500")),
        ("venues", Decimal("3000"), Decimal("0")),
    ]
    assert summary.remaining == agreement.funding - Decimal("2500")
    assert summary.unplanned == agreement.funding - Decimal("10000")


def test_planned_spend_beyond_the_funding_is_refused(hub, hub_lead):
    agreement = hub.agreements.get()

    with pytest.raises(ValidationError) as error:
        services.save_budget_line(
            actor=hub_lead,
            agreement=agreement,
            category="staffing",
            description="Everything",
            planned=agreement.funding + Decimal("0.01"),
        )

    assert "more than the" in str(error.value)
    assert not BudgetLine.objects.exists()


def test_a_negative_actual_spend_is_refused_on_the_form(client_for, hub, hub_lead):
    agreement = hub.agreements.get()

    response = client_for(hub_lead).post(
        f"/p/cwm/hubs/agreements/{agreement.pk}/budget/new/",
        {"category": "staffing", "description": "Cover", "planned": "100", "actual": "-1"},
    )

    assert "The amount cannot be negative." in response.content.decode()
    assert not BudgetLine.objects.exists()


# --- Re-designation --------------------------------------------------------------------------


@pytest.fixture
def criteria(partnership):
    return [
        RedesignationCriterionFactory(partnership=partnership, title="Impact on pupils"),
        RedesignationCriterionFactory(partnership=partnership, title="Deliverables met"),
    ]


def test_redesignation_starts_a_new_funded_period(hub, criteria, admin_user):
    current = hub.agreements.get()
    new_end = current.ends_on + timedelta(days=365)

    review = services.record_redesignation_review(
        actor=admin_user,
        hub=hub,
        decision="redesignate",
        reasons="Strong evidence against every criterion.",
        judgements={c.pk: ("met", "") for c in criteria},
        new_ends_on=new_end,
        new_funding=Decimal("18000"),
    )

    hub.refresh_from_db()
    assert hub.ends_on == new_end and hub.status == HubStatus.DESIGNATED
    assert review.new_agreement.starts_on == current.ends_on + timedelta(days=1)
    assert review.new_agreement.funding == Decimal("18000")
    assert CriterionJudgement.objects.filter(review=review).count() == 2


def test_not_redesignating_ends_the_hub(hub, criteria, admin_user):
    services.record_redesignation_review(
        actor=admin_user,
        hub=hub,
        decision="end",
        reasons="Deliverables missed two terms running.",
        judgements={c.pk: ("not_met", "") for c in criteria},
    )

    hub.refresh_from_db()
    assert hub.status == HubStatus.ENDED
    assert hub.agreements.count() == 1


def test_a_review_must_judge_every_published_criterion(hub, criteria, admin_user):
    with pytest.raises(ValidationError) as error:
        services.record_redesignation_review(
            actor=admin_user,
            hub=hub,
            decision="end",
            reasons="Reasons",
            judgements={criteria[0].pk: ("met", "")},
        )

    assert "Deliverables met" in str(error.value)
    assert not RedesignationReview.objects.exists()


def test_a_review_without_published_criteria_is_refused(hub, admin_user):
    with pytest.raises(ValidationError):
        services.record_redesignation_review(
            actor=admin_user, hub=hub, decision="end", reasons="Reasons", judgements={}
        )

    hub.refresh_from_db()
    assert hub.status == HubStatus.DESIGNATED


def test_review_page_records_the_decision(client_for, hub, criteria, admin_user):
    data = {f"judgement_{c.pk}": "met" for c in criteria} | {
        "decision": "end",
        "reasons": "The need has been met.",
    }

    response = client_for(admin_user).post(f"/p/cwm/hubs/{hub.pk}/review/", data)

    assert response.status_code == 302
    page = client_for(admin_user).get(f"/p/cwm/hubs/{hub.pk}/").content.decode()
    assert "The need has been met." in page
