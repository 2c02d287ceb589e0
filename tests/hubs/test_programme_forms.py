"""Programme and session forms: bad input gives clear errors and writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hubs.models import Programme, ProgrammeSession, ProgrammeStatus
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def programme_data(area, sessions, **overrides):
    data = {
        "title": "Maths mastery",
        "description": "Six sessions on teaching for mastery.",
        "area": area.pk,
        "phases": ["primary"],
        "audience_roles": ["teacher"],
        "places": "20",
        "delivery_language": "welsh",
        "is_free": "on",
        "price": "",
        "status": "open",
        "sessions-TOTAL_FORMS": str(len(sessions)),
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "60",
    }
    for n, session in enumerate(sessions):
        for key, value in session.items():
            data[f"sessions-{n}-{key}"] = value
    return data | overrides


def session(days, start="09:30", end="15:30", venue="Canolfan y Cwm", online_url=""):
    day = timezone.localdate() + timedelta(days=days)
    return {
        "date": day.isoformat(),
        "starts_at": start,
        "ends_at": end,
        "venue": venue,
        "online_url": online_url,
    }


def post(client_for, user, hub, data):
    return client_for(user).post(f"/p/cwm/hubs/{hub.pk}/programmes/new/", data)


def test_hub_lead_creates_a_programme_with_its_sessions(client_for, hub, hub_lead, area):
    data = programme_data(area, [session(10), session(17, online_url="https://meet.example/x")])

    response = post(client_for, hub_lead, hub, data)

    assert response.status_code == 302
    programme = Programme.objects.get()
    assert programme.phases == ["primary"] and programme.status == ProgrammeStatus.OPEN
    assert programme.sessions.count() == 2


def test_sessions_out_of_order_are_refused_and_nothing_written(client_for, hub, hub_lead, area):
    data = programme_data(area, [session(17), session(10)])

    response = post(client_for, hub_lead, hub, data)

    assert "Session 2 starts before session 1 ends" in response.content.decode()
    assert not Programme.objects.exists()
    assert not ProgrammeSession.objects.exists()


def test_a_session_ending_before_it_starts_is_refused(client_for, hub, hub_lead, area):
    data = programme_data(area, [session(10, start="15:00", end="09:00")])

    response = post(client_for, hub_lead, hub, data)

    assert "Session 1 ends before it starts" in response.content.decode()
    assert not Programme.objects.exists()


def test_a_session_needs_a_venue_or_a_link(client_for, hub, hub_lead, area):
    data = programme_data(area, [session(10, venue="")])

    response = post(client_for, hub_lead, hub, data)

    assert "Session 1 needs a venue or an online link." in response.content.decode()
    assert not Programme.objects.exists()


def test_a_negative_price_is_refused(client_for, hub, hub_lead, area):
    data = programme_data(area, [session(10)], is_free="", price="-10")

    response = post(client_for, hub_lead, hub, data)

    assert "The amount cannot be negative." in response.content.decode()
    assert not Programme.objects.exists()


def test_a_charged_programme_needs_a_price(client_for, hub, hub_lead, area):
    data = programme_data(area, [session(10)], is_free="")

    response = post(client_for, hub_lead, hub, data)

    assert "Enter the price" in response.content.decode()
    assert not Programme.objects.exists()


def test_zero_places_are_refused(client_for, hub, hub_lead, area):
    response = post(client_for, hub_lead, hub, programme_data(area, [session(10)], places="0"))

    assert "A programme needs at least one place." in response.content.decode()
    assert not Programme.objects.exists()


def test_an_open_programme_needs_a_session(client_for, hub, hub_lead, area):
    response = post(client_for, hub_lead, hub, programme_data(area, []))

    assert "Add at least one session before opening the programme." in response.content.decode()
    assert not Programme.objects.exists()


def test_places_cannot_drop_below_the_places_given(client_for, partnership, hub, hub_lead, area):
    from .conftest import make_programme

    programme = make_programme(partnership, hub, places=3)
    for _ in range(3):
        EnrolmentFactory(partnership=partnership, programme=programme)
    existing = programme.sessions.get()
    data = programme_data(
        area,
        [
            {
                "id": existing.pk,
                "date": existing.date.isoformat(),
                "starts_at": "09:30",
                "ends_at": "15:30",
                "venue": existing.venue,
            }
        ],
        places="2",
    )
    data["sessions-INITIAL_FORMS"] = "1"

    response = client_for(hub_lead).post(f"/p/cwm/programmes/{programme.pk}/edit/", data)

    assert "3 people already have places" in response.content.decode()
    programme.refresh_from_db()
    assert programme.places == 3


def test_catalogue_filters_by_phase_language_and_free(client_for, partnership, hub, headteacher):
    from .conftest import make_programme

    make_programme(
        partnership, hub, title="Welsh primary free", phases=["primary"], delivery_language="welsh"
    )
    make_programme(
        partnership,
        hub,
        title="English secondary",
        phases=["secondary"],
        delivery_language="english",
    )
    make_programme(
        partnership,
        hub,
        title="Welsh primary charged",
        phases=["primary"],
        delivery_language="welsh",
        is_free=False,
        price=50,
    )

    page = (
        client_for(headteacher)
        .get("/p/cwm/programmes/", {"phase": "primary", "language": "welsh", "free_only": "on"})
        .content.decode()
    )

    assert "Welsh primary free" in page
    assert "English secondary" not in page and "Welsh primary charged" not in page


def test_catalogue_search_and_dates(client_for, partnership, hub, headteacher):
    from .conftest import make_programme

    make_programme(partnership, hub, title="Phonics first steps")
    make_programme(partnership, hub, title="Algebra for all")
    soon = (timezone.localdate() + timedelta(days=14)).isoformat()

    page = (
        client_for(headteacher)
        .get("/p/cwm/programmes/", {"q": "phonics", "starts_from": soon, "starts_to": soon})
        .content.decode()
    )

    assert "Phonics first steps" in page and "Algebra for all" not in page


def test_catalogue_hides_drafts(client_for, partnership, hub, headteacher):
    from .conftest import make_programme

    make_programme(partnership, hub, title="Secret draft", status=ProgrammeStatus.DRAFT)

    page = client_for(headteacher).get("/p/cwm/programmes/").content.decode()

    assert "Secret draft" not in page


def _edit_data(programme, area, *, delete=False):
    existing = programme.sessions.get()
    data = programme_data(
        area,
        [
            {
                "id": existing.pk,
                "date": existing.date.isoformat(),
                "starts_at": existing.starts_at.strftime("%H:%M"),
                "ends_at": existing.ends_at.strftime("%H:%M"),
                "venue": existing.venue,
                **({"DELETE": "on"} if delete else {}),
            }
        ],
        title="Renamed programme",
        status="draft",
    )
    data["sessions-INITIAL_FORMS"] = "1"
    return data


def test_editing_a_programme_keeps_the_sessions_left_unchanged(
    client_for, partnership, hub, hub_lead, area
):
    from .conftest import make_programme

    programme = make_programme(partnership, hub)
    session_id = programme.sessions.get().pk

    response = client_for(hub_lead).post(
        f"/p/cwm/programmes/{programme.pk}/edit/", _edit_data(programme, area)
    )

    assert response.status_code == 302
    assert list(programme.sessions.values_list("pk", flat=True)) == [session_id]


def test_a_session_ticked_for_deletion_is_removed(client_for, partnership, hub, hub_lead, area):
    from .conftest import make_programme

    programme = make_programme(partnership, hub)

    client_for(hub_lead).post(
        f"/p/cwm/programmes/{programme.pk}/edit/", _edit_data(programme, area, delete=True)
    )

    assert not programme.sessions.exists()
