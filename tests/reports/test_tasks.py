"""The tasks in-process: the daily end-of-term task and one report's generation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from partnership.models import OutboundEmail, Role
from reports.models import ReportKind, ReportRun
from reports.tasks import generate_end_of_term_reports, generate_report
from tests.factories import PartnershipFactory, SchoolFactory, TermFactory
from tests.reports.factories import ReportRunFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_daily_task_reports_each_partnership_whose_term_ended(
    partnership, member_factory, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    ended = TermFactory(
        partnership=partnership,
        season="summer",
        starts_on=today - timedelta(days=80),
        ends_on=today - timedelta(days=2),
    )
    school = SchoolFactory(partnership=partnership, report_language="cy")
    governor = member_factory(partnership, Role.GOVERNOR, school=school, language="cy")
    other = PartnershipFactory()
    TermFactory(
        partnership=other, starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=50)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert generate_end_of_term_reports.delay().get() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert generate_end_of_term_reports.delay().get() == 0  # the next day's run
    school_run = ReportRun.objects.get(kind=ReportKind.SCHOOL)
    assert school_run.term == ended
    assert school_run.status == ReportRun.Status.DONE
    assert school_run.language == "cy"
    assert not ReportRun.objects.filter(partnership=other).exists()
    email = OutboundEmail.objects.get(to=governor.email)
    assert school.name in email.subject


def test_the_generate_task_returns_the_runs_state(partnership, term, school):
    run = ReportRunFactory(
        partnership=partnership, term=term, kind=ReportKind.SCHOOL, school=school
    )
    assert generate_report.delay(partnership.pk, run.pk).get() == "done"
    assert generate_report.delay(partnership.pk, run.pk).get() == "done"  # redelivered
    run.refresh_from_db()
    assert run.attempts == 1
