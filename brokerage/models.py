"""School-to-school support: needs, offers, agreements, their delivery and outcome.

A headteacher logs a **Need** (what the school needs) or an **Offer** (what it can give);
a challenge adviser turns a ranked match (see scoring.py) into a **SupportAgreement**,
which draws days from the offer, is confirmed by both headteachers, is delivered in
**DeliverySession**s and closes with an **AgreementOutcome**. A **NeedDecline** keeps a
provider out of a need's suggestions; a **CategoryOverride** lets a red or amber school's
need be matched to a provider that is not green or yellow, with the adviser's reason.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.tenancy import TenantModel, TenantScopedManager

#: Days are counted in half days (a morning's support is 0.5).
DAYS_FIELD = {"max_digits": 5, "decimal_places": 1}
ZERO = Decimal("0")


def academic_year_of(day: datetime.date) -> str:
    """The academic year a date falls in, as "2025/26" (years start on 1 September)."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def current_academic_year() -> str:
    return academic_year_of(timezone.localdate())


class DeliveryLanguage(models.TextChoices):
    ENGLISH = "english", _("English")
    WELSH = "welsh", _("Welsh")
    BILINGUAL = "bilingual", _("Bilingual (Welsh and English)")


class Urgency(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Timeframe(models.TextChoices):
    THIS_TERM = "this_term", _("This term")
    NEXT_TERM = "next_term", _("Next term")
    THIS_YEAR = "this_year", _("This academic year")
    NEXT_YEAR = "next_year", _("Next academic year")


class Need(TenantModel):
    """What a school needs, in the school's words, and where it is in the brokerage cycle."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        BROKERED = "brokered", _("Brokered")
        IN_PROGRESS = "in_progress", _("In progress")
        MET = "met", _("Met")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="needs", verbose_name=_("school")
    )
    area = models.ForeignKey(
        "partnership.Area", on_delete=models.PROTECT, related_name="needs", verbose_name=_("area")
    )
    title = models.CharField(_("need in a few words"), max_length=150)
    description = models.TextField(_("what is needed"))
    outcome = models.TextField(_("the outcome wanted"))
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.MEDIUM
    )
    preferred_language = models.CharField(
        _("preferred delivery language"),
        max_length=12,
        choices=DeliveryLanguage.choices,
        blank=True,
        help_text=_("Leave empty if either language will do."),
    )
    timeframe = models.CharField(
        _("timeframe"), max_length=12, choices=Timeframe.choices, default=Timeframe.THIS_YEAR
    )
    days_wanted = models.DecimalField(
        _("days of support wanted"), **DAYS_FIELD, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(days_wanted__isnull=True) | Q(days_wanted__gt=0),
                name="need_days_wanted_positive",
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.school}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Offer(TenantModel):
    """What a school can give this academic year, and how many of its days are left."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="offers", verbose_name=_("school")
    )
    area = models.ForeignKey(
        "partnership.Area",
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("main area"),
    )
    other_areas = models.ManyToManyField(
        "partnership.Area",
        blank=True,
        related_name="+",
        verbose_name=_("other areas it also helps with"),
    )
    title = models.CharField(_("offer in a few words"), max_length=150)
    description = models.TextField(_("what the school can give"))
    academic_year = models.CharField(_("academic year"), max_length=7)
    days_available = models.DecimalField(_("days available"), **DAYS_FIELD)
    days_committed = models.DecimalField(
        _("days committed to agreements"), **DAYS_FIELD, default=ZERO, editable=False
    )
    is_charged = models.BooleanField(_("charged"), default=False)
    day_rate = models.DecimalField(
        _("day rate (£)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    language = models.CharField(
        _("delivery language"), max_length=12, choices=DeliveryLanguage.choices
    )
    evidence = models.TextField(_("evidence of strength"))
    contact_name = models.CharField(_("named contact"), max_length=150)
    contact_email = models.EmailField(_("contact email"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(days_available__gt=0), name="offer_days_available_positive"
            ),
            # Capacity left (available - committed) is never below zero.
            models.CheckConstraint(
                condition=Q(days_committed__gte=0) & Q(days_committed__lte=F("days_available")),
                name="offer_capacity_never_negative",
            ),
            models.CheckConstraint(
                condition=Q(is_charged=False, day_rate__isnull=True)
                | Q(is_charged=True, day_rate__gt=0),
                name="offer_day_rate_when_charged",
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status", "area"])]

    def __str__(self) -> str:
        return f"{self.school}: {self.title}"

    @property
    def capacity_left(self) -> Decimal:
        return max(self.days_available - self.days_committed, ZERO)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class CategoryOverride(TenantModel):
    """A CA's recorded decision to match a red/amber school's need to a provider that is
    not green or yellow (the category rule would otherwise hold it back)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="category_overrides")
    provider = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("provider")
    )
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("category override")
        verbose_name_plural = _("category overrides")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["need", "provider"], name="override_once_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.need} ← {self.provider}"


class NeedDecline(TenantModel):
    """A provider declined (or was declined for) a need; it is no longer suggested for it."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="declines")
    provider = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("provider")
    )
    agreement = models.ForeignKey(
        "SupportAgreement", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"))
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("declined match")
        verbose_name_plural = _("declined matches")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["need", "provider"], name="decline_once_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} declined {self.need}"


class Funding(models.TextChoices):
    FREE = "free", _("Free of charge")
    RECEIVING_SCHOOL = "receiving_school", _("Paid by the receiving school")
    PARTNERSHIP = "partnership", _("Funded by the partnership")
    OTHER = "other", _("Other funding")


class SupportAgreement(TenantModel):
    """A brokered match: the provider gives the receiving school days of support."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for confirmation")
        ACTIVE = "active", _("In progress")
        CLOSED = "closed", _("Closed")
        DECLINED = "declined", _("Declined")

    #: Statuses in which the agreement holds the offer's days and the need.
    LIVE = (Status.PROPOSED, Status.ACTIVE)

    need = models.ForeignKey(Need, on_delete=models.RESTRICT, related_name="agreements")
    offer = models.ForeignKey(Offer, on_delete=models.RESTRICT, related_name="agreements")
    # Copies of need.school and offer.school, so load and past impact are cheap to count.
    receiving_school = models.ForeignKey(
        "schools.School",
        on_delete=models.RESTRICT,
        related_name="support_received",
        verbose_name=_("receiving school"),
    )
    provider = models.ForeignKey(
        "schools.School",
        on_delete=models.RESTRICT,
        related_name="support_given",
        verbose_name=_("provider"),
    )
    days = models.DecimalField(_("days"), **DAYS_FIELD)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    objectives = models.TextField(_("objectives"))
    funding = models.CharField(_("funding"), max_length=20, choices=Funding.choices)
    cost = models.DecimalField(
        _("total cost (£)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    override = models.ForeignKey(
        CategoryOverride, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    brokered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("brokered by"),
    )
    provider_confirmed_at = models.DateTimeField(null=True, blank=True)
    provider_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    receiver_confirmed_at = models.DateTimeField(null=True, blank=True)
    receiver_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("support agreement")
        verbose_name_plural = _("support agreements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(days__gt=0), name="agreement_days_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="agreement_dates_in_order"
            ),
            models.CheckConstraint(
                condition=~Q(provider=F("receiving_school")), name="agreement_not_with_itself"
            ),
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="agreement_cost_not_negative"
            ),
            # One live agreement per need: two advisers cannot broker the same need twice.
            models.UniqueConstraint(
                fields=["need"],
                condition=Q(status__in=["proposed", "active"]),
                name="agreement_one_live_per_need",
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "provider", "status"]),
            models.Index(fields=["partnership", "receiving_school", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.provider} → {self.receiving_school} ({self.days} days)"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def both_confirmed(self) -> bool:
        return bool(self.provider_confirmed_at and self.receiver_confirmed_at)


class DeliverySession(TenantModel):
    """Support actually given under an agreement: a date, some days, what happened."""

    agreement = models.ForeignKey(
        SupportAgreement, on_delete=models.CASCADE, related_name="sessions"
    )
    date = models.DateField(_("date"))
    days = models.DecimalField(_("days"), **DAYS_FIELD)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("delivery session")
        verbose_name_plural = _("delivery sessions")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(days__gt=0), name="session_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.date} ({self.days})"


class ObjectivesMet(models.TextChoices):
    YES = "yes", _("Yes, fully")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


class AgreementOutcome(TenantModel):
    """How well an agreement met its objectives; its rating feeds the provider's score."""

    RATING_CHOICES = [
        (4, _("4 – Strong impact")),
        (3, _("3 – Good impact")),
        (2, _("2 – Some impact")),
        (1, _("1 – Little or no impact")),
    ]

    agreement = models.OneToOneField(
        SupportAgreement, on_delete=models.CASCADE, related_name="outcome"
    )
    objectives_met = models.CharField(
        _("were the objectives met?"), max_length=10, choices=ObjectivesMet.choices
    )
    rating = models.PositiveSmallIntegerField(_("impact rating"), choices=RATING_CHOICES)
    evidence = models.TextField(_("evidence of impact"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("agreement outcome")
        verbose_name_plural = _("agreement outcomes")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=4), name="outcome_rating_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.rating}/4"
