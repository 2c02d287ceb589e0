"""A headteacher finds a programme and enrols two of their staff; the hub lead then takes
the register for the first session."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from hubs.models import Attendance, Enrolment, EnrolmentStatus, ProgrammeStatus
from partnership.models import Role
from tests.factories import TEST_PASSWORD as PASSWORD
from tests.factories import (
    AreaFactory,
    BudgetLineFactory,
    HubFactory,
    MembershipFactory,
    PartnershipFactory,
    ProgrammeFactory,
    ProgrammeSessionFactory,
    SchoolFactory,
    ServiceLevelAgreementFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

STAFF = [
    ("Anwen Jones", "anwen.jones@llanarth.example.org", "Teachers"),
    (
        "Dafydd Rees",
        "dafydd.rees@llanarth.example.org",
        "Teaching assistants",
    ),
]


@pytest.fixture
def people():
    """A partnership with a numeracy hub running two programmes, a headteacher of another
    school and the hub's lead."""
    partnership = PartnershipFactory(name="Cwm Partnership", slug="cwm", country="wales")
    area = AreaFactory(partnership=partnership, slug="numeracy", name="Numeracy")
    hub_school = SchoolFactory(partnership=partnership, name="Ysgol Bro Hwb")
    school = SchoolFactory(partnership=partnership, name="Ysgol Llanarth")
    hub = HubFactory(
        partnership=partnership, name="Cwm numeracy hub", area=area, schools=[hub_school]
    )
    agreement = ServiceLevelAgreementFactory(partnership=partnership, hub=hub, funding=20000)
    BudgetLineFactory(partnership=partnership, agreement=agreement, planned=6000, actual=5000)
    for title, description in (
        ("Maths mastery in key stage 2", "Teaching for mastery, with gap tasks in class."),
        ("Reasoning in the early years", "Number sense and reasoning through play."),
    ):
        programme = ProgrammeFactory(
            partnership=partnership,
            hub=hub,
            area=area,
            title=title,
            description=description,
            places=12,
            status=ProgrammeStatus.OPEN,
        )
        ProgrammeSessionFactory(
            partnership=partnership,
            programme=programme,
            date=timezone.localdate(),
            starts_at=time(9, 30),
            ends_at=time(15, 30),
        )
    head = UserFactory(email="head@llanarth.example.org", full_name="Siân Evans")
    MembershipFactory(partnership=partnership, user=head, role=Role.HEADTEACHER, school=school)
    lead = UserFactory(email="lead@brohwb.example.org", full_name="Huw Morgan")
    MembershipFactory(partnership=partnership, user=lead, role=Role.HUB_LEAD, school=hub_school)
    return {"head": head, "lead": lead}


def sign_in(page: Page, live_server, user) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/p/cwm/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {user.get_short_name()}")


def enrol(page: Page, name: str, email: str, role: str) -> None:
    page.get_by_role("link", name="Enrol staff").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrol a member of staff")
    expect(page.get_by_label("School")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Role").select_option(label=role)
    page.get_by_role("button", name="Enrol", exact=True).click()
    expect(page.get_by_text(f"{name} has a place. We have emailed them.")).to_be_visible()


def test_headteacher_enrols_two_staff_and_the_hub_lead_takes_the_register(
    new_page, live_server, people, csp_violations
):
    head_page = new_page()
    sign_in(head_page, live_server, people["head"])

    head_page.get_by_role("navigation", name="Menu").get_by_role("link", name="Programmes").click()
    expect(head_page.get_by_role("heading", level=1)).to_have_text("Programmes")
    results = head_page.locator("#catalogue-results")
    expect(results.locator("[data-result-count]")).to_have_text("2 programmes found")
    head_page.get_by_label("Search programmes").press_sequentially("mastery")
    expect(results.locator("[data-result-count]")).to_have_text("1 programme found")
    results.get_by_role("link", name="Maths mastery in key stage 2").click()
    expect(head_page.get_by_role("heading", level=1)).to_contain_text(
        "Maths mastery in key stage 2"
    )

    for name, email, role in STAFF:
        enrol(head_page, name, email, role)

    participants = head_page.get_by_role("table", name="Places confirmed")
    expect(participants.get_by_role("row")).to_have_count(3)  # the header and two people
    expect(head_page.get_by_text("2 of 12 taken")).to_be_visible()
    assert sorted(
        Enrolment.objects.filter(status=EnrolmentStatus.CONFIRMED).values_list(
            "participant_email", flat=True
        )
    ) == sorted(email for _name, email, _role in STAFF)

    lead_page = new_page()
    sign_in(lead_page, live_server, people["lead"])
    lead_page.get_by_role("link", name="Open the page for Cwm numeracy hub").click()
    lead_page.get_by_role("link", name="Maths mastery in key stage 2").click()
    lead_page.get_by_role("link", name=re.compile(r"^Take the register")).click()
    expect(lead_page.get_by_role("heading", level=1)).to_contain_text("Register for")

    lead_page.get_by_role("group", name="Did Anwen Jones attend?").get_by_label("Attended").check()
    lead_page.get_by_role("group", name="Did Dafydd Rees attend?").get_by_label("Absent").check()
    lead_page.get_by_role("button", name="Save the register").click()

    expect(lead_page.get_by_text("The register was saved.")).to_be_visible()
    marks = dict(Attendance.objects.values_list("enrolment__participant_name", "attended"))
    assert marks == {"Anwen Jones": True, "Dafydd Rees": False}
    assert csp_violations == []


def test_value_for_money_charts_render_without_csp_violations(
    new_page, live_server, people, csp_violations
):
    admin = UserFactory(email="admin@cwm.example.org", full_name="Gwen Admin")
    MembershipFactory(
        partnership=people["head"].memberships.get().partnership,
        user=admin,
        role=Role.PARTNERSHIP_ADMIN,
    )
    page = new_page()
    sign_in(page, live_server, admin)

    page.goto(live_server.url + "/p/cwm/hubs/value/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Value for money")
    chart = page.get_by_role("img", name=re.compile(r"^Share of funding spent"))
    expect(chart.first).to_be_visible()
    spent = page.locator("#hubs-spent")
    spent.get_by_text("Show the figures as a table").click()
    expect(spent.locator("[data-chart-table]")).to_be_visible()
    expect(spent.locator("[data-chart-table]")).to_contain_text("25.0%")
    assert csp_violations == []
