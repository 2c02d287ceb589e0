"""Periodic work of panels: reminders to action owners before an action is due.

`send_action_reminders` runs daily from CELERY_BEAT_SCHEDULE and fans out one task per
active partnership (ids, not objects); each opens that partnership's scope. Every
reminder has a unique outbox key, so a re-delivered or repeated task sends nothing twice.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from partnership.models import Partnership
from partnership.tenancy import tenant_scope

from . import services

RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 5,
    "acks_late": True,
}


@shared_task
def send_action_reminders() -> int:
    """Daily: queue reminders for actions due in a week and tomorrow, in every partnership."""
    ids = list(Partnership.objects.filter(is_active=True).values_list("pk", flat=True))
    for partnership_id in ids:
        send_action_reminders_for.delay(partnership_id)
    return len(ids)


@shared_task(**RETRY)
def send_action_reminders_for(partnership_id: int) -> int:
    with tenant_scope(partnership_id):
        partnership = Partnership.objects.get(pk=partnership_id)
        return services.send_action_reminders(partnership=partnership)
