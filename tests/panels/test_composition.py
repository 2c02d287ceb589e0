"""The composition check: missing voices, vacant seats, terms ending, people on too many panels."""

from __future__ import annotations

import pytest

from panels import selectors
from panels.models import SeatType
from partnership.models import Role
from tests.factories import PanelFactory, SeatFactory

pytestmark = pytest.mark.django_db


def _full_panel(panel, seat_member):
    for seat_type in (SeatType.TEACHER, SeatType.HEADTEACHER, SeatType.WELSH_MEDIUM):
        seat_member(panel, seat_type)


def test_a_panel_without_a_teacher_or_welsh_medium_voice_is_flagged(panel, seat_member):
    seat_member(panel, SeatType.HEADTEACHER)

    check = selectors.composition(panel)

    assert set(check.missing_voices) == {"Teacher", "Welsh-medium voice"}


def test_a_panel_with_every_required_voice_has_no_warnings(panel, seat_member):
    _full_panel(panel, seat_member)

    assert not selectors.composition(panel).has_warnings


def test_the_panel_chooses_its_own_required_voices(panel, seat_member):
    panel.required_voices = [SeatType.PUPIL]
    panel.save()
    seat_member(panel, SeatType.TEACHER)

    assert selectors.composition(panel).missing_voices == ["Pupil"]


def test_a_vacant_seat_is_flagged(partnership, panel, seat_member):
    _full_panel(panel, seat_member)
    empty = SeatFactory(partnership=partnership, panel=panel, seat_type=SeatType.GOVERNOR)

    assert selectors.composition(panel).vacant_seats == [empty]


def test_a_term_ending_within_the_warning_period_is_flagged(panel, seat_member):
    _full_panel(panel, seat_member)
    ending = seat_member(panel, SeatType.PUPIL, days_left=45)

    check = selectors.composition(panel)

    assert [row.term for row in check.ending_soon] == [ending]


def test_a_term_ending_after_the_warning_period_is_not_flagged(panel, seat_member):
    _full_panel(panel, seat_member)
    seat_member(panel, SeatType.PUPIL, days_left=90)

    assert selectors.composition(panel).ending_soon == []


def test_a_person_on_too_many_panels_is_flagged(partnership, panel, seat_member, member_factory):
    busy = member_factory(partnership, Role.PANEL_MEMBER, full_name="Busy Person")
    seat_member(panel, SeatType.TEACHER, user=busy)
    for _ in range(selectors.MAX_PANELS_PER_PERSON):
        seat_member(PanelFactory(partnership=partnership), SeatType.TEACHER, user=busy)

    check = selectors.composition(panel)

    assert check.overcommitted == [(busy, selectors.MAX_PANELS_PER_PERSON + 1)]


def test_the_admin_sees_the_warnings_on_the_panel_page(partnership, panel, admin_client_):
    page = admin_client_.get(f"/p/{partnership.slug}/panels/{panel.pk}/").content.decode()

    assert "Composition check" in page
    assert "No Teacher on the panel." in page


def test_an_ordinary_member_does_not_see_the_composition_check(
    partnership, panel, seat_member, client_for
):
    member = seat_member(panel, SeatType.TEACHER).user

    page = client_for(member).get(f"/p/{partnership.slug}/panels/{panel.pk}/").content.decode()

    assert "Composition check" not in page
