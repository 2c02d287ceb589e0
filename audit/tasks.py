"""Periodic work of audit: the retention clean-up beat runs daily."""

from __future__ import annotations

from celery import shared_task


@shared_task
def apply_retention() -> int:
    """Delete audit records and survey answers older than their retention; idempotent."""
    from partnership.dataprotection import apply_retention_rules

    return sum(apply_retention_rules().values())
