"""Background work of brokerage. Emails themselves go through the partnership outbox
(queue_email -> deliver_email), so every task here is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from partnership.models import Partnership
from partnership.tenancy import tenant_scope

from . import services


@shared_task(acks_late=True)
def remind_unconfirmed_agreements(older_than_days: int = 7) -> int:
    """Remind headteachers of agreements still waiting for their confirmation.

    Meant for the beat schedule (daily). Each reminder has its own outbox key, so a
    re-delivered or repeated run sends nothing twice.
    """
    sent = 0
    for partnership in Partnership.objects.filter(is_active=True):
        with tenant_scope(partnership):
            sent += services.remind_unconfirmed(
                partnership=partnership, older_than_days=older_than_days
            )
    return sent
