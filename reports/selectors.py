"""Reads of terms, report runs and the figures reports need that no other app's selectors
give yet. Every function runs inside the current partnership's scope; list pages load in
a fixed number of queries whatever the number of schools or runs."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from brokerage.models import AgreementOutcome
from hubs.models import Enrolment, EnrolmentStatus, ProgrammeSession
from partnership.models import Membership, Partnership, Role, Term
from partnership.policies import is_partnership_admin, is_senior_ca, school_ids_with_role
from partnership.tenancy import memberships_of
from peerreview import selectors as peerreview_selectors
from peerreview.models import AreaFinding, Findings, FindingsShare
from schools.models import CategoryChange, School

from .models import ReportKind, ReportRun

# --- Terms --------------------------------------------------------------------------------


def terms() -> QuerySet[Term]:
    """The partnership's terms, latest first."""
    return Term.objects.order_by("-starts_on", "-pk")


def term_for(pk: int) -> Term:
    try:
        return Term.objects.get(pk=pk)
    except Term.DoesNotExist:
        raise Http404("No such term.") from None


def overlapping_terms(starts_on: date, ends_on: date, *, exclude: Term | None = None) -> list[Term]:
    """Terms of the partnership whose dates overlap these (both ends included)."""
    overlapping = Term.objects.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
    if exclude is not None and exclude.pk:
        overlapping = overlapping.exclude(pk=exclude.pk)
    return list(overlapping.order_by("starts_on"))


def default_term(today: date | None = None) -> Term | None:
    """The term a reader most likely wants: the latest that has started, else the next."""
    today = today or timezone.localdate()
    started = Term.objects.filter(starts_on__lte=today).order_by("-starts_on").first()
    return started or Term.objects.order_by("starts_on").first()


def terms_ended_between(first: date, last: date) -> list[Term]:
    """Terms whose last day falls between these dates (the end-of-term run's window)."""
    return list(Term.objects.filter(ends_on__gte=first, ends_on__lte=last).order_by("ends_on"))


def terms_up_to(term: Term, *, limit: int = 6) -> list[Term]:
    """This term and the ones before it, oldest first (at most `limit`)."""
    earlier = Term.objects.filter(starts_on__lte=term.starts_on).order_by("-starts_on")[:limit]
    return list(reversed(list(earlier)))


# --- Who reads which report -------------------------------------------------------------


def reportable_schools(user: Any, partnership: Partnership) -> QuerySet[School]:
    """Schools whose report the user may read: every school for admins and senior CAs;
    their own schools for headteachers and governors; a CA's caseload."""
    schools = School.objects.select_related("local_authority").order_by("name", "pk")
    if is_partnership_admin(user, partnership) or is_senior_ca(user, partnership):
        return schools
    own = school_ids_with_role(user, partnership, Role.HEADTEACHER, Role.GOVERNOR)
    mine = Q(pk__in=own)
    roles = {m.role for m in memberships_of(user, partnership)}
    if roles & {Role.CHALLENGE_ADVISER, Role.HEADTEACHER}:
        mine |= Q(challenge_adviser=user)  # a CA, or a headteacher who is a partner CA
    return schools.filter(mine)


def governors_of(school: School) -> list[Membership]:
    """The school's governor memberships with their users (for the end-of-term emails)."""
    return list(
        Membership.objects.filter(role=Role.GOVERNOR, school=school)
        .select_related("user")
        .order_by("user_id")
    )


# --- Runs ---------------------------------------------------------------------------------


def runs_of(term: Term, school: School | None = None) -> list[ReportRun]:
    """Every generation of one report (a school's, or the board's), newest first."""
    runs = ReportRun.objects.filter(term=term).select_related("requested_by")
    runs = runs.filter(school=school) if school else runs.filter(kind=ReportKind.BOARD)
    return list(runs.order_by("-version", "-pk"))


def run_by_token(token: str) -> ReportRun:
    """The run a URL names by its random token (404 for anything else)."""
    try:
        value = uuid.UUID(str(token))
    except ValueError:
        raise Http404("No such report.") from None
    try:
        return ReportRun.objects.select_related("term", "school").get(token=value)
    except ReportRun.DoesNotExist:
        raise Http404("No such report.") from None


def latest_runs(term: Term, school_ids: Iterable[int]) -> dict[int, ReportRun]:
    """The newest run of each of these schools' reports for the term (one query)."""
    latest: dict[int, ReportRun] = {}
    for run in ReportRun.objects.filter(term=term, school_id__in=list(school_ids)).order_by(
        "school_id", "-version"
    ):
        latest.setdefault(run.school_id, run)
    return latest


def runs_visible_to(user: Any, partnership: Partnership) -> QuerySet[ReportRun]:
    """Every run the user may read (the API's list): all for admins; otherwise the runs of
    the schools whose report they may read. Newest first."""
    runs = ReportRun.objects.select_related("term", "school").order_by("-created_at", "-pk")
    if is_partnership_admin(user, partnership):
        return runs
    return runs.filter(school__in=reportable_schools(user, partnership).values("pk"))


def latest_done(runs: list[ReportRun]) -> ReportRun | None:
    return next((run for run in runs if run.is_done), None)


# --- Figures for the report sections -----------------------------------------------------


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _end(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def enrolments_of_school(school: School, term: Term) -> list[Enrolment]:
    """The school's staff with a confirmed place on a programme that meets during the term,
    each annotated with `attended` and `marks` (register marks recorded), in one query."""
    meets = ProgrammeSession.objects.filter(
        programme=OuterRef("programme"), date__gte=term.starts_on, date__lte=term.ends_on
    )
    return list(
        Enrolment.objects.filter(school=school, status=EnrolmentStatus.CONFIRMED)
        .filter(Exists(meets))
        .select_related("programme", "programme__area", "programme__hub")
        .annotate(
            attended=Count("attendances", filter=Q(attendances__attended=True)),
            marks=Count("attendances"),
        )
        .order_by("programme__title", "participant_name", "pk")
    )


def outcomes_of(agreement_ids: Iterable[int]) -> dict[int, AgreementOutcome]:
    """The outcomes of these support agreements, by agreement id (one query)."""
    return {
        outcome.agreement_id: outcome
        for outcome in AgreementOutcome.objects.filter(agreement_id__in=list(agreement_ids))
    }


def categories_at(days: list[date]) -> dict[date, Counter]:
    """How many schools were in each support category at the end of each of these days,
    from the category history ('' counts schools not categorised then). Two queries."""
    changes: dict[int, list[tuple[datetime, str]]] = {}
    for school_id, category, set_at in CategoryChange.objects.order_by(
        "school_id", "set_at", "pk"
    ).values_list("school_id", "category", "set_at"):
        changes.setdefault(school_id, []).append((set_at, category))
    current = dict(School.objects.values_list("pk", "support_category"))
    result: dict[date, Counter] = {}
    for day in days:
        cutoff = _end(day)
        counts: Counter = Counter()
        for school_id, category_now in current.items():
            history = changes.get(school_id)
            if not history:
                counts[category_now] += 1  # no history kept: its category as it is now
                continue
            category = ""
            for set_at, value in history:
                if set_at > cutoff:
                    break
                category = value
            counts[category] += 1
        result[day] = counts
    return result


def shared_findings_for_governors(school: School) -> list[Findings]:
    """Submitted peer-review findings of the school that its headteacher shares with the
    governors now, newest first, including reviews in joint cycles hosted by another
    partnership (peer review's selector is the one place that reads across them)."""
    return peerreview_selectors.findings_shared_with_governors(school.partnership_id, school)


def peer_review_themes(term: Term) -> list[dict[str, Any]]:
    """Judgements of submitted findings by framework area, across the partnership's own
    reviews whose school shares the findings with someone, submitted by the term's end:
    counts only, no school named and no text (findings stay confidential)."""
    shared = FindingsShare.objects.filter(review=OuterRef("findings__review"), revoked_at=None)
    rows = (
        AreaFinding.objects.filter(
            findings__status=Findings.Status.SUBMITTED,
            findings__submitted_at__lte=_end(term.ends_on),
        )
        .filter(Exists(shared))
        .exclude(judgement="")
        .order_by()
        .values("area__position", "area__name", "area__name_cy", "judgement")
        .annotate(n=Count("pk"))
    )
    welsh = get_language() == "cy"
    by_area: dict[tuple[int, str], Counter] = {}
    for row in rows:
        name = (welsh and row["area__name_cy"]) or row["area__name"]
        by_area.setdefault((row["area__position"], name), Counter())[row["judgement"]] += row["n"]
    return [{"area": name, "counts": counts} for (_, name), counts in sorted(by_area.items())]
