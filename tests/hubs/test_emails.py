"""Emails go through the outbox once each: enrolment, promotion, reminders, call deadlines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from hubs import services, tasks
from hubs.models import CallStatus, ProgrammeStatus
from partnership.models import OutboundEmail
from tests.factories import BidFactory, CallFactory, EnrolmentFactory

from .conftest import make_programme

pytestmark = pytest.mark.django_db


def keys(prefix: str) -> list[str]:
    return sorted(
        OutboundEmail.objects.filter(key__startswith=prefix).values_list("key", flat=True)
    )


def enrol(programme, school, actor, email):
    return services.enrol(
        actor=actor,
        programme=programme,
        school=school,
        participant_name="Sian Jones",
        participant_email=email,
        participant_role="teacher",
    )


def test_enrolment_confirmation_is_queued_and_sent_once(
    programme, school, headteacher, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrol(programme, school, headteacher, "sian@x.example")

    assert keys("hubs:enrolment:") == [f"hubs:enrolment:confirmed:{enrolment.pk}"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sian@x.example"]
    assert programme.title in mail.outbox[0].subject
    assert programme.sessions.get().venue in mail.outbox[0].body


def test_waiting_list_entry_gets_the_waiting_list_email(partnership, hub, school, headteacher):
    programme = make_programme(partnership, hub, places=1)
    enrol(programme, school, headteacher, "first@x.example")

    second = enrol(programme, school, headteacher, "second@x.example")

    email = OutboundEmail.objects.get(key=f"hubs:enrolment:waitlisted:{second.pk}")
    assert "waiting list" in email.subject


def test_promotion_from_the_waiting_list_is_emailed_once(
    partnership, hub, school, headteacher, django_capture_on_commit_callbacks
):
    programme = make_programme(partnership, hub, places=1)
    first = enrol(programme, school, headteacher, "first@x.example")
    second = enrol(programme, school, headteacher, "second@x.example")

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrolment(actor=headteacher, enrolment=first)
        services.cancel_enrolment(actor=headteacher, enrolment=first)

    assert keys("hubs:enrolment:promoted:") == [f"hubs:enrolment:promoted:{second.pk}"]
    assert keys("hubs:enrolment:cancelled:") == [f"hubs:enrolment:cancelled:{first.pk}"]
    assert sorted(m.to[0] for m in mail.outbox) == ["first@x.example", "second@x.example"]


def test_a_cancelled_place_is_confirmed_to_the_participant(
    programme, school, headteacher, django_capture_on_commit_callbacks
):
    enrolment = enrol(programme, school, headteacher, "sian@x.example")

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrolment(actor=headteacher, enrolment=enrolment)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sian@x.example"]
    assert "cancelled" in mail.outbox[0].subject
    assert programme.title in mail.outbox[0].body


def _save_with_status(programme, hub_lead, status):
    session = programme.sessions.get()
    return services.save_programme(
        actor=hub_lead,
        hub=programme.hub,
        programme=programme,
        sessions=[
            services.SessionInput(
                id=session.pk,
                date=session.date,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                venue=session.venue,
            )
        ],
        title=programme.title,
        description=programme.description,
        area=programme.area,
        places=programme.places,
        delivery_language=programme.delivery_language,
        status=status,
    )


def test_cancelling_a_programme_tells_everyone_enrolled_once(
    partnership, hub, school, headteacher, hub_lead, django_capture_on_commit_callbacks
):
    programme = make_programme(partnership, hub, places=1)
    enrol(programme, school, headteacher, "placed@x.example")
    enrol(programme, school, headteacher, "waiting@x.example")
    dropped = enrol(programme, school, headteacher, "dropped@x.example")
    services.cancel_enrolment(actor=headteacher, enrolment=dropped)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _save_with_status(programme, hub_lead, ProgrammeStatus.CANCELLED)
        _save_with_status(programme, hub_lead, ProgrammeStatus.CANCELLED)

    assert sorted(m.to[0] for m in mail.outbox) == ["placed@x.example", "waiting@x.example"]
    assert all("cancelled" in m.subject for m in mail.outbox)
    assert programme.enrolments.filter(status="waitlisted").count() == 1


def test_session_reminders_go_the_day_before_once_per_person(partnership, hub, school):
    programme = make_programme(partnership, hub, places=10)
    session = programme.sessions.get()
    confirmed = EnrolmentFactory(partnership=partnership, programme=programme, school=school)
    EnrolmentFactory(partnership=partnership, programme=programme, status="waitlisted")
    EnrolmentFactory(partnership=partnership, programme=programme, status="cancelled")
    day_before = session.date - timedelta(days=1)

    services.send_session_reminders(partnership=partnership, today=day_before)
    services.send_session_reminders(partnership=partnership, today=day_before)

    assert keys("hubs:session-reminder:") == [
        f"hubs:session-reminder:{session.pk}:{confirmed.pk}:{session.date}"
    ]


def test_no_reminders_for_sessions_not_tomorrow_or_programmes_cancelled(partnership, hub, school):
    programme = make_programme(partnership, hub, places=10)
    cancelled = make_programme(partnership, hub, places=10, status=ProgrammeStatus.CANCELLED)
    for each in (programme, cancelled):
        EnrolmentFactory(partnership=partnership, programme=each, school=school)
    session = programme.sessions.get()

    services.send_session_reminders(partnership=partnership, today=session.date)
    services.send_session_reminders(partnership=partnership, today=session.date - timedelta(days=1))

    assert len(keys("hubs:session-reminder:")) == 1


def test_the_daily_task_sends_reminders_in_every_partnership(
    partnership, hub, school, settings, django_capture_on_commit_callbacks
):
    programme = make_programme(partnership, hub, places=10)
    session = programme.sessions.get()
    session.date = timezone.localdate() + timedelta(days=1)
    session.save()
    EnrolmentFactory(partnership=partnership, programme=programme, school=school)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_session_reminders.delay()
        tasks.send_session_reminders.delay()  # a re-delivered task

    assert len(keys("hubs:session-reminder:")) == 1
    assert len(mail.outbox) == 1


def test_call_deadline_reminders_go_once_to_headteachers_who_have_not_bid(
    partnership, area, school, headteacher, other_school, other_headteacher
):
    call = CallFactory(
        partnership=partnership, area=area, deadline=timezone.now() + timedelta(days=2)
    )
    BidFactory(partnership=partnership, call=call, school=school)

    services.send_call_deadline_reminders(partnership=partnership, days=3)
    services.send_call_deadline_reminders(partnership=partnership, days=3)

    assert keys("hubs:call-deadline:") == [f"hubs:call-deadline:{call.pk}:{other_headteacher.pk}"]


def test_no_deadline_reminder_for_calls_far_off_closed_or_draft(partnership, area, headteacher):
    now = timezone.now()
    CallFactory(partnership=partnership, area=area, deadline=now + timedelta(days=10))
    CallFactory(partnership=partnership, area=area, deadline=now - timedelta(hours=1))
    CallFactory(
        partnership=partnership,
        area=area,
        deadline=now + timedelta(days=1),
        status=CallStatus.DRAFT,
    )

    services.send_call_deadline_reminders(partnership=partnership, days=3)

    assert keys("hubs:call-deadline:") == []
