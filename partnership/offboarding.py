"""Offboarding: delete one partnership and everything it holds (docs/operations.md).

`delete_partnership(partnership, actor_description=...)` deletes every row of every model
that carries a `partnership` foreign key (tenant models and their simple-history tables,
found through `apps.get_models()` by `portability.partnership_models()`, so a new app is
included without editing this module), then the partnership itself, in one transaction.
The files those rows name are removed from storage only after the transaction commits.

Many foreign keys are `PROTECT`, so the models are deleted in an order computed from the
model graph (`deletion_order()`): a model before every model it refers to. When a model's
turn comes, nothing of the partnership refers to its rows any more, so no `PROTECT` can
fire and no cascade reaches rows that were not already meant to go.

Another partnership's rows are never touched: if any of them refers to this partnership's
rows (a joint peer-review cycle: the guest's participation in the host's cycle, the host's
reviews of the guest's schools), the deletion is refused before anything is deleted, and
`offboarding_plan()` lists those references so the dry run shows them.

People keep their accounts: deleting a person is a data-protection decision of its own
(see `partnership.dataprotection.erase_person`), so the result only counts the members
who belong to no other partnership afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import Storage, default_storage
from django.db import models, transaction
from django_scopes import scopes_disabled

from .models import Membership, Partnership
from .portability import partnership_models
from .tenancy import tenant_scope

logger = logging.getLogger(__name__)

#: Result keys that are not model labels (a model label always has a dot).
FILES = "files"
PEOPLE_LEFT = "people_left_without_a_partnership"
CHUNK = 500

#: Storage names kept in plain columns rather than FileFields ("app.Model": column).
#: FileFields are found by themselves; a model that stores a generated file's name in a
#: CharField is listed here (tests/partnership/test_offboarding.py checks that deleting a
#: demo partnership leaves none of its files behind).
STORED_FILE_COLUMNS: dict[str, tuple[str, ...]] = {
    "reports.ReportRun": ("file_path",),
}

#: `on_delete` handlers that never delete or refuse anything: a reference of this kind
#: can be left to the collector when the model graph has a cycle.
_HARMLESS_ON_DELETE = (models.SET_NULL, models.SET_DEFAULT, models.DO_NOTHING)


class OffboardingRefused(Exception):
    """The partnership cannot be deleted; the message says why. Nothing was deleted."""


# --- The order ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Before:
    """`first` must be emptied before `then`; `loose` if the collector copes either way."""

    first: type[models.Model]
    then: type[models.Model]
    loose: bool


def _label(model: type[models.Model]) -> str:
    return model._meta.label


def _constraints(nodes: set[type[models.Model]]) -> set[_Before]:
    found: set[_Before] = set()
    for model in nodes:
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target in nodes and target is not model:
                loose = field.null and field.remote_field.on_delete in _HARMLESS_ON_DELETE
                found.add(_Before(first=model, then=target, loose=loose))
        # simple-history writes a "deleted" history row when a tracked row is deleted,
        # so a history table is emptied after the model it records.
        tracked = getattr(model, "instance_type", None)
        if tracked in nodes and tracked is not model:
            found.add(_Before(first=tracked, then=model, loose=False))
    return found


def deletion_order(candidates: Iterable[type[models.Model]]) -> list[type[models.Model]]:
    """The models in an order that deletes every model before the models it refers to.

    Computed from the foreign keys between the given models (self-references are left to
    the collector). If the graph has a cycle, references the collector can handle on its
    own (nullable, SET_NULL / SET_DEFAULT / DO_NOTHING) are dropped to break it; a cycle of
    PROTECT or CASCADE references raises ImproperlyConfigured. Ties go alphabetically, so
    the order is the same on every run.
    """
    nodes = set(candidates)
    active = _constraints(nodes)
    remaining = sorted(nodes, key=_label)
    order: list[type[models.Model]] = []
    while remaining:
        waiting = {c.then for c in active if c.first in remaining}
        ready = [model for model in remaining if model not in waiting]
        if not ready:
            loose = {c for c in active if c.loose and c.first in remaining}
            if not loose:
                names = ", ".join(_label(model) for model in remaining)
                raise ImproperlyConfigured(f"No safe deletion order between {names}.")
            active -= loose
            continue
        order.extend(ready)
        remaining = [model for model in remaining if model not in ready]
    return order


# --- What would go ----------------------------------------------------------------------------


def _owned(model: type[models.Model], partnership: Partnership) -> models.QuerySet:
    # The base manager: an append-only log (peerreview.FindingsAccess) refuses delete() on
    # its default manager on purpose; removing it with its whole partnership is the exception.
    return model._base_manager.filter(partnership=partnership)


def foreign_references(partnership: Partnership) -> dict[str, int]:
    """Rows of *other* partnerships that refer to this partnership's rows, by
    "app.Model.field" (empty when the partnership can be deleted on its own)."""
    nodes = set(partnership_models())
    found: dict[str, int] = {}
    # The one cross-partnership read: looking for other tenants' rows that point here.
    with scopes_disabled():
        for model in sorted(nodes, key=_label):
            others = model._base_manager.exclude(partnership=partnership)
            fields = [
                f
                for f in model._meta.concrete_fields
                if f.is_relation
                and f.related_model in nodes
                and f.remote_field.on_delete is not models.DO_NOTHING
            ]
            fields += [f for f in model._meta.many_to_many if f.related_model in nodes]
            for field in fields:
                count = (
                    others.filter(**{f"{field.name}__partnership": partnership})
                    .values("pk")
                    .distinct()
                    .count()
                )
                if count:
                    found[f"{_label(model)}.{field.name}"] = count
    return found


def _file_columns(model: type[models.Model]) -> list[tuple[str, Storage]]:
    columns = [
        (f.name, f.storage) for f in model._meta.concrete_fields if isinstance(f, models.FileField)
    ]
    columns += [(name, default_storage) for name in STORED_FILE_COLUMNS.get(_label(model), ())]
    return columns


def stored_files(partnership: Partnership) -> list[tuple[Storage, str]]:
    """The stored files the partnership's rows name (not those another partnership's
    rows name too), as (storage, name) pairs."""
    found: list[tuple[Storage, str]] = []
    with scopes_disabled():
        for model in partnership_models():
            for column, storage in _file_columns(model):
                names = set(
                    _owned(model, partnership)
                    .exclude(**{column: ""})
                    .exclude(**{f"{column}__isnull": True})
                    .values_list(column, flat=True)
                )
                ordered, shared = sorted(names), set()
                for start in range(0, len(ordered), CHUNK):
                    shared.update(
                        model._base_manager.exclude(partnership=partnership)
                        .filter(**{f"{column}__in": ordered[start : start + CHUNK]})
                        .values_list(column, flat=True)
                    )
                found += [(storage, name) for name in sorted(names - shared)]
    return found


def people_left_without_a_partnership(partnership: Partnership) -> int:
    """How many of the partnership's members belong to no other partnership."""
    with scopes_disabled():
        members = Membership._base_manager.filter(partnership=partnership).values("user_id")
        elsewhere = Membership._base_manager.exclude(partnership=partnership).values("user_id")
        return (
            get_user_model()._base_manager.filter(pk__in=members).exclude(pk__in=elsewhere).count()
        )


@dataclass
class OffboardingPlan:
    """What deleting the partnership would do (the dry run)."""

    #: Rows per model label, only models that hold some.
    rows: dict[str, int]
    files: int
    people_left: int
    #: Other partnerships' rows that refer to this one's (see foreign_references()).
    blockers: dict[str, int]


def offboarding_plan(partnership: Partnership) -> OffboardingPlan:
    """Count what `delete_partnership()` would delete, deleting nothing."""
    with scopes_disabled():
        rows = {}
        for model in deletion_order(partnership_models()):
            count = _owned(model, partnership).count()
            if count:
                rows[_label(model)] = count
    return OffboardingPlan(
        rows=rows,
        files=len(stored_files(partnership)),
        people_left=people_left_without_a_partnership(partnership),
        blockers=foreign_references(partnership),
    )


# --- Deleting -----------------------------------------------------------------------------------


def _remove_files(files: list[tuple[Storage, str]], slug: str) -> None:
    failed = 0
    for storage, name in files:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - the rows are gone; report the file and go on
            failed += 1
            logger.exception("Offboarding %s: could not remove the file %s.", slug, name)
    logger.warning(
        "Offboarding %s: removed %d stored files (%d failed).", slug, len(files) - failed, failed
    )


def delete_partnership(partnership: Partnership, *, actor_description: str) -> dict[str, int]:
    """Delete the partnership, every row it holds and (after commit) its stored files.

    Returns the rows deleted per model label (the collector's counts, so many-to-many
    link rows and the partnership itself are included), plus `FILES` (how many stored
    files are removed once the transaction commits) and `PEOPLE_LEFT` (members whose
    accounts are kept although they now belong to no partnership).

    All or nothing: one transaction; any failure deletes no row and no file. Refused with
    `OffboardingRefused` while another partnership's rows refer to this one's.
    `actor_description` (who ran it, e.g. "manage.py delete_partnership by alice") goes
    to the log, since the partnership's own audit trail goes with it.
    """
    nodes = partnership_models()
    order = deletion_order(nodes)
    slug = partnership.slug
    with transaction.atomic():
        # Lock the row so two offboardings (or an edit of it) cannot interleave.
        Partnership.objects.select_for_update().get(pk=partnership.pk)
        blockers = foreign_references(partnership)
        if blockers:
            listed = ", ".join(f"{label} ({count})" for label, count in blockers.items())
            raise OffboardingRefused(
                f"other partnerships' rows refer to {slug}'s rows: {listed}. "
                "Resolve them first (e.g. end the joint peer-review cycle)."
            )
        files = stored_files(partnership)
        people_left = people_left_without_a_partnership(partnership)
        counts: dict[str, int] = {}
        with tenant_scope(partnership):
            for model in order:
                _total, deleted = _owned(model, partnership).delete()
                for label, count in deleted.items():
                    counts[label] = counts.get(label, 0) + count
            with scopes_disabled():
                left = [_label(m) for m in nodes if _owned(m, partnership).exists()]
            if left:
                # Written while deleting (a signal, a concurrent request): start again later.
                raise OffboardingRefused(f"rows of {', '.join(left)} remain; nothing deleted.")
            _total, deleted = partnership.delete()
            for label, count in deleted.items():
                counts[label] = counts.get(label, 0) + count
        transaction.on_commit(lambda: _remove_files(files, slug))
    counts = {label: count for label, count in sorted(counts.items()) if count}
    logger.warning(
        "Partnership %s deleted by %s: %d rows; %d files to remove; %d people kept without a "
        "partnership.",
        slug,
        actor_description,
        sum(counts.values()),
        len(files),
        people_left,
    )
    counts[FILES] = len(files)
    counts[PEOPLE_LEFT] = people_left
    return counts


__all__ = [
    "FILES",
    "PEOPLE_LEFT",
    "OffboardingPlan",
    "OffboardingRefused",
    "delete_partnership",
    "deletion_order",
    "foreign_references",
    "offboarding_plan",
    "stored_files",
]
