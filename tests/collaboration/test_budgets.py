"""Enabling funding: budget lines fit the allocation, spending never goes above it, and
the admin sees a fair-allocation summary per group, per school and per pupil."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from collaboration import selectors, services
from collaboration.models import GroupProject, ProjectStatus
from tests.factories import SchoolFactory

from .factories import GroupProjectFactory, ProjectBudgetLineFactory

pytestmark = pytest.mark.django_db


def test_a_project_records_its_group_schools_and_funding(project, sig, lead_school, member_school):
    assert project.sig == sig
    assert set(project.schools.all()) == {lead_school, member_school}
    assert project.funding_allocated == Decimal("8000.00")
    assert AuditEvent.objects.filter(action="collaboration.project_created").count() == 1


def test_member_schools_must_belong_to_the_group(
    partnership, admin_user, sig, area, lead_school, outside_school
):
    with pytest.raises(ValidationError) as error:
        services.create_project(
            actor=admin_user,
            partnership=partnership,
            title="Talk",
            group=sig,
            area=area,
            aims="Aims",
            need="Need",
            schools=[outside_school],
            lead_school=lead_school,
            starts_on=date(2026, 9, 1),
            ends_on=date(2027, 7, 1),
        )
    assert "Ysgol Allan" in error.value.message_dict["schools"][0]
    assert not GroupProject.objects.exists()


def test_a_welsh_medium_subgroup_runs_its_own_project(
    partnership, admin_user, welsh_subgroup, area, lead_school
):
    project = services.create_project(
        actor=admin_user,
        partnership=partnership,
        title="Llafaredd",
        group=welsh_subgroup,
        area=area,
        aims="Aims",
        need="Need",
        schools=[],
        lead_school=lead_school,
        starts_on=date(2026, 9, 1),
        ends_on=date(2027, 7, 1),
    )
    assert project.sig.parent_id == welsh_subgroup.parent_id
    assert project.group_kind == "Sub-group"


def test_budget_lines_cannot_allocate_more_than_the_funding(project, admin_user):
    services.save_budget_line(
        actor=admin_user,
        project=project,
        category="staffing",
        description="Cover",
        allocated="6000",
    )
    with pytest.raises(ValidationError) as error:
        services.save_budget_line(
            actor=admin_user,
            project=project,
            category="resources",
            description="Books",
            allocated="2500",
        )
    assert "£2,000.00 of £8,000.00 is left" in error.value.message_dict["allocated"][0]
    assert project.budget_lines.count() == 1


def test_spending_within_the_allocation_is_recorded(project, admin_user):
    line = services.save_budget_line(
        actor=admin_user,
        project=project,
        category="staffing",
        description="Cover",
        allocated="3000",
    )
    services.record_spend(actor=admin_user, line=line, amount="1200.50")
    services.record_spend(actor=admin_user, line=line, amount="1799.50")

    line.refresh_from_db()
    assert line.spent == Decimal("3000.00")
    assert AuditEvent.objects.filter(action="collaboration.spend_recorded").count() == 2


def test_spending_above_the_allocation_is_refused_and_nothing_is_written(project, admin_user):
    line = services.save_budget_line(
        actor=admin_user,
        project=project,
        category="staffing",
        description="Cover",
        allocated="3000",
    )
    services.record_spend(actor=admin_user, line=line, amount="2500")

    with pytest.raises(ValidationError) as error:
        services.record_spend(actor=admin_user, line=line, amount="600")

    message = error.value.message_dict["amount"][0]
    assert "above its allocation of £3,000.00" in message
    assert "Only £500.00 is left" in message
    line.refresh_from_db()
    assert line.spent == Decimal("2500.00")
    assert AuditEvent.objects.filter(action="collaboration.spend_recorded").count() == 1


def test_a_line_cannot_be_cut_below_what_it_has_spent(project, admin_user):
    line = ProjectBudgetLineFactory(
        partnership=project.partnership,
        project=project,
        allocated=Decimal("2000"),
        spent=Decimal("1500"),
    )
    with pytest.raises(ValidationError):
        services.save_budget_line(
            actor=admin_user,
            project=project,
            line=line,
            category="staffing",
            description="Cover",
            allocated="1000",
        )


def test_funding_cannot_fall_below_the_budget_lines(project, admin_user):
    ProjectBudgetLineFactory(
        partnership=project.partnership, project=project, allocated=Decimal("5000")
    )
    with pytest.raises(ValidationError):
        services.set_project_funding(actor=admin_user, project=project, amount="4000")
    project.refresh_from_db()
    assert project.funding_allocated == Decimal("8000.00")


def test_recording_the_evaluation_completes_the_project(project, lead_head):
    services.record_evaluation(
        actor=lead_head,
        project=project,
        what_changed="Pupils talk in full sentences.",
        evidence="Recordings.",
        whole_school_reach="All classes use the frames.",
        staff_involved=4,
        staff_reached=30,
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    assert project.evaluation.staff_reached == 30


def test_spend_form_shows_the_reason_and_writes_nothing(client_for, project, lead_head):
    line = ProjectBudgetLineFactory(
        partnership=project.partnership,
        project=project,
        allocated=Decimal("1000"),
        spent=Decimal("900"),
    )
    response = client_for(lead_head).post(
        f"/p/cwm/projects/budget/{line.pk}/spend/", {"amount": "150", "note": "Books"}
    )
    assert response.status_code == 200
    assert "above its allocation of £1,000.00" in response.content.decode()
    line.refresh_from_db()
    assert line.spent == Decimal("900")


def test_budget_form_adds_a_line(client_for, project, lead_head):
    response = client_for(lead_head).post(
        f"/p/cwm/projects/{project.pk}/budget/new/",
        {"category": "venues", "description": "Network meeting", "allocated": "450.00"},
    )
    assert response.status_code == 302
    assert project.budget_lines.get().allocated == Decimal("450.00")


def test_the_api_refuses_spending_above_the_allocation(client_for, project, lead_head):
    line = ProjectBudgetLineFactory(
        partnership=project.partnership,
        project=project,
        allocated=Decimal("1000"),
        spent=Decimal("0"),
    )
    client = client_for(lead_head)
    url = f"/api/p/cwm/collaboration/budget-lines/{line.pk}/spend/"

    ok = client.post(url, {"amount": "400"}, content_type="application/json")
    refused = client.post(url, {"amount": "700"}, content_type="application/json")

    assert ok.status_code == 200
    assert ok.json()["spent"] == "400.00"
    assert refused.status_code == 400
    assert "above its allocation" in refused.json()["amount"][0]
    line.refresh_from_db()
    assert line.spent == Decimal("400")


def test_allocation_summary_gives_per_group_per_school_and_per_pupil(
    partnership, sig, cluster, lead_school, member_school, outside_school
):
    # The SIG (400 pupils) gets £8,000 over two schools; the cluster (200 pupils) £1,000.
    GroupProjectFactory(
        partnership=partnership,
        sig=sig,
        lead_school=lead_school,
        schools=[lead_school, member_school],
        funding_allocated=Decimal("8000"),
    )
    GroupProjectFactory(
        partnership=partnership,
        sig=None,
        cluster=cluster,
        lead_school=outside_school,
        schools=[outside_school],
        funding_allocated=Decimal("1000"),
    )
    SchoolFactory(partnership=partnership, name="Ysgol Heb", pupils=None)

    summary = selectors.allocation_summary()

    assert summary.total_allocated == Decimal("9000.00")
    assert summary.total_pupils == 600
    assert summary.per_pupil == Decimal("15.00")
    assert summary.per_school == Decimal("2250.00")
    assert summary.schools_without_pupils == 1
    groups = {g.name: g for g in summary.groups}
    assert groups["Gorllewin SIG"].per_school == Decimal("4000.00")
    assert groups["Gorllewin SIG"].per_pupil == Decimal("20.00")
    assert groups["Cwm cluster"].per_pupil == Decimal("5.00")
    assert groups["Cwm cluster"].flag == "low"
    schools = {s.name: s for s in summary.schools}
    assert schools["Ysgol Arwain"].share == Decimal("4000.00")
    assert schools["Ysgol Arwain"].per_pupil == Decimal("13.33")
    assert schools["Ysgol Aelod"].per_pupil == Decimal("40.00")
    assert schools["Ysgol Aelod"].flag == "high"
    assert schools["Ysgol Heb"].flag == "none"


def test_allocation_page_is_for_the_admin(client_for, admin_client_, project, lead_head):
    response = admin_client_.get("/p/cwm/projects/funding/")
    assert response.status_code == 200
    assert "Gorllewin SIG" in response.content.decode()
    assert client_for(lead_head).get("/p/cwm/projects/funding/").status_code == 403


def test_the_lead_school_adds_a_milestone_and_marks_it_done(client_for, project, lead_head):
    client = client_for(lead_head)
    added = client.post(
        f"/p/cwm/projects/{project.pk}/milestones/new/",
        {"title": "Baseline recordings", "due_on": "2026-10-01"},
    )
    milestone = project.milestones.get()
    done = client.post(f"/p/cwm/projects/milestones/{milestone.pk}/done/")

    assert (added.status_code, done.status_code) == (302, 302)
    milestone.refresh_from_db()
    assert milestone.completed_on is not None


def test_the_evaluation_form_completes_the_project(client_for, project, lead_head):
    response = client_for(lead_head).post(
        f"/p/cwm/projects/{project.pk}/evaluation/",
        {
            "what_changed": "Pupils talk in full sentences.",
            "evidence": "Recordings.",
            "whole_school_reach": "Every class.",
            "staff_involved": "4",
            "staff_reached": "30",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    page = client_for(lead_head).get(f"/p/cwm/projects/{project.pk}/").content.decode()
    assert "4 staff directly involved; 30 more reached." in page
