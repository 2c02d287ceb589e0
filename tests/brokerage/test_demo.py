"""The brokerage demo data (brokerage/demo.py, run by `manage.py seed_demo`)."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test.utils import override_settings

from brokerage import policies, selectors
from brokerage.models import (
    AgreementOutcome,
    DeliverySession,
    Need,
    NeedDecline,
    Offer,
    SupportAgreement,
)
from partnership import demo
from partnership.models import Partnership, Role, User
from partnership.tenancy import tenant_scope

pytestmark = pytest.mark.django_db

SLUGS = [demo.WELSH_CONSORTIUM.slug, demo.LONDON_BOROUGH.slug]
MODELS = (Need, Offer, SupportAgreement, DeliverySession, AgreementOutcome, NeedDecline)


def brokerage_rows() -> dict[str, int]:
    return {model.__name__: model._base_manager.count() for model in MODELS}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[dict[str, dict[str, int]]]:
    """The demo, seeded twice for the whole module; rolled back at its end."""
    with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
        call_command("seed_demo", stdout=StringIO(), quiet=True)
        first = brokerage_rows()
        call_command("seed_demo", stdout=StringIO(), quiet=True)
        yield {"first": first, "second": brokerage_rows()}
        transaction.set_rollback(True)


def login(slug: str, role: str) -> User:
    blueprint = next(b for b in demo.DEMO_BLUEPRINTS if b.slug == slug)
    return User.objects.get(email=demo.login_email(blueprint, role))


@pytest.mark.parametrize("slug", SLUGS)
def test_needs_and_agreements_are_in_every_state(seeded, slug):
    needs = Need.objects.filter(partnership__slug=slug)
    agreements = SupportAgreement.objects.filter(partnership__slug=slug)

    assert set(needs.values_list("status", flat=True)) >= {
        "open",
        "brokered",
        "in_progress",
        "met",
    }
    assert set(agreements.values_list("status", flat=True)) == set(SupportAgreement.Status)
    assert Offer.objects.filter(partnership__slug=slug).count() >= 8


@pytest.mark.parametrize("slug", SLUGS)
def test_agreements_carry_their_sessions_outcomes_and_declines(seeded, slug):
    agreements = SupportAgreement.objects.filter(partnership__slug=slug)

    for agreement in agreements.filter(status__in=["active", "closed"]):
        assert agreement.sessions.exists()
    closed = agreements.filter(status="closed")
    assert AgreementOutcome.objects.filter(agreement__in=closed).count() == closed.count()
    for agreement in agreements.filter(status="declined"):
        assert NeedDecline.objects.filter(agreement=agreement).exists()
        assert agreement.need.status == Need.Status.OPEN


@pytest.mark.parametrize("slug", SLUGS)
def test_offers_hold_the_days_of_their_agreements(seeded, slug):
    for offer in Offer.objects.filter(partnership__slug=slug):
        live = (
            offer.agreements.filter(status__in=SupportAgreement.LIVE).aggregate(days=Sum("days"))[
                "days"
            ]
            or 0
        )
        delivered = (
            DeliverySession.objects.filter(
                agreement__offer=offer, agreement__status="closed"
            ).aggregate(days=Sum("days"))["days"]
            or 0
        )
        assert offer.days_committed == live + delivered


@pytest.mark.parametrize("slug", SLUGS)
def test_the_printed_headteacher_has_a_need_with_suggestions_and_an_agreement_to_confirm(
    seeded, slug
):
    head = login(slug, Role.HEADTEACHER)
    school = head.memberships.get(role=Role.HEADTEACHER).school
    partnership = Partnership.objects.get(slug=slug)

    with tenant_scope(partnership):
        open_need = Need.objects.get(school=school, status=Need.Status.OPEN)
        assert selectors.match_suggestions(selectors.need_detail(open_need.pk)).suggestions
        waiting = SupportAgreement.objects.get(receiving_school=school, status="proposed")
        assert policies.can_confirm_agreement(head, waiting)
        assert SupportAgreement.objects.filter(receiving_school=school, status="closed").exists()


@pytest.mark.parametrize("slug", SLUGS)
def test_the_printed_challenge_adviser_has_needs_on_the_board(seeded, slug):
    adviser = login(slug, Role.CHALLENGE_ADVISER)
    partnership = Partnership.objects.get(slug=slug)

    with tenant_scope(partnership):
        board = list(selectors.board_needs(user=adviser, partnership=partnership))

    assert len(board) >= 3
    assert board[0].school.support_category in ("red", "amber")


def test_a_second_run_adds_no_brokerage_rows(seeded):
    assert seeded["second"] == seeded["first"]
    assert all(seeded["first"].values())
