"""The documented match score (brokerage/scoring.py): pure, no database."""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

import pytest

from brokerage import scoring
from brokerage.scoring import NeedFacts, OfferFacts

NEED = NeedFacts(
    school_id=1,
    area_id=10,
    phase="primary",
    language="welsh",
    category="red",
    local_authority_id=100,
    neighbour_authority_ids=frozenset({101}),
    days_wanted=Decimal("4"),
)
OFFER = OfferFacts(
    school_id=2,
    area_id=10,
    phase="primary",
    language="welsh",
    capacity_left=Decimal("8"),
    category="green",
    local_authority_id=100,
)


def ranked_keys(need: NeedFacts, offers: dict[int, OfferFacts]) -> list[int]:
    return [s.key for s in scoring.rank(need, offers.items()).suggestions]


# --- The score itself --------------------------------------------------------------------


def test_the_weights_add_up_to_one():
    assert sum(scoring.WEIGHTS.values()) == Decimal("1")


def test_a_perfect_match_with_no_history_scores_the_documented_total():
    result = scoring.score(NEED, OFFER)

    # Every part is 1 except past impact, which is 0.5 without closed agreements.
    assert result.total == pytest.approx(1 - float(scoring.WEIGHTS["impact"]) / 2)


def test_the_total_is_the_weighted_sum_of_the_parts():
    offer = replace(OFFER, phase="secondary", language="english", capacity_left=Decimal("1"))

    result = scoring.score(NEED, offer)

    assert result.total == pytest.approx(sum(p.value * float(p.weight) for p in result.parts))
    assert [p.key for p in result.parts] == list(scoring.WEIGHTS)


@pytest.mark.parametrize(
    ("phase", "language", "category", "la", "rating", "load", "capacity"),
    list(
        itertools.product(
            ["primary", "all_through", "secondary"],
            ["welsh", "english", "bilingual"],
            ["green", "yellow", "amber", "red", ""],
            [100, 101, 999],
            [None, 1.0, 2.5, 4.0],
            [0, 3],
            [Decimal("0.5"), Decimal("40")],
        )
    )[::37],
)
def test_every_part_and_the_total_stay_between_zero_and_one(
    phase, language, category, la, rating, load, capacity
):
    offer = replace(
        OFFER,
        phase=phase,
        language=language,
        category=category,
        local_authority_id=la,
        mean_impact_rating=rating,
        live_agreements=load,
        capacity_left=capacity,
    )

    result = scoring.score(NEED, offer)

    assert all(0 <= p.value <= 1 for p in result.parts)
    assert 0 <= result.total <= 1


def test_area_fit_is_full_for_the_main_area_and_partial_for_another_area():
    also = replace(OFFER, area_id=11, other_area_ids=frozenset({10}))
    elsewhere = replace(OFFER, area_id=11)

    assert scoring.area_fit(NEED, OFFER) == 1.0
    assert scoring.area_fit(NEED, also) == scoring.AREA_ALSO
    assert scoring.area_fit(NEED, elsewhere) == 0.0


@pytest.mark.parametrize(
    ("need_phase", "offer_phase", "expected"),
    [
        ("primary", "primary", 1.0),
        ("primary", "all_through", 0.5),
        ("all_through", "secondary", 0.5),
        ("nursery", "primary", 0.5),
        ("special", "pru", 0.5),
        ("primary", "secondary", 0.0),
    ],
)
def test_phase_fit(need_phase, offer_phase, expected):
    assert scoring.phase_fit(need_phase, offer_phase) == expected


@pytest.mark.parametrize(
    ("preferred", "offered", "expected"),
    [
        ("welsh", "welsh", 1.0),
        ("welsh", "bilingual", 1.0),
        ("welsh", "english", 0.0),
        ("", "english", 1.0),
        ("bilingual", "bilingual", 1.0),
        ("bilingual", "welsh", 0.5),
    ],
)
def test_language_fit(preferred, offered, expected):
    assert scoring.language_fit(preferred, offered) == expected


def test_capacity_is_days_left_over_days_wanted_capped_at_one():
    assert scoring.capacity_fit(Decimal("2"), Decimal("4")) == 0.5
    assert scoring.capacity_fit(Decimal("9"), Decimal("4")) == 1.0
    assert scoring.capacity_fit(Decimal("0"), Decimal("4")) == 0.0


def test_capacity_uses_the_reference_days_when_the_need_does_not_say():
    left = scoring.REFERENCE_DAYS / 2

    assert scoring.capacity_fit(left, None) == 0.5


def test_greener_providers_score_higher_on_category():
    values = [scoring.category_value(c) for c in ["green", "yellow", "amber", "red"]]

    assert values == sorted(values, reverse=True)
    assert values[0] == 1.0 and values[-1] == 0.0
    assert scoring.category_value("") == scoring.UNCATEGORISED_VALUE


def test_locality_is_full_in_the_same_authority_and_half_next_door():
    assert scoring.locality_fit(NEED, OFFER) == 1.0
    assert scoring.locality_fit(NEED, replace(OFFER, local_authority_id=101)) == 0.5
    assert scoring.locality_fit(NEED, replace(OFFER, local_authority_id=999)) == 0.0


def test_past_impact_maps_ratings_one_to_four_onto_zero_to_one():
    assert scoring.impact_value(1) == 0.0
    assert scoring.impact_value(4) == 1.0
    assert scoring.impact_value(2.5) == pytest.approx(0.5)
    assert scoring.impact_value(None) == scoring.NO_HISTORY_IMPACT


def test_a_busier_provider_scores_lower_on_load():
    assert scoring.load_value(0) == 1.0
    assert scoring.load_value(1) == 0.5
    assert scoring.load_value(3) == 0.25


# --- Who is suggested, and in which order ----------------------------------------------------


def test_suggestions_exclude_the_needs_own_school():
    own = replace(OFFER, school_id=NEED.school_id)

    assert ranked_keys(NEED, {1: own, 2: OFFER}) == [2]


def test_suggestions_exclude_schools_that_declined_the_need():
    need = replace(NEED, declined_school_ids=frozenset({2}))

    assert ranked_keys(need, {1: OFFER, 2: replace(OFFER, school_id=3)}) == [2]


def test_suggestions_exclude_offers_with_no_capacity_left():
    full = replace(OFFER, capacity_left=Decimal("0"))

    assert ranked_keys(NEED, {1: full}) == []


def test_suggestions_exclude_offers_in_other_areas():
    assert ranked_keys(NEED, {1: replace(OFFER, area_id=99)}) == []


@pytest.mark.parametrize("need_category", ["red", "amber"])
@pytest.mark.parametrize("provider_category", ["amber", "red", ""])
def test_red_and_amber_needs_hold_back_providers_that_are_not_green_or_yellow(
    need_category, provider_category
):
    need = replace(NEED, category=need_category)
    weak = replace(OFFER, category=provider_category)

    ranking = scoring.rank(need, [(1, weak)])

    assert ranking.suggestions == []
    assert [s.key for s in ranking.held_back] == [1]


@pytest.mark.parametrize("provider_category", ["green", "yellow"])
def test_red_needs_are_matched_to_green_and_yellow_providers(provider_category):
    ranking = scoring.rank(NEED, [(1, replace(OFFER, category=provider_category))])

    assert [s.key for s in ranking.suggestions] == [1]


def test_an_override_lets_a_held_back_provider_be_suggested_and_marks_it():
    need = replace(NEED, override_school_ids=frozenset({2}))

    ranking = scoring.rank(need, [(1, replace(OFFER, category="amber"))])

    assert [s.key for s in ranking.suggestions] == [1]
    assert ranking.suggestions[0].overridden is True


@pytest.mark.parametrize("need_category", ["green", "yellow", ""])
def test_other_needs_may_be_matched_to_any_provider(need_category):
    need = replace(NEED, category=need_category)

    ranking = scoring.rank(need, [(1, replace(OFFER, category="red"))])

    assert [s.key for s in ranking.suggestions] == [1]


def test_suggestions_are_ordered_by_score_best_first():
    offers = {
        1: replace(OFFER, school_id=3, language="english"),
        2: replace(OFFER, school_id=4),
        3: replace(OFFER, school_id=5, phase="secondary", language="english"),
    }

    ranking = scoring.rank(NEED, offers.items())

    assert [s.key for s in ranking.suggestions] == [2, 1, 3]
    totals = [s.score.total for s in ranking.suggestions]
    assert totals == sorted(totals, reverse=True)


def test_equal_scores_go_to_more_capacity_then_the_older_offer():
    offers = {
        7: replace(OFFER, school_id=3, capacity_left=Decimal("20")),
        5: replace(OFFER, school_id=4, capacity_left=Decimal("20")),
        4: replace(OFFER, school_id=5, capacity_left=Decimal("30")),
    }

    assert ranked_keys(NEED, offers) == [4, 5, 7]


def test_the_worked_example_in_the_documentation():
    need = replace(NEED, days_wanted=Decimal("4"))
    offer = replace(OFFER, capacity_left=Decimal("8"), live_agreements=1)

    assert scoring.score(need, offer).total == pytest.approx(0.925)


def test_a_limit_keeps_the_best_of_each_list_and_counts_the_others():
    offers = {i: replace(OFFER, capacity_left=Decimal(i)) for i in range(1, 6)}
    offers[9] = replace(OFFER, category="amber")

    ranking = scoring.rank(NEED, offers.items(), limit=2)

    assert [s.key for s in ranking.suggestions] == [5, 4]
    assert (ranking.more_suggestions, [s.key for s in ranking.held_back]) == (3, [9])
    assert ranking.more_held_back == 0
