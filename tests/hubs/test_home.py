"""The hub lead's section of the home page: their hub and what needs their attention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from hubs.models import DeliverableStatus, EnrolmentStatus
from partnership.models import Role
from tests.factories import DeliverableFactory, EnrolmentFactory

from .conftest import make_programme

pytestmark = pytest.mark.django_db


def section(page: str) -> str:
    return page[page.index("Your hub") :]


def test_hub_lead_sees_their_hub_and_what_needs_attention(client_for, partnership, hub, hub_lead):
    programme = make_programme(partnership, hub, places=1)
    EnrolmentFactory(partnership=partnership, programme=programme)
    EnrolmentFactory(
        partnership=partnership, programme=programme, status=EnrolmentStatus.WAITLISTED
    )
    agreement = hub.agreements.get()
    DeliverableFactory(
        partnership=partnership,
        agreement=agreement,
        due_on=timezone.localdate() - timedelta(days=3),
    )
    DeliverableFactory(partnership=partnership, agreement=agreement, status=DeliverableStatus.DONE)

    page = section(client_for(hub_lead).get("/p/cwm/").content.decode())

    assert "Your hub: Cwm numeracy hub" in page
    assert "1 person waiting for a place" in page
    assert "1 overdue" in page
    next_session = programme.sessions.get().date
    assert date_format(next_session, "l j F Y") in page
    assert f'href="/p/cwm/hubs/{hub.pk}/value/"' in page


def test_hub_lead_whose_school_leads_no_hub_is_pointed_to_the_calls(
    client_for, partnership, other_school, member_factory
):
    lead = member_factory(partnership, Role.HUB_LEAD, school=other_school)

    page = client_for(lead).get("/p/cwm/").content.decode()

    assert "Your school does not lead a hub at the moment" in page
    assert 'href="/p/cwm/calls/"' in page


def test_hub_lead_is_not_listed_among_roles_still_being_built(client_for, hub, hub_lead):
    page = client_for(hub_lead).get("/p/cwm/").content.decode()

    assert "Your other roles" not in page
