"""Who may see and do what in peer review. Used by the web views (and later the API).

Roles are read in the partnership the object belongs to: a cycle's organisers are the
host partnership's admins and senior CAs; a reviewed school's headteacher, governors and
CA come from the school's own partnership (which may be a partner in a joint cycle).
Findings are confidential: only the reviewed school's headteacher, the review team, and
those the headteacher shares them with may read them; nobody else, whatever their role.
"""

from __future__ import annotations

from typing import Any

import rules

from partnership.models import Role
from partnership.policies import (
    has_role,
    is_member,
    is_partnership_admin,
    is_senior_ca,
    school_ids_with_role,
)
from schools.policies import can_set_category

from .models import AccessBasis, ShareAudience
from .selectors import active_shares, team_of

# --- The partnership's own peer-review work ----------------------------------------------

can_use_peer_review = is_member
can_create_cycle = is_partnership_admin | is_senior_ca
can_manage_frameworks = is_partnership_admin | is_senior_ca
can_manage_reviewers = is_partnership_admin | is_senior_ca


@rules.predicate
def can_view_cycles(user: Any, partnership: Any) -> bool:
    """Staff, headteachers and peer reviewers see cycles; governors and others see only
    findings shared with them."""
    return has_role(
        user,
        partnership,
        Role.PARTNERSHIP_ADMIN,
        Role.SENIOR_CA,
        Role.CHALLENGE_ADVISER,
        Role.HEADTEACHER,
        Role.PEER_REVIEWER,
    )


can_view_frameworks = can_view_cycles


@rules.predicate
def is_organiser(user: Any, cycle: Any) -> bool:
    """An admin or senior CA of the cycle's host partnership."""
    return has_role(user, cycle, Role.PARTNERSHIP_ADMIN, Role.SENIOR_CA)


@rules.predicate
def speaks_for_participant(user: Any, participation: Any) -> bool:
    """An admin or senior CA of the partnership a participation row belongs to."""
    return has_role(user, participation, Role.PARTNERSHIP_ADMIN, Role.SENIOR_CA)


can_organise_cycle = is_organiser
can_respond_to_invitation = speaks_for_participant
can_add_schools = speaks_for_participant

# --- One review --------------------------------------------------------------------------


@rules.predicate
def is_host_headteacher(user: Any, review: Any) -> bool:
    """Headteacher of the reviewed school."""
    return review.school_id in school_ids_with_role(user, review.school, Role.HEADTEACHER)


@rules.predicate
def is_on_team(user: Any, review: Any) -> bool:
    return any(m.reviewer_id == user.pk for m in team_of(review))


@rules.predicate
def is_lead_reviewer(user: Any, review: Any) -> bool:
    return any(m.reviewer_id == user.pk and m.is_lead for m in team_of(review))


@rules.predicate
def is_review_organiser(user: Any, review: Any) -> bool:
    return has_role(user, review, Role.PARTNERSHIP_ADMIN, Role.SENIOR_CA)


@rules.predicate
def is_school_staff(user: Any, review: Any) -> bool:
    """An admin or CA of the reviewed school's partnership: sees the review is happening
    (team, visits), never the findings unless they are shared."""
    return has_role(
        user,
        review.school,
        Role.PARTNERSHIP_ADMIN,
        Role.SENIOR_CA,
        Role.CHALLENGE_ADVISER,
    )


def findings_access_basis(user: Any, review: Any) -> str | None:
    """Why the user may read the review's findings (an `AccessBasis`, recorded in the
    access log), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if is_host_headteacher(user, review):
        return AccessBasis.HEADTEACHER
    if is_on_team(user, review):
        return AccessBasis.TEAM
    for share in active_shares(review):
        if share.audience == ShareAudience.CHALLENGE_ADVISER and share.user_id == user.pk:
            return AccessBasis.SHARED_CA
        if share.audience == ShareAudience.GOVERNORS and review.school_id in school_ids_with_role(
            user, review.school, Role.GOVERNOR
        ):
            return AccessBasis.SHARED_GOVERNORS
        if share.audience == ShareAudience.PANEL and has_role(
            user, review.school, Role.PANEL_MEMBER
        ):
            return AccessBasis.SHARED_PANEL
    return None


@rules.predicate
def has_findings_access(user: Any, review: Any) -> bool:
    return findings_access_basis(user, review) is not None


@rules.predicate
def speaks_for_school(user: Any, review: Any) -> bool:
    """An admin or senior CA of the reviewed school's own partnership."""
    return has_role(user, review.school, Role.PARTNERSHIP_ADMIN, Role.SENIOR_CA)


can_view_findings = has_findings_access
can_view_review = (
    is_review_organiser | is_school_staff | is_host_headteacher | is_on_team | (has_findings_access)
)
can_edit_team = is_review_organiser
can_remove_review = is_review_organiser | speaks_for_school
can_schedule_visit = is_review_organiser | is_lead_reviewer | is_host_headteacher
can_view_calendar = is_review_organiser | is_host_headteacher | is_on_team
can_record_evidence = is_on_team
can_write_findings = is_on_team
can_respond = is_host_headteacher
can_share_findings = is_host_headteacher
can_view_access_log = is_host_headteacher


# --- Moderation of the school's support category -----------------------------------------


@rules.predicate
def sets_school_category(user: Any, review: Any) -> bool:
    """Whoever may set the reviewed school's support category (its CA, a senior CA or an
    admin of the school's partnership) records the outcome of a moderation."""
    return bool(can_set_category(user, review.school))


can_moderate_category = is_lead_reviewer
can_record_moderation_outcome = sets_school_category
# The verdict is about the category, not the findings: the school's CA sees it too.
can_view_moderation = is_on_team | is_host_headteacher | sets_school_category
