"""Who may do what, role by role, on the web pages and in the API (schools/policies.py).

The rule being tested:
- every member may see the directory, a school's page, clusters and SIGs;
- the support category is sensitive: staff roles (admin, senior CA, CA) see every school's;
  a headteacher or governor sees their own school's; a school's own challenge adviser (a
  headteacher working as a partner CA counts) sees the schools they advise;
- only admins add, edit and import schools and manage people;
- a category is set by an admin, a senior CA or the school's own CA.

PERSONAS build the people; each table below lists who is allowed, and every persona not
listed must be refused (403 on the web; the API hides the category).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from partnership.models import Invitation, Membership, Role
from schools.models import CategoryChange, School, SupportCategory
from tests.factories import (
    CategoryChangeFactory,
    ClusterFactory,
    InvitationFactory,
    LocalAuthorityFactory,
    MembershipFactory,
    SchoolFactory,
    SchoolImprovementGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECRET_REASON = "Leadership capacity is a concern this term."


@pytest.fixture
def target(partnership) -> School:
    """The school every request is about, with a category and its history."""
    school = SchoolFactory(
        partnership=partnership,
        name="Ysgol y Cwm",
        support_category=SupportCategory.AMBER,
        cluster=ClusterFactory(partnership=partnership),
    )
    SchoolImprovementGroupFactory(partnership=partnership, schools=[school])
    CategoryChangeFactory(
        partnership=partnership,
        school=school,
        category=SupportCategory.AMBER,
        reason=SECRET_REASON,
    )
    return school


@pytest.fixture
def neighbour(partnership) -> School:
    return SchoolFactory(partnership=partnership, name="Ysgol Arall")


def _role(role: str, school: str | None = None) -> Callable[..., Any]:
    def build(partnership, target, neighbour) -> Any:
        user = UserFactory()
        on = {"target": target, "neighbour": neighbour, None: None}[school]
        MembershipFactory(partnership=partnership, user=user, role=role, school=on)
        return user

    return build


def _ca_for_target(partnership, target, neighbour) -> Any:
    user = _role(Role.CHALLENGE_ADVISER)(partnership, target, neighbour)
    School.objects.filter(pk=target.pk).update(challenge_adviser=user)
    return user


def _partner_ca(partnership, target, neighbour) -> Any:
    """A headteacher of another school who is the target's challenge adviser."""
    user = _role(Role.HEADTEACHER, "neighbour")(partnership, target, neighbour)
    School.objects.filter(pk=target.pk).update(challenge_adviser=user)
    return user


PERSONAS: dict[str, Callable[..., Any]] = {
    "admin": _role(Role.PARTNERSHIP_ADMIN),
    "senior_ca": _role(Role.SENIOR_CA),
    "ca_for_school": _ca_for_target,
    "ca": _role(Role.CHALLENGE_ADVISER),
    "headteacher": _role(Role.HEADTEACHER, "target"),
    "headteacher_elsewhere": _role(Role.HEADTEACHER, "neighbour"),
    "partner_ca": _partner_ca,
    "hub_lead": _role(Role.HUB_LEAD),
    "panel_member": _role(Role.PANEL_MEMBER),
    "peer_reviewer": _role(Role.PEER_REVIEWER),
    "governor": _role(Role.GOVERNOR, "target"),
    "governor_elsewhere": _role(Role.GOVERNOR, "neighbour"),
    "participant": _role(Role.PARTICIPANT),
}
EVERYONE = frozenset(PERSONAS)
STAFF = frozenset({"admin", "senior_ca", "ca_for_school", "ca"})

#: Who may see the target school's support category and its history.
MAY_VIEW_CATEGORY = STAFF | {"headteacher", "governor", "partner_ca"}
#: Who sees the category of every school in the directory (and may filter by it).
MAY_SEE_ALL_CATEGORIES = STAFF
MAY_SET_CATEGORY = frozenset({"admin", "senior_ca", "ca_for_school", "partner_ca"})
ADMIN_ONLY = frozenset({"admin"})


@pytest.fixture
def person(partnership, target, neighbour) -> Callable[[str], Any]:
    return lambda name: PERSONAS[name](partnership, target, neighbour)


@pytest.fixture
def client_as(person, client_for) -> Callable[[str], Client]:
    return lambda name: client_for(person(name))


def _cases(allowed: frozenset[str]) -> list[tuple[str, int]]:
    return [(name, 200 if name in allowed else 403) for name in PERSONAS]


# --- Pages: (persona, page, expected status) ----------------------------------------------

PAGES: dict[str, tuple[str, frozenset[str]]] = {
    # name: (URL, with {school}/{membership}/{invitation} filled in; who gets 200)
    "home": ("/p/cwm/", EVERYONE),
    "directory": ("/p/cwm/schools/", EVERYONE),
    "school page": ("/p/cwm/schools/{school}/", EVERYONE),
    "clusters": ("/p/cwm/clusters/", EVERYONE),
    "cluster page": ("/p/cwm/clusters/{cluster}/", EVERYONE),
    "sigs": ("/p/cwm/sigs/", EVERYONE),
    "sig page": ("/p/cwm/sigs/{sig}/", EVERYONE),
    "add school": ("/p/cwm/schools/new/", ADMIN_ONLY),
    "edit school": ("/p/cwm/schools/{school}/edit/", ADMIN_ONLY),
    "set category": ("/p/cwm/schools/{school}/category/", MAY_SET_CATEGORY),
    "import schools": ("/p/cwm/schools/import/", ADMIN_ONLY),
    "people": ("/p/cwm/people/", ADMIN_ONLY),
    "invite": ("/p/cwm/people/invite/", ADMIN_ONLY),
    "change role": ("/p/cwm/people/{membership}/edit/", ADMIN_ONLY),
    "remove role": ("/p/cwm/people/{membership}/remove/", ADMIN_ONLY),
}

PAGE_CASES = [
    pytest.param(name, page, status, id=f"{page}-{name}")
    for page, (_, allowed) in PAGES.items()
    for name, status in _cases(allowed)
]


def _fill(url: str, partnership, target: School) -> str:
    membership = MembershipFactory(partnership=partnership, role=Role.PANEL_MEMBER)
    return url.format(
        school=target.pk,
        cluster=target.cluster_id,
        sig=target.sigs.get().pk,
        membership=membership.pk,
    )


@pytest.mark.parametrize(("name", "page", "status"), PAGE_CASES)
def test_page_access_by_role(client_as, partnership, target, name, page, status):
    url = _fill(PAGES[page][0], partnership, target)

    assert client_as(name).get(url).status_code == status


# --- What a page shows ---------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_school_page_shows_category_and_history_only_to_those_allowed(client_as, target, name):
    body = client_as(name).get(f"/p/cwm/schools/{target.pk}/").content.decode()

    shown = "Support category history" in body and SECRET_REASON in body
    assert shown == (name in MAY_VIEW_CATEGORY)
    assert ("govuk-tag--orange" in body) == (name in MAY_VIEW_CATEGORY)


@pytest.mark.parametrize("name", PERSONAS)
def test_directory_shows_category_column_only_to_staff(client_as, target, name):
    body = client_as(name).get("/p/cwm/schools/").content.decode()

    assert ("govuk-tag--orange" in body) == (name in MAY_SEE_ALL_CATEGORIES)
    assert ('name="category"' in body) == (name in MAY_SEE_ALL_CATEGORIES)


@pytest.mark.parametrize("name", PERSONAS)
def test_directory_category_filter_is_ignored_for_those_who_may_not_see_categories(
    client_as, target, neighbour, name
):
    """Otherwise filtering by 'amber' would reveal which schools are amber."""
    body = client_as(name).get("/p/cwm/schools/", {"category": "amber"}).content.decode()

    assert "Ysgol y Cwm" in body
    assert ("Ysgol Arall" in body) == (name not in MAY_SEE_ALL_CATEGORIES)


@pytest.mark.parametrize("name", PERSONAS)
def test_school_page_offers_only_permitted_actions(client_as, target, name):
    body = client_as(name).get(f"/p/cwm/schools/{target.pk}/").content.decode()

    assert ("Edit school" in body) == (name in ADMIN_ONLY)
    assert ("Set support category" in body) == (name in MAY_SET_CATEGORY)


@pytest.mark.parametrize("name", PERSONAS)
def test_directory_offers_add_and_import_only_to_admins(client_as, target, name):
    body = client_as(name).get("/p/cwm/schools/").content.decode()

    assert ("Add a school" in body) == (name in ADMIN_ONLY)
    assert ("Import schools" in body) == (name in ADMIN_ONLY)


# --- Writes ---------------------------------------------------------------------------------


def _new_school(partnership) -> dict[str, Any]:
    return {
        "official_number": "6612345",
        "name": "Ysgol Newydd",
        "phase": "primary",
        "language_medium": "welsh",
        "local_authority": LocalAuthorityFactory(partnership=partnership).pk,
        "report_language": "cy",
    }


@pytest.mark.parametrize(
    ("name", "status"), [(n, 302 if n in ADMIN_ONLY else 403) for n in PERSONAS]
)
def test_only_admin_creates_a_school(client_as, partnership, name, status):
    response = client_as(name).post("/p/cwm/schools/new/", _new_school(partnership))

    assert response.status_code == status
    assert School.objects.filter(name="Ysgol Newydd").exists() == (status == 302)


@pytest.mark.parametrize(
    ("name", "status"), [(n, 302 if n in ADMIN_ONLY else 403) for n in PERSONAS]
)
def test_only_admin_edits_a_school(client_as, partnership, target, name, status):
    data = {**_new_school(partnership), "official_number": target.official_number}

    response = client_as(name).post(f"/p/cwm/schools/{target.pk}/edit/", data)

    assert response.status_code == status
    target.refresh_from_db()
    assert (target.name == "Ysgol Newydd") == (status == 302)


@pytest.mark.parametrize(
    ("name", "status"), [(n, 302 if n in MAY_SET_CATEGORY else 403) for n in PERSONAS]
)
def test_category_is_set_only_by_admin_senior_ca_and_the_schools_ca(
    client_as, target, name, status
):
    response = client_as(name).post(
        f"/p/cwm/schools/{target.pk}/category/", {"category": "red", "reason": "Falling results."}
    )

    assert response.status_code == status
    target.refresh_from_db()
    assert (target.support_category == SupportCategory.RED) == (status == 302)
    assert CategoryChange.objects.filter(school=target, category="red").exists() == (status == 302)


@pytest.mark.parametrize("name", sorted(EVERYONE - ADMIN_ONLY))
def test_only_admin_may_upload_a_school_import(client_as, partnership, name):
    upload = SimpleUploadedFile("schools.csv", b"official_number,name\n6600001,Ysgol\n")

    response = client_as(name).post("/p/cwm/schools/import/", {"file": upload})

    assert response.status_code == 403
    assert not School.objects.filter(official_number="6600001").exists()


@pytest.mark.parametrize(
    ("name", "status"), [(n, 302 if n in ADMIN_ONLY else 403) for n in PERSONAS]
)
def test_only_admin_invites_people(client_as, name, status):
    response = client_as(name).post(
        "/p/cwm/people/invite/", {"email": "new.person@example.org", "role": Role.HUB_LEAD}
    )

    assert response.status_code == status
    assert Invitation.objects.filter(email="new.person@example.org").exists() == (status == 302)


@pytest.mark.parametrize(
    ("name", "status"), [(n, 302 if n in ADMIN_ONLY else 403) for n in PERSONAS]
)
def test_only_admin_changes_a_role(client_as, partnership, name, status):
    membership = MembershipFactory(partnership=partnership, role=Role.PANEL_MEMBER)

    response = client_as(name).post(f"/p/cwm/people/{membership.pk}/edit/", {"role": Role.HUB_LEAD})

    assert response.status_code == status
    membership.refresh_from_db()
    assert (membership.role == Role.HUB_LEAD) == (status == 302)


@pytest.mark.parametrize(
    ("name", "status"), [(n, 302 if n in ADMIN_ONLY else 403) for n in PERSONAS]
)
def test_only_admin_removes_a_role(client_as, partnership, name, status):
    membership = MembershipFactory(partnership=partnership, role=Role.PANEL_MEMBER)

    response = client_as(name).post(f"/p/cwm/people/{membership.pk}/remove/")

    assert response.status_code == status
    assert Membership.objects.filter(pk=membership.pk).exists() == (status == 403)


@pytest.mark.parametrize(
    ("name", "status"), [(n, 302 if n in ADMIN_ONLY else 403) for n in PERSONAS]
)
def test_only_admin_withdraws_an_invitation(client_as, partnership, name, status):
    invitation = InvitationFactory(partnership=partnership)

    response = client_as(name).post(f"/p/cwm/invitations/{invitation.pk}/revoke/")

    assert response.status_code == status
    invitation.refresh_from_db()
    assert (invitation.revoked_at is not None) == (status == 302)


# --- The API applies the same rules --------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize(
    "path", ["/api/p/cwm/schools/", "/api/p/cwm/clusters/", "/api/p/cwm/sigs/"]
)
def test_every_member_may_read_the_api_lists(client_as, target, name, path):
    assert client_as(name).get(path).status_code == 200


@pytest.mark.parametrize("name", PERSONAS)
def test_api_school_detail_shows_category_only_to_those_allowed(client_as, target, name):
    data = client_as(name).get(f"/api/p/cwm/schools/{target.pk}/").json()

    expected = "amber" if name in MAY_VIEW_CATEGORY else None
    assert data["support_category"] == expected


@pytest.mark.parametrize("name", PERSONAS)
def test_api_school_list_shows_category_only_to_those_allowed(client_as, target, name):
    results = client_as(name).get("/api/p/cwm/schools/").json()["results"]

    by_name = {row["name"]: row["support_category"] for row in results}
    assert by_name["Ysgol y Cwm"] == ("amber" if name in MAY_VIEW_CATEGORY else None)
    neighbour_visible = name in MAY_SEE_ALL_CATEGORIES or name in {
        "headteacher_elsewhere",
        "governor_elsewhere",
        "partner_ca",
    }
    assert (by_name["Ysgol Arall"] is not None) == neighbour_visible


@pytest.mark.parametrize("name", PERSONAS)
def test_api_category_filter_applies_only_for_those_who_see_every_category(
    client_as, target, neighbour, name
):
    results = client_as(name).get("/api/p/cwm/schools/", {"category": "amber"}).json()["results"]

    names = {row["name"] for row in results}
    assert ("Ysgol Arall" in names) == (name not in MAY_SEE_ALL_CATEGORIES)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_api_is_read_only_even_for_admins(client_as, target, method):
    response = getattr(client_as("admin"), method)(
        f"/api/p/cwm/schools/{target.pk}/", {}, content_type="application/json"
    )

    assert response.status_code == 405
    assert School.objects.filter(pk=target.pk).exists()


# =============================================================================================
# The permission matrix: every role x every page and API endpoint -> see / change / none.
#
# One row per URL name (web pages and API routes under /p/<slug>/ and /api/p/<slug>/).
# Each row is a string with one letter per role, in MATRIX_ROLES order:
#     c = change (a write is not refused: POST, or PATCH where the API route takes no POST;
#                 a form answering with its errors, a redirect, or an API 400 all count)
#     s = see    (GET answers 200; writing is refused, or the page takes no writes)
#     - = none   (refused: 403, or 404 for rows the role may not know exist)
# The person holds only that role, for a school other than the row's own (headteacher and
# governor), so the matrix states what the ROLE allows; the relationship rules (own school,
# own caseload, on the review team) are tested above and in each app's tests.
# Every URL of the world below names a row of the right model: every tenant model has a
# row with primary key MATRIX_PK, so `/schools/<MATRIX_PK>/` is a school, and so on.
#
# A new URL without a row fails test_every_route_has_a_permission_decision. To see what
# a route does today, run
#     PERMISSION_MATRIX_RECORD=1 pytest tests/test_permissions.py -k matrix -s
# which prints the observed row for every route; check it against the design, then add it.
# =============================================================================================

import os  # noqa: E402
import re  # noqa: E402

from django.apps import apps  # noqa: E402
from django.db import transaction  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from partnership.tenancy import URL_KWARG, TenantModel  # noqa: E402
from tests.factories import TENANT_FACTORIES, PartnershipFactory  # noqa: E402
from tests.test_isolation import Route, tenant_routes  # noqa: E402

MATRIX_ROLES = (
    Role.PARTNERSHIP_ADMIN,
    Role.SENIOR_CA,
    Role.CHALLENGE_ADVISER,
    Role.HEADTEACHER,
    Role.HUB_LEAD,
    Role.PANEL_MEMBER,
    Role.PEER_REVIEWER,
    Role.GOVERNOR,
    Role.PARTICIPANT,
)
MATRIX_PK = 424_242
MATRIX_SLUG = "matrix"


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker):
    """Built once, inside a transaction rolled back at the end; each request below runs
    in a savepoint that is rolled back too, so a write by one role is not seen by the next."""
    with django_db_blocker.unblock(), scopes_disabled():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build_matrix_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _build_matrix_world() -> dict[str, Any]:
    partnership = PartnershipFactory(slug=MATRIX_SLUG, name="Matrix Partnership")
    own_school = SchoolFactory(partnership=partnership, name="The persona's own school")
    people = {}
    for role in MATRIX_ROLES:
        user = UserFactory(email=f"{role}@matrix.example")
        school = own_school if role in (Role.HEADTEACHER, Role.GOVERNOR) else None
        MembershipFactory(partnership=partnership, user=user, role=role, school=school)
        people[role] = user
    # The person every /people/person/<MATRIX_PK>/ URL is about.
    MembershipFactory(
        partnership=partnership, user=UserFactory(pk=MATRIX_PK), role=Role.PANEL_MEMBER
    )
    for model in (m for m in apps.get_models() if issubclass(m, TenantModel)):
        factory = TENANT_FACTORIES.get(model)
        if factory is None or model._base_manager.filter(pk=MATRIX_PK).exists():
            continue  # (test_isolation asks for a missing factory)
        factory(partnership=partnership, pk=MATRIX_PK)
    return {"partnership": partnership, "people": people}


def _matrix_url(route: Route) -> str:
    kwargs: dict[str, Any] = {}
    for name in route.kwargs:
        if name == URL_KWARG:
            kwargs[name] = MATRIX_SLUG
        elif name == "format":
            kwargs[name] = "json"
        elif name in route.int_kwargs or name == "pk" or name.endswith(("_pk", "_id")):
            kwargs[name] = MATRIX_PK
        else:
            kwargs[name] = "matrix-probe"
    return reverse(route.name, kwargs=kwargs)


def _is_api(route: Route) -> bool:
    return route.name.startswith("api-")


def _allowed(status: int) -> bool:
    return status not in (401, 403, 404, 405)


CSRF_VALUE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*"')


def _page(response) -> bytes:
    return CSRF_VALUE.sub(rb"\1", response.content)


def _write(client: Client, route: Route, url: str, page: bytes | None) -> int:
    if _is_api(route):
        status = client.post(url, {}, content_type="application/json").status_code
        if status == 405:
            status = client.patch(url, {}, content_type="application/json").status_code
        return status
    # Not empty: `Form(request.POST or None)` treats an empty POST as no POST at all.
    response = client.post(url, {"matrix-probe": "1"})
    if response.status_code == 200 and page is not None and _page(response) == page:
        return 405  # a page that shows the same thing whatever is posted takes no writes
    return response.status_code


def observed_level(client: Client, route: Route, takes_writes: bool = True) -> tuple[str, int]:
    """(level letter, status of the write attempt) for the signed-in client.

    "!" marks a server error, which no row may hold.
    """
    url = _matrix_url(route)
    with transaction.atomic():
        response = client.get(url)
        seen = response.status_code
        page = _page(response) if seen == 200 and not _is_api(route) else None
        transaction.set_rollback(True)
    status = 405
    if takes_writes:
        with transaction.atomic():
            status = _write(client, route, url, page)
            transaction.set_rollback(True)
    if seen >= 500 or status >= 500:
        return "!", status
    if status != 405 and _allowed(status):
        return "c", status
    if seen in (200, 302) and not (_is_api(route) and seen == 302):
        return "s", status
    return "-", status


def observed_row(world: dict[str, Any], route: Route) -> str:
    letters = []
    takes_writes = True
    for role in MATRIX_ROLES:
        client = Client(raise_request_exception=False)
        client.force_login(world["people"][role])
        letter, status = observed_level(client, route, takes_writes)
        # A method the view does not take is refused before any permission check.
        takes_writes = takes_writes and not (status == 405 and letter != "-")
        letters.append(letter)
    return "".join(letters)


#: The decisions (see the legend above): roles in MATRIX_ROLES order.
#:               admin senior_ca ca head hub_lead panel peer governor participant
PERMISSION_MATRIX: dict[str, str] = {
    "audit:trail": "s--------",
    "brokerage:agreement_close": "---------",
    "brokerage:agreement_confirm": "---------",
    "brokerage:agreement_create": "cc-------",
    "brokerage:agreement_decline": "---------",
    "brokerage:agreement_detail": "sss------",
    "brokerage:agreements": "ssss---s-",
    "brokerage:board": "sss------",
    "brokerage:dashboard": "ccc------",
    "brokerage:index": "cccs---s-",
    "brokerage:need_create": "cccc-----",
    "brokerage:need_detail": "sss------",
    "brokerage:need_edit": "cc-------",
    "brokerage:need_withdraw": "cc-------",
    "brokerage:offer_create": "cccc-----",
    "brokerage:offer_detail": "sss------",
    "brokerage:offer_edit": "cc-------",
    "brokerage:offer_withdraw": "cc-------",
    "brokerage:override": "cc-------",
    "brokerage:session_create": "cc-------",
    "brokerage:suggestion_decline": "cc-------",
    "brokerage:suggestions": "ss-------",
    "casework:action_add": "-c-------",
    "casework:action_update": "-c-------",
    "casework:comment_add": "-c-------",
    "casework:dashboard": "sss------",
    "casework:moderate": "-c-------",
    "casework:propose": "-c-------",
    "casework:reassign": "cc-------",
    "casework:record_detail": "ss-------",
    "casework:respond": "---------",
    "casework:round_advance": "cc-------",
    "casework:round_create": "cc-------",
    "casework:round_detail": "sss------",
    "casework:round_edit": "cc-------",
    "casework:rounds": "sss------",
    "casework:school": "ss-------",
    "casework:self_evaluation": "---------",
    "casework:team_create": "cc-------",
    "casework:team_edit": "cc-------",
    "casework:teams": "ss-------",
    "casework:visit_autosave": "---------",
    "casework:visit_detail": "ss-------",
    "casework:visit_edit": "---------",
    "casework:visit_start": "-cc------",
    "collaboration:allocations": "ss-------",
    "collaboration:budget_create": "cc-------",
    "collaboration:budget_edit": "cc-------",
    "collaboration:budget_spend": "cc-------",
    "collaboration:download": "sssssssss",
    "collaboration:evaluation": "cc-------",
    "collaboration:following": "ccccccccc",
    "collaboration:library": "sssssssss",
    "collaboration:milestone_complete": "cc-------",
    "collaboration:milestone_create": "cc-------",
    "collaboration:project": "sssssssss",
    "collaboration:project_create": "cc-c-----",
    "collaboration:project_edit": "cc-------",
    "collaboration:project_funding": "cc-------",
    "collaboration:projects": "sssssssss",
    "collaboration:resource": "sssssssss",
    "collaboration:resource_create": "ccccc----",
    "collaboration:resource_edit": "ccc------",
    "collaboration:resource_publish": "ccc------",
    "collaboration:version_create": "ccccc----",
    "collaboration:welsh_gaps": "sssssssss",
    "home": "sssssssss",
    "hubs:agreement_edit": "c--------",
    "hubs:area_value": "sss--s---",
    "hubs:bid_create": "---c-----",
    "hubs:bid_detail": "s--------",
    "hubs:bid_score": "c--------",
    "hubs:budget_create": "c--------",
    "hubs:budget_edit": "c--------",
    "hubs:call_award": "c--------",
    "hubs:call_create": "c--------",
    "hubs:call_detail": "sssssssss",
    "hubs:call_edit": "c--------",
    "hubs:call_open": "c--------",
    "hubs:calls": "sssssssss",
    "hubs:catalogue": "sssssssss",
    "hubs:create": "c--------",
    "hubs:criteria": "cssssssss",
    "hubs:criterion_edit": "c--------",
    "hubs:deliverable": "c--------",
    "hubs:deliverable_create": "c--------",
    "hubs:detail": "sssssssss",
    "hubs:document": "---------",
    "hubs:edit": "c--------",
    "hubs:enrol": "---c-----",
    "hubs:enrol_group": "---------",
    "hubs:enrolment_cancel": "c--------",
    "hubs:evidence_upload": "c--------",
    "hubs:hub_value": "sss--s---",
    "hubs:list": "sssssssss",
    "hubs:programme_create": "c--------",
    "hubs:programme_detail": "sssssssss",
    "hubs:programme_edit": "c--------",
    "hubs:register": "c--------",
    "hubs:review": "c--------",
    "hubs:value": "sss--s---",
    "invitation_revoke": "c--------",
    "invite": "c--------",
    "membership_edit": "c--------",
    "membership_remove": "c--------",
    "my_data": "sssssssss",
    "panels:action_add": "c--------",
    "panels:action_status": "c--------",
    "panels:attendance": "c--------",
    "panels:consultation_collation": "s--------",
    "panels:consultation_create": "c--------",
    "panels:consultation_csv": "s--------",
    "panels:consultation_detail": "sssss----",
    "panels:consultation_edit": "c--------",
    "panels:consultation_pdf": "s--------",
    "panels:consultation_question_add": "c--------",
    "panels:consultation_respond": "ccccc----",
    "panels:consultation_section_add": "c--------",
    "panels:consultations": "sssssssss",
    "panels:create": "c--------",
    "panels:decisions": "sssssssss",
    "panels:detail": "sssssssss",
    "panels:edit": "c--------",
    "panels:evaluation_agreement": "---------",
    "panels:evaluation_programme": "---------",
    "panels:evaluations": "s--------",
    "panels:index": "sssssssss",
    "panels:item_add": "c--------",
    "panels:item_minutes": "c--------",
    "panels:meeting_calendar": "s--------",
    "panels:meeting_create": "c--------",
    "panels:meeting_detail": "s--------",
    "panels:meeting_edit": "c--------",
    "panels:meeting_invite": "c--------",
    "panels:minutes_approve": "c--------",
    "panels:minutes_pdf": "s--------",
    "panels:need_call": "c--------",
    "panels:need_create": "c--------",
    "panels:need_detail": "s--------",
    "panels:need_evidence": "c--------",
    "panels:seat_add": "c--------",
    "panels:term_add": "c--------",
    "peerreview:access_log": "---------",
    "peerreview:area_create": "cc-------",
    "peerreview:area_edit": "cc-------",
    "peerreview:cycle_create": "cc-------",
    "peerreview:cycle_detail": "ssss--s--",
    "peerreview:cycle_edit": "cc-------",
    "peerreview:cycle_grouping": "cc-------",
    "peerreview:cycle_invite": "cc-------",
    "peerreview:cycle_schools": "---------",
    "peerreview:cycle_status": "ss-------",
    "peerreview:cycle_status_csv": "ss-------",
    "peerreview:cycle_status_pdf": "ss-------",
    "peerreview:evidence": "---------",
    "peerreview:evidence_autosave": "---------",
    "peerreview:findings": "---------",
    "peerreview:findings_autosave": "---------",
    "peerreview:findings_edit": "---------",
    "peerreview:findings_submit": "---------",
    "peerreview:framework_create": "cc-------",
    "peerreview:framework_detail": "ssss--s--",
    "peerreview:frameworks": "ssss--s--",
    "peerreview:home": "sssssssss",
    "peerreview:moderation": "ss-------",
    "peerreview:participation_respond": "---------",
    "peerreview:response": "---------",
    "peerreview:review_detail": "sss------",
    "peerreview:review_remove": "cc-------",
    "peerreview:review_team": "cc-------",
    "peerreview:reviewer_create": "cc-------",
    "peerreview:reviewer_edit": "cc-------",
    "peerreview:reviewers": "ss-------",
    "peerreview:share_revoke": "---------",
    "peerreview:sharing": "---------",
    "peerreview:version_detail": "ssss--s--",
    "peerreview:version_new": "cc-------",
    "peerreview:version_publish": "cc-------",
    "peerreview:visit_calendar": "ss-------",
    "peerreview:visit_create": "cc-------",
    "peerreview:visit_edit": "cc-------",
    "people": "s--------",
    "person_data": "s--------",
    "person_erase": "c--------",
    "privacy": "sssssssss",
    "reports:board_report": "s--------",
    "reports:download": "---------",
    "reports:generate_board": "c--------",
    "reports:generate_school": "cc-------",
    "reports:index": "sssssssss",
    "reports:retry": "---------",
    "reports:run_status": "---------",
    "reports:school_report": "ss-------",
    "reports:term_create": "c--------",
    "reports:term_edit": "c--------",
    "reports:terms": "s--------",
    "schools:cluster_detail": "sssssssss",
    "schools:clusters": "sssssssss",
    "schools:create": "c--------",
    "schools:detail": "sssssssss",
    "schools:directory": "sssssssss",
    "schools:edit": "c--------",
    "schools:import": "c--------",
    "schools:set_category": "cc-------",
    "schools:sig_detail": "sssssssss",
    "schools:sigs": "sssssssss",
    "surveys:identify": "c--------",
    "surveys:impact": "sss------",
    "surveys:index": "ssss-----",
    "surveys:invitation_retry": "c--------",
    "surveys:invitations": "s--------",
    "surveys:respond": "---------",
    "surveys:results": "sss------",
    "surveys:results_csv": "sss------",
    "surveys:round": "sss------",
    "surveys:round_close": "c--------",
    "surveys:round_create": "c--------",
    "surveys:round_open": "c--------",
    "surveys:settings": "c--------",
    "api-audit-event-detail": "s--------",
    "api-audit-event-list": "s--------",
    "api-bid-detail": "s--------",
    "api-bid-list": "sssssssss",
    "api-bid-score": "c--------",
    "api-brokerage-agreement-detail": "sss------",
    "api-brokerage-agreement-list": "cccs---s-",
    "api-brokerage-agreement-sessions": "ccs------",
    "api-brokerage-need-detail": "sss------",
    "api-brokerage-need-list": "cccc---s-",
    "api-brokerage-need-suggestions": "ss-------",
    "api-brokerage-offer-detail": "sss------",
    "api-brokerage-offer-list": "cccc---s-",
    "api-call-award": "c--------",
    "api-call-bid": "---c-----",
    "api-call-detail": "sssssssss",
    "api-call-list": "sssssssss",
    "api-casework-action-detail": "sc-------",
    "api-casework-action-list": "sccssssss",
    "api-casework-categorisation-detail": "ss-------",
    "api-casework-categorisation-list": "sssssssss",
    "api-casework-categorisation-moderate": "-c-------",
    "api-casework-categorisation-propose": "-c-------",
    "api-casework-visit-detail": "ss-------",
    "api-casework-visit-list": "sccssssss",
    "api-cluster-detail": "sssssssss",
    "api-cluster-list": "sssssssss",
    "api-collaboration-budget-line-detail": "ccs------",
    "api-collaboration-budget-line-list": "ccscsssss",
    "api-collaboration-budget-line-spend": "cc-------",
    "api-collaboration-project-detail": "sssssssss",
    "api-collaboration-project-list": "ccscsssss",
    "api-collaboration-resource-detail": "sssssssss",
    "api-collaboration-resource-list": "cccccssss",
    "api-consultation-detail": "sssss----",
    "api-consultation-list": "sssssssss",
    "api-consultation-respond": "ccccc----",
    "api-consultation-responses": "s--------",
    "api-enrolment-cancel": "c--------",
    "api-enrolment-detail": "sss------",
    "api-enrolment-list": "sssssssss",
    "api-hub-detail": "sssssssss",
    "api-hub-list": "sssssssss",
    "api-hub-value": "sss--s---",
    "api-hub-value-for-money": "sss--s---",
    "api-panel-action-detail": "c--------",
    "api-panel-action-list": "cssssssss",
    "api-panel-detail": "sssssssss",
    "api-panel-evaluation-detail": "sssssssss",
    "api-panel-evaluation-list": "cssssssss",
    "api-panel-list": "sssssssss",
    "api-panel-meeting-detail": "s--------",
    "api-panel-meeting-list": "sssssssss",
    "api-panel-member-detail": "sssssssss",
    "api-panel-member-list": "sssssssss",
    "api-pr-cycle-detail": "ssss--s--",
    "api-pr-cycle-list": "sssssssss",
    "api-pr-findings-detail": "---------",
    "api-pr-group-detail": "ssss--s--",
    "api-pr-group-list": "sssssssss",
    "api-pr-visit-detail": "sss------",
    "api-pr-visit-list": "sssssssss",
    "api-programme-detail": "sssssssss",
    "api-programme-enrol": "---c-----",
    "api-programme-enrol-group": "---c-----",
    "api-programme-list": "sssssssss",
    "api-report-run-detail": "s--------",
    "api-report-run-list": "ccccssscs",
    "api-school-detail": "sssssssss",
    "api-school-list": "sssssssss",
    "api-session-detail": "sssssssss",
    "api-session-list": "sssssssss",
    "api-session-register": "c--------",
    "api-sig-detail": "sssssssss",
    "api-sig-list": "sssssssss",
    "api-surveys-impact-list": "sss------",
    "api-surveys-round-detail": "sss------",
    "api-surveys-round-list": "sss------",
}

MATRIX_ROUTES = {route.name: route for route in tenant_routes()}


@pytest.mark.skipif(not os.environ.get("PERMISSION_MATRIX_RECORD"), reason="a recording aid")
def test_matrix_record_observed_rows(matrix_world, db):
    """Print the observed row of every route (routes without a decision first)."""
    missing = [name for name in MATRIX_ROUTES if name not in PERMISSION_MATRIX]
    for name in missing + [n for n in MATRIX_ROUTES if n in PERMISSION_MATRIX]:
        print(f'    "{name}": "{observed_row(matrix_world, MATRIX_ROUTES[name])}",')
    assert MATRIX_ROUTES


def test_every_route_has_a_permission_decision():
    missing = sorted(set(MATRIX_ROUTES) - set(PERMISSION_MATRIX))
    stale = sorted(set(PERMISSION_MATRIX) - set(MATRIX_ROUTES))

    assert not missing, (
        f"{len(missing)} route(s) have no row in PERMISSION_MATRIX (tests/test_permissions.py): "
        + ", ".join(missing)
        + ". Decide who may see and change each (PERMISSION_MATRIX_RECORD=1 prints what "
        "they do today)."
    )
    assert not stale, f"PERMISSION_MATRIX names routes that no longer exist: {stale}"


def test_every_row_names_every_role():
    bad = {name: row for name, row in PERMISSION_MATRIX.items() if len(row) != len(MATRIX_ROLES)}

    assert not bad
    assert all(set(row) <= {"c", "s", "-"} for row in PERMISSION_MATRIX.values())


@pytest.mark.parametrize("name", sorted(set(PERMISSION_MATRIX) & set(MATRIX_ROUTES)))
def test_permission_matrix(matrix_world, db, name):
    expected = PERMISSION_MATRIX[name]

    observed = observed_row(matrix_world, MATRIX_ROUTES[name])

    differences = [
        f"{role}: expected {want!r}, got {got!r}"
        for role, want, got in zip(MATRIX_ROLES, expected, observed, strict=True)
        if want != got
    ]
    assert not differences, f"{name}: " + "; ".join(differences)
