"""The email outbox on a real worker: a message delivered twice sends one email."""

from __future__ import annotations

import pytest

from partnership.models import OutboundEmail
from partnership.services import queue_email
from partnership.tasks import deliver_email
from tests.factories import PartnershipFactory

from .conftest import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _sent(email_id: int) -> bool:
    return OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.SENT).exists()


def test_queued_email_is_sent_by_the_worker(celery_worker):
    partnership = PartnershipFactory()
    email = queue_email(
        partnership=partnership,
        key="worker-test-1",
        to="head@example.org",
        subject="Hello",
        template="partnership/email/test_message.txt",
        context={"name": "Head"},
    )
    wait_for(lambda: _sent(email.pk))
    files = wait_for(lambda: list(celery_worker.iterdir()))
    assert len(files) == 1
    assert "head@example.org" in files[0].read_text()


def test_a_task_delivered_twice_sends_one_email(celery_worker):
    partnership = PartnershipFactory()
    email = OutboundEmail.objects.create(
        partnership=partnership, key="worker-test-2", to="ca@example.org", subject="S", body="B"
    )
    deliver_email.delay(partnership.pk, email.pk)
    deliver_email.delay(partnership.pk, email.pk)  # the same message again, as on redelivery
    wait_for(lambda: _sent(email.pk))
    # Give the second copy time to run, then count what went out.
    import time

    time.sleep(2)
    assert len(list(celery_worker.iterdir())) == 1
    email.refresh_from_db()
    assert email.attempts == 1
