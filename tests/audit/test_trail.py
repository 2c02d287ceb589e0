"""The audit trail: what is recorded, and the admins' read-only search page and API."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from brokerage import services as brokerage
from brokerage.models import Funding
from partnership import services
from partnership.models import Membership, Role
from schools.models import SupportCategory
from tests.audit.factories import AuditEventFactory
from tests.factories import (
    AreaFactory,
    MembershipFactory,
    NeedFactory,
    OfferFactory,
    SchoolFactory,
    SupportAgreementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


# --- What is recorded -------------------------------------------------------------------


def test_a_role_change_is_recorded_with_before_and_after(partnership, admin_user, admin_client_):
    membership = MembershipFactory(partnership=partnership, role=Role.PANEL_MEMBER)

    admin_client_.post(
        f"/p/cwm/people/{membership.pk}/edit/",
        {"role": Role.HUB_LEAD},
        REMOTE_ADDR="198.51.100.4",
    )

    event = AuditEvent.objects.get(action="partnership.role_changed")
    assert event.actor == admin_user
    assert event.detail["before"]["role"] == Role.PANEL_MEMBER
    assert event.detail["after"]["role"] == Role.HUB_LEAD
    assert event.ip_address == "198.51.100.4"


def test_removing_a_role_is_recorded(partnership, admin_client_):
    membership = MembershipFactory(partnership=partnership, role=Role.PEER_REVIEWER)

    admin_client_.post(f"/p/cwm/people/{membership.pk}/remove/")

    assert not Membership.objects.filter(pk=membership.pk).exists()
    event = AuditEvent.objects.get(action="partnership.role_removed")
    assert event.detail["role"] == Role.PEER_REVIEWER
    assert event.target_id == str(membership.pk)


def test_an_invitation_and_its_acceptance_are_recorded(partnership, admin_user):
    invitation = services.invite_person(
        actor=admin_user, partnership=partnership, email="new@cwm.example.org", role=Role.HUB_LEAD
    )
    user = services.accept_invitation(invitation=invitation, password="a long passphrase 1")

    assert actions() == ["partnership.person_invited", "partnership.role_granted"]
    granted = AuditEvent.objects.get(action="partnership.role_granted")
    assert granted.actor == user
    assert granted.detail["role"] == Role.HUB_LEAD


def test_a_refused_role_change_leaves_no_audit_record(partnership, admin_user):
    only_admin = Membership.objects.get(user=admin_user)

    with pytest.raises(Exception, match="at least one partnership admin"):
        services.change_membership(actor=admin_user, membership=only_admin, role=Role.HUB_LEAD)

    assert not AuditEvent.objects.exists()


@pytest.fixture
def brokerage_setup(partnership):
    area = AreaFactory(partnership=partnership)
    red = SchoolFactory(partnership=partnership, support_category=SupportCategory.RED)
    green = SchoolFactory(partnership=partnership, support_category=SupportCategory.GREEN)
    ca = UserFactory()
    MembershipFactory(partnership=partnership, user=ca, role=Role.SENIOR_CA)
    need = NeedFactory(partnership=partnership, school=red, area=area)
    offer = OfferFactory(partnership=partnership, school=green, area=area)
    return ca, need, offer


def test_brokering_an_agreement_is_recorded(brokerage_setup):
    ca, need, offer = brokerage_setup
    today = timezone.localdate()

    agreement = brokerage.make_agreement(
        actor=ca,
        need=need,
        offer=offer,
        days=Decimal("2"),
        starts_on=today,
        ends_on=today + timedelta(days=30),
        objectives="Coaching.",
        funding=Funding.FREE,
    )

    event = AuditEvent.objects.get(action="brokerage.agreement_made")
    assert event.actor == ca
    assert event.target_id == str(agreement.pk)
    assert event.detail["days"] == "2"


def test_closing_an_agreement_is_recorded(partnership):
    agreement = SupportAgreementFactory(partnership=partnership, status="active")
    ca = UserFactory()

    brokerage.close_agreement(
        actor=ca, agreement=agreement, objectives_met="yes", rating=3, evidence="Scores rose."
    )

    assert AuditEvent.objects.get(action="brokerage.agreement_closed").detail["rating"] == "3"


def test_an_override_is_recorded_once(partnership, brokerage_setup):
    ca, need, _offer = brokerage_setup
    amber = SchoolFactory(partnership=partnership, support_category=SupportCategory.AMBER)

    brokerage.record_override(actor=ca, need=need, provider=amber, reason="Only Welsh provider.")
    brokerage.record_override(actor=ca, need=need, provider=amber, reason="Again.")

    assert actions() == ["brokerage.override_recorded"]


# --- The trail page ------------------------------------------------------------------------


def test_admins_see_their_partnerships_trail(partnership, other_partnership, admin_client_):
    AuditEventFactory(partnership=partnership, action="schools.category_changed")
    AuditEventFactory(
        partnership=other_partnership, action="reports.downloaded", target_label="Elsewhere"
    )

    body = admin_client_.get("/p/cwm/audit/").content.decode()

    assert "schools.category_changed" in body
    assert "Elsewhere" not in body
    assert "1 event found" in body


@pytest.mark.parametrize(
    "role", [Role.SENIOR_CA, Role.CHALLENGE_ADVISER, Role.HUB_LEAD, Role.PANEL_MEMBER]
)
def test_only_admins_see_the_trail(partnership, member_factory, client_for, role):
    user = member_factory(partnership, role)

    assert client_for(user).get("/p/cwm/audit/").status_code == 403
    assert client_for(user).get("/api/p/cwm/audit/events/").status_code == 403


def test_the_trail_filters_by_action_person_and_date(partnership, admin_client_):
    old = AuditEventFactory(partnership=partnership, action="brokerage.agreement_made")
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    AuditEventFactory(
        partnership=partnership,
        action="brokerage.agreement_closed",
        actor_label="ceri@cwm.example.org",
        target_label="Closed one",
    )
    AuditEventFactory(
        partnership=partnership, action="schools.category_changed", target_label="Category one"
    )
    since = (timezone.localdate() - timedelta(days=7)).isoformat()

    by_action = admin_client_.get("/p/cwm/audit/", {"action": "brokerage.agreement_closed"})
    by_person = admin_client_.get("/p/cwm/audit/", {"person": "ceri"})
    by_date = admin_client_.get("/p/cwm/audit/", {"date_from": since})

    assert [e.target_label for e in by_action.context["page"]] == ["Closed one"]
    assert [e.target_label for e in by_person.context["page"]] == ["Closed one"]
    assert {e.target_label for e in by_date.context["page"]} == {"Closed one", "Category one"}


def test_bad_filter_input_is_ignored_not_an_error(partnership, admin_client_):
    AuditEventFactory(partnership=partnership)

    response = admin_client_.get(
        "/p/cwm/audit/", {"date_from": "not-a-date", "action": "x" * 500, "page": "abc"}
    )

    assert response.status_code == 200


def test_the_trail_is_paginated(partnership, admin_client_):
    AuditEvent.objects.bulk_create(
        AuditEvent(partnership=partnership, action="schools.category_changed") for _ in range(60)
    )

    first = admin_client_.get("/p/cwm/audit/")
    second = admin_client_.get("/p/cwm/audit/", {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 10


def test_the_trail_cannot_be_changed_from_the_portal(partnership, admin_client_):
    event = AuditEventFactory(partnership=partnership)

    assert admin_client_.post("/p/cwm/audit/", {"action": "x"}).status_code == 405
    for method in ("put", "patch", "delete"):
        response = getattr(admin_client_, method)(
            f"/api/p/cwm/audit/events/{event.pk}/", {}, content_type="application/json"
        )
        assert response.status_code == 405
    assert AuditEvent.objects.get(pk=event.pk).action == event.action


def test_the_api_lists_the_trail_for_admins(partnership, admin_client_):
    record_event(partnership=partnership, actor=None, action="audit.retention_applied")

    data = admin_client_.get("/api/p/cwm/audit/events/", {"action": "audit"}).json()

    assert [row["action"] for row in data["results"]] == ["audit.retention_applied"]
