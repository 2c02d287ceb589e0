"""The panels demo data seeded by `manage.py seed_demo` (panels/demo.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test.utils import override_settings
from django_scopes import scopes_disabled

from panels import selectors
from panels.demo import CONSULTATION_TITLE
from panels.models import (
    AgendaItem,
    Consultation,
    ConsultationResponse,
    Evaluation,
    ItemKind,
    Meeting,
    Panel,
    PanelMember,
    StakeholderGroup,
)
from partnership import demo
from partnership.tenancy import tenant_scope

pytestmark = pytest.mark.django_db

MODELS = (Panel, PanelMember, Meeting, AgendaItem, Evaluation, Consultation, ConsultationResponse)


def rows() -> dict[str, int]:
    with scopes_disabled():
        return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """Both demo partnerships (small), seeded twice; the panels seeder timed alone."""
    with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
        blueprints = [
            demo.replace(demo.WELSH_CONSORTIUM, schools=30),
            demo.replace(demo.LONDON_BOROUGH, schools=20),
        ]
        for blueprint in blueprints:
            demo.seed(blueprint)
        first = rows()
        for blueprint in blueprints:
            demo.seed(blueprint)
        yield {"first": first, "second": rows(), "slugs": [b.slug for b in blueprints]}
        transaction.set_rollback(True)


def _partnership(slug):
    from partnership.models import Partnership

    return Partnership.objects.get(slug=slug)


def test_seeding_twice_adds_nothing(seeded):
    assert seeded["first"] == seeded["second"]
    assert seeded["first"]["Panel"] >= 6


def test_the_demo_has_panels_with_full_composition_and_a_warning(seeded):
    with scopes_disabled():
        for slug in seeded["slugs"]:
            with tenant_scope(_partnership(slug)):
                numeracy = Panel.objects.get(name="Mathematics and numeracy panel")
                literacy = Panel.objects.get(name="Literacy panel")
                assert not selectors.composition(numeracy).missing_voices
                assert selectors.composition(numeracy).ending_soon
                assert "Teacher" in selectors.composition(literacy).missing_voices


def test_the_second_meeting_carries_forward_the_open_actions(seeded):
    with scopes_disabled():
        for slug in seeded["slugs"]:
            with tenant_scope(_partnership(slug)):
                held, following = Meeting.objects.filter(
                    panel__name="Mathematics and numeracy panel"
                ).order_by("starts_at")
                carried = following.items.filter(kind=ItemKind.MATTERS_ARISING)
                assert held.minutes_approved
                assert not following.minutes_approved
                assert carried.count() == 2
                decisions = selectors.published_decisions(_partnership(slug))
                assert any(d.kind == "meeting" for d in decisions)


def test_the_consultation_has_collated_responses_from_every_group(seeded):
    with scopes_disabled():
        for slug in seeded["slugs"]:
            with tenant_scope(_partnership(slug)):
                consultation = Consultation.objects.get(title=CONSULTATION_TITLE)
                collated = selectors.collate(consultation)
                counts = dict(collated.responses_by_group)
                assert all(counts[str(g.label)] > 0 for g in StakeholderGroup)
                assert all(q.total for q in collated.questions)
