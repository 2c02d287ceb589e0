"""Consultations: invited stakeholder groups respond per question within the window, once;
late and duplicate responses are refused with nothing lost; collated per question and
group, with CSV and PDF exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from panels import policies, selectors, services
from panels.models import ConsultationAnswer, ConsultationResponse, SeatType, StakeholderGroup
from partnership.models import Role
from tests.factories import PanelFactory

from .factories import (
    ConsultationFactory,
    ConsultationQuestionFactory,
    ConsultationSectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(partnership):
    consultation = ConsultationFactory(
        partnership=partnership,
        title="The future of the regional school-improvement model",
        groups=[StakeholderGroup.HEADTEACHERS, StakeholderGroup.STAFF],
    )
    section = ConsultationSectionFactory(
        partnership=partnership, consultation=consultation, heading="Working in clusters"
    )
    for text in ("Should clusters lead improvement?", "What support should the centre keep?"):
        ConsultationQuestionFactory(
            partnership=partnership, section=section, consultation=consultation, text=text
        )
    return consultation


@pytest.fixture
def questions(consultation):
    return list(consultation.questions.order_by("pk"))


@pytest.fixture
def head(partnership, school, member_factory):
    return member_factory(partnership, Role.HEADTEACHER, school=school, full_name="Nia Howells")


def _url(partnership, path):
    return f"/p/{partnership.slug}/panels/consultations/{path}"


def _post_response(client, partnership, consultation, questions, group="headteachers"):
    return client.post(
        _url(partnership, f"{consultation.pk}/respond/"),
        {
            "group": group,
            f"question_{questions[0].pk}": "Yes, with shared accountability.",
            f"question_{questions[1].pk}": "Data and brokerage.",
        },
    )


def test_an_invited_headteacher_responds_per_question(
    partnership, consultation, questions, head, client_for
):
    response = _post_response(client_for(head), partnership, consultation, questions)

    assert response.status_code == 302
    saved = ConsultationResponse.objects.get()
    assert saved.group == StakeholderGroup.HEADTEACHERS
    assert dict(ConsultationAnswer.objects.values_list("question_id", "text")) == {
        questions[0].pk: "Yes, with shared accountability.",
        questions[1].pk: "Data and brokerage.",
    }


def test_a_response_after_the_window_is_refused_and_the_text_kept_on_the_page(
    partnership, consultation, questions, head, client_for
):
    consultation.closes_at = timezone.now() - timedelta(minutes=1)
    consultation.save()

    response = _post_response(client_for(head), partnership, consultation, questions)

    page = response.content.decode()
    assert response.status_code == 200
    assert "responses are no longer accepted" in page
    assert "Yes, with shared accountability." in page
    assert not ConsultationResponse.objects.exists()


def test_a_response_before_the_window_opens_is_refused(consultation, questions, head):
    with pytest.raises(ValidationError, match="Responses open on"):
        services.submit_response(
            actor=head,
            consultation=consultation,
            group="headteachers",
            answers={questions[0].pk: "Early."},
            now=consultation.opens_at - timedelta(hours=1),
        )

    assert not ConsultationResponse.objects.exists()


def test_a_duplicate_response_is_refused_and_the_first_kept(
    partnership, consultation, questions, head, client_for
):
    client = client_for(head)
    _post_response(client, partnership, consultation, questions)

    second = client.post(
        _url(partnership, f"{consultation.pk}/respond/"),
        {"group": "headteachers", f"question_{questions[0].pk}": "Changed my mind."},
    )

    assert "You have already responded" in second.content.decode()
    assert "Changed my mind." in second.content.decode()
    assert ConsultationResponse.objects.count() == 1
    assert not ConsultationAnswer.objects.filter(text="Changed my mind.").exists()


def test_a_response_with_no_answer_is_refused(consultation, head):
    with pytest.raises(ValidationError, match="at least one question"):
        services.submit_response(
            actor=head, consultation=consultation, group="headteachers", answers={}
        )


def test_a_group_that_is_not_invited_cannot_respond(
    partnership, consultation, questions, member_factory, client_for
):
    governor = member_factory(partnership, Role.PANEL_MEMBER)

    response = _post_response(client_for(governor), partnership, consultation, questions)

    assert response.status_code == 403
    assert not ConsultationResponse.objects.exists()


def test_a_person_responds_only_for_an_invited_group_of_theirs(consultation, questions, head):
    with pytest.raises(ValidationError, match="Choose a group"):
        services.submit_response(
            actor=head,
            consultation=consultation,
            group="staff",
            answers={questions[0].pk: "As staff."},
        )


def test_the_strategy_group_is_the_members_of_the_panel_that_forms_it(partnership, seat_member):
    board = PanelFactory(partnership=partnership, area=None, stakeholder_group="strategy_group")
    member = seat_member(board, SeatType.STRATEGIC_LEAD).user
    consultation = ConsultationFactory(partnership=partnership, groups=["strategy_group"])

    assert policies.invited_groups_of(member, consultation) == ["strategy_group"]


def test_collation_groups_answers_per_question_and_group(
    partnership, consultation, questions, head, member_factory
):
    adviser = member_factory(partnership, Role.CHALLENGE_ADVISER)
    services.submit_response(
        actor=head,
        consultation=consultation,
        group="headteachers",
        answers={questions[0].pk: "Yes."},
    )
    services.submit_response(
        actor=adviser,
        consultation=consultation,
        group="staff",
        answers={questions[0].pk: "Partly.", questions[1].pk: "Moderation."},
    )

    collated = selectors.collate(consultation)

    first = collated.questions[0]
    assert [(g.group, [a.text for a in g.answers]) for g in first.groups] == [
        ("headteachers", ["Yes."]),
        ("staff", ["Partly."]),
    ]
    assert collated.questions[1].total == 1
    assert collated.total_responses == 2
    assert dict(collated.responses_by_group) == {"Staff": 1, "Headteachers": 1}


def test_the_admin_downloads_the_collation_as_csv_and_pdf(
    partnership, consultation, questions, head, admin_client_
):
    services.submit_response(
        actor=head,
        consultation=consultation,
        group="headteachers",
        answers={questions[1].pk: "=HYPERLINK(evil)"},
    )

    exported = admin_client_.get(_url(partnership, f"{consultation.pk}/responses.csv"))
    pdf = admin_client_.get(_url(partnership, f"{consultation.pk}/responses.pdf"))

    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0] == ["Section", "Question", "Group", "Respondent", "Submitted", "Answer"]
    assert rows[1][:4] == [
        "Working in clusters",
        "What support should the centre keep?",
        "Headteachers",
        "Nia Howells",
    ]
    assert rows[1][5] == "'=HYPERLINK(evil)"
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_respondent_cannot_read_the_collated_responses(
    partnership, consultation, head, client_for
):
    response = client_for(head).get(_url(partnership, f"{consultation.pk}/responses/"))

    assert response.status_code == 403


def test_the_paper_cannot_change_once_responses_are_in(consultation, questions, head, admin_user):
    services.submit_response(
        actor=head, consultation=consultation, group="headteachers", answers={questions[0].pk: "Y"}
    )

    with pytest.raises(ValidationError, match="can no longer change"):
        services.add_question(
            actor=admin_user, section=questions[0].section, text="A late question"
        )


def test_a_window_that_closes_before_it_opens_is_refused(partnership, admin_client_):
    response = admin_client_.post(
        _url(partnership, "new/"),
        {
            "title": "Funding formula",
            "summary": "How should hub funding be shared?",
            "groups": ["headteachers"],
            "opens_at": "2026-12-10T09:00",
            "closes_at": "2026-12-01T09:00",
        },
    )

    assert "Responses must close after they open." in response.content.decode()


def test_the_admin_writes_a_paper_with_sections_and_questions(partnership, admin_client_):
    admin_client_.post(
        _url(partnership, "new/"),
        {
            "title": "Funding formula",
            "summary": "How should hub funding be shared?",
            "groups": ["headteachers", "advisory_board"],
            "opens_at": "2026-12-01T09:00",
            "closes_at": "2026-12-20T17:00",
        },
    )
    consultation = selectors.consultations_for(None, partnership, everything=True)[0]
    admin_client_.post(
        _url(partnership, f"{consultation.pk}/sections/new/"),
        {"heading": "Principles", "body": "Funding follows need."},
    )
    section = consultation.sections.get()
    admin_client_.post(
        _url(partnership, f"sections/{section.pk}/questions/new/"),
        {"text": "Do you agree funding should follow need?"},
    )

    page = admin_client_.get(_url(partnership, f"{consultation.pk}/")).content.decode()
    assert "Principles" in page
    assert "Do you agree funding should follow need?" in page
    assert consultation.groups == ["advisory_board", "headteachers"]
