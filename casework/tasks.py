"""Periodic work of casework (being built: the body lands with the app)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def send_action_reminders() -> int:
    return 0
