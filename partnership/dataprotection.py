"""Data protection: a person's data export, erasure on request, and retention rules.

- `personal_data(user=, partnership=)` gathers everything one partnership holds about a
  person: the account, their roles, and every row of every app whose foreign key points at
  them (found through `apps.get_models()`, so a new app is included without editing this).
- `erase_person(actor=, user=, partnership=)` anonymises the account and the personal
  fields kept about them; rows they created stay (pointing at "Erased person") so the
  partnership's records remain consistent.
- `RETENTION_RULES` is a registry: `register_retention("surveys.ImpactResponse",
  "submitted_at", setting="SURVEY_ANSWER_RETENTION_DAYS", default_days=1095)` from any app
  (an AppConfig.ready() or module import) makes `audit.tasks.apply_retention` delete rows
  older than the retention period, partnership by partnership.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.serializers import serialize
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Invitation, Membership, OutboundEmail, Partnership
from .tenancy import TenantModel, forget_memberships, tenant_scope

logger = logging.getLogger(__name__)
EXPORT_FORMAT_VERSION = 1
ERASED_NAME = "Erased person"


# --- A person's data ------------------------------------------------------------------


def _user_fields(model: type[models.Model]) -> list[models.ForeignKey]:
    user_model = get_user_model()
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is user_model
    ]


def models_referencing_users() -> list[tuple[type[models.Model], list[models.ForeignKey]]]:
    """Every tenant-owned model with a foreign key to a person, and those keys."""
    found = []
    for model in apps.get_models():
        if issubclass(model, TenantModel) and not model._meta.proxy:
            fields = _user_fields(model)
            if fields:
                found.append((model, fields))
    return found


def _rows(queryset: models.QuerySet) -> list[dict[str, Any]]:
    return [
        {"id": row["pk"], **row["fields"]}
        for row in json.loads(serialize("json", queryset, cls=DjangoJSONEncoder))
    ]


def personal_data(*, user: Any, partnership: Partnership) -> dict[str, Any]:
    """Everything `partnership` holds about `user`, as plain JSON values, by model label."""
    with tenant_scope(partnership):
        records: dict[str, list[dict[str, Any]]] = {}
        for model, fields in models_referencing_users():
            condition = models.Q()
            for field in fields:
                condition |= models.Q(**{field.name: user})
            rows = _rows(model.objects.filter(condition).order_by("pk"))
            if rows:
                records[model._meta.label] = rows
        # Rows that name the person by email address rather than by account.
        for model, field in ((Invitation, "email"), (OutboundEmail, "to")):
            known = {row["id"] for row in records.get(model._meta.label, [])}
            extra = [
                row
                for row in _rows(
                    model.objects.filter(**{f"{field}__iexact": user.email}).order_by("pk")
                )
                if row["id"] not in known
            ]
            if extra:
                records.setdefault(model._meta.label, []).extend(extra)
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "partnership": {"name": partnership.name, "slug": partnership.slug},
        "person": {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "language": user.language,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "records": records,
    }


def export_personal_data(
    *, actor: Any, user: Any, partnership: Partnership, request: Any = None
) -> bytes:
    """The JSON download of a person's data; the export is recorded in the audit trail."""
    from audit.services import record_event

    data = personal_data(user=user, partnership=partnership)
    with transaction.atomic():
        record_event(
            partnership=partnership,
            actor=actor,
            action="partnership.personal_data_exported",
            target=user,
            detail={"models": sorted(data["records"])},
            request=request,
        )
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()


# --- Erasure ----------------------------------------------------------------------------


def member_of_other_partnerships(user: Any, partnership: Partnership) -> bool:
    from django_scopes import scopes_disabled

    with scopes_disabled():
        return Membership.objects.filter(user=user).exclude(partnership=partnership).exists()


def erase_person(*, actor: Any, user: Any, partnership: Partnership, request: Any = None) -> Any:
    """Anonymise a person at their request.

    The account keeps its id (so agreements, minutes and findings still say "Erased
    person" instead of breaking) but loses its name, email, password, language, two-factor
    devices and API token; their roles here end, invitations sent to them are anonymised,
    emails to them are deleted and the audit trail's copy of their email is replaced.
    Refused for someone who also belongs to another partnership (the platform operator
    erases them) and for the actor themselves.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from rest_framework.authtoken.models import Token

    from audit.models import AuditEvent
    from audit.services import record_event

    if user.pk == getattr(actor, "pk", None):
        raise ValidationError(_("You cannot erase your own account."))
    if member_of_other_partnerships(user, partnership):
        raise ValidationError(
            _(
                "This person also belongs to another partnership. Remove their roles here; "
                "the platform operator erases the account."
            )
        )
    old_email = user.email
    placeholder = f"erased-{user.pk}@erased.invalid"
    with tenant_scope(partnership), transaction.atomic():
        memberships = Membership.objects.filter(user=user)
        if memberships.filter(role="admin").exists() and not (
            Membership.objects.filter(role="admin").exclude(user=user).exists()
        ):
            raise ValidationError(_("A partnership must keep at least one partnership admin."))
        memberships.delete()
        Invitation.objects.filter(email__iexact=old_email).update(
            email=placeholder, full_name=ERASED_NAME
        )
        OutboundEmail.objects.filter(to__iexact=old_email).delete()
        AuditEvent.objects.filter(actor=user).update(actor_label=placeholder)
        AuditEvent.objects.filter(
            target_type=user._meta.label_lower, target_id=str(user.pk)
        ).update(target_label=ERASED_NAME)
        user.email = placeholder
        user.full_name = ERASED_NAME
        user.language = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        Token.objects.filter(user=user).delete()
        record_event(
            partnership=partnership,
            actor=actor,
            action="partnership.person_erased",
            target=user,
            detail={"user_id": user.pk},
            request=request,
        )
    forget_memberships(user)
    return user


# --- Retention ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionRule:
    model_label: str
    date_field: str
    setting: str
    default_days: int

    def days(self) -> int:
        return int(getattr(settings, self.setting, self.default_days) or 0)

    def model(self) -> type[models.Model] | None:
        try:
            return apps.get_model(self.model_label)
        except LookupError:
            return None


RETENTION_RULES: dict[str, RetentionRule] = {}


def register_retention(model_label: str, date_field: str, *, setting: str, default_days: int):
    """Delete rows of `model_label` whose `date_field` is older than the setting's days."""
    rule = RetentionRule(model_label, date_field, setting, default_days)
    RETENTION_RULES[f"{model_label}.{date_field}"] = rule
    return rule


register_retention(
    "audit.AuditEvent", "created_at", setting="AUDIT_RETENTION_DAYS", default_days=6 * 365
)
# Survey answers (impact surveys) go after SURVEY_ANSWER_RETENTION_DAYS.
register_retention(
    "surveys.ImpactResponse",
    "submitted_at",
    setting="SURVEY_ANSWER_RETENTION_DAYS",
    default_days=3 * 365,
)


def apply_retention_rules(*, now: Any = None) -> dict[str, int]:
    """Delete what has passed its retention, partnership by partnership.

    Returns the number of rows deleted per model label (0 days keeps rows for ever).
    """
    from audit.services import record_event

    now = now or timezone.now()
    deleted: dict[str, int] = {}
    for partnership in Partnership.objects.order_by("pk"):
        with tenant_scope(partnership), transaction.atomic():
            counts: dict[str, int] = {}
            for rule in RETENTION_RULES.values():
                model, days = rule.model(), rule.days()
                if model is None or days <= 0:
                    continue
                cutoff = now - timedelta(days=days)
                queryset = model.objects.filter(**{f"{rule.date_field}__lt": cutoff})
                try:
                    with transaction.atomic():
                        count = queryset.delete()[1].get(model._meta.label, 0)
                except ProtectedError:
                    # Rows still needed by others stay; the owner of the rule decides.
                    logger.warning("Retention of %s skipped: rows are protected.", rule)
                    continue
                if count:
                    counts[model._meta.label] = count
            if counts:
                record_event(
                    partnership=partnership,
                    actor=None,
                    action="audit.retention_applied",
                    detail={"deleted": counts},
                )
            for label, count in counts.items():
                deleted[label] = deleted.get(label, 0) + count
    return deleted
