"""Who may see and change projects, their money and the library (pages and API alike)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collaboration import policies
from partnership.models import Role

from .factories import ProjectBudgetLineFactory, ResourceFactory, ResourceVersionFactory

pytestmark = pytest.mark.django_db


def test_staff_outside_the_group_find_and_use_its_resources(
    client_for, partnership, project, area, teacher
):
    resource = ResourceFactory(
        partnership=partnership, area=area, title="Talk frames", source_project=project
    )
    version = ResourceVersionFactory(partnership=partnership, resource=resource)
    client = client_for(teacher)

    library = client.get("/p/cwm/resources/?q=talk").content.decode()
    detail = client.get(f"/p/cwm/resources/{resource.pk}/")
    download = client.get(f"/p/cwm/resources/files/{version.pk}/")

    assert "Talk frames" in library
    assert detail.status_code == 200
    assert download.status_code == 302


def test_drafts_are_only_for_their_author_and_editors(
    client_for, partnership, area, teacher, lead_head, lead_school
):
    draft = ResourceFactory(
        partnership=partnership,
        area=area,
        title="Unfinished",
        status="draft",
        published_at=None,
        author_school=lead_school,
    )
    version = ResourceVersionFactory(partnership=partnership, resource=draft)

    assert client_for(teacher).get(f"/p/cwm/resources/{draft.pk}/").status_code == 403
    assert client_for(teacher).get(f"/p/cwm/resources/files/{version.pk}/").status_code == 404
    assert "Unfinished" not in client_for(teacher).get("/p/cwm/resources/").content.decode()
    assert client_for(lead_head).get(f"/p/cwm/resources/{draft.pk}/").status_code == 200


def test_every_member_sees_a_project_but_only_some_see_its_money(
    client_for, project, teacher, governor, outside_head, admin_user
):
    ProjectBudgetLineFactory(
        partnership=project.partnership,
        project=project,
        description="Supply cover",
        allocated=Decimal("1000"),
    )
    url = f"/p/cwm/projects/{project.pk}/"

    def page(user):
        response = client_for(user).get(url)
        assert response.status_code == 200
        return response.content.decode()

    assert "Supply cover" not in page(teacher)
    assert "Supply cover" not in page(outside_head)
    assert "Supply cover" in page(governor)  # governor of a member school
    assert "Supply cover" in page(admin_user)


def test_only_the_lead_school_or_the_admin_runs_the_project(
    client_for, project, lead_head, member_head, teacher
):
    url = f"/p/cwm/projects/{project.pk}/budget/new/"
    data = {"category": "venues", "description": "Room", "allocated": "100"}

    assert client_for(member_head).post(url, data).status_code == 403
    assert client_for(teacher).post(url, data).status_code == 403
    assert client_for(lead_head).post(url, data).status_code == 302


def test_only_the_admin_allocates_funding(client_for, project, lead_head, admin_client_):
    url = f"/p/cwm/projects/{project.pk}/funding/"
    assert client_for(lead_head).post(url, {"funding_allocated": "99999"}).status_code == 403
    assert admin_client_.post(url, {"funding_allocated": "9000"}).status_code == 302
    project.refresh_from_db()
    assert project.funding_allocated == Decimal("9000")


def test_a_headteacher_starts_a_project_only_with_their_own_school_as_lead(
    client_for, partnership, sig, area, lead_school, member_school, member_head
):
    data = {
        "title": "Numeracy walk",
        "group": f"sig:{sig.pk}",
        "area": area.pk,
        "aims": "Aims",
        "need": "Need",
        "schools": [member_school.pk],
        "lead_school": lead_school.pk,
        "starts_on": "2026-09-01",
        "ends_on": "2027-07-01",
        "status": "planned",
    }
    client = client_for(member_head)

    refused = client.post("/p/cwm/projects/new/", data)
    created = client.post("/p/cwm/projects/new/", {**data, "lead_school": member_school.pk})

    assert refused.status_code == 200  # not a choice they have: a form error
    assert created.status_code == 302


def test_a_teacher_cannot_start_a_project_or_add_resources(client_for, teacher):
    client = client_for(teacher)
    assert client.get("/p/cwm/projects/new/").status_code == 403
    assert client.get("/p/cwm/resources/new/").status_code == 403


def test_api_budget_lines_follow_the_same_rules(client_for, project, teacher, governor, lead_head):
    line = ProjectBudgetLineFactory(partnership=project.partnership, project=project)

    assert client_for(teacher).get("/api/p/cwm/collaboration/budget-lines/").json()["count"] == 0
    assert client_for(governor).get("/api/p/cwm/collaboration/budget-lines/").json()["count"] == 1
    assert (
        client_for(teacher).get(f"/api/p/cwm/collaboration/budget-lines/{line.pk}/").status_code
        == 403
    )
    spend = f"/api/p/cwm/collaboration/budget-lines/{line.pk}/spend/"
    assert client_for(governor).post(spend, {"amount": "1"}).status_code == 403
    assert client_for(lead_head).post(spend, {"amount": "1"}).status_code == 200


def test_api_project_funding_is_hidden_from_outsiders(client_for, project, teacher, admin_user):
    outsider = client_for(teacher).get(f"/api/p/cwm/collaboration/projects/{project.pk}/").json()
    admin = client_for(admin_user).get(f"/api/p/cwm/collaboration/projects/{project.pk}/").json()
    assert outsider["funding"] is None
    assert admin["funding"]["allocated"] == "8000.00"
    assert outsider["group"]["name"] == "Gorllewin SIG"


def test_api_creates_a_project_for_the_admin(client_for, admin_user, sig, area, lead_school):
    response = client_for(admin_user).post(
        "/api/p/cwm/collaboration/projects/",
        {
            "title": "Talk",
            "sig": sig.pk,
            "area": area.pk,
            "aims": "Aims",
            "need": "Need",
            "schools": [lead_school.pk],
            "lead_school": lead_school.pk,
            "starts_on": "2026-09-01",
            "ends_on": "2027-07-01",
            "funding_allocated": "5000.00",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["funding"]["allocated"] == "5000.00"


def test_api_refuses_funding_from_a_headteacher(client_for, lead_head, sig, area, lead_school):
    response = client_for(lead_head).post(
        "/api/p/cwm/collaboration/projects/",
        {
            "title": "Talk",
            "sig": sig.pk,
            "area": area.pk,
            "aims": "Aims",
            "need": "Need",
            "schools": [lead_school.pk],
            "lead_school": lead_school.pk,
            "starts_on": "2026-09-01",
            "ends_on": "2027-07-01",
            "funding_allocated": "5000.00",
        },
        content_type="application/json",
    )
    assert response.status_code == 403


def test_policy_predicates(project, lead_head, member_head, governor, admin_user, partnership):
    assert policies.can_run_project(lead_head, project)
    assert not policies.can_run_project(member_head, project)
    assert policies.can_view_project_funding(member_head, project)
    assert policies.can_view_project_funding(governor, project)
    assert policies.can_view_allocations(admin_user, partnership)
    assert not policies.can_view_allocations(lead_head, partnership)
    assert Role.PARTICIPANT  # participants are members: they use the library


def test_the_author_publishes_a_draft(
    client_for, partnership, area, lead_head, lead_school, teacher
):
    draft = ResourceFactory(
        partnership=partnership,
        area=area,
        status="draft",
        published_at=None,
        author_school=lead_school,
    )
    url = f"/p/cwm/resources/{draft.pk}/publish/"

    assert client_for(teacher).post(url).status_code == 403
    assert client_for(lead_head).post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    assert draft.published_at is not None
