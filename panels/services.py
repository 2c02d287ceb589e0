"""Writes about panels, each with its business rule.

Every function validates first and writes inside one transaction, so bad input raises a
ValidationError (shown on the form) and leaves nothing behind. Emails go through the
partnership outbox with a unique key, so a repeated call or task never sends twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record_event
from hubs import services as hub_services
from partnership import icalendar
from partnership.models import Area, Membership, Partnership
from partnership.services import queue_email
from partnership.tenancy import URL_KWARG, tenant_scope

from . import selectors
from .models import (
    Action,
    ActionStatus,
    AgendaItem,
    AttendanceStatus,
    Consultation,
    ConsultationAnswer,
    ConsultationQuestion,
    ConsultationResponse,
    ConsultationSection,
    Evaluation,
    EvaluationJudgement,
    EvidenceLink,
    IdentifiedNeed,
    ItemKind,
    Meeting,
    MeetingAttendance,
    NeedStatus,
    Panel,
    PanelMember,
    Priority,
    Seat,
    SeatType,
    StakeholderGroup,
)

#: Action owners hear this many days before an action is due.
ACTION_REMINDER_DAYS = (7, 1)


def _text(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _site_url(partnership: Partnership, viewname: str, **kwargs: Any) -> str:
    return settings.SITE_URL + reverse(viewname, kwargs={URL_KWARG: partnership.slug, **kwargs})


# --- Panels, seats and terms -------------------------------------------------------------------


def save_panel(
    *,
    actor: Any,
    partnership: Partnership,
    name: str,
    purpose: str,
    area: Area | None = None,
    terms_of_reference: str = "",
    max_consecutive_terms: int = 2,
    term_warning_days: int = 60,
    required_voices: Sequence[str] = (),
    stakeholder_group: str = "",
    panel: Panel | None = None,
) -> Panel:
    """Create or change a panel with its terms of reference and rotation settings."""
    name = _text(name, "name", _("Enter the panel's name."))
    purpose = _text(purpose, "purpose", _("Say what the panel is for."))
    if not max_consecutive_terms or max_consecutive_terms < 1:
        raise ValidationError({"max_consecutive_terms": _("Allow at least one term in a row.")})
    unknown = [v for v in required_voices if v not in SeatType.values]
    if unknown:
        raise ValidationError({"required_voices": _("Choose voices from the list.")})
    if stakeholder_group and stakeholder_group not in (
        StakeholderGroup.STRATEGY_GROUP,
        StakeholderGroup.ADVISORY_BOARD,
    ):
        raise ValidationError({"stakeholder_group": _("Choose a group from the list.")})
    with tenant_scope(partnership), transaction.atomic():
        clash = Panel.objects.filter(partnership=partnership, name__iexact=name)
        if panel is not None:
            clash = clash.exclude(pk=panel.pk)
        if clash.exists():
            raise ValidationError({"name": _("Another panel already has this name.")})
        panel = panel or Panel(partnership=partnership)
        panel.name, panel.area, panel.purpose = name, area, purpose
        panel.terms_of_reference = (terms_of_reference or "").strip()
        panel.max_consecutive_terms = max_consecutive_terms
        panel.term_warning_days = term_warning_days
        panel.required_voices = list(required_voices)
        panel.stakeholder_group = stakeholder_group or ""
        panel.save()
    return panel


def add_seat(*, actor: Any, panel: Panel, seat_type: str, label: str = "") -> Seat:
    """Add a seat of one type to a panel."""
    if seat_type not in SeatType.values:
        raise ValidationError({"seat_type": _("Choose a seat type from the list.")})
    with tenant_scope(panel.partnership_id), transaction.atomic():
        position = (panel.seats.aggregate(m=Max("position"))["m"] or 0) + 1
        return Seat.objects.create(
            partnership_id=panel.partnership_id,
            panel=panel,
            seat_type=seat_type,
            label=(label or "").strip(),
            position=position,
        )


def appoint_member(
    *,
    actor: Any,
    seat: Seat,
    user: Any,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    is_chair: bool = False,
) -> PanelMember:
    """Give a person a seat for a term.

    Refused, with nothing written, when the term overlaps another term on the seat, when
    the person already sits on the panel then, or when it would take them past the
    panel's maximum of consecutive terms.
    """
    if user is None:
        raise ValidationError({"user": _("Choose the person who will hold the seat.")})
    if not starts_on:
        raise ValidationError({"starts_on": _("Enter the date the term starts.")})
    if not ends_on:
        raise ValidationError({"ends_on": _("Enter the date the term ends.")})
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": _("The term must end after it starts.")})
    with tenant_scope(seat.partnership_id), transaction.atomic():
        # Lock the panel so two appointments cannot both pass the overlap check.
        panel = (
            Panel.objects.select_for_update().select_related("partnership").get(pk=seat.panel_id)
        )
        if not Membership.objects.filter(user=user).exists():
            raise ValidationError({"user": _("This person is not a member of the partnership.")})
        overlapping = PanelMember.objects.filter(
            seat=seat, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).select_related("user")
        clash = overlapping.first()
        if clash is not None:
            raise ValidationError(
                _(
                    "This term overlaps %(person)s's term on the same seat "
                    "(%(start)s to %(end)s). A seat holds one person at a time."
                )
                % {
                    "person": clash.user,
                    "start": clash.starts_on.strftime("%d/%m/%Y"),
                    "end": clash.ends_on.strftime("%d/%m/%Y"),
                }
            )
        own_terms = list(PanelMember.objects.filter(seat__panel=panel, user=user))
        if any(t.starts_on <= ends_on and t.ends_on >= starts_on for t in own_terms):
            raise ValidationError(
                {"user": _("This person already sits on the panel during these dates.")}
            )
        new = PanelMember(
            partnership_id=seat.partnership_id,
            seat=seat,
            user=user,
            starts_on=starts_on,
            ends_on=ends_on,
            is_chair=is_chair,
        )
        places = selectors.consecutive_runs([*own_terms, new])
        longest = max(places.values())
        if longest > panel.max_consecutive_terms:
            raise ValidationError(
                _(
                    "This would be %(person)s's term number %(n)s in a row on this panel; "
                    "the panel allows %(max)s. Leave a break of at least %(gap)s days first."
                )
                % {
                    "person": user,
                    "n": longest,
                    "max": panel.max_consecutive_terms,
                    "gap": selectors.CONSECUTIVE_GAP_DAYS + 1,
                }
            )
        new.save()
    return new


def end_term(*, actor: Any, term: PanelMember, ends_on: datetime.date) -> PanelMember:
    """End a term early (a member steps down); the end stays after the start."""
    if ends_on is None or ends_on <= term.starts_on:
        raise ValidationError({"ends_on": _("The term must end after it starts.")})
    if ends_on > term.ends_on:
        raise ValidationError({"ends_on": _("A term can be shortened here, not extended.")})
    with tenant_scope(term.partnership_id), transaction.atomic():
        term.ends_on = ends_on
        term.save(update_fields=["ends_on"])
    return term


# --- Identified needs and calls -------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceInput:
    title: str
    url: str


def record_need(
    *,
    actor: Any,
    panel: Panel,
    title: str,
    description: str,
    priority: str,
    evidence: Sequence[EvidenceInput] = (),
) -> IdentifiedNeed:
    """Record a need the panel has identified for its area, with links to its evidence."""
    title = _text(title, "title", _("Name the need."))
    description = _text(description, "description", _("Say what the evidence shows."))
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority.")})
    with tenant_scope(panel.partnership_id), transaction.atomic():
        need = IdentifiedNeed.objects.create(
            partnership_id=panel.partnership_id,
            panel=panel,
            title=title,
            description=description,
            priority=priority,
            identified_by=actor,
        )
        for item in evidence:
            _add_evidence(need, item)
    return need


def _add_evidence(need: IdentifiedNeed, item: EvidenceInput) -> EvidenceLink:
    title = _text(item.title, "title", _("Give the evidence a title."))
    url = _text(item.url, "url", _("Enter the web address of the evidence."))
    return EvidenceLink.objects.create(
        partnership_id=need.partnership_id, need=need, title=title, url=url
    )


def add_evidence(*, actor: Any, need: IdentifiedNeed, title: str, url: str) -> EvidenceLink:
    with tenant_scope(need.partnership_id), transaction.atomic():
        return _add_evidence(need, EvidenceInput(title=title, url=url))


def parse_criteria(text: str) -> list[hub_services.CriterionInput]:
    """Criteria written one a line as "title | weight"; errors name the line."""
    criteria = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        title, _sep, weight = line.rpartition("|")
        try:
            value = int(weight.strip())
        except ValueError:
            raise ValidationError(
                {
                    "criteria": _(
                        'Line %(n)s: write the criterion as "title | weight", e.g. '
                        '"Quality of the plan | 40".'
                    )
                    % {"n": number}
                }
            ) from None
        criteria.append(hub_services.CriterionInput(title=title.strip(), weight=value))
    if not criteria:
        raise ValidationError({"criteria": _("Add at least one criterion bids will be scored on.")})
    return criteria


def open_call_for_need(
    *,
    actor: Any,
    need: IdentifiedNeed,
    title: str,
    brief: str,
    budget: Decimal,
    deadline: datetime.datetime,
    criteria: Sequence[hub_services.CriterionInput],
) -> Any:
    """Publish a commissioning call (hubs) for a need of the panel's area and link them.

    The call is created and opened in one transaction: if the call is refused (past
    deadline, no criteria...) the need stays as it was.
    """
    panel = need.panel
    if panel.area_id is None:
        raise ValidationError(_("Give the panel an area first: a call is published for an area."))
    with tenant_scope(need.partnership_id), transaction.atomic():
        locked = IdentifiedNeed.objects.select_for_update().get(pk=need.pk)
        if locked.call_id is not None:
            raise ValidationError(_("A call has already been opened for this need."))
        if locked.status == NeedStatus.CLOSED:
            raise ValidationError(_("This need is closed."))
        try:
            with transaction.atomic():
                call = hub_services.save_call(
                    actor=actor,
                    partnership=panel.partnership,
                    title=title,
                    area=panel.area,
                    need=f"{locked.title}\n\n{locked.description}",
                    brief=brief,
                    budget=budget,
                    deadline=deadline,
                    criteria=criteria,
                )
                call = hub_services.open_call(actor=actor, call=call)
        except IntegrityError:
            raise ValidationError(_("The call could not be saved. Check the budget.")) from None
        locked.call = call
        locked.status = NeedStatus.COMMISSIONED
        locked.save(update_fields=["call", "status"])
    return call


def close_need(*, actor: Any, need: IdentifiedNeed) -> IdentifiedNeed:
    with tenant_scope(need.partnership_id), transaction.atomic():
        need.status = NeedStatus.CLOSED
        need.save(update_fields=["status"])
    return need


# --- Meetings -------------------------------------------------------------------


def _check_times(starts_at: datetime.datetime | None, ends_at: datetime.datetime | None) -> None:
    if not starts_at:
        raise ValidationError({"starts_at": _("Enter when the meeting starts.")})
    if not ends_at:
        raise ValidationError({"ends_at": _("Enter when the meeting ends.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})


def schedule_meeting(
    *,
    actor: Any,
    panel: Panel,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
) -> Meeting:
    """A new meeting; open actions from earlier meetings join its agenda as matters arising."""
    _check_times(starts_at, ends_at)
    place = _text(place, "place", _("Say where the meeting is (or the online link)."))
    with tenant_scope(panel.partnership_id), transaction.atomic():
        meeting = Meeting.objects.create(
            partnership_id=panel.partnership_id,
            panel=panel,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
        )
        carry_forward_actions(meeting=meeting)
        send_meeting_invitations(meeting=meeting)
    return meeting


def change_meeting(
    *,
    actor: Any,
    meeting: Meeting,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
) -> Meeting:
    _check_times(starts_at, ends_at)
    place = _text(place, "place", _("Say where the meeting is (or the online link)."))
    with tenant_scope(meeting.partnership_id), transaction.atomic():
        meeting.starts_at, meeting.ends_at, meeting.place = starts_at, ends_at, place
        meeting.sequence += 1  # calendar clients replace their copy
        meeting.save(update_fields=["starts_at", "ends_at", "place", "sequence"])
        send_meeting_invitations(meeting=meeting)
    return meeting


def carry_forward_actions(*, meeting: Meeting) -> int:
    """Put every open action from earlier meetings on this meeting's agenda as a matter
    arising (once per action). Returns how many were added."""
    if meeting.minutes_approved:
        return 0
    with tenant_scope(meeting.partnership_id), transaction.atomic():
        already = set(
            AgendaItem.objects.filter(meeting=meeting, carried_action__isnull=False).values_list(
                "carried_action_id", flat=True
            )
        )
        actions = [
            a
            for a in selectors.open_actions_before(meeting).select_related("owner")
            if a.pk not in already
        ]
        # Matters arising come first on the agenda, before the meeting's own items.
        AgendaItem.objects.bulk_create(
            AgendaItem(
                partnership_id=meeting.partnership_id,
                meeting=meeting,
                position=0,
                kind=ItemKind.MATTERS_ARISING,
                title=_("Matters arising: %(action)s") % {"action": str(action)[:150]},
                presenter=action.owner,
                carried_action=action,
            )
            for action in actions
        )
    return len(actions)


def _next_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(
            panel_id=meeting.panel_id,
            starts_at__gt=meeting.starts_at,
            minutes_approved_at__isnull=True,
        )
        .order_by("starts_at")
        .first()
    )


def _check_minutes_open(meeting: Meeting) -> None:
    if meeting.minutes_approved:
        raise ValidationError(_("The minutes are approved; they cannot be changed."))


def add_agenda_item(
    *,
    actor: Any,
    meeting: Meeting,
    title: str,
    presenter: Any = None,
    paper: str = "",
    for_all_seats: bool = False,
) -> AgendaItem:
    title = _text(title, "title", _("Give the item a title."))
    with tenant_scope(meeting.partnership_id), transaction.atomic():
        _check_minutes_open(meeting)
        position = (meeting.items.aggregate(m=Max("position"))["m"] or 0) + 1
        return AgendaItem.objects.create(
            partnership_id=meeting.partnership_id,
            meeting=meeting,
            position=position,
            title=title,
            presenter=presenter,
            paper=(paper or "").strip(),
            for_all_seats=for_all_seats,
        )


def record_minutes(
    *,
    actor: Any,
    item: AgendaItem,
    minutes: str,
    decision: str = "",
    decision_published: bool = False,
    for_all_seats: bool | None = None,
) -> AgendaItem:
    """Write an item's minutes and decision (draft until the meeting's minutes are approved)."""
    decision = (decision or "").strip()
    if decision_published and not decision:
        raise ValidationError({"decision": _("Write the decision before publishing it.")})
    with tenant_scope(item.partnership_id), transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
        _check_minutes_open(meeting)
        item.minutes = (minutes or "").strip()
        item.decision = decision
        item.decision_published = decision_published
        fields = ["minutes", "decision", "decision_published"]
        if for_all_seats is not None:
            item.for_all_seats = for_all_seats
            fields.append("for_all_seats")
        item.save(update_fields=fields)
    return item


def approve_minutes(*, actor: Any, meeting: Meeting) -> Meeting:
    """Approve the meeting's minutes: members then see them, published decisions go out."""
    with tenant_scope(meeting.partnership_id), transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _check_minutes_open(locked)
        if not AgendaItem.objects.filter(meeting=locked).exclude(minutes="").exists():
            raise ValidationError(_("Write the minutes of at least one item first."))
        locked.minutes_approved_at = timezone.now()
        locked.minutes_approved_by = actor
        locked.save(update_fields=["minutes_approved_at", "minutes_approved_by"])
    return locked


def record_attendance(
    *, actor: Any, meeting: Meeting, statuses: dict[Any, str]
) -> list[MeetingAttendance]:
    """Who came and who sent apologies ({person: status}); replaces the earlier record."""
    for status in statuses.values():
        if status not in AttendanceStatus.values:
            raise ValidationError(_("Choose present, apologies or absent for each person."))
    with tenant_scope(meeting.partnership_id), transaction.atomic():
        _check_minutes_open(meeting)
        MeetingAttendance.objects.filter(meeting=meeting).delete()
        return MeetingAttendance.objects.bulk_create(
            MeetingAttendance(
                partnership_id=meeting.partnership_id, meeting=meeting, user=user, status=status
            )
            for user, status in statuses.items()
        )


def record_action(
    *,
    actor: Any,
    meeting: Meeting,
    description: str,
    owner: Any,
    due_on: datetime.date | None,
) -> Action:
    """An action agreed at a meeting. It needs an owner and a due date; while open it
    carries forward to the next meeting as a matter arising."""
    description = _text(description, "description", _("Say what will be done."))
    if owner is None:
        raise ValidationError({"owner": _("Choose who owns the action.")})
    if due_on is None:
        raise ValidationError({"due_on": _("Enter the date the action is due.")})
    with tenant_scope(meeting.partnership_id), transaction.atomic():
        if not Membership.objects.filter(user=owner).exists():
            raise ValidationError({"owner": _("The owner must be a member of the partnership.")})
        action = Action.objects.create(
            partnership_id=meeting.partnership_id,
            meeting=meeting,
            description=description,
            owner=owner,
            due_on=due_on,
        )
        following = _next_meeting(meeting)
        if following is not None:
            carry_forward_actions(meeting=following)
    return action


def update_action(*, actor: Any, action: Action, status: str) -> Action:
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    with tenant_scope(action.partnership_id), transaction.atomic():
        action.status = status
        action.save(update_fields=["status", "updated_at"])
    return action


def meeting_calendar(meeting: Meeting, *, stamp: datetime.datetime | None = None) -> str:
    """The meeting as an iCalendar file, with the panel's current members as attendees."""
    panel = meeting.panel
    host = settings.SITE_URL.split("://")[-1].split("/")[0].split(":")[0] or "portal"
    day = timezone.localdate(meeting.starts_at)
    members = PanelMember.objects.filter(
        seat__panel=panel, starts_on__lte=day, ends_on__gte=day
    ).select_related("user")
    people = {m.user_id: m.user for m in members}
    return icalendar.calendar(
        [
            icalendar.Event(
                uid=f"panel-meeting-{meeting.pk}@{host}",
                sequence=meeting.sequence,
                starts=meeting.starts_at,
                ends=meeting.ends_at,
                summary=_("%(panel)s meeting") % {"panel": panel.name},
                location=meeting.place,
                description=panel.purpose,
                url=_site_url(panel.partnership, "panels:meeting_detail", pk=meeting.pk),
                attendees=tuple(
                    icalendar.Attendee(u.get_full_name(), u.email) for u in people.values()
                ),
            )
        ],
        stamp=stamp,
    )


def send_meeting_invitations(*, meeting: Meeting) -> int:
    """Email each member of the panel on the meeting's day an invitation with the meeting's
    .ics file attached. Once per person and version of the meeting (the outbox key holds the
    calendar sequence), so a changed date or place sends an update and a repeat sends
    nothing. Returns how many people were written to."""
    panel = meeting.panel
    partnership = panel.partnership
    day = timezone.localdate(meeting.starts_at)
    terms = PanelMember.objects.filter(
        seat__panel=panel, starts_on__lte=day, ends_on__gte=day
    ).select_related("user")
    people = {t.user_id: t.user for t in terms if t.user.email}
    if not people:
        return 0
    stamp = timezone.now()
    url = _site_url(partnership, "panels:meeting_detail", pk=meeting.pk)
    for person in people.values():
        with translation.override(person.language or partnership.default_language):
            ics = meeting_calendar(meeting, stamp=stamp)
            subject = _("%(panel)s meeting: %(date)s") % {
                "panel": panel.name,
                "date": timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y %H:%M"),
            }
            if meeting.sequence:
                subject = _("Changed: %(subject)s") % {"subject": subject}
            queue_email(
                partnership=partnership,
                key=f"panels:meeting-invitation:{meeting.pk}:{meeting.sequence}:{person.pk}",
                to=person.email,
                subject=subject,
                template="panels/email/meeting_invitation.txt",
                context={
                    "meeting": meeting,
                    "panel": panel,
                    "person": person,
                    "partnership": partnership,
                    "url": url,
                    "changed": bool(meeting.sequence),
                },
                attachments=[
                    {
                        "filename": f"panel-meeting-{day:%Y-%m-%d}.ics",
                        "content": ics,
                        "mimetype": "text/calendar",
                    }
                ],
            )
    return len(people)


def send_action_reminders(*, partnership: Partnership, today: datetime.date | None = None) -> int:
    """Remind owners of open actions due in 7 days and tomorrow; once per action, due date
    and day (the outbox key), so running twice sends nothing new."""
    today = today or timezone.localdate()
    days = {today + datetime.timedelta(days=n): n for n in ACTION_REMINDER_DAYS}
    sent = 0
    for action in selectors.actions_due_on(partnership, list(days)):
        days_before = days[action.due_on]
        owner = action.owner
        with translation.override(owner.language or partnership.default_language):
            queue_email(
                partnership=partnership,
                key=f"panels:action-reminder:{action.pk}:{action.due_on:%Y%m%d}:{days_before}",
                to=owner.email,
                subject=_("Action due %(date)s: %(panel)s")
                % {"date": action.due_on.strftime("%d/%m/%Y"), "panel": action.meeting.panel},
                template="panels/email/action_reminder.txt",
                context={
                    "action": action,
                    "owner": owner,
                    "partnership": partnership,
                    "days_before": days_before,
                    "url": _site_url(partnership, "panels:meeting_detail", pk=action.meeting_id),
                },
            )
        sent += 1
    return sent


# --- Evaluation review ---------------------------------------------------------------------------


def record_evaluation(
    *,
    actor: Any,
    panel: Panel,
    kind: str,
    subject_id: int,
    judgement: str,
    rationale: str,
    request: Any = None,
) -> Evaluation:
    """The panel's judgement (continue, change or stop) on a programme or a support
    agreement of its area, with its rationale and the impact results it saw. Earlier
    judgements stay; the newest is the panel's current view. Published at once."""
    if judgement not in EvaluationJudgement.values:
        raise ValidationError({"judgement": _("Choose continue, change or stop.")})
    rationale = _text(rationale, "rationale", _("Give the reasons for the judgement."))
    with tenant_scope(panel.partnership_id), transaction.atomic():
        row = selectors.impact_row(panel, kind, subject_id)
        if row is None:
            raise ValidationError(
                _("This programme or agreement is not one the panel reviews for its area.")
            )
        evaluation = Evaluation.objects.create(
            partnership_id=panel.partnership_id,
            panel=panel,
            programme=row.subject if kind == "programme" else None,
            agreement=row.subject if kind == "agreement" else None,
            judgement=judgement,
            rationale=rationale,
            evidence=row.evidence_text(),
            decided_by=actor,
        )
        record_event(
            partnership=panel.partnership_id,
            actor=actor,
            action="panels.evaluation_recorded",
            target=evaluation,
            detail={"panel": panel.pk, "kind": kind, "subject": subject_id, "judgement": judgement},
            request=request,
        )
    return evaluation


# --- Consultations -----------------------------------------------------------------------------


def _check_window(opens_at: datetime.datetime | None, closes_at: datetime.datetime | None) -> None:
    if not opens_at:
        raise ValidationError({"opens_at": _("Enter when responses open.")})
    if not closes_at:
        raise ValidationError({"closes_at": _("Enter when responses close.")})
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": _("Responses must close after they open.")})


def save_consultation(
    *,
    actor: Any,
    partnership: Partnership,
    title: str,
    summary: str,
    groups: Sequence[str],
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    panel: Panel | None = None,
    consultation: Consultation | None = None,
) -> Consultation:
    """Create or change a consultation: its paper's title and summary, the stakeholder
    groups invited and the window for responses. Once responses have come in, groups can
    only be added and the window only extended, so no response is lost."""
    title = _text(title, "title", _("Give the consultation a title."))
    summary = _text(summary, "summary", _("Say why the partnership is consulting."))
    groups = [g for g in StakeholderGroup.values if g in set(groups or ())]
    if not groups:
        raise ValidationError({"groups": _("Invite at least one stakeholder group.")})
    _check_window(opens_at, closes_at)
    with tenant_scope(partnership), transaction.atomic():
        clash = Consultation.objects.filter(partnership=partnership, title__iexact=title)
        if consultation is not None:
            clash = clash.exclude(pk=consultation.pk)
        if clash.exists():
            raise ValidationError({"title": _("Another consultation already has this title.")})
        if consultation is not None and consultation.responses.exists():
            answered = set(consultation.responses.values_list("group", flat=True))
            if answered - set(groups):
                raise ValidationError(
                    {"groups": _("A group that has already responded cannot be removed.")}
                )
            if closes_at < consultation.closes_at:
                raise ValidationError(
                    {"closes_at": _("Responses have come in: the window can be extended only.")}
                )
        consultation = consultation or Consultation(partnership=partnership, created_by=actor)
        consultation.title, consultation.summary, consultation.panel = title, summary, panel
        consultation.groups = groups
        consultation.opens_at, consultation.closes_at = opens_at, closes_at
        consultation.save()
    return consultation


def _check_paper_open(consultation: Consultation) -> None:
    if consultation.responses.exists():
        raise ValidationError(
            _("Responses have come in: the paper's sections and questions can no longer change.")
        )


def add_section(
    *, actor: Any, consultation: Consultation, heading: str, body: str = ""
) -> ConsultationSection:
    heading = _text(heading, "heading", _("Give the section a heading."))
    with tenant_scope(consultation.partnership_id), transaction.atomic():
        _check_paper_open(consultation)
        position = (consultation.sections.aggregate(m=Max("position"))["m"] or 0) + 1
        return ConsultationSection.objects.create(
            partnership_id=consultation.partnership_id,
            consultation=consultation,
            position=position,
            heading=heading,
            body=(body or "").strip(),
        )


def add_question(*, actor: Any, section: ConsultationSection, text: str) -> ConsultationQuestion:
    text = _text(text, "text", _("Write the question."))
    consultation = section.consultation
    with tenant_scope(section.partnership_id), transaction.atomic():
        _check_paper_open(consultation)
        position = (consultation.questions.aggregate(m=Max("position"))["m"] or 0) + 1
        return ConsultationQuestion.objects.create(
            partnership_id=section.partnership_id,
            section=section,
            consultation=consultation,
            position=position,
            text=text,
        )


def submit_response(
    *,
    actor: Any,
    consultation: Consultation,
    group: str,
    answers: dict[int, str],
    now: datetime.datetime | None = None,
) -> ConsultationResponse:
    """Record one person's response (answers by question id) for one of their invited
    groups. Refused, with nothing written, before the window opens, after it closes, when
    the person has already responded, or with no answer at all; the caller keeps the
    person's text to show again."""
    from . import policies

    now = now or timezone.now()
    if now < consultation.opens_at:
        raise ValidationError(
            _("Responses open on %(date)s.")
            % {"date": timezone.localtime(consultation.opens_at).strftime("%d/%m/%Y %H:%M")}
        )
    if consultation.has_closed(now):
        raise ValidationError(
            _(
                "The consultation closed on %(date)s: responses are no longer accepted. "
                "Your answers are shown below so you can keep a copy."
            )
            % {"date": timezone.localtime(consultation.closes_at).strftime("%d/%m/%Y %H:%M")}
        )
    texts = {int(k): (v or "").strip() for k, v in answers.items()}
    with tenant_scope(consultation.partnership_id), transaction.atomic():
        if group not in policies.invited_groups_of(actor, consultation):
            raise ValidationError({"group": _("Choose a group you belong to that is invited.")})
        questions = set(consultation.questions.values_list("pk", flat=True))
        if set(texts) - questions:
            raise ValidationError(_("Answer the questions of this consultation only."))
        given = {k: v for k, v in texts.items() if v}
        if not given:
            raise ValidationError(_("Answer at least one question."))
        if ConsultationResponse.objects.filter(
            consultation=consultation, respondent=actor
        ).exists():
            raise ValidationError(_("You have already responded to this consultation."))
        try:
            with transaction.atomic():
                response = ConsultationResponse.objects.create(
                    partnership_id=consultation.partnership_id,
                    consultation=consultation,
                    respondent=actor,
                    group=group,
                    submitted_at=now,
                )
        except IntegrityError:  # a second submission that raced the first
            raise ValidationError(_("You have already responded to this consultation.")) from None
        ConsultationAnswer.objects.bulk_create(
            ConsultationAnswer(
                partnership_id=consultation.partnership_id,
                response=response,
                question_id=question_id,
                text=text,
            )
            for question_id, text in given.items()
        )
    return response
