"""Reads of brokerage shared by the pages, the API, the dashboard and the benchmark.

Every function runs inside the current partnership's scope and loads what its page shows
in a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    F,
    FloatField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from partnership.models import Area, Membership, Partnership, Role
from partnership.policies import school_ids_with_role
from schools.models import LocalAuthority, School, category_priority

from . import policies, scoring
from .models import (
    AgreementOutcome,
    CategoryOverride,
    DeliverySession,
    Need,
    NeedDecline,
    Offer,
    SupportAgreement,
    current_academic_year,
)

#: Shown in the board's language filter for needs that have no preference.
NO_PREFERENCE = "none"


@dataclass(frozen=True)
class BoardFilters:
    area: Area | None = None
    local_authority: LocalAuthority | None = None
    language: str = ""


def board_needs(
    *, user: Any, partnership: Partnership, filters: BoardFilters | None = None
) -> QuerySet[Need]:
    """Open needs a CA brokers (their caseload; every school for a senior CA or admin),
    red schools first, then amber, yellow, green, uncategorised; oldest first within."""
    filters = filters or BoardFilters()
    needs = Need.objects.filter(status=Need.Status.OPEN).select_related(
        "school", "school__local_authority", "area"
    )
    if not policies.sees_every_school(user, partnership):
        needs = needs.filter(school__challenge_adviser=user)
    if filters.area:
        needs = needs.filter(area=filters.area)
    if filters.local_authority:
        needs = needs.filter(school__local_authority=filters.local_authority)
    if filters.language == NO_PREFERENCE:
        needs = needs.filter(preferred_language="")
    elif filters.language:
        needs = needs.filter(preferred_language=filters.language)
    return needs.order_by(category_priority("school__support_category"), "created_at", "pk")


def need_detail(pk: int) -> Need:
    """One need with its school, area, agreements, declines and overrides."""
    return (
        Need.objects.select_related("school", "school__local_authority", "area", "raised_by")
        .prefetch_related(
            Prefetch(
                "agreements",
                queryset=SupportAgreement.objects.select_related("provider", "offer").order_by(
                    "-created_at"
                ),
            ),
            Prefetch(
                "declines",
                queryset=NeedDecline.objects.select_related("provider", "declined_by"),
            ),
            Prefetch(
                "category_overrides",
                queryset=CategoryOverride.objects.select_related("provider", "created_by"),
            ),
        )
        .get(pk=pk)
    )


def offer_detail(pk: int) -> Offer:
    return (
        Offer.objects.select_related("school", "school__local_authority", "area", "created_by")
        .prefetch_related(
            Prefetch("other_areas", queryset=Area.objects.order_by("position", "name")),
            Prefetch(
                "agreements",
                queryset=SupportAgreement.objects.select_related("receiving_school").order_by(
                    "-created_at"
                ),
            ),
        )
        .get(pk=pk)
    )


def agreement_detail(pk: int) -> SupportAgreement:
    return (
        SupportAgreement.objects.select_related(
            "need",
            "need__area",
            "offer",
            "provider",
            "receiving_school",
            "brokered_by",
            "provider_confirmed_by",
            "receiver_confirmed_by",
            "override",
            "outcome",
            "outcome__recorded_by",
        )
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=DeliverySession.objects.select_related("recorded_by").order_by(
                    "date", "id"
                ),
            )
        )
        .get(pk=pk)
    )


def days_delivered(agreement: SupportAgreement) -> Decimal:
    """Sum of the sessions' days (uses the prefetched sessions when they are loaded)."""
    return sum((s.days for s in agreement.sessions.all()), Decimal("0"))


# --- Suggestions -----------------------------------------------------------------------
#
# Ranking reads plain values (no model instances) for every candidate offer, scores them
# with scoring.rank(), and only then loads the offers a page shows. For one need, each
# candidate row carries its provider's statistics from indexed subqueries; for every open
# need at once (rank_open_needs), every open offer is read once and the statistics come
# from one aggregate query each. docs/benchmarks.md has the figures.

#: The offer and school columns scoring needs, read with values_list(); "left" is the
#: capacity left as a float (annotated), so no Decimal is built per row.
_FACT_COLUMNS = (
    "pk",
    "school_id",
    "area_id",
    "language",
    "left",
    "school__phase",
    "school__support_category",
    "school__local_authority_id",
)


def _is_open(prefix: str = "") -> Q:
    """An offer that can still be matched: open, of this or a later academic year, with
    days left (`prefix` reaches it through a relation, e.g. "offer__")."""
    return Q(
        **{
            f"{prefix}status": Offer.Status.OPEN,
            f"{prefix}academic_year__gte": current_academic_year(),
            f"{prefix}days_committed__lt": F(f"{prefix}days_available"),
        }
    )


def open_offers() -> QuerySet[Offer]:
    """Offers that can still be matched (see _is_open)."""
    return Offer.objects.filter(_is_open())


def _capacity_left(prefix: str = "") -> Cast:
    return Cast(F(f"{prefix}days_available") - F(f"{prefix}days_committed"), FloatField())


def _provider_stats(prefix: str = "") -> dict[str, Any]:
    """The provider's mean impact rating and live agreements, as aggregates over a join
    to its agreements (each agreement has at most one outcome, so neither is counted
    twice); `prefix` reaches the offer through a relation. One grouped join was faster
    on PostgreSQL than two correlated subqueries per offer, and as fast on SQLite."""
    given = f"{prefix}school__support_given"
    return {
        "mean_rating": Avg(f"{given}__outcome__rating", output_field=FloatField()),
        "live_agreements": Count(
            given, filter=Q(**{f"{given}__status__in": SupportAgreement.LIVE})
        ),
    }


def _candidate_rows(need: Need) -> list[tuple]:
    """One row per candidate offer for a need: the _FACT_COLUMNS, then whether the need's
    area is one of the offer's other areas, the provider's mean rating and its live
    agreements. Two indexed queries: offers whose main area is the need's, and offers
    reached through the other-areas link table by its area index. (One query with
    `area = x OR EXISTS (...)` made the database read every open offer of the
    partnership: five times slower with 10,000 offers.)"""
    main = (
        open_offers()
        .filter(area_id=need.area_id)
        .exclude(school_id=need.school_id)
        .annotate(left=_capacity_left(), **_provider_stats())
        .order_by()
        .values_list(*_FACT_COLUMNS, "mean_rating", "live_agreements")
    )
    rows = [(*row[:8], False, *row[8:]) for row in main]
    # The link table is not tenant-scoped; the need's area is this partnership's, and the
    # offer's partnership is checked as well, so no other tenant's offer gets through.
    also = (
        Offer.other_areas.through.objects.filter(_is_open("offer__"), area_id=need.area_id)
        .exclude(offer__area_id=need.area_id)
        .exclude(offer__school_id=need.school_id)
        .annotate(left=_capacity_left("offer__"), **_provider_stats("offer__"))
        .order_by()
        .values_list(
            "offer__partnership_id",
            *(f"offer__{column}" if column != "left" else column for column in _FACT_COLUMNS),
            "mean_rating",
            "live_agreements",
        )
    )
    rows.extend((*row[1:9], True, *row[9:]) for row in also if row[0] == need.partnership_id)
    return rows


@dataclass(frozen=True)
class ProviderStats:
    """Per provider school: mean impact rating of closed agreements, live agreements."""

    mean_rating: dict[int, float]
    live: dict[int, int]


def provider_stats() -> ProviderStats:
    """Both statistics for every provider of the partnership, one aggregate query each."""
    ratings = AgreementOutcome.objects.order_by().values("agreement__provider_id")
    live = SupportAgreement.objects.filter(status__in=SupportAgreement.LIVE).order_by()
    return ProviderStats(
        mean_rating={
            row["agreement__provider_id"]: float(row["mean"])
            for row in ratings.annotate(mean=Avg("rating"))
        },
        live={
            row["provider_id"]: row["n"]
            for row in live.values("provider_id").annotate(n=Count("pk"))
        },
    )


#: What a suggestion shows of its offer (the suggestions page and the API), so loading
#: the offers does not read descriptions, evidence and timestamps nobody shows there.
SUGGESTED_OFFER_FIELDS = (
    "partnership_id",
    "title",
    "academic_year",
    "language",
    "is_charged",
    "day_rate",
    "days_available",
    "days_committed",
    "status",
    "school__partnership_id",
    "school__name",
    "school__phase",
    "school__support_category",
    "school__local_authority__name",
    "area__name",
    "area__name_cy",
)


def _offer_facts_from_row(
    row: tuple, other_area_ids: frozenset[int], mean_rating: Any, live: int
) -> scoring.OfferFacts:
    pk, school_id, area_id, language, left, phase, category, la_id = row
    return scoring.OfferFacts(
        school_id=school_id,
        area_id=area_id,
        other_area_ids=other_area_ids,
        phase=phase,
        language=language,
        capacity_left=max(left, 0.0),
        category=category,
        local_authority_id=la_id,
        mean_impact_rating=mean_rating,
        live_agreements=live or 0,
    )


def need_facts(need: Need) -> scoring.NeedFacts:
    """The facts scoring needs about a need (one to three small queries)."""
    school = need.school
    neighbours = LocalAuthority.neighbours.through.objects.filter(
        from_localauthority_id=school.local_authority_id
    ).values_list("to_localauthority_id", flat=True)
    declined = _provider_ids(need, "declines", NeedDecline)
    overrides = _provider_ids(need, "category_overrides", CategoryOverride)
    return scoring.NeedFacts(
        school_id=school.pk,
        area_id=need.area_id,
        phase=school.phase,
        language=need.preferred_language,
        category=school.support_category,
        local_authority_id=school.local_authority_id,
        neighbour_authority_ids=frozenset(neighbours),
        days_wanted=need.days_wanted,
        declined_school_ids=frozenset(declined),
        override_school_ids=frozenset(overrides),
    )


def _provider_ids(need: Need, relation: str, model: type) -> list[int]:
    """Provider ids of a need's declines or overrides (prefetched by need_detail())."""
    if relation in getattr(need, "_prefetched_objects_cache", {}):
        return [row.provider_id for row in getattr(need, relation).all()]
    return list(model.objects.filter(need=need).values_list("provider_id", flat=True))


def _with_offers(ranking: scoring.Ranking[int]) -> scoring.Ranking[Offer]:
    """The ranking with Offer instances (with school, local authority and area) for keys,
    loaded in one query; their capacity is the offer's own Decimal days again."""
    kept = [ranking.suggestions, ranking.held_back]
    ids = [s.key for part in kept for s in part]
    offers = (
        Offer.objects.select_related("school", "school__local_authority", "area")
        .only(*SUGGESTED_OFFER_FIELDS)
        .in_bulk(ids)
    )
    result: scoring.Ranking[Offer] = scoring.Ranking(
        more_suggestions=ranking.more_suggestions, more_held_back=ranking.more_held_back
    )
    for target, part in zip((result.suggestions, result.held_back), kept, strict=True):
        target.extend(
            replace(
                s,
                key=offers[s.key],
                facts=replace(s.facts, capacity_left=offers[s.key].capacity_left),
            )
            for s in part
            if s.key in offers
        )
    return result


def match_suggestions(need: Need, *, limit: int | None = None) -> scoring.Ranking[Offer]:
    """Ranked suggestions of other schools' offers for a need (see scoring.py), plus the
    offers the category rule holds back; with `limit`, only the best `limit` of each
    (`more_suggestions` and `more_held_back` count the rest). Four queries for a need
    loaded by need_detail() (six otherwise), whatever the number of offers."""
    facts = need_facts(need)
    rows = _candidate_rows(need)
    also, neither = frozenset({need.area_id}), frozenset()
    ranking = scoring.rank(
        facts,
        (
            (row[0], _offer_facts_from_row(row[:8], also if row[8] else neither, *row[9:]))
            for row in rows
        ),
        limit=limit,
    )
    return _with_offers(ranking)


def rank_open_needs(needs: QuerySet[Need] | None = None) -> dict[int, scoring.Ranking[int]]:
    """Suggestions for every open need of the partnership (or for `needs`), by need id,
    each offer given by its id. A fixed number of queries (eight) whatever the number of
    needs and offers: every open offer, its other areas, the provider statistics, the
    neighbouring authorities, declines and overrides are each read once."""
    needs = (needs if needs is not None else Need.objects.filter(status=Need.Status.OPEN)).order_by(
        "pk"
    )
    need_rows = list(
        needs.values_list(
            "pk",
            "school_id",
            "area_id",
            "preferred_language",
            "days_wanted",
            "school__phase",
            "school__support_category",
            "school__local_authority_id",
        )
    )
    need_ids = needs.values("pk")
    declined: dict[int, set[int]] = {}
    for need_id, provider_id in NeedDecline.objects.filter(need_id__in=need_ids).values_list(
        "need_id", "provider_id"
    ):
        declined.setdefault(need_id, set()).add(provider_id)
    overrides: dict[int, set[int]] = {}
    for need_id, provider_id in CategoryOverride.objects.filter(need_id__in=need_ids).values_list(
        "need_id", "provider_id"
    ):
        overrides.setdefault(need_id, set()).add(provider_id)
    neighbours: dict[int, set[int]] = {}
    for from_id, to_id in LocalAuthority.neighbours.through.objects.filter(
        from_localauthority_id__in=LocalAuthority.objects.values("pk")
    ).values_list("from_localauthority_id", "to_localauthority_id"):
        neighbours.setdefault(from_id, set()).add(to_id)

    offers = open_offers().annotate(left=_capacity_left())
    other_areas: dict[int, set[int]] = {}
    for offer_id, area_id in Offer.other_areas.through.objects.filter(
        offer_id__in=offers.values("pk")
    ).values_list("offer_id", "area_id"):
        other_areas.setdefault(offer_id, set()).add(area_id)
    stats = provider_stats()
    by_area: dict[int, list[tuple[int, scoring.OfferFacts]]] = {}
    for row in offers.order_by("pk").values_list(*_FACT_COLUMNS):
        also = frozenset(other_areas.get(row[0], ()))
        facts = _offer_facts_from_row(
            row, also, stats.mean_rating.get(row[1]), stats.live.get(row[1], 0)
        )
        for area_id in {facts.area_id, *also}:
            by_area.setdefault(area_id, []).append((row[0], facts))

    rankings: dict[int, scoring.Ranking[int]] = {}
    for pk, school_id, area_id, language, days_wanted, phase, category, la_id in need_rows:
        facts = scoring.NeedFacts(
            school_id=school_id,
            area_id=area_id,
            phase=phase,
            language=language,
            category=category,
            local_authority_id=la_id,
            neighbour_authority_ids=frozenset(neighbours.get(la_id, ())),
            days_wanted=days_wanted,
            declined_school_ids=frozenset(declined.get(pk, ())),
            override_school_ids=frozenset(overrides.get(pk, ())),
        )
        rankings[pk] = scoring.rank(facts, by_area.get(area_id, ()))
    return rankings


# --- Schools' own pages -------------------------------------------------------------------


def schools_for_logging(user: Any, partnership: Partnership) -> QuerySet[School]:
    """Schools the user may log needs and offers for: their own as headteacher, the
    schools they are CA for, every school for a senior CA or admin."""
    schools = School.objects.order_by("name")
    if policies.sees_every_school(user, partnership):
        return schools
    headteacher_of = school_ids_with_role(user, partnership, Role.HEADTEACHER)
    mine = Q(pk__in=headteacher_of)
    if headteacher_of or policies.is_staff_role(user, partnership):
        mine |= Q(challenge_adviser=user)  # a CA, or a headteacher who is a partner CA
    return schools.filter(mine)


def own_schools(user: Any, partnership: Partnership) -> QuerySet[School]:
    """Schools where the user is headteacher or governor."""
    ids = school_ids_with_role(user, partnership, Role.HEADTEACHER, Role.GOVERNOR)
    return School.objects.filter(pk__in=ids).order_by("name")


def needs_of(school_ids: set[int]) -> QuerySet[Need]:
    return (
        Need.objects.filter(school_id__in=school_ids)
        .select_related("school", "area")
        .order_by("school__name", "-created_at", "-pk")
    )


def offers_of(school_ids: set[int]) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(school_id__in=school_ids)
        .select_related("school", "area")
        .order_by("school__name", "-created_at", "-pk")
    )


def agreements_of(school_ids: set[int]) -> QuerySet[SupportAgreement]:
    """Agreements in which one of these schools gives or receives support."""
    return (
        SupportAgreement.objects.filter(
            Q(provider_id__in=school_ids) | Q(receiving_school_id__in=school_ids)
        )
        .select_related("need", "need__area", "provider", "receiving_school")
        .order_by("-created_at", "-pk")
    )


def agreements_visible_to(user: Any, partnership: Partnership) -> QuerySet[SupportAgreement]:
    """Agreements the user's roles let them see: every one for a senior CA or admin; the
    caseload's for a CA; those of their own schools for headteachers and governors."""
    agreements = SupportAgreement.objects.select_related(
        "need", "need__area", "provider", "receiving_school"
    ).order_by("-created_at", "-pk")
    if policies.sees_every_school(user, partnership):
        return agreements
    own = school_ids_with_role(user, partnership, Role.HEADTEACHER, Role.GOVERNOR)
    visible = Q(provider_id__in=own) | Q(receiving_school_id__in=own)
    if policies.is_staff_role(user, partnership) or school_ids_with_role(
        user, partnership, Role.HEADTEACHER
    ):
        visible |= Q(receiving_school__challenge_adviser=user) | Q(provider__challenge_adviser=user)
    return agreements.filter(visible)


def headteachers_of(school_ids: list[int]) -> list[Membership]:
    """The headteacher memberships of these schools, with their users (for emails)."""
    return list(
        Membership.objects.filter(role=Role.HEADTEACHER, school_id__in=school_ids)
        .select_related("user", "school")
        .order_by("school_id", "user_id")
    )


def needs_visible_to(user: Any, partnership: Partnership) -> QuerySet[Need]:
    """Needs the user may read (the API's list): every need for staff roles (as on the
    need pages), their own schools' needs for headteachers and governors."""
    needs = Need.objects.select_related("school", "area").order_by("-created_at", "-pk")
    if policies.is_staff_role(user, partnership):
        return needs
    own = school_ids_with_role(user, partnership, Role.HEADTEACHER, Role.GOVERNOR)
    return needs.filter(school_id__in=own)


def offers_visible_to(user: Any, partnership: Partnership) -> QuerySet[Offer]:
    """Offers the user may read: every offer for staff roles, their own schools' offers
    for headteachers (governors see none, as on the pages)."""
    offers = (
        Offer.objects.select_related("school", "area")
        .prefetch_related(Prefetch("other_areas", queryset=Area.objects.only("id")))
        .order_by("-created_at", "-pk")
    )
    if policies.is_staff_role(user, partnership):
        return offers
    return offers.filter(school_id__in=school_ids_with_role(user, partnership, Role.HEADTEACHER))


def _delivered_days() -> Coalesce:
    """Days delivered so far, as an annotation of SupportAgreement (a subquery, so it
    does not multiply rows the way a join would)."""
    total = (
        DeliverySession.objects.filter(agreement_id=OuterRef("pk"))
        .order_by()
        .values("agreement_id")
        .annotate(total=Sum("days"))
        .values("total")
    )
    return Coalesce(
        Subquery(total, output_field=DecimalField(max_digits=7, decimal_places=1)),
        Value(Decimal("0")),
        output_field=DecimalField(max_digits=7, decimal_places=1),
    )


def as_days(value: Decimal | int | None) -> Decimal:
    """Days as the models keep them, to one decimal place (SQLite returns sums and
    subqueries of decimals unscaled: 2 instead of 2.0)."""
    return Decimal(value or 0).quantize(Decimal("0.1"))


def with_delivered_days(agreements: QuerySet[SupportAgreement]) -> QuerySet[SupportAgreement]:
    """The agreements annotated with `delivered` (days delivered in sessions)."""
    return agreements.annotate(delivered=_delivered_days())


# --- A school's history (on the school's page) -------------------------------------------


@dataclass(frozen=True)
class SchoolSupport:
    """Support a school received and gave, newest first, each agreement annotated with
    `delivered` (days delivered so far)."""

    received: list[SupportAgreement]
    given: list[SupportAgreement]

    @staticmethod
    def _days(agreements: list[SupportAgreement]) -> Decimal:
        return sum((a.delivered for a in agreements), Decimal("0"))

    @property
    def days_received(self) -> Decimal:
        return self._days(self.received)

    @property
    def days_given(self) -> Decimal:
        return self._days(self.given)


def school_support(school: School) -> SchoolSupport:
    """Every agreement in which the school is the receiving school or the provider,
    declined ones included (they are part of the history). One query."""
    agreements = with_delivered_days(
        SupportAgreement.objects.filter(Q(receiving_school=school) | Q(provider=school))
        .select_related("need", "need__area", "provider", "receiving_school")
        .order_by("-starts_on", "-pk")
    )
    received, given = [], []
    for agreement in agreements:
        agreement.delivered = as_days(agreement.delivered)
        (received if agreement.receiving_school_id == school.pk else given).append(agreement)
    return SchoolSupport(received=received, given=given)


# --- The partnership's dashboard ----------------------------------------------------------

#: Needs that have had an agreement made (brokered, in progress or met).
_BROKERED_STATUSES = (Need.Status.BROKERED, Need.Status.IN_PROGRESS, Need.Status.MET)


@dataclass(frozen=True)
class AreaFigures:
    area: Area
    #: Needs by status (every status present, zero when none).
    by_status: dict[str, int]
    #: The open need that has waited longest, in days (None when none is open).
    longest_wait_days: int | None
    #: Median days from a need being logged to its agreement (None without agreements).
    median_days_to_agreement: float | None
    agreements_timed: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def open(self) -> int:
        return self.by_status.get(Need.Status.OPEN, 0)


@dataclass(frozen=True)
class ProviderLoad:
    """A provider's live agreements (waiting or in progress) and days left to offer."""

    school_id: int
    name: str
    live_agreements: int
    days_agreed: Decimal
    days_delivered: Decimal
    days_still_offered: Decimal

    @property
    def days_to_deliver(self) -> Decimal:
        return max(self.days_agreed - self.days_delivered, Decimal("0"))


@dataclass(frozen=True)
class BrokerageDashboard:
    areas: list[AreaFigures]
    status_totals: dict[str, int]
    median_days_to_agreement: float | None
    agreements_timed: int
    live_agreements: int
    #: The busiest providers, most days agreed first.
    providers: list[ProviderLoad]
    providers_with_live_agreements: int

    @property
    def open_needs(self) -> int:
        return self.status_totals.get(Need.Status.OPEN, 0)

    @property
    def total_needs(self) -> int:
        return sum(self.status_totals.values())


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def brokerage_dashboard(*, partnership: Partnership, providers: int = 10) -> BrokerageDashboard:
    """The partnership's brokerage figures, in seven queries whatever its size: needs by
    area and status (with the longest wait of the open ones), days from need to agreement,
    and the load of the `providers` busiest providers.

    Days from need to agreement count, for each need, from when it was logged to the
    first agreement made for it that was not declined.
    """
    now = timezone.now()
    statuses = list(Need.Status.values)
    counts: dict[int, dict[str, int]] = {}
    oldest_open: dict[int, Any] = {}
    for row in (
        Need.objects.order_by()
        .values("area_id", "status")
        .annotate(n=Count("pk"), oldest=Min("created_at"))
    ):
        counts.setdefault(row["area_id"], dict.fromkeys(statuses, 0))[row["status"]] = row["n"]
        if row["status"] == Need.Status.OPEN:
            oldest_open[row["area_id"]] = row["oldest"]

    waits: dict[int, list[float]] = {}
    for row in (
        SupportAgreement.objects.exclude(status=SupportAgreement.Status.DECLINED)
        .order_by()
        .values("need_id", "need__area_id", "need__created_at")
        .annotate(first=Min("created_at"))
    ):
        days = max((row["first"] - row["need__created_at"]).total_seconds() / 86400, 0.0)
        waits.setdefault(row["need__area_id"], []).append(days)

    areas = [
        AreaFigures(
            area=area,
            by_status=counts.get(area.pk, dict.fromkeys(statuses, 0)),
            longest_wait_days=(
                (now - oldest_open[area.pk]).days if area.pk in oldest_open else None
            ),
            median_days_to_agreement=_median(waits.get(area.pk, [])),
            agreements_timed=len(waits.get(area.pk, [])),
        )
        for area in Area.objects.order_by("position", "name")
        if area.is_active or area.pk in counts
    ]
    status_totals = {
        status: sum(figures.by_status[status] for figures in areas) for status in statuses
    }
    all_waits = [days for values in waits.values() for days in values]

    load = list(
        SupportAgreement.objects.filter(status__in=SupportAgreement.LIVE)
        .order_by()
        .values("provider_id", "provider__name")
        .annotate(live=Count("pk"), days=Sum("days"))
        .order_by("-days", "-live", "provider__name", "provider_id")
    )
    busiest = load[:providers]
    ids = [row["provider_id"] for row in busiest]
    delivered = dict(
        DeliverySession.objects.filter(
            agreement__status__in=SupportAgreement.LIVE, agreement__provider_id__in=ids
        )
        .order_by()
        .values("agreement__provider_id")
        .annotate(total=Sum("days"))
        .values_list("agreement__provider_id", "total")
    )
    offered = dict(
        open_offers()
        .filter(school_id__in=ids)
        .order_by()
        .values("school_id")
        .annotate(left=Sum(F("days_available") - F("days_committed")))
        .values_list("school_id", "left")
    )
    return BrokerageDashboard(
        areas=areas,
        status_totals=status_totals,
        median_days_to_agreement=_median(all_waits),
        agreements_timed=len(all_waits),
        live_agreements=sum(row["live"] for row in load),
        providers=[
            ProviderLoad(
                school_id=row["provider_id"],
                name=row["provider__name"],
                live_agreements=row["live"],
                days_agreed=as_days(row["days"]),
                days_delivered=as_days(delivered.get(row["provider_id"])),
                days_still_offered=as_days(offered.get(row["provider_id"])),
            )
            for row in busiest
        ],
        providers_with_live_agreements=len(load),
    )
