"""Peer review: frameworks, cycles (one partnership's or joint), groups and teams, visits,
evidence, findings, the school's response, and who the findings are shared with.

Ownership across partnerships: a cycle belongs to its host partnership, and so does every
row that belongs to the cycle (groups, reviews, teams, visits, evidence, findings,
responses, shares, access log). Partnerships that agree to join a joint cycle reach those
rows only through `peerreview.selectors`, which is the one place that reads a cycle across
partnerships; everything else in a partnership stays behind django-scopes as usual.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partnership.tenancy import TenantModel, TenantScopedManager
from schools.models import SupportCategory

# --- Reviewers ---------------------------------------------------------------------------


class ReviewerProfile(TenantModel):
    """A person who can join review teams: their own school and when they were trained."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reviewer_profiles",
        verbose_name=_("person"),
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewer_profiles",
        verbose_name=_("their school"),
        help_text=_("Leave empty for reviewers who do not work in a school (e.g. advisers)."),
    )
    trained_on = models.DateField(
        _("date of peer-review training"),
        null=True,
        blank=True,
        help_text=_("Only trained reviewers can lead a review."),
    )
    is_active = models.BooleanField(_("available for reviews"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("reviewer profile")
        verbose_name_plural = _("reviewer profiles")
        ordering = ["user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "user"], name="reviewer_profile_unique_user"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_trained(self) -> bool:
        return self.trained_on is not None and self.trained_on <= timezone.localdate()


# --- Frameworks --------------------------------------------------------------------------


class Framework(TenantModel):
    """A review framework; its content lives in numbered versions."""

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("review framework")
        verbose_name_plural = _("review frameworks")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="framework_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class FrameworkVersion(TenantModel):
    """One version of a framework. A published version never changes again, so a cycle that
    started with it keeps exactly the areas and prompts it started with."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    notes = models.TextField(_("what changed in this version"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        ordering = ["framework__name", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="framework_version_unique_number"
            ),
            models.UniqueConstraint(
                fields=["framework"],
                condition=Q(status="draft"),
                name="framework_version_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return _("%(framework)s, version %(number)s") % {
            "framework": self.framework.name,
            "number": self.number,
        }

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class FrameworkArea(TenantModel):
    """A review area of one framework version (leadership, quality of teaching, ...)."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="areas")
    area = models.ForeignKey(
        "partnership.Area",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partnership area"),
        help_text=_("Optional: the partnership's area this review area reports under."),
    )
    name = models.CharField(_("name"), max_length=150)
    name_cy = models.CharField(_("name in Welsh"), max_length=150, blank=True)
    prompts = models.TextField(
        _("prompts"), blank=True, help_text=_("Questions for the review team, one per line.")
    )
    evidence_sources = models.TextField(
        _("evidence sources"),
        blank=True,
        help_text=_("Where the team looks for evidence, one per line."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("review area")
        verbose_name_plural = _("review areas")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="framework_area_unique_name"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if get_language() == "cy" and self.name_cy:
            return self.name_cy
        return self.name

    @property
    def prompt_list(self) -> list[str]:
        return [line.strip() for line in self.prompts.splitlines() if line.strip()]

    @property
    def evidence_source_list(self) -> list[str]:
        return [line.strip() for line in self.evidence_sources.splitlines() if line.strip()]


# --- Cycles ------------------------------------------------------------------------------


academic_year_validator = RegexValidator(r"^\d{4}/\d{2}$", _("Enter the academic year as 2025/26."))


class GroupKind(models.TextChoices):
    TRIAD = "triad", _("Triads: schools in a group review each other in turn")
    TEAM = "team", _("Teams: a team of reviewers for each reviewed school")


class Cycle(TenantModel):
    """A peer-review cycle run by its host partnership, alone or jointly with others."""

    name = models.CharField(_("name"), max_length=150)
    academic_year = models.CharField(
        _("academic year"), max_length=7, validators=[academic_year_validator]
    )
    window_start = models.DateField(_("first day for visits"))
    window_end = models.DateField(_("last day for visits"))
    framework_version = models.ForeignKey(
        FrameworkVersion,
        on_delete=models.PROTECT,
        related_name="cycles",
        verbose_name=_("framework version"),
    )
    group_kind = models.CharField(
        _("how schools are grouped"), max_length=10, choices=GroupKind.choices
    )
    team_size = models.PositiveSmallIntegerField(
        _("reviewers per team"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
    )
    forbid_same_cluster = models.BooleanField(
        _("No reviewer from the reviewed school's cluster"), default=True
    )
    forbid_reciprocal = models.BooleanField(
        _("No reciprocal pairs (two schools reviewing each other)"), default=True
    )
    max_reviews_per_reviewer = models.PositiveSmallIntegerField(
        _("most reviews one reviewer joins in the cycle"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    previous_cycle = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous cycle"),
        help_text=_("Grouping avoids repeating who reviewed whom in this cycle."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("peer-review cycle")
        verbose_name_plural = _("peer-review cycles")
        ordering = ["-window_start", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="cycle_unique_name"),
            models.CheckConstraint(
                condition=Q(window_end__gte=F("window_start")), name="cycle_window_order"
            ),
            models.CheckConstraint(
                condition=Q(team_size__gte=1) & Q(max_reviews_per_reviewer__gte=1),
                name="cycle_positive_sizes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.academic_year})"

    def in_window(self, day) -> bool:
        return self.window_start <= day <= self.window_end


class CycleParticipation(TenantModel):
    """A partnership's place in a cycle. `partnership` is the participant (the host has a
    row too), so each partnership sees its own invitations within its own scope."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        AGREED = "agreed", _("Agreed to join")
        DECLINED = "declined", _("Declined")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="participations")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.INVITED
    )
    is_host = models.BooleanField(default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("cycle participation")
        verbose_name_plural = _("cycle participations")
        ordering = ["-is_host", "invited_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "partnership"], name="cycle_participation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership} – {self.get_status_display()}"


class ReviewGroup(TenantModel):
    """A group of schools in a cycle (e.g. a triad) whose reviewers review each other."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("review group")
        verbose_name_plural = _("review groups")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "name"], name="review_group_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Review(TenantModel):
    """One school's review in a cycle: its team, visits, evidence, findings, response."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reviews")
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="peer_reviews",
        verbose_name=_("reviewed school"),
    )
    group = models.ForeignKey(
        ReviewGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("group"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["school__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "school"], name="review_unique_school"),
        ]

    def __str__(self) -> str:
        return _("Review of %(school)s") % {"school": self.school.name}


class ReviewTeamMember(TenantModel):
    """A reviewer on one review's team; exactly one member leads."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="team")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_team_places"
    )
    profile = models.ForeignKey(ReviewerProfile, on_delete=models.PROTECT, related_name="+")
    is_lead = models.BooleanField(_("lead reviewer"), default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("review team member")
        verbose_name_plural = _("review team members")
        ordering = ["-is_lead", "reviewer__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "reviewer"], name="team_member_unique"),
            models.UniqueConstraint(
                fields=["review"], condition=Q(is_lead=True), name="team_one_lead"
            ),
        ]

    def __str__(self) -> str:
        return str(self.reviewer)


# --- Visits ------------------------------------------------------------------------------


class Visit(TenantModel):
    """A day the review team spends in the reviewed school."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="visits")
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("start time"), default=datetime.time(8, 45))
    ends_at = models.TimeField(_("end time"), default=datetime.time(15, 30))
    location = models.CharField(_("where to meet"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    # Calendar clients replace an event when SEQUENCE grows: bumped on every change.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["date", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="visit_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review.school.name} – {self.date:%d/%m/%Y}"


# --- Evidence, findings, response --------------------------------------------------------


class EvidenceNote(TenantModel):
    """A reviewer's evidence for one framework area; saved (and autosaved) as a draft until
    the findings are submitted."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="evidence")
    area = models.ForeignKey(FrameworkArea, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("evidence"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("evidence note")
        verbose_name_plural = _("evidence notes")
        ordering = ["area__position", "author__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "area", "author"], name="evidence_unique_per_author"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} – {self.author}"


class Judgement(models.TextChoices):
    STRONG = "strong", _("Strong")
    SECURE = "secure", _("Secure")
    DEVELOPING = "developing", _("Developing")
    PRIORITY = "priority", _("A priority for improvement")


class Findings(TenantModel):
    """The review team's findings for one review. Submitted by the lead; then frozen."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="findings")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    summary = models.TextField(_("summary"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("findings")
        verbose_name_plural = _("findings")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="findings_submitted_has_date",
            ),
        ]

    def __str__(self) -> str:
        return _("Findings for %(school)s") % {"school": self.review.school.name}

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class AreaFinding(TenantModel):
    """What went well and even better if, for one framework area."""

    findings = models.ForeignKey(Findings, on_delete=models.CASCADE, related_name="areas")
    area = models.ForeignKey(FrameworkArea, on_delete=models.PROTECT, related_name="+")
    went_well = models.TextField(_("what went well"), blank=True)
    even_better_if = models.TextField(_("even better if"), blank=True)
    judgement = models.CharField(
        _("judgement (optional)"), max_length=12, choices=Judgement.choices, blank=True
    )

    objects = TenantScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finding for an area")
        verbose_name_plural = _("findings for areas")
        ordering = ["area__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["findings", "area"], name="area_finding_unique"),
        ]

    def __str__(self) -> str:
        return str(self.area)

    @property
    def has_content(self) -> bool:
        return bool(self.went_well.strip() or self.even_better_if.strip())


class SchoolResponse(TenantModel):
    """The reviewed school's response to its findings, its action plan and follow-up date."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="response")
    response = models.TextField(_("the school's response"))
    action_plan = models.TextField(_("action plan"))
    follow_up_on = models.DateField(_("follow-up date"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("school's response")
        verbose_name_plural = _("schools' responses")

    def __str__(self) -> str:
        return _("Response of %(school)s") % {"school": self.review.school.name}


# --- Confidentiality ---------------------------------------------------------------------


class ShareAudience(models.TextChoices):
    CHALLENGE_ADVISER = "ca", _("The school's challenge adviser")
    GOVERNORS = "governors", _("The school's governors")
    PANEL = "panel", _("The partnership's panel members")


class FindingsShare(TenantModel):
    """The reviewed school's headteacher shares the findings with an audience."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="shares")
    audience = models.CharField(_("shared with"), max_length=12, choices=ShareAudience.choices)
    # For a challenge adviser: the person who was the school's CA when it was shared.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    shared_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("findings share")
        verbose_name_plural = _("findings shares")
        ordering = ["-shared_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "audience"],
                condition=Q(revoked_at__isnull=True),
                name="findings_share_one_active_per_audience",
            ),
        ]

    def __str__(self) -> str:
        return self.get_audience_display()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AppendOnlyError(Exception):
    """Access-log rows are written once and never changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The findings access log is append-only.")

    def delete(self):
        raise AppendOnlyError("The findings access log is append-only.")


class AccessBasis(models.TextChoices):
    """Why someone may read a review's findings."""

    HEADTEACHER = "headteacher", _("Headteacher of the reviewed school")
    TEAM = "team", _("Member of the review team")
    SHARED_CA = "shared_ca", _("Shared with the school's challenge adviser")
    SHARED_GOVERNORS = "shared_governors", _("Shared with the school's governors")
    SHARED_PANEL = "shared_panel", _("Shared with the partnership's panel members")


class FindingsAccess(TenantModel):
    """One read of a review's findings: who, when, how, and why they were allowed."""

    class Action(models.TextChoices):
        VIEWED = "viewed", _("Viewed")
        DOWNLOADED = "downloaded", _("Downloaded")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="access_log")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    user_label = models.CharField(max_length=260)
    action = models.CharField(max_length=12, choices=Action.choices, default=Action.VIEWED)
    basis = models.CharField(_("allowed as"), max_length=20, choices=AccessBasis.choices)
    accessed_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TenantScopedManager(models.Manager.from_queryset(AppendOnlyQuerySet))

    class Meta:
        verbose_name = _("findings access")
        verbose_name_plural = _("findings access log")
        ordering = ["-accessed_at", "-pk"]

    def __str__(self) -> str:
        return (
            f"{self.user_label} – {self.get_action_display()} – {self.accessed_at:%d/%m/%Y %H:%M}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("The findings access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The findings access log is append-only.")


# --- Moderation of the school's support category -----------------------------------------


class ModerationVerdict(models.TextChoices):
    CONFIRMED = "confirmed", _("The review confirms the category")
    CHALLENGED = "challenged", _("The review challenges the category")


class CategoryModeration(TenantModel):
    """What a review says about the reviewed school's claimed support category, and the
    outcome its challenge adviser recorded in the school's category history."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="moderation")
    claimed_category = models.CharField(
        _("claimed category"), max_length=10, choices=SupportCategory.choices
    )
    verdict = models.CharField(_("verdict"), max_length=12, choices=ModerationVerdict.choices)
    suggested_category = models.CharField(
        _("category the review suggests"),
        max_length=10,
        choices=SupportCategory.choices,
        blank=True,
    )
    rationale = models.TextField(_("why"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    outcome_category = models.CharField(
        _("moderated category"), max_length=10, choices=SupportCategory.choices, blank=True
    )
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)
    category_change = models.ForeignKey(
        "schools.CategoryChange",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = TenantScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("category moderation")
        verbose_name_plural = _("category moderations")
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict="confirmed") | ~Q(suggested_category=""),
                name="moderation_challenge_suggests_category",
            ),
        ]

    def __str__(self) -> str:
        return _("Moderation of %(school)s") % {"school": self.review.school.name}

    @property
    def has_outcome(self) -> bool:
        return self.outcome_at is not None
