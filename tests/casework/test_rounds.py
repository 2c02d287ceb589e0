"""The categorisation round: its stages, who may act in each, moderation feeding the
school's category history and brokerage priority, and refused attempts on the record."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from brokerage import selectors as brokerage_selectors
from casework import policies, services
from casework.models import (
    CategorisationRound,
    EvaluationArea,
    Judgement,
    ModerationOutcome,
    RoundStage,
    SchoolCategorisation,
)
from partnership.tenancy import tenant_scope
from schools.models import CategoryChange, School, SupportCategory
from tests.factories import NeedFactory, SchoolFactory

from .conftest import at_stage

pytestmark = pytest.mark.django_db


def _all_judged() -> dict[str, tuple[str, str]]:
    return {area: (Judgement.GOOD, f"Evidence for {area}.") for area in EvaluationArea.values}


def _refusals(action: str = "casework.category_change_refused") -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


# --- Setting a round up ------------------------------------------------------------------


def test_a_round_is_created_with_a_record_for_every_school(partnership, senior, school):
    SchoolFactory(partnership=partnership)
    today = timezone.localdate()
    with tenant_scope(partnership):
        round_ = services.save_round(
            actor=senior,
            partnership=partnership,
            name="Categorisation 2027",
            academic_year="2027/28",
            self_evaluation_due=today,
            proposals_due=today + datetime.timedelta(days=10),
            moderation_on=today + datetime.timedelta(days=20),
            publish_on=today + datetime.timedelta(days=30),
        )
    assert round_.stage == RoundStage.SELF_EVALUATION
    assert round_.records.count() == School.objects.filter(partnership=partnership).count() == 2


def test_a_timetable_out_of_order_is_refused(partnership, senior):
    today = timezone.localdate()
    with tenant_scope(partnership), pytest.raises(ValidationError) as error:
        services.save_round(
            actor=senior,
            partnership=partnership,
            name="Backwards",
            academic_year="2027/28",
            self_evaluation_due=today + datetime.timedelta(days=30),
            proposals_due=today,
            moderation_on=today,
            publish_on=today,
        )
    assert "proposals_due" in error.value.message_dict
    assert not CategorisationRound.objects.exists()


def test_a_ca_cannot_set_up_a_round(partnership, ca):
    today = timezone.localdate()
    with tenant_scope(partnership), pytest.raises(PermissionDenied):
        services.save_round(
            actor=ca,
            partnership=partnership,
            name="Mine",
            academic_year="2027/28",
            self_evaluation_due=today,
            proposals_due=today,
            moderation_on=today,
            publish_on=today,
        )


def test_the_round_moves_through_its_stages_in_order(partnership, senior, round_, record):
    stages = []
    with tenant_scope(partnership):
        for _ in range(2):
            services.advance_round(actor=senior, round_=round_)
            stages.append(round_.stage)
        services.advance_round(actor=senior, round_=round_)
        stages.append(round_.stage)
        with pytest.raises(ValidationError):
            services.advance_round(actor=senior, round_=round_)
    assert stages == [RoundStage.PROPOSAL, RoundStage.MODERATION, RoundStage.COMPLETE]


def test_a_round_cannot_complete_with_proposals_waiting(partnership, senior, proposed, round_):
    with tenant_scope(partnership), pytest.raises(ValidationError):
        services.advance_round(actor=senior, round_=round_)
    assert CategorisationRound.objects.get(pk=round_.pk).stage == RoundStage.MODERATION


# --- Self-evaluation -------------------------------------------------------------------------


def test_the_headteacher_submits_the_self_evaluation(partnership, head, record):
    with tenant_scope(partnership):
        services.save_self_evaluation(
            actor=head,
            record=record,
            summary="A fair picture.",
            judgements=_all_judged(),
            submit=True,
        )
    record.refresh_from_db()
    assert record.status == SchoolCategorisation.Status.SELF_EVALUATED
    assert record.judgements.count() == len(EvaluationArea.values)


def test_submitting_needs_every_area_judged(partnership, head, record):
    judgements = _all_judged()
    judgements[EvaluationArea.LEADERSHIP] = ("", "")
    with tenant_scope(partnership), pytest.raises(ValidationError) as error:
        services.save_self_evaluation(
            actor=head, record=record, summary="", judgements=judgements, submit=True
        )
    assert "judgement_leadership" in error.value.message_dict
    assert record.judgements.count() == 0


def test_a_judgement_needs_its_evidence(partnership, head, record):
    with tenant_scope(partnership), pytest.raises(ValidationError) as error:
        services.save_self_evaluation(
            actor=head,
            record=record,
            summary="",
            judgements={EvaluationArea.STANDARDS: (Judgement.GOOD, " ")},
        )
    assert "evidence_standards" in error.value.message_dict


@pytest.mark.parametrize("stage", [RoundStage.PROPOSAL, RoundStage.MODERATION])
def test_the_self_evaluation_closes_after_its_stage(partnership, head, record, round_, stage):
    at_stage(round_, stage)
    with tenant_scope(partnership), pytest.raises(PermissionDenied):
        services.save_self_evaluation(
            actor=head, record=record, summary="Late", judgements=_all_judged()
        )


def test_only_the_schools_headteacher_self_evaluates(partnership, ca, panel_head, record):
    for person in (ca, panel_head):
        assert not policies.can_edit_self_evaluation(person, record)


# --- Proposal ----------------------------------------------------------------------------------


def test_the_schools_ca_proposes_in_the_proposal_stage(partnership, ca, record, round_):
    at_stage(round_, RoundStage.PROPOSAL)
    with tenant_scope(partnership):
        services.propose_category(
            actor=ca,
            record=record,
            category=SupportCategory.YELLOW,
            rationale="Good progress, leadership still new.",
            standards_group="2",
            improvement_capacity="B",
        )
    record.refresh_from_db()
    assert record.status == SchoolCategorisation.Status.PROPOSED
    assert (record.proposed_category, record.standards_group, record.improvement_capacity) == (
        "yellow",
        "2",
        "B",
    )
    # A proposal is not yet the school's category.
    assert School.objects.get(pk=record.school_id).support_category == SupportCategory.GREEN


def test_a_proposal_outside_its_stage_is_refused_and_recorded(partnership, ca, record):
    with tenant_scope(partnership), pytest.raises(ValidationError):
        services.propose_category(actor=ca, record=record, category="red", rationale="Early.")
    record.refresh_from_db()
    assert record.proposed_category == ""
    assert len(_refusals()) == 1


def test_another_ca_may_not_propose_and_the_attempt_is_recorded(
    partnership, other_ca, record, round_
):
    at_stage(round_, RoundStage.PROPOSAL)
    with tenant_scope(partnership), pytest.raises(PermissionDenied):
        services.propose_category(
            actor=other_ca, record=record, category="red", rationale="Not my school."
        )
    record.refresh_from_db()
    assert record.status == SchoolCategorisation.Status.NOT_STARTED
    [event] = _refusals()
    assert event.actor == other_ca
    assert event.detail["step"] == "proposal"


@pytest.mark.parametrize("category", ["purple", "", "RED", "blue"])
def test_a_category_outside_the_scale_is_refused(partnership, ca, record, round_, category):
    at_stage(round_, RoundStage.PROPOSAL)
    with tenant_scope(partnership), pytest.raises(ValidationError) as error:
        services.propose_category(actor=ca, record=record, category=category, rationale="Because.")
    assert "category" in error.value.message_dict
    assert SchoolCategorisation.objects.get(pk=record.pk).proposed_category == ""
    assert len(_refusals()) == 1


def test_a_proposal_needs_a_rationale(partnership, ca, record, round_):
    at_stage(round_, RoundStage.PROPOSAL)
    with tenant_scope(partnership), pytest.raises(ValidationError) as error:
        services.propose_category(actor=ca, record=record, category="red", rationale="  ")
    assert "rationale" in error.value.message_dict


# --- Moderation ----------------------------------------------------------------------------------


def test_moderation_changes_the_category_and_it_feeds_brokerage_priority(
    partnership, senior, proposed, school
):
    green = SchoolFactory(partnership=partnership, support_category=SupportCategory.GREEN)
    older_need = NeedFactory(partnership=partnership, school=green)
    need = NeedFactory(partnership=partnership, school=school)
    with tenant_scope(partnership):
        before = list(brokerage_selectors.board_needs(user=senior, partnership=partnership))
        services.moderate_category(
            actor=senior,
            record=proposed,
            category=SupportCategory.RED,
            reason="Outcomes fell sharply; the meeting judged red.",
            dissent="One headteacher argued for amber.",
        )
        after = list(brokerage_selectors.board_needs(user=senior, partnership=partnership))
    assert before == [older_need, need]  # both green: oldest first
    assert after == [need, older_need]  # now red: brokered first

    proposed.refresh_from_db()
    assert proposed.status == SchoolCategorisation.Status.CONFIRMED
    assert proposed.final_category == SupportCategory.RED
    assert proposed.moderation_outcome == ModerationOutcome.CHANGED
    assert proposed.moderation_dissent == "One headteacher argued for amber."
    change = CategoryChange.objects.get(school=school)
    assert proposed.category_change == change
    assert (change.previous_category, change.category, change.moderated) == (
        SupportCategory.GREEN,
        SupportCategory.RED,
        True,
    )
    stored = School.objects.get(pk=school.pk)
    assert (stored.support_category, stored.category_moderated) == ("red", True)
    assert AuditEvent.objects.filter(action="schools.category_changed").count() == 1


def test_confirming_the_proposal_is_recorded_as_confirmed(partnership, panel_head, proposed):
    with tenant_scope(partnership):
        services.moderate_category(
            actor=panel_head, record=proposed, category="amber", reason="Evidence agrees."
        )
    proposed.refresh_from_db()
    assert proposed.moderation_outcome == ModerationOutcome.CONFIRMED
    assert proposed.moderated_by == panel_head


def test_moderation_without_a_reason_is_refused_and_recorded(partnership, senior, proposed):
    with tenant_scope(partnership), pytest.raises(ValidationError) as error:
        services.moderate_category(actor=senior, record=proposed, category="red", reason=" ")
    assert "reason" in error.value.message_dict
    assert not CategoryChange.objects.exists()
    assert SchoolCategorisation.objects.get(pk=proposed.pk).final_category == ""
    [event] = _refusals()
    assert event.detail["step"] == "moderation"


@pytest.mark.parametrize("who", ["ca", "head", "governor", "other_ca"])
def test_only_moderators_confirm_categories(request, partnership, proposed, who):
    person = request.getfixturevalue(who)
    with tenant_scope(partnership), pytest.raises(PermissionDenied):
        services.moderate_category(actor=person, record=proposed, category="red", reason="Mine.")
    assert not CategoryChange.objects.exists()
    assert len(_refusals()) == 1


def test_a_panel_headteacher_does_not_moderate_their_own_school(
    partnership, panel_head, round_, other_school
):
    from .factories import SchoolCategorisationFactory

    own = SchoolCategorisationFactory(
        partnership=partnership,
        round=round_,
        school=other_school,
        proposed_category="green",
        status=SchoolCategorisation.Status.PROPOSED,
    )
    assert not policies.can_moderate(panel_head, own)
    assert policies.can_view_full_record(panel_head, own)  # as its headteacher


def test_moderation_is_only_in_the_moderation_stage(partnership, senior, proposed, round_):
    at_stage(round_, RoundStage.PROPOSAL)
    with tenant_scope(partnership), pytest.raises(ValidationError):
        services.moderate_category(actor=senior, record=proposed, category="red", reason="Early")
    assert not CategoryChange.objects.exists()


# --- The school's view --------------------------------------------------------------------------


def test_the_school_records_its_disagreement(partnership, senior, head, proposed):
    with tenant_scope(partnership):
        proposed = services.moderate_category(
            actor=senior, record=proposed, category="red", reason="Why."
        )
        with pytest.raises(ValidationError):
            services.respond_to_category(actor=head, record=proposed, agrees=False, response="")
        services.respond_to_category(
            actor=head, record=proposed, agrees=False, response="Our data shows recovery."
        )
    proposed.refresh_from_db()
    assert proposed.disagrees
    assert proposed.school_response == "Our data shows recovery."
    assert proposed.final_category == "red"  # the disagreement is recorded, not acted on


def test_the_school_cannot_respond_before_the_category_is_confirmed(head, proposed):
    assert not policies.can_respond(head, proposed)


# --- Who may act in each state --------------------------------------------------------------------

ACTORS = ["ca", "other_ca", "senior", "head", "panel_head", "governor"]
EXPECTED = {
    # stage: (may self-evaluate, may propose, may moderate)
    RoundStage.SELF_EVALUATION: ({"head"}, set(), set()),
    RoundStage.PROPOSAL: (set(), {"ca", "senior"}, set()),
    RoundStage.MODERATION: (set(), set(), {"senior", "panel_head"}),
    RoundStage.COMPLETE: (set(), set(), set()),
}


@pytest.mark.parametrize("stage", list(EXPECTED))
def test_who_may_act_in_each_stage(request, partnership, proposed, round_, stage):
    at_stage(round_, stage)
    people = {name: request.getfixturevalue(name) for name in ACTORS}
    evaluate = {n for n, p in people.items() if policies.can_edit_self_evaluation(p, proposed)}
    propose = {n for n, p in people.items() if policies.can_propose(p, proposed)}
    moderate = {n for n, p in people.items() if policies.can_moderate(p, proposed)}
    assert (evaluate, propose, moderate) == EXPECTED[stage]


def test_headteachers_are_reminded_once_before_the_self_evaluation_is_due(
    partnership, head, record, round_
):
    from casework.tasks import send_action_reminders
    from partnership.models import OutboundEmail

    round_.self_evaluation_due = timezone.localdate() + datetime.timedelta(days=3)
    round_.save()
    send_action_reminders()
    send_action_reminders()
    [email] = OutboundEmail.objects.all()
    assert email.to == head.email
    assert "has not been submitted yet" in email.body


def test_advisers_are_reminded_of_proposals_not_made(partnership, ca, record, round_):
    from casework.tasks import send_action_reminders
    from partnership.models import OutboundEmail

    at_stage(round_, RoundStage.PROPOSAL)
    round_.proposals_due = timezone.localdate() + datetime.timedelta(days=2)
    round_.self_evaluation_due = timezone.localdate()
    round_.save()
    send_action_reminders()
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == [ca.email]
