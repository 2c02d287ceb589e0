"""Periodic work of hubs: session reminders the day before, call-deadline reminders.

Both run daily from CELERY_BEAT_SCHEDULE (partnership/settings.py). The daily task fans
out one task per active partnership (ids, not objects), and each opens that partnership's
scope. Every email has a unique outbox key, so a re-delivered or repeated task sends
nothing twice.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from partnership.models import Partnership
from partnership.tenancy import tenant_scope

from . import services

#: Transient database errors are retried with backoff; the outbox keys make a retry safe.
RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 5,
    "acks_late": True,
}


def _active_partnership_ids() -> list[int]:
    return list(Partnership.objects.filter(is_active=True).values_list("pk", flat=True))


@shared_task
def send_session_reminders() -> int:
    """Daily: queue tomorrow's session reminders in every partnership."""
    ids = _active_partnership_ids()
    for partnership_id in ids:
        send_session_reminders_for.delay(partnership_id)
    return len(ids)


@shared_task(**RETRY)
def send_session_reminders_for(partnership_id: int) -> int:
    with tenant_scope(partnership_id):
        partnership = Partnership.objects.get(pk=partnership_id)
        return services.send_session_reminders(partnership=partnership)


@shared_task
def send_call_deadline_reminders() -> int:
    """Daily: remind headteachers who have not bid that an open call closes soon."""
    ids = _active_partnership_ids()
    for partnership_id in ids:
        send_call_deadline_reminders_for.delay(partnership_id)
    return len(ids)


@shared_task(**RETRY)
def send_call_deadline_reminders_for(partnership_id: int) -> int:
    with tenant_scope(partnership_id):
        partnership = Partnership.objects.get(pk=partnership_id)
        return services.send_call_deadline_reminders(partnership=partnership)
