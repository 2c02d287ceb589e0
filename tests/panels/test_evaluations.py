"""Evaluation review: a panel sees its area's impact results and judges each programme and
support agreement (continue, change, stop); judgements are published to the partnership."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from brokerage.models import SupportAgreement
from hubs.models import ProgrammeStatus
from panels import selectors, services
from panels.models import Evaluation, EvaluationJudgement, SeatType
from partnership.models import Role
from tests.factories import (
    AgendaItemFactory,
    AgreementOutcomeFactory,
    AreaFactory,
    AttendanceFactory,
    EnrolmentFactory,
    HubFactory,
    MeetingFactory,
    NeedFactory,
    ProgrammeFactory,
    ProgrammeSessionFactory,
    SchoolFactory,
    SupportAgreementFactory,
)

from .factories import EvaluationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(partnership, panel):
    hub = HubFactory(partnership=partnership, area=panel.area, name="Cwm oracy hub")
    programme = ProgrammeFactory(
        partnership=partnership, hub=hub, title="Oracy across the curriculum"
    )
    session = ProgrammeSessionFactory(partnership=partnership, programme=programme)
    for attended in (True, True, True, False):
        AttendanceFactory(partnership=partnership, session=session, attended=attended)
    EnrolmentFactory(partnership=partnership, programme=programme)  # no register yet
    return programme


@pytest.fixture
def agreement(partnership, panel):
    need = NeedFactory(partnership=partnership, area=panel.area)
    agreement = SupportAgreementFactory(
        partnership=partnership, need=need, status=SupportAgreement.Status.CLOSED
    )
    AgreementOutcomeFactory(partnership=partnership, agreement=agreement, rating=2)
    return agreement


def _url(partnership, path):
    return f"/p/{partnership.slug}/panels/{path}"


def test_the_review_shows_enrolments_attendance_and_agreement_outcomes(panel, programme, agreement):
    rows = {row.kind: row for row in selectors.impact_results(panel)}

    assert rows["programme"].subject == programme
    assert rows["programme"].participants == 5
    assert rows["programme"].attendance_rate == 75
    assert rows["agreement"].subject == agreement
    assert rows["agreement"].rating == 2


def test_drafts_and_other_areas_are_not_reviewed(partnership, panel, programme):
    ProgrammeFactory(partnership=partnership, hub=programme.hub, status=ProgrammeStatus.DRAFT)
    ProgrammeFactory(partnership=partnership, area=AreaFactory(partnership=partnership))

    assert [row.subject for row in selectors.impact_results(panel)] == [programme]


def test_a_panel_member_reads_the_review(partnership, panel, programme, seat_member, client_for):
    member = seat_member(panel, SeatType.TEACHER).user

    page = client_for(member).get(_url(partnership, f"{panel.pk}/evaluations/"))

    assert page.status_code == 200
    assert "Oracy across the curriculum" in page.content.decode()
    assert "Attendance 75%" in page.content.decode()
    assert "Record a judgement" not in page.content.decode()


@pytest.mark.parametrize("seat_type", [SeatType.PUPIL, SeatType.GOVERNOR])
def test_pupils_and_governors_do_not_see_the_review(
    partnership, panel, seat_member, client_for, seat_type
):
    person = seat_member(panel, seat_type).user

    response = client_for(person).get(_url(partnership, f"{panel.pk}/evaluations/"))

    assert response.status_code == 403


def test_someone_not_on_the_panel_cannot_see_the_review(
    partnership, panel, member_factory, client_for
):
    outsider = member_factory(partnership, Role.HUB_LEAD)

    response = client_for(outsider).get(_url(partnership, f"{panel.pk}/evaluations/"))

    assert response.status_code == 403


def test_the_chair_records_a_judgement_that_is_published(
    partnership, school, panel, programme, chair, member_factory, client_for
):
    response = client_for(chair).post(
        _url(partnership, f"{panel.pk}/evaluations/programmes/{programme.pk}/"),
        {"judgement": "change", "rationale": "Good attendance; impact on pupils unclear."},
    )

    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert evaluation.judgement == EvaluationJudgement.CHANGE
    assert "attendance: 75%" in evaluation.evidence
    assert AuditEvent.objects.filter(action="panels.evaluation_recorded").count() == 1
    reader = client_for(member_factory(partnership, Role.HEADTEACHER, school=school))
    page = reader.get(_url(partnership, "decisions/")).content.decode()
    assert "Oracy across the curriculum" in page
    assert "Good attendance; impact on pupils unclear." in page


def test_a_member_who_is_not_chair_cannot_record_a_judgement(
    partnership, panel, programme, seat_member, client_for
):
    member = seat_member(panel, SeatType.TEACHER).user

    response = client_for(member).post(
        _url(partnership, f"{panel.pk}/evaluations/programmes/{programme.pk}/"),
        {"judgement": "stop", "rationale": "No."},
    )

    assert response.status_code == 403
    assert not Evaluation.objects.exists()


def test_a_judgement_without_a_rationale_is_refused(
    partnership, panel, agreement, chair, client_for
):
    response = client_for(chair).post(
        _url(partnership, f"{panel.pk}/evaluations/agreements/{agreement.pk}/"),
        {"judgement": "stop", "rationale": "  "},
    )

    assert response.status_code == 200
    assert "Give the reasons for the judgement." in response.content.decode()
    assert not Evaluation.objects.exists()


def test_a_programme_of_another_area_cannot_be_judged(partnership, panel, chair):
    elsewhere = ProgrammeFactory(partnership=partnership, area=AreaFactory(partnership=partnership))

    with pytest.raises(ValidationError, match="not one the panel reviews"):
        services.record_evaluation(
            actor=chair,
            panel=panel,
            kind="programme",
            subject_id=elsewhere.pk,
            judgement="continue",
            rationale="Fine.",
        )

    assert not Evaluation.objects.exists()


def test_a_later_judgement_keeps_the_earlier_one(panel, programme, chair):
    for judgement in ("continue", "stop"):
        services.record_evaluation(
            actor=chair,
            panel=panel,
            kind="programme",
            subject_id=programme.pk,
            judgement=judgement,
            rationale=f"Judged {judgement}.",
        )

    row = selectors.impact_row(panel, "programme", programme.pk)
    assert [e.judgement for e in row.judgements] == ["stop", "continue"]
    assert row.latest.judgement == "stop"


# --- published_decisions() for pages and board reports ----------------------------------------


def test_published_decisions_hold_minuted_decisions_and_judgements(
    partnership, panel, programme, chair
):
    meeting = MeetingFactory(
        partnership=partnership, panel=panel, starts_at=timezone.now() - timedelta(days=3)
    )
    AgendaItemFactory(
        partnership=partnership,
        meeting=meeting,
        title="Oracy hub",
        minutes="Discussed.",
        decision="Commission a second year.",
        decision_published=True,
    )
    AgendaItemFactory(
        partnership=partnership,
        meeting=meeting,
        minutes="Discussed.",
        decision="Private scores.",
        decision_published=False,
    )
    services.approve_minutes(actor=chair, meeting=meeting)
    EvaluationFactory(partnership=partnership, panel=panel, programme=programme, judgement="stop")

    decisions = selectors.published_decisions(partnership)

    assert {(d.kind, d.decision) for d in decisions} == {
        ("meeting", "Commission a second year."),
        ("evaluation", "Stop"),
    }


def test_published_decisions_wait_for_approved_minutes(partnership, panel):
    meeting = MeetingFactory(partnership=partnership, panel=panel)
    AgendaItemFactory(
        partnership=partnership, meeting=meeting, decision="Later.", decision_published=True
    )

    assert selectors.published_decisions(partnership) == []


def test_published_decisions_are_filtered_by_date_and_area(
    partnership, other_partnership, panel, programme
):
    today = timezone.localdate()
    EvaluationFactory(
        partnership=partnership,
        panel=panel,
        programme=programme,
        decided_at=timezone.now() - timedelta(days=200),
    )
    recent = EvaluationFactory(partnership=partnership, panel=panel, programme=programme)
    EvaluationFactory(partnership=other_partnership)

    in_term = selectors.published_decisions(
        partnership, start=today - timedelta(days=30), end=today
    )
    other_area = selectors.published_decisions(
        partnership, area=AreaFactory(partnership=partnership)
    )

    assert [d.rationale for d in in_term] == [recent.rationale]
    assert len(in_term) == 1
    assert other_area == []


def test_the_review_shows_impact_survey_results(partnership, panel, programme, agreement):
    from surveys.models import SurveyPoint
    from tests.surveys.factories import ImpactInvitationFactory, ImpactResponseFactory

    enrolment = programme.enrolments.first()
    for point, score in ((SurveyPoint.START, 2), (SurveyPoint.END, 4)):
        invitation = ImpactInvitationFactory(
            partnership=partnership,
            enrolment=enrolment,
            point=point,
            email=f"{point}@school.example",
        )
        ImpactResponseFactory(
            partnership=partnership,
            invitation=invitation,
            confidence=score,
            knowledge=score,
            practice=score,
            school_change=score,
        )
    ImpactInvitationFactory(
        partnership=partnership,
        enrolment=None,
        programme=None,
        agreement=agreement,
        area=panel.area,
        school=agreement.receiving_school,
        provider=agreement.provider,
        full_name="Head of the receiving school",
        email="head@receiving.example",
    )

    rows = {row.kind: row for row in selectors.impact_results(panel)}

    assert dict(rows["programme"].survey) == {
        "Impact surveys answered": "2 of 2",
        "Change in mean score, start to end (1-5)": "+2.0",
    }
    assert dict(rows["agreement"].survey) == {"Impact surveys answered": "0 of 1"}


def test_the_judgement_form_shows_the_results_being_judged(
    partnership, panel, agreement, chair, client_for
):
    page = client_for(chair).get(
        f"/p/{partnership.slug}/panels/{panel.pk}/evaluations/agreements/{agreement.pk}/"
    )

    assert page.status_code == 200
    assert "impact rating: 2/4" in page.content.decode()
    assert "Record and publish the judgement" in page.content.decode()


# --- API ---------------------------------------------------------------------------------------


def _api(user):
    from django.test import Client
    from rest_framework.authtoken.models import Token

    token, _created = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def _judge(client, partnership, **body):
    return client.post(
        f"/api/p/{partnership.slug}/panels/evaluations/", body, content_type="application/json"
    )


def test_the_chair_records_a_judgement_through_the_api(partnership, panel, programme, chair):
    response = _judge(
        _api(chair),
        partnership,
        panel=panel.pk,
        kind="programme",
        subject=programme.pk,
        judgement="continue",
        rationale="Attendance held up.",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["programme"], body["judgement"]) == (
        "programme",
        programme.pk,
        "continue",
    )
    assert body["subject_title"] == "Oracy across the curriculum"
    assert "attendance: 75%" in body["evidence"]
    assert AuditEvent.objects.filter(action="panels.evaluation_recorded").count() == 1


def test_every_member_reads_the_published_judgements(partnership, panel, agreement, member_factory):
    EvaluationFactory(partnership=partnership, panel=panel, agreement=agreement, programme=None)
    school = SchoolFactory(partnership=partnership)
    reader = _api(member_factory(partnership, Role.GOVERNOR, school=school))

    listed = reader.get(f"/api/p/{partnership.slug}/panels/evaluations/", {"panel": panel.pk})
    other_panel = reader.get(f"/api/p/{partnership.slug}/panels/evaluations/", {"panel": 99999})

    assert listed.status_code == 200
    (row,) = listed.json()["results"]
    assert (row["kind"], row["agreement"]) == ("agreement", agreement.pk)
    assert other_panel.json()["results"] == []


def test_only_the_chair_or_admin_records_through_the_api(
    partnership, panel, programme, seat_member, member_factory
):
    full_member = seat_member(panel, SeatType.TEACHER).user
    headteacher = member_factory(
        partnership, Role.HEADTEACHER, school=SchoolFactory(partnership=partnership)
    )
    body = {
        "panel": panel.pk,
        "kind": "programme",
        "subject": programme.pk,
        "judgement": "stop",
        "rationale": "No.",
    }

    assert _judge(_api(full_member), partnership, **body).status_code == 403
    # Refused before the body is read: an empty body is still 403.
    assert _judge(_api(headteacher), partnership).status_code == 403
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"judgement": "maybe"}, "judgement"),
        ({"rationale": ""}, "rationale"),
        ({"panel": 99999}, "panel"),
        ({"kind": "hub"}, "kind"),
        ({"subject": 99999}, "non_field_errors"),
    ],
)
def test_bad_judgements_through_the_api_are_400_with_the_reason(
    partnership, panel, programme, chair, change, field
):
    body = {
        "panel": panel.pk,
        "kind": "programme",
        "subject": programme.pk,
        "judgement": "stop",
        "rationale": "Low attendance.",
        **change,
    }

    response = _judge(_api(chair), partnership, **body)

    assert response.status_code == 400
    assert field in response.json()
    assert not Evaluation.objects.exists()
