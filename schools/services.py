"""Writes to schools that carry a business rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event
from partnership.models import Partnership

from . import importer
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
    *,
    actor: Any,
    partnership: Partnership,
    school: School | None = None,
    record_caseload: bool = True,
    **fields: Any,
) -> School:
    """Create a school (school=None) or update one; fields are already validated by a form.
    A change of challenge adviser is kept in the caseload history (casework) unless the
    caller records it itself (`record_caseload=False`)."""
    unknown = set(fields) - set(SCHOOL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown school fields: {sorted(unknown)}")
    previous_adviser = None
    if school is not None and school.pk:
        previous_adviser = (
            School.objects.filter(pk=school.pk)
            .values_list("challenge_adviser_id", flat=True)
            .first()
        )
    school = school or School(partnership=partnership)
    for name, value in fields.items():
        setattr(school, name, value)
    school.full_clean()
    with transaction.atomic():
        school.save()
        if record_caseload and school.challenge_adviser_id != previous_adviser:
            from casework.services import record_adviser_change

            record_adviser_change(actor=actor, school=school)
    return school


def set_support_category(
    *,
    actor: Any,
    school: School,
    category: str,
    reason: str,
    moderated: bool = False,
    request: Any = None,
    detail: dict[str, Any] | None = None,
) -> CategoryChange:
    """Record a new support category in the school's history and make it current.

    Callers check who may set it (schools.policies, casework's moderation); the change is
    written to the audit trail as "schools.category_changed" (`detail` adds context, such
    as the categorisation round that moderated it).
    """

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
        record_event(
            partnership=locked.partnership_id,
            actor=actor,
            action="schools.category_changed",
            target=locked,
            detail={
                "from": change.previous_category,
                "to": category,
                "moderated": moderated,
                **(detail or {}),
            },
            request=request,
        )
    school.support_category = category
    school.category_moderated = moderated
    return change


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


#: Rows per INSERT/UPDATE statement in an import, so a 5,000-row file takes a few statements.
IMPORT_BATCH_SIZE = 500


def import_schools(*, actor: Any, partnership: Partnership, text: str) -> ImportResult:
    """Create and update the schools in a CSV file (see docs/school-import.md), all or nothing.

    The text is checked again here against the database as it is now, inside the
    transaction, whatever a preview said earlier. If any row has a problem, nothing is
    written and `importer.ImportRejected` (a ValidationError carrying the fresh report with
    its row numbers) is raised. Schools are matched by official number within the
    partnership, so importing the same file twice creates no duplicates. Support
    categories are not imported. The query count does not grow with the number of rows
    (bulk statements of IMPORT_BATCH_SIZE rows).
    """
    try:
        with transaction.atomic():
            # One import at a time per partnership (PostgreSQL), so two cannot both create
            # the same new school between checking and writing.
            Partnership.objects.select_for_update().only("pk").get(pk=partnership.pk)
            report = importer.validate(text, importer.load_context(partnership))
            if not report.is_valid:
                raise importer.ImportRejected(report)
            now = timezone.now()
            new = [
                School(partnership=partnership, official_number=p.official_number, **p.values)
                for p in report.creates
            ]
            changed = [
                School(
                    pk=p.school_id,
                    partnership=partnership,
                    official_number=p.official_number,
                    updated_at=now,
                    **p.values,
                )
                for p in report.updates
            ]
            # A last guard that the checks above agree with the model's own rules
            # (no queries: foreign keys and uniqueness are already settled above).
            planned = [*report.creates, *report.updates]
            for plan, school in zip(planned, [*new, *changed], strict=True):
                try:
                    school.full_clean(
                        exclude=["partnership", "local_authority", "cluster", "challenge_adviser"],
                        validate_unique=False,
                        validate_constraints=False,
                    )
                except ValidationError as error:
                    for name, messages in error.message_dict.items():
                        report.add(plan.row, f"{name}: {' '.join(messages)}")
            if not report.is_valid:
                raise importer.ImportRejected(report)
            School.objects.bulk_create(new, batch_size=IMPORT_BATCH_SIZE)
            School.objects.bulk_update(
                changed,
                [*importer.IMPORTED_ATTRS, "updated_at"],
                batch_size=IMPORT_BATCH_SIZE,
            )
    except IntegrityError:
        raise ValidationError(
            _(
                "The schools changed while the file was being imported, so nothing was "
                "imported. Upload the file again to check it against the latest data."
            )
        ) from None
    return ImportResult(
        created=len(report.creates), updated=len(report.updates), unchanged=len(report.unchanged)
    )
