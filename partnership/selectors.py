"""Reads about partnerships and people."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django_scopes import scopes_disabled

from .models import Invitation, Membership, Partnership, Role

User = get_user_model()


def partnerships_for(user: Any) -> list[Partnership]:
    """Every active partnership the user belongs to (for the switcher).

    Reads the user's own memberships across tenants, which is why it leaves the scope.
    """
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        ids = set(Membership.objects.filter(user=user).values_list("partnership_id", flat=True))
    return list(Partnership.objects.filter(pk__in=ids, is_active=True).order_by("name"))


def people_with_roles(*roles: str) -> QuerySet:
    """Users holding any of these roles in the current partnership."""
    member_ids = Membership.objects.filter(role__in=roles).values("user_id")
    return User.objects.filter(pk__in=member_ids).order_by("full_name", "email")


def memberships_list(role: str = "") -> QuerySet[Membership]:
    memberships = Membership.objects.select_related("user", "school").order_by(
        "user__full_name", "user__email", "role"
    )
    if role:
        memberships = memberships.filter(role=role)
    return memberships


def pending_invitations() -> QuerySet[Invitation]:
    from django.utils import timezone

    return (
        Invitation.objects.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("school", "invited_by")
        .order_by("-created_at")
    )


def admin_count() -> int:
    return Membership.objects.filter(role=Role.PARTNERSHIP_ADMIN).count()
