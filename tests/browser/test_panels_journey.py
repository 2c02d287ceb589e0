"""A panel member opens a meeting, records an action, and sees it carried into the next
meeting's agenda as a matter arising."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from panels.models import Action, SeatType
from partnership.models import Role
from tests.factories import TEST_PASSWORD as PASSWORD
from tests.factories import (
    AreaFactory,
    MeetingFactory,
    MembershipFactory,
    PanelFactory,
    PanelMemberFactory,
    PartnershipFactory,
    SeatFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

ACTION = "Share the reasoning survey results with every cluster"


@pytest.fixture
def people():
    """A numeracy panel with a chair and a teacher member, a meeting held last week and
    the next one in three weeks."""
    partnership = PartnershipFactory(name="Cwm Partnership", slug="cwm", country="wales")
    area = AreaFactory(partnership=partnership, slug="numeracy", name="Numeracy")
    panel = PanelFactory(partnership=partnership, name="Numeracy panel", area=area)
    people = {}
    for key, name, seat_type, chair in (
        ("chair", "Elin Davies", SeatType.HEADTEACHER, True),
        ("member", "Rhys Owen", SeatType.TEACHER, False),
    ):
        user = UserFactory(email=f"{key}@cwm.example.org", full_name=name)
        MembershipFactory(partnership=partnership, user=user, role=Role.PANEL_MEMBER)
        seat = SeatFactory(partnership=partnership, panel=panel, seat_type=seat_type)
        PanelMemberFactory(partnership=partnership, seat=seat, user=user, is_chair=chair)
        people[key] = user
    now = timezone.now().replace(hour=14, minute=0, second=0, microsecond=0)
    people["held"] = MeetingFactory(
        partnership=partnership, panel=panel, starts_at=now - timedelta(days=7)
    )
    people["next"] = MeetingFactory(
        partnership=partnership, panel=panel, starts_at=now + timedelta(days=21)
    )
    return people


def sign_in(page: Page, live_server, user) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/p/cwm/$"))


def test_a_member_records_an_action_that_is_carried_into_the_next_agenda(
    new_page, live_server, people, csp_violations
):
    page = new_page()
    sign_in(page, live_server, people["member"])

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Panels").click()
    page.get_by_role("link", name="Numeracy panel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Numeracy panel")
    held_day = timezone.localtime(people["held"].starts_at)
    page.get_by_role("link", name=re.compile(held_day.strftime("%-d %b %Y"))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Meeting on {held_day.strftime('%-d %B %Y')}"
    )

    page.get_by_role("link", name="Record an action").click()
    page.get_by_role("button", name="Record action").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose who owns the action.")
    page.get_by_label("Action").fill(ACTION)
    page.get_by_label("Owner").select_option(label="Rhys Owen")
    due = timezone.localdate() + timedelta(days=14)
    page.get_by_label("Due by").fill(due.isoformat())
    page.get_by_role("button", name="Record action").click()

    expect(page.get_by_text("The action was recorded.")).to_be_visible()
    expect(page.get_by_role("cell", name=ACTION)).to_be_visible()
    assert Action.objects.get().owner == people["member"]

    page.get_by_role("link", name="Numeracy panel").first.click()
    next_day = timezone.localtime(people["next"].starts_at)
    page.get_by_role("link", name=re.compile(next_day.strftime("%-d %b %Y"))).click()
    agenda = page.locator("[data-agenda]")
    expect(agenda).to_contain_text("Matters arising")
    expect(agenda).to_contain_text(ACTION)
    expect(agenda).to_contain_text("Owner: Rhys Owen")
    assert csp_violations == []
