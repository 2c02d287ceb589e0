"""Reads of the audit trail, shared by the trail page and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEvent


@dataclass(frozen=True)
class TrailFilters:
    action: str = ""
    person: str = ""
    target: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def trail(filters: TrailFilters | None = None) -> QuerySet[AuditEvent]:
    """The current partnership's events, newest first, filtered; one query per page.

    `action` matches a dotted prefix ("brokerage" or "brokerage.agreement_created");
    `person` matches the actor's email or name as recorded at the time.
    """
    filters = filters or TrailFilters()
    events = AuditEvent.objects.all()
    if filters.action:
        events = events.filter(
            Q(action=filters.action) | Q(action__startswith=filters.action.rstrip(".") + ".")
        )
    if filters.person:
        events = events.filter(
            Q(actor_label__icontains=filters.person) | Q(actor__full_name__icontains=filters.person)
        )
    if filters.target:
        events = events.filter(target_label__icontains=filters.target)
    if filters.date_from:
        events = events.filter(created_at__gte=_start(filters.date_from))
    if filters.date_to:
        events = events.filter(created_at__lt=_start(filters.date_to) + timezone.timedelta(days=1))
    return events.order_by("-created_at", "-pk")


def action_names() -> list[str]:
    """The distinct actions recorded in this partnership, for the filter's choices."""
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
