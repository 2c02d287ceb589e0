"""Writes for peer review, each with its business rule.

Every write to a cycle's rows runs inside the host partnership's scope (`_host_scope`),
because those rows belong to the host even when a partner's headteacher or reviewer is
acting under their own partnership's address. Callers have already found the cycle or
review through `peerreview.selectors` and checked `peerreview.policies`; services check
the rules that hold whoever calls them (only the lead submits, nothing changes after
submission, a team keeps the conflict-of-interest rules, visits stay in the window).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.services import record_event
from partnership import icalendar
from partnership.models import Membership, Partnership, Role
from partnership.services import queue_email
from partnership.tenancy import URL_KWARG, tenant_scope
from schools.models import SupportCategory
from schools.services import set_support_category

from . import selectors
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
    Judgement,
    ModerationVerdict,
    Review,
    ReviewerProfile,
    ReviewGroup,
    ReviewTeamMember,
    SchoolResponse,
    ShareAudience,
    Visit,
)
from .rules import Placement, Rule, blocking_violations, check_plan

logger = logging.getLogger(__name__)

#: Days before a visit on which the team and the host headteacher get a reminder.
REMINDER_DAYS = (7, 1)

#: A new framework starts with these areas (English name, Welsh name, prompts, sources).
DEFAULT_FRAMEWORK_AREAS = [
    (
        "Leadership",
        "Arweinyddiaeth",
        "How well do leaders know the school's strengths and areas for development?\n"
        "How do leaders evaluate and improve teaching?\n"
        "How well do leaders develop staff and share leadership?",
        "Self-evaluation and improvement plan\nMeetings with leaders\nGovernors' minutes",
    ),
    (
        "Quality of teaching",
        "Ansawdd yr addysgu",
        "How well does teaching build on what pupils already know?\n"
        "How effective is feedback in helping pupils improve?",
        "Lesson visits\nPupils' books and work\nConversations with teachers",
    ),
    (
        "Curriculum",
        "Cwricwlwm",
        "How well does the curriculum meet the needs of all pupils?\n"
        "How are progression and skills planned across the school?",
        "Curriculum plans\nLearning walks\nConversations with pupils",
    ),
    (
        "Wellbeing",
        "Llesiant",
        "How safe and happy do pupils feel?\nHow well does the school support staff wellbeing?",
        "Pupil voice\nAttendance information\nStaff survey",
    ),
    (
        "Inclusion",
        "Cynhwysiant",
        "How well are pupils with additional learning needs supported?\n"
        "How does the school reduce the effect of poverty on attainment?",
        "Provision maps\nIndividual development plans\nPupil-level information",
    ),
]


@contextmanager
def _host_scope(obj: Any):
    """Run inside the scope of the partnership that owns a cycle row (the host)."""
    with tenant_scope(obj.partnership_id), transaction.atomic():
        yield


def _user_label(user: Any) -> str:
    return f"{user.get_full_name()} <{user.email}>"


# --- Frameworks --------------------------------------------------------------------------


def create_framework(
    *,
    actor: Any,
    partnership: Partnership,
    name: str,
    description: str = "",
    with_default_areas: bool = True,
) -> Framework:
    """A framework with a draft version 1 (with the default areas unless told otherwise)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter a name for the framework.")})
    with tenant_scope(partnership), transaction.atomic():
        if Framework.objects.filter(name__iexact=name).exists():
            raise ValidationError({"name": _("There is already a framework with this name.")})
        framework = Framework.objects.create(
            partnership=partnership, name=name, description=description.strip()
        )
        version = FrameworkVersion.objects.create(
            partnership=partnership, framework=framework, number=1
        )
        if with_default_areas:
            FrameworkArea.objects.bulk_create(
                FrameworkArea(
                    partnership=partnership,
                    version=version,
                    name=name_en,
                    name_cy=name_cy,
                    prompts=prompts,
                    evidence_sources=sources,
                    position=i,
                )
                for i, (name_en, name_cy, prompts, sources) in enumerate(DEFAULT_FRAMEWORK_AREAS)
            )
    return framework


def _ensure_draft(version: FrameworkVersion) -> None:
    if version.is_published:
        raise ValidationError(
            _(
                "Version %(number)s is published and can no longer change, so cycles that use "
                "it keep it as it was. Start a new version to make changes."
            )
            % {"number": version.number}
        )


def save_framework_area(
    *,
    actor: Any,
    version: FrameworkVersion,
    area: FrameworkArea | None = None,
    name: str,
    name_cy: str = "",
    prompts: str = "",
    evidence_sources: str = "",
    position: int | None = None,
    partnership_area: Any = None,
) -> FrameworkArea:
    """Add an area to a draft version, or change one of its areas."""
    with tenant_scope(version.partnership_id), transaction.atomic():
        locked = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
        _ensure_draft(locked)
        name = name.strip()
        clash = FrameworkArea.objects.filter(version=locked, name__iexact=name)
        if area is not None:
            clash = clash.exclude(pk=area.pk)
        if clash.exists():
            raise ValidationError({"name": _("This version already has an area with this name.")})
        if area is None:
            area = FrameworkArea(partnership_id=locked.partnership_id, version=locked)
            if position is None:
                position = FrameworkArea.objects.filter(version=locked).count()
        elif area.version_id != locked.pk:
            raise ValidationError(_("This area belongs to another version."))
        area.name = name
        area.name_cy = name_cy.strip()
        area.prompts = prompts.strip()
        area.evidence_sources = evidence_sources.strip()
        area.area = partnership_area
        if position is not None:
            area.position = position
        area.full_clean(exclude=["version", "partnership"])
        area.save()
    return area


def remove_framework_area(*, actor: Any, area: FrameworkArea) -> None:
    with tenant_scope(area.partnership_id), transaction.atomic():
        version = FrameworkVersion.objects.select_for_update().get(pk=area.version_id)
        _ensure_draft(version)
        area.delete()


def publish_version(*, actor: Any, version: FrameworkVersion) -> FrameworkVersion:
    """Freeze a draft version so cycles can use it."""
    with tenant_scope(version.partnership_id), transaction.atomic():
        locked = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
        _ensure_draft(locked)
        if not FrameworkArea.objects.filter(version=locked).exists():
            raise ValidationError(_("Add at least one review area before publishing."))
        locked.status = FrameworkVersion.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = actor
        locked.save(update_fields=["status", "published_at", "published_by"])
    return locked


def start_new_version(*, actor: Any, framework: Framework, notes: str = "") -> FrameworkVersion:
    """A new draft version copying the newest version's areas."""
    with tenant_scope(framework.partnership_id), transaction.atomic():
        versions = FrameworkVersion.objects.select_for_update().filter(framework=framework)
        latest = versions.order_by("-number").first()
        if latest is not None and not latest.is_published:
            raise ValidationError(
                _("Version %(number)s is still a draft: change it, or publish it first.")
                % {"number": latest.number}
            )
        version = FrameworkVersion.objects.create(
            partnership_id=framework.partnership_id,
            framework=framework,
            number=(latest.number + 1) if latest else 1,
            notes=notes.strip(),
        )
        if latest is not None:
            FrameworkArea.objects.bulk_create(
                FrameworkArea(
                    partnership_id=framework.partnership_id,
                    version=version,
                    area_id=a.area_id,
                    name=a.name,
                    name_cy=a.name_cy,
                    prompts=a.prompts,
                    evidence_sources=a.evidence_sources,
                    position=a.position,
                )
                for a in FrameworkArea.objects.filter(version=latest).order_by("position", "pk")
            )
    return version


# --- Reviewers ---------------------------------------------------------------------------


def save_reviewer_profile(
    *,
    actor: Any,
    partnership: Partnership,
    profile: ReviewerProfile | None = None,
    user: Any,
    school: Any = None,
    trained_on: datetime.date | None = None,
    is_active: bool = True,
) -> ReviewerProfile:
    """Record (or update) a reviewer: their school and the date they were trained."""
    if trained_on is not None and trained_on > timezone.localdate():
        raise ValidationError({"trained_on": _("The training date cannot be in the future.")})
    with tenant_scope(partnership), transaction.atomic():
        if not Membership.objects.filter(user=user).exists():
            raise ValidationError({"user": _("This person is not a member of the partnership.")})
        clash = ReviewerProfile.objects.filter(user=user)
        if profile is not None:
            clash = clash.exclude(pk=profile.pk)
        if clash.exists():
            raise ValidationError({"user": _("This person already has a reviewer profile.")})
        profile = profile or ReviewerProfile(partnership=partnership)
        profile.user = user
        profile.school = school
        profile.trained_on = trained_on
        profile.is_active = is_active
        profile.save()
    return profile


# --- Cycles ------------------------------------------------------------------------------

CYCLE_FIELDS = (
    "name",
    "academic_year",
    "window_start",
    "window_end",
    "framework_version",
    "group_kind",
    "team_size",
    "forbid_same_cluster",
    "forbid_reciprocal",
    "max_reviews_per_reviewer",
    "previous_cycle",
)


def _academic_year_bounds(year: str) -> tuple[datetime.date, datetime.date]:
    try:
        first, second = year.split("/")
        start = int(first)
        if len(first) != 4 or len(second) != 2 or int(second) != (start + 1) % 100:
            raise ValueError
    except ValueError:
        raise ValidationError(
            {"academic_year": _("Enter the academic year as 2025/26 (two consecutive years).")}
        ) from None
    return datetime.date(start, 9, 1), datetime.date(start + 1, 8, 31)


def _validate_cycle(cycle: Cycle) -> None:
    """Field errors of a cycle's settings (run inside the host partnership's scope)."""
    errors: dict[str, list[str]] = {}
    first, last = _academic_year_bounds(cycle.academic_year)
    if cycle.window_start and cycle.window_end:
        if cycle.window_end < cycle.window_start:
            errors.setdefault("window_end", []).append(
                _("The last day for visits must be on or after the first day.")
            )
        elif cycle.window_start < first or cycle.window_end > last:
            errors.setdefault("window_start", []).append(
                _(
                    "The visit window must fall within the academic year %(year)s "
                    "(%(first)s to %(last)s)."
                )
                % {
                    "year": cycle.academic_year,
                    "first": date_format(first),
                    "last": date_format(last),
                }
            )
    # Read from the database in the host's scope: the version must be published now, and
    # both must be the host's own.
    if not FrameworkVersion.objects.filter(
        pk=cycle.framework_version_id, status=FrameworkVersion.Status.PUBLISHED
    ).exists():
        errors.setdefault("framework_version", []).append(
            _("Choose a published version of one of the partnership's frameworks.")
        )
    if cycle.previous_cycle_id and (
        cycle.previous_cycle_id == cycle.pk
        or not Cycle.objects.filter(pk=cycle.previous_cycle_id).exists()
    ):
        errors.setdefault("previous_cycle", []).append(_("Choose an earlier cycle."))
    if errors:
        raise ValidationError(errors)


def create_cycle(*, actor: Any, partnership: Partnership, **fields: Any) -> Cycle:
    """A cycle hosted by the partnership; the host takes part in it from the start."""
    unknown = set(fields) - set(CYCLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown cycle fields: {sorted(unknown)}")
    cycle = Cycle(partnership=partnership, created_by=actor, **fields)
    with tenant_scope(partnership), transaction.atomic():
        _validate_cycle(cycle)
        if Cycle.objects.filter(name__iexact=cycle.name).exists():
            raise ValidationError({"name": _("There is already a cycle with this name.")})
        cycle.full_clean(exclude=["partnership", "framework_version", "previous_cycle"])
        cycle.save()
        CycleParticipation.objects.create(
            partnership=partnership,
            cycle=cycle,
            status=CycleParticipation.Status.AGREED,
            is_host=True,
            invited_by=actor,
            responded_by=actor,
            responded_at=timezone.now(),
        )
    return cycle


def update_cycle(*, actor: Any, cycle: Cycle, **fields: Any) -> Cycle:
    """Change a cycle's settings. Visits must stay inside the window, and the framework
    version cannot change once evidence or findings have been written against it."""
    unknown = set(fields) - set(CYCLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown cycle fields: {sorted(unknown)}")
    with _host_scope(cycle):
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        old_version_id = locked.framework_version_id
        for name, value in fields.items():
            setattr(locked, name, value)
        _validate_cycle(locked)
        if Cycle.objects.filter(name__iexact=locked.name).exclude(pk=locked.pk).exists():
            raise ValidationError({"name": _("There is already a cycle with this name.")})
        outside = [
            v
            for v in Visit.objects.filter(review__cycle=locked).select_related("review__school")
            if not locked.in_window(v.date)
        ]
        if outside:
            raise ValidationError(
                {
                    "window_start": _(
                        "These visits would fall outside the new window: %(visits)s. Move them "
                        "first."
                    )
                    % {"visits": "; ".join(str(v) for v in outside)}
                }
            )
        if locked.framework_version_id != old_version_id and (
            EvidenceNote.objects.filter(review__cycle=locked).exists()
            or Findings.objects.filter(review__cycle=locked).exists()
        ):
            raise ValidationError(
                {
                    "framework_version": _(
                        "Evidence or findings have already been written against this version, "
                        "so the cycle keeps it."
                    )
                }
            )
        locked.full_clean(exclude=["partnership", "framework_version", "previous_cycle"])
        locked.save()
    return locked


def invite_partnership(*, actor: Any, cycle: Cycle, slug: str) -> CycleParticipation:
    """Invite another partnership (by its short name) to run the cycle jointly."""
    slug = (slug or "").strip().lower()
    guest = Partnership.objects.filter(slug=slug, is_active=True).first()
    if guest is None:
        raise ValidationError({"slug": _("There is no partnership with this short name.")})
    if guest.pk == cycle.partnership_id:
        raise ValidationError({"slug": _("This is the cycle's own partnership.")})
    with tenant_scope(guest), transaction.atomic():
        participation, created = CycleParticipation.objects.get_or_create(
            cycle=cycle, partnership=guest, defaults={"invited_by": actor}
        )
        if not created:
            if participation.status != CycleParticipation.Status.DECLINED:
                raise ValidationError(
                    {"slug": _("This partnership has already been invited to the cycle.")}
                )
            participation.status = CycleParticipation.Status.INVITED
            participation.invited_by = actor
            participation.responded_at = None
            participation.responded_by = None
            participation.save()
        speakers = list(
            Membership.objects.filter(role__in=[Role.PARTNERSHIP_ADMIN, Role.SENIOR_CA])
            .select_related("user")
            .order_by("pk")
        )
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        for user in {m.user_id: m.user for m in speakers}.values():
            with translation.override(user.language or guest.default_language):
                queue_email(
                    partnership=guest,
                    key=f"peerreview:cycle:{cycle.pk}:invite:{participation.pk}:{stamp}:{user.pk}",
                    to=user.email,
                    subject=_("%(host)s invites you to a joint peer-review cycle")
                    % {"host": cycle.partnership.name},
                    template="peerreview/email/cycle_invitation.txt",
                    context={
                        "cycle": cycle,
                        "host": cycle.partnership,
                        "guest": guest,
                        "actor": actor,
                        "url": settings.SITE_URL
                        + reverse("peerreview:home", kwargs={URL_KWARG: guest.slug}),
                    },
                )
    return participation


def respond_to_invitation(
    *, actor: Any, participation: CycleParticipation, agree: bool
) -> CycleParticipation:
    """Agree to join a joint cycle, or decline it."""
    with tenant_scope(participation.partnership_id), transaction.atomic():
        locked = CycleParticipation.objects.select_for_update().get(pk=participation.pk)
        if locked.status != CycleParticipation.Status.INVITED:
            raise ValidationError(
                _("This invitation has already been answered (%(status)s).")
                % {"status": locked.get_status_display()}
            )
        locked.status = (
            CycleParticipation.Status.AGREED if agree else CycleParticipation.Status.DECLINED
        )
        locked.responded_by = actor
        locked.responded_at = timezone.now()
        locked.save(update_fields=["status", "responded_by", "responded_at"])
    return locked


def add_schools(
    *, actor: Any, cycle: Cycle, partnership: Partnership, schools: Iterable[Any]
) -> list[Review]:
    """Put some of a taking-part partnership's own schools into the cycle."""
    schools = list(schools)
    participation = selectors.participation_for(partnership, cycle)
    if participation is None or participation.status != CycleParticipation.Status.AGREED:
        raise ValidationError(_("Your partnership has not agreed to take part in this cycle."))
    wrong = [s.name for s in schools if s.partnership_id != partnership.pk]
    if wrong:
        raise ValidationError({"schools": _("These schools are not in your partnership.")})
    added = []
    with _host_scope(cycle):
        for school in schools:
            review, created = Review.objects.get_or_create(
                cycle=cycle,
                school=school,
                defaults={"partnership_id": cycle.partnership_id, "added_by": actor},
            )
            if created:
                added.append(review)
    return added


def remove_review(*, actor: Any, review: Review) -> None:
    """Take a school out of the cycle before anything has happened in its review."""
    with _host_scope(review):
        if (
            ReviewTeamMember.objects.filter(review=review).exists()
            or Visit.objects.filter(review=review).exists()
            or Findings.objects.filter(review=review).exists()
        ):
            raise ValidationError(
                _("This review already has a team, visits or findings, so it stays in the cycle.")
            )
        review.delete()


# --- Groups and teams --------------------------------------------------------------------


def _violation_errors(violations: Iterable) -> ValidationError:
    """Violations as form errors: each names the rule broken, on the field it concerns."""
    errors: dict[str, list[ValidationError]] = {}
    for v in violations:
        field = "lead" if v.rule in (Rule.NO_LEAD, Rule.UNTRAINED_LEAD) else "reviewers"
        errors.setdefault(field, []).append(
            ValidationError(
                "%(rule)s: %(message)s",
                code=str(v.rule),
                params={"rule": v.rule_label, "message": v.message},
            )
        )
    return ValidationError(errors)


def _ensure_not_submitted(review: Review) -> None:
    findings = Findings.objects.filter(review=review).select_related("submitted_by").first()
    if findings is not None and findings.is_submitted:
        raise ValidationError(
            _(
                "The findings were submitted on %(date)s by %(name)s, so this review can no "
                "longer be changed."
            )
            % {
                "date": date_format(timezone.localtime(findings.submitted_at)),
                "name": findings.submitted_by or _("the lead reviewer"),
            }
        )


def set_team(
    *,
    actor: Any,
    review: Review,
    reviewer_ids: Iterable[int],
    lead_id: int | None,
    group: ReviewGroup | None = None,
) -> list[ReviewTeamMember]:
    """Replace a review's team (and its group). Refused, with every rule broken, when the
    team would break the cycle's conflict-of-interest rules."""
    reviewer_ids = list(dict.fromkeys(int(i) for i in reviewer_ids))
    cycle = review.cycle
    with tenant_scope(review.partnership_id):
        _ensure_not_submitted(review)
    plan = selectors.cycle_plan(cycle)
    errors: dict[str, list[str]] = {}
    unknown = [i for i in reviewer_ids if i not in plan.pool_user_ids]
    if unknown:
        errors["reviewers"] = [
            _("Choose reviewers from the partnerships taking part in this cycle.")
        ]
    if reviewer_ids and lead_id not in reviewer_ids:
        errors["lead"] = [_("Choose the lead reviewer from the team.")]
    if group is not None and group.cycle_id != cycle.pk:
        errors["group"] = [_("Choose a group of this cycle.")]
    if errors:
        raise ValidationError(errors)

    others = [p for p in plan.placements if p.school_id != review.school_id]
    proposed = others + [Placement(review.school_id, i, i == lead_id) for i in reviewer_ids]
    before = check_plan(
        plan.placements, schools=plan.schools, reviewers=plan.reviewers, rules=plan.rules
    )
    after = check_plan(proposed, schools=plan.schools, reviewers=plan.reviewers, rules=plan.rules)
    blocking = blocking_violations(
        before, after, school_id=review.school_id, reviewer_ids=reviewer_ids
    )
    if blocking:
        raise _violation_errors(blocking)

    with _host_scope(review):
        locked = Review.objects.select_for_update().get(pk=review.pk)
        _ensure_not_submitted(locked)
        previous = set(
            ReviewTeamMember.objects.filter(review=locked).values_list("reviewer_id", flat=True)
        )
        ReviewTeamMember.objects.filter(review=locked).delete()
        members = [
            ReviewTeamMember.objects.create(
                partnership_id=locked.partnership_id,
                review=locked,
                reviewer_id=i,
                profile=plan.profiles_by_user[i],
                is_lead=(i == lead_id),
            )
            for i in reviewer_ids
        ]
        if group is not None or locked.group_id is not None:
            locked.group = group
            locked.save(update_fields=["group"])
        newcomers = set(reviewer_ids) - previous
        if newcomers:
            future = Visit.objects.filter(review=locked, date__gte=timezone.localdate())
            for visit_id in future.values_list("pk", flat=True):
                transaction.on_commit(lambda vid=visit_id: _invite_to_visit(vid), robust=True)
    return members


def apply_proposal(*, actor: Any, cycle: Cycle) -> int:
    """Replace the cycle's groups and teams with the automatic proposal (before any visit,
    evidence or findings). Returns how many teams were made."""
    proposal, plan = selectors.cycle_proposal(cycle)
    violations = check_plan(
        proposal.placements, schools=plan.schools, reviewers=plan.reviewers, rules=plan.rules
    )
    if violations:  # propose() never does this; refuse rather than save a broken plan
        raise _violation_errors(violations)
    with _host_scope(cycle):
        Cycle.objects.select_for_update().get(pk=cycle.pk)
        if (
            Visit.objects.filter(review__cycle=cycle).exists()
            or EvidenceNote.objects.filter(review__cycle=cycle).exists()
            or Findings.objects.filter(review__cycle=cycle).exists()
        ):
            raise ValidationError(
                _(
                    "Visits, evidence or findings already exist in this cycle, so its teams "
                    "can only be changed one at a time."
                )
            )
        ReviewTeamMember.objects.filter(review__cycle=cycle).delete()
        Review.objects.filter(cycle=cycle).update(group=None)
        ReviewGroup.objects.filter(cycle=cycle).delete()
        for index, school_ids in enumerate(proposal.groups, start=1):
            group = ReviewGroup.objects.create(
                partnership_id=cycle.partnership_id,
                cycle=cycle,
                name=_("Group %(number)s") % {"number": index},
                position=index,
            )
            Review.objects.filter(cycle=cycle, school_id__in=school_ids).update(group=group)
        ReviewTeamMember.objects.bulk_create(
            ReviewTeamMember(
                partnership_id=cycle.partnership_id,
                review=plan.reviews_by_school[school_id],
                reviewer_id=reviewer_id,
                profile=plan.profiles_by_user[reviewer_id],
                is_lead=(reviewer_id == proposal.leads[school_id]),
            )
            for school_id, reviewer_ids in proposal.teams.items()
            for reviewer_id in reviewer_ids
        )
    return len(proposal.teams)


# --- Visits ------------------------------------------------------------------------------


def _check_visit(review: Review, date: datetime.date, starts_at, ends_at) -> None:
    cycle = review.cycle
    errors: dict[str, list[str]] = {}
    if not cycle.in_window(date):
        errors["date"] = [
            _("The visit must be between %(start)s and %(end)s, the review window of %(cycle)s.")
            % {
                "start": date_format(cycle.window_start),
                "end": date_format(cycle.window_end),
                "cycle": cycle.name,
            }
        ]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The visit must end after it starts.")]
    if errors:
        raise ValidationError(errors)


def schedule_visit(
    *,
    actor: Any,
    review: Review,
    date: datetime.date,
    starts_at: datetime.time,
    ends_at: datetime.time,
    location: str = "",
    agenda: str = "",
) -> Visit:
    """Schedule a visit inside the cycle's window and invite the team and the headteacher."""
    _check_visit(review, date, starts_at, ends_at)
    with _host_scope(review):
        visit = Visit.objects.create(
            partnership_id=review.partnership_id,
            review=review,
            date=date,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location.strip(),
            agenda=agenda.strip(),
            scheduled_by=actor,
        )
        transaction.on_commit(lambda: _invite_to_visit(visit.pk), robust=True)
    return visit


def update_visit(
    *,
    actor: Any,
    visit: Visit,
    date: datetime.date,
    starts_at: datetime.time,
    ends_at: datetime.time,
    location: str = "",
    agenda: str = "",
) -> Visit:
    """Move or change a visit; everyone gets an updated invitation (a higher SEQUENCE)."""
    _check_visit(visit.review, date, starts_at, ends_at)
    with _host_scope(visit):
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        locked.date, locked.starts_at, locked.ends_at = date, starts_at, ends_at
        locked.location, locked.agenda = location.strip(), agenda.strip()
        locked.sequence += 1
        locked.save()
        transaction.on_commit(lambda: _invite_to_visit(locked.pk), robust=True)
    return locked


def visit_recipients(visit: Visit) -> list[tuple[Any, Partnership]]:
    """(person, the partnership whose address they use): the team and the headteacher."""
    review = visit.review
    people: dict[int, tuple[Any, Partnership]] = {}
    for member in selectors.team_of(review):
        people.setdefault(member.reviewer_id, (member.reviewer, member.profile.partnership))
    for head in selectors.headteachers_of(review.school):
        people.setdefault(head.pk, (head, review.school.partnership))
    return list(people.values())


def visit_calendar(visit: Visit, *, stamp: datetime.datetime | None = None) -> str:
    """The visit as an iCalendar file (the team and the host headteacher as attendees)."""
    review = visit.review
    recipients = visit_recipients(visit)
    host_url = settings.SITE_URL.split("://")[-1].split("/")[0].split(":")[0] or "portal"
    organizer = visit.scheduled_by
    return icalendar.calendar(
        [
            icalendar.Event(
                uid=f"{visit.uid}@{host_url}",
                sequence=visit.sequence,
                starts=icalendar.local_to_utc(visit.date, visit.starts_at),
                ends=icalendar.local_to_utc(visit.date, visit.ends_at),
                summary=_("Peer review visit: %(school)s") % {"school": review.school.name},
                location=visit.location or review.school.name,
                description=visit.agenda,
                organizer=(
                    icalendar.Attendee(organizer.get_full_name(), organizer.email)
                    if organizer
                    else None
                ),
                attendees=tuple(
                    icalendar.Attendee(user.get_full_name(), user.email) for user, _p in recipients
                ),
            )
        ],
        stamp=stamp,
    )


def _visit_url(visit: Visit, partnership: Partnership, name: str) -> str:
    return settings.SITE_URL + reverse(
        f"peerreview:{name}", kwargs={URL_KWARG: partnership.slug, "pk": visit.pk}
    )


def _email_about_visit(visit: Visit, *, kind: str, key_suffix: str, subject: str) -> int:
    """Queue one email per recipient (once per key) about a visit; returns how many.
    Invitations carry the visit's calendar file, so it goes straight into a calendar."""
    sent = 0
    attachments = None
    if kind == "invitation":
        attachments = [
            {
                "filename": "peer-review-visit.ics",
                "content": visit_calendar(visit),
                "mimetype": "text/calendar; method=REQUEST",
            }
        ]
    for user, partnership in visit_recipients(visit):
        with translation.override(user.language or partnership.default_language):
            queue_email(
                partnership=visit.review.cycle.partnership,
                key=f"peerreview:visit:{visit.pk}:{key_suffix}:{user.pk}",
                to=user.email,
                subject=subject % {"school": visit.review.school.name},
                template=f"peerreview/email/visit_{kind}.txt",
                attachments=attachments,
                context={
                    "visit": visit,
                    "review": visit.review,
                    "user": user,
                    "calendar_url": _visit_url(visit, partnership, "visit_calendar"),
                    "review_url": settings.SITE_URL
                    + reverse(
                        "peerreview:review_detail",
                        kwargs={URL_KWARG: partnership.slug, "pk": visit.review_id},
                    ),
                },
            )
        sent += 1
    return sent


def _load_visit(visit_id: int) -> Visit | None:
    # Called from tasks and on-commit hooks with an id this module wrote: read it whatever
    # the current scope, since the team and headteacher may belong to a partner.
    return (
        Visit.objects.with_scopes_disabled()
        .select_related("review__cycle__partnership", "review__school__partnership", "scheduled_by")
        .filter(pk=visit_id)
        .first()
    )


def _invite_to_visit(visit_id: int) -> int:
    visit = _load_visit(visit_id)
    if visit is None:
        return 0
    return _email_about_visit(
        visit,
        kind="invitation",
        key_suffix=f"invite:{visit.sequence}",
        subject=_("Peer review visit: %(school)s"),
    )


def send_visit_reminder(*, visit_id: int, days_before: int) -> int:
    """Remind the team and the headteacher of a visit; at most once per person, visit date
    and reminder (the outbox key), however often it is called."""
    visit = _load_visit(visit_id)
    if visit is None:
        return 0
    return _email_about_visit(
        visit,
        kind="reminder",
        key_suffix=f"reminder:{days_before}:{visit.date:%Y%m%d}",
        subject=_("Reminder: peer review visit to %(school)s"),
    )


def visits_due_reminders(today: datetime.date | None = None) -> list[tuple[int, int, int]]:
    """(host partnership id, visit id, days before) of every visit due a reminder today."""
    today = today or timezone.localdate()
    days = {today + datetime.timedelta(days=d): d for d in REMINDER_DAYS}
    rows = (
        Visit.objects.with_scopes_disabled()
        .filter(date__in=list(days))
        .values_list("partnership_id", "pk", "date")
    )
    return [(p, v, days[d]) for p, v, d in rows]


# --- Evidence and findings ---------------------------------------------------------------


def _ensure_on_team(actor: Any, review: Review, *, lead: bool = False) -> None:
    team = ReviewTeamMember.objects.filter(review=review, reviewer=actor)
    if lead:
        team = team.filter(is_lead=True)
    if not team.exists():
        raise PermissionDenied


def _area_ids(review: Review) -> set[int]:
    return set(
        FrameworkArea.objects.filter(version_id=review.cycle.framework_version_id).values_list(
            "pk", flat=True
        )
    )


def save_evidence(*, actor: Any, review: Review, texts: Mapping[int, str]) -> list[EvidenceNote]:
    """Save (or autosave) the actor's evidence, area by area, as a draft."""
    with _host_scope(review):
        _ensure_on_team(actor, review)
        locked = Review.objects.select_for_update().get(pk=review.pk)
        _ensure_not_submitted(locked)
        allowed = _area_ids(locked)
        if set(texts) - allowed:
            raise ValidationError(_("Evidence can only be recorded for the cycle's review areas."))
        existing = {n.area_id: n for n in EvidenceNote.objects.filter(review=locked, author=actor)}
        saved = []
        for area_id, text in texts.items():
            text = (text or "").strip()
            note = existing.get(area_id)
            if note is None and not text:
                continue
            if note is None:
                note = EvidenceNote(
                    partnership_id=locked.partnership_id,
                    review=locked,
                    area_id=area_id,
                    author=actor,
                )
            elif note.text == text:
                saved.append(note)
                continue
            note.text = text
            note.save()
            saved.append(note)
    return saved


def save_findings(
    *,
    actor: Any,
    review: Review,
    summary: str,
    areas: Mapping[int, Mapping[str, str]],
) -> Findings:
    """Save the team's draft findings: what went well, even better if, optional judgement."""
    with _host_scope(review):
        _ensure_on_team(actor, review)
        locked = Review.objects.select_for_update().get(pk=review.pk)
        _ensure_not_submitted(locked)
        allowed = _area_ids(locked)
        if set(areas) - allowed:
            raise ValidationError(_("Findings can only be written for the cycle's review areas."))
        for values in areas.values():
            if values.get("judgement", "") not in ("", *Judgement.values):
                raise ValidationError(_("Choose a judgement from the list, or none."))
        findings = Findings.objects.filter(review=locked).first()
        if findings is None:
            findings = Findings(partnership_id=locked.partnership_id, review=locked)
        if findings.pk is None or findings.summary != summary.strip():
            findings.summary = summary.strip()
            findings._history_user = actor
            findings.save()
        existing = {a.area_id: a for a in AreaFinding.objects.filter(findings=findings)}
        for area_id, values in areas.items():
            went_well = (values.get("went_well") or "").strip()
            even_better_if = (values.get("even_better_if") or "").strip()
            judgement = values.get("judgement") or ""
            row = existing.get(area_id)
            if row is None and not (went_well or even_better_if or judgement):
                continue
            if row is None:
                row = AreaFinding(
                    partnership_id=locked.partnership_id, findings=findings, area_id=area_id
                )
            elif (row.went_well, row.even_better_if, row.judgement) == (
                went_well,
                even_better_if,
                judgement,
            ):
                continue
            row.went_well, row.even_better_if, row.judgement = went_well, even_better_if, judgement
            row._history_user = actor
            row.save()
    return findings


def submit_findings(*, actor: Any, review: Review) -> Findings:
    """The lead reviewer submits the findings; from then on nobody can change them."""
    with _host_scope(review):
        locked = Review.objects.select_for_update().get(pk=review.pk)
        lead = (
            ReviewTeamMember.objects.filter(review=locked, is_lead=True)
            .select_related("reviewer")
            .first()
        )
        if lead is None or lead.reviewer_id != actor.pk:
            raise ValidationError(
                _("Only the lead reviewer (%(name)s) can submit the findings.")
                % {"name": lead.reviewer if lead else _("not yet chosen")}
            )
        _ensure_not_submitted(locked)
        findings = Findings.objects.filter(review=locked).first()
        if findings is None or not any(
            a.has_content for a in AreaFinding.objects.filter(findings=findings)
        ):
            raise ValidationError(
                _("Write what went well or even better if for at least one area first.")
            )
        findings.status = Findings.Status.SUBMITTED
        findings.submitted_at = timezone.now()
        findings.submitted_by = actor
        findings._history_user = actor
        findings.save()
    review_obj = findings.review
    for head in selectors.headteachers_of(review_obj.school):
        with translation.override(head.language or review_obj.school.partnership.default_language):
            queue_email(
                partnership=review_obj.cycle.partnership,
                key=f"peerreview:findings:{findings.pk}:submitted:{head.pk}",
                to=head.email,
                subject=_("Peer review findings for %(school)s are ready")
                % {"school": review_obj.school.name},
                template="peerreview/email/findings_submitted.txt",
                context={
                    "review": review_obj,
                    "user": head,
                    "url": settings.SITE_URL
                    + reverse(
                        "peerreview:findings",
                        kwargs={URL_KWARG: review_obj.school.partnership.slug, "pk": review_obj.pk},
                    ),
                },
            )
    return findings


# --- The school's response ---------------------------------------------------------------


def save_response(
    *,
    actor: Any,
    review: Review,
    response: str,
    action_plan: str,
    follow_up_on: datetime.date,
) -> SchoolResponse:
    """The reviewed school's response and action plan, once the findings are submitted."""
    response, action_plan = (response or "").strip(), (action_plan or "").strip()
    errors: dict[str, list[str]] = {}
    if not response:
        errors["response"] = [_("Write the school's response to the findings.")]
    if not action_plan:
        errors["action_plan"] = [_("Write the action plan.")]
    if errors:
        raise ValidationError(errors)
    with _host_scope(review):
        findings = Findings.objects.filter(review=review).first()
        if findings is None or not findings.is_submitted:
            raise ValidationError(
                _("The school can respond once the lead reviewer has submitted the findings.")
            )
        if follow_up_on < timezone.localtime(findings.submitted_at).date():
            raise ValidationError(
                {"follow_up_on": _("The follow-up date must be after the findings were submitted.")}
            )
        row = SchoolResponse.objects.filter(review=review).first() or SchoolResponse(
            partnership_id=review.partnership_id, review=review
        )
        row.response, row.action_plan, row.follow_up_on = response, action_plan, follow_up_on
        row.written_by = actor
        row._history_user = actor
        row.save()
    return row


# --- Confidentiality ---------------------------------------------------------------------


def share_findings(*, actor: Any, review: Review, audience: str) -> FindingsShare:
    """The headteacher shares the findings with the school's CA, governors or the panel."""
    if audience not in ShareAudience.values:
        raise ValidationError({"audience": _("Choose who to share the findings with.")})
    user = None
    if audience == ShareAudience.CHALLENGE_ADVISER:
        user = review.school.challenge_adviser
        if user is None:
            raise ValidationError(
                {"audience": _("The school has no challenge adviser to share the findings with.")}
            )
    with _host_scope(review):
        existing = FindingsShare.objects.filter(
            review=review, audience=audience, revoked_at__isnull=True
        ).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return FindingsShare.objects.create(
                    partnership_id=review.partnership_id,
                    review=review,
                    audience=audience,
                    user=user,
                    shared_by=actor,
                )
        except IntegrityError:  # shared at the same moment by another request
            return FindingsShare.objects.get(
                review=review, audience=audience, revoked_at__isnull=True
            )


def revoke_share(*, actor: Any, share: FindingsShare) -> FindingsShare:
    with _host_scope(share):
        locked = FindingsShare.objects.select_for_update().get(pk=share.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.revoked_by = actor
            locked.save(update_fields=["revoked_at", "revoked_by"])
    return locked


def record_findings_access(
    *, user: Any, review: Review, basis: str, action: str = FindingsAccess.Action.VIEWED
) -> FindingsAccess:
    """Append one read of the findings to the review's access log and to the
    partnership's audit trail."""
    with tenant_scope(review.partnership_id), transaction.atomic():
        record_event(
            partnership=review.partnership_id,
            actor=user,
            action=f"peerreview.findings_{action}",
            target=review,
            detail={"basis": basis},
        )
        return FindingsAccess.objects.create(
            partnership_id=review.partnership_id,
            review=review,
            user=user,
            user_label=_user_label(user),
            action=action,
            basis=basis,
        )


# --- Moderation of the school's support category -----------------------------------------


def record_moderation(
    *,
    actor: Any,
    review: Review,
    verdict: str,
    rationale: str,
    suggested_category: str = "",
) -> CategoryModeration:
    """The lead reviewer confirms or challenges the reviewed school's claimed support
    category (the category the school has now). Can change until the outcome is recorded."""
    rationale = (rationale or "").strip()
    suggested_category = suggested_category or ""
    errors: dict[str, list[str]] = {}
    if verdict not in ModerationVerdict.values:
        errors["verdict"] = [_("Choose whether the review confirms or challenges the category.")]
    if not rationale:
        errors["rationale"] = [_("Say what in the review supports this.")]
    if suggested_category and suggested_category not in SupportCategory.values:
        errors["suggested_category"] = [_("Choose green, yellow, amber or red.")]
    claimed = review.school.support_category
    if not claimed:
        errors.setdefault("verdict", []).append(
            _("The school has no support category for the review to moderate.")
        )
    if verdict == ModerationVerdict.CHALLENGED and not suggested_category:
        errors["suggested_category"] = [_("Choose the category the review suggests.")]
    if verdict == ModerationVerdict.CHALLENGED and suggested_category == claimed:
        errors["suggested_category"] = [
            _("To challenge the category, suggest a different one, or confirm it instead.")
        ]
    if errors:
        raise ValidationError(errors)
    if verdict == ModerationVerdict.CONFIRMED:
        suggested_category = ""
    with _host_scope(review):
        _ensure_on_team(actor, review, lead=True)
        Review.objects.select_for_update().get(pk=review.pk)
        row = CategoryModeration.objects.filter(review=review).first()
        if row is not None and row.has_outcome:
            raise ValidationError(
                _("The challenge adviser has already recorded the outcome of this moderation.")
            )
        row = row or CategoryModeration(partnership_id=review.partnership_id, review=review)
        row.claimed_category = claimed
        row.verdict, row.suggested_category, row.rationale = verdict, suggested_category, rationale
        row.recorded_by = actor
        row._history_user = actor
        row.save()
    return row


def record_moderation_outcome(
    *, actor: Any, moderation: CategoryModeration, category: str, reason: str
) -> CategoryModeration:
    """The challenge adviser records the moderated category: a new, moderated entry in the
    school's category history (schools.services.set_support_category), linked here."""
    reason = (reason or "").strip()
    review = moderation.review
    school = review.school
    if category not in SupportCategory.values:
        raise ValidationError({"category": _("Choose green, yellow, amber or red.")})
    if not reason:
        raise ValidationError({"reason": _("Say why this is the moderated category.")})
    with _host_scope(moderation):
        locked = CategoryModeration.objects.select_for_update().get(pk=moderation.pk)
        if locked.has_outcome:
            raise ValidationError(_("The outcome of this moderation has already been recorded."))
        note = _("Moderated by peer review (%(cycle)s).") % {"cycle": review.cycle.name}
        with tenant_scope(school.partnership_id):
            change = set_support_category(
                actor=actor,
                school=school,
                category=category,
                reason=f"{reason}\n\n{note}",
                moderated=True,
            )
        locked.outcome_category = category
        locked.outcome_by = actor
        locked.outcome_at = timezone.now()
        locked.category_change = change
        locked._history_user = actor
        locked.save()
    return locked
