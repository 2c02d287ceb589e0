"""Page query counts do not grow with the data (3 rows and 30 rows cost the same)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    BudgetLineFactory,
    CallFactory,
    DeliverableFactory,
    DocumentFactory,
    EnrolmentFactory,
    HubFactory,
)

from .conftest import make_programme

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_programmes(partnership, hub, count):
    for _ in range(count):
        programme = make_programme(partnership, hub, places=5, sessions=2)
        EnrolmentFactory(partnership=partnership, programme=programme)


def test_catalogue_query_count_is_constant(client_for, partnership, hub, headteacher):
    client = client_for(headteacher)
    add_programmes(partnership, hub, 3)
    few = queries(client, "/p/cwm/programmes/?phase=primary&free_only=on&q=maths")

    add_programmes(partnership, hub, 27)
    many = queries(client, "/p/cwm/programmes/?phase=primary&free_only=on&q=maths")

    assert few == many


def test_catalogue_without_filters_query_count_is_constant(
    client_for, partnership, hub, headteacher
):
    client = client_for(headteacher)
    add_programmes(partnership, hub, 3)
    few = queries(client, "/p/cwm/programmes/")

    add_programmes(partnership, hub, 27)
    many = queries(client, "/p/cwm/programmes/")

    assert few == many


def fill_hub(partnership, hub, count):
    agreement = hub.agreements.get()
    for _ in range(count):
        deliverable = DeliverableFactory(partnership=partnership, agreement=agreement)
        DocumentFactory(partnership=partnership, deliverable=deliverable)
        BudgetLineFactory(partnership=partnership, agreement=agreement, planned=1, actual=1)
        make_programme(partnership, hub)


def test_hub_page_query_count_is_constant(client_for, partnership, hub, hub_lead):
    client = client_for(hub_lead)
    fill_hub(partnership, hub, 3)
    few = queries(client, f"/p/cwm/hubs/{hub.pk}/")

    fill_hub(partnership, hub, 27)
    many = queries(client, f"/p/cwm/hubs/{hub.pk}/")

    assert few == many


def test_hub_list_query_count_is_constant(client_for, partnership, area, admin_user):
    client = client_for(admin_user)
    for _ in range(3):
        HubFactory(partnership=partnership, area=area)
    few = queries(client, "/p/cwm/hubs/")

    for _ in range(27):
        HubFactory(partnership=partnership, area=area)
    many = queries(client, "/p/cwm/hubs/")

    assert few == many


def test_programme_page_query_count_is_constant(client_for, partnership, hub, hub_lead):
    client = client_for(hub_lead)
    programme = make_programme(partnership, hub, places=100, sessions=3)
    for _ in range(3):
        EnrolmentFactory(partnership=partnership, programme=programme)
    few = queries(client, f"/p/cwm/programmes/{programme.pk}/")

    for _ in range(27):
        EnrolmentFactory(partnership=partnership, programme=programme)
    many = queries(client, f"/p/cwm/programmes/{programme.pk}/")

    assert few == many


def test_call_list_query_count_is_constant(client_for, partnership, area, admin_user):
    client = client_for(admin_user)
    for _ in range(3):
        CallFactory(partnership=partnership, area=area)
    few = queries(client, "/p/cwm/calls/")

    for _ in range(27):
        CallFactory(partnership=partnership, area=area)
    many = queries(client, "/p/cwm/calls/")

    assert few == many
