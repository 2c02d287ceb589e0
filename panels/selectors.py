"""Reads about panels that pages (and later the API) share, shaped so that a page's query
count does not grow with the number of seats, members, needs, meetings or actions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.models import Partnership
from partnership.tenancy import tenant_scope

from .models import (
    OPEN_ACTION_STATUSES,
    Action,
    AgendaItem,
    Consultation,
    ConsultationAnswer,
    ConsultationQuestion,
    ConsultationResponse,
    ConsultationSection,
    Evaluation,
    EvaluationJudgement,
    IdentifiedNeed,
    Meeting,
    MeetingAttendance,
    Panel,
    PanelMember,
    Seat,
    SeatType,
    StakeholderGroup,
)

User = get_user_model()

#: How many panels one person may sit on at once before the composition check flags it.
MAX_PANELS_PER_PERSON = getattr(settings, "PANELS_MAX_PANELS_PER_PERSON", 3)
#: A break shorter than this between two terms does not end a run of consecutive terms.
CONSECUTIVE_GAP_DAYS = 31


def panels_for(partnership: Partnership) -> QuerySet[Panel]:
    """Every panel, with its area and the number of seats and current members."""
    today = timezone.localdate()
    with tenant_scope(partnership):
        return (
            Panel.objects.filter(partnership=partnership)
            .select_related("area")
            .annotate(
                seat_count=Count("seats", distinct=True),
                member_count=Count(
                    "seats__terms",
                    filter=Q(seats__terms__starts_on__lte=today, seats__terms__ends_on__gte=today),
                    distinct=True,
                ),
            )
            .order_by("name")
        )


def panel_for(partnership: Partnership, pk: int) -> Panel:
    """One panel of the partnership (DoesNotExist for anyone else's)."""
    with tenant_scope(partnership):
        return Panel.objects.select_related("area").get(partnership=partnership, pk=pk)


def people_of(partnership: Partnership) -> QuerySet:
    """The people who hold any role in the partnership (for choosing members and owners)."""
    return (
        User.objects.filter(memberships__partnership=partnership, is_active=True)
        .distinct()
        .order_by("full_name", "email")
    )


def seats_with_terms(panel: Panel) -> list[Seat]:
    """The panel's seats, each with every term (past, current, future) and its person."""
    return list(
        panel.seats.prefetch_related(
            Prefetch(
                "terms",
                queryset=PanelMember.objects.select_related("user").order_by("starts_on", "pk"),
            )
        )
    )


def consecutive_runs(terms: list[PanelMember]) -> dict[int, int]:
    """For each term id: its place in the person's run of consecutive terms (1, 2, ...).

    `terms` are one person's terms on one panel; a break of CONSECUTIVE_GAP_DAYS or more
    starts a new run.
    """
    places: dict[int, int] = {}
    previous: PanelMember | None = None
    place = 0
    for term in sorted(terms, key=lambda t: (t.starts_on, t.pk or 0)):
        if previous is not None and term.starts_on - previous.ends_on <= timedelta(
            days=CONSECUTIVE_GAP_DAYS
        ):
            place += 1
        else:
            place = 1
        places[term.pk] = place
        previous = term
    return places


@dataclass
class TermRow:
    term: PanelMember
    consecutive: int
    days_left: int
    ending_soon: bool
    is_current: bool
    has_successor: bool


@dataclass
class SeatRow:
    seat: Seat
    terms: list[TermRow]

    @property
    def current(self) -> list[TermRow]:
        return [t for t in self.terms if t.is_current]


@dataclass
class Composition:
    """The composition check: what the panel lacks and who is stretched too thin."""

    seats: list[SeatRow]
    missing_voices: list[str] = field(default_factory=list)
    vacant_seats: list[Seat] = field(default_factory=list)
    ending_soon: list[TermRow] = field(default_factory=list)
    overcommitted: list[tuple[Any, int]] = field(default_factory=list)
    max_panels: int = MAX_PANELS_PER_PERSON

    @property
    def has_warnings(self) -> bool:
        return bool(
            self.missing_voices or self.vacant_seats or self.ending_soon or self.overcommitted
        )


def required_voices(panel: Panel) -> list[str]:
    """The seat types the panel must include: its own list, else teachers and (in Wales)
    a Welsh-medium voice."""
    if panel.required_voices:
        return [v for v in panel.required_voices if v in SeatType.values]
    voices = [SeatType.TEACHER.value, SeatType.HEADTEACHER.value]
    if panel.partnership.country == "wales":
        voices.append(SeatType.WELSH_MEDIUM.value)
    return voices


def composition(panel: Panel, *, today: date | None = None) -> Composition:
    """Seats with their terms (rotation shown as "term n of max"), and the warnings."""
    today = today or timezone.localdate()
    seats = seats_with_terms(panel)
    by_person: dict[int, list[PanelMember]] = {}
    for seat in seats:
        for term in seat.terms.all():
            by_person.setdefault(term.user_id, []).append(term)
    places: dict[int, int] = {}
    for terms in by_person.values():
        places.update(consecutive_runs(terms))

    result = Composition(seats=[])
    filled: set[str] = set()
    current_people: dict[int, Any] = {}
    for seat in seats:
        terms = list(seat.terms.all())
        rows = []
        for term in terms:
            is_current = term.starts_on <= today <= term.ends_on
            days_left = (term.ends_on - today).days
            successor = any(o.starts_on > term.ends_on for o in terms if o.pk != term.pk)
            row = TermRow(
                term=term,
                consecutive=places.get(term.pk, 1),
                days_left=days_left,
                is_current=is_current,
                ending_soon=is_current and days_left <= panel.term_warning_days,
                has_successor=successor,
            )
            rows.append(row)
            if is_current:
                filled.add(seat.seat_type)
                current_people[term.user_id] = term.user
                if row.ending_soon and not successor:
                    result.ending_soon.append(row)
        result.seats.append(SeatRow(seat=seat, terms=rows))
        if not any(r.is_current for r in rows):
            result.vacant_seats.append(seat)

    result.missing_voices = [
        str(SeatType(v).label) for v in required_voices(panel) if v not in filled
    ]
    if current_people:
        counts = Counter(
            PanelMember.objects.filter(
                user_id__in=list(current_people),
                starts_on__lte=today,
                ends_on__gte=today,
                seat__panel__is_active=True,
            )
            .values_list("user_id", "seat__panel_id")
            .distinct()
        )
        panels_per_person = Counter(user_id for user_id, _panel in counts)
        result.overcommitted = [
            (current_people[user_id], n)
            for user_id, n in sorted(panels_per_person.items())
            if n > MAX_PANELS_PER_PERSON
        ]
    return result


# --- Needs -------------------------------------------------------------------


def needs_of(panel: Panel) -> list[IdentifiedNeed]:
    """The panel's needs, highest priority first, with evidence and the call opened."""
    order = {"high": 0, "medium": 1, "low": 2}
    needs = list(panel.needs.select_related("call", "identified_by").prefetch_related("evidence"))
    return sorted(needs, key=lambda n: (order.get(n.priority, 9), n.pk))


def need_for(partnership: Partnership, pk: int) -> IdentifiedNeed:
    with tenant_scope(partnership):
        return (
            IdentifiedNeed.objects.select_related("panel__area", "panel__partnership", "call")
            .prefetch_related("evidence")
            .get(partnership=partnership, pk=pk)
        )


# --- Meetings -------------------------------------------------------------------


def meetings_of(panel: Panel) -> list[Meeting]:
    return list(
        panel.meetings.annotate(
            item_count=Count("items", distinct=True),
            open_actions=Count(
                "actions", filter=Q(actions__status__in=OPEN_ACTION_STATUSES), distinct=True
            ),
        ).order_by("-starts_at")
    )


def meeting_for(partnership: Partnership, pk: int) -> Meeting:
    """One meeting with its panel; agenda, attendance and actions via `meeting_papers`."""
    with tenant_scope(partnership):
        return Meeting.objects.select_related("panel__area", "panel__partnership").get(
            partnership=partnership, pk=pk
        )


def meeting_papers(meeting: Meeting) -> dict[str, list]:
    """The agenda (with presenters and carried actions), attendance and actions raised."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting).select_related(
            "presenter", "carried_action__owner", "carried_action__meeting"
        )
    )
    for item in items:
        item.meeting = meeting  # policies read item.meeting.panel without a query
    attendance = list(
        MeetingAttendance.objects.filter(meeting=meeting)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    actions = list(Action.objects.filter(meeting=meeting).select_related("owner"))
    for action in actions:
        action.meeting = meeting
    return {"items": items, "attendance": attendance, "actions": actions}


def expected_at(meeting: Meeting) -> list[Any]:
    """The people expected at a meeting: the panel's members on its day, and anyone whose
    attendance is already recorded."""
    day = timezone.localdate(meeting.starts_at)
    terms = PanelMember.objects.filter(
        seat__panel_id=meeting.panel_id, starts_on__lte=day, ends_on__gte=day
    ).select_related("user")
    people = {t.user_id: t.user for t in terms}
    for row in MeetingAttendance.objects.filter(meeting=meeting).select_related("user"):
        people.setdefault(row.user_id, row.user)
    return sorted(people.values(), key=lambda u: (u.full_name, u.email))


def attendance_of(meeting: Meeting) -> dict[int, str]:
    return dict(MeetingAttendance.objects.filter(meeting=meeting).values_list("user_id", "status"))


def open_actions_before(meeting: Meeting) -> QuerySet[Action]:
    """The panel's open actions raised at meetings before this one."""
    return Action.objects.filter(
        meeting__panel_id=meeting.panel_id,
        meeting__starts_at__lt=meeting.starts_at,
        status__in=OPEN_ACTION_STATUSES,
    ).order_by("due_on", "pk")


def actions_due_on(partnership: Partnership, days: list[date]) -> list[Action]:
    """Open actions due on one of these days, with owner, meeting and panel."""
    with tenant_scope(partnership):
        return list(
            Action.objects.filter(
                partnership=partnership, status__in=OPEN_ACTION_STATUSES, due_on__in=days
            ).select_related("owner", "meeting__panel")
        )


# --- Published decisions (pages and board reports) ---------------------------------------------


@dataclass(frozen=True)
class PublishedDecision:
    """One decision a panel made public: a decision in approved minutes marked for
    publication (`kind` "meeting"), or a judgement on an evaluation (`kind` "evaluation",
    with `judgement` continue / change / stop)."""

    panel: Panel
    decided_on: date
    kind: str
    title: str
    decision: str
    judgement: str = ""
    rationale: str = ""
    #: The programme or support agreement judged (evaluations only).
    subject: Any = None


def published_decisions(
    partnership: Partnership,
    *,
    start: date | None = None,
    end: date | None = None,
    panel: Panel | None = None,
    area: Any = None,
) -> list[PublishedDecision]:
    """Every decision the partnership's panels have published, newest first.

    For board reports (reports/) and the published decisions page. Two queries whatever
    the number of decisions. `start` and `end` (dates, both included) bound the day the
    decision was made (the meeting's day, or the day of the judgement); `panel` or `area`
    keep one panel's or one area's decisions. Nothing private is returned: meeting
    decisions only once the minutes are approved and the item is marked for publication;
    evaluation judgements are public once recorded.
    """
    with tenant_scope(partnership):
        items = AgendaItem.objects.filter(
            partnership=partnership,
            decision_published=True,
            meeting__minutes_approved_at__isnull=False,
        ).exclude(decision="")
        evaluations = Evaluation.objects.filter(partnership=partnership)
        if panel is not None:
            items = items.filter(meeting__panel=panel)
            evaluations = evaluations.filter(panel=panel)
        if area is not None:
            items = items.filter(meeting__panel__area=area)
            evaluations = evaluations.filter(panel__area=area)
        if start is not None:
            items = items.filter(meeting__starts_at__date__gte=start)
            evaluations = evaluations.filter(decided_at__date__gte=start)
        if end is not None:
            items = items.filter(meeting__starts_at__date__lte=end)
            evaluations = evaluations.filter(decided_at__date__lte=end)
        decisions = [
            PublishedDecision(
                panel=item.meeting.panel,
                decided_on=timezone.localdate(item.meeting.starts_at),
                kind="meeting",
                title=item.title,
                decision=item.decision,
            )
            for item in items.select_related("meeting__panel__area")
        ]
        decisions += [
            PublishedDecision(
                panel=evaluation.panel,
                decided_on=timezone.localdate(evaluation.decided_at),
                kind="evaluation",
                title=str(evaluation.subject),
                decision=str(EvaluationJudgement(evaluation.judgement).label),
                judgement=evaluation.judgement,
                rationale=evaluation.rationale,
                subject=evaluation.subject,
            )
            for evaluation in evaluations.select_related(
                "panel__area",
                "programme__hub",
                "agreement__provider",
                "agreement__receiving_school",
            )
        ]
    return sorted(decisions, key=lambda d: (d.decided_on, d.panel.name), reverse=True)


# --- Evaluation review -------------------------------------------------------------------------


@dataclass
class ImpactRow:
    """A programme or support agreement of the panel's area, with its impact results and
    the panel's judgements on it (newest first)."""

    kind: str  # "programme" or "agreement"
    subject: Any
    provider: str
    participants: int | None = None
    attendance_rate: int | None = None
    rating: int | None = None
    objectives_met: str = ""
    outcome_evidence: str = ""
    survey: list[tuple[str, str]] = field(default_factory=list)
    judgements: list[Evaluation] = field(default_factory=list)

    @property
    def latest(self) -> Evaluation | None:
        return self.judgements[0] if self.judgements else None

    def evidence_text(self) -> str:
        """The results as one plain paragraph, kept with a judgement as what the panel saw."""
        parts = []
        if self.participants is not None:
            parts.append(f"participants: {self.participants}")
        if self.attendance_rate is not None:
            parts.append(f"attendance: {self.attendance_rate}%")
        if self.rating is not None:
            parts.append(f"impact rating: {self.rating}/4 (objectives met: {self.objectives_met})")
        parts += [f"{label}: {value}" for label, value in self.survey]
        return "; ".join(parts)


def _count(queryset: QuerySet, ref: str) -> Coalesce:
    counted = (
        queryset.filter(**{ref: OuterRef("pk")})
        .order_by()
        .values(ref)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _survey_lines(summary: Any) -> list[tuple[str, str]]:
    """An impact survey summary (surveys.selectors.ImpactSummary) as (label, value) lines."""
    if not summary.invited:
        return []
    lines = [
        (
            _("Impact surveys answered"),
            _("%(answered)s of %(invited)s")
            % {"answered": summary.answered, "invited": summary.invited},
        )
    ]
    if summary.change is not None:
        lines.append((_("Change in mean score, start to end (1-5)"), f"{summary.change:+}"))
    if summary.retained is not None:
        lines.append((_("Change kept six months after"), f"{summary.retained:+}"))
    return lines


def _survey_results(kind: str, ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Impact survey results per programme or agreement from surveys.selectors, as
    {id: [(label, value), ...]}; one query per kind. Empty when there is nothing to ask."""
    if not ids:
        return {}
    from surveys import selectors as surveys

    if kind == "programme":
        rows = surveys.impact_by("programme", programmes=ids)
        return {row.key: _survey_lines(row.summary) for row in rows}
    if "agreement" in getattr(surveys, "DIMENSIONS", {}):
        rows = surveys.impact_by("agreement", agreements=ids)
        return {row.key: _survey_lines(row.summary) for row in rows}
    # surveys groups by programme, hub, area, school or provider; per agreement we group
    # its invitations the same way its impact_by() does (until it offers "agreement").
    aggregates = getattr(surveys, "_AGGREGATES", None)
    if aggregates is None or not hasattr(surveys, "_summary"):
        return {}
    grouped: dict[int, dict[str, dict[str, Any]]] = {}
    rows = (
        surveys.impact_invitations(agreements=ids)
        .order_by()
        .values("agreement_id", "point")
        .annotate(**aggregates)
    )
    for row in rows:
        grouped.setdefault(row["agreement_id"], {})[row["point"]] = row
    return {key: _survey_lines(surveys._summary(points)) for key, points in grouped.items()}


def impact_results(panel: Panel) -> list[ImpactRow]:
    """The panel's evaluation review: the published programmes and the started or closed
    support agreements of its area, with enrolments, attendance, agreement outcomes and
    impact surveys, and the panel's judgements. A constant number of queries."""
    from brokerage.models import SupportAgreement
    from hubs.models import Attendance, Enrolment, EnrolmentStatus, Programme, ProgrammeStatus

    if panel.area_id is None:
        return []
    programmes = list(
        Programme.objects.filter(area_id=panel.area_id)
        .exclude(status__in=(ProgrammeStatus.DRAFT, ProgrammeStatus.CANCELLED))
        .select_related("hub")
        .annotate(
            participants=_count(
                Enrolment.objects.filter(status=EnrolmentStatus.CONFIRMED), "programme"
            ),
            attended=_count(Attendance.objects.filter(attended=True), "session__programme"),
            marks=_count(Attendance.objects.all(), "session__programme"),
        )
        .order_by("title", "pk")
    )
    agreements = list(
        SupportAgreement.objects.filter(
            need__area_id=panel.area_id,
            status__in=(SupportAgreement.Status.ACTIVE, SupportAgreement.Status.CLOSED),
        )
        .select_related("provider", "receiving_school", "outcome")
        .order_by("-starts_on", "pk")
    )
    judged: dict[tuple[str, int], list[Evaluation]] = {}
    for evaluation in Evaluation.objects.filter(panel=panel).select_related("decided_by"):
        key = (
            ("programme", evaluation.programme_id)
            if evaluation.programme_id
            else (
                "agreement",
                evaluation.agreement_id,
            )
        )
        judged.setdefault(key, []).append(evaluation)
    surveys = {
        "programme": _survey_results("programme", [p.pk for p in programmes]),
        "agreement": _survey_results("agreement", [a.pk for a in agreements]),
    }
    rows = [
        ImpactRow(
            kind="programme",
            subject=p,
            provider=p.hub.name,
            participants=p.participants,
            attendance_rate=round(100 * p.attended / p.marks) if p.marks else None,
            survey=surveys["programme"].get(p.pk, []),
            judgements=judged.get(("programme", p.pk), []),
        )
        for p in programmes
    ]
    for agreement in agreements:
        outcome = getattr(agreement, "outcome", None)
        rows.append(
            ImpactRow(
                kind="agreement",
                subject=agreement,
                provider=agreement.provider.name,
                rating=outcome.rating if outcome else None,
                objectives_met=outcome.get_objectives_met_display() if outcome else "",
                outcome_evidence=outcome.evidence if outcome else "",
                survey=surveys["agreement"].get(agreement.pk, []),
                judgements=judged.get(("agreement", agreement.pk), []),
            )
        )
    return rows


def impact_row(panel: Panel, kind: str, pk: int) -> ImpactRow | None:
    """One row of the panel's review (None when the subject is not in its area)."""
    for row in impact_results(panel):
        if row.kind == kind and row.subject.pk == pk:
            return row
    return None


# --- Consultations ------------------------------------------------------------------------------


def consultations_for(user: Any, partnership: Partnership, *, everything: bool) -> list:
    """Consultations the user may read (all for those who manage them; otherwise those
    inviting one of the user's groups once open), each with `has_responded`."""
    from . import policies

    with tenant_scope(partnership):
        mine = ConsultationResponse.objects.filter(consultation=OuterRef("pk"), respondent=user)
        rows = list(
            Consultation.objects.filter(partnership=partnership)
            .select_related("panel")
            .annotate(
                has_responded=Exists(mine),
                response_count=Count("responses", distinct=True),
            )
            .order_by("-opens_at", "pk")
        )
    if everything:
        return rows
    groups = set(policies.stakeholder_groups_of(user, partnership))
    now = timezone.now()
    return [c for c in rows if groups & set(c.groups) and c.opens_at <= now]


def consultation_for(partnership: Partnership, pk: int) -> Consultation:
    with tenant_scope(partnership):
        return Consultation.objects.select_related("panel").get(partnership=partnership, pk=pk)


def consultation_paper(consultation: Consultation) -> list[ConsultationSection]:
    """The sections of the paper, each with its questions, in order."""
    return list(
        ConsultationSection.objects.filter(consultation=consultation).prefetch_related(
            Prefetch("questions", queryset=ConsultationQuestion.objects.order_by("position", "pk"))
        )
    )


def response_of(consultation: Consultation, user: Any) -> ConsultationResponse | None:
    return (
        ConsultationResponse.objects.filter(consultation=consultation, respondent=user)
        .prefetch_related("answers")
        .first()
    )


@dataclass
class GroupAnswers:
    group: str
    label: str
    answers: list[ConsultationAnswer]


@dataclass
class CollatedQuestion:
    section: ConsultationSection
    question: ConsultationQuestion
    groups: list[GroupAnswers]

    @property
    def total(self) -> int:
        return sum(len(g.answers) for g in self.groups)


@dataclass
class Collation:
    consultation: Consultation
    questions: list[CollatedQuestion]
    #: Responses per invited group: [(label, count)].
    responses_by_group: list[tuple[str, int]]
    total_responses: int


def collate(consultation: Consultation) -> Collation:
    """Every answer, per question and per invited group (groups in the consultation's
    order, answers in the order received). Three queries whatever the size."""
    sections = consultation_paper(consultation)
    answers = ConsultationAnswer.objects.filter(response__consultation=consultation).select_related(
        "response__respondent"
    )
    by_question: dict[tuple[int, str], list[ConsultationAnswer]] = {}
    for answer in answers.order_by("response__submitted_at", "pk"):
        by_question.setdefault((answer.question_id, answer.response.group), []).append(answer)
    counts = dict(
        ConsultationResponse.objects.filter(consultation=consultation)
        .order_by()
        .values_list("group")
        .annotate(n=Count("pk"))
        .values_list("group", "n")
    )
    groups = [g for g in consultation.groups if g in StakeholderGroup.values]
    groups += [g for g in counts if g not in groups]
    labels = {g: str(StakeholderGroup(g).label) for g in groups}
    questions = [
        CollatedQuestion(
            section=section,
            question=question,
            groups=[
                GroupAnswers(
                    group=g, label=labels[g], answers=by_question.get((question.pk, g), [])
                )
                for g in groups
            ],
        )
        for section in sections
        for question in section.questions.all()
    ]
    return Collation(
        consultation=consultation,
        questions=questions,
        responses_by_group=[(labels[g], counts.get(g, 0)) for g in groups],
        total_responses=sum(counts.values()),
    )
