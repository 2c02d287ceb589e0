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
    "decisions": ListPage("panels:decisions", Role.HUB_LEAD, builders.build_decisions),
    "evaluations-as-chair": ListPage(
        "panels:evaluations", Role.PANEL_MEMBER, builders.build_evaluations
    ),
    "consultations-as-admin": ListPage(
        "panels:consultations", Role.PARTNERSHIP_ADMIN, builders.build_consultations
    ),
    "consultations-as-headteacher": ListPage(
        "panels:consultations", Role.HEADTEACHER, builders.build_consultations
    ),
    "collation": ListPage(
        "panels:consultation_collation", Role.PARTNERSHIP_ADMIN, builders.build_collation
    ),
    "collation-csv": ListPage(
        "panels:consultation_csv", Role.PARTNERSHIP_ADMIN, builders.build_collation
    ),
    "api-panels": ListPage("api-panel-list", Role.HUB_LEAD, builders.build_panels),
    "api-members": ListPage("api-panel-member-list", Role.HUB_LEAD, builders.build_panels),
    "api-meetings": ListPage(
        "api-panel-meeting-list", Role.PANEL_MEMBER, builders.build_meetings_for_member
    ),
    "api-actions": ListPage(
        "api-panel-action-list", Role.PANEL_MEMBER, builders.build_meetings_for_member
    ),
    "api-evaluations": ListPage(
        "api-panel-evaluation-list", Role.PANEL_MEMBER, builders.build_evaluation_list
    ),
    "api-consultations": ListPage(
        "api-consultation-list", Role.HEADTEACHER, builders.build_consultations
    ),
}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_panel_pages_cost_the_same_with_3_and_30_rows(page):
    small_count, _ = count_queries(page, make_tenant(page, SMALL))
    large_count, large_sql = count_queries(page, make_tenant(page, LARGE))

    assert large_count == small_count, "\n".join(large_sql)
