"""Periodic work of audit (being built: the body lands with the app)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def apply_retention() -> int:
    return 0
