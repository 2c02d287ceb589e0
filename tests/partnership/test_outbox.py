"""The outbox: one email per key, sent once, with its attachments."""

from __future__ import annotations

import pytest
from django.core import mail

from partnership import services
from partnership.models import OutboundEmail
from partnership.tenancy import tenant_scope

pytestmark = pytest.mark.django_db

INVITE = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def _queue(partnership, key="visit-1-team-7"):
    return services.queue_email(
        partnership=partnership,
        key=key,
        to="dai@example.org",
        subject="Peer-review visit",
        template="partnership/email/invitation.txt",
        context={"url": "https://portal.example.org/x", "partnership": partnership},
        attachments=[{"filename": "visit.ics", "content": INVITE, "mimetype": "text/calendar"}],
    )


def test_attachments_are_sent_with_the_email(partnership, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue(partnership)
    with tenant_scope(partnership):
        email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
    (filename, content, mimetype) = mail.outbox[0].attachments[0]
    assert (filename, mimetype) == ("visit.ics", "text/calendar")
    assert "BEGIN:VCALENDAR" in content


def test_the_same_key_twice_sends_one_email(partnership, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _queue(partnership)
        second = _queue(partnership)
    assert first.pk == second.pk
    assert len(mail.outbox) == 1


def test_a_batch_is_queued_once_per_key_and_sent_together(
    partnership, django_capture_on_commit_callbacks
):
    batch = [
        services.EmailToQueue(key=f"batch-{n}", to=f"p{n}@example.org", subject="Hi", body="B")
        for n in range(3)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        first = services.queue_emails(partnership=partnership, emails=batch)
        again = services.queue_emails(partnership=partnership, emails=batch[:2])

    assert {row.pk for row in again.values()} <= {row.pk for row in first.values()}
    assert OutboundEmail.objects.filter(key__startswith="batch-").count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{n}@example.org" for n in range(3)]
    assert set(
        OutboundEmail.objects.filter(key__startswith="batch-").values_list("status", flat=True)
    ) == {OutboundEmail.Status.SENT}
