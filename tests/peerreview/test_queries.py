"""List pages make the same number of queries for 3 rows as for 30."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peerreview import services
from tests.factories import (
    CycleFactory,
    FindingsAccessFactory,
    FindingsFactory,
    FrameworkVersionFactory,
    ReviewerProfileFactory,
    ReviewFactory,
    ReviewTeamMemberFactory,
    SchoolFactory,
    VisitFactory,
)

from .helpers import url

pytestmark = pytest.mark.django_db


def _queries(client, address: str) -> int:
    client.get(address)  # warm per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured)


def _grow(make, before: int, after: int):
    for _ in range(after - before):
        make()


def test_the_peer_review_home_page(world, client_for, django_assert_max_num_queries):
    client = client_for(world.lead)

    def add():
        CycleFactory(partnership=world.p)
        review = ReviewFactory(partnership=world.p, cycle=world.cycle)
        ReviewTeamMemberFactory(
            partnership=world.p, review=review, profile=world.lead_profile, is_lead=True
        )
        VisitFactory(partnership=world.p, review=review)
        FindingsFactory(partnership=world.p, review=review)

    _grow(add, 0, 3)
    few = _queries(client, url(world.p))
    _grow(add, 3, 30)
    many = _queries(client, url(world.p))

    assert few == many
    with django_assert_max_num_queries(many):
        client.get(url(world.p))


def test_the_cycle_page(world, client_for):
    client = client_for(world.admin)

    def add():
        review = ReviewFactory(
            partnership=world.p, cycle=world.cycle, school=SchoolFactory(partnership=world.p)
        )
        ReviewTeamMemberFactory(partnership=world.p, review=review, is_lead=True)
        ReviewTeamMemberFactory(partnership=world.p, review=review)

    _grow(add, 0, 3)
    few = _queries(client, url(world.p, f"cycles/{world.cycle.pk}/"))
    _grow(add, 3, 30)
    many = _queries(client, url(world.p, f"cycles/{world.cycle.pk}/"))

    assert few == many


def test_the_grouping_proposal_page(world, client_for):
    client = client_for(world.admin)

    def add():
        school = SchoolFactory(partnership=world.p)
        ReviewFactory(partnership=world.p, cycle=world.cycle, school=school)
        ReviewerProfileFactory(partnership=world.p, school=school)

    _grow(add, 0, 3)
    few = _queries(client, url(world.p, f"cycles/{world.cycle.pk}/grouping/"))
    _grow(add, 3, 30)
    many = _queries(client, url(world.p, f"cycles/{world.cycle.pk}/grouping/"))

    assert few == many


def test_the_reviewers_page(world, client_for):
    client = client_for(world.admin)

    def add():
        ReviewerProfileFactory(partnership=world.p)

    _grow(add, 0, 3)
    few = _queries(client, url(world.p, "reviewers/"))
    _grow(add, 3, 30)
    many = _queries(client, url(world.p, "reviewers/"))

    assert few == many


def test_the_frameworks_page(world, client_for):
    client = client_for(world.admin)

    def add():
        FrameworkVersionFactory(partnership=world.p)

    _grow(add, 0, 3)
    few = _queries(client, url(world.p, "frameworks/"))
    _grow(add, 3, 30)
    many = _queries(client, url(world.p, "frameworks/"))

    assert few == many


def test_the_access_log_and_sharing_pages(world, client_for):
    client = client_for(world.head)
    FindingsFactory(partnership=world.p, review=world.review)

    def add():
        FindingsAccessFactory(partnership=world.p, review=world.review)
        services.save_findings(
            actor=world.lead,
            review=world.review,
            summary=f"Summary {FindingsAccessFactory._meta.model.objects.count()}",
            areas={},
        )

    _grow(add, 0, 3)
    few = _queries(client, url(world.p, f"reviews/{world.review.pk}/access-log/"))
    sharing_few = _queries(client, url(world.p, f"reviews/{world.review.pk}/sharing/"))
    _grow(add, 3, 30)
    many = _queries(client, url(world.p, f"reviews/{world.review.pk}/access-log/"))
    sharing_many = _queries(client, url(world.p, f"reviews/{world.review.pk}/sharing/"))

    assert (few, sharing_few) == (many, sharing_many)
