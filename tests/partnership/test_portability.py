"""Portability: a partnership exported to an archive and imported into an empty instance
comes back whole (counts and contents); a bad archive is refused with nothing written."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEvent
from hubs.models import Document
from partnership import portability
from partnership.models import Membership, Partnership, Role, User
from tests.factories import (
    TENANT_FACTORIES,
    MembershipFactory,
    PartnershipFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
FILE_BYTES = b"%PDF-1.4 evidence of impact\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def fill(partnership: Partnership) -> None:
    """At least one row of every tenant model, people in roles, and an uploaded file."""
    school = SchoolFactory(partnership=partnership, name="Ysgol y Môr")
    for role in (Role.PARTNERSHIP_ADMIN, Role.SENIOR_CA, Role.HUB_LEAD):
        MembershipFactory(partnership=partnership, role=role)
    MembershipFactory(partnership=partnership, role=Role.HEADTEACHER, school=school)
    for model, factory in TENANT_FACTORIES.items():
        if not model._base_manager.filter(partnership=partnership).exists():
            factory(partnership=partnership)
    document = Document.objects.filter(partnership=partnership).first()
    default_storage.save(document.file.name, ContentFile(FILE_BYTES))


def every_row_count() -> int:
    return sum(m._base_manager.count() for m in portability.partnership_models())


def without_import_record(snapshot: dict) -> dict:
    snapshot["audit.AuditEvent"] = [
        row
        for row in snapshot["audit.AuditEvent"]
        if row["fields"]["action"] not in ("partnership.imported", "partnership.exported")
    ]
    return snapshot


@pytest.fixture
def exported(partnership, other_partnership):
    fill(partnership)
    fill(other_partnership)
    before = without_import_record(portability.snapshot(partnership))
    result = portability.export_partnership(partnership)
    return before, result


@pytest.fixture
def light_export(partnership):
    """A small archive, for the refusals (they read it before writing anything)."""
    school = SchoolFactory(partnership=partnership, name="Ysgol y Môr")
    MembershipFactory(partnership=partnership, role=Role.PARTNERSHIP_ADMIN)
    MembershipFactory(partnership=partnership, role=Role.HEADTEACHER, school=school)
    return portability.export_partnership(partnership)


def empty_the_instance(media_root: Path) -> None:
    """A fresh instance: no rows at all and no uploaded files."""
    if connection.vendor == "postgresql":
        # The test runs in a transaction: PostgreSQL refuses to TRUNCATE a table with
        # deferred foreign-key checks still pending, so run those checks now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django's tables are made
    for path in sorted(media_root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def test_every_tenant_model_is_exported(exported):
    _before, result = exported
    tenant_labels = {m._meta.label for m in TENANT_FACTORIES}

    assert tenant_labels <= set(result.counts)
    assert all(result.counts[label] >= 1 for label in tenant_labels)


def test_the_archive_holds_only_this_partnerships_rows(exported, partnership):
    before, result = exported

    for label, rows in before.items():
        assert result.counts[label] == len(rows), label
    with zipfile.ZipFile(io.BytesIO(result.data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        schools = json.loads(archive.read("data/schools.School.json"))
    assert manifest["format"] == "partnership-portal-archive"
    assert manifest["version"] == 1
    assert manifest["partnership"]["slug"] == "cwm"
    assert "Riverside" not in json.dumps(schools)


def test_round_trip_into_an_empty_instance_loses_nothing(exported, _media):
    before, result = exported
    empty_the_instance(_media)
    assert Partnership.objects.count() == 0

    imported = portability.import_partnership(result.data)

    after = without_import_record(portability.snapshot(imported.partnership))
    assert {label: len(rows) for label, rows in after.items()} == {
        label: len(rows) for label, rows in before.items()
    }
    assert after == before
    assert imported.partnership.slug == "cwm"
    assert imported.partnership.name == "Cwm Partnership"
    document = Document.objects.filter(partnership=imported.partnership).first()
    assert default_storage.open(document.file.name).read() == FILE_BYTES


def test_people_keep_their_password_and_roles(exported, _media, partnership):
    _before, result = exported
    admin = Membership.objects.filter(partnership=partnership, role="admin").first().user
    admin.set_password("a long passphrase 1")
    admin.save()
    result = portability.export_partnership(partnership)
    empty_the_instance(_media)

    portability.import_partnership(result.data)

    user = User.objects.get(email=admin.email)
    assert user.check_password("a long passphrase 1")
    assert Membership.objects.filter(user=user, role="admin").exists()


def test_the_commands_export_and_import(partnership, tmp_path, _media):
    fill(partnership)
    archive = tmp_path / "cwm.zip"
    out = StringIO()

    call_command("export_partnership", "cwm", output=str(archive), stdout=out)
    empty_the_instance(_media)
    call_command("import_partnership", str(archive), stdout=out)

    assert "Exported Cwm Partnership" in out.getvalue()
    assert "Imported Cwm Partnership" in out.getvalue()
    assert Partnership.objects.filter(slug="cwm").exists()


def test_an_export_is_recorded_in_the_audit_trail(partnership):
    portability.export_partnership(partnership)

    assert AuditEvent.objects.filter(action="partnership.exported").count() == 1


# --- Bad archives: refused, nothing written ---------------------------------------------


def rewrite(data: bytes, change) -> bytes:
    """A copy of the archive with `change(members)` applied, checksums kept as they were."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def refit_checksums(members: dict) -> None:
    manifest = json.loads(members["manifest.json"])
    manifest["members"] = {
        name: {"size": len(c), "sha256": hashlib.sha256(c).hexdigest()}
        for name, c in members.items()
        if name != "manifest.json"
    }
    members["manifest.json"] = json.dumps(manifest).encode()


def edit_manifest(**changes):
    def change(members):
        manifest = json.loads(members["manifest.json"])
        manifest.update(changes)
        members["manifest.json"] = json.dumps(manifest).encode()

    return change


def drop_a_school(members):
    name = "data/schools.School.json"
    members[name] = json.dumps(json.loads(members[name])[1:]).encode()
    refit_checksums(members)


def tamper(members):
    members["data/schools.School.json"] = members["data/schools.School.json"].replace(
        b"Ysgol", b"Xsgol"
    )


def unknown_model(members):
    manifest = json.loads(members["manifest.json"])
    manifest["counts"]["nowhere.Thing"] = 0
    members["manifest.json"] = json.dumps(manifest).encode()


def traversal(members):
    members["files/../../etc/passwd"] = b"root"


def dangling_user(members):
    name = "data/partnership.Membership.json"
    rows = json.loads(members[name])
    rows[0]["fields"]["user"] = 999_999
    members[name] = json.dumps(rows).encode()
    refit_checksums(members)


def bad_json(members):
    members["data/schools.School.json"] = b"{not json"
    refit_checksums(members)


def missing_manifest(members):
    del members["manifest.json"]


BAD_ARCHIVES = {
    "checksum": (tamper, "does not match its checksum"),
    "count": (drop_a_school, "rows the manifest says"),
    "version": (edit_manifest(version=99), "version 99 is not supported"),
    "format": (edit_manifest(format="something-else"), "not a partnership portal archive"),
    "unknown model": (unknown_model, "do not match its manifest|unknown models"),
    "path traversal": (traversal, "unsafe path"),
    "dangling person": (dangling_user, "person the archive does not hold"),
    "bad json": (bad_json, "not valid JSON"),
    "no manifest": (missing_manifest, "manifest.json is missing"),
    "newer migrations": (
        edit_manifest(migrations={"schools": "9999_from_the_future"}),
        "newer version",
    ),
}


@pytest.mark.parametrize("case", BAD_ARCHIVES, ids=list(BAD_ARCHIVES))
def test_a_bad_archive_is_refused_and_nothing_is_written(light_export, _media, case):
    result = light_export
    change, reason = BAD_ARCHIVES[case]
    bad = rewrite(result.data, change)
    empty_the_instance(_media)

    with pytest.raises(portability.ArchiveRefused, match=reason):
        portability.import_partnership(bad)

    assert every_row_count() == 0
    assert Partnership.objects.count() == 0
    assert User.objects.count() == 0
    assert not any(Path(_media).rglob("*.*"))


def test_not_a_zip_is_refused():
    with pytest.raises(portability.ArchiveRefused, match="not a zip archive"):
        portability.import_partnership(b"PK\x03\x04 definitely not a zip")


def test_an_oversized_archive_is_refused_before_reading(light_export):
    with pytest.raises(portability.ArchiveRefused, match="larger than"):
        portability.import_partnership(light_export.data, max_bytes=1000)


def test_an_existing_partnership_is_not_overwritten(light_export, partnership):
    result = light_export
    rows = every_row_count()

    with pytest.raises(portability.ArchiveRefused, match="exists"):
        portability.import_partnership(result.data)

    assert every_row_count() == rows


def test_rows_whose_ids_are_taken_are_refused(light_export, partnership):
    result = light_export
    partnership.slug = "cwm-old"
    partnership.save()
    rows = every_row_count()

    with pytest.raises(portability.ArchiveRefused, match="empty instance"):
        portability.import_partnership(result.data)

    assert every_row_count() == rows
    assert not Partnership.objects.filter(slug="cwm").exists()


def test_the_import_command_reports_a_refusal(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"nonsense")

    with pytest.raises(CommandError, match="Archive refused, nothing was imported"):
        call_command("import_partnership", str(bad))


def test_existing_people_are_matched_by_email(exported, _media, partnership):
    _before, result = exported
    admin_email = (
        Membership.objects.filter(partnership=partnership, role="admin").first().user.email
    )
    empty_the_instance(_media)
    existing = UserFactory(email=admin_email)
    other = PartnershipFactory(slug="elsewhere")
    MembershipFactory(partnership=other, user=existing, role=Role.HUB_LEAD, pk=900_000)

    imported = portability.import_partnership(result.data)

    assert User.objects.filter(email=admin_email).count() == 1
    assert Membership.objects.filter(
        partnership=imported.partnership, user=existing, role="admin"
    ).exists()
