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
_KEYS = tuple(WEIGHTS)
_FLOAT_WEIGHTS = tuple(float(w) for w in WEIGHTS.values())

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


# Not frozen, with slots: ranking builds one per candidate offer (thousands per need),
# and a frozen dataclass takes twice as long to build. Treat it as read-only.
@dataclass(slots=True)
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
    """The parts' values (in WEIGHTS order) and their weighted sum; the parts themselves
    are built only when a page shows them."""

    values: tuple[float, ...]
    total: float

    @classmethod
    def of(cls, values: tuple[float, ...]) -> MatchScore:
        return cls(values, _weighted_total(values))

    @property
    def parts(self) -> tuple[ScorePart, ...]:
        return tuple(ScorePart(k, v, WEIGHTS[k]) for k, v in zip(_KEYS, self.values, strict=True))

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
    #: How many more of each there are beyond those listed (when a page shows the best few).
    more_suggestions: int = 0
    more_held_back: int = 0


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
    return min(float(capacity_left) / float(wanted), 1.0)


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


def _weighted_total(values: tuple[float, ...]) -> float:
    """The weighted sum, rounded so that equal scores compare equal (written out: this
    runs once per candidate offer)."""
    area, phase, language, capacity, category, locality, impact, load = values
    w = _FLOAT_WEIGHTS
    return round(
        area * w[0]
        + phase * w[1]
        + language * w[2]
        + capacity * w[3]
        + category * w[4]
        + locality * w[5]
        + impact * w[6]
        + load * w[7],
        6,
    )


def part_values(need: NeedFacts, offer: OfferFacts) -> tuple[float, ...]:
    """Each part's value (0..1), in WEIGHTS order."""
    return (
        area_fit(need, offer),
        phase_fit(need.phase, offer.phase),
        language_fit(need.language, offer.language),
        capacity_fit(offer.capacity_left, need.days_wanted),
        category_value(offer.category),
        locality_fit(need, offer),
        impact_value(offer.mean_impact_rating),
        load_value(offer.live_agreements),
    )


def score(need: NeedFacts, offer: OfferFacts) -> MatchScore:
    """The score of one offer for one need, part by part (in WEIGHTS order)."""
    return MatchScore.of(part_values(need, offer))


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


def rank(
    need: NeedFacts, offers: Iterable[tuple[K, OfferFacts]], *, limit: int | None = None
) -> Ranking[K]:
    """Suggestions for a need, best first, and the offers the category rule holds back;
    with `limit`, only the best `limit` of each (`more_suggestions` and `more_held_back`
    count the others). Every candidate is scored; Suggestion objects are built only for
    those returned, which keeps ranking thousands of offers cheap."""
    allowed_rows: list[tuple] = []
    held_rows: list[tuple] = []
    for key, facts in offers:
        if not is_candidate(need, facts):
            continue
        values = part_values(need, facts)
        total = _weighted_total(values)
        allowed = category_allows(need.category, facts.category)
        overridden = facts.school_id in need.override_school_ids
        # The first three items decide the order (the key's id is unique), so the
        # comparison never reaches the key itself.
        row = (-total, -facts.capacity_left, _sortable(getattr(key, "pk", key)), key, facts)
        (allowed_rows if allowed or overridden else held_rows).append(
            (*row, values, total, overridden and not allowed)
        )
    ranking: Ranking[K] = Ranking()
    for target, rows, more in (
        (ranking.suggestions, allowed_rows, "more_suggestions"),
        (ranking.held_back, held_rows, "more_held_back"),
    ):
        rows.sort(key=lambda row: row[:3])
        shown = rows if limit is None else rows[:limit]
        target.extend(
            Suggestion(
                key=row[3], facts=row[4], score=MatchScore(row[5], row[6]), overridden=row[7]
            )
            for row in shown
        )
        setattr(ranking, more, len(rows) - len(shown))
    return ranking


def _sortable(value: object) -> tuple:
    return (0, value) if isinstance(value, int) else (1, str(value))
