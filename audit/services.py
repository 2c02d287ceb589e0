"""Writing the audit trail. Every sensitive action calls `record_event` in the same
transaction as the change it records, so a rolled-back change leaves no audit row and a
committed one always has it."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from partnership.models import Partnership

from .models import AuditEvent


def _client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_event(
    *,
    partnership: Partnership | int,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Record that `actor` did `action` (e.g. "schools.category_changed") to `target`.

    `detail` holds plain JSON values (old and new category, reason...); `request`, when
    there is one, gives the address and browser the action came from.
    """
    partnership_id = partnership if isinstance(partnership, int) else partnership.pk
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        partnership_id=partnership_id,
        actor=user,
        actor_label=getattr(user, "email", "") if user else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:250] if target is not None else "",
        detail=detail or {},
        ip_address=_client_address(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:250] if request else ""),
    )
