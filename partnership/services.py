"""Writes about partnerships, people and email, each with its business rule."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .areas import default_areas
from .models import SCHOOL_ROLES, Area, Invitation, Membership, OutboundEmail, Partnership, Role
from .tenancy import forget_memberships, tenant_scope

logger = logging.getLogger(__name__)
User = get_user_model()
INVITATION_SALT = "partnership.invitation"


def create_partnership(
    *, name: str, slug: str, country: str, default_language: str = "en", colour: str = "#1d70b8"
) -> Partnership:
    """A new tenant with the default areas for its country."""
    with transaction.atomic():
        partnership = Partnership.objects.create(
            name=name, slug=slug, country=country, default_language=default_language, colour=colour
        )
        Area.objects.bulk_create(
            Area(partnership=partnership, slug=slug_, name=name_en, name_cy=name_cy, position=i)
            for i, (slug_, name_en, name_cy) in enumerate(default_areas(country))
        )
    return partnership


# --- Memberships -------------------------------------------------------------------


def _check_role_school(role: str, school: Any) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    if role in SCHOOL_ROLES and school is None:
        raise ValidationError({"school": _("Choose the school this role is for.")})


def _audit(partnership: Any, actor: Any, action: str, target: Any, request: Any = None, **detail):
    from audit.services import record_event

    record_event(
        partnership=partnership,
        actor=actor,
        action=action,
        target=target,
        detail=detail,
        request=request,
    )


def grant_membership(
    *, partnership: Partnership, user: Any, role: str, school: Any = None, actor: Any = None
) -> Membership:
    """Give a person a role (idempotent: an existing identical membership is returned)."""
    _check_role_school(role, school)
    with tenant_scope(partnership), transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            partnership=partnership, user=user, role=role, school=school
        )
        if created:
            _audit(
                partnership,
                actor,
                "partnership.role_granted",
                membership,
                user=user.pk,
                role=role,
                school=getattr(school, "pk", None),
            )
    forget_memberships(user)
    return membership


def change_membership(
    *, actor: Any, membership: Membership, role: str, school: Any = None, request: Any = None
) -> Membership:
    """Change the role or school of a membership, keeping at least one admin."""
    _check_role_school(role, school)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == Role.PARTNERSHIP_ADMIN and role != Role.PARTNERSHIP_ADMIN:
            _ensure_another_admin(locked)
        before = {"role": locked.role, "school": locked.school_id}
        locked.role = role
        locked.school = school if school is not None else None
        try:
            with transaction.atomic():
                locked.save(update_fields=["role", "school"])
        except IntegrityError:
            raise ValidationError(_("This person already has that role.")) from None
        _audit(
            locked.partnership_id,
            actor,
            "partnership.role_changed",
            locked,
            request,
            user=locked.user_id,
            before=before,
            after={"role": locked.role, "school": locked.school_id},
        )
    forget_memberships(locked.user)
    return locked


def remove_membership(*, actor: Any, membership: Membership, request: Any = None) -> None:
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == Role.PARTNERSHIP_ADMIN:
            _ensure_another_admin(locked)
        _audit(
            locked.partnership_id,
            actor,
            "partnership.role_removed",
            locked,
            request,
            user=locked.user_id,
            role=locked.role,
            school=locked.school_id,
        )
        locked.delete()
    forget_memberships(membership.user)


def _ensure_another_admin(membership: Membership) -> None:
    others = Membership.objects.filter(role=Role.PARTNERSHIP_ADMIN).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError(_("A partnership must keep at least one partnership admin."))


# --- Invitations ----------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """The secret part of an invitation link (signed, so it cannot be forged)."""
    return signing.dumps({"i": invitation.pk, "n": str(invitation.nonce)}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("invitation_accept", args=[invitation_token(invitation)])


class InvitationInvalid(Exception):
    """The link is forged, expired, used or revoked; `reason` says which, for the page."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link belongs to, or InvitationInvalid."""
    from django_scopes import scopes_disabled

    max_age = timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InvitationInvalid("expired") from None
    except signing.BadSignature:
        raise InvitationInvalid("invalid") from None
    # The link arrives without a tenant in its URL: find the row by its signed id and nonce.
    with scopes_disabled():
        invitation = (
            Invitation.objects.select_related("partnership", "school")
            .filter(pk=data.get("i"), nonce=data.get("n"))
            .first()
        )
    if invitation is None:
        raise InvitationInvalid("invalid")
    if invitation.accepted_at is not None:
        raise InvitationInvalid("used")
    if invitation.revoked_at is not None:
        raise InvitationInvalid("revoked")
    if invitation.expires_at <= timezone.now() or not invitation.partnership.is_active:
        raise InvitationInvalid("expired")
    return invitation


def invite_person(
    *,
    actor: Any,
    partnership: Partnership,
    email: str,
    role: str,
    school: Any = None,
    full_name: str = "",
) -> Invitation:
    """Invite someone by email to hold a role; the email goes out after commit."""
    _check_role_school(role, school)
    email = User.objects.normalize_email(email).lower()
    with tenant_scope(partnership), transaction.atomic():
        existing = User.objects.filter(email__iexact=email).first()
        if existing and Membership.objects.filter(user=existing, role=role, school=school).exists():
            raise ValidationError({"email": _("This person already has that role.")})
        invitation = Invitation.objects.create(
            partnership=partnership,
            email=email,
            full_name=full_name.strip(),
            role=role,
            school=school,
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        )
        _audit(
            partnership,
            actor,
            "partnership.person_invited",
            invitation,
            email=email,
            role=role,
            school=getattr(school, "pk", None),
        )
        with translation.override(partnership.default_language):
            queue_email(
                partnership=partnership,
                key=f"invitation:{invitation.pk}:{invitation.nonce}",
                to=email,
                subject=_("You are invited to %(partnership)s") % {"partnership": partnership},
                template="partnership/email/invitation.txt",
                context={
                    "invitation": invitation,
                    "partnership": partnership,
                    "role": Role(role).label,
                    "url": invitation_url(invitation),
                    "actor": actor,
                    "days": settings.INVITATION_MAX_AGE_DAYS,
                },
            )
    return invitation


def revoke_invitation(*, actor: Any, invitation: Invitation) -> Invitation:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        with transaction.atomic():
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            _audit(
                invitation.partnership_id,
                actor,
                "partnership.invitation_revoked",
                invitation,
                email=invitation.email,
            )
    return invitation


def accept_invitation(
    *, invitation: Invitation, user: Any = None, full_name: str = "", password: str = ""
) -> Any:
    """Use an invitation once: create the account if needed and grant the role.

    Returns the user. A second use of the same link fails with InvitationInvalid.
    """
    from allauth.account.models import EmailAddress

    with tenant_scope(invitation.partnership_id), transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise InvitationInvalid("used")
        if user is None:
            if User.objects.filter(email__iexact=locked.email).exists():
                raise InvitationInvalid("sign_in")
            user = User.objects.create_user(
                email=locked.email, password=password, full_name=full_name or locked.full_name
            )
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        elif user.email.lower() != locked.email.lower():
            raise InvitationInvalid("other_user")
        grant_membership(
            partnership=locked.partnership,
            user=user,
            role=locked.role,
            school=locked.school,
            actor=user,
        )
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
    return user


# --- Email outbox ---------------------------------------------------------------------


def queue_email(
    *,
    partnership: Partnership,
    key: str,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    attachments: list[dict[str, str]] | None = None,
) -> OutboundEmail:
    """Put an email in the outbox once per key and send it after the transaction commits.

    Calling again with the same key returns the existing email and sends nothing new, so
    a task that runs twice cannot send a second copy. `attachments` are small text files
    (`{"filename", "content", "mimetype"}`), such as a calendar invitation.
    """
    from .tasks import deliver_email

    body = render_to_string(template, context)
    with tenant_scope(partnership), transaction.atomic():
        email, created = OutboundEmail.objects.get_or_create(
            key=key,
            defaults={
                "partnership": partnership,
                "to": to,
                "subject": subject,
                "body": body,
                "attachments": attachments or [],
            },
        )
    if created:
        transaction.on_commit(
            lambda: _enqueue(deliver_email, partnership.pk, email.pk), robust=True
        )
    return email


def _enqueue(task: Any, *args: Any) -> None:
    try:
        task.delay(*args)
    except Exception:  # the broker is down: the outbox sweeper sends it later
        logger.warning("Could not enqueue %s%r; it stays in the outbox.", task.name, args)


@dataclass(frozen=True)
class EmailToQueue:
    """One email for `queue_emails`, already rendered (in its reader's language)."""

    key: str
    to: str
    subject: str
    body: str


def queue_emails(
    *, partnership: Partnership, emails: Sequence[EmailToQueue]
) -> dict[str, OutboundEmail]:
    """Many emails at once (e.g. a round of survey invitations), with queue_email's
    guarantee of at most one email per key: one insert for every key not queued before,
    then, after the transaction commits, one delivery task for the batch (which reuses
    one mail connection). Returns the outbox rows by key."""
    from .tasks import deliver_emails

    keys = [email.key for email in emails]
    with tenant_scope(partnership), transaction.atomic():
        OutboundEmail.objects.bulk_create(
            [
                OutboundEmail(
                    partnership=partnership,
                    key=email.key,
                    to=email.to,
                    subject=email.subject,
                    body=email.body,
                )
                for email in emails
            ],
            ignore_conflicts=True,
        )
        rows = {row.key: row for row in OutboundEmail.objects.filter(key__in=keys)}
    waiting = [rows[key].pk for key in keys if rows[key].status != OutboundEmail.Status.SENT]
    if waiting:
        transaction.on_commit(
            lambda: _enqueue(deliver_emails, partnership.pk, waiting), robust=True
        )
    return rows


def _send_claimed(email: OutboundEmail, connection: Any = None) -> bool:
    """Mark one outbox row sent and send it, in one transaction. The claiming UPDATE
    locks the row: a second worker sending the same email waits, then finds it sent and
    sends nothing; a failed send rolls the mark back. Returns whether this call sent it."""
    from django.core.mail import EmailMessage

    now = timezone.now()
    with transaction.atomic():
        claimed = (
            OutboundEmail.objects.filter(pk=email.pk)
            .exclude(status=OutboundEmail.Status.SENT)
            .update(
                status=OutboundEmail.Status.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                last_error="",
            )
        )
        if not claimed:
            return False
        message = EmailMessage(
            subject=email.subject, body=email.body, to=[email.to], connection=connection
        )
        for attachment in email.attachments:
            message.attach(
                attachment["filename"], attachment["content"], attachment.get("mimetype")
            )
        message.send()
    email.status, email.sent_at, email.last_error = OutboundEmail.Status.SENT, now, ""
    email.attempts += 1
    return True


def deliver_queued_email(email_id: int, *, connection: Any = None) -> OutboundEmail:
    """Send one outbox email unless it was already sent (at most once)."""
    email = OutboundEmail.objects.get(pk=email_id)
    if email.status != OutboundEmail.Status.SENT and not _send_claimed(email, connection):
        email.refresh_from_db()
    return email


def deliver_queued_emails(
    email_ids: Sequence[int], *, connection: Any = None
) -> tuple[int, list[int]]:
    """Send a batch of outbox emails over one connection: one query loads those not yet
    sent, then each is claimed and sent on its own (so a worker killed mid-batch has sent
    and marked all before the one it was on). Returns (how many this call sent, ids that
    failed); a failure is recorded on its row for the operator."""
    sent, failed = 0, []
    pending = OutboundEmail.objects.filter(pk__in=list(email_ids)).exclude(
        status=OutboundEmail.Status.SENT
    )
    for email in pending.order_by("pk"):
        try:
            sent += _send_claimed(email, connection)
        except Exception as exc:  # SMTP and network errors: record; the caller retries
            record_email_failure(email.pk, repr(exc))
            failed.append(email.pk)
    return sent, failed


def record_email_failure(email_id: int, error: str) -> None:
    """Make a failed send visible to the operator; the task retries it."""
    OutboundEmail.objects.filter(pk=email_id).exclude(status=OutboundEmail.Status.SENT).update(
        status=OutboundEmail.Status.FAILED, last_error=error[:2000], attempts=F("attempts") + 1
    )
