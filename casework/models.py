"""Challenge-adviser casework: caseloads (with their history), visit notes and their agreed
actions, and the yearly categorisation round (self-evaluation, proposal, moderation)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.tenancy import TenantModel, TenantScopedManager
from schools.models import SupportCategory

# --- Caseloads ---------------------------------------------------------------------------


class AdviserKind(models.TextChoices):
    CHALLENGE_ADVISER = "ca", _("Challenge adviser")
    PARTNER_CA = "partner_ca", _("Partner challenge adviser (a headteacher)")


class CaseloadAssignment(TenantModel):
    """Who was a school's challenge adviser, from when until when. The open row (no end
    date) is the current one and matches School.challenge_adviser."""

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="adviser_assignments"
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="caseload_assignments",
        verbose_name=_("challenge adviser"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AdviserKind.choices)
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("caseload assignment")
        constraints = [
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(ended_on__isnull=True),
                name="casework_one_current_adviser",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} – {self.adviser}"


class AdviserTeam(TenantModel):
    """A senior challenge adviser and the group of advisers they oversee."""

    name = models.CharField(_("name"), max_length=120)
    senior_adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_adviser_teams",
        verbose_name=_("senior challenge adviser"),
    )
    advisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="adviser_teams", blank=True
    )

    objects = TenantScopedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("adviser team")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="casework_team_name"),
        ]

    def __str__(self) -> str:
        return self.name


# --- Visits --------------------------------------------------------------------------------


class CaseworkVisit(TenantModel):
    """A challenge adviser's note of a visit to a school. A draft is the adviser's own; a
    shared note is seen by the school's headteachers, who may comment on it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SHARED = "shared", _("Shared with the school")

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="casework_visits",
        verbose_name=_("school"),
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="casework_visits",
        verbose_name=_("challenge adviser"),
    )
    visited_on = models.DateField(_("date of the visit"))
    focus = models.CharField(_("focus"), max_length=200)
    met_with = models.TextField(_("who was met"), blank=True)
    findings = models.TextField(_("findings"), blank=True)
    next_visit_on = models.DateField(_("next visit"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    shared_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("visit note")
        indexes = [models.Index(fields=["partnership", "school", "visited_on"])]

    def __str__(self) -> str:
        return _("Visit to %(school)s on %(date)s") % {
            "school": self.school.name,
            "date": self.visited_on.isoformat(),
        }

    @property
    def is_shared(self) -> bool:
        return self.status == self.Status.SHARED


class VisitAction(TenantModel):
    """An action agreed at a visit: who does what by when. Shown on the school's page and
    the adviser's dashboard until it is done."""

    class Status(models.TextChoices):
        OPEN = "open", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    visit = models.ForeignKey(CaseworkVisit, on_delete=models.CASCADE, related_name="actions")
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="casework_actions"
    )
    description = models.TextField(_("action"))
    owner = models.CharField(_("owner"), max_length=150)
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("visit action")
        indexes = [models.Index(fields=["partnership", "school", "status", "due_on"])]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())


class VisitComment(TenantModel):
    """A comment on a shared visit note (usually the headteacher's)."""

    visit = models.ForeignKey(CaseworkVisit, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("visit comment")

    def __str__(self) -> str:
        return self.text[:80]


# --- Categorisation ------------------------------------------------------------------------


class RoundStage(models.TextChoices):
    SELF_EVALUATION = "self_evaluation", _("School self-evaluation")
    PROPOSAL = "proposal", _("Challenge adviser proposals")
    MODERATION = "moderation", _("Moderation")
    COMPLETE = "complete", _("Complete")


#: The order of a round's stages; a round only moves forward.
STAGE_ORDER = [
    RoundStage.SELF_EVALUATION,
    RoundStage.PROPOSAL,
    RoundStage.MODERATION,
    RoundStage.COMPLETE,
]


class CategorisationRound(TenantModel):
    """The yearly categorisation round, on the timetable the partnership sets."""

    name = models.CharField(_("name"), max_length=120)
    academic_year = models.CharField(_("academic year"), max_length=9, help_text=_("e.g. 2026/27"))
    self_evaluation_due = models.DateField(_("self-evaluations due"))
    proposals_due = models.DateField(_("proposals due"))
    moderation_on = models.DateField(_("moderation meeting"))
    publish_on = models.DateField(_("final categories published"))
    stage = models.CharField(
        _("stage"), max_length=16, choices=RoundStage.choices, default=RoundStage.SELF_EVALUATION
    )
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="moderated_rounds",
        blank=True,
        verbose_name=_("headteachers on the moderation panel"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-self_evaluation_due", "-id"]
        verbose_name = _("categorisation round")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="casework_round_name"),
            models.CheckConstraint(
                condition=Q(self_evaluation_due__lte=models.F("proposals_due"))
                & Q(proposals_due__lte=models.F("moderation_on"))
                & Q(moderation_on__lte=models.F("publish_on")),
                name="casework_round_timetable_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EvaluationArea(models.TextChoices):
    STANDARDS = "standards", _("Standards")
    WELLBEING = "wellbeing", _("Wellbeing and attitudes to learning")
    TEACHING = "teaching", _("Teaching and learning experiences")
    CARE = "care", _("Care, support and guidance")
    LEADERSHIP = "leadership", _("Leadership and management")


class Judgement(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    ADEQUATE = "adequate", _("Adequate and needs improvement")
    UNSATISFACTORY = "unsatisfactory", _("Unsatisfactory and needs urgent improvement")


class StandardsGroup(models.TextChoices):
    ONE = "1", _("Standards group 1")
    TWO = "2", _("Standards group 2")
    THREE = "3", _("Standards group 3")
    FOUR = "4", _("Standards group 4")


class ImprovementCapacity(models.TextChoices):
    A = "A", _("A: highly effective")
    B = "B", _("B: strong")
    C = "C", _("C: developing")
    D = "D", _("D: limited")


class ModerationOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed the proposal")
    CHANGED = "changed", _("Changed the proposal")


class SchoolCategorisation(TenantModel):
    """One school's record in a round: its self-evaluation, the adviser's proposal, the
    moderation's decision and the school's view of it. Disagreement stays on the record."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        SELF_EVALUATED = "self_evaluated", _("Self-evaluation submitted")
        PROPOSED = "proposed", _("Category proposed")
        CONFIRMED = "confirmed", _("Category confirmed")

    round = models.ForeignKey(CategorisationRound, on_delete=models.CASCADE, related_name="records")
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="categorisations"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    self_evaluation_summary = models.TextField(_("self-evaluation summary"), blank=True)
    self_evaluation_submitted_at = models.DateTimeField(null=True, blank=True)
    proposed_category = models.CharField(
        _("proposed category"), max_length=10, choices=SupportCategory.choices, blank=True
    )
    proposal_rationale = models.TextField(_("rationale"), blank=True)
    standards_group = models.CharField(
        _("standards group"), max_length=1, choices=StandardsGroup.choices, blank=True
    )
    improvement_capacity = models.CharField(
        _("improvement capacity"), max_length=1, choices=ImprovementCapacity.choices, blank=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    final_category = models.CharField(
        _("final category"), max_length=10, choices=SupportCategory.choices, blank=True
    )
    moderation_outcome = models.CharField(
        _("outcome"), max_length=10, choices=ModerationOutcome.choices, blank=True
    )
    moderation_reason = models.TextField(_("reason"), blank=True)
    moderation_dissent = models.TextField(_("views that differed"), blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    category_change = models.ForeignKey(
        "schools.CategoryChange",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    school_agrees = models.BooleanField(_("the school agrees"), null=True, blank=True)
    school_response = models.TextField(_("the school's response"), blank=True)
    school_responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    school_responded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["school__name", "id"]
        verbose_name = _("school categorisation")
        constraints = [
            models.UniqueConstraint(fields=["round", "school"], name="casework_one_record"),
        ]

    def __str__(self) -> str:
        return f"{self.school} – {self.round}"

    @property
    def disagrees(self) -> bool:
        return self.school_agrees is False


class SelfEvaluationJudgement(TenantModel):
    """The school's own judgement of one area, with its evidence."""

    record = models.ForeignKey(
        SchoolCategorisation, on_delete=models.CASCADE, related_name="judgements"
    )
    area = models.CharField(_("area"), max_length=16, choices=EvaluationArea.choices)
    judgement = models.CharField(_("judgement"), max_length=16, choices=Judgement.choices)
    evidence = models.TextField(_("evidence"))

    objects = TenantScopedManager()

    class Meta:
        ordering = ["record", "area"]
        verbose_name = _("self-evaluation judgement")
        constraints = [
            models.UniqueConstraint(fields=["record", "area"], name="casework_one_judgement"),
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.get_judgement_display()}"
