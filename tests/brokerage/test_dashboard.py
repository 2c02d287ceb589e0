"""The partnership's brokerage dashboard: who sees it, its figures, its charts, its cost."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brokerage import selectors
from brokerage.models import Need, SupportAgreement
from partnership.models import Role
from partnership.tenancy import tenant_scope
from tests.factories import (
    AgreementOutcomeFactory,
    AreaFactory,
    DeliverySessionFactory,
    NeedFactory,
    OfferFactory,
    PartnershipFactory,
    SchoolFactory,
    SupportAgreementFactory,
)

pytestmark = pytest.mark.django_db

DASHBOARD = "/p/cwm/brokerage/dashboard/"


def body(response) -> str:
    return response.content.decode()


def logged(need: Need, days_ago: int) -> Need:
    Need.objects.filter(pk=need.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return need


def made(agreement: SupportAgreement, days_ago: int) -> SupportAgreement:
    SupportAgreement.objects.filter(pk=agreement.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    return agreement


def agreement_for(partnership, need: Need, **fields) -> SupportAgreement:
    offer = OfferFactory(partnership=partnership, area=need.area)
    return SupportAgreementFactory(partnership=partnership, need=need, offer=offer, **fields)


# --- Who sees it --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PARTNERSHIP_ADMIN, Role.SENIOR_CA, Role.CHALLENGE_ADVISER])
def test_staff_roles_see_the_dashboard(partnership, member_factory, client_for, role):
    user = member_factory(partnership, role)

    response = client_for(user).get(DASHBOARD)

    assert response.status_code == 200
    assert "Brokerage dashboard" in body(response)


@pytest.mark.parametrize(
    "role",
    [Role.HEADTEACHER, Role.GOVERNOR, Role.HUB_LEAD, Role.PANEL_MEMBER, Role.PARTICIPANT],
)
def test_other_roles_are_refused_the_dashboard(
    partnership, member_factory, client_for, school, role
):
    user = member_factory(partnership, role, school=school)

    assert client_for(user).get(DASHBOARD).status_code == 403


def test_the_board_links_to_the_dashboard(ca, client_for):
    assert DASHBOARD in body(client_for(ca).get("/p/cwm/brokerage/board/"))


# --- Its figures --------------------------------------------------------------------------


def test_needs_are_counted_by_area_and_status(partnership, area, other_area):
    for status, n in [(Need.Status.OPEN, 3), (Need.Status.MET, 2), (Need.Status.WITHDRAWN, 1)]:
        for _ in range(n):
            NeedFactory(partnership=partnership, area=area, status=status)
    NeedFactory(partnership=partnership, area=other_area, status=Need.Status.BROKERED)

    figures = selectors.brokerage_dashboard(partnership=partnership)

    rows = {row.area.name: row.by_status for row in figures.areas}
    assert rows["Literacy"] == {
        "open": 3,
        "brokered": 0,
        "in_progress": 0,
        "met": 2,
        "withdrawn": 1,
    }
    assert rows["Numeracy"]["brokered"] == 1
    assert figures.open_needs == 3
    assert figures.total_needs == 7


def test_unmet_needs_show_how_long_the_oldest_has_waited(partnership, area):
    logged(NeedFactory(partnership=partnership, area=area), days_ago=30)
    logged(NeedFactory(partnership=partnership, area=area), days_ago=5)
    logged(NeedFactory(partnership=partnership, area=area, status=Need.Status.MET), days_ago=90)

    figures = selectors.brokerage_dashboard(partnership=partnership)

    literacy = next(row for row in figures.areas if row.area == area)
    assert (literacy.open, literacy.longest_wait_days) == (2, 30)


def test_median_days_count_from_the_need_to_its_first_agreement_not_declined(
    partnership, area, other_area
):
    waits = {10: 4, 30: 6, 50: 40}  # logged days ago: days waited
    for logged_ago, waited in waits.items():
        need = logged(NeedFactory(partnership=partnership, area=area), logged_ago)
        made(agreement_for(partnership, need), days_ago=logged_ago - waited)
    declined = logged(NeedFactory(partnership=partnership, area=other_area), days_ago=20)
    made(agreement_for(partnership, declined, status=SupportAgreement.Status.DECLINED), days_ago=19)
    made(agreement_for(partnership, declined, status=SupportAgreement.Status.ACTIVE), days_ago=10)

    figures = selectors.brokerage_dashboard(partnership=partnership)

    by_area = {row.area: row for row in figures.areas}
    assert by_area[area].median_days_to_agreement == pytest.approx(6, abs=0.1)
    assert by_area[other_area].median_days_to_agreement == pytest.approx(10, abs=0.1)
    assert figures.median_days_to_agreement == pytest.approx(8, abs=0.1)
    assert figures.agreements_timed == 4


def test_provider_load_counts_live_agreements_days_and_what_is_left(partnership, area):
    busy = SchoolFactory(partnership=partnership, name="Busy School")
    offer = OfferFactory(partnership=partnership, school=busy, area=area, days_available=20)
    for days in (Decimal("3"), Decimal("5")):
        agreement = SupportAgreementFactory(
            partnership=partnership,
            offer=offer,
            need__area=area,
            days=days,
            status=SupportAgreement.Status.ACTIVE,
        )
    DeliverySessionFactory(partnership=partnership, agreement=agreement, days=Decimal("2"))
    AgreementOutcomeFactory(partnership=partnership, agreement__offer=offer)  # closed: not live
    quiet = OfferFactory(partnership=partnership, area=area)
    SupportAgreementFactory(partnership=partnership, offer=quiet, need__area=area, days=1)

    figures = selectors.brokerage_dashboard(partnership=partnership)

    first = figures.providers[0]
    assert first.name == "Busy School"
    assert (first.live_agreements, first.days_agreed, first.days_delivered) == (
        2,
        Decimal("8.0"),
        Decimal("2.0"),
    )
    assert first.days_to_deliver == Decimal("6.0")
    assert first.days_still_offered == Decimal("10.0")  # 20 - 8 live - 2 of the closed one
    assert figures.providers_with_live_agreements == 2
    assert figures.live_agreements == 3


def test_the_dashboard_leaves_out_other_partnerships(partnership, other_partnership, area):
    NeedFactory(partnership=other_partnership)

    with tenant_scope(partnership):  # as in a request
        assert selectors.brokerage_dashboard(partnership=partnership).total_needs == 0


# --- Its page -----------------------------------------------------------------------------


def test_the_page_shows_the_key_figures_and_four_accessible_charts(
    partnership, area, ca, client_for
):
    need = NeedFactory(partnership=partnership, area=area, status=Need.Status.IN_PROGRESS)
    logged(need, days_ago=12)
    made(agreement_for(partnership, need, status=SupportAgreement.Status.ACTIVE), days_ago=2)
    NeedFactory(partnership=partnership, area=area)

    page = body(client_for(ca).get(DASHBOARD))

    assert re.search(r"data-open-needs>\s*1<", page)
    assert re.search(r"data-median-days>\s*10.0<", page)
    assert page.count('role="img"') == 4
    for title in (
        "Needs by area and status",
        "Unmet needs by area",
        "Median days from need to agreement, by area",
        "Provider load: days in live agreements",
    ):
        assert f">{title}</title>" in page
    assert page.count("data-chart-table") == 4


def test_the_page_says_so_when_there_is_nothing_to_chart(ca, client_for):
    page = body(client_for(ca).get(DASHBOARD))

    assert "No needs have been logged yet." in page
    assert 'role="img"' not in page


def _fill(partnership, n: int) -> None:
    """n needs in n areas, each with an agreement in progress from its own provider, with
    a session and an older closed agreement with its outcome."""
    for _ in range(n):
        area = AreaFactory(partnership=partnership)
        need = NeedFactory(
            partnership=partnership, area=area, school=SchoolFactory(partnership=partnership)
        )
        agreement = agreement_for(partnership, need, status=SupportAgreement.Status.ACTIVE)
        DeliverySessionFactory(partnership=partnership, agreement=agreement)
        AgreementOutcomeFactory(partnership=partnership, agreement__need__area=area)
        NeedFactory(partnership=partnership, area=area)


def test_the_page_costs_the_same_queries_for_3_and_30_areas(member_factory, client_for):
    counts = []
    for n in (3, 30):
        partnership = PartnershipFactory(slug=f"dash-{n}")
        _fill(partnership, n)
        client = client_for(member_factory(partnership, Role.SENIOR_CA))
        url = f"/p/dash-{n}/brokerage/dashboard/"
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_selector_takes_six_queries(partnership, django_assert_num_queries):
    _fill(partnership, 5)

    with django_assert_num_queries(6):
        selectors.brokerage_dashboard(partnership=partnership)
