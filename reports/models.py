"""Termly reports: every generation of a school's governor report or the board report.

A `ReportRun` is one generation (one version) of one report: a school's report for a
term, or the partnership's board report for a term. It moves queued -> running -> done
(its PDF stored through Django's storage API) or failed (with the error and a retry).
Earlier versions stay downloadable. The file path is `reports/<partnership>/<uuid>.pdf`
and is only ever served by a view that checks the reader's permission on every request;
URLs name a run by its random `token`, never by a guessable number.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnership.tenancy import TenantModel, TenantScopedManager


class ReportKind(models.TextChoices):
    SCHOOL = "school", _("School report for governors")
    BOARD = "board", _("Partnership board report")


class ReportRun(TenantModel):
    """One generation of a report; `version` counts generations of the same report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being generated")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    #: Statuses in which a run is still to finish (a second request joins it).
    ACTIVE = (Status.QUEUED, Status.RUNNING)

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("report"), max_length=10, choices=ReportKind.choices)
    term = models.ForeignKey(
        "partnership.Term", on_delete=models.CASCADE, related_name="report_runs"
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_runs",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    #: Percent done while running (sections built, then the PDF), for the progress bar.
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    #: Which worker attempt owns a running run; a second delivery cannot finish it.
    claim = models.UUIDField(null=True, blank=True, editable=False)
    #: End-of-term runs carry "end-of-term:<term>:<school|board>", so a scheduled run is
    #: made once per report and term however often the schedule fires.
    schedule_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: Storage name of the PDF; set only once the whole file is stored.
    file_path = models.CharField(max_length=255, blank=True, editable=False)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="school", school__isnull=False)
                | Q(kind="board", school__isnull=True),
                name="report_run_school_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["term", "school", "version"],
                condition=Q(school__isnull=False),
                name="report_run_school_version_unique",
            ),
            models.UniqueConstraint(
                fields=["term", "version"],
                condition=Q(school__isnull=True),
                name="report_run_board_version_unique",
            ),
            # One generation at a time per report: a double click joins the first one.
            models.UniqueConstraint(
                fields=["term", "school"],
                condition=Q(school__isnull=False, status__in=["queued", "running"]),
                name="report_run_one_active_per_school",
            ),
            models.UniqueConstraint(
                fields=["term"],
                condition=Q(school__isnull=True, status__in=["queued", "running"]),
                name="report_run_one_active_board",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(file_path=""), name="report_run_done_has_file"
            ),
        ]
        indexes = [models.Index(fields=["partnership", "term", "school", "status"])]

    def __str__(self) -> str:
        subject = self.school.name if self.school_id else _("Board report")
        return f"{subject} – {self.term} (v{self.version})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED
