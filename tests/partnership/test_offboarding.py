"""Offboarding: `delete_partnership` removes one partnership's rows and files, all or
nothing, and leaves every other partnership exactly as it was.

Two small demo partnerships are seeded once for the module (the demo's own seeders, so
real data with uploaded resources and a board-report PDF, plus a row of every tenant
model from the factories): Kingsmere hosts a joint peer-review cycle with Gorllewin, as
in the full demo. Each test works in a copy of the seeded files and its rows roll back.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import models, transaction
from django.db.models.signals import pre_delete
from django.test.utils import override_settings
from django_scopes import scope, scopes_disabled

from hubs.models import Document
from partnership import demo, offboarding, portability
from partnership.models import Membership, Partnership, User
from peerreview.demo import JOINT_GUEST, JOINT_HOST
from peerreview.models import CycleParticipation
from schools.models import School
from tests.factories import TENANT_FACTORIES, MembershipFactory

pytestmark = pytest.mark.django_db
SCHOOLS = 24  # enough clusters for peer review, so the joint cycle is made


@dataclass(frozen=True)
class Seeded:
    media: Path


def seed_small_demo(slug: str, name: str, seed: int) -> Partnership:
    blueprint = replace(demo.scale_blueprint(SCHOOLS), slug=slug, name=name, seed=seed)
    partnership = demo.seed(blueprint).partnership
    for model, factory in TENANT_FACTORIES.items():
        if not model._base_manager.filter(partnership=partnership).exists():
            factory(partnership=partnership)
    for document in Document.objects.filter(partnership=partnership):
        default_storage.save(document.file.name, ContentFile(b"%PDF-1.4 evidence\n"))
    return partnership


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Seeded]:
    """Both partnerships, once for the module; rolled back at its end."""
    media = tmp_path_factory.mktemp("seeded") / "media"
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        scopes_disabled(),
        transaction.atomic(),
    ):
        guest = seed_small_demo(JOINT_GUEST, "Gorllewin (offboarding test)", 11)
        host = seed_small_demo(JOINT_HOST, "Kingsmere (offboarding test)", 12)
        # Someone who works in both: their account stays in use.
        shared = Membership.objects.filter(partnership=host).first().user
        MembershipFactory(partnership=guest, user=shared, role="hub_lead")
        yield Seeded(media=media)
        transaction.set_rollback(True)


@pytest.fixture
def media(seeded, settings, tmp_path) -> Path:
    """This test's own copy of the seeded files."""
    folder = tmp_path / "media"
    shutil.copytree(seeded.media, folder)
    settings.MEDIA_ROOT = folder
    return folder


@pytest.fixture
def host(media) -> Partnership:
    return Partnership.objects.get(slug=JOINT_HOST)


@pytest.fixture
def guest(media) -> Partnership:
    return Partnership.objects.get(slug=JOINT_GUEST)


@pytest.fixture
def guest_has_left_the_joint_cycle(host, guest) -> None:
    """What an operator resolves first: the guest's place in the host's joint cycle."""
    CycleParticipation._base_manager.filter(partnership=guest, cycle__partnership=host).delete()


def rows_of(partnership_id: int) -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.filter(partnership_id=partnership_id).count()
        for model in portability.partnership_models()
    }


def every_row() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in portability.partnership_models() + [Partnership, User]
    }


def files_in(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def files_of(partnership_id: int, files: dict[str, bytes]) -> set[str]:
    """Stored files are named `<partnership id>/...` (reports: `reports/<id>/...`)."""
    return {
        name
        for name in files
        if name.startswith(f"{partnership_id}/") or name.startswith(f"reports/{partnership_id}/")
    }


def delete(partnership: Partnership, capture) -> dict[str, int]:
    with capture(execute=True):  # the files go when the transaction commits
        return offboarding.delete_partnership(partnership, actor_description="test")


# --- Deleting ---------------------------------------------------------------------------------


def test_the_seeded_partnership_holds_rows_of_every_model_and_all_kinds_of_file(host, media):
    rows = rows_of(host.pk)
    files = files_of(host.pk, files_in(media))

    assert {label for label, count in rows.items() if count == 0} <= {
        label for label in rows if ".Historical" in label
    }
    assert any("/resources/" in name for name in files)
    assert any(name.startswith("reports/") for name in files)
    assert any(name.count("/") == 1 for name in files)  # hub evidence documents


def test_every_row_of_the_partnership_is_deleted(
    host, guest_has_left_the_joint_cycle, django_capture_on_commit_callbacks
):
    host_id = host.pk
    before = rows_of(host_id)

    counts = delete(host, django_capture_on_commit_callbacks)

    assert set(rows_of(host_id).values()) == {0}
    assert not Partnership.objects.filter(pk=host_id).exists()
    assert counts["schools.School"] == before["schools.School"] >= SCHOOLS
    assert counts["partnership.Partnership"] == 1


def test_the_other_partnership_is_left_exactly_as_it_was(
    host, guest, guest_has_left_the_joint_cycle, django_capture_on_commit_callbacks
):
    before = portability.snapshot(guest)

    delete(host, django_capture_on_commit_callbacks)

    assert portability.snapshot(guest) == before


def test_its_files_are_removed_and_the_other_partnerships_kept(
    host, guest, guest_has_left_the_joint_cycle, media, django_capture_on_commit_callbacks
):
    before = files_in(media)
    host_files = files_of(host.pk, before)
    guest_files = files_of(guest.pk, before)

    counts = delete(host, django_capture_on_commit_callbacks)

    after = files_in(media)
    assert host_files and guest_files
    assert not host_files & set(after)
    assert set(after) == set(before) - host_files
    assert {name: after[name] for name in guest_files} == {n: before[n] for n in guest_files}
    assert counts[offboarding.FILES] == len(host_files)


def test_files_stay_until_the_transaction_commits(
    host, guest_has_left_the_joint_cycle, media, django_capture_on_commit_callbacks
):
    before = files_in(media)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        offboarding.delete_partnership(host, actor_description="test")

    assert files_in(media) == before
    assert len(callbacks) == 1


def test_people_keep_their_accounts_and_those_left_without_a_partnership_are_counted(
    host, guest, guest_has_left_the_joint_cycle, django_capture_on_commit_callbacks
):
    members = set(Membership.objects.filter(partnership=host).values_list("user_id", flat=True))
    elsewhere = set(Membership.objects.filter(partnership=guest).values_list("user_id", flat=True))
    accounts = User.objects.count()

    counts = delete(host, django_capture_on_commit_callbacks)

    assert members & elsewhere  # the person who works in both
    assert counts[offboarding.PEOPLE_LEFT] == len(members - elsewhere)
    assert User.objects.count() == accounts


def test_a_failure_half_way_deletes_nothing(
    host, guest_has_left_the_joint_cycle, media, django_capture_on_commit_callbacks
):
    rows, files = every_row(), files_in(media)
    seen: dict[str, bool] = {}

    def refuse(sender, instance, **kwargs):
        # A receiver that refuses (as another app's might): late in the order, so most of
        # the partnership's rows have already been deleted in this transaction.
        seen["memberships_gone"] = not Membership._base_manager.filter(partnership=host).exists()
        raise RuntimeError("this school cannot be deleted")

    pre_delete.connect(refuse, sender=School, dispatch_uid="offboarding-test")
    try:
        with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
            offboarding.delete_partnership(host, actor_description="test")
    finally:
        pre_delete.disconnect(sender=School, dispatch_uid="offboarding-test")

    assert seen == {"memberships_gone": True}
    assert every_row() == rows
    assert files_in(media) == files


# --- Another partnership's rows are never touched ---------------------------------------------


def test_a_host_whose_joint_cycle_has_a_guest_is_refused_with_nothing_deleted(
    host, media, django_capture_on_commit_callbacks
):
    rows, files = every_row(), files_in(media)

    with pytest.raises(offboarding.OffboardingRefused, match=r"peerreview\.CycleParticipation"):
        delete(host, django_capture_on_commit_callbacks)

    assert every_row() == rows
    assert files_in(media) == files


def test_a_guest_whose_schools_the_host_reviews_is_refused(guest):
    blockers = offboarding.foreign_references(guest)

    assert blockers["peerreview.Review.school"] >= 1
    assert blockers["peerreview.ReviewTeamMember.profile"] >= 1
    with pytest.raises(offboarding.OffboardingRefused, match=r"peerreview\.Review\.school"):
        offboarding.delete_partnership(guest, actor_description="test")
    assert Partnership.objects.filter(pk=guest.pk).exists()


# --- The order ------------------------------------------------------------------------------


def test_every_model_is_deleted_before_the_models_it_refers_to():
    tenant = portability.partnership_models()
    order = offboarding.deletion_order(tenant)
    position = {model: index for index, model in enumerate(order)}

    assert sorted(position, key=lambda m: m._meta.label) == sorted(
        tenant, key=lambda m: m._meta.label
    )
    for model in tenant:
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target in position and target is not model:
                assert position[model] < position[target], f"{model} -> {field.name}"
        tracked = getattr(model, "instance_type", None)
        if tracked in position:
            assert position[tracked] < position[model]


def test_protected_references_are_among_those_ordered():
    order = offboarding.deletion_order(portability.partnership_models())
    labels = [model._meta.label for model in order]
    protected = [
        (model._meta.label, field.related_model._meta.label)
        for model in order
        for field in model._meta.concrete_fields
        if field.is_relation
        and field.remote_field.on_delete is models.PROTECT
        and field.related_model in order
    ]

    assert ("schools.School", "schools.LocalAuthority") in protected
    for referrer, target in protected:
        assert labels.index(referrer) < labels.index(target)


# --- The command -------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("delete_partnership", *args, stdout=out)
    return out.getvalue()


def test_without_yes_it_prints_the_counts_and_deletes_nothing(guest, media):
    rows, files = every_row(), files_in(media)
    schools = School.objects.filter(partnership=guest).count()

    output = run(guest.slug)

    assert "Dry run" in output
    assert re.search(rf"^  schools\.School +{schools}$", output, re.M)
    assert "Nothing was deleted" in output
    assert every_row() == rows
    assert files_in(media) == files


def test_the_dry_run_lists_what_stops_the_deletion(host):
    output = run(host.slug)

    assert "cannot be deleted yet" in output
    assert "peerreview.CycleParticipation.cycle" in output


def test_an_unknown_short_name_is_an_error():
    with pytest.raises(CommandError, match="No partnership with the short name 'nowhere'"):
        run("nowhere", "--yes")


def test_yes_exports_first_then_deletes(
    host, guest_has_left_the_joint_cycle, tmp_path, django_capture_on_commit_callbacks
):
    archive = tmp_path / "kingsmere-final.zip"
    schools = School.objects.filter(partnership=host).count()

    with scope(), django_capture_on_commit_callbacks(execute=True):  # a command's empty scope
        output = run(host.slug, "--export", str(archive), "--yes")

    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as opened:
        manifest = json.loads(opened.read("manifest.json"))
    assert manifest["partnership"]["slug"] == JOINT_HOST
    assert manifest["counts"]["schools.School"] == schools
    assert not Partnership.objects.filter(slug=JOINT_HOST).exists()
    assert "Deleted Kingsmere (offboarding test)" in output
    assert "accounts are kept" in output


def test_a_failed_export_deletes_nothing(host, guest_has_left_the_joint_cycle, tmp_path):
    rows = every_row()

    with pytest.raises(CommandError, match="export failed, nothing was deleted"):
        run(host.slug, "--export", str(tmp_path / "no-such-folder" / "k.zip"), "--yes")

    assert Partnership.objects.filter(slug=JOINT_HOST).exists()
    assert every_row() == {**rows, "audit.AuditEvent": rows["audit.AuditEvent"] + 1}


def test_a_refused_deletion_is_a_command_error(host):
    with pytest.raises(CommandError, match="Not deleted: other partnerships' rows refer"):
        run(host.slug, "--yes")
