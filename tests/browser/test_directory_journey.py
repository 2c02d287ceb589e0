"""A headteacher signs in and finds schools in the directory, with and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from partnership.models import Role
from schools.models import LanguageMedium, Phase
from tests.factories import TEST_PASSWORD as PASSWORD
from tests.factories import (
    LocalAuthorityFactory,
    MembershipFactory,
    PartnershipFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

#: (name, phase, language medium) for each local authority: 12 schools in all.
SCHOOLS = {
    "Ceredigion": [
        ("Ysgol Llanarth", Phase.PRIMARY, LanguageMedium.WELSH),
        ("Ysgol Llanon", Phase.PRIMARY, LanguageMedium.BILINGUAL),
        ("Ysgol Aberaeron", Phase.SECONDARY, LanguageMedium.BILINGUAL),
        ("Ysgol Bro Teifi", Phase.ALL_THROUGH, LanguageMedium.WELSH),
    ],
    "Powys": [
        ("Ysgol Llanfyllin", Phase.ALL_THROUGH, LanguageMedium.DUAL_STREAM),
        ("Brecon High School", Phase.SECONDARY, LanguageMedium.ENGLISH),
        ("Ysgol Penmaes", Phase.SPECIAL, LanguageMedium.BILINGUAL),
        ("Crickhowell Community Primary", Phase.PRIMARY, LanguageMedium.ENGLISH),
    ],
    "Carmarthenshire": [
        ("Ysgol Gynradd Llandeilo", Phase.PRIMARY, LanguageMedium.WELSH),
        ("Queen Elizabeth High School", Phase.SECONDARY, LanguageMedium.ENGLISH),
        ("Canolfan Elfed", Phase.PRU, LanguageMedium.BILINGUAL),
        ("Meithrinfa Tywi", Phase.NURSERY, LanguageMedium.WELSH),
    ],
}


@pytest.fixture
def headteacher():
    """A partnership of 12 schools in 3 local authorities and the head of one of them."""
    partnership = PartnershipFactory(name="Cwm Partnership", slug="cwm", country="wales")
    schools = {}
    for la_name, rows in SCHOOLS.items():
        local_authority = LocalAuthorityFactory(partnership=partnership, name=la_name)
        for name, phase, medium in rows:
            schools[name] = SchoolFactory(
                partnership=partnership,
                local_authority=local_authority,
                name=name,
                phase=phase,
                language_medium=medium,
            )
    user = UserFactory(email="head@llanarth.example.org", full_name="Siân Evans")
    MembershipFactory(
        partnership=partnership,
        user=user,
        role=Role.HEADTEACHER,
        school=schools["Ysgol Llanarth"],
    )
    return user


def sign_in(page: Page, live_server, email: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # One partnership: the portal goes straight to its home page.
    expect(page).to_have_url(re.compile(r"/p/cwm/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Siân")


def result_count(page: Page):
    return page.locator("#directory-results [data-result-count]")


def test_headteacher_finds_a_school_with_live_filters(
    page: Page, live_server, headteacher, csp_violations
):
    sign_in(page, live_server, headteacher.email)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Schools").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schools")
    expect(result_count(page)).to_have_text("12 schools found")
    # Survives only if the filters below update the results without loading a new page.
    page.evaluate("() => { window.sameDocument = true; }")

    page.get_by_label("Local authority").select_option(label="Ceredigion")
    expect(result_count(page)).to_have_text("4 schools found")
    expect(page).to_have_url(re.compile(r"[?&]local_authority=\d+"))
    results = page.locator("#directory-results")
    expect(results.get_by_role("link", name="Ysgol Aberaeron")).to_be_visible()
    expect(results.get_by_role("link", name="Brecon High School")).to_have_count(0)

    page.get_by_label("Search by name, number or postcode").press_sequentially("Llan")
    expect(result_count(page)).to_have_text("2 schools found")
    expect(page).to_have_url(re.compile(r"[?&]q=Llan(&|$)"))
    expect(results.get_by_role("link")).to_have_text(["Ysgol Llanarth", "Ysgol Llanon"])
    assert page.evaluate("() => window.sameDocument === true")

    results.get_by_role("link", name="Ysgol Llanon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ysgol Llanon")
    expect(page.get_by_text("Ceredigion ·")).to_be_visible()
    assert csp_violations == []


def test_directory_filters_work_without_javascript(
    new_page, live_server, headteacher, csp_violations
):
    page = new_page(java_script_enabled=False)
    sign_in(page, live_server, headteacher.email)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Schools").click()
    expect(result_count(page)).to_have_text("12 schools found")

    page.get_by_label("Local authority").select_option(label="Powys")
    expect(result_count(page)).to_have_text("12 schools found")  # nothing happens until...
    page.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"[?&]local_authority=\d+"))
    expect(result_count(page)).to_have_text("4 schools found")
    expect(page.get_by_label("Local authority")).to_have_value(re.compile(r"\d+"))
    expect(page.locator("#directory-results").get_by_role("link")).to_have_text(
        [
            "Brecon High School",
            "Crickhowell Community Primary",
            "Ysgol Llanfyllin",
            "Ysgol Penmaes",
        ]
    )
    assert csp_violations == []
