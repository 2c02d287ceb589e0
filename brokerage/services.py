"""Writes of brokerage, each with its business rule.

Every function validates its input and raises ValidationError (with field names where
the error belongs to a field) before anything is written; writes run inside
`transaction.atomic()`, so bad input never leaves a partial write. Emails go through the
outbox (partnership.services.queue_email: one per key, sent by a Celery task after commit).

The need's life: open -> brokered (agreement made) -> in progress (both headteachers
confirmed, or the first session logged) -> met (agreement closed). An open need can be
withdrawn; a declined agreement puts its need back to open.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.models import Area, Partnership, Role
from partnership.policies import school_ids_with_role
from partnership.services import queue_email
from partnership.tenancy import URL_KWARG
from schools.models import School

from . import scoring, selectors
from .models import (
    ZERO,
    AgreementOutcome,
    CategoryOverride,
    DeliveryLanguage,
    DeliverySession,
    Funding,
    Need,
    NeedDecline,
    ObjectivesMet,
    Offer,
    SupportAgreement,
    Timeframe,
    Urgency,
)

NEED_FIELDS = (
    "area",
    "title",
    "description",
    "outcome",
    "urgency",
    "preferred_language",
    "timeframe",
    "days_wanted",
)
OFFER_FIELDS = (
    "area",
    "other_areas",
    "title",
    "description",
    "academic_year",
    "days_available",
    "is_charged",
    "day_rate",
    "language",
    "evidence",
    "contact_name",
    "contact_email",
)
ACADEMIC_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


# --- Shared checks -----------------------------------------------------------------------


def _text(value: Any) -> str:
    return (value or "").strip()


def _require_text(errors: dict, fields: dict, *names: str) -> None:
    for name in names:
        fields[name] = _text(fields.get(name))
        if not fields[name]:
            errors[name] = _("This cannot be empty.")


def _positive_days(value: Any) -> Decimal | None:
    """The value as days if it is a positive number of days, else None."""
    try:
        days = Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError):
        return None
    if not days.is_finite() or days <= 0 or days != days.quantize(Decimal("0.1")):
        return None
    return days


def _same_partnership(partnership_id: int, errors: dict, **objects: Any) -> None:
    """Rows from another partnership are treated like rows that do not exist."""
    for field, obj in objects.items():
        if obj is not None and getattr(obj, "partnership_id", None) != partnership_id:
            errors[field] = _("Choose one from the list.")


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _check_choice(errors: dict, fields: dict, name: str, choices: Any, blank: bool = False) -> None:
    value = fields.get(name)
    if value in (None, "") and blank:
        fields[name] = ""
        return
    if value not in choices.values:
        errors[name] = _("Choose one from the list.")


# --- Needs -------------------------------------------------------------------------------


def _clean_need_fields(partnership_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(NEED_FIELDS)
    if unknown:
        raise TypeError(f"Unknown need fields: {sorted(unknown)}")
    errors: dict[str, Any] = {}
    _require_text(errors, fields, "title", "description", "outcome")
    area = fields.get("area")
    if not isinstance(area, Area):
        errors["area"] = _("Choose an area.")
    else:
        _same_partnership(partnership_id, errors, area=area)
    _check_choice(errors, fields, "urgency", Urgency)
    _check_choice(errors, fields, "timeframe", Timeframe)
    _check_choice(errors, fields, "preferred_language", DeliveryLanguage, blank=True)
    if fields.get("days_wanted") not in (None, ""):
        days = _positive_days(fields["days_wanted"])
        if days is None:
            errors["days_wanted"] = _("Enter a number of days greater than zero.")
        fields["days_wanted"] = days
    else:
        fields["days_wanted"] = None
    _raise(errors)
    return fields


def create_need(*, actor: Any, partnership: Partnership, school: School, **fields: Any) -> Need:
    """Log a school's need; it starts open and appears on its CA's brokerage board."""
    errors: dict[str, Any] = {}
    _same_partnership(partnership.pk, errors, school=school)
    _raise(errors)
    fields = _clean_need_fields(partnership.pk, {name: fields.get(name) for name in NEED_FIELDS})
    with transaction.atomic():
        return Need.objects.create(
            partnership=partnership, school=school, raised_by=actor, **fields
        )


def update_need(*, actor: Any, need: Need, **fields: Any) -> Need:
    """Change an open need (a need that has been brokered cannot change under the match)."""
    fields = _clean_need_fields(
        need.partnership_id, {name: fields.get(name) for name in NEED_FIELDS}
    )
    with transaction.atomic():
        locked = Need.objects.select_for_update().get(pk=need.pk)
        if locked.status != Need.Status.OPEN:
            raise ValidationError(_("Only an open need can be changed."))
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
    return locked


def withdraw_need(*, actor: Any, need: Need) -> Need:
    """Withdraw a need while it is open (once brokered, decline or close the agreement)."""
    with transaction.atomic():
        locked = Need.objects.select_for_update().get(pk=need.pk)
        if locked.status != Need.Status.OPEN:
            raise ValidationError(_("Only an open need can be withdrawn."))
        locked.status = Need.Status.WITHDRAWN
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return locked


# --- Offers ------------------------------------------------------------------------------


def _clean_offer_fields(partnership_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(OFFER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown offer fields: {sorted(unknown)}")
    errors: dict[str, Any] = {}
    _require_text(errors, fields, "title", "description", "evidence", "contact_name")
    fields["contact_email"] = _text(fields.get("contact_email"))
    area = fields.get("area")
    if not isinstance(area, Area):
        errors["area"] = _("Choose an area.")
    else:
        _same_partnership(partnership_id, errors, area=area)
    other_areas = [a for a in (fields.get("other_areas") or []) if a != area]
    if any(a.partnership_id != partnership_id for a in other_areas):
        errors["other_areas"] = _("Choose areas from the list.")
    fields["other_areas"] = other_areas
    _check_choice(errors, fields, "language", DeliveryLanguage)
    year = ACADEMIC_YEAR.match(fields.get("academic_year") or "")
    if not year or (int(year.group(1)) + 1) % 100 != int(year.group(2)):
        errors["academic_year"] = _("Enter an academic year like 2025/26.")
    days = _positive_days(fields.get("days_available"))
    if days is None:
        errors["days_available"] = _("Enter a number of days greater than zero.")
    fields["days_available"] = days
    fields["is_charged"] = bool(fields.get("is_charged"))
    if fields["is_charged"]:
        rate = fields.get("day_rate")
        if rate in (None, "") or Decimal(str(rate)) <= 0:
            errors["day_rate"] = _("Enter the day rate the school charges.")
    else:
        fields["day_rate"] = None
    _raise(errors)
    return fields


def create_offer(*, actor: Any, partnership: Partnership, school: School, **fields: Any) -> Offer:
    """Log what a school can give: its capacity left starts at all its days."""
    errors: dict[str, Any] = {}
    _same_partnership(partnership.pk, errors, school=school)
    _raise(errors)
    fields = _clean_offer_fields(partnership.pk, {name: fields.get(name) for name in OFFER_FIELDS})
    other_areas = fields.pop("other_areas")
    with transaction.atomic():
        offer = Offer.objects.create(
            partnership=partnership, school=school, created_by=actor, **fields
        )
        offer.other_areas.set(other_areas)
    return offer


def update_offer(*, actor: Any, offer: Offer, **fields: Any) -> Offer:
    """Change an open offer; its days cannot drop below the days already committed."""
    fields = _clean_offer_fields(
        offer.partnership_id, {name: fields.get(name) for name in OFFER_FIELDS}
    )
    other_areas = fields.pop("other_areas")
    with transaction.atomic():
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        if locked.status != Offer.Status.OPEN:
            raise ValidationError(_("Only an open offer can be changed."))
        if fields["days_available"] < locked.days_committed:
            raise ValidationError(
                {
                    "days_available": _(
                        "%(days)s days are already committed to agreements: offer at least "
                        "that many."
                    )
                    % {"days": locked.days_committed}
                }
            )
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        locked.other_areas.set(other_areas)
    return locked


def withdraw_offer(*, actor: Any, offer: Offer) -> Offer:
    """Stop suggesting an offer. Agreements already made from it go on."""
    with transaction.atomic():
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        if locked.status != Offer.Status.OPEN:
            raise ValidationError(_("This offer has already been withdrawn."))
        locked.status = Offer.Status.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
    return locked


def _audit(actor: Any, target: Any, action: str, **detail: Any) -> None:
    """A brokerage decision in the audit trail, in the caller's transaction."""
    from audit.services import record_event

    record_event(
        partnership=target.partnership_id,
        actor=actor,
        action=f"brokerage.{action}",
        target=target,
        detail={key: str(value) for key, value in detail.items()},
    )


# --- Overrides and declines -----------------------------------------------------------------


def record_override(*, actor: Any, need: Need, provider: School, reason: str) -> CategoryOverride:
    """Let a red or amber school's need be matched to a provider that is not green or
    yellow, recording who decided it and why. Recording it again changes nothing."""
    errors: dict[str, Any] = {}
    _same_partnership(need.partnership_id, errors, provider=provider)
    reason = _text(reason)
    if not reason:
        errors["reason"] = _("Say why this provider is right despite the category rule.")
    _raise(errors)
    school = need.school
    if provider.pk == school.pk:
        raise ValidationError(_("A school cannot support itself."))
    if scoring.category_allows(school.support_category, provider.support_category):
        raise ValidationError(_("No override is needed: the category rule allows this provider."))
    with transaction.atomic():
        locked = Need.objects.select_for_update().get(pk=need.pk)
        if locked.status != Need.Status.OPEN:
            raise ValidationError(_("Only an open need can be brokered."))
        override, created = CategoryOverride.objects.get_or_create(
            need=locked,
            provider=provider,
            defaults={"partnership_id": need.partnership_id, "reason": reason, "created_by": actor},
        )
        if created:
            _audit(actor, override, "override_recorded", need=locked.pk, provider=provider.pk)
    return override


def record_decline(
    *,
    actor: Any,
    need: Need,
    provider: School,
    reason: str,
    agreement: SupportAgreement | None = None,
) -> NeedDecline:
    """Record that a provider declined a need (or was declined for it): it is no longer
    suggested for that need. Recording it again keeps the first reason."""
    errors: dict[str, Any] = {}
    _same_partnership(need.partnership_id, errors, provider=provider)
    reason = _text(reason)
    if not reason:
        errors["reason"] = _("Give the reason for the decline.")
    _raise(errors)
    if provider.pk == need.school_id:
        raise ValidationError(_("A school cannot support itself."))
    with transaction.atomic():
        decline, created = NeedDecline.objects.get_or_create(
            need=need,
            provider=provider,
            defaults={
                "partnership_id": need.partnership_id,
                "reason": reason,
                "declined_by": actor,
                "agreement": agreement,
            },
        )
        if created:
            _audit(actor, decline, "decline_recorded", need=need.pk, provider=provider.pk)
    return decline


# --- Agreements ----------------------------------------------------------------------------


def make_agreement(
    *,
    actor: Any,
    need: Need,
    offer: Offer,
    days: Any,
    starts_on: dt.date,
    ends_on: dt.date,
    objectives: str,
    funding: str,
    cost: Any = None,
) -> SupportAgreement:
    """A CA accepts a suggestion: the agreement is recorded, its days are drawn from the
    offer, the need becomes brokered and both headteachers are emailed to confirm.

    The need and the offer rows are locked (SELECT ... FOR UPDATE) for the whole write,
    so two advisers taking the last days of an offer at once cannot both succeed: the
    second one sees the days already gone and gets a ValidationError.
    """
    errors: dict[str, Any] = {}
    if offer.partnership_id != need.partnership_id:
        raise ValidationError(_("This offer is not available."))
    days_value = _positive_days(days)
    if days_value is None:
        errors["days"] = _("Enter a number of days greater than zero.")
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        errors["starts_on"] = _("Enter the start and end dates.")
    elif ends_on < starts_on:
        errors["ends_on"] = _("The end date must be the same as or after the start date.")
    objectives = _text(objectives)
    if not objectives:
        errors["objectives"] = _("Say what the support should achieve.")
    if funding not in Funding.values:
        errors["funding"] = _("Choose how the support is funded.")
    cost_value = None
    if cost not in (None, ""):
        try:
            cost_value = Decimal(str(cost))
        except ArithmeticError:
            cost_value = Decimal("-1")
        if not cost_value.is_finite() or cost_value < 0:
            errors["cost"] = _("Enter a cost of zero or more.")
        elif funding == Funding.FREE and cost_value > 0:
            errors["cost"] = _("Free support has no cost: leave the cost empty.")
    _raise(errors)

    with transaction.atomic():
        locked_need = (
            Need.objects.select_for_update(of=("self",)).select_related("school").get(pk=need.pk)
        )
        locked_offer = (
            Offer.objects.select_for_update(of=("self",)).select_related("school").get(pk=offer.pk)
        )
        receiver, provider = locked_need.school, locked_offer.school
        if locked_need.status != Need.Status.OPEN:
            raise ValidationError(_("This need is no longer open: it may have just been brokered."))
        if provider.pk == receiver.pk:
            raise ValidationError(_("A school cannot support itself."))
        if locked_offer.status != Offer.Status.OPEN:
            raise ValidationError(_("This offer has been withdrawn."))
        if (
            locked_offer.area_id != locked_need.area_id
            and not locked_offer.other_areas.filter(pk=locked_need.area_id).exists()
        ):
            raise ValidationError({"offer": _("This offer does not cover the need's area.")})
        if NeedDecline.objects.filter(need=locked_need, provider=provider).exists():
            raise ValidationError(_("This provider has declined this need."))
        override = None
        if not scoring.category_allows(receiver.support_category, provider.support_category):
            override = CategoryOverride.objects.filter(need=locked_need, provider=provider).first()
            if override is None:
                raise ValidationError(
                    _(
                        "A red or amber school is matched only to green or yellow providers. "
                        "Record an override with your reason first."
                    )
                )
        if days_value > locked_offer.capacity_left:
            raise ValidationError(
                {
                    "days": _("Only %(left)s days are left on this offer.")
                    % {"left": locked_offer.capacity_left}
                }
            )
        try:
            with transaction.atomic():
                agreement = SupportAgreement.objects.create(
                    partnership_id=locked_need.partnership_id,
                    need=locked_need,
                    offer=locked_offer,
                    receiving_school=receiver,
                    provider=provider,
                    days=days_value,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    objectives=objectives,
                    funding=funding,
                    cost=cost_value,
                    override=override,
                    brokered_by=actor,
                )
        except IntegrityError:
            raise ValidationError(_("This need already has an agreement.")) from None
        Offer.objects.filter(pk=locked_offer.pk).update(
            days_committed=F("days_committed") + days_value, updated_at=timezone.now()
        )
        locked_need.status = Need.Status.BROKERED
        locked_need.save(update_fields=["status", "updated_at"])
        _audit(
            actor,
            agreement,
            "agreement_made",
            need=locked_need.pk,
            offer=locked_offer.pk,
            days=days_value,
            override=override is not None,
        )
        _email_headteachers(agreement, event="made")
    return agreement


def _sides_of(actor: Any, agreement: SupportAgreement) -> set[str]:
    heads = school_ids_with_role(actor, agreement, Role.HEADTEACHER)
    sides = set()
    if agreement.provider_id in heads:
        sides.add("provider")
    if agreement.receiving_school_id in heads:
        sides.add("receiver")
    return sides


def _start_need(need_id: int) -> None:
    Need.objects.filter(pk=need_id, status=Need.Status.BROKERED).update(
        status=Need.Status.IN_PROGRESS, updated_at=timezone.now()
    )


def confirm_agreement(*, actor: Any, agreement: SupportAgreement) -> SupportAgreement:
    """A headteacher of the provider or the receiving school confirms the agreement; once
    both have, it is in progress (and so is the need)."""
    with transaction.atomic():
        locked = SupportAgreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.status not in SupportAgreement.LIVE:
            raise ValidationError(_("This agreement can no longer be confirmed."))
        sides = _sides_of(actor, locked)
        if not sides:
            raise ValidationError(_("Only the headteachers of the two schools can confirm."))
        now = timezone.now()
        if "provider" in sides and not locked.provider_confirmed_at:
            locked.provider_confirmed_at, locked.provider_confirmed_by = now, actor
        if "receiver" in sides and not locked.receiver_confirmed_at:
            locked.receiver_confirmed_at, locked.receiver_confirmed_by = now, actor
        if locked.both_confirmed and locked.status == SupportAgreement.Status.PROPOSED:
            locked.status = SupportAgreement.Status.ACTIVE
            _start_need(locked.need_id)
        locked.save()
        _audit(actor, locked, "agreement_confirmed", sides=",".join(sorted(sides)))
    return locked


def decline_agreement(*, actor: Any, agreement: SupportAgreement, reason: str) -> SupportAgreement:
    """A headteacher declines a proposed agreement with a reason: its days go back to the
    offer, the need is open again and this provider is no longer suggested for it."""
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the decline.")})
    with transaction.atomic():
        locked = SupportAgreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.status != SupportAgreement.Status.PROPOSED:
            raise ValidationError(_("Only an agreement waiting for confirmation can be declined."))
        if not _sides_of(actor, locked):
            raise ValidationError(_("Only the headteachers of the two schools can decline."))
        need = Need.objects.select_for_update().get(pk=locked.need_id)
        Offer.objects.select_for_update().get(pk=locked.offer_id)
        Offer.objects.filter(pk=locked.offer_id).update(
            days_committed=F("days_committed") - locked.days, updated_at=timezone.now()
        )
        locked.status = SupportAgreement.Status.DECLINED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        if need.status in (Need.Status.BROKERED, Need.Status.IN_PROGRESS):
            need.status = Need.Status.OPEN
            need.save(update_fields=["status", "updated_at"])
        record_decline(
            actor=actor, need=need, provider=locked.provider, reason=reason, agreement=locked
        )
        _audit(actor, locked, "agreement_declined")
        _email_broker_declined(locked, actor=actor, reason=reason)
    return locked


def log_session(
    *, actor: Any, agreement: SupportAgreement, date: dt.date, days: Any, notes: str = ""
) -> DeliverySession:
    """Record support delivered under an agreement. The first session starts the
    agreement (and its need) if the headteachers have not both confirmed yet."""
    errors: dict[str, Any] = {}
    days_value = _positive_days(days)
    if days_value is None:
        errors["days"] = _("Enter a number of days greater than zero.")
    if not isinstance(date, dt.date):
        errors["date"] = _("Enter the date of the session.")
    elif date > timezone.localdate():
        errors["date"] = _("The date cannot be in the future.")
    elif date < agreement.starts_on:
        errors["date"] = _("The date cannot be before the agreement starts.")
    _raise(errors)
    with transaction.atomic():
        locked = SupportAgreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.status not in SupportAgreement.LIVE:
            raise ValidationError(_("Delivery can only be logged on a live agreement."))
        delivered = sum(
            DeliverySession.objects.filter(agreement=locked).values_list("days", flat=True),
            ZERO,
        )
        if delivered + days_value > locked.days:
            raise ValidationError(
                {
                    "days": _("Only %(left)s of the agreed days are left to deliver.")
                    % {"left": locked.days - delivered}
                }
            )
        session = DeliverySession.objects.create(
            partnership_id=locked.partnership_id,
            agreement=locked,
            date=date,
            days=days_value,
            notes=_text(notes),
            recorded_by=actor,
        )
        if locked.status == SupportAgreement.Status.PROPOSED:
            locked.status = SupportAgreement.Status.ACTIVE
            locked.save(update_fields=["status", "updated_at"])
        _start_need(locked.need_id)
    return session


def close_agreement(
    *,
    actor: Any,
    agreement: SupportAgreement,
    objectives_met: str,
    rating: Any,
    evidence: str,
) -> AgreementOutcome:
    """Close an agreement in progress with its outcome. The need is met; days agreed but
    not delivered go back to the offer."""
    errors: dict[str, Any] = {}
    if objectives_met not in ObjectivesMet.values:
        errors["objectives_met"] = _("Say whether the objectives were met.")
    try:
        rating_value = int(rating)
    except (TypeError, ValueError):
        rating_value = 0
    if not 1 <= rating_value <= 4:
        errors["rating"] = _("Choose a rating from 1 to 4.")
    evidence = _text(evidence)
    if not evidence:
        errors["evidence"] = _("Describe the evidence of impact.")
    _raise(errors)
    with transaction.atomic():
        locked = SupportAgreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.status != SupportAgreement.Status.ACTIVE:
            raise ValidationError(_("Only an agreement in progress can be closed."))
        need = Need.objects.select_for_update().get(pk=locked.need_id)
        Offer.objects.select_for_update().get(pk=locked.offer_id)
        delivered = sum(
            DeliverySession.objects.filter(agreement=locked).values_list("days", flat=True),
            ZERO,
        )
        undelivered = locked.days - delivered
        if undelivered > 0:
            Offer.objects.filter(pk=locked.offer_id).update(
                days_committed=F("days_committed") - undelivered, updated_at=timezone.now()
            )
        outcome = AgreementOutcome.objects.create(
            partnership_id=locked.partnership_id,
            agreement=locked,
            objectives_met=objectives_met,
            rating=rating_value,
            evidence=evidence,
            recorded_by=actor,
        )
        locked.status = SupportAgreement.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        need.status = Need.Status.MET
        need.save(update_fields=["status", "updated_at"])
        _audit(
            actor, locked, "agreement_closed", objectives_met=objectives_met, rating=rating_value
        )
    return outcome


# --- Emails -------------------------------------------------------------------------------


def agreement_url(agreement: SupportAgreement, partnership: Partnership) -> str:
    return settings.SITE_URL + reverse(
        "brokerage:agreement_detail", kwargs={URL_KWARG: partnership.slug, "pk": agreement.pk}
    )


def _send(
    *,
    agreement: SupportAgreement,
    event: str,
    recipients: Iterable[Any],
    subject: Any,
    template: str,
    context: dict[str, Any],
) -> int:
    """Queue one email per recipient, in the recipient's language (the subject is lazy);
    the key makes each (agreement, event, person) once."""
    partnership = agreement.partnership
    url = agreement_url(agreement, partnership)
    sent = 0
    for user in recipients:
        if not user.email or not user.is_active:
            continue
        with translation.override(user.language or partnership.default_language):
            queue_email(
                partnership=partnership,
                key=f"brokerage:agreement:{agreement.pk}:{event}:{user.pk}",
                to=user.email,
                subject=str(subject) % {"partnership": partnership.name},
                template=template,
                context={
                    "agreement": agreement,
                    "partnership": partnership,
                    "recipient": user,
                    "url": url,
                    **context,
                },
            )
        sent += 1
    return sent


def _email_headteachers(agreement: SupportAgreement, *, event: str) -> int:
    """Email the headteachers of both schools (for a reminder: of the sides that have
    not confirmed yet)."""
    school_ids = [agreement.provider_id, agreement.receiving_school_id]
    if event == "reminder":
        school_ids = [
            school_id
            for school_id, confirmed in (
                (agreement.provider_id, agreement.provider_confirmed_at),
                (agreement.receiving_school_id, agreement.receiver_confirmed_at),
            )
            if not confirmed
        ]
    heads = selectors.headteachers_of(school_ids)
    users = {m.user.pk: m.user for m in heads}.values()
    subjects = {
        "made": gettext_lazy("Support agreement to confirm – %(partnership)s"),
        "reminder": gettext_lazy("Reminder: a support agreement waits for you – %(partnership)s"),
    }
    return _send(
        agreement=agreement,
        event=event,
        recipients=users,
        subject=subjects[event],
        template=f"brokerage/email/agreement_{event}.txt",
        context={},
    )


def _email_broker_declined(agreement: SupportAgreement, *, actor: Any, reason: str) -> int:
    if agreement.brokered_by is None:
        return 0
    return _send(
        agreement=agreement,
        event="declined",
        recipients=[agreement.brokered_by],
        subject=gettext_lazy("A support agreement was declined – %(partnership)s"),
        template="brokerage/email/agreement_declined.txt",
        context={"actor": actor, "reason": reason},
    )


def remind_unconfirmed(*, partnership: Partnership, older_than_days: int = 7) -> int:
    """Email the headteachers of agreements still waiting for confirmation after a week,
    once per agreement and person (the outbox key makes a second run send nothing)."""
    cutoff = timezone.now() - timezone.timedelta(days=older_than_days)
    agreements = SupportAgreement.objects.filter(
        status=SupportAgreement.Status.PROPOSED, created_at__lt=cutoff
    ).select_related("partnership", "need", "provider", "receiving_school")
    sent = 0
    for agreement in agreements:
        with transaction.atomic():
            sent += _email_headteachers(agreement, event="reminder")
    return sent
