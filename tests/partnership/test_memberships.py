"""Admins change and remove people's roles; the partnership always keeps an admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from partnership import services
from partnership.models import Membership, Role
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def membership_of(user, role=None) -> Membership:
    memberships = Membership.objects.filter(user=user)
    if role:
        memberships = memberships.filter(role=role)
    return memberships.get()


@pytest.fixture
def adviser(partnership, member_factory):
    return member_factory(partnership, Role.CHALLENGE_ADVISER, email="ca@example.org")


def test_people_page_lists_memberships(admin_client_, adviser):
    response = admin_client_.get("/p/cwm/people/")

    assert response.status_code == 200
    assert "ca@example.org" in response.content.decode()


def test_people_page_filters_by_role(admin_client_, adviser, admin_user):
    response = admin_client_.get("/p/cwm/people/", {"role": Role.CHALLENGE_ADVISER})

    body = response.content.decode()
    assert "ca@example.org" in body
    assert admin_user.email not in body.split("<table", 1)[1].split("</table>", 1)[0]


def test_people_page_ignores_unknown_role_filter(admin_client_, adviser):
    response = admin_client_.get("/p/cwm/people/", {"role": "emperor"})

    assert response.status_code == 200
    assert "ca@example.org" in response.content.decode()


def test_admin_changes_role(admin_client_, adviser):
    membership = membership_of(adviser)

    response = admin_client_.post(
        f"/p/cwm/people/{membership.pk}/edit/", {"role": Role.SENIOR_CA, "school": ""}
    )

    assert response.status_code == 302
    assert response["Location"] == "/p/cwm/people/"
    membership.refresh_from_db()
    assert membership.role == Role.SENIOR_CA


def test_admin_changes_school_of_headteacher(partnership, admin_client_, member_factory, school):
    new_school = SchoolFactory(partnership=partnership)
    head = member_factory(partnership, Role.HEADTEACHER, school=school)
    membership = membership_of(head)

    admin_client_.post(
        f"/p/cwm/people/{membership.pk}/edit/",
        {"role": Role.HEADTEACHER, "school": new_school.pk},
    )

    membership.refresh_from_db()
    assert membership.school == new_school


def test_changed_role_takes_effect_on_next_request(partnership, admin_client_, adviser, client_for):
    client = client_for(adviser)
    assert client.get("/p/cwm/people/").status_code == 403

    admin_client_.post(
        f"/p/cwm/people/{membership_of(adviser).pk}/edit/",
        {"role": Role.PARTNERSHIP_ADMIN, "school": ""},
    )

    assert client.get("/p/cwm/people/").status_code == 200


@pytest.mark.parametrize("role", [Role.HEADTEACHER, Role.GOVERNOR])
def test_school_role_without_school_is_a_form_error(admin_client_, adviser, role):
    membership = membership_of(adviser)

    response = admin_client_.post(
        f"/p/cwm/people/{membership.pk}/edit/", {"role": role, "school": ""}
    )

    assert response.status_code == 200
    assert "Choose the school this role is for." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.CHALLENGE_ADVISER


def test_unknown_role_is_a_form_error(admin_client_, adviser):
    membership = membership_of(adviser)

    response = admin_client_.post(f"/p/cwm/people/{membership.pk}/edit/", {"role": "emperor"})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.CHALLENGE_ADVISER


def test_school_of_another_partnership_is_a_form_error(
    admin_client_, member_factory, partnership, school, other_partnership
):
    head = member_factory(partnership, Role.HEADTEACHER, school=school)
    membership = membership_of(head)
    foreign = SchoolFactory(partnership=other_partnership)

    response = admin_client_.post(
        f"/p/cwm/people/{membership.pk}/edit/", {"role": Role.HEADTEACHER, "school": foreign.pk}
    )

    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.school == school


def test_change_to_a_role_already_held_is_a_form_error(partnership, admin_client_, adviser):
    Membership.objects.create(partnership=partnership, user=adviser, role=Role.HUB_LEAD)
    membership = membership_of(adviser, Role.CHALLENGE_ADVISER)

    response = admin_client_.post(
        f"/p/cwm/people/{membership.pk}/edit/", {"role": Role.HUB_LEAD, "school": ""}
    )

    assert response.status_code == 200
    assert "This person already has that role." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.CHALLENGE_ADVISER


def test_cannot_demote_the_last_admin(admin_client_, admin_user):
    membership = membership_of(admin_user)

    response = admin_client_.post(
        f"/p/cwm/people/{membership.pk}/edit/", {"role": Role.SENIOR_CA, "school": ""}
    )

    assert response.status_code == 200
    assert "at least one partnership admin" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.PARTNERSHIP_ADMIN


def test_can_demote_an_admin_when_another_remains(partnership, admin_client_, member_factory):
    second = member_factory(partnership, Role.PARTNERSHIP_ADMIN)
    membership = membership_of(second)

    admin_client_.post(
        f"/p/cwm/people/{membership.pk}/edit/", {"role": Role.SENIOR_CA, "school": ""}
    )

    membership.refresh_from_db()
    assert membership.role == Role.SENIOR_CA


def test_admin_removes_a_role(admin_client_, adviser):
    membership = membership_of(adviser)

    confirm = admin_client_.get(f"/p/cwm/people/{membership.pk}/remove/")
    response = admin_client_.post(f"/p/cwm/people/{membership.pk}/remove/")

    assert confirm.status_code == 200
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_removing_one_role_keeps_the_others(partnership, admin_client_, adviser):
    Membership.objects.create(partnership=partnership, user=adviser, role=Role.PEER_REVIEWER)

    admin_client_.post(f"/p/cwm/people/{membership_of(adviser, Role.CHALLENGE_ADVISER).pk}/remove/")

    assert list(Membership.objects.filter(user=adviser).values_list("role", flat=True)) == [
        Role.PEER_REVIEWER
    ]


def test_removed_person_loses_access(admin_client_, adviser, client_for):
    client = client_for(adviser)

    admin_client_.post(f"/p/cwm/people/{membership_of(adviser).pk}/remove/")

    assert client.get("/p/cwm/").status_code == 404


def test_cannot_remove_the_last_admin(admin_client_, admin_user):
    membership = membership_of(admin_user)

    response = admin_client_.post(f"/p/cwm/people/{membership.pk}/remove/")

    assert response.status_code == 200
    assert "at least one partnership admin" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_admin_of_another_partnership_does_not_count(
    admin_client_, admin_user, other_partnership, member_factory
):
    member_factory(other_partnership, Role.PARTNERSHIP_ADMIN)
    membership = membership_of(admin_user)

    admin_client_.post(f"/p/cwm/people/{membership.pk}/remove/")

    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize("action", ["edit", "remove"])
def test_non_admin_cannot_change_roles(partnership, adviser, client_for, action, member_factory):
    target = membership_of(member_factory(partnership, Role.PEER_REVIEWER))

    response = client_for(adviser).post(
        f"/p/cwm/people/{target.pk}/{action}/", {"role": Role.PARTNERSHIP_ADMIN, "school": ""}
    )

    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == Role.PEER_REVIEWER


def test_unknown_membership_is_404(admin_client_):
    assert admin_client_.get("/p/cwm/people/999999/edit/").status_code == 404


# --- Services ----------------------------------------------------------------------------


def test_grant_membership_is_idempotent(partnership, adviser):
    first = services.grant_membership(
        partnership=partnership, user=adviser, role=Role.CHALLENGE_ADVISER
    )
    second = services.grant_membership(
        partnership=partnership, user=adviser, role=Role.CHALLENGE_ADVISER
    )

    assert first.pk == second.pk
    assert Membership.objects.filter(user=adviser).count() == 1


def test_grant_school_role_without_school_raises(partnership, adviser):
    with pytest.raises(ValidationError):
        services.grant_membership(partnership=partnership, user=adviser, role=Role.GOVERNOR)


def test_change_membership_clears_school_for_non_school_role(
    partnership, admin_user, member_factory, school
):
    head = member_factory(partnership, Role.HEADTEACHER, school=school)
    membership = membership_of(head)

    services.change_membership(actor=admin_user, membership=membership, role=Role.HUB_LEAD)

    membership.refresh_from_db()
    assert membership.role == Role.HUB_LEAD
    assert membership.school is None
