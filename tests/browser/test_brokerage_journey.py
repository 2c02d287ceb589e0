"""A headteacher logs a need, the school's challenge adviser accepts a suggestion, and the
providing school's headteacher confirms the agreement (then the receiving school does)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from brokerage.models import Need, Offer, SupportAgreement
from partnership.models import Role
from schools.models import SupportCategory
from tests.factories import TEST_PASSWORD as PASSWORD
from tests.factories import (
    AreaFactory,
    LocalAuthorityFactory,
    MembershipFactory,
    OfferFactory,
    PartnershipFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


@pytest.fixture
def people():
    """A red school and its headteacher and CA; a green school with a literacy offer and
    its headteacher; and a weaker match (a yellow school further away)."""
    partnership = PartnershipFactory(name="Cwm Partnership", slug="cwm", country="wales")
    literacy = AreaFactory(partnership=partnership, name="Literacy", slug="literacy")
    AreaFactory(partnership=partnership, name="Numeracy", slug="numeracy")
    sir_gar = LocalAuthorityFactory(partnership=partnership, name="Sir Gâr")
    powys = LocalAuthorityFactory(partnership=partnership, name="Powys")
    adviser = UserFactory(email="ca@cwm.example.org", full_name="Ceri Adviser")
    MembershipFactory(partnership=partnership, user=adviser, role=Role.CHALLENGE_ADVISER)
    red = SchoolFactory(
        partnership=partnership,
        name="Ysgol Goch",
        local_authority=sir_gar,
        support_category=SupportCategory.RED,
        challenge_adviser=adviser,
    )
    green = SchoolFactory(
        partnership=partnership,
        name="Ysgol Werdd",
        local_authority=sir_gar,
        support_category=SupportCategory.GREEN,
    )
    yellow = SchoolFactory(
        partnership=partnership,
        name="Ysgol Felen",
        local_authority=powys,
        support_category=SupportCategory.YELLOW,
    )
    for school, title in ((green, "Guided reading coaching"), (yellow, "Reading recovery")):
        OfferFactory(
            partnership=partnership,
            school=school,
            area=literacy,
            title=title,
            days_available=Decimal("8"),
        )
    heads = {}
    for school, email, name in (
        (red, "head@goch.example.org", "Siân Evans"),
        (green, "head@werdd.example.org", "Rhys Morgan"),
    ):
        heads[school.name] = UserFactory(email=email, full_name=name)
        MembershipFactory(
            partnership=partnership, user=heads[school.name], role=Role.HEADTEACHER, school=school
        )
    return {"adviser": adviser, "receiving": heads["Ysgol Goch"], "provider": heads["Ysgol Werdd"]}


def sign_in(page: Page, live_server, email: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/p/cwm/$"))


def open_brokerage(page: Page) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Needs and offers").click()


def test_a_need_is_logged_brokered_and_confirmed(new_page, live_server, people, csp_violations):
    # The red school's headteacher logs a need.
    head = new_page()
    sign_in(head, live_server, people["receiving"].email)
    open_brokerage(head)
    head.get_by_role("link", name="Log a need").click()
    head.get_by_label("Area").select_option(label="Literacy")
    head.get_by_label("The need in a few words").fill("Reading fluency in key stage 2")
    head.get_by_label("What is needed").fill("Year 5 and 6 pupils read slowly and hesitantly.")
    head.get_by_label("The outcome you want").fill("Daily fluency teaching in every class.")
    head.get_by_label("Urgency").select_option(label="High")
    head.get_by_label("Days of support you think you need").fill("4")
    head.get_by_role("button", name="Log the need").click()
    expect(head.get_by_role("heading", level=1)).to_contain_text("Reading fluency in key stage 2")
    expect(head.locator("h1 .govuk-tag")).to_have_text("Open")

    # Their challenge adviser finds it on the board and accepts the best suggestion.
    adviser = new_page()
    sign_in(adviser, live_server, people["adviser"].email)
    open_brokerage(adviser)
    expect(adviser.get_by_role("heading", level=1)).to_have_text("Brokerage board")
    adviser.get_by_role("link", name="Reading fluency in key stage 2").click()
    expect(adviser.get_by_role("heading", level=2, name="Suggested providers")).to_be_visible()
    suggested = adviser.locator("table").first.locator("tbody tr")
    expect(suggested).to_have_count(2)
    expect(suggested.first).to_contain_text("Ysgol Werdd")
    adviser.get_by_role("link", name="Make an agreement (Ysgol Werdd)").click()
    expect(adviser.get_by_label("Days of support")).to_have_value("4.0")
    ends = timezone.localdate() + timedelta(days=90)
    adviser.get_by_label("End date").fill(ends.isoformat())
    adviser.get_by_role("button", name="Record the agreement").click()
    expect(adviser.get_by_role("heading", level=1)).to_contain_text(
        "Ysgol Werdd supports Ysgol Goch"
    )
    expect(adviser.locator("h1 .govuk-tag")).to_have_text("Waiting for confirmation")
    agreement_url = adviser.url

    # The providing school's headteacher confirms it.
    provider = new_page()
    sign_in(provider, live_server, people["provider"].email)
    open_brokerage(provider)
    provider.get_by_role("link", name="Reading fluency in key stage 2").click()
    expect(provider).to_have_url(agreement_url)
    provider.get_by_role("button", name="Confirm the agreement").click()
    expect(provider.get_by_text("You confirmed the agreement.")).to_be_visible()
    expect(provider.get_by_role("button", name="Confirm the agreement")).to_have_count(0)
    expect(provider.locator("h1 .govuk-tag")).to_have_text("Waiting for confirmation")

    # Once the receiving school confirms too, the support is in progress.
    head.goto(agreement_url)
    head.get_by_role("button", name="Confirm the agreement").click()
    expect(head.locator("h1 .govuk-tag")).to_have_text("In progress")

    agreement = SupportAgreement.objects.get()
    assert agreement.status == SupportAgreement.Status.ACTIVE
    assert agreement.need.status == Need.Status.IN_PROGRESS
    assert Offer.objects.get(title="Guided reading coaching").capacity_left == Decimal("4")
    assert csp_violations == []
