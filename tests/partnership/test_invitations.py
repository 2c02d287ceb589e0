"""Inviting people: the admin's form, the emailed link, and every way a link can fail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from partnership import services
from partnership.models import Invitation, Membership, OutboundEmail, Role, User
from tests.factories import TEST_PASSWORD, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Llanelli-harbour-2024"
LINK = re.compile(r"https?://[^/\s]+(/invitations/[^/\s]+/)")


def invite_link(body: str) -> str:
    """The path of the invitation link in an email body."""
    match = LINK.search(body)
    assert match, body
    return match.group(1)


def link_for(invitation: Invitation) -> str:
    return f"/invitations/{services.invitation_token(invitation)}/"


def accept_with_password(client: Client, link: str, password: str = GOOD_PASSWORD, **extra):
    data = {"full_name": "Gwen Morgan", "password1": password, "password2": password, **extra}
    return client.post(link, data)


@pytest.fixture
def invitation(partnership, admin_user):
    return InvitationFactory(
        partnership=partnership,
        email="gwen@example.org",
        full_name="Gwen Morgan",
        role=Role.CHALLENGE_ADVISER,
        invited_by=admin_user,
    )


# --- Sending -------------------------------------------------------------------------


def test_admin_invite_queues_one_outbox_email_and_sends_it(
    partnership, admin_client_, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            "/p/cwm/people/invite/",
            {
                "email": "Gwen@Example.org",
                "full_name": "Gwen Morgan",
                "role": Role.CHALLENGE_ADVISER,
            },
        )

    assert response.status_code == 302
    assert response["Location"] == "/p/cwm/people/"
    invitation = Invitation.objects.get()
    assert invitation.email == "gwen@example.org"
    assert invitation.partnership == partnership
    outbox_row = OutboundEmail.objects.get()
    assert outbox_row.to == "gwen@example.org"
    assert outbox_row.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["gwen@example.org"]
    token = invite_link(mail.outbox[0].body).removeprefix("/invitations/").rstrip("/")
    assert services.invitation_from_token(token) == invitation


def test_invitation_email_names_partnership_and_role(
    admin_client_, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(
            "/p/cwm/people/invite/", {"email": "gwen@example.org", "role": Role.SENIOR_CA}
        )

    assert "Cwm Partnership" in mail.outbox[0].subject
    assert "Senior challenge adviser" in mail.outbox[0].body


def test_invite_for_headteacher_without_school_shows_error_and_sends_nothing(
    admin_client_, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            "/p/cwm/people/invite/", {"email": "head@example.org", "role": Role.HEADTEACHER}
        )

    assert response.status_code == 200
    assert "Choose the school this role is for." in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_invite_with_bad_email_shows_error(admin_client_):
    response = admin_client_.post(
        "/p/cwm/people/invite/", {"email": "not-an-email", "role": Role.CHALLENGE_ADVISER}
    )

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not Invitation.objects.exists()


def test_invite_person_who_already_has_the_role_shows_error(
    partnership, admin_client_, member_factory
):
    existing = member_factory(partnership, Role.CHALLENGE_ADVISER, email="ca@example.org")

    response = admin_client_.post(
        "/p/cwm/people/invite/", {"email": existing.email, "role": Role.CHALLENGE_ADVISER}
    )

    assert response.status_code == 200
    assert "This person already has that role." in response.content.decode()
    assert not Invitation.objects.exists()


def test_invite_with_another_partnerships_school_is_rejected(admin_client_, other_partnership):
    from tests.factories import SchoolFactory

    foreign = SchoolFactory(partnership=other_partnership)

    response = admin_client_.post(
        "/p/cwm/people/invite/",
        {"email": "head@example.org", "role": Role.HEADTEACHER, "school": foreign.pk},
    )

    assert response.status_code == 200
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    "role",
    [
        Role.SENIOR_CA,
        Role.CHALLENGE_ADVISER,
        Role.HUB_LEAD,
        Role.PANEL_MEMBER,
        Role.PEER_REVIEWER,
        Role.PARTICIPANT,
    ],
)
def test_non_admin_cannot_invite(partnership, member_factory, client_for, role):
    client = client_for(member_factory(partnership, role))

    get = client.get("/p/cwm/people/invite/")
    post = client.post("/p/cwm/people/invite/", {"email": "x@example.org", "role": Role.SENIOR_CA})

    assert get.status_code == 403
    assert post.status_code == 403
    assert not Invitation.objects.exists()


def test_headteacher_cannot_invite(partnership, school, member_factory, client_for):
    client = client_for(member_factory(partnership, Role.HEADTEACHER, school=school))

    response = client.post(
        "/p/cwm/people/invite/",
        {"email": "x@example.org", "role": Role.GOVERNOR, "school": school.pk},
    )

    assert response.status_code == 403
    assert not Invitation.objects.exists()


# --- Accepting as a new person --------------------------------------------------------


def test_emailed_link_sets_password_signs_in_and_grants_role(
    partnership, school, admin_client_, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(
            "/p/cwm/people/invite/",
            {"email": "head@example.org", "role": Role.HEADTEACHER, "school": school.pk},
        )
    link = invite_link(mail.outbox[0].body)
    client = Client()

    form_page = client.get(link)
    response = accept_with_password(client, link)

    assert form_page.status_code == 200
    assert "Set up your account" in form_page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == "/p/cwm/"
    user = User.objects.get(email="head@example.org")
    assert user.full_name == "Gwen Morgan"
    assert user.check_password(GOOD_PASSWORD)
    assert Membership.objects.filter(
        user=user, partnership=partnership, role=Role.HEADTEACHER, school=school
    ).exists()
    assert client.get("/p/cwm/").status_code == 200  # signed in


def test_accepting_marks_invitation_used(invitation):
    accept_with_password(Client(), link_for(invitation))

    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_new_account_can_sign_in_with_chosen_password(invitation):
    accept_with_password(Client(), link_for(invitation))

    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "gwen@example.org", "password": GOOD_PASSWORD}
    )

    assert response.status_code == 302
    assert client.get("/p/cwm/").status_code == 200


def test_password_mismatch_shows_error_and_creates_nothing(invitation):
    response = Client().post(
        link_for(invitation),
        {"full_name": "Gwen", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD + "x"},
    )

    assert response.status_code == 200
    assert "The two passwords do not match." in response.content.decode()
    assert not User.objects.filter(email="gwen@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short1!", "This password is too short"),
        ("password123", "This password is too common"),
        ("4820193756", "This password is entirely numeric"),
        ("gwen@example.org", "too similar to the"),
    ],
)
def test_password_validators_apply(invitation, password, message):
    response = accept_with_password(Client(), link_for(invitation), password)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="gwen@example.org").exists()


def test_missing_full_name_shows_error(invitation):
    response = accept_with_password(Client(), link_for(invitation), full_name="")

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not User.objects.filter(email="gwen@example.org").exists()


# --- Links that cannot be used ------------------------------------------------------------


def test_second_use_of_link_shows_used_page(invitation):
    link = link_for(invitation)
    accept_with_password(Client(), link)

    again_get = Client().get(link)
    again_post = accept_with_password(Client(), link)

    assert again_get.status_code == 410
    assert "already been used" in again_get.content.decode()
    assert again_post.status_code == 410
    assert User.objects.filter(email="gwen@example.org").count() == 1


def test_expired_link_shows_expired_page(invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = Client().get(link_for(invitation))

    assert response.status_code == 410
    assert "The link has expired." in response.content.decode()


def test_expired_link_cannot_be_accepted_by_post(invitation):
    link = link_for(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = accept_with_password(Client(), link)

    assert response.status_code == 410
    assert not User.objects.filter(email="gwen@example.org").exists()


def test_link_older_than_max_age_is_expired_even_if_row_says_otherwise(invitation, settings):
    link = link_for(invitation)
    settings.INVITATION_MAX_AGE_DAYS = -1  # every signature is now older than the limit

    response = Client().get(link)

    assert response.status_code == 410
    assert "The link has expired." in response.content.decode()


def test_revoked_link_shows_withdrawn_page(invitation, admin_client_):
    admin_client_.post(f"/p/cwm/invitations/{invitation.pk}/revoke/")

    response = Client().get(link_for(invitation))

    assert response.status_code == 410
    assert "The invitation was withdrawn." in response.content.decode()


def test_revoked_invitation_leaves_pending_list(invitation, admin_client_):
    assert "gwen@example.org" in admin_client_.get("/p/cwm/people/").content.decode()

    admin_client_.post(f"/p/cwm/invitations/{invitation.pk}/revoke/")

    assert "gwen@example.org" not in admin_client_.get("/p/cwm/people/").content.decode()


def test_non_admin_cannot_revoke(invitation, partnership, member_factory, client_for):
    client = client_for(member_factory(partnership, Role.CHALLENGE_ADVISER))

    response = client.post(f"/p/cwm/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_forged_link_shows_not_valid_page(invitation):
    token = services.invitation_token(invitation)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    response = Client().get(f"/invitations/{forged}/")

    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_garbage_link_shows_not_valid_page(db):
    response = Client().get("/invitations/nonsense/")

    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_link_for_a_deleted_invitation_is_not_valid(invitation):
    link = link_for(invitation)
    invitation.delete()

    response = Client().get(link)

    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_link_with_replaced_nonce_is_not_valid(invitation):
    link = link_for(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(nonce="00000000-0000-4000-8000-000000000000")

    response = Client().get(link)

    assert response.status_code == 410
    assert "not valid" in response.content.decode()


# --- Accepting with an existing account ---------------------------------------------------


@pytest.fixture
def existing_person(db):
    return UserFactory(email="gwen@example.org", full_name="Gwen Morgan")


def test_existing_account_must_sign_in_first(invitation, existing_person):
    response = Client().get(link_for(invitation))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Sign in to accept your invitation" in body
    assert "/accounts/login/?next=" in body


def test_existing_account_post_while_signed_out_grants_nothing(invitation, existing_person):
    response = accept_with_password(Client(), link_for(invitation))

    assert response.status_code == 200
    assert not Membership.objects.filter(user=existing_person).exists()
    existing_person.refresh_from_db()
    assert existing_person.check_password(TEST_PASSWORD)


def test_signed_in_existing_account_confirms_and_gets_role(
    invitation, existing_person, partnership, client_for
):
    client = client_for(existing_person)
    link = link_for(invitation)

    confirm = client.get(link)
    response = client.post(link)

    assert "Accept your invitation" in confirm.content.decode()
    assert response.status_code == 302
    assert response["Location"] == "/p/cwm/"
    assert Membership.objects.filter(
        user=existing_person, partnership=partnership, role=Role.CHALLENGE_ADVISER
    ).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_sign_in_then_return_to_link_accepts(invitation, existing_person, partnership):
    client = Client()
    link = link_for(invitation)

    login = client.post(
        f"/accounts/login/?next={link}",
        {"login": "gwen@example.org", "password": TEST_PASSWORD, "next": link},
    )
    response = client.post(link)

    assert login.status_code == 302
    assert login["Location"] == link
    assert response.status_code == 302
    assert Membership.objects.filter(user=existing_person, partnership=partnership).exists()


def test_signed_in_as_someone_else_cannot_accept(
    invitation, existing_person, partnership, member_factory, client_for
):
    other = member_factory(partnership, Role.PEER_REVIEWER)

    response = client_for(other).post(link_for(invitation))

    assert response.status_code == 410
    assert "different email address" in response.content.decode()
    assert not Membership.objects.filter(user=existing_person).exists()
    assert not Membership.objects.filter(user=other, role=Role.CHALLENGE_ADVISER).exists()


def test_member_of_another_partnership_accepts_and_sees_both(
    other_partnership, invitation, existing_person, member_factory, client_for
):
    member_factory(other_partnership, Role.HUB_LEAD, user=existing_person)
    client = client_for(existing_person)

    client.post(link_for(invitation))

    assert client.get("/p/cwm/").status_code == 200
    assert client.get("/p/riverside/").status_code == 200


# --- Services ------------------------------------------------------------------------------


def test_invite_person_expires_after_configured_days(partnership, admin_user, settings):
    settings.INVITATION_MAX_AGE_DAYS = 3

    invitation = services.invite_person(
        actor=admin_user, partnership=partnership, email="x@example.org", role=Role.HUB_LEAD
    )

    remaining = invitation.expires_at - timezone.now()
    assert timedelta(days=2, hours=23) < remaining <= timedelta(days=3)


def test_accept_invitation_twice_raises_used(invitation):
    services.accept_invitation(invitation=invitation, password=GOOD_PASSWORD)

    with pytest.raises(services.InvitationInvalid) as raised:
        services.accept_invitation(invitation=invitation, password=GOOD_PASSWORD)

    assert raised.value.reason == "used"
    assert Membership.objects.filter(user__email="gwen@example.org").count() == 1
