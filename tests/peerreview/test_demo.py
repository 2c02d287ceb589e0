"""Peer-review demo data: a finished, a running and a joint cycle, seeded idempotently."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from django_scopes import scopes_disabled

from partnership import demo
from partnership.models import Partnership, Role, User
from peerreview import demo as peer_demo
from peerreview import selectors
from peerreview.models import (
    AreaFinding,
    Cycle,
    CycleParticipation,
    Findings,
    FindingsShare,
    Review,
    ReviewerProfile,
    ReviewTeamMember,
    SchoolResponse,
    ShareAudience,
    Visit,
)
from peerreview.rules import check_plan

pytestmark = pytest.mark.django_db

PEER_MODELS = (
    Cycle,
    CycleParticipation,
    Review,
    ReviewTeamMember,
    ReviewerProfile,
    Visit,
    Findings,
    AreaFinding,
    SchoolResponse,
    FindingsShare,
)


def peer_counts() -> dict[str, int]:
    with scopes_disabled():
        return {m._meta.label: m.objects.count() for m in PEER_MODELS}


@dataclass(frozen=True)
class Runs:
    after_first: dict[str, int]
    after_second: dict[str, int]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[Runs]:
    """The demo seeded twice, once for the module; rolled back at its end."""
    with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
        call_command("seed_demo", stdout=StringIO(), quiet=True)
        first = peer_counts()
        call_command("seed_demo", stdout=StringIO(), quiet=True)
        yield Runs(first, peer_counts())
        transaction.set_rollback(True)


def cycles_of(slug: str) -> list[Cycle]:
    with scopes_disabled():
        return list(Cycle.objects.filter(partnership__slug=slug).order_by("window_start", "name"))


def login(slug: str, role: str) -> User:
    return User.objects.get(email=f"{role.replace('_', '-')}@{slug}.example.org")


def test_second_run_adds_no_peer_review_rows(seeded):
    assert seeded.after_first == seeded.after_second
    assert all(seeded.after_first.values())


@pytest.mark.parametrize("slug", [demo.WELSH_CONSORTIUM.slug, demo.LONDON_BOROUGH.slug])
def test_finished_cycle_has_submitted_findings_responses_and_shares(seeded, slug):
    finished = cycles_of(slug)[0]
    with scopes_disabled():
        reviews = list(Review.objects.filter(cycle=finished))
        assert reviews
        for review in reviews:
            assert review.findings.is_submitted
            assert AreaFinding.objects.filter(findings=review.findings).exists()
            assert SchoolResponse.objects.filter(review=review).exists()
            assert FindingsShare.objects.filter(
                review=review, audience=ShareAudience.GOVERNORS
            ).exists()


@pytest.mark.parametrize("slug", [demo.WELSH_CONSORTIUM.slug, demo.LONDON_BOROUGH.slug])
def test_running_cycle_has_visits_next_month_and_no_findings(seeded, slug):
    next_month = peer_demo.next_month(timezone.localdate())
    running = [c for c in cycles_of(slug) if c.in_window(next_month) and "Joint" not in c.name]
    assert len(running) == 1
    with scopes_disabled():
        dates = list(Visit.objects.filter(review__cycle=running[0]).values_list("date", flat=True))
        assert not Findings.objects.filter(review__cycle=running[0]).exists()
    assert dates
    assert {(d.year, d.month) for d in dates} == {(next_month.year, next_month.month)}


def test_london_partnership_runs_a_joint_cycle_with_the_welsh_one(seeded):
    joint = [c for c in cycles_of(demo.LONDON_BOROUGH.slug) if c.name.startswith("Joint")]
    assert len(joint) == 1
    welsh = Partnership.objects.get(slug=demo.WELSH_CONSORTIUM.slug)
    assert joint[0] in selectors.visible_cycles(welsh)
    with scopes_disabled():
        reviews = Review.objects.filter(cycle=joint[0])
        school_partnerships = set(reviews.values_list("school__partnership__slug", flat=True))
    assert school_partnerships == {demo.WELSH_CONSORTIUM.slug, demo.LONDON_BOROUGH.slug}


@pytest.mark.parametrize("slug", [demo.WELSH_CONSORTIUM.slug, demo.LONDON_BOROUGH.slug])
def test_demo_teams_break_no_conflict_of_interest_rule(seeded, slug):
    for cycle in cycles_of(slug):
        plan = selectors.cycle_plan(cycle)
        assert plan.placements
        assert (
            check_plan(
                plan.placements, schools=plan.schools, reviewers=plan.reviewers, rules=plan.rules
            )
            == []
        )


@pytest.mark.parametrize("slug", [demo.WELSH_CONSORTIUM.slug, demo.LONDON_BOROUGH.slug])
def test_peer_reviewer_login_is_trained_and_sees_the_review_they_lead(seeded, slug):
    user = login(slug, Role.PEER_REVIEWER)
    with scopes_disabled():
        profile = ReviewerProfile.objects.get(user=user, partnership__slug=slug)
        lead_of = Review.objects.filter(team__reviewer=user, team__is_lead=True).select_related(
            "school"
        )
        school_name = lead_of.first().school.name
    assert profile.is_trained
    client = Client()
    client.force_login(user)
    response = client.get(f"/p/{slug}/peer-review/")
    assert response.status_code == 200
    assert school_name in response.content.decode()


def test_governor_login_reads_the_shared_findings_of_their_school(seeded):
    slug = demo.LONDON_BOROUGH.slug
    user = login(slug, Role.GOVERNOR)
    finished = cycles_of(slug)[0]
    with scopes_disabled():
        review = Review.objects.get(cycle=finished, school__memberships__user=user)
    client = Client()
    client.force_login(user)
    response = client.get(f"/p/{slug}/peer-review/reviews/{review.pk}/findings/")
    assert response.status_code == 200
    assert review.findings.summary in response.content.decode()
