"""Background work of the partnership app: the email outbox."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone
from django_scopes import scopes_disabled

from .models import OutboundEmail
from .services import deliver_queued_email, deliver_queued_emails, record_email_failure
from .tenancy import tenant_scope


@shared_task(bind=True, max_retries=5, acks_late=True)
def deliver_email(self, partnership_id: int, email_id: int) -> str:
    """Send one outbox email; safe to run twice (the second run sends nothing)."""
    with tenant_scope(partnership_id):
        try:
            email = deliver_queued_email(email_id)
        except OutboundEmail.DoesNotExist:
            return "missing"
        except Exception as exc:  # SMTP and network errors: record, then retry with backoff
            record_email_failure(email_id, repr(exc))
            raise self.retry(exc=exc, countdown=min(60 * 2**self.request.retries, 3600)) from exc
    return email.status


@shared_task(acks_late=True)
def deliver_emails(partnership_id: int, email_ids: list[int]) -> int:
    """Send a batch of outbox emails over one mail connection; each is sent at most once
    (a re-delivered batch skips those already sent). A failed one is recorded and retried
    on its own. Returns how many this run sent."""
    from django.core.mail import get_connection

    with tenant_scope(partnership_id), get_connection() as connection:
        sent, failed = deliver_queued_emails(email_ids, connection=connection)
    for email_id in failed:
        deliver_email.apply_async((partnership_id, email_id), countdown=60)
    return sent


@shared_task
def sweep_outbox(older_than_minutes: int = 5) -> int:
    """Re-enqueue emails still queued after a while (e.g. the broker was down at commit)."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    with scopes_disabled():
        stale = list(
            OutboundEmail.objects.filter(
                status=OutboundEmail.Status.QUEUED, created_at__lt=cutoff
            ).values_list("partnership_id", "pk")[:1000]
        )
    for partnership_id, email_id in stale:
        deliver_email.delay(partnership_id, email_id)
    return len(stale)
