"""Background work of reports: generating one report, and the end-of-term run.

Both are safe to run twice: a run is claimed under a row lock before it is generated (a
second delivery finds it running or done and does nothing), scheduled runs carry a unique
key, and governors' emails go through the outbox with one key per governor and term.
"""

from __future__ import annotations

from celery import shared_task

from partnership.models import Partnership
from partnership.tenancy import tenant_scope

from . import services

MAX_RETRIES = 3


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def generate_report(self, partnership_id: int, run_id: int) -> str:
    """Generate one report run; retries with backoff when the database is away."""
    with tenant_scope(partnership_id):
        try:
            run = services.generate(run_id)
        except Exception as exc:
            if self.request.retries >= MAX_RETRIES:
                services.fail_for_good(run_id, f"{type(exc).__name__}: {exc}")
                return "failed"
            raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc
    return run.status if run else "missing"


@shared_task(acks_late=True)
def generate_end_of_term_reports() -> int:
    """Daily (beat): after a term ends, every school's report and the board report, each
    made once; each school's governors get an email with a link when it is ready."""
    queued = 0
    for partnership in Partnership.objects.filter(is_active=True):
        with tenant_scope(partnership):
            queued += services.schedule_end_of_term(partnership=partnership)
    return queued
