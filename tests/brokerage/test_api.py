"""The brokerage API: the pages' permissions, writes through the services, 400 with reasons."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from brokerage.models import (
    DeliverySession,
    Need,
    Offer,
    SupportAgreement,
    current_academic_year,
)
from partnership.models import Role
from tests.factories import (
    AgreementOutcomeFactory,
    AreaFactory,
    DeliverySessionFactory,
    NeedFactory,
    OfferFactory,
    SchoolFactory,
    SupportAgreementFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/p/cwm/brokerage"
TODAY = timezone.localdate()


def api_for(user) -> Client:
    """A client that signs its requests with the user's API token."""
    token, _created = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["title"] for row in response.json()["results"])


def need_body(school, area, **overrides):
    return {
        "school": school.pk,
        "area": area.pk,
        "title": "Phonics in the foundation phase",
        "description": "Phonics teaching is inconsistent across classes.",
        "outcome": "A consistent phonics programme in every class.",
        "urgency": "high",
        "days_wanted": "3",
        **overrides,
    }


def offer_body(school, area, **overrides):
    return {
        "school": school.pk,
        "area": area.pk,
        "title": "Phonics coaching",
        "description": "Our phonics lead coaches teachers in class.",
        "academic_year": current_academic_year(),
        "days_available": "6",
        "delivery_language": "english",
        "evidence": "Phonics screening results well above average.",
        "contact_name": "Sian Evans",
        **overrides,
    }


def agreement_body(need, offer, **overrides):
    return {
        "need": need.pk,
        "offer": offer.pk,
        "days": "3",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + timedelta(days=60)).isoformat(),
        "objectives": "Two coaching cycles in years 5 and 6.",
        "funding": "free",
        **overrides,
    }


@pytest.fixture
def agreement(partnership, need, offer, ca):
    Need.objects.filter(pk=need.pk).update(status=Need.Status.BROKERED)
    need.refresh_from_db()
    return SupportAgreementFactory(partnership=partnership, need=need, offer=offer, brokered_by=ca)


# --- Needs ----------------------------------------------------------------------------------


def test_a_ca_lists_every_need(partnership, need, ca):
    NeedFactory(partnership=partnership, title="Another school's need")

    assert titles(api_for(ca).get(f"{API}/needs/")) == [
        "Another school's need",
        "Guided reading in KS2",
    ]


def test_a_headteacher_lists_only_their_schools_needs(partnership, need, head):
    NeedFactory(partnership=partnership, title="Another school's need")

    assert titles(api_for(head).get(f"{API}/needs/")) == ["Guided reading in KS2"]


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.HUB_LEAD, Role.PANEL_MEMBER])
def test_roles_outside_brokerage_are_refused_the_lists(partnership, member_factory, school, role):
    client = api_for(member_factory(partnership, role, school=school))

    for path in ("needs", "offers", "agreements"):
        assert client.get(f"{API}/{path}/").status_code == 403


def test_the_need_list_filters_by_status(partnership, need, ca, area):
    NeedFactory(partnership=partnership, area=area, status=Need.Status.MET, title="Met need")

    assert titles(api_for(ca).get(f"{API}/needs/", {"status": "met"})) == ["Met need"]


def test_a_bad_filter_is_400_with_the_reason(ca, need):
    response = api_for(ca).get(f"{API}/needs/", {"status": "lost", "area": "x"})

    assert response.status_code == 400
    assert set(response.json()) == {"status", "area"}


def test_a_need_shows_its_school_area_and_status(need, head):
    data = api_for(head).get(f"{API}/needs/{need.pk}/").json()

    assert data["school"] == {"id": need.school_id, "name": "Ysgol Goch"}
    assert data["area"]["name"] == "Literacy"
    assert data["status"] == "open"


def test_another_schools_headteacher_cannot_read_a_need(need, provider_head):
    assert api_for(provider_head).get(f"{API}/needs/{need.pk}/").status_code == 403


def test_a_headteacher_logs_a_need_for_their_school(red_school, area, head):
    response = api_for(head).post(f"{API}/needs/", need_body(red_school, area))

    assert response.status_code == 201, response.content
    need = Need.objects.get(pk=response.json()["id"])
    assert (need.school, need.raised_by, need.status) == (red_school, head, Need.Status.OPEN)
    assert need.days_wanted == Decimal("3")


def test_a_headteacher_cannot_log_a_need_for_another_school(green_school, area, head):
    response = api_for(head).post(f"{API}/needs/", need_body(green_school, area))

    assert response.status_code == 403
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"days_wanted": "-2"}, "days_wanted"),
        ({"days_wanted": "1.25"}, "days_wanted"),
        ({"title": "   "}, "title"),
        ({"urgency": "whenever"}, "urgency"),
        ({"preferred_language": "french"}, "preferred_language"),
    ],
)
def test_a_bad_need_is_400_with_the_reason_and_nothing_is_written(
    red_school, area, head, overrides, field
):
    response = api_for(head).post(f"{API}/needs/", need_body(red_school, area, **overrides))

    assert response.status_code == 400
    assert field in response.json()
    assert not Need.objects.exists()


def test_an_area_of_another_partnership_is_400(red_school, head, other_partnership):
    theirs = AreaFactory(partnership=other_partnership)

    response = api_for(head).post(f"{API}/needs/", need_body(red_school, theirs))

    assert response.status_code == 400
    assert "area" in response.json()


# --- Offers ---------------------------------------------------------------------------------


def test_a_headteacher_lists_their_schools_offers_and_a_governor_none(
    partnership, offer, provider_head, member_factory, green_school
):
    OfferFactory(partnership=partnership, title="Another school's offer")
    governor = member_factory(partnership, Role.GOVERNOR, school=green_school)

    assert titles(api_for(provider_head).get(f"{API}/offers/")) == ["Reading coaching"]
    assert titles(api_for(governor).get(f"{API}/offers/")) == []


def test_an_offer_shows_its_capacity_left(offer, need, ca, provider_head):
    SupportAgreementFactory(partnership=offer.partnership, need=need, offer=offer, days=4)

    data = api_for(provider_head).get(f"{API}/offers/{offer.pk}/").json()

    assert (data["days_available"], data["capacity_left"]) == ("10.0", "6.0")


def test_a_headteacher_logs_an_offer(green_school, area, other_area, provider_head):
    body = offer_body(green_school, area, other_areas=[other_area.pk])

    response = api_for(provider_head).post(f"{API}/offers/", body, content_type="application/json")

    assert response.status_code == 201, response.content
    offer = Offer.objects.get(pk=response.json()["id"])
    assert offer.capacity_left == Decimal("6")
    assert list(offer.other_areas.all()) == [other_area]
    assert response.json()["other_areas"] == [other_area.pk]


def test_a_charged_offer_without_a_day_rate_is_400(green_school, area, provider_head):
    response = api_for(provider_head).post(
        f"{API}/offers/", offer_body(green_school, area, is_charged=True)
    )

    assert response.status_code == 400
    assert "day_rate" in response.json()
    assert not Offer.objects.exists()


# --- Suggestions ----------------------------------------------------------------------------


def test_the_schools_ca_gets_ranked_suggestions_with_every_part_of_the_score(
    partnership, need, offer, ca, area
):
    weaker = OfferFactory(partnership=partnership, area=area, language="welsh", title="Weaker")

    data = api_for(ca).get(f"{API}/needs/{need.pk}/suggestions/").json()

    assert [s["offer"]["id"] for s in data["suggestions"]] == [offer.pk, weaker.pk]
    best = data["suggestions"][0]
    assert [p["key"] for p in best["parts"]] == [
        "area",
        "phase",
        "language",
        "capacity",
        "category",
        "locality",
        "impact",
        "load",
    ]
    assert best["score"] == pytest.approx(
        sum(p["value"] * float(p["weight"]) for p in best["parts"])
    )
    assert best["provider_category"] == "green"
    assert best["offer"]["capacity_left"] == "10.0"
    assert data["more_suggestions"] == 0


def test_suggestions_are_limited_and_the_rest_counted(partnership, need, ca, area):
    for _ in range(4):
        OfferFactory(partnership=partnership, area=area)

    data = api_for(ca).get(f"{API}/needs/{need.pk}/suggestions/", {"limit": 3}).json()

    assert (len(data["suggestions"]), data["more_suggestions"]) == (3, 1)


def test_a_bad_limit_is_400(need, ca):
    response = api_for(ca).get(f"{API}/needs/{need.pk}/suggestions/", {"limit": 0})

    assert response.status_code == 400
    assert "limit" in response.json()


def test_suggestions_are_refused_to_the_schools_headteacher(need, head):
    assert api_for(head).get(f"{API}/needs/{need.pk}/suggestions/").status_code == 403


def test_a_need_no_longer_open_has_no_suggestions(agreement, need, ca):
    data = api_for(ca).get(f"{API}/needs/{need.pk}/suggestions/").json()

    assert (data["need_status"], data["suggestions"]) == ("brokered", [])


# --- Agreements -----------------------------------------------------------------------------


def test_a_ca_makes_an_agreement_from_a_suggestion(need, offer, ca):
    response = api_for(ca).post(f"{API}/agreements/", agreement_body(need, offer))

    assert response.status_code == 201, response.content
    agreement = SupportAgreement.objects.get(pk=response.json()["id"])
    assert (agreement.provider, agreement.receiving_school) == (offer.school, need.school)
    assert Need.objects.get(pk=need.pk).status == Need.Status.BROKERED
    assert Offer.objects.get(pk=offer.pk).capacity_left == Decimal("7")
    assert response.json()["days_delivered"] == "0.0"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"days": "12"}, "days"),
        ({"days": "0"}, "days"),
        ({"ends_on": (TODAY - timedelta(days=1)).isoformat()}, "ends_on"),
        ({"objectives": " "}, "objectives"),
        ({"funding": "free", "cost": "100"}, "cost"),
    ],
)
def test_a_bad_agreement_is_400_with_the_reason_and_nothing_is_written(
    need, offer, ca, overrides, field
):
    response = api_for(ca).post(f"{API}/agreements/", agreement_body(need, offer, **overrides))

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not SupportAgreement.objects.exists()
    assert Offer.objects.get(pk=offer.pk).days_committed == 0


def test_an_offer_in_another_area_is_not_a_suggestion(partnership, need, ca, other_area):
    elsewhere = OfferFactory(partnership=partnership, area=other_area)

    response = api_for(ca).post(f"{API}/agreements/", agreement_body(need, elsewhere))

    assert response.status_code == 400
    assert "offer" in response.json()
    assert not SupportAgreement.objects.exists()


def test_a_provider_held_back_by_the_category_rule_is_400_with_the_reason(
    partnership, need, ca, area
):
    amber = SchoolFactory(partnership=partnership, support_category="amber")
    held_back = OfferFactory(partnership=partnership, school=amber, area=area)

    response = api_for(ca).post(f"{API}/agreements/", agreement_body(need, held_back))

    assert response.status_code == 400
    assert "override" in response.json()["non_field_errors"][0]


def test_a_headteacher_cannot_make_an_agreement(need, offer, head):
    response = api_for(head).post(f"{API}/agreements/", agreement_body(need, offer))

    assert response.status_code == 403
    assert not SupportAgreement.objects.exists()


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.HUB_LEAD, Role.PARTICIPANT])
def test_a_role_that_brokers_for_no_school_is_refused_before_its_body_is_read(
    partnership, member_factory, red_school, role
):
    client = api_for(member_factory(partnership, role, school=red_school))

    response = client.post(f"{API}/agreements/", {}, content_type="application/json")

    assert response.status_code == 403
    assert not SupportAgreement.objects.exists()


def test_a_headteacher_who_is_a_partner_ca_gets_the_reasons_for_an_empty_agreement(
    partnership, member_factory, green_school
):
    partner_ca = member_factory(partnership, Role.HEADTEACHER, school=green_school)
    SchoolFactory(partnership=partnership, challenge_adviser=partner_ca)

    response = api_for(partner_ca).post(f"{API}/agreements/", {}, content_type="application/json")

    assert response.status_code == 400
    assert "need" in response.json()


def test_a_need_of_another_partnership_is_400(offer, ca, other_partnership):
    theirs = NeedFactory(partnership=other_partnership)

    response = api_for(ca).post(f"{API}/agreements/", agreement_body(theirs, offer))

    assert response.status_code == 400
    assert "need" in response.json()


def test_headteachers_list_their_agreements_with_days_delivered_and_outcome(
    partnership, agreement, head, provider_head
):
    DeliverySessionFactory(partnership=partnership, agreement=agreement, days=Decimal("1.5"))
    closed = AgreementOutcomeFactory(
        partnership=partnership, agreement__need__school=agreement.receiving_school
    )
    SupportAgreementFactory(partnership=partnership)  # two other schools

    rows = api_for(head).get(f"{API}/agreements/").json()["results"]

    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {agreement.pk, closed.agreement_id}
    assert by_id[agreement.pk]["days_delivered"] == "1.5"
    assert by_id[agreement.pk]["outcome"] is None
    assert by_id[closed.agreement_id]["outcome"]["rating"] == 3


def test_an_unrelated_headteacher_cannot_read_an_agreement(partnership, agreement, member_factory):
    stranger = member_factory(
        partnership, Role.HEADTEACHER, school=SchoolFactory(partnership=partnership)
    )

    assert api_for(stranger).get(f"{API}/agreements/{agreement.pk}/").status_code == 403


# --- Sessions -------------------------------------------------------------------------------


def test_the_provider_logs_a_session_and_it_starts_the_agreement(agreement, provider_head):
    body = {"date": TODAY.isoformat(), "days": "1.5", "notes": "Coaching in year 5."}

    response = api_for(provider_head).post(f"{API}/agreements/{agreement.pk}/sessions/", body)

    assert response.status_code == 201, response.content
    assert response.json()["days"] == "1.5"
    assert SupportAgreement.objects.get(pk=agreement.pk).status == SupportAgreement.Status.ACTIVE
    listed = api_for(provider_head).get(f"{API}/agreements/{agreement.pk}/sessions/").json()
    assert [row["notes"] for row in listed] == ["Coaching in year 5."]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": (TODAY + timedelta(days=1)).isoformat(), "days": "1"}, "date"),
        ({"date": TODAY.isoformat(), "days": "2.5"}, "days"),  # 2 days agreed
        ({"date": TODAY.isoformat(), "days": "-1"}, "days"),
        ({"days": "1"}, "date"),
    ],
)
def test_a_bad_session_is_400_with_the_reason(agreement, provider_head, body, field):
    response = api_for(provider_head).post(f"{API}/agreements/{agreement.pk}/sessions/", body)

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not DeliverySession.objects.exists()


def test_a_session_on_a_closed_agreement_is_400(partnership, ca):
    closed = AgreementOutcomeFactory(partnership=partnership).agreement
    closed.receiving_school.challenge_adviser = ca
    closed.receiving_school.save()
    body = {"date": TODAY.isoformat(), "days": "1"}

    response = api_for(ca).post(f"{API}/agreements/{closed.pk}/sessions/", body)

    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_a_governor_cannot_log_a_session(partnership, agreement, red_school, member_factory):
    governor = member_factory(partnership, Role.GOVERNOR, school=red_school)
    body = {"date": TODAY.isoformat(), "days": "1"}

    response = api_for(governor).post(f"{API}/agreements/{agreement.pk}/sessions/", body)

    assert response.status_code == 403
    assert api_for(governor).get(f"{API}/agreements/{agreement.pk}/sessions/").status_code == 200
