"""A participant opens their personal survey link and answers without signing in; the
partnership admin sees the response rate change on the impact results page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from partnership.models import Role
from surveys import services
from surveys.models import ImpactResponse
from tests.factories import TEST_PASSWORD as PASSWORD
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    PartnershipFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.surveys.factories import ImpactInvitationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

ANSWERS = {
    "How confident do you feel in this area now?": "4 – High",
    "How would you rate your knowledge of this area now?": "4 – High",
    "How much does this show in your classroom practice?": "3 – Moderate",
    "How much change has there been across your school?": "2 – Low",
}


@pytest.fixture
def people():
    partnership = PartnershipFactory(name="Cwm Partnership", slug="cwm", country="wales")
    programme = ProgrammeFactory(partnership=partnership, title="Reading for pleasure")
    enrolment = EnrolmentFactory(
        partnership=partnership,
        programme=programme,
        participant_name="Anwen Jones",
        participant_email="anwen@llanarth.example.org",
    )
    invitation = ImpactInvitationFactory(partnership=partnership, enrolment=enrolment)
    admin = UserFactory(email="admin@cwm.example.org", full_name="Gwen Admin")
    MembershipFactory(partnership=partnership, user=admin, role=Role.PARTNERSHIP_ADMIN)
    return {"admin": admin, "invitation": invitation}


def sign_in(page: Page, live_server, user) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/p/cwm/$"))


def test_participant_answers_through_the_link_and_the_admin_sees_the_rate_change(
    new_page, live_server, people, csp_violations
):
    admin_page = new_page()
    sign_in(admin_page, live_server, people["admin"])
    admin_page.goto(live_server.url + "/p/cwm/surveys/impact/")
    expect(admin_page.get_by_role("heading", level=1)).to_have_text("Impact results")
    summary = admin_page.locator("[data-impact-summary]")
    expect(summary).to_contain_text("Answered: 0 of 1 surveys sent (0.0% response rate)")

    token = services.survey_token(people["invitation"])
    participant = new_page()
    participant.goto(f"{live_server.url}/s/{token}/")
    expect(participant.get_by_role("heading", level=1)).to_contain_text("Reading for pleasure")
    # A missing answer is a clear error; nothing is saved.
    participant.get_by_role("button", name="Send my answers").click()
    expect(participant.get_by_role("alert")).to_contain_text("There is a problem")
    assert not ImpactResponse.objects.exists()
    for question, answer in ANSWERS.items():
        participant.get_by_role("group", name=question).get_by_label(answer).check()
    participant.get_by_label("Anything else you want to tell us?").fill("The gap tasks helped.")
    participant.get_by_role("button", name="Send my answers").click()
    expect(participant.get_by_role("heading", level=1)).to_have_text("Thank you")

    # The link works once.
    participant.goto(f"{live_server.url}/s/{token}/")
    expect(participant.get_by_role("heading", level=1)).to_have_text(
        "You have already answered this survey"
    )

    admin_page.reload()
    expect(summary).to_contain_text("Answered: 1 of 1 surveys sent (100.0% response rate)")
    expect(admin_page.get_by_text("The gap tasks helped.")).to_be_visible()
    saved = ImpactResponse.objects.get()
    assert (saved.confidence, saved.practice, saved.school_change) == (4, 3, 2)
    assert csp_violations == []
