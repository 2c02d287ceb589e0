"""Factories for audit; registered in TENANT_FACTORIES so the isolation test probes them."""

from __future__ import annotations

import factory

from audit.models import AuditEvent
from tests.factories import TENANT_FACTORIES, PartnershipFactory


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    partnership = factory.SubFactory(PartnershipFactory)
    actor_label = "admin@example.org"
    action = "schools.category_changed"
    target_label = "Ysgol y Bryn"


TENANT_FACTORIES.update({AuditEvent: AuditEventFactory})
