"""Survey pages: who may open them, the operator view with its retry, settings, and the
impact summary shown on programme, hub and value-for-money pages."""

from __future__ import annotations

import pytest
from django.core import mail

from partnership.models import OutboundEmail, Role
from surveys.models import ImpactInvitation, SurveySettings
from tests.factories import EnrolmentFactory, OutboundEmailFactory

from .factories import ImpactInvitationFactory, ImpactResponseFactory, NeedsSurveyRoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def headteacher(partnership, school, member_factory):
    return member_factory(partnership, Role.HEADTEACHER, school=school)


@pytest.fixture
def participant(partnership, member_factory):
    return member_factory(partnership, Role.PARTICIPANT)


STAFF_PAGES = [
    "/p/cwm/surveys/impact/",
]
ADMIN_PAGES = [
    "/p/cwm/surveys/impact/invitations/",
    "/p/cwm/surveys/settings/",
    "/p/cwm/surveys/rounds/new/",
]


@pytest.mark.parametrize("url", STAFF_PAGES + ADMIN_PAGES)
def test_admin_opens_every_page(admin_client_, url):
    assert admin_client_.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/p/cwm/surveys/", *STAFF_PAGES, *ADMIN_PAGES])
def test_a_participant_member_cannot_open_survey_pages(client_for, participant, url):
    assert client_for(participant).get(url).status_code == 403


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_a_challenge_adviser_sees_results_but_does_not_run_surveys(
    partnership, client_for, member_factory, url
):
    adviser = member_factory(partnership, Role.CHALLENGE_ADVISER)
    client = client_for(adviser)
    assert client.get("/p/cwm/surveys/impact/").status_code == 200
    assert client.get(url).status_code == 403


def test_a_headteacher_sees_the_open_round_for_their_school(
    partnership, client_for, headteacher, school
):
    round_ = NeedsSurveyRoundFactory(partnership=partnership, name="Needs 2027")
    page = client_for(headteacher).get("/p/cwm/surveys/")
    assert page.status_code == 200
    assert b"Needs 2027" in page.content
    assert f"/p/cwm/surveys/rounds/{round_.pk}/schools/{school.pk}/".encode() in page.content
    assert client_for(headteacher).get(f"/p/cwm/surveys/rounds/{round_.pk}/").status_code == 403


def test_only_an_admin_opens_and_closes_a_round(
    partnership, client_for, headteacher, admin_client_, django_capture_on_commit_callbacks
):
    round_ = NeedsSurveyRoundFactory(partnership=partnership, status="draft")
    assert (
        client_for(headteacher).post(f"/p/cwm/surveys/rounds/{round_.pk}/open/").status_code == 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(f"/p/cwm/surveys/rounds/{round_.pk}/open/")
    round_.refresh_from_db()
    assert round_.status == "open"
    assert [m.to for m in mail.outbox] == [[headteacher.email]]
    admin_client_.post(f"/p/cwm/surveys/rounds/{round_.pk}/close/")
    round_.refresh_from_db()
    assert round_.status == "closed"


def test_creating_a_round_with_a_past_deadline_is_a_form_error(admin_client_):
    response = admin_client_.post(
        "/p/cwm/surveys/rounds/new/",
        {"name": "Needs", "academic_year": "2027/28", "deadline": "2020-01-01"},
    )
    assert response.status_code == 200
    assert b"The deadline must be today or later" in response.content


def test_the_operator_sees_failed_sends_and_retries_them(
    partnership, admin_client_, django_capture_on_commit_callbacks
):
    invitation = ImpactInvitationFactory(partnership=partnership, full_name="Sian Jones")
    email = OutboundEmailFactory(
        partnership=partnership,
        key=f"surveys:impact:{invitation.pk}:invitation",
        to=invitation.email,
        status=OutboundEmail.Status.FAILED,
        last_error="SMTP 451 try later",
    )
    ImpactInvitation.objects.filter(pk=invitation.pk).update(email_record=email)
    page = admin_client_.get("/p/cwm/surveys/impact/invitations/?state=failed")
    assert b"Sian Jones" in page.content
    assert b"SMTP 451 try later" in page.content
    assert b'data-count="failed">1<' in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(f"/p/cwm/surveys/impact/invitations/{invitation.pk}/retry/")
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
    page = admin_client_.get("/p/cwm/surveys/impact/invitations/?state=failed")
    assert b"Sian Jones" not in page.content


def test_the_operator_filters_by_state(partnership, admin_client_):
    ImpactInvitationFactory(
        partnership=partnership, full_name="Waiting Person", status="scheduled", sent_at=None
    )
    ImpactResponseFactory(partnership=partnership, invitation__full_name="Answered Person")
    scheduled = admin_client_.get("/p/cwm/surveys/impact/invitations/?state=scheduled")
    assert b"Waiting Person" in scheduled.content
    assert b"Answered Person" not in scheduled.content
    answered = admin_client_.get("/p/cwm/surveys/impact/invitations/?state=answered")
    assert b"Answered Person" in answered.content


def test_settings_are_saved_and_bad_input_is_a_form_error(partnership, admin_client_):
    data = {
        "start_offset_days": "2",
        "end_offset_days": "0",
        "follow_up_offset_days": "180",
        "reminder_offsets": "7, 3",
        "max_reminders": "2",
        "link_valid_days": "21",
        "needs_reminder_days": "10, 2",
    }
    admin_client_.post("/p/cwm/surveys/settings/", data)
    saved = SurveySettings.objects.get()
    assert (saved.start_offset_days, saved.reminder_offsets, saved.link_valid_days) == (
        2,
        [3, 7],
        21,
    )
    assert saved.needs_reminder_days_before() == [10, 2]
    assert b'value="10, 2"' in admin_client_.get("/p/cwm/surveys/settings/").content
    bad = admin_client_.post("/p/cwm/surveys/settings/", {**data, "reminder_offsets": "3, soon"})
    assert b"Enter whole numbers of days" in bad.content
    assert SurveySettings.objects.get().reminder_offsets == [3, 7]
    bad = admin_client_.post("/p/cwm/surveys/settings/", {**data, "needs_reminder_days": "0"})
    assert b"from 1 to 365" in bad.content
    assert SurveySettings.objects.get().needs_reminder_days == [2, 10]


def test_impact_results_page_shows_scores(partnership, admin_client_):
    ImpactResponseFactory(partnership=partnership, confidence=4, comment="Great gap tasks")
    page = admin_client_.get("/p/cwm/surveys/impact/?by=hub")
    assert page.status_code == 200
    assert b"data-impact-summary" in page.content
    assert b"Great gap tasks" in page.content
    assert b"<svg" in page.content


def test_programme_hub_and_value_pages_show_the_impact_summary(partnership, admin_client_):
    enrolment = EnrolmentFactory(partnership=partnership)
    ImpactResponseFactory(partnership=partnership, invitation__enrolment=enrolment, confidence=5)
    programme = enrolment.programme
    for url in (
        f"/p/cwm/programmes/{programme.pk}/",
        f"/p/cwm/hubs/{programme.hub.pk}/",
        "/p/cwm/hubs/value/",
    ):
        page = admin_client_.get(url)
        assert page.status_code == 200, url
        assert b"data-impact-summary" in page.content, url
        assert b"Answered: 1 of 1 surveys sent" in page.content, url


def test_a_failed_reminder_shows_as_failed_and_is_sent_again(
    partnership, admin_client_, django_capture_on_commit_callbacks
):
    invitation = ImpactInvitationFactory(partnership=partnership, full_name="Dai Reminder")
    sent = OutboundEmailFactory(
        partnership=partnership,
        key=f"surveys:impact:{invitation.pk}:invitation",
        to=invitation.email,
        status=OutboundEmail.Status.SENT,
    )
    ImpactInvitation.objects.filter(pk=invitation.pk).update(email_record=sent)
    reminder = OutboundEmailFactory(
        partnership=partnership,
        key=f"surveys:impact:{invitation.pk}:reminder:1",
        to=invitation.email,
        status=OutboundEmail.Status.FAILED,
        last_error="Mailbox full",
    )
    # Another invitation's key that merely starts with the same digits is not counted.
    OutboundEmailFactory(
        partnership=partnership,
        key=f"surveys:impact:{invitation.pk}0:invitation",
        status=OutboundEmail.Status.FAILED,
    )
    page = admin_client_.get("/p/cwm/surveys/impact/invitations/?state=failed")
    assert b"Dai Reminder" in page.content
    assert b"Mailbox full" in page.content
    assert b'data-count="failed">1<' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(f"/p/cwm/surveys/impact/invitations/{invitation.pk}/retry/")
    reminder.refresh_from_db()
    assert reminder.status == OutboundEmail.Status.SENT
    sent.refresh_from_db()
    assert sent.attempts == 0  # the invitation itself was not sent again
