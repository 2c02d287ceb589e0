"""Periodic work of surveys (being built: the body lands with the app)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def send_due_invitations() -> int:
    return 0
