"""Casework's own cross-tenant check (tests/test_isolation.py walks every app; this one
needs only casework's rows, so it also runs while another app's factories are missing):
a member of A holding every role gets 404 for B's casework rows, on every casework URL."""

from __future__ import annotations

import pytest
from django.test import Client

from casework import models as casework_models
from partnership.models import Role
from partnership.tenancy import TenantModel
from tests.factories import (
    TENANT_FACTORIES,
    MembershipFactory,
    PartnershipFactory,
    SchoolFactory,
    UserFactory,
)
from tests.test_isolation import PROBE_MARKER, PROBE_PK, _id, tenant_routes, url_for

pytestmark = pytest.mark.django_db

CASEWORK_MODELS = [
    model
    for model in vars(casework_models).values()
    if isinstance(model, type)
    and issubclass(model, TenantModel)
    and model._meta.app_label == "casework"
    and not model._meta.abstract
]
ROUTES = [
    r
    for r in tenant_routes()
    if r.name.startswith(("casework:", "api-casework"))
    and r.kwargs - {"partnership_slug", "format"}
]


@pytest.fixture
def world():
    a = PartnershipFactory(slug="alpha", name="Alpha Partnership")
    b = PartnershipFactory(slug="bravo", name="Bravo Partnership")
    a_school = SchoolFactory(partnership=a, name="Alpha School")
    user = UserFactory(email="everyrole@alpha.example")
    for role in Role.values:
        MembershipFactory(
            partnership=a, user=user, role=role, school=a_school if role != "admin" else None
        )
    for model in CASEWORK_MODELS:
        if model._default_manager.filter(pk=PROBE_PK).exists():
            continue
        extra = {}
        if "name" in {f.name for f in model._meta.get_fields()}:
            extra["name"] = f"{PROBE_MARKER} {model.__name__}"
        TENANT_FACTORIES[model](partnership=b, pk=PROBE_PK, **extra)
    client = Client()
    client.force_login(user)
    return {"a": a, "client": client}


def test_every_casework_model_has_a_factory():
    assert CASEWORK_MODELS
    assert all(model in TENANT_FACTORIES for model in CASEWORK_MODELS)


@pytest.mark.parametrize("route", ROUTES, ids=_id)
def test_another_partnerships_casework_is_404(world, route):
    url = url_for(route, world["a"].slug)
    for method in ("get", "post"):
        response = getattr(world["client"], method)(url)
        assert response.status_code in (404, 405), f"{method.upper()} {url}"
        assert PROBE_MARKER.encode() not in response.content


def test_lists_do_not_show_another_partnerships_rows(world):
    client = world["client"]
    for path in (
        "/p/alpha/casework/",
        "/p/alpha/casework/rounds/",
        "/api/p/alpha/casework/visits/",
        "/api/p/alpha/casework/actions/",
        "/api/p/alpha/casework/categorisations/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert PROBE_MARKER.encode() not in response.content
