"""The panels API: same permissions as the pages, writes through the services, 400 with
reasons and nothing written for bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from panels import services
from panels.models import Action, ConsultationResponse, SeatType
from partnership.models import Role
from tests.factories import ActionFactory, AgendaItemFactory, MeetingFactory

from .factories import ConsultationFactory, ConsultationQuestionFactory

pytestmark = pytest.mark.django_db

API = "/api/p/cwm/panels"


def api_for(user) -> Client:
    token, _created = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def test_panels_and_members_are_listed(panel, chair, member_factory, partnership):
    reader = api_for(member_factory(partnership, Role.HUB_LEAD))

    panels = reader.get(f"{API}/").json()["results"]
    members = reader.get(f"{API}/members/", {"panel": panel.pk, "current": "true"}).json()

    assert [p["name"] for p in panels] == ["Literacy panel"]
    assert panels[0]["member_count"] == 1
    assert [m["is_chair"] for m in members["results"]] == [True]


def test_a_member_reads_a_meeting_without_draft_minutes(partnership, panel, chair, seat_member):
    meeting = MeetingFactory(partnership=partnership, panel=panel)
    item = AgendaItemFactory(partnership=partnership, meeting=meeting, title="Hub reports")
    services.record_minutes(actor=chair, item=item, minutes="Draft words.")
    member = api_for(seat_member(panel, SeatType.TEACHER).user)

    listed = member.get(f"{API}/meetings/").json()["results"]
    detail = member.get(f"{API}/meetings/{meeting.pk}/").json()
    as_chair = api_for(chair).get(f"{API}/meetings/{meeting.pk}/").json()

    assert [m["id"] for m in listed] == [meeting.pk]
    assert detail["agenda"][0]["title"] == "Hub reports"
    assert detail["agenda"][0]["minutes"] is None
    assert as_chair["agenda"][0]["minutes"] == "Draft words."


def test_someone_not_on_the_panel_cannot_read_its_meetings(partnership, panel, member_factory):
    meeting = MeetingFactory(partnership=partnership, panel=panel)
    outsider = api_for(member_factory(partnership, Role.CHALLENGE_ADVISER))

    assert outsider.get(f"{API}/meetings/").json()["results"] == []
    assert outsider.get(f"{API}/meetings/{meeting.pk}/").status_code == 403


def test_the_chair_records_an_action(partnership, panel, chair):
    meeting = MeetingFactory(partnership=partnership, panel=panel)
    due = (timezone.localdate() + timedelta(days=14)).isoformat()

    response = api_for(chair).post(
        f"{API}/actions/",
        {"meeting": meeting.pk, "description": "Share results", "owner": chair.pk, "due_on": due},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert Action.objects.get().owner == chair


@pytest.mark.parametrize("missing", ["owner", "due_on"])
def test_an_action_without_owner_or_due_date_is_refused(partnership, panel, chair, missing):
    meeting = MeetingFactory(partnership=partnership, panel=panel)
    body = {
        "meeting": meeting.pk,
        "description": "Share results",
        "owner": chair.pk,
        "due_on": timezone.localdate().isoformat(),
    }
    del body[missing]

    response = api_for(chair).post(f"{API}/actions/", body, content_type="application/json")

    assert response.status_code == 400
    assert missing in response.json()
    assert not Action.objects.exists()


def test_a_pupil_member_cannot_record_an_action(partnership, panel, seat_member):
    meeting = MeetingFactory(partnership=partnership, panel=panel)
    member = seat_member(panel, SeatType.PUPIL).user

    response = api_for(member).post(
        f"{API}/actions/",
        {
            "meeting": meeting.pk,
            "description": "x",
            "owner": member.pk,
            "due_on": timezone.localdate().isoformat(),
        },
        content_type="application/json",
    )

    assert response.status_code == 403


@pytest.mark.parametrize("seat_type", [None, SeatType.PUPIL])
def test_someone_who_records_no_actions_is_refused_before_the_body_is_read(
    partnership, panel, member_factory, seat_member, seat_type
):
    if seat_type is None:
        user = member_factory(partnership, Role.CHALLENGE_ADVISER)  # on no panel
    else:
        user = seat_member(panel, seat_type).user

    response = api_for(user).post(f"{API}/actions/", {}, content_type="application/json")

    assert response.status_code == 403
    assert not Action.objects.exists()


def test_an_owner_updates_their_action(partnership, panel, seat_member):
    owner = seat_member(panel, SeatType.TEACHER).user
    action = ActionFactory(
        partnership=partnership,
        meeting=MeetingFactory(partnership=partnership, panel=panel),
        owner=owner,
    )

    response = api_for(owner).patch(
        f"{API}/actions/{action.pk}/", {"status": "done"}, content_type="application/json"
    )

    action.refresh_from_db()
    assert response.status_code == 200
    assert action.status == "done"


def test_consultation_responses_through_the_api(partnership, school, member_factory):
    consultation = ConsultationFactory(partnership=partnership, groups=["headteachers"])
    question = ConsultationQuestionFactory(
        partnership=partnership, consultation=consultation, section__consultation=consultation
    )
    head = api_for(member_factory(partnership, Role.HEADTEACHER, school=school))
    url = f"{API}/consultations/{consultation.pk}/respond/"
    body = {"group": "headteachers", "answers": {str(question.pk): "More peer review."}}

    listed = head.get(f"{API}/consultations/").json()
    first = head.post(url, body, content_type="application/json")
    second = head.post(url, body, content_type="application/json")
    collated = head.get(f"{API}/consultations/{consultation.pk}/responses/")

    assert [c["id"] for c in listed] == [consultation.pk]
    assert first.status_code == 201, first.content
    assert second.status_code == 400
    assert "already responded" in str(second.json())
    assert ConsultationResponse.objects.count() == 1
    assert collated.status_code == 403


def test_a_late_api_response_is_refused(partnership, school, member_factory):
    consultation = ConsultationFactory(
        partnership=partnership,
        groups=["headteachers"],
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() - timedelta(days=1),
    )
    question = ConsultationQuestionFactory(
        partnership=partnership, consultation=consultation, section__consultation=consultation
    )
    head = api_for(member_factory(partnership, Role.HEADTEACHER, school=school))

    response = head.post(
        f"{API}/consultations/{consultation.pk}/respond/",
        {"group": "headteachers", "answers": {str(question.pk): "Late."}},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "no longer accepted" in str(response.json())
    assert not ConsultationResponse.objects.exists()
