"""Factories for reports; registered in TENANT_FACTORIES so the isolation test probes them."""

from __future__ import annotations

from tests.factories import TENANT_FACTORIES

TENANT_FACTORIES.update({})
