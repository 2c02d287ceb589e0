"""The portal shell: sign-in, home per role, switcher, language, API token, errors."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from rest_framework.authtoken.models import Token

from partnership.models import Partnership, Role
from schools.models import SupportCategory
from tests.factories import TEST_PASSWORD, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- Signing in ------------------------------------------------------------------------


def test_logged_out_tenant_page_redirects_to_login_with_next(partnership):
    response = Client().get("/p/cwm/schools/?phase=primary")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/p/cwm/schools/%3Fphase%3Dprimary"


def test_logged_out_root_redirects_to_login(db):
    response = Client().get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")


def test_login_page_renders(db):
    response = Client().get("/accounts/login/")

    assert response.status_code == 200
    assert 'name="login"' in response.content.decode()


def test_successful_login_goes_to_the_partnership(partnership, admin_user):
    client = Client()

    response = client.post(
        "/accounts/login/", {"login": admin_user.email, "password": TEST_PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/p/cwm/"
    assert response.status_code == 200


def test_login_is_case_insensitive_on_email(partnership, admin_user):
    response = Client().post(
        "/accounts/login/", {"login": admin_user.email.upper(), "password": TEST_PASSWORD}
    )

    assert response.status_code == 302


def test_login_follows_next(partnership, admin_user):
    response = Client().post(
        "/accounts/login/?next=/p/cwm/schools/",
        {"login": admin_user.email, "password": TEST_PASSWORD, "next": "/p/cwm/schools/"},
    )

    assert response["Location"] == "/p/cwm/schools/"


def test_failed_login_shows_generic_error(partnership, admin_user):
    client = Client()

    wrong_password = client.post(
        "/accounts/login/", {"login": admin_user.email, "password": "not-the-password"}
    )
    unknown_email = client.post(
        "/accounts/login/", {"login": "nobody@example.org", "password": "not-the-password"}
    )

    assert wrong_password.status_code == 200
    assert unknown_email.status_code == 200
    message = "email address and/or password you specified are not correct"
    assert message in wrong_password.content.decode()
    assert message in unknown_email.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_with_empty_form_shows_errors(db):
    response = Client().post("/accounts/login/", {})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_signup_is_closed(db):
    response = Client().get("/accounts/signup/")

    assert response.status_code == 200
    assert 'name="password1"' not in response.content.decode()


def test_password_reset_sends_an_email(admin_user):
    response = Client().post("/accounts/password/reset/", {"email": admin_user.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [admin_user.email]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_password_reset_for_unknown_email_does_not_reveal_it(db):
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})

    assert response.status_code == 302  # same answer as for a known address


def test_logout_signs_out(admin_client_):
    admin_client_.post("/accounts/logout/")

    assert admin_client_.get("/p/cwm/").status_code == 302


# --- Tenant resolution ---------------------------------------------------------------------


def test_unknown_partnership_is_404_page(admin_client_):
    response = admin_client_.get("/p/no-such-place/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_unknown_partnership_is_404_when_logged_out(db):
    assert Client().get("/p/no-such-place/").status_code == 404


def test_inactive_partnership_is_404(partnership, admin_client_):
    Partnership.objects.filter(pk=partnership.pk).update(is_active=False)

    assert admin_client_.get("/p/cwm/").status_code == 404


def test_non_member_gets_404(partnership, other_partnership, member_factory, client_for):
    outsider = member_factory(other_partnership, Role.PARTNERSHIP_ADMIN)

    response = client_for(outsider).get("/p/cwm/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_user_with_no_membership_gets_404(partnership, client_for):
    assert client_for(UserFactory()).get("/p/cwm/schools/").status_code == 404


# --- Home per role --------------------------------------------------------------------------


def test_admin_home_shows_overview(partnership, admin_client_, school):
    response = admin_client_.get("/p/cwm/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Partnership overview" in body
    assert "Invite a person" in body


def test_ca_home_shows_own_caseload_only(partnership, member_factory, client_for):
    ca = member_factory(partnership, Role.CHALLENGE_ADVISER)
    SchoolFactory(partnership=partnership, name="Ysgol Mine", challenge_adviser=ca)
    SchoolFactory(partnership=partnership, name="Ysgol Theirs")

    body = client_for(ca).get("/p/cwm/").content.decode()

    assert "Your caseload" in body
    assert "Ysgol Mine" in body
    assert "Ysgol Theirs" not in body
    assert "Partnership overview" not in body


def test_ca_home_lists_neediest_first(partnership, member_factory, client_for):
    ca = member_factory(partnership, Role.CHALLENGE_ADVISER)
    SchoolFactory(partnership=partnership, name="A Green", challenge_adviser=ca)
    SchoolFactory(
        partnership=partnership,
        name="Z Red",
        challenge_adviser=ca,
        support_category=SupportCategory.RED,
    )

    body = client_for(ca).get("/p/cwm/").content.decode()

    assert body.index("Z Red") < body.index("A Green")


def test_senior_ca_home_shows_all_schools(partnership, member_factory, client_for):
    senior = member_factory(partnership, Role.SENIOR_CA)
    SchoolFactory(partnership=partnership, name="Ysgol Unassigned")

    body = client_for(senior).get("/p/cwm/").content.decode()

    assert "All schools (senior challenge adviser)" in body
    assert "Ysgol Unassigned" in body


def test_headteacher_home_shows_own_school(partnership, school, member_factory, client_for):
    head = member_factory(partnership, Role.HEADTEACHER, school=school)

    body = client_for(head).get("/p/cwm/").content.decode()

    assert "Your school: Ysgol y Cwm" in body
    assert "Partnership overview" not in body
    assert "Your caseload" not in body


def test_governor_home_shows_own_school_as_governor(
    partnership, school, member_factory, client_for
):
    governor = member_factory(partnership, Role.GOVERNOR, school=school)

    body = client_for(governor).get("/p/cwm/").content.decode()

    assert "Your school as governor: Ysgol y Cwm" in body
    assert "Termly reports" in body


@pytest.mark.parametrize(
    ("role", "label"),
    [
        (Role.PANEL_MEMBER, "Panel member"),
        (Role.PEER_REVIEWER, "Peer reviewer"),
        (Role.PARTICIPANT, "Participant (teacher)"),
    ],
)
def test_other_roles_home_names_the_role(partnership, member_factory, client_for, role, label):
    body = client_for(member_factory(partnership, role)).get("/p/cwm/").content.decode()

    assert "Your other roles" in body
    assert label in body


def test_person_with_several_roles_sees_each_section(
    partnership, school, member_factory, client_for
):
    person = member_factory(partnership, Role.CHALLENGE_ADVISER)
    member_factory(partnership, Role.HEADTEACHER, school=school, user=person)
    member_factory(partnership, Role.PEER_REVIEWER, user=person)

    body = client_for(person).get("/p/cwm/").content.decode()

    assert "Your caseload" in body
    assert "Your school: Ysgol y Cwm" in body
    assert "Peer reviewer" in body


def test_header_shows_partnership_and_roles(partnership, admin_client_):
    body = admin_client_.get("/p/cwm/").content.decode()

    assert "Cwm Partnership" in body
    assert "Partnership admin" in body


# --- Switcher --------------------------------------------------------------------------------


def test_root_sends_single_partnership_member_home(partnership, admin_client_):
    response = admin_client_.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/p/cwm/"


def test_root_shows_switcher_for_several_partnerships(
    partnership, other_partnership, admin_user, member_factory, client_for
):
    member_factory(other_partnership, Role.HUB_LEAD, user=admin_user)

    response = client_for(admin_user).get("/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose a partnership" in body
    assert 'href="/p/cwm/"' in body
    assert 'href="/p/riverside/"' in body


def test_switcher_leaves_out_inactive_partnerships(
    partnership, other_partnership, admin_user, member_factory, client_for
):
    member_factory(other_partnership, Role.HUB_LEAD, user=admin_user)
    Partnership.objects.filter(pk=other_partnership.pk).update(is_active=False)

    response = client_for(admin_user).get("/")

    assert response["Location"] == "/p/cwm/"


def test_root_for_person_without_partnership_explains(client_for, db):
    response = client_for(UserFactory()).get("/")

    assert response.status_code == 200
    assert "not a member of any partnership" in response.content.decode()


def test_header_offers_switch_only_with_several_partnerships(
    partnership, other_partnership, admin_user, member_factory, client_for
):
    client = client_for(admin_user)
    assert "Switch partnership" not in client.get("/p/cwm/").content.decode()

    member_factory(other_partnership, Role.HUB_LEAD, user=admin_user)

    assert "Switch partnership" in client_for(admin_user).get("/p/cwm/").content.decode()


# --- Language ------------------------------------------------------------------------------


def test_language_switch_is_saved_on_the_user(partnership, admin_user, admin_client_):
    response = admin_client_.post("/language/", {"language": "cy", "next": "/p/cwm/"})

    assert response.status_code == 302
    assert response["Location"] == "/p/cwm/"
    admin_user.refresh_from_db()
    assert admin_user.language == "cy"


def test_chosen_language_follows_the_user_to_a_new_session(partnership, admin_user, client_for):
    client_for(admin_user).post("/language/", {"language": "cy", "next": "/p/cwm/"})

    body = client_for(admin_user).get("/p/cwm/").content.decode()

    assert '<html lang="cy"' in body


def test_language_switch_back_to_english(partnership, admin_user, admin_client_):
    admin_client_.post("/language/", {"language": "cy"})
    admin_client_.post("/language/", {"language": "en"})

    admin_user.refresh_from_db()
    assert admin_user.language == "en"
    assert '<html lang="en"' in admin_client_.get("/p/cwm/").content.decode()


def test_language_switch_when_logged_out_sets_cookie(db, settings):
    response = Client().post("/language/", {"language": "cy", "next": "/accounts/login/"})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"


def test_unknown_language_is_ignored(partnership, admin_user, admin_client_):
    response = admin_client_.post("/language/", {"language": "xx", "next": "/p/cwm/"})

    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.language == ""


def test_language_switch_refuses_offsite_next(admin_client_):
    response = admin_client_.post("/language/", {"language": "cy", "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_language_switch_needs_post(admin_client_):
    assert admin_client_.get("/language/").status_code == 405


# --- API token and health --------------------------------------------------------------------


def test_api_token_page_offers_to_create(admin_client_):
    response = admin_client_.get("/account/api-token/")

    assert response.status_code == 200
    assert "Create a token" in response.content.decode()


def test_api_token_is_created_and_shown_once(admin_user, admin_client_):
    response = admin_client_.post("/account/api-token/")

    token = Token.objects.get(user=admin_user)
    assert token.key in response.content.decode()
    assert token.key not in admin_client_.get("/account/api-token/").content.decode()


def test_replacing_api_token_stops_the_old_one(partnership, admin_user, admin_client_):
    admin_client_.post("/account/api-token/")
    old_key = Token.objects.get(user=admin_user).key

    admin_client_.post("/account/api-token/")

    new_key = Token.objects.get(user=admin_user).key
    assert new_key != old_key
    api = Client()
    old = api.get("/api/p/cwm/schools/", HTTP_AUTHORIZATION=f"Token {old_key}")
    new = api.get("/api/p/cwm/schools/", HTTP_AUTHORIZATION=f"Token {new_key}")
    assert old.status_code == 401
    assert new.status_code == 200


def test_api_token_page_needs_sign_in(db):
    response = Client().get("/account/api-token/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_healthz(db):
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
