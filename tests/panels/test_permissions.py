"""Who sees what: admin manages, members read papers, pupils and governors see what is
marked for them, others see published decisions only, minutes are draft until approved."""

from __future__ import annotations

import pytest

from panels import services
from panels.models import Panel, SeatType
from partnership.models import Role
from tests.factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(partnership, panel):
    return MeetingFactory(partnership=partnership, panel=panel)


def _url(partnership, path):
    return f"/p/{partnership.slug}/panels/{path}"


def test_the_admin_creates_a_panel(partnership, admin_client_):
    response = admin_client_.post(
        _url(partnership, "new/"),
        {
            "name": "Numeracy panel",
            "purpose": "Commissions numeracy support.",
            "max_consecutive_terms": 2,
            "term_warning_days": 60,
        },
    )

    assert response.status_code == 302
    assert Panel.objects.filter(name="Numeracy panel").exists()


@pytest.mark.parametrize("role", [Role.PANEL_MEMBER, Role.CHALLENGE_ADVISER, Role.HUB_LEAD])
def test_only_the_admin_creates_panels(partnership, member_factory, client_for, role):
    response = client_for(member_factory(partnership, role)).get(_url(partnership, "new/"))

    assert response.status_code == 403


def test_the_chair_cannot_add_seats(partnership, panel, chair, client_for):
    response = client_for(chair).get(_url(partnership, f"{panel.pk}/seats/new/"))

    assert response.status_code == 403


def test_a_panel_member_reads_the_meeting_papers(
    partnership, panel, meeting, seat_member, client_for
):
    AgendaItemFactory(partnership=partnership, meeting=meeting, title="Hub evaluations")
    member = seat_member(panel, SeatType.TEACHER).user

    response = client_for(member).get(_url(partnership, f"meetings/{meeting.pk}/"))

    assert response.status_code == 200
    assert "Hub evaluations" in response.content.decode()


def test_someone_not_on_the_panel_cannot_read_its_papers(
    partnership, panel, meeting, member_factory, client_for
):
    outsider = member_factory(partnership, Role.CHALLENGE_ADVISER)

    response = client_for(outsider).get(_url(partnership, f"meetings/{meeting.pk}/"))

    assert response.status_code == 403


def test_a_former_member_cannot_read_the_papers(
    partnership, panel, meeting, seat_member, client_for
):
    former = seat_member(panel, SeatType.TEACHER, days_left=-1).user

    response = client_for(former).get(_url(partnership, f"meetings/{meeting.pk}/"))

    assert response.status_code == 403


@pytest.mark.parametrize("seat_type", [SeatType.PUPIL, SeatType.GOVERNOR])
def test_pupils_and_governors_see_only_items_marked_for_them(
    partnership, panel, meeting, seat_member, client_for, seat_type
):
    AgendaItemFactory(
        partnership=partnership, meeting=meeting, title="Pupil voice report", for_all_seats=True
    )
    AgendaItemFactory(partnership=partnership, meeting=meeting, title="Bid scores")
    person = seat_member(panel, seat_type).user

    page = client_for(person).get(_url(partnership, f"meetings/{meeting.pk}/")).content.decode()

    assert "Pupil voice report" in page
    assert "Bid scores" not in page


def test_draft_minutes_are_hidden_from_members_until_approved(
    partnership, panel, meeting, chair, seat_member, client_for
):
    item = AgendaItemFactory(partnership=partnership, meeting=meeting)
    services.record_minutes(actor=chair, item=item, minutes="The panel agreed to commission.")
    member = client_for(seat_member(panel, SeatType.TEACHER).user)
    url = _url(partnership, f"meetings/{meeting.pk}/")

    before = member.get(url).content.decode()
    services.approve_minutes(actor=chair, meeting=meeting)
    after = member.get(url).content.decode()

    assert "The panel agreed to commission." not in before
    assert "The panel agreed to commission." in after


def test_the_chair_sees_draft_minutes(partnership, panel, meeting, chair, client_for):
    item = AgendaItemFactory(partnership=partnership, meeting=meeting)
    services.record_minutes(actor=chair, item=item, minutes="Draft wording.")

    page = client_for(chair).get(_url(partnership, f"meetings/{meeting.pk}/")).content.decode()

    assert "Draft wording." in page
    assert "Draft minutes" in page


def test_others_see_only_published_decisions(
    partnership, panel, meeting, chair, member_factory, client_for
):
    published = AgendaItemFactory(partnership=partnership, meeting=meeting, title="Commission")
    private = AgendaItemFactory(partnership=partnership, meeting=meeting, title="Scores")
    services.record_minutes(
        actor=chair,
        item=published,
        minutes="Discussed the bids in detail.",
        decision="Commission Ysgol y Cwm as oracy hub.",
        decision_published=True,
    )
    services.record_minutes(
        actor=chair, item=private, minutes="Scores noted.", decision="Keep scores private."
    )
    services.approve_minutes(actor=chair, meeting=meeting)
    headteacher = member_factory(partnership, Role.CHALLENGE_ADVISER)

    page = client_for(headteacher).get(_url(partnership, f"{panel.pk}/")).content.decode()

    assert "Commission Ysgol y Cwm as oracy hub." in page
    assert "Keep scores private." not in page
    assert "Discussed the bids in detail." not in page
    assert "Identified needs" not in page


def test_a_published_decision_waits_for_approved_minutes(
    partnership, panel, meeting, chair, member_factory, client_for
):
    item = AgendaItemFactory(partnership=partnership, meeting=meeting)
    services.record_minutes(
        actor=chair, item=item, minutes="m", decision="Commission it.", decision_published=True
    )
    reader = member_factory(partnership, Role.HUB_LEAD)

    page = client_for(reader).get(_url(partnership, f"{panel.pk}/")).content.decode()

    assert "Commission it." not in page


def test_an_action_owner_updates_their_own_action(
    partnership, panel, meeting, seat_member, client_for
):
    from tests.factories import ActionFactory

    owner = seat_member(panel, SeatType.TEACHER).user
    action = ActionFactory(partnership=partnership, meeting=meeting, owner=owner)

    client_for(owner).post(_url(partnership, f"actions/{action.pk}/status/"), {"status": "done"})

    action.refresh_from_db()
    assert action.status == "done"


def test_a_member_cannot_change_someone_elses_action(
    partnership, panel, meeting, chair, seat_member, client_for
):
    from tests.factories import ActionFactory

    action = ActionFactory(partnership=partnership, meeting=meeting, owner=chair)
    member = seat_member(panel, SeatType.TEACHER).user

    response = client_for(member).post(
        _url(partnership, f"actions/{action.pk}/status/"), {"status": "done"}
    )

    action.refresh_from_db()
    assert response.status_code == 403
    assert action.status == "open"


def test_a_member_records_an_action_but_a_pupil_cannot(
    partnership, panel, meeting, seat_member, client_for
):
    from panels.models import Action

    member = seat_member(panel, SeatType.TEACHER).user
    pupil = seat_member(panel, SeatType.PUPIL).user
    url = _url(partnership, f"meetings/{meeting.pk}/actions/new/")
    body = {"description": "Visit the hub", "owner": member.pk, "due_on": "2027-01-15"}

    by_member = client_for(member).post(url, body)
    by_pupil = client_for(pupil).post(url, body)

    assert by_member.status_code == 302
    assert by_pupil.status_code == 403
    assert Action.objects.count() == 1
