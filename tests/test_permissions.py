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
