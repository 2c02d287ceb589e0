"""`manage.py create_partnership`: how a platform operator starts a new tenant."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from partnership import services
from partnership.areas import default_areas
from partnership.models import Area, Invitation, Membership, Partnership, Role
from tests.factories import PartnershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"^https?://\S+(/invitations/[^/\s]+/)$", re.MULTILINE)
GOOD_PASSWORD = "Aberaeron-quay-2025"


def create(**overrides) -> str:
    options = {
        "name": "Dyffryn Partnership",
        "slug": "dyffryn",
        "country": "wales",
        "admin_email": "Gwen@Example.org",
        **overrides,
    }
    out = StringIO()
    call_command("create_partnership", stdout=out, **options)
    return out.getvalue()


def test_creates_partnership_with_the_areas_of_its_country():
    create(country="england", language="cy")

    partnership = Partnership.objects.get(slug="dyffryn")
    assert partnership.name == "Dyffryn Partnership"
    assert partnership.country == "england"
    assert partnership.default_language == "cy"
    assert sorted(Area.objects.filter(partnership=partnership).values_list("slug", flat=True)) == (
        sorted(slug for slug, _en, _cy in default_areas("england"))
    )


def test_new_admin_is_invited_and_the_invitation_is_emailed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        create(admin_name="Gwen Morgan")

    invitation = Invitation.objects.get()
    assert invitation.partnership.slug == "dyffryn"
    assert (invitation.email, invitation.full_name) == ("gwen@example.org", "Gwen Morgan")
    assert invitation.role == Role.PARTNERSHIP_ADMIN
    assert [m.to for m in mail.outbox] == [["gwen@example.org"]]


def test_printed_link_lets_the_admin_set_a_password_and_open_the_partnership():
    output = create()

    link = LINK.search(output).group(1)
    client = Client()
    response = client.post(
        link, {"full_name": "Gwen Morgan", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user__email="gwen@example.org")
    assert (membership.partnership.slug, membership.role) == ("dyffryn", Role.PARTNERSHIP_ADMIN)
    assert client.get("/p/dyffryn/people/").status_code == 200


def test_printed_link_is_the_invitations_own_link():
    output = create()

    token = LINK.search(output).group(1).removeprefix("/invitations/").rstrip("/")
    assert services.invitation_from_token(token) == Invitation.objects.get()


def test_existing_account_is_made_admin_at_once_without_an_invitation():
    user = UserFactory(email="gwen@example.org")

    output = create(admin_email="GWEN@example.org")

    membership = Membership.objects.get(user=user)
    assert (membership.partnership.slug, membership.role) == ("dyffryn", Role.PARTNERSHIP_ADMIN)
    assert not Invitation.objects.exists()
    assert "/invitations/" not in output


def test_taken_slug_is_refused_and_nothing_is_written():
    PartnershipFactory(slug="dyffryn", name="Existing")

    with pytest.raises(CommandError, match="--slug"):
        create()

    assert list(Partnership.objects.values_list("name", flat=True)) == ["Existing"]
    assert not Invitation.objects.exists()


def test_slug_that_cannot_be_a_web_address_is_refused():
    with pytest.raises(CommandError, match="--slug"):
        create(slug="dyffryn valley!")

    assert not Partnership.objects.exists()


def test_unknown_country_is_refused():
    with pytest.raises(CommandError, match="country"):
        create(country="scotland")

    assert not Partnership.objects.exists()


def test_invalid_admin_email_is_refused_before_anything_is_created():
    with pytest.raises(CommandError, match="--admin-email"):
        create(admin_email="not-an-address")

    assert not Partnership.objects.exists()
    assert not Invitation.objects.exists()
