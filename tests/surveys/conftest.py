"""Fixtures for surveys: a programme with sessions and confirmed participants, a support
agreement with the receiving school's headteacher, and an area with a panel."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from brokerage.models import SupportAgreement
from hubs.models import ProgrammeStatus
from partnership.models import Role
from tests.factories import (
    AreaFactory,
    EnrolmentFactory,
    HubFactory,
    ProgrammeFactory,
    ProgrammeSessionFactory,
    SchoolFactory,
    SupportAgreementFactory,
)

#: The programme in these tests runs from FIRST to LAST.
FIRST = date(2026, 1, 12)
LAST = date(2026, 3, 16)


@pytest.fixture
def area(partnership):
    return AreaFactory(partnership=partnership, slug="literacy", name="Literacy")


@pytest.fixture
def hub_school(partnership):
    return SchoolFactory(partnership=partnership, name="Ysgol Hwb")


@pytest.fixture
def hub(partnership, area, hub_school):
    return HubFactory(partnership=partnership, name="Literacy hub", area=area, schools=[hub_school])


def make_programme(partnership, hub, *, first=FIRST, last=LAST, title=None, **kw):
    programme = ProgrammeFactory(
        partnership=partnership,
        hub=hub,
        area=hub.area,
        status=ProgrammeStatus.RUNNING,
        **({"title": title} if title else {}),
        **kw,
    )
    for day in (first, last):
        ProgrammeSessionFactory(
            partnership=partnership,
            programme=programme,
            date=day,
            starts_at=time(9, 0),
            ends_at=time(15, 0),
        )
    return programme


@pytest.fixture
def programme(partnership, hub):
    return make_programme(partnership, hub, title="Reading for pleasure")


@pytest.fixture
def enrolment(partnership, programme, school):
    return EnrolmentFactory(
        partnership=partnership,
        programme=programme,
        school=school,
        participant_name="Sian Jones",
        participant_email="sian@school.example",
    )


@pytest.fixture
def agreement(partnership, school, member_factory):
    head = member_factory(
        partnership, Role.HEADTEACHER, school=school, full_name="Nia Head", email="nia@cwm.example"
    )
    agreement = SupportAgreementFactory(
        partnership=partnership,
        status=SupportAgreement.Status.ACTIVE,
        need__school=school,
        starts_on=FIRST,
        ends_on=LAST,
    )
    agreement.head = head
    return agreement


def day(d: date, n: int) -> date:
    return d + timedelta(days=n)
