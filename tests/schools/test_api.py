"""The read API for schools, clusters and SIGs: fields, filters, authentication."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings

from partnership.models import Role
from schools.models import LanguageMedium, Phase, SupportCategory
from tests.factories import (
    ClusterFactory,
    LocalAuthorityFactory,
    SchoolFactory,
    SchoolImprovementGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SCHOOLS = "/api/p/cwm/schools/"


@pytest.fixture
def api(admin_user) -> Client:
    """A client calling the API with the admin's token, as a script would."""
    token = Token.objects.create(user=admin_user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


@pytest.fixture
def rows(partnership):
    ceredigion = LocalAuthorityFactory(partnership=partnership, name="Ceredigion")
    north = ClusterFactory(partnership=partnership, name="North cluster", description="Coast.")
    aber = SchoolFactory(
        partnership=partnership,
        name="Ysgol Aberaeron",
        official_number="6671234",
        postcode="SA46 0DT",
        local_authority=ceredigion,
        language_medium=LanguageMedium.WELSH,
        support_category=SupportCategory.RED,
        cluster=north,
        pupils=180,
        fsm_percent=22.5,
    )
    brec = SchoolFactory(
        partnership=partnership,
        name="Brecon High School",
        official_number="6664321",
        phase=Phase.SECONDARY,
        support_category="",
    )
    sig = SchoolImprovementGroupFactory(
        partnership=partnership, name="Coast SIG", schools=[aber, brec]
    )
    sub = SchoolImprovementGroupFactory(
        partnership=partnership, name="Coast SIG (maths)", parent=sig, schools=[aber]
    )
    return {"aber": aber, "brec": brec, "north": north, "sig": sig, "sub": sub, "la": ceredigion}


def names_of(data: dict) -> list[str]:
    return [row["name"] for row in data["results"]]


def names(response) -> list[str]:
    return names_of(response.json())


# --- Schools -------------------------------------------------------------------------------


def test_school_list_fields(api, rows):
    response = api.get(SCHOOLS)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert data["results"][1] == {
        "id": rows["aber"].pk,
        "official_number": "6671234",
        "name": "Ysgol Aberaeron",
        "phase": "primary",
        "language_medium": "welsh",
        "local_authority": "Ceredigion",
        "cluster": rows["north"].pk,
        "sigs": sorted([rows["sig"].pk, rows["sub"].pk]),
        "pupils": 180,
        "fsm_percent": "22.5",
        "postcode": "SA46 0DT",
        "support_category": "red",
    }


def test_school_list_is_ordered_by_name(api, rows):
    assert names(api.get(SCHOOLS)) == ["Brecon High School", "Ysgol Aberaeron"]


def test_uncategorised_school_has_null_category(api, rows):
    assert api.get(f"{SCHOOLS}{rows['brec'].pk}/").json()["support_category"] is None


def test_school_detail(api, rows):
    response = api.get(f"{SCHOOLS}{rows['aber'].pk}/")

    assert response.status_code == 200
    assert response.json()["name"] == "Ysgol Aberaeron"
    assert response.json()["cluster"] == rows["north"].pk


def test_unknown_school_is_404(api, rows):
    assert api.get(f"{SCHOOLS}999999/").status_code == 404


def test_school_list_leaves_out_other_partnerships(api, rows, other_partnership):
    SchoolFactory(partnership=other_partnership, name="Riverside Primary")

    assert "Riverside Primary" not in names(api.get(SCHOOLS))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("local_authority", lambda r: r["la"].pk),
        ("phase", lambda r: Phase.PRIMARY),
        ("language_medium", lambda r: LanguageMedium.WELSH),
        ("category", lambda r: SupportCategory.RED),
        ("cluster", lambda r: r["north"].pk),
        ("sig", lambda r: r["sub"].pk),
        ("q", lambda r: "aberaeron"),
        ("q", lambda r: "6671234"),
        ("q", lambda r: "SA46"),
    ],
    ids=["la", "phase", "medium", "category", "cluster", "sig", "name", "number", "postcode"],
)
def test_school_list_filters_like_the_directory(api, rows, field, value):
    response = api.get(SCHOOLS, {field: value(rows)})

    assert response.status_code == 200
    assert names(response) == ["Ysgol Aberaeron"]


def test_school_list_filters_combine(api, rows):
    assert names(api.get(SCHOOLS, {"phase": "secondary", "sig": rows["sig"].pk})) == [
        "Brecon High School"
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"phase": "castle"}, "phase"), ({"cluster": "999999"}, "cluster")],
)
def test_invalid_filter_is_400_with_the_reason(api, rows, params, field):
    response = api.get(SCHOOLS, params)

    assert response.status_code == 400
    assert field in response.json()


def test_cluster_of_another_partnership_is_not_a_valid_filter(api, rows, other_partnership):
    theirs = ClusterFactory(partnership=other_partnership)

    response = api.get(SCHOOLS, {"cluster": theirs.pk})

    assert response.status_code == 400


def test_school_list_is_paginated(api, partnership):
    size = api_settings.PAGE_SIZE
    for i in range(size + 1):
        SchoolFactory(partnership=partnership, name=f"School {i:03d}")

    first = api.get(SCHOOLS).json()
    second = api.get(SCHOOLS, {"page": 2}).json()

    assert first["count"] == size + 1
    assert len(first["results"]) == size
    assert names_of(second) == [f"School {size:03d}"]
    assert first["next"].endswith("/api/p/cwm/schools/?page=2")


def test_page_links_keep_the_filters(api, partnership):
    for i in range(api_settings.PAGE_SIZE + 1):
        SchoolFactory(partnership=partnership, name=f"School {i:03d}")

    data = api.get(SCHOOLS, {"phase": "primary"}).json()

    assert "phase=primary" in data["next"]


# --- Clusters and SIGs ---------------------------------------------------------------------


def test_cluster_list_fields(api, rows, partnership):
    ClusterFactory(partnership=partnership, name="Empty cluster")

    data = api.get("/api/p/cwm/clusters/").json()

    assert data["results"] == [
        {"id": data["results"][0]["id"], "name": "Empty cluster", "description": "", "schools": []},
        {
            "id": rows["north"].pk,
            "name": "North cluster",
            "description": "Coast.",
            "schools": [rows["aber"].pk],
        },
    ]


def test_cluster_detail(api, rows):
    data = api.get(f"/api/p/cwm/clusters/{rows['north'].pk}/").json()

    assert data["schools"] == [rows["aber"].pk]


def test_sig_list_fields(api, rows):
    data = api.get("/api/p/cwm/sigs/").json()

    by_name = {row["name"]: row for row in data["results"]}
    assert by_name["Coast SIG"]["parent"] is None
    assert sorted(by_name["Coast SIG"]["schools"]) == sorted([rows["aber"].pk, rows["brec"].pk])
    assert by_name["Coast SIG (maths)"] == {
        "id": rows["sub"].pk,
        "name": "Coast SIG (maths)",
        "description": "",
        "parent": rows["sig"].pk,
        "schools": [rows["aber"].pk],
    }


def test_sig_detail(api, rows):
    assert api.get(f"/api/p/cwm/sigs/{rows['sub'].pk}/").json()["parent"] == rows["sig"].pk


# --- Authentication and tenancy ------------------------------------------------------------


def test_token_authentication_works(api, rows):
    assert api.get(SCHOOLS).status_code == 200


def test_session_authentication_works(admin_client_, rows):
    assert admin_client_.get(SCHOOLS).status_code == 200


@pytest.mark.parametrize("path", [SCHOOLS, "/api/p/cwm/clusters/", "/api/p/cwm/sigs/"])
def test_unauthenticated_call_is_401(partnership, path):
    response = Client().get(path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_wrong_token_is_401(partnership):
    response = Client(HTTP_AUTHORIZATION="Token not-a-real-token").get(SCHOOLS)

    assert response.status_code == 401


def test_unknown_partnership_slug_is_404(api):
    assert api.get("/api/p/nowhere/schools/").status_code == 404


def test_member_of_another_partnership_gets_404(other_partnership, rows, member_factory):
    outsider = member_factory(other_partnership, Role.PARTNERSHIP_ADMIN)
    token = Token.objects.create(user=outsider)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get(SCHOOLS).status_code == 404
    assert client.get(f"{SCHOOLS}{rows['aber'].pk}/").status_code == 404


def test_user_with_no_role_gets_404(partnership):
    token = Token.objects.create(user=UserFactory())

    assert Client(HTTP_AUTHORIZATION=f"Token {token.key}").get(SCHOOLS).status_code == 404


def test_schema_documents_the_school_filters(admin_client_):
    schema = admin_client_.get("/api/schema/").content.decode()

    for name in ["local_authority", "language_medium", "cluster", "sig", "category"]:
        assert f"name: {name}" in schema


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_api_documentation_renders(admin_client_, path):
    assert admin_client_.get(path).status_code == 200
