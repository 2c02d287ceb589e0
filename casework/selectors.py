"""Reads of casework that pages and the API share, already joined for the page that uses
them, so a page's query count does not grow with the number of schools or visits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from brokerage.models import Need, SupportAgreement
from partnership.models import Partnership, Role
from partnership.policies import has_role, is_partnership_admin, school_ids_with_role
from peerreview.models import Findings, Review
from schools.models import CATEGORY_PRIORITY, CategoryChange, School, category_priority

from .models import (
    AdviserTeam,
    CaseloadAssignment,
    CaseworkVisit,
    CategorisationRound,
    EvaluationArea,
    RoundStage,
    SchoolCategorisation,
    VisitAction,
    VisitComment,
)


def _count(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT(*) of `queryset` (already filtered on OuterRef) as an integer."""
    counted = queryset.order_by().values("partnership_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _first(queryset: QuerySet, field_name: str) -> Subquery:
    return Subquery(queryset.values(field_name)[:1])


def trend(previous: str, current: str) -> str:
    """ "up" when the school needs less support than before, "down" when more."""
    if not previous or not current or previous == current:
        return "same"
    before, now = CATEGORY_PRIORITY.get(previous), CATEGORY_PRIORITY.get(current)
    if before is None or now is None:
        return "same"
    return "up" if now > before else "down"


def open_actions() -> QuerySet[VisitAction]:
    return VisitAction.objects.filter(status__in=VisitAction.OPEN_STATUSES)


def dashboard_schools(schools: QuerySet[School]) -> list[School]:
    """The caseload table: every school with its category and trend, open needs, live
    support agreements, open and overdue actions, last and next visit and the latest peer
    review's stage. One query, whatever the number of schools."""
    today = timezone.localdate()
    school = OuterRef("pk")
    reviews = Review.objects.filter(school=school).order_by("-cycle__window_start", "-pk")
    rows = list(
        schools.select_related("local_authority", "challenge_adviser")
        .annotate(
            previous_category=_first(
                CategoryChange.objects.filter(school=school).order_by("-set_at", "-id"),
                "previous_category",
            ),
            open_needs=_count(Need.objects.filter(school=school, status=Need.Status.OPEN)),
            live_agreements=_count(
                SupportAgreement.objects.filter(
                    receiving_school=school, status__in=SupportAgreement.LIVE
                )
            ),
            open_action_count=_count(open_actions().filter(school=school)),
            overdue_action_count=_count(open_actions().filter(school=school, due_on__lt=today)),
            last_visit=_first(
                CaseworkVisit.objects.filter(school=school, visited_on__lte=today).order_by(
                    "-visited_on"
                ),
                "visited_on",
            ),
            next_visit=_first(
                CaseworkVisit.objects.filter(school=school, next_visit_on__gte=today).order_by(
                    "next_visit_on"
                ),
                "next_visit_on",
            ),
            review_cycle=_first(reviews, "cycle__name"),
            review_findings=_first(
                Findings.objects.filter(review__school=school).order_by(
                    "-review__cycle__window_start", "-review_id"
                ),
                "status",
            ),
        )
        .order_by(category_priority(), "name")
    )
    for row in rows:
        row.trend = trend(row.previous_category or "", row.support_category)
    return rows


@dataclass
class Dashboard:
    schools: list[School]
    #: For a senior CA: (adviser, their schools) for each adviser in their teams.
    by_adviser: list[tuple[Any, list[School]]] = field(default_factory=list)
    actions: list[VisitAction] = field(default_factory=list)
    round: CategorisationRound | None = None
    moderation: dict[str, int] = field(default_factory=dict)
    overview: bool = False


def caseload_schools(user: Any, partnership: Partnership) -> tuple[QuerySet[School], bool]:
    """The schools a person's dashboard covers, and whether it is the senior overview.

    A CA (or partner CA): the schools they advise. A senior CA: the schools of the
    advisers in the teams they lead (and their own); every school when they lead no team.
    An admin: every school.
    """
    if has_role(user, partnership, Role.SENIOR_CA):
        advisers = set(
            AdviserTeam.advisers.through.objects.filter(
                adviserteam__senior_adviser=user
            ).values_list("user_id", flat=True)
        )
        if advisers:
            return School.objects.filter(challenge_adviser_id__in=advisers | {user.pk}), True
        return School.objects.all(), True
    if is_partnership_admin(user, partnership):
        return School.objects.all(), True
    return School.objects.filter(challenge_adviser=user), False


def current_round() -> CategorisationRound | None:
    """The round in progress, or else the latest one."""
    rounds = CategorisationRound.objects.order_by("-self_evaluation_due", "-pk")
    return rounds.exclude(stage=RoundStage.COMPLETE).first() or rounds.first()


def moderation_progress(round_: CategorisationRound, schools: QuerySet[School]) -> dict[str, int]:
    counts = Counter(
        dict(
            round_.records.filter(school__in=schools)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
    )
    return {status: counts.get(status, 0) for status in SchoolCategorisation.Status.values} | {
        "total": sum(counts.values()),
        "changed": round_.records.filter(school__in=schools, moderation_outcome="changed").count(),
        "disagreed": round_.records.filter(school__in=schools, school_agrees=False).count(),
    }


def dashboard_for(user: Any, partnership: Partnership) -> Dashboard:
    schools, overview = caseload_schools(user, partnership)
    rows = dashboard_schools(schools)
    dashboard = Dashboard(schools=rows, overview=overview)
    if overview:
        groups: dict[Any, list[School]] = {}
        for row in rows:
            groups.setdefault(row.challenge_adviser, []).append(row)
        dashboard.by_adviser = sorted(
            groups.items(), key=lambda item: (item[0] is None, str(item[0] or ""))
        )
        dashboard.round = current_round()
        if dashboard.round is not None:
            dashboard.moderation = moderation_progress(dashboard.round, schools)
    dashboard.actions = list(
        open_actions()
        .filter(school__in=schools)
        .select_related("school", "visit")
        .order_by("due_on", "pk")[:100]
    )
    today = timezone.localdate()
    for action in dashboard.actions:
        action.overdue = action.is_overdue(today)
    return dashboard


# --- Visits ------------------------------------------------------------------------------------


def visible_visits(user: Any, partnership: Partnership) -> QuerySet[CaseworkVisit]:
    """The visit notes a person may read (policies.can_view_visit, as one query)."""
    visits = CaseworkVisit.objects.select_related("school", "adviser")
    if has_role(user, partnership, Role.SENIOR_CA):
        return visits
    shared = Q(status=CaseworkVisit.Status.SHARED)
    rule = Q(adviser=user)
    if has_role(user, partnership, Role.CHALLENGE_ADVISER, Role.HEADTEACHER):
        rule |= Q(school__challenge_adviser=user)
    if is_partnership_admin(user, partnership):
        rule |= shared
    own = school_ids_with_role(user, partnership, Role.HEADTEACHER)
    if own:
        rule |= shared & Q(school_id__in=own)
    return visits.filter(rule)


def visit_detail(pk: int) -> CaseworkVisit:
    return (
        CaseworkVisit.objects.select_related("school", "adviser", "partnership")
        .prefetch_related(
            Prefetch("actions", queryset=VisitAction.objects.order_by("due_on", "pk")),
            Prefetch("comments", queryset=VisitComment.objects.select_related("author")),
        )
        .get(pk=pk)
    )


def action_detail(pk: int) -> VisitAction:
    return VisitAction.objects.select_related("visit__school", "visit__adviser", "school").get(
        pk=pk
    )


def school_open_actions(school: School) -> list[VisitAction]:
    """Open actions of the school's shared visit notes, soonest due first."""
    return list(
        open_actions()
        .filter(school=school, visit__status=CaseworkVisit.Status.SHARED)
        .select_related("visit")
        .order_by("due_on", "pk")
    )


def latest_confirmed_record(school: School) -> SchoolCategorisation | None:
    """The school's latest moderated categorisation (what a governor may read)."""
    return (
        SchoolCategorisation.objects.filter(
            school=school, status=SchoolCategorisation.Status.CONFIRMED
        )
        .select_related("round")
        .order_by("-round__self_evaluation_due", "-pk")
        .first()
    )


def school_casework(school: School, *, include_drafts: bool) -> dict[str, Any]:
    visits = CaseworkVisit.objects.filter(school=school).select_related("adviser")
    if not include_drafts:
        visits = visits.filter(status=CaseworkVisit.Status.SHARED)
    visits = visits.annotate(
        open_action_count=Count("actions", filter=Q(actions__status__in=VisitAction.OPEN_STATUSES))
    )
    return {
        "visits": list(visits),
        "actions": list(
            open_actions()
            .filter(school=school, visit__in=[v.pk for v in visits])
            .select_related("visit")
            .order_by("due_on", "pk")
        ),
        "assignments": list(
            CaseloadAssignment.objects.filter(school=school).select_related(
                "adviser", "assigned_by"
            )
        ),
        "records": list(
            SchoolCategorisation.objects.filter(school=school)
            .select_related("round")
            .order_by("-round__self_evaluation_due")
        ),
    }


def visible_actions(user: Any, partnership: Partnership) -> QuerySet[VisitAction]:
    visits = visible_visits(user, partnership)
    return VisitAction.objects.filter(visit__in=visits.values("pk")).select_related(
        "visit", "school"
    )


# --- Categorisation ----------------------------------------------------------------------------


def rounds() -> QuerySet[CategorisationRound]:
    return CategorisationRound.objects.annotate(
        record_count=Count("records"),
        confirmed_count=Count(
            "records", filter=Q(records__status=SchoolCategorisation.Status.CONFIRMED)
        ),
    ).order_by("-self_evaluation_due", "-pk")


def round_detail(pk: int) -> CategorisationRound:
    return CategorisationRound.objects.prefetch_related("moderators").get(pk=pk)


def round_records(round_: CategorisationRound) -> QuerySet[SchoolCategorisation]:
    return (
        round_.records.select_related("school", "school__challenge_adviser", "round")
        .prefetch_related("round__moderators")
        .order_by("school__name", "pk")
    )


def record_detail(pk: int) -> SchoolCategorisation:
    return (
        SchoolCategorisation.objects.select_related(
            "school",
            "school__challenge_adviser",
            "round",
            "proposed_by",
            "moderated_by",
            "school_responded_by",
        )
        .prefetch_related("judgements", "round__moderators")
        .get(pk=pk)
    )


def judgements_by_area(record: SchoolCategorisation) -> list[tuple[str, str, Any]]:
    """(area value, area label, judgement or None) in the framework's order."""
    have = {j.area: j for j in record.judgements.all()}
    return [(value, label, have.get(value)) for value, label in EvaluationArea.choices]


def visible_records(user: Any, partnership: Partnership) -> QuerySet[SchoolCategorisation]:
    """Records a person may read in some form (policies.can_view_record, as one query)."""
    records = SchoolCategorisation.objects.select_related("school", "round")
    if has_role(user, partnership, Role.SENIOR_CA) or is_partnership_admin(user, partnership):
        return records
    own = school_ids_with_role(user, partnership, Role.HEADTEACHER)
    governed = school_ids_with_role(user, partnership, Role.GOVERNOR)
    rule = Q(school_id__in=own)
    rule |= Q(school_id__in=governed, status=SchoolCategorisation.Status.CONFIRMED)
    if has_role(user, partnership, Role.CHALLENGE_ADVISER, Role.HEADTEACHER):
        rule |= Q(school__challenge_adviser=user)
    rule |= Q(round__moderators=user) & ~Q(school_id__in=own)
    return records.filter(rule).distinct()


def caseload_candidates(partnership: Partnership) -> QuerySet[Any]:
    """People who may be a school's challenge adviser: advisers, senior CAs, headteachers."""
    from partnership.models import User

    return (
        User.objects.filter(
            memberships__partnership=partnership,
            memberships__role__in=[Role.CHALLENGE_ADVISER, Role.SENIOR_CA, Role.HEADTEACHER],
        )
        .distinct()
        .order_by("full_name", "email")
    )


def senior_advisers(partnership: Partnership) -> QuerySet[Any]:
    from partnership.models import User

    return (
        User.objects.filter(memberships__partnership=partnership, memberships__role=Role.SENIOR_CA)
        .distinct()
        .order_by("full_name", "email")
    )


def teams() -> QuerySet[AdviserTeam]:
    return AdviserTeam.objects.select_related("senior_adviser").prefetch_related("advisers")


def moderation_candidates(partnership: Partnership) -> QuerySet[Any]:
    from partnership.models import User

    return (
        User.objects.filter(
            memberships__partnership=partnership, memberships__role=Role.HEADTEACHER
        )
        .distinct()
        .order_by("full_name", "email")
    )
