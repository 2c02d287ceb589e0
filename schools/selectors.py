"""Reads of schools and groups shared by pages, the API and other apps."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from partnership.models import Membership, Partnership, Role

from .models import (
    CategoryChange,
    Cluster,
    LocalAuthority,
    School,
    SchoolImprovementGroup,
    SupportCategory,
    category_priority,
)


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    local_authority: LocalAuthority | None = None
    phase: str = ""
    language_medium: str = ""
    category: str = ""
    cluster: Cluster | None = None
    sig: SchoolImprovementGroup | None = None


def school_directory(filters: DirectoryFilters | None = None) -> QuerySet[School]:
    """Schools of the current partnership matching the filters, ready for the list page."""
    filters = filters or DirectoryFilters()
    schools = School.objects.select_related("local_authority", "cluster").order_by("name", "pk")
    if filters.q:
        term = filters.q.strip()
        schools = schools.filter(
            Q(name__icontains=term) | Q(official_number__iexact=term) | Q(postcode__icontains=term)
        )
    if filters.local_authority:
        schools = schools.filter(local_authority=filters.local_authority)
    if filters.phase:
        schools = schools.filter(phase=filters.phase)
    if filters.language_medium:
        schools = schools.filter(language_medium=filters.language_medium)
    if filters.category:
        schools = schools.filter(support_category=filters.category)
    if filters.cluster:
        schools = schools.filter(cluster=filters.cluster)
    if filters.sig:
        schools = schools.filter(sigs=filters.sig)
    return schools


def school_detail(pk: int) -> School:
    """One school with its groups, people and category history loaded for its page."""
    return (
        School.objects.select_related("local_authority", "cluster", "challenge_adviser")
        .prefetch_related(
            Prefetch("sigs", queryset=SchoolImprovementGroup.objects.order_by("name")),
            Prefetch(
                "category_history",
                queryset=CategoryChange.objects.select_related("set_by").order_by("-set_at", "-id"),
            ),
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(
                    role__in=[Role.HEADTEACHER, Role.GOVERNOR]
                ).select_related("user"),
            ),
        )
        .get(pk=pk)
    )


def schools_by_id(ids: Any) -> dict[int, School]:
    """These schools by primary key, with what a summary of each needs (home page)."""
    return School.objects.select_related("local_authority", "cluster", "challenge_adviser").in_bulk(
        list(ids)
    )


def local_authorities() -> QuerySet[LocalAuthority]:
    return LocalAuthority.objects.order_by("name")


def clusters_with_counts() -> QuerySet[Cluster]:
    return Cluster.objects.annotate(school_count=Count("schools")).order_by("name")


def cluster_detail(pk: int) -> Cluster:
    return Cluster.objects.prefetch_related(
        Prefetch(
            "schools",
            queryset=School.objects.select_related("local_authority").order_by("name"),
        )
    ).get(pk=pk)


def sigs_with_counts() -> QuerySet[SchoolImprovementGroup]:
    return (
        SchoolImprovementGroup.objects.select_related("parent")
        .annotate(school_count=Count("schools", distinct=True))
        .order_by("parent__name", "name")
    )


def sig_detail(pk: int) -> SchoolImprovementGroup:
    return (
        SchoolImprovementGroup.objects.select_related("parent")
        .prefetch_related(
            Prefetch(
                "schools",
                queryset=School.objects.select_related("local_authority").order_by("name"),
            ),
            Prefetch("subgroups", queryset=SchoolImprovementGroup.objects.order_by("name")),
        )
        .get(pk=pk)
    )


def caseload_for(user: Any, *, all_schools: bool = False) -> QuerySet[School]:
    """A challenge adviser's schools, neediest first (all schools for a senior CA)."""
    schools = School.objects.select_related("local_authority")
    if not all_schools:
        schools = schools.filter(challenge_adviser=user)
    return schools.order_by(category_priority(), "name")


def category_counts(schools: QuerySet[School] | None = None) -> dict[str, int]:
    """How many schools are in each support category ('' for not yet categorised)."""
    schools = School.objects.all() if schools is None else schools
    counts = Counter(
        dict(
            schools.order_by()
            .values_list("support_category")
            .annotate(n=Count("pk"))
            .values_list("support_category", "n")
        )
    )
    return {c: counts.get(c, 0) for c in [*SupportCategory.values, ""]}


def partnership_overview(partnership: Partnership) -> dict[str, Any]:
    """Counts for the admin's home page."""
    role_counts = dict(
        Membership.objects.order_by()
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    return {
        "schools": School.objects.count(),
        "local_authorities": LocalAuthority.objects.count(),
        "clusters": Cluster.objects.count(),
        "sigs": SchoolImprovementGroup.objects.count(),
        "categories": category_counts(),
        "roles": [(Role(r).label, role_counts.get(r, 0)) for r in Role.values],
    }
