"""Casework pages and API lists cost the same number of queries with 3 rows as with 30."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casework.models import RoundStage, SchoolCategorisation
from partnership.models import Role
from tests.factories import MembershipFactory, NeedFactory, SchoolFactory, UserFactory
from tests.test_query_counts import (
    LARGE,
    SMALL,
    ListPage,
    Tenant,
    count_queries,
    make_tenant,
    populate_schools,
)

from .factories import (
    AdviserTeamFactory,
    CaseworkVisitFactory,
    CategorisationRoundFactory,
    SchoolCategorisationFactory,
    SelfEvaluationJudgementFactory,
    VisitActionFactory,
    VisitCommentFactory,
)

pytestmark = pytest.mark.django_db


def _casework(tenant: Tenant, schools, adviser):
    """For every school: a shared visit with two actions (one overdue) and a comment, a
    need, and a record in a round in moderation."""
    p = tenant.partnership
    today = timezone.localdate()
    round_ = CategorisationRoundFactory(partnership=p, stage=RoundStage.MODERATION)
    round_.moderators.add(UserFactory())
    for school in schools:
        visit = CaseworkVisitFactory(
            partnership=p,
            school=school,
            adviser=adviser or school.challenge_adviser,
            next_visit_on=today + datetime.timedelta(days=20),
        )
        VisitActionFactory(partnership=p, visit=visit)
        VisitActionFactory(partnership=p, visit=visit, due_on=today - datetime.timedelta(days=2))
        VisitCommentFactory(partnership=p, visit=visit, author=UserFactory())
        NeedFactory(partnership=p, school=school)
    for school in dict.fromkeys(schools):
        record = SchoolCategorisationFactory(
            partnership=p,
            round=round_,
            school=school,
            proposed_category="amber",
            proposed_by=UserFactory(),
            status=SchoolCategorisation.Status.PROPOSED,
        )
        SelfEvaluationJudgementFactory(partnership=p, record=record)
    return round_


def build_ca_caseload(tenant: Tenant) -> None:
    schools = populate_schools(tenant, ca=tenant.viewer)
    _casework(tenant, schools, tenant.viewer)


def build_senior_overview(tenant: Tenant) -> None:
    schools = populate_schools(tenant)
    AdviserTeamFactory(
        partnership=tenant.partnership,
        senior_adviser=tenant.viewer,
        advisers=[s.challenge_adviser for s in schools],
    )
    _casework(tenant, schools, None)


def build_round(tenant: Tenant) -> None:
    schools = populate_schools(tenant)
    tenant.url_kwargs["pk"] = _casework(tenant, schools, None).pk


def build_own_school(tenant: Tenant) -> None:
    """The headteacher's own school with n visits, each with actions and comments."""
    own = tenant.viewer.memberships.get().school
    adviser = UserFactory()
    MembershipFactory(partnership=tenant.partnership, user=adviser, role=Role.CHALLENGE_ADVISER)
    own.challenge_adviser = adviser
    own.save()
    _casework(tenant, [own] * tenant.n, adviser)


def build_own_school_page(tenant: Tenant) -> None:
    build_own_school(tenant)
    tenant.url_kwargs["pk"] = tenant.viewer.memberships.get().school_id


def build_governed_records(tenant: Tenant) -> None:
    own = tenant.viewer.memberships.get().school
    for _ in range(tenant.n):
        SchoolCategorisationFactory(
            partnership=tenant.partnership,
            school=own,
            final_category="red",
            moderation_reason="Agreed.",
            status=SchoolCategorisation.Status.CONFIRMED,
        )
    SchoolFactory(partnership=tenant.partnership)


PAGES = {
    "dashboard-as-ca": ListPage("casework:dashboard", Role.CHALLENGE_ADVISER, build_ca_caseload),
    "dashboard-as-senior": ListPage("casework:dashboard", Role.SENIOR_CA, build_senior_overview),
    "round-as-senior": ListPage("casework:round_detail", Role.SENIOR_CA, build_round),
    "rounds-as-senior": ListPage("casework:rounds", Role.SENIOR_CA, build_senior_overview),
    "school-casework-as-head": ListPage("casework:school", Role.HEADTEACHER, build_own_school_page),
    "school-page-as-head": ListPage("schools:detail", Role.HEADTEACHER, build_own_school_page),
    "api-visits-as-ca": ListPage(
        "api-casework-visit-list", Role.CHALLENGE_ADVISER, build_ca_caseload
    ),
    "api-visits-as-head": ListPage("api-casework-visit-list", Role.HEADTEACHER, build_own_school),
    "api-actions-as-ca": ListPage(
        "api-casework-action-list", Role.CHALLENGE_ADVISER, build_ca_caseload
    ),
    "api-records-as-senior": ListPage(
        "api-casework-categorisation-list", Role.SENIOR_CA, build_senior_overview
    ),
    "api-records-as-governor": ListPage(
        "api-casework-categorisation-list", Role.GOVERNOR, build_governed_records
    ),
}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_casework_pages_cost_the_same_with_3_and_30_rows(page):
    small_count, _ = count_queries(page, make_tenant(page, SMALL))
    large_count, large_sql = count_queries(page, make_tenant(page, LARGE))

    assert large_count == small_count, "\n".join(large_sql)
