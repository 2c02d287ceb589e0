"""Impact surveys on a real Celery worker and Redis: every invitation goes out once, even
when the task message is duplicated, when the worker is killed in the middle of the task
and runs it again, and when Redis is unreachable while a participant submits answers."""

from __future__ import annotations

import os
import signal
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from hubs.models import Enrolment, EnrolmentStatus
from partnership.celery import app as celery_app
from partnership.models import OutboundEmail
from partnership.tasks import sweep_outbox
from surveys import services
from surveys.models import ImpactInvitation, ImpactResponse
from surveys.tasks import send_due_invitations, send_partnership_invitations
from tests.factories import (
    AreaFactory,
    HubFactory,
    PartnershipFactory,
    ProgrammeFactory,
    ProgrammeSessionFactory,
    SchoolFactory,
)

from .conftest import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def build(participants: int):
    """A programme whose first session is today, with confirmed participants."""
    partnership = PartnershipFactory()
    area = AreaFactory(partnership=partnership)
    school = SchoolFactory(partnership=partnership)
    hub = HubFactory(partnership=partnership, area=area, schools=[school])
    programme = ProgrammeFactory(partnership=partnership, hub=hub, area=area, status="running")
    today = timezone.localdate()
    for day in (today, today + timedelta(days=40)):
        ProgrammeSessionFactory(partnership=partnership, programme=programme, date=day)
    Enrolment.objects.bulk_create(
        Enrolment(
            partnership=partnership,
            programme=programme,
            school=school,
            participant_name=f"Teacher {n}",
            participant_email=f"teacher{n}@school.example",
            participant_role="teacher",
            status=EnrolmentStatus.CONFIRMED,
        )
        for n in range(participants)
    )
    return partnership


def invitation_emails(status=OutboundEmail.Status.SENT) -> int:
    return OutboundEmail.objects.filter(key__endswith=":invitation", status=status).count()


def recipients(mail_dir: Path) -> list[str]:
    """Every "To:" address in the emails the worker wrote."""
    found = []
    for path in mail_dir.iterdir():
        for line in path.read_text().splitlines():
            if line.startswith("To: "):
                found.append(line[4:].strip())
    return found


def test_a_duplicated_task_message_sends_one_invitation(celery_worker):
    partnership = build(1)
    send_partnership_invitations.delay(partnership.pk)
    send_partnership_invitations.delay(partnership.pk)  # the same message again
    wait_for(lambda: invitation_emails() == 1)
    time.sleep(2)  # let the second copy (and any stray delivery) finish
    assert ImpactInvitation.objects.count() == 1
    assert recipients(celery_worker) == ["teacher0@school.example"]


def test_the_beat_task_run_twice_sends_each_invitation_once(celery_worker):
    partnership = build(3)
    send_due_invitations.delay()
    send_due_invitations.delay()
    wait_for(lambda: invitation_emails() == 3)
    time.sleep(2)
    assert ImpactInvitation.objects.filter(partnership=partnership).count() == 3
    assert sorted(recipients(celery_worker)) == [f"teacher{n}@school.example" for n in range(3)]


def _worker_child_pid() -> int | None:
    """The pool process of the test's worker (found by its private queue name)."""
    queue = celery_app.conf.task_default_queue
    pids = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if f"{queue}@localhost" in cmdline:
            pids[int(proc.name)] = ppid
    children = [pid for pid, ppid in pids.items() if ppid in pids]
    return children[0] if children else None


def test_a_worker_killed_mid_task_runs_it_again_and_sends_each_email_once(celery_worker):
    total = 400
    partnership = build(total)
    send_partnership_invitations.delay(partnership.pk)
    sent_at_kill = wait_for(
        lambda: (
            ImpactInvitation.objects.filter(status="sent").count() >= 1
            and ImpactInvitation.objects.filter(status="sent").count()
        ),
        interval=0.05,
    )
    child = _worker_child_pid()
    assert child is not None
    os.kill(child, signal.SIGKILL)  # the pool process dies in the middle of the task
    assert sent_at_kill < total, "the task finished before it could be killed"

    # acks_late + reject_on_worker_lost: the message goes back and the task runs again.
    wait_for(lambda: ImpactInvitation.objects.filter(status="sent").count() == total, timeout=120)
    # An email whose enqueue was lost with the process is picked up by the outbox sweeper.
    sweep_outbox(older_than_minutes=0)
    wait_for(lambda: invitation_emails() == total, timeout=120)
    time.sleep(2)
    sent_to = recipients(celery_worker)
    assert len(sent_to) == total
    assert len(set(sent_to)) == total
    assert ImpactInvitation.objects.filter(partnership=partnership).count() == total


@contextmanager
def broker_unreachable(monkeypatch):
    """Publishing from this (web) process fails as if Redis were down."""

    def reset_pools():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", "redis://127.0.0.1:9/14")
    reset_pools()
    try:
        yield
    finally:
        monkeypatch.delenv("CELERY_BROKER_WRITE_URL")
        reset_pools()


def test_redis_down_while_answering_keeps_the_answer_and_sends_the_receipt_later(
    celery_worker, monkeypatch
):
    partnership = build(1)
    services.schedule_due_invitations(partnership=partnership)
    invitation = ImpactInvitation.objects.get()
    url = "/" + services.survey_url(invitation).split("/", 3)[3]

    with broker_unreachable(monkeypatch):
        response = Client().post(
            url, {"confidence": "4", "knowledge": "4", "practice": "3", "school_change": "2"}
        )
    assert response.status_code == 302
    assert ImpactResponse.objects.get().confidence == 4
    receipt = OutboundEmail.objects.get(key=f"surveys:impact:{invitation.pk}:thanks")
    # Not lost: it waits in the outbox, where the operator sees it as queued.
    assert receipt.status == OutboundEmail.Status.QUEUED

    # Redis is back: the sweeper (beat, every five minutes) sends what was waiting.
    sweep_outbox(older_than_minutes=0)
    wait_for(
        lambda: OutboundEmail.objects.filter(
            pk=receipt.pk, status=OutboundEmail.Status.SENT
        ).exists()
    )
    time.sleep(1)
    assert recipients(celery_worker).count("teacher0@school.example") == 1
