"""The hubs demo data seeded by `manage.py seed_demo` (hubs/demo.py)."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django_scopes import scopes_disabled

from hubs.models import (
    Attendance,
    Award,
    Bid,
    BidStatus,
    Call,
    CallStatus,
    Enrolment,
    EnrolmentStatus,
    Hub,
    Programme,
    ProgrammeStatus,
)
from partnership import demo
from partnership.models import Membership, Role, User
from schools.models import LanguageMedium

pytestmark = pytest.mark.django_db

SLUGS = [demo.WELSH_CONSORTIUM.slug, demo.LONDON_BOROUGH.slug]
HUB_MODELS = (Hub, Programme, Enrolment, Attendance, Call, Bid, Award)


def hub_rows() -> dict[str, int]:
    with scopes_disabled():
        return {model.__name__: model.objects.count() for model in HUB_MODELS}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[dict[str, dict[str, int]]]:
    """The full demo seeded twice for the whole module; rolled back at its end."""
    with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
        call_command("seed_demo", stdout=StringIO(), quiet=True)
        first = hub_rows()
        call_command("seed_demo", stdout=StringIO(), quiet=True)
        yield {"first": first, "second": hub_rows()}
        transaction.set_rollback(True)


def login(slug: str, role: str) -> User:
    blueprint = next(b for b in demo.DEMO_BLUEPRINTS if b.slug == slug)
    return User.objects.get(email=demo.login_email(blueprint, role))


def test_a_second_run_adds_no_hubs_programmes_or_calls(seeded):
    assert seeded["second"] == seeded["first"]
    assert all(seeded["first"].values())


def test_wales_has_a_distributed_welsh_medium_hub(seeded):
    hub = Hub.objects.get(partnership__slug="gorllewin", area__slug="welsh")

    schools = list(hub.schools.all())
    assert len(schools) >= 3
    assert {s.language_medium for s in schools} == {LanguageMedium.WELSH}
    assert len({s.cluster_id for s in schools}) == len(schools)


@pytest.mark.parametrize("slug", SLUGS)
def test_a_full_programme_has_a_waiting_list(seeded, slug):
    full = Programme.objects.get(partnership__slug=slug, status=ProgrammeStatus.FULL)

    confirmed = full.enrolments.filter(status=EnrolmentStatus.CONFIRMED).count()
    assert confirmed == full.places
    assert full.enrolments.filter(status=EnrolmentStatus.WAITLISTED).exists()


@pytest.mark.parametrize("slug", SLUGS)
def test_programmes_already_held_have_their_registers(seeded, slug):
    finished = Programme.objects.get(partnership__slug=slug, status=ProgrammeStatus.FINISHED)

    marks = Attendance.objects.filter(session__programme=finished)
    places = finished.enrolments.filter(status=EnrolmentStatus.CONFIRMED).count()
    assert marks.count() == places * finished.sessions.count()
    assert marks.filter(attended=True).exists() and marks.filter(attended=False).exists()


@pytest.mark.parametrize("slug", SLUGS)
def test_the_printed_participant_attended_a_finished_programme(seeded, slug):
    participant = login(slug, Role.PARTICIPANT)

    assert Enrolment.objects.filter(
        participant_email=participant.email, programme__status=ProgrammeStatus.FINISHED
    ).exists()


@pytest.mark.parametrize("slug", SLUGS)
def test_an_open_call_has_bids_one_from_the_printed_headteachers_school(seeded, slug):
    call = Call.objects.get(partnership__slug=slug, status=CallStatus.OPEN)
    school = Membership.objects.get(user=login(slug, Role.HEADTEACHER), role=Role.HEADTEACHER)

    assert call.is_accepting_bids()
    assert call.bids.count() >= 2
    assert call.bids.filter(school=school.school, status=BidStatus.SUBMITTED).exists()


@pytest.mark.parametrize("slug", SLUGS)
def test_a_finished_call_was_awarded_to_its_best_scored_bid(seeded, slug):
    call = Call.objects.get(partnership__slug=slug, status=CallStatus.AWARDED)
    award = Award.objects.get(call=call)

    best = call.bids.order_by("-score_percent").first()
    assert award.bid == best
    assert best.status == BidStatus.SUCCESSFUL
    assert not call.bids.filter(score_percent=None).exists()
    assert award.hub.schools.filter(pk=best.school_id).exists()
    assert Membership.objects.filter(
        user=best.submitted_by, role=Role.HUB_LEAD, school=best.school
    ).exists()


@pytest.mark.parametrize("slug", SLUGS)
def test_the_printed_hub_lead_sees_their_hub_on_the_home_page(seeded, slug):
    lead = login(slug, Role.HUB_LEAD)
    client = Client()
    client.force_login(lead)

    page = client.get(f"/p/{slug}/").content.decode()

    assert "Your hub: " in page
    assert "Your school does not lead a hub" not in page


@pytest.mark.parametrize("slug", SLUGS)
def test_the_printed_headteacher_has_staff_on_programmes(seeded, slug):
    head = Membership.objects.get(user=login(slug, Role.HEADTEACHER), role=Role.HEADTEACHER)

    assert Enrolment.objects.filter(school=head.school, enrolled_by=head.user).count() >= 2


def test_a_tiny_scale_partnership_gets_hubs_too(settings):
    settings.DEBUG = True

    call_command("seed_demo", schools=3, quiet=True, stdout=StringIO())

    assert Hub.objects.filter(partnership__slug=demo.SCALE_SLUG).exists()
    assert Award.objects.filter(partnership__slug=demo.SCALE_SLUG).exists()
