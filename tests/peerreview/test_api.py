"""The read API: cycles, groups, visits, and findings only for those who may read them."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from peerreview.models import AccessBasis, FindingsAccess
from tests.factories import (
    AreaFindingFactory,
    FindingsFactory,
    FindingsShareFactory,
    ReviewGroupFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db


def api(world, path: str) -> str:
    return f"/api/p/{world.p.slug}/peer-review/{path}"


@pytest.fixture
def findings(world):
    row = FindingsFactory(partnership=world.p, review=world.review)
    AreaFindingFactory(
        partnership=world.p, findings=row, area=world.areas[0], went_well="Clear vision."
    )
    return row


def test_cycles_list_shows_the_partnerships_cycles_to_reviewers(world, client_for):
    response = client_for(world.lead).get(api(world, "cycles/"))
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["results"]] == [world.cycle.name]


def test_governors_see_no_cycles(world, client_for):
    response = client_for(world.governor).get(api(world, "cycles/"))
    assert response.json()["results"] == []


def test_groups_can_be_filtered_by_cycle(world, client_for):
    group = ReviewGroupFactory(partnership=world.p, cycle=world.cycle)
    client = client_for(world.admin)
    assert [
        g["id"] for g in client.get(api(world, f"groups/?cycle={world.cycle.pk}")).json()["results"]
    ] == [group.pk]
    assert client.get(api(world, "groups/?cycle=x")).status_code == 400


def test_reviewers_see_only_visits_of_their_reviews(world, client_for):
    visit = VisitFactory(partnership=world.p, review=world.review)
    on_team = client_for(world.lead).get(api(world, "visits/")).json()["results"]
    outside = client_for(world.outside_reviewer).get(api(world, "visits/")).json()["results"]
    assert [v["id"] for v in on_team] == [visit.pk]
    assert outside == []


def test_headteacher_reads_the_findings_and_the_reading_is_logged(world, findings, client_for):
    response = client_for(world.head).get(api(world, f"findings/{findings.pk}/"))
    assert response.status_code == 200
    assert response.json()["areas"][0]["went_well"] == "Clear vision."
    with scopes_disabled():
        log = FindingsAccess.objects.get(review=world.review)
    assert (log.user, log.basis) == (world.head, AccessBasis.HEADTEACHER)


@pytest.mark.parametrize("who", ["other_head", "ca", "admin", "governor", "panel_member"])
def test_findings_not_shared_answer_404(world, findings, client_for, who):
    response = client_for(getattr(world, who)).get(api(world, f"findings/{findings.pk}/"))
    assert response.status_code == 404
    with scopes_disabled():
        assert not FindingsAccess.objects.exists()


def test_governor_reads_findings_shared_with_governors(world, findings, client_for):
    FindingsShareFactory(partnership=world.p, review=world.review)
    response = client_for(world.governor).get(api(world, f"findings/{findings.pk}/"))
    assert response.status_code == 200
