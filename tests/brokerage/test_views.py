"""Brokerage pages: what each role sees, forms with bad input, constant query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brokerage.models import Need, NeedDecline, Offer, SupportAgreement, current_academic_year
from partnership.models import Role
from schools.models import SupportCategory
from tests.factories import (
    AreaFactory,
    LocalAuthorityFactory,
    NeedFactory,
    OfferFactory,
    SchoolFactory,
    SupportAgreementFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
BOARD = "/p/cwm/brokerage/board/"


def body(response) -> str:
    return response.content.decode()


def queries_for(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(queries)


def agreement_data(**overrides):
    return {
        "days": "3",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + timedelta(days=30)).isoformat(),
        "objectives": "Coaching cycles in years 5 and 6.",
        "funding": "free",
        **overrides,
    }


def need_data(area, **overrides):
    return {
        "area": area.pk,
        "title": "Phonics in the foundation phase",
        "description": "Phonics teaching is inconsistent.",
        "outcome": "A consistent phonics programme.",
        "urgency": "high",
        "preferred_language": "",
        "timeframe": "this_term",
        "days_wanted": "3",
        **overrides,
    }


@pytest.fixture
def senior(partnership, member_factory):
    return member_factory(partnership, Role.SENIOR_CA)


@pytest.fixture
def agreement(partnership, need, offer, ca):
    Need.objects.filter(pk=need.pk).update(status=Need.Status.BROKERED)
    need.refresh_from_db()
    return SupportAgreementFactory(partnership=partnership, need=need, offer=offer, brokered_by=ca)


# --- The board -----------------------------------------------------------------------------


def test_board_lists_red_then_amber_yellow_green_then_oldest(partnership, ca, client_for, area):
    made = {}
    for age, category in enumerate(["green", "red", "yellow", "amber", "red", ""]):
        school = SchoolFactory(
            partnership=partnership, support_category=category, challenge_adviser=ca
        )
        need = NeedFactory(partnership=partnership, school=school, area=area)
        Need.objects.filter(pk=need.pk).update(created_at=timezone.now() - timedelta(days=age))
        made[need.pk] = (category, age)

    page = body(client_for(ca).get(BOARD))

    order = sorted(made, key=lambda pk: page.index(f'data-need="{pk}"'))
    assert [made[pk] for pk in order] == [
        ("red", 4),
        ("red", 1),
        ("amber", 3),
        ("yellow", 2),
        ("green", 0),
        ("", 5),
    ]


def test_board_shows_a_ca_only_their_caseload(partnership, ca, need, client_for):
    elsewhere = NeedFactory(partnership=partnership, title="Not my school")

    page = body(client_for(ca).get(BOARD))

    assert need.title in page
    assert elsewhere.title not in page


def test_board_shows_a_senior_ca_every_school(partnership, senior, need, client_for):
    elsewhere = NeedFactory(partnership=partnership, title="Another school need")

    page = body(client_for(senior).get(BOARD))

    assert need.title in page and elsewhere.title in page


def test_board_leaves_out_needs_that_are_not_open(partnership, ca, need, red_school, client_for):
    NeedFactory(partnership=partnership, school=red_school, title="Done", status=Need.Status.MET)

    page = body(client_for(ca).get(BOARD))

    assert "Done" not in page


@pytest.mark.parametrize("filter_name", ["area", "local_authority", "language"])
def test_board_filters_without_javascript(partnership, senior, need, client_for, filter_name):
    other_la = LocalAuthorityFactory(partnership=partnership)
    other = NeedFactory(
        partnership=partnership,
        area=AreaFactory(partnership=partnership),
        school__local_authority=other_la,
        preferred_language="welsh",
        title="Filtered out",
    )
    value = {
        "area": need.area_id,
        "local_authority": need.school.local_authority_id,
        "language": "none",
    }[filter_name]

    page = body(client_for(senior).get(BOARD, {filter_name: value}))

    assert need.title in page
    assert other.title not in page


def test_board_answers_htmx_with_the_results_only(senior, need, client_for):
    response = client_for(senior).get(BOARD, headers={"HX-Request": "true"})

    assert need.title in body(response)
    assert "<html" not in body(response)


def test_board_query_count_does_not_grow_with_needs(partnership, senior, client_for, area):
    client = client_for(senior)
    client.get(BOARD)  # warm the session

    def make(n):
        for i in range(n):
            NeedFactory(
                partnership=partnership,
                area=area,
                school__support_category=["red", "amber", "green"][i % 3],
            )

    make(3)
    with_3 = queries_for(client, BOARD)
    make(27)
    with_30 = queries_for(client, BOARD)
    htmx_30 = queries_for(client, BOARD, HX_Request="true")

    assert with_3 == with_30
    assert htmx_30 <= with_30


@pytest.mark.parametrize("role", [Role.HEADTEACHER, Role.GOVERNOR, Role.HUB_LEAD])
def test_board_is_forbidden_to_other_roles(partnership, member_factory, client_for, role, school):
    user = member_factory(partnership, role, school=school)

    assert client_for(user).get(BOARD).status_code == 403


# --- Suggestions ---------------------------------------------------------------------------


def test_suggestions_page_shows_the_score_and_its_parts(need, offer, ca, client_for):
    page = body(client_for(ca).get(f"/p/cwm/brokerage/needs/{need.pk}/suggestions/"))

    assert offer.school.name in page
    for label in ["Area fit", "Phase fit", "Language fit", "Capacity left", "Past impact"]:
        assert label in page
    assert f"/brokerage/needs/{need.pk}/offers/{offer.pk}/agreement/" in page


def test_suggestions_page_lists_held_back_providers_with_an_override_link(
    partnership, need, area, ca, client_for
):
    amber = OfferFactory(
        partnership=partnership, area=area, school__support_category=SupportCategory.AMBER
    )

    page = body(client_for(ca).get(f"/p/cwm/brokerage/needs/{need.pk}/suggestions/"))

    assert "Held back by the category rule" in page
    assert f"/brokerage/needs/{need.pk}/offers/{amber.pk}/override/" in page


def test_suggestions_query_count_does_not_grow_with_offers(partnership, need, area, ca, client_for):
    client = client_for(ca)
    url = f"/p/cwm/brokerage/needs/{need.pk}/suggestions/"
    client.get(url)

    def make(n):
        for i in range(n):
            offer = OfferFactory(
                partnership=partnership,
                area=area,
                school__support_category=["green", "amber"][i % 2],
            )
            SupportAgreementFactory(partnership=partnership, offer=offer, days=Decimal("1"))

    make(3)
    with_3 = queries_for(client, url)
    make(27)
    with_30 = queries_for(client, url)

    assert with_3 == with_30


def test_suggestions_are_forbidden_to_the_schools_headteacher(need, head, client_for):
    response = client_for(head).get(f"/p/cwm/brokerage/needs/{need.pk}/suggestions/")

    assert response.status_code == 403


def test_recording_a_decline_removes_the_provider_from_suggestions(need, offer, ca, client_for):
    client = client_for(ca)
    url = f"/p/cwm/brokerage/needs/{need.pk}/offers/{offer.pk}/decline/"

    response = client.post(url, {"reason": "They are running a hub programme."})
    page = body(client.get(f"/p/cwm/brokerage/needs/{need.pk}/suggestions/"))

    assert response.status_code == 302
    assert NeedDecline.objects.get().provider == offer.school
    assert f"/offers/{offer.pk}/agreement/" not in page
    assert "They are running a hub programme." in page


def test_an_override_without_a_reason_shows_an_error(partnership, need, area, ca, client_for):
    amber = OfferFactory(
        partnership=partnership, area=area, school__support_category=SupportCategory.AMBER
    )

    response = client_for(ca).post(
        f"/p/cwm/brokerage/needs/{need.pk}/offers/{amber.pk}/override/", {"reason": ""}
    )

    assert response.status_code == 200
    assert "There is a problem" in body(response)


# --- Needs and offers forms ---------------------------------------------------------------


def test_headteacher_logs_a_need_for_their_school(red_school, head, area, client_for):
    response = client_for(head).post("/p/cwm/brokerage/needs/new/", need_data(area))

    need = Need.objects.get()
    assert response.status_code == 302
    assert (need.school, need.status, need.raised_by) == (red_school, "open", head)


@pytest.mark.parametrize("days", ["0", "-3", "1.25", "many"])
def test_a_need_with_bad_days_shows_an_error_and_writes_nothing(
    red_school, head, area, client_for, days
):
    response = client_for(head).post(
        "/p/cwm/brokerage/needs/new/", need_data(area, days_wanted=days)
    )

    assert response.status_code == 200
    assert "There is a problem" in body(response)
    assert not Need.objects.exists()


def test_an_area_of_another_partnership_is_a_form_error(
    red_school, head, other_partnership, client_for
):
    foreign = AreaFactory(partnership=other_partnership)

    response = client_for(head).post("/p/cwm/brokerage/needs/new/", need_data(foreign))

    assert response.status_code == 200
    assert "There is a problem" in body(response)
    assert not Need.objects.exists()


def test_a_headteacher_cannot_log_a_need_for_another_school(
    partnership, red_school, head, area, client_for
):
    other = SchoolFactory(partnership=partnership)

    response = client_for(head).post(
        "/p/cwm/brokerage/needs/new/", {**need_data(area), "school": other.pk}
    )

    assert response.status_code == 200
    assert not Need.objects.exists()


def test_headteacher_edits_and_withdraws_their_open_need(need, head, area, client_for):
    client = client_for(head)

    client.post(f"/p/cwm/brokerage/needs/{need.pk}/edit/", need_data(area, title="New title"))
    client.post(f"/p/cwm/brokerage/needs/{need.pk}/withdraw/")

    need.refresh_from_db()
    assert (need.title, need.status) == ("New title", Need.Status.WITHDRAWN)


def test_governor_reads_the_need_but_cannot_edit_it(partnership, need, member_factory, client_for):
    governor = member_factory(partnership, Role.GOVERNOR, school=need.school)
    client = client_for(governor)

    assert client.get(f"/p/cwm/brokerage/needs/{need.pk}/").status_code == 200
    assert client.get(f"/p/cwm/brokerage/needs/{need.pk}/edit/").status_code == 403
    assert client.post(f"/p/cwm/brokerage/needs/{need.pk}/withdraw/").status_code == 403


def test_a_brokered_need_shows_its_status_and_cannot_be_edited(agreement, head, client_for):
    need = agreement.need
    client = client_for(head)

    page = body(client.get(f"/p/cwm/brokerage/needs/{need.pk}/"))

    assert "Brokered" in page
    assert client.get(f"/p/cwm/brokerage/needs/{need.pk}/edit/").status_code == 403


def offer_data(area, **overrides):
    return {
        "area": area.pk,
        "title": "Reading coaching",
        "description": "Coaching by our literacy lead.",
        "academic_year": current_academic_year(),
        "days_available": "6",
        "is_charged": "false",
        "language": "english",
        "evidence": "Strong reading outcomes.",
        "contact_name": "Sian",
        **overrides,
    }


def test_headteacher_logs_an_offer_and_sees_its_capacity(
    green_school, provider_head, area, client_for
):
    client = client_for(provider_head)

    response = client.post("/p/cwm/brokerage/offers/new/", offer_data(area))
    offer = Offer.objects.get()
    page = body(client.get(f"/p/cwm/brokerage/offers/{offer.pk}/"))

    assert response.status_code == 302
    assert offer.school == green_school
    assert "data-capacity-left>6.0<" in page


@pytest.mark.parametrize(
    "overrides",
    [
        {"days_available": "0"},
        {"days_available": "-5"},
        {"is_charged": "true", "day_rate": ""},
        {"academic_year": "1999/00"},
    ],
)
def test_a_bad_offer_shows_an_error_and_writes_nothing(
    green_school, provider_head, area, client_for, overrides
):
    response = client_for(provider_head).post(
        "/p/cwm/brokerage/offers/new/", offer_data(area, **overrides)
    )

    assert response.status_code == 200
    assert "There is a problem" in body(response)
    assert not Offer.objects.exists()


def test_an_offer_cannot_be_cut_below_its_committed_days(
    agreement, offer, provider_head, area, client_for
):
    response = client_for(provider_head).post(
        f"/p/cwm/brokerage/offers/{offer.pk}/edit/", offer_data(area, days_available="1")
    )

    assert response.status_code == 200
    assert "already committed" in body(response)
    offer.refresh_from_db()
    assert offer.days_available == Decimal("10")


# --- Agreements ------------------------------------------------------------------------------


def agreement_url(need, offer) -> str:
    return f"/p/cwm/brokerage/needs/{need.pk}/offers/{offer.pk}/agreement/"


def test_ca_makes_an_agreement_and_both_headteachers_are_emailed(
    need, offer, ca, head, provider_head, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(ca).post(agreement_url(need, offer), agreement_data())

    agreement = SupportAgreement.objects.get()
    assert response["Location"] == f"/p/cwm/brokerage/agreements/{agreement.pk}/"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([head.email, provider_head.email])
    offer.refresh_from_db()
    assert offer.capacity_left == Decimal("7")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"days": "11"}, "Only 10.0 days are left on this offer."),
        ({"days": "0"}, "Enter a number of days greater than zero."),
        ({"days": "-2"}, "Enter a number of days greater than zero."),
        (
            {"ends_on": (TODAY - timedelta(days=1)).isoformat()},
            "The end date must be the same as or after the start date.",
        ),
        ({"starts_on": "31/02/2025"}, "Enter a valid date."),
        ({"funding": "free", "cost": "100"}, "Free support has no cost"),
    ],
)
def test_bad_agreement_input_shows_an_error_and_writes_nothing(
    need, offer, ca, client_for, overrides, message
):
    response = client_for(ca).post(agreement_url(need, offer), agreement_data(**overrides))

    assert response.status_code == 200
    assert message in body(response)
    assert not SupportAgreement.objects.exists()
    offer.refresh_from_db()
    assert offer.days_committed == 0


def test_an_agreement_of_a_school_with_itself_is_an_error(partnership, need, area, ca, client_for):
    own_offer = OfferFactory(partnership=partnership, school=need.school, area=area)

    response = client_for(ca).post(agreement_url(need, own_offer), agreement_data())

    assert response.status_code == 200
    assert "A school cannot support itself." in body(response)
    assert not SupportAgreement.objects.exists()


def test_an_offer_of_another_partnership_is_not_found(need, ca, other_partnership, client_for):
    foreign = OfferFactory(partnership=other_partnership)

    response = client_for(ca).post(agreement_url(need, foreign), agreement_data())

    assert response.status_code == 404
    assert not SupportAgreement.objects.exists()


def test_a_headteacher_cannot_make_agreements(need, offer, head, client_for):
    response = client_for(head).post(agreement_url(need, offer), agreement_data())

    assert response.status_code == 403
    assert not SupportAgreement.objects.exists()


def test_both_headteachers_confirm_in_the_portal(agreement, head, provider_head, client_for):
    url = f"/p/cwm/brokerage/agreements/{agreement.pk}/confirm/"

    client_for(head).post(url)
    client_for(provider_head).post(url)

    agreement.refresh_from_db()
    assert agreement.status == SupportAgreement.Status.ACTIVE
    assert agreement.need.status == Need.Status.IN_PROGRESS


def test_confirm_needs_a_post(agreement, head, client_for):
    response = client_for(head).get(f"/p/cwm/brokerage/agreements/{agreement.pk}/confirm/")

    assert response.status_code == 405


def test_the_ca_cannot_confirm_for_a_school(agreement, ca, client_for):
    response = client_for(ca).post(f"/p/cwm/brokerage/agreements/{agreement.pk}/confirm/")

    assert response.status_code == 403


def test_a_decline_without_a_reason_is_an_error(agreement, provider_head, client_for):
    response = client_for(provider_head).post(
        f"/p/cwm/brokerage/agreements/{agreement.pk}/decline/", {"reason": ""}
    )

    assert response.status_code == 200
    assert "There is a problem" in body(response)
    agreement.refresh_from_db()
    assert agreement.status == SupportAgreement.Status.PROPOSED


def test_a_decline_with_a_reason_reopens_the_need(agreement, provider_head, client_for):
    client_for(provider_head).post(
        f"/p/cwm/brokerage/agreements/{agreement.pk}/decline/", {"reason": "Ofsted visit due."}
    )

    agreement.refresh_from_db()
    assert agreement.status == SupportAgreement.Status.DECLINED
    assert agreement.need.status == Need.Status.OPEN


@pytest.mark.parametrize(
    "data",
    [
        {"date": TODAY.isoformat(), "days": "0"},
        {"date": TODAY.isoformat(), "days": "5"},
        {"date": (TODAY + timedelta(days=3)).isoformat(), "days": "1"},
        {"date": "", "days": "1"},
    ],
)
def test_bad_sessions_show_an_error(agreement, provider_head, client_for, data):
    response = client_for(provider_head).post(
        f"/p/cwm/brokerage/agreements/{agreement.pk}/sessions/new/", data
    )

    assert response.status_code == 200
    assert "There is a problem" in body(response)
    assert not agreement.sessions.exists()


def test_a_session_then_closing_meets_the_need(agreement, provider_head, ca, client_for):
    client_for(provider_head).post(
        f"/p/cwm/brokerage/agreements/{agreement.pk}/sessions/new/",
        {"date": TODAY.isoformat(), "days": "2", "notes": "Coaching, year 5"},
    )
    response = client_for(ca).post(
        f"/p/cwm/brokerage/agreements/{agreement.pk}/close/",
        {"objectives_met": "partly", "rating": "3", "evidence": "Scores up 4 points."},
    )

    agreement.refresh_from_db()
    assert response.status_code == 302
    assert agreement.status == SupportAgreement.Status.CLOSED
    assert agreement.need.status == Need.Status.MET
    assert agreement.outcome.rating == 3


def test_closing_with_a_bad_rating_shows_an_error(agreement, ca, client_for):
    SupportAgreement.objects.filter(pk=agreement.pk).update(status="active")

    response = client_for(ca).post(
        f"/p/cwm/brokerage/agreements/{agreement.pk}/close/",
        {"objectives_met": "yes", "rating": "7", "evidence": "E"},
    )

    assert response.status_code == 200
    assert "There is a problem" in body(response)
    agreement.refresh_from_db()
    assert agreement.status == SupportAgreement.Status.ACTIVE


def test_the_provider_does_not_see_the_receiving_schools_category(
    agreement, provider_head, client_for
):
    page = body(client_for(provider_head).get(f"/p/cwm/brokerage/agreements/{agreement.pk}/"))

    assert agreement.receiving_school.name in page
    assert "govuk-tag--red" not in page


def test_an_unrelated_headteacher_cannot_open_the_agreement(
    partnership, agreement, member_factory, client_for
):
    stranger = member_factory(
        partnership, Role.HEADTEACHER, school=SchoolFactory(partnership=partnership)
    )

    response = client_for(stranger).get(f"/p/cwm/brokerage/agreements/{agreement.pk}/")

    assert response.status_code == 403


# --- The schools' own page and the menu ------------------------------------------------------


def test_headteacher_sees_their_needs_offers_and_agreements(
    agreement, head, provider_head, client_for
):
    receiver_page = body(client_for(head).get("/p/cwm/brokerage/"))
    provider_page = body(client_for(provider_head).get("/p/cwm/brokerage/"))

    assert agreement.need.title in receiver_page
    assert agreement.offer.title in provider_page
    assert agreement.need.title in provider_page  # through the agreement


def test_governor_sees_needs_and_agreements_but_not_offers(
    partnership, agreement, member_factory, client_for
):
    governor = member_factory(partnership, Role.GOVERNOR, school=agreement.provider)
    OfferFactory(partnership=partnership, school=agreement.provider, title="Hidden from governors")

    page = body(client_for(governor).get("/p/cwm/brokerage/"))

    assert agreement.need.title in page
    assert "Hidden from governors" not in page
    assert "Log a need" not in page


def test_a_ca_without_a_school_is_sent_to_the_board(ca, client_for):
    response = client_for(ca).get("/p/cwm/brokerage/")

    assert response["Location"] == BOARD


def test_the_menu_offers_needs_and_offers_to_the_roles_that_use_them(
    partnership, head, member_factory, client_for
):
    hub_lead = member_factory(partnership, Role.HUB_LEAD)

    assert "Needs and offers" in body(client_for(head).get("/p/cwm/"))
    assert "Needs and offers" not in body(client_for(hub_lead).get("/p/cwm/"))
    assert client_for(hub_lead).get("/p/cwm/brokerage/").status_code == 403


def test_every_brokerage_page_renders_for_the_ca(agreement, ca, client_for):
    need, offer = agreement.need, agreement.offer
    SupportAgreement.objects.filter(pk=agreement.pk).update(status="active")
    Need.objects.filter(pk=need.pk).update(status="open")  # to open its broker pages
    SupportAgreement.objects.filter(pk=agreement.pk).update(status="closed")
    client = client_for(ca)
    for url in [
        BOARD,
        "/p/cwm/brokerage/agreements/",
        "/p/cwm/brokerage/needs/new/",
        "/p/cwm/brokerage/offers/new/",
        f"/p/cwm/brokerage/needs/{need.pk}/",
        f"/p/cwm/brokerage/needs/{need.pk}/edit/",
        f"/p/cwm/brokerage/needs/{need.pk}/withdraw/",
        f"/p/cwm/brokerage/needs/{need.pk}/suggestions/",
        agreement_url(need, offer),
        f"/p/cwm/brokerage/needs/{need.pk}/offers/{offer.pk}/decline/",
        f"/p/cwm/brokerage/needs/{need.pk}/offers/{offer.pk}/override/",
        f"/p/cwm/brokerage/offers/{offer.pk}/",
        f"/p/cwm/brokerage/agreements/{agreement.pk}/",
    ]:
        assert client.get(url).status_code == 200, url
