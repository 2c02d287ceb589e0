"""The casework API's categorisation steps: who may not take a step is refused (403)
before anything about the body, which only those who may are told about (400)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from casework.models import RoundStage, SchoolCategorisation

from .conftest import at_stage

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * 30  # longer than any category


def api(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"partnership_slug": "cwm", **kwargs})


@pytest.mark.parametrize("who", ["governor", "head", "other_ca"])
def test_one_who_may_not_propose_is_refused_a_malformed_proposal(
    request, client_for, record, round_, who
):
    at_stage(round_, RoundStage.PROPOSAL)
    user = request.getfixturevalue(who)

    response = client_for(user).post(
        api("api-casework-categorisation-propose", pk=record.pk),
        {"category": TOO_LONG},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert SchoolCategorisation.objects.get(pk=record.pk).proposed_category == ""


def test_the_ca_gets_the_reasons_for_a_malformed_proposal(client_for, ca, record, round_):
    at_stage(round_, RoundStage.PROPOSAL)

    response = client_for(ca).post(
        api("api-casework-categorisation-propose", pk=record.pk),
        {"category": TOO_LONG},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "category" in response.json()


def test_one_who_may_not_moderate_is_refused_a_malformed_moderation(client_for, ca, proposed):
    response = client_for(ca).post(
        api("api-casework-categorisation-moderate", pk=proposed.pk),
        {"category": TOO_LONG},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert SchoolCategorisation.objects.get(pk=proposed.pk).final_category == ""


def test_a_well_formed_proposal_by_a_governor_is_refused_and_recorded(
    client_for, governor, record, round_
):
    at_stage(round_, RoundStage.PROPOSAL)

    response = client_for(governor).post(
        api("api-casework-categorisation-propose", pk=record.pk),
        {},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="casework.category_change_refused").count() == 1
