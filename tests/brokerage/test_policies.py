"""Who may see and do what in brokerage, role by role (brokerage/policies.py)."""

from __future__ import annotations

import pytest

from brokerage import policies
from brokerage.models import Need, SupportAgreement
from partnership.models import Role
from tests.factories import NeedFactory, SchoolFactory, SupportAgreementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(partnership, need, offer, ca):
    need.status = Need.Status.BROKERED
    need.save()
    return SupportAgreementFactory(partnership=partnership, need=need, offer=offer, brokered_by=ca)


@pytest.fixture
def person(partnership, member_factory):
    """person(role, school=None) -> a user holding only that role."""

    def make(role, school=None, **fields):
        return member_factory(partnership, role, school=school, **fields)

    return make


# --- Needs -----------------------------------------------------------------------------------


def test_headteacher_edits_their_schools_need(need, head):
    assert policies.can_edit_need(head, need)
    assert policies.can_withdraw_need(head, need)


def test_headteacher_cannot_edit_another_schools_need(need, provider_head):
    assert not policies.can_edit_need(provider_head, need)
    assert not policies.can_view_need(provider_head, need)


def test_nobody_edits_a_need_once_it_is_brokered(need, head, ca):
    need.status = Need.Status.BROKERED

    assert not policies.can_edit_need(head, need)
    assert not policies.can_edit_need(ca, need)
    assert not policies.can_withdraw_need(head, need)


def test_the_schools_ca_brokers_its_needs(need, ca):
    assert policies.can_broker_need(ca, need)
    assert policies.can_edit_need(ca, need)


def test_a_ca_cannot_broker_another_cas_school(partnership, need, person):
    other_ca = person(Role.CHALLENGE_ADVISER)

    assert not policies.can_broker_need(other_ca, need)
    assert not policies.can_edit_need(other_ca, need)


@pytest.mark.parametrize("role", [Role.SENIOR_CA, Role.PARTNERSHIP_ADMIN])
def test_senior_ca_and_admin_broker_every_school(need, person, role):
    broker = person(role)

    assert policies.can_broker_need(broker, need)
    assert policies.can_use_board(broker, need.partnership)


def test_a_partner_ca_headteacher_brokers_the_schools_in_their_caseload(
    partnership, need, provider_head
):
    need.school.challenge_adviser = provider_head
    need.school.save()

    assert policies.can_broker_need(provider_head, need)


def test_governor_reads_but_does_not_change_their_schools_need(need, person):
    governor = person(Role.GOVERNOR, school=need.school)

    assert policies.can_view_need(governor, need)
    assert not policies.can_edit_need(governor, need)
    assert not policies.can_broker_need(governor, need)


def test_governor_of_another_school_cannot_read_the_need(partnership, need, person):
    governor = person(Role.GOVERNOR, school=SchoolFactory(partnership=partnership))

    assert not policies.can_view_need(governor, need)


@pytest.mark.parametrize(
    "role", [Role.HUB_LEAD, Role.PANEL_MEMBER, Role.PEER_REVIEWER, Role.PARTICIPANT]
)
def test_other_roles_see_no_needs_and_no_board(need, person, role):
    user = person(role)

    assert not policies.can_view_need(user, need)
    assert not policies.can_broker_need(user, need)
    assert not policies.can_use_board(user, need.partnership)
    assert not policies.can_open_brokerage(user, need.partnership)


def test_the_need_schools_category_is_shown_only_to_those_allowed(
    need, head, ca, provider_head, person
):
    governor = person(Role.GOVERNOR, school=need.school)

    assert policies.can_view_need_category(head, need)
    assert policies.can_view_need_category(governor, need)
    assert policies.can_view_need_category(ca, need)
    assert not policies.can_view_need_category(provider_head, need)


def test_a_member_of_another_partnership_has_no_rights(other_partnership, need, member_factory):
    outsider = member_factory(other_partnership, Role.SENIOR_CA)

    assert not policies.can_view_need(outsider, need)
    assert not policies.can_broker_need(outsider, need)


# --- Offers -------------------------------------------------------------------------------------


def test_headteacher_edits_their_schools_offer_only(offer, provider_head, head):
    assert policies.can_edit_offer(provider_head, offer)
    assert not policies.can_edit_offer(head, offer)
    assert not policies.can_view_offer(head, offer)


def test_governor_does_not_see_offers(offer, person):
    governor = person(Role.GOVERNOR, school=offer.school)

    assert not policies.can_view_offer(governor, offer)


# --- Agreements ------------------------------------------------------------------------------


def test_both_headteachers_confirm_and_may_decline(agreement, head, provider_head):
    for user in (head, provider_head):
        assert policies.can_confirm_agreement(user, agreement)
        assert policies.can_decline_agreement(user, agreement)


def test_a_confirmed_side_is_not_asked_again(agreement, head):
    from django.utils import timezone

    agreement.receiver_confirmed_at = timezone.now()

    assert not policies.can_confirm_agreement(head, agreement)


def test_the_ca_closes_but_does_not_confirm(agreement, ca):
    assert not policies.can_confirm_agreement(ca, agreement)
    assert not policies.can_close_agreement(ca, agreement)  # not started yet
    agreement.status = SupportAgreement.Status.ACTIVE
    assert policies.can_close_agreement(ca, agreement)
    assert policies.can_log_session(ca, agreement)


def test_governors_of_either_school_read_the_agreement_only(agreement, person):
    for school in (agreement.provider, agreement.receiving_school):
        governor = person(Role.GOVERNOR, school=school)
        assert policies.can_view_agreement(governor, agreement)
        assert not policies.can_confirm_agreement(governor, agreement)
        assert not policies.can_decline_agreement(governor, agreement)
        assert not policies.can_log_session(governor, agreement)
        assert not policies.can_close_agreement(governor, agreement)


def test_headteacher_of_an_unrelated_school_cannot_see_the_agreement(
    partnership, agreement, person
):
    stranger = person(Role.HEADTEACHER, school=SchoolFactory(partnership=partnership))

    assert not policies.can_view_agreement(stranger, agreement)


@pytest.mark.parametrize("role", [Role.HUB_LEAD, Role.PEER_REVIEWER, Role.PARTICIPANT])
def test_other_roles_cannot_see_agreements(agreement, person, role):
    assert not policies.can_view_agreement(person(role), agreement)


def test_a_closed_agreement_takes_no_more_sessions(agreement, ca, provider_head):
    agreement.status = SupportAgreement.Status.CLOSED

    assert not policies.can_log_session(ca, agreement)
    assert not policies.can_log_session(provider_head, agreement)


def test_needs_of_other_schools_in_the_caseload_are_brokered_by_their_ca(partnership, ca, person):
    other_need = NeedFactory(partnership=partnership)

    assert not policies.can_broker_need(ca, other_need)
