"""Fixtures for collaboration: a SIG with a Welsh-medium sub-group, a cluster, their
schools and people, and an area."""

from __future__ import annotations

from datetime import date

import pytest

from partnership.models import Role
from schools.models import LanguageMedium
from tests.factories import (
    AreaFactory,
    ClusterFactory,
    SchoolFactory,
    SchoolImprovementGroupFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded files go to a private folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def area(partnership):
    return AreaFactory(partnership=partnership, slug="oracy", name="Oracy", name_cy="Llafaredd")


@pytest.fixture
def other_area(partnership):
    return AreaFactory(partnership=partnership, slug="numeracy", name="Numeracy")


@pytest.fixture
def lead_school(partnership):
    return SchoolFactory(partnership=partnership, name="Ysgol Arwain", pupils=300)


@pytest.fixture
def member_school(partnership):
    return SchoolFactory(partnership=partnership, name="Ysgol Aelod", pupils=100)


@pytest.fixture
def outside_school(partnership):
    return SchoolFactory(partnership=partnership, name="Ysgol Allan", pupils=200)


@pytest.fixture
def sig(partnership, lead_school, member_school):
    return SchoolImprovementGroupFactory(
        partnership=partnership, name="Gorllewin SIG", schools=[lead_school, member_school]
    )


@pytest.fixture
def welsh_subgroup(partnership, sig, lead_school):
    lead_school.language_medium = LanguageMedium.WELSH
    lead_school.save()
    return SchoolImprovementGroupFactory(
        partnership=partnership, name="Gorllewin Cymraeg", parent=sig, schools=[lead_school]
    )


@pytest.fixture
def cluster(partnership, outside_school):
    cluster = ClusterFactory(partnership=partnership, name="Cwm cluster")
    outside_school.cluster = cluster
    outside_school.save()
    return cluster


@pytest.fixture
def lead_head(partnership, lead_school, member_factory):
    return member_factory(partnership, Role.HEADTEACHER, school=lead_school, full_name="Nia Lead")


@pytest.fixture
def member_head(partnership, member_school, member_factory):
    return member_factory(
        partnership, Role.HEADTEACHER, school=member_school, full_name="Dai Member"
    )


@pytest.fixture
def outside_head(partnership, outside_school, member_factory):
    return member_factory(
        partnership, Role.HEADTEACHER, school=outside_school, full_name="Gwen Outside"
    )


@pytest.fixture
def teacher(partnership, outside_school, member_factory):
    """A participant (teacher) from a school outside the group."""
    return member_factory(
        partnership, Role.PARTICIPANT, school=outside_school, full_name="Siân Teacher"
    )


@pytest.fixture
def governor(partnership, member_school, member_factory):
    return member_factory(partnership, Role.GOVERNOR, school=member_school, full_name="Gov Ernor")


@pytest.fixture
def project(partnership, admin_user, sig, area, lead_school, member_school):
    from collaboration import services

    return services.create_project(
        actor=admin_user,
        partnership=partnership,
        title="Talk for learning",
        group=sig,
        area=area,
        aims="Pupils explain their thinking.",
        need="Oracy was the group's first need in the survey.",
        schools=[member_school],
        lead_school=lead_school,
        starts_on=date(2026, 9, 1),
        ends_on=date(2027, 7, 20),
        funding_allocated="8000.00",
    )
