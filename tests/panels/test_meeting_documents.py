"""Calendar invitations emailed to members with the .ics attached, and minutes as PDF."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from panels import services
from panels.models import SeatType
from partnership.models import OutboundEmail, Role
from tests.factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def _schedule(panel, chair, **changes):
    starts = timezone.now() + timedelta(days=20)
    return services.schedule_meeting(
        actor=chair, panel=panel, starts_at=starts, ends_at=starts + timedelta(hours=2), place="Hub"
    )


def test_members_are_emailed_the_invitation_with_the_ics_attached(panel, chair, seat_member):
    member = seat_member(panel, SeatType.TEACHER).user

    meeting = _schedule(panel, chair)

    emails = OutboundEmail.objects.filter(key__startswith="panels:meeting-invitation:")
    assert sorted(e.to for e in emails) == sorted([chair.email, member.email])
    attachment = emails.get(to=member.email).attachments[0]
    assert attachment["mimetype"] == "text/calendar"
    assert attachment["filename"].endswith(".ics")
    assert f"UID:panel-meeting-{meeting.pk}@" in attachment["content"]
    assert "SEQUENCE:0" in attachment["content"]


def test_a_changed_meeting_sends_an_update_once(panel, chair):
    meeting = _schedule(panel, chair)
    later = meeting.starts_at + timedelta(days=1)

    services.change_meeting(
        actor=chair, meeting=meeting, starts_at=later, ends_at=later + timedelta(hours=1), place="B"
    )
    services.send_meeting_invitations(meeting=meeting)

    emails = OutboundEmail.objects.filter(to=chair.email).order_by("pk")
    assert emails.count() == 2
    assert emails.last().subject.startswith("Changed:")
    assert "SEQUENCE:1" in emails.last().attachments[0]["content"]


def test_former_members_are_not_invited(panel, chair, seat_member):
    former = seat_member(panel, SeatType.TEACHER, days_left=-1).user

    _schedule(panel, chair)

    assert not OutboundEmail.objects.filter(to=former.email).exists()


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_minutes_pdf_holds_the_approved_minutes(
    partnership, panel, chair, seat_member, client_for
):
    meeting = MeetingFactory(partnership=partnership, panel=panel)
    item = AgendaItemFactory(partnership=partnership, meeting=meeting, title="Oracy hub")
    services.record_minutes(actor=chair, item=item, minutes="Agreed to fund a second year.")
    member = client_for(seat_member(panel, SeatType.TEACHER).user)
    url = f"/p/{partnership.slug}/panels/meetings/{meeting.pk}/minutes.pdf"

    draft = _pdf_text(member.get(url))
    services.approve_minutes(actor=chair, meeting=meeting)
    approved = _pdf_text(member.get(url))

    assert "Oracy hub" in draft
    assert "Agreed to fund" not in draft
    assert "DRAFT" in draft
    assert "Agreed to fund a second year." in approved


def test_someone_not_on_the_panel_cannot_download_the_minutes(
    partnership, panel, member_factory, client_for
):
    meeting = MeetingFactory(partnership=partnership, panel=panel)
    outsider = member_factory(partnership, Role.HUB_LEAD)

    response = client_for(outsider).get(
        f"/p/{partnership.slug}/panels/meetings/{meeting.pk}/minutes.pdf"
    )

    assert response.status_code == 403
