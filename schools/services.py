"""Writes to schools that carry a business rule."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnership.models import Partnership

from .models import CategoryChange, School, SupportCategory

SCHOOL_FIELDS = (
    "official_number",
    "name",
    "phase",
    "language_medium",
    "local_authority",
    "cluster",
    "pupils",
    "fsm_percent",
    "postcode",
    "report_language",
    "challenge_adviser",
)


def save_school(
    *, actor: Any, partnership: Partnership, school: School | None = None, **fields: Any
) -> School:
    """Create a school (school=None) or update one; fields are already validated by a form."""
    unknown = set(fields) - set(SCHOOL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown school fields: {sorted(unknown)}")
    school = school or School(partnership=partnership)
    for name, value in fields.items():
        setattr(school, name, value)
    school.full_clean()
    school.save()
    return school


def set_support_category(
    *,
    actor: Any,
    school: School,
    category: str,
    reason: str,
    moderated: bool = False,
) -> CategoryChange:
    """Record a new support category in the school's history and make it current."""
    if category not in SupportCategory.values:
        raise ValidationError({"category": _("Choose green, yellow, amber or red.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the category is being set.")})
    with transaction.atomic():
        locked = School.objects.select_for_update().get(pk=school.pk)
        change = CategoryChange.objects.create(
            partnership_id=locked.partnership_id,
            school=locked,
            category=category,
            previous_category=locked.support_category,
            reason=reason,
            moderated=moderated,
            set_by=actor,
        )
        locked.support_category = category
        locked.category_moderated = moderated
        locked.save(update_fields=["support_category", "category_moderated", "updated_at"])
    school.support_category = category
    school.category_moderated = moderated
    return change
