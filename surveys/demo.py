"""Surveys demo data for `manage.py seed_demo` (see docs/demo.md and docs/surveys.md).

What it adds in each demo partnership, from the context's fixed random seeds:

- the partnership's survey settings (the defaults);
- a **closed** needs survey round for this academic year, answered by about three in four
  of the first schools, with rankings that lean towards a few areas (and differ by phase
  and language medium), so the regional-need charts show a real shape;
- an **open** round for next year with some schools submitted and some in draft, so the
  printed headteacher has a survey to answer and the admin sees a response rate;
- impact survey invitations at the start, the end and six months after for the confirmed
  participants of several programmes, most answered, with scores that rise by the end and
  partly hold at six months (differently per programme).

Idempotent: rounds are found by name, responses by (round, school), invitations by
(enrolment, point); a second run adds nothing and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from partnership.demo import DemoContext
from partnership.models import Area, Role
from schools.models import LanguageMedium, Phase

from .models import (
    DeliveryMode,
    ImpactInvitation,
    ImpactResponse,
    NeedsAreaPriority,
    NeedsSurveyResponse,
    NeedsSurveyRound,
    PreferredLanguage,
    SurveyPoint,
    SurveySettings,
)

#: Needs survey responses come from this many schools of the plan at most.
MAX_SCHOOLS = 300
#: Impact surveys are seeded for this many programmes with confirmed participants.
MAX_PROGRAMMES = 6
BATCH_SIZE = 500

COMMENTS = (
    "The gap tasks between sessions made us try things straight away.",
    "Good to hear what other schools are doing; I took two ideas back to my team.",
    "Pitched a little high for early career teachers, but well worth it.",
    "",
    "",
)
LASTED = (
    "We still use the questioning routine every day.",
    "Weekly planning now starts from the reading spine.",
    "Less than I hoped: staffing changes got in the way.",
)
SPREAD = (
    "Two colleagues in my phase use it too.",
    "It is in our school improvement plan for next year.",
    "",
)


def seed_surveys(ctx: DemoContext) -> None:
    """Survey settings, a closed and an open needs round, and impact survey answers."""
    partnership = ctx.partnership
    if not SurveySettings.objects.exists():
        SurveySettings.objects.create(partnership=partnership)
        ctx.count(SurveySettings, 1)
    areas = list(Area.objects.filter(is_active=True).order_by("position", "pk"))
    if areas and ctx.schools:
        _seed_rounds(ctx, areas)
    _seed_impact(ctx)


def _academic_year(offset: int, ctx: DemoContext) -> str:
    today = timezone.localdate(ctx.now)
    start = (today.year if today.month >= 9 else today.year - 1) + offset
    return f"{start}/{(start + 1) % 100:02d}"


def _seed_rounds(ctx: DemoContext, areas: list[Area]) -> None:
    partnership = ctx.partnership
    today = timezone.localdate(ctx.now)
    schools = sorted(ctx.schools.values(), key=lambda s: s.official_number)[:MAX_SCHOOLS]
    closed_name = f"Needs survey {_academic_year(0, ctx)}"
    open_name = f"Needs survey {_academic_year(1, ctx)}"
    existing = {
        r.name: r for r in NeedsSurveyRound.objects.filter(name__in=[closed_name, open_name])
    }
    specs = [
        (closed_name, _academic_year(0, ctx), NeedsSurveyRound.Status.CLOSED, -150, 0.75, 0.0),
        (open_name, _academic_year(1, ctx), NeedsSurveyRound.Status.OPEN, 21, 0.3, 0.15),
    ]
    for name, year, status, deadline_days, submitted_share, draft_share in specs:
        round_ = existing.get(name)
        if round_ is None:
            round_ = NeedsSurveyRound.objects.create(
                partnership=partnership,
                name=name,
                academic_year=year,
                deadline=today + timedelta(days=deadline_days),
                status=status,
                introduction="Tell us what your school needs so panels can commission it.",
                created_by=ctx.logins.get(Role.PARTNERSHIP_ADMIN),
                opened_at=ctx.now + timedelta(days=deadline_days - 28),
                closed_at=ctx.now + timedelta(days=deadline_days)
                if status == NeedsSurveyRound.Status.CLOSED
                else None,
            )
            ctx.count(NeedsSurveyRound, 1)
        _seed_responses(ctx, round_, schools, areas, submitted_share, draft_share)


def _area_weights(areas: list[Area], school) -> list[float]:
    """Every school leans towards the first areas; Welsh-medium schools towards Welsh,
    secondaries towards the later (subject) areas."""
    weights = []
    for i, area in enumerate(areas):
        weight = 1.0 + max(0, 6 - i) * 0.8
        if school.language_medium != LanguageMedium.ENGLISH and "welsh" in area.slug:
            weight += 6
        if school.phase == Phase.SECONDARY and i >= len(areas) // 2:
            weight += 3
        weights.append(weight)
    return weights


def _seed_responses(ctx, round_, schools, areas, submitted_share, draft_share) -> None:
    done = set(NeedsSurveyResponse.objects.filter(round=round_).values_list("school_id", flat=True))
    rng = ctx.random("surveys", "needs", round_.name)
    heads = _heads_by_school([s.pk for s in schools])
    new_responses, rankings = [], []
    for school in schools:
        roll = rng.random()
        ranked = _weighted_sample(rng, areas, _area_weights(areas, school), 3)
        mode = rng.choice(DeliveryMode.values)
        # Every draw happens before deciding, so a second run draws the same numbers.
        language = rng.choice([PreferredLanguage.ENGLISH, PreferredLanguage.BILINGUAL])
        if school.language_medium == LanguageMedium.WELSH:
            language = PreferredLanguage.WELSH
        if school.pk in done or roll >= submitted_share + draft_share:
            continue
        submitted = roll < submitted_share
        new_responses.append(
            NeedsSurveyResponse(
                partnership=ctx.partnership,
                round=round_,
                school=school,
                needs=f"Support with {ranked[0].name.lower()} across the school.",
                delivery_mode=mode,
                language=language,
                status=NeedsSurveyResponse.Status.SUBMITTED
                if submitted
                else NeedsSurveyResponse.Status.DRAFT,
                updated_by_id=heads.get(school.pk),
                submitted_at=ctx.now if submitted else None,
            )
        )
        rankings.append(ranked)
    NeedsSurveyResponse.objects.bulk_create(new_responses, batch_size=BATCH_SIZE)
    ctx.count(NeedsSurveyResponse, len(new_responses))
    saved = {
        r.school_id: r
        for r in NeedsSurveyResponse.objects.filter(
            round=round_, school_id__in=[r.school_id for r in new_responses]
        )
    }
    priorities = [
        NeedsAreaPriority(
            partnership=ctx.partnership, response=saved[response.school_id], area=area, rank=rank
        )
        for response, ranked in zip(new_responses, rankings, strict=True)
        for rank, area in enumerate(ranked, start=1)
    ]
    NeedsAreaPriority.objects.bulk_create(priorities, batch_size=BATCH_SIZE)
    ctx.count(NeedsAreaPriority, len(priorities))


def _heads_by_school(school_ids: list[int]) -> dict[int, int]:
    from partnership.models import Membership

    return dict(
        Membership.objects.filter(role=Role.HEADTEACHER, school_id__in=school_ids).values_list(
            "school_id", "user_id"
        )
    )


def _weighted_sample(rng, items, weights, k):
    items, weights = list(items), list(weights)
    chosen = []
    for _ in range(min(k, len(items))):
        pick = rng.choices(range(len(items)), weights=weights)[0]
        chosen.append(items.pop(pick))
        weights.pop(pick)
    return chosen


def _seed_impact(ctx: DemoContext) -> None:
    from hubs.models import Enrolment, EnrolmentStatus

    enrolments = list(
        Enrolment.objects.filter(status=EnrolmentStatus.CONFIRMED)
        .select_related("programme")
        .order_by("programme_id", "pk")
    )
    by_programme: dict[int, list] = {}
    for enrolment in enrolments:
        by_programme.setdefault(enrolment.programme_id, []).append(enrolment)
    programme_ids = sorted(by_programme)[:MAX_PROGRAMMES]
    existing = set(
        ImpactInvitation.objects.filter(enrolment__isnull=False).values_list(
            "enrolment_id", "point"
        )
    )
    today = timezone.localdate(ctx.now)
    due = {
        SurveyPoint.START: today - timedelta(days=300),
        SurveyPoint.END: today - timedelta(days=220),
        SurveyPoint.FOLLOW_UP: today - timedelta(days=38),
    }
    invitations, answers = [], []
    for index, programme_id in enumerate(programme_ids):
        rng = ctx.random("surveys", "impact", programme_id)
        # Each programme has its own effect: how much scores rise, and how much holds.
        gain = 0.8 + (index % 3) * 0.6
        hold = (0.3, 0.6, 0.9)[index % 3]
        for enrolment in by_programme[programme_id]:
            start = rng.uniform(1.6, 2.8)
            for point, mean in (
                (SurveyPoint.START, start),
                (SurveyPoint.END, start + gain),
                (SurveyPoint.FOLLOW_UP, start + gain * hold),
            ):
                if (enrolment.pk, point) in existing:
                    continue
                sent_at = ctx.now - timedelta(days=(today - due[point]).days)
                answered = rng.random() < (0.85 if point != SurveyPoint.FOLLOW_UP else 0.6)
                invitation = ImpactInvitation(
                    partnership=ctx.partnership,
                    point=point,
                    enrolment=enrolment,
                    programme=enrolment.programme,
                    area_id=enrolment.programme.area_id,
                    school_id=enrolment.school_id,
                    full_name=enrolment.participant_name,
                    email=enrolment.participant_email,
                    due_on=due[point],
                    expires_at=sent_at + timedelta(days=30),
                    status=ImpactInvitation.Status.ANSWERED
                    if answered
                    else ImpactInvitation.Status.SENT,
                    sent_at=sent_at,
                    reminders_sent=0 if answered else 2,
                    answered_at=sent_at + timedelta(days=2) if answered else None,
                    created_at=sent_at,
                )
                invitations.append(invitation)
                if answered:
                    answers.append((invitation, _scores(rng, mean), point, rng))
    ImpactInvitation.objects.bulk_create(invitations, batch_size=BATCH_SIZE)
    ctx.count(ImpactInvitation, len(invitations))
    responses = []
    for invitation, scores, point, rng in answers:
        follow_up = point == SurveyPoint.FOLLOW_UP
        responses.append(
            ImpactResponse(
                partnership=ctx.partnership,
                invitation=invitation,
                point=point,
                submitted_at=invitation.answered_at,
                comment=rng.choice(COMMENTS),
                lasted=rng.choice(LASTED) if follow_up else "",
                spread=rng.choice(SPREAD) if follow_up else "",
                **scores,
            )
        )
    ImpactResponse.objects.bulk_create(responses, batch_size=BATCH_SIZE)
    ctx.count(ImpactResponse, len(responses))


def _scores(rng, mean: float) -> dict[str, int]:
    def one(shift: float) -> int:
        return max(1, min(5, round(rng.gauss(mean + shift, 0.6))))

    return {
        "confidence": one(0.2),
        "knowledge": one(0.1),
        "practice": one(0.0),
        "school_change": one(-0.5),
    }
