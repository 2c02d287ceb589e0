"""Reads of brokerage shared by the pages (and later the API and the benchmark).

Every function runs inside the current partnership's scope and loads what its page shows
in a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

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


def candidate_offers(need: Need) -> QuerySet[Offer]:
    """Open offers of this and later academic years, with days left, in the need's area
    (main or other), of other schools, annotated with what scoring needs."""
    also_covers = Offer.other_areas.through.objects.filter(
        offer_id=OuterRef("pk"), area_id=need.area_id
    )
    mean_rating = (
        AgreementOutcome.objects.filter(agreement__provider=OuterRef("school_id"))
        .order_by()
        .values("agreement__provider")
        .annotate(mean=Avg("rating"))
        .values("mean")[:1]
    )
    live = (
        SupportAgreement.objects.filter(
            provider=OuterRef("school_id"), status__in=SupportAgreement.LIVE
        )
        .order_by()
        .values("provider")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return (
        Offer.objects.filter(
            status=Offer.Status.OPEN,
            academic_year__gte=current_academic_year(),
            days_committed__lt=F("days_available"),
        )
        .filter(Q(area_id=need.area_id) | Q(Exists(also_covers)))
        .exclude(school_id=need.school_id)
        .select_related("school", "school__local_authority", "area")
        .annotate(
            also_covers_need_area=Exists(also_covers),
            mean_rating=Subquery(mean_rating),
            live_agreements=Coalesce(Subquery(live, output_field=IntegerField()), Value(0)),
        )
        .order_by("pk")
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


def offer_facts(offer: Offer, *, need_area_id: int) -> scoring.OfferFacts:
    """Facts of an offer loaded by candidate_offers() for a need in `need_area_id`."""
    school = offer.school
    also = getattr(offer, "also_covers_need_area", False)
    return scoring.OfferFacts(
        school_id=school.pk,
        area_id=offer.area_id,
        other_area_ids=frozenset({need_area_id} if also else ()),
        phase=school.phase,
        language=offer.language,
        capacity_left=offer.capacity_left,
        category=school.support_category,
        local_authority_id=school.local_authority_id,
        mean_impact_rating=getattr(offer, "mean_rating", None),
        live_agreements=getattr(offer, "live_agreements", 0) or 0,
    )


def match_suggestions(need: Need) -> scoring.Ranking[Offer]:
    """Ranked suggestions of other schools' offers for a need (see scoring.py), plus the
    offers the category rule holds back. A fixed number of queries."""
    facts = need_facts(need)
    offers = candidate_offers(need)
    return scoring.rank(
        facts, ((offer, offer_facts(offer, need_area_id=need.area_id)) for offer in offers)
    )


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
