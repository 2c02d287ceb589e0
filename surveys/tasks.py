"""Background work of surveys. Every email goes through the partnership outbox with a
stable key (see services.py), so each task here is safe to run twice, to be retried and
to be redelivered after a worker dies (acks_late): no participant gets a second copy."""

from __future__ import annotations

from celery import shared_task

from partnership.models import Partnership

from . import services


@shared_task(acks_late=True)
def send_due_invitations() -> int:
    """Beat (hourly): fan out one task per active partnership. Returns how many."""
    ids = list(Partnership.objects.filter(is_active=True).values_list("pk", flat=True))
    for partnership_id in ids:
        send_partnership_invitations.delay(partnership_id)
    return len(ids)


@shared_task(bind=True, acks_late=True, max_retries=5)
def send_partnership_invitations(self, partnership_id: int) -> dict[str, int]:
    """Create the partnership's due impact invitations, send them, send reminders to
    those who have not answered and needs-survey reminders."""
    try:
        result = services.run_due_work(partnership=partnership_id)
    except Partnership.DoesNotExist:
        return {}
    except Exception as exc:  # a database hiccup: try again later, nothing is sent twice
        raise self.retry(exc=exc, countdown=min(60 * 2**self.request.retries, 3600)) from exc
    return {
        "scheduled": result.scheduled,
        "sent": result.sent,
        "reminded": result.reminded,
        "needs_reminders": result.needs_reminders,
    }
