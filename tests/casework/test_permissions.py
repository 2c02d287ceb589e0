"""Who sees what, per role, on the pages and in the API (the same policies)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from casework.models import RoundStage, SchoolCategorisation
from schools.models import CategoryChange

from .conftest import at_stage
from .factories import CaseworkVisitFactory, VisitActionFactory

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"partnership_slug": "cwm", **kwargs})


def api(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"partnership_slug": "cwm", **kwargs})


@pytest.fixture
def confirmed(proposed, senior, partnership):
    from casework import services
    from partnership.tenancy import tenant_scope

    with tenant_scope(partnership):
        return services.moderate_category(
            actor=senior,
            record=proposed,
            category="red",
            reason="Outcomes fell; red agreed.",
            dissent="One voice for amber.",
        )


# --- Pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("ca", 200), ("senior", 200), ("head", 200), ("other_ca", 403), ("governor", 403)],
)
def test_the_schools_casework_page(request, client_for, school, who, status):
    person = request.getfixturevalue(who)
    assert client_for(person).get(url("casework:school", pk=school.pk)).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("ca", 200), ("senior", 200), ("panel_head", 200), ("governor", 403), ("head", 403)],
)
def test_the_dashboard(request, client_for, school, who, status):
    if who == "panel_head":
        school.challenge_adviser = request.getfixturevalue(who)
        school.save()
    person = request.getfixturevalue(who)
    assert client_for(person).get(url("casework:dashboard")).status_code == status


def test_a_governor_sees_only_the_final_category_and_its_reasons(client_for, governor, confirmed):
    page = client_for(governor).get(url("casework:record_detail", pk=confirmed.pk))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Outcomes fell; red agreed." in text
    assert "Standards have dipped" not in text  # the proposal's rationale
    assert "One voice for amber." not in text


def test_a_governor_sees_nothing_before_confirmation(client_for, governor, proposed):
    response = client_for(governor).get(url("casework:record_detail", pk=proposed.pk))
    assert response.status_code == 403


def test_the_headteacher_sees_the_proposal_and_the_final_category(client_for, head, confirmed):
    text = client_for(head).get(url("casework:record_detail", pk=confirmed.pk)).content.decode()
    assert "Standards have dipped" in text
    assert "Outcomes fell; red agreed." in text
    assert "One voice for amber." in text


def test_a_post_by_someone_who_may_not_moderate_is_refused_and_recorded(
    client_for, other_ca, proposed
):
    response = client_for(other_ca).post(
        url("casework:moderate", pk=proposed.pk), {"category": "red", "reason": "Mine"}
    )
    assert response.status_code == 403
    assert not CategoryChange.objects.exists()
    assert AuditEvent.objects.filter(action="casework.category_change_refused").count() == 1


def test_the_moderation_form_shows_a_missing_reason(client_for, senior, proposed):
    response = client_for(senior).post(
        url("casework:moderate", pk=proposed.pk), {"category": "red", "reason": ""}
    )
    assert response.status_code == 400
    assert "Record why the moderation" in response.content.decode()
    assert SchoolCategorisation.objects.get(pk=proposed.pk).final_category == ""


def test_the_moderation_form_confirms_a_category(client_for, senior, proposed, school):
    response = client_for(senior).post(
        url("casework:moderate", pk=proposed.pk), {"category": "amber", "reason": "Agreed."}
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.support_category == "amber" and school.category_moderated


def test_the_proposal_form_refuses_a_category_off_the_scale(client_for, ca, record, round_):
    at_stage(round_, RoundStage.PROPOSAL)
    response = client_for(ca).post(
        url("casework:propose", pk=record.pk), {"category": "purple", "rationale": "Hmm"}
    )
    assert response.status_code == 400
    assert "Choose green, yellow, amber or red." in response.content.decode()
    assert AuditEvent.objects.filter(action="casework.category_change_refused").count() == 1


def test_a_ca_reassigns_nobody(client_for, ca, school):
    assert client_for(ca).get(url("casework:reassign", pk=school.pk)).status_code == 403


# --- API -------------------------------------------------------------------------------------


def test_api_governor_gets_only_final_fields(client_for, governor, confirmed):
    response = client_for(governor).get(api("api-casework-categorisation-list"))
    [row] = response.json()["results"]
    shown = {name for name, value in row.items() if value not in ("", None, [])}
    assert shown == {"id", "round", "school", "status", "final_category", "moderation_reason"}
    assert row["final_category"] == "red"
    assert row["proposed_category"] == "" and row["moderation_dissent"] == ""


def test_api_headteacher_gets_the_full_record(client_for, head, confirmed):
    response = client_for(head).get(api("api-casework-categorisation-detail", pk=confirmed.pk))
    data = response.json()
    assert data["proposed_category"] == "amber"
    assert data["moderation_dissent"] == "One voice for amber."


def test_api_other_ca_does_not_see_the_record(client_for, other_ca, confirmed):
    client = client_for(other_ca)
    assert client.get(api("api-casework-categorisation-list")).json()["count"] == 0
    detail = client.get(api("api-casework-categorisation-detail", pk=confirmed.pk))
    assert detail.status_code == 403


def test_api_moderation_without_reason_is_a_400_and_recorded(client_for, senior, proposed):
    response = client_for(senior).post(
        api("api-casework-categorisation-moderate", pk=proposed.pk),
        {"category": "red", "reason": ""},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    assert AuditEvent.objects.filter(action="casework.category_change_refused").count() == 1


def test_api_moderation_by_a_ca_is_a_403(client_for, ca, proposed):
    response = client_for(ca).post(
        api("api-casework-categorisation-moderate", pk=proposed.pk),
        {"category": "red", "reason": "Mine"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not CategoryChange.objects.exists()


def test_api_proposal_by_the_ca(client_for, ca, record, round_):
    at_stage(round_, RoundStage.PROPOSAL)
    response = client_for(ca).post(
        api("api-casework-categorisation-propose", pk=record.pk),
        {"category": "yellow", "rationale": "Steady.", "standards_group": "2"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["proposed_category"] == "yellow"


def test_api_visits_follow_the_pages_rules(
    partnership, client_for, school, ca, head, governor, other_ca
):
    from casework.models import CaseworkVisit

    shared = CaseworkVisitFactory(partnership=partnership, school=school, adviser=ca)
    draft = CaseworkVisitFactory(
        partnership=partnership, school=school, adviser=ca, status=CaseworkVisit.Status.DRAFT
    )
    VisitActionFactory(partnership=partnership, visit=shared)

    def ids(user) -> set[int]:
        rows = client_for(user).get(api("api-casework-visit-list")).json()["results"]
        return {row["id"] for row in rows}

    assert ids(ca) == {shared.pk, draft.pk}
    assert ids(head) == {shared.pk}
    assert ids(governor) == set()
    assert ids(other_ca) == set()
    assert client_for(head).get(api("api-casework-visit-detail", pk=draft.pk)).status_code == 403


def test_api_visit_in_the_far_future_is_refused(client_for, ca, school):
    response = client_for(ca).post(
        api("api-casework-visit-list"),
        {"school": school.pk, "visited_on": "2099-01-01", "focus": "Far"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "visited_on" in response.json()
    assert AuditEvent.objects.filter(action="casework.visit_refused").count() == 1


def test_api_headteacher_records_action_progress(partnership, client_for, school, ca, head):
    visit = CaseworkVisitFactory(partnership=partnership, school=school, adviser=ca)
    action = VisitActionFactory(partnership=partnership, visit=visit)
    response = client_for(head).patch(
        api("api-casework-action-detail", pk=action.pk),
        {"status": "in_progress"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    bad = client_for(head).patch(
        api("api-casework-action-detail", pk=action.pk),
        {"status": "finished"},
        content_type="application/json",
    )
    assert bad.status_code == 400


def test_a_governor_sees_the_moderated_category_on_the_school_page(
    client_for, governor, confirmed, school
):
    page = client_for(governor).get(url("schools:detail", pk=school.pk)).content.decode()
    assert "Outcomes fell; red agreed." in page
    assert "Standards have dipped" not in page
    assert "Actions from challenge adviser visits" not in page


def test_a_panel_headteacher_reaches_the_records_to_moderate(
    client_for, panel_head, proposed, round_
):
    client = client_for(panel_head)
    assert client.get(url("casework:rounds")).status_code == 200
    assert "Ysgol y Cwm" in client.get(url("casework:round_detail", pk=round_.pk)).content.decode()
    record_page = client.get(url("casework:record_detail", pk=proposed.pk)).content.decode()
    assert url("casework:moderate", pk=proposed.pk) in record_page


def test_a_headteacher_off_the_panel_does_not_open_the_rounds(client_for, head):
    assert client_for(head).get(url("casework:rounds")).status_code == 403
