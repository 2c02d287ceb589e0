"""Reads about panels that pages (and later the API) share, shaped so that a page's query
count does not grow with the number of seats, members, needs, meetings or actions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from partnership.models import Partnership
from partnership.tenancy import tenant_scope

from .models import (
    OPEN_ACTION_STATUSES,
    Action,
    AgendaItem,
    IdentifiedNeed,
    Meeting,
    MeetingAttendance,
    Panel,
    PanelMember,
    Seat,
    SeatType,
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


def published_decisions(panel: Panel) -> list[AgendaItem]:
    """Decisions published to the partnership (their meeting's minutes approved)."""
    return list(
        AgendaItem.objects.filter(
            meeting__panel=panel,
            decision_published=True,
            meeting__minutes_approved_at__isnull=False,
        )
        .exclude(decision="")
        .select_related("meeting")
        .order_by("-meeting__starts_at", "position", "pk")
    )


def actions_due_on(partnership: Partnership, days: list[date]) -> list[Action]:
    """Open actions due on one of these days, with owner, meeting and panel."""
    with tenant_scope(partnership):
        return list(
            Action.objects.filter(
                partnership=partnership, status__in=OPEN_ACTION_STATUSES, due_on__in=days
            ).select_related("owner", "meeting__panel")
        )
