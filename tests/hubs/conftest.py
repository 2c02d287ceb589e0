"""Fixtures for hubs: a hub with its lead, headteachers of other schools, a programme."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from hubs.models import ProgrammeStatus
from partnership.models import Role
from tests.factories import (
    AreaFactory,
    HubFactory,
    ProgrammeFactory,
    ProgrammeSessionFactory,
    SchoolFactory,
    ServiceLevelAgreementFactory,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded files go to a private folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def area(partnership):
    return AreaFactory(partnership=partnership, slug="numeracy", name="Numeracy")


@pytest.fixture
def hub_school(partnership):
    return SchoolFactory(partnership=partnership, name="Ysgol Hwb")


@pytest.fixture
def hub(partnership, area, hub_school):
    hub = HubFactory(
        partnership=partnership, name="Cwm numeracy hub", area=area, schools=[hub_school]
    )
    ServiceLevelAgreementFactory(partnership=partnership, hub=hub)
    return hub


@pytest.fixture
def hub_lead(partnership, hub_school, member_factory):
    return member_factory(partnership, Role.HUB_LEAD, school=hub_school, full_name="Huw Lead")


@pytest.fixture
def headteacher(partnership, school, member_factory):
    return member_factory(partnership, Role.HEADTEACHER, school=school, full_name="Nia Head")


@pytest.fixture
def other_school(partnership):
    return SchoolFactory(partnership=partnership, name="Ysgol Arall")


@pytest.fixture
def other_headteacher(partnership, other_school, member_factory):
    return member_factory(partnership, Role.HEADTEACHER, school=other_school, full_name="Dai Head")


@pytest.fixture
def governor(partnership, hub_school, member_factory):
    return member_factory(partnership, Role.GOVERNOR, school=hub_school, full_name="Gwen Governor")


def make_programme(partnership, hub, *, places=20, status=ProgrammeStatus.OPEN, sessions=1, **kw):
    programme = ProgrammeFactory(
        partnership=partnership, hub=hub, area=hub.area, places=places, status=status, **kw
    )
    start = timezone.localdate() + timedelta(days=14)
    for n in range(sessions):
        ProgrammeSessionFactory(
            partnership=partnership,
            programme=programme,
            date=start + timedelta(days=7 * n),
            starts_at=time(9, 30),
            ends_at=time(15, 30),
        )
    return programme


@pytest.fixture
def programme(partnership, hub):
    return make_programme(partnership, hub, places=2)
