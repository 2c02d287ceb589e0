"""Every hubs page renders for the people who use it."""

from __future__ import annotations

import pytest

from tests.factories import (
    BidFactory,
    CallFactory,
    DeliverableFactory,
    EnrolmentFactory,
    RedesignationCriterionFactory,
)

pytestmark = pytest.mark.django_db


def test_admin_pages_render(client_for, partnership, hub, programme, admin_user, area, school):
    agreement = hub.agreements.get()
    deliverable = DeliverableFactory(partnership=partnership, agreement=agreement)
    criterion = RedesignationCriterionFactory(partnership=partnership)
    call = CallFactory(partnership=partnership, area=area)
    bid = BidFactory(partnership=partnership, call=call, school=school)
    enrolment = EnrolmentFactory(partnership=partnership, programme=programme)
    session = programme.sessions.get()
    client = client_for(admin_user)
    for url in [
        "/p/cwm/programmes/",
        "/p/cwm/hubs/",
        "/p/cwm/hubs/new/",
        "/p/cwm/hubs/criteria/",
        f"/p/cwm/hubs/criteria/{criterion.pk}/edit/",
        f"/p/cwm/hubs/{hub.pk}/",
        f"/p/cwm/hubs/{hub.pk}/edit/",
        f"/p/cwm/hubs/{hub.pk}/review/",
        f"/p/cwm/hubs/{hub.pk}/programmes/new/",
        f"/p/cwm/hubs/agreements/{agreement.pk}/edit/",
        f"/p/cwm/hubs/agreements/{agreement.pk}/deliverables/new/",
        f"/p/cwm/hubs/agreements/{agreement.pk}/budget/new/",
        f"/p/cwm/hubs/deliverables/{deliverable.pk}/",
        f"/p/cwm/programmes/{programme.pk}/",
        f"/p/cwm/programmes/{programme.pk}/edit/",
        f"/p/cwm/programmes/sessions/{session.pk}/register/",
        f"/p/cwm/enrolments/{enrolment.pk}/cancel/",
        "/p/cwm/calls/",
        "/p/cwm/calls/new/",
        f"/p/cwm/calls/{call.pk}/",
        f"/p/cwm/calls/{call.pk}/award/",
        f"/p/cwm/bids/{bid.pk}/",
        f"/p/cwm/bids/{bid.pk}/score/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_headteacher_pages_render(client_for, programme, headteacher, partnership, area):
    call = CallFactory(partnership=partnership, area=area)
    client = client_for(headteacher)
    for url in [
        "/p/cwm/programmes/",
        f"/p/cwm/programmes/{programme.pk}/",
        f"/p/cwm/programmes/{programme.pk}/enrol/",
        f"/p/cwm/calls/{call.pk}/",
        f"/p/cwm/calls/{call.pk}/bid/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_the_header_links_to_the_programmes(client_for, headteacher):
    page = client_for(headteacher).get("/p/cwm/").content.decode()

    assert 'href="/p/cwm/programmes/"' in page


def test_catalogue_htmx_request_gets_only_the_results(client_for, programme, headteacher):
    response = client_for(headteacher).get("/p/cwm/programmes/", HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert programme.title in body and "<html" not in body
