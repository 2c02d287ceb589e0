"""Collaboration pages and API lists cost the same number of queries with 3 rows as with 30."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnership.models import Role
from tests.factories import (
    AreaFactory,
    ClusterFactory,
    HubFactory,
    ProgrammeFactory,
    SchoolFactory,
    SchoolImprovementGroupFactory,
)

from .factories import (
    GroupProjectFactory,
    MilestoneFactory,
    ProjectBudgetLineFactory,
    ProjectEvaluationFactory,
    ResourceFactory,
    ResourceVersionFactory,
)

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30


def queries(client, url: str) -> int:
    client.get(url)  # warm up: first-request caches are not the page's cost
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured)


def add_projects(partnership, area, count, *, school=None):
    """Projects, each with its own SIG (a sub-group of a shared one), lead school, member
    school, budget line, milestone and evaluation."""
    parent = SchoolImprovementGroupFactory(partnership=partnership)
    projects = []
    for i in range(count):
        lead = SchoolFactory(partnership=partnership)
        members = [lead, SchoolFactory(partnership=partnership)] + ([school] if school else [])
        if i % 2:
            cluster = ClusterFactory(partnership=partnership)
            for member in members:
                member.cluster = cluster
                member.save()
            project = GroupProjectFactory(
                partnership=partnership,
                area=area,
                sig=None,
                cluster=cluster,
                lead_school=lead,
                schools=members,
            )
        else:
            project = GroupProjectFactory(
                partnership=partnership,
                area=area,
                sig=SchoolImprovementGroupFactory(partnership=partnership, parent=parent),
                lead_school=lead,
                schools=members,
            )
        ProjectBudgetLineFactory(partnership=partnership, project=project)
        MilestoneFactory(partnership=partnership, project=project)
        ProjectEvaluationFactory(partnership=partnership, project=project)
        projects.append(project)
    return projects


def add_resources(partnership, count, *, area=None, project=None):
    """Resources, each with its own area, author school, source and two versions."""
    for i in range(count):
        source = {}
        if project is not None:
            source["source_project"] = project
        elif i % 2:
            source["source_programme"] = ProgrammeFactory(partnership=partnership)
        resource = ResourceFactory(
            partnership=partnership,
            area=area or AreaFactory(partnership=partnership),
            author_school=SchoolFactory(partnership=partnership),
            title=f"Talk frames {i}",
            **source,
        )
        ResourceVersionFactory(partnership=partnership, resource=resource, language="english")
        if i % 3:
            ResourceVersionFactory(partnership=partnership, resource=resource, language="welsh")


def constant(client, url: str, grow: Callable[[int], None]) -> None:
    grow(SMALL)
    few = queries(client, url)
    grow(LARGE - SMALL)
    many = queries(client, url)
    assert few == many


@pytest.mark.parametrize(
    "url",
    [
        "/p/cwm/resources/",
        "/p/cwm/resources/?q=talk&language=english&phase=primary&missing_welsh=on",
        "/p/cwm/resources/welsh-gaps/",
        "/api/p/cwm/collaboration/resources/",
        "/api/p/cwm/collaboration/resources/?missing_welsh=true",
    ],
)
def test_library_pages_cost_the_same_with_3_and_30_resources(
    client_for, partnership, member_factory, url
):
    teacher = member_factory(partnership, Role.PARTICIPANT)
    constant(client_for(teacher), url, lambda n: add_resources(partnership, n))


@pytest.mark.parametrize(
    "url",
    [
        "/p/cwm/projects/",
        "/p/cwm/projects/funding/",
        "/api/p/cwm/collaboration/projects/",
        "/api/p/cwm/collaboration/budget-lines/",
    ],
)
def test_project_lists_cost_the_same_with_3_and_30_projects(admin_client_, partnership, url):
    area = AreaFactory(partnership=partnership)
    constant(admin_client_, url, lambda n: add_projects(partnership, area, n))


def test_project_page_costs_the_same_with_more_lines_resources_and_neighbours(
    admin_client_, partnership
):
    area = AreaFactory(partnership=partnership)
    project = add_projects(partnership, area, 1)[0]

    def grow(n):
        for _ in range(n):
            ProjectBudgetLineFactory(partnership=partnership, project=project)
            MilestoneFactory(partnership=partnership, project=project)
            project.schools.add(SchoolFactory(partnership=partnership))
            hub = HubFactory(partnership=partnership, area=area)
            ProgrammeFactory(partnership=partnership, hub=hub, area=area)
        add_projects(partnership, area, n)
        add_resources(partnership, n, area=area, project=project)

    constant(admin_client_, f"/p/cwm/projects/{project.pk}/", grow)


def test_school_page_section_costs_the_same_with_more_projects_and_resources(
    client_for, partnership, member_factory
):
    school = SchoolFactory(partnership=partnership)
    area = AreaFactory(partnership=partnership)
    head = member_factory(partnership, Role.HEADTEACHER, school=school)

    def grow(n):
        for project in add_projects(partnership, area, n, school=school):
            add_resources(partnership, 1, area=area, project=project)

    constant(client_for(head), f"/p/cwm/schools/{school.pk}/", grow)


def test_resource_edit_page_costs_the_same_with_more_schools_projects_and_sources(
    admin_client_, partnership
):
    area = AreaFactory(partnership=partnership)
    add_resources(partnership, 1, area=area)
    from collaboration.models import Resource

    resource = Resource.objects.get()

    def grow(n):
        add_projects(partnership, area, n)
        add_resources(partnership, n)
        for _ in range(n):
            ProgrammeFactory(partnership=partnership, hub=HubFactory(partnership=partnership))

    constant(admin_client_, f"/p/cwm/resources/{resource.pk}/edit/", grow)
