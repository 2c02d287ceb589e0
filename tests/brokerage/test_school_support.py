"""A school's page shows the support it received and gave (brokerage_tags.school_support)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brokerage import selectors
from brokerage.models import SupportAgreement
from partnership.models import Role
from tests.factories import (
    DeliverySessionFactory,
    NeedFactory,
    OfferFactory,
    PartnershipFactory,
    SchoolFactory,
    SupportAgreementFactory,
)

pytestmark = pytest.mark.django_db


def page_of(client, school) -> str:
    response = client.get(f"/p/{school.partnership.slug}/schools/{school.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def history(partnership, red_school, green_school, area):
    """The red school received support from the green school (in progress, with a
    session) and gave some to a third school (declined)."""
    offer = OfferFactory(partnership=partnership, school=green_school, area=area)
    received = SupportAgreementFactory(
        partnership=partnership,
        need__school=red_school,
        need__area=area,
        need__title="Guided reading in KS2",
        offer=offer,
        days=Decimal("4"),
        status=SupportAgreement.Status.ACTIVE,
    )
    DeliverySessionFactory(partnership=partnership, agreement=received, days=Decimal("1.5"))
    third = SchoolFactory(partnership=partnership, name="Ysgol Trydydd")
    given = SupportAgreementFactory(
        partnership=partnership,
        need__school=third,
        need__title="Phonics in the foundation phase",
        offer__school=red_school,
        days=Decimal("2"),
        status=SupportAgreement.Status.DECLINED,
    )
    return {"received": received, "given": given}


def test_the_selector_splits_support_received_and_given(red_school, history):
    support = selectors.school_support(red_school)

    assert support.received == [history["received"]]
    assert support.given == [history["given"]]
    assert support.days_received == Decimal("1.5")
    assert support.received[0].delivered == Decimal("1.5")


def test_the_schools_ca_sees_support_received_and_given_with_status_and_days(
    red_school, history, ca, client_for
):
    page = page_of(client_for(ca), red_school)

    assert "Support received and given" in page
    received = page.split("data-support-received")[1].split("</table>")[0]
    assert "Guided reading in KS2" in received and "Ysgol Werdd" in received
    assert "1.5 of 4.0" in received and "In progress" in received
    given = page.split("data-support-given")[1].split("</table>")[0]
    assert "Phonics in the foundation phase" in given and "Ysgol Trydydd" in given
    assert "Declined" in given
    agreement = history["received"]
    assert f"/p/cwm/brokerage/agreements/{agreement.pk}/" in received


def test_the_schools_own_headteacher_and_governor_see_it(
    partnership, red_school, history, head, member_factory, client_for
):
    governor = member_factory(partnership, Role.GOVERNOR, school=red_school)

    for user in (head, governor):
        assert "Guided reading in KS2" in page_of(client_for(user), red_school)


@pytest.mark.parametrize("role", [Role.HEADTEACHER, Role.PEER_REVIEWER, Role.PANEL_MEMBER])
def test_others_do_not_see_a_schools_support(
    partnership, red_school, history, member_factory, client_for, role
):
    elsewhere = SchoolFactory(partnership=partnership)
    user = member_factory(partnership, role, school=elsewhere)

    page = page_of(client_for(user), red_school)

    assert "Support received and given" not in page
    assert "Guided reading in KS2" not in page


def test_a_school_without_agreements_says_so(green_school, ca, client_for, partnership):
    school = SchoolFactory(partnership=partnership)

    page = page_of(client_for(ca), school)

    assert "This school has not received brokered support yet." in page
    assert "This school has not given brokered support yet." in page


def _school_with_history(n: int):
    partnership = PartnershipFactory(slug=f"support-{n}")
    school = SchoolFactory(partnership=partnership)
    for _ in range(n):
        agreement = SupportAgreementFactory(
            partnership=partnership, need__school=school, status=SupportAgreement.Status.ACTIVE
        )
        DeliverySessionFactory(partnership=partnership, agreement=agreement)
        SupportAgreementFactory(partnership=partnership, offer__school=school)
        NeedFactory(partnership=partnership, school=school)
    return school


def test_the_school_page_costs_the_same_queries_for_3_and_30_agreements(member_factory, client_for):
    counts = []
    for n in (3, 30):
        school = _school_with_history(n)
        client = client_for(member_factory(school.partnership, Role.SENIOR_CA))
        page_of(client, school)
        with CaptureQueriesContext(connection) as queries:
            page_of(client, school)
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_section_takes_one_query(red_school, history, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.school_support(red_school)
