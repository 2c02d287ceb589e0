"""Data protection: a person's data export, erasure on request, retention, privacy page."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from audit.tasks import apply_retention
from brokerage.models import Need
from partnership import dataprotection
from partnership.models import Membership, OutboundEmail, Role
from tests.audit.factories import AuditEventFactory
from tests.factories import (
    TENANT_FACTORIES,
    InvitationFactory,
    MembershipFactory,
    NeedFactory,
    OutboundEmailFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(partnership, school, member_factory):
    return member_factory(
        partnership,
        Role.HEADTEACHER,
        school=school,
        email="ffion@cwm.example.org",
        full_name="Ffion Jones",
    )


# --- Export ---------------------------------------------------------------------------------


def test_a_person_downloads_everything_held_about_them(partnership, school, head, client_for):
    NeedFactory(partnership=partnership, school=school, raised_by=head, title="Maths help")
    OutboundEmailFactory(partnership=partnership, to=head.email, subject="Welcome")

    response = client_for(head).get("/p/cwm/privacy/my-data/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["person"]["email"] == "ffion@cwm.example.org"
    assert data["person"]["full_name"] == "Ffion Jones"
    assert [row["role"] for row in data["records"]["partnership.Membership"]] == ["headteacher"]
    assert [row["title"] for row in data["records"]["brokerage.Need"]] == ["Maths help"]
    assert [row["subject"] for row in data["records"]["partnership.OutboundEmail"]] == ["Welcome"]


def test_the_export_holds_nothing_of_another_partnership(
    partnership, other_partnership, head, client_for
):
    MembershipFactory(partnership=other_partnership, user=head, role=Role.PANEL_MEMBER)
    NeedFactory(partnership=other_partnership, raised_by=head, title="Riverside need")

    data = json.loads(client_for(head).get("/p/cwm/privacy/my-data/").content)

    assert "brokerage.Need" not in data["records"]
    assert len(data["records"]["partnership.Membership"]) == 1


def test_a_data_export_is_recorded_in_the_audit_trail(head, client_for):
    client_for(head).get("/p/cwm/privacy/my-data/")

    event = AuditEvent.objects.get(action="partnership.personal_data_exported")
    assert event.actor == head
    assert event.target_id == str(head.pk)


def test_an_admin_downloads_a_members_data(head, admin_client_, admin_user):
    response = admin_client_.get(f"/p/cwm/people/person/{head.pk}/data/")

    assert json.loads(response.content)["person"]["email"] == head.email
    assert AuditEvent.objects.get(action="partnership.personal_data_exported").actor == admin_user


def test_an_admin_cannot_download_a_non_members_data(admin_client_, other_partnership):
    outsider = UserFactory()
    MembershipFactory(partnership=other_partnership, user=outsider, role=Role.HUB_LEAD)

    assert admin_client_.get(f"/p/cwm/people/person/{outsider.pk}/data/").status_code == 404


def test_only_admins_download_other_peoples_data(head, partnership, member_factory, client_for):
    ca = member_factory(partnership, Role.SENIOR_CA)

    assert client_for(ca).get(f"/p/cwm/people/person/{head.pk}/data/").status_code == 403


# --- Erasure -----------------------------------------------------------------------------


def test_erasure_anonymises_the_person_and_keeps_their_records(
    partnership, school, head, admin_client_
):
    need = NeedFactory(partnership=partnership, school=school, raised_by=head)
    InvitationFactory(partnership=partnership, email=head.email, full_name="Ffion Jones")
    OutboundEmailFactory(partnership=partnership, to=head.email)
    AuditEventFactory(partnership=partnership, actor=head, actor_label=head.email)
    TOTP.activate(head, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    Token.objects.create(user=head)

    response = admin_client_.post(f"/p/cwm/people/person/{head.pk}/erase/")

    assert response.status_code == 302
    head.refresh_from_db()
    assert head.email == f"erased-{head.pk}@erased.invalid"
    assert head.full_name == "Erased person"
    assert not head.is_active and not head.has_usable_password()
    assert Need.objects.get(pk=need.pk).raised_by == head  # the record stays, anonymous
    assert not Membership.objects.filter(user=head).exists()
    assert not OutboundEmail.objects.filter(to__icontains="ffion").exists()
    assert not AuditEvent.objects.filter(actor_label__icontains="ffion").exists()
    assert not Authenticator.objects.filter(user=head).exists()
    assert not Token.objects.filter(user=head).exists()
    assert AuditEvent.objects.filter(action="partnership.person_erased").count() == 1


def test_an_erased_person_cannot_sign_in(head, admin_client_):
    head.set_password("correct horse battery staple")
    head.save()
    admin_client_.post(f"/p/cwm/people/person/{head.pk}/erase/")

    client = Client()
    client.post("/accounts/login/", {"login": "ffion@cwm.example.org", "password": "x"})

    assert "_auth_user_id" not in client.session


def test_erasure_is_refused_for_a_member_of_another_partnership(
    head, other_partnership, admin_client_
):
    MembershipFactory(partnership=other_partnership, user=head, role=Role.HUB_LEAD)

    response = admin_client_.post(f"/p/cwm/people/person/{head.pk}/erase/")

    assert response.status_code == 200
    assert "another partnership" in response.content.decode()
    head.refresh_from_db()
    assert head.email == "ffion@cwm.example.org"
    assert not AuditEvent.objects.filter(action="partnership.person_erased").exists()


def test_an_admin_cannot_erase_themselves(admin_user, admin_client_):
    response = admin_client_.post(f"/p/cwm/people/person/{admin_user.pk}/erase/")

    assert response.status_code == 200
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_only_admins_erase(head, partnership, member_factory, client_for):
    ca = member_factory(partnership, Role.CHALLENGE_ADVISER)

    assert client_for(ca).post(f"/p/cwm/people/person/{head.pk}/erase/").status_code == 403
    head.refresh_from_db()
    assert head.is_active


# --- Retention --------------------------------------------------------------------------


def test_retention_deletes_old_audit_records_only(partnership, other_partnership, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old = AuditEventFactory(partnership=partnership, action="old.one")
    old_elsewhere = AuditEventFactory(partnership=other_partnership, action="old.two")
    recent = AuditEventFactory(partnership=partnership, action="recent.one")
    AuditEvent.objects.filter(pk__in=[old.pk, old_elsewhere.pk]).update(
        created_at=timezone.now() - timedelta(days=31)
    )

    assert apply_retention.delay().get() == 2

    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "recent.one",
        "audit.retention_applied",
    }
    assert AuditEvent.objects.filter(pk=recent.pk).exists()


def test_retention_runs_twice_without_deleting_more(partnership, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old = AuditEventFactory(partnership=partnership)
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))

    assert apply_retention() == 1
    assert apply_retention() == 0


def test_zero_days_keeps_records_for_ever(partnership, settings):
    settings.AUDIT_RETENTION_DAYS = 0
    old = AuditEventFactory(partnership=partnership)
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=9000))

    assert apply_retention() == 0
    assert AuditEvent.objects.filter(pk=old.pk).exists()


def test_other_apps_register_their_own_retention(partnership, school, settings):
    settings.NEED_RETENTION_DAYS = 10
    old = NeedFactory(partnership=partnership, school=school)
    Need.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=11))
    rule = dataprotection.register_retention(
        "brokerage.Need", "created_at", setting="NEED_RETENTION_DAYS", default_days=0
    )
    try:
        deleted = dataprotection.apply_retention_rules()
    finally:
        dataprotection.RETENTION_RULES.pop(f"{rule.model_label}.{rule.date_field}")

    assert deleted == {"brokerage.Need": 1}
    assert not Need.objects.filter(pk=old.pk).exists()


def test_survey_answers_have_a_retention_rule():
    rules = {rule.model_label: rule for rule in dataprotection.RETENTION_RULES.values()}

    assert rules["surveys.ImpactResponse"].setting == "SURVEY_ANSWER_RETENTION_DAYS"
    assert rules["audit.AuditEvent"].setting == "AUDIT_RETENTION_DAYS"


# --- Privacy page --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.GOVERNOR, Role.PARTNERSHIP_ADMIN])
def test_every_member_sees_the_privacy_page(partnership, school, member_factory, client_for, role):
    user = member_factory(partnership, role, school=school if role == Role.GOVERNOR else None)

    body = client_for(user).get("/p/cwm/privacy/").content.decode()

    assert "Privacy and your data" in body
    assert "Download my data" in body
    assert ("Audit trail" in body) == (role == Role.PARTNERSHIP_ADMIN)


def test_old_survey_answers_go_after_their_retention(partnership, settings):
    from surveys.models import ImpactResponse

    settings.SURVEY_ANSWER_RETENTION_DAYS = 30
    old = TENANT_FACTORIES[ImpactResponse](partnership=partnership)
    recent = TENANT_FACTORIES[ImpactResponse](partnership=partnership)
    ImpactResponse.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - timedelta(days=31)
    )

    apply_retention()

    assert list(ImpactResponse.objects.values_list("pk", flat=True)) == [recent.pk]
