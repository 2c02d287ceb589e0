"""Reads for peer review, shared by pages (and later the API and exports).

Joint cycles: a cycle and everything in it belong to the host partnership. A partnership
that agreed to join reaches them only through this module: `visible_cycles(partnership)`
decides which cycles a partnership may see (its own, and those it agreed to join), and
every other read of cycle rows starts from a cycle or review found through it. `_shared()`
is the one door out of the request's scope and is used nowhere else; every query through
it is filtered by those visible cycles. Everything that does not belong to a cycle
(schools, people, frameworks, reviewer profiles of another partnership) stays scoped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.models import Membership, Partnership, Role
from partnership.tenancy import memberships_of, tenant_scope

from .grouping import Proposal, propose
from .models import (
    AreaFinding,
    CategoryModeration,
    Cycle,
    CycleParticipation,
    EvidenceNote,
    Findings,
    FindingsAccess,
    FindingsShare,
    Framework,
    FrameworkArea,
    FrameworkVersion,
    Review,
    ReviewerProfile,
    ReviewGroup,
    ReviewTeamMember,
    ShareAudience,
    Visit,
)
from .rules import History, Placement, ReviewerFacts, RuleSet, SchoolFacts


def _shared(model: Any) -> QuerySet:
    """Rows of a cycle-owned model across partnerships. Callers MUST filter by a cycle or
    review that came from `visible_cycles()` (reviewer profiles: by the partnerships that
    agreed to join such a cycle); nothing outside this module may call it."""
    return model.objects.with_scopes_disabled()


# --- Cycles ------------------------------------------------------------------------------


def agreed_partnership_ids(cycle: Cycle) -> list[int]:
    """The host and every partnership that agreed to join the cycle."""
    ids = set(
        _shared(CycleParticipation)
        .filter(cycle=cycle, status=CycleParticipation.Status.AGREED)
        .values_list("partnership_id", flat=True)
    )
    ids.add(cycle.partnership_id)
    return sorted(ids)


def visible_cycles(partnership: Partnership) -> QuerySet[Cycle]:
    """Cycles the partnership hosts or agreed to join, newest first."""
    joined = _shared(CycleParticipation).filter(
        partnership=partnership, status=CycleParticipation.Status.AGREED
    )
    return (
        _shared(Cycle)
        .filter(Q(partnership=partnership) | Q(pk__in=joined.values("cycle_id")))
        .select_related("partnership", "framework_version__framework")
        .order_by("-window_start", "name", "pk")
    )


def cycle_for(partnership: Partnership, pk: int) -> Cycle:
    """One visible cycle (Cycle.DoesNotExist otherwise, which views turn into 404)."""
    return visible_cycles(partnership).get(pk=pk)


def cycle_overview(partnership: Partnership, pk: int) -> Cycle:
    """A visible cycle with its participants, groups, reviews and teams for its page."""
    team = _shared(ReviewTeamMember).select_related("reviewer", "profile__school")
    reviews = (
        _shared(Review)
        .select_related("school__local_authority", "school__cluster", "school__partnership")
        .select_related("findings", "group")
        .prefetch_related(Prefetch("team", queryset=team))
        .order_by("group__position", "school__name", "pk")
    )
    return (
        visible_cycles(partnership)
        .prefetch_related(
            Prefetch(
                "participations",
                queryset=_shared(CycleParticipation).select_related("partnership"),
            ),
            Prefetch("reviews", queryset=reviews),
            Prefetch("groups", queryset=_shared(ReviewGroup).order_by("position", "name")),
            Prefetch(
                "framework_version__areas",
                queryset=_shared(FrameworkArea).order_by("position", "pk"),
            ),
        )
        .get(pk=pk)
    )


def school_ids_in(cycle: Cycle) -> set[int]:
    return set(_shared(Review).filter(cycle=cycle).values_list("school_id", flat=True))


def groups_of(cycle: Cycle) -> QuerySet[ReviewGroup]:
    return _shared(ReviewGroup).filter(cycle=cycle).order_by("position", "name")


def invitations_for(partnership: Partnership) -> QuerySet[CycleParticipation]:
    """Joint cycles this partnership has been invited to and not yet answered (scoped: the
    participation row is the invited partnership's own)."""
    return (
        CycleParticipation.objects.filter(status=CycleParticipation.Status.INVITED)
        .select_related("cycle__partnership", "cycle__framework_version__framework")
        .order_by("-invited_at")
    )


def participation_for(partnership: Partnership, cycle: Cycle) -> CycleParticipation | None:
    return _shared(CycleParticipation).filter(cycle=cycle, partnership=partnership).first()


# --- Reviews -----------------------------------------------------------------------------


def _reviews(partnership: Partnership) -> QuerySet[Review]:
    return _shared(Review).filter(cycle__in=visible_cycles(partnership).values("pk"))


def review_for(partnership: Partnership, pk: int) -> Review:
    """One review of a visible cycle, with everything its page shows (not the findings)."""
    return (
        _reviews(partnership)
        .select_related(
            "cycle__partnership",
            "cycle__framework_version__framework",
            "school__local_authority",
            "school__cluster",
            "school__challenge_adviser",
            "group",
            "findings",
            "response",
        )
        .prefetch_related(
            Prefetch(
                "team",
                queryset=_shared(ReviewTeamMember).select_related(
                    "reviewer", "profile__school", "profile__partnership"
                ),
            ),
            Prefetch("visits", queryset=_shared(Visit).order_by("date", "starts_at", "pk")),
            Prefetch(
                "cycle__framework_version__areas",
                queryset=_shared(FrameworkArea).order_by("position", "pk"),
            ),
        )
        .get(pk=pk)
    )


def _review_list(reviews: QuerySet[Review]) -> QuerySet[Review]:
    return (
        reviews.select_related("cycle__partnership", "school__local_authority", "findings")
        .prefetch_related(
            Prefetch("team", queryset=_shared(ReviewTeamMember).select_related("reviewer")),
            Prefetch("visits", queryset=_shared(Visit).order_by("date", "starts_at", "pk")),
        )
        .order_by("-cycle__window_start", "school__name", "pk")
    )


def reviews_on_team(partnership: Partnership, user: Any) -> QuerySet[Review]:
    """Reviews in visible cycles whose team the user is on."""
    on_team = _shared(ReviewTeamMember).filter(review=OuterRef("pk"), reviewer=user)
    return _review_list(_reviews(partnership).filter(Exists(on_team)))


def reviews_of_schools(partnership: Partnership, school_ids: set[int]) -> QuerySet[Review]:
    """Reviews of these schools (e.g. the headteacher's own) in visible cycles."""
    return _review_list(_reviews(partnership).filter(school_id__in=school_ids))


def reviews_shared_with(partnership: Partnership, user: Any) -> QuerySet[Review]:
    """Reviews whose findings were shared with the user (as CA, governor or panel member)."""
    memberships = memberships_of(user, partnership)
    governor_schools = {m.school_id for m in memberships if m.role == Role.GOVERNOR}
    is_panel = any(m.role == Role.PANEL_MEMBER for m in memberships)
    audience = Q(audience=ShareAudience.CHALLENGE_ADVISER, user=user) | Q(
        audience=ShareAudience.GOVERNORS, review__school_id__in=governor_schools
    )
    if is_panel:
        audience |= Q(audience=ShareAudience.PANEL, review__school__partnership=partnership)
    shares = _shared(FindingsShare).filter(audience, review=OuterRef("pk"), revoked_at__isnull=True)
    return _review_list(_reviews(partnership).filter(Exists(shares)))


def team_of(review: Review) -> list[ReviewTeamMember]:
    """The review's team (from the prefetch when there is one)."""
    cache = getattr(review, "_prefetched_objects_cache", {})
    if "team" in cache:
        return list(cache["team"])
    if not hasattr(review, "_team_cache"):
        review._team_cache = list(
            _shared(ReviewTeamMember).filter(review=review).select_related("reviewer", "profile")
        )
    return review._team_cache


def active_shares(review: Review) -> list[FindingsShare]:
    if not hasattr(review, "_active_shares_cache"):
        review._active_shares_cache = list(
            _shared(FindingsShare)
            .filter(review=review, revoked_at__isnull=True)
            .select_related("user", "shared_by")
        )
    return review._active_shares_cache


def shares_of(review: Review) -> QuerySet[FindingsShare]:
    return (
        _shared(FindingsShare)
        .filter(review=review)
        .select_related("user", "shared_by", "revoked_by")
        .order_by("-shared_at", "-pk")
    )


def share_for(partnership: Partnership, pk: int) -> FindingsShare:
    return (
        _shared(FindingsShare)
        .filter(review__in=_reviews(partnership).values("pk"))
        .select_related("review__school")
        .get(pk=pk)
    )


def visit_for(partnership: Partnership, pk: int) -> Visit:
    return (
        _shared(Visit)
        .filter(review__in=_reviews(partnership).values("pk"))
        .select_related("review__cycle", "review__school")
        .get(pk=pk)
    )


def areas_of(review: Review) -> list[FrameworkArea]:
    """The framework areas of the review's cycle (its own version, never a newer one)."""
    version = review.cycle.framework_version
    cache = getattr(version, "_prefetched_objects_cache", {})
    if "areas" in cache:
        return list(cache["areas"])
    return list(_shared(FrameworkArea).filter(version=version).order_by("position", "pk"))


def evidence_for(review: Review) -> list[EvidenceNote]:
    """All the team's evidence for the review, area by area."""
    return list(
        _shared(EvidenceNote)
        .filter(review=review)
        .select_related("author", "area")
        .order_by("area__position", "area_id", "author__full_name")
    )


def findings_for(review: Review) -> Findings | None:
    """The review's findings with each area's finding, or None before any were written."""
    return (
        _shared(Findings)
        .filter(review=review)
        .select_related("submitted_by")
        .prefetch_related(
            Prefetch("areas", queryset=_shared(AreaFinding).order_by("area__position", "pk"))
        )
        .first()
    )


def findings_shared_with_governors(partnership: Partnership | int, school: Any) -> list[Findings]:
    """Submitted findings of the school's reviews, in every cycle the partnership can see
    (its own and joint cycles hosted by another partnership), that the headteacher shares
    with the governors now (not revoked): newest first, with each area's finding."""
    shared = _shared(FindingsShare).filter(
        review=OuterRef("review"), audience=ShareAudience.GOVERNORS, revoked_at__isnull=True
    )
    reviews = _reviews(partnership).filter(school=school).values("pk")
    return list(
        _shared(Findings)
        .filter(review__in=reviews, status=Findings.Status.SUBMITTED)
        .filter(Exists(shared))
        .select_related("review__cycle", "review__response")
        .prefetch_related(
            Prefetch(
                "areas",
                queryset=_shared(AreaFinding)
                .select_related("area")
                .order_by("area__position", "pk"),
            )
        )
        .order_by("-submitted_at", "-pk")
    )


def access_log_for(review: Review) -> QuerySet[FindingsAccess]:
    return _shared(FindingsAccess).filter(review=review).order_by("-accessed_at", "-pk")


def findings_history(review: Review) -> list[Any]:
    """Every saved change to the findings and their areas, newest first."""
    findings = _shared(Findings).filter(review=review).first()
    if findings is None:
        return []
    records = list(findings.history.select_related("history_user").all())
    records += list(
        AreaFinding.history.filter(findings_id=findings.pk).select_related("history_user")
    )
    return sorted(records, key=lambda r: r.history_date, reverse=True)


def headteachers_of(school: Any) -> list[Any]:
    """The users who are headteachers of a school (in the school's own partnership)."""
    with tenant_scope(school.partnership_id):
        return [
            m.user
            for m in Membership.objects.filter(school=school, role=Role.HEADTEACHER).select_related(
                "user"
            )
        ]


# --- Reviewers and frameworks (the partnership's own, scoped) ----------------------------


def reviewer_profiles() -> QuerySet[ReviewerProfile]:
    return ReviewerProfile.objects.select_related("user", "school").order_by(
        "user__full_name", "user__email", "pk"
    )


def reviewer_pool(cycle: Cycle) -> QuerySet[ReviewerProfile]:
    """Active reviewers of every partnership taking part in the cycle."""
    return (
        _shared(ReviewerProfile)
        .filter(partnership_id__in=agreed_partnership_ids(cycle), is_active=True)
        .select_related("user", "school__cluster", "school__local_authority", "partnership")
        .order_by("user__full_name", "user__email", "pk")
    )


def frameworks() -> QuerySet[Framework]:
    return Framework.objects.prefetch_related(
        Prefetch("versions", queryset=FrameworkVersion.objects.order_by("-number"))
    ).order_by("name", "pk")


def framework_detail(pk: int) -> Framework:
    return Framework.objects.prefetch_related(
        Prefetch(
            "versions",
            queryset=FrameworkVersion.objects.select_related("published_by").order_by("-number"),
        )
    ).get(pk=pk)


def version_detail(pk: int) -> FrameworkVersion:
    return (
        FrameworkVersion.objects.select_related("framework", "published_by")
        .prefetch_related(
            Prefetch(
                "areas",
                queryset=FrameworkArea.objects.select_related("area").order_by("position", "pk"),
            )
        )
        .get(pk=pk)
    )


def published_versions() -> QuerySet[FrameworkVersion]:
    return FrameworkVersion.objects.filter(status=FrameworkVersion.Status.PUBLISHED).select_related(
        "framework"
    )


# --- Facts for the rules and the grouping proposal ---------------------------------------


@dataclass
class CyclePlan:
    """Everything the rules need about a cycle, as plain facts."""

    rules: RuleSet
    schools: dict[int, SchoolFacts]  # reviewed schools and reviewers' own schools
    reviewed_school_ids: list[int]
    reviewers: dict[int, ReviewerFacts]
    placements: list[Placement]
    reviews_by_school: dict[int, Review]
    profiles_by_user: dict[int, ReviewerProfile]
    pool_user_ids: set[int]  # reviewers who may be placed now (active, agreed partnerships)
    history: History


def school_facts(school: Any) -> SchoolFacts:
    return SchoolFacts(
        id=school.pk,
        name=school.name,
        cluster_id=school.cluster_id,
        local_authority_id=school.local_authority_id,
    )


def reviewer_facts(profile: ReviewerProfile) -> ReviewerFacts:
    return ReviewerFacts(
        id=profile.user_id,
        name=str(profile.user),
        home_school_id=profile.school_id,
        trained=profile.is_trained,
    )


def cycle_plan(cycle: Cycle) -> CyclePlan:
    """The cycle's schools, reviewer pool, current teams and last cycle's pairs."""
    reviews = list(_shared(Review).filter(cycle=cycle).select_related("school__cluster", "group"))
    pool = list(reviewer_pool(cycle))
    team = list(
        _shared(ReviewTeamMember)
        .filter(review__cycle=cycle)
        .select_related("profile__user", "profile__school", "review")
    )
    schools = {r.school_id: school_facts(r.school) for r in reviews}
    profiles: dict[int, ReviewerProfile] = {}
    for profile in pool:  # a person with profiles in two partnerships counts once
        profiles.setdefault(profile.user_id, profile)
    for member in team:  # a reviewer who left the pool still counts for the rules
        profiles.setdefault(member.reviewer_id, member.profile)
    for profile in profiles.values():
        if profile.school_id and profile.school_id not in schools and profile.school:
            schools[profile.school_id] = school_facts(profile.school)
    return CyclePlan(
        rules=RuleSet.for_cycle(cycle),
        schools=schools,
        reviewed_school_ids=[r.school_id for r in reviews],
        reviewers={uid: reviewer_facts(p) for uid, p in profiles.items()},
        placements=[Placement(m.review.school_id, m.reviewer_id, m.is_lead) for m in team],
        reviews_by_school={r.school_id: r for r in reviews},
        profiles_by_user=profiles,
        pool_user_ids={p.user_id for p in pool},
        history=cycle_history(cycle),
    )


def cycle_proposal(cycle: Cycle, plan: CyclePlan | None = None) -> tuple[Proposal, CyclePlan]:
    """The automatic grouping proposal for the cycle (the same every time it is asked for,
    until the schools or reviewers change). Only reviewers in the pool are proposed."""
    plan = plan or cycle_plan(cycle)
    reviewed = set(plan.reviewed_school_ids)
    proposal = propose(
        schools=[plan.schools[sid] for sid in plan.reviewed_school_ids],
        home_schools=[facts for sid, facts in plan.schools.items() if sid not in reviewed],
        reviewers=[facts for uid, facts in plan.reviewers.items() if uid in plan.pool_user_ids],
        rules=plan.rules,
        kind=cycle.group_kind,
        team_size=cycle.team_size,
        history=plan.history,
        seed=cycle.pk,
    )
    return proposal, plan


def cycle_history(cycle: Cycle) -> History:
    """Who reviewed whom in the cycle's previous cycle."""
    if cycle.previous_cycle_id is None:
        return History()
    rows = list(
        _shared(ReviewTeamMember)
        .filter(review__cycle_id=cycle.previous_cycle_id)
        .values_list("reviewer_id", "profile__school_id", "review__school_id")
    )
    return History(
        school_pairs=frozenset((home, reviewed) for _r, home, reviewed in rows if home),
        reviewer_pairs=frozenset((reviewer, reviewed) for reviewer, _h, reviewed in rows),
    )


def moderation_for(review: Review) -> CategoryModeration | None:
    """What the review says about the school's support category, with its outcome."""
    return (
        _shared(CategoryModeration)
        .filter(review=review)
        .select_related("recorded_by", "outcome_by", "category_change")
        .first()
    )


# --- Cycle overview for organisers -------------------------------------------------------

#: Days after which a step counts as overdue.
FINDINGS_DUE_DAYS = 14  # after the last visit
RESPONSE_DUE_DAYS = 28  # after the findings were submitted
VISIT_NOTICE_DAYS = 14  # before the window closes, a review without a visit is overdue


@dataclass
class ReviewStatus:
    review: Review
    stage: str
    overdue: list[str]
    #: The school's findings are shared beyond the school and its team (any audience).
    shared: bool


@dataclass
class Theme:
    area: FrameworkArea
    even_better_if: int
    went_well: int


def _stage_and_overdue(review: Review, today: Any) -> tuple[str, list[str]]:
    team = list(review.team.all())
    visits = list(review.visits.all())
    findings = getattr(review, "findings", None)
    response = getattr(review, "response", None)
    cycle = review.cycle
    overdue: list[str] = []
    if findings is not None and findings.is_submitted:
        submitted = findings.submitted_at.date()
        if response is not None:
            stage = _("Responded")
            if response.follow_up_on < today:
                overdue.append(_("Follow-up date has passed"))
        else:
            stage = _("Findings submitted")
            if (today - submitted).days > RESPONSE_DUE_DAYS:
                overdue.append(_("School's response"))
        return stage, overdue
    if not team:
        stage = _("No team yet")
    elif not visits:
        stage = _("Team chosen")
    elif max(v.date for v in visits) >= today:
        stage = _("Visit scheduled")
    else:
        stage = _("Visited") if findings is None else _("Findings in draft")
        if (today - max(v.date for v in visits)).days > FINDINGS_DUE_DAYS:
            overdue.append(_("Findings"))
    if not visits and (cycle.window_end - today).days < VISIT_NOTICE_DAYS:
        overdue.append(_("Visit"))
    if not team and cycle.window_start <= today:
        overdue.append(_("Team"))
    return stage, overdue


def cycle_status(cycle: Cycle, today: Any = None) -> list[ReviewStatus]:
    """Every review of a cycle with its stage and overdue steps (never the findings' text).
    A fixed number of queries, however many reviews."""
    today = today or timezone.localdate()
    reviews = (
        _shared(Review)
        .filter(cycle=cycle)
        .select_related("school", "findings", "response", "cycle")
        .prefetch_related(
            Prefetch("team", queryset=_shared(ReviewTeamMember).select_related("reviewer")),
            Prefetch("visits", queryset=_shared(Visit).order_by("date", "pk")),
        )
        .annotate(
            is_shared=Exists(
                _shared(FindingsShare).filter(review=OuterRef("pk"), revoked_at__isnull=True)
            )
        )
        .order_by("school__name", "pk")
    )
    rows = []
    for review in reviews:
        stage, overdue = _stage_and_overdue(review, today)
        rows.append(ReviewStatus(review, stage, overdue, review.is_shared))
    return rows


@dataclass
class OverviewExportRow:
    """One review as exported (CSV or PDF): the school named only if its findings are shared."""

    school: str
    stage: str
    overdue: list[str]
    visits: list[Any]
    findings_submitted_on: Any


def cycle_overview_export(cycle: Cycle) -> list[OverviewExportRow]:
    """The cycle's status rows for a file that may leave the portal: a school whose
    findings are not shared appears as "School N (not shared)"."""
    rows = []
    for number, row in enumerate(cycle_status(cycle), start=1):
        review = row.review
        findings = getattr(review, "findings", None)
        rows.append(
            OverviewExportRow(
                school=review.school.name
                if row.shared
                else _("School %(number)s (not shared)") % {"number": number},
                stage=row.stage,
                overdue=row.overdue,
                visits=[v.date for v in review.visits.all()],
                findings_submitted_on=findings.submitted_at.date()
                if findings is not None and findings.is_submitted
                else None,
            )
        )
    return rows


def cycle_themes(cycle: Cycle) -> list[Theme]:
    """For each framework area: how many submitted findings say "even better if" (and
    "what went well") about it. Counts only, so no school can be identified."""
    counts = {
        row["area_id"]: row
        for row in _shared(AreaFinding)
        .filter(findings__review__cycle=cycle, findings__status=Findings.Status.SUBMITTED)
        .values("area_id")
        .annotate(
            ebi=Count("pk", filter=~Q(even_better_if="")),
            www=Count("pk", filter=~Q(went_well="")),
        )
        .order_by()
    }
    areas = (
        _shared(FrameworkArea).filter(version=cycle.framework_version_id).order_by("position", "pk")
    )
    return [
        Theme(
            area=area,
            even_better_if=counts.get(area.pk, {}).get("ebi", 0),
            went_well=counts.get(area.pk, {}).get("www", 0),
        )
        for area in areas
    ]


# --- API ---------------------------------------------------------------------------------


def groups_in(partnership: Partnership) -> QuerySet[ReviewGroup]:
    """Groups of every visible cycle."""
    return (
        _shared(ReviewGroup)
        .filter(cycle__in=visible_cycles(partnership).values("pk"))
        .order_by("cycle_id", "position", "name", "pk")
    )


def visits_in(partnership: Partnership) -> QuerySet[Visit]:
    """Visits of every review in a visible cycle."""
    return (
        _shared(Visit)
        .filter(review__in=_reviews(partnership).values("pk"))
        .select_related("review__school")
        .order_by("date", "starts_at", "pk")
    )


def team_places(user: Any) -> QuerySet[ReviewTeamMember]:
    """The user's places on review teams (to filter reviews already found here)."""
    return _shared(ReviewTeamMember).filter(reviewer=user)


def findings_in(partnership: Partnership) -> QuerySet[Findings]:
    """Findings of reviews in visible cycles (callers check who may read each one)."""
    return (
        _shared(Findings)
        .filter(review__in=_reviews(partnership).values("pk"))
        .select_related("review__school__partnership", "review__cycle")
        .prefetch_related(
            Prefetch(
                "areas",
                queryset=_shared(AreaFinding).select_related("area").order_by("area__position"),
            )
        )
        .order_by("pk")
    )
