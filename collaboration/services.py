"""Writes about group projects, their enabling funding and the resource library, each with
its business rule.

Every function validates first and writes inside one transaction, so bad input raises a
ValidationError (shown on the form, or a 400 from the API) and leaves nothing behind:
spending above a budget line's allocation, budget lines above the project's funding, a
file of the wrong type or size, a resource marked Welsh with no Welsh file or link.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from audit.services import record_event
from hubs.models import BudgetCategory, Hub, Programme
from partnership.models import Area, OutboundEmail, Partnership
from partnership.services import queue_email
from partnership.tenancy import URL_KWARG, tenant_scope
from schools.models import Cluster, Phase, School, SchoolImprovementGroup

from . import selectors
from .models import (
    AreaFollow,
    GroupProject,
    Licence,
    Milestone,
    ProjectBudgetLine,
    ProjectEvaluation,
    ProjectStatus,
    Resource,
    ResourceKind,
    ResourceLanguage,
    ResourceStatus,
    ResourceVersion,
)
from .uploads import ALLOWED_TYPES, check_resource_file, clean_original_name

ZERO = Decimal("0")


# --- Small shared checks ------------------------------------------------------------------------


def _money(value: Any, field: str, *, required: bool = True) -> Decimal:
    if value is None or value == "":
        if required:
            raise ValidationError({field: _("Enter an amount in pounds.")})
        return ZERO
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter an amount in pounds, like 1250.00.")}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Enter pounds and pence, with at most two decimals.")})
    if amount >= Decimal("100000000"):
        raise ValidationError({field: _("The amount is too large.")})
    return amount


def _pounds(amount: Decimal) -> str:
    return "£" + number_format(amount, decimal_pos=2, force_grouping=True)


def _text(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


@contextmanager
def _remove_files_on_error(names: list[str]) -> Iterator[None]:
    """Files are written before the transaction commits; a failed write must not leave them."""
    try:
        yield
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise


# --- Projects ---------------------------------------------------------------------------------


def _check_project(
    *,
    title: str,
    group: Cluster | SchoolImprovementGroup | None,
    aims: str,
    need: str,
    schools: Iterable[School],
    lead_school: School | None,
    starts_on: date | None,
    ends_on: date | None,
) -> tuple[str, str, str, list[School]]:
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("Enter the project's title.")
    if group is None:
        errors["group"] = _("Choose the cluster or school improvement group running the project.")
    if not (aims or "").strip():
        errors["aims"] = _("Say what the project aims to do.")
    if not (need or "").strip():
        errors["need"] = _("Say which need the project answers.")
    schools = list(schools)
    if lead_school is None:
        errors["lead_school"] = _("Choose the lead school.")
    elif lead_school not in schools:
        schools.append(lead_school)
    if not starts_on:
        errors["starts_on"] = _("Enter the start date.")
    if not ends_on:
        errors["ends_on"] = _("Enter the end date.")
    elif starts_on and ends_on <= starts_on:
        errors["ends_on"] = _("The end date must be after the start date.")
    if group is not None and schools:
        allowed = selectors.group_school_ids(group)
        outsiders = sorted(s.name for s in schools if s.pk not in allowed)
        if outsiders:
            errors["schools"] = _(
                "These schools are not in %(group)s: %(schools)s. Add them to the group first."
            ) % {"group": group, "schools": ", ".join(outsiders)}
    if errors:
        raise ValidationError(errors)
    return title.strip(), aims.strip(), need.strip(), schools


def create_project(
    *,
    actor: Any,
    partnership: Partnership,
    title: str,
    group: Cluster | SchoolImprovementGroup | None,
    area: Area,
    aims: str,
    need: str,
    schools: Iterable[School],
    lead_school: School | None,
    starts_on: date | None,
    ends_on: date | None,
    funding_allocated: Any = None,
    outputs: str = "",
    status: str = ProjectStatus.PLANNED,
    request: Any = None,
) -> GroupProject:
    """A new project for a cluster or SIG (a sub-group is a SIG with a parent). The lead
    school joins the member schools; every member must belong to the group."""
    title, aims, need, schools = _check_project(
        title=title,
        group=group,
        aims=aims,
        need=need,
        schools=schools,
        lead_school=lead_school,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    funding = _money(funding_allocated, "funding_allocated", required=False)
    if status not in ProjectStatus.values or status == ProjectStatus.COMPLETED:
        raise ValidationError({"status": _("A new project is planned or under way.")})
    with tenant_scope(partnership), transaction.atomic():
        project = GroupProject.objects.create(
            partnership=partnership,
            title=title,
            cluster=group if isinstance(group, Cluster) else None,
            sig=group if isinstance(group, SchoolImprovementGroup) else None,
            area=area,
            aims=aims,
            need=need,
            lead_school=lead_school,
            starts_on=starts_on,
            ends_on=ends_on,
            funding_allocated=funding,
            outputs=(outputs or "").strip(),
            status=status,
            created_by=actor,
        )
        project.schools.set(schools)
        record_event(
            partnership=partnership,
            actor=actor,
            action="collaboration.project_created",
            target=project,
            detail={"funding_allocated": str(funding), "group": str(group)},
            request=request,
        )
    return project


def update_project(
    *,
    actor: Any,
    project: GroupProject,
    title: str,
    area: Area,
    aims: str,
    need: str,
    schools: Iterable[School],
    lead_school: School | None,
    starts_on: date | None,
    ends_on: date | None,
    outputs: str = "",
    status: str | None = None,
    request: Any = None,
) -> GroupProject:
    """Change a project's plan; its group stays (start a new project for another group)."""
    title, aims, need, schools = _check_project(
        title=title,
        group=project.group,
        aims=aims,
        need=need,
        schools=schools,
        lead_school=lead_school,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    status = status or project.status
    if status not in ProjectStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    if (
        status == ProjectStatus.COMPLETED
        and not ProjectEvaluation.objects.filter(project=project).exists()
    ):
        raise ValidationError(
            {"status": _("Record the end-of-project evaluation to complete the project.")}
        )
    with tenant_scope(project.partnership_id), transaction.atomic():
        project.title, project.area, project.aims, project.need = title, area, aims, need
        project.lead_school, project.starts_on, project.ends_on = lead_school, starts_on, ends_on
        project.outputs = (outputs or "").strip()
        project.status = status
        project.save()
        project.schools.set(schools)
        record_event(
            partnership=project.partnership_id,
            actor=actor,
            action="collaboration.project_updated",
            target=project,
            request=request,
        )
    return project


def set_project_funding(
    *, actor: Any, project: GroupProject, amount: Any, request: Any = None
) -> GroupProject:
    """Allocate enabling funding to a project; it cannot fall below what its budget lines
    already allocate."""
    amount = _money(amount, "funding_allocated")
    with tenant_scope(project.partnership_id), transaction.atomic():
        locked = GroupProject.objects.select_for_update().get(pk=project.pk)
        planned = locked.budget_lines.aggregate(total=Sum("allocated"))["total"] or ZERO
        if amount < planned:
            raise ValidationError(
                {
                    "funding_allocated": _(
                        "The budget lines already allocate %(planned)s. Reduce them first, "
                        "or allocate at least that much."
                    )
                    % {"planned": _pounds(planned)}
                }
            )
        previous = locked.funding_allocated
        locked.funding_allocated = amount
        locked.save(update_fields=["funding_allocated", "updated_at"])
        record_event(
            partnership=locked.partnership_id,
            actor=actor,
            action="collaboration.funding_allocated",
            target=locked,
            detail={"from": str(previous), "to": str(amount)},
            request=request,
        )
    project.funding_allocated = amount
    return locked


def save_budget_line(
    *,
    actor: Any,
    project: GroupProject,
    category: str,
    description: str,
    allocated: Any,
    line: ProjectBudgetLine | None = None,
    request: Any = None,
) -> ProjectBudgetLine:
    """Add or change a budget line. All the lines together must fit within the project's
    enabling funding, and a line cannot be cut below what it has already spent."""
    if category not in BudgetCategory.values:
        raise ValidationError({"category": _("Choose a category from the list.")})
    description = _text(description, "description", _("Say what the money is for."))
    allocated = _money(allocated, "allocated")
    with tenant_scope(project.partnership_id), transaction.atomic():
        locked = GroupProject.objects.select_for_update().get(pk=project.pk)
        others = locked.budget_lines.all()
        if line is not None:
            others = others.exclude(pk=line.pk)
        planned = others.aggregate(total=Sum("allocated"))["total"] or ZERO
        if planned + allocated > locked.funding_allocated:
            left = max(locked.funding_allocated - planned, ZERO)
            raise ValidationError(
                {
                    "allocated": _(
                        "That is more than the project's enabling funding allows: "
                        "%(left)s of %(funding)s is left to allocate."
                    )
                    % {"left": _pounds(left), "funding": _pounds(locked.funding_allocated)}
                }
            )
        if line is None:
            line = ProjectBudgetLine(partnership_id=locked.partnership_id, project=locked)
        else:
            line = ProjectBudgetLine.objects.select_for_update().get(pk=line.pk)
            if allocated < line.spent:
                raise ValidationError(
                    {
                        "allocated": _(
                            "%(spent)s has already been spent on this line; it cannot be "
                            "allocated less."
                        )
                        % {"spent": _pounds(line.spent)}
                    }
                )
        line.category, line.description, line.allocated = category, description, allocated
        line.save()
        record_event(
            partnership=locked.partnership_id,
            actor=actor,
            action="collaboration.budget_line_saved",
            target=line,
            detail={"project": locked.pk, "allocated": str(allocated)},
            request=request,
        )
    return line


def record_spend(
    *, actor: Any, line: ProjectBudgetLine, amount: Any, note: str = "", request: Any = None
) -> ProjectBudgetLine:
    """Add spending to a budget line; spending above the line's allocation is refused."""
    amount = _money(amount, "amount")
    if amount <= 0:
        raise ValidationError({"amount": _("Enter an amount greater than zero.")})
    with tenant_scope(line.partnership_id), transaction.atomic():
        locked = ProjectBudgetLine.objects.select_for_update().get(pk=line.pk)
        if locked.spent + amount > locked.allocated:
            raise ValidationError(
                {
                    "amount": _(
                        "Spending %(amount)s would take this line to %(total)s, above its "
                        "allocation of %(allocated)s. Only %(left)s is left: allocate more "
                        "to the line first."
                    )
                    % {
                        "amount": _pounds(amount),
                        "total": _pounds(locked.spent + amount),
                        "allocated": _pounds(locked.allocated),
                        "left": _pounds(locked.allocated - locked.spent),
                    }
                }
            )
        ProjectBudgetLine.objects.filter(pk=locked.pk).update(
            spent=F("spent") + amount, updated_at=timezone.now()
        )
        locked.refresh_from_db()
        record_event(
            partnership=locked.partnership_id,
            actor=actor,
            action="collaboration.spend_recorded",
            target=locked,
            detail={"amount": str(amount), "note": (note or "").strip()[:500]},
            request=request,
        )
    return locked


def add_milestone(
    *, actor: Any, project: GroupProject, title: str, due_on: date | None
) -> Milestone:
    title = _text(title, "title", _("Say what the milestone is."))
    if not due_on:
        raise ValidationError({"due_on": _("Enter the date it is due.")})
    with tenant_scope(project.partnership_id):
        return Milestone.objects.create(
            partnership_id=project.partnership_id, project=project, title=title, due_on=due_on
        )


def complete_milestone(*, actor: Any, milestone: Milestone, on: date | None = None) -> Milestone:
    with tenant_scope(milestone.partnership_id):
        milestone.completed_on = on or timezone.localdate()
        milestone.save(update_fields=["completed_on"])
    return milestone


def record_evaluation(
    *,
    actor: Any,
    project: GroupProject,
    what_changed: str,
    evidence: str,
    whole_school_reach: str,
    staff_involved: int = 0,
    staff_reached: int = 0,
    request: Any = None,
) -> ProjectEvaluation:
    """Record (or revise) the end-of-project evaluation; the project is then complete."""
    errors = {}
    for name, value, message in (
        ("what_changed", what_changed, _("Say what changed because of the project.")),
        ("evidence", evidence, _("Give the evidence that it changed.")),
        (
            "whole_school_reach",
            whole_school_reach,
            _("Say how the work reached beyond the staff directly involved."),
        ),
    ):
        if not (value or "").strip():
            errors[name] = message
    for name, value in (("staff_involved", staff_involved), ("staff_reached", staff_reached)):
        if value is None or int(value) < 0:
            errors[name] = _("Enter a number, 0 or more.")
    if errors:
        raise ValidationError(errors)
    with tenant_scope(project.partnership_id), transaction.atomic():
        evaluation, _created = ProjectEvaluation.objects.update_or_create(
            project=project,
            defaults={
                "partnership_id": project.partnership_id,
                "what_changed": what_changed.strip(),
                "evidence": evidence.strip(),
                "whole_school_reach": whole_school_reach.strip(),
                "staff_involved": int(staff_involved),
                "staff_reached": int(staff_reached),
                "recorded_by": actor,
            },
        )
        GroupProject.objects.filter(pk=project.pk).update(
            status=ProjectStatus.COMPLETED, updated_at=timezone.now()
        )
        project.status = ProjectStatus.COMPLETED
        record_event(
            partnership=project.partnership_id,
            actor=actor,
            action="collaboration.evaluation_recorded",
            target=project,
            request=request,
        )
    return evaluation


# --- Resources --------------------------------------------------------------------------------


@dataclass
class VersionInput:
    """One language version offered on a form or the API: a file, or a link."""

    upload: Any = None
    url: str = ""


def _check_versions(
    languages: Iterable[str], versions: Mapping[str, VersionInput]
) -> dict[str, VersionInput]:
    """The versions to store, one per language marked; every marked language needs its
    own file or link, and a file or link for an unmarked language is a mistake."""
    marked = [lang for lang in ResourceLanguage.values if lang in set(languages)]
    unknown = set(languages) - set(ResourceLanguage.values)
    errors: dict[str, str] = {}
    if unknown or not marked:
        errors["languages"] = _("Choose the languages the resource is available in.")
    chosen: dict[str, VersionInput] = {}
    for language in ResourceLanguage.values:
        given = versions.get(language) or VersionInput()
        has_file, has_link = given.upload is not None, bool((given.url or "").strip())
        label = ResourceLanguage(language).label
        if language in marked:
            if not (has_file or has_link):
                errors[f"{language}_file"] = _(
                    "The resource is marked %(language)s: add the %(language)s file or link."
                ) % {"language": label}
            elif has_file and has_link:
                errors[f"{language}_url"] = _(
                    "Give the %(language)s version as a file or a link, not both."
                ) % {"language": label}
            else:
                chosen[language] = given
        elif has_file or has_link:
            errors["languages"] = _(
                "You added a %(language)s file or link: tick %(language)s as well, or remove it."
            ) % {"language": label}
    for language, given in chosen.items():
        if given.upload is not None:
            try:
                check_resource_file(given.upload, field=f"{language}_file")
            except ValidationError as error:
                errors.update({k: v[0] for k, v in error.message_dict.items()})
        else:
            given.url = given.url.strip()
            if not given.url.lower().startswith(("https://", "http://")):
                errors[f"{language}_url"] = _("Enter a web address starting with https://.")
    if errors:
        raise ValidationError(errors)
    return chosen


def _store_version(
    *, actor: Any, resource: Resource, language: str, given: VersionInput, stored: list[str]
) -> ResourceVersion:
    version = ResourceVersion(
        partnership_id=resource.partnership_id,
        resource=resource,
        language=language,
        added_by=actor,
    )
    if given.upload is not None:
        extension = check_resource_file(given.upload, field=f"{language}_file")
        version.original_name = clean_original_name(given.upload.name)
        version.content_type = ALLOWED_TYPES[extension]
        version.size = given.upload.size
        given.upload.seek(0)
        version.file.save(str(version.uuid), given.upload, save=False)
        stored.append(version.file.name)
    else:
        version.url = given.url
    version.save()
    return version


def _detail_errors(
    *, title: str, summary: str, kind: str, area: Area | None, licence: str, phases: list[str]
) -> dict[str, str]:
    """What is wrong with a resource's details, by field (empty when nothing is)."""
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("Enter the resource's title.")
    if not (summary or "").strip():
        errors["summary"] = _("Say in a sentence or two what the resource is for.")
    if kind not in ResourceKind.values:
        errors["kind"] = _("Choose what kind of resource it is.")
    if area is None:
        errors["area"] = _("Choose the area it belongs to.")
    if licence not in Licence.values:
        errors["licence"] = _("Choose the licence others may use it under.")
    if set(phases) - set(Phase.values):
        errors["phases"] = _("Choose phases from the list.")
    return errors


def publish_resource(
    *,
    actor: Any,
    partnership: Partnership,
    title: str,
    summary: str,
    kind: str,
    area: Area | None,
    licence: str,
    languages: Iterable[str],
    versions: Mapping[str, VersionInput],
    phases: Iterable[str] = (),
    author_school: School | None = None,
    source_project: GroupProject | None = None,
    source_hub: Hub | None = None,
    source_programme: Programme | None = None,
    publish: bool = True,
    request: Any = None,
) -> Resource:
    """Add a resource to the library with one version per language it is available in.

    A resource marked Welsh (or bilingual) must come with that version's own file or link;
    files are checked for type and size and stored under the partnership's folder."""
    phases = list(phases or [])
    errors = _detail_errors(
        title=title, summary=summary, kind=kind, area=area, licence=licence, phases=phases
    )
    try:
        chosen = _check_versions(list(languages or []), versions)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if source_programme is not None and source_hub is None:
        source_hub = source_programme.hub
    stored: list[str] = []
    with (
        _remove_files_on_error(stored),
        tenant_scope(partnership),
        transaction.atomic(),
    ):
        resource = Resource.objects.create(
            partnership=partnership,
            title=title.strip(),
            summary=summary.strip(),
            kind=kind,
            area=area,
            phases=phases,
            author_school=author_school,
            licence=licence,
            source_project=source_project,
            source_hub=source_hub,
            source_programme=source_programme,
            status=ResourceStatus.PUBLISHED if publish else ResourceStatus.DRAFT,
            published_at=timezone.now() if publish else None,
            created_by=actor,
        )
        for language, given in chosen.items():
            _store_version(
                actor=actor, resource=resource, language=language, given=given, stored=stored
            )
        record_event(
            partnership=partnership,
            actor=actor,
            action="collaboration.resource_published"
            if publish
            else "collaboration.resource_drafted",
            target=resource,
            detail={"languages": list(chosen)},
            request=request,
        )
    return resource


#: The details update_resource changes; the language versions are added separately.
RESOURCE_DETAILS = (
    "title",
    "summary",
    "kind",
    "area",
    "phases",
    "author_school",
    "licence",
    "source_project",
    "source_hub",
    "source_programme",
)


def update_resource(
    *,
    actor: Any,
    resource: Resource,
    title: str,
    summary: str,
    kind: str,
    area: Area | None,
    licence: str,
    phases: Iterable[str] = (),
    author_school: School | None = None,
    source_project: GroupProject | None = None,
    source_hub: Hub | None = None,
    source_programme: Programme | None = None,
    request: Any = None,
) -> Resource:
    """Change a resource's details (not its language versions, nor whether it is published)
    and return it; the audit event names the fields that changed. Nothing changed, nothing
    written."""
    phases = list(phases or [])
    errors = _detail_errors(
        title=title, summary=summary, kind=kind, area=area, licence=licence, phases=phases
    )
    if source_programme is not None and source_hub is None:
        source_hub = source_programme.hub
    values = {
        "title": (title or "").strip(),
        "summary": (summary or "").strip(),
        "kind": kind,
        "area": area,
        "phases": [phase for phase in Phase.values if phase in phases],
        "author_school": author_school,
        "licence": licence,
        "source_project": source_project,
        "source_hub": source_hub,
        "source_programme": source_programme,
    }
    for name, value in values.items():
        # Rows of another partnership are never a resource's details.
        if getattr(value, "partnership_id", resource.partnership_id) != resource.partnership_id:
            errors.setdefault(name, _("Choose one from the list."))
    if errors:
        raise ValidationError(errors)
    with tenant_scope(resource.partnership_id), transaction.atomic():
        current = {name: getattr(resource, name) for name in RESOURCE_DETAILS}
        current["phases"] = [phase for phase in Phase.values if phase in current["phases"]]
        changed = [name for name in RESOURCE_DETAILS if current[name] != values[name]]
        if changed:
            for name in changed:
                setattr(resource, name, values[name])
            resource.save(update_fields=changed)
            record_event(
                partnership=resource.partnership_id,
                actor=actor,
                action="collaboration.resource_updated",
                target=resource,
                detail={"changed": changed},
                request=request,
            )
    return resource


def add_version(
    *,
    actor: Any,
    resource: Resource,
    language: str,
    upload: Any = None,
    url: str = "",
    request: Any = None,
) -> ResourceVersion:
    """Add a missing language version (a Welsh translation, say) to a resource."""
    if language not in ResourceLanguage.values:
        raise ValidationError({"language": _("Choose a language from the list.")})
    chosen = _check_versions([language], {language: VersionInput(upload=upload, url=url or "")})
    stored: list[str] = []
    with (
        _remove_files_on_error(stored),
        tenant_scope(resource.partnership_id),
        transaction.atomic(),
    ):
        if ResourceVersion.objects.filter(resource=resource, language=language).exists():
            raise ValidationError(
                {
                    "language": _("The resource already has a %(language)s version.")
                    % {"language": ResourceLanguage(language).label}
                }
            )
        version = _store_version(
            actor=actor, resource=resource, language=language, given=chosen[language], stored=stored
        )
        record_event(
            partnership=resource.partnership_id,
            actor=actor,
            action="collaboration.version_added",
            target=resource,
            detail={"language": language},
            request=request,
        )
    return version


def publish_draft(*, actor: Any, resource: Resource, request: Any = None) -> Resource:
    with tenant_scope(resource.partnership_id), transaction.atomic():
        if resource.status != ResourceStatus.PUBLISHED:
            resource.status = ResourceStatus.PUBLISHED
            resource.published_at = timezone.now()
            resource.save(update_fields=["status", "published_at"])
            record_event(
                partnership=resource.partnership_id,
                actor=actor,
                action="collaboration.resource_published",
                target=resource,
                request=request,
            )
    return resource


def count_download(version: ResourceVersion) -> None:
    """One more download of a version (an atomic increment: no lost counts)."""
    ResourceVersion.objects.filter(pk=version.pk).update(download_count=F("download_count") + 1)


def set_followed_areas(*, actor: Any, partnership: Partnership, areas: Iterable[Area]) -> set[int]:
    """Follow exactly these areas (opt-in to the weekly digest); returns their ids."""
    wanted = {a.pk for a in areas}
    with tenant_scope(partnership), transaction.atomic():
        current = set(AreaFollow.objects.filter(user=actor).values_list("area_id", flat=True))
        AreaFollow.objects.filter(user=actor, area_id__in=current - wanted).delete()
        AreaFollow.objects.bulk_create(
            [
                AreaFollow(partnership=partnership, user=actor, area_id=area_id)
                for area_id in sorted(wanted - current)
            ]
        )
    return wanted


# --- The weekly digest ---------------------------------------------------------------------------


def digest_period(today: date) -> tuple[datetime, datetime, str]:
    """The week the digest sent on `today` covers: the seven days before the Monday of
    today's week (local time), and a label naming it (like "2026-W47") for the outbox key."""
    monday = today - timedelta(days=today.weekday())
    tz = timezone.get_current_timezone()
    end = datetime.combine(monday, time.min, tzinfo=tz)
    start = end - timedelta(days=7)
    year, week, _weekday = start.date().isocalendar()
    return start, end, f"{year}-W{week:02d}"


def send_resource_digests(*, partnership: Partnership, today: date | None = None) -> int:
    """Email each follower the resources published last week in the areas they follow.

    One email per person per week: the outbox key names the partnership, the person and
    the week, so a task that runs twice (or is re-delivered) sends nothing more. People
    with nothing new get nothing. Returns the number of emails queued by this call."""
    start, end, label = digest_period(today or timezone.localdate())
    sent = 0
    with tenant_scope(partnership):
        resources = list(selectors.published_between(start, end))
        if not resources:
            return 0
        by_area: dict[int, list[Resource]] = {}
        for resource in resources:
            by_area.setdefault(resource.area_id, []).append(resource)
        follows: dict[Any, list[int]] = {}
        for follow in AreaFollow.objects.filter(
            area_id__in=list(by_area), user__is_active=True
        ).select_related("user"):
            follows.setdefault(follow.user, []).append(follow.area_id)
        library_url = settings.SITE_URL + reverse(
            "collaboration:library", kwargs={URL_KWARG: partnership.slug}
        )
        for user, area_ids in follows.items():
            mine = [r for area_id in sorted(set(area_ids)) for r in by_area.get(area_id, [])]
            language = user.language or partnership.default_language
            key = f"collaboration:digest:{partnership.pk}:{user.pk}:{label}"
            if OutboundEmail.objects.filter(key=key).exists():
                continue  # already sent for this week: a repeated run adds nothing
            with translation.override(language):
                queue_email(
                    partnership=partnership,
                    key=key,
                    to=user.email,
                    subject=_("New resources in the areas you follow (%(week)s)") % {"week": label},
                    template="collaboration/email/digest.txt",
                    context={
                        "partnership": partnership,
                        "user": user,
                        "resources": [
                            (
                                r,
                                settings.SITE_URL
                                + reverse(
                                    "collaboration:resource",
                                    kwargs={URL_KWARG: partnership.slug, "pk": r.pk},
                                ),
                            )
                            for r in mine
                        ],
                        "library_url": library_url,
                        "follow_url": settings.SITE_URL
                        + reverse("collaboration:following", kwargs={URL_KWARG: partnership.slug}),
                        "week": label,
                    },
                )
            sent += 1
    return sent
