"""Who may see and do what in casework. Used by the web views and the API alike.

- A school's challenge adviser (School.challenge_adviser; a headteacher serving as a
  partner CA counts), any senior CA and partnership admins see the school's casework.
  The adviser who wrote a visit note edits it while it is a draft and shares it.
- The school's headteachers see shared visit notes and their actions, comment on them and
  update the actions' progress; they see their whole categorisation record.
- A governor sees only the final (confirmed) category of the school and its reasons.
- Categorisation round, stage by stage:
  self-evaluation: the school's headteachers record it;
  proposal: the school's CA (or a senior CA) proposes the category;
  moderation: senior CAs and the headteachers on the round's moderation panel (never for
  their own school) confirm or change each proposal;
  complete: nobody changes the category; the school may record whether it agrees.
- Admins and senior CAs set rounds up and move them on; admins and senior CAs reassign
  caseloads.
"""

from __future__ import annotations

from typing import Any

import rules

from partnership.models import Role
from partnership.policies import (
    has_role,
    is_partnership_admin,
    is_senior_ca,
    partnership_id_of,
    school_ids_with_role,
)
from schools.policies import is_ca_for

from .models import RoundStage, SchoolCategorisation

# --- About a school ----------------------------------------------------------------------


@rules.predicate
def is_headteacher_of(user: Any, school: Any) -> bool:
    return school.pk in school_ids_with_role(user, school, Role.HEADTEACHER)


@rules.predicate
def is_governor_of(user: Any, school: Any) -> bool:
    return school.pk in school_ids_with_role(user, school, Role.GOVERNOR)


@rules.predicate
def is_adviser_for(user: Any, school: Any) -> bool:
    """The school's own CA (a partner CA counts) or any senior CA."""
    return bool(is_ca_for(user, school))


#: The school's casework page, its visit notes and actions (drafts only to advisers).
can_view_casework = is_partnership_admin | is_adviser_for | is_headteacher_of
can_record_visit = is_adviser_for
can_reassign = is_partnership_admin | is_senior_ca


# --- The section as a whole (takes the partnership) ------------------------------------


@rules.predicate
def has_caseload(user: Any, partnership: Any) -> bool:
    """A challenge adviser, a senior CA, or a headteacher serving as a partner CA."""
    if has_role(user, partnership, Role.CHALLENGE_ADVISER, Role.SENIOR_CA):
        return True
    if not has_role(user, partnership, Role.HEADTEACHER):
        return False
    from schools.models import School

    return School.objects.filter(
        partnership_id=partnership_id_of(partnership), challenge_adviser=user
    ).exists()


@rules.predicate
def moderates_a_round(user: Any, partnership: Any) -> bool:
    """A headteacher named on a round's moderation panel."""
    from .models import CategorisationRound

    return bool(getattr(user, "pk", None)) and (
        CategorisationRound.objects.filter(
            partnership_id=partnership_id_of(partnership), moderators=user
        ).exists()
    )


can_open_dashboard = is_partnership_admin | has_caseload
#: Recording visits and agreeing actions: advisers only (each school checked again).
can_record_visits = has_caseload
can_manage_rounds = is_partnership_admin | is_senior_ca
#: Everybody who takes part in a round sees its list (each record by its own rules).
can_view_rounds = can_manage_rounds | has_caseload | moderates_a_round


@rules.predicate
def sees_every_school(user: Any, partnership: Any) -> bool:
    return bool(is_partnership_admin(user, partnership) or is_senior_ca(user, partnership))


# --- Visits --------------------------------------------------------------------------------


@rules.predicate
def is_visit_author(user: Any, visit: Any) -> bool:
    return visit.adviser_id == getattr(user, "pk", None)


@rules.predicate
def visit_is_draft(user: Any, visit: Any) -> bool:
    return not visit.is_shared


@rules.predicate
def visit_is_shared(user: Any, visit: Any) -> bool:
    return visit.is_shared


@rules.predicate
def is_adviser_for_visit(user: Any, visit: Any) -> bool:
    return bool(is_adviser_for(user, visit.school) or is_visit_author(user, visit))


@rules.predicate
def is_admin_for_visit(user: Any, visit: Any) -> bool:
    return bool(is_partnership_admin(user, visit))


@rules.predicate
def is_headteacher_for_visit(user: Any, visit: Any) -> bool:
    return bool(is_headteacher_of(user, visit.school))


can_view_visit = is_adviser_for_visit | (
    visit_is_shared & (is_admin_for_visit | is_headteacher_for_visit)
)
can_edit_visit = is_visit_author & visit_is_draft
can_share_visit = is_visit_author & visit_is_draft
can_add_action = is_adviser_for_visit
can_comment_on_visit = visit_is_shared & (is_headteacher_for_visit | is_adviser_for_visit)


@rules.predicate
def can_update_action(user: Any, action: Any) -> bool:
    visit = action.visit
    if is_adviser_for_visit(user, visit):
        return True
    return visit.is_shared and is_headteacher_of(user, visit.school)


# --- Categorisation ------------------------------------------------------------------------


def _stage(record: SchoolCategorisation) -> str:
    return record.round.stage


@rules.predicate
def is_moderator_of_round(user: Any, round_: Any) -> bool:
    """Senior CAs, and the headteachers the round names on its moderation panel."""
    if is_senior_ca(user, round_):
        return True
    return any(m.pk == getattr(user, "pk", None) for m in round_.moderators.all())


@rules.predicate
def is_moderator_for(user: Any, record: Any) -> bool:
    """A moderator of the round who is not the school's own headteacher."""
    if is_headteacher_of(user, record.school) and not is_senior_ca(user, record):
        return False
    return bool(is_moderator_of_round(user, record.round))


@rules.predicate
def is_record_headteacher(user: Any, record: Any) -> bool:
    return bool(is_headteacher_of(user, record.school))


@rules.predicate
def is_record_governor(user: Any, record: Any) -> bool:
    return bool(is_governor_of(user, record.school))


@rules.predicate
def is_record_adviser(user: Any, record: Any) -> bool:
    return bool(is_adviser_for(user, record.school))


@rules.predicate
def is_record_admin(user: Any, record: Any) -> bool:
    return bool(is_partnership_admin(user, record))


@rules.predicate
def in_self_evaluation(user: Any, record: Any) -> bool:
    return _stage(record) == RoundStage.SELF_EVALUATION


@rules.predicate
def in_proposal(user: Any, record: Any) -> bool:
    return _stage(record) == RoundStage.PROPOSAL


@rules.predicate
def in_moderation(user: Any, record: Any) -> bool:
    return _stage(record) == RoundStage.MODERATION


@rules.predicate
def is_confirmed(user: Any, record: Any) -> bool:
    return record.status == SchoolCategorisation.Status.CONFIRMED


@rules.predicate
def is_proposed(user: Any, record: Any) -> bool:
    return record.status in (
        SchoolCategorisation.Status.PROPOSED,
        SchoolCategorisation.Status.CONFIRMED,
    )


@rules.predicate
def is_moderator_in_round(user: Any, record: Any) -> bool:
    return bool(is_moderator_of_round(user, record.round))


#: The whole record: self-evaluation, proposal, moderation and the school's response.
can_view_full_record = (
    is_record_admin
    | is_record_adviser
    | is_record_headteacher
    | (is_moderator_in_round & ~is_record_headteacher)
)
#: A governor reads only the final category and its reasons, once confirmed.
can_view_final_only = is_record_governor & is_confirmed
can_view_record = can_view_full_record | can_view_final_only

can_edit_self_evaluation = is_record_headteacher & in_self_evaluation
#: Who may propose; the stage check is separate so that a refusal can say which it was.
may_propose = is_record_adviser
can_propose = may_propose & in_proposal
may_moderate = is_moderator_for
can_moderate = may_moderate & in_moderation & is_proposed
can_respond = is_record_headteacher & is_confirmed
