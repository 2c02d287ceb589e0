"""Visits: inside the cycle's window, calendar invitations to the team and the host
headteacher, and reminders that go out once however often the task runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from partnership.models import OutboundEmail
from peerreview import services, tasks
from peerreview.models import Visit
from tests.factories import VisitFactory

from .helpers import in_window, url

pytestmark = pytest.mark.django_db


def _visit_form(day, **overrides):
    data = {
        "date": day.isoformat(),
        "starts_at": "08:45",
        "ends_at": "15:30",
        "location": "Main reception",
        "agenda": "Meet the headteacher; learning walk, then feedback",
    }
    data.update(overrides)
    return data


def test_the_lead_schedules_a_visit_and_the_team_and_head_are_invited(
    world, client_for, django_capture_on_commit_callbacks
):
    day = in_window(world.cycle)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.lead).post(
            url(world.p, f"reviews/{world.review.pk}/visits/new/"), _visit_form(day)
        )

    assert response.status_code == 302
    visit = Visit.objects.get(review=world.review)
    assert visit.date == day
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([world.lead.email, world.member.email, world.head.email])
    body = mail.outbox[0].body
    assert "Ysgol y Bryn" in body
    assert f"/peer-review/visits/{visit.pk}/calendar.ics" in body


@pytest.mark.parametrize("offset", [-1, 1])
def test_a_visit_outside_the_window_is_refused_with_the_window_given(world, client_for, offset):
    day = (
        world.cycle.window_start - timedelta(days=1)
        if offset < 0
        else world.cycle.window_end + timedelta(days=1)
    )

    response = client_for(world.lead).post(
        url(world.p, f"reviews/{world.review.pk}/visits/new/"), _visit_form(day)
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "The visit must be between" in page
    assert world.cycle.window_start.strftime("%Y") in page
    assert not Visit.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_a_visit_that_ends_before_it_starts_is_refused(world, client_for):
    response = client_for(world.lead).post(
        url(world.p, f"reviews/{world.review.pk}/visits/new/"),
        _visit_form(in_window(world.cycle), starts_at="14:00", ends_at="09:00"),
    )

    assert response.status_code == 400
    assert "must end after it starts" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_nonsense_date_is_a_form_error_not_a_crash(world, client_for):
    response = client_for(world.lead).post(
        url(world.p, f"reviews/{world.review.pk}/visits/new/"),
        _visit_form(in_window(world.cycle), date="31/02/2027"),
    )

    assert response.status_code == 400
    assert "Enter a real date" in response.content.decode()


def test_people_who_are_not_organiser_lead_or_head_cannot_schedule(world, client_for):
    for person in (world.member, world.governor, world.other_head, world.ca):
        response = client_for(person).post(
            url(world.p, f"reviews/{world.review.pk}/visits/new/"),
            _visit_form(in_window(world.cycle)),
        )
        assert response.status_code == 403
    assert not Visit.objects.exists()


def test_the_calendar_file_lists_the_team_and_the_head(world, client_for):
    visit = VisitFactory(
        partnership=world.p,
        review=world.review,
        date=in_window(world.cycle),
        scheduled_by=world.lead,
    )

    response = client_for(world.member).get(url(world.p, f"visits/{visit.pk}/calendar.ics"))

    text = response.content.decode()
    unfolded = text.replace("\r\n ", "")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="peer-review-visit-')
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert f"UID:{visit.uid}@" in unfolded
    assert "SUMMARY:Peer review visit: Ysgol y Bryn" in unfolded
    assert "DESCRIPTION:08:45 Meet the headteacher\\n09:30 Learning walk" in unfolded
    for person in (world.lead, world.member, world.head):
        assert f"mailto:{person.email}" in unfolded
    # A download, not a form: posting to it is refused.
    posted = client_for(world.member).post(url(world.p, f"visits/{visit.pk}/calendar.ics"))
    assert posted.status_code == 405


def test_the_calendar_is_not_for_people_outside_the_review(world, client_for):
    visit = VisitFactory(partnership=world.p, review=world.review)

    for person in (world.governor, world.other_head, world.outside_reviewer):
        response = client_for(person).get(url(world.p, f"visits/{visit.pk}/calendar.ics"))
        assert response.status_code == 403


def test_moving_a_visit_sends_an_update_with_a_higher_sequence(
    world, client_for, django_capture_on_commit_callbacks
):
    visit = VisitFactory(partnership=world.p, review=world.review, date=in_window(world.cycle))
    new_day = in_window(world.cycle, days=10)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.head).post(
            url(world.p, f"visits/{visit.pk}/edit/"), _visit_form(new_day)
        )

    visit.refresh_from_db()
    assert response.status_code == 302
    assert (visit.date, visit.sequence) == (new_day, 1)
    assert len(mail.outbox) == 3
    assert all("replaces the earlier invitation" in m.body for m in mail.outbox)
    ics = client_for(world.lead).get(url(world.p, f"visits/{visit.pk}/calendar.ics"))
    assert "SEQUENCE:1" in ics.content.decode()
    for message in mail.outbox:
        (filename, content, mimetype) = message.attachments[0]
        assert filename == "peer-review-visit.ics"
        assert mimetype.startswith("text/calendar")
        assert "SEQUENCE:1" in content and f"UID:{visit.uid}@" in content.replace("\r\n ", "")


def test_reminders_go_out_a_week_and_a_day_before_and_only_once(
    world, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    week = VisitFactory(partnership=world.p, review=world.review, date=today + timedelta(days=7))
    VisitFactory(partnership=world.p, review=world.review, date=today + timedelta(days=3))

    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.send_due_visit_reminders.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        again = tasks.send_due_visit_reminders.delay().get()
        tasks.remind_visit.delay(world.p.pk, week.pk, 7).get()

    assert (first, again) == (1, 1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.lead.email, world.member.email, world.head.email]
    )
    assert all(m.subject.startswith("Reminder: peer review visit") for m in mail.outbox)
    assert OutboundEmail.objects.filter(key__contains=":reminder:7:").count() == 3


def test_a_moved_visit_gets_its_reminders_again(world, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    visit = VisitFactory(partnership=world.p, review=world.review, date=today + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.send_visit_reminder(visit_id=visit.pk, days_before=1)
    Visit.objects.filter(pk=visit.pk).update(date=today + timedelta(days=2))

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_visit_reminder(visit_id=visit.pk, days_before=1)

    assert sent == 3
    assert len(mail.outbox) == 6


def test_a_reminder_for_a_deleted_visit_does_nothing(world):
    assert services.send_visit_reminder(visit_id=987_654_321, days_before=1) == 0
