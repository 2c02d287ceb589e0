"""Meetings: agenda, minutes, actions carried forward, calendar files and action reminders."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from panels import services
from panels.models import Action, ActionStatus, AgendaItem, ItemKind
from partnership.models import OutboundEmail, Role
from tests.factories import ActionFactory, AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def _schedule(panel, chair, days_ahead):
    starts = timezone.now() + timedelta(days=days_ahead)
    return services.schedule_meeting(
        actor=chair, panel=panel, starts_at=starts, ends_at=starts + timedelta(hours=2), place="Hub"
    )


def test_open_actions_carry_forward_as_matters_arising(partnership, panel, chair):
    first = _schedule(panel, chair, -30)
    action = services.record_action(
        actor=chair,
        meeting=first,
        description="Share the oracy survey results",
        owner=chair,
        due_on=timezone.localdate() + timedelta(days=10),
    )

    second = _schedule(panel, chair, 30)

    carried = AgendaItem.objects.get(meeting=second)
    assert carried.kind == ItemKind.MATTERS_ARISING
    assert carried.carried_action == action
    assert "Share the oracy survey results" in carried.title


def test_finished_actions_do_not_carry_forward(partnership, panel, chair):
    first = _schedule(panel, chair, -30)
    ActionFactory(partnership=partnership, meeting=first, owner=chair, status=ActionStatus.DONE)

    second = _schedule(panel, chair, 30)

    assert not AgendaItem.objects.filter(meeting=second).exists()


def test_an_action_recorded_after_the_next_meeting_is_scheduled_joins_its_agenda(
    partnership, panel, chair
):
    first = _schedule(panel, chair, -30)
    second = _schedule(panel, chair, 30)

    action = services.record_action(
        actor=chair,
        meeting=first,
        description="Visit the Welsh-medium cluster",
        owner=chair,
        due_on=timezone.localdate() + timedelta(days=10),
    )

    assert AgendaItem.objects.get(meeting=second).carried_action == action


def test_carrying_forward_twice_adds_each_action_once(partnership, panel, chair):
    first = _schedule(panel, chair, -30)
    ActionFactory(partnership=partnership, meeting=first, owner=chair)
    second = _schedule(panel, chair, 30)

    services.carry_forward_actions(meeting=second)

    assert AgendaItem.objects.filter(meeting=second).count() == 1


def test_an_action_without_an_owner_is_refused(partnership, panel, chair):
    meeting = MeetingFactory(partnership=partnership, panel=panel)

    with pytest.raises(ValidationError, match="who owns"):
        services.record_action(
            actor=chair,
            meeting=meeting,
            description="Something",
            owner=None,
            due_on=timezone.localdate(),
        )

    assert not Action.objects.exists()


def test_an_action_without_a_due_date_is_refused_on_the_form(partnership, panel, chair, client_for):
    meeting = MeetingFactory(partnership=partnership, panel=panel)

    response = client_for(chair).post(
        f"/p/{partnership.slug}/panels/meetings/{meeting.pk}/actions/new/",
        {"description": "Draft the call", "owner": chair.pk, "due_on": ""},
    )

    assert response.status_code == 200
    assert "Enter the date the action is due." in response.content.decode()
    assert not Action.objects.exists()


def test_minutes_cannot_change_after_approval(partnership, panel, chair):
    meeting = MeetingFactory(partnership=partnership, panel=panel)
    item = AgendaItemFactory(partnership=partnership, meeting=meeting)
    services.record_minutes(actor=chair, item=item, minutes="Agreed to commission.")
    services.approve_minutes(actor=chair, meeting=meeting)

    with pytest.raises(ValidationError, match="approved"):
        services.record_minutes(actor=chair, item=item, minutes="Changed later")

    item.refresh_from_db()
    assert item.minutes == "Agreed to commission."


def test_minutes_with_nothing_written_cannot_be_approved(partnership, panel, chair):
    meeting = MeetingFactory(partnership=partnership, panel=panel)
    AgendaItemFactory(partnership=partnership, meeting=meeting)

    with pytest.raises(ValidationError):
        services.approve_minutes(actor=chair, meeting=meeting)


def test_attendance_and_apologies_are_recorded(partnership, panel, chair, seat_member, client_for):
    member = seat_member(panel).user
    meeting = MeetingFactory(partnership=partnership, panel=panel)

    client_for(chair).post(
        f"/p/{partnership.slug}/panels/meetings/{meeting.pk}/attendance/",
        {f"person_{chair.pk}": "present", f"person_{member.pk}": "apologies"},
    )

    page = client_for(chair).get(f"/p/{partnership.slug}/panels/meetings/{meeting.pk}/")
    assert f"{member}: Apologies" in page.content.decode()


# --- Calendar ----------------------------------------------------------------------------------


def test_the_calendar_file_is_valid_icalendar(partnership, panel, chair, client_for):
    panel.name = "Literacy, oracy; and reading"
    panel.save()
    starts = datetime.datetime(2026, 12, 3, 14, 0, tzinfo=datetime.UTC)
    meeting = MeetingFactory(
        partnership=partnership,
        panel=panel,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="Room 2, Canolfan",
    )

    response = client_for(chair).get(
        f"/p/{partnership.slug}/panels/meetings/{meeting.pk}/calendar.ics"
    )

    body = response.content.decode()
    unfolded = body.replace("\r\n ", "")
    assert response["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert "DTSTART:20261203T140000Z" in unfolded
    assert "SUMMARY:Literacy\\, oracy\\; and reading meeting" in unfolded
    assert "LOCATION:Room 2\\, Canolfan" in unfolded
    assert f"mailto:{chair.email}" in unfolded


def test_a_non_member_cannot_download_the_calendar(partnership, panel, member_factory, client_for):
    meeting = MeetingFactory(partnership=partnership, panel=panel)
    outsider = member_factory(partnership, Role.PANEL_MEMBER)

    response = client_for(outsider).get(
        f"/p/{partnership.slug}/panels/meetings/{meeting.pk}/calendar.ics"
    )

    assert response.status_code == 403


# --- Action reminders ---------------------------------------------------------------------------


def test_action_owners_are_reminded_a_week_before_once(partnership, panel, chair, today):
    meeting = MeetingFactory(partnership=partnership, panel=panel)
    ActionFactory(
        partnership=partnership, meeting=meeting, owner=chair, due_on=today + timedelta(days=7)
    )
    ActionFactory(
        partnership=partnership, meeting=meeting, owner=chair, due_on=today + timedelta(days=3)
    )

    services.send_action_reminders(partnership=partnership, today=today)
    services.send_action_reminders(partnership=partnership, today=today)

    emails = OutboundEmail.objects.filter(to=chair.email)
    assert emails.count() == 1
    assert "Action due" in emails.get().subject


def test_finished_actions_get_no_reminder(partnership, panel, chair, today):
    meeting = MeetingFactory(partnership=partnership, panel=panel)
    ActionFactory(
        partnership=partnership,
        meeting=meeting,
        owner=chair,
        due_on=today + timedelta(days=1),
        status=ActionStatus.DONE,
    )

    services.send_action_reminders(partnership=partnership, today=today)

    assert not OutboundEmail.objects.exists()


def test_the_daily_task_reminds_in_every_partnership(partnership, panel, chair, today):
    from panels.tasks import send_action_reminders

    meeting = MeetingFactory(partnership=partnership, panel=panel)
    ActionFactory(
        partnership=partnership, meeting=meeting, owner=chair, due_on=today + timedelta(days=1)
    )

    send_action_reminders.apply()

    assert OutboundEmail.objects.filter(to=chair.email).count() == 1
