"""Survey pages: needs survey rounds (admin and headteachers), impact results and the
operator view of invitations. Thin: policy, then service or selector, then render.

The participant's personal link lives in public_views.py (outside any partnership).
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partnership.charts import BarChart, Series, bar_chart
from partnership.models import Area, Role
from partnership.policies import school_ids_with_role
from partnership.shortcuts import require
from partnership.tenancy import tenant_reverse
from schools.models import School

from . import policies, selectors, services
from .forms import (
    InvitationFilterForm,
    NeedsResponseForm,
    NeedsRoundForm,
    SettingsForm,
)
from .models import ImpactInvitation, NeedsSurveyRound, SurveyPoint

PAGE_SIZE = 50


# --- Overview --------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    """Rounds and impact links for staff; the open rounds of their schools for heads."""
    user, partnership = request.user, request.partnership
    require(policies.can_open_surveys(user, partnership))
    head_school_ids = school_ids_with_role(user, partnership, Role.HEADTEACHER)
    own = []
    if head_school_ids:
        schools = list(School.objects.filter(pk__in=head_school_ids).order_by("name"))
        for round_ in selectors.open_rounds():
            statuses = selectors.school_statuses(round_, schools)
            own.append((round_, [(school, statuses.get(school.pk)) for school in schools]))
    sees_results = policies.can_view_results(user, partnership)
    return render(
        request,
        "surveys/index.html",
        {
            "rounds": list(selectors.rounds()) if sees_results else [],
            "own": own,
            "sees_results": sees_results,
            "can_manage": policies.can_manage_surveys(user, partnership),
            "impact": selectors.impact_summary() if sees_results else None,
        },
    )


# --- Needs survey rounds -----------------------------------------------------------------


def round_create(request: HttpRequest) -> HttpResponse:
    require(policies.can_manage_surveys(request.user, request.partnership))
    form = NeedsRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.create_round(
                actor=request.user, partnership=request.partnership, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The round was created. Open it when it is ready."))
            return redirect(tenant_reverse(request, "surveys:round", pk=round_.pk))
    return render(request, "surveys/round_form.html", {"form": form})


def _round(pk: int) -> NeedsSurveyRound:
    return get_object_or_404(NeedsSurveyRound.objects.select_related("partnership"), pk=pk)


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The round with its live response rate by local authority (htmx refreshes it)."""
    round_ = _round(pk)
    require(policies.can_view_results(request.user, round_))
    rates, total = selectors.round_response_rates(round_)
    context = {
        "round": round_,
        "rates": rates,
        "total": total,
        "can_manage": policies.can_manage_surveys(request.user, round_),
    }
    if request.htmx:
        return render(request, "surveys/_round_rates.html", context)
    return render(request, "surveys/round_detail.html", context)


@require_POST
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(pk)
    require(policies.can_manage_surveys(request.user, round_))
    try:
        services.open_round(actor=request.user, round_=round_, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The round is open: every headteacher has been emailed."))
    return redirect(tenant_reverse(request, "surveys:round", pk=round_.pk))


@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(pk)
    require(policies.can_manage_surveys(request.user, round_))
    try:
        services.close_round(actor=request.user, round_=round_, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The round is closed."))
    return redirect(tenant_reverse(request, "surveys:round", pk=round_.pk))


BREAKDOWN_LABELS = {
    "phase": _("Phase"),
    "language_medium": _("Language medium"),
    "local_authority": _("Local authority"),
}


def results_charts(round_: NeedsSurveyRound) -> tuple[list, list[BarChart]]:
    """Regional need by area (points), and split by each breakdown (stacked)."""
    needs = selectors.regional_need(round_)
    labels = [n.area for n in needs]
    charts = [
        bar_chart(
            title=_("Regional need by area"),
            labels=labels,
            series=[Series(_("Points"), [n.points for n in needs])],
            label_heading=_("Area"),
            description=_(
                "Points: 3 for a school's first priority, 2 for its second, 1 for its third."
            )
            if needs
            else "",
            empty_text=_("No school has submitted yet."),
        )
    ]
    for by, heading in BREAKDOWN_LABELS.items():
        split = {n.area_id: n for n in selectors.regional_need(round_, by=by)}
        keys = sorted({k for n in split.values() for k in n.by})
        charts.append(
            bar_chart(
                title=_("Regional need by area and %(breakdown)s")
                % {"breakdown": str(heading).lower()},
                labels=labels,
                series=[
                    Series(key, [split[n.area_id].by.get(key, 0) for n in needs]) for key in keys
                ]
                or [Series(_("Points"), [0 for _n in needs])],
                label_heading=_("Area"),
                empty_text=_("No school has submitted yet."),
            )
        )
    return needs, charts


@require_GET
def round_results(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(pk)
    require(policies.can_view_results(request.user, round_))
    needs, charts = results_charts(round_)
    panel_areas = selectors.areas_with_panels()
    rates, total = selectors.round_response_rates(round_)
    return render(
        request,
        "surveys/round_results.html",
        {
            "round": round_,
            "needs": [(n, n.area_id in panel_areas) for n in needs],
            "charts": charts,
            "preferences": selectors.round_preferences(round_),
            "total": total,
            "can_manage": policies.can_manage_surveys(request.user, round_),
        },
    )


@require_GET
def round_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Every submitted response, one row per school, for a spreadsheet."""
    round_ = _round(pk)
    require(policies.can_view_results(request.user, round_))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="needs-survey-{round_.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("School"),
            _("Official number"),
            _("Phase"),
            _("Language medium"),
            _("Local authority"),
            _("First priority"),
            _("Second priority"),
            _("Third priority"),
            _("Needs"),
            _("Delivery"),
            _("Language"),
            _("Submitted"),
        ]
    )
    for answer in selectors.submitted_responses(round_):
        ranked = {p.rank: p.area.name for p in answer.priorities.all()}
        school = answer.school
        writer.writerow(
            [
                _safe(school.name),
                school.official_number,
                school.get_phase_display(),
                school.get_language_medium_display(),
                _safe(school.local_authority.name if school.local_authority else ""),
                *(_safe(ranked.get(rank, "")) for rank in (1, 2, 3)),
                _safe(answer.needs),
                answer.get_delivery_mode_display(),
                answer.get_language_display(),
                answer.submitted_at.strftime("%Y-%m-%d %H:%M") if answer.submitted_at else "",
            ]
        )
    return response


def _safe(value: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@require_POST
def round_identify(request: HttpRequest, pk: int, area_pk: int) -> HttpResponse:
    """Turn an area's result into an identified need of the panel for that area."""
    round_ = _round(pk)
    area = get_object_or_404(Area, pk=area_pk)
    require(policies.can_manage_surveys(request.user, round_))
    try:
        need = services.identify_need_from_round(
            actor=request.user, round_=round_, area=area, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(tenant_reverse(request, "surveys:results", pk=round_.pk))
    messages.success(request, _("The need was added to the panel's identified needs."))
    return redirect(tenant_reverse(request, "panels:need_detail", pk=need.pk))


def respond(request: HttpRequest, pk: int, school_pk: int) -> HttpResponse:
    """A headteacher's answers for one school: save a draft, come back, submit."""
    round_ = _round(pk)
    school = get_object_or_404(School, pk=school_pk)
    require(policies.can_answer_needs_survey(request.user, school))
    existing = selectors.response_for(round_, school)
    if existing is not None and existing.is_submitted:
        return render(
            request,
            "surveys/respond_done.html",
            {"round": round_, "school": school, "response": existing},
        )
    if not round_.accepts_answers:
        return render(
            request, "surveys/respond_closed.html", {"round": round_, "school": school}, status=410
        )
    form = NeedsResponseForm(request.POST or None, initial=_initial(existing))
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.save_needs_response(
                actor=request.user,
                round_=round_,
                school=school,
                priorities=form.priorities(),
                needs=form.cleaned_data["needs"],
                delivery_mode=form.cleaned_data["delivery_mode"],
                language=form.cleaned_data["language"],
                submit=submit,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if submit:
                messages.success(request, _("Thank you: your school's answers are submitted."))
                return redirect(tenant_reverse(request, "surveys:index"))
            messages.success(request, _("Your draft is saved. Submit it by the deadline."))
            return redirect(
                tenant_reverse(request, "surveys:respond", pk=round_.pk, school_pk=school.pk)
            )
    return render(
        request,
        "surveys/respond.html",
        {"round": round_, "school": school, "form": form, "draft": existing},
    )


def _initial(response: Any) -> dict[str, Any]:
    if response is None:
        return {}
    ranked = {p.rank: p.area for p in response.priorities.all()}
    return {
        "first": ranked.get(1),
        "second": ranked.get(2),
        "third": ranked.get(3),
        "needs": response.needs,
        "delivery_mode": response.delivery_mode,
        "language": response.language,
    }


# --- Impact results and the operator view --------------------------------------------------

IMPACT_DIMENSIONS = {
    "programme": _("Programme"),
    "hub": _("Hub"),
    "area": _("Area"),
    "provider": _("Provider school"),
}


def impact_chart(summary: selectors.ImpactSummary, *, title: str = "") -> BarChart:
    """Mean score of each scale at start, end and six months after (grouped as stacked
    series would mislead, so one series per point with the scale as the label)."""
    labels, values = [], []
    for point in summary.points:
        for scale, label in selectors.SCALE_LABELS.items():
            labels.append(f"{label} ({point.label.lower()})")
            values.append(point.scale(scale))
    return bar_chart(
        title=title or _("Mean scores (1 to 5) at each survey"),
        labels=labels,
        series=[Series(_("Mean score"), values)],
        label_heading=_("Scale and survey"),
        decimals=1,
        max_value=5,
        empty_text=_("No answers yet."),
    )


@require_GET
def impact(request: HttpRequest) -> HttpResponse:
    """Impact results of the partnership, per programme, hub, area and provider."""
    require(policies.can_view_results(request.user, request.partnership))
    by = request.GET.get("by") if request.GET.get("by") in IMPACT_DIMENSIONS else "programme"
    summary = selectors.impact_summary()
    rows = selectors.impact_by(by)
    changed = [r for r in rows if r.summary.change is not None]
    change_chart = bar_chart(
        title=_("Start-to-end change of the mean score, by %(dimension)s")
        % {"dimension": str(IMPACT_DIMENSIONS[by]).lower()},
        labels=[r.label for r in changed],
        series=[Series(_("Change by the end"), [r.summary.change for r in changed])],
        label_heading=IMPACT_DIMENSIONS[by],
        decimals=1,
        empty_text=_("No one has answered both the start and the end survey yet."),
    )
    return render(
        request,
        "surveys/impact.html",
        {
            "summary": summary,
            "rows": rows,
            "by": by,
            "dimensions": IMPACT_DIMENSIONS,
            "dimension_label": IMPACT_DIMENSIONS[by],
            "chart": impact_chart(summary),
            "change_chart": change_chart,
            "comments": selectors.impact_comments(limit=10),
            "can_manage": policies.can_manage_surveys(request.user, request.partnership),
        },
    )


@require_GET
def invitations(request: HttpRequest) -> HttpResponse:
    """The operator's view: scheduled, sent, failed and answered invitations."""
    require(policies.can_manage_surveys(request.user, request.partnership))
    form = InvitationFilterForm(request.GET or None)
    state = point = None
    if form.is_valid():
        state = form.cleaned_data["state"] or None
        point = form.cleaned_data["point"] or None
    rows = selectors.invitation_list(state=state, point=point)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/invitations.html",
        {
            "form": form,
            "page": page,
            "counts": selectors.invitation_counts(),
            "points": SurveyPoint,
        },
    )


@require_POST
def invitation_retry(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(ImpactInvitation, pk=pk)
    require(policies.can_manage_surveys(request.user, invitation))
    count = services.retry_failed(actor=request.user, invitation=invitation, request=request)
    if count:
        messages.success(request, _("The email will be sent again."))
    else:
        messages.info(request, _("Nothing to send again: no email of this invitation failed."))
    return redirect(tenant_reverse(request, "surveys:invitations") + "?state=failed")


def survey_settings(request: HttpRequest) -> HttpResponse:
    require(policies.can_manage_surveys(request.user, request.partnership))
    current = services.survey_settings(request.partnership)
    initial = {
        "start_offset_days": current.start_offset_days,
        "end_offset_days": current.end_offset_days,
        "follow_up_offset_days": current.follow_up_offset_days,
        "reminder_offsets": ", ".join(str(d) for d in current.reminder_offsets),
        "max_reminders": current.max_reminders,
        "link_valid_days": current.link_valid_days,
        "needs_reminder_days": ", ".join(str(d) for d in current.needs_reminder_days_before()),
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(
                actor=request.user, partnership=request.partnership, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The survey settings were saved."))
            return redirect(tenant_reverse(request, "surveys:settings"))
    return render(request, "surveys/settings.html", {"form": form})
