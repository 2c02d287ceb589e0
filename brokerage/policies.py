"""Who may see and do what in brokerage. Used by the web views and the API alike.

- A headteacher logs and edits its own school's needs and offers, confirms or declines
  agreements its school is part of, and logs delivery.
- The school's challenge adviser (School.challenge_adviser, a partner CA counts), any
  senior CA and partnership admins broker: they see the board and suggestions, record
  overrides and declines, make and close agreements. They may log needs and offers for
  the schools they broker for.
- A governor reads its school's needs and agreements, nothing else.
- Staff roles (admin, senior CA, CA) see the partnership's brokerage dashboard; a school's
  page shows the support it received and gave to staff roles and to the school itself.
- Support categories of needs' schools are shown only where schools.policies allows it.
"""

from __future__ import annotations

from typing import Any

import rules

from partnership.models import Role
from partnership.policies import (
    is_partnership_admin,
    is_senior_ca,
    is_staff_role,
    school_ids_with_role,
)
from schools.policies import can_see_all_categories, can_view_category, is_ca_for

__all__ = ["can_see_all_categories", "can_view_category"]


# --- About a school ------------------------------------------------------------------


@rules.predicate
def is_broker_for(user: Any, school: Any) -> bool:
    """May broker support for this school: its CA, a senior CA or a partnership admin."""
    return bool(is_partnership_admin(user, school) or is_ca_for(user, school))


@rules.predicate
def is_headteacher_of_school(user: Any, school: Any) -> bool:
    return school.pk in school_ids_with_role(user, school, Role.HEADTEACHER)


@rules.predicate
def is_own_school(user: Any, school: Any) -> bool:
    return school.pk in school_ids_with_role(user, school, Role.HEADTEACHER, Role.GOVERNOR)


can_log_for_school = is_headteacher_of_school | is_broker_for
#: "Support received and given" on a school's page: staff roles and the school itself
#: (its headteachers and governors), who may also open every agreement listed there.
can_view_school_support = is_staff_role | is_own_school


# --- The section as a whole (takes the partnership) ------------------------------------


@rules.predicate
def has_own_school(user: Any, partnership: Any) -> bool:
    return bool(school_ids_with_role(user, partnership, Role.HEADTEACHER, Role.GOVERNOR))


@rules.predicate
def is_any_headteacher(user: Any, partnership: Any) -> bool:
    return bool(school_ids_with_role(user, partnership, Role.HEADTEACHER))


#: The brokerage board: challenge advisers (their caseload), senior CAs and admins (all).
can_use_board = is_staff_role
#: The "needs and offers" pages and the nav link.
can_open_brokerage = is_staff_role | has_own_school
can_log_needs = is_staff_role | is_any_headteacher
#: Senior CAs and admins broker for every school; a CA for the schools of its caseload.
sees_every_school = is_partnership_admin | is_senior_ca
#: The partnership's brokerage dashboard (figures across every school): staff roles.
can_view_dashboard = is_staff_role


# --- Needs -------------------------------------------------------------------------------


@rules.predicate
def need_is_open(user: Any, need: Any) -> bool:
    return need.status == "open"


@rules.predicate
def is_broker_for_need(user: Any, need: Any) -> bool:
    return is_broker_for(user, need.school)


@rules.predicate
def can_edit_need_school(user: Any, need: Any) -> bool:
    return can_log_for_school(user, need.school)


@rules.predicate
def can_read_need_school(user: Any, need: Any) -> bool:
    return bool(is_staff_role(user, need) or is_own_school(user, need.school))


can_view_need = can_read_need_school | is_broker_for_need
can_edit_need = can_edit_need_school & need_is_open
can_withdraw_need = can_edit_need_school & need_is_open
#: Suggestions, overrides, declines and agreements for a need.
can_broker_need = is_broker_for_need & need_is_open


@rules.predicate
def can_view_need_category(user: Any, need: Any) -> bool:
    return can_view_category(user, need.school)


# --- Offers ------------------------------------------------------------------------------


@rules.predicate
def offer_is_open(user: Any, offer: Any) -> bool:
    return offer.status == "open"


@rules.predicate
def can_edit_offer_school(user: Any, offer: Any) -> bool:
    return can_log_for_school(user, offer.school)


@rules.predicate
def is_headteacher_of_offer_school(user: Any, offer: Any) -> bool:
    return is_headteacher_of_school(user, offer.school)


can_view_offer = is_staff_role | is_headteacher_of_offer_school | can_edit_offer_school
can_edit_offer = can_edit_offer_school & offer_is_open


# --- Agreements --------------------------------------------------------------------------


@rules.predicate
def is_provider_headteacher(user: Any, agreement: Any) -> bool:
    return agreement.provider_id in school_ids_with_role(user, agreement, Role.HEADTEACHER)


@rules.predicate
def is_receiver_headteacher(user: Any, agreement: Any) -> bool:
    return agreement.receiving_school_id in school_ids_with_role(user, agreement, Role.HEADTEACHER)


@rules.predicate
def is_party_to(user: Any, agreement: Any) -> bool:
    """Headteacher or governor of the provider or the receiving school."""
    own = school_ids_with_role(user, agreement, Role.HEADTEACHER, Role.GOVERNOR)
    return agreement.provider_id in own or agreement.receiving_school_id in own


@rules.predicate
def is_broker_for_agreement(user: Any, agreement: Any) -> bool:
    return is_broker_for(user, agreement.receiving_school)


@rules.predicate
def agreement_is_proposed(user: Any, agreement: Any) -> bool:
    return agreement.status == "proposed"


@rules.predicate
def agreement_is_live(user: Any, agreement: Any) -> bool:
    return agreement.status in ("proposed", "active")


@rules.predicate
def agreement_is_active(user: Any, agreement: Any) -> bool:
    return agreement.status == "active"


@rules.predicate
def awaits_my_confirmation(user: Any, agreement: Any) -> bool:
    return bool(
        (is_provider_headteacher(user, agreement) and not agreement.provider_confirmed_at)
        or (is_receiver_headteacher(user, agreement) and not agreement.receiver_confirmed_at)
    )


is_agreement_headteacher = is_provider_headteacher | is_receiver_headteacher
can_view_agreement = is_staff_role | is_party_to | is_broker_for_agreement
can_confirm_agreement = agreement_is_live & awaits_my_confirmation
can_decline_agreement = agreement_is_proposed & is_agreement_headteacher
can_log_session = agreement_is_live & (is_agreement_headteacher | is_broker_for_agreement)
can_close_agreement = agreement_is_active & is_broker_for_agreement

#: For templates: {% test_rule "brokerage.open_section" user partnership as show %}
rules.set_rule("brokerage.open_section", can_open_brokerage)
