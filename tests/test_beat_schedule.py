"""The beat schedule names only tasks that exist, so a renamed task cannot silently stop."""

from __future__ import annotations

import pytest
from django.conf import settings

from partnership.celery import app


@pytest.mark.parametrize("entry", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_every_scheduled_task_is_registered(entry):
    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] in app.tasks


def test_the_recurring_work_is_scheduled():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "partnership.tasks.sweep_outbox",
        "hubs.tasks.send_session_reminders",
        "hubs.tasks.send_call_deadline_reminders",
        "brokerage.tasks.remind_unconfirmed_agreements",
        "peerreview.tasks.send_due_visit_reminders",
    } <= tasks
