"""Who may see and change schools. Used by the web views and the API alike."""

from __future__ import annotations

from typing import Any

import rules

from partnership.models import Role
from partnership.policies import (
    has_role,
    is_member,
    is_partnership_admin,
    is_senior_ca,
    is_staff_role,
    school_ids_with_role,
)


@rules.predicate
def is_headteacher_of(user: Any, school: Any) -> bool:
    return school.pk in school_ids_with_role(user, school, Role.HEADTEACHER)


@rules.predicate
def is_governor_of(user: Any, school: Any) -> bool:
    return school.pk in school_ids_with_role(user, school, Role.GOVERNOR)


@rules.predicate
def is_ca_for(user: Any, school: Any) -> bool:
    """The school's own challenge adviser (a partner CA counts), or any senior CA."""
    if has_role(user, school, Role.SENIOR_CA):
        return True
    return school.challenge_adviser_id == user.pk and has_role(
        user, school, Role.CHALLENGE_ADVISER, Role.HEADTEACHER
    )


is_own_school = is_headteacher_of | is_governor_of

can_view_school = is_member
#: Support categories are sensitive: staff roles see them all; a school sees its own; a
#: school's own challenge adviser (a partner CA too) sees the category they may set.
can_view_category = is_staff_role | is_own_school | is_ca_for
can_see_all_categories = is_staff_role
can_manage_schools = is_partnership_admin
can_edit_school = is_partnership_admin
can_set_category = is_partnership_admin | is_senior_ca | is_ca_for
can_import_schools = is_partnership_admin
can_view_group = is_member
