"""Cross-tenant isolation: every URL pattern and API route, walked automatically.

A member of partnership A who holds every role must get 404 for:
- any URL of partnership B (web and API), and
- any URL of partnership A that names one of B's objects (every tenant model has a row in B
  with the same probe primary key, and no row in A has it);
and A's list pages must never show B's rows. New URL patterns are picked up from the
resolver, so a new endpoint is covered without editing this file; a URL outside
/p/<slug>/ and /api/p/<slug>/ must be listed in NON_TENANT_URLS on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from partnership.models import Role
from partnership.tenancy import URL_KWARG, TenantModel
from tests.factories import (
    TENANT_FACTORIES,
    MembershipFactory,
    PartnershipFactory,
    SchoolFactory,
    UserFactory,
)

PROBE_PK = 987_654
PROBE_SLUG = "isolation-probe"
PROBE_MARKER = "ProbeRowOfPartnershipB"

#: URL names that are deliberately outside any partnership (by namespace prefix or name).
NON_TENANT_URLS = {
    "root",
    "healthz",
    "set_language",
    "api_token",
    "invitation_accept",
    "schema",
    "api_docs",
    "api_redoc",
}
NON_TENANT_NAMESPACES = {"admin", "survey_link"}
NON_TENANT_PREFIXES = ("account_", "mfa_")


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: frozenset[str]
    int_kwargs: frozenset[str]


def _walk(
    patterns: list, namespace: str = "", kwargs: tuple = (), ints: tuple = ()
) -> Iterator[Route]:
    for entry in patterns:
        regex_kwargs = tuple(entry.pattern.regex.groupindex)
        converters = getattr(entry.pattern, "converters", {})
        int_names = tuple(k for k, c in converters.items() if isinstance(c, IntConverter))
        if isinstance(entry, URLResolver):
            child_ns = namespace
            if entry.namespace:
                child_ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, child_ns, kwargs + regex_kwargs, ints + int_names)
        elif isinstance(entry, URLPattern):
            yield Route(
                name=f"{namespace}{entry.name or ''}",
                kwargs=frozenset(kwargs + regex_kwargs),
                int_kwargs=frozenset(ints + int_names),
            )


def all_routes() -> list[Route]:
    return sorted(set(_walk(get_resolver().url_patterns)), key=lambda r: (r.name, sorted(r.kwargs)))


def tenant_routes() -> list[Route]:
    return [r for r in all_routes() if URL_KWARG in r.kwargs]


def _value(name: str, route: Route, slug: str) -> str | int:
    if name == URL_KWARG:
        return slug
    if name == "format":
        return "json"
    if name in route.int_kwargs or name == "pk" or name.endswith(("_pk", "_id")):
        return PROBE_PK
    return PROBE_SLUG


def url_for(route: Route, slug: str) -> str:
    return reverse(route.name, kwargs={k: _value(k, route, slug) for k in route.kwargs})


def _id(route: Route) -> str:
    return f"{route.name}[{','.join(sorted(route.kwargs - {URL_KWARG}))}]"


def tenant_models() -> list[type]:
    return [m for m in apps.get_models() if issubclass(m, TenantModel)]


# --- The coverage guarantees -----------------------------------------------------------


def test_every_url_pattern_has_a_name():
    unnamed = [
        r
        for r in all_routes()
        if (not r.name or r.name.endswith(":"))
        and r.name.split(":")[0] not in NON_TENANT_NAMESPACES
    ]
    assert not unnamed, "Name every URL pattern so the isolation test can reverse it."


def test_every_url_outside_a_partnership_is_listed_on_purpose():
    unexpected = [
        r.name
        for r in all_routes()
        if URL_KWARG not in r.kwargs
        and r.name not in NON_TENANT_URLS
        and r.name.split(":")[0] not in NON_TENANT_NAMESPACES
        and not r.name.startswith(NON_TENANT_PREFIXES)
    ]
    assert not unexpected, (
        f"{unexpected} are outside /p/<slug>/: put them under a partnership, "
        "or add them to NON_TENANT_URLS with a reason."
    )


def test_every_tenant_model_has_a_factory():
    missing = [m.__name__ for m in tenant_models() if m not in TENANT_FACTORIES]
    assert not missing, f"Add factories for {missing} to tests.factories.TENANT_FACTORIES"


def test_the_walk_finds_web_and_api_routes():
    names = {r.name for r in tenant_routes()}
    assert {"home", "schools:detail", "api-school-list", "api-school-detail"} <= names


# --- The isolation itself --------------------------------------------------------------


@pytest.fixture
def world(db):
    """Partnership A with a member holding every role; partnership B with a probe row of
    every tenant model, all with primary key PROBE_PK."""
    a = PartnershipFactory(slug="alpha", name="Alpha Partnership")
    b = PartnershipFactory(slug="bravo", name="Bravo Partnership")
    a_school = SchoolFactory(partnership=a, name="Alpha School")
    user = UserFactory(email="everyrole@alpha.example")
    for role in Role.values:
        MembershipFactory(
            partnership=a, user=user, role=role, school=a_school if role != "admin" else None
        )
    for model in tenant_models():
        fields = {f.name for f in model._meta.get_fields()}
        extra = {}
        if "slug" in fields:
            extra["slug"] = PROBE_SLUG
        for text_field in ("name", "subject", "full_name"):
            if text_field in fields:
                extra[text_field] = f"{PROBE_MARKER} {model.__name__}"
                break
        if model._default_manager.filter(pk=PROBE_PK).exists():
            continue  # created as a dependency of an earlier probe row
        TENANT_FACTORIES[model](partnership=b, pk=PROBE_PK, **extra)
    client = Client()
    client.force_login(user)
    return {"a": a, "b": b, "client": client, "user": user}


@pytest.mark.parametrize("route", tenant_routes(), ids=_id)
def test_another_partnerships_urls_are_404(world, route):
    url = url_for(route, world["b"].slug)
    for method in ("get", "post"):
        response = getattr(world["client"], method)(url)
        assert response.status_code == 404, f"{method.upper()} {url} -> {response.status_code}"
        assert PROBE_MARKER.encode() not in response.content


@pytest.mark.parametrize(
    "route", [r for r in tenant_routes() if r.kwargs - {URL_KWARG, "format"}], ids=_id
)
def test_another_partnerships_objects_are_404_in_your_own(world, route):
    url = url_for(route, world["a"].slug)
    for method in ("get", "post"):
        response = getattr(world["client"], method)(url)
        assert response.status_code in (404, 405), (
            f"{method.upper()} {url} -> {response.status_code}"
        )
        assert PROBE_MARKER.encode() not in response.content


@pytest.mark.parametrize(
    "route", [r for r in tenant_routes() if not r.kwargs - {URL_KWARG}], ids=_id
)
def test_list_pages_never_show_another_partnerships_rows(world, route):
    url = url_for(route, world["a"].slug)
    response = world["client"].get(url)
    assert response.status_code in (200, 302, 403, 405), f"GET {url} -> {response.status_code}"
    assert PROBE_MARKER.encode() not in response.content


def test_a_logged_out_visitor_is_sent_to_sign_in_not_shown_data(world):
    response = Client().get(f"/p/{world['b'].slug}/schools/")
    assert response.status_code == 302
    assert re.match(r"^/accounts/login/\?next=", response["Location"])


def test_unknown_partnership_is_404(world):
    assert world["client"].get("/p/no-such-partnership/").status_code == 404
    assert world["client"].get("/api/p/no-such-partnership/schools/").status_code == 404
