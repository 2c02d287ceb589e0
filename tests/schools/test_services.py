"""Writes to schools: saving a school and recording a support category."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from partnership.models import Role
from partnership.tenancy import tenant_scope
from schools.models import CategoryChange, LanguageMedium, Phase, School, SupportCategory
from schools.services import save_school, set_support_category
from tests.factories import LocalAuthorityFactory, SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields(partnership):
    return {
        "official_number": "6612345",
        "name": "Ysgol Newydd",
        "phase": Phase.SECONDARY,
        "language_medium": LanguageMedium.BILINGUAL,
        "local_authority": LocalAuthorityFactory(partnership=partnership),
        "pupils": 900,
        "fsm_percent": Decimal("30.0"),
    }


# --- save_school ---------------------------------------------------------------------------


def test_save_school_creates_a_school_in_the_partnership(partnership, admin_user, fields):
    with tenant_scope(partnership):
        school = save_school(actor=admin_user, partnership=partnership, **fields)

    school.refresh_from_db()
    assert school.partnership == partnership
    assert school.name == "Ysgol Newydd"
    assert school.phase == Phase.SECONDARY
    assert school.support_category == ""


def test_save_school_updates_the_given_school(partnership, admin_user, school, fields):
    with tenant_scope(partnership):
        saved = save_school(
            actor=admin_user,
            partnership=partnership,
            school=school,
            **{**fields, "official_number": school.official_number},
        )

    assert saved.pk == school.pk
    assert School.objects.get(pk=school.pk).name == "Ysgol Newydd"
    assert School.objects.count() == 1


def test_save_school_refuses_unknown_fields(partnership, admin_user, fields):
    with pytest.raises(TypeError), tenant_scope(partnership):
        save_school(actor=admin_user, partnership=partnership, support_category="red", **fields)

    assert not School.objects.exists()


def test_save_school_refuses_invalid_values_and_writes_nothing(partnership, admin_user, fields):
    with pytest.raises(ValidationError) as error, tenant_scope(partnership):
        save_school(
            actor=admin_user,
            partnership=partnership,
            **{**fields, "fsm_percent": Decimal("101")},
        )

    assert "fsm_percent" in error.value.message_dict
    assert not School.objects.exists()


def test_save_school_refuses_a_duplicate_number_in_the_partnership(partnership, admin_user, fields):
    SchoolFactory(partnership=partnership, official_number="6612345")

    with pytest.raises(ValidationError), tenant_scope(partnership):
        save_school(actor=admin_user, partnership=partnership, **fields)

    assert School.objects.filter(official_number="6612345").count() == 1


# --- set_support_category ------------------------------------------------------------------


@pytest.fixture
def ca(partnership, member_factory):
    return member_factory(partnership, Role.CHALLENGE_ADVISER)


def test_category_change_is_recorded_with_who_why_and_moderation(partnership, school, ca):
    with tenant_scope(partnership):
        change = set_support_category(
            actor=ca,
            school=school,
            category=SupportCategory.YELLOW,
            reason="  Leadership is new.  ",
            moderated=True,
        )

    change.refresh_from_db()
    assert change.school == school
    assert change.partnership == partnership
    assert change.category == SupportCategory.YELLOW
    assert change.previous_category == SupportCategory.GREEN
    assert change.reason == "Leadership is new."
    assert change.moderated is True
    assert change.set_by == ca
    assert change.set_at is not None


def test_category_change_makes_the_category_current(partnership, school, ca):
    with tenant_scope(partnership):
        set_support_category(actor=ca, school=school, category="red", reason="Concerns.")

    assert school.support_category == SupportCategory.RED
    stored = School.objects.get(pk=school.pk)
    assert stored.support_category == SupportCategory.RED
    assert stored.category_moderated is False


def test_category_history_keeps_every_change_in_order(partnership, school, ca):
    with tenant_scope(partnership):
        set_support_category(actor=ca, school=school, category="amber", reason="First.")
        set_support_category(actor=ca, school=school, category="red", reason="Second.")

    history = list(CategoryChange.objects.filter(school=school))
    assert [(c.previous_category, c.category) for c in history] == [
        ("amber", "red"),
        ("green", "amber"),
    ]


def test_moderation_of_the_current_category_follows_the_latest_change(partnership, school, ca):
    with tenant_scope(partnership):
        set_support_category(
            actor=ca, school=school, category="amber", reason="Moderated.", moderated=True
        )
        set_support_category(actor=ca, school=school, category="red", reason="Not yet.")

    assert School.objects.get(pk=school.pk).category_moderated is False


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_category_needs_a_reason(partnership, school, ca, reason):
    with pytest.raises(ValidationError) as error, tenant_scope(partnership):
        set_support_category(actor=ca, school=school, category="red", reason=reason)

    assert "reason" in error.value.message_dict
    assert not CategoryChange.objects.exists()
    assert School.objects.get(pk=school.pk).support_category == SupportCategory.GREEN


@pytest.mark.parametrize("category", ["purple", "", "RED"])
def test_category_must_be_one_of_the_four(partnership, school, ca, category):
    with pytest.raises(ValidationError) as error, tenant_scope(partnership):
        set_support_category(actor=ca, school=school, category=category, reason="Because.")

    assert "category" in error.value.message_dict
    assert not CategoryChange.objects.exists()
    assert School.objects.get(pk=school.pk).support_category == SupportCategory.GREEN
