"""Brokerage pages: schools' needs and offers, the CA's board and suggestions, agreements.

Thin views: parse the request, ask policies.py, call selectors.py or services.py, render.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnership.charts import BarChart, Series, bar_chart
from partnership.models import Role
from partnership.policies import school_ids_with_role
from partnership.shortcuts import found, require
from partnership.tenancy import tenant_reverse

from . import policies, scoring, selectors, services
from .forms import (
    AgreementForm,
    BoardFilterForm,
    NeedForm,
    OfferForm,
    OutcomeForm,
    ReasonForm,
    SessionForm,
)
from .models import Funding, Need, Offer, SupportAgreement

PAGE_SIZE = 50
#: Suggestions (and held-back offers) listed for a need; the rest are counted.
SUGGESTIONS_SHOWN = 25


# --- Schools' own page and the board --------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    """Needs, offers and agreements of the person's own schools."""
    user, partnership = request.user, request.partnership
    require(policies.can_open_brokerage(user, partnership))
    schools = list(selectors.own_schools(user, partnership))
    can_use_board = policies.can_use_board(user, partnership)
    if not schools and can_use_board:
        return redirect(tenant_reverse(request, "brokerage:board"))
    ids = {s.pk for s in schools}
    head_ids = school_ids_with_role(user, partnership, Role.HEADTEACHER)
    needs, offers, agreements = {}, {}, {}
    for need in selectors.needs_of(ids):
        needs.setdefault(need.school_id, []).append(need)
    for offer in selectors.offers_of(ids & head_ids):
        offers.setdefault(offer.school_id, []).append(offer)
    for agreement in selectors.agreements_of(ids):
        for school_id in {agreement.provider_id, agreement.receiving_school_id} & ids:
            agreements.setdefault(school_id, []).append(agreement)
    sections = [
        {
            "school": school,
            "is_head": school.pk in head_ids,
            "needs": needs.get(school.pk, []),
            "offers": offers.get(school.pk, []),
            "agreements": agreements.get(school.pk, []),
        }
        for school in schools
    ]
    return render(
        request,
        "brokerage/index.html",
        {
            "sections": sections,
            "can_use_board": can_use_board,
            "can_log": policies.can_log_needs(user, partnership),
        },
    )


def board(request: HttpRequest) -> HttpResponse:
    """Open needs to broker, neediest schools first; htmx requests get only the results."""
    user, partnership = request.user, request.partnership
    require(policies.can_use_board(user, partnership))
    form = BoardFilterForm(request.GET or None)
    needs = selectors.board_needs(
        user=user, partnership=partnership, filters=form.filters() if form.is_bound else None
    )
    page = Paginator(needs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "all_schools": policies.sees_every_school(user, partnership),
    }
    template = "brokerage/_board_results.html" if request.htmx else "brokerage/board.html"
    return render(request, template, context)


def dashboard(request: HttpRequest) -> HttpResponse:
    """The partnership's brokerage figures, with charts (staff roles)."""
    user, partnership = request.user, request.partnership
    require(policies.can_view_dashboard(user, partnership))
    figures = selectors.brokerage_dashboard(partnership=partnership)
    return render(
        request,
        "brokerage/dashboard.html",
        {"figures": figures, "charts": dashboard_charts(figures)},
    )


#: Colours of need statuses in charts, as their tags show them (yellow is too pale for
#: a bar on white, so "in progress" is orange).
STATUS_COLOURS = {
    Need.Status.OPEN: "#1d70b8",
    Need.Status.BROKERED: "#4c2c92",
    Need.Status.IN_PROGRESS: "#f47738",
    Need.Status.MET: "#00703c",
    Need.Status.WITHDRAWN: "#505a5f",
}


def dashboard_charts(figures: selectors.BrokerageDashboard) -> dict[str, BarChart]:
    """The dashboard's charts (see partnership/charts.py), from its figures."""
    with_needs = [a for a in figures.areas if a.total]
    unmet = [a for a in figures.areas if a.open]
    timed = [a for a in figures.areas if a.median_days_to_agreement is not None]
    area_heading = _("Area")
    return {
        "by_status": bar_chart(
            title=_("Needs by area and status"),
            labels=[str(a.area) for a in with_needs],
            series=[
                Series(label, [a.by_status[value] for a in with_needs], STATUS_COLOURS[value])
                for value, label in Need.Status.choices
            ],
            label_heading=area_heading,
            empty_text=_("No needs have been logged yet."),
        ),
        "unmet": bar_chart(
            title=_("Unmet needs by area"),
            labels=[str(a.area) for a in unmet],
            series=[Series(_("Open needs"), [a.open for a in unmet])],
            label_heading=area_heading,
            empty_text=_("No need is waiting for a provider."),
        ),
        "days_to_agreement": bar_chart(
            title=_("Median days from need to agreement, by area"),
            labels=[str(a.area) for a in timed],
            series=[Series(_("Median days"), [a.median_days_to_agreement for a in timed])],
            label_heading=area_heading,
            unit=_("days"),
            decimals=1,
            empty_text=_("No agreement has been made yet."),
        ),
        "provider_load": bar_chart(
            title=_("Provider load: days in live agreements"),
            labels=[p.name for p in figures.providers],
            series=[
                Series(_("Delivered"), [p.days_delivered for p in figures.providers], "#00703c"),
                Series(
                    _("Still to deliver"), [p.days_to_deliver for p in figures.providers], "#1d70b8"
                ),
            ],
            label_heading=_("Provider"),
            unit=_("days"),
            decimals=1,
            empty_text=_("No provider has a live agreement."),
        ),
    }


# --- Needs -----------------------------------------------------------------------------


def _need_or_404(pk: int) -> Need:
    return found(selectors.need_detail, pk)


def need_create(request: HttpRequest) -> HttpResponse:
    user, partnership = request.user, request.partnership
    require(policies.can_log_needs(user, partnership))
    schools = selectors.schools_for_logging(user, partnership)
    form = NeedForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        school = data.pop("school")
        require(policies.can_log_for_school(user, school))
        try:
            need = services.create_need(actor=user, partnership=partnership, school=school, **data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The need was logged."))
            return redirect(tenant_reverse(request, "brokerage:need_detail", pk=need.pk))
    return render(request, "brokerage/need_form.html", {"form": form, "need": None})


def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = _need_or_404(pk)
    user = request.user
    require(policies.can_view_need(user, need))
    return render(
        request,
        "brokerage/need_detail.html",
        {
            "need": need,
            "show_category": policies.can_view_need_category(user, need),
            "can_edit": policies.can_edit_need(user, need),
            "can_broker": policies.can_broker_need(user, need),
            "is_broker": policies.is_broker_for_need(user, need),
        },
    )


def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(Need.objects.select_related("school", "area"), pk=pk)
    require(policies.can_edit_need(request.user, need))
    form = NeedForm(request.POST or None, initial=NeedForm.initial_for(need))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_need(actor=request.user, need=need, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The need was saved."))
            return redirect(tenant_reverse(request, "brokerage:need_detail", pk=need.pk))
    return render(request, "brokerage/need_form.html", {"form": form, "need": need})


def need_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(Need.objects.select_related("school", "area"), pk=pk)
    require(policies.can_withdraw_need(request.user, need))
    error = None
    if request.method == "POST":
        try:
            services.withdraw_need(actor=request.user, need=need)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("The need was withdrawn."))
            return redirect(tenant_reverse(request, "brokerage:need_detail", pk=need.pk))
    return render(request, "brokerage/need_withdraw.html", {"need": need, "error": error})


# --- Suggestions and brokering ----------------------------------------------------------


def suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    """Ranked offers for an open need, each score part shown (see docs/brokerage.md)."""
    need = _need_or_404(pk)
    user = request.user
    require(policies.is_broker_for_need(user, need))
    ranking = selectors.match_suggestions(need, limit=SUGGESTIONS_SHOWN) if need.is_open else None
    return render(
        request,
        "brokerage/suggestions.html",
        {
            "need": need,
            "ranking": ranking,
            "score_parts": [
                (scoring.LABELS[key], round(weight * 100))
                for key, weight in scoring.WEIGHTS.items()
            ],
            "show_category": policies.can_view_need_category(user, need),
            "show_provider_categories": policies.can_see_all_categories(user, need),
        },
    )


def _brokering(request: HttpRequest, pk: int, offer_pk: int) -> tuple[Need, Offer]:
    need = get_object_or_404(
        Need.objects.select_related("school", "school__local_authority", "area"), pk=pk
    )
    offer = get_object_or_404(
        Offer.objects.select_related("school", "school__local_authority", "area"), pk=offer_pk
    )
    require(policies.can_broker_need(request.user, need))
    return need, offer


def override(request: HttpRequest, pk: int, offer_pk: int) -> HttpResponse:
    """Record why a red/amber school's need may go to a provider that is not green/yellow."""
    need, offer = _brokering(request, pk, offer_pk)
    form = ReasonForm(
        request.POST or None, label=_("Why is this provider right despite the category rule?")
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_override(
                actor=request.user, need=need, provider=offer.school, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The override was recorded."))
            return redirect(tenant_reverse(request, "brokerage:suggestions", pk=need.pk))
    return render(
        request, "brokerage/override_form.html", {"form": form, "need": need, "offer": offer}
    )


def suggestion_decline(request: HttpRequest, pk: int, offer_pk: int) -> HttpResponse:
    """Record that a provider said no to a need; it is not suggested for it again."""
    need, offer = _brokering(request, pk, offer_pk)
    form = ReasonForm(request.POST or None, label=_("Why was this match declined?"))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_decline(
                actor=request.user, need=need, provider=offer.school, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The decline was recorded."))
            return redirect(tenant_reverse(request, "brokerage:suggestions", pk=need.pk))
    return render(
        request, "brokerage/decline_form.html", {"form": form, "need": need, "offer": offer}
    )


def _agreement_initial(need: Need, offer: Offer) -> dict[str, Any]:
    left = offer.capacity_left
    days = min(need.days_wanted, left) if need.days_wanted else left
    initial: dict[str, Any] = {
        "days": days,
        "starts_on": timezone.localdate(),
        "objectives": need.outcome,
        "funding": Funding.RECEIVING_SCHOOL if offer.is_charged else Funding.FREE,
    }
    if offer.is_charged and offer.day_rate:
        initial["cost"] = (offer.day_rate * days).quantize(Decimal("0.01"))
    return initial


def agreement_create(request: HttpRequest, pk: int, offer_pk: int) -> HttpResponse:
    """A CA accepts a suggestion and records the agreement."""
    need, offer = _brokering(request, pk, offer_pk)
    form = AgreementForm(
        request.POST or None,
        initial=_agreement_initial(need, offer),
        capacity_left=offer.capacity_left,
    )
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.make_agreement(
                actor=request.user, need=need, offer=offer, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("The agreement was recorded. Both headteachers have been asked to confirm it."),
            )
            return redirect(tenant_reverse(request, "brokerage:agreement_detail", pk=agreement.pk))
    return render(
        request,
        "brokerage/agreement_form.html",
        {"form": form, "need": need, "offer": offer},
    )


# --- Offers --------------------------------------------------------------------------------


def offer_create(request: HttpRequest) -> HttpResponse:
    user, partnership = request.user, request.partnership
    require(policies.can_log_needs(user, partnership))
    schools = selectors.schools_for_logging(user, partnership)
    form = OfferForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        school = data.pop("school")
        require(policies.can_log_for_school(user, school))
        try:
            offer = services.create_offer(
                actor=user, partnership=partnership, school=school, **data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The offer was logged."))
            return redirect(tenant_reverse(request, "brokerage:offer_detail", pk=offer.pk))
    return render(request, "brokerage/offer_form.html", {"form": form, "offer": None})


def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        offer = selectors.offer_detail(pk)
    except Offer.DoesNotExist:
        raise Http404 from None
    require(policies.can_view_offer(request.user, offer))
    return render(
        request,
        "brokerage/offer_detail.html",
        {"offer": offer, "can_edit": policies.can_edit_offer(request.user, offer)},
    )


def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(Offer.objects.select_related("school", "area"), pk=pk)
    require(policies.can_edit_offer(request.user, offer))
    form = OfferForm(request.POST or None, initial=OfferForm.initial_for(offer))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_offer(actor=request.user, offer=offer, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The offer was saved."))
            return redirect(tenant_reverse(request, "brokerage:offer_detail", pk=offer.pk))
    return render(request, "brokerage/offer_form.html", {"form": form, "offer": offer})


def offer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(Offer.objects.select_related("school", "area"), pk=pk)
    require(policies.can_edit_offer(request.user, offer))
    error = None
    if request.method == "POST":
        try:
            services.withdraw_offer(actor=request.user, offer=offer)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("The offer was withdrawn."))
            return redirect(tenant_reverse(request, "brokerage:offer_detail", pk=offer.pk))
    return render(request, "brokerage/offer_withdraw.html", {"offer": offer, "error": error})


# --- Agreements ----------------------------------------------------------------------------


def agreements(request: HttpRequest) -> HttpResponse:
    user, partnership = request.user, request.partnership
    require(policies.can_open_brokerage(user, partnership))
    page = Paginator(selectors.agreements_visible_to(user, partnership), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "brokerage/agreements.html", {"page": page})


def _agreement_or_404(pk: int) -> SupportAgreement:
    try:
        return selectors.agreement_detail(pk)
    except SupportAgreement.DoesNotExist:
        raise Http404 from None


def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement_or_404(pk)
    user = request.user
    require(policies.can_view_agreement(user, agreement))
    return render(
        request,
        "brokerage/agreement_detail.html",
        {
            "agreement": agreement,
            "need": agreement.need,
            "delivered": selectors.days_delivered(agreement),
            "can_confirm": policies.can_confirm_agreement(user, agreement),
            "can_decline": policies.can_decline_agreement(user, agreement),
            "can_log_session": policies.can_log_session(user, agreement),
            "can_close": policies.can_close_agreement(user, agreement),
            "can_view_need": policies.can_view_need(user, agreement.need),
        },
    )


@require_POST
def agreement_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(SupportAgreement, pk=pk)
    require(policies.can_confirm_agreement(request.user, agreement))
    try:
        services.confirm_agreement(actor=request.user, agreement=agreement)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("You confirmed the agreement."))
    return redirect(tenant_reverse(request, "brokerage:agreement_detail", pk=agreement.pk))


def agreement_decline(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement_or_404(pk)
    require(policies.can_decline_agreement(request.user, agreement))
    form = ReasonForm(request.POST or None, label=_("Why are you declining this agreement?"))
    if request.method == "POST" and form.is_valid():
        try:
            services.decline_agreement(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("You declined the agreement. The adviser has been told."))
            return redirect(tenant_reverse(request, "brokerage:agreement_detail", pk=agreement.pk))
    return render(
        request, "brokerage/agreement_decline.html", {"form": form, "agreement": agreement}
    )


def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement_or_404(pk)
    require(policies.can_log_session(request.user, agreement))
    form = SessionForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.log_session(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The session was logged."))
            return redirect(tenant_reverse(request, "brokerage:agreement_detail", pk=agreement.pk))
    return render(
        request,
        "brokerage/session_form.html",
        {"form": form, "agreement": agreement, "delivered": selectors.days_delivered(agreement)},
    )


def agreement_close(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement_or_404(pk)
    require(policies.can_close_agreement(request.user, agreement))
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_agreement(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The agreement was closed and the need marked as met."))
            return redirect(tenant_reverse(request, "brokerage:agreement_detail", pk=agreement.pk))
    return render(
        request,
        "brokerage/agreement_close.html",
        {"form": form, "agreement": agreement, "delivered": selectors.days_delivered(agreement)},
    )
