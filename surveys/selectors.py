"""Reads of surveys that pages, termly reports (reports/) and panels' evaluation reviews
(panels/) share. The names and dataclasses here are a stable API: other apps import them.

Impact results
--------------
``impact_summary(**filters) -> ImpactSummary``
    Response rate and mean scores at each point (start, end, six months after) for the
    invitations matching the filters, with the start-to-end change and what remains at
    six months. One query.
``impact_by(dimension, **filters) -> list[ImpactRow]``
    The same, one row per programme, hub, area, provider school, participant's school or
    support agreement (labelled with its need's title). One query.
``impact_comments(**filters, limit=20) -> list[ImpactComment]``
    The newest free-text answers (what participants said, what lasted and spread).

Filters (all keyword-only, all optional; combine freely; ``None`` means "no filter"):
``programmes`` (Programme objects or ids), ``hubs``, ``agreements`` (SupportAgreement
objects or ids), ``school`` (the participant's school, or the receiving school of an
agreement), ``provider`` (the school that gave the support: a hub school of the
programme, or the agreement's provider), ``area``, ``since``/``until`` (dates the
invitations were due), ``source`` ("programme" or "agreement").

Every call reads inside the current partnership's scope (a request under /p/<slug>/, or
``tenant_scope(partnership)`` in a task); pass ``partnership=`` to open it here.

Scores are means of 1-5 Likert answers to one decimal (``Decimal``), or ``None`` when
nobody answered; rates are per cent to one decimal, or ``None`` when nobody was asked.

Needs survey
------------
``round_response_rates(round)``, ``regional_need(round, by=...)`` and
``needs_round_results(round)`` give the live response rate by local authority and the
roll-up of regional need by area, phase, language medium and local authority.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from partnership.tenancy import tenant_scope

from .models import (
    ImpactInvitation,
    ImpactResponse,
    NeedsAreaPriority,
    NeedsSurveyResponse,
    NeedsSurveyRound,
    SurveyPoint,
)

TENTH = Decimal("0.1")
SCALES = ("confidence", "knowledge", "practice", "school_change")
SCALE_LABELS = {
    "confidence": _("Confidence"),
    "knowledge": _("Knowledge"),
    "practice": _("Classroom practice"),
    "school_change": _("Change across the school"),
}


def _round(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


# --- Impact results --------------------------------------------------------------------------


@dataclass(frozen=True)
class PointScores:
    """Answers at one point (start, end or six months after)."""

    point: str
    #: Invitations sent (or answered, or opted out) at this point.
    invited: int = 0
    answered: int = 0
    confidence: Decimal | None = None
    knowledge: Decimal | None = None
    practice: Decimal | None = None
    school_change: Decimal | None = None

    @property
    def response_rate(self) -> Decimal | None:
        return _percent(self.answered, self.invited)

    @property
    def overall(self) -> Decimal | None:
        """The mean of the four scales (each already a mean), or None."""
        values = [getattr(self, s) for s in SCALES if getattr(self, s) is not None]
        if not values:
            return None
        return _round(sum(values) / len(values))

    @property
    def label(self) -> str:
        return str(SurveyPoint(self.point).label)

    def scale(self, name: str) -> Decimal | None:
        return getattr(self, name)


@dataclass(frozen=True)
class ImpactSummary:
    """Response rates and scores at the three points, and the changes between them."""

    start: PointScores = field(default_factory=lambda: PointScores(SurveyPoint.START))
    end: PointScores = field(default_factory=lambda: PointScores(SurveyPoint.END))
    follow_up: PointScores = field(default_factory=lambda: PointScores(SurveyPoint.FOLLOW_UP))

    @property
    def points(self) -> tuple[PointScores, PointScores, PointScores]:
        return (self.start, self.end, self.follow_up)

    @property
    def invited(self) -> int:
        return sum(p.invited for p in self.points)

    @property
    def answered(self) -> int:
        return sum(p.answered for p in self.points)

    @property
    def response_rate(self) -> Decimal | None:
        """Per cent of all invitations sent that were answered."""
        return _percent(self.answered, self.invited)

    @property
    def has_answers(self) -> bool:
        return self.answered > 0

    @property
    def change(self) -> Decimal | None:
        """Start-to-end change of the overall mean score (points on the 1-5 scale)."""
        return _difference(self.end.overall, self.start.overall)

    @property
    def retained(self) -> Decimal | None:
        """Six-months-after minus start: what remains of the change."""
        return _difference(self.follow_up.overall, self.start.overall)

    def scale_change(self, name: str) -> Decimal | None:
        return _difference(self.end.scale(name), self.start.scale(name))

    def scale_retained(self, name: str) -> Decimal | None:
        return _difference(self.follow_up.scale(name), self.start.scale(name))


def _difference(later: Decimal | None, earlier: Decimal | None) -> Decimal | None:
    if later is None or earlier is None:
        return None
    return _round(later - earlier)


@dataclass(frozen=True)
class ImpactRow:
    """One programme, hub, area or school with its impact summary."""

    key: int
    label: str
    summary: ImpactSummary


@dataclass(frozen=True)
class ImpactComment:
    point: str
    source: str
    school: str
    comment: str
    lasted: str
    spread: str
    submitted_at: Any


def _ids(values: Iterable[Any] | None) -> list[int] | None:
    if values is None:
        return None
    return [v if isinstance(v, int) else v.pk for v in values]


def _pk(value: Any) -> int | None:
    if value is None:
        return None
    return value if isinstance(value, int) else value.pk


def impact_invitations(
    *,
    programmes: Iterable[Any] | None = None,
    hubs: Iterable[Any] | None = None,
    agreements: Iterable[Any] | None = None,
    school: Any = None,
    provider: Any = None,
    area: Any = None,
    since: date | None = None,
    until: date | None = None,
    source: str | None = None,
) -> QuerySet[ImpactInvitation]:
    """The invitations matching the filters (see the module docstring)."""
    qs = ImpactInvitation.objects.all()
    if programmes is not None:
        qs = qs.filter(programme_id__in=_ids(programmes))
    if hubs is not None:
        qs = qs.filter(programme__hub_id__in=_ids(hubs))
    if agreements is not None:
        qs = qs.filter(agreement_id__in=_ids(agreements))
    if school is not None:
        qs = qs.filter(school_id=_pk(school))
    if provider is not None:
        provider_id = _pk(provider)
        qs = qs.filter(Q(provider_id=provider_id) | Q(programme__hub__schools=provider_id))
    if area is not None:
        qs = qs.filter(area_id=_pk(area))
    if since is not None:
        qs = qs.filter(due_on__gte=since)
    if until is not None:
        qs = qs.filter(due_on__lte=until)
    if source == "programme":
        qs = qs.filter(enrolment__isnull=False)
    elif source == "agreement":
        qs = qs.filter(agreement__isnull=False)
    return qs


_AGGREGATES = {
    "invited": Count("pk", filter=Q(sent_at__isnull=False) | Q(answered_at__isnull=False)),
    "answered": Count("response"),
    **{scale: Avg(f"response__{scale}") for scale in SCALES},
}


def _point_scores(point: str, row: dict[str, Any] | None) -> PointScores:
    if not row:
        return PointScores(point)
    return PointScores(
        point=point,
        invited=row["invited"],
        answered=row["answered"],
        **{scale: _round(row[scale]) for scale in SCALES},
    )


def _summary(rows_by_point: dict[str, dict[str, Any]]) -> ImpactSummary:
    return ImpactSummary(
        start=_point_scores(SurveyPoint.START, rows_by_point.get(SurveyPoint.START)),
        end=_point_scores(SurveyPoint.END, rows_by_point.get(SurveyPoint.END)),
        follow_up=_point_scores(SurveyPoint.FOLLOW_UP, rows_by_point.get(SurveyPoint.FOLLOW_UP)),
    )


def impact_summary(*, partnership: Any = None, **filters: Any) -> ImpactSummary:
    """Response rates and mean scores at start, end and six months after, with the
    start-to-end change and what remains at six months, for the invitations matching
    `filters` (programmes=, hubs=, agreements=, school=, provider=, area=, since=,
    until=, source=). One query."""
    with tenant_scope(partnership) if partnership is not None else nullcontext():
        rows = impact_invitations(**filters).order_by().values("point").annotate(**_AGGREGATES)
        return _summary({row["point"]: row for row in rows})


#: What impact_by() can group by: the invitation field holding the key, and the label.
DIMENSIONS = {
    "programme": ("programme_id", "programme__title"),
    "hub": ("programme__hub_id", "programme__hub__name"),
    "area": ("area_id", "area__name"),
    "school": ("school_id", "school__name"),
    "provider": ("provider_key", "provider_name"),
    "agreement": ("agreement_id", "agreement__need__title"),
}


def impact_by(dimension: str, *, partnership: Any = None, **filters: Any) -> list[ImpactRow]:
    """One ImpactRow per programme, hub, area, school (the participant's), provider
    (the school that gave the support) or agreement (labelled with its need's title),
    sorted by label; rows without answers or
    invitations sent are included when invitations exist. One query."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {sorted(DIMENSIONS)}")
    key_field, label_field = DIMENSIONS[dimension]
    with tenant_scope(partnership) if partnership is not None else nullcontext():
        qs = impact_invitations(**filters).order_by()
        if dimension == "provider":
            # An agreement names its provider; a programme's providers are its hub's schools.
            agreements = qs.filter(provider__isnull=False).annotate(
                provider_key=F("provider_id"), provider_name=F("provider__name")
            )
            programmes = qs.filter(programme__isnull=False).annotate(
                provider_key=F("programme__hub__schools__id"),
                provider_name=F("programme__hub__schools__name"),
            )
            rows = list(
                agreements.values("provider_key", "provider_name", "point").annotate(**_AGGREGATES)
            ) + list(
                programmes.values("provider_key", "provider_name", "point").annotate(**_AGGREGATES)
            )
        else:
            rows = list(
                qs.filter(**{f"{key_field}__isnull": False})
                .values(key_field, label_field, "point")
                .annotate(**_AGGREGATES)
            )
    grouped: dict[int, tuple[str, dict[str, dict[str, Any]]]] = {}
    for row in rows:
        key = row[key_field]
        if key is None:
            continue
        label, points = grouped.setdefault(key, (row[label_field], {}))
        existing = points.get(row["point"])
        points[row["point"]] = _merge(existing, row) if existing else row
    return sorted(
        (
            ImpactRow(key=key, label=label, summary=_summary(points))
            for key, (label, points) in grouped.items()
        ),
        key=lambda r: (str(r.label).lower(), r.key),
    )


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Two aggregate rows of the same key and point (a provider of both kinds)."""
    merged = {"invited": a["invited"] + b["invited"], "answered": a["answered"] + b["answered"]}
    for scale in SCALES:
        if a[scale] is None or b[scale] is None:
            merged[scale] = a[scale] if b[scale] is None else b[scale]
        else:
            total = a["answered"] + b["answered"]
            merged[scale] = (a[scale] * a["answered"] + b[scale] * b["answered"]) / total
    return merged


def impact_comments(
    *, partnership: Any = None, limit: int = 20, **filters: Any
) -> list[ImpactComment]:
    """The newest answers that carry free text, newest first (at most `limit`)."""
    with tenant_scope(partnership) if partnership is not None else nullcontext():
        responses = (
            ImpactResponse.objects.filter(invitation__in=impact_invitations(**filters))
            .exclude(comment="", lasted="", spread="")
            .select_related(
                "invitation__school",
                "invitation__programme",
                "invitation__agreement__provider",
                "invitation__agreement__receiving_school",
            )
            .order_by("-submitted_at", "-pk")[:limit]
        )
        return [
            ImpactComment(
                point=r.point,
                source=r.invitation.source_title,
                school=r.invitation.school.name,
                comment=r.comment,
                lasted=r.lasted,
                spread=r.spread,
                submitted_at=r.submitted_at,
            )
            for r in responses
        ]


# --- Operator view -------------------------------------------------------------------------

#: The operator's filters: what each state means (on invitations with_send_failures()).
INVITATION_STATES = {
    "scheduled": Q(status=ImpactInvitation.Status.SCHEDULED),
    "sent": Q(status=ImpactInvitation.Status.SENT, send_failed=False),
    "failed": Q(send_failed=True, answered_at__isnull=True, opted_out_at__isnull=True),
    "answered": Q(status=ImpactInvitation.Status.ANSWERED),
    "opted_out": Q(status=ImpactInvitation.Status.OPTED_OUT),
}


def with_send_failures(qs: QuerySet[ImpactInvitation]) -> QuerySet[ImpactInvitation]:
    """Annotate `send_failed` (an email of the invitation, itself or a reminder, failed
    to send) and `send_error` (the mail server's last error)."""
    from django.db.models import CharField, Subquery, Value
    from django.db.models.functions import Cast, Concat

    from partnership.models import OutboundEmail

    failed = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.FAILED,
        key__startswith=Concat(
            Value("surveys:impact:"), Cast(OuterRef("pk"), CharField()), Value(":")
        ),
    )
    return qs.annotate(
        send_failed=Exists(failed),
        send_error=Subquery(failed.order_by("-created_at").values("last_error")[:1]),
    )


def invitation_list(
    *, state: str | None = None, programme: Any = None, point: str | None = None
) -> QuerySet[ImpactInvitation]:
    """Invitations for the operator page, newest due first, with what each row shows."""
    qs = with_send_failures(
        ImpactInvitation.objects.select_related(
            "programme", "agreement__provider", "agreement__receiving_school", "school"
        )
    ).order_by("-due_on", "-pk")
    if state in INVITATION_STATES:
        qs = qs.filter(INVITATION_STATES[state])
    if programme is not None:
        qs = qs.filter(programme_id=_pk(programme))
    if point:
        qs = qs.filter(point=point)
    return qs


def invitation_counts(*, programme: Any = None) -> dict[str, int]:
    """How many invitations are in each state (one query)."""
    qs = ImpactInvitation.objects.all()
    if programme is not None:
        qs = qs.filter(programme_id=_pk(programme))
    return with_send_failures(qs).aggregate(
        **{state: Count("pk", filter=condition) for state, condition in INVITATION_STATES.items()}
    )


# --- Needs survey --------------------------------------------------------------------------


def rounds() -> QuerySet[NeedsSurveyRound]:
    """Every round, newest first, with how many schools submitted."""
    return NeedsSurveyRound.objects.annotate(
        submitted=Count(
            "responses", filter=Q(responses__status=NeedsSurveyResponse.Status.SUBMITTED)
        )
    ).order_by("-deadline", "-pk")


def open_rounds() -> QuerySet[NeedsSurveyRound]:
    return NeedsSurveyRound.objects.filter(status=NeedsSurveyRound.Status.OPEN).order_by(
        "deadline", "pk"
    )


def response_for(round_: NeedsSurveyRound, school: Any) -> NeedsSurveyResponse | None:
    return (
        NeedsSurveyResponse.objects.filter(round=round_, school=school)
        .prefetch_related("priorities__area")
        .first()
    )


def school_statuses(round_: NeedsSurveyRound, schools: Iterable[Any]) -> dict[int, str]:
    """Each school's response status in a round ("draft" or "submitted"), by school id."""
    return dict(
        NeedsSurveyResponse.objects.filter(round=round_, school__in=list(schools)).values_list(
            "school_id", "status"
        )
    )


def areas_with_panels() -> set[int]:
    """Ids of the areas an active panel covers (a result can become its identified need)."""
    from panels.models import Panel

    return set(
        Panel.objects.filter(is_active=True, area__isnull=False).values_list("area_id", flat=True)
    )


@dataclass(frozen=True)
class RateRow:
    """Response rate of one local authority (or the whole partnership)."""

    key: int | None
    label: str
    schools: int
    submitted: int
    drafts: int

    @property
    def rate(self) -> Decimal | None:
        return _percent(self.submitted, self.schools)


def round_response_rates(round_: NeedsSurveyRound) -> tuple[list[RateRow], RateRow]:
    """Schools asked, submitted and in draft per local authority, and the total (one
    query). Every school of the partnership is asked."""
    from schools.models import School

    submitted = NeedsSurveyResponse.objects.filter(
        round=round_, school=OuterRef("pk"), status=NeedsSurveyResponse.Status.SUBMITTED
    )
    draft = NeedsSurveyResponse.objects.filter(
        round=round_, school=OuterRef("pk"), status=NeedsSurveyResponse.Status.DRAFT
    )
    rows = (
        School.objects.order_by()
        .annotate(has_submitted=Exists(submitted), has_draft=Exists(draft))
        .values("local_authority_id", "local_authority__name")
        .annotate(
            schools=Count("pk"),
            submitted=Count("pk", filter=Q(has_submitted=True)),
            drafts=Count("pk", filter=Q(has_draft=True)),
        )
    )
    result = sorted(
        (
            RateRow(
                key=r["local_authority_id"],
                label=r["local_authority__name"] or str(_("No local authority")),
                schools=r["schools"],
                submitted=r["submitted"],
                drafts=r["drafts"],
            )
            for r in rows
        ),
        key=lambda r: r.label.lower(),
    )
    total = RateRow(
        key=None,
        label=str(_("All schools")),
        schools=sum(r.schools for r in result),
        submitted=sum(r.submitted for r in result),
        drafts=sum(r.drafts for r in result),
    )
    return result, total


#: What regional need can be broken down by: the school field and how to label a value.
NEED_BREAKDOWNS = ("phase", "language_medium", "local_authority")


@dataclass(frozen=True)
class AreaNeed:
    """One area's need in a round: weighted points (3 for a first priority, 2 for a
    second, 1 for a third) and the number of schools that ranked it."""

    area_id: int
    area: str
    points: int
    schools: int
    first_choices: int
    #: points per value of the breakdown (phase, language medium or local authority).
    by: dict[str, int] = field(default_factory=dict)


def regional_need(round_: NeedsSurveyRound, *, by: str | None = None) -> list[AreaNeed]:
    """Submitted responses rolled up per area, highest need first; with `by` ("phase",
    "language_medium" or "local_authority") each area's points are also split by that
    school attribute (keys are the display labels). One query."""
    from schools.models import LanguageMedium, Phase

    if by is not None and by not in NEED_BREAKDOWNS:
        raise ValueError(f"by must be one of {NEED_BREAKDOWNS}")
    points = sum(
        (
            Count("pk", filter=Q(rank=rank)) * value
            for rank, value in NeedsAreaPriority.POINTS.items()
        ),
    )
    qs = NeedsAreaPriority.objects.filter(
        response__round=round_, response__status=NeedsSurveyResponse.Status.SUBMITTED
    ).order_by()
    fields = ["area_id", "area__name"]
    if by == "local_authority":
        fields.append("response__school__local_authority__name")
    elif by:
        fields.append(f"response__school__{by}")
    rows = qs.values(*fields).annotate(
        points=points, schools=Count("response", distinct=True), first=Count("pk", filter=Q(rank=1))
    )
    labels = {"phase": dict(Phase.choices), "language_medium": dict(LanguageMedium.choices)}
    areas: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = areas.setdefault(
            row["area_id"],
            {"area": row["area__name"], "points": 0, "schools": 0, "first": 0, "by": {}},
        )
        entry["points"] += row["points"]
        entry["schools"] += row["schools"]
        entry["first"] += row["first"]
        if by:
            value = row[fields[-1]]
            label = str(labels.get(by, {}).get(value, value) or _("Not recorded"))
            entry["by"][label] = entry["by"].get(label, 0) + row["points"]
    return sorted(
        (
            AreaNeed(
                area_id=key,
                area=e["area"],
                points=e["points"],
                schools=e["schools"],
                first_choices=e["first"],
                by=dict(sorted(e["by"].items())),
            )
            for key, e in areas.items()
        ),
        key=lambda a: (-a.points, a.area.lower()),
    )


@dataclass(frozen=True)
class RoundPreferences:
    """How the submitted schools want support delivered, and in which language."""

    delivery_modes: dict[str, int]
    languages: dict[str, int]


def round_preferences(round_: NeedsSurveyRound) -> RoundPreferences:
    from .models import DeliveryMode, PreferredLanguage

    submitted = NeedsSurveyResponse.objects.filter(
        round=round_, status=NeedsSurveyResponse.Status.SUBMITTED
    ).order_by()
    counts = submitted.aggregate(
        **{f"mode_{v}": Count("pk", filter=Q(delivery_mode=v)) for v in DeliveryMode.values},
        **{f"lang_{v}": Count("pk", filter=Q(language=v)) for v in PreferredLanguage.values},
    )
    return RoundPreferences(
        delivery_modes={str(label): counts[f"mode_{v}"] for v, label in DeliveryMode.choices},
        languages={str(label): counts[f"lang_{v}"] for v, label in PreferredLanguage.choices},
    )


def submitted_responses(round_: NeedsSurveyRound) -> QuerySet[NeedsSurveyResponse]:
    """Submitted responses with their school and ranked areas (for the CSV export)."""
    return (
        NeedsSurveyResponse.objects.filter(
            round=round_, status=NeedsSurveyResponse.Status.SUBMITTED
        )
        .select_related("school__local_authority")
        .prefetch_related("priorities__area")
        .order_by("school__name", "pk")
    )


def total_points(needs: list[AreaNeed]) -> int:
    return sum(n.points for n in needs)


__all__ = [
    "AreaNeed",
    "ImpactComment",
    "ImpactRow",
    "ImpactSummary",
    "PointScores",
    "RateRow",
    "impact_by",
    "impact_comments",
    "impact_invitations",
    "impact_summary",
    "regional_need",
    "round_response_rates",
]
