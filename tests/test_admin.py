"""The platform admin: every registered model's list, search, change and add pages open
for a superuser (the admin sees every partnership), and stay closed to anyone else."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse
from django_scopes import scopes_disabled

from partnership.tenancy import TenantModel
from tests.factories import TENANT_FACTORIES, PartnershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(model: type, page: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.fixture
def superuser_client(client):
    partnership = PartnershipFactory(slug="admin-walk")
    for model in admin.site._registry:
        if issubclass(model, TenantModel) and not model._default_manager.exists():
            TENANT_FACTORIES[model](partnership=partnership)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_every_admin_page_opens_for_a_superuser(superuser_client):
    opened = []
    for model, model_admin in admin.site._registry.items():
        changelist = _url(model, "changelist")
        assert superuser_client.get(changelist).status_code == 200, changelist
        if model_admin.search_fields:
            assert superuser_client.get(changelist, {"q": "a"}).status_code == 200, changelist
        with scopes_disabled():
            row = model._default_manager.first()
        if row is not None:
            change = _url(model, "change", row.pk)
            assert superuser_client.get(change).status_code == 200, change
            opened.append(model)
    assert len(opened) > 10


def test_runs_and_invitations_are_read_only_in_the_admin(superuser_client):
    from reports.models import ReportRun
    from surveys.models import ImpactInvitation

    for model in (ReportRun, ImpactInvitation):
        assert superuser_client.get(_url(model, "add")).status_code == 403


def test_the_admin_is_closed_to_members(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
