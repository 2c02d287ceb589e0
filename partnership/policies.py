"""Role predicates shared by every app (built with `rules`).

A predicate takes the user and a tenant object (a Partnership or any row carrying
`partnership_id`) and answers from the user's memberships of that partnership, which are
loaded once per request.
"""

from __future__ import annotations

from typing import Any

import rules

from .models import Partnership, Role
from .tenancy import memberships_of


def partnership_id_of(obj: Any) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, Partnership):
        return obj.pk
    return getattr(obj, "partnership_id", None)


def has_role(user: Any, obj: Any, *roles: str) -> bool:
    return any(m.role in roles for m in memberships_of(user, partnership_id_of(obj)))


def school_ids_with_role(user: Any, obj: Any, *roles: str) -> set[int]:
    """Ids of the schools for which the user holds one of these roles."""
    return {
        m.school_id
        for m in memberships_of(user, partnership_id_of(obj))
        if m.role in roles and m.school_id
    }


@rules.predicate
def is_member(user: Any, obj: Any) -> bool:
    return bool(memberships_of(user, partnership_id_of(obj)))


@rules.predicate
def is_partnership_admin(user: Any, obj: Any) -> bool:
    return has_role(user, obj, Role.PARTNERSHIP_ADMIN)


@rules.predicate
def is_senior_ca(user: Any, obj: Any) -> bool:
    return has_role(user, obj, Role.SENIOR_CA)


@rules.predicate
def is_challenge_adviser(user: Any, obj: Any) -> bool:
    return has_role(user, obj, Role.CHALLENGE_ADVISER, Role.SENIOR_CA)


#: Admins and challenge advisers work across all schools and see support categories.
is_staff_role = is_partnership_admin | is_challenge_adviser
