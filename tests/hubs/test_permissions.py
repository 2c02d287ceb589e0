"""Who may do what: admin, hub lead (own hub only), headteacher (own school), governor (reads)."""

from __future__ import annotations

import pytest

from hubs.models import CallStatus, Enrolment, ProgrammeStatus
from partnership.models import Role
from tests.factories import (
    CallFactory,
    DeliverableFactory,
    EnrolmentFactory,
    HubFactory,
    SchoolFactory,
)

from .conftest import make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_hub(partnership, area):
    return HubFactory(partnership=partnership, name="Other hub", area=area)


@pytest.fixture
def people(partnership, admin_user, hub_lead, headteacher, governor, member_factory):
    return {
        "admin": admin_user,
        "hub_lead": hub_lead,
        "headteacher": headteacher,
        "governor": governor,
        "ca": member_factory(partnership, Role.CHALLENGE_ADVISER),
        "participant": member_factory(partnership, Role.PARTICIPANT),
    }


def status_of(client_for, user, url, method="get", data=None):
    client = client_for(user)
    return getattr(client, method)(url, data or {}).status_code


# --- Hubs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin", 200), ("hub_lead", 403), ("headteacher", 403), ("governor", 403), ("ca", 403)],
)
def test_only_the_admin_designates_hubs(client_for, people, role, expected):
    assert status_of(client_for, people[role], "/p/cwm/hubs/new/") == expected


@pytest.mark.parametrize(
    ("role", "expected"), [("admin", 200), ("hub_lead", 403), ("governor", 403)]
)
def test_only_the_admin_edits_a_designation(client_for, people, hub, role, expected):
    assert status_of(client_for, people[role], f"/p/cwm/hubs/{hub.pk}/edit/") == expected


@pytest.mark.parametrize(
    ("role", "sees_funding"),
    [
        ("admin", True),
        ("ca", True),
        ("hub_lead", True),
        ("governor", True),
        ("headteacher", False),
        ("participant", False),
    ],
)
def test_the_sla_is_shown_to_those_who_oversee_or_belong_to_the_hub(
    client_for, people, hub, role, sees_funding
):
    page = client_for(people[role]).get(f"/p/cwm/hubs/{hub.pk}/").content.decode()

    assert ("Service level agreement" in page) is sees_funding


def test_hub_lead_updates_own_hubs_deliverables_but_not_another_hubs(
    client_for, partnership, hub, other_hub, hub_lead
):
    own = DeliverableFactory(partnership=partnership, agreement__hub=hub)
    theirs = DeliverableFactory(partnership=partnership, agreement__hub=other_hub)

    assert status_of(client_for, hub_lead, f"/p/cwm/hubs/deliverables/{own.pk}/") == 200
    assert status_of(client_for, hub_lead, f"/p/cwm/hubs/deliverables/{theirs.pk}/") == 403


def test_a_governor_reads_the_hub_but_cannot_change_a_deliverable(
    client_for, partnership, hub, governor
):
    deliverable = DeliverableFactory(partnership=partnership, agreement=hub.agreements.get())

    response = client_for(governor).post(
        f"/p/cwm/hubs/deliverables/{deliverable.pk}/", {"status": "missed"}
    )

    assert response.status_code == 403
    deliverable.refresh_from_db()
    assert deliverable.status == "not_started"


# --- Programmes ------------------------------------------------------------------------------


def test_hub_lead_edits_own_programmes_only(client_for, partnership, hub, other_hub, hub_lead):
    own = make_programme(partnership, hub)
    theirs = make_programme(partnership, other_hub)

    assert status_of(client_for, hub_lead, f"/p/cwm/programmes/{own.pk}/edit/") == 200
    assert status_of(client_for, hub_lead, f"/p/cwm/programmes/{theirs.pk}/edit/") == 403
    assert status_of(client_for, hub_lead, f"/p/cwm/hubs/{hub.pk}/programmes/new/") == 200
    assert status_of(client_for, hub_lead, f"/p/cwm/hubs/{other_hub.pk}/programmes/new/") == 403


@pytest.mark.parametrize(
    ("role", "expected"),
    [("headteacher", 200), ("governor", 403), ("hub_lead", 403), ("participant", 403)],
)
def test_only_headteachers_enrol_staff(client_for, people, programme, role, expected):
    assert (
        status_of(client_for, people[role], f"/p/cwm/programmes/{programme.pk}/enrol/") == expected
    )


def test_a_headteacher_cannot_enrol_another_schools_staff(
    client_for, programme, headteacher, other_school
):
    response = client_for(headteacher).post(
        f"/p/cwm/programmes/{programme.pk}/enrol/",
        {
            "school": other_school.pk,
            "participant_name": "Sian",
            "participant_email": "sian@x.example",
            "participant_role": "teacher",
        },
    )

    assert "Select a valid choice" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_a_headteacher_enrols_own_staff_through_the_page(
    client_for, programme, headteacher, school
):
    response = client_for(headteacher).post(
        f"/p/cwm/programmes/{programme.pk}/enrol/",
        {
            "school": school.pk,
            "participant_name": "Sian Jones",
            "participant_email": "sian@x.example",
            "participant_role": "teacher",
        },
        follow=True,
    )

    assert "Sian Jones has a place." in response.content.decode()
    assert Enrolment.objects.get().school == school


def test_a_headteacher_cancels_own_schools_enrolment_not_anothers(
    client_for, partnership, programme, headteacher, school, other_school
):
    own = EnrolmentFactory(partnership=partnership, programme=programme, school=school)
    theirs = EnrolmentFactory(partnership=partnership, programme=programme, school=other_school)

    assert (
        status_of(client_for, headteacher, f"/p/cwm/enrolments/{theirs.pk}/cancel/", "post") == 403
    )
    assert status_of(client_for, headteacher, f"/p/cwm/enrolments/{own.pk}/cancel/", "post") == 302
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert (own.status, theirs.status) == ("cancelled", "confirmed")


def test_a_headteacher_sees_only_own_schools_participants(
    client_for, partnership, programme, headteacher, school, other_school
):
    EnrolmentFactory(
        partnership=partnership, programme=programme, school=school, participant_name="Own Person"
    )
    EnrolmentFactory(
        partnership=partnership,
        programme=programme,
        school=other_school,
        participant_name="Their Person",
    )

    page = client_for(headteacher).get(f"/p/cwm/programmes/{programme.pk}/").content.decode()

    assert "Own Person" in page and "Their Person" not in page


@pytest.mark.parametrize(
    ("role", "expected"), [("hub_lead", 200), ("admin", 200), ("headteacher", 403)]
)
def test_the_register_is_kept_by_the_hub_lead_or_admin(
    client_for, people, programme, role, expected
):
    session = programme.sessions.get()
    url = f"/p/cwm/programmes/sessions/{session.pk}/register/"

    assert status_of(client_for, people[role], url) == expected


def test_a_draft_programme_is_hidden_from_headteachers(
    client_for, partnership, hub, headteacher, hub_lead
):
    draft = make_programme(partnership, hub, status=ProgrammeStatus.DRAFT)

    assert status_of(client_for, headteacher, f"/p/cwm/programmes/{draft.pk}/") == 404
    assert status_of(client_for, hub_lead, f"/p/cwm/programmes/{draft.pk}/") == 200


# --- Commissioning ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"), [("admin", 200), ("hub_lead", 403), ("headteacher", 403)]
)
def test_only_the_admin_opens_calls(client_for, people, role, expected):
    assert status_of(client_for, people[role], "/p/cwm/calls/new/") == expected


def test_a_draft_call_is_hidden_from_headteachers(client_for, partnership, area, headteacher):
    draft = CallFactory(partnership=partnership, area=area, status=CallStatus.DRAFT)

    assert status_of(client_for, headteacher, f"/p/cwm/calls/{draft.pk}/") == 404


@pytest.mark.parametrize(("role", "expected"), [("headteacher", 200), ("governor", 403)])
def test_headteachers_bid_and_governors_do_not(
    client_for, people, partnership, area, role, expected
):
    call = CallFactory(partnership=partnership, area=area)

    assert status_of(client_for, people[role], f"/p/cwm/calls/{call.pk}/bid/") == expected


def test_only_the_admin_scores_and_awards(client_for, partnership, area, headteacher, school):
    from tests.factories import BidFactory

    call = CallFactory(partnership=partnership, area=area)
    bid = BidFactory(partnership=partnership, call=call, school=school, submitted_by=headteacher)

    assert status_of(client_for, headteacher, f"/p/cwm/bids/{bid.pk}/score/") == 403
    assert status_of(client_for, headteacher, f"/p/cwm/calls/{call.pk}/award/") == 403


def test_a_school_outside_the_partnership_is_not_offered(
    client_for, other_partnership, programme, headteacher
):
    stranger = SchoolFactory(partnership=other_partnership, name="Ysgol Dieithr")

    page = client_for(headteacher).get(f"/p/cwm/programmes/{programme.pk}/enrol/").content.decode()

    assert stranger.name not in page
