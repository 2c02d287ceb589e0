"""Reads shared by the collaboration pages, the API, the school page and termly reports.

Every function runs inside the current partnership's scope and returns rows already
joined and prefetched for the page that shows them, so a page's query count does not grow
with the number of projects, schools or resources.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from hubs.models import PUBLISHED_STATUSES, Hub, HubStatus, Programme
from schools.models import Cluster, School, SchoolImprovementGroup

from .models import (
    WELSH_LANGUAGES,
    AreaFollow,
    GroupProject,
    Milestone,
    ProjectBudgetLine,
    Resource,
    ResourceStatus,
    ResourceVersion,
)

ZERO = Decimal("0")
PENNY = Decimal("0.01")
#: "Who else is working on this?" lists at most this many of each kind.
WHO_ELSE_LIMIT = 20
#: A group or school is flagged when its funding per pupil is this far from the average.
FAIRNESS_HIGH = Decimal("1.5")
FAIRNESS_LOW = Decimal("0.5")


def _money_sum(queryset: QuerySet, field_name: str) -> Subquery:
    return Coalesce(
        Subquery(
            queryset.values("project").annotate(total=Sum(field_name)).values("total")[:1],
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
        Value(ZERO),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def _with_spend(projects: QuerySet[GroupProject]) -> QuerySet[GroupProject]:
    lines = ProjectBudgetLine.objects.filter(project=OuterRef("pk"))
    return projects.annotate(
        funding_spent=_money_sum(lines, "spent"),
        funding_planned=_money_sum(lines, "allocated"),
    )


# --- Projects ---------------------------------------------------------------------------------


def project_list(filters: dict[str, Any] | None = None) -> QuerySet[GroupProject]:
    """Projects with their group, area, lead school, member count and money spent.

    `filters` may hold `area` (an Area), `status`, `group` ("cluster:<id>" or "sig:<id>")
    and `q` (words in the title, aims or need)."""
    filters = filters or {}
    school_counts = (
        GroupProject.schools.through.objects.filter(groupproject=OuterRef("pk"))
        .values("groupproject")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    projects = _with_spend(
        GroupProject.objects.select_related("cluster", "sig", "sig__parent", "area", "lead_school")
    ).annotate(
        school_count=Coalesce(Subquery(school_counts, output_field=IntegerField()), Value(0))
    )
    if filters.get("area"):
        projects = projects.filter(area=filters["area"])
    if filters.get("status"):
        projects = projects.filter(status=filters["status"])
    group = filters.get("group") or ""
    kind, _sep, pk = group.partition(":")
    if pk.isdigit():
        if kind == "cluster":
            projects = projects.filter(cluster_id=int(pk))
        elif kind == "sig":
            projects = projects.filter(Q(sig_id=int(pk)) | Q(sig__parent_id=int(pk)))
    if filters.get("q"):
        q = filters["q"]
        projects = projects.filter(
            Q(title__icontains=q) | Q(aims__icontains=q) | Q(need__icontains=q)
        )
    return projects


def project_detail(pk: int) -> GroupProject:
    """One project with everything its page shows (raises DoesNotExist)."""
    return (
        _with_spend(GroupProject.objects.all())
        .select_related(
            "cluster", "sig", "sig__parent", "area", "lead_school", "evaluation", "created_by"
        )
        .prefetch_related(
            Prefetch("schools", queryset=School.objects.select_related("local_authority")),
            "budget_lines",
            "milestones",
            Prefetch(
                "resources",
                queryset=library().filter(status=ResourceStatus.PUBLISHED),
                to_attr="published_resources",
            ),
        )
        .get(pk=pk)
    )


def project_for_update(pk: int) -> GroupProject:
    return GroupProject.objects.select_related("cluster", "sig", "area", "lead_school").get(pk=pk)


def milestone(pk: int) -> Milestone:
    return Milestone.objects.select_related("project").get(pk=pk)


def budget_line(pk: int) -> ProjectBudgetLine:
    return ProjectBudgetLine.objects.select_related("project", "project__lead_school").get(pk=pk)


@dataclass
class WhoElse:
    """Other work in the same area: to stop two groups paying for the same thing."""

    projects: list[GroupProject]
    hubs: list[Hub]
    programmes: list[Programme]

    @property
    def is_empty(self) -> bool:
        return not (self.projects or self.hubs or self.programmes)


def who_else_is_working_on(project: GroupProject) -> WhoElse:
    """Other groups' projects, the designated hubs and the published programmes in the
    project's area (three queries, whatever their number)."""
    projects = list(
        GroupProject.objects.filter(area_id=project.area_id)
        .exclude(pk=project.pk)
        .select_related("cluster", "sig", "sig__parent", "lead_school")
        .order_by("-starts_on", "pk")[:WHO_ELSE_LIMIT]
    )
    hubs = list(
        Hub.objects.filter(
            area_id=project.area_id, status__in=[HubStatus.DESIGNATED, HubStatus.UNDER_REVIEW]
        ).order_by("name")[:WHO_ELSE_LIMIT]
    )
    programmes = list(
        Programme.objects.filter(area_id=project.area_id, status__in=PUBLISHED_STATUSES)
        .select_related("hub")
        .order_by("title", "pk")[:WHO_ELSE_LIMIT]
    )
    return WhoElse(projects=projects, hubs=hubs, programmes=programmes)


def groups_for_choice() -> tuple[list[Cluster], list[SchoolImprovementGroup]]:
    """Clusters and SIGs (sub-groups with their parent) for a project form."""
    return (
        list(Cluster.objects.all()),
        list(SchoolImprovementGroup.objects.select_related("parent").order_by("name")),
    )


def group_school_ids(group: Cluster | SchoolImprovementGroup) -> set[int]:
    """The schools of a cluster, or of a SIG (with its sub-groups' schools)."""
    if isinstance(group, Cluster):
        return set(School.objects.filter(cluster=group).values_list("pk", flat=True))
    return set(
        School.objects.filter(Q(sigs=group) | Q(sigs__parent=group))
        .values_list("pk", flat=True)
        .distinct()
    )


# --- Funding across groups ------------------------------------------------------------------------


@dataclass
class GroupAllocation:
    key: str
    name: str
    kind: str
    schools: int
    pupils: int
    projects: int
    allocated: Decimal
    spent: Decimal
    per_school: Decimal | None
    per_pupil: Decimal | None
    flag: str = ""


@dataclass
class SchoolAllocation:
    school_id: int
    name: str
    pupils: int | None
    share: Decimal
    per_pupil: Decimal | None
    flag: str = ""


@dataclass
class AllocationSummary:
    """Enabling funding across every group, and each school's fair share of it."""

    groups: list[GroupAllocation]
    schools: list[SchoolAllocation]
    total_allocated: Decimal
    total_spent: Decimal
    total_schools: int
    total_pupils: int
    schools_funded: int
    per_school: Decimal | None
    per_pupil: Decimal | None
    schools_without_pupils: int = 0
    notes: list[str] = field(default_factory=list)


def _ratio(amount: Decimal, count: int | None) -> Decimal | None:
    if not count:
        return None
    return (amount / Decimal(count)).quantize(PENNY, rounding=ROUND_HALF_UP)


def _fairness(value: Decimal | None, average: Decimal | None) -> str:
    if value is None or not average:
        return ""
    if value > average * FAIRNESS_HIGH:
        return "high"
    if value < average * FAIRNESS_LOW:
        return "low"
    return ""


def allocation_summary() -> AllocationSummary:
    """Funding allocated and spent per group, per school and per pupil.

    A project's allocation is shared equally between its member schools to give each
    school's share; a group's figures are over the schools of the group. Flags mark a group
    or school funded at more than 1.5 times, or less than half, the partnership's average
    per pupil. A fixed number of queries, whatever the number of groups and schools."""
    projects = list(
        _with_spend(GroupProject.objects.all()).values(
            "pk", "cluster_id", "sig_id", "funding_allocated", "funding_spent"
        )
    )
    members: dict[int, list[int]] = defaultdict(list)
    for project_id, school_id in GroupProject.schools.through.objects.values_list(
        "groupproject_id", "school_id"
    ):
        members[project_id].append(school_id)
    schools = {
        row["pk"]: row for row in School.objects.values("pk", "name", "pupils", "cluster_id")
    }
    sig_members: dict[int, set[int]] = defaultdict(set)
    for sig_id, school_id in SchoolImprovementGroup.schools.through.objects.values_list(
        "schoolimprovementgroup_id", "school_id"
    ):
        sig_members[sig_id].add(school_id)
    sigs = {
        row["pk"]: row for row in SchoolImprovementGroup.objects.values("pk", "name", "parent_id")
    }
    for sig_id, row in sigs.items():
        if row["parent_id"] in sig_members or row["parent_id"] in sigs:
            sig_members[row["parent_id"]] |= sig_members[sig_id]
    clusters = dict(Cluster.objects.values_list("pk", "name"))
    cluster_members: dict[int, set[int]] = defaultdict(set)
    for school in schools.values():
        if school["cluster_id"]:
            cluster_members[school["cluster_id"]].add(school["pk"])

    by_group: dict[str, dict[str, Any]] = {}
    shares: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for project in projects:
        if project["cluster_id"]:
            key = f"cluster:{project['cluster_id']}"
            name, kind = clusters.get(project["cluster_id"], "?"), "cluster"
            group_schools = cluster_members[project["cluster_id"]]
        else:
            key = f"sig:{project['sig_id']}"
            sig = sigs.get(project["sig_id"], {"name": "?", "parent_id": None})
            name, kind = sig["name"], "subgroup" if sig["parent_id"] else "sig"
            group_schools = sig_members[project["sig_id"]]
        entry = by_group.setdefault(
            key,
            {
                "name": name,
                "kind": kind,
                "schools": group_schools,
                "projects": 0,
                "allocated": ZERO,
                "spent": ZERO,
            },
        )
        entry["projects"] += 1
        entry["allocated"] += project["funding_allocated"]
        entry["spent"] += project["funding_spent"]
        project_schools = members.get(project["pk"]) or []
        if project_schools:
            each = project["funding_allocated"] / Decimal(len(project_schools))
            for school_id in project_schools:
                shares[school_id] += each

    total_allocated = sum((p["funding_allocated"] for p in projects), ZERO)
    total_spent = sum((p["funding_spent"] for p in projects), ZERO)
    total_pupils = sum(s["pupils"] or 0 for s in schools.values())
    average_per_pupil = _ratio(total_allocated, total_pupils)

    groups = []
    for key, entry in by_group.items():
        pupils = sum(schools[s]["pupils"] or 0 for s in entry["schools"] if s in schools)
        per_pupil = _ratio(entry["allocated"], pupils)
        groups.append(
            GroupAllocation(
                key=key,
                name=entry["name"],
                kind=entry["kind"],
                schools=len(entry["schools"]),
                pupils=pupils,
                projects=entry["projects"],
                allocated=entry["allocated"].quantize(PENNY),
                spent=entry["spent"].quantize(PENNY),
                per_school=_ratio(entry["allocated"], len(entry["schools"])),
                per_pupil=per_pupil,
                flag=_fairness(per_pupil, average_per_pupil),
            )
        )
    groups.sort(key=lambda g: (-g.allocated, g.name))

    school_rows = []
    for school_id, school in schools.items():
        share = shares.get(school_id, ZERO).quantize(PENNY, rounding=ROUND_HALF_UP)
        per_pupil = _ratio(share, school["pupils"])
        flag = _fairness(per_pupil, average_per_pupil) if share else "none"
        school_rows.append(
            SchoolAllocation(
                school_id=school_id,
                name=school["name"],
                pupils=school["pupils"],
                share=share,
                per_pupil=per_pupil,
                flag=flag,
            )
        )
    school_rows.sort(key=lambda s: (-s.share, s.name))
    return AllocationSummary(
        groups=groups,
        schools=school_rows,
        total_allocated=total_allocated.quantize(PENNY),
        total_spent=total_spent.quantize(PENNY),
        total_schools=len(schools),
        total_pupils=total_pupils,
        schools_funded=sum(1 for s in school_rows if s.share),
        per_school=_ratio(total_allocated, len(schools)),
        per_pupil=average_per_pupil,
        schools_without_pupils=sum(1 for s in schools.values() if not s["pupils"]),
    )


# --- Resource library -----------------------------------------------------------------------------


def _has_welsh() -> Exists:
    return Exists(
        ResourceVersion.objects.filter(resource=OuterRef("pk"), language__in=WELSH_LANGUAGES)
    )


def library() -> QuerySet[Resource]:
    """Resources with what a list row shows: area, author school, source, versions and
    the total downloads (a fixed number of queries for any number of rows)."""
    downloads = (
        ResourceVersion.objects.filter(resource=OuterRef("pk"))
        .values("resource")
        .annotate(total=Sum("download_count"))
        .values("total")[:1]
    )
    return (
        Resource.objects.select_related(
            "area", "author_school", "source_project", "source_hub", "source_programme"
        )
        .prefetch_related("versions")
        .annotate(
            downloads=Coalesce(Subquery(downloads, output_field=IntegerField()), Value(0)),
            has_welsh=_has_welsh(),
        )
    )


def library_search(
    filters: dict[str, Any] | None = None, *, user: Any = None
) -> QuerySet[Resource]:
    """Published resources (and the user's own drafts) matching the library's filters:
    `q` (words in the title or summary), `area`, `phase`, `language` (a version in that
    language), `kind`, `source` ("project", "hub" or "programme"), `missing_welsh` and
    `school` (the author school). Newest first."""
    filters = filters or {}
    visible = Q(status=ResourceStatus.PUBLISHED)
    if user is not None and getattr(user, "pk", None):
        visible |= Q(created_by_id=user.pk)
    resources = library().filter(visible)
    if filters.get("q"):
        for word in str(filters["q"]).split()[:8]:
            resources = resources.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    if filters.get("area"):
        resources = resources.filter(area=filters["area"])
    if filters.get("phase"):
        resources = resources.filter(Q(phases="") | Q(phases__contains=f",{filters['phase']},"))
    if filters.get("language"):
        resources = resources.filter(
            Exists(
                ResourceVersion.objects.filter(
                    resource=OuterRef("pk"), language=filters["language"]
                )
            )
        )
    if filters.get("kind"):
        resources = resources.filter(kind=filters["kind"])
    source = filters.get("source")
    if source == "project":
        resources = resources.filter(source_project__isnull=False)
    elif source == "programme":
        resources = resources.filter(source_programme__isnull=False)
    elif source == "hub":
        resources = resources.filter(
            Q(source_hub__isnull=False) | Q(source_programme__isnull=False)
        )
    if filters.get("missing_welsh"):
        resources = resources.filter(has_welsh=False)
    if filters.get("school"):
        resources = resources.filter(author_school=filters["school"])
    return resources.order_by("-published_at", "-pk")


def welsh_gaps() -> QuerySet[Resource]:
    """Published resources with no Welsh or bilingual version, most downloaded first, so
    the translations worth commissioning come to the top."""
    return (
        library()
        .filter(status=ResourceStatus.PUBLISHED, has_welsh=False)
        .order_by("-downloads", "area__position", "title", "pk")
    )


def welsh_gaps_by_area() -> list[dict[str, Any]]:
    """How many published resources each area has, and how many lack a Welsh version."""
    rows = (
        Resource.objects.filter(status=ResourceStatus.PUBLISHED)
        .annotate(has_welsh=_has_welsh())
        .values("area_id", "area__name", "area__name_cy", "area__position")
        .annotate(total=Count("pk"), missing=Count("pk", filter=Q(has_welsh=False)))
        .order_by("area__position", "area__name")
    )
    return list(rows)


def resource_detail(pk: int) -> Resource:
    return library().get(pk=pk)


def resource_for_update(pk: int) -> Resource:
    """The resource with the rows its details name, for the edit page and its service."""
    return Resource.objects.select_related(
        "area", "author_school", "source_project", "source_hub", "source_programme"
    ).get(pk=pk)


def version_for_download(pk: int) -> ResourceVersion:
    return ResourceVersion.objects.select_related("resource", "resource__author_school").get(pk=pk)


def followed_area_ids(user: Any) -> set[int]:
    return set(AreaFollow.objects.filter(user=user).values_list("area_id", flat=True))


def published_between(start: Any, end: Any) -> QuerySet[Resource]:
    """Resources published in [start, end), for the digest."""
    return library().filter(
        status=ResourceStatus.PUBLISHED, published_at__gte=start, published_at__lt=end
    )


# --- Discovery: a school's groups at work ---------------------------------------------------------


@dataclass
class GroupActivity:
    """What a school's groups are doing: see group_activity_for_school()."""

    school: School
    groups: list[Cluster | SchoolImprovementGroup]
    projects: list[GroupProject]
    resources: list[Resource]

    @property
    def funding_allocated(self) -> Decimal:
        return sum((p.funding_allocated for p in self.projects), ZERO)

    @property
    def funding_spent(self) -> Decimal:
        return sum((p.funding_spent for p in self.projects), ZERO)

    @property
    def is_empty(self) -> bool:
        return not (self.groups or self.projects or self.resources)


def group_activity_for_school(
    school: School, *, starts_on: date | None = None, ends_on: date | None = None
) -> GroupActivity:
    """The groups a school belongs to, their projects and the resources those projects
    published, for the school's page and its termly report.

    - `groups`: the school's cluster (if any), then its school improvement groups (a
      sub-group comes with `.parent` loaded);
    - `projects`: projects of those groups, and any project the school is a member of,
      newest first; each has `.cluster`, `.sig`, `.area`, `.lead_school` and `.evaluation`
      (when recorded; reach it with `getattr(p, "evaluation", None)`) loaded, and the
      annotations `funding_spent` and `funding_planned` (Decimal, £);
    - `resources`: published resources from those projects, newest first, with
      `.versions` prefetched (`resource.missing_welsh`, `resource.languages`) and the
      annotation `downloads`.

    With `starts_on`/`ends_on` (a term, say), only projects running at some point in that
    period and resources published in it are included. Call inside the school's
    partnership scope (a request or `tenant_scope`); a fixed number of queries."""
    sigs = list(SchoolImprovementGroup.objects.filter(schools=school).select_related("parent"))
    groups: list[Cluster | SchoolImprovementGroup] = []
    if school.cluster_id:
        groups.append(school.cluster)
    groups.extend(sigs)
    in_groups = Q(schools=school) | Q(sig__in=[s.pk for s in sigs])
    if school.cluster_id:
        in_groups |= Q(cluster_id=school.cluster_id)
    projects = (
        _with_spend(GroupProject.objects.filter(in_groups))
        .select_related("cluster", "sig", "sig__parent", "area", "lead_school", "evaluation")
        .distinct()
        .order_by("-starts_on", "pk")
    )
    if starts_on:
        projects = projects.filter(ends_on__gte=starts_on)
    if ends_on:
        projects = projects.filter(starts_on__lte=ends_on)
    projects = list(projects)
    resources = library().filter(
        status=ResourceStatus.PUBLISHED, source_project__in=[p.pk for p in projects]
    )
    if starts_on:
        resources = resources.filter(published_at__date__gte=starts_on)
    if ends_on:
        resources = resources.filter(published_at__date__lte=ends_on)
    resource_list = list(resources.order_by("-published_at", "-pk")) if projects else []
    return GroupActivity(school=school, groups=groups, projects=projects, resources=resource_list)
