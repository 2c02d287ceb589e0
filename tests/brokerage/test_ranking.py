"""Ranking at scale: rank_open_needs() ranks like match_suggestions(), in fixed queries;
match_suggestions(limit=...) keeps the best and counts the rest."""

from __future__ import annotations

from decimal import Decimal

import pytest

from brokerage import scoring, selectors
from brokerage.models import Need, Offer
from partnership.tenancy import tenant_scope
from schools.models import SupportCategory
from tests.factories import (
    AgreementOutcomeFactory,
    AreaFactory,
    CategoryOverrideFactory,
    NeedDeclineFactory,
    NeedFactory,
    OfferFactory,
    PartnershipFactory,
    SchoolFactory,
    SupportAgreementFactory,
)

pytestmark = pytest.mark.django_db

CATEGORIES = ["green", "yellow", "amber", "red", ""]


def fill(partnership, n: int) -> list[Need]:
    """n open needs and 2n offers over three areas, with overrides, declines, live
    agreements and past outcomes, so every part of the score varies."""
    areas = [AreaFactory(partnership=partnership) for _ in range(3)]
    schools = [
        SchoolFactory(partnership=partnership, support_category=CATEGORIES[i % 5])
        for i in range(n + 4)
    ]
    offers = [
        OfferFactory(
            partnership=partnership,
            school=schools[(i * 3) % len(schools)],
            area=areas[i % 3],
            other_areas=[areas[(i + 1) % 3]] if i % 4 == 0 else [],
            days_available=Decimal(6 + i % 7),
            language=["english", "welsh", "bilingual"][i % 3],
        )
        for i in range(2 * n)
    ]
    needs = [
        NeedFactory(
            partnership=partnership,
            school=schools[i],
            area=areas[i % 3],
            preferred_language=["", "welsh", "english", "bilingual"][i % 4],
            days_wanted=None if i % 3 == 0 else Decimal(1 + i % 5),
        )
        for i in range(n)
    ]
    NeedDeclineFactory(partnership=partnership, need=needs[0], provider=offers[0].school)
    # A red school's offer, overridden for an amber (or red) school's need.
    CategoryOverrideFactory(
        partnership=partnership, need=needs[min(3, n - 1)], provider=offers[1].school
    )
    for offer in offers[:3]:
        AgreementOutcomeFactory(partnership=partnership, agreement__offer=offer, rating=4)
        SupportAgreementFactory(partnership=partnership, offer=offer)
    return needs


def as_ids(ranking: scoring.Ranking) -> tuple[list, list]:
    key = lambda s: getattr(s.key, "pk", s.key)  # noqa: E731
    return (
        [(key(s), s.score.total, s.overridden) for s in ranking.suggestions],
        [(key(s), s.score.total) for s in ranking.held_back],
    )


def test_ranking_every_open_need_at_once_agrees_with_one_by_one(partnership):
    needs = fill(partnership, 8)

    with tenant_scope(partnership):
        batch = selectors.rank_open_needs()
        one_by_one = {
            need.pk: selectors.match_suggestions(selectors.need_detail(need.pk)) for need in needs
        }

    assert set(batch) == {need.pk for need in needs}
    for pk, ranking in one_by_one.items():
        assert as_ids(batch[pk]) == as_ids(ranking)
    assert any(ranking.suggestions for ranking in batch.values())
    assert any(ranking.held_back for ranking in batch.values())


def test_ranking_every_open_need_takes_the_same_queries_for_3_and_30(
    django_assert_num_queries,
):
    for n in (3, 30):
        partnership = PartnershipFactory(slug=f"rank-{n}")
        fill(partnership, n)
        with tenant_scope(partnership), django_assert_num_queries(8):
            selectors.rank_open_needs()


def test_ranking_leaves_out_needs_that_are_not_open(partnership, need, offer):
    Need.objects.filter(pk=need.pk).update(status=Need.Status.WITHDRAWN)

    with tenant_scope(partnership):
        assert selectors.rank_open_needs() == {}


def test_a_limit_keeps_the_best_and_counts_the_rest(partnership, need, area):
    for days in range(1, 6):
        OfferFactory(partnership=partnership, area=area, days_available=Decimal(days))
    OfferFactory(
        partnership=partnership,
        area=area,
        school=SchoolFactory(partnership=partnership, support_category=SupportCategory.RED),
    )

    with tenant_scope(partnership):
        full = selectors.match_suggestions(need)
        limited = selectors.match_suggestions(need, limit=2)

    assert [s.key for s in limited.suggestions] == [s.key for s in full.suggestions[:2]]
    assert (limited.more_suggestions, len(limited.held_back), limited.more_held_back) == (3, 1, 0)


def test_suggested_offers_keep_their_capacity_in_days(partnership, need, offer):
    with tenant_scope(partnership):
        suggestion = selectors.match_suggestions(need).suggestions[0]

    assert suggestion.key == offer
    assert suggestion.facts.capacity_left == Decimal("10.0")
    assert isinstance(suggestion.facts.capacity_left, Decimal)


def test_one_need_is_ranked_in_four_queries_whatever_the_number_of_offers(
    partnership, need, area, django_assert_num_queries
):
    for _ in range(12):
        OfferFactory(
            partnership=partnership, area=area, other_areas=[AreaFactory(partnership=partnership)]
        )
    loaded = selectors.need_detail(need.pk)

    with tenant_scope(partnership), django_assert_num_queries(4):
        selectors.match_suggestions(loaded, limit=5)
    assert Offer.objects.count() == 12
