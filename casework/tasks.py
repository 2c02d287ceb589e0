"""Periodic work of casework. Emails go through the partnership outbox (queue_email ->
deliver_email) with a key per action, due date and person, so every run is safe to repeat."""

from __future__ import annotations

from celery import shared_task

from partnership.models import Partnership
from partnership.tenancy import tenant_scope

from . import services


@shared_task(acks_late=True)
def send_action_reminders() -> int:
    """Remind advisers and headteachers of agreed actions due soon, and of overdue ones;
    and, before a categorisation round's deadline, those who have not done their step.

    Meant for the beat schedule (daily). A re-delivered or repeated run sends nothing twice.
    """
    sent = 0
    for partnership in Partnership.objects.filter(is_active=True):
        with tenant_scope(partnership):
            sent += services.send_action_reminders(partnership=partnership)
            sent += services.send_round_reminders(partnership=partnership)
    return sent


@shared_task(acks_late=True)
def advance_rounds_by_timetable() -> int:
    """Move categorisation rounds on when their dates pass: to proposals after the
    self-evaluation deadline, to moderation after the proposal deadline (never to
    complete). Meant for the beat schedule (daily, before the reminders); a re-delivered
    or repeated run moves nothing twice."""
    steps = 0
    for partnership in Partnership.objects.filter(is_active=True):
        with tenant_scope(partnership):
            steps += services.advance_rounds_by_timetable(partnership=partnership)
    return steps
