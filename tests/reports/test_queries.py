"""Report pages cost the same number of queries with 3 rows as with 30."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from partnership.models import Role
from reports.models import ReportKind
from tests.factories import (
    MembershipFactory,
    NeedFactory,
    SchoolFactory,
    SupportAgreementFactory,
    TermFactory,
)
from tests.reports.factories import ReportRunFactory
from tests.test_query_counts import (
    LARGE,
    SMALL,
    ListPage,
    Tenant,
    count_queries,
    make_tenant,
    populate_schools,
)

pytestmark = pytest.mark.django_db

#: Finished versions (only one run of a report may be under way at a time).
DONE = {"status": "done", "file_path": "reports/0/listed-only.pdf", "file_size": 1000}


def _term(tenant: Tenant):
    today = timezone.localdate()
    term = TermFactory(
        partnership=tenant.partnership,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
    )
    for season, offset in (("spring", 100), ("summer", 200)):
        TermFactory(
            partnership=tenant.partnership,
            season=season,
            starts_on=today + timedelta(days=offset),
            ends_on=today + timedelta(days=offset + 60),
        )
    return term


def build_report_list(tenant: Tenant) -> None:
    """n schools, each with two versions of its report for the term."""
    term = _term(tenant)
    for school in populate_schools(tenant):
        for version in (1, 2):
            ReportRunFactory(
                partnership=tenant.partnership,
                term=term,
                kind=ReportKind.SCHOOL,
                school=school,
                version=version,
                **DONE,
            )


def build_own_report_list(tenant: Tenant) -> None:
    """A governor of n schools (a federation's governing body)."""
    build_report_list(tenant)
    own = tenant.viewer.memberships.get().school_id
    schools = SchoolFactory._meta.model.objects.filter(partnership=tenant.partnership)
    for school in schools.exclude(pk=own):
        MembershipFactory(
            partnership=tenant.partnership, user=tenant.viewer, role=Role.GOVERNOR, school=school
        )


def build_school_report(tenant: Tenant) -> None:
    """One school with n needs, n agreements each way and n versions of its report."""
    p = tenant.partnership
    term = _term(tenant)
    school = SchoolFactory(partnership=p)
    for version in range(1, tenant.n + 1):
        ReportRunFactory(
            partnership=p, term=term, kind=ReportKind.SCHOOL, school=school, version=version, **DONE
        )
    for _ in range(tenant.n):
        NeedFactory(partnership=p, school=school)
        SupportAgreementFactory(partnership=p, need__school=school, status="active")
        SupportAgreementFactory(partnership=p, offer__school=school, status="active")
    tenant.url_kwargs.update(term_pk=term.pk, school_pk=school.pk)


def build_board_report(tenant: Tenant) -> None:
    p = tenant.partnership
    term = _term(tenant)
    populate_schools(tenant)
    for _ in range(tenant.n):
        SupportAgreementFactory(partnership=p, status="active")
    tenant.url_kwargs.update(term_pk=term.pk)


PAGES = {
    "list-as-admin": ListPage("reports:index", Role.PARTNERSHIP_ADMIN, build_report_list),
    "list-as-governor": ListPage("reports:index", Role.GOVERNOR, build_own_report_list),
    "school-report": ListPage("reports:school_report", Role.PARTNERSHIP_ADMIN, build_school_report),
    "api-list-as-admin": ListPage("api-report-run-list", Role.PARTNERSHIP_ADMIN, build_report_list),
    "api-list-as-governor": ListPage("api-report-run-list", Role.GOVERNOR, build_own_report_list),
    "board-report": ListPage("reports:board_report", Role.PARTNERSHIP_ADMIN, build_board_report),
}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_report_pages_cost_the_same_with_3_and_30_rows(page):
    small_count, _ = count_queries(page, make_tenant(page, SMALL))
    large_count, large_sql = count_queries(page, make_tenant(page, LARGE))

    assert large_count == small_count, "\n".join(large_sql)
