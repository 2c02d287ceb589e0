"""Peer-review demo data for `seed_demo` (see docs/demo.md and partnership/demo.py).

For each demo partnership: a published review framework, trained reviewers (the printed
peer-reviewer login among them), a finished cycle of last academic year (submitted
findings, the schools' responses, findings shared with governors and the CA), and a
running cycle with visits next month. The London partnership also hosts a joint cycle
with the Welsh one when that partnership is there.

Idempotent like every seeder: rows are found by natural key (framework name, cycle name,
reviewer, cycle + school) and only what is missing is added. A review's team, visits,
findings and response are added with the review, so a review you changed keeps your
changes, and a review you deleted comes back whole.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from partnership.demo import DemoContext, SchoolPlan, login_email
from partnership.models import Membership, Partnership, Role
from partnership.tenancy import tenant_scope
from schools.models import Phase, School

from .models import (
    AreaFinding,
    Cycle,
    CycleParticipation,
    Findings,
    FindingsShare,
    Framework,
    FrameworkArea,
    FrameworkVersion,
    GroupKind,
    Judgement,
    Review,
    ReviewerProfile,
    ReviewTeamMember,
    SchoolResponse,
    ShareAudience,
    Visit,
)
from .services import DEFAULT_FRAMEWORK_AREAS

FRAMEWORK_NAME = "Peer review framework"
#: The partnership that hosts the joint cycle, and the one it runs it with.
JOINT_HOST, JOINT_GUEST = "kingsmere", "gorllewin"
#: Reviews in each of the partnership's own cycles.
REVIEWS_PER_CYCLE = 6

WENT_WELL = (
    "Leaders know the school well and share a clear, ambitious vision with staff.",
    "Pupils talk confidently about their learning and what they need to do next.",
    "Relationships between staff and pupils are warm and respectful.",
    "Teachers plan carefully so that lessons build on what pupils already know.",
    "Staff feel well supported and value the professional learning they receive.",
    "The curriculum is broad and makes good use of the local area.",
)
EVEN_BETTER_IF = (
    "Feedback in books consistently helped pupils to improve their work.",
    "Middle leaders used evidence from lesson visits to plan their next steps.",
    "Pupils with additional learning needs had targets that staff share and review.",
    "Reading for pleasure was planned across every class, not only in English lessons.",
    "Governors received clearer information on the progress of disadvantaged pupils.",
    "Attendance of pupils eligible for free school meals was tracked week by week.",
)
SUMMARIES = (
    "A school with strong leadership and a clear sense of direction, whose next step is "
    "to make its good practice consistent across all classes.",
    "A caring, inclusive school where pupils feel safe; the priority is sharper use of "
    "assessment to move learning on.",
)


@dataclass(frozen=True)
class PlannedReview:
    school: School
    #: (reviewer's user id, is lead)
    team: tuple[tuple[int, bool], ...]


def academic_year_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def academic_year(start: datetime.date) -> str:
    return f"{start.year}/{(start.year + 1) % 100:02d}"


def school_day(day: datetime.date) -> datetime.date:
    """The day, or the Friday before it when it falls at a weekend."""
    return day - datetime.timedelta(days=max(0, day.weekday() - 4))


def next_month(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


# --- Seeder ------------------------------------------------------------------------------


def seed_peer_review(ctx: DemoContext) -> None:
    """A framework, trained reviewers, a finished and a running cycle (and the joint one)."""
    today = timezone.localdate(ctx.now)
    version = _ensure_framework(ctx)
    reviewers = _ensure_reviewers(ctx)
    if not version or len(reviewers) < 3:
        return  # a partnership too small for peer review (e.g. a tiny scale test)
    reviewed = _reviewed_schools(ctx, reviewers)
    finished_start = academic_year_start(today).replace(year=academic_year_start(today).year - 1)
    finished = _ensure_cycle(
        ctx,
        version=version,
        name=f"Peer review {academic_year(finished_start)}",
        start=finished_start,
        window=(finished_start.replace(month=10), datetime.date(finished_start.year + 1, 6, 30)),
    )
    visits_on = school_day(next_month(today) + datetime.timedelta(days=3))
    running_start = academic_year_start(visits_on)
    running = _ensure_cycle(
        ctx,
        version=version,
        name=f"Peer review {academic_year(running_start)}",
        start=running_start,
        window=(running_start, datetime.date(running_start.year + 1, 8, 31)),
        previous=finished,
    )
    half = len(reviewed) // 2
    _seed_finished_reviews(ctx, finished, _teams(reviewed[:half], reviewers, ctx, lead_first=False))
    _seed_running_reviews(
        ctx, running, _teams(reviewed[half:], reviewers, ctx, lead_first=True), visits_on
    )
    if ctx.partnership.slug == JOINT_HOST:
        _seed_joint_cycle(ctx, version, reviewers, reviewed, running_start, visits_on)


def _ensure_framework(ctx: DemoContext) -> FrameworkVersion | None:
    framework = Framework.objects.filter(name=FRAMEWORK_NAME).first()
    if framework is None:
        framework = Framework.objects.create(
            partnership=ctx.partnership,
            name=FRAMEWORK_NAME,
            description="The partnership's shared framework for school-to-school review.",
        )
        ctx.count(Framework, 1)
    version = (
        FrameworkVersion.objects.filter(framework=framework, status="published")
        .order_by("-number")
        .first()
    )
    if version is not None or FrameworkVersion.objects.filter(framework=framework).exists():
        return version  # a framework someone changed by hand: leave it as it is
    version = FrameworkVersion.objects.create(
        partnership=ctx.partnership,
        framework=framework,
        number=1,
        status=FrameworkVersion.Status.PUBLISHED,
        published_at=ctx.now,
        published_by=ctx.logins.get(Role.SENIOR_CA),
    )
    FrameworkArea.objects.bulk_create(
        FrameworkArea(
            partnership=ctx.partnership,
            version=version,
            name=name,
            name_cy=name_cy,
            prompts=prompts,
            evidence_sources=sources,
            position=i,
        )
        for i, (name, name_cy, prompts, sources) in enumerate(DEFAULT_FRAMEWORK_AREAS)
    )
    ctx.count(FrameworkVersion, 1)
    ctx.count(FrameworkArea, len(DEFAULT_FRAMEWORK_AREAS))
    return version


def _lead_schools(ctx: DemoContext) -> list[SchoolPlan]:
    """The first secondary (or all-through) school of every cluster, in plan order."""
    seen: dict[str, SchoolPlan] = {}
    for plan in ctx.plan.schools:
        if plan.cluster and plan.cluster not in seen and plan.phase != Phase.PRIMARY:
            seen[plan.cluster] = plan
    return list(seen.values())


def _ensure_reviewers(ctx: DemoContext) -> dict[int, ReviewerProfile]:
    """The printed peer reviewer and the headteachers of six cluster lead schools, all
    trained, by user id."""
    reviewer_plan = ctx.plan.reviewer_school
    wanted: list[tuple[str, SchoolPlan]] = [
        (login_email(ctx.blueprint, Role.PEER_REVIEWER), reviewer_plan)
    ]
    for plan in _lead_schools(ctx):
        if len(wanted) == 7:
            break
        if plan.official_number != reviewer_plan.official_number:
            email = f"head.{plan.official_number.lower()}@{ctx.blueprint.email_domain}"
            wanted.append((email, plan))
    users = ctx.ensure_users((email, ctx.person(email)) for email, _plan in wanted)
    ctx.ensure_memberships(
        (users[email], Role.PEER_REVIEWER, ctx.schools[plan.official_number])
        for email, plan in wanted
    )
    existing = {p.user_id: p for p in ReviewerProfile.objects.all()}
    trained = timezone.localdate(ctx.now) - datetime.timedelta(days=400)
    new = [
        ReviewerProfile(
            partnership=ctx.partnership,
            user=users[email],
            school=ctx.schools[plan.official_number],
            trained_on=trained,
        )
        for email, plan in wanted
        if users[email].pk not in existing
    ]
    ReviewerProfile.objects.bulk_create(new)
    ctx.count(ReviewerProfile, len(new))
    if new:
        existing = {p.user_id: p for p in ReviewerProfile.objects.all()}
    return {users[e].pk: existing[users[e].pk] for e, _p in wanted if users[e].pk in existing}


def _reviewed_schools(ctx: DemoContext, reviewers: dict[int, ReviewerProfile]) -> list[School]:
    """Primary schools, one per cluster, none in a reviewer's own school; the featured
    school (the printed headteacher's) first, so its review is in the finished cycle."""
    home = {p.school_id for p in reviewers.values()}
    featured = ctx.plan.featured
    chosen = [featured]
    clusters = {featured.cluster}
    for plan in ctx.plan.schools:
        if len(chosen) == 2 * REVIEWS_PER_CYCLE:
            break
        school = ctx.schools[plan.official_number]
        wanted = plan.phase == Phase.PRIMARY and plan.cluster and school.pk not in home
        if wanted and plan.cluster not in clusters:
            chosen.append(plan)
            clusters.add(plan.cluster)
    return [ctx.schools[p.official_number] for p in chosen]


def _teams(
    schools: Sequence[School],
    reviewers: dict[int, ReviewerProfile],
    ctx: DemoContext,
    *,
    lead_first: bool,
) -> list[PlannedReview]:
    """Two reviewers per school, never from the school's cluster, at most two reviews each.
    With `lead_first`, the printed peer reviewer leads the first review."""
    printed = ctx.logins[Role.PEER_REVIEWER].pk
    order = sorted(reviewers, key=lambda uid: (uid != printed, uid))
    if not lead_first:  # the printed reviewer is a team member, not the lead
        order = order[1:] + order[:1]
    cluster_of = {p.user_id: p.school.cluster_id if p.school else None for p in reviewers.values()}
    load = dict.fromkeys(order, 0)
    planned = []
    for school in schools:
        team = [u for u in order if load[u] < 2 and cluster_of[u] != school.cluster_id][:2]
        if len(team) < 2:
            continue
        for u in team:
            load[u] += 1
        order = order[2:] + order[:2]
        planned.append(PlannedReview(school, tuple((u, i == 0) for i, u in enumerate(team))))
    return planned


def _ensure_cycle(
    ctx: DemoContext,
    *,
    version: FrameworkVersion,
    name: str,
    start: datetime.date,
    window: tuple[datetime.date, datetime.date],
    previous: Cycle | None = None,
    kind: str = GroupKind.TEAM,
) -> Cycle:
    cycle = Cycle.objects.filter(name=name).first()
    if cycle is not None:
        return cycle
    organiser = ctx.logins.get(Role.SENIOR_CA)
    cycle = Cycle.objects.create(
        partnership=ctx.partnership,
        name=name,
        academic_year=academic_year(start),
        window_start=window[0],
        window_end=window[1],
        framework_version=version,
        group_kind=kind,
        team_size=2,
        previous_cycle=previous,
        created_by=organiser,
    )
    CycleParticipation.objects.create(
        partnership=ctx.partnership,
        cycle=cycle,
        status=CycleParticipation.Status.AGREED,
        is_host=True,
        invited_by=organiser,
        responded_by=organiser,
        responded_at=ctx.now,
    )
    ctx.count(Cycle, 1)
    return cycle


def _new_reviews(
    ctx: DemoContext,
    cycle: Cycle,
    planned: Iterable[PlannedReview],
    profiles: dict[int, ReviewerProfile],
) -> list[Review]:
    """The planned reviews the cycle does not have yet, with their teams."""
    planned = list(planned)
    existing = set(
        Review.objects.with_scopes_disabled()
        .filter(cycle=cycle)
        .values_list("school_id", flat=True)
    )
    todo = [p for p in planned if p.school.pk not in existing]
    reviews = Review.objects.bulk_create(
        Review(partnership_id=cycle.partnership_id, cycle=cycle, school=p.school) for p in todo
    )
    if reviews and reviews[0].pk is None:
        by_school = {
            r.school_id: r
            for r in Review.objects.with_scopes_disabled().filter(
                cycle=cycle, school__in=[p.school for p in todo]
            )
        }
        reviews = [by_school[p.school.pk] for p in todo]
    ReviewTeamMember.objects.bulk_create(
        ReviewTeamMember(
            partnership_id=cycle.partnership_id,
            review=review,
            reviewer_id=uid,
            profile=profiles[uid],
            is_lead=lead,
        )
        for review, plan in zip(reviews, todo, strict=True)
        for uid, lead in plan.team
    )
    ctx.count(Review, len(reviews))
    ctx.count(ReviewTeamMember, sum(len(p.team) for p in todo))
    for review, plan in zip(reviews, todo, strict=True):
        review._planned_team = plan.team  # for the lead who submits the findings
    return reviews


def _seed_finished_reviews(ctx: DemoContext, cycle: Cycle, planned: list[PlannedReview]) -> None:
    reviews = _new_reviews(ctx, cycle, planned, _profiles(ctx, cycle))
    if not reviews:
        return
    areas = list(FrameworkArea.objects.filter(version=cycle.framework_version_id))
    rng = ctx.random("peer-review", "finished")
    visits, findings = [], []
    for i, review in enumerate(reviews):
        day = school_day(cycle.window_start + datetime.timedelta(days=21 + 28 * i))
        visits.append(_visit(review, day, "Meet in the school office."))
        lead = next(uid for uid, is_lead in review._planned_team if is_lead)
        submitted = datetime.datetime.combine(
            day + datetime.timedelta(days=7), datetime.time(16), tzinfo=datetime.UTC
        )
        findings.append(
            Findings(
                partnership_id=review.partnership_id,
                review=review,
                status=Findings.Status.SUBMITTED,
                summary=rng.choice(SUMMARIES),
                submitted_at=submitted,
                submitted_by_id=lead,
            )
        )
    Visit.objects.bulk_create(visits)
    Findings.objects.bulk_create(findings)
    if findings[0].pk is None:
        findings = list(Findings.objects.with_scopes_disabled().filter(review__in=reviews))
    area_findings = [
        AreaFinding(
            partnership_id=f.partnership_id,
            findings=f,
            area=area,
            went_well=rng.choice(WENT_WELL),
            even_better_if=rng.choice(EVEN_BETTER_IF),
            judgement=rng.choice(Judgement.values[:3]),
        )
        for f in findings
        for area in areas
    ]
    AreaFinding.objects.bulk_create(area_findings)
    responses = [
        SchoolResponse(
            partnership_id=r.partnership_id,
            review=r,
            response="We welcome the findings, which match our own self-evaluation.",
            action_plan="1. Agree a feedback policy with all staff.\n"
            "2. Middle leaders run termly book looks.\n3. Report progress to governors.",
            follow_up_on=f.submitted_at.date() + datetime.timedelta(days=120),
            written_by=_headteacher(r.school),
        )
        for r, f in zip(reviews, findings, strict=True)
    ]
    SchoolResponse.objects.bulk_create(responses)
    shares = []
    for review in reviews:
        head = _headteacher(review.school)
        shares.append(_share(review, ShareAudience.GOVERNORS, head))
        if review.school.challenge_adviser_id:
            adviser = review.school.challenge_adviser_id
            shares.append(_share(review, ShareAudience.CHALLENGE_ADVISER, head, adviser))
    FindingsShare.objects.bulk_create(shares)
    ctx.count(Visit, len(visits))
    ctx.count(Findings, len(findings))
    ctx.count(AreaFinding, len(area_findings))
    ctx.count(SchoolResponse, len(responses))
    ctx.count(FindingsShare, len(shares))


def _seed_running_reviews(
    ctx: DemoContext, cycle: Cycle, planned: list[PlannedReview], first_visit: datetime.date
) -> None:
    reviews = _new_reviews(ctx, cycle, planned, _profiles(ctx, cycle))
    visits = [
        _visit(r, school_day(first_visit + datetime.timedelta(days=3 * i)), "Start in the hall.")
        for i, r in enumerate(reviews)
    ]
    Visit.objects.bulk_create(visits)
    ctx.count(Visit, len(visits))


def _seed_joint_cycle(
    ctx: DemoContext,
    version: FrameworkVersion,
    reviewers: dict[int, ReviewerProfile],
    busy: list[School],
    start: datetime.date,
    first_visit: datetime.date,
) -> None:
    """A cycle the London partnership runs with the Welsh one: two schools of each,
    reviewed by teams drawn from both partnerships."""
    guest = Partnership.objects.filter(slug=JOINT_GUEST).first()
    if guest is None:
        return
    with tenant_scope(guest):
        printed = f"{Role.PEER_REVIEWER.replace('_', '-')}@{guest.slug}.example.org"
        guest_profiles = sorted(
            ReviewerProfile.objects.select_related("user", "school"),
            key=lambda p: (p.user.email != printed, p.user.email),
        )[:3]
        guest_schools = list(School.objects.filter(phase=Phase.PRIMARY).order_by("official_number"))
    if len(guest_profiles) < 2 or len(guest_schools) < 2:
        return
    name = f"Joint review with {guest.name} {academic_year(start)}"
    cycle = _ensure_cycle(
        ctx,
        version=version,
        name=name,
        start=start,
        window=(start, datetime.date(start.year + 1, 8, 31)),
    )
    if (
        not CycleParticipation.objects.with_scopes_disabled()
        .filter(cycle=cycle, partnership=guest)
        .exists()
    ):
        organiser = ctx.logins.get(Role.SENIOR_CA)
        CycleParticipation.objects.create(
            partnership=guest,
            cycle=cycle,
            status=CycleParticipation.Status.AGREED,
            invited_by=organiser,
            responded_at=ctx.now,
        )
        ctx.count(CycleParticipation, 1)
    guest_home = {p.school_id for p in guest_profiles}
    guest_reviewed = [s for s in guest_schools if s.pk not in guest_home][-2:]
    host_home = {p.school_id for p in reviewers.values()}
    host_reviewed = [
        ctx.schools[p.official_number]
        for p in ctx.plan.schools
        if p.phase == Phase.PRIMARY
        and ctx.schools[p.official_number].pk not in host_home | {s.pk for s in busy}
    ][-2:]
    host_ids = sorted(reviewers, key=lambda uid: uid != ctx.logins[Role.PEER_REVIEWER].pk)
    guest_ids = [p.user_id for p in guest_profiles]
    # Each school is reviewed by one reviewer of each partnership, led by the other one's.
    planned = [
        PlannedReview(s, ((guest_ids[i], True), (host_ids[-1 - i], False)))
        for i, s in enumerate(host_reviewed)
    ] + [
        PlannedReview(s, ((host_ids[i], True), (guest_ids[-1 - i], False)))
        for i, s in enumerate(guest_reviewed)
    ]
    profiles = dict(reviewers) | {p.user_id: p for p in guest_profiles}
    reviews = _new_reviews(ctx, cycle, planned, profiles)
    visits = [
        _visit(r, school_day(first_visit + datetime.timedelta(days=7 + 2 * i)), "")
        for i, r in enumerate(reviews)
    ]
    Visit.objects.bulk_create(visits)
    ctx.count(Visit, len(visits))


# --- Helpers -----------------------------------------------------------------------------


def _profiles(ctx: DemoContext, cycle: Cycle) -> dict[int, ReviewerProfile]:
    return {p.user_id: p for p in ReviewerProfile.objects.all()}


def _visit(review: Review, day: datetime.date, location: str) -> Visit:
    return Visit(
        partnership_id=review.partnership_id,
        review=review,
        date=day,
        location=location,
        agenda="09:00 Meet the headteacher\n10:00 Lesson visits\n14:00 Pupil voice\n"
        "15:00 Feedback to leaders",
        scheduled_by_id=next((uid for uid, lead in review._planned_team if lead), None),
    )


def _headteacher(school: School):
    membership = (
        Membership.objects.filter(school=school, role=Role.HEADTEACHER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _share(review: Review, audience: str, by, user_id: int | None = None) -> FindingsShare:
    return FindingsShare(
        partnership_id=review.partnership_id,
        review=review,
        audience=audience,
        user_id=user_id,
        shared_by=by,
    )
