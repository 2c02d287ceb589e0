"""The audit trail records who did what, from where, and cannot be edited."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from audit.models import AuditEvent
from audit.services import record_event

pytestmark = pytest.mark.django_db


def test_an_event_records_actor_target_and_address(partnership, admin_user, school):
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Firefox")
    event = record_event(
        partnership=partnership,
        actor=admin_user,
        action="schools.category_changed",
        target=school,
        detail={"from": "yellow", "to": "amber"},
        request=request,
    )
    event.refresh_from_db()
    assert event.actor == admin_user
    assert event.actor_label == admin_user.email
    assert (event.target_type, event.target_id) == ("schools.school", str(school.pk))
    assert event.target_label == school.name
    assert event.detail == {"from": "yellow", "to": "amber"}
    assert (event.ip_address, event.user_agent) == ("203.0.113.9", "Firefox")


def test_an_event_cannot_be_changed(partnership, admin_user):
    event = record_event(partnership=partnership, actor=admin_user, action="reports.downloaded")
    event.action = "nothing.happened"
    with pytest.raises(ValueError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "reports.downloaded"
