"""Surveys: the annual needs survey of headteachers and participants' impact surveys.

**Impact surveys.** Every confirmed programme enrolment (hubs) and every active or closed
support agreement (brokerage) gets an **ImpactInvitation** at three points: the start,
the end and six months after (offsets in the partnership's **SurveySettings**). The
invitation carries a personal, single-use, expiring link; the participant's answers are
one **ImpactResponse** (Likert 1-5 scales and free text).

**Needs survey.** A partnership admin opens a **NeedsSurveyRound** to every headteacher
with a deadline; each school gives one **NeedsSurveyResponse** (draft, then submitted)
ranking its priority areas (**NeedsAreaPriority**) and saying what it needs and how it
wants it delivered. Results roll up into regional need (see selectors.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.tenancy import TenantModel, TenantScopedManager

LIKERT_MIN, LIKERT_MAX = 1, 5
LIKERT_VALIDATORS = [MinValueValidator(LIKERT_MIN), MaxValueValidator(LIKERT_MAX)]


def default_reminder_offsets() -> list[int]:
    return [3, 7]


def default_needs_reminder_days() -> list[int]:
    return [7, 1]


class SurveySettings(TenantModel):
    """When a partnership's impact surveys and reminders go out (one row per partnership)."""

    start_offset_days = models.PositiveSmallIntegerField(
        _("start survey: days after the first session"), default=0
    )
    end_offset_days = models.PositiveSmallIntegerField(
        _("end survey: days after the last session"), default=1
    )
    follow_up_offset_days = models.PositiveSmallIntegerField(
        _("follow-up survey: days after the end"), default=182
    )
    reminder_offsets = models.JSONField(
        _("reminders: days after the invitation"), default=default_reminder_offsets
    )
    max_reminders = models.PositiveSmallIntegerField(_("at most this many reminders"), default=2)
    link_valid_days = models.PositiveSmallIntegerField(
        _("a link works for this many days"), default=30, validators=[MinValueValidator(1)]
    )
    needs_reminder_days = models.JSONField(
        _("needs survey reminders: days before the deadline"),
        default=default_needs_reminder_days,
        blank=True,
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")
        constraints = [
            models.UniqueConstraint(fields=["partnership"], name="survey_settings_one_per_tenant"),
        ]

    def __str__(self) -> str:
        return str(_("Survey settings"))

    def reminder_days(self) -> list[int]:
        """The reminder offsets in use: sorted, positive, at most max_reminders of them."""
        days = sorted({int(d) for d in self.reminder_offsets or [] if int(d) > 0})
        return days[: self.max_reminders]

    def needs_reminder_days_before(self) -> list[int]:
        """Days before a needs survey's deadline to remind, furthest first."""
        return sorted({int(d) for d in self.needs_reminder_days or [] if int(d) > 0}, reverse=True)


class SurveyPoint(models.TextChoices):
    START = "start", _("Start")
    END = "end", _("End")
    FOLLOW_UP = "follow_up", _("Six months after")


class ImpactInvitation(TenantModel):
    """One participant asked about one programme or agreement at one point in time."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        OPTED_OUT = "opted_out", _("Opted out")

    point = models.CharField(_("survey"), max_length=10, choices=SurveyPoint.choices)
    enrolment = models.ForeignKey(
        "hubs.Enrolment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="impact_invitations",
    )
    agreement = models.ForeignKey(
        "brokerage.SupportAgreement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="impact_invitations",
    )
    # Copies, so results roll up per programme, hub, area and provider without joins
    # through both kinds of source.
    programme = models.ForeignKey(
        "hubs.Programme", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    area = models.ForeignKey("partnership.Area", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="impact_invitations"
    )
    provider = models.ForeignKey(
        "schools.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The school that gave the support (agreements only).",
    )
    full_name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email address"))
    nonce = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    due_on = models.DateField(_("due on"))
    expires_at = models.DateTimeField(_("link expires"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    email_record = models.ForeignKey(
        "partnership.OutboundEmail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("impact survey invitation")
        ordering = ["-due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolment__isnull=False, agreement__isnull=True)
                | Q(enrolment__isnull=True, agreement__isnull=False),
                name="impact_invitation_one_source",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "point"],
                condition=Q(enrolment__isnull=False),
                name="impact_invitation_once_per_enrolment",
            ),
            models.UniqueConstraint(
                fields=["agreement", "email", "point"],
                condition=Q(agreement__isnull=False),
                name="impact_invitation_once_per_agreement_person",
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "status", "due_on"]),
            models.Index(fields=["programme", "point"]),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} – {self.get_point_display()} ({self.source_title})"

    @property
    def source_title(self) -> str:
        if self.programme_id:
            return str(self.programme)
        return str(self.agreement)

    @property
    def is_open(self) -> bool:
        return (
            self.answered_at is None
            and self.opted_out_at is None
            and self.expires_at > timezone.now()
        )


class ImpactResponse(TenantModel):
    """A participant's answers; one per invitation, never replaced."""

    invitation = models.OneToOneField(
        ImpactInvitation, on_delete=models.CASCADE, related_name="response"
    )
    point = models.CharField(max_length=10, choices=SurveyPoint.choices)
    confidence = models.PositiveSmallIntegerField(
        _("My confidence in this area"), validators=LIKERT_VALIDATORS
    )
    knowledge = models.PositiveSmallIntegerField(
        _("My knowledge of this area"), validators=LIKERT_VALIDATORS
    )
    practice = models.PositiveSmallIntegerField(
        _("My practice in the classroom"), validators=LIKERT_VALIDATORS
    )
    school_change = models.PositiveSmallIntegerField(
        _("Change across my school"), validators=LIKERT_VALIDATORS
    )
    comment = models.TextField(_("Anything else you want to tell us"), blank=True)
    lasted = models.TextField(_("What has lasted"), blank=True)
    spread = models.TextField(_("What has spread beyond one classroom"), blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("impact survey response")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gte=1, confidence__lte=5)
                & Q(knowledge__gte=1, knowledge__lte=5)
                & Q(practice__gte=1, practice__lte=5)
                & Q(school_change__gte=1, school_change__lte=5),
                name="impact_response_likert_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitation}"


class SurveyOptOut(TenantModel):
    """A participant who asked for no more impact surveys from this partnership."""

    email = models.EmailField(_("email address"))
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("impact survey opt-out")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "email"], name="survey_opt_out_once"),
        ]

    def __str__(self) -> str:
        return self.email


# --- Annual needs survey ------------------------------------------------------------------


class DeliveryMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("A mix of both")
    NO_PREFERENCE = "any", _("No preference")


class PreferredLanguage(models.TextChoices):
    ENGLISH = "english", _("English")
    WELSH = "welsh", _("Welsh")
    BILINGUAL = "bilingual", _("Bilingual")
    NO_PREFERENCE = "any", _("No preference")


class NeedsSurveyRound(TenantModel):
    """The annual survey of every headteacher about next year's needs."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not open yet")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=150)
    academic_year = models.CharField(_("for the academic year"), max_length=7)
    introduction = models.TextField(_("introduction for headteachers"), blank=True)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("needs survey round")
        ordering = ["-deadline", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def accepts_answers(self) -> bool:
        return self.is_open and timezone.localdate() <= self.deadline


class NeedsSurveyResponse(TenantModel):
    """One school's answer to a needs survey round: a draft until submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    round = models.ForeignKey(NeedsSurveyRound, on_delete=models.CASCADE, related_name="responses")
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="needs_survey_responses"
    )
    needs = models.TextField(_("What does your school need next year?"), blank=True)
    delivery_mode = models.CharField(
        _("How would you like support delivered?"),
        max_length=12,
        choices=DeliveryMode.choices,
        blank=True,
    )
    language = models.CharField(
        _("In which language?"), max_length=12, choices=PreferredLanguage.choices, blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("needs survey response")
        ordering = ["round", "school__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "school"], name="needs_response_once"),
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.round}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class NeedsAreaPriority(TenantModel):
    """An area a school ranked in its needs survey response (1 = top priority)."""

    #: Points an area gets for each rank, for the regional roll-up.
    POINTS = {1: 3, 2: 2, 3: 1}

    response = models.ForeignKey(
        NeedsSurveyResponse, on_delete=models.CASCADE, related_name="priorities"
    )
    area = models.ForeignKey("partnership.Area", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(3)])

    objects = TenantScopedManager()

    class Meta:
        ordering = ["response", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["response", "rank"], name="needs_priority_rank_once"),
            models.UniqueConstraint(fields=["response", "area"], name="needs_priority_area_once"),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=3), name="needs_priority_rank_1_to_3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response}: {self.rank}. {self.area}"
