"""Who may see and change panels, their papers, needs and meetings (web and API alike).

- partnership admin: creates panels, seats and terms; does everything a chair does;
- chair (a current term marked as chair): runs meetings, minutes, actions; opens calls;
- panel member (a current term on the panel): reads the panel's papers and approved
  minutes, records needs and the actions agreed at a meeting; a pupil or governor
  member reads only the items marked for them;
- anyone else in the partnership: the panel's purpose, members and published decisions
  (decisions in approved minutes marked for publication, and evaluation judgements);
- consultations: the admin (or the leading panel's chair) writes them and reads the
  collated responses; the invited stakeholder groups read the paper and respond;
- commissioning calls a panel opened from one of its needs: its full members score the
  bids, its chair awards the call (hubs.policies asks `is_scorer_for_call` and
  `is_decider_for_call`).
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils import timezone

from partnership.models import Role
from partnership.policies import has_role, is_member, is_partnership_admin

from .models import (
    RESTRICTED_SEAT_TYPES,
    Action,
    AgendaItem,
    Consultation,
    ConsultationResponse,
    Evaluation,
    IdentifiedNeed,
    Meeting,
    Panel,
    PanelMember,
)


def panel_of(obj: Any) -> Panel:
    """The panel a row belongs to (a panel, need, meeting, agenda item or action)."""
    if isinstance(obj, Panel):
        return obj
    if isinstance(obj, IdentifiedNeed | Meeting | Evaluation):
        return obj.panel
    if isinstance(obj, AgendaItem | Action):
        return obj.meeting.panel
    raise TypeError(f"No panel for {obj!r}")


def current_terms(user: Any, panel: Panel) -> list[PanelMember]:
    """The user's current terms on the panel, read once per user and panel per request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cache: dict[int, list[PanelMember]] = user.__dict__.setdefault("_panel_terms", {})
    if panel.pk not in cache:
        today = timezone.localdate()
        cache[panel.pk] = list(
            PanelMember.objects.filter(
                seat__panel=panel, user=user, starts_on__lte=today, ends_on__gte=today
            ).select_related("seat")
        )
    return cache[panel.pk]


@rules.predicate
def is_panel_member(user: Any, obj: Any) -> bool:
    return bool(current_terms(user, panel_of(obj)))


@rules.predicate
def is_panel_chair(user: Any, obj: Any) -> bool:
    return any(term.is_chair for term in current_terms(user, panel_of(obj)))


@rules.predicate
def is_restricted_member(user: Any, obj: Any) -> bool:
    """A pupil or governor member with no other seat on the panel."""
    terms = current_terms(user, panel_of(obj))
    return bool(terms) and all(t.seat.seat_type in RESTRICTED_SEAT_TYPES for t in terms)


@rules.predicate
def item_is_for_all_seats(user: Any, item: AgendaItem) -> bool:
    return item.for_all_seats


@rules.predicate
def minutes_are_approved(user: Any, obj: Any) -> bool:
    meeting = obj if isinstance(obj, Meeting) else obj.meeting
    return meeting.minutes_approved


@rules.predicate
def decision_is_published(user: Any, item: AgendaItem) -> bool:
    return item.decision_published and bool(item.decision) and item.meeting.minutes_approved


# --- Panels and seats -------------------------------------------------------------------

can_view_panels = is_member
can_manage_panels = is_partnership_admin  # obj: the partnership or a panel
#: Runs the panel's business: meetings, minutes, actions, calls.
can_run_panel = is_partnership_admin | is_panel_chair
#: The composition check and rotation warnings.
can_view_composition = is_partnership_admin | is_panel_chair

# --- Papers -------------------------------------------------------------------

#: Needs, meetings and their agendas (obj: the panel or a meeting).
can_view_papers = is_partnership_admin | is_panel_member
can_view_all_papers = can_run_panel | (is_panel_member & ~is_restricted_member)
#: One agenda item's paper: full members see all, pupils and governors only what is marked.
can_view_item = can_view_all_papers | (is_panel_member & item_is_for_all_seats)
#: Minutes stay with the chair and the admin until the panel approves them.
can_view_minutes = can_run_panel | (can_view_item & minutes_are_approved)
#: A published decision (after the minutes are approved) is for everyone in the partnership.
can_view_decision = can_view_minutes | (is_member & decision_is_published)

#: Actions agreed at a meeting: any full member may record one (the chair runs the rest).
can_record_action = can_run_panel | (is_panel_member & ~is_restricted_member)

# --- Needs and calls -------------------------------------------------------------------

can_record_need = can_run_panel | (is_panel_member & ~is_restricted_member)
can_view_needs = can_view_all_papers
#: Opening a commissioning call from a need: the chair or the admin.
can_open_call = can_run_panel

# --- Evaluation review -----------------------------------------------------------------------

#: The impact results of the area's programmes and support, and the panel's judgements.
can_view_evaluations = can_view_all_papers
#: Recording a judgement (continue, change, stop) is the panel's decision: chair or admin.
can_record_evaluation = can_run_panel
#: The partnership's list of published decisions (obj: the partnership).
can_view_published_decisions = is_member


# --- Consultations ----------------------------------------------------------------------------


def stakeholder_groups_of(user: Any, partnership: Any) -> list[str]:
    """The stakeholder groups the user belongs to in this partnership, read once per request:
    staff (admin, challenge advisers, hub leads), headteachers, and the strategy group and
    advisory board (current members of the panel that forms each group)."""
    from .models import StakeholderGroup

    if not getattr(user, "is_authenticated", False):
        return []
    cache: dict[int, list[str]] = user.__dict__.setdefault("_stakeholder_groups", {})
    key = getattr(partnership, "partnership_id", None) or partnership.pk
    if key not in cache:
        groups = []
        staff = (Role.PARTNERSHIP_ADMIN, Role.SENIOR_CA, Role.CHALLENGE_ADVISER, Role.HUB_LEAD)
        if has_role(user, partnership, *staff):
            groups.append(StakeholderGroup.STAFF.value)
        if has_role(user, partnership, Role.HEADTEACHER):
            groups.append(StakeholderGroup.HEADTEACHERS.value)
        today = timezone.localdate()
        formed = set(
            PanelMember.objects.filter(
                user=user,
                partnership_id=key,
                starts_on__lte=today,
                ends_on__gte=today,
                seat__panel__is_active=True,
            )
            .exclude(seat__panel__stakeholder_group="")
            .values_list("seat__panel__stakeholder_group", flat=True)
        )
        groups += [g for g in StakeholderGroup.values if g in formed]
        cache[key] = groups
    return cache[key]


def invited_groups_of(user: Any, consultation: Consultation) -> list[str]:
    """The user's groups that the consultation invites (they respond for one of them)."""
    mine = stakeholder_groups_of(user, consultation)
    return [g for g in consultation.groups if g in mine]


@rules.predicate
def is_invited(user: Any, consultation: Consultation) -> bool:
    return bool(invited_groups_of(user, consultation))


@rules.predicate
def is_leading_panel_chair(user: Any, consultation: Consultation) -> bool:
    panel = consultation.panel
    return panel is not None and any(t.is_chair for t in current_terms(user, panel))


@rules.predicate
def has_opened(user: Any, consultation: Consultation) -> bool:
    return consultation.opens_at <= timezone.now()


can_create_consultation = is_partnership_admin  # obj: the partnership
#: Sections, questions, dates and the collated responses with their exports.
can_manage_consultation = is_partnership_admin | is_leading_panel_chair
can_view_collation = can_manage_consultation
#: The discussion paper: those invited, once it has opened.
can_view_consultation = can_manage_consultation | (is_invited & has_opened)
#: Responding: invited people (the window and duplicates are checked by the service).
can_respond = is_invited


@rules.predicate
def is_respondent(user: Any, response: ConsultationResponse) -> bool:
    return response.respondent_id == user.pk


# --- Commissioning calls a panel opened ------------------------------------------------------


def seats_on_calling_panels(user: Any, call: Any) -> list[tuple[str, bool]]:
    """(seat type, is chair) of each current term the user holds on an active panel that
    opened this call from one of its identified needs. One query per user and partnership
    per request, however many calls are checked (a list of bids asks for each)."""
    if not getattr(user, "is_authenticated", False) or call is None:
        return []
    cache: dict[int, dict[int, list[tuple[str, bool]]]] = user.__dict__.setdefault(
        "_calling_panel_seats", {}
    )
    if call.partnership_id not in cache:
        today = timezone.localdate()
        by_call: dict[int, list[tuple[str, bool]]] = {}
        rows = (
            PanelMember.objects.filter(
                user=user,
                partnership_id=call.partnership_id,
                starts_on__lte=today,
                ends_on__gte=today,
                seat__panel__is_active=True,
                seat__panel__needs__call_id__isnull=False,
            )
            .order_by()
            .values_list("seat__panel__needs__call_id", "seat__seat_type", "is_chair")
        )
        for call_id, seat_type, is_chair in rows:
            by_call.setdefault(call_id, []).append((seat_type, is_chair))
        cache[call.partnership_id] = by_call
    return cache[call.partnership_id].get(call.pk, [])


def _call_of(obj: Any) -> Any:
    from hubs.models import Bid, Call

    if isinstance(obj, Call):
        return obj
    if isinstance(obj, Bid):
        return obj.call
    return None  # a partnership: no one call, so no panel decides it


@rules.predicate
def is_scorer_for_call(user: Any, obj: Any) -> bool:
    """A full member (not only a pupil or governor seat) of the panel that opened the call."""
    seats = seats_on_calling_panels(user, _call_of(obj))
    return any(seat_type not in RESTRICTED_SEAT_TYPES for seat_type, _chair in seats)


@rules.predicate
def is_decider_for_call(user: Any, obj: Any) -> bool:
    """The chair of the panel that opened the call."""
    return any(is_chair for _type, is_chair in seats_on_calling_panels(user, _call_of(obj)))
