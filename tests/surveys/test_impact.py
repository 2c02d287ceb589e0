"""Impact surveys: when they fall due, the personal link, answering once, reminders."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from partnership.models import OutboundEmail
from surveys import services
from surveys.models import ImpactInvitation, ImpactResponse, SurveyOptOut, SurveyPoint

from .conftest import FIRST, LAST, day

pytestmark = pytest.mark.django_db


def at(d, hour=10):
    return timezone.make_aware(datetime(d.year, d.month, d.day, hour, 0))


def run(partnership, d, capture):
    with capture(execute=True):
        return services.run_due_work(partnership=partnership, now=at(d))


def points(**filters):
    return sorted(ImpactInvitation.objects.filter(**filters).values_list("point", flat=True))


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


# --- When surveys fall due ---------------------------------------------------------------


def test_nothing_is_due_before_the_first_session(
    partnership, enrolment, django_capture_on_commit_callbacks
):
    result = run(partnership, day(FIRST, -1), django_capture_on_commit_callbacks)
    assert result.scheduled == 0
    assert not ImpactInvitation.objects.exists()


def test_start_end_and_six_month_surveys_fall_due_on_their_days(
    partnership, enrolment, django_capture_on_commit_callbacks
):
    run(partnership, FIRST, django_capture_on_commit_callbacks)
    assert points(enrolment=enrolment) == [SurveyPoint.START]

    run(partnership, LAST, django_capture_on_commit_callbacks)  # the end survey: a day after
    assert points(enrolment=enrolment) == [SurveyPoint.START]
    run(partnership, day(LAST, 1), django_capture_on_commit_callbacks)
    assert sorted(points(enrolment=enrolment)) == sorted([SurveyPoint.START, SurveyPoint.END])

    run(partnership, day(LAST, 182), django_capture_on_commit_callbacks)
    assert points(enrolment=enrolment) == [SurveyPoint.END, SurveyPoint.START]
    run(partnership, day(LAST, 183), django_capture_on_commit_callbacks)
    assert points(enrolment=enrolment) == sorted(SurveyPoint.values)
    follow_up = ImpactInvitation.objects.get(point=SurveyPoint.FOLLOW_UP)
    assert follow_up.due_on == day(LAST, 183)
    assert follow_up.programme == enrolment.programme
    assert follow_up.school == enrolment.school


def test_offsets_come_from_the_partnerships_settings(
    partnership, enrolment, admin_user, django_capture_on_commit_callbacks
):
    services.update_settings(
        actor=admin_user,
        partnership=partnership,
        start_offset_days=7,
        end_offset_days=0,
        follow_up_offset_days=90,
    )
    run(partnership, day(FIRST, 6), django_capture_on_commit_callbacks)
    assert not ImpactInvitation.objects.exists()
    run(partnership, day(FIRST, 7), django_capture_on_commit_callbacks)
    assert points() == [SurveyPoint.START]
    run(partnership, LAST, django_capture_on_commit_callbacks)
    assert ImpactInvitation.objects.get(point=SurveyPoint.END).due_on == LAST
    run(partnership, day(LAST, 90), django_capture_on_commit_callbacks)
    assert ImpactInvitation.objects.get(point=SurveyPoint.FOLLOW_UP).due_on == day(LAST, 90)


def test_a_survey_long_past_its_day_is_not_sent_late(
    partnership, enrolment, django_capture_on_commit_callbacks
):
    # Surveys switched on after the programme ended: only the surveys still open go out.
    run(partnership, day(LAST, 40), django_capture_on_commit_callbacks)
    assert points() == []
    run(partnership, day(LAST, 183), django_capture_on_commit_callbacks)
    assert points() == [SurveyPoint.FOLLOW_UP]


def test_running_twice_creates_and_sends_nothing_twice(
    partnership, enrolment, django_capture_on_commit_callbacks
):
    first = run(partnership, FIRST, django_capture_on_commit_callbacks)
    second = run(partnership, FIRST, django_capture_on_commit_callbacks)
    assert (first.scheduled, first.sent) == (1, 1)
    assert (second.scheduled, second.sent) == (0, 0)
    assert ImpactInvitation.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sian@school.example"]
    assert "Reading for pleasure" in mail.outbox[0].subject


def test_cancelled_and_waitlisted_enrolments_are_not_asked(
    partnership, programme, school, django_capture_on_commit_callbacks
):
    from hubs.models import EnrolmentStatus
    from tests.factories import EnrolmentFactory

    EnrolmentFactory(
        partnership=partnership, programme=programme, status=EnrolmentStatus.WAITLISTED
    )
    EnrolmentFactory(partnership=partnership, programme=programme, status=EnrolmentStatus.CANCELLED)
    run(partnership, FIRST, django_capture_on_commit_callbacks)
    assert not ImpactInvitation.objects.exists()


def test_support_agreements_ask_the_receiving_headteacher(
    partnership, agreement, django_capture_on_commit_callbacks
):
    run(partnership, FIRST, django_capture_on_commit_callbacks)
    invitation = ImpactInvitation.objects.get()
    assert invitation.agreement == agreement
    assert invitation.email == "nia@cwm.example"
    assert invitation.provider == agreement.provider
    assert invitation.area == agreement.need.area
    assert mail.outbox[0].to == ["nia@cwm.example"]


def test_the_invitation_email_carries_a_personal_link_and_an_opt_out(
    partnership, enrolment, django_capture_on_commit_callbacks
):
    run(partnership, FIRST, django_capture_on_commit_callbacks)
    body = mail.outbox[0].body
    invitation = ImpactInvitation.objects.get()
    ImpactInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(days=1)
    )
    # The signed tokens carry a timestamp, so compare what they open, not their text.
    answer, opt_out = re.findall(r"http://\S+/s/(\S+?)/(?:opt-out/)?(?=\s)", body)
    assert services.invitation_from_token(answer) == invitation
    assert services.opt_out_from_token(opt_out) == invitation
    with pytest.raises(services.SurveyLinkInvalid):
        services.invitation_from_token(opt_out)
    assert invitation.email_record.key == f"surveys:impact:{invitation.pk}:invitation"


# --- The personal link -----------------------------------------------------------------------


@pytest.fixture
def invitation(partnership, enrolment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_due_invitations(partnership=partnership, now=at(FIRST))
        invitation = ImpactInvitation.objects.get()
        # Sent today, so the link is open now.
        ImpactInvitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() + timedelta(days=30)
        )
        invitation.refresh_from_db()
        services.send_invitation(invitation)
    return invitation


ANSWERS = {"confidence": "2", "knowledge": "3", "practice": "2", "school_change": "1"}


def test_the_link_opens_the_survey_without_signing_in(invitation):
    response = Client().get(path_of(services.survey_url(invitation)))
    assert response.status_code == 200
    assert b"Reading for pleasure" in response.content
    assert b"How confident do you feel" in response.content
    assert b"What has lasted" not in response.content  # only six months after


def test_answers_are_saved_once_and_the_second_submission_is_refused(
    invitation, django_capture_on_commit_callbacks
):
    url = path_of(services.survey_url(invitation))
    with django_capture_on_commit_callbacks(execute=True):
        first = Client().post(url, {**ANSWERS, "comment": "Gap tasks helped."})
    assert first.status_code == 302
    saved = ImpactResponse.objects.get()
    assert (saved.confidence, saved.knowledge, saved.practice, saved.school_change) == (2, 3, 2, 1)
    assert saved.comment == "Gap tasks helped."
    invitation.refresh_from_db()
    assert invitation.status == ImpactInvitation.Status.ANSWERED
    assert OutboundEmail.objects.filter(key=f"surveys:impact:{invitation.pk}:thanks").exists()

    second = Client().post(url, {**ANSWERS, "confidence": "5"})
    assert second.status_code == 410
    assert b"already answered" in second.content
    assert ImpactResponse.objects.get().confidence == 2


@pytest.mark.parametrize(
    "answers",
    [
        {**ANSWERS, "confidence": "6"},
        {**ANSWERS, "knowledge": "0"},
        {**ANSWERS, "practice": "many"},
        {k: v for k, v in ANSWERS.items() if k != "school_change"},
    ],
    ids=["too-high", "too-low", "not-a-number", "missing"],
)
def test_out_of_range_or_missing_answers_are_form_errors(invitation, answers):
    response = Client().post(path_of(services.survey_url(invitation)), answers)
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert b"Choose an answer from 1 to 5" in response.content
    assert not ImpactResponse.objects.exists()


def test_the_service_refuses_out_of_range_answers_too(invitation):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.submit_response(
            invitation=invitation,
            answers={"confidence": 9, "knowledge": 3, "practice": 3, "school_change": 3},
        )
    assert not ImpactResponse.objects.exists()


@pytest.mark.parametrize(
    "token",
    ["nonsense", "eyJpIjoxfQ:1abc:xyz", ""],
    ids=["garbage", "bad-signature", "empty"],
)
def test_forged_links_get_a_clear_page_and_no_data(invitation, token):
    url = f"/s/{token}/" if token else "/s/%20/"
    response = Client().get(url)
    assert response.status_code == 410
    assert b"This link does not work" in response.content
    assert b"Reading for pleasure" not in response.content
    assert b"Sian" not in response.content


def test_a_link_signed_for_another_invitation_number_does_not_work(invitation):
    from django.core import signing

    forged = signing.dumps({"i": invitation.pk + 1, "n": invitation.nonce.hex}, salt="other")
    assert Client().get(f"/s/{forged}/").status_code == 410
    # The opt-out token cannot be used to answer, nor the other way round.
    opt_out_token = services.survey_token(invitation, salt=services.OPT_OUT_SALT)
    assert Client().get(f"/s/{opt_out_token}/").status_code == 410


def test_an_expired_link_gets_a_clear_page(invitation):
    ImpactInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = Client().post(path_of(services.survey_url(invitation)), ANSWERS)
    assert response.status_code == 410
    assert b"This survey has closed" in response.content
    assert not ImpactResponse.objects.exists()


def test_the_six_month_survey_asks_what_lasted_and_spread(invitation):
    ImpactInvitation.objects.filter(pk=invitation.pk).update(point=SurveyPoint.FOLLOW_UP)
    invitation.refresh_from_db()
    url = path_of(services.survey_url(invitation))
    page = Client().get(url)
    assert b"What has lasted" in page.content
    assert b"What has spread beyond one classroom" in page.content
    Client().post(url, {**ANSWERS, "lasted": "Daily reading", "spread": "Whole of KS2"})
    saved = ImpactResponse.objects.get()
    assert (saved.lasted, saved.spread, saved.point) == (
        "Daily reading",
        "Whole of KS2",
        SurveyPoint.FOLLOW_UP,
    )


def test_opting_out_closes_open_surveys_and_stops_new_ones(
    partnership, invitation, django_capture_on_commit_callbacks
):
    url = path_of(services.opt_out_url(invitation))
    assert Client().get(url).status_code == 200
    invitation.refresh_from_db()
    assert invitation.opted_out_at is None  # a GET (a mail scanner) changes nothing
    Client().post(url)
    invitation.refresh_from_db()
    assert invitation.status == ImpactInvitation.Status.OPTED_OUT
    assert SurveyOptOut.objects.filter(email="sian@school.example").exists()
    assert Client().get(path_of(services.survey_url(invitation))).status_code == 410
    run(partnership, day(LAST, 1), django_capture_on_commit_callbacks)
    assert points() == [SurveyPoint.START]


# --- Reminders -------------------------------------------------------------------------------


@pytest.fixture
def sent(partnership, enrolment, django_capture_on_commit_callbacks):
    """An invitation sent at 10:00 on FIRST; the link open for 30 days."""
    run(partnership, FIRST, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    return ImpactInvitation.objects.get()


def remind(partnership, d, capture):
    with capture(execute=True):
        return services.send_reminders(partnership=partnership, now=at(d, 11))


def test_reminders_go_at_the_offsets_at_most_n_times(
    partnership, sent, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    assert remind(partnership, day(FIRST, 2), capture) == 0
    assert remind(partnership, day(FIRST, 3), capture) == 1
    assert remind(partnership, day(FIRST, 3), capture) == 0  # run again the same day
    assert remind(partnership, day(FIRST, 6), capture) == 0
    assert remind(partnership, day(FIRST, 7), capture) == 1
    assert remind(partnership, day(FIRST, 20), capture) == 0  # two is the most
    assert len(mail.outbox) == 2
    assert all(m.subject.startswith("Reminder") for m in mail.outbox)
    sent.refresh_from_db()
    assert sent.reminders_sent == 2
    keys = set(OutboundEmail.objects.values_list("key", flat=True))
    assert {f"surveys:impact:{sent.pk}:reminder:1", f"surveys:impact:{sent.pk}:reminder:2"} <= keys


def test_no_reminder_after_an_answer(partnership, sent, django_capture_on_commit_callbacks):
    ImpactInvitation.objects.filter(pk=sent.pk).update(
        expires_at=timezone.now() + timedelta(days=1)
    )
    services.submit_response(
        invitation=sent,
        answers={"confidence": 3, "knowledge": 3, "practice": 3, "school_change": 3},
    )
    mail.outbox.clear()
    assert remind(partnership, day(FIRST, 3), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_reminder_offsets_and_maximum_are_configurable(
    partnership, sent, admin_user, django_capture_on_commit_callbacks
):
    services.update_settings(
        actor=admin_user, partnership=partnership, reminder_offsets=[5, 10, 15], max_reminders=1
    )
    capture = django_capture_on_commit_callbacks
    assert remind(partnership, day(FIRST, 3), capture) == 0
    assert remind(partnership, day(FIRST, 5), capture) == 1
    assert remind(partnership, day(FIRST, 10), capture) == 0


def test_no_reminder_after_opting_out(partnership, sent, django_capture_on_commit_callbacks):
    services.opt_out(invitation_id=sent.pk, partnership_id=partnership.pk)
    assert remind(partnership, day(FIRST, 3), django_capture_on_commit_callbacks) == 0


def test_the_beat_task_fans_out_to_every_active_partnership(
    partnership, other_partnership, enrolment, django_capture_on_commit_callbacks
):
    # The task uses today's date: move the programme so its start survey is due today.
    from hubs.models import ProgrammeSession
    from surveys.tasks import send_due_invitations

    ProgrammeSession.objects.filter(programme=enrolment.programme, date=FIRST).update(
        date=timezone.localdate()
    )
    ProgrammeSession.objects.filter(programme=enrolment.programme, date=LAST).update(
        date=timezone.localdate() + timedelta(days=30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_invitations.delay().get() == 2
    assert points() == [SurveyPoint.START]
    assert len(mail.outbox) == 1
