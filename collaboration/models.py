"""Clusters and school improvement groups at work: group projects with their enabling
funding, milestones and evaluation, and the shared resource library (English and Welsh)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hubs.fields import ChoiceListField
from hubs.models import MONEY, BudgetCategory, non_negative
from partnership.tenancy import TenantModel, TenantScopedManager
from schools.models import Phase

# --- Group projects -------------------------------------------------------------------------


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Under way")
    COMPLETED = "completed", _("Completed")


class GroupProject(TenantModel):
    """A project a cluster or a school improvement group (or a sub-group of one) runs."""

    title = models.CharField(_("title"), max_length=200)
    cluster = models.ForeignKey(
        "schools.Cluster",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("cluster"),
    )
    sig = models.ForeignKey(
        "schools.SchoolImprovementGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("school improvement group"),
    )
    area = models.ForeignKey(
        "partnership.Area",
        on_delete=models.PROTECT,
        related_name="group_projects",
        verbose_name=_("area"),
    )
    aims = models.TextField(_("aims"))
    need = models.TextField(_("the need it answers"))
    schools = models.ManyToManyField(
        "schools.School", related_name="group_projects", verbose_name=_("member schools")
    )
    lead_school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="led_group_projects",
        verbose_name=_("lead school"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    funding_allocated = models.DecimalField(
        _("enabling funding allocated (£)"), default=Decimal("0"), **MONEY
    )
    outputs = models.TextField(_("outputs"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("group project")
        verbose_name_plural = _("group projects")
        ordering = ["-starts_on", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(cluster__isnull=False, sig__isnull=True))
                | Q(cluster__isnull=True, sig__isnull=False),
                name="group_project_one_group",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")),
                name="group_project_period_in_order",
            ),
            non_negative("funding_allocated", "group_project_funding_not_negative"),
        ]
        indexes = [models.Index(fields=["partnership", "area"])]

    def __str__(self) -> str:
        return self.title

    @property
    def group(self) -> object:
        return self.cluster or self.sig

    @property
    def group_kind(self) -> str:
        if self.cluster_id:
            return str(_("Cluster"))
        if self.sig is not None and self.sig.parent_id:
            return str(_("Sub-group"))
        return str(_("School improvement group"))


class ProjectBudgetLine(TenantModel):
    """How part of a project's enabling funding is allocated, and what has been spent."""

    project = models.ForeignKey(GroupProject, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    description = models.CharField(_("what the money is for"), max_length=200)
    allocated = models.DecimalField(_("allocated (£)"), **MONEY)
    spent = models.DecimalField(_("spent so far (£)"), default=Decimal("0"), **MONEY)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("project budget line")
        ordering = ["category", "pk"]
        constraints = [
            non_negative("allocated", "project_budget_allocated_not_negative"),
            non_negative("spent", "project_budget_spent_not_negative"),
            # The database holds the rule the service explains: no spending above allocation.
            models.CheckConstraint(
                condition=Q(spent__lte=models.F("allocated")),
                name="project_budget_spent_within_allocation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description}"

    @property
    def remaining(self) -> Decimal:
        return self.allocated - self.spent


class Milestone(TenantModel):
    project = models.ForeignKey(GroupProject, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("milestone")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class ProjectEvaluation(TenantModel):
    """The end-of-project evaluation: what changed, the evidence, and how far it reached."""

    project = models.OneToOneField(
        GroupProject, on_delete=models.CASCADE, related_name="evaluation"
    )
    what_changed = models.TextField(_("what changed"))
    evidence = models.TextField(_("evidence"))
    whole_school_reach = models.TextField(
        _("whole-school reach"),
        help_text=_("How the work reached staff and pupils beyond those directly involved."),
    )
    staff_involved = models.PositiveIntegerField(_("staff directly involved"), default=0)
    staff_reached = models.PositiveIntegerField(
        _("further staff reached"), default=0, help_text=_("Beyond those directly involved.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("project evaluation")

    def __str__(self) -> str:
        return f"{self.project}: {_('evaluation')}"


# --- Resource library -------------------------------------------------------------------------


class ResourceKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    LINK = "link", _("Link")
    TOOLKIT = "toolkit", _("Toolkit")


class ResourceLanguage(models.TextChoices):
    ENGLISH = "english", _("English")
    WELSH = "welsh", _("Welsh")
    BILINGUAL = "bilingual", _("Bilingual")


#: A version in one of these languages serves Welsh readers.
WELSH_LANGUAGES = (ResourceLanguage.WELSH, ResourceLanguage.BILINGUAL)


class Licence(models.TextChoices):
    CC_BY = "cc_by", _("Creative Commons Attribution (CC BY 4.0)")
    CC_BY_SA = "cc_by_sa", _("Creative Commons Attribution-ShareAlike (CC BY-SA 4.0)")
    CC_BY_NC = "cc_by_nc", _("Creative Commons Attribution-NonCommercial (CC BY-NC 4.0)")
    OGL = "ogl", _("Open Government Licence")
    PARTNERSHIP = "partnership", _("For use by the partnership's schools only")


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Resource(TenantModel):
    """Something a project, hub or programme made, shared with every school."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    area = models.ForeignKey(
        "partnership.Area",
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("area"),
    )
    phases = ChoiceListField(
        _("phases"), item_choices=Phase.choices, help_text=_("Leave empty for all phases.")
    )
    author_school = models.ForeignKey(
        "schools.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_resources",
        verbose_name=_("author school"),
    )
    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices)
    source_project = models.ForeignKey(
        GroupProject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("from group project"),
    )
    source_hub = models.ForeignKey(
        "hubs.Hub",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("from hub"),
    )
    source_programme = models.ForeignKey(
        "hubs.Programme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("from programme"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ResourceStatus.choices, default=ResourceStatus.PUBLISHED
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["partnership", "status", "published_at"]),
            models.Index(fields=["partnership", "area"]),
        ]

    def __str__(self) -> str:
        return self.title

    def phase_labels(self) -> list[str]:
        return self._meta.get_field("phases").labels(self.phases)

    @property
    def source(self) -> object:
        return self.source_project or self.source_programme or self.source_hub

    def _versions(self) -> list[ResourceVersion]:
        return list(self.versions.all())

    @property
    def languages(self) -> list[str]:
        return [v.language for v in self._versions()]

    @property
    def missing_welsh(self) -> bool:
        """No Welsh or bilingual version yet: a gap to commission."""
        return not any(v.language in WELSH_LANGUAGES for v in self._versions())


def resource_upload_path(instance: ResourceVersion, filename: str) -> str:
    """`<partnership id>/resources/<uuid>`: no user-chosen name reaches the file system."""
    return f"{instance.partnership_id}/resources/{instance.uuid}"


class ResourceVersion(TenantModel):
    """One language version of a resource: its own file or its own link."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(_("language"), max_length=20, choices=ResourceLanguage.choices)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=resource_upload_path, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField(default=0)
    url = models.URLField(_("link"), max_length=500, blank=True)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("resource version")
        ordering = ["language", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "language"], name="resource_version_once_per_language"
            ),
            models.CheckConstraint(
                condition=(~Q(file="") & Q(url="")) | (Q(file="") & ~Q(url="")),
                name="resource_version_file_or_link",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} ({self.get_language_display()})"

    @property
    def is_link(self) -> bool:
        return bool(self.url)


class AreaFollow(TenantModel):
    """A person's opt-in to the weekly digest of new resources in an area."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_areas"
    )
    area = models.ForeignKey("partnership.Area", on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        verbose_name = _("followed area")
        ordering = ["area__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "user", "area"], name="area_follow_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.area}"
