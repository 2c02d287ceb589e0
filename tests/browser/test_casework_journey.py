"""A challenge adviser records a visit with an agreed action (the draft autosaves) and
shares it; the headteacher sees the action on the school's page and comments on the note."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.models import CaseworkVisit, VisitAction, VisitComment
from partnership.models import Role
from tests.factories import TEST_PASSWORD as PASSWORD
from tests.factories import MembershipFactory, PartnershipFactory, SchoolFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


@pytest.fixture
def people():
    partnership = PartnershipFactory(name="Cwm Partnership", slug="cwm", country="wales")
    ca = UserFactory(email="ceri@cwm.example.org", full_name="Ceri Adviser")
    MembershipFactory(partnership=partnership, user=ca, role=Role.CHALLENGE_ADVISER)
    school = SchoolFactory(partnership=partnership, name="Ysgol Llanarth", challenge_adviser=ca)
    head = UserFactory(email="head@llanarth.example.org", full_name="Siân Evans")
    MembershipFactory(partnership=partnership, user=head, role=Role.HEADTEACHER, school=school)
    return {"ca": ca, "head": head, "school": school}


def sign_in(page: Page, live_server, user) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/p/cwm/$"))


def test_adviser_records_a_visit_with_an_action_and_the_head_comments(
    new_page, live_server, people, csp_violations
):
    today = timezone.localdate()
    due = today + timezone.timedelta(days=21)

    ca_page = new_page()
    sign_in(ca_page, live_server, people["ca"])
    ca_page.get_by_role("link", name=re.compile("Open the caseload dashboard")).click()
    expect(ca_page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    ca_page.get_by_role("link", name="Record a visit").click()
    ca_page.get_by_label("School").select_option(label="Ysgol Llanarth")
    ca_page.get_by_label("Date of the visit").fill(today.isoformat())
    ca_page.get_by_label("Focus").fill("Reading in key stage 2")
    ca_page.get_by_role("button", name="Start the note").click()
    expect(ca_page.get_by_role("heading", level=1)).to_have_text("Visit note (draft)")

    # The draft saves itself while the adviser types.
    ca_page.get_by_label("Who was met").fill("Headteacher and literacy lead")
    ca_page.get_by_label("Findings").press_sequentially("Guided reading is consistent.")
    expect(ca_page.locator("#autosave-status")).to_contain_text("Draft saved at")
    visit = CaseworkVisit.objects.get()
    assert visit.findings == "Guided reading is consistent."

    ca_page.get_by_label("Action", exact=True).fill("Daily fluency practice in year 6")
    ca_page.get_by_label("Owner").fill("Literacy lead")
    ca_page.get_by_label("Due", exact=True).fill(due.isoformat())
    ca_page.get_by_role("button", name="Add the action").click()
    expect(ca_page.get_by_text("The action was added.")).to_be_visible()
    ca_page.get_by_role("button", name="Share with the school").click()
    expect(ca_page.get_by_text("The note was shared with the school.")).to_be_visible()

    head_page = new_page()
    sign_in(head_page, live_server, people["head"])
    head_page.goto(live_server.url + f"/p/cwm/schools/{people['school'].pk}/")
    actions = head_page.get_by_role("region", name="Actions from challenge adviser visits")
    actions.get_by_role("link", name="Daily fluency practice in year 6").click()
    expect(head_page.get_by_role("heading", level=1)).to_contain_text("Visit on")
    expect(head_page.get_by_text("Guided reading is consistent.")).to_be_visible()
    head_page.get_by_label("Your comment").fill("Agreed: we start after half term.")
    head_page.get_by_role("button", name="Add comment").click()

    expect(head_page.get_by_text("Your comment was added.")).to_be_visible()
    expect(head_page.get_by_text("Agreed: we start after half term.")).to_be_visible()
    assert VisitAction.objects.get().owner == "Literacy lead"
    assert VisitComment.objects.get().author == people["head"]
    assert csp_violations == []
