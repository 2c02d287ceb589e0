"""Background work of peer review: visit reminders.

`send_due_visit_reminders` runs once a day (django-celery-beat); it enqueues one
`remind_visit` per visit due a reminder. Both are safe to run twice: the outbox key of
each reminder (visit, days before, visit date, person) lets it out once.
"""

from __future__ import annotations

from celery import shared_task

from partnership.tenancy import tenant_task

from . import services


@shared_task(bind=True, max_retries=5, acks_late=True)
def remind_visit(self, partnership_id: int, visit_id: int, days_before: int) -> int:
    """Queue the reminders for one visit (the host partnership's id comes first)."""
    try:
        return _remind(partnership_id, visit_id, days_before)
    except Exception as exc:  # database hiccups: retry with backoff
        raise self.retry(exc=exc, countdown=min(60 * 2**self.request.retries, 3600)) from exc


@tenant_task
def _remind(partnership_id: int, visit_id: int, days_before: int) -> int:
    return services.send_visit_reminder(visit_id=visit_id, days_before=days_before)


@shared_task
def send_due_visit_reminders() -> int:
    """Enqueue today's visit reminders (7 days and 1 day before each visit)."""
    due = services.visits_due_reminders()
    for partnership_id, visit_id, days_before in due:
        remind_visit.delay(partnership_id, visit_id, days_before)
    return len(due)
