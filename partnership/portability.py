"""Portability and backup of one partnership: a documented zip archive (docs/operations.md).

`export_partnership(partnership)` writes every row of every model that carries a
`partnership` foreign key (found through `apps.get_models()`, so a new app is included
without editing this module: tenant models and their simple-history tables), the people
those rows refer to, and the uploaded files they name. `import_partnership(data)` checks
the whole archive first and then writes it in one transaction into an instance that does
not hold the partnership yet; a bad archive is refused with a reason and nothing written.

Archive layout (format "partnership-portal-archive", version 1)::

    manifest.json        format, version, created_at, partnership slug and name, counts
                         per model label ("users" too), sha256 and size of every member,
                         each app's latest migration
    partnership.json     the Partnership row (its fields; the id is not kept)
    users.json           the people: email, full name, language, active, dates, password
                         hash (so they can still sign in); matched by email on import
    data/<label>.json    one file per model, rows as Django's serializer writes them
                         (`{"model", "pk", "fields"}`), primary keys kept
    files/<name>         uploaded files, at their storage name
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django_scopes import scopes_disabled

from .models import Partnership

logger = logging.getLogger(__name__)

FORMAT = "partnership-portal-archive"
VERSION = 1
USERS = "users"
CHUNK = 500
#: The largest archive accepted, uncompressed (a zip bomb is refused before reading).
DEFAULT_MAX_BYTES = 2 * 1024**3
PARTNERSHIP_FIELDS = ("name", "slug", "country", "default_language", "colour", "is_active")
USER_FIELDS = ("email", "full_name", "language", "is_active", "date_joined", "last_login")


class ArchiveRefused(Exception):
    """The archive cannot be imported; the message says why. Nothing was written."""


# --- Which models --------------------------------------------------------------------------


def partnership_models() -> list[type[models.Model]]:
    """Every concrete model with a `partnership` foreign key, in a stable order."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        try:
            field = model._meta.get_field("partnership")
        except Exception:  # noqa: BLE001 - no such field
            continue
        if field.concrete and field.is_relation and field.related_model is Partnership:
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


def _user_model() -> type[models.Model]:
    return get_user_model()


def _user_fks(model: type[models.Model]) -> list[models.Field]:
    user_model = _user_model()
    return [
        f for f in model._meta.concrete_fields if f.is_relation and f.related_model is user_model
    ]


def _user_m2m(model: type[models.Model]) -> list[models.Field]:
    user_model = _user_model()
    return [f for f in model._meta.many_to_many if f.related_model is user_model]


def _file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def _latest_migrations() -> dict[str, str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    latest: dict[str, str] = {}
    for app_label, name in loader.graph.leaf_nodes():
        latest[app_label] = name
    return latest


# --- Export --------------------------------------------------------------------------------


@dataclass
class ExportResult:
    data: bytes
    counts: dict[str, int]


def _serialize(queryset: models.QuerySet) -> list[dict[str, Any]]:
    return serializers.serialize("python", queryset.order_by("pk"))


def _user_row(user: Any) -> dict[str, Any]:
    row = {name: getattr(user, name) for name in USER_FIELDS}
    row["id"] = user.pk
    row["password"] = user.password
    return row


def export_partnership(partnership: Partnership, *, actor: Any = None) -> ExportResult:
    """The partnership's archive as zip bytes, with the number of rows per model."""
    from audit.services import record_event

    members: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    user_ids: set[int] = set()
    files: dict[str, bytes] = {}
    missing_files: list[str] = []
    with scopes_disabled():
        for model in partnership_models():
            rows = _serialize(model._base_manager.filter(partnership=partnership))
            label = model._meta.label
            counts[label] = len(rows)
            for row in rows:
                for field in _user_fks(model):
                    if row["fields"].get(field.name) is not None:
                        user_ids.add(row["fields"][field.name])
                for field in _user_m2m(model):
                    user_ids.update(row["fields"].get(field.name, []))
                for field in _file_fields(model):
                    name = row["fields"].get(field.name)
                    if name and name not in files:
                        if field.storage.exists(name):
                            with field.storage.open(name, "rb") as handle:
                                files[name] = handle.read()
                        else:
                            missing_files.append(name)
            members[f"data/{label}.json"] = _dump(rows)
        users = _user_model()._base_manager.filter(pk__in=user_ids).order_by("pk")
        user_rows = [_user_row(user) for user in users]
    counts[USERS] = len(user_rows)
    members["users.json"] = _dump(user_rows)
    members["partnership.json"] = _dump({n: getattr(partnership, n) for n in PARTNERSHIP_FIELDS})
    for name, content in files.items():
        members[f"files/{name}"] = content
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(),
        "partnership": {"slug": partnership.slug, "name": partnership.name},
        "counts": counts,
        "missing_files": missing_files,
        "migrations": _latest_migrations(),
        "members": {
            name: {"size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
            for name, content in members.items()
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", _dump(manifest))
        for name, content in members.items():
            archive.writestr(name, content)
    with transaction.atomic():
        record_event(
            partnership=partnership,
            actor=actor,
            action="partnership.exported",
            target=partnership,
            detail={"rows": sum(counts.values()), "files": len(files)},
        )
    return ExportResult(data=buffer.getvalue(), counts=counts)


class _ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but times keep their microseconds (it cuts them to milliseconds)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _dump(value: Any) -> bytes:
    return json.dumps(value, cls=_ExactEncoder, ensure_ascii=False, indent=1).encode()


# --- Import --------------------------------------------------------------------------------


@dataclass
class ImportResult:
    partnership: Partnership
    counts: dict[str, int]


def _refuse(reason: str) -> ArchiveRefused:
    logger.warning("Partnership archive refused: %s", reason)
    return ArchiveRefused(reason)


def _read_archive(data: bytes, max_bytes: int) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and every member, checked against the manifest's sizes and hashes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _refuse(f"not a zip archive ({error})") from None
    if sum(info.file_size for info in infos) > max_bytes:
        raise _refuse(f"the archive is larger than {max_bytes} bytes uncompressed")
    names = [info.filename for info in infos]
    if len(names) != len(set(names)):
        raise _refuse("the archive holds the same name twice")
    for name in names:
        if name.startswith("/") or "\\" in name or ".." in name.split("/"):
            raise _refuse(f"unsafe path in the archive: {name!r}")
    try:
        contents = {name: archive.read(name) for name in names}
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError) as error:
        raise _refuse(f"the archive is damaged ({error})") from None
    if "manifest.json" not in contents:
        raise _refuse("manifest.json is missing")
    manifest = _load(contents.pop("manifest.json"), "manifest.json")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse("this is not a partnership portal archive")
    if manifest.get("version") != VERSION:
        raise _refuse(f"archive version {manifest.get('version')!r} is not supported")
    listed = manifest.get("members")
    if not isinstance(listed, dict) or set(listed) != set(contents):
        raise _refuse("the files in the archive do not match its manifest")
    for name, content in contents.items():
        expected = listed[name]
        if not isinstance(expected, dict) or expected.get("sha256") != (
            hashlib.sha256(content).hexdigest()
        ):
            raise _refuse(f"{name} does not match its checksum")
    return manifest, contents


def _load(content: bytes, name: str) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        raise _refuse(f"{name} is not valid JSON ({error})") from None


def _check_migrations(manifest: dict[str, Any]) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    installed = {config.label for config in apps.get_app_configs()}
    migrations = manifest.get("migrations") or {}
    if not isinstance(migrations, dict):
        raise _refuse("the manifest's migrations are not readable")
    for app_label, name in migrations.items():
        if app_label in installed and (app_label, name) not in known:
            raise _refuse(
                f"the archive comes from a newer version ({app_label} migration {name}); "
                "upgrade this instance first"
            )


def import_partnership(
    data: bytes, *, max_bytes: int | None = None, actor: Any = None
) -> ImportResult:
    """Write an archive into this instance; refuse it (nothing written) if anything is wrong.

    The partnership's slug must be free and none of the archive's row ids may be taken.
    People are matched by email: an existing account is reused (its password kept),
    others are created with the password hash from the archive.
    """
    max_bytes = max_bytes or getattr(settings, "PORTABILITY_MAX_BYTES", DEFAULT_MAX_BYTES)
    manifest, contents = _read_archive(data, max_bytes)
    _check_migrations(manifest)
    counts = manifest.get("counts")
    if not isinstance(counts, dict):
        raise _refuse("the manifest has no counts")
    by_label = {model._meta.label: model for model in partnership_models()}
    unknown = set(counts) - set(by_label) - {USERS}
    if unknown:
        raise _refuse(f"unknown models in the archive: {', '.join(sorted(unknown))}")

    partnership_row = _load(contents["partnership.json"], "partnership.json")
    user_rows = _load(contents["users.json"], "users.json")
    if len(user_rows) != counts.get(USERS):
        raise _refuse("users.json does not hold the number of people the manifest says")
    tables: dict[str, list[dict[str, Any]]] = {}
    for label, count in counts.items():
        if label == USERS:
            continue
        name = f"data/{label}.json"
        if name not in contents:
            raise _refuse(f"{name} is missing")
        rows = _load(contents[name], name)
        if not isinstance(rows, list) or len(rows) != count:
            raise _refuse(f"{name} does not hold the {count} rows the manifest says")
        if any(not isinstance(r, dict) or r.get("model") != label.lower() for r in rows):
            raise _refuse(f"{name} holds rows of another model")
        tables[label] = rows
    written_files: list[str] = []
    try:
        with scopes_disabled(), transaction.atomic():
            result = _write(partnership_row, user_rows, tables, by_label, contents, written_files)
            from audit.services import record_event

            record_event(
                partnership=result.partnership,
                actor=actor,
                action="partnership.imported",
                target=result.partnership,
                detail={"rows": sum(result.counts.values())},
            )
    except ArchiveRefused:
        _remove(written_files)
        raise
    except Exception as error:
        _remove(written_files)
        raise _refuse(
            f"the archive could not be written ({error.__class__.__name__}: {error})"
        ) from None
    return result


def _remove(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _write(
    partnership_row: dict[str, Any],
    user_rows: list[dict[str, Any]],
    tables: dict[str, list[dict[str, Any]]],
    by_label: dict[str, type[models.Model]],
    contents: dict[str, bytes],
    written_files: list[str],
) -> ImportResult:
    if not isinstance(partnership_row, dict) or not partnership_row.get("slug"):
        raise _refuse("partnership.json has no slug")
    if Partnership.objects.filter(slug=partnership_row["slug"]).exists():
        raise _refuse(f"a partnership with the short name {partnership_row['slug']!r} exists")
    try:
        partnership = Partnership(**{n: partnership_row[n] for n in PARTNERSHIP_FIELDS})
        partnership.full_clean(validate_unique=False)
    except Exception as error:
        raise _refuse(f"partnership.json is not valid ({error})") from None
    partnership.save()

    user_map = _import_users(user_rows)
    file_map: dict[str, str] = {}
    for label, rows in tables.items():
        model = by_label[label]
        _check_free_ids(model, rows)
        user_fks = {f.name: f.null for f in _user_fks(model)}
        user_m2m = [f.name for f in _user_m2m(model)]
        file_fields = [f.name for f in _file_fields(model)]
        for row in rows:
            fields = row.setdefault("fields", {})
            fields["partnership"] = partnership.pk
            for name, nullable in user_fks.items():
                if fields.get(name) is not None:
                    fields[name] = _mapped(user_map, fields[name], label, nullable=nullable)
            for name in user_m2m:
                fields[name] = [_mapped(user_map, pk, label) for pk in fields.get(name, [])]
            for name in file_fields:
                if fields.get(name):
                    fields[name] = _restore_file(fields[name], contents, file_map, written_files)
            if label == "audit.AuditEvent" and fields.get("target_type") == (
                _user_model()._meta.label_lower
            ):
                old = int(fields["target_id"]) if str(fields["target_id"]).isdigit() else None
                if old in user_map:
                    fields["target_id"] = str(user_map[old])
        try:
            with connection.constraint_checks_disabled():
                for obj in serializers.deserialize("python", rows, ignorenonexistent=False):
                    obj.save()
        except ArchiveRefused:
            raise
        except Exception as error:
            raise _refuse(f"rows of {label} could not be read ({error})") from None
    tables_written = [by_label[label]._meta.db_table for label in tables]
    try:
        connection.check_constraints(table_names=tables_written)
    except Exception as error:
        raise _refuse(f"the archive's rows refer to rows it does not hold ({error})") from None
    counts = {
        label: by_label[label]._base_manager.filter(partnership=partnership).count()
        for label in tables
    }
    expected = {label: len(rows) for label, rows in tables.items()}
    if counts != expected:
        raise _refuse("the rows written do not match the archive")
    counts[USERS] = len(user_rows)
    return ImportResult(partnership=partnership, counts=counts)


def _mapped(user_map: dict[int, int], pk: Any, label: str, nullable: bool = False) -> int | None:
    if pk not in user_map:
        if nullable:
            return None  # the account was already gone when the archive was made
        raise _refuse(f"{label} refers to a person the archive does not hold")
    return user_map[pk]


def _check_free_ids(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    pks = [row.get("pk") for row in rows]
    if any(pk is None for pk in pks):
        raise _refuse(f"rows of {model._meta.label} without an id")
    for start in range(0, len(pks), CHUNK):
        if model._base_manager.filter(pk__in=pks[start : start + CHUNK]).exists():
            raise _refuse(
                f"this instance already holds {model._meta.label} rows with the archive's ids: "
                "import into an empty instance"
            )


def _import_users(user_rows: list[dict[str, Any]]) -> dict[int, int]:
    from allauth.account.models import EmailAddress

    user_model = _user_model()
    mapping: dict[int, int] = {}
    for row in user_rows:
        if not isinstance(row, dict) or not row.get("email") or "id" not in row:
            raise _refuse("users.json holds a person without an email or id")
        email = str(row["email"]).lower()
        existing = user_model._base_manager.filter(email__iexact=email).first()
        if existing is None:
            existing = user_model(
                email=email,
                full_name=row.get("full_name", ""),
                language=row.get("language", ""),
                is_active=bool(row.get("is_active", True)),
                password=row.get("password") or "!",
            )
            for name in ("date_joined", "last_login"):
                if row.get(name):
                    setattr(existing, name, _datetime(row[name]))
            existing.full_clean(exclude=["password", "date_joined", "last_login"])
            existing.save()
            EmailAddress.objects.create(user=existing, email=email, primary=True, verified=True)
        mapping[row["id"]] = existing.pk
    return mapping


def _datetime(value: str) -> Any:
    from django.utils.dateparse import parse_datetime

    parsed = parse_datetime(value)
    if parsed is None:
        raise _refuse(f"{value!r} is not a date and time")
    return parsed


def _restore_file(
    name: str, contents: dict[str, bytes], file_map: dict[str, str], written: list[str]
) -> str:
    if name in file_map:
        return file_map[name]
    member = f"files/{name}"
    if member not in contents:
        return name  # listed as missing at export time: the row keeps its name
    content = contents[member]
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            if handle.read() == content:
                file_map[name] = name
                return name
    saved = default_storage.save(name, ContentFile(content))
    written.append(saved)
    file_map[name] = saved
    return saved


def snapshot(partnership: Partnership) -> dict[str, list[dict[str, Any]]]:
    """Every row of the partnership with people as email addresses (for comparisons)."""
    user_model = _user_model()
    with scopes_disabled():
        emails = dict(user_model._base_manager.values_list("pk", "email"))
        result: dict[str, list[dict[str, Any]]] = {}
        for model in partnership_models():
            rows = _serialize(model._base_manager.filter(partnership=partnership))
            for row in rows:
                fields = row["fields"]
                fields.pop("partnership", None)
                for field in _user_fks(model):
                    if fields.get(field.name) is not None:
                        fields[field.name] = emails.get(fields[field.name])
                for field in model._meta.many_to_many:
                    # Order-free: a relation's order follows the related model's ordering.
                    values = fields.get(field.name, [])
                    if field.related_model is user_model:
                        values = [emails.get(pk) for pk in values]
                    fields[field.name] = sorted(values, key=str)
                if fields.get("target_type") == user_model._meta.label_lower:
                    fields["target_id"] = emails.get(int(fields["target_id"]))
            result[model._meta.label] = json.loads(json.dumps(rows, cls=_ExactEncoder))
    return result


__all__ = [
    "ArchiveRefused",
    "export_partnership",
    "import_partnership",
    "partnership_models",
    "snapshot",
]
