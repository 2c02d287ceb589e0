"""Local authorities, schools, clusters, school improvement groups and support categories."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from partnership.tenancy import TenantModel, TenantScopedManager


class Phase(models.TextChoices):
    NURSERY = "nursery", _("Nursery")
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    ALL_THROUGH = "all_through", _("All-through")
    SPECIAL = "special", _("Special")
    PRU = "pru", _("Pupil referral unit")


class LanguageMedium(models.TextChoices):
    ENGLISH = "english", _("English-medium")
    WELSH = "welsh", _("Welsh-medium")
    BILINGUAL = "bilingual", _("Bilingual")
    DUAL_STREAM = "dual_stream", _("Dual-stream")


class SupportCategory(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


#: Who needs support most comes first: red, amber, yellow, green.
CATEGORY_PRIORITY = {
    SupportCategory.RED: 0,
    SupportCategory.AMBER: 1,
    SupportCategory.YELLOW: 2,
    SupportCategory.GREEN: 3,
}


def category_priority(field: str = "support_category") -> Case:
    """An ORDER BY expression: red, amber, yellow, green, then not yet categorised."""
    return Case(
        *[When(**{field: c}, then=Value(p)) for c, p in CATEGORY_PRIORITY.items()],
        default=Value(len(CATEGORY_PRIORITY)),
        output_field=IntegerField(),
    )


class LocalAuthority(TenantModel):
    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(_("code"), max_length=10, blank=True)
    neighbours = models.ManyToManyField("self", blank=True, symmetrical=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("local authority")
        verbose_name_plural = _("local authorities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="la_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Cluster(TenantModel):
    """A local group: usually a secondary school with its feeder primaries."""

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="cluster_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class School(TenantModel):
    official_number = models.CharField(
        _("official number"),
        max_length=20,
        help_text=_("URN in England, LA establishment number in Wales."),
    )
    name = models.CharField(_("name"), max_length=200)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    language_medium = models.CharField(
        _("language medium"), max_length=20, choices=LanguageMedium.choices
    )
    local_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        related_name="schools",
        verbose_name=_("local authority"),
    )
    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="schools",
        verbose_name=_("cluster"),
    )
    pupils = models.PositiveIntegerField(_("number of pupils"), null=True, blank=True)
    fsm_percent = models.DecimalField(
        _("free school meals (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    report_language = models.CharField(
        _("language for reports"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    support_category = models.CharField(
        _("support category"), max_length=10, choices=SupportCategory.choices, blank=True
    )
    category_moderated = models.BooleanField(_("category moderated"), default=False)
    challenge_adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="caseload",
        verbose_name=_("challenge adviser"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "official_number"], name="school_unique_official_number"
            ),
            models.CheckConstraint(
                condition=Q(fsm_percent__isnull=True)
                | (Q(fsm_percent__gte=0) & Q(fsm_percent__lte=100)),
                name="school_fsm_percent_range",
            ),
        ]
        indexes = [models.Index(fields=["partnership", "name"])]

    def __str__(self) -> str:
        return self.name


class SchoolImprovementGroup(TenantModel):
    """A cross-authority group of schools (often 6-8) that may split into smaller groups."""

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subgroups",
        verbose_name=_("part of"),
    )
    schools = models.ManyToManyField(School, related_name="sigs", blank=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("school improvement group")
        verbose_name_plural = _("school improvement groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="sig_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class CategoryChange(TenantModel):
    """One entry in a school's support-category history: who set it, when, why."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="category_history")
    category = models.CharField(_("category"), max_length=10, choices=SupportCategory.choices)
    previous_category = models.CharField(max_length=10, choices=SupportCategory.choices, blank=True)
    reason = models.TextField(_("reason"))
    moderated = models.BooleanField(_("moderated"), default=False)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    set_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-set_at", "-id"]
        verbose_name = _("category change")

    def __str__(self) -> str:
        return f"{self.school}: {self.get_category_display()}"
