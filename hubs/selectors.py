"""Reads of hubs, programmes and commissioning that pages (and later the API) share.

Each returns rows already joined and prefetched for its page, so a page's query count does
not grow with the number of hubs, programmes, sessions, enrolments or bids.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
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
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from partnership.models import Area, Role
from partnership.policies import is_partnership_admin, is_staff_role, school_ids_with_role
from schools.models import Cluster, School, SchoolImprovementGroup

from .fields import ChoiceListField
from .models import (
    PUBLISHED_STATUSES,
    Attendance,
    Award,
    Bid,
    BidScore,
    BudgetCategory,
    BudgetLine,
    Call,
    CallCriterion,
    CallStatus,
    CriterionJudgement,
    Deliverable,
    DeliverableStatus,
    Document,
    Enrolment,
    EnrolmentStatus,
    Hub,
    HubStatus,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    RedesignationCriterion,
    RedesignationReview,
    ServiceLevelAgreement,
)
from .policies import can_decide_call

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


# --- Value for money ------------------------------------------------------------------------

PENNY = Decimal("0.01")
TENTH = Decimal("0.1")


@dataclass
class ValueFigures:
    """What a hub (or an area, or the partnership) was given, spent and delivered.

    Rates and unit costs are None when there is nothing to divide by (no participants, no
    register taken, no funding); pages show them as "–".
    """

    funding: Decimal = Decimal(0)
    spend: Decimal = Decimal(0)
    participants: int = 0
    attended: int = 0
    marks: int = 0
    deliverables_done: int = 0
    deliverables: int = 0
    programmes: int = 0
    #: Impact: the start-to-end change of participants' mean impact-survey score (points
    #: on the 1-5 scale; surveys.selectors), and what remains six months after. None
    #: until both surveys have answers.
    impact: Decimal | None = None
    impact_retained: Decimal | None = None

    def __add__(self, other: ValueFigures) -> ValueFigures:
        return ValueFigures(
            funding=self.funding + other.funding,
            spend=self.spend + other.spend,
            participants=self.participants + other.participants,
            attended=self.attended + other.attended,
            marks=self.marks + other.marks,
            deliverables_done=self.deliverables_done + other.deliverables_done,
            deliverables=self.deliverables + other.deliverables,
            programmes=self.programmes + other.programmes,
        )

    @property
    def attendance_rate(self) -> Decimal | None:
        """Per cent of the attendance marks recorded that say "attended" (one decimal)."""
        return _percent(self.attended, self.marks)

    @property
    def cost_per_participant(self) -> Decimal | None:
        """Actual spend divided by confirmed participants, to the penny."""
        if not self.participants:
            return None
        return (self.spend / self.participants).quantize(PENNY, rounding=ROUND_HALF_UP)

    @property
    def spend_rate(self) -> Decimal | None:
        """Per cent of the funding spent so far (one decimal)."""
        return _percent(self.spend, self.funding)

    @property
    def deliverables_rate(self) -> Decimal | None:
        return _percent(self.deliverables_done, self.deliverables)


def _percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass
class HubValue:
    hub: Hub
    figures: ValueFigures


@dataclass
class AreaValue:
    area: Area
    hubs: list[HubValue]
    figures: ValueFigures


@dataclass
class ValueForMoney:
    """Every hub's figures side by side, the same summed per area, and the total."""

    hubs: list[HubValue]
    areas: list[AreaValue]
    total: ValueFigures


def _count_of(queryset: QuerySet, group_by: str) -> Coalesce:
    """One correlated subquery: how many of `queryset`'s rows belong to the outer row."""
    rows = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _hub_filter(prefix: str, *, area: Area | None = None, hub: int | None = None) -> Q:
    """Rows of some hubs only: `prefix` is the path from the table to its hub."""
    condition = Q()
    if area is not None:
        condition &= Q(**{f"{prefix}area": area})
    if hub is not None:
        condition &= Q(**{f"{prefix}pk": hub})
    return condition


def _figures_by_hub(*, area: Area | None = None, hub: int | None = None) -> dict[int, ValueFigures]:
    """Every hub's figures from six aggregate queries, one per table (agreements, budget
    lines, enrolments, register marks, deliverables, programmes), grouped by hub: the
    number of queries does not depend on the number of hubs or of their rows."""
    figures: dict[int, ValueFigures] = defaultdict(ValueFigures)

    def grouped(model: Any, path: str, **aggregates: Any) -> Any:
        rows = model.objects.filter(_hub_filter(f"{path}__", area=area, hub=hub))
        return rows.order_by().values(path).annotate(**aggregates).values_list(path, *aggregates)

    for hub_id, funding in grouped(ServiceLevelAgreement, "hub", total=Sum("funding")):
        figures[hub_id].funding = funding
    for hub_id, spend in grouped(BudgetLine, "agreement__hub", total=Sum("actual")):
        figures[hub_id].spend = spend
    confirmed = Enrolment.objects.filter(status=EnrolmentStatus.CONFIRMED)
    for hub_id, participants in (
        confirmed.filter(_hub_filter("programme__hub__", area=area, hub=hub))
        .order_by()
        .values("programme__hub")
        .annotate(n=Count("pk"))
        .values_list("programme__hub", "n")
    ):
        figures[hub_id].participants = participants
    for hub_id, attended, marks in grouped(
        Attendance,
        "session__programme__hub",
        attended=Count("pk", filter=Q(attended=True)),
        marks=Count("pk"),
    ):
        figures[hub_id].attended, figures[hub_id].marks = attended, marks
    for hub_id, done, total in grouped(
        Deliverable,
        "agreement__hub",
        done=Count("pk", filter=Q(status=DeliverableStatus.DONE)),
        total=Count("pk"),
    ):
        figures[hub_id].deliverables_done, figures[hub_id].deliverables = done, total
    for hub_id, programmes in grouped(Programme, "hub", n=Count("pk")):
        figures[hub_id].programmes = programmes
    return figures


def value_for_money(*, area: Area | None = None) -> ValueForMoney:
    """Every hub's value-for-money figures side by side, summed per area and in total
    (ten queries however many hubs; impact comes from the impact surveys).

    Funding and spend add up every service level agreement of the hub and its budget lines'
    actual spend; participants are confirmed places on its programmes; the attendance rate
    counts the register marks recorded; deliverables count across its agreements.
    """
    hubs = Hub.objects.select_related("area").order_by("area__position", "area__name", "name", "pk")
    if area is not None:
        hubs = hubs.filter(area=area)
    from surveys import selectors as surveys

    figures = _figures_by_hub(area=area)
    rows = [HubValue(hub, figures.get(hub.pk) or ValueFigures()) for hub in hubs]
    areas: dict[int, AreaValue] = {}
    for row in rows:
        group = areas.setdefault(row.hub.area_id, AreaValue(row.hub.area, [], ValueFigures()))
        group.hubs.append(row)
        group.figures = group.figures + row.figures
    total = sum((row.figures for row in rows), ValueFigures())
    # Impact is not a sum of the hubs' figures: each level is averaged over its answers.
    _set_impact([(r.hub.pk, r.figures) for r in rows], surveys.impact_by("hub", area=area))
    groups = list(areas.values())
    _set_impact([(g.area.pk, g.figures) for g in groups], surveys.impact_by("area", area=area))
    _set_impact_from(total, surveys.impact_summary(area=area))
    return ValueForMoney(hubs=rows, areas=groups, total=total)


def _set_impact_from(figures: ValueFigures, summary: Any) -> None:
    figures.impact, figures.impact_retained = summary.change, summary.retained


def _set_impact(owners: list[tuple[int, ValueFigures]], impact_rows: list[Any]) -> None:
    """Give each hub's, area's or programme's figures the impact of the same key from
    surveys.selectors.impact_by() (rows without survey answers keep None)."""
    summaries = {row.key: row.summary for row in impact_rows}
    for key, figures in owners:
        if key in summaries:
            _set_impact_from(figures, summaries[key])


@dataclass
class ProgrammeValue:
    programme: Programme
    figures: ValueFigures


@dataclass
class HubValueDetail:
    hub: Hub
    figures: ValueFigures
    programmes: list[ProgrammeValue]
    #: The hub's impact-survey results (surveys.selectors.ImpactSummary).
    impact: Any = None


def hub_value(pk: int) -> HubValueDetail:
    """One hub's figures and, per programme, its participants and attendance (a constant
    number of queries however many programmes)."""
    hub = (
        Hub.objects.select_related("area")
        .prefetch_related(Prefetch("schools", queryset=School.objects.order_by("name")))
        .get(pk=pk)
    )
    per_programme: dict[int, ValueFigures] = defaultdict(lambda: ValueFigures(programmes=1))
    for programme_id, participants in (
        Enrolment.objects.filter(programme__hub=hub, status=EnrolmentStatus.CONFIRMED)
        .order_by()
        .values("programme")
        .annotate(n=Count("pk"))
        .values_list("programme", "n")
    ):
        per_programme[programme_id].participants = participants
    for programme_id, attended, marks in (
        Attendance.objects.filter(session__programme__hub=hub)
        .order_by()
        .values("session__programme")
        .annotate(attended=Count("pk", filter=Q(attended=True)), marks=Count("pk"))
        .values_list("session__programme", "attended", "marks")
    ):
        per_programme[programme_id].attended = attended
        per_programme[programme_id].marks = marks
    from surveys import selectors as surveys

    programmes = Programme.objects.filter(hub=hub).order_by("title", "pk")
    rows = [ProgrammeValue(p, per_programme[p.pk]) for p in programmes]
    _set_impact(
        [(r.programme.pk, r.figures) for r in rows], surveys.impact_by("programme", hubs=[hub])
    )
    impact = surveys.impact_summary(hubs=[hub])
    figures = _figures_by_hub(hub=hub.pk).get(hub.pk) or ValueFigures()
    _set_impact_from(figures, impact)
    return HubValueDetail(
        hub=hub,
        figures=figures,
        impact=impact,
        programmes=rows,
    )


# --- What one person may list (the API's lists; the pages check the same policies) ----------


def _led_hub(hub_ref: str, led_school_ids: set[int]) -> Exists:
    """The outer row's hub has one of these schools (the user is a hub lead of it)."""
    return Exists(
        Hub.schools.through.objects.filter(hub_id=OuterRef(hub_ref), school_id__in=led_school_ids)
    )


def enrolments_visible_to(user: Any, partnership: Any) -> QuerySet[Enrolment]:
    """Every enrolment for the admin and challenge advisers; for a hub lead, those on their
    hub's programmes; for a headteacher, their own schools' (as on the programme page)."""
    enrolments = Enrolment.objects.select_related("programme", "school").order_by(
        "programme__title", "programme_id", "status", "created_at", "pk"
    )
    if is_staff_role(user, partnership):
        return enrolments
    heads = school_ids_with_role(user, partnership, Role.HEADTEACHER)
    led = school_ids_with_role(user, partnership, Role.HUB_LEAD)
    return enrolments.filter(Q(school_id__in=heads) | _led_hub("programme__hub_id", led))


def sessions_visible_to(user: Any, partnership: Any) -> QuerySet[ProgrammeSession]:
    """Sessions of every programme that is not a draft, and of the drafts the user may edit."""
    sessions = ProgrammeSession.objects.select_related("programme").order_by(
        "date", "starts_at", "pk"
    )
    if is_partnership_admin(user, partnership):
        return sessions
    led = school_ids_with_role(user, partnership, Role.HUB_LEAD)
    return sessions.filter(
        ~Q(programme__status=ProgrammeStatus.DRAFT) | _led_hub("programme__hub_id", led)
    )


def bids_visible_to(user: Any, partnership: Any) -> QuerySet[Bid]:
    """Every bid for those who decide calls; otherwise only the user's own schools' bids and
    the bids they submitted (bids are confidential to the bidder and the deciders)."""
    bids = (
        Bid.objects.select_related("call", "school")
        .prefetch_related(
            Prefetch("scores", queryset=BidScore.objects.select_related("criterion")),
            Prefetch("documents", queryset=Document.objects.order_by("uploaded_at", "pk")),
        )
        .order_by("-call__deadline", "call_id", "school__name", "pk")
    )
    if can_decide_call(user, partnership):
        return bids
    own = school_ids_with_role(user, partnership, Role.HEADTEACHER, Role.HUB_LEAD)
    return bids.filter(Q(school_id__in=own) | Q(submitted_by=user))


# --- The hub lead's home page ------------------------------------------------------------------


def hubs_led_by(user: Any, partnership: Any) -> list[Hub]:
    """The hubs of the schools the user is hub lead of (one query), each with what needs
    their attention: live programmes, the next session, people waiting for a place, and
    deliverables still to do (and how many of those are overdue)."""
    led = school_ids_with_role(user, partnership, Role.HUB_LEAD)
    if not led:
        return []
    hub = OuterRef("pk")
    today = timezone.localdate()
    to_do = Deliverable.objects.filter(
        agreement__hub=hub,
        status__in=(DeliverableStatus.NOT_STARTED, DeliverableStatus.IN_PROGRESS),
    )
    live = (*PUBLISHED_STATUSES,)
    return list(
        Hub.objects.filter(_led_hub("pk", led))
        .select_related("area")
        .annotate(
            live_programmes=_count_of(Programme.objects.filter(hub=hub, status__in=live), "hub"),
            waiting=_count_of(
                Enrolment.objects.filter(
                    programme__hub=hub,
                    programme__status__in=live,
                    status=EnrolmentStatus.WAITLISTED,
                ),
                "programme__hub",
            ),
            deliverables_to_do=_count_of(to_do, "agreement__hub"),
            deliverables_overdue=_count_of(to_do.filter(due_on__lt=today), "agreement__hub"),
            next_session=Subquery(
                ProgrammeSession.objects.filter(
                    programme__hub=hub, programme__status__in=live, date__gte=today
                )
                .order_by("date")
                .values("date")[:1]
            ),
        )
        .order_by("name", "pk")
    )
