"""Panels: who sits on them and for how long, the needs they identify, their meetings,
the judgements they make on evaluations, and the partnership's consultations.

A panel (usually one per area) has seats by type; a person holds a seat for a term
(`PanelMember`), so rotation is visible and enforced. The panel identifies needs for its
area, opens commissioning calls from them, and meets: agenda items with minutes (draft
until approved), attendance and apologies, and actions that carry forward as matters
arising until they are done.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.tenancy import TenantModel, TenantScopedManager

#: Defaults a panel starts with; each panel can change its own.
DEFAULT_MAX_CONSECUTIVE_TERMS = 2
DEFAULT_TERM_WARNING_DAYS = 60


class SeatType(models.TextChoices):
    STRATEGIC_LEAD = "strategic_lead", _("Strategic lead")
    HEADTEACHER = "headteacher", _("Headteacher")
    HUB_LEAD = "hub_lead", _("Hub lead")
    CHALLENGE_ADVISER = "challenge_adviser", _("Challenge adviser")
    AREA_EXPERT = "area_expert", _("Area expert")
    HIGHER_EDUCATION = "higher_education", _("Higher education")
    PUPIL = "pupil", _("Pupil")
    GOVERNOR = "governor", _("Governor")
    TEACHER = "teacher", _("Teacher")
    WELSH_MEDIUM = "welsh_medium", _("Welsh-medium voice")
    LA_ALN = "la_aln", _("Local authority / ALN")


#: Seat types whose holders see only the papers marked for them.
RESTRICTED_SEAT_TYPES = frozenset({SeatType.PUPIL, SeatType.GOVERNOR})


class Panel(TenantModel):
    """A panel of the partnership, usually for one area, with its terms of reference."""

    name = models.CharField(_("name"), max_length=150)
    area = models.ForeignKey(
        "partnership.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="panels",
        verbose_name=_("area"),
        help_text=_("Leave empty for a panel that is not about one area (e.g. leadership)."),
    )
    purpose = models.TextField(_("purpose"))
    terms_of_reference = models.TextField(_("terms of reference"), blank=True)
    max_consecutive_terms = models.PositiveSmallIntegerField(
        _("maximum consecutive terms"),
        default=DEFAULT_MAX_CONSECUTIVE_TERMS,
        help_text=_("How many terms in a row one person may serve on this panel."),
    )
    term_warning_days = models.PositiveSmallIntegerField(
        _("warn before a term ends (days)"), default=DEFAULT_TERM_WARNING_DAYS
    )
    required_voices = models.JSONField(
        _("voices the panel must include"),
        default=list,
        blank=True,
        help_text=_("Seat types the composition check expects to be filled."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    stakeholder_group = models.CharField(
        _("stakeholder group it forms"),
        max_length=20,
        blank=True,
        choices=[
            ("strategy_group", _("Strategy group")),
            ("advisory_board", _("Advisory board")),
        ],
        help_text=_(
            "For a partnership group run as a panel: its current members are invited when a "
            "consultation asks this group."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="panel_unique_name"),
            models.CheckConstraint(
                condition=Q(max_consecutive_terms__gte=1), name="panel_max_terms_at_least_one"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Seat(TenantModel):
    """A place on a panel for one kind of voice (a panel may have several of one type)."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="seats")
    seat_type = models.CharField(_("seat type"), max_length=20, choices=SeatType.choices)
    label = models.CharField(
        _("description"),
        max_length=150,
        blank=True,
        help_text=_("For example: primary headteacher, Welsh-medium secondary."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        kind = SeatType(self.seat_type).label
        return f"{kind}: {self.label}" if self.label else str(kind)


class PanelMember(TenantModel):
    """A person holding a seat for one term (start and end dates, both included)."""

    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="terms")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="panel_terms",
        verbose_name=_("person"),
    )
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    is_chair = models.BooleanField(_("chairs the panel"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="panel_member_term_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.seat} ({self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y})"

    def is_current(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.starts_on <= today <= self.ends_on


# --- Identified needs -----------------------------------------------------------------------


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class NeedStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    COMMISSIONED = "commissioned", _("Call opened")
    CLOSED = "closed", _("Closed")


class IdentifiedNeed(TenantModel):
    """A need the panel identifies for its area, with its priority and evidence."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="needs")
    title = models.CharField(_("need"), max_length=200)
    description = models.TextField(_("what the evidence shows"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.IDENTIFIED
    )
    call = models.ForeignKey(
        "hubs.Call",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="panel_needs",
        verbose_name=_("commissioning call"),
    )
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["panel", "pk"]

    def __str__(self) -> str:
        return self.title


class EvidenceLink(TenantModel):
    """A link to the evidence behind a need (a survey summary, a report, a dashboard)."""

    need = models.ForeignKey(IdentifiedNeed, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("web address"), max_length=500)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


# --- Meetings ----------------------------------------------------------------------------------


class Meeting(TenantModel):
    """A panel meeting; calendar clients update their copy when `sequence` grows."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=250)
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.panel} – {timezone.localtime(self.starts_at):%d/%m/%Y}"

    @property
    def minutes_approved(self) -> bool:
        return self.minutes_approved_at is not None


class ItemKind(models.TextChoices):
    ITEM = "item", _("Agenda item")
    MATTERS_ARISING = "matters_arising", _("Matters arising")


class AgendaItem(TenantModel):
    """One item on a meeting's agenda, with its presenter, minutes and decision."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=ItemKind.choices, default=ItemKind.ITEM)
    title = models.CharField(_("title"), max_length=200)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("presenter"),
    )
    paper = models.TextField(_("paper"), blank=True)
    for_all_seats = models.BooleanField(
        _("share with pupil and governor members"),
        default=False,
        help_text=_("Pupils and governors on the panel see only the items marked for them."),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    decision = models.TextField(_("decision"), blank=True)
    decision_published = models.BooleanField(
        _("publish the decision to the partnership"), default=False
    )
    carried_action = models.ForeignKey(
        "Action",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="carried_into",
    )

    objects = TenantScopedManager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "carried_action"],
                condition=Q(carried_action__isnull=False),
                name="agenda_item_action_carried_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    APOLOGIES = "apologies", _("Apologies")
    ABSENT = "absent", _("Absent")


class MeetingAttendance(TenantModel):
    """Whether a person came to a meeting or sent apologies."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_status_display()}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


#: Actions in these states carry forward to the next meeting.
OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Action(TenantModel):
    """Something a named person will do by a date, agreed at a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="panel_actions",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due by"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES


# --- Evaluation review -------------------------------------------------------------------------


class EvaluationJudgement(models.TextChoices):
    CONTINUE = "continue", _("Continue")
    CHANGE = "change", _("Change")
    STOP = "stop", _("Stop")


class Evaluation(TenantModel):
    """A panel's judgement on a programme (hubs) or a support agreement (brokerage) of its
    area, made on the impact results it had then; listed for the whole partnership.

    A later judgement on the same subject does not replace an earlier one: both stay, the
    newest is the panel's current view.
    """

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="evaluations")
    programme = models.ForeignKey(
        "hubs.Programme",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="panel_evaluations",
    )
    agreement = models.ForeignKey(
        "brokerage.SupportAgreement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="panel_evaluations",
    )
    judgement = models.CharField(_("judgement"), max_length=10, choices=EvaluationJudgement.choices)
    rationale = models.TextField(_("rationale"))
    #: The impact results the panel saw, as shown on the page when it judged (plain text).
    evidence = models.TextField(_("evidence seen"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(programme__isnull=False) & Q(agreement__isnull=True))
                | (Q(programme__isnull=True) & Q(agreement__isnull=False)),
                name="evaluation_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject}: {self.get_judgement_display()}"

    @property
    def subject(self) -> Any:
        return self.programme if self.programme_id else self.agreement


# --- Consultations -------------------------------------------------------------------------


class StakeholderGroup(models.TextChoices):
    STAFF = "staff", _("Staff")
    STRATEGY_GROUP = "strategy_group", _("Strategy group")
    ADVISORY_BOARD = "advisory_board", _("Advisory board")
    HEADTEACHERS = "headteachers", _("Headteachers")


class Consultation(TenantModel):
    """A discussion paper (sections with questions) that invited stakeholder groups answer
    between `opens_at` and `closes_at`."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), help_text=_("Why the partnership is consulting."))
    panel = models.ForeignKey(
        Panel,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("panel leading it"),
        help_text=_("Its chair sees the collated responses with the admin."),
    )
    groups = models.JSONField(_("invited groups"), default=list)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-opens_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "title"], name="consultation_unique_title"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="consultation_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def has_closed(self, now: Any = None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    def group_labels(self) -> list[str]:
        return [str(StakeholderGroup(g).label) for g in self.groups if g in StakeholderGroup.values]


class ConsultationSection(TenantModel):
    """A section of the discussion paper: a heading, its text, and its questions."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField(_("heading"), max_length=200)
    body = models.TextField(_("text of the section"), blank=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.heading


class ConsultationQuestion(TenantModel):
    """A question of a section, answered in free text."""

    section = models.ForeignKey(
        ConsultationSection, on_delete=models.CASCADE, related_name="questions"
    )
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("question"))

    objects = TenantScopedManager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ConsultationResponse(TenantModel):
    """One person's response, given for one of the groups they belong to; once only."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="responses"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultation_responses"
    )
    group = models.CharField(_("responding as"), max_length=20, choices=StakeholderGroup.choices)
    submitted_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "respondent"], name="consultation_response_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.respondent} ({self.get_group_display()})"


class ConsultationAnswer(TenantModel):
    """The answer of one response to one question."""

    response = models.ForeignKey(
        ConsultationResponse, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        ConsultationQuestion, on_delete=models.CASCADE, related_name="answers"
    )
    text = models.TextField(_("answer"))

    objects = TenantScopedManager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="consultation_answer_once"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]
