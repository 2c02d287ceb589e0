"""Shared fixtures. Tests run with scopes disabled so they can set up and inspect rows
freely; every request still runs inside the scope TenancyMiddleware opens for it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from partnership.models import Role

from .factories import (
    MembershipFactory,
    PartnershipFactory,
    SchoolFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _unscoped_test_code():
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def partnership(db):
    return PartnershipFactory(name="Cwm Partnership", slug="cwm", country="wales")


@pytest.fixture
def other_partnership(db):
    return PartnershipFactory(name="Riverside Partnership", slug="riverside", country="england")


@pytest.fixture
def school(partnership):
    return SchoolFactory(partnership=partnership, name="Ysgol y Cwm")


@pytest.fixture
def member_factory(db) -> Callable:
    """member_factory(partnership, role, school=None) -> a user holding that role."""

    def make(partnership, role: str, school=None, user=None, **user_fields):
        user = user or UserFactory(**user_fields)
        MembershipFactory(partnership=partnership, user=user, role=role, school=school)
        return user

    return make


@pytest.fixture
def admin_user(partnership, member_factory):
    return member_factory(partnership, Role.PARTNERSHIP_ADMIN)


@pytest.fixture
def client_for(db) -> Callable[..., Client]:
    """client_for(user) -> a test client signed in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def admin_client_(admin_user, client_for) -> Client:
    return client_for(admin_user)
