"""A realistic peer-review world: one partnership, a reviewed school, its people, a cycle
with a team; and a second partnership for joint cycles."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from partnership.models import Role
from tests.factories import (
    ClusterFactory,
    CycleFactory,
    CycleParticipationFactory,
    FrameworkAreaFactory,
    FrameworkVersionFactory,
    LocalAuthorityFactory,
    PartnershipFactory,
    ReviewerProfileFactory,
    ReviewFactory,
    ReviewTeamMemberFactory,
    SchoolFactory,
)


@pytest.fixture
def world(partnership, member_factory):
    """Partnership cwm: Ysgol y Bryn is reviewed by a lead (trained, from Ysgol Aber) and a
    member (from Ysgol Dyffryn), with everyone else who might try to read the findings."""
    p = partnership
    la_north = LocalAuthorityFactory(partnership=p, name="Gwynedd")
    la_south = LocalAuthorityFactory(partnership=p, name="Ceredigion")
    cluster = ClusterFactory(partnership=p, name="Bryn cluster")
    ca = member_factory(p, Role.CHALLENGE_ADVISER, full_name="Carys Adviser")
    host = SchoolFactory(
        partnership=p,
        name="Ysgol y Bryn",
        local_authority=la_north,
        cluster=cluster,
        challenge_adviser=ca,
    )
    lead_school = SchoolFactory(partnership=p, name="Ysgol Aber", local_authority=la_south)
    member_school = SchoolFactory(partnership=p, name="Ysgol Dyffryn", local_authority=la_south)
    cluster_school = SchoolFactory(
        partnership=p, name="Ysgol Clwstwr", local_authority=la_north, cluster=cluster
    )
    other_school = SchoolFactory(partnership=p, name="Ysgol Arall", local_authority=la_north)

    version = FrameworkVersionFactory(partnership=p)
    areas = [
        FrameworkAreaFactory(partnership=p, version=version, name=name, position=i)
        for i, name in enumerate(["Leadership", "Quality of teaching", "Wellbeing"])
    ]
    cycle = CycleFactory(partnership=p, name="Cwm peer review 2026", framework_version=version)
    CycleParticipationFactory(partnership=p, cycle=cycle, is_host=True)
    review = ReviewFactory(partnership=p, cycle=cycle, school=host)

    lead = member_factory(p, Role.PEER_REVIEWER, full_name="Llinos Lead", school=None)
    member = member_factory(p, Role.PEER_REVIEWER, full_name="Math Member")
    lead_profile = ReviewerProfileFactory(partnership=p, user=lead, school=lead_school)
    member_profile = ReviewerProfileFactory(
        partnership=p, user=member, school=member_school, trained_on=None
    )
    ReviewTeamMemberFactory(partnership=p, review=review, profile=lead_profile, is_lead=True)
    ReviewTeamMemberFactory(partnership=p, review=review, profile=member_profile)

    return SimpleNamespace(
        p=p,
        cycle=cycle,
        version=version,
        areas=areas,
        review=review,
        host=host,
        lead_school=lead_school,
        member_school=member_school,
        cluster_school=cluster_school,
        other_school=other_school,
        la_north=la_north,
        la_south=la_south,
        cluster=cluster,
        lead=lead,
        member=member,
        lead_profile=lead_profile,
        member_profile=member_profile,
        ca=ca,
        head=member_factory(p, Role.HEADTEACHER, school=host, full_name="Heulwen Head"),
        governor=member_factory(p, Role.GOVERNOR, school=host, full_name="Gwyn Governor"),
        other_head=member_factory(p, Role.HEADTEACHER, school=other_school),
        other_governor=member_factory(p, Role.GOVERNOR, school=other_school),
        admin=member_factory(p, Role.PARTNERSHIP_ADMIN),
        senior_ca=member_factory(p, Role.SENIOR_CA),
        other_ca=member_factory(p, Role.CHALLENGE_ADVISER),
        panel_member=member_factory(p, Role.PANEL_MEMBER),
        outside_reviewer=member_factory(p, Role.PEER_REVIEWER),
    )


@pytest.fixture
def partner(db, member_factory):
    """A second partnership (England), with its admin, one school and its headteacher."""
    b = PartnershipFactory(name="Borough Partnership", slug="borough", country="england")
    school = SchoolFactory(partnership=b, name="Borough Primary")
    return SimpleNamespace(
        p=b,
        school=school,
        admin=member_factory(b, Role.PARTNERSHIP_ADMIN),
        head=member_factory(b, Role.HEADTEACHER, school=school),
        reviewer=member_factory(b, Role.PEER_REVIEWER),
    )
