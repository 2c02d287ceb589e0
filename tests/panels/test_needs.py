"""Identified needs: recorded with priority and evidence; a commissioning call opened from one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hubs.models import Call, CallStatus
from panels.models import EvidenceLink, IdentifiedNeed, NeedStatus, SeatType
from tests.factories import IdentifiedNeedFactory

pytestmark = pytest.mark.django_db


def _call_data(**overrides):
    deadline = timezone.localtime() + timedelta(days=30)
    data = {
        "title": "Oracy provision for Year 7",
        "brief": "Run a network for oracy leads in six secondary schools.",
        "budget": "15000",
        "deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        "criteria": "Quality of the plan | 60\nValue for money | 40",
    }
    return {**data, **overrides}


def test_a_member_records_a_need_with_priority_and_evidence(
    partnership, panel, seat_member, client_for
):
    member = seat_member(panel, SeatType.TEACHER).user

    response = client_for(member).post(
        f"/p/{partnership.slug}/panels/{panel.pk}/needs/new/",
        {
            "title": "Oracy in Year 7",
            "description": "Twelve of twenty secondaries name oracy first.",
            "priority": "high",
            "evidence_title": "Needs survey 2026",
            "evidence_url": "https://example.org/survey",
        },
    )

    need = IdentifiedNeed.objects.get()
    assert response.status_code == 302
    assert need.priority == "high"
    assert EvidenceLink.objects.get(need=need).url == "https://example.org/survey"


def test_a_pupil_member_cannot_record_needs(partnership, panel, seat_member, client_for):
    pupil = seat_member(panel, SeatType.PUPIL).user

    response = client_for(pupil).get(f"/p/{partnership.slug}/panels/{panel.pk}/needs/new/")

    assert response.status_code == 403


def test_the_chair_opens_a_call_from_a_need(partnership, panel, chair, client_for):
    need = IdentifiedNeedFactory(partnership=partnership, panel=panel)

    response = client_for(chair).post(
        f"/p/{partnership.slug}/panels/needs/{need.pk}/call/", _call_data()
    )

    need.refresh_from_db()
    call = Call.objects.get()
    assert response.status_code == 302
    assert need.call == call
    assert need.status == NeedStatus.COMMISSIONED
    assert call.status == CallStatus.OPEN
    assert call.area == panel.area
    assert call.criteria.count() == 2


def test_an_ordinary_member_cannot_open_a_call(partnership, panel, seat_member, client_for):
    member = seat_member(panel, SeatType.TEACHER).user
    need = IdentifiedNeedFactory(partnership=partnership, panel=panel)

    response = client_for(member).post(
        f"/p/{partnership.slug}/panels/needs/{need.pk}/call/", _call_data()
    )

    assert response.status_code == 403
    assert not Call.objects.exists()


def test_a_refused_call_leaves_the_need_untouched(partnership, panel, chair, client_for):
    need = IdentifiedNeedFactory(partnership=partnership, panel=panel)
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = client_for(chair).post(
        f"/p/{partnership.slug}/panels/needs/{need.pk}/call/", _call_data(deadline=past)
    )

    need.refresh_from_db()
    assert response.status_code == 200
    assert "The deadline must be in the future." in response.content.decode()
    assert need.call is None and need.status == NeedStatus.IDENTIFIED
    assert not Call.objects.exists()


def test_a_badly_written_criterion_names_its_line(partnership, panel, chair, client_for):
    need = IdentifiedNeedFactory(partnership=partnership, panel=panel)

    response = client_for(chair).post(
        f"/p/{partnership.slug}/panels/needs/{need.pk}/call/",
        _call_data(criteria="Quality | 50\nValue for money"),
    )

    assert response.status_code == 200
    assert "Line 2" in response.content.decode()
    assert not Call.objects.exists()


def test_a_panel_without_an_area_cannot_open_a_call(partnership, panel, chair, client_for):
    panel.area = None
    panel.save()
    need = IdentifiedNeedFactory(partnership=partnership, panel=panel)

    response = client_for(chair).post(
        f"/p/{partnership.slug}/panels/needs/{need.pk}/call/", _call_data()
    )

    assert "Give the panel an area first" in response.content.decode()
    assert not Call.objects.exists()
