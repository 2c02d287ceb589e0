"""A commissioning call a panel opened is decided by that panel: full members score bids,
the chair awards (hubs.policies asks panels.policies)."""

from __future__ import annotations

import pytest

from hubs import policies as hub_policies
from panels.models import SeatType
from partnership.models import Role
from tests.factories import BidFactory, CallFactory, IdentifiedNeedFactory, PanelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(partnership, panel):
    call = CallFactory(partnership=partnership, area=panel.area)
    IdentifiedNeedFactory(partnership=partnership, panel=panel, call=call)
    return call


def test_the_chair_of_the_panel_that_opened_the_call_decides_it(call, chair):
    bid = BidFactory(partnership=call.partnership, call=call)

    assert hub_policies.can_decide_call(chair, call)
    assert hub_policies.can_score_bid(chair, bid)
    assert hub_policies.can_view_bid(chair, bid)


def test_a_full_member_scores_but_does_not_award(call, seat_member, panel):
    member = seat_member(panel, SeatType.TEACHER).user
    bid = BidFactory(partnership=call.partnership, call=call)

    assert hub_policies.can_score_bid(member, bid)
    assert not hub_policies.can_decide_call(member, call)


def test_a_pupil_member_does_not_score(call, seat_member, panel):
    pupil = seat_member(panel, SeatType.PUPIL).user

    assert not hub_policies.can_score_bid(
        pupil, BidFactory(partnership=call.partnership, call=call)
    )


def test_another_panels_chair_does_not_decide(partnership, call, seat_member):
    other_chair = seat_member(
        PanelFactory(partnership=partnership, area=call.area), SeatType.HEADTEACHER, is_chair=True
    ).user

    assert not hub_policies.can_decide_call(other_chair, call)


def test_a_call_the_admin_opened_is_still_decided_by_the_admin_only(
    partnership, panel, chair, admin_user
):
    call = CallFactory(partnership=partnership, area=panel.area)

    assert hub_policies.can_decide_call(admin_user, call)
    assert not hub_policies.can_decide_call(chair, call)


def test_panel_members_find_the_bids_to_score_on_the_need_page(
    partnership, panel, call, seat_member, client_for, member_factory
):
    member = seat_member(panel, SeatType.TEACHER).user
    bid = BidFactory(partnership=partnership, call=call)
    need = call.panel_needs.get()

    page = client_for(member).get(f"/p/{partnership.slug}/panels/needs/{need.pk}/")
    bid_page = client_for(member).get(f"/p/{partnership.slug}/bids/{bid.pk}/")

    assert bid.school.name in page.content.decode()
    assert bid_page.status_code == 200
    outsider = member_factory(partnership, Role.CHALLENGE_ADVISER)
    assert client_for(outsider).get(f"/p/{partnership.slug}/bids/{bid.pk}/").status_code == 404
