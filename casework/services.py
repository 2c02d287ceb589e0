"""Writes of casework that carry a business rule: caseloads, visit notes and their actions,
and the categorisation round (self-evaluation, proposal, moderation, the school's view).

A refused attempt (bad input, the wrong person, the wrong stage of a round) writes
nothing but an audit event (`casework.*_refused`), so the attempt is on the record.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import record_event
from partnership.models import Membership, Partnership, Role
from partnership.policies import has_role
from partnership.services import queue_email
from partnership.tenancy import URL_KWARG
from schools.models import School, SupportCategory
from schools.services import save_school, set_support_category

from . import policies
from .models import (
    STAGE_ORDER,
    AdviserKind,
    AdviserTeam,
    CaseloadAssignment,
    CaseworkVisit,
    CategorisationRound,
    EvaluationArea,
    ImprovementCapacity,
    Judgement,
    ModerationOutcome,
    RoundStage,
    SchoolCategorisation,
    SelfEvaluationJudgement,
    StandardsGroup,
    VisitAction,
    VisitComment,
)

#: A visit note may be dated at most this far ahead (a planned visit), never further.
MAX_DAYS_AHEAD = 366


def _refuse(
    *,
    partnership_id: int,
    actor: Any,
    action: str,
    target: Any,
    error: Exception,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record a refused attempt, then raise the error that refused it."""
    if isinstance(error, ValidationError):
        reasons: Any = (
            error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        )
    else:
        reasons = {"__all__": [str(error) or "permission denied"]}
    record_event(
        partnership=partnership_id,
        actor=actor,
        action=action,
        target=target,
        detail={"reasons": reasons, **(detail or {})},
        request=request,
    )
    raise error


def _url(partnership: Partnership, name: str, **kwargs: Any) -> str:
    return settings.SITE_URL + reverse(name, kwargs={URL_KWARG: partnership.slug, **kwargs})


def _headteachers(school_ids: Iterable[int]) -> list[Any]:
    members = Membership.objects.filter(
        role=Role.HEADTEACHER, school_id__in=list(school_ids)
    ).select_related("user")
    return list({m.user.pk: m.user for m in members}.values())


def _send(
    *,
    partnership: Partnership,
    key: str,
    recipients: Iterable[Any],
    subject: Any,
    template: str,
    context: dict[str, Any],
) -> int:
    """Queue one email per recipient in their language; the key makes each one once."""
    sent = 0
    for user in recipients:
        if user is None or not user.email or not user.is_active:
            continue
        with translation.override(user.language or partnership.default_language):
            queue_email(
                partnership=partnership,
                key=f"{key}:{user.pk}",
                to=user.email,
                subject=str(subject) % {"partnership": partnership.name},
                template=template,
                context={"partnership": partnership, "recipient": user, **context},
            )
        sent += 1
    return sent


# --- Caseloads ---------------------------------------------------------------------------


def _adviser_kind(adviser: Any, school: School) -> str:
    if has_role(adviser, school, Role.CHALLENGE_ADVISER, Role.SENIOR_CA):
        return AdviserKind.CHALLENGE_ADVISER
    heads_of = {
        m.school_id
        for m in Membership.objects.filter(
            partnership_id=school.partnership_id, user=adviser, role=Role.HEADTEACHER
        )
    }
    if heads_of and school.pk not in heads_of:
        return AdviserKind.PARTNER_CA
    if heads_of:
        raise ValidationError(
            {"adviser": _("A headteacher cannot be the challenge adviser of their own school.")}
        )
    raise ValidationError(
        {"adviser": _("Choose a challenge adviser, or a headteacher of another school.")}
    )


def record_adviser_change(*, actor: Any, school: School) -> CaseloadAssignment | None:
    """Keep the caseload history when a school's adviser changed elsewhere (the school
    form): the open assignment ends today and the new adviser's begins (none when the
    school was left without an adviser)."""
    today = timezone.localdate()
    with transaction.atomic():
        CaseloadAssignment.objects.filter(school=school, ended_on__isnull=True).exclude(
            adviser_id=school.challenge_adviser_id
        ).update(ended_on=today)
        if (
            school.challenge_adviser is None
            or CaseloadAssignment.objects.filter(school=school, ended_on__isnull=True).exists()
        ):
            return None
        try:
            kind = _adviser_kind(school.challenge_adviser, school)
        except ValidationError:
            kind = AdviserKind.CHALLENGE_ADVISER
        return CaseloadAssignment.objects.create(
            partnership_id=school.partnership_id,
            school=school,
            adviser=school.challenge_adviser,
            kind=kind,
            started_on=today,
            reason=_("Changed on the school's details page."),
            assigned_by=actor,
        )


def assign_adviser(
    *,
    actor: Any,
    school: School,
    adviser: Any,
    reason: str = "",
    request: HttpRequest | None = None,
) -> CaseloadAssignment:
    """Make `adviser` the school's challenge adviser. The previous assignment is ended,
    not deleted, so the caseload's history stays."""
    if not policies.can_reassign(actor, school):
        _refuse(
            partnership_id=school.partnership_id,
            actor=actor,
            action="casework.reassignment_refused",
            target=school,
            error=PermissionDenied(_("Only a senior challenge adviser or an admin may do this.")),
            request=request,
        )
    kind = _adviser_kind(adviser, school)
    today = timezone.localdate()
    with transaction.atomic():
        locked = School.objects.select_for_update().get(pk=school.pk)
        current = CaseloadAssignment.objects.filter(school=locked, ended_on__isnull=True).first()
        if current is not None and current.adviser_id == adviser.pk:
            raise ValidationError({"adviser": _("This adviser already has the school.")})
        if current is not None:
            current.ended_on = today
            current.save(update_fields=["ended_on"])
        previous_id = locked.challenge_adviser_id
        assignment = CaseloadAssignment.objects.create(
            partnership_id=locked.partnership_id,
            school=locked,
            adviser=adviser,
            kind=kind,
            started_on=today,
            reason=(reason or "").strip(),
            assigned_by=actor,
        )
        save_school(
            actor=actor,
            partnership=locked.partnership,
            school=locked,
            record_caseload=False,
            challenge_adviser=adviser,
        )
        record_event(
            partnership=locked.partnership_id,
            actor=actor,
            action="casework.adviser_assigned",
            target=locked,
            detail={"from": previous_id, "to": adviser.pk, "kind": kind},
            request=request,
        )
    school.challenge_adviser = adviser
    return assignment


def save_adviser_team(
    *,
    actor: Any,
    partnership: Partnership,
    name: str,
    senior_adviser: Any,
    advisers: Iterable[Any],
    team: AdviserTeam | None = None,
) -> AdviserTeam:
    """Create or update a senior CA's team of advisers."""
    if not policies.can_manage_rounds(actor, partnership):
        raise PermissionDenied
    if not has_role(senior_adviser, partnership, Role.SENIOR_CA):
        raise ValidationError({"senior_adviser": _("Choose a senior challenge adviser.")})
    name = (name or "").strip()
    clash = AdviserTeam.objects.filter(partnership=partnership, name=name)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError({"name": _("Another team already has this name.")})
    with transaction.atomic():
        team = team or AdviserTeam(partnership=partnership)
        team.name = name
        team.senior_adviser = senior_adviser
        team.full_clean(exclude=["partnership"], validate_constraints=False)
        team.save()
        team.advisers.set(list(advisers))
    return team


# --- Visits ----------------------------------------------------------------------------------


def _check_visit_dates(visited_on: Any, next_visit_on: Any) -> None:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if not isinstance(visited_on, datetime.date):
        errors["visited_on"] = _("Enter the date of the visit.")
    elif visited_on > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        errors["visited_on"] = _("A visit cannot be dated more than a year ahead.")
    if next_visit_on and isinstance(visited_on, datetime.date) and next_visit_on < visited_on:
        errors["next_visit_on"] = _("The next visit must be after this one.")
    if next_visit_on and next_visit_on > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        errors["next_visit_on"] = _("The next visit cannot be more than a year ahead.")
    if errors:
        raise ValidationError(errors)


VISIT_FIELDS = ("visited_on", "focus", "met_with", "findings", "next_visit_on")


def start_visit(
    *,
    actor: Any,
    school: School,
    visited_on: datetime.date,
    focus: str,
    request: HttpRequest | None = None,
) -> CaseworkVisit:
    """Start a draft visit note for a school on the actor's caseload."""
    try:
        if not policies.can_record_visit(actor, school):
            raise PermissionDenied(_("Only the school's challenge adviser records its visits."))
        focus = (focus or "").strip()
        _check_visit_dates(visited_on, None)
        if not focus:
            raise ValidationError({"focus": _("Say what the visit was about.")})
    except (ValidationError, PermissionDenied) as error:
        _refuse(
            partnership_id=school.partnership_id,
            actor=actor,
            action="casework.visit_refused",
            target=school,
            error=error,
            request=request,
            detail={"visited_on": str(visited_on)},
        )
    return CaseworkVisit.objects.create(
        partnership_id=school.partnership_id,
        school=school,
        adviser=actor,
        visited_on=visited_on,
        focus=focus,
    )


def save_visit(
    *, actor: Any, visit: CaseworkVisit, request: HttpRequest | None = None, **fields: Any
) -> CaseworkVisit:
    """Save (or autosave) a draft visit note."""
    unknown = set(fields) - set(VISIT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown visit fields: {sorted(unknown)}")
    try:
        if not policies.can_edit_visit(actor, visit):
            raise PermissionDenied(_("Only the adviser who wrote a draft may change it."))
        values = {name: fields.get(name, getattr(visit, name)) for name in VISIT_FIELDS}
        values["focus"] = (values["focus"] or "").strip()
        _check_visit_dates(values["visited_on"], values["next_visit_on"])
        if not values["focus"]:
            raise ValidationError({"focus": _("Say what the visit was about.")})
    except (ValidationError, PermissionDenied) as error:
        _refuse(
            partnership_id=visit.partnership_id,
            actor=actor,
            action="casework.visit_refused",
            target=visit,
            error=error,
            request=request,
        )
    with transaction.atomic():
        locked = CaseworkVisit.objects.select_for_update().get(pk=visit.pk)
        if locked.is_shared:
            raise ValidationError(_("This note has been shared, so it can no longer change."))
        changed = [name for name in VISIT_FIELDS if getattr(locked, name) != values[name]]
        for name in changed:
            setattr(locked, name, values[name])
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
    return locked


def share_visit(
    *, actor: Any, visit: CaseworkVisit, request: HttpRequest | None = None
) -> CaseworkVisit:
    """Share the note with the school: its headteachers see it and are emailed once."""
    if not policies.can_share_visit(actor, visit):
        raise PermissionDenied
    with transaction.atomic():
        locked = CaseworkVisit.objects.select_for_update().get(pk=visit.pk)
        if not (locked.findings or "").strip():
            raise ValidationError({"findings": _("Write the findings before sharing the note.")})
        locked.status = CaseworkVisit.Status.SHARED
        locked.shared_at = timezone.now()
        locked.save(update_fields=["status", "shared_at", "updated_at"])
        record_event(
            partnership=locked.partnership_id,
            actor=actor,
            action="casework.visit_shared",
            target=locked,
            request=request,
        )
        partnership = locked.partnership
        _send(
            partnership=partnership,
            key=f"casework:visit-shared:{locked.pk}",
            recipients=_headteachers([locked.school_id]),
            subject=gettext_lazy("A visit note was shared with you – %(partnership)s"),
            template="casework/email/visit_shared.txt",
            context={
                "visit": locked,
                "url": _url(partnership, "casework:visit_detail", pk=locked.pk),
            },
        )
    return locked


def add_action(
    *,
    actor: Any,
    visit: CaseworkVisit,
    description: str,
    owner: str,
    due_on: datetime.date,
    request: HttpRequest | None = None,
) -> VisitAction:
    """Add an agreed action (owner, due date) to a visit note."""
    if not policies.can_add_action(actor, visit):
        raise PermissionDenied
    errors = {}
    if not (description or "").strip():
        errors["description"] = _("Say what is to be done.")
    if not (owner or "").strip():
        errors["owner"] = _("Say who will do it.")
    if not isinstance(due_on, datetime.date):
        errors["due_on"] = _("Enter the date it is due.")
    elif due_on > timezone.localdate() + datetime.timedelta(days=2 * MAX_DAYS_AHEAD):
        errors["due_on"] = _("An action cannot be due more than two years ahead.")
    if errors:
        raise ValidationError(errors)
    return VisitAction.objects.create(
        partnership_id=visit.partnership_id,
        visit=visit,
        school_id=visit.school_id,
        description=description.strip(),
        owner=owner.strip(),
        due_on=due_on,
    )


def update_action(*, actor: Any, action: VisitAction, status: str) -> VisitAction:
    """Record an action's progress; a done action leaves the school page and dashboard."""
    if not policies.can_update_action(actor, action):
        raise PermissionDenied
    if status not in VisitAction.Status.values:
        raise ValidationError({"status": _("Choose not started, in progress or done.")})
    with transaction.atomic():
        locked = VisitAction.objects.select_for_update().get(pk=action.pk)
        locked.status = status
        locked.done_at = timezone.now() if status == VisitAction.Status.DONE else None
        locked.save(update_fields=["status", "done_at"])
    return locked


def add_comment(
    *, actor: Any, visit: CaseworkVisit, text: str, request: HttpRequest | None = None
) -> VisitComment:
    """Comment on a shared note; the adviser hears of a headteacher's comment."""
    if not policies.can_comment_on_visit(actor, visit):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a comment.")})
    with transaction.atomic():
        comment = VisitComment.objects.create(
            partnership_id=visit.partnership_id, visit=visit, author=actor, text=text
        )
        if actor.pk != visit.adviser_id:
            partnership = visit.partnership
            _send(
                partnership=partnership,
                key=f"casework:visit-comment:{comment.pk}",
                recipients=[visit.adviser],
                subject=gettext_lazy("A comment on your visit note – %(partnership)s"),
                template="casework/email/visit_comment.txt",
                context={
                    "visit": visit,
                    "comment": comment,
                    "url": _url(partnership, "casework:visit_detail", pk=visit.pk),
                },
            )
    return comment


def reminder_days() -> int:
    return int(getattr(settings, "CASEWORK_ACTION_REMINDER_DAYS", 7))


def send_action_reminders(*, partnership: Partnership, today: datetime.date | None = None) -> int:
    """Email the adviser and headteachers about open actions of shared notes that fall due
    within CASEWORK_ACTION_REMINDER_DAYS, and once more when they are overdue. The outbox
    key (action, due date, kind, person) makes a second run send nothing."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=reminder_days())
    actions = list(
        VisitAction.objects.filter(
            status__in=VisitAction.OPEN_STATUSES,
            visit__status=CaseworkVisit.Status.SHARED,
            due_on__lte=horizon,
        ).select_related("visit__adviser", "school")
    )
    heads: dict[int, list[Any]] = {}
    for member in Membership.objects.filter(
        role=Role.HEADTEACHER, school_id__in={a.school_id for a in actions}
    ).select_related("user"):
        heads.setdefault(member.school_id, []).append(member.user)
    sent = 0
    for action in actions:
        kind = "overdue" if action.due_on < today else "due"
        recipients = {u.pk: u for u in [action.visit.adviser, *heads.get(action.school_id, [])]}
        subject = (
            gettext_lazy("An agreed action is overdue – %(partnership)s")
            if kind == "overdue"
            else gettext_lazy("An agreed action is due soon – %(partnership)s")
        )
        with transaction.atomic():
            sent += _send(
                partnership=partnership,
                key=f"casework:action-{kind}:{action.pk}:{action.due_on.isoformat()}",
                recipients=recipients.values(),
                subject=subject,
                template="casework/email/action_due.txt",
                context={
                    "action": action,
                    "overdue": kind == "overdue",
                    "url": _url(partnership, "casework:visit_detail", pk=action.visit_id),
                },
            )
    return sent


def send_round_reminders(*, partnership: Partnership, today: datetime.date | None = None) -> int:
    """In the week before a round's deadline, remind the headteachers whose self-evaluation
    is not submitted (self-evaluation stage) and the advisers whose proposals are not made
    (proposal stage). Once per record, stage and person (the outbox key)."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=reminder_days())
    sent = 0
    for round_ in CategorisationRound.objects.filter(
        stage__in=[RoundStage.SELF_EVALUATION, RoundStage.PROPOSAL]
    ):
        self_evaluation = round_.stage == RoundStage.SELF_EVALUATION
        due = round_.self_evaluation_due if self_evaluation else round_.proposals_due
        if not today <= due <= horizon:
            continue
        # Before the proposal deadline, every record without a proposal is waiting.
        statuses = [SchoolCategorisation.Status.NOT_STARTED]
        if not self_evaluation:
            statuses.append(SchoolCategorisation.Status.SELF_EVALUATED)
        waiting = list(
            round_.records.select_related("school__challenge_adviser").filter(status__in=statuses)
        )
        heads: dict[int, list[Any]] = {}
        if self_evaluation:
            for member in Membership.objects.filter(
                role=Role.HEADTEACHER, school_id__in=[r.school_id for r in waiting]
            ).select_related("user"):
                heads.setdefault(member.school_id, []).append(member.user)
        for record in waiting:
            recipients = (
                heads.get(record.school_id, [])
                if self_evaluation
                else [record.school.challenge_adviser]
            )
            with transaction.atomic():
                sent += _send(
                    partnership=partnership,
                    key=f"casework:round-due:{record.pk}:{round_.stage}",
                    recipients=recipients,
                    subject=gettext_lazy("Categorisation round: due soon – %(partnership)s"),
                    template="casework/email/round_due.txt",
                    context={
                        "record": record,
                        "round": round_,
                        "due": due,
                        "self_evaluation": self_evaluation,
                        "url": _url(partnership, "casework:record_detail", pk=record.pk),
                    },
                )
    return sent


# --- Categorisation rounds -------------------------------------------------------------------

ROUND_FIELDS = (
    "name",
    "academic_year",
    "self_evaluation_due",
    "proposals_due",
    "moderation_on",
    "publish_on",
)


def _check_timetable(values: Mapping[str, Any]) -> None:
    order = ["self_evaluation_due", "proposals_due", "moderation_on", "publish_on"]
    for earlier, later in zip(order, order[1:], strict=False):
        if values[earlier] and values[later] and values[earlier] > values[later]:
            raise ValidationError(
                {
                    later: _(
                        "The timetable must run in order: self-evaluation, proposals, "
                        "moderation, publication."
                    )
                }
            )


def save_round(
    *,
    actor: Any,
    partnership: Partnership,
    round_: CategorisationRound | None = None,
    moderators: Iterable[Any] = (),
    **fields: Any,
) -> CategorisationRound:
    """Create a round (with a record for every school) or change its timetable."""
    if not policies.can_manage_rounds(actor, partnership):
        raise PermissionDenied
    unknown = set(fields) - set(ROUND_FIELDS)
    if unknown:
        raise TypeError(f"Unknown round fields: {sorted(unknown)}")
    moderators = list(moderators)
    heads = set(
        Membership.objects.filter(role=Role.HEADTEACHER, user__in=moderators).values_list(
            "user_id", flat=True
        )
    )
    if any(m.pk not in heads for m in moderators):
        raise ValidationError(
            {"moderators": _("The moderation panel's members named here must be headteachers.")}
        )
    _check_timetable(fields)
    with transaction.atomic():
        creating = round_ is None
        round_ = round_ or CategorisationRound(partnership=partnership, created_by=actor)
        for name, value in fields.items():
            setattr(round_, name, value)
        round_.full_clean(exclude=["partnership", "created_by"], validate_constraints=False)
        round_.save()
        round_.moderators.set(moderators)
        if creating:
            ensure_records(round_)
        record_event(
            partnership=partnership,
            actor=actor,
            action="casework.round_created" if creating else "casework.round_changed",
            target=round_,
        )
    return round_


def ensure_records(round_: CategorisationRound) -> int:
    """A record in the round for every school that has none yet (new schools join late)."""
    have = set(round_.records.values_list("school_id", flat=True))
    new = [
        SchoolCategorisation(partnership_id=round_.partnership_id, round=round_, school_id=pk)
        for pk in School.objects.filter(partnership_id=round_.partnership_id).values_list(
            "pk", flat=True
        )
        if pk not in have
    ]
    SchoolCategorisation.objects.bulk_create(new)
    return len(new)


def advance_round(
    *, actor: Any, round_: CategorisationRound, request: HttpRequest | None = None
) -> CategorisationRound:
    """Move the round to its next stage (self-evaluation -> proposal -> moderation ->
    complete): the "Move to the next stage" button. A round completes only when every
    proposed category is moderated."""
    if not policies.can_manage_rounds(actor, round_):
        raise PermissionDenied
    with transaction.atomic():
        locked = CategorisationRound.objects.select_for_update().get(pk=round_.pk)
        _move_to_next_stage(locked, actor=actor, request=request)
    round_.stage = locked.stage
    return locked


def _move_to_next_stage(
    locked: CategorisationRound,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Move a round (locked by the caller) one stage on, with its audit event: the one
    path for the button and the timetable."""
    index = STAGE_ORDER.index(locked.stage)
    if index == len(STAGE_ORDER) - 1:
        raise ValidationError(_("The round is already complete."))
    new_stage = STAGE_ORDER[index + 1]
    if new_stage == RoundStage.COMPLETE:
        waiting = locked.records.filter(status=SchoolCategorisation.Status.PROPOSED).count()
        if waiting:
            raise ValidationError(
                _("%(count)s proposals still wait for moderation.") % {"count": waiting}
            )
    if new_stage == RoundStage.PROPOSAL:
        ensure_records(locked)
    record_event(
        partnership=locked.partnership_id,
        actor=actor,
        action="casework.round_advanced",
        target=locked,
        detail={"from": locked.stage, "to": new_stage, **(detail or {})},
        request=request,
    )
    locked.stage = new_stage
    locked.save(update_fields=["stage"])


def stage_by_timetable(round_: CategorisationRound, today: datetime.date) -> str:
    """The stage a round's timetable has reached on `today`: proposals from the day after
    self-evaluations are due, moderation from the day after proposals are due. Never
    complete: only the moderation's outcomes complete a round."""
    if today > round_.proposals_due:
        return RoundStage.MODERATION
    if today > round_.self_evaluation_due:
        return RoundStage.PROPOSAL
    return RoundStage.SELF_EVALUATION


def advance_rounds_by_timetable(
    *, partnership: Partnership, today: datetime.date | None = None
) -> int:
    """Move every round of the partnership that is behind its timetable on to the stage
    the dates say (see stage_by_timetable), one stage at a time through the same path as
    the button, so each step has its audit event. Never backwards; a round already there
    (or moved on by hand) is left alone, so a repeated run does nothing. Returns the
    number of steps taken."""
    today = today or timezone.localdate()
    behind = CategorisationRound.objects.filter(partnership=partnership).filter(
        Q(stage=RoundStage.SELF_EVALUATION, self_evaluation_due__lt=today)
        | Q(stage=RoundStage.PROPOSAL, proposals_due__lt=today)
    )
    steps = 0
    for pk in list(behind.values_list("pk", flat=True)):
        with transaction.atomic():
            # Re-read under the lock: a concurrent run or the button may have moved it.
            locked = CategorisationRound.objects.select_for_update().get(pk=pk)
            target = STAGE_ORDER.index(stage_by_timetable(locked, today))
            while STAGE_ORDER.index(locked.stage) < target:
                _move_to_next_stage(
                    locked, actor=None, detail={"by": "timetable", "on": today.isoformat()}
                )
                steps += 1
    return steps


def publication_overdue(round_: CategorisationRound, today: datetime.date | None = None) -> bool:
    """The publication date has passed while the round still waits for its moderation
    (the timetable never completes a round by itself)."""
    return (
        round_.stage == RoundStage.MODERATION
        and (today or timezone.localdate()) > round_.publish_on
    )


def record_for(round_: CategorisationRound, school: School) -> SchoolCategorisation:
    record, _created = SchoolCategorisation.objects.get_or_create(
        round=round_, school=school, defaults={"partnership_id": round_.partnership_id}
    )
    return record


def save_self_evaluation(
    *,
    actor: Any,
    record: SchoolCategorisation,
    summary: str,
    judgements: Mapping[str, tuple[str, str]],
    submit: bool = False,
    request: HttpRequest | None = None,
) -> SchoolCategorisation:
    """The school's self-evaluation: a judgement with evidence for each area. Submitting
    needs every area judged with its evidence."""
    if not policies.can_edit_self_evaluation(actor, record):
        raise PermissionDenied
    errors: dict[str, str] = {}
    for area, (judgement, evidence) in judgements.items():
        if area not in EvaluationArea.values:
            raise ValidationError(_("Unknown area: %(area)s") % {"area": area})
        if judgement and judgement not in Judgement.values:
            errors[f"judgement_{area}"] = _("Choose a judgement from the list.")
        if judgement and not (evidence or "").strip():
            errors[f"evidence_{area}"] = _("Give the evidence for this judgement.")
    if submit:
        for area in EvaluationArea.values:
            judgement, _evidence = judgements.get(area, ("", ""))
            if not judgement:
                errors.setdefault(f"judgement_{area}", _("Judge every area before submitting."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = SchoolCategorisation.objects.select_for_update().get(pk=record.pk)
        locked.self_evaluation_summary = (summary or "").strip()
        existing = {j.area: j for j in locked.judgements.all()}
        for area, (judgement, evidence) in judgements.items():
            row = existing.get(area)
            if not judgement:
                if row is not None:
                    row.delete()
                continue
            row = row or SelfEvaluationJudgement(
                partnership_id=locked.partnership_id, record=locked, area=area
            )
            row.judgement, row.evidence = judgement, evidence.strip()
            row.save()
        fields = ["self_evaluation_summary", "updated_at"]
        if submit:
            locked.self_evaluation_submitted_at = timezone.now()
            if locked.status == SchoolCategorisation.Status.NOT_STARTED:
                locked.status = SchoolCategorisation.Status.SELF_EVALUATED
            fields += ["self_evaluation_submitted_at", "status"]
            record_event(
                partnership=locked.partnership_id,
                actor=actor,
                action="casework.self_evaluation_submitted",
                target=locked,
                request=request,
            )
        locked.save(update_fields=fields)
    return locked


def _category_error(category: str) -> dict[str, str]:
    if category not in SupportCategory.values:
        return {"category": _("Choose green, yellow, amber or red.")}
    return {}


def propose_category(
    *,
    actor: Any,
    record: SchoolCategorisation,
    category: str,
    rationale: str,
    standards_group: str = "",
    improvement_capacity: str = "",
    request: HttpRequest | None = None,
) -> SchoolCategorisation:
    """The school's challenge adviser proposes a support category, with the rationale and
    the partnership's own judgements, while the round takes proposals."""
    rationale = (rationale or "").strip()
    try:
        if not policies.may_propose(actor, record):
            raise PermissionDenied(
                _("Only the school's challenge adviser may propose its category.")
            )
        if record.round.stage != RoundStage.PROPOSAL:
            raise ValidationError(_("The round is not taking proposals at this stage."))
        errors = _category_error(category)
        if not rationale:
            errors["rationale"] = _("Give the rationale for the proposed category.")
        if standards_group and standards_group not in StandardsGroup.values:
            errors["standards_group"] = _("Choose a standards group from the list.")
        if improvement_capacity and improvement_capacity not in ImprovementCapacity.values:
            errors["improvement_capacity"] = _("Choose an improvement capacity from the list.")
        if errors:
            raise ValidationError(errors)
    except (ValidationError, PermissionDenied) as error:
        _refuse(
            partnership_id=record.partnership_id,
            actor=actor,
            action="casework.category_change_refused",
            target=record.school,
            error=error,
            request=request,
            detail={"step": "proposal", "category": str(category)[:20]},
        )
    with transaction.atomic():
        locked = SchoolCategorisation.objects.select_for_update().get(pk=record.pk)
        locked.proposed_category = category
        locked.proposal_rationale = rationale
        locked.standards_group = standards_group
        locked.improvement_capacity = improvement_capacity
        locked.proposed_by = actor
        locked.proposed_at = timezone.now()
        locked.status = SchoolCategorisation.Status.PROPOSED
        locked.save()
        record_event(
            partnership=locked.partnership_id,
            actor=actor,
            action="casework.category_proposed",
            target=locked.school,
            detail={"category": category, "round": locked.round_id},
            request=request,
        )
    return locked


def moderate_category(
    *,
    actor: Any,
    record: SchoolCategorisation,
    category: str,
    reason: str,
    dissent: str = "",
    request: HttpRequest | None = None,
) -> SchoolCategorisation:
    """The moderation confirms or changes a proposal, and says why. The confirmed
    category becomes the school's current, moderated category (a new entry in its
    category history), which is what brokerage ranks by."""
    reason = (reason or "").strip()
    try:
        if not policies.may_moderate(actor, record):
            raise PermissionDenied(_("Only the round's moderators may confirm a category."))
        if record.round.stage != RoundStage.MODERATION:
            raise ValidationError(_("The round is not in moderation."))
        if not record.proposed_category:
            raise ValidationError(_("The challenge adviser has not proposed a category yet."))
        errors = _category_error(category)
        if not reason:
            errors["reason"] = _("Record why the moderation confirmed or changed the category.")
        if errors:
            raise ValidationError(errors)
    except (ValidationError, PermissionDenied) as error:
        _refuse(
            partnership_id=record.partnership_id,
            actor=actor,
            action="casework.category_change_refused",
            target=record.school,
            error=error,
            request=request,
            detail={"step": "moderation", "category": str(category)[:20]},
        )
    with transaction.atomic():
        locked = SchoolCategorisation.objects.select_for_update().get(pk=record.pk)
        outcome = (
            ModerationOutcome.CONFIRMED
            if category == locked.proposed_category
            else ModerationOutcome.CHANGED
        )
        note = _("Moderated in %(round)s.") % {"round": locked.round.name}
        change = set_support_category(
            actor=actor,
            school=locked.school,
            category=category,
            reason=f"{reason}\n\n{note}",
            moderated=True,
            request=request,
            detail={"round": locked.round_id, "outcome": outcome},
        )
        locked.final_category = category
        locked.moderation_outcome = outcome
        locked.moderation_reason = reason
        locked.moderation_dissent = (dissent or "").strip()
        locked.moderated_by = actor
        locked.moderated_at = timezone.now()
        locked.category_change = change
        locked.status = SchoolCategorisation.Status.CONFIRMED
        locked.save()
        record_event(
            partnership=locked.partnership_id,
            actor=actor,
            action="casework.category_moderated",
            target=locked.school,
            detail={
                "round": locked.round_id,
                "proposed": locked.proposed_category,
                "final": category,
                "outcome": outcome,
            },
            request=request,
        )
    return locked


def respond_to_category(
    *,
    actor: Any,
    record: SchoolCategorisation,
    agrees: bool,
    response: str,
    request: HttpRequest | None = None,
) -> SchoolCategorisation:
    """The school says whether it agrees with its final category; a disagreement needs
    its reasons and stays on the record."""
    if not policies.can_respond(actor, record):
        raise PermissionDenied
    response = (response or "").strip()
    if not agrees and not response:
        raise ValidationError({"response": _("Say why the school disagrees.")})
    with transaction.atomic():
        locked = SchoolCategorisation.objects.select_for_update().get(pk=record.pk)
        locked.school_agrees = agrees
        locked.school_response = response
        locked.school_responded_by = actor
        locked.school_responded_at = timezone.now()
        locked.save()
        record_event(
            partnership=locked.partnership_id,
            actor=actor,
            action="casework.category_response",
            target=locked.school,
            detail={"agrees": agrees},
            request=request,
        )
    return locked
