"""The collaboration demo data seeded by `manage.py seed_demo` (collaboration/demo.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django_scopes import scopes_disabled

from collaboration import selectors
from collaboration.models import (
    GroupProject,
    ProjectEvaluation,
    Resource,
    ResourceVersion,
)
from partnership import demo
from partnership.models import Partnership, Role, User
from partnership.tenancy import tenant_scope

pytestmark = pytest.mark.django_db

MODELS = (GroupProject, ProjectEvaluation, Resource, ResourceVersion)
WALES = demo.WELSH_CONSORTIUM.slug


def rows() -> dict[str, int]:
    with scopes_disabled():
        return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """The demo seeded twice (files in a temporary folder); rolled back at the end."""
    with (
        tempfile.TemporaryDirectory() as media,
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO(), quiet=True)
        first = rows()
        call_command("seed_demo", stdout=StringIO(), quiet=True)
        yield {
            "first": first,
            "second": rows(),
            "media": Path(media),
        }
        transaction.set_rollback(True)


def test_a_second_run_adds_nothing(seeded):
    assert seeded["second"] == seeded["first"]
    assert seeded["first"]["GroupProject"] >= 8
    assert seeded["first"]["ProjectEvaluation"] >= 2


def test_wales_has_sig_cluster_and_welsh_medium_subgroup_projects(seeded):
    with scopes_disabled():
        projects = list(
            GroupProject.objects.filter(partnership__slug=WALES).select_related("sig", "cluster")
        )
    assert any(p.cluster_id for p in projects)
    assert any(p.sig_id and p.sig.parent_id is None for p in projects)
    welsh = [p for p in projects if p.sig_id and p.sig.parent_id]
    assert welsh and welsh[0].sig.name.endswith("Welsh-medium group")
    assert all(p.budget_lines.exists() for p in projects)


def test_the_library_has_files_and_welsh_gaps(seeded):
    partnership = Partnership.objects.get(slug=WALES)
    with tenant_scope(partnership):
        gaps = list(selectors.welsh_gaps())
        stored = ResourceVersion.objects.exclude(file="").first()
        assert gaps
        assert stored.file.name.startswith(f"{partnership.pk}/resources/")
        content = (seeded["media"] / stored.file.name).read_text()
        assert content.startswith(stored.resource.title)


def test_the_printed_headteacher_runs_their_clusters_project(seeded):
    blueprint = demo.WELSH_CONSORTIUM
    head = User.objects.get(email=demo.login_email(blueprint, Role.HEADTEACHER))
    client = Client()
    client.force_login(head)
    with scopes_disabled():
        project = GroupProject.objects.get(
            partnership__slug=WALES, title="Smooth transition to Year 7"
        )
    page = client.get(f"/p/{WALES}/projects/{project.pk}/")
    assert page.status_code == 200
    assert "Record spending" in page.content.decode()
