"""The reports API: the pages' permissions (404 for a run you may not read)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from partnership.models import Role
from reports.models import ReportKind, ReportRun
from tests.factories import SchoolFactory
from tests.reports.factories import ReportRunFactory

pytestmark = pytest.mark.django_db

API = "/api/p/cwm/reports/runs/"


def api_for(user) -> Client:
    token, _created = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


@pytest.fixture
def runs(partnership, term, school):
    other = SchoolFactory(partnership=partnership, name="Ysgol Arall")
    return {
        "own": ReportRunFactory(
            partnership=partnership, term=term, kind=ReportKind.SCHOOL, school=school
        ),
        "other": ReportRunFactory(
            partnership=partnership, term=term, kind=ReportKind.SCHOOL, school=other
        ),
        "board": ReportRunFactory(partnership=partnership, term=term),
    }


def test_a_governor_lists_and_reads_only_their_schools_runs(
    partnership, school, runs, member_factory
):
    client = api_for(member_factory(partnership, Role.GOVERNOR, school=school))
    listed = client.get(API).json()
    assert [row["id"] for row in listed["results"]] == [runs["own"].pk]
    assert listed["results"][0]["school"] == school.name
    assert client.get(f"{API}{runs['own'].pk}/").status_code == 200
    assert client.get(f"{API}{runs['other'].pk}/").status_code == 404
    assert client.get(f"{API}{runs['board'].pk}/").status_code == 404


def test_an_admin_lists_every_run(partnership, runs, admin_user):
    listed = api_for(admin_user).get(API).json()
    assert {row["id"] for row in listed["results"]} == {run.pk for run in runs.values()}


def test_a_governor_asks_for_their_schools_report_not_anothers(
    partnership, term, school, member_factory
):
    client = api_for(member_factory(partnership, Role.GOVERNOR, school=school))
    response = client.post(API, {"term": term.pk, "school": school.pk})
    assert response.status_code == 202
    assert response.json()["status"] in ("queued", "done")
    other = SchoolFactory(partnership=partnership)
    assert client.post(API, {"term": term.pk, "school": other.pk}).status_code == 403
    assert client.post(API, {"term": term.pk}).status_code == 403  # the board report
    assert ReportRun.objects.count() == 1


def test_asking_for_an_unknown_term_is_a_400_with_the_reason(partnership, admin_user):
    response = api_for(admin_user).post(API, {"term": 987654})
    assert response.status_code == 400
    assert response.json() == {"term": ["No such term."]}


@pytest.mark.parametrize("role", [Role.HUB_LEAD, Role.PANEL_MEMBER, Role.PARTICIPANT])
def test_a_role_that_reads_no_report_is_refused_before_its_body_is_read(
    partnership, member_factory, role
):
    client = api_for(member_factory(partnership, role))

    response = client.post(API, {}, content_type="application/json")

    assert response.status_code == 403
    assert not ReportRun.objects.exists()


def test_a_governor_gets_the_reasons_for_an_empty_request(partnership, school, member_factory):
    client = api_for(member_factory(partnership, Role.GOVERNOR, school=school))

    response = client.post(API, {}, content_type="application/json")

    assert response.status_code == 400
    assert "term" in response.json()
