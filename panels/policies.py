"""Who may see and change panels, their papers, needs and meetings (web and API alike).

- partnership admin: creates panels, seats and terms; does everything a chair does;
- chair (a current term marked as chair): runs meetings, minutes, actions; opens calls;
- panel member (a current term on the panel): reads the panel's papers and approved
  minutes, records needs; a pupil or governor member reads only the items marked for them;
- anyone else in the partnership: the panel's purpose, members and published decisions.
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils import timezone

from partnership.policies import is_member, is_partnership_admin

from .models import (
    RESTRICTED_SEAT_TYPES,
    Action,
    AgendaItem,
    IdentifiedNeed,
    Meeting,
    Panel,
    PanelMember,
)


def panel_of(obj: Any) -> Panel:
    """The panel a row belongs to (a panel, need, meeting, agenda item or action)."""
    if isinstance(obj, Panel):
        return obj
    if isinstance(obj, IdentifiedNeed | Meeting):
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

# --- Needs and calls -------------------------------------------------------------------

can_record_need = can_run_panel | (is_panel_member & ~is_restricted_member)
can_view_needs = can_view_all_papers
#: Opening a commissioning call from a need: the chair or the admin.
can_open_call = can_run_panel
