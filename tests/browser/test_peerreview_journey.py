"""A peer review from findings to governors: the lead reviewer writes and submits the
findings, the headteacher responds and shares them with governors, a governor reads them."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from partnership.models import Role
from tests.factories import TEST_PASSWORD as PASSWORD
from tests.factories import (
    CycleFactory,
    CycleParticipationFactory,
    FrameworkAreaFactory,
    FrameworkVersionFactory,
    MembershipFactory,
    PartnershipFactory,
    ReviewerProfileFactory,
    ReviewFactory,
    ReviewTeamMemberFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

WENT_WELL = "Pupils explain their learning with confidence."
EVEN_BETTER_IF = "Feedback in books helped pupils to improve their work."


@pytest.fixture
def review_world():
    """Ysgol y Bryn is reviewed by a team led by Llinos; its head and a governor."""
    p = PartnershipFactory(name="Cwm Partnership", slug="cwm", country="wales")
    school = SchoolFactory(partnership=p, name="Ysgol y Bryn")
    version = FrameworkVersionFactory(partnership=p)
    for i, name in enumerate(["Leadership", "Wellbeing"]):
        FrameworkAreaFactory(partnership=p, version=version, name=name, position=i)
    cycle = CycleFactory(partnership=p, name="Cwm peer review", framework_version=version)
    CycleParticipationFactory(partnership=p, cycle=cycle, is_host=True)
    review = ReviewFactory(partnership=p, cycle=cycle, school=school)

    def person(email: str, name: str, role: str, school=None):
        user = UserFactory(email=email, full_name=name)
        MembershipFactory(partnership=p, user=user, role=role, school=school)
        return user

    lead = person("lead@cwm.example.org", "Llinos Lead", Role.PEER_REVIEWER)
    profile = ReviewerProfileFactory(partnership=p, user=lead, school=SchoolFactory(partnership=p))
    ReviewTeamMemberFactory(partnership=p, review=review, profile=profile, is_lead=True)
    return SimpleNamespace(
        review=review,
        lead=lead,
        head=person("head@bryn.example.org", "Heulwen Head", Role.HEADTEACHER, school),
        governor=person("governor@bryn.example.org", "Gwyn Governor", Role.GOVERNOR, school),
    )


def sign_in(page: Page, live_server, email: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/p/cwm/$"))
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Peer review").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_findings_travel_from_the_lead_reviewer_to_the_governors(
    new_page, live_server, review_world, csp_violations
):
    # The lead reviewer writes the findings and submits them.
    lead = new_page()
    sign_in(lead, live_server, review_world.lead.email)
    lead.get_by_role("link", name="Ysgol y Bryn").first.click()
    lead.get_by_role("link", name="Write findings").click()
    lead.get_by_label("Summary").fill("A caring school with a clear direction.")
    leadership = lead.get_by_role("group", name="Leadership")
    leadership.get_by_label("What went well").fill(WENT_WELL)
    leadership.get_by_label("Even better if").fill(EVEN_BETTER_IF)
    lead.get_by_role("button", name="Save draft").click()
    expect(lead.get_by_text("The draft findings were saved.")).to_be_visible()
    lead.get_by_role("link", name="Check and submit").click()
    lead.get_by_role("button", name="Submit the findings").click()
    expect(lead.get_by_text(re.compile(r"Submitted on .* by Llinos Lead"))).to_be_visible()

    # The headteacher responds and shares the findings with the governors.
    head = new_page()
    sign_in(head, live_server, review_world.head.email)
    head.get_by_role("link", name="Ysgol y Bryn").first.click()
    head.get_by_role("link", name="Read findings").click()
    expect(head.get_by_text(EVEN_BETTER_IF)).to_be_visible()
    head.get_by_role("link", name="Write the school's response").click()
    head.get_by_label("The school's response to the findings").fill("We agree with the team.")
    head.get_by_label("Action plan").fill("Agree a feedback policy by Easter.")
    follow_up = timezone.localdate() + timedelta(days=90)
    head.get_by_label("Follow-up date").fill(follow_up.isoformat())
    head.get_by_role("button", name="Save response").click()
    expect(head.get_by_text("We agree with the team.")).to_be_visible()
    head.get_by_role("link", name="Sharing and access log").click()
    head.get_by_label("The school's governors").check()
    head.get_by_role("button", name="Share").click()
    expect(head.get_by_role("cell", name="The school's governors", exact=True)).to_be_visible()

    # A governor now finds the findings shared with them and reads them.
    governor = new_page()
    sign_in(governor, live_server, review_world.governor.email)
    shared = governor.get_by_role("table", name="Findings shared with you")
    shared.get_by_role("link", name="Ysgol y Bryn").click()
    governor.get_by_role("link", name="Read findings").click()
    expect(governor.get_by_text(WENT_WELL)).to_be_visible()
    expect(governor.get_by_text("We agree with the team.")).to_be_visible()
    assert csp_violations == []
