"""Report generation on a real worker: a task delivered twice makes one report, and the
end-of-term run sent twice makes each report once and emails each governor once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from partnership.models import Role
from reports.models import ReportKind, ReportRun
from reports.tasks import generate_end_of_term_reports, generate_report
from tests.factories import MembershipFactory, PartnershipFactory, SchoolFactory, TermFactory
from tests.reports.factories import ReportRunFactory

from .conftest import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media_root(tmp_path, monkeypatch, settings):
    """One folder for the reports both the worker and this test read (set before the
    worker starts, which copies the environment)."""
    folder = tmp_path / "media"
    folder.mkdir()
    monkeypatch.setenv("MEDIA_ROOT", str(folder))
    settings.MEDIA_ROOT = folder
    return folder


def _pdfs(folder) -> list:
    return sorted(folder.glob("reports/*/*.pdf"))


def _all_done(term) -> bool:
    runs = ReportRun.objects.filter(term=term)
    return runs.exists() and not runs.exclude(status=ReportRun.Status.DONE).exists()


def test_a_report_task_delivered_twice_makes_one_report(media_root, celery_worker):
    partnership = PartnershipFactory()
    school = SchoolFactory(partnership=partnership)
    term = TermFactory(partnership=partnership)
    run = ReportRunFactory(
        partnership=partnership, term=term, kind=ReportKind.SCHOOL, school=school, version=1
    )
    generate_report.delay(partnership.pk, run.pk)
    generate_report.delay(partnership.pk, run.pk)  # the same message again, as on redelivery
    wait_for(lambda: ReportRun.objects.filter(pk=run.pk, status="done").exists(), timeout=90)
    time.sleep(3)  # give the second copy time to run
    run.refresh_from_db()
    assert run.attempts == 1
    assert len(_pdfs(media_root)) == 1
    assert (media_root / run.file_path).read_bytes().startswith(b"%PDF-")


def test_the_end_of_term_run_twice_makes_each_report_once_and_one_email(media_root, celery_worker):
    partnership = PartnershipFactory()
    today = timezone.localdate()
    term = TermFactory(
        partnership=partnership,
        season="summer",
        starts_on=today - timedelta(days=80),
        ends_on=today - timedelta(days=1),
    )
    school = SchoolFactory(partnership=partnership)
    MembershipFactory(partnership=partnership, role=Role.GOVERNOR, school=school)
    generate_end_of_term_reports.delay()
    generate_end_of_term_reports.delay()
    wait_for(lambda: ReportRun.objects.filter(term=term).count() == 2, timeout=90)
    wait_for(lambda: _all_done(term), timeout=120)
    wait_for(lambda: list(celery_worker.iterdir()), timeout=60)
    time.sleep(3)
    assert ReportRun.objects.filter(term=term).count() == 2  # the school's and the board's
    assert len(_pdfs(media_root)) == 2
    assert len(list(celery_worker.iterdir())) == 1  # one governor, one email
