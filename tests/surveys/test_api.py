"""The read-only surveys API: rounds with response rates and regional need, impact rows."""

from __future__ import annotations

import pytest

from partnership.models import Role
from tests.factories import LocalAuthorityFactory, SchoolFactory

from .factories import (
    ImpactResponseFactory,
    NeedsAreaPriorityFactory,
    NeedsSurveyResponseFactory,
    NeedsSurveyRoundFactory,
)

pytestmark = pytest.mark.django_db


def test_rounds_list_and_detail(partnership, admin_client_):
    round_ = NeedsSurveyRoundFactory(partnership=partnership, name="Needs 2027")
    school = SchoolFactory(
        partnership=partnership,
        local_authority=LocalAuthorityFactory(partnership=partnership, name="Gwent"),
    )
    response = NeedsSurveyResponseFactory(partnership=partnership, round=round_, school=school)
    priority = NeedsAreaPriorityFactory(partnership=partnership, response=response, rank=1)

    listed = admin_client_.get("/api/p/cwm/surveys/rounds/").json()
    assert listed["results"] == [
        {
            "id": round_.pk,
            "name": "Needs 2027",
            "academic_year": "2027/28",
            "deadline": round_.deadline.isoformat(),
            "status": "open",
            "submitted": 1,
        }
    ]
    detail = admin_client_.get(f"/api/p/cwm/surveys/rounds/{round_.pk}/").json()
    assert detail["response_rates"] == [
        {"local_authority": "Gwent", "schools": 1, "submitted": 1, "drafts": 0, "rate": "100.0"}
    ]
    assert detail["regional_need"][0]["area_id"] == priority.area_id
    assert detail["regional_need"][0]["points"] == 3


def test_impact_rows_by_programme(partnership, admin_client_):
    answer = ImpactResponseFactory(partnership=partnership, confidence=4)
    rows = admin_client_.get("/api/p/cwm/surveys/impact/?by=programme").json()
    assert rows[0]["label"] == answer.invitation.programme.title
    assert rows[0]["summary"]["answered"] == 1
    assert rows[0]["summary"]["points"][0]["confidence"] == "4.0"
    assert admin_client_.get("/api/p/cwm/surveys/impact/?by=colour").status_code == 400


def test_only_staff_roles_read_the_api(partnership, client_for, member_factory):
    head = member_factory(
        partnership, Role.HEADTEACHER, school=SchoolFactory(partnership=partnership)
    )
    client = client_for(head)
    assert client.get("/api/p/cwm/surveys/rounds/").status_code == 403
    assert client.get("/api/p/cwm/surveys/impact/").status_code == 403
