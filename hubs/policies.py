"""Who may see and change hubs, programmes, enrolments and commissions (web and API alike).

- partnership admin: designates hubs, sets SLAs, reviews re-designation, runs calls;
- hub lead (a `hub_lead` membership whose school is one of the hub's schools): edits their
  own hub's delivery (deliverables, evidence, budget) and programmes, keeps registers;
- headteacher: enrols their own school's staff, bids for their own school;
- governor: reads their school's hub, never changes anything.
"""

from __future__ import annotations

from typing import Any

import rules

from panels import policies as panel_policies
from partnership.models import Role
from partnership.policies import (
    has_role,
    is_member,
    is_partnership_admin,
    is_staff_role,
    school_ids_with_role,
)

from .models import Bid, Call, CallStatus, Document, DocumentKind, Hub, Programme


def hub_school_ids(hub: Hub) -> set[int]:
    """The hub's school ids, from a prefetch when there is one, else one query cached on it."""
    cached = getattr(hub, "_school_ids", None)
    if cached is None:
        prefetched = getattr(hub, "_prefetched_objects_cache", {}).get("schools")
        if prefetched is not None:
            cached = {s.pk for s in prefetched}
        else:
            cached = set(hub.schools.values_list("pk", flat=True))
        hub._school_ids = cached
    return cached


def _hub_of(obj: Any) -> Hub:
    return obj if isinstance(obj, Hub) else obj.hub


@rules.predicate
def is_hub_lead_of(user: Any, obj: Any) -> bool:
    """A hub lead of one of the hub's schools (obj: a hub or anything with `.hub`)."""
    hub = _hub_of(obj)
    led = school_ids_with_role(user, hub, Role.HUB_LEAD)
    return bool(led and led & hub_school_ids(hub))


@rules.predicate
def is_headteacher_of_hub_school(user: Any, hub: Any) -> bool:
    heads = school_ids_with_role(user, hub, Role.HEADTEACHER)
    return bool(heads and heads & hub_school_ids(_hub_of(hub)))


@rules.predicate
def is_governor_of_hub_school(user: Any, hub: Any) -> bool:
    governs = school_ids_with_role(user, hub, Role.GOVERNOR)
    return bool(governs and governs & hub_school_ids(_hub_of(hub)))


@rules.predicate
def is_panel_member(user: Any, obj: Any) -> bool:
    return has_role(user, obj, Role.PANEL_MEMBER)


@rules.predicate
def is_headteacher(user: Any, obj: Any) -> bool:
    return has_role(user, obj, Role.HEADTEACHER)


@rules.predicate
def is_any_hub_lead(user: Any, obj: Any) -> bool:
    return has_role(user, obj, Role.HUB_LEAD)


# --- Hubs -------------------------------------------------------------------------------

can_view_hubs = is_member
can_manage_hubs = is_partnership_admin
#: Funding, deliverables, budget and evidence: those who oversee or belong to the hub.
can_view_hub_agreement = (
    is_staff_role
    | is_panel_member
    | is_hub_lead_of
    | is_headteacher_of_hub_school
    | is_governor_of_hub_school
)
#: Progress on deliverables, evidence and spend: the hub's own leads, and the admin.
can_edit_hub_delivery = is_partnership_admin | is_hub_lead_of
can_review_hub = is_partnership_admin
#: Every hub's funding, spend and results side by side (obj: the partnership or an area);
#: one hub's figures follow can_view_hub_agreement.
can_view_value_for_money = is_staff_role | is_panel_member
#: For templates: {% test_rule "hubs.view_value_for_money" user partnership as show %}
rules.set_rule("hubs.view_value_for_money", can_view_value_for_money)


# --- Programmes and enrolment -------------------------------------------------------------


@rules.predicate
def programme_is_published(user: Any, programme: Programme) -> bool:
    return programme.status != "draft"


can_create_programme = is_partnership_admin | is_hub_lead_of  # obj: the hub
can_edit_programme = is_partnership_admin | is_hub_lead_of  # obj: the programme
can_view_programme = (is_member & programme_is_published) | can_edit_programme
#: Seeing every enrolment and the waiting list (others see their own school's only).
can_view_all_enrolments = can_edit_programme | is_staff_role
can_enrol = is_headteacher  # obj: the programme; the school is checked by can_enrol_for


@rules.predicate
def can_enrol_for(user: Any, school: Any) -> bool:
    """Only a school's own headteacher enrols its staff."""
    return school.pk in school_ids_with_role(user, school, Role.HEADTEACHER)


@rules.predicate
def can_cancel_enrolment(user: Any, enrolment: Any) -> bool:
    if enrolment.school_id in school_ids_with_role(user, enrolment, Role.HEADTEACHER):
        return True
    return bool(can_edit_programme(user, enrolment.programme))


can_keep_register = is_partnership_admin | is_hub_lead_of  # obj: the programme


# --- Commissioning --------------------------------------------------------------------------

#: A call a panel opened from one of its needs is decided by that panel: its chair awards
#: it (with the admin), its full members score the bids (panels.policies holds the rule).
can_manage_calls = is_partnership_admin
can_decide_call = is_partnership_admin | panel_policies.is_decider_for_call


@rules.predicate
def call_is_published(user: Any, call: Call) -> bool:
    return call.status != CallStatus.DRAFT


can_view_call = (is_member & call_is_published) | can_manage_calls
can_bid = is_headteacher  # obj: the call; the school is checked by can_bid_for


@rules.predicate
def can_bid_for(user: Any, school: Any) -> bool:
    return school.pk in school_ids_with_role(user, school, Role.HEADTEACHER)


@rules.predicate
def is_bidder(user: Any, bid: Bid) -> bool:
    """The bidding school's headteacher (or hub lead), or whoever submitted the bid."""
    schools = school_ids_with_role(user, bid, Role.HEADTEACHER, Role.HUB_LEAD)
    return bid.school_id in schools or (bid.submitted_by_id == user.pk and is_member(user, bid))


can_score_bid = can_decide_call | panel_policies.is_scorer_for_call
can_view_bid = can_score_bid | is_bidder


# --- Files ----------------------------------------------------------------------------------


@rules.predicate
def can_download_document(user: Any, document: Document) -> bool:
    if document.kind == DocumentKind.EVIDENCE:
        return bool(can_view_hub_agreement(user, document.deliverable.agreement.hub))
    return bool(can_view_bid(user, document.bid))
