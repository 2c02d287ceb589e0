"""Query counts of every list page and API list do not grow with the data.

Each case in LIST_PAGES names a URL, the role of the person asking and a builder that fills
a partnership with `n` rows of what the page lists. The same page is requested in a
partnership built with 3 rows and in one built with 30 rows, and the two query counts must
be equal. To cover a new list page, add one `ListPage(...)` line (and, if the page lists
something new, a builder).

Every row gets its own local authority, cluster, SIGs, challenge adviser, headteacher and
category history, so a missing select_related/prefetch shows as extra queries even where
Django would otherwise reuse a cached related object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnership.models import Partnership, Role
from partnership.tenancy import URL_KWARG
from schools import views as school_views
from schools.models import School, SchoolImprovementGroup, SupportCategory
from tests.brokerage import builders as brokerage
from tests.factories import (
    CategoryChangeFactory,
    ClusterFactory,
    InvitationFactory,
    MembershipFactory,
    PartnershipFactory,
    SchoolFactory,
    SchoolImprovementGroupFactory,
    UserFactory,
)
from tests.hubs import builders as hubs
from tests.panels import builders as panel_builders
from tests.peerreview import builders as peer_builders

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30
CATEGORIES = [*SupportCategory.values, ""]


@dataclass
class Tenant:
    """A partnership filled with rows, and the person who will look at it."""

    partnership: Partnership
    viewer: Any
    n: int
    url_kwargs: dict[str, Any] = field(default_factory=dict)


def _viewer(partnership: Partnership, role: str) -> Any:
    user = UserFactory()
    school = None
    if role in (Role.HEADTEACHER, Role.GOVERNOR):
        school = SchoolFactory(partnership=partnership, name="Viewer's own school")
    MembershipFactory(partnership=partnership, user=user, role=role, school=school)
    return user


def populate_schools(tenant: Tenant, *, ca: Any = None) -> list[School]:
    """n schools, each with its own LA, cluster, SIG (a subgroup of one shared SIG), CA,
    headteacher, support category and two entries of category history."""
    p = tenant.partnership
    shared_sig = SchoolImprovementGroupFactory(partnership=p, name="Shared SIG")
    schools = []
    for i in range(tenant.n):
        adviser = ca
        if adviser is None:
            adviser = UserFactory()
            MembershipFactory(partnership=p, user=adviser, role=Role.CHALLENGE_ADVISER)
        school = SchoolFactory(
            partnership=p,
            cluster=ClusterFactory(partnership=p),
            challenge_adviser=adviser,
            support_category=CATEGORIES[i % len(CATEGORIES)],
            postcode=f"SA{i} 1AA",
        )
        own_sig = SchoolImprovementGroupFactory(partnership=p, parent=shared_sig)
        school.sigs.add(shared_sig, own_sig)
        MembershipFactory(partnership=p, role=Role.HEADTEACHER, school=school)
        for _ in range(2):
            setter = UserFactory()
            CategoryChangeFactory(partnership=p, school=school, set_by=setter)
        schools.append(school)
    return schools


# --- Builders: fill the tenant for one page and name the URL's arguments ----------------------


def build_schools(tenant: Tenant) -> None:
    populate_schools(tenant)


def build_caseload(tenant: Tenant) -> None:
    populate_schools(tenant, ca=tenant.viewer)


def build_people(tenant: Tenant) -> None:
    populate_schools(tenant)
    for _ in range(tenant.n):
        InvitationFactory(
            partnership=tenant.partnership,
            role=Role.HEADTEACHER,
            school=SchoolFactory(partnership=tenant.partnership),
            invited_by=UserFactory(),
        )


def build_cluster_detail(tenant: Tenant) -> None:
    schools = populate_schools(tenant)
    cluster = ClusterFactory(partnership=tenant.partnership, name="The big cluster")
    School.objects.filter(pk__in=[s.pk for s in schools]).update(cluster=cluster)
    tenant.url_kwargs["pk"] = cluster.pk


def build_sig_detail(tenant: Tenant) -> None:
    populate_schools(tenant)
    sig = SchoolImprovementGroup.objects.get(partnership=tenant.partnership, name="Shared SIG")
    tenant.url_kwargs["pk"] = sig.pk


def build_own_schools(tenant: Tenant) -> None:
    """A headteacher or governor of n schools (an executive head of a federation)."""
    schools = populate_schools(tenant)
    own = tenant.viewer.memberships.get().role
    for school in schools[1:]:
        MembershipFactory(
            partnership=tenant.partnership, user=tenant.viewer, role=own, school=school
        )


# --- The table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListPage:
    url_name: str
    role: str
    builder: Callable[[Tenant], None]
    query: dict[str, str] = field(default_factory=dict)
    htmx: bool = False

    def url(self, tenant: Tenant) -> str:
        kwargs = {URL_KWARG: tenant.partnership.slug, **tenant.url_kwargs}
        return reverse(self.url_name, kwargs=kwargs)

    def query_for(self, tenant: Tenant) -> dict[str, str]:
        # Filters naming a row (cluster, SIG) point at that tenant's own row.
        query = dict(self.query)
        if query.get("sig") == "shared":
            query["sig"] = str(
                SchoolImprovementGroup.objects.get(
                    partnership=tenant.partnership, name="Shared SIG"
                ).pk
            )
        return query


ALL_FILTERS = {"phase": "primary", "language_medium": "english", "q": "Ysgol", "sig": "shared"}

LIST_PAGES = {
    "directory": ListPage("schools:directory", Role.PARTNERSHIP_ADMIN, build_schools),
    "directory-as-headteacher": ListPage("schools:directory", Role.HEADTEACHER, build_schools),
    "directory-filtered": ListPage(
        "schools:directory", Role.SENIOR_CA, build_schools, query=ALL_FILTERS
    ),
    "directory-htmx": ListPage(
        "schools:directory", Role.PARTNERSHIP_ADMIN, build_schools, htmx=True
    ),
    "directory-htmx-filtered": ListPage(
        "schools:directory", Role.CHALLENGE_ADVISER, build_schools, query=ALL_FILTERS, htmx=True
    ),
    "clusters": ListPage("schools:clusters", Role.HEADTEACHER, build_schools),
    "cluster-detail": ListPage("schools:cluster_detail", Role.GOVERNOR, build_cluster_detail),
    "sigs": ListPage("schools:sigs", Role.PEER_REVIEWER, build_schools),
    "sig-detail": ListPage("schools:sig_detail", Role.HUB_LEAD, build_sig_detail),
    "people": ListPage("people", Role.PARTNERSHIP_ADMIN, build_people),
    "people-by-role": ListPage(
        "people", Role.PARTNERSHIP_ADMIN, build_people, query={"role": Role.HEADTEACHER}
    ),
    "home-admin": ListPage("home", Role.PARTNERSHIP_ADMIN, build_schools),
    "home-ca": ListPage("home", Role.CHALLENGE_ADVISER, build_caseload),
    "home-senior-ca": ListPage("home", Role.SENIOR_CA, build_schools),
    "home-headteacher": ListPage("home", Role.HEADTEACHER, build_own_schools),
    "home-governor": ListPage("home", Role.GOVERNOR, build_own_schools),
    "home-other-role": ListPage("home", Role.PARTICIPANT, build_schools),
    "api-schools": ListPage("api-school-list", Role.PARTNERSHIP_ADMIN, build_schools),
    "api-schools-as-governor": ListPage("api-school-list", Role.GOVERNOR, build_schools),
    "api-schools-filtered": ListPage(
        "api-school-list", Role.CHALLENGE_ADVISER, build_schools, query=ALL_FILTERS
    ),
    "api-clusters": ListPage("api-cluster-list", Role.PARTICIPANT, build_schools),
    "api-sigs": ListPage("api-sig-list", Role.PANEL_MEMBER, build_schools),
    "panels": ListPage("panels:index", Role.PARTNERSHIP_ADMIN, panel_builders.build_panels),
    "panel-detail": ListPage(
        "panels:detail", Role.PARTNERSHIP_ADMIN, panel_builders.build_panel_detail
    ),
    "hubs-catalogue": ListPage("hubs:catalogue", Role.HEADTEACHER, hubs.build_programmes),
    "hubs-value": ListPage("hubs:value", Role.PARTNERSHIP_ADMIN, hubs.build_hubs),
    "hubs-value-as-panel-member": ListPage("hubs:value", Role.PANEL_MEMBER, hubs.build_hubs),
    "hub-value": ListPage("hubs:hub_value", Role.CHALLENGE_ADVISER, hubs.build_hub_programmes),
    "home-hub-lead": ListPage("home", Role.HUB_LEAD, hubs.build_led_hubs),
    "api-hubs": ListPage("api-hub-list", Role.GOVERNOR, hubs.build_hubs),
    "api-programmes": ListPage("api-programme-list", Role.HEADTEACHER, hubs.build_programmes),
    "api-programmes-filtered": ListPage(
        "api-programme-list",
        Role.PARTICIPANT,
        hubs.build_programmes,
        query={"phase": "primary", "free_only": "true", "q": "Maths"},
    ),
    "api-sessions": ListPage("api-session-list", Role.HUB_LEAD, hubs.build_led_hubs),
    "api-enrolments": ListPage("api-enrolment-list", Role.HEADTEACHER, hubs.build_own_enrolments),
    "api-enrolments-as-hub-lead": ListPage(
        "api-enrolment-list", Role.HUB_LEAD, hubs.build_led_hubs
    ),
    "api-calls": ListPage("api-call-list", Role.PARTICIPANT, hubs.build_calls),
    "api-bids": ListPage("api-bid-list", Role.PARTNERSHIP_ADMIN, hubs.build_bids),
    "api-bids-as-headteacher": ListPage("api-bid-list", Role.HEADTEACHER, hubs.build_bids),
    "api-needs": ListPage("api-brokerage-need-list", Role.SENIOR_CA, brokerage.build_needs),
    "api-offers": ListPage(
        "api-brokerage-offer-list", Role.CHALLENGE_ADVISER, brokerage.build_offers
    ),
    "api-agreements": ListPage(
        "api-brokerage-agreement-list", Role.PARTNERSHIP_ADMIN, brokerage.build_agreements
    ),
    "api-pr-cycles": ListPage("api-pr-cycle-list", Role.PEER_REVIEWER, peer_builders.build_cycles),
    "api-pr-groups": ListPage("api-pr-group-list", Role.SENIOR_CA, peer_builders.build_cycles),
    "api-pr-visits": ListPage(
        "api-pr-visit-list", Role.CHALLENGE_ADVISER, peer_builders.build_cycles
    ),
}


@pytest.fixture(autouse=True)
def _whole_directory_on_one_page(monkeypatch):
    # 30 schools would span two directory pages of 25; compare pages that list every row.
    monkeypatch.setattr(school_views, "PAGE_SIZE", 50)


_slugs = iter(range(10_000))


def make_tenant(page: ListPage, n: int) -> Tenant:
    partnership = PartnershipFactory(slug=f"rows-{n}-{next(_slugs)}")
    tenant = Tenant(partnership=partnership, viewer=_viewer(partnership, page.role), n=n)
    page.builder(tenant)
    return tenant


def requester(page: ListPage, tenant: Tenant) -> Callable[[], Any]:
    """A signed-in GET of the page, its URL and query worked out beforehand."""
    client = Client()
    client.force_login(tenant.viewer)
    url, query = page.url(tenant), page.query_for(tenant)
    headers = {"HX-Request": "true"} if page.htmx else {}
    return lambda: client.get(url, query, headers=headers)


def count_queries(page: ListPage, tenant: Tenant) -> tuple[int, list[str]]:
    get = requester(page, tenant)
    get()  # warm up: first-request caches are not the page's cost
    with CaptureQueriesContext(connection) as captured:
        response = get()
    assert response.status_code == 200, response.content[:500]
    return len(captured), [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("page", LIST_PAGES.values(), ids=LIST_PAGES.keys())
def test_query_count_does_not_grow_with_rows(page):
    small = make_tenant(page, SMALL)
    large = make_tenant(page, LARGE)

    small_count, small_sql = count_queries(page, small)
    large_count, large_sql = count_queries(page, large)

    assert large_count == small_count, "\n".join(large_sql)


API_PAGES = {name: page for name, page in LIST_PAGES.items() if page.url_name.startswith("api-")}


@pytest.mark.parametrize("page", API_PAGES.values(), ids=API_PAGES.keys())
def test_api_list_compared_above_returns_every_row(page):
    tenant = make_tenant(page, LARGE)

    response = requester(page, tenant)()

    assert response.json()["count"] >= LARGE
    assert len(response.json()["results"]) == response.json()["count"]


# --- Exact counts, so that a regression of a few queries shows ---------------------------------

#: Reading the session and the user; the partnership and the user's memberships of it; the
#: header's count of the user's partnerships (2); the filter form's choices (local
#: authorities, clusters, SIGs); the count of matching schools and the page of them; saving
#: the session (3, with its savepoint).
DIRECTORY_QUERIES = 14
#: The htmx partial renders no header and no filter form.
DIRECTORY_HTMX_QUERIES = 9


def test_directory_query_count_is_exact(django_assert_num_queries):
    get = requester(LIST_PAGES["directory"], make_tenant(LIST_PAGES["directory"], LARGE))
    get()

    with django_assert_num_queries(DIRECTORY_QUERIES):
        get()


def test_directory_htmx_partial_query_count_is_exact(django_assert_num_queries):
    page = LIST_PAGES["directory-htmx"]
    get = requester(page, make_tenant(page, LARGE))
    get()

    with django_assert_num_queries(DIRECTORY_HTMX_QUERIES):
        get()


def test_directory_later_page_costs_the_same_as_the_first(monkeypatch):
    monkeypatch.setattr(school_views, "PAGE_SIZE", 10)
    page = LIST_PAGES["directory"]
    tenant = make_tenant(page, LARGE)
    first = ListPage(page.url_name, page.role, page.builder)
    third = ListPage(page.url_name, page.role, page.builder, query={"page": "3"})

    assert count_queries(first, tenant)[0] == count_queries(third, tenant)[0]
