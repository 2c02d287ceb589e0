"""Periodic work of collaboration: the weekly digest of newly published resources.

`send_resource_digests` runs every Monday from CELERY_BEAT_SCHEDULE (partnership/settings.py)
and fans out one task per active partnership (ids, not objects); each opens that
partnership's scope. Every email has an outbox key naming the person and the week, so a
re-delivered or repeated task sends nothing twice.
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


@shared_task
def send_resource_digests() -> int:
    """Weekly: queue each partnership's digest of last week's new resources."""
    ids = list(Partnership.objects.filter(is_active=True).values_list("pk", flat=True))
    for partnership_id in ids:
        send_resource_digests_for.delay(partnership_id)
    return len(ids)


@shared_task(**RETRY)
def send_resource_digests_for(partnership_id: int) -> int:
    with tenant_scope(partnership_id):
        partnership = Partnership.objects.get(pk=partnership_id)
        return services.send_resource_digests(partnership=partnership)
