"""Writes about hubs, programmes, enrolments and commissioning, each with its business rule.

Every function validates first and writes inside one transaction, so bad input raises a
ValidationError (shown on the form) and leaves nothing behind. Emails go through the
partnership outbox with a unique key, so a repeated call or task never sends twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from partnership.models import Area, Membership, Partnership, Role
from partnership.services import grant_membership, queue_email
from partnership.tenancy import URL_KWARG, tenant_scope
from schools.models import Cluster, School, SchoolImprovementGroup

from .models import (
    ENROLLING_STATUSES,
    MAX_SCORE,
    PUBLISHED_STATUSES,
    Attendance,
    AudienceRole,
    Award,
    Bid,
    BidScore,
    BidStatus,
    BudgetCategory,
    BudgetLine,
    Call,
    CallCriterion,
    CallStatus,
    CriterionJudgement,
    Deliverable,
    DeliverableKind,
    DeliverableStatus,
    DeliveryLanguage,
    Document,
    DocumentKind,
    Enrolment,
    EnrolmentStatus,
    GroupEnrolment,
    Hub,
    HubStatus,
    Judgement,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    RedesignationCriterion,
    RedesignationDecision,
    RedesignationReview,
    ServiceLevelAgreement,
)
from .uploads import ALLOWED_TYPES, check_upload, clean_original_name

# --- Small shared checks ------------------------------------------------------------------


def _money(value: Any, field: str, *, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise ValidationError({field: _("Enter an amount in pounds.")})
        return None
    amount = Decimal(value)
    if amount < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    return amount


def _text(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _period(starts_on: date | None, ends_on: date | None) -> None:
    if not starts_on:
        raise ValidationError({"starts_on": _("Enter the start date.")})
    if not ends_on:
        raise ValidationError({"ends_on": _("Enter the end date.")})
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": _("The end date must be after the start date.")})


def _site_url(partnership: Partnership, viewname: str, **kwargs: Any) -> str:
    return settings.SITE_URL + reverse(viewname, kwargs={URL_KWARG: partnership.slug, **kwargs})


def _notify(
    partnership: Partnership,
    *,
    key: str,
    to: str,
    subject: str,
    subject_params: dict[str, Any],
    template: str,
    context: dict[str, Any],
) -> None:
    """Queue one email in the partnership's language; the key makes it at most once."""
    with translation.override(partnership.default_language):
        queue_email(
            partnership=partnership,
            key=key,
            to=to,
            subject=_(subject) % subject_params,
            template=template,
            context={"partnership": partnership, **context},
        )


@contextmanager
def _remove_files_on_error(names: list[str]) -> Iterator[None]:
    """Files are written before the transaction commits; a failed write must not leave them."""
    try:
        yield
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise


def _store_document(
    *,
    actor: Any,
    partnership_id: int,
    upload: Any,
    kind: str,
    stored: list[str],
    deliverable: Deliverable | None = None,
    bid: Bid | None = None,
) -> Document:
    extension = check_upload(upload)
    document = Document(
        partnership_id=partnership_id,
        original_name=clean_original_name(upload.name),
        content_type=ALLOWED_TYPES[extension],
        size=upload.size,
        kind=kind,
        deliverable=deliverable,
        bid=bid,
        uploaded_by=actor,
    )
    upload.seek(0)
    document.file.save(str(document.uuid), upload, save=False)
    stored.append(document.file.name)
    document.save()
    return document


# --- Hub designation ----------------------------------------------------------------------


def designate_hub(
    *,
    actor: Any,
    partnership: Partnership,
    name: str,
    area: Area,
    schools: Iterable[School],
    starts_on: date,
    ends_on: date,
    funding: Decimal,
    description: str = "",
) -> Hub:
    """A new hub for an area and period, with its first SLA carrying the funding."""
    name = _text(name, "name", _("Enter the hub's name."))
    schools = list(schools)
    if not schools:
        raise ValidationError({"schools": _("Choose at least one school.")})
    _period(starts_on, ends_on)
    funding = _money(funding, "funding")
    with tenant_scope(partnership), transaction.atomic():
        if Hub.objects.filter(name__iexact=name).exists():
            raise ValidationError({"name": _("Another hub already has this name.")})
        hub = Hub.objects.create(
            partnership=partnership,
            name=name,
            area=area,
            description=(description or "").strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            status=HubStatus.DESIGNATED,
        )
        hub.schools.set(schools)
        ServiceLevelAgreement.objects.create(
            partnership=partnership, hub=hub, starts_on=starts_on, ends_on=ends_on, funding=funding
        )
    return hub


def update_hub(
    *,
    actor: Any,
    hub: Hub,
    name: str,
    area: Area,
    schools: Iterable[School],
    starts_on: date,
    ends_on: date,
    status: str,
    description: str = "",
) -> Hub:
    """Change a designation: its name, area, schools, period or status."""
    name = _text(name, "name", _("Enter the hub's name."))
    schools = list(schools)
    if not schools:
        raise ValidationError({"schools": _("Choose at least one school.")})
    if status not in HubStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    _period(starts_on, ends_on)
    with tenant_scope(hub.partnership_id), transaction.atomic():
        if Hub.objects.filter(name__iexact=name).exclude(pk=hub.pk).exists():
            raise ValidationError({"name": _("Another hub already has this name.")})
        hub.name, hub.area, hub.description = name, area, (description or "").strip()
        hub.starts_on, hub.ends_on, hub.status = starts_on, ends_on, status
        hub.save()
        hub.schools.set(schools)
    hub.__dict__.pop("_school_ids", None)
    return hub


def update_agreement(
    *,
    actor: Any,
    agreement: ServiceLevelAgreement,
    starts_on: date,
    ends_on: date,
    funding: Decimal,
    notes: str = "",
) -> ServiceLevelAgreement:
    """Correct an SLA's period or funding; the planned budget must still fit the funding."""
    _period(starts_on, ends_on)
    funding = _money(funding, "funding")
    with tenant_scope(agreement.partnership_id), transaction.atomic():
        planned = agreement.budget_lines.aggregate(total=Sum("planned"))["total"] or Decimal(0)
        if planned > funding:
            raise ValidationError(
                {
                    "funding": _(
                        "The budget lines already plan £%(planned)s, more than £%(funding)s."
                    )
                    % {"planned": planned, "funding": funding}
                }
            )
        agreement.starts_on, agreement.ends_on = starts_on, ends_on
        agreement.funding, agreement.notes = funding, (notes or "").strip()
        agreement.save()
    return agreement


def add_deliverable(
    *,
    actor: Any,
    agreement: ServiceLevelAgreement,
    kind: str,
    title: str,
    due_on: date,
    description: str = "",
    supported_school: School | None = None,
) -> Deliverable:
    """A deliverable of the SLA, due within its period."""
    if kind not in DeliverableKind.values:
        raise ValidationError({"kind": _("Choose a kind from the list.")})
    title = _text(title, "title", _("Say what will be delivered."))
    if not due_on:
        raise ValidationError({"due_on": _("Enter the due date.")})
    if not agreement.starts_on <= due_on <= agreement.ends_on:
        raise ValidationError(
            {
                "due_on": _("The due date must be within the agreement (%(start)s to %(end)s).")
                % {
                    "start": date_format(agreement.starts_on),
                    "end": date_format(agreement.ends_on),
                }
            }
        )
    if kind == DeliverableKind.SCHOOL_SUPPORT and supported_school is None:
        raise ValidationError({"supported_school": _("Choose the school to be supported.")})
    with tenant_scope(agreement.partnership_id):
        return Deliverable.objects.create(
            partnership_id=agreement.partnership_id,
            agreement=agreement,
            kind=kind,
            title=title,
            description=(description or "").strip(),
            due_on=due_on,
            supported_school=supported_school,
        )


def update_deliverable(
    *,
    actor: Any,
    deliverable: Deliverable,
    status: str,
    completed_on: date | None = None,
    progress_note: str = "",
) -> Deliverable:
    """Record progress on a deliverable; "done" needs the date it was completed."""
    if status not in DeliverableStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    if status == DeliverableStatus.DONE:
        if completed_on is None:
            raise ValidationError({"completed_on": _("Enter the date it was completed.")})
        if completed_on > timezone.localdate():
            raise ValidationError(
                {"completed_on": _("The completion date cannot be in the future.")}
            )
    else:
        completed_on = None
    deliverable.status = status
    deliverable.completed_on = completed_on
    deliverable.progress_note = (progress_note or "").strip()
    with tenant_scope(deliverable.partnership_id):
        deliverable.save(update_fields=["status", "completed_on", "progress_note", "updated_at"])
    return deliverable


def add_evidence(*, actor: Any, deliverable: Deliverable, upload: Any) -> Document:
    """Attach an evidence file to a deliverable (checked for type and size first)."""
    check_upload(upload)
    stored: list[str] = []
    with (
        _remove_files_on_error(stored),
        tenant_scope(deliverable.partnership_id),
        transaction.atomic(),
    ):
        return _store_document(
            actor=actor,
            partnership_id=deliverable.partnership_id,
            upload=upload,
            kind=DocumentKind.EVIDENCE,
            deliverable=deliverable,
            stored=stored,
        )


def save_budget_line(
    *,
    actor: Any,
    agreement: ServiceLevelAgreement,
    category: str,
    description: str,
    planned: Decimal,
    actual: Decimal | None = None,
    line: BudgetLine | None = None,
) -> BudgetLine:
    """Add or change a budget line; the planned lines together must fit the funding."""
    if category not in BudgetCategory.values:
        raise ValidationError({"category": _("Choose a category from the list.")})
    description = _text(description, "description", _("Say what the money is for."))
    planned = _money(planned, "planned")
    actual = _money(actual, "actual", required=False) or Decimal(0)
    with tenant_scope(agreement.partnership_id), transaction.atomic():
        locked = ServiceLevelAgreement.objects.select_for_update().get(pk=agreement.pk)
        others = locked.budget_lines.exclude(pk=line.pk if line else None)
        planned_total = (others.aggregate(total=Sum("planned"))["total"] or Decimal(0)) + planned
        if planned_total > locked.funding:
            raise ValidationError(
                {
                    "planned": _(
                        "The budget would plan £%(total)s in all, more than the £%(funding)s "
                        "funding."
                    )
                    % {"total": planned_total, "funding": locked.funding}
                }
            )
        line = line or BudgetLine(partnership_id=locked.partnership_id, agreement=locked)
        line.category, line.description = category, description
        line.planned, line.actual = planned, actual
        line.save()
    return line


def save_redesignation_criterion(
    *,
    actor: Any,
    partnership: Partnership,
    title: str,
    description: str = "",
    position: int = 0,
    is_active: bool = True,
    criterion: RedesignationCriterion | None = None,
) -> RedesignationCriterion:
    """Publish (or change) a criterion hubs are reviewed against."""
    title = _text(title, "title", _("Enter the criterion."))
    with tenant_scope(partnership), transaction.atomic():
        clash = RedesignationCriterion.objects.filter(title__iexact=title)
        if criterion is not None:
            clash = clash.exclude(pk=criterion.pk)
        if clash.exists():
            raise ValidationError({"title": _("This criterion is already published.")})
        criterion = criterion or RedesignationCriterion(partnership=partnership)
        criterion.title, criterion.description = title, (description or "").strip()
        criterion.position, criterion.is_active = position or 0, is_active
        criterion.save()
    return criterion


def record_redesignation_review(
    *,
    actor: Any,
    hub: Hub,
    decision: str,
    reasons: str,
    judgements: dict[int, tuple[str, str]],
    new_ends_on: date | None = None,
    new_funding: Decimal | None = None,
) -> RedesignationReview:
    """Judge a hub against every published criterion and record the decision.

    Re-designating starts a new SLA the day after the current one ends (with the new
    funding) and extends the hub; not re-designating ends it. Hubs never roll on silently.
    """
    if decision not in RedesignationDecision.values:
        raise ValidationError({"decision": _("Choose a decision.")})
    reasons = _text(reasons, "reasons", _("Give the reasons for the decision."))
    with tenant_scope(hub.partnership_id), transaction.atomic():
        locked = Hub.objects.select_for_update().get(pk=hub.pk)
        criteria = list(RedesignationCriterion.objects.filter(is_active=True))
        if not criteria:
            raise ValidationError(_("Publish the re-designation criteria before reviewing a hub."))
        missing = [c.title for c in criteria if c.pk not in judgements]
        if missing:
            raise ValidationError(
                _("Judge the hub against every criterion: %(missing)s.")
                % {"missing": ", ".join(missing)}
            )
        for value, _comment in judgements.values():
            if value not in Judgement.values:
                raise ValidationError(_("Choose met, partly met or not met for each criterion."))
        agreement = locked.agreements.order_by("-ends_on", "-pk").first()
        if agreement is None:
            raise ValidationError(_("This hub has no service level agreement to review."))
        new_agreement = None
        if decision == RedesignationDecision.REDESIGNATE:
            if new_ends_on is None:
                raise ValidationError({"new_ends_on": _("Enter the end of the new period.")})
            if new_ends_on <= agreement.ends_on:
                raise ValidationError(
                    {
                        "new_ends_on": _("The new period must end after %(end)s.")
                        % {"end": date_format(agreement.ends_on)}
                    }
                )
            new_funding = _money(new_funding, "new_funding")
            new_agreement = ServiceLevelAgreement.objects.create(
                partnership_id=locked.partnership_id,
                hub=locked,
                starts_on=agreement.ends_on + timedelta(days=1),
                ends_on=new_ends_on,
                funding=new_funding,
            )
            locked.ends_on = new_ends_on
            locked.status = HubStatus.DESIGNATED
        else:
            locked.status = HubStatus.ENDED
        locked.save(update_fields=["ends_on", "status", "updated_at"])
        review = RedesignationReview.objects.create(
            partnership_id=locked.partnership_id,
            hub=locked,
            agreement=agreement,
            decision=decision,
            reasons=reasons,
            new_agreement=new_agreement,
            decided_by=actor,
        )
        CriterionJudgement.objects.bulk_create(
            CriterionJudgement(
                partnership_id=locked.partnership_id,
                review=review,
                criterion=criterion,
                judgement=judgements[criterion.pk][0],
                comment=(judgements[criterion.pk][1] or "").strip(),
            )
            for criterion in criteria
        )
    hub.status, hub.ends_on = locked.status, locked.ends_on
    return review


# --- Programmes -------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInput:
    date: date
    starts_at: time
    ends_at: time
    venue: str = ""
    online_url: str = ""
    title: str = ""
    id: int | None = None


def session_errors(sessions: Sequence[SessionInput]) -> list[str]:
    """What is wrong with a list of sessions: times in order, a place to go, date order."""
    errors = []
    previous: SessionInput | None = None
    for number, session in enumerate(sessions, start=1):
        if session.ends_at <= session.starts_at:
            errors.append(
                _("Session %(n)s ends before it starts. Check its times.") % {"n": number}
            )
        if not (session.venue or "").strip() and not (session.online_url or "").strip():
            errors.append(_("Session %(n)s needs a venue or an online link.") % {"n": number})
        if previous is not None and (session.date, session.starts_at) < (
            previous.date,
            previous.ends_at,
        ):
            errors.append(
                _(
                    "Session %(n)s starts before session %(prev)s ends. "
                    "List the sessions in date order."
                )
                % {"n": number, "prev": number - 1}
            )
        previous = session
    return errors


PROGRAMME_FIELDS = (
    "title",
    "description",
    "area",
    "phases",
    "audience_roles",
    "places",
    "delivery_language",
    "is_free",
    "price",
    "status",
)


def save_programme(
    *,
    actor: Any,
    hub: Hub,
    sessions: Sequence[SessionInput],
    programme: Programme | None = None,
    title: str,
    description: str,
    area: Area,
    places: int,
    delivery_language: str,
    phases: Sequence[str] = (),
    audience_roles: Sequence[str] = (),
    is_free: bool = True,
    price: Decimal | None = None,
    status: str = ProgrammeStatus.DRAFT,
) -> Programme:
    """Create or change a programme and its sessions together (all or nothing).

    Places cannot drop below the places already given; extra places go to the waiting
    list at once. "Full" is kept by the portal: choosing "open" on a full programme stores
    "full".
    """
    from schools.models import Phase

    title = _text(title, "title", _("Enter the programme's title."))
    description = _text(description, "description", _("Describe the programme."))
    if not places or places < 1:
        raise ValidationError({"places": _("A programme needs at least one place.")})
    if delivery_language not in DeliveryLanguage.values:
        raise ValidationError({"delivery_language": _("Choose the language of delivery.")})
    if any(p not in Phase.values for p in phases):
        raise ValidationError({"phases": _("Choose phases from the list.")})
    if any(r not in AudienceRole.values for r in audience_roles):
        raise ValidationError({"audience_roles": _("Choose roles from the list.")})
    price = _money(price, "price", required=False)
    if is_free:
        price = None
    elif not price:
        raise ValidationError({"price": _("Enter the price, or say the programme is free.")})
    if status not in ProgrammeStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    problems = session_errors(sessions)
    if problems:
        raise ValidationError({"sessions": problems})
    if status in (*ENROLLING_STATUSES, ProgrammeStatus.RUNNING) and not sessions:
        raise ValidationError(
            {"status": _("Add at least one session before opening the programme.")}
        )

    with tenant_scope(hub.partnership_id), transaction.atomic():
        if programme is not None:
            programme = Programme.objects.select_for_update().get(pk=programme.pk)
            confirmed = programme.enrolments.filter(status=EnrolmentStatus.CONFIRMED).count()
            if places < confirmed:
                raise ValidationError(
                    {
                        "places": _(
                            "%(n)s people already have places. Cancel some enrolments "
                            "before reducing the places below that."
                        )
                        % {"n": confirmed}
                    }
                )
        else:
            programme = Programme(partnership_id=hub.partnership_id, hub=hub)
            confirmed = 0
        newly_cancelled = (
            status == ProgrammeStatus.CANCELLED and programme.status != ProgrammeStatus.CANCELLED
        )
        programme.title, programme.description, programme.area = title, description, area
        programme.phases, programme.audience_roles = list(phases), list(audience_roles)
        programme.places, programme.delivery_language = places, delivery_language
        programme.is_free, programme.price = is_free, price
        programme.status = status
        programme.save()
        _save_sessions(programme, sessions)
        if newly_cancelled:
            _email_programme_cancelled(programme)
        if status != ProgrammeStatus.CANCELLED:  # no promotions onto a cancelled programme
            _fill_places(programme)
    return programme


def _email_programme_cancelled(programme: Programme) -> None:
    """Tell everyone with a place or on the waiting list that the programme is off."""
    partnership = programme.partnership
    for enrolment in programme.enrolments.filter(
        status__in=(EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITLISTED)
    ):
        _notify(
            partnership,
            key=f"hubs:programme-cancelled:{programme.pk}:{enrolment.pk}",
            to=enrolment.participant_email,
            subject=gettext_noop("%(programme)s has been cancelled"),
            subject_params={"programme": programme.title},
            template="hubs/email/programme_cancelled.txt",
            context={
                "programme": programme,
                "enrolment": enrolment,
                "url": _site_url(partnership, "hubs:catalogue"),
            },
        )


def _save_sessions(programme: Programme, sessions: Sequence[SessionInput]) -> None:
    existing = {s.pk: s for s in programme.sessions.all()}
    keep = set()
    for position, data in enumerate(sessions):
        session = existing.get(data.id) if data.id else None
        if data.id and session is None:
            raise ValidationError({"sessions": [_("A session was changed by someone else.")]})
        session = session or ProgrammeSession(
            partnership_id=programme.partnership_id, programme=programme
        )
        session.position = position
        session.date, session.starts_at, session.ends_at = data.date, data.starts_at, data.ends_at
        session.venue, session.online_url = (data.venue or "").strip(), data.online_url or ""
        session.title = (data.title or "").strip()
        session.save()
        keep.add(session.pk)
    programme.sessions.exclude(pk__in=keep).delete()


# --- Enrolment ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantInput:
    school: School
    name: str
    email: str
    role: str


def _confirmed_count(programme: Programme) -> int:
    return programme.enrolments.filter(status=EnrolmentStatus.CONFIRMED).count()


def _sync_full_status(programme: Programme, confirmed: int) -> None:
    """Open <-> full follows the places; other statuses are the hub lead's choice."""
    status = programme.status
    if status == ProgrammeStatus.OPEN and confirmed >= programme.places:
        status = ProgrammeStatus.FULL
    elif status == ProgrammeStatus.FULL and confirmed < programme.places:
        status = ProgrammeStatus.OPEN
    if status != programme.status:
        programme.status = status
        programme.save(update_fields=["status", "updated_at"])


def _fill_places(programme: Programme) -> list[Enrolment]:
    """Promote the waiting list, oldest first, into free places (the row is locked)."""
    confirmed = _confirmed_count(programme)
    promoted: list[Enrolment] = []
    free = programme.places - confirmed
    if free > 0 and programme.status in (*ENROLLING_STATUSES, ProgrammeStatus.RUNNING):
        waiting = list(
            programme.enrolments.filter(status=EnrolmentStatus.WAITLISTED).order_by(
                "created_at", "pk"
            )[:free]
        )
        now = timezone.now()
        for enrolment in waiting:
            enrolment.status = EnrolmentStatus.CONFIRMED
            enrolment.confirmed_at = now
            enrolment.save(update_fields=["status", "confirmed_at"])
            promoted.append(enrolment)
        confirmed += len(promoted)
    _sync_full_status(programme, confirmed)
    if promoted:
        partnership = programme.partnership
        for enrolment in promoted:
            _email_enrolment(partnership, programme, enrolment, "promoted")
    return promoted


def _enrol_locked(
    *,
    actor: Any,
    programme: Programme,
    participant: ParticipantInput,
    confirmed: int,
    group: GroupEnrolment | None = None,
    row: int | None = None,
) -> Enrolment:
    def error(field: str, message: str) -> ValidationError:
        if row is not None:
            return ValidationError(
                _("Person %(row)s: %(message)s") % {"row": row, "message": message}
            )
        return ValidationError({field: message})

    name = (participant.name or "").strip()
    email = (participant.email or "").strip().lower()
    if not name:
        raise error("participant_name", _("Enter the person's name."))
    if not email or "@" not in email:
        raise error("participant_email", _("Enter the person's email address."))
    if participant.role not in AudienceRole.values:
        raise error("participant_role", _("Choose the person's role."))
    if (
        programme.enrolments.filter(participant_email=email)
        .exclude(status=EnrolmentStatus.CANCELLED)
        .exists()
    ):
        raise error(
            "participant_email",
            _("%(email)s is already enrolled on this programme.") % {"email": email},
        )
    status = (
        EnrolmentStatus.CONFIRMED if confirmed < programme.places else EnrolmentStatus.WAITLISTED
    )
    now = timezone.now()
    return Enrolment.objects.create(
        partnership_id=programme.partnership_id,
        programme=programme,
        school=participant.school,
        participant_name=name,
        participant_email=email,
        participant_role=participant.role,
        status=status,
        group=group,
        enrolled_by=actor,
        created_at=now,
        confirmed_at=now if status == EnrolmentStatus.CONFIRMED else None,
    )


def _check_enrolling(programme: Programme) -> None:
    if not programme.accepts_enrolments:
        raise ValidationError(
            _("This programme is not taking enrolments (it is %(status)s).")
            % {"status": programme.get_status_display().lower()}
        )


def enrol(
    *,
    actor: Any,
    programme: Programme,
    school: School,
    participant_name: str,
    participant_email: str,
    participant_role: str,
) -> Enrolment:
    """Enrol one member of staff: a place if one is left, otherwise the waiting list.

    The programme row is locked, so two headteachers taking the last place at once get
    one place and one waiting-list entry, never two places.
    """
    with tenant_scope(programme.partnership_id), transaction.atomic():
        locked = Programme.objects.select_for_update().get(pk=programme.pk)
        _check_enrolling(locked)
        confirmed = _confirmed_count(locked)
        enrolment = _enrol_locked(
            actor=actor,
            programme=locked,
            participant=ParticipantInput(
                school, participant_name, participant_email, participant_role
            ),
            confirmed=confirmed,
        )
        if enrolment.status == EnrolmentStatus.CONFIRMED:
            confirmed += 1
        _sync_full_status(locked, confirmed)
        _email_enrolment(locked.partnership, locked, enrolment, enrolment.status)
    return enrolment


def group_schools(group: Cluster | SchoolImprovementGroup) -> set[int]:
    if isinstance(group, Cluster):
        return set(School.objects.filter(cluster=group).values_list("pk", flat=True))
    return set(group.schools.values_list("pk", flat=True))


def enrol_group(
    *,
    actor: Any,
    programme: Programme,
    group: Cluster | SchoolImprovementGroup,
    participants: Sequence[ParticipantInput],
    allow_waiting_list: bool = False,
) -> GroupEnrolment:
    """Enrol staff of several schools of a cluster or SIG together (all or nothing).

    If they need more places than are left, the whole request is refused unless the
    headteacher agreed that the rest go on the waiting list.
    """
    if not participants:
        raise ValidationError(_("Add at least one person to enrol."))
    members = group_schools(group)
    outside = [p.school.name for p in participants if p.school.pk not in members]
    if outside:
        raise ValidationError(
            _("%(schools)s is not in %(group)s.")
            % {"schools": ", ".join(sorted(set(outside))), "group": group}
        )
    emails = [(p.email or "").strip().lower() for p in participants]
    repeated = sorted({e for e in emails if e and emails.count(e) > 1})
    if repeated:
        raise ValidationError(
            _("Each person can be enrolled once: %(emails)s appears more than once.")
            % {"emails": ", ".join(repeated)}
        )
    with tenant_scope(programme.partnership_id), transaction.atomic():
        locked = Programme.objects.select_for_update().get(pk=programme.pk)
        _check_enrolling(locked)
        confirmed = _confirmed_count(locked)
        left = max(locked.places - confirmed, 0)
        if len(participants) > left and not allow_waiting_list:
            raise ValidationError(
                ngettext(
                    "Only %(left)s place is left and you asked for %(asked)s. Enrol fewer "
                    "people, or agree that the rest go on the waiting list.",
                    "Only %(left)s places are left and you asked for %(asked)s. Enrol fewer "
                    "people, or agree that the rest go on the waiting list.",
                    left,
                )
                % {"left": left, "asked": len(participants)}
            )
        request = GroupEnrolment.objects.create(
            partnership_id=locked.partnership_id,
            programme=locked,
            cluster=group if isinstance(group, Cluster) else None,
            sig=group if isinstance(group, SchoolImprovementGroup) else None,
            requested_by=actor,
        )
        created = []
        for row, participant in enumerate(participants, start=1):
            enrolment = _enrol_locked(
                actor=actor,
                programme=locked,
                participant=participant,
                confirmed=confirmed,
                group=request,
                row=row,
            )
            if enrolment.status == EnrolmentStatus.CONFIRMED:
                confirmed += 1
            created.append(enrolment)
        _sync_full_status(locked, confirmed)
        partnership = locked.partnership
        for enrolment in created:
            _email_enrolment(partnership, locked, enrolment, enrolment.status)
    return request


def cancel_enrolment(*, actor: Any, enrolment: Enrolment) -> Enrolment:
    """Cancel a place or a waiting-list entry; a freed place goes to the waiting list."""
    with tenant_scope(enrolment.partnership_id), transaction.atomic():
        locked = Programme.objects.select_for_update().get(pk=enrolment.programme_id)
        current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if current.status != EnrolmentStatus.CANCELLED:
            current.status = EnrolmentStatus.CANCELLED
            current.cancelled_at = timezone.now()
            current.save(update_fields=["status", "cancelled_at"])
            _fill_places(locked)
            _email_enrolment(locked.partnership, locked, current, EnrolmentStatus.CANCELLED)
    return current


def record_register(*, actor: Any, session: ProgrammeSession, attended: dict[int, bool]) -> int:
    """Mark each confirmed participant attended or absent for one session."""
    programme = session.programme
    with tenant_scope(session.partnership_id), transaction.atomic():
        confirmed = set(
            programme.enrolments.filter(status=EnrolmentStatus.CONFIRMED).values_list(
                "pk", flat=True
            )
        )
        unknown = set(attended) - confirmed
        if unknown:
            raise ValidationError(_("The register lists someone who is not on the programme."))
        now = timezone.now()
        rows = [
            Attendance(
                partnership_id=session.partnership_id,
                session=session,
                enrolment_id=enrolment_id,
                attended=bool(value),
                recorded_by=actor,
                recorded_at=now,
            )
            for enrolment_id, value in attended.items()
        ]
        Attendance.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["session", "enrolment"],
            update_fields=["attended", "recorded_by", "recorded_at"],
        )
    return len(rows)


def _email_enrolment(
    partnership: Partnership, programme: Programme, enrolment: Enrolment, event: str
) -> None:
    subjects = {
        EnrolmentStatus.CONFIRMED: gettext_noop("Your place on %(programme)s is confirmed"),
        EnrolmentStatus.WAITLISTED: gettext_noop("You are on the waiting list for %(programme)s"),
        "promoted": gettext_noop("A place on %(programme)s is now yours"),
        EnrolmentStatus.CANCELLED: gettext_noop("Your place on %(programme)s is cancelled"),
    }
    templates = {
        EnrolmentStatus.CONFIRMED: "hubs/email/enrolment_confirmed.txt",
        EnrolmentStatus.WAITLISTED: "hubs/email/enrolment_waitlisted.txt",
        "promoted": "hubs/email/waitlist_promoted.txt",
        EnrolmentStatus.CANCELLED: "hubs/email/enrolment_cancelled.txt",
    }
    _notify(
        partnership,
        key=f"hubs:enrolment:{event}:{enrolment.pk}",
        to=enrolment.participant_email,
        subject=subjects[event],
        subject_params={"programme": programme.title},
        template=templates[event],
        context={
            "programme": programme,
            "enrolment": enrolment,
            "sessions": list(programme.sessions.all()),
            "url": _site_url(partnership, "hubs:programme_detail", pk=programme.pk),
        },
    )


def send_session_reminders(*, partnership: Partnership, today: date | None = None) -> int:
    """Remind every confirmed participant of a session happening tomorrow (once each)."""
    tomorrow = (today or timezone.localdate()) + timedelta(days=1)
    sent = 0
    with tenant_scope(partnership):
        sessions = list(
            ProgrammeSession.objects.filter(
                date=tomorrow, programme__status__in=PUBLISHED_STATUSES
            ).select_related("programme__hub")
        )
        enrolments = Enrolment.objects.filter(
            programme__in={s.programme_id for s in sessions}, status=EnrolmentStatus.CONFIRMED
        )
        by_programme: dict[int, list[Enrolment]] = {}
        for enrolment in enrolments:
            by_programme.setdefault(enrolment.programme_id, []).append(enrolment)
        for session in sessions:
            for enrolment in by_programme.get(session.programme_id, []):
                _notify(
                    partnership,
                    key=f"hubs:session-reminder:{session.pk}:{enrolment.pk}:{session.date}",
                    to=enrolment.participant_email,
                    subject=gettext_noop("Reminder: %(programme)s tomorrow"),
                    subject_params={"programme": session.programme.title},
                    template="hubs/email/session_reminder.txt",
                    context={
                        "session": session,
                        "programme": session.programme,
                        "enrolment": enrolment,
                        "url": _site_url(
                            partnership, "hubs:programme_detail", pk=session.programme_id
                        ),
                    },
                )
                sent += 1
    return sent


# --- Commissioning --------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionInput:
    title: str
    weight: int
    description: str = ""


def save_call(
    *,
    actor: Any,
    partnership: Partnership,
    title: str,
    area: Area,
    need: str,
    brief: str,
    budget: Decimal,
    deadline: datetime,
    criteria: Sequence[CriterionInput],
    renews_hub: Hub | None = None,
    call: Call | None = None,
) -> Call:
    """Create or change a draft call with its weighted criteria (published when opened)."""
    title = _text(title, "title", _("Enter the call's title."))
    need = _text(need, "need", _("Describe the need the call is for."))
    brief = _text(brief, "brief", _("Say what is asked for."))
    budget = _money(budget, "budget")
    if deadline is None:
        raise ValidationError({"deadline": _("Enter the deadline for bids.")})
    if deadline <= timezone.now():
        raise ValidationError({"deadline": _("The deadline must be in the future.")})
    if not criteria:
        raise ValidationError(_("Add at least one criterion bids will be scored on."))
    titles = [(c.title or "").strip().lower() for c in criteria]
    for number, criterion in enumerate(criteria, start=1):
        if not titles[number - 1]:
            raise ValidationError(_("Criterion %(n)s needs a title.") % {"n": number})
        if not criterion.weight or not 1 <= criterion.weight <= 100:
            raise ValidationError(
                _("Criterion %(n)s needs a weight from 1 to 100.") % {"n": number}
            )
    if len(set(titles)) != len(titles):
        raise ValidationError(_("Two criteria have the same title."))
    with tenant_scope(partnership), transaction.atomic():
        if call is not None:
            call = Call.objects.select_for_update().get(pk=call.pk)
            if call.status != CallStatus.DRAFT:
                raise ValidationError(
                    _("An open call cannot be changed: bidders have seen its criteria.")
                )
        else:
            call = Call(partnership=partnership, created_by=actor)
        call.title, call.area, call.need, call.brief = title, area, need, brief
        call.budget, call.deadline, call.renews_hub = budget, deadline, renews_hub
        call.save()
        call.criteria.all().delete()
        CallCriterion.objects.bulk_create(
            CallCriterion(
                partnership=partnership,
                call=call,
                title=c.title.strip(),
                description=(c.description or "").strip(),
                weight=c.weight,
                position=position,
            )
            for position, c in enumerate(criteria)
        )
    return call


def open_call(*, actor: Any, call: Call) -> Call:
    """Publish a draft call and tell every headteacher; bids are taken until the deadline."""
    with tenant_scope(call.partnership_id), transaction.atomic():
        locked = Call.objects.select_for_update().select_related("partnership").get(pk=call.pk)
        if locked.status != CallStatus.DRAFT:
            raise ValidationError(_("Only a draft call can be opened."))
        if locked.deadline <= timezone.now():
            raise ValidationError(_("The deadline has passed. Set a new deadline first."))
        if not locked.criteria.exists():
            raise ValidationError(_("Add the criteria bids will be scored on first."))
        locked.status = CallStatus.OPEN
        locked.opened_at = timezone.now()
        locked.save(update_fields=["status", "opened_at"])
        for user in _headteachers():
            _notify(
                locked.partnership,
                key=f"hubs:call-opened:{locked.pk}:{user.pk}",
                to=user.email,
                subject=gettext_noop("New call for provision: %(call)s"),
                subject_params={"call": locked.title},
                template="hubs/email/call_opened.txt",
                context={
                    "call": locked,
                    "url": _site_url(locked.partnership, "hubs:call_detail", pk=locked.pk),
                },
            )
    return locked


def _headteachers(exclude_school_ids: Iterable[int] = ()) -> list[Any]:
    memberships = (
        Membership.objects.filter(role=Role.HEADTEACHER)
        .exclude(school_id__in=list(exclude_school_ids))
        .select_related("user")
        .order_by("user_id")
    )
    users = {}
    for membership in memberships:
        if membership.user.is_active:
            users.setdefault(membership.user_id, membership.user)
    return list(users.values())


def send_call_deadline_reminders(
    *, partnership: Partnership, now: datetime | None = None, days: int | None = None
) -> int:
    """Remind headteachers whose school has not bid that an open call closes soon (once)."""
    now = now or timezone.now()
    days = getattr(settings, "HUBS_CALL_REMINDER_DAYS", 3) if days is None else days
    sent = 0
    with tenant_scope(partnership):
        calls = Call.objects.filter(
            status=CallStatus.OPEN, deadline__gt=now, deadline__lte=now + timedelta(days=days)
        ).prefetch_related("bids")
        for call in calls:
            bidders = {b.school_id for b in call.bids.all()}
            for user in _headteachers(exclude_school_ids=bidders):
                _notify(
                    partnership,
                    key=f"hubs:call-deadline:{call.pk}:{user.pk}",
                    to=user.email,
                    subject=gettext_noop("Bids for %(call)s close soon"),
                    subject_params={"call": call.title},
                    template="hubs/email/call_deadline.txt",
                    context={
                        "call": call,
                        "url": _site_url(partnership, "hubs:call_detail", pk=call.pk),
                    },
                )
                sent += 1
    return sent


def submit_bid(
    *,
    actor: Any,
    call: Call,
    school: School,
    proposal: str,
    delivery_plan: str,
    cost: Decimal,
    capacity: int,
    delivery_language: str,
    document: Any = None,
) -> Bid:
    """Submit (or, before the deadline, change) a school's bid. Late bids are refused."""
    proposal = _text(proposal, "proposal", _("Describe your proposal."))
    delivery_plan = _text(delivery_plan, "delivery_plan", _("Describe how you will deliver it."))
    cost = _money(cost, "cost")
    if not capacity or capacity < 1:
        raise ValidationError({"capacity": _("Say how many participants you can take.")})
    if delivery_language not in DeliveryLanguage.values:
        raise ValidationError({"delivery_language": _("Choose the language of delivery.")})
    if document is not None:
        check_upload(document, field="document")
    stored: list[str] = []
    with (
        _remove_files_on_error(stored),
        tenant_scope(call.partnership_id),
        transaction.atomic(),
    ):
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.status == CallStatus.OPEN and timezone.now() >= locked.deadline:
            raise ValidationError(
                _("The deadline for bids was %(deadline)s. Late bids cannot be accepted.")
                % {"deadline": date_format(timezone.localtime(locked.deadline), "DATETIME_FORMAT")}
            )
        if locked.status != CallStatus.OPEN:
            raise ValidationError(_("This call is not taking bids."))
        if cost > locked.budget:
            raise ValidationError(
                {
                    "cost": _("The cost is more than the budget of £%(budget)s.")
                    % {"budget": locked.budget}
                }
            )
        bid = Bid.objects.filter(call=locked, school=school).first() or Bid(
            partnership_id=locked.partnership_id, call=locked, school=school
        )
        bid.submitted_by = actor
        bid.proposal, bid.delivery_plan = proposal, delivery_plan
        bid.cost, bid.capacity, bid.delivery_language = cost, capacity, delivery_language
        bid.submitted_at = timezone.now()
        bid.save()
        if document is not None:
            _store_document(
                actor=actor,
                partnership_id=locked.partnership_id,
                upload=document,
                kind=DocumentKind.BID,
                bid=bid,
                stored=stored,
            )
    return bid


def weighted_percent(criteria: Sequence[CallCriterion], scores: dict[int, int]) -> Decimal:
    """The bid's score as a percentage of the best possible, criteria weighted."""
    possible = sum(c.weight for c in criteria) * MAX_SCORE
    earned = sum(c.weight * scores[c.pk] for c in criteria)
    return (Decimal(earned) * 100 / Decimal(possible)).quantize(Decimal("0.1"))


def score_bid(
    *,
    actor: Any,
    bid: Bid,
    scores: dict[int, tuple[int, str]],
    feedback: str,
) -> Bid:
    """Score a bid on every published criterion, with the feedback its school will read."""
    feedback = _text(feedback, "feedback", _("Write the feedback the school will read."))
    with tenant_scope(bid.partnership_id), transaction.atomic():
        call = Call.objects.select_for_update().get(pk=bid.call_id)
        if call.status != CallStatus.OPEN:
            raise ValidationError(_("This call has been decided; its scores cannot change."))
        if not call.deadline_passed:
            raise ValidationError(_("Bids are scored once the deadline has passed."))
        criteria = list(call.criteria.all())
        missing = [c.title for c in criteria if c.pk not in scores]
        if missing:
            raise ValidationError(
                _("Score every criterion: %(missing)s.") % {"missing": ", ".join(missing)}
            )
        for criterion in criteria:
            value = scores[criterion.pk][0]
            if value is None or not 0 <= int(value) <= MAX_SCORE:
                raise ValidationError(
                    _("Scores are from 0 to %(max)s (%(criterion)s).")
                    % {"max": MAX_SCORE, "criterion": criterion.title}
                )
        for criterion in criteria:
            value, comment = scores[criterion.pk]
            BidScore.objects.update_or_create(
                bid=bid,
                criterion=criterion,
                defaults={
                    "partnership_id": bid.partnership_id,
                    "score": int(value),
                    "comment": (comment or "").strip(),
                    "scored_by": actor,
                },
            )
        values = {c.pk: int(scores[c.pk][0]) for c in criteria}
        bid.score_percent = weighted_percent(criteria, values)
        bid.feedback = feedback
        bid.save(update_fields=["score_percent", "feedback", "updated_at"])
    return bid


def award_call(
    *,
    actor: Any,
    call: Call,
    bid: Bid,
    reasons: str,
    starts_on: date,
    ends_on: date,
) -> Award:
    """Decide a call: record the award and its reasons, then create or renew the winner's
    hub designation (a new SLA funded at the bid's cost) and its programme as a draft.

    Every bid must have been scored, so every unsuccessful school can read why.
    """
    reasons = _text(reasons, "reasons", _("Give the reasons for the decision."))
    _period(starts_on, ends_on)
    with tenant_scope(call.partnership_id), transaction.atomic():
        locked = (
            Call.objects.select_for_update().select_related("partnership", "area").get(pk=call.pk)
        )
        if locked.status != CallStatus.OPEN:
            raise ValidationError(_("Only an open call can be awarded."))
        if not locked.deadline_passed:
            raise ValidationError(_("A call is awarded after its deadline has passed."))
        bids = list(locked.bids.select_related("school", "submitted_by"))
        winner = next((b for b in bids if b.pk == bid.pk), None)
        if winner is None:
            raise ValidationError({"bid": _("Choose one of this call's bids.")})
        unscored = [b.school.name for b in bids if b.score_percent is None]
        if unscored:
            raise ValidationError(
                _("Score every bid before deciding: %(schools)s.")
                % {"schools": ", ".join(unscored)}
            )
        hub, renewed = _hub_for_award(locked, winner, starts_on, ends_on)
        agreement = ServiceLevelAgreement.objects.create(
            partnership_id=locked.partnership_id,
            hub=hub,
            starts_on=starts_on,
            ends_on=ends_on,
            funding=winner.cost,
            notes=_("Awarded from the call “%(call)s”.") % {"call": locked.title},
        )
        programme = Programme.objects.create(
            partnership_id=locked.partnership_id,
            hub=hub,
            title=locked.title,
            description=winner.proposal,
            area=locked.area,
            places=winner.capacity,
            delivery_language=winner.delivery_language,
            is_free=True,
            status=ProgrammeStatus.DRAFT,
        )
        award = Award.objects.create(
            partnership_id=locked.partnership_id,
            call=locked,
            bid=winner,
            reasons=reasons,
            hub=hub,
            agreement=agreement,
            programme=programme,
            renewed=renewed,
            decided_by=actor,
        )
        for each in bids:
            each.status = BidStatus.SUCCESSFUL if each.pk == winner.pk else BidStatus.UNSUCCESSFUL
            each.save(update_fields=["status", "updated_at"])
        locked.status = CallStatus.AWARDED
        locked.save(update_fields=["status"])
        if winner.submitted_by is not None:
            grant_membership(
                partnership=locked.partnership,
                user=winner.submitted_by,
                role=Role.HUB_LEAD,
                school=winner.school,
            )
        for each in bids:
            if each.submitted_by is None:
                continue
            _notify(
                locked.partnership,
                key=f"hubs:bid-outcome:{each.pk}",
                to=each.submitted_by.email,
                subject=gettext_noop("The outcome of your bid for %(call)s"),
                subject_params={"call": locked.title},
                template="hubs/email/bid_outcome.txt",
                context={
                    "call": locked,
                    "bid": each,
                    "successful": each.pk == winner.pk,
                    "url": _site_url(locked.partnership, "hubs:bid_detail", pk=each.pk),
                },
            )
    return award


def _hub_for_award(call: Call, bid: Bid, starts_on: date, ends_on: date) -> tuple[Hub, bool]:
    """The hub the award renews (the call's hub, or the winner's live hub for the area), or
    a new designation for the winning school."""
    candidates = Hub.objects.select_for_update().filter(area=call.area, schools=bid.school)
    hub = None
    if call.renews_hub_id:
        hub = candidates.filter(pk=call.renews_hub_id).first()
    hub = hub or candidates.exclude(status=HubStatus.ENDED).order_by("-ends_on").first()
    if hub is not None:
        hub.status = HubStatus.DESIGNATED
        hub.ends_on = max(hub.ends_on, ends_on)
        hub.starts_on = min(hub.starts_on, starts_on)
        hub.save(update_fields=["status", "starts_on", "ends_on", "updated_at"])
        return hub, True
    name = _("%(area)s hub at %(school)s") % {"area": call.area.name, "school": bid.school.name}
    if Hub.objects.filter(name__iexact=name).exists():
        name = f"{name} ({starts_on.year})"
    try:
        with transaction.atomic():
            hub = Hub.objects.create(
                partnership_id=call.partnership_id,
                name=name[:150],
                area=call.area,
                starts_on=starts_on,
                ends_on=ends_on,
                status=HubStatus.DESIGNATED,
                description=call.brief,
            )
    except IntegrityError:
        raise ValidationError(
            _("A hub with the name “%(name)s” already exists.") % {"name": name}
        ) from None
    hub.schools.add(bid.school)
    return hub, False
