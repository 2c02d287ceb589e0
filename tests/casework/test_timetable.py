"""A categorisation round also moves on by its timetable: to proposals the day after
self-evaluations are due, to moderation the day after proposals are due, through the same
path as the "Move to the next stage" button. Never backwards, never to complete, and a
repeated run does nothing."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from casework import services
from casework.models import CategorisationRound, RoundStage
from casework.tasks import advance_rounds_by_timetable
from partnership.tenancy import tenant_scope
from tests.factories import SchoolFactory

from .conftest import at_stage
from .factories import CategorisationRoundFactory

pytestmark = pytest.mark.django_db

SE_DUE = datetime.date(2027, 1, 15)
PROPOSALS_DUE = datetime.date(2027, 2, 5)
MODERATION_ON = datetime.date(2027, 2, 20)
PUBLISH_ON = datetime.date(2027, 3, 1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def dated_round(round_):
    round_.self_evaluation_due = SE_DUE
    round_.proposals_due = PROPOSALS_DUE
    round_.moderation_on = MODERATION_ON
    round_.publish_on = PUBLISH_ON
    round_.save()
    return round_


def _run(partnership, today: datetime.date) -> int:
    with tenant_scope(partnership):
        return services.advance_rounds_by_timetable(partnership=partnership, today=today)


def _stage(round_) -> str:
    return CategorisationRound.objects.get(pk=round_.pk).stage


def _advances() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="casework.round_advanced").order_by("id"))


# --- Self-evaluation -> proposals -------------------------------------------------------------


@pytest.mark.parametrize("today", [SE_DUE - DAY, SE_DUE], ids=["before", "on"])
def test_self_evaluation_stays_open_until_its_deadline_has_passed(partnership, dated_round, today):
    assert _run(partnership, today) == 0
    assert _stage(dated_round) == RoundStage.SELF_EVALUATION
    assert _advances() == []


def test_the_day_after_self_evaluations_are_due_the_round_takes_proposals(partnership, dated_round):
    assert _run(partnership, SE_DUE + DAY) == 1
    assert _stage(dated_round) == RoundStage.PROPOSAL


def test_the_timetable_writes_the_same_audit_event_as_the_button(partnership, dated_round):
    _run(partnership, SE_DUE + DAY)
    [event] = _advances()
    assert event.actor is None
    assert event.target_id == str(dated_round.pk)
    assert event.detail == {
        "from": RoundStage.SELF_EVALUATION,
        "to": RoundStage.PROPOSAL,
        "by": "timetable",
        "on": (SE_DUE + DAY).isoformat(),
    }


def test_moving_to_proposals_by_date_gives_a_school_that_joined_late_its_record(
    partnership, dated_round, record
):
    late = SchoolFactory(partnership=partnership, name="Ysgol Newydd")
    _run(partnership, SE_DUE + DAY)
    assert dated_round.records.filter(school=late).exists()


# --- Proposals -> moderation ------------------------------------------------------------------


@pytest.mark.parametrize("today", [PROPOSALS_DUE - DAY, PROPOSALS_DUE], ids=["before", "on"])
def test_proposals_stay_open_until_their_deadline_has_passed(partnership, dated_round, today):
    at_stage(dated_round, RoundStage.PROPOSAL)
    assert _run(partnership, today) == 0
    assert _stage(dated_round) == RoundStage.PROPOSAL


def test_the_day_after_proposals_are_due_the_round_is_in_moderation(partnership, dated_round):
    at_stage(dated_round, RoundStage.PROPOSAL)
    assert _run(partnership, PROPOSALS_DUE + DAY) == 1
    assert _stage(dated_round) == RoundStage.MODERATION
    assert [e.detail["to"] for e in _advances()] == [RoundStage.MODERATION]


def test_a_round_behind_both_deadlines_catches_up_one_stage_at_a_time(partnership, dated_round):
    assert _run(partnership, PROPOSALS_DUE + DAY) == 2
    assert _stage(dated_round) == RoundStage.MODERATION
    assert [(e.detail["from"], e.detail["to"]) for e in _advances()] == [
        (RoundStage.SELF_EVALUATION, RoundStage.PROPOSAL),
        (RoundStage.PROPOSAL, RoundStage.MODERATION),
    ]


# --- Idempotent, never backwards, never complete -----------------------------------------------


def test_a_second_run_on_the_same_day_does_nothing(partnership, dated_round):
    assert _run(partnership, SE_DUE + DAY) == 1
    assert _run(partnership, SE_DUE + DAY) == 0
    assert _stage(dated_round) == RoundStage.PROPOSAL
    assert len(_advances()) == 1


def test_a_round_moved_on_by_hand_is_never_moved_back(partnership, dated_round):
    at_stage(dated_round, RoundStage.MODERATION)
    for today in (SE_DUE - DAY, SE_DUE + DAY, PROPOSALS_DUE + DAY):
        assert _run(partnership, today) == 0
    assert _stage(dated_round) == RoundStage.MODERATION


@pytest.mark.parametrize("today", [PUBLISH_ON, PUBLISH_ON + DAY, PUBLISH_ON + 60 * DAY])
def test_the_timetable_never_completes_a_round(partnership, dated_round, today):
    at_stage(dated_round, RoundStage.MODERATION)
    assert _run(partnership, today) == 0
    assert _stage(dated_round) == RoundStage.MODERATION


def test_a_complete_round_is_left_alone(partnership, dated_round):
    at_stage(dated_round, RoundStage.COMPLETE)
    assert _run(partnership, PUBLISH_ON + DAY) == 0
    assert _stage(dated_round) == RoundStage.COMPLETE


@pytest.mark.parametrize(
    ("today", "stage", "overdue"),
    [
        (PUBLISH_ON - DAY, RoundStage.MODERATION, False),
        (PUBLISH_ON, RoundStage.MODERATION, False),
        (PUBLISH_ON + DAY, RoundStage.MODERATION, True),
        (PUBLISH_ON + DAY, RoundStage.COMPLETE, False),
    ],
)
def test_publication_is_overdue_only_after_its_date_while_in_moderation(
    dated_round, today, stage, overdue
):
    at_stage(dated_round, stage)
    assert services.publication_overdue(dated_round, today) is overdue


def test_the_round_page_says_when_the_publication_date_has_passed(
    client_for, senior, partnership, round_
):
    round_.publish_on = timezone.localdate() - DAY
    round_.moderation_on = round_.proposals_due = round_.self_evaluation_due = round_.publish_on
    round_.save()
    at_stage(round_, RoundStage.MODERATION)
    page = client_for(senior).get(
        reverse("casework:round_detail", kwargs={"partnership_slug": "cwm", "pk": round_.pk})
    )
    assert page.status_code == 200
    assert "has passed, but the round is still in moderation" in page.content.decode()


def test_the_round_page_has_no_notice_before_the_publication_date(client_for, senior, round_):
    at_stage(round_, RoundStage.MODERATION)
    page = client_for(senior).get(
        reverse("casework:round_detail", kwargs={"partnership_slug": "cwm", "pk": round_.pk})
    )
    assert "has passed" not in page.content.decode()


# --- The button still works ---------------------------------------------------------------------


def test_the_button_still_moves_a_round_before_its_deadline(client_for, senior, round_):
    response = client_for(senior).post(
        reverse("casework:round_advance", kwargs={"partnership_slug": "cwm", "pk": round_.pk})
    )
    assert response.status_code == 302
    assert _stage(round_) == RoundStage.PROPOSAL
    [event] = _advances()
    assert event.actor == senior
    assert event.detail == {"from": RoundStage.SELF_EVALUATION, "to": RoundStage.PROPOSAL}


def test_the_button_after_the_timetable_moves_on_from_where_the_round_is(
    partnership, senior, dated_round
):
    _run(partnership, SE_DUE + DAY)
    with tenant_scope(partnership):
        services.advance_round(actor=senior, round_=dated_round)
    assert _stage(dated_round) == RoundStage.MODERATION
    assert [e.actor for e in _advances()] == [None, senior]


# --- The beat task ----------------------------------------------------------------------------


def test_the_daily_task_moves_every_partnerships_rounds_once(
    partnership, other_partnership, round_
):
    yesterday = timezone.localdate() - DAY
    other = CategorisationRoundFactory(
        partnership=other_partnership,
        self_evaluation_due=yesterday,
        proposals_due=yesterday,
        moderation_on=yesterday,
        publish_on=yesterday,
    )
    round_.self_evaluation_due = yesterday
    round_.save()
    assert advance_rounds_by_timetable() == 1 + 2
    assert advance_rounds_by_timetable() == 0
    assert _stage(round_) == RoundStage.PROPOSAL
    assert _stage(other) == RoundStage.MODERATION


def test_the_task_is_on_the_beat_schedule_daily():
    [entry] = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "casework.tasks.advance_rounds_by_timetable"
    ]
    assert entry["schedule"].hour == {0}
    assert entry["schedule"].day_of_week == set(range(7))
