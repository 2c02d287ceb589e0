"""Discovery: a school's page shows its groups, their projects and resources; a project
page says who else works in the same area; group_activity_for_school feeds reports."""

from __future__ import annotations

from datetime import date

import pytest

from collaboration import selectors
from hubs.models import ProgrammeStatus
from tests.factories import HubFactory, ProgrammeFactory

from .factories import GroupProjectFactory, ResourceFactory, ResourceVersionFactory

pytestmark = pytest.mark.django_db


def test_group_activity_for_school(partnership, project, area, lead_school, welsh_subgroup):
    shared = ResourceFactory(
        partnership=partnership, area=area, title="Talk frames", source_project=project
    )
    ResourceVersionFactory(partnership=partnership, resource=shared)
    ResourceFactory(partnership=partnership, area=area, title="Not from a project")

    activity = selectors.group_activity_for_school(lead_school)

    assert {g.name for g in activity.groups} == {"Gorllewin SIG", "Gorllewin Cymraeg"}
    assert activity.projects == [project]
    assert activity.resources == [shared]
    assert activity.funding_allocated == project.funding_allocated


def test_group_activity_can_be_limited_to_a_term(partnership, project, lead_school):
    autumn = selectors.group_activity_for_school(
        lead_school, starts_on=date(2026, 9, 1), ends_on=date(2026, 12, 20)
    )
    last_year = selectors.group_activity_for_school(
        lead_school, starts_on=date(2025, 9, 1), ends_on=date(2025, 12, 20)
    )
    assert autumn.projects == [project]
    assert last_year.projects == []


def test_the_school_page_shows_groups_projects_and_resources(
    client_for, partnership, project, area, member_school, teacher
):
    resource = ResourceFactory(
        partnership=partnership, area=area, title="Talk frames", source_project=project
    )
    ResourceVersionFactory(partnership=partnership, resource=resource)

    page = client_for(teacher).get(f"/p/cwm/schools/{member_school.pk}/").content.decode()

    assert "Groups, projects and resources" in page
    assert "Talk for learning" in page
    assert "Talk frames" in page


def test_who_else_is_working_on_this(
    partnership, project, area, other_area, cluster, outside_school
):
    neighbour = GroupProjectFactory(
        partnership=partnership,
        title="Oracy in the cluster",
        area=area,
        sig=None,
        cluster=cluster,
        lead_school=outside_school,
    )
    GroupProjectFactory(partnership=partnership, title="Elsewhere", area=other_area)
    hub = HubFactory(partnership=partnership, name="Oracy hub", area=area)
    programme = ProgrammeFactory(partnership=partnership, hub=hub, area=area)
    ProgrammeFactory(partnership=partnership, hub=hub, area=area, status=ProgrammeStatus.DRAFT)

    who = selectors.who_else_is_working_on(project)

    assert who.projects == [neighbour]
    assert who.hubs == [hub]
    assert who.programmes == [programme]


def test_the_project_page_shows_who_else(client_for, partnership, project, area, teacher):
    HubFactory(partnership=partnership, name="Oracy hub", area=area)
    page = client_for(teacher).get(f"/p/cwm/projects/{project.pk}/").content.decode()
    assert "Who else is working on this?" in page
    assert "Oracy hub" in page
