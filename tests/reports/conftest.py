"""A school with something in every section of its report, for one term."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from peerreview.models import Findings, Judgement
from schools.models import SchoolImprovementGroup, SupportCategory
from tests.collaboration.factories import GroupProjectFactory
from tests.factories import (
    AgreementOutcomeFactory,
    AreaFindingFactory,
    AttendanceFactory,
    CategoryChangeFactory,
    ClusterFactory,
    DeliverySessionFactory,
    EnrolmentFactory,
    FindingsFactory,
    FindingsShareFactory,
    NeedFactory,
    ProgrammeSessionFactory,
    SchoolFactory,
    SchoolImprovementGroupFactory,
    ServiceLevelAgreementFactory,
    SupportAgreementFactory,
    TermFactory,
)
from tests.surveys.factories import (
    ImpactResponseFactory,
    NeedsAreaPriorityFactory,
    NeedsSurveyRoundFactory,
)


@pytest.fixture
def term(partnership):
    today = timezone.localdate()
    return TermFactory(
        partnership=partnership,
        academic_year="2026/27",
        season="autumn",
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=30),
    )


@pytest.fixture
def report_school(partnership):
    """Ysgol y Cwm, amber, with its history, support both ways, staff on a programme,
    needs, shared peer-review findings, a cluster and an improvement group."""
    cluster = ClusterFactory(partnership=partnership, name="Clwstwr Tawe")
    school = SchoolFactory(
        partnership=partnership,
        name="Ysgol y Cwm",
        cluster=cluster,
        support_category=SupportCategory.AMBER,
        report_language="en",
    )
    SchoolImprovementGroupFactory(partnership=partnership, name="SIG Gorllewin", schools=[school])
    CategoryChangeFactory(
        partnership=partnership,
        school=school,
        category=SupportCategory.AMBER,
        previous_category=SupportCategory.YELLOW,
        reason="Standards in writing fell at key stage 2.",
    )
    received = SupportAgreementFactory(
        partnership=partnership,
        need__school=school,
        need__title="Writing at key stage 2",
        offer__school=SchoolFactory(partnership=partnership, name="Ysgol Provider"),
        status="active",
        days=Decimal("4"),
        starts_on=timezone.localdate() - timedelta(days=20),
    )
    DeliverySessionFactory(partnership=partnership, agreement=received, days=Decimal("2.5"))
    given = SupportAgreementFactory(
        partnership=partnership,
        offer__school=school,
        need__school=SchoolFactory(partnership=partnership, name="Ysgol Receiver"),
        need__title="Maths leadership",
        status="closed",
        starts_on=timezone.localdate() - timedelta(days=40),
    )
    DeliverySessionFactory(partnership=partnership, agreement=given, days=Decimal("1.5"))
    AgreementOutcomeFactory(partnership=partnership, agreement=given, rating=4)
    NeedFactory(
        partnership=partnership, school=school, title="Early reading in the foundation phase"
    )
    session = ProgrammeSessionFactory(
        partnership=partnership,
        programme__title="Maths mastery",
        date=timezone.localdate() - timedelta(days=5),
    )
    enrolment = EnrolmentFactory(
        partnership=partnership,
        programme=session.programme,
        school=school,
        participant_name="Anwen Jones",
    )
    AttendanceFactory(partnership=partnership, session=session, enrolment=enrolment)
    ServiceLevelAgreementFactory(partnership=partnership, hub=session.programme.hub)
    findings = FindingsFactory(
        partnership=partnership,
        review__school=school,
        status=Findings.Status.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=3),
        summary="A reflective school with a clear sense of direction.",
    )
    AreaFindingFactory(
        partnership=partnership,
        findings=findings,
        area__name="Leadership",
        judgement=Judgement.SECURE,
    )
    FindingsShareFactory(partnership=partnership, review=findings.review)
    ImpactResponseFactory(
        partnership=partnership,
        invitation__enrolment=enrolment,
        confidence=4,
        knowledge=4,
        practice=4,
        school_change=4,
    )
    GroupProjectFactory(
        partnership=partnership,
        title="Oracy across the valley",
        sig=SchoolImprovementGroup.objects.get(name="SIG Gorllewin"),
        lead_school=school,
    )
    needs_round = NeedsSurveyRoundFactory(
        partnership=partnership,
        name="Needs survey 2026",
        deadline=timezone.localdate() - timedelta(days=10),
    )
    NeedsAreaPriorityFactory(
        partnership=partnership,
        response__round=needs_round,
        response__school=school,
        area__name="Oracy",
        rank=1,
    )
    return school
