"""Impact results on known data: response rates, mean scores, change and what remains."""

from __future__ import annotations

from decimal import Decimal

import pytest

from surveys import selectors
from surveys.models import ImpactInvitation, SurveyPoint
from tests.factories import (
    EnrolmentFactory,
    HubFactory,
    SchoolFactory,
    SupportAgreementFactory,
)

from .conftest import make_programme
from .factories import ImpactInvitationFactory, ImpactResponseFactory

pytestmark = pytest.mark.django_db


def answered(partnership, enrolment, point, score, **extra):
    """A response with every scale at `score` (school_change at score - 1)."""
    return ImpactResponseFactory(
        partnership=partnership,
        invitation__enrolment=enrolment,
        invitation__point=point,
        confidence=score,
        knowledge=score,
        practice=score,
        school_change=max(score - 1, 1),
        **extra,
    )


@pytest.fixture
def known(partnership, hub, school):
    """Programme A: two participants; start 2 and 2, end 4 and 4 (one answers), six months 3.
    Programme B (another hub): one participant, start 3 only."""
    a = make_programme(partnership, hub, title="A: Reading")
    ana, ben = (
        EnrolmentFactory(partnership=partnership, programme=a, school=school) for _ in range(2)
    )
    answered(partnership, ana, SurveyPoint.START, 2)
    answered(partnership, ben, SurveyPoint.START, 2)
    answered(partnership, ana, SurveyPoint.END, 4)
    ImpactInvitationFactory(partnership=partnership, enrolment=ben, point=SurveyPoint.END)
    answered(partnership, ana, SurveyPoint.FOLLOW_UP, 3, lasted="Daily reading")
    other_hub = HubFactory(partnership=partnership, name="Second hub", area=hub.area)
    b = make_programme(partnership, other_hub, title="B: Writing")
    cai = EnrolmentFactory(partnership=partnership, programme=b)
    answered(partnership, cai, SurveyPoint.START, 3)
    # Scheduled, not sent: not counted as asked.
    ImpactInvitationFactory(
        partnership=partnership,
        enrolment=cai,
        point=SurveyPoint.END,
        status=ImpactInvitation.Status.SCHEDULED,
        sent_at=None,
    )
    return {"a": a, "b": b, "hub": hub, "other_hub": other_hub}


def test_summary_of_one_programme(known):
    summary = selectors.impact_summary(programmes=[known["a"]])
    assert (summary.start.invited, summary.start.answered) == (2, 2)
    assert (summary.end.invited, summary.end.answered) == (2, 1)
    assert summary.end.response_rate == Decimal("50.0")
    assert summary.response_rate == Decimal("80.0")  # 4 of 5
    assert summary.start.confidence == Decimal("2.0")
    assert summary.start.school_change == Decimal("1.0")
    assert summary.start.overall == Decimal("1.8")  # (2 + 2 + 2 + 1) / 4 = 1.75
    assert summary.end.overall == Decimal("3.8")  # (4 + 4 + 4 + 3) / 4 = 3.75
    assert summary.change == Decimal("2.0")
    assert summary.follow_up.overall == Decimal("2.8")  # (3 + 3 + 3 + 2) / 4
    assert summary.retained == Decimal("1.0")
    assert summary.scale_change("confidence") == Decimal("2.0")
    assert summary.scale_retained("knowledge") == Decimal("1.0")


def test_scheduled_invitations_are_not_counted_as_asked(known):
    summary = selectors.impact_summary(programmes=[known["b"]])
    assert (summary.invited, summary.answered) == (1, 1)
    assert summary.change is None


def test_summary_per_hub_and_area(known, hub):
    assert selectors.impact_summary(hubs=[known["hub"]]).invited == 5
    assert selectors.impact_summary(hubs=[known["other_hub"].pk]).invited == 1
    assert selectors.impact_summary(area=hub.area).invited == 6
    assert selectors.impact_summary().answered == 5


def test_impact_by_programme_and_hub(known):
    rows = selectors.impact_by("programme")
    assert [r.label for r in rows] == ["A: Reading", "B: Writing"]
    assert rows[0].summary.change == Decimal("2.0")
    assert rows[1].summary.start.confidence == Decimal("3.0")
    hubs = {r.label: r.summary.invited for r in selectors.impact_by("hub")}
    assert hubs == {"Literacy hub": 5, "Second hub": 1}


def test_impact_by_provider_counts_hub_schools_and_agreement_providers(
    partnership, known, hub_school
):
    provider = SchoolFactory(partnership=partnership, name="Ysgol Darparwr")
    agreement = SupportAgreementFactory(partnership=partnership, offer__school=provider)
    ImpactResponseFactory(
        partnership=partnership,
        invitation__enrolment=None,
        invitation__agreement=agreement,
        invitation__programme=None,
        invitation__area=agreement.need.area,
        invitation__school=agreement.receiving_school,
        invitation__provider=provider,
        invitation__full_name="Head",
        invitation__email="head@x.example",
        confidence=5,
    )
    rows = {r.label: r.summary for r in selectors.impact_by("provider")}
    assert rows["Ysgol Hwb"].invited == 5
    assert rows["Ysgol Darparwr"].start.confidence == Decimal("5.0")
    assert selectors.impact_summary(provider=provider).answered == 1
    assert selectors.impact_summary(agreements=[agreement]).answered == 1
    assert selectors.impact_summary(source="agreement").answered == 1
    by_agreement = selectors.impact_by("agreement", agreements=[agreement.pk])
    assert [(r.key, r.label, r.summary.answered) for r in by_agreement] == [
        (agreement.pk, agreement.need.title, 1)
    ]


def test_impact_by_rejects_an_unknown_dimension(known):
    with pytest.raises(ValueError):
        selectors.impact_by("colour")


def test_comments_show_what_lasted(known):
    comments = selectors.impact_comments(programmes=[known["a"]])
    assert any(c.lasted == "Daily reading" for c in comments)


def test_selectors_read_only_the_partnership_given(partnership, other_partnership, known):
    assert selectors.impact_summary(partnership=partnership).answered == 5
    assert selectors.impact_summary(partnership=other_partnership).answered == 0


def test_no_data_gives_an_empty_summary(partnership):
    summary = selectors.impact_summary()
    assert summary.invited == 0
    assert summary.response_rate is None
    assert summary.change is None
    assert summary.start.overall is None
