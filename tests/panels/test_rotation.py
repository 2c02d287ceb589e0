"""Seats, terms and rotation: overlapping terms and the maximum of consecutive terms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from panels import services
from panels.models import PanelMember, SeatType
from partnership.models import Role
from tests.factories import PanelMemberFactory, SeatFactory

pytestmark = pytest.mark.django_db


def _term(seat, user, start, end):
    return PanelMemberFactory(
        partnership=seat.partnership, seat=seat, user=user, starts_on=start, ends_on=end
    )


def test_a_term_past_the_maximum_of_consecutive_terms_is_refused(
    partnership, panel, member_factory, admin_user, today
):
    seat = SeatFactory(partnership=partnership, panel=panel)
    person = member_factory(partnership, Role.PANEL_MEMBER)
    _term(seat, person, today - timedelta(days=800), today - timedelta(days=400))
    _term(seat, person, today - timedelta(days=399), today + timedelta(days=10))

    with pytest.raises(ValidationError, match="term number 3 in a row"):
        services.appoint_member(
            actor=admin_user,
            seat=seat,
            user=person,
            starts_on=today + timedelta(days=11),
            ends_on=today + timedelta(days=400),
        )

    assert PanelMember.objects.filter(user=person).count() == 2


def test_a_break_between_terms_starts_a_new_run(
    partnership, panel, member_factory, admin_user, today
):
    seat = SeatFactory(partnership=partnership, panel=panel)
    person = member_factory(partnership, Role.PANEL_MEMBER)
    _term(seat, person, today - timedelta(days=900), today - timedelta(days=500))
    _term(seat, person, today - timedelta(days=499), today - timedelta(days=100))

    term = services.appoint_member(
        actor=admin_user,
        seat=seat,
        user=person,
        starts_on=today,
        ends_on=today + timedelta(days=365),
    )

    assert term.pk is not None


def test_the_maximum_is_set_per_panel(partnership, panel, member_factory, admin_user, today):
    panel.max_consecutive_terms = 1
    panel.save()
    seat = SeatFactory(partnership=partnership, panel=panel)
    person = member_factory(partnership, Role.PANEL_MEMBER)
    _term(seat, person, today - timedelta(days=365), today)

    with pytest.raises(ValidationError, match="the panel allows 1"):
        services.appoint_member(
            actor=admin_user,
            seat=seat,
            user=person,
            starts_on=today + timedelta(days=1),
            ends_on=today + timedelta(days=365),
        )


def test_overlapping_terms_on_one_seat_are_refused_and_nothing_written(
    partnership, panel, member_factory, admin_user, today
):
    seat = SeatFactory(partnership=partnership, panel=panel)
    _term(seat, member_factory(partnership, Role.PANEL_MEMBER), today, today + timedelta(days=365))
    newcomer = member_factory(partnership, Role.PANEL_MEMBER)

    with pytest.raises(ValidationError, match="overlaps"):
        services.appoint_member(
            actor=admin_user,
            seat=seat,
            user=newcomer,
            starts_on=today + timedelta(days=300),
            ends_on=today + timedelta(days=700),
        )

    assert not PanelMember.objects.filter(user=newcomer).exists()


def test_the_term_form_shows_an_overlap_as_an_error(
    partnership, panel, member_factory, admin_client_, today
):
    seat = SeatFactory(partnership=partnership, panel=panel, seat_type=SeatType.PUPIL)
    _term(seat, member_factory(partnership, Role.PANEL_MEMBER), today, today + timedelta(days=365))
    newcomer = member_factory(partnership, Role.PANEL_MEMBER)

    response = admin_client_.post(
        f"/p/{partnership.slug}/panels/seats/{seat.pk}/terms/new/",
        {
            "user": newcomer.pk,
            "starts_on": (today + timedelta(days=10)).isoformat(),
            "ends_on": (today + timedelta(days=400)).isoformat(),
        },
    )

    assert response.status_code == 200
    assert "A seat holds one person at a time" in response.content.decode()
    assert PanelMember.objects.filter(seat=seat).count() == 1


def test_a_term_must_end_after_it_starts(partnership, panel, member_factory, admin_user, today):
    seat = SeatFactory(partnership=partnership, panel=panel)

    with pytest.raises(ValidationError, match="end after it starts"):
        services.appoint_member(
            actor=admin_user,
            seat=seat,
            user=member_factory(partnership, Role.PANEL_MEMBER),
            starts_on=today,
            ends_on=today,
        )


def test_a_person_outside_the_partnership_cannot_be_appointed(
    partnership, other_partnership, panel, member_factory, admin_user, today
):
    seat = SeatFactory(partnership=partnership, panel=panel)
    outsider = member_factory(other_partnership, Role.PANEL_MEMBER)

    with pytest.raises(ValidationError, match="not a member"):
        services.appoint_member(
            actor=admin_user,
            seat=seat,
            user=outsider,
            starts_on=today,
            ends_on=today + timedelta(days=365),
        )


def test_the_panel_page_shows_each_term_as_n_of_the_maximum(
    partnership, panel, member_factory, admin_client_, today
):
    seat = SeatFactory(partnership=partnership, panel=panel)
    person = member_factory(partnership, Role.PANEL_MEMBER, full_name="Siân Howells")
    _term(seat, person, today - timedelta(days=800), today - timedelta(days=400))
    _term(seat, person, today - timedelta(days=399), today + timedelta(days=300))

    page = admin_client_.get(f"/p/{partnership.slug}/panels/{panel.pk}/").content.decode()

    assert "Term 1 of 2 in a row" in page
    assert "Term 2 of 2 in a row" in page
    assert "Last consecutive term" in page
