from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Role


def portal(request: HttpRequest) -> dict:
    """The tenant and the user's roles in it, for the header of every page."""
    from .selectors import partnerships_for

    memberships = getattr(request, "memberships", [])
    roles = sorted({m.role for m in memberships}, key=list(Role.values).index)
    user = getattr(request, "user", None)
    return {
        "partnership": getattr(request, "partnership", None),
        "memberships": memberships,
        "role_labels": [Role(r).label for r in roles],
        "is_partnership_admin": Role.PARTNERSHIP_ADMIN in roles,
        # Only counted when a page's header asks for it.
        "user_partnership_count": SimpleLazyObject(
            lambda: len(partnerships_for(user)) if user is not None else 0
        ),
    }
