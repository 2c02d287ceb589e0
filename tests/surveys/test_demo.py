"""The surveys demo data seeded by `manage.py seed_demo` (surveys/demo.py)."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django_scopes import scopes_disabled

from partnership import demo
from partnership.models import Partnership, Role, User
from partnership.tenancy import tenant_scope
from surveys import selectors
from surveys.models import (
    ImpactInvitation,
    ImpactResponse,
    NeedsAreaPriority,
    NeedsSurveyResponse,
    NeedsSurveyRound,
)

pytestmark = pytest.mark.django_db

MODELS = (
    NeedsSurveyRound,
    NeedsSurveyResponse,
    NeedsAreaPriority,
    ImpactInvitation,
    ImpactResponse,
)
WALES = demo.WELSH_CONSORTIUM.slug


def rows() -> dict[str, int]:
    with scopes_disabled():
        return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[dict[str, dict[str, int]]]:
    """The full demo seeded twice for the whole module; rolled back at its end."""
    with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
        call_command("seed_demo", stdout=StringIO(), quiet=True)
        first = rows()
        call_command("seed_demo", stdout=StringIO(), quiet=True)
        yield {"first": first, "second": rows()}
        transaction.set_rollback(True)


def test_a_second_run_adds_nothing(seeded):
    assert seeded["second"] == seeded["first"]
    assert all(seeded["first"].values())


def test_a_closed_round_has_results_with_a_shape(seeded):
    partnership = Partnership.objects.get(slug=WALES)
    with scopes_disabled():
        closed = NeedsSurveyRound.objects.get(
            partnership=partnership, status=NeedsSurveyRound.Status.CLOSED
        )
    with tenant_scope(partnership):
        needs = selectors.regional_need(closed)
        summary = selectors.impact_summary()
    assert len(needs) >= 5
    assert needs[0].points > 2 * needs[-1].points
    assert summary.start.answered and summary.end.answered and summary.follow_up.answered
    assert summary.change > 0


def test_the_admin_sees_results_and_the_headteacher_an_open_round(seeded):
    blueprint = next(b for b in demo.DEMO_BLUEPRINTS if b.slug == WALES)
    admin = User.objects.get(email=demo.login_email(blueprint, Role.PARTNERSHIP_ADMIN))
    head = User.objects.get(email=demo.login_email(blueprint, Role.HEADTEACHER))
    client = Client()
    client.force_login(admin)
    assert client.get(f"/p/{WALES}/surveys/impact/").status_code == 200
    client.force_login(head)
    page = client.get(f"/p/{WALES}/surveys/")
    assert b"Needs survey" in page.content
