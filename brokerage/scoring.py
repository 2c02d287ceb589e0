"""How a school's need is matched to other schools' offers: the documented score.

Pure functions over plain facts (no database, no request), so the pages, the API and a
benchmark all rank the same way. docs/brokerage.md explains the score for people.

Each part is a number from 0 to 1; the total is the weighted sum, also 0 to 1 (the weights
add up to 1). The parts:

=============  ======  ==============================================================
part           weight  value
=============  ======  ==============================================================
area           0.25    1 the offer's main area is the need's area; 0.6 the need's area
                       is one of the offer's other areas; 0 otherwise (not suggested)
phase          0.15    1 same phase; 0.5 a related phase (see RELATED_PHASES); 0 otherwise
language       0.15    1 the offer is delivered in the preferred language (a bilingual
                       offer suits any preference; no preference suits any offer);
                       0.5 a bilingual need met in one language; 0 otherwise
capacity       0.10    days left on the offer / days wanted (REFERENCE_DAYS if the need
                       does not say), capped at 1
category       0.10    the provider's own support category: green 1, yellow 0.67,
                       amber 0.33, red 0, not yet set 0.5
locality       0.10    1 same local authority; 0.5 a neighbouring one; 0 otherwise
impact         0.10    the provider's mean outcome rating of closed agreements, mapped
                       from 1..4 to 0..1; 0.5 when it has none yet
load           0.05    1 / (1 + the provider's live agreements): 1 when it has none
=============  ======  ==============================================================

Who is suggested at all (before scoring):
- never the need's own school, and never a provider that declined this need;
- only offers with capacity left (more than zero days) in the need's area;
- the category rule: a red or amber school's need is matched only to green or yellow
  providers, unless a challenge adviser recorded an override (with a reason) for that
  provider; the others are returned as `held_back` so the adviser can see and override.

Ties are broken by more capacity left, then by the offer's id (the older offer first).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, TypeVar

from django.utils.translation import gettext_lazy as _

K = TypeVar("K")

WEIGHTS: dict[str, Decimal] = {
    "area": Decimal("0.25"),
    "phase": Decimal("0.15"),
    "language": Decimal("0.15"),
    "capacity": Decimal("0.10"),
    "category": Decimal("0.10"),
    "locality": Decimal("0.10"),
    "impact": Decimal("0.10"),
    "load": Decimal("0.05"),
}
assert sum(WEIGHTS.values()) == Decimal("1"), "the weights must add up to 1"

LABELS = {
    "area": _("Area fit"),
    "phase": _("Phase fit"),
    "language": _("Language fit"),
    "capacity": _("Capacity left"),
    "category": _("Provider's category"),
    "locality": _("Same or neighbouring local authority"),
    "impact": _("Past impact"),
    "load": _("Current load"),
}

AREA_MAIN = 1.0
AREA_ALSO = 0.6
#: Days used for the capacity part when a need does not say how many days it wants.
REFERENCE_DAYS = Decimal("5")
CATEGORY_VALUE = {"green": 1.0, "yellow": 2 / 3, "amber": 1 / 3, "red": 0.0}
UNCATEGORISED_VALUE = 0.5
NO_HISTORY_IMPACT = 0.5
#: Phases close enough that support usually transfers (both directions).
RELATED_PHASES = frozenset(
    {
        frozenset({"nursery", "primary"}),
        frozenset({"primary", "all_through"}),
        frozenset({"secondary", "all_through"}),
        frozenset({"special", "pru"}),
    }
)
#: A red or amber school's need goes to these providers unless overridden.
NEEDS_STRONG_PROVIDER = frozenset({"red", "amber"})
STRONG_PROVIDERS = frozenset({"green", "yellow"})


@dataclass(frozen=True)
class NeedFacts:
    """What scoring needs to know about a need and its school."""

    school_id: int
    area_id: int
    phase: str
    language: str  # the preferred delivery language; "" for no preference
    category: str  # the school's support category; "" when not yet set
    local_authority_id: int
    neighbour_authority_ids: frozenset[int] = frozenset()
    days_wanted: Decimal | None = None
    declined_school_ids: frozenset[int] = frozenset()
    override_school_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class OfferFacts:
    """What scoring needs to know about an offer and its school (the provider)."""

    school_id: int
    area_id: int
    phase: str
    language: str
    capacity_left: Decimal
    category: str
    local_authority_id: int
    other_area_ids: frozenset[int] = frozenset()
    mean_impact_rating: float | None = None
    live_agreements: int = 0


@dataclass(frozen=True)
class ScorePart:
    key: str
    value: float  # 0..1
    weight: Decimal

    @property
    def label(self) -> str:
        return LABELS[self.key]

    @property
    def weighted(self) -> float:
        return self.value * float(self.weight)

    @property
    def percent(self) -> int:
        return round(self.value * 100)


@dataclass(frozen=True)
class MatchScore:
    parts: tuple[ScorePart, ...]

    @property
    def total(self) -> float:
        return round(sum(p.weighted for p in self.parts), 6)

    @property
    def percent(self) -> int:
        return round(self.total * 100)

    def part(self, key: str) -> ScorePart:
        return next(p for p in self.parts if p.key == key)


@dataclass(frozen=True)
class Suggestion(Generic[K]):
    """One scored offer; `key` is whatever the caller passed in (an Offer, an id...)."""

    key: K
    facts: OfferFacts
    score: MatchScore
    overridden: bool = False


@dataclass
class Ranking(Generic[K]):
    suggestions: list[Suggestion[K]] = field(default_factory=list)
    #: Offers the category rule keeps from a red/amber need (shown so a CA can override).
    held_back: list[Suggestion[K]] = field(default_factory=list)


# --- The parts ---------------------------------------------------------------------------


def area_fit(need: NeedFacts, offer: OfferFacts) -> float:
    if offer.area_id == need.area_id:
        return AREA_MAIN
    if need.area_id in offer.other_area_ids:
        return AREA_ALSO
    return 0.0


def phase_fit(need_phase: str, offer_phase: str) -> float:
    if need_phase == offer_phase:
        return 1.0
    if frozenset({need_phase, offer_phase}) in RELATED_PHASES:
        return 0.5
    return 0.0


def language_fit(preferred: str, offered: str) -> float:
    if not preferred or preferred == offered or offered == "bilingual":
        return 1.0
    if preferred == "bilingual":
        return 0.5
    return 0.0


def capacity_fit(capacity_left: Decimal, days_wanted: Decimal | None) -> float:
    if capacity_left <= 0:
        return 0.0
    wanted = days_wanted if days_wanted and days_wanted > 0 else REFERENCE_DAYS
    return float(min(capacity_left / wanted, Decimal(1)))


def category_value(category: str) -> float:
    return CATEGORY_VALUE.get(category, UNCATEGORISED_VALUE)


def locality_fit(need: NeedFacts, offer: OfferFacts) -> float:
    if offer.local_authority_id == need.local_authority_id:
        return 1.0
    if offer.local_authority_id in need.neighbour_authority_ids:
        return 0.5
    return 0.0


def impact_value(mean_rating: float | None) -> float:
    if mean_rating is None:
        return NO_HISTORY_IMPACT
    return min(max((float(mean_rating) - 1) / 3, 0.0), 1.0)


def load_value(live_agreements: int) -> float:
    return 1 / (1 + max(live_agreements, 0))


def score(need: NeedFacts, offer: OfferFacts) -> MatchScore:
    """The score of one offer for one need, part by part."""
    values = {
        "area": area_fit(need, offer),
        "phase": phase_fit(need.phase, offer.phase),
        "language": language_fit(need.language, offer.language),
        "capacity": capacity_fit(offer.capacity_left, need.days_wanted),
        "category": category_value(offer.category),
        "locality": locality_fit(need, offer),
        "impact": impact_value(offer.mean_impact_rating),
        "load": load_value(offer.live_agreements),
    }
    return MatchScore(parts=tuple(ScorePart(k, values[k], WEIGHTS[k]) for k in WEIGHTS))


# --- Who may be suggested ------------------------------------------------------------------


def category_allows(need_category: str, provider_category: str) -> bool:
    """The category rule: red and amber schools get support from green or yellow schools."""
    return need_category not in NEEDS_STRONG_PROVIDER or provider_category in STRONG_PROVIDERS


def is_candidate(need: NeedFacts, offer: OfferFacts) -> bool:
    """Could this offer be suggested at all (before the category rule)?"""
    return (
        offer.school_id != need.school_id
        and offer.school_id not in need.declined_school_ids
        and offer.capacity_left > 0
        and area_fit(need, offer) > 0
    )


def rank(need: NeedFacts, offers: Iterable[tuple[K, OfferFacts]]) -> Ranking[K]:
    """Suggestions for a need, best first, and the offers the category rule holds back."""
    ranking: Ranking[K] = Ranking()
    for key, facts in offers:
        if not is_candidate(need, facts):
            continue
        overridden = facts.school_id in need.override_school_ids
        allowed = category_allows(need.category, facts.category)
        suggestion = Suggestion(
            key=key,
            facts=facts,
            score=score(need, facts),
            overridden=overridden and not allowed,
        )
        (ranking.suggestions if allowed or overridden else ranking.held_back).append(suggestion)
    for suggestions in (ranking.suggestions, ranking.held_back):
        suggestions.sort(key=_order)
    return ranking


def _order(suggestion: Suggestion) -> tuple:
    key_id = getattr(suggestion.key, "pk", suggestion.key)
    return (-suggestion.score.total, -suggestion.facts.capacity_left, _sortable(key_id))


def _sortable(value: object) -> tuple:
    return (0, value) if isinstance(value, int) else (1, str(value))
