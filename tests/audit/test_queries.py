"""The audit trail page and API cost the same number of queries with 3 rows as with 30."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from partnership.models import Role
from tests.test_query_counts import LARGE, SMALL, ListPage, Tenant, count_queries, make_tenant

pytestmark = pytest.mark.django_db


def build_events(tenant: Tenant) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(
            partnership=tenant.partnership,
            actor=tenant.viewer,
            actor_label=tenant.viewer.email,
            action=f"schools.action_{i % 5}",
            target_label=f"Row {i}",
            detail={"i": i},
        )
        for i in range(tenant.n)
    )


PAGES = {
    "trail": ListPage("audit:trail", Role.PARTNERSHIP_ADMIN, build_events),
    "trail-filtered": ListPage(
        "audit:trail", Role.PARTNERSHIP_ADMIN, build_events, query={"person": "@"}
    ),
    "trail-htmx": ListPage("audit:trail", Role.PARTNERSHIP_ADMIN, build_events, htmx=True),
    "api-trail": ListPage("api-audit-event-list", Role.PARTNERSHIP_ADMIN, build_events),
}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_trail_pages_cost_the_same_with_3_and_30_rows(page):
    small_count, _ = count_queries(page, make_tenant(page, SMALL))
    large_count, large_sql = count_queries(page, make_tenant(page, LARGE))

    assert large_count == small_count, "\n".join(large_sql)
