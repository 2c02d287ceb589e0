"""The hubs API: hubs, value for money, programmes, sessions, enrolments, calls and bids.

Same permissions as the pages (hubs.policies); writes go through the services, so bad input
is 400 with the reasons and nothing is written.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from hubs.models import (
    Attendance,
    Bid,
    BidStatus,
    Call,
    CallStatus,
    Enrolment,
    EnrolmentStatus,
    ProgrammeStatus,
)
from partnership.models import Role
from tests.factories import (
    BidFactory,
    BidScoreFactory,
    BudgetLineFactory,
    CallCriterionFactory,
    CallFactory,
    EnrolmentFactory,
    HubFactory,
)

from .conftest import make_programme

pytestmark = pytest.mark.django_db

API = "/api/p/cwm/hubs/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def api_for(user) -> Client:
    """A client calling the API with the user's token, as a script would."""
    token, _created = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def enrolment_data(school, email="anwen@school.example", **overrides):
    return {
        "school": school.pk,
        "participant_name": "Anwen Jones",
        "participant_email": email,
        "participant_role": "teacher",
    } | overrides


# --- Hubs and value for money ------------------------------------------------------------------


def test_hub_list_shows_each_hub_with_its_schools_and_programmes(
    hub, hub_school, programme, headteacher
):
    data = api_for(headteacher).get(API).json()

    assert data["count"] == 1
    assert data["results"][0] == {
        "id": hub.pk,
        "name": "Cwm numeracy hub",
        "area": hub.area_id,
        "area_name": "Numeracy",
        "schools": [hub_school.pk],
        "description": hub.description,
        "starts_on": hub.starts_on.isoformat(),
        "ends_on": hub.ends_on.isoformat(),
        "status": "designated",
        "programme_count": 1,
    }


def test_hub_detail_and_unknown_hub(hub, headteacher):
    client = api_for(headteacher)

    assert client.get(f"{API}{hub.pk}/").json()["name"] == "Cwm numeracy hub"
    assert client.get(f"{API}999999/").status_code == 404


def test_value_for_money_lists_every_hubs_figures_for_the_admin(
    partnership, hub, programme, admin_user
):
    BudgetLineFactory(partnership=partnership, agreement=hub.agreements.get(), actual=1500)
    EnrolmentFactory(partnership=partnership, programme=programme)

    data = api_for(admin_user).get(f"{API}value/").json()

    figures = data["hubs"][0]["figures"]
    assert (figures["funding"], figures["spend"], figures["participants"]) == (
        "20000.00",
        "1500.00",
        1,
    )
    assert figures["cost_per_participant"] == "1500.00"
    assert figures["attendance_rate"] is None
    assert (figures["impact"], figures["impact_retained"]) == (None, None)
    assert data["areas"][0]["hubs"] == [hub.pk]
    assert data["total"]["funding"] == "20000.00"


def test_value_for_money_is_not_for_headteachers(hub, headteacher):
    assert api_for(headteacher).get(f"{API}value/").status_code == 403


def test_one_hubs_value_is_for_its_lead_not_other_headteachers(
    hub, programme, hub_lead, headteacher
):
    data = api_for(hub_lead).get(f"{API}{hub.pk}/value/").json()

    assert data["figures"]["funding"] == "20000.00"
    assert [p["title"] for p in data["programmes"]] == [programme.title]
    assert api_for(headteacher).get(f"{API}{hub.pk}/value/").status_code == 403


# --- Programmes ----------------------------------------------------------------------------------


def test_programme_list_is_the_catalogue_with_sessions_and_places(
    partnership, hub, programme, headteacher
):
    make_programme(partnership, hub, status=ProgrammeStatus.DRAFT, title="Not yet")
    EnrolmentFactory(partnership=partnership, programme=programme)

    data = api_for(headteacher).get(f"{API}programmes/").json()

    assert [p["title"] for p in data["results"]] == [programme.title]
    row = data["results"][0]
    assert (row["places"], row["places_taken"], row["waiting"], row["status"]) == (
        2,
        1,
        0,
        "open",
    )
    assert row["phases"] == ["primary"]
    assert [s["id"] for s in row["sessions"]] == [programme.sessions.get().pk]


def test_programme_list_filters_like_the_catalogue(partnership, hub, headteacher):
    make_programme(partnership, hub, title="Free one")
    make_programme(partnership, hub, title="Paid one", is_free=False, price=Decimal("50"))

    data = api_for(headteacher).get(f"{API}programmes/", {"free_only": "true"}).json()

    assert [p["title"] for p in data["results"]] == ["Free one"]


def test_programme_list_bad_filter_is_400_with_the_reason(hub, headteacher):
    response = api_for(headteacher).get(f"{API}programmes/", {"phase": "university"})

    assert response.status_code == 400
    assert "phase" in response.json()


def test_a_draft_programme_is_404_except_to_those_who_edit_it(
    partnership, hub, headteacher, hub_lead
):
    draft = make_programme(partnership, hub, status=ProgrammeStatus.DRAFT)

    assert api_for(headteacher).get(f"{API}programmes/{draft.pk}/").status_code == 404
    assert api_for(hub_lead).get(f"{API}programmes/{draft.pk}/").status_code == 200


# --- Enrolling -----------------------------------------------------------------------------------


def test_headteacher_enrols_a_member_of_staff(programme, school, headteacher):
    response = post(
        api_for(headteacher), f"{API}programmes/{programme.pk}/enrol/", enrolment_data(school)
    )

    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"
    assert response.json()["school_name"] == school.name
    assert Enrolment.objects.get().participant_email == "anwen@school.example"


def test_enrolling_on_a_full_programme_joins_the_waiting_list(programme, school, headteacher):
    client = api_for(headteacher)
    for n in range(2):
        post(
            client,
            f"{API}programmes/{programme.pk}/enrol/",
            enrolment_data(school, f"{n}@s.example"),
        )

    response = post(client, f"{API}programmes/{programme.pk}/enrol/", enrolment_data(school))

    assert response.status_code == 201
    assert response.json()["status"] == "waitlisted"


def test_enrolling_someone_twice_is_400_with_the_reason(programme, school, headteacher):
    client = api_for(headteacher)
    post(client, f"{API}programmes/{programme.pk}/enrol/", enrolment_data(school))

    response = post(client, f"{API}programmes/{programme.pk}/enrol/", enrolment_data(school))

    assert response.status_code == 400
    assert response.json() == {
        "participant_email": ["anwen@school.example is already enrolled on this programme."]
    }
    assert Enrolment.objects.count() == 1


def test_enrolling_for_a_school_you_do_not_lead_is_400(programme, other_school, headteacher):
    response = post(
        api_for(headteacher), f"{API}programmes/{programme.pk}/enrol/", enrolment_data(other_school)
    )

    assert response.status_code == 400
    assert "school" in response.json()
    assert not Enrolment.objects.exists()


def test_enrolling_with_missing_fields_is_400_for_each(programme, headteacher):
    response = post(api_for(headteacher), f"{API}programmes/{programme.pk}/enrol/", {})

    assert response.status_code == 400
    assert set(response.json()) == {
        "school",
        "participant_name",
        "participant_email",
        "participant_role",
    }


def test_enrolling_on_a_finished_programme_is_400_with_the_reason(
    partnership, hub, school, headteacher
):
    finished = make_programme(partnership, hub, status=ProgrammeStatus.FINISHED)

    response = post(
        api_for(headteacher), f"{API}programmes/{finished.pk}/enrol/", enrolment_data(school)
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This programme is not taking enrolments (it is finished)."]
    }


def test_malformed_json_is_400(programme, headteacher):
    response = api_for(headteacher).post(
        f"{API}programmes/{programme.pk}/enrol/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400


def test_only_headteachers_enrol(programme, hub_school, hub_lead):
    response = post(
        api_for(hub_lead), f"{API}programmes/{programme.pk}/enrol/", enrolment_data(hub_school)
    )

    assert response.status_code == 403


# --- Enrolments ----------------------------------------------------------------------------------


@pytest.fixture
def enrolments(partnership, programme, school, other_school):
    return {
        "ours": EnrolmentFactory(partnership=partnership, programme=programme, school=school),
        "theirs": EnrolmentFactory(
            partnership=partnership, programme=programme, school=other_school
        ),
    }


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_headteacher_lists_only_their_schools_enrolments(enrolments, headteacher):
    assert ids(api_for(headteacher).get(f"{API}enrolments/")) == {enrolments["ours"].pk}


def test_hub_lead_lists_every_enrolment_on_their_hubs_programmes(
    partnership, area, enrolments, hub_lead
):
    other_hub = HubFactory(partnership=partnership, name="Another hub", area=area)
    EnrolmentFactory(partnership=partnership, programme=make_programme(partnership, other_hub))

    assert ids(api_for(hub_lead).get(f"{API}enrolments/")) == {
        enrolments["ours"].pk,
        enrolments["theirs"].pk,
    }


def test_enrolments_filter_by_status(partnership, programme, enrolments, member_factory):
    ca = member_factory(partnership, Role.CHALLENGE_ADVISER)
    Enrolment.objects.filter(pk=enrolments["theirs"].pk).update(status=EnrolmentStatus.CANCELLED)

    response = api_for(ca).get(f"{API}enrolments/", {"status": "cancelled"})

    assert ids(response) == {enrolments["theirs"].pk}
    assert api_for(ca).get(f"{API}enrolments/", {"status": "gone"}).status_code == 400


def test_headteacher_cancels_an_enrolment_and_the_waiting_list_moves_up(
    partnership, programme, school, headteacher, enrolments
):
    waiting = EnrolmentFactory(
        partnership=partnership, programme=programme, status=EnrolmentStatus.WAITLISTED
    )

    response = post(api_for(headteacher), f"{API}enrolments/{enrolments['ours'].pk}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.CONFIRMED


def test_another_schools_enrolment_cannot_be_seen_or_cancelled(enrolments, headteacher):
    client = api_for(headteacher)
    theirs = enrolments["theirs"].pk

    assert client.get(f"{API}enrolments/{theirs}/").status_code == 404
    assert post(client, f"{API}enrolments/{theirs}/cancel/").status_code == 404
    assert Enrolment.objects.get(pk=theirs).status == EnrolmentStatus.CONFIRMED


def test_a_challenge_adviser_sees_enrolments_but_cannot_cancel_them(
    partnership, enrolments, member_factory
):
    ca = member_factory(partnership, Role.CHALLENGE_ADVISER)

    response = post(api_for(ca), f"{API}enrolments/{enrolments['ours'].pk}/cancel/")

    assert response.status_code == 403


# --- Sessions and registers ----------------------------------------------------------------------


def test_sessions_of_draft_programmes_are_hidden_from_headteachers(
    partnership, hub, programme, headteacher, hub_lead
):
    draft = make_programme(partnership, hub, status=ProgrammeStatus.DRAFT)
    published = programme.sessions.get().pk
    hidden = draft.sessions.get().pk

    assert ids(api_for(headteacher).get(f"{API}sessions/")) == {published}
    assert ids(api_for(hub_lead).get(f"{API}sessions/")) == {published, hidden}


def test_hub_lead_reads_and_records_the_register(programme, enrolments, hub_lead):
    session = programme.sessions.get()
    url = f"{API}sessions/{session.pk}/register/"
    client = api_for(hub_lead)

    response = post(
        client,
        url,
        [
            {"enrolment": enrolments["ours"].pk, "attended": True},
            {"enrolment": enrolments["theirs"].pk, "attended": False},
        ],
    )

    assert response.status_code == 200
    assert {row["enrolment"]: row["attended"] for row in response.json()} == {
        enrolments["ours"].pk: True,
        enrolments["theirs"].pk: False,
    }
    assert Attendance.objects.filter(session=session, attended=True).count() == 1


def test_a_register_naming_someone_not_on_the_programme_is_400(
    partnership, programme, enrolments, hub_lead
):
    stranger = EnrolmentFactory(partnership=partnership)
    url = f"{API}sessions/{programme.sessions.get().pk}/register/"

    response = post(api_for(hub_lead), url, [{"enrolment": stranger.pk, "attended": True}])

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["The register lists someone who is not on the programme."]
    }
    assert not Attendance.objects.exists()


def test_headteachers_do_not_keep_registers(programme, headteacher):
    url = f"{API}sessions/{programme.sessions.get().pk}/register/"

    assert api_for(headteacher).get(url).status_code == 403


# --- Calls and bids ------------------------------------------------------------------------------


@pytest.fixture
def call(partnership, area):
    call = CallFactory(partnership=partnership, area=area, budget=Decimal("20000"))
    CallCriterionFactory(partnership=partnership, call=call, title="Impact", weight=60)
    return call


def bid_data(school, **overrides):
    return {
        "school": school.pk,
        "proposal": "Six twilight sessions led by our phonics lead.",
        "delivery_plan": "Autumn training, spring coaching, summer review.",
        "cost": "15000.00",
        "capacity": 24,
        "delivery_language": "bilingual",
    } | overrides


def test_call_list_hides_drafts_from_headteachers(partnership, area, call, headteacher, admin_user):
    draft = CallFactory(partnership=partnership, area=area, status=CallStatus.DRAFT)

    assert ids(api_for(headteacher).get(f"{API}calls/")) == {call.pk}
    assert ids(api_for(admin_user).get(f"{API}calls/")) == {call.pk, draft.pk}
    assert api_for(headteacher).get(f"{API}calls/{draft.pk}/").status_code == 404


def test_call_detail_shows_its_criteria_and_whether_it_takes_bids(call, headteacher):
    data = api_for(headteacher).get(f"{API}calls/{call.pk}/").json()

    assert [(c["title"], c["weight"]) for c in data["criteria"]] == [("Impact", 60)]
    assert data["accepting_bids"] is True
    assert data["award"] is None


def test_headteacher_bids_and_then_changes_the_bid(call, school, headteacher):
    client = api_for(headteacher)

    first = post(client, f"{API}calls/{call.pk}/bid/", bid_data(school))
    second = post(client, f"{API}calls/{call.pk}/bid/", bid_data(school, cost="12000.00"))

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["cost"] == "12000.00"
    assert Bid.objects.get().cost == Decimal("12000.00")


def test_a_bid_can_carry_a_document_sent_as_multipart(call, school, headteacher):
    document = SimpleUploadedFile("plan.pdf", PDF)

    response = api_for(headteacher).post(
        f"{API}calls/{call.pk}/bid/", bid_data(school) | {"document": document}
    )

    assert response.status_code == 201
    assert [d["original_name"] for d in response.json()["documents"]] == ["plan.pdf"]


def test_a_bid_with_a_forbidden_file_type_is_400_and_not_saved(call, school, headteacher):
    document = SimpleUploadedFile("plan.exe", b"MZ\x90\x00")

    response = api_for(headteacher).post(
        f"{API}calls/{call.pk}/bid/", bid_data(school) | {"document": document}
    )

    assert response.status_code == 400
    assert "document" in response.json()
    assert not Bid.objects.exists()


def test_a_bid_over_the_budget_is_400_on_the_cost(call, school, headteacher):
    response = post(
        api_for(headteacher), f"{API}calls/{call.pk}/bid/", bid_data(school, cost="25000")
    )

    assert response.status_code == 400
    assert response.json() == {"cost": ["The cost is more than the budget of £20000.00."]}
    assert not Bid.objects.exists()


def test_a_late_bid_is_400(call, school, headteacher):
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() - timedelta(hours=1))

    response = post(api_for(headteacher), f"{API}calls/{call.pk}/bid/", bid_data(school))

    assert response.status_code == 400
    assert "Late bids cannot be accepted" in response.json()["non_field_errors"][0]
    assert not Bid.objects.exists()


def test_a_bid_for_a_school_you_do_not_lead_is_400(call, other_school, headteacher):
    response = post(api_for(headteacher), f"{API}calls/{call.pk}/bid/", bid_data(other_school))

    assert response.status_code == 400
    assert "school" in response.json()


def test_only_headteachers_bid(call, hub_school, hub_lead):
    response = post(api_for(hub_lead), f"{API}calls/{call.pk}/bid/", bid_data(hub_school))

    assert response.status_code == 403


@pytest.fixture
def bids(partnership, call, school, other_school):
    return {
        "ours": BidFactory(partnership=partnership, call=call, school=school),
        "theirs": BidFactory(partnership=partnership, call=call, school=other_school),
    }


def test_bids_are_seen_by_the_bidder_and_the_deciders_only(
    bids, headteacher, other_headteacher, admin_user, governor, hub_lead
):
    assert ids(api_for(headteacher).get(f"{API}bids/")) == {bids["ours"].pk}
    assert ids(api_for(other_headteacher).get(f"{API}bids/")) == {bids["theirs"].pk}
    assert ids(api_for(admin_user).get(f"{API}bids/")) == {bids["ours"].pk, bids["theirs"].pk}
    assert ids(api_for(governor).get(f"{API}bids/")) == set()
    assert ids(api_for(hub_lead).get(f"{API}bids/")) == set()
    assert api_for(headteacher).get(f"{API}bids/{bids['theirs'].pk}/").status_code == 404


def test_scores_are_hidden_from_the_bidder_until_the_call_is_decided(
    partnership, bids, headteacher, admin_user
):
    ours = bids["ours"]
    BidScoreFactory(partnership=partnership, bid=ours, criterion=ours.call.criteria.get())
    Bid.objects.filter(pk=ours.pk).update(score_percent=Decimal("80.0"), feedback="Strong.")
    url = f"{API}bids/{ours.pk}/"

    before = api_for(headteacher).get(url).json()
    Bid.objects.filter(pk=ours.pk).update(status=BidStatus.SUCCESSFUL)
    after = api_for(headteacher).get(url).json()

    assert (before["score_percent"], before["feedback"], before["scores"]) == (None, None, None)
    assert (after["score_percent"], after["feedback"]) == ("80.0", "Strong.")
    assert len(after["scores"]) == 1
    assert api_for(admin_user).get(url).json()["score_percent"] == "80.0"


def test_bids_filter_by_call(partnership, area, bids, admin_user):
    other = BidFactory(
        partnership=partnership, call=CallFactory(partnership=partnership, area=area)
    )

    response = api_for(admin_user).get(f"{API}bids/", {"call": other.call_id})

    assert ids(response) == {other.pk}


# --- Authentication and tenancy ------------------------------------------------------------------


def test_without_a_token_the_api_answers_401(hub):
    assert Client().get(API).status_code == 401


def test_another_partnerships_member_gets_404(other_partnership, member_factory, hub):
    outsider = member_factory(other_partnership, Role.PARTNERSHIP_ADMIN)

    assert api_for(outsider).get(API).status_code == 404
