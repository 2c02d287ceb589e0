"""Survey pages cost the same number of queries with 3 rows as with 30."""

from __future__ import annotations

import pytest

from partnership.models import Role
from tests.factories import AreaFactory, LocalAuthorityFactory, SchoolFactory
from tests.test_query_counts import LARGE, SMALL, ListPage, Tenant, count_queries, make_tenant

from .factories import (
    ImpactResponseFactory,
    NeedsAreaPriorityFactory,
    NeedsSurveyResponseFactory,
    NeedsSurveyRoundFactory,
)

pytestmark = pytest.mark.django_db


def build_responses(tenant: Tenant) -> None:
    """n answered invitations, each about its own programme (and hub)."""
    for _ in range(tenant.n):
        ImpactResponseFactory(partnership=tenant.partnership)


def build_round(tenant: Tenant) -> None:
    """A round with n schools in n local authorities, each with a submitted response
    ranking its own area first."""
    partnership = tenant.partnership
    round_ = NeedsSurveyRoundFactory(partnership=partnership)
    for _ in range(tenant.n):
        school = SchoolFactory(
            partnership=partnership,
            local_authority=LocalAuthorityFactory(partnership=partnership),
        )
        response = NeedsSurveyResponseFactory(partnership=partnership, round=round_, school=school)
        NeedsAreaPriorityFactory(
            partnership=partnership,
            response=response,
            area=AreaFactory(partnership=partnership),
            rank=1,
        )
    tenant.url_kwargs = {"pk": round_.pk}


def build_rounds(tenant: Tenant) -> None:
    for _ in range(tenant.n):
        NeedsSurveyResponseFactory(partnership=tenant.partnership)


PAGES = {
    "invitations": ListPage("surveys:invitations", Role.PARTNERSHIP_ADMIN, build_responses),
    "impact-by-programme": ListPage("surveys:impact", Role.PARTNERSHIP_ADMIN, build_responses),
    "impact-by-provider": ListPage(
        "surveys:impact", Role.PARTNERSHIP_ADMIN, build_responses, query={"by": "provider"}
    ),
    "index": ListPage("surveys:index", Role.PARTNERSHIP_ADMIN, build_rounds),
    "round": ListPage("surveys:round", Role.PARTNERSHIP_ADMIN, build_round),
    "round-htmx": ListPage("surveys:round", Role.PARTNERSHIP_ADMIN, build_round, htmx=True),
    "results": ListPage("surveys:results", Role.PARTNERSHIP_ADMIN, build_round),
    "results-csv": ListPage("surveys:results_csv", Role.PARTNERSHIP_ADMIN, build_round),
    "api-rounds": ListPage("api-surveys-round-list", Role.PARTNERSHIP_ADMIN, build_rounds),
    "api-round": ListPage("api-surveys-round-detail", Role.PARTNERSHIP_ADMIN, build_round),
    "api-impact": ListPage("api-surveys-impact-list", Role.PARTNERSHIP_ADMIN, build_responses),
}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_survey_pages_cost_the_same_with_3_and_30_rows(page):
    small_count, _ = count_queries(page, make_tenant(page, SMALL))
    large_count, large_sql = count_queries(page, make_tenant(page, LARGE))

    assert large_count == small_count, "\n".join(large_sql)
