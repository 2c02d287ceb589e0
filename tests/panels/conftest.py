"""Fixtures for panels: a panel with seats, its chair, and a helper to seat people."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from panels.models import Panel, PanelMember, SeatType
from partnership.models import Role
from tests.factories import PanelFactory, PanelMemberFactory, SeatFactory


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def panel(partnership) -> Panel:
    return PanelFactory(partnership=partnership, name="Literacy panel", max_consecutive_terms=2)


@pytest.fixture
def seat_member(partnership, member_factory, today) -> Callable[..., PanelMember]:
    """seat_member(panel, seat_type, user=None, is_chair=False, days_left=600) -> a current term."""

    def make(panel, seat_type=SeatType.TEACHER, user=None, is_chair=False, days_left=600):
        user = user or member_factory(partnership, Role.PANEL_MEMBER)
        seat = SeatFactory(partnership=partnership, panel=panel, seat_type=seat_type)
        return PanelMemberFactory(
            partnership=partnership,
            seat=seat,
            user=user,
            is_chair=is_chair,
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=days_left),
        )

    return make


@pytest.fixture
def chair(panel, seat_member):
    return seat_member(panel, SeatType.HEADTEACHER, is_chair=True).user
