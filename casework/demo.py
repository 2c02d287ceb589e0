"""Casework demo data for `manage.py seed_demo` (see docs/demo.md and docs/casework.md).

Everything is invented and comes from the context's fixed random seeds. In each demo
partnership it adds:

- the caseload history: an open assignment for every school's current adviser, and the
  senior CA's team of all the challenge advisers;
- a year of visit notes for the first VISITED_SCHOOLS schools (and every school of the
  printed challenge adviser): a visit about every two months, shared with the school,
  with agreed actions (older ones done, recent ones open, a few overdue), a headteacher's
  comment now and then, and one draft the printed adviser is still writing;
- last year's categorisation round, complete: self-evaluations, proposals and the
  moderation's decisions (a few changed, with reasons and a recorded disagreement);
- this year's round in progress, at the proposal stage: most schools have self-evaluated,
  some already have a proposal.

Idempotent: visits are added only to schools that have none, rounds are found by name and
records by (round, school), so a second run adds nothing and changes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from partnership.demo import DemoContext
from partnership.models import Membership, Role
from schools.models import CATEGORY_PRIORITY, CategoryChange, School, SupportCategory

from .models import (
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

#: Visit notes are written for this many schools of the plan at most (plus the printed
#: adviser's caseload), so a scale run with thousands of schools stays fast.
VISITED_SCHOOLS = 60
VISITS_PER_SCHOOL = 6
BATCH_SIZE = 500

FOCUSES = (
    (
        "Progress on the school development plan",
        "The plan's three priorities are on track; middle leaders now lead the literacy priority.",
    ),
    (
        "Teaching of reading in key stage 2",
        "Guided reading is consistent in years 3 and 4; "
        "years 5 and 6 still vary. Fluency practice is not yet daily.",
    ),
    (
        "Self-evaluation and monitoring",
        "Monitoring is regular but records describe rather "
        "than evaluate; governors receive little on impact.",
    ),
    (
        "Attendance and wellbeing",
        "Attendance has risen by two points; persistent absence "
        "is concentrated in two families the school knows well.",
    ),
    (
        "Numeracy across the curriculum",
        "Mathematical reasoning is planned in science; humanities rarely use data.",
    ),
    (
        "Additional learning needs",
        "Individual development plans are up to date; "
        "support staff need training on the new plans.",
    ),
)
ACTIONS = (
    ("Share the monitoring calendar with governors", "Headteacher"),
    ("Moderate year 6 writing with the cluster", "Deputy headteacher"),
    ("Daily fluency practice in years 5 and 6", "Literacy lead"),
    ("Analyse attendance by group each half term", "Attendance officer"),
    ("Plan one data task per humanities unit", "Humanities lead"),
    ("Training for support staff on development plans", "ALN coordinator"),
)
MET = "Headteacher; deputy headteacher; chair of governors"
JUDGEMENTS = [Judgement.EXCELLENT, Judgement.GOOD, Judgement.ADEQUATE, Judgement.UNSATISFACTORY]
BY_PRIORITY = {p: c for c, p in CATEGORY_PRIORITY.items()}


def _academic_year(day: datetime.date) -> str:
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}/{str(start + 1)[-2:]}"


def _neighbour(category: str, step: int) -> str:
    """The category one step more (step=-1) or less (step=1) in need of support."""
    priority = CATEGORY_PRIORITY.get(category, 3) + step
    return BY_PRIORITY[min(max(priority, 0), 3)]


def seed_casework(ctx: DemoContext) -> None:
    schools = list(
        School.objects.filter(official_number__in=list(ctx.schools)).select_related(
            "challenge_adviser"
        )
    )
    if not schools:
        return
    schools.sort(key=lambda s: s.official_number)
    heads = _headteachers()
    _seed_caseloads(ctx, schools)
    _seed_visits(ctx, schools, heads)
    _seed_rounds(ctx, schools, heads)


def _headteachers() -> dict[int, Any]:
    heads: dict[int, Any] = {}
    for member in Membership.objects.filter(role=Role.HEADTEACHER).select_related("user"):
        heads.setdefault(member.school_id, member.user)
    return heads


def _seed_caseloads(ctx: DemoContext, schools: list[School]) -> None:
    started = (ctx.now - datetime.timedelta(days=400)).date()
    have = set(
        CaseloadAssignment.objects.filter(ended_on__isnull=True).values_list("school_id", flat=True)
    )
    new = [
        CaseloadAssignment(
            partnership=ctx.partnership,
            school=school,
            adviser=school.challenge_adviser,
            kind=AdviserKind.CHALLENGE_ADVISER,
            started_on=started,
            reason="Caseloads set at the start of the year.",
        )
        for school in schools
        if school.challenge_adviser_id and school.pk not in have
    ]
    CaseloadAssignment.objects.bulk_create(new, batch_size=BATCH_SIZE)
    ctx.count(CaseloadAssignment, len(new))
    senior = ctx.logins.get(Role.SENIOR_CA)
    if senior is None or not ctx.advisers:
        return
    name = "Challenge advisers"
    if not AdviserTeam.objects.filter(name=name).exists():
        team = AdviserTeam.objects.create(
            partnership=ctx.partnership, name=name, senior_adviser=senior
        )
        team.advisers.set(list(ctx.advisers.values()))
        ctx.count(AdviserTeam, 1)


def _seed_visits(ctx: DemoContext, schools: list[School], heads: dict[int, Any]) -> None:
    printed = ctx.advisers.get(1)
    chosen = schools[:VISITED_SCHOOLS] + [
        s for s in schools[VISITED_SCHOOLS:] if printed and s.challenge_adviser_id == printed.pk
    ]
    visited = set(CaseworkVisit.objects.values_list("school_id", flat=True).distinct())
    chosen = [s for s in chosen if s.challenge_adviser_id and s.pk not in visited]
    if not chosen:
        return
    today = timezone.localdate()
    now = timezone.now()
    visits: list[CaseworkVisit] = []
    plan: list[tuple[CaseworkVisit, int]] = []
    draft_given = False
    for school in chosen:
        rng = ctx.random("casework-visits", school.official_number)
        offset = rng.randint(0, 20)
        for number in range(VISITS_PER_SCHOOL):
            days_ago = 350 - number * 60 - offset
            visited_on = today - datetime.timedelta(days=max(days_ago, 3))
            last = number == VISITS_PER_SCHOOL - 1
            focus, findings = FOCUSES[(number + offset) % len(FOCUSES)]
            draft = last and not draft_given and printed and school.challenge_adviser == printed
            draft_given = draft_given or bool(draft)
            visit = CaseworkVisit(
                partnership=ctx.partnership,
                school=school,
                adviser=school.challenge_adviser,
                visited_on=visited_on,
                focus=focus,
                met_with=MET,
                findings=findings,
                next_visit_on=visited_on + datetime.timedelta(days=60),
                status=CaseworkVisit.Status.DRAFT if draft else CaseworkVisit.Status.SHARED,
                shared_at=None if draft else now - datetime.timedelta(days=max(days_ago - 2, 1)),
            )
            visits.append(visit)
            plan.append((visit, (number + offset) % len(ACTIONS)))
    CaseworkVisit.objects.bulk_create(visits, batch_size=BATCH_SIZE)
    ctx.count(CaseworkVisit, len(visits))
    actions: list[VisitAction] = []
    comments: list[VisitComment] = []
    for visit, index in plan:
        rng = ctx.random("casework-actions", visit.school.official_number, visit.visited_on)
        for extra in range(1 + rng.randint(0, 1)):
            description, owner = ACTIONS[(index + extra) % len(ACTIONS)]
            due_on = visit.visited_on + datetime.timedelta(days=30 + 15 * extra)
            done = due_on < today - datetime.timedelta(days=20) and rng.random() < 0.85
            status = VisitAction.Status.DONE if done else VisitAction.Status.OPEN
            if not done and due_on >= today and rng.random() < 0.4:
                status = VisitAction.Status.IN_PROGRESS
            actions.append(
                VisitAction(
                    partnership=ctx.partnership,
                    visit=visit,
                    school=visit.school,
                    description=description,
                    owner=owner,
                    due_on=due_on,
                    status=status,
                    done_at=now if done else None,
                )
            )
        head = heads.get(visit.school_id)
        if head is not None and visit.is_shared and rng.random() < 0.3:
            comments.append(
                VisitComment(
                    partnership=ctx.partnership,
                    visit=visit,
                    author=head,
                    text="Thank you: a fair summary. We will bring the governors' view "
                    "to the next visit.",
                )
            )
    VisitAction.objects.bulk_create(actions, batch_size=BATCH_SIZE)
    VisitComment.objects.bulk_create(comments, batch_size=BATCH_SIZE)
    ctx.count(VisitAction, len(actions))
    ctx.count(VisitComment, len(comments))


def _judgement_for(category: str, area_index: int, rng: Any) -> str:
    base = CATEGORY_PRIORITY.get(category, 2)  # red 0 .. green 3
    index = max(0, min(3, 3 - base + rng.choice((-1, 0, 0, 1)) - (area_index == 0)))
    return JUDGEMENTS[min(index, 3)]


def _seed_rounds(ctx: DemoContext, schools: list[School], heads: dict[int, Any]) -> None:
    today = timezone.localdate()
    this_year = _academic_year(today)
    last_year = _academic_year(today - datetime.timedelta(days=365))
    moderators = [heads[s.pk] for s in schools[:3] if s.pk in heads]
    senior = ctx.logins.get(Role.SENIOR_CA)
    latest = {}
    for change in CategoryChange.objects.filter(school__in=schools).order_by("set_at", "id"):
        latest[change.school_id] = change

    def ensure_round(name: str, year: str, start: datetime.date, stage: str):
        round_ = CategorisationRound.objects.filter(name=name).first()
        if round_ is None:
            round_ = CategorisationRound.objects.create(
                partnership=ctx.partnership,
                name=name,
                academic_year=year,
                self_evaluation_due=start,
                proposals_due=start + datetime.timedelta(days=21),
                moderation_on=start + datetime.timedelta(days=35),
                publish_on=start + datetime.timedelta(days=42),
                stage=stage,
                created_by=senior,
            )
            round_.moderators.set(moderators)
            ctx.count(CategorisationRound, 1)
        return round_

    done = ensure_round(
        f"Categorisation {last_year}",
        last_year,
        today - datetime.timedelta(days=330),
        RoundStage.COMPLETE,
    )
    live = ensure_round(
        f"Categorisation {this_year}",
        this_year,
        today - datetime.timedelta(days=10),
        RoundStage.PROPOSAL,
    )
    records: list[SchoolCategorisation] = []
    judgements: list[tuple[SchoolCategorisation, str, int, Any]] = []
    have = set(SchoolCategorisation.objects.values_list("round_id", "school_id"))
    completed_at = timezone.now() - datetime.timedelta(days=290)
    for position, school in enumerate(schools):
        rng = ctx.random("casework-round", school.official_number)
        adviser = school.challenge_adviser
        final = school.support_category or SupportCategory.YELLOW
        if (done.pk, school.pk) not in have:
            changed = position % 9 == 4
            proposed = _neighbour(final, rng.choice((-1, 1))) if changed else final
            disagrees = changed and position % 2 == 0
            record = SchoolCategorisation(
                partnership=ctx.partnership,
                round=done,
                school=school,
                status=SchoolCategorisation.Status.CONFIRMED,
                self_evaluation_summary="Our self-evaluation, agreed with governors.",
                self_evaluation_submitted_at=completed_at - datetime.timedelta(days=30),
                proposed_category=proposed,
                proposal_rationale="Outcomes, the quality of teaching and leadership capacity "
                "over three years, with the school's own evaluation.",
                standards_group=StandardsGroup.values[min(3, 3 - CATEGORY_PRIORITY[final])],
                improvement_capacity=ImprovementCapacity.values[
                    min(3, 3 - CATEGORY_PRIORITY[final])
                ],
                proposed_by=adviser,
                proposed_at=completed_at - datetime.timedelta(days=14),
                final_category=final,
                moderation_outcome=(
                    ModerationOutcome.CHANGED if changed else ModerationOutcome.CONFIRMED
                ),
                moderation_reason=(
                    "The meeting weighed the latest outcomes and the school's capacity to "
                    "improve, and moved the category."
                    if changed
                    else "The evidence supports the proposal."
                ),
                moderation_dissent=(
                    "Two members would have kept the proposed category." if changed else ""
                ),
                moderated_by=senior,
                moderated_at=completed_at,
                category_change=latest.get(school.pk),
                school_agrees=not disagrees,
                school_response=(
                    "We believe our recent data shows a stronger picture than the final category."
                    if disagrees
                    else ""
                ),
                school_responded_by=heads.get(school.pk),
                school_responded_at=completed_at + datetime.timedelta(days=7),
            )
            records.append(record)
            judgements += [(record, area, i, rng) for i, area in enumerate(EvaluationArea.values)]
        if (live.pk, school.pk) not in have:
            state = position % 3
            record = SchoolCategorisation(partnership=ctx.partnership, round=live, school=school)
            if state in (1, 2):
                record.status = SchoolCategorisation.Status.SELF_EVALUATED
                record.self_evaluation_summary = "This year's self-evaluation."
                record.self_evaluation_submitted_at = timezone.now() - datetime.timedelta(days=3)
                judgements += [
                    (record, area, i, rng) for i, area in enumerate(EvaluationArea.values)
                ]
            if state == 2:
                record.status = SchoolCategorisation.Status.PROPOSED
                record.proposed_category = final
                record.proposal_rationale = "Steady picture since last year's moderation."
                record.proposed_by = adviser
                record.proposed_at = timezone.now() - datetime.timedelta(days=1)
            records.append(record)
    SchoolCategorisation.objects.bulk_create(records, batch_size=BATCH_SIZE)
    ctx.count(SchoolCategorisation, len(records))
    rows = [
        SelfEvaluationJudgement(
            partnership=ctx.partnership,
            record=record,
            area=area,
            judgement=_judgement_for(record.school.support_category, index, rng),
            evidence="Outcomes data, lesson visits and work scrutiny this year.",
        )
        for record, area, index, rng in judgements
    ]
    SelfEvaluationJudgement.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    ctx.count(SelfEvaluationJudgement, len(rows))
