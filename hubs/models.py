"""Hubs and what they do: designations under an SLA, programmes and enrolments,
commissioning (calls, bids, awards) and the files that evidence them."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.tenancy import TenantModel, TenantScopedManager
from schools.models import Phase

from .fields import ChoiceListField

#: Money: pounds with pence, never negative.
MONEY = {"max_digits": 10, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
#: The top of the scale a bid is scored on, per criterion.
MAX_SCORE = 5


def non_negative(field: str, name: str) -> models.CheckConstraint:
    """A database check that `field` is never below zero (money, days, counts)."""
    return models.CheckConstraint(condition=Q(**{f"{field}__gte": 0}), name=name)


# --- Hub designation ---------------------------------------------------------------------


class HubStatus(models.TextChoices):
    DESIGNATED = "designated", _("Designated")
    UNDER_REVIEW = "under_review", _("Under review")
    ENDED = "ended", _("Ended")


class Hub(TenantModel):
    """One school or several ("distributed hub") designated for an area for a period."""

    name = models.CharField(_("name"), max_length=150)
    area = models.ForeignKey(
        "partnership.Area", on_delete=models.PROTECT, related_name="hubs", verbose_name=_("area")
    )
    schools = models.ManyToManyField(
        "schools.School", related_name="hubs", verbose_name=_("hub schools")
    )
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("designated from"))
    ends_on = models.DateField(_("designated until"))
    status = models.CharField(
        _("status"), max_length=20, choices=HubStatus.choices, default=HubStatus.DESIGNATED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("hub")
        verbose_name_plural = _("hubs")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="hub_unique_name"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="hub_period_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceLevelAgreement(TenantModel):
    """The terms of one designation period: funding and what the hub delivers for it."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="agreements")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    funding = models.DecimalField(_("funding (£)"), **MONEY)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("service level agreement")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            non_negative("funding", "sla_funding_not_negative"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="sla_period_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hub}: {self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y}"


class DeliverableKind(models.TextChoices):
    NETWORK_MEETINGS = "network_meetings", _("Run network meetings")
    SCHOOL_SUPPORT = "school_support", _("Support a named school")
    PROGRAMME = "programme", _("Deliver a programme")
    REPORT = "report", _("Report to the partnership")
    OTHER = "other", _("Other")


class DeliverableStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")


class Deliverable(TenantModel):
    """One thing the SLA asks of the hub, with a due date, status and evidence files."""

    agreement = models.ForeignKey(
        ServiceLevelAgreement, on_delete=models.CASCADE, related_name="deliverables"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DeliverableKind.choices)
    title = models.CharField(_("what will be delivered"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    supported_school = models.ForeignKey(
        "schools.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school supported"),
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DeliverableStatus.choices,
        default=DeliverableStatus.NOT_STARTED,
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    progress_note = models.TextField(_("progress"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("deliverable")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.status
            in (
                DeliverableStatus.NOT_STARTED,
                DeliverableStatus.IN_PROGRESS,
            )
            and self.due_on < timezone.localdate()
        )


class BudgetCategory(models.TextChoices):
    STAFFING = "staffing", _("Staff time and supply cover")
    VENUES = "venues", _("Venues and catering")
    RESOURCES = "resources", _("Resources and materials")
    EXTERNAL = "external", _("External expertise")
    TRAVEL = "travel", _("Travel")
    ADMINISTRATION = "administration", _("Administration")
    OTHER = "other", _("Other")


class BudgetLine(TenantModel):
    """Planned and actual spend of an SLA's funding in one category."""

    agreement = models.ForeignKey(
        ServiceLevelAgreement, on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    description = models.CharField(_("description"), max_length=200)
    planned = models.DecimalField(_("planned (£)"), **MONEY)
    actual = models.DecimalField(_("spent so far (£)"), default=Decimal("0"), **MONEY)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("budget line")
        ordering = ["category", "pk"]
        constraints = [
            non_negative("planned", "budget_planned_not_negative"),
            non_negative("actual", "budget_actual_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description}"


class RedesignationCriterion(TenantModel):
    """A published criterion every hub is reviewed against before it is re-designated."""

    title = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("what the panel looks for"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("re-designation criterion")
        verbose_name_plural = _("re-designation criteria")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "title"], name="redesignation_criterion_unique_title"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RedesignationDecision(models.TextChoices):
    REDESIGNATE = "redesignate", _("Re-designate for a new period")
    END = "end", _("Do not re-designate")


class RedesignationReview(TenantModel):
    """A recorded decision on whether a hub continues, judged against the published criteria."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="reviews")
    agreement = models.ForeignKey(
        ServiceLevelAgreement, on_delete=models.CASCADE, related_name="reviews"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=RedesignationDecision.choices)
    reasons = models.TextField(_("reasons for the decision"))
    new_agreement = models.ForeignKey(
        ServiceLevelAgreement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("re-designation review")
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.hub}: {self.get_decision_display()}"


class Judgement(models.TextChoices):
    MET = "met", _("Met")
    PARTLY_MET = "partly_met", _("Partly met")
    NOT_MET = "not_met", _("Not met")


class CriterionJudgement(TenantModel):
    review = models.ForeignKey(
        RedesignationReview, on_delete=models.CASCADE, related_name="judgements"
    )
    criterion = models.ForeignKey(
        RedesignationCriterion, on_delete=models.PROTECT, related_name="judgements"
    )
    judgement = models.CharField(_("judgement"), max_length=20, choices=Judgement.choices)
    comment = models.TextField(_("evidence and comment"), blank=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["criterion__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="criterion_judgement_once_per_review"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.get_judgement_display()}"


# --- Programmes, sessions, enrolments -----------------------------------------------------


class DeliveryLanguage(models.TextChoices):
    ENGLISH = "english", _("English")
    WELSH = "welsh", _("Welsh")
    BILINGUAL = "bilingual", _("Bilingual")


class AudienceRole(models.TextChoices):
    TEACHER = "teacher", _("Teachers")
    EARLY_CAREER = "early_career", _("Early career teachers")
    TEACHING_ASSISTANT = "teaching_assistant", _("Teaching assistants")
    MIDDLE_LEADER = "middle_leader", _("Middle leaders")
    SENIOR_LEADER = "senior_leader", _("Senior leaders")
    HEADTEACHER = "headteacher", _("Headteachers")


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for enrolment")
    FULL = "full", _("Full")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


#: Statuses a headteacher sees in the catalogue.
PUBLISHED_STATUSES = (ProgrammeStatus.OPEN, ProgrammeStatus.FULL, ProgrammeStatus.RUNNING)
#: Statuses in which a headteacher can still enrol (a full programme wait-lists).
ENROLLING_STATUSES = (ProgrammeStatus.OPEN, ProgrammeStatus.FULL)


class Programme(TenantModel):
    """A hub's professional-learning offer."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="programmes")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    area = models.ForeignKey(
        "partnership.Area",
        on_delete=models.PROTECT,
        related_name="programmes",
        verbose_name=_("area"),
    )
    phases = ChoiceListField(
        _("phases"), item_choices=Phase.choices, help_text=_("Leave empty for all phases.")
    )
    audience_roles = ChoiceListField(
        _("who it is for"),
        item_choices=AudienceRole.choices,
        help_text=_("Leave empty for all staff."),
    )
    places = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    delivery_language = models.CharField(
        _("language of delivery"), max_length=20, choices=DeliveryLanguage.choices
    )
    is_free = models.BooleanField(_("free to schools"), default=True)
    price = models.DecimalField(_("price per participant (£)"), null=True, blank=True, **MONEY)
    status = models.CharField(
        _("status"), max_length=20, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1), name="programme_has_places"),
            models.CheckConstraint(
                condition=(Q(is_free=True) & (Q(price__isnull=True) | Q(price=0)))
                | (Q(is_free=False) & Q(price__gt=0)),
                name="programme_price_matches_free",
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status"])]

    def __str__(self) -> str:
        return self.title

    def phase_labels(self) -> list[str]:
        return self._meta.get_field("phases").labels(self.phases)

    def audience_labels(self) -> list[str]:
        return self._meta.get_field("audience_roles").labels(self.audience_roles)

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATUSES

    @property
    def accepts_enrolments(self) -> bool:
        return self.status in ENROLLING_STATUSES


class ProgrammeSession(TenantModel):
    """One meeting of a programme: in person at a venue, online, or both."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sessions")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("start time"))
    ends_at = models.TimeField(_("end time"))
    venue = models.CharField(_("venue"), max_length=250, blank=True)
    online_url = models.URLField(_("online link"), blank=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("session")
        ordering = ["date", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(venue="") | ~Q(online_url=""), name="session_has_venue_or_link"
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "date"]),
            # A programme's first, last and next sessions (the catalogue asks for each row).
            # The partnership is in it because every scoped query filters on it too; without
            # it SQLite picks the index above and reads every session of the partnership.
            models.Index(
                fields=["programme", "partnership", "date"], name="session_programme_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.date:%d/%m/%Y} {self.starts_at:%H:%M}"


class GroupEnrolment(TenantModel):
    """Several schools of a cluster or SIG enrolling together."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="group_enrolments"
    )
    cluster = models.ForeignKey(
        "schools.Cluster", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sig = models.ForeignKey(
        "schools.SchoolImprovementGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("group enrolment")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.programme}: {self.cluster or self.sig}"

    @property
    def group(self) -> object:
        return self.cluster or self.sig


class EnrolmentStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Place confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Enrolment(TenantModel):
    """A member of a school's staff on a programme, with a place or on the waiting list."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="hub_enrolments",
        verbose_name=_("school"),
    )
    participant_name = models.CharField(_("name"), max_length=150)
    participant_email = models.EmailField(_("email address"))
    participant_role = models.CharField(_("role"), max_length=30, choices=AudienceRole.choices)
    status = models.CharField(_("status"), max_length=20, choices=EnrolmentStatus.choices)
    group = models.ForeignKey(
        GroupEnrolment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrolments",
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("enrolment")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "participant_email"],
                condition=~Q(status="cancelled"),
                name="enrolment_once_per_participant",
            ),
        ]
        indexes = [models.Index(fields=["programme", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.participant_name} ({self.school}) – {self.programme}"


class Attendance(TenantModel):
    """The register: whether a participant attended one session."""

    session = models.ForeignKey(
        ProgrammeSession, on_delete=models.CASCADE, related_name="attendances"
    )
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    attended = models.BooleanField(_("attended"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="attendance_once_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.participant_name}: {self.session}"


# --- Commissioning ------------------------------------------------------------------------


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    AWARDED = "awarded", _("Awarded")
    CANCELLED = "cancelled", _("Cancelled")


class Call(TenantModel):
    """A call for provision on an identified need: any school may bid before the deadline.

    Opened and decided by the partnership admin for now; when the panels app arrives the
    area's panel decides (see hubs.policies.can_decide_call, the one place to change).
    """

    title = models.CharField(_("title"), max_length=200)
    area = models.ForeignKey(
        "partnership.Area", on_delete=models.PROTECT, related_name="calls", verbose_name=_("area")
    )
    need = models.TextField(_("the need identified"))
    brief = models.TextField(_("what is asked for"))
    budget = models.DecimalField(_("budget (£)"), **MONEY)
    deadline = models.DateTimeField(_("deadline for bids"))
    status = models.CharField(
        _("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT
    )
    renews_hub = models.ForeignKey(
        Hub,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewal_calls",
        verbose_name=_("re-commissions this hub"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("call for provision")
        verbose_name_plural = _("calls for provision")
        ordering = ["-deadline", "pk"]
        constraints = [non_negative("budget", "call_budget_not_negative")]

    def __str__(self) -> str:
        return self.title

    def is_accepting_bids(self, now=None) -> bool:
        return self.status == CallStatus.OPEN and (now or timezone.now()) < self.deadline

    @property
    def deadline_passed(self) -> bool:
        return timezone.now() >= self.deadline


class CallCriterion(TenantModel):
    """A published criterion bids are scored on, with its weight."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("what a strong bid shows"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("call criterion")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(weight__lte=100), name="call_criterion_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SUCCESSFUL = "successful", _("Successful")
    UNSUCCESSFUL = "unsuccessful", _("Not successful")


class Bid(TenantModel):
    """A school's bid to meet a call, submitted by its headteacher."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="bids")
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="bids", verbose_name=_("school")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposal = models.TextField(_("proposal"))
    delivery_plan = models.TextField(_("delivery plan"))
    cost = models.DecimalField(_("cost (£)"), **MONEY)
    capacity = models.PositiveIntegerField(
        _("capacity (participants)"), validators=[MinValueValidator(1)]
    )
    delivery_language = models.CharField(
        _("language of delivery"), max_length=20, choices=DeliveryLanguage.choices
    )
    status = models.CharField(
        _("status"), max_length=20, choices=BidStatus.choices, default=BidStatus.SUBMITTED
    )
    score_percent = models.DecimalField(
        _("weighted score (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    feedback = models.TextField(_("feedback to the bidder"), blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("bid")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "school"], name="bid_once_per_school"),
            non_negative("cost", "bid_cost_not_negative"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="bid_has_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.school} – {self.call}"


class BidScore(TenantModel):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(CallCriterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(MAX_SCORE)]
    )
    comment = models.TextField(_("comment"), blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    scored_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["criterion__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion"], name="bid_score_once"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=MAX_SCORE), name="bid_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class Award(TenantModel):
    """The decision on a call: the winning bid, the reasons, and what it created or renewed."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="award")
    bid = models.OneToOneField(Bid, on_delete=models.CASCADE, related_name="award")
    reasons = models.TextField(_("reasons for the decision"))
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="awards")
    agreement = models.ForeignKey(ServiceLevelAgreement, on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    renewed = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("award")

    def __str__(self) -> str:
        return f"{self.call} → {self.bid.school}"


# --- Files ----------------------------------------------------------------------------------


class DocumentKind(models.TextChoices):
    EVIDENCE = "evidence", _("Evidence for a deliverable")
    BID = "bid", _("Bid document")


def tenant_upload_path(instance: Document, filename: str) -> str:
    """`<partnership id>/<uuid>`: no user-chosen name ever reaches the file system."""
    return f"{instance.partnership_id}/{instance.uuid}"


class Document(TenantModel):
    """An uploaded file, served only through a view that checks who may see it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=tenant_upload_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    bid = models.ForeignKey(
        Bid, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("document")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="evidence", deliverable__isnull=False, bid__isnull=True)
                    | Q(kind="bid", bid__isnull=False, deliverable__isnull=True)
                ),
                name="document_belongs_to_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name
