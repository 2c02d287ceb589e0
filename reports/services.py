"""Writes of reports: terms, asking for a report, generating it (the task's body), the
end-of-term run and its emails. Each business rule lives here once."""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record_event
from partnership.models import Partnership, Term
from partnership.pdf import PdfRenderError, render_pdf
from partnership.services import queue_email
from partnership.tenancy import URL_KWARG
from schools.models import School

from . import selectors
from .models import ReportKind, ReportRun
from .sections import build_report

logger = logging.getLogger(__name__)

#: A run still "running" after this long lost its worker; a redelivered task takes it over.
STALE_AFTER = timedelta(seconds=getattr(settings, "REPORTS_STALE_AFTER_SECONDS", 900))
#: The end-of-term run looks back this many days, so a missed day of the schedule is
#: caught up (each report is still made once: see ReportRun.schedule_key).
END_OF_TERM_WINDOW_DAYS = getattr(settings, "REPORTS_END_OF_TERM_WINDOW_DAYS", 14)
PDF_TEMPLATE = "reports/pdf/report.html"


# --- Terms --------------------------------------------------------------------------------


def _check_term(
    *, academic_year: str, season: str, starts_on: date, ends_on: date, term: Term | None
) -> None:
    errors: dict[str, list[str]] = {}
    if starts_on and ends_on and ends_on <= starts_on:
        errors["ends_on"] = [_("The end date must be after the start date.")]
    elif starts_on and ends_on:
        for other in selectors.overlapping_terms(starts_on, ends_on, exclude=term):
            errors.setdefault("starts_on", []).append(
                _("These dates overlap %(term)s (%(starts)s to %(ends)s).")
                % {
                    "term": other,
                    "starts": other.starts_on.strftime("%d/%m/%Y"),
                    "ends": other.ends_on.strftime("%d/%m/%Y"),
                }
            )
    clash = Term.objects.filter(academic_year=academic_year, season=season)
    if term is not None and term.pk:
        clash = clash.exclude(pk=term.pk)
    if clash.exists():
        errors["season"] = [_("This academic year already has that term.")]
    if errors:
        raise ValidationError(errors)


def save_term(
    *,
    actor: Any,
    partnership: Partnership,
    academic_year: str,
    season: str,
    starts_on: date,
    ends_on: date,
    term: Term | None = None,
    request: Any = None,
) -> Term:
    """Create a term (or change `term`): its end after its start, overlapping no other
    term, one of each season per academic year. Raises ValidationError by field."""
    with transaction.atomic():
        _check_term(
            academic_year=academic_year,
            season=season,
            starts_on=starts_on,
            ends_on=ends_on,
            term=term,
        )
        created = term is None
        term = term or Term(partnership=partnership)
        term.academic_year, term.season = academic_year, season
        term.starts_on, term.ends_on = starts_on, ends_on
        term.full_clean(exclude=["partnership"])
        term.save()
        record_event(
            partnership=partnership,
            actor=actor,
            action="reports.term_created" if created else "reports.term_changed",
            target=term,
            detail={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
            request=request,
        )
    return term


# --- Asking for a report ------------------------------------------------------------------


def report_language(partnership: Partnership, school: School | None) -> str:
    """A school's report is in the school's language for reports; the board's in the
    partnership's default language."""
    language = school.report_language if school else partnership.default_language
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _active_run(term: Term, school: School | None) -> ReportRun | None:
    runs = ReportRun.objects.filter(term=term, status__in=ReportRun.ACTIVE)
    runs = runs.filter(school=school) if school else runs.filter(school__isnull=True)
    return runs.first()


def _new_run(
    *,
    partnership: Partnership,
    term: Term,
    school: School | None,
    actor: Any = None,
    schedule_key: str | None = None,
) -> ReportRun:
    runs = ReportRun.objects.filter(term=term)
    runs = runs.filter(school=school) if school else runs.filter(school__isnull=True)
    version = (runs.aggregate(v=Max("version"))["v"] or 0) + 1
    return ReportRun.objects.create(
        partnership=partnership,
        kind=ReportKind.SCHOOL if school else ReportKind.BOARD,
        term=term,
        school=school,
        version=version,
        language=report_language(partnership, school),
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        schedule_key=schedule_key,
    )


def _enqueue(run: ReportRun) -> None:
    from .tasks import generate_report

    def send() -> None:
        try:
            generate_report.delay(run.partnership_id, run.pk)
        except Exception:  # the broker is down: the run stays queued; "retry" sends it again
            logger.warning("Could not enqueue report run %s; it stays queued.", run.pk)

    transaction.on_commit(send, robust=True)


def request_report(
    *,
    actor: Any,
    partnership: Partnership,
    term: Term,
    school: School | None = None,
    request: Any = None,
) -> ReportRun:
    """A new version of a school's report (or the board's) for the term, generated in the
    background. While one is queued or running, asking again returns that one."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                run = _active_run(term, school)
                if run is not None:
                    return run
                run = _new_run(partnership=partnership, term=term, school=school, actor=actor)
                record_event(
                    partnership=partnership,
                    actor=actor,
                    action="reports.requested",
                    target=run,
                    detail={"version": run.version, "kind": run.kind},
                    request=request,
                )
                _enqueue(run)
                return run
        except IntegrityError:
            continue  # someone asked at the same moment: join their run
    run = _active_run(term, school)
    if run is None:
        raise ValidationError(_("The report could not be queued. Try again."))
    return run


def retry_run(*, actor: Any, run: ReportRun, request: Any = None) -> ReportRun:
    """Send a failed run back to the queue (its version is kept; no file was offered)."""
    with transaction.atomic():
        locked = ReportRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != ReportRun.Status.FAILED:
            return locked
        locked.status = ReportRun.Status.QUEUED
        locked.progress = 0
        locked.claim = None
        try:
            with transaction.atomic():
                locked.save(update_fields=["status", "progress", "claim"])
        except IntegrityError:
            # Another generation of this report is already under way: join it instead.
            return _active_run(locked.term, locked.school) or locked
        record_event(
            partnership=locked.partnership_id,
            actor=actor,
            action="reports.retried",
            target=locked,
            detail={"error": locked.error[:200]},
            request=request,
        )
        _enqueue(locked)
    return locked


# --- Generating (the task's body) ---------------------------------------------------------


def _claim(run_id: int) -> tuple[ReportRun | None, uuid.UUID | None]:
    """Take a queued run (or one whose worker was lost) for this attempt; None when the
    run is done, failed or being generated by another attempt."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return None, None
        stale = (
            run.status == ReportRun.Status.RUNNING
            and run.started_at is not None
            and run.started_at < timezone.now() - STALE_AFTER
        )
        if run.status != ReportRun.Status.QUEUED and not stale:
            return None, None
        claim = uuid.uuid4()
        run.status = ReportRun.Status.RUNNING
        run.claim = claim
        run.started_at = timezone.now()
        run.progress = 5
        run.attempts = F("attempts") + 1
        run.error = ""
        run.save(update_fields=["status", "claim", "started_at", "progress", "attempts", "error"])
    run.refresh_from_db()
    return run, claim


def _set_progress(run: ReportRun, claim: uuid.UUID, percent: int) -> None:
    ReportRun.objects.filter(pk=run.pk, claim=claim).update(progress=percent)


def render_report_pdf(run: ReportRun, *, on_progress: Any = None) -> bytes:
    """The PDF of a run's report, in the run's language."""
    with translation.override(run.language):
        report = build_report(
            run.kind,
            partnership=run.partnership,
            term=run.term,
            school=run.school,
            table_mode="visible",
            on_progress=on_progress,
        )
        return render_pdf(PDF_TEMPLATE, {"report": report, "partnership": run.partnership})


def storage_name(run: ReportRun) -> str:
    """Where a run's PDF is stored: under its partnership, named by a fresh random id."""
    return f"reports/{run.partnership_id}/{uuid.uuid4().hex}.pdf"


def generate(run_id: int) -> ReportRun | None:
    """Generate a run's PDF and store it; safe to call twice for the same run (the second
    call does nothing). A render that fails leaves the run "failed" with its error and no
    file. Raises only on transient errors (the database), for the task to retry."""
    run, claim = _claim(run_id)
    if run is None:
        return ReportRun.objects.filter(pk=run_id).first()
    name = ""
    try:
        content = render_report_pdf(
            run, on_progress=lambda done, total: _set_progress(run, claim, 5 + 80 * done // total)
        )
        _set_progress(run, claim, 90)
        name = default_storage.save(storage_name(run), ContentFile(content))
        with transaction.atomic():
            locked = ReportRun.objects.select_for_update().get(pk=run.pk)
            if locked.claim != claim or locked.status != ReportRun.Status.RUNNING:
                default_storage.delete(name)  # another attempt took over: keep theirs
                return locked
            locked.status = ReportRun.Status.DONE
            locked.file_path = name
            locked.file_size = len(content)
            locked.progress = 100
            locked.finished_at = timezone.now()
            locked.save(
                update_fields=["status", "file_path", "file_size", "progress", "finished_at"]
            )
            if locked.schedule_key and locked.school_id:
                notify_governors(locked)
        return locked
    except PdfRenderError as exc:
        _fail(run, claim, name, _("The PDF could not be made: %(error)s") % {"error": exc})
    except Exception as exc:
        if _is_transient(exc):
            _requeue(run, claim, name)
            raise
        logger.exception("Report run %s failed", run.pk)
        _fail(run, claim, name, f"{type(exc).__name__}: {exc}")
    return ReportRun.objects.filter(pk=run.pk).first()


def _is_transient(exc: Exception) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError)


def _fail(run: ReportRun, claim: uuid.UUID, name: str, error: str) -> None:
    if name:
        default_storage.delete(name)
    ReportRun.objects.filter(pk=run.pk, claim=claim).update(
        status=ReportRun.Status.FAILED,
        error=error[:2000],
        finished_at=timezone.now(),
        claim=None,
    )


def _requeue(run: ReportRun, claim: uuid.UUID, name: str) -> None:
    try:
        if name:
            default_storage.delete(name)
        ReportRun.objects.filter(pk=run.pk, claim=claim).update(
            status=ReportRun.Status.QUEUED, claim=None, progress=0
        )
    except Exception:  # the database is still away; the stale check recovers the run
        logger.warning("Could not put report run %s back in the queue.", run.pk)


def fail_for_good(run_id: int, error: str) -> None:
    """The task gave up retrying: show the run as failed (with a retry button)."""
    ReportRun.objects.filter(pk=run_id, status__in=ReportRun.ACTIVE).update(
        status=ReportRun.Status.FAILED, error=error[:2000], claim=None, finished_at=timezone.now()
    )


# --- End of term ------------------------------------------------------------------------


def report_url(run: ReportRun) -> str:
    """The report's page (sign-in required), where the latest version is downloaded."""
    kwargs = {URL_KWARG: run.partnership.slug, "term_pk": run.term_id}
    if run.school_id:
        path = reverse("reports:school_report", kwargs={**kwargs, "school_pk": run.school_id})
    else:
        path = reverse("reports:board_report", kwargs=kwargs)
    return settings.SITE_URL + path


def notify_governors(run: ReportRun) -> int:
    """Email each governor of the run's school a link to the report, once per governor
    and term (the outbox key), in the governor's own language."""
    sent = 0
    for membership in selectors.governors_of(run.school):
        user = membership.user
        if not user.is_active or not user.email:
            continue
        with translation.override(user.language or run.language):
            queue_email(
                partnership=run.partnership,
                key=f"reports:term-{run.term_id}:school-{run.school_id}:governor-{user.pk}",
                to=user.email,
                subject=_("%(school)s: termly report for %(term)s")
                % {"school": run.school.name, "term": run.term},
                template="reports/email/report_ready.txt",
                context={"run": run, "user": user, "url": report_url(run)},
            )
        sent += 1
    return sent


def schedule_end_of_term(*, partnership: Partnership, today: date | None = None) -> int:
    """For every term that ended in the last days (up to yesterday): one run of every
    school's report and of the board report, made once however often this is called.
    Returns how many runs it queued now."""
    today = today or timezone.localdate()
    first = today - timedelta(days=END_OF_TERM_WINDOW_DAYS)
    queued = 0
    for term in selectors.terms_ended_between(first, today - timedelta(days=1)):
        subjects: list[School | None] = [*School.objects.order_by("name", "pk"), None]
        keys = {
            (school.pk if school else None): (
                f"end-of-term:{term.pk}:{f'school-{school.pk}' if school else 'board'}"
            )
            for school in subjects
        }
        existing = set(
            ReportRun.objects.filter(schedule_key__in=keys.values()).values_list(
                "schedule_key", flat=True
            )
        )
        for school in subjects:
            key = keys[school.pk if school else None]
            if key in existing:
                continue
            try:
                with transaction.atomic():
                    if _active_run(term, school) is not None:
                        continue  # someone asked for it already; that run stands
                    run = _new_run(
                        partnership=partnership, term=term, school=school, schedule_key=key
                    )
                    _enqueue(run)
                    queued += 1
            except IntegrityError:
                continue  # a second scheduler made it at the same moment
    return queued
