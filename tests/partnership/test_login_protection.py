"""Login protection: rate limits, generic messages, session expiry, cookies, HSTS, CSP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client

from partnership.models import Role
from tests.partnership.test_settings import PRODUCTION, real_key, setting_values

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(partnership, member_factory, school):
    user = member_factory(
        partnership, Role.HEADTEACHER, school=school, email="head@cwm.example.org"
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def test_wrong_password_and_unknown_email_get_the_same_generic_message(member):
    wrong = Client().post("/accounts/login/", {"login": member.email, "password": "nope-nope"})
    unknown = Client().post(
        "/accounts/login/", {"login": "nobody@cwm.example.org", "password": "nope-nope"}
    )

    assert wrong.status_code == unknown.status_code == 200
    message = "The email address and/or password you specified are not correct."
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()


def test_repeated_failed_logins_for_one_account_are_rate_limited(member):
    client = Client()
    for _attempt in range(5):
        client.post("/accounts/login/", {"login": member.email, "password": "wrong-guess"})

    # Even the right password is refused until the limit passes.
    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})

    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()


def test_too_many_logins_from_one_address_get_429(member, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    client = Client()
    for _attempt in range(3):
        client.post("/accounts/login/", {"login": member.email, "password": "wrong-guess"})

    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_is_rate_limited_and_does_not_reveal_accounts(member):
    client = Client()
    known = client.post("/accounts/password/reset/", {"email": member.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@cwm.example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]

    for _attempt in range(10):
        last = client.post("/accounts/password/reset/", {"email": member.email})

    assert last.status_code == 429
    sent_to_member = [m for m in mail.outbox if member.email in m.to]
    assert len(sent_to_member) <= 5


def test_session_expires_after_inactivity():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert setting_values("SESSION_COOKIE_AGE", DEBUG="true", SESSION_COOKIE_AGE="900") == {
        "SESSION_COOKIE_AGE": 900
    }


def test_an_expired_session_is_signed_out(member):
    client = Client()
    client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    session = client.session
    session.set_expiry(-1)
    session.save()

    assert client.get("/p/cwm/schools/").status_code == 302


def test_production_cookies_are_secure_and_hsts_is_on():
    values = setting_values(
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_HTTPONLY",
        "MFA_ENFORCED",
        SECRET_KEY=real_key(),
        **PRODUCTION,
    )

    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "MFA_ENFORCED": True,
    }


def test_pages_carry_a_content_security_policy_without_inline_script(admin_client_):
    response = admin_client_.get("/p/cwm/")

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_login_page_carries_the_policy():
    response = Client().get("/accounts/login/")

    assert "default-src 'self'" in response["Content-Security-Policy"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+=\"", re.I)


def _templates() -> list[Path]:
    roots = [REPO / "templates", *REPO.glob("*/templates")]
    return [p for root in roots for p in root.rglob("*.html") if "pdf" not in p.parts]


def test_no_template_has_inline_script_style_or_event_handlers():
    """The policy forbids them, so a page that used one would break in the browser."""
    offenders = [
        str(path.relative_to(REPO))
        for path in _templates()
        if INLINE_SCRIPT.search(text := path.read_text())
        or INLINE_STYLE.search(text)
        or INLINE_HANDLER.search(text)
    ]

    assert not offenders, f"Inline script/style/on* handlers (blocked by the CSP): {offenders}"


def test_a_failed_sign_in_is_logged_with_its_address(member, caplog):
    with caplog.at_level("WARNING", logger="portal.security"):
        Client().post(
            "/accounts/login/",
            {"login": member.email, "password": "wrong-guess"},
            REMOTE_ADDR="203.0.113.7",
        )

    assert any(
        "Failed sign-in" in r.getMessage() and "203.0.113.7" in r.getMessage()
        for r in caplog.records
    )
