"""Terms, asking for reports, generating them once, failing cleanly, the end-of-term run."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from partnership.models import OutboundEmail, Role, Term
from reports import services
from reports.models import ReportKind, ReportRun
from tests.factories import SchoolFactory, TermFactory
from tests.reports.factories import ReportRunFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _stored_files(partnership) -> list[str]:
    folder = f"reports/{partnership.pk}"
    return default_storage.listdir(folder)[1] if default_storage.exists(folder) else []


# --- Terms --------------------------------------------------------------------------------


def _save(partnership, admin, **fields):
    data = {
        "academic_year": "2026/27",
        "season": "autumn",
        "starts_on": date(2026, 9, 1),
        "ends_on": date(2026, 12, 18),
        **fields,
    }
    return services.save_term(actor=admin, partnership=partnership, **data)


def test_a_term_is_saved_with_its_dates(partnership, admin_user):
    term = _save(partnership, admin_user)
    assert str(term) == "Autumn 2026/27"
    assert Term.objects.filter(partnership=partnership).count() == 1


def test_a_term_ending_before_it_starts_is_refused(partnership, admin_user):
    with pytest.raises(ValidationError) as error:
        _save(partnership, admin_user, ends_on=date(2026, 8, 1))
    assert "The end date must be after the start date." in error.value.message_dict["ends_on"]
    assert not Term.objects.exists()


def test_overlapping_terms_are_refused(partnership, admin_user):
    _save(partnership, admin_user)
    with pytest.raises(ValidationError) as error:
        _save(partnership, admin_user, season="spring", starts_on=date(2026, 12, 1))
    assert "overlap Autumn 2026/27" in error.value.message_dict["starts_on"][0]


def test_the_same_season_twice_in_a_year_is_refused(partnership, admin_user):
    _save(partnership, admin_user)
    with pytest.raises(ValidationError) as error:
        _save(partnership, admin_user, starts_on=date(2027, 1, 5), ends_on=date(2027, 3, 30))
    assert "season" in error.value.message_dict


def test_a_term_can_be_changed_without_clashing_with_itself(partnership, admin_user):
    term = _save(partnership, admin_user)
    _save(partnership, admin_user, term=term, ends_on=date(2026, 12, 20))
    term.refresh_from_db()
    assert term.ends_on == date(2026, 12, 20)


# --- Asking and generating ----------------------------------------------------------------


def test_asking_twice_while_queued_joins_the_first_run(partnership, term, school, admin_user):
    first = services.request_report(
        actor=admin_user, partnership=partnership, term=term, school=school
    )
    second = services.request_report(
        actor=admin_user, partnership=partnership, term=term, school=school
    )
    assert first.pk == second.pk
    assert first.status == ReportRun.Status.QUEUED
    assert first.language == "en"


def test_a_report_is_generated_stored_and_versioned(
    partnership, term, report_school, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.request_report(
            actor=admin_user, partnership=partnership, term=term, school=report_school
        )
    first.refresh_from_db()
    assert first.status == ReportRun.Status.DONE
    assert first.progress == 100
    assert first.file_path.startswith(f"reports/{partnership.pk}/")
    assert default_storage.open(first.file_path).read(5) == b"%PDF-"
    with django_capture_on_commit_callbacks(execute=True):
        second = services.request_report(
            actor=admin_user, partnership=partnership, term=term, school=report_school
        )
    second.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.file_path != second.file_path
    assert len(_stored_files(partnership)) == 2  # the earlier version stays


def test_generating_the_same_run_twice_makes_one_report(partnership, term, school):
    run = ReportRunFactory(
        partnership=partnership, term=term, kind=ReportKind.SCHOOL, school=school
    )
    services.generate(run.pk)
    services.generate(run.pk)  # the task delivered again
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    assert run.attempts == 1
    assert len(_stored_files(partnership)) == 1


def test_a_run_whose_worker_was_lost_is_taken_over(partnership, term, school):
    run = ReportRunFactory(
        partnership=partnership,
        term=term,
        kind=ReportKind.SCHOOL,
        school=school,
        status=ReportRun.Status.RUNNING,
        started_at=timezone.now() - timedelta(hours=2),
    )
    services.generate(run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE


def test_a_run_being_generated_elsewhere_is_left_alone(partnership, term, school):
    run = ReportRunFactory(
        partnership=partnership,
        term=term,
        kind=ReportKind.SCHOOL,
        school=school,
        status=ReportRun.Status.RUNNING,
        started_at=timezone.now(),
    )
    services.generate(run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING
    assert _stored_files(partnership) == []


@pytest.fixture
def broken_renderer(monkeypatch):
    """WeasyPrint failing as it does when a font is missing."""
    import weasyprint

    def fail(self, *args, **kwargs):
        raise OSError("cannot load font DejaVu Sans")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", fail)


def test_a_failed_render_is_failed_with_its_error_and_no_file(
    partnership, term, school, broken_renderer
):
    run = ReportRunFactory(
        partnership=partnership, term=term, kind=ReportKind.SCHOOL, school=school
    )
    services.generate(run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert "cannot load font" in run.error
    assert run.file_path == ""
    assert _stored_files(partnership) == []


def test_a_failed_run_can_be_retried(partnership, term, school, admin_user, monkeypatch):
    import weasyprint

    original = weasyprint.HTML.write_pdf
    monkeypatch.setattr(
        weasyprint.HTML, "write_pdf", lambda *a, **k: (_ for _ in ()).throw(OSError("no font"))
    )
    run = ReportRunFactory(
        partnership=partnership, term=term, kind=ReportKind.SCHOOL, school=school
    )
    services.generate(run.pk)
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", original)
    retried = services.retry_run(actor=admin_user, run=run)
    assert retried.status == ReportRun.Status.QUEUED
    services.generate(run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    assert run.error == ""
    assert run.attempts == 2


# --- The end-of-term run ------------------------------------------------------------------


@pytest.fixture
def ended_term(partnership):
    today = timezone.localdate()
    return TermFactory(
        partnership=partnership,
        academic_year="2025/26",
        season="summer",
        starts_on=today - timedelta(days=90),
        ends_on=today - timedelta(days=1),
    )


def test_the_end_of_term_run_makes_every_report_once_and_emails_governors_once(
    partnership, ended_term, member_factory, django_capture_on_commit_callbacks
):
    schools = [SchoolFactory(partnership=partnership) for _ in range(2)]
    governor = member_factory(partnership, Role.GOVERNOR, school=schools[0])
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.schedule_end_of_term(partnership=partnership)
    assert queued == 3  # two schools and the board
    with django_capture_on_commit_callbacks(execute=True):
        again = services.schedule_end_of_term(partnership=partnership)
    assert again == 0
    runs = ReportRun.objects.filter(term=ended_term)
    assert runs.count() == 3
    assert set(runs.values_list("status", flat=True)) == {ReportRun.Status.DONE}
    assert runs.filter(kind=ReportKind.BOARD).count() == 1
    emails = OutboundEmail.objects.filter(to=governor.email)
    assert emails.count() == 1
    assert f"/reports/terms/{ended_term.pk}/schools/{schools[0].pk}/" in emails.get().body


def test_terms_that_have_not_ended_are_not_reported_yet(partnership, term, school):
    assert services.schedule_end_of_term(partnership=partnership) == 0
    assert not ReportRun.objects.exists()
