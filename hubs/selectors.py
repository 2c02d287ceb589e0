"""Reads of hubs, programmes and commissioning that pages (and later the API) share.

Each returns rows already joined and prefetched for its page, so a page's query count does
not grow with the number of hubs, programmes, sessions, enrolments or bids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from partnership.models import Role
from partnership.policies import school_ids_with_role
from schools.models import Cluster, School, SchoolImprovementGroup

from .fields import ChoiceListField
from .models import (
    PUBLISHED_STATUSES,
    Attendance,
    Award,
    Bid,
    BidScore,
    BudgetCategory,
    Call,
    CallCriterion,
    CallStatus,
    CriterionJudgement,
    Deliverable,
    Document,
    Enrolment,
    EnrolmentStatus,
    Hub,
    HubStatus,
    Programme,
    ProgrammeSession,
    RedesignationCriterion,
    RedesignationReview,
    ServiceLevelAgreement,
)

# --- Hubs -----------------------------------------------------------------------------------


def hub_list() -> QuerySet[Hub]:
    """Every hub with its area, schools and number of programmes, live hubs first."""
    return (
        Hub.objects.select_related("area")
        .prefetch_related(Prefetch("schools", queryset=School.objects.order_by("name")))
        .annotate(programme_count=Count("programmes", distinct=True))
        .order_by(_status_order(), "area__position", "name")
    )


def _status_order() -> Case:
    """Designated hubs first, then those under review, then ended ones."""
    return Case(
        *[When(status=s, then=Value(i)) for i, s in enumerate(HubStatus.values)],
        default=Value(len(HubStatus.values)),
        output_field=IntegerField(),
    )


def hub_detail(pk: int) -> Hub:
    """One hub with everything its page shows: schools, programmes, agreements with
    deliverables (and evidence) and budget lines, and re-designation reviews."""
    deliverables = Deliverable.objects.select_related("supported_school").prefetch_related(
        Prefetch("evidence", queryset=Document.objects.order_by("uploaded_at", "pk"))
    )
    agreements = ServiceLevelAgreement.objects.order_by("-starts_on", "-pk").prefetch_related(
        Prefetch("deliverables", queryset=deliverables), "budget_lines"
    )
    reviews = RedesignationReview.objects.select_related("decided_by").prefetch_related(
        Prefetch("judgements", queryset=CriterionJudgement.objects.select_related("criterion"))
    )
    programmes = Programme.objects.select_related("area").annotate(
        confirmed_count=_confirmed_subquery()
    )
    return (
        Hub.objects.select_related("area")
        .prefetch_related(
            Prefetch("schools", queryset=School.objects.order_by("name")),
            Prefetch("programmes", queryset=programmes),
            Prefetch("agreements", queryset=agreements),
            Prefetch("reviews", queryset=reviews),
        )
        .get(pk=pk)
    )


@dataclass
class BudgetRow:
    category: str
    label: str
    planned: Decimal = Decimal(0)
    actual: Decimal = Decimal(0)


@dataclass
class BudgetSummary:
    funding: Decimal
    rows: list[BudgetRow] = field(default_factory=list)
    planned: Decimal = Decimal(0)
    actual: Decimal = Decimal(0)

    @property
    def unplanned(self) -> Decimal:
        return self.funding - self.planned

    @property
    def remaining(self) -> Decimal:
        return self.funding - self.actual


def budget_summary(agreement: ServiceLevelAgreement) -> BudgetSummary:
    """Planned and actual spend per category, from the agreement's (prefetched) lines."""
    summary = BudgetSummary(funding=agreement.funding)
    rows: dict[str, BudgetRow] = {}
    for line in agreement.budget_lines.all():
        row = rows.setdefault(
            line.category,
            BudgetRow(line.category, str(BudgetCategory(line.category).label)),
        )
        row.planned += line.planned
        row.actual += line.actual
        summary.planned += line.planned
        summary.actual += line.actual
    order = list(BudgetCategory.values)
    summary.rows = sorted(rows.values(), key=lambda r: order.index(r.category))
    return summary


def current_agreement(hub: Hub) -> ServiceLevelAgreement | None:
    """The hub's latest SLA, from the prefetched agreements."""
    agreements = list(hub.agreements.all())
    return agreements[0] if agreements else None


def redesignation_criteria(*, active_only: bool = True) -> QuerySet[RedesignationCriterion]:
    criteria = RedesignationCriterion.objects.order_by("position", "pk")
    return criteria.filter(is_active=True) if active_only else criteria


# --- Programmes -------------------------------------------------------------------------------


def _confirmed_subquery() -> Subquery:
    return _count_subquery(EnrolmentStatus.CONFIRMED)


def _count_subquery(status: str) -> Coalesce:
    counts = (
        Enrolment.objects.filter(programme=OuterRef("pk"), status=status)
        .order_by()
        .values("programme")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def _first_session_subquery(field_name: str, descending: bool = False) -> Subquery:
    order = (f"-{field_name}",) if descending else (field_name,)
    return Subquery(
        ProgrammeSession.objects.filter(programme=OuterRef("pk"))
        .order_by(*order)
        .values(field_name)[:1]
    )


@dataclass(frozen=True)
class CatalogueFilters:
    q: str = ""
    area: Any = None
    phase: str = ""
    language: str = ""
    starts_from: date | None = None
    starts_to: date | None = None
    free_only: bool = False


def catalogue(filters: CatalogueFilters | None = None) -> QuerySet[Programme]:
    """Published programmes matching the filters, with places taken and first/last dates,
    soonest first."""
    filters = filters or CatalogueFilters()
    programmes = (
        Programme.objects.filter(status__in=PUBLISHED_STATUSES)
        .select_related("hub", "area")
        .annotate(
            confirmed_count=_confirmed_subquery(),
            waiting_count=_count_subquery(EnrolmentStatus.WAITLISTED),
            first_date=_first_session_subquery("date"),
            last_date=_first_session_subquery("date", descending=True),
            session_count=Coalesce(
                Subquery(
                    ProgrammeSession.objects.filter(programme=OuterRef("pk"))
                    .order_by()
                    .values("programme")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
        )
    )
    if filters.q:
        term = filters.q.strip()
        programmes = programmes.filter(
            Q(title__icontains=term) | Q(description__icontains=term) | Q(hub__name__icontains=term)
        )
    if filters.area:
        programmes = programmes.filter(area=filters.area)
    if filters.phase:
        # An empty phase list means "all phases".
        programmes = programmes.filter(
            Q(phases="") | Q(phases__contains=ChoiceListField.needle(filters.phase))
        )
    if filters.language:
        programmes = programmes.filter(delivery_language=filters.language)
    if filters.free_only:
        programmes = programmes.filter(is_free=True)
    if filters.starts_from or filters.starts_to:
        sessions = ProgrammeSession.objects.filter(programme=OuterRef("pk"))
        if filters.starts_from:
            sessions = sessions.filter(date__gte=filters.starts_from)
        if filters.starts_to:
            sessions = sessions.filter(date__lte=filters.starts_to)
        programmes = programmes.filter(Exists(sessions))
    return programmes.order_by("first_date", "title", "pk")


def programme_detail(pk: int) -> Programme:
    """One programme with its hub (and the hub's schools, for the policies) and sessions."""
    return (
        Programme.objects.select_related("hub", "area")
        .prefetch_related(
            Prefetch("hub__schools", queryset=School.objects.order_by("name")),
            Prefetch("sessions", queryset=ProgrammeSession.objects.order_by("date", "starts_at")),
        )
        .annotate(
            confirmed_count=_confirmed_subquery(),
            waiting_count=_count_subquery(EnrolmentStatus.WAITLISTED),
        )
        .get(pk=pk)
    )


def enrolments_for(programme: Programme, *, school_ids: set[int] | None = None) -> list[Enrolment]:
    """Active enrolments (places first, then the waiting list in order); only some schools'
    when school_ids is given."""
    enrolments = (
        programme.enrolments.exclude(status=EnrolmentStatus.CANCELLED)
        .select_related("school", "group__cluster", "group__sig")
        .order_by("status", "created_at", "pk")
    )
    if school_ids is not None:
        enrolments = enrolments.filter(school_id__in=school_ids)
    return list(enrolments)


@dataclass
class RegisterRow:
    enrolment: Enrolment
    attended: bool | None


def register_for(session: ProgrammeSession) -> list[RegisterRow]:
    """Every confirmed participant with what the register says for this session so far."""
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "attended"))
    enrolments = (
        session.programme.enrolments.filter(status=EnrolmentStatus.CONFIRMED)
        .select_related("school")
        .order_by("school__name", "participant_name", "pk")
    )
    return [RegisterRow(e, marks.get(e.pk)) for e in enrolments]


def session_for_register(pk: int) -> ProgrammeSession:
    return (
        ProgrammeSession.objects.select_related("programme__hub")
        .prefetch_related("programme__hub__schools")
        .get(pk=pk)
    )


def schools_headed_by(user: Any, partnership: Any) -> QuerySet[School]:
    ids = school_ids_with_role(user, partnership, Role.HEADTEACHER)
    return School.objects.filter(pk__in=ids).order_by("name")


def groups_for_headteacher(user: Any, partnership: Any) -> list[Cluster | SchoolImprovementGroup]:
    """Clusters and SIGs that include a school the user heads (those they may enrol as)."""
    ids = school_ids_with_role(user, partnership, Role.HEADTEACHER)
    if not ids:
        return []
    clusters = list(Cluster.objects.filter(schools__in=ids).distinct().order_by("name"))
    sigs = list(SchoolImprovementGroup.objects.filter(schools__in=ids).distinct().order_by("name"))
    return [*clusters, *sigs]


def schools_in_groups(groups: list[Cluster | SchoolImprovementGroup]) -> QuerySet[School]:
    """Every school of these clusters and SIGs (the schools a group enrolment may name)."""
    cluster_ids = [g.pk for g in groups if isinstance(g, Cluster)]
    sig_ids = [g.pk for g in groups if isinstance(g, SchoolImprovementGroup)]
    return (
        School.objects.filter(Q(cluster__in=cluster_ids) | Q(sigs__in=sig_ids))
        .distinct()
        .order_by("name")
    )


# --- Commissioning -----------------------------------------------------------------------------


def calls_list(*, include_drafts: bool) -> QuerySet[Call]:
    calls = Call.objects.select_related("area").annotate(bid_count=Count("bids", distinct=True))
    if not include_drafts:
        calls = calls.exclude(status=CallStatus.DRAFT)
    return calls.order_by("status", "-deadline", "pk")


def call_detail(pk: int) -> Call:
    return (
        Call.objects.select_related("area", "renews_hub")
        .prefetch_related(Prefetch("criteria", queryset=CallCriterion.objects.order_by("position")))
        .get(pk=pk)
    )


def bids_for_call(call: Call) -> list[Bid]:
    """Every bid on a call, best score first (unscored last), with scores and documents."""
    bids = (
        call.bids.select_related("school", "submitted_by")
        .prefetch_related(
            Prefetch("scores", queryset=BidScore.objects.select_related("criterion")),
            "documents",
        )
        .order_by("school__name")
    )
    return sorted(bids, key=lambda b: (b.score_percent is None, -(b.score_percent or 0)))


def bid_of_schools(call: Call, school_ids: set[int]) -> list[Bid]:
    return list(call.bids.filter(school_id__in=school_ids).select_related("school"))


def bid_detail(pk: int) -> Bid:
    return (
        Bid.objects.select_related("call__area", "school", "submitted_by")
        .prefetch_related(
            Prefetch("scores", queryset=BidScore.objects.select_related("criterion")),
            Prefetch("call__criteria", queryset=CallCriterion.objects.order_by("position")),
            "documents",
        )
        .get(pk=pk)
    )


def award_of(call: Call) -> Award | None:
    return (
        Award.objects.select_related("bid__school", "hub", "programme", "decided_by")
        .filter(call=call)
        .first()
    )


def document_for_download(pk: int) -> Document:
    return Document.objects.select_related(
        "deliverable__agreement__hub", "bid__school", "bid__call"
    ).get(pk=pk)
