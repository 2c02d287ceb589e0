"""The tenant and its people: users, partnerships, memberships (roles), areas, invitations."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .tenancy import TenantModel, TenantScopedManager


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Their roles live in Membership, one row per partnership and role."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    is_staff = models.BooleanField(_("platform staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split(" ")[0] if self.full_name else "") or self.email


class Country(models.TextChoices):
    ENGLAND = "england", _("England")
    WALES = "wales", _("Wales")


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


class Partnership(models.Model):
    """The tenant: a group of schools that improve together."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in web addresses"), max_length=60, unique=True)
    country = models.CharField(_("country"), max_length=10, choices=Country.choices)
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    colour = models.CharField(
        _("brand colour"), max_length=7, default="#1d70b8", validators=[hex_colour]
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Area(TenantModel):
    """An area of work or learning (leadership, literacy, Welsh, ALN...), in both languages."""

    slug = models.SlugField(max_length=60)
    name = models.CharField(_("name"), max_length=120)
    name_cy = models.CharField(_("name in Welsh"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="area_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if get_language() == "cy" and self.name_cy:
            return self.name_cy
        return self.name


class Role(models.TextChoices):
    PARTNERSHIP_ADMIN = "admin", _("Partnership admin")
    SENIOR_CA = "senior_ca", _("Senior challenge adviser")
    CHALLENGE_ADVISER = "ca", _("Challenge adviser")
    HEADTEACHER = "headteacher", _("Headteacher")
    HUB_LEAD = "hub_lead", _("Hub lead")
    PANEL_MEMBER = "panel_member", _("Panel member")
    PEER_REVIEWER = "peer_reviewer", _("Peer reviewer")
    GOVERNOR = "governor", _("Governor")
    PARTICIPANT = "participant", _("Participant (teacher)")


#: Roles that only make sense for one school.
SCHOOL_ROLES = frozenset({Role.HEADTEACHER, Role.GOVERNOR})
#: Roles whose holders work across many schools and see support categories.
STAFF_ROLES = frozenset({Role.PARTNERSHIP_ADMIN, Role.SENIOR_CA, Role.CHALLENGE_ADVISER})


class Membership(TenantModel):
    """One role a person holds in a partnership, optionally for one school."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("school"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partnership", "role", "school"],
                name="membership_unique_with_school",
                condition=Q(school__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "partnership", "role"],
                name="membership_unique_without_school",
                condition=Q(school__isnull=True),
            ),
            models.CheckConstraint(
                # A fixed order, so the migration does not change from run to run.
                condition=~Q(role__in=[Role.HEADTEACHER.value, Role.GOVERNOR.value])
                | Q(school__isnull=False),
                name="membership_school_role_needs_school",
            ),
        ]

    def __str__(self) -> str:
        label = Role(self.role).label
        return f"{self.user} – {label}" + (f" ({self.school})" if self.school_id else "")


class Invitation(TenantModel):
    """A single-use, expiring invitation to hold a role; accepting it sets the password."""

    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    nonce = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} – {Role(self.role).label}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class OutboundEmail(TenantModel):
    """The outbox: every email the portal sends, keyed so it is sent at most once."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(max_length=200, unique=True)
    to = models.EmailField()
    subject = models.CharField(max_length=250)
    body = models.TextField()
    #: Files sent with the email: a list of {"filename", "content" (text), "mimetype"}
    #: objects, e.g. a calendar invitation. Kept small: links for anything large.
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedManager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to} ({self.get_status_display()})"


class Term(TenantModel):
    """One academic term of a partnership (autumn, spring, summer), with its dates."""

    class Season(models.TextChoices):
        AUTUMN = "autumn", _("Autumn")
        SPRING = "spring", _("Spring")
        SUMMER = "summer", _("Summer")

    academic_year = models.CharField(
        _("academic year"),
        max_length=9,
        validators=[RegexValidator(r"^\d{4}/\d{2}$", _("Write the year as 2026/27."))],
        help_text=_("For example 2026/27."),
    )
    season = models.CharField(_("term"), max_length=10, choices=Season.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "academic_year", "season"], name="term_unique_per_year"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="term_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_season_display()} {self.academic_year}"
