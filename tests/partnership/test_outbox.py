"""The outbox: one email per key, sent once, with its attachments."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail.backends import locmem

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


class RefusingBackend(locmem.EmailBackend):
    """An SMTP server that refuses one address, for the failure path."""

    def send_messages(self, messages):
        if any("refused@" in address for m in messages for address in m.to):
            raise ConnectionRefusedError("the mail server refused the message")
        return super().send_messages(messages)


def _rows(partnership, *addresses):
    with tenant_scope(partnership):
        return [
            OutboundEmail.objects.create(
                partnership=partnership, key=f"row-{a}", to=a, subject="Hi", body="B"
            )
            for a in addresses
        ]


def test_a_batch_sends_only_rows_not_yet_sent(partnership):
    first, second = _rows(partnership, "a@example.org", "b@example.org")
    with tenant_scope(partnership):
        services.deliver_queued_emails([first.pk])
        sent, failed = services.deliver_queued_emails([first.pk, second.pk])
        again, _ = services.deliver_queued_emails([first.pk, second.pk])

    assert (sent, failed, again) == (1, [], 0)
    assert [m.to for m in mail.outbox] == [["a@example.org"], ["b@example.org"]]
    with tenant_scope(partnership):
        first.refresh_from_db()
    assert first.attempts == 1 and first.sent_at is not None


def test_a_refused_email_is_recorded_and_the_rest_of_the_batch_goes(partnership, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    good, refused = _rows(partnership, "a@example.org", "refused@example.org")
    with tenant_scope(partnership):
        sent, failed = services.deliver_queued_emails([refused.pk, good.pk])
        refused.refresh_from_db()

    assert (sent, failed) == (1, [refused.pk])
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    # The claim was rolled back with the failed send: failed, counted once, retried later.
    assert refused.status == OutboundEmail.Status.FAILED
    assert refused.attempts == 1 and refused.sent_at is None
    assert "refused the message" in refused.last_error


def test_a_single_delivery_of_a_sent_email_sends_nothing(partnership):
    (row,) = _rows(partnership, "a@example.org")
    with tenant_scope(partnership):
        assert services.deliver_queued_email(row.pk).status == OutboundEmail.Status.SENT
        assert services.deliver_queued_email(row.pk).attempts == 1
    assert len(mail.outbox) == 1
