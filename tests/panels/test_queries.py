"""Panel pages cost the same number of queries with 3 rows as with 30."""

from __future__ import annotations

import pytest

from partnership.models import Role
from tests.test_query_counts import LARGE, SMALL, ListPage, count_queries, make_tenant

from . import builders

pytestmark = pytest.mark.django_db

PAGES = {
    "panels-as-member": ListPage("panels:index", Role.PANEL_MEMBER, builders.build_panels),
    "panel-as-admin": ListPage(
        "panels:detail", Role.PARTNERSHIP_ADMIN, builders.build_panel_detail
    ),
    "panel-as-member": ListPage("panels:detail", Role.PANEL_MEMBER, builders.build_panel_detail),
    "panel-as-outsider": ListPage("panels:detail", Role.HUB_LEAD, builders.build_panel_detail),
    "meeting-as-chair": ListPage(
        "panels:meeting_detail", Role.PANEL_MEMBER, builders.build_meeting_for_chair
    ),
    "meeting-as-pupil": ListPage(
        "panels:meeting_detail", Role.PANEL_MEMBER, builders.build_meeting_for_pupil
    ),
}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_panel_pages_cost_the_same_with_3_and_30_rows(page):
    small_count, _ = count_queries(page, make_tenant(page, SMALL))
    large_count, large_sql = count_queries(page, make_tenant(page, LARGE))

    assert large_count == small_count, "\n".join(large_sql)
