"""Factories for reports; registered in TENANT_FACTORIES so the isolation test probes them."""

from __future__ import annotations

import factory

from reports.models import ReportKind, ReportRun
from tests.factories import TENANT_FACTORIES, PartnershipFactory, TermFactory


class ReportRunFactory(factory.django.DjangoModelFactory):
    """A queued run of the board report (pass `school=` and kind="school" for a school's)."""

    class Meta:
        model = ReportRun

    partnership = factory.SubFactory(PartnershipFactory)
    term = factory.SubFactory(TermFactory, partnership=factory.SelfAttribute("..partnership"))
    kind = ReportKind.BOARD
    school = None
    version = factory.Sequence(lambda n: n + 1)
    language = "en"


TENANT_FACTORIES.update({ReportRun: ReportRunFactory})
