"""The weekly digest: opt-in by area, one email per person per week, never twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from collaboration import services, tasks
from collaboration.models import AreaFollow
from partnership.models import OutboundEmail, Role

from .factories import AreaFollowFactory, ResourceFactory, ResourceVersionFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)


def last_week(days_before_monday: int = 3) -> datetime:
    monday = datetime.combine(MONDAY, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    return monday - timedelta(days=days_before_monday)


@pytest.fixture
def follower(partnership, area, member_factory):
    user = member_factory(partnership, Role.PARTICIPANT, email="reader@example.org")
    AreaFollowFactory(partnership=partnership, user=user, area=area)
    return user


def new_resource(partnership, area, title, published_at):
    resource = ResourceFactory(
        partnership=partnership, area=area, title=title, published_at=published_at
    )
    ResourceVersionFactory(partnership=partnership, resource=resource)
    return resource


def test_followers_get_last_weeks_resources_in_their_areas(partnership, area, other_area, follower):
    new_resource(partnership, area, "Talk frames", last_week())
    new_resource(partnership, other_area, "Number talks", last_week())
    new_resource(partnership, area, "Too old", last_week(10))

    sent = services.send_resource_digests(partnership=partnership, today=MONDAY)

    assert sent == 1
    email = OutboundEmail.objects.get()
    assert email.to == "reader@example.org"
    assert email.key == f"collaboration:digest:{partnership.pk}:{follower.pk}:2026-W47"
    assert "Talk frames" in email.body
    assert "no Welsh version yet" in email.body
    assert "Number talks" not in email.body
    assert "Too old" not in email.body


def test_a_second_run_in_the_same_week_sends_nothing(partnership, area, follower):
    new_resource(partnership, area, "Talk frames", last_week())

    first = services.send_resource_digests(partnership=partnership, today=MONDAY)
    again = services.send_resource_digests(
        partnership=partnership, today=MONDAY + timedelta(days=2)
    )

    assert (first, again) == (1, 0)
    assert OutboundEmail.objects.count() == 1


def test_no_email_without_new_resources_or_followers(partnership, area, member_factory):
    member_factory(partnership, Role.PARTICIPANT)
    new_resource(partnership, area, "Talk frames", last_week())
    assert services.send_resource_digests(partnership=partnership, today=MONDAY) == 0
    assert not OutboundEmail.objects.exists()


def test_the_beat_task_fans_out_per_partnership(partnership, area, follower):
    new_resource(partnership, area, "Talk frames", timezone.now() - timedelta(days=7))
    # With no broker configured the per-partnership tasks run in-process.
    assert tasks.send_resource_digests() >= 1
    assert tasks.send_resource_digests_for(partnership.pk) == 0  # already queued this week
    assert OutboundEmail.objects.filter(to="reader@example.org").count() <= 1


def test_following_page_opts_in_and_out(client_for, partnership, area, other_area, teacher):
    client = client_for(teacher)
    client.post("/p/cwm/resources/following/", {"areas": [area.pk, other_area.pk]})
    assert AreaFollow.objects.filter(user=teacher).count() == 2

    client.post("/p/cwm/resources/following/", {"areas": [other_area.pk]})
    assert list(AreaFollow.objects.filter(user=teacher).values_list("area", flat=True)) == [
        other_area.pk
    ]

    client.post("/p/cwm/resources/following/", {})
    assert not AreaFollow.objects.filter(user=teacher).exists()
