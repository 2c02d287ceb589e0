"""Two challenge advisers at once: the row locks in make_agreement() let exactly one win.

Needs PostgreSQL (SQLite has no SELECT ... FOR UPDATE and serialises writers anyway); CI
runs the suite with DATABASE_URL pointing at PostgreSQL, where these tests run.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from brokerage import services
from brokerage.models import Funding, Need, Offer, SupportAgreement
from partnership.models import Role
from partnership.tenancy import tenant_scope
from schools.models import SupportCategory
from tests.factories import (
    AreaFactory,
    MembershipFactory,
    NeedFactory,
    OfferFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks; CI runs it with DATABASE_URL",
    ),
]

ROUNDS = 5


def race(partnership, attempts: list[tuple[int, int, object]]) -> list[str]:
    """Run make_agreement() for each (need id, offer id, adviser) at the same moment, each
    on its own thread and database connection; return "made" or "refused" for each."""
    barrier = threading.Barrier(len(attempts))
    results: list[str] = [""] * len(attempts)

    def attempt(index: int, need_id: int, offer_id: int, adviser) -> None:
        try:
            with tenant_scope(partnership):
                need = Need.objects.select_related("school").get(pk=need_id)
                offer = Offer.objects.select_related("school").get(pk=offer_id)
                barrier.wait(timeout=10)
                services.make_agreement(
                    actor=adviser,
                    need=need,
                    offer=offer,
                    days=Decimal("3"),
                    starts_on=timezone.localdate(),
                    ends_on=timezone.localdate() + timedelta(days=30),
                    objectives="Coaching.",
                    funding=Funding.FREE,
                )
            results[index] = "made"
        except ValidationError:
            results[index] = "refused"
        except Exception as error:  # anything else (an IntegrityError, a deadlock) fails
            results[index] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i, *args)) for i, args in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def world():
    partnership = SchoolFactory().partnership
    area = AreaFactory(partnership=partnership)
    advisers = [UserFactory(), UserFactory()]
    for adviser in advisers:
        MembershipFactory(partnership=partnership, user=adviser, role=Role.SENIOR_CA)
    return partnership, area, advisers


def red_need(partnership, area):
    school = SchoolFactory(partnership=partnership, support_category=SupportCategory.RED)
    return NeedFactory(partnership=partnership, school=school, area=area)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_advisers_taking_the_last_days_of_an_offer_exactly_one_succeeds(world, round_):
    partnership, area, advisers = world
    offer = OfferFactory(partnership=partnership, area=area, days_available=Decimal("3"))
    needs = [red_need(partnership, area), red_need(partnership, area)]

    results = race(
        partnership,
        [(need.pk, offer.pk, adviser) for need, adviser in zip(needs, advisers, strict=True)],
    )

    assert sorted(results) == ["made", "refused"]
    offer.refresh_from_db()
    assert offer.days_committed == Decimal("3")
    assert offer.capacity_left == 0
    assert SupportAgreement.objects.count() == 1
    statuses = sorted(Need.objects.filter(pk__in=[n.pk for n in needs]).values_list("status"))
    assert statuses == [("brokered",), ("open",)]


def test_two_advisers_brokering_the_same_need_at_once_exactly_one_succeeds(world):
    partnership, area, advisers = world
    need = red_need(partnership, area)
    offers = [OfferFactory(partnership=partnership, area=area) for _ in advisers]

    results = race(
        partnership,
        [(need.pk, offer.pk, adviser) for offer, adviser in zip(offers, advisers, strict=True)],
    )

    assert sorted(results) == ["made", "refused"]
    assert SupportAgreement.objects.filter(need=need).count() == 1
    committed = sorted(Offer.objects.values_list("days_committed", flat=True))
    assert committed == [Decimal("0"), Decimal("3")]
