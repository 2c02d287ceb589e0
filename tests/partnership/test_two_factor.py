"""Two-factor sign-in: admins and challenge advisers must set up an authenticator app.

The codes are computed here from the secret (RFC 6238), exactly as a phone app would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.test import Client

from partnership.models import Role

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def totp_code(secret: str, at: float | None = None) -> str:
    """The 6-digit code an authenticator app shows for `secret` now."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.MFA_ENFORCED = True
    cache.clear()  # rate limits and used codes of earlier tests
    yield
    cache.clear()


def person(partnership, member_factory, role: str, school=None):
    user = member_factory(partnership, role, school=school, email=f"{role}@cwm.example.org")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client: Client, user) -> object:
    return client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})


def open_setup(client: Client) -> str:
    """Confirm the password (allauth asks before adding an authenticator); the secret."""
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    return client.get("/accounts/2fa/totp/activate/").context["form"].secret


@pytest.mark.parametrize("role", [Role.PARTNERSHIP_ADMIN, Role.SENIOR_CA, Role.CHALLENGE_ADVISER])
def test_staff_without_an_authenticator_are_sent_to_set_one_up(partnership, member_factory, role):
    user = person(partnership, member_factory, role)
    client = Client()
    sign_in(client, user)

    response = client.get("/p/cwm/schools/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    # allauth asks for the password again before an authenticator is added.
    confirm = client.get(response["Location"], follow=True)
    assert "Your role needs two-factor authentication" in confirm.content.decode()
    assert confirm.request["PATH_INFO"] == "/accounts/reauthenticate/"
    setup = client.post(
        confirm.request["PATH_INFO"] + "?" + confirm.request["QUERY_STRING"],
        {"password": PASSWORD},
        follow=True,
    )
    assert setup.request["PATH_INFO"] == "/accounts/2fa/totp/activate/"
    assert 'name="code"' in setup.content.decode()


def test_the_api_refuses_staff_without_an_authenticator(partnership, member_factory):
    user = person(partnership, member_factory, Role.PARTNERSHIP_ADMIN)
    client = Client()
    sign_in(client, user)

    response = client.get("/api/p/cwm/schools/")

    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def test_others_may_use_the_portal_without_two_factor(partnership, member_factory, school):
    user = person(partnership, member_factory, Role.HEADTEACHER, school=school)
    client = Client()
    sign_in(client, user)

    assert client.get("/p/cwm/schools/").status_code == 200


def test_setting_up_totp_gives_recovery_codes_and_opens_the_portal(partnership, member_factory):
    user = person(partnership, member_factory, Role.PARTNERSHIP_ADMIN)
    client = Client()
    sign_in(client, user)
    secret = open_setup(client)

    done = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})

    assert done.status_code == 302
    assert done["Location"] == "/accounts/2fa/recovery-codes/"
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    codes = client.get("/accounts/2fa/recovery-codes/")
    assert len(codes.context["unused_codes"]) == 10
    assert codes.context["unused_codes"][0] in codes.content.decode()
    assert client.get("/p/cwm/schools/").status_code == 200


def test_a_wrong_code_does_not_set_up_totp(partnership, member_factory):
    user = person(partnership, member_factory, Role.CHALLENGE_ADVISER)
    client = Client()
    sign_in(client, user)
    open_setup(client)

    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})

    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert not Authenticator.objects.filter(user=user).exists()


def test_sign_in_asks_for_the_code_once_set_up(partnership, member_factory):
    user = person(partnership, member_factory, Role.PARTNERSHIP_ADMIN)
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(user, secret)
    client = Client()

    first = sign_in(client, user)

    assert first["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/p/cwm/schools/").status_code == 302  # not signed in yet
    second = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert second.status_code == 302
    assert client.get("/p/cwm/schools/").status_code == 200


def test_a_replayed_code_is_refused(partnership, member_factory):
    user = person(partnership, member_factory, Role.PARTNERSHIP_ADMIN)
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(user, secret)
    code = totp_code(secret)
    first = Client()
    sign_in(first, user)
    assert first.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302

    second = Client()
    sign_in(second, user)
    replay = second.post("/accounts/2fa/authenticate/", {"code": code})

    assert replay.status_code == 200
    assert "Incorrect code" in replay.content.decode()
    assert second.get("/p/cwm/schools/").status_code == 302


def test_a_recovery_code_signs_in_once(partnership, member_factory):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = person(partnership, member_factory, Role.SENIOR_CA)
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    recovery = RecoveryCodes.activate(user)
    code = recovery.get_unused_codes()[0]
    client = Client()
    sign_in(client, user)

    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    again = Client()
    sign_in(again, user)
    assert again.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 200


def test_staff_cannot_switch_two_factor_off_while_it_is_required(partnership, member_factory):
    user = person(partnership, member_factory, Role.PARTNERSHIP_ADMIN)
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(user, secret)
    client = Client()
    sign_in(client, user)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 200
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_sign_out_stays_open_before_set_up(partnership, member_factory):
    user = person(partnership, member_factory, Role.PARTNERSHIP_ADMIN)
    client = Client()
    sign_in(client, user)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_not_enforced_when_switched_off(settings, partnership, member_factory):
    settings.MFA_ENFORCED = False
    user = person(partnership, member_factory, Role.PARTNERSHIP_ADMIN)
    client = Client()
    sign_in(client, user)

    assert client.get("/p/cwm/schools/").status_code == 200


def test_mfa_is_enforced_by_default_in_production_only():
    from tests.partnership.test_settings import real_key, setting_values

    production = setting_values("MFA_ENFORCED", DEBUG="false", SECRET_KEY=real_key())
    demo = setting_values("MFA_ENFORCED", DEBUG="true")
    switched_on = setting_values("MFA_ENFORCED", DEBUG="true", MFA_ENFORCED="true")

    assert production == {"MFA_ENFORCED": True}
    assert demo == {"MFA_ENFORCED": False}
    assert switched_on == {"MFA_ENFORCED": True}


def test_a_headteacher_may_choose_two_factor(partnership, member_factory, school):
    user = person(partnership, member_factory, Role.HEADTEACHER, school=school)
    client = Client()
    sign_in(client, user)
    secret = open_setup(client)

    client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})

    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_account_pages_offer_two_factor_to_everyone(partnership, member_factory, school):
    user = person(partnership, member_factory, Role.GOVERNOR, school=school)
    client = Client()
    sign_in(client, user)

    body = client.get("/accounts/password/change/").content.decode()

    assert 'href="/accounts/2fa/"' in body
    assert client.get("/accounts/2fa/").status_code == 200
