"""Caseloads: reassignment keeps the history; a headteacher may be a partner CA; a senior
CA's dashboard covers their team and shows moderation progress."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from casework import selectors, services
from casework.models import AdviserKind, CaseloadAssignment, SchoolCategorisation
from partnership.tenancy import tenant_scope
from schools.models import School
from schools.services import save_school
from tests.factories import SchoolFactory

from .factories import AdviserTeamFactory, SchoolCategorisationFactory

pytestmark = pytest.mark.django_db


def test_reassigning_keeps_the_history(partnership, senior, school, ca, other_ca):
    with tenant_scope(partnership):
        services.assign_adviser(actor=senior, school=school, adviser=ca, reason="Start")
        services.assign_adviser(actor=senior, school=school, adviser=other_ca, reason="Leave")
    history = list(CaseloadAssignment.objects.filter(school=school).order_by("pk"))
    assert [(a.adviser, a.ended_on is None) for a in history] == [(ca, False), (other_ca, True)]
    assert School.objects.get(pk=school.pk).challenge_adviser == other_ca


def test_a_headteacher_of_another_school_is_a_partner_ca(partnership, senior, school, panel_head):
    with tenant_scope(partnership):
        assignment = services.assign_adviser(actor=senior, school=school, adviser=panel_head)
    assert assignment.kind == AdviserKind.PARTNER_CA


def test_a_headteacher_cannot_advise_their_own_school(partnership, senior, school, head):
    with tenant_scope(partnership), pytest.raises(ValidationError):
        services.assign_adviser(actor=senior, school=school, adviser=head)
    assert not CaseloadAssignment.objects.exists()


def test_a_ca_cannot_reassign(partnership, ca, other_ca, school):
    with tenant_scope(partnership), pytest.raises(PermissionDenied):
        services.assign_adviser(actor=ca, school=school, adviser=other_ca)
    assert School.objects.get(pk=school.pk).challenge_adviser == ca


def test_the_reassign_page(partnership, client_for, senior, school, other_ca):
    response = client_for(senior).post(
        reverse("casework:reassign", kwargs={"partnership_slug": "cwm", "pk": school.pk}),
        {"adviser": other_ca.pk, "reason": "Caseload balance"},
    )
    assert response.status_code == 302
    assert School.objects.get(pk=school.pk).challenge_adviser == other_ca


def test_a_senior_ca_sees_the_schools_of_their_team(
    partnership, senior, ca, other_ca, school, other_school
):
    other_school.challenge_adviser = other_ca
    other_school.save()
    AdviserTeamFactory(partnership=partnership, senior_adviser=senior, advisers=[ca])
    with tenant_scope(partnership):
        board = selectors.dashboard_for(senior, partnership)
    assert [s.pk for s in board.schools] == [school.pk]
    assert [adviser for adviser, _schools in board.by_adviser] == [ca]


def test_the_senior_dashboard_shows_moderation_progress(
    partnership, senior, proposed, client_for, round_
):
    for _ in range(2):
        SchoolCategorisationFactory(
            partnership=partnership,
            round=round_,
            school=SchoolFactory(partnership=partnership),
            status=SchoolCategorisation.Status.CONFIRMED,
            moderation_outcome="changed",
        )
    with tenant_scope(partnership):
        board = selectors.dashboard_for(senior, partnership)
    assert board.round == round_
    assert board.moderation["proposed"] == 1
    assert board.moderation["confirmed"] == 2
    assert board.moderation["changed"] == 2
    page = client_for(senior).get(reverse("casework:dashboard", kwargs={"partnership_slug": "cwm"}))
    assert "Moderation progress: Categorisation 2026" in page.content.decode()


def test_the_dashboard_shows_trend_needs_and_visits(partnership, ca, school):
    from casework.models import CaseworkVisit
    from tests.factories import CategoryChangeFactory, NeedFactory

    from .factories import CaseworkVisitFactory

    CategoryChangeFactory(
        partnership=partnership, school=school, previous_category="amber", category="green"
    )
    NeedFactory(partnership=partnership, school=school)
    visit = CaseworkVisitFactory(partnership=partnership, school=school, adviser=ca)
    CaseworkVisit.objects.filter(pk=visit.pk).update(
        next_visit_on=visit.visited_on + datetime.timedelta(days=60)
    )
    with tenant_scope(partnership):
        [row] = selectors.dashboard_for(ca, partnership).schools
    assert row.trend == "up"
    assert row.open_needs == 1
    assert row.last_visit == visit.visited_on
    assert row.next_visit is not None


def test_an_admin_sets_up_a_senior_cas_team(
    partnership, admin_client_, senior, ca, other_ca, client_for
):
    from casework.models import AdviserTeam

    path = reverse("casework:team_create", kwargs={"partnership_slug": "cwm"})
    response = admin_client_.post(
        path, {"name": "West", "senior_adviser": senior.pk, "advisers": [ca.pk, other_ca.pk]}
    )
    assert response.status_code == 302
    team = AdviserTeam.objects.get()
    assert set(team.advisers.all()) == {ca, other_ca}
    again = admin_client_.post(path, {"name": "West", "senior_adviser": senior.pk})
    assert again.status_code == 400
    assert AdviserTeam.objects.count() == 1
    assert client_for(ca).get(path).status_code == 403


def test_changing_the_adviser_on_the_school_form_keeps_the_history(
    partnership, senior, admin_user, school, ca, other_ca
):
    with tenant_scope(partnership):
        services.assign_adviser(actor=senior, school=school, adviser=ca, reason="Start")
        save_school(
            actor=admin_user, partnership=partnership, school=school, challenge_adviser=other_ca
        )

    history = list(CaseloadAssignment.objects.filter(school=school).order_by("pk"))
    assert [(a.adviser, a.ended_on is None) for a in history] == [(ca, False), (other_ca, True)]
    assert history[-1].assigned_by == admin_user
    assert School.objects.get(pk=school.pk).challenge_adviser == other_ca


def test_saving_a_school_without_changing_its_adviser_adds_no_history(
    partnership, senior, admin_user, school, ca
):
    with tenant_scope(partnership):
        services.assign_adviser(actor=senior, school=school, adviser=ca, reason="Start")
        save_school(actor=admin_user, partnership=partnership, school=school, name="Ysgol Newydd")

    assert CaseloadAssignment.objects.filter(school=school).count() == 1
