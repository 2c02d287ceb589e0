"""A small brokerage world: a red school that needs help in an area, a green school that
offers it, their headteachers and the red school's challenge adviser."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partnership.models import Role
from schools.models import SupportCategory
from tests.factories import (
    AreaFactory,
    LocalAuthorityFactory,
    NeedFactory,
    OfferFactory,
    SchoolFactory,
)


@pytest.fixture
def area(partnership):
    return AreaFactory(partnership=partnership, name="Literacy", slug="literacy")


@pytest.fixture
def other_area(partnership):
    return AreaFactory(partnership=partnership, name="Numeracy", slug="numeracy")


@pytest.fixture
def county(partnership):
    return LocalAuthorityFactory(partnership=partnership, name="Sir Gâr")


@pytest.fixture
def ca(partnership, member_factory):
    return member_factory(partnership, Role.CHALLENGE_ADVISER, full_name="Ceri Adviser")


@pytest.fixture
def red_school(partnership, county, ca):
    return SchoolFactory(
        partnership=partnership,
        name="Ysgol Goch",
        local_authority=county,
        support_category=SupportCategory.RED,
        challenge_adviser=ca,
    )


@pytest.fixture
def green_school(partnership, county):
    return SchoolFactory(
        partnership=partnership,
        name="Ysgol Werdd",
        local_authority=county,
        support_category=SupportCategory.GREEN,
    )


@pytest.fixture
def head(partnership, member_factory, red_school):
    return member_factory(
        partnership, Role.HEADTEACHER, school=red_school, email="head.goch@example.org"
    )


@pytest.fixture
def provider_head(partnership, member_factory, green_school):
    return member_factory(
        partnership, Role.HEADTEACHER, school=green_school, email="head.werdd@example.org"
    )


@pytest.fixture
def need(partnership, red_school, area, head):
    return NeedFactory(
        partnership=partnership,
        school=red_school,
        area=area,
        raised_by=head,
        title="Guided reading in KS2",
    )


@pytest.fixture
def offer(partnership, green_school, area):
    return OfferFactory(
        partnership=partnership,
        school=green_school,
        area=area,
        days_available=Decimal("10"),
        title="Reading coaching",
    )
