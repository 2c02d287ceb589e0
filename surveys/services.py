"""Writes of surveys: scheduling and sending impact surveys, answering them through a
personal link, and running the annual needs survey round.

Every email goes through the partnership outbox (`queue_email`) with a stable key, so a
task that runs twice, is retried or runs on two workers never sends a second copy:

- ``surveys:impact:<invitation>:invitation``: the invitation itself;
- ``surveys:impact:<invitation>:reminder:<n>``: the n-th reminder;
- ``surveys:impact:<invitation>:thanks``: the receipt after answering;
- ``surveys:needs:<round>:<event>:<school>:<user>``: needs-survey emails.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from audit.services import record_event
from partnership.models import Area, Membership, OutboundEmail, Partnership, Role
from partnership.services import EmailToQueue, queue_email, queue_emails
from partnership.tenancy import tenant_scope

from .models import (
    LIKERT_MAX,
    LIKERT_MIN,
    DeliveryMode,
    ImpactInvitation,
    ImpactResponse,
    NeedsAreaPriority,
    NeedsSurveyResponse,
    NeedsSurveyRound,
    PreferredLanguage,
    SurveyOptOut,
    SurveyPoint,
    SurveySettings,
)

TOKEN_SALT = "surveys.impact.answer"
OPT_OUT_SALT = "surveys.impact.opt_out"
#: Days before a needs round's deadline when headteachers who have not submitted hear.
#: Invitations sent per transaction by the scheduled task.
SEND_CHUNK = 100
#: What an invitation's email shows, loaded with it.
SENDING_RELATED = ("partnership", "programme", "agreement__provider", "agreement__receiving_school")


def survey_settings(partnership: Partnership | int) -> SurveySettings:
    """The partnership's survey settings (created with the defaults on first use)."""
    partnership_id = partnership if isinstance(partnership, int) else partnership.pk
    with tenant_scope(partnership_id):
        found, _created = SurveySettings.objects.get_or_create(partnership_id=partnership_id)
    return found


def update_settings(*, actor: Any, partnership: Partnership, **values: Any) -> SurveySettings:
    """Change when impact surveys and reminders go out."""
    for name in ("reminder_offsets", "needs_reminder_days"):
        days = values.get(name)
        if days is None:
            continue
        if any(not isinstance(d, int) or isinstance(d, bool) or not 1 <= d <= 365 for d in days):
            message = _("Give each reminder as a number of days from 1 to 365.")
            raise ValidationError({name: message})
        values[name] = sorted(set(days))
    with tenant_scope(partnership), transaction.atomic():
        current = SurveySettings.objects.select_for_update().get(pk=survey_settings(partnership).pk)
        for name, value in values.items():
            setattr(current, name, value)
        current.full_clean(exclude=["partnership"])
        current.save()
        record_event(
            partnership=partnership,
            actor=actor,
            action="surveys.settings_changed",
            target=current,
            detail=dict(values),
        )
    return current


# --- Personal links --------------------------------------------------------------------------


class SurveyLinkInvalid(Exception):
    """The link is forged, expired, used or opted out; `reason` says which, for the page."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def survey_token(invitation: ImpactInvitation, *, salt: str = TOKEN_SALT) -> str:
    """The secret part of a personal link: signed, so it cannot be forged or altered."""
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce.hex}, salt=salt)


#: Stands for the token in a link reversed once per batch (tokens are URL-safe: base64
#: and ":"), so filling it in gives what `reverse` would for each invitation.
_TOKEN_SLOT = "--token--"


@dataclass(frozen=True)
class LinkPatterns:
    """The absolute answer and opt-out links with a slot for the token."""

    answer: str
    opt_out: str

    @classmethod
    def build(cls) -> LinkPatterns:
        return cls(
            answer=settings.SITE_URL + reverse("survey_link:answer", args=[_TOKEN_SLOT]),
            opt_out=settings.SITE_URL + reverse("survey_link:opt_out", args=[_TOKEN_SLOT]),
        )


def survey_url(invitation: ImpactInvitation, *, links: LinkPatterns | None = None) -> str:
    pattern = (links or LinkPatterns.build()).answer
    return pattern.replace(_TOKEN_SLOT, survey_token(invitation), 1)


def opt_out_url(invitation: ImpactInvitation, *, links: LinkPatterns | None = None) -> str:
    pattern = (links or LinkPatterns.build()).opt_out
    return pattern.replace(_TOKEN_SLOT, survey_token(invitation, salt=OPT_OUT_SALT), 1)


def invitation_from_token(token: str, *, salt: str = TOKEN_SALT) -> ImpactInvitation:
    """The open invitation a link belongs to, or SurveyLinkInvalid."""
    try:
        data = signing.loads(token, salt=salt)
    except signing.BadSignature:
        raise SurveyLinkInvalid("invalid") from None
    if not isinstance(data, dict):
        raise SurveyLinkInvalid("invalid")
    # The link arrives without a tenant in its URL: find the row by its signed id and nonce.
    with scopes_disabled():
        invitation = (
            ImpactInvitation.objects.select_related(
                "partnership",
                "programme",
                "agreement__provider",
                "agreement__receiving_school",
                "school",
            )
            .filter(pk=data.get("i"), nonce=_uuid(data.get("n")))
            .first()
        )
    if invitation is None:
        raise SurveyLinkInvalid("invalid")
    if invitation.opted_out_at is not None:
        raise SurveyLinkInvalid("opted_out")
    if invitation.answered_at is not None:
        raise SurveyLinkInvalid("used")
    if invitation.expires_at <= timezone.now() or not invitation.partnership.is_active:
        raise SurveyLinkInvalid("expired")
    return invitation


def _uuid(value: Any) -> Any:
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# --- Scheduling ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A person who should be asked at one point, before the invitation row exists."""

    point: str
    due_on: datetime.date
    area_id: int
    school_id: int
    full_name: str
    email: str
    enrolment_id: int | None = None
    programme_id: int | None = None
    agreement_id: int | None = None
    provider_id: int | None = None


def due_dates(
    *, starts_on: datetime.date, ends_on: datetime.date, config: SurveySettings
) -> dict[str, datetime.date]:
    """When each survey of a programme or agreement running from `starts_on` to
    `ends_on` falls due."""
    end = ends_on + timedelta(days=config.end_offset_days)
    return {
        SurveyPoint.START: starts_on + timedelta(days=config.start_offset_days),
        SurveyPoint.END: end,
        SurveyPoint.FOLLOW_UP: end + timedelta(days=config.follow_up_offset_days),
    }


def _in_window(due: datetime.date, today: datetime.date, config: SurveySettings) -> bool:
    # A survey that fell due longer ago than a link lasts is not sent late (e.g. the
    # start survey of a programme that ended before surveys were switched on).
    return due <= today and (today - due).days < config.link_valid_days


def _programme_candidates(
    config: SurveySettings, today: datetime.date, opted_out: set[str]
) -> list[Candidate]:
    from hubs.models import Enrolment, EnrolmentStatus, ProgrammeStatus

    existing = set(
        ImpactInvitation.objects.filter(enrolment__isnull=False).values_list(
            "enrolment_id", "point"
        )
    )
    rows = (
        Enrolment.objects.filter(status=EnrolmentStatus.CONFIRMED)
        .exclude(programme__status__in=[ProgrammeStatus.DRAFT, ProgrammeStatus.CANCELLED])
        .order_by()
        .values(
            "pk",
            "programme_id",
            "programme__area_id",
            "school_id",
            "participant_name",
            "participant_email",
        )
        .annotate(first=Min("programme__sessions__date"), last=Max("programme__sessions__date"))
        .filter(first__lte=today - timedelta(days=config.start_offset_days))
    )
    found = []
    for row in rows:
        if row["participant_email"].lower() in opted_out:
            continue
        dates = due_dates(starts_on=row["first"], ends_on=row["last"], config=config)
        for point, due in dates.items():
            if (row["pk"], point) in existing or not _in_window(due, today, config):
                continue
            found.append(
                Candidate(
                    point=point,
                    due_on=due,
                    area_id=row["programme__area_id"],
                    school_id=row["school_id"],
                    full_name=row["participant_name"],
                    email=row["participant_email"],
                    enrolment_id=row["pk"],
                    programme_id=row["programme_id"],
                )
            )
    return found


def _agreement_candidates(
    config: SurveySettings, today: datetime.date, opted_out: set[str]
) -> list[Candidate]:
    """Each headteacher of the receiving school is asked about an active or closed
    support agreement."""
    from brokerage.models import SupportAgreement

    existing = set(
        ImpactInvitation.objects.filter(agreement__isnull=False).values_list(
            "agreement_id", "email", "point"
        )
    )
    agreements = list(
        SupportAgreement.objects.filter(
            status__in=[SupportAgreement.Status.ACTIVE, SupportAgreement.Status.CLOSED],
            starts_on__lte=today - timedelta(days=config.start_offset_days),
        )
        .order_by()
        .values("pk", "receiving_school_id", "provider_id", "need__area_id", "starts_on", "ends_on")
    )
    heads: dict[int, list[tuple[str, str]]] = {}
    for school_id, email, name in Membership.objects.filter(
        role=Role.HEADTEACHER,
        school_id__in={a["receiving_school_id"] for a in agreements},
        user__is_active=True,
    ).values_list("school_id", "user__email", "user__full_name"):
        heads.setdefault(school_id, []).append((email, name or email))
    found = []
    for agreement in agreements:
        dates = due_dates(
            starts_on=agreement["starts_on"], ends_on=agreement["ends_on"], config=config
        )
        for email, name in heads.get(agreement["receiving_school_id"], []):
            if email.lower() in opted_out:
                continue
            for point, due in dates.items():
                if (agreement["pk"], email, point) in existing or not _in_window(
                    due, today, config
                ):
                    continue
                found.append(
                    Candidate(
                        point=point,
                        due_on=due,
                        area_id=agreement["need__area_id"],
                        school_id=agreement["receiving_school_id"],
                        full_name=name,
                        email=email,
                        agreement_id=agreement["pk"],
                        provider_id=agreement["provider_id"],
                    )
                )
    return found


def schedule_due_invitations(
    *, partnership: Partnership | int, now: datetime.datetime | None = None
) -> int:
    """Create the invitations that have fallen due (not yet sent). Safe to run twice:
    the unique constraints keep one invitation per enrolment (or agreement and person)
    and point. Returns how many were created."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    partnership_id = partnership if isinstance(partnership, int) else partnership.pk
    config = survey_settings(partnership_id)
    with tenant_scope(partnership_id):
        opted_out = {e.lower() for e in SurveyOptOut.objects.values_list("email", flat=True)}
        candidates = _programme_candidates(config, today, opted_out) + _agreement_candidates(
            config, today, opted_out
        )
        rows = [
            ImpactInvitation(
                partnership_id=partnership_id,
                point=c.point,
                enrolment_id=c.enrolment_id,
                agreement_id=c.agreement_id,
                programme_id=c.programme_id,
                area_id=c.area_id,
                school_id=c.school_id,
                provider_id=c.provider_id,
                full_name=c.full_name[:150],
                email=c.email,
                due_on=c.due_on,
                expires_at=now + timedelta(days=config.link_valid_days),
                created_at=now,
            )
            for c in candidates
        ]
        with transaction.atomic():
            ImpactInvitation.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def _email_context(
    invitation: ImpactInvitation, links: LinkPatterns | None = None
) -> dict[str, Any]:
    links = links or LinkPatterns.build()
    return {
        "invitation": invitation,
        "partnership": invitation.partnership,
        "source": invitation.source_title,
        "point": invitation.get_point_display(),
        "url": survey_url(invitation, links=links),
        "opt_out_url": opt_out_url(invitation, links=links),
        "expires_at": invitation.expires_at,
    }


def _subject(invitation: ImpactInvitation, reminder: bool = False) -> str:
    values = {"source": invitation.source_title, "partnership": invitation.partnership.name}
    if reminder:
        return _("Reminder: how is it going? %(source)s – %(partnership)s") % values
    if invitation.point == SurveyPoint.FOLLOW_UP:
        return _("Six months on: %(source)s – %(partnership)s") % values
    return _("A few questions about %(source)s – %(partnership)s") % values


def send_invitations(
    ids: Sequence[int], *, partnership_id: int, now: datetime.datetime | None = None
) -> int:
    """Queue the emails of these scheduled invitations and mark them sent, in one
    transaction. Rows another worker is sending right now are skipped (it sends them), and
    a row already sent is not sent again. Returns how many were sent."""
    now = now or timezone.now()
    with tenant_scope(partnership_id), transaction.atomic():
        claimed = list(
            ImpactInvitation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=list(ids), status=ImpactInvitation.Status.SCHEDULED)
            .select_related(*SENDING_RELATED)
            .order_by("pk")
        )
        if not claimed:
            return 0
        ImpactInvitation.objects.filter(pk__in=[i.pk for i in claimed]).update(
            status=ImpactInvitation.Status.SENT, sent_at=now
        )
        emails, links = [], LinkPatterns.build()
        for invitation in claimed:
            invitation.status, invitation.sent_at = ImpactInvitation.Status.SENT, now
            with translation.override(invitation.partnership.default_language):
                emails.append(
                    EmailToQueue(
                        key=f"surveys:impact:{invitation.pk}:invitation",
                        to=invitation.email,
                        subject=_subject(invitation),
                        body=render_to_string(
                            "surveys/email/impact_invitation.txt",
                            _email_context(invitation, links),
                        ),
                    )
                )
        # One insert and one delivery task for the chunk, not one of each per email.
        rows = queue_emails(partnership=claimed[0].partnership, emails=emails)
        for invitation, email in zip(claimed, emails, strict=True):
            invitation.email_record = rows[email.key]
        ImpactInvitation.objects.bulk_update(claimed, ["email_record"], batch_size=SEND_CHUNK)
    return len(claimed)


def send_invitation(invitation: ImpactInvitation, *, now: datetime.datetime | None = None) -> bool:
    """Queue one scheduled invitation's email and mark it sent (at most once)."""
    return bool(
        send_invitations([invitation.pk], partnership_id=invitation.partnership_id, now=now)
    )


def send_scheduled_invitations(
    *, partnership: Partnership | int, now: datetime.datetime | None = None
) -> int:
    """Send every scheduled invitation that is due and still open; returns how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    partnership_id = partnership if isinstance(partnership, int) else partnership.pk
    sent = 0
    with tenant_scope(partnership_id):
        due_ids = list(
            ImpactInvitation.objects.filter(
                status=ImpactInvitation.Status.SCHEDULED, due_on__lte=today, expires_at__gt=now
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    # One transaction per chunk (not per email): a killed worker loses at most one chunk,
    # which the next run sends; the chunk's emails are enqueued when it commits.
    for start in range(0, len(due_ids), SEND_CHUNK):
        sent += send_invitations(
            due_ids[start : start + SEND_CHUNK], partnership_id=partnership_id, now=now
        )
    return sent


def send_reminders(*, partnership: Partnership | int, now: datetime.datetime | None = None) -> int:
    """Remind those who have not answered, at the configured offsets after the
    invitation, at most `max_reminders` times. Returns how many reminders were queued."""
    now = now or timezone.now()
    partnership_id = partnership if isinstance(partnership, int) else partnership.pk
    config = survey_settings(partnership_id)
    days = config.reminder_days()
    if not days:
        return 0
    sent, links = 0, LinkPatterns.build()
    with tenant_scope(partnership_id):
        open_ones = ImpactInvitation.objects.filter(
            status=ImpactInvitation.Status.SENT,
            answered_at__isnull=True,
            opted_out_at__isnull=True,
            expires_at__gt=now,
            reminders_sent__lt=len(days),
            sent_at__lte=now - timedelta(days=days[0]),
        ).select_related(*SENDING_RELATED)
        for invitation in open_ones.iterator(chunk_size=500):
            number = invitation.reminders_sent + 1
            if now < invitation.sent_at + timedelta(days=days[number - 1]):
                continue
            with transaction.atomic():
                claimed = ImpactInvitation.objects.filter(
                    pk=invitation.pk, reminders_sent=number - 1, answered_at__isnull=True
                ).update(reminders_sent=number, last_reminded_at=now)
                if not claimed:
                    continue
                with translation.override(invitation.partnership.default_language):
                    queue_email(
                        partnership=invitation.partnership,
                        key=f"surveys:impact:{invitation.pk}:reminder:{number}",
                        to=invitation.email,
                        subject=_subject(invitation, reminder=True),
                        template="surveys/email/impact_reminder.txt",
                        context=_email_context(invitation, links),
                    )
                sent += 1
    return sent


@dataclass(frozen=True)
class RunResult:
    scheduled: int
    sent: int
    reminded: int
    needs_reminders: int


def run_due_work(
    *, partnership: Partnership | int, now: datetime.datetime | None = None
) -> RunResult:
    """Everything the hourly task does for one partnership, in order."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return RunResult(
        scheduled=schedule_due_invitations(partnership=partnership, now=now),
        sent=send_scheduled_invitations(partnership=partnership, now=now),
        reminded=send_reminders(partnership=partnership, now=now),
        needs_reminders=remind_needs_round(partnership=partnership, today=today),
    )


# --- Answering ------------------------------------------------------------------------------

ANSWER_FIELDS = ("confidence", "knowledge", "practice", "school_change")
TEXT_FIELDS = ("comment", "lasted", "spread")


def submit_response(*, invitation: ImpactInvitation, answers: dict[str, Any]) -> ImpactResponse:
    """Save a participant's answers once; a second submission raises SurveyLinkInvalid
    ("used") and keeps the first. Answers outside 1-5 raise ValidationError."""
    errors = {}
    for name in ANSWER_FIELDS:
        value = answers.get(name)
        if not isinstance(value, int) or not LIKERT_MIN <= value <= LIKERT_MAX:
            errors[name] = _("Choose an answer from %(min)s to %(max)s.") % {
                "min": LIKERT_MIN,
                "max": LIKERT_MAX,
            }
    if errors:
        raise ValidationError(errors)
    with tenant_scope(invitation.partnership_id), transaction.atomic():
        locked = ImpactInvitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.answered_at is not None:
            raise SurveyLinkInvalid("used")
        if locked.opted_out_at is not None:
            raise SurveyLinkInvalid("opted_out")
        if locked.expires_at <= timezone.now():
            raise SurveyLinkInvalid("expired")
        response = ImpactResponse.objects.create(
            partnership_id=locked.partnership_id,
            invitation=locked,
            point=locked.point,
            **{name: answers[name] for name in ANSWER_FIELDS},
            **{name: (answers.get(name) or "").strip() for name in TEXT_FIELDS},
        )
        locked.answered_at = response.submitted_at
        locked.status = ImpactInvitation.Status.ANSWERED
        if locked.sent_at is None:
            locked.sent_at = response.submitted_at
        locked.save(update_fields=["answered_at", "status", "sent_at"])
        partnership = invitation.partnership
        with translation.override(partnership.default_language):
            # The receipt; if the broker is down it stays in the outbox for the sweeper.
            queue_email(
                partnership=partnership,
                key=f"surveys:impact:{locked.pk}:thanks",
                to=locked.email,
                subject=_("Thank you for your answers – %(partnership)s")
                % {"partnership": partnership.name},
                template="surveys/email/impact_thanks.txt",
                context={
                    "invitation": locked,
                    "partnership": partnership,
                    "source": invitation.source_title,
                    "response": response,
                },
            )
    return response


def opt_out(*, invitation_id: int, partnership_id: int) -> int:
    """The participant wants no more impact surveys from this partnership: every open
    invitation to their address is closed and no new ones are created. Returns how many
    invitations were closed. Doing it twice changes nothing."""
    now = timezone.now()
    with tenant_scope(partnership_id), transaction.atomic():
        invitation = ImpactInvitation.objects.get(pk=invitation_id)
        email = invitation.email.lower()
        SurveyOptOut.objects.get_or_create(
            partnership_id=partnership_id, email=email, defaults={"created_at": now}
        )
        return ImpactInvitation.objects.filter(
            email__iexact=email, answered_at__isnull=True, opted_out_at__isnull=True
        ).update(opted_out_at=now, status=ImpactInvitation.Status.OPTED_OUT)


def opt_out_from_token(token: str) -> ImpactInvitation:
    """The invitation an opt-out link belongs to (used or expired links still opt out)."""
    try:
        data = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        raise SurveyLinkInvalid("invalid") from None
    if not isinstance(data, dict):
        raise SurveyLinkInvalid("invalid")
    with scopes_disabled():
        invitation = (
            ImpactInvitation.objects.select_related("partnership")
            .filter(pk=data.get("i"), nonce=_uuid(data.get("n")))
            .first()
        )
    if invitation is None:
        raise SurveyLinkInvalid("invalid")
    return invitation


def retry_failed(*, actor: Any, invitation: ImpactInvitation, request: Any = None) -> int:
    """Send again the failed emails of one invitation (the invitation and its reminders).
    Returns how many were queued again."""
    from partnership.tasks import deliver_email

    with tenant_scope(invitation.partnership_id), transaction.atomic():
        failed = list(
            OutboundEmail.objects.select_for_update().filter(
                key__startswith=f"surveys:impact:{invitation.pk}:",
                status=OutboundEmail.Status.FAILED,
            )
        )
        for email in failed:
            email.status = OutboundEmail.Status.QUEUED
            email.save(update_fields=["status"])
            transaction.on_commit(
                lambda p=invitation.partnership_id, e=email.pk: _enqueue(deliver_email, p, e),
                robust=True,
            )
        if failed:
            record_event(
                partnership=invitation.partnership_id,
                actor=actor,
                action="surveys.retry_sent",
                target=invitation,
                detail={"emails": [e.pk for e in failed]},
                request=request,
            )
    return len(failed)


def _enqueue(task: Any, *args: Any) -> None:
    from partnership.services import _enqueue as enqueue

    enqueue(task, *args)


# --- Annual needs survey ---------------------------------------------------------------------


def _text(value: str | None) -> str:
    return (value or "").strip()


def create_round(
    *,
    actor: Any,
    partnership: Partnership,
    name: str,
    academic_year: str,
    deadline: datetime.date,
    introduction: str = "",
) -> NeedsSurveyRound:
    """A new needs survey round, not open yet."""
    if not _text(name):
        raise ValidationError({"name": _("Give the round a name.")})
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline must be today or later.")})
    with tenant_scope(partnership), transaction.atomic():
        round_ = NeedsSurveyRound.objects.create(
            partnership=partnership,
            name=_text(name),
            academic_year=_text(academic_year),
            deadline=deadline,
            introduction=_text(introduction),
            created_by=actor,
        )
        record_event(
            partnership=partnership, actor=actor, action="surveys.round_created", target=round_
        )
    return round_


def _headteachers() -> list[Membership]:
    return list(
        Membership.objects.filter(role=Role.HEADTEACHER, user__is_active=True)
        .select_related("user", "school")
        .order_by("school_id", "user_id")
    )


def open_round(*, actor: Any, round_: NeedsSurveyRound, request: Any = None) -> NeedsSurveyRound:
    """Open the round to every headteacher and email them (once each)."""
    partnership = round_.partnership
    with tenant_scope(partnership), transaction.atomic():
        locked = NeedsSurveyRound.objects.select_for_update().get(pk=round_.pk)
        if locked.status != NeedsSurveyRound.Status.DRAFT:
            raise ValidationError(_("Only a round that is not open yet can be opened."))
        if locked.deadline < timezone.localdate():
            raise ValidationError(_("The deadline has passed: change it before opening."))
        locked.status = NeedsSurveyRound.Status.OPEN
        locked.opened_at = timezone.now()
        locked.save(update_fields=["status", "opened_at"])
        _email_headteachers(locked, event="open", memberships=_headteachers())
        record_event(
            partnership=partnership,
            actor=actor,
            action="surveys.round_opened",
            target=locked,
            request=request,
        )
    return locked


def close_round(*, actor: Any, round_: NeedsSurveyRound, request: Any = None) -> NeedsSurveyRound:
    with tenant_scope(round_.partnership_id), transaction.atomic():
        locked = NeedsSurveyRound.objects.select_for_update().get(pk=round_.pk)
        if locked.status != NeedsSurveyRound.Status.OPEN:
            raise ValidationError(_("Only an open round can be closed."))
        locked.status = NeedsSurveyRound.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        record_event(
            partnership=round_.partnership_id,
            actor=actor,
            action="surveys.round_closed",
            target=locked,
            request=request,
        )
    return locked


def _email_headteachers(
    round_: NeedsSurveyRound, *, event: str, memberships: Sequence[Membership]
) -> int:
    partnership = round_.partnership
    sent = 0
    with translation.override(partnership.default_language):
        for membership in memberships:
            url = settings.SITE_URL + reverse(
                "surveys:respond",
                kwargs={
                    "partnership_slug": partnership.slug,
                    "pk": round_.pk,
                    "school_pk": membership.school_id,
                },
            )
            subject = (
                _("Reminder: the needs survey closes on %(deadline)s – %(partnership)s")
                if event.startswith("reminder")
                else _("Tell us what your school needs next year – %(partnership)s")
            )
            queue_email(
                partnership=partnership,
                key=f"surveys:needs:{round_.pk}:{event}:{membership.school_id}:{membership.user_id}",
                to=membership.user.email,
                subject=subject
                % {"deadline": round_.deadline.strftime("%d/%m/%Y"), "partnership": partnership},
                template="surveys/email/needs_round.txt",
                context={
                    "round": round_,
                    "school": membership.school,
                    "recipient": membership.user,
                    "url": url,
                    "reminder": event.startswith("reminder"),
                },
            )
            sent += 1
    return sent


def remind_needs_round(
    *, partnership: Partnership | int, today: datetime.date | None = None
) -> int:
    """Remind headteachers whose school has not submitted, at the partnership's days
    before an open round's deadline (7 and 1 by default; each reminder once: its outbox
    key holds it)."""
    today = today or timezone.localdate()
    partnership_id = partnership if isinstance(partnership, int) else partnership.pk
    days_before = survey_settings(partnership_id).needs_reminder_days_before()
    if not days_before:
        return 0
    sent = 0
    with tenant_scope(partnership_id):
        for round_ in NeedsSurveyRound.objects.filter(
            status=NeedsSurveyRound.Status.OPEN, deadline__gte=today
        ).select_related("partnership"):
            days_left = (round_.deadline - today).days
            due = [d for d in days_before if days_left <= d]
            if not due:
                continue
            submitted = set(
                round_.responses.filter(status=NeedsSurveyResponse.Status.SUBMITTED).values_list(
                    "school_id", flat=True
                )
            )
            waiting = [m for m in _headteachers() if m.school_id not in submitted]
            sent += _email_headteachers(round_, event=f"reminder{min(due)}", memberships=waiting)
    return sent


def save_needs_response(
    *,
    actor: Any,
    round_: NeedsSurveyRound,
    school: Any,
    priorities: Sequence[Area | None],
    needs: str = "",
    delivery_mode: str = "",
    language: str = "",
    submit: bool = False,
) -> NeedsSurveyResponse:
    """Save a school's answers as a draft, or submit them (then they cannot change).
    `priorities` are the areas ranked first, second and third (None for a gap)."""
    chosen = [a for a in priorities if a is not None]
    errors: dict[str, str] = {}
    if len({a.pk for a in chosen}) != len(chosen):
        errors["priorities"] = _("Choose each area once.")
    if any(a.partnership_id != round_.partnership_id for a in chosen):
        errors["priorities"] = _("Choose areas from the list.")
    if delivery_mode and delivery_mode not in DeliveryMode.values:
        errors["delivery_mode"] = _("Choose how you would like support delivered.")
    if language and language not in PreferredLanguage.values:
        errors["language"] = _("Choose a language.")
    if submit:
        if not chosen:
            errors.setdefault("priorities", _("Choose at least your top priority area."))
        if not delivery_mode:
            errors["delivery_mode"] = _("Choose how you would like support delivered.")
        if not language:
            errors["language"] = _("Choose a language.")
    if errors:
        raise ValidationError(errors)
    with tenant_scope(round_.partnership_id), transaction.atomic():
        locked_round = NeedsSurveyRound.objects.select_for_update().get(pk=round_.pk)
        if not locked_round.accepts_answers:
            raise ValidationError(_("This survey is closed."))
        response, _created = NeedsSurveyResponse.objects.select_for_update().get_or_create(
            partnership_id=round_.partnership_id, round=round_, school=school
        )
        if response.is_submitted:
            raise ValidationError(_("Your school's answers were already submitted."))
        response.needs = _text(needs)
        response.delivery_mode = delivery_mode
        response.language = language
        response.updated_by = actor
        if submit:
            response.status = NeedsSurveyResponse.Status.SUBMITTED
            response.submitted_at = timezone.now()
        response.save()
        response.priorities.all().delete()
        NeedsAreaPriority.objects.bulk_create(
            NeedsAreaPriority(
                partnership_id=round_.partnership_id, response=response, area=area, rank=rank
            )
            for rank, area in enumerate(chosen, start=1)
        )
        if submit:
            record_event(
                partnership=round_.partnership_id,
                actor=actor,
                action="surveys.needs_submitted",
                target=response,
            )
    return response


def identify_need_from_round(
    *, actor: Any, round_: NeedsSurveyRound, area: Area, request: Any = None
) -> Any:
    """Turn an area's result into an identified need of the panel for that area
    (panels.services.record_need). Raises ValidationError when no panel has the area."""
    from panels.models import IdentifiedNeed, Panel, Priority
    from panels.services import record_need

    from .selectors import regional_need

    panel = Panel.objects.filter(area=area, is_active=True).order_by("pk").first()
    if panel is None:
        raise ValidationError(_("No panel covers this area yet: create one first."))
    needs = regional_need(round_)
    ranking = [n.area_id for n in needs]
    result = next((n for n in needs if n.area_id == area.pk), None)
    if result is None:
        raise ValidationError(_("No school ranked this area in this round."))
    position = ranking.index(area.pk) + 1
    priority = Priority.HIGH if position <= 3 else Priority.MEDIUM
    description = _(
        "Needs survey %(round)s: %(schools)s schools ranked %(area)s among their top three "
        "priorities (%(first)s as their first); %(points)s points, position %(position)s "
        "of %(count)s areas."
    ) % {
        "round": round_.name,
        "schools": result.schools,
        "area": area.display_name,
        "first": result.first_choices,
        "points": result.points,
        "position": position,
        "count": len(needs),
    }
    title = _("%(area)s: need from the %(round)s needs survey") % {
        "area": area.display_name,
        "round": round_.name,
    }
    with transaction.atomic():
        if IdentifiedNeed.objects.filter(panel=panel, title=title).exists():
            raise ValidationError(_("This result is already one of the panel's identified needs."))
        need = record_need(
            actor=actor,
            panel=panel,
            title=title,
            description=description,
            priority=priority,
        )
        record_event(
            partnership=round_.partnership_id,
            actor=actor,
            action="surveys.need_identified",
            target=round_,
            detail={"area": area.pk, "panel": panel.pk, "need": need.pk},
            request=request,
        )
    return need
