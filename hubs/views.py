"""Hub, programme, enrolment and commissioning pages. Thin: policy, then service or
selector, then render. An object of another partnership is never found (404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partnership.models import Area, Role
from partnership.policies import school_ids_with_role
from partnership.shortcuts import found, render_form_page, require, stored_file_response
from partnership.tenancy import tenant_reverse
from surveys import selectors as survey_selectors

from . import policies, selectors, services
from .charts import attendance_chart, value_charts
from .forms import (
    AgreementForm,
    AwardForm,
    BidForm,
    BidScoreForm,
    BudgetLineForm,
    CallCriterionFormSet,
    CallForm,
    CatalogueFilterForm,
    DeliverableForm,
    DeliverableProgressForm,
    EnrolForm,
    EvidenceForm,
    GroupEnrolForm,
    HubForm,
    ParticipantFormSet,
    ProgrammeForm,
    RedesignationCriterionForm,
    RedesignationReviewForm,
    RegisterForm,
    SessionFormSet,
    criterion_initial,
    session_initial,
)
from .models import (
    BidStatus,
    BudgetLine,
    Call,
    CallStatus,
    Deliverable,
    Enrolment,
    EnrolmentStatus,
    Hub,
    Programme,
    RedesignationCriterion,
    ServiceLevelAgreement,
)

PAGE_SIZE = 20


def _form_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The hubs' form page: a form, optionally a formset whose rows are numbered."""
    return render_form_page(request, "hubs/form.html", context)


# --- Hubs -----------------------------------------------------------------------------------


def hub_list(request: HttpRequest) -> HttpResponse:
    require(policies.can_view_hubs(request.user, request.partnership))
    return render(
        request,
        "hubs/hub_list.html",
        {
            "hubs": selectors.hub_list(),
            "can_manage": policies.can_manage_hubs(request.user, request.partnership),
        },
    )


def hub_create(request: HttpRequest) -> HttpResponse:
    require(policies.can_manage_hubs(request.user, request.partnership))
    form = HubForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hub = services.designate_hub(
                actor=request.user, partnership=request.partnership, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The hub was designated."))
            return redirect(tenant_reverse(request, "hubs:detail", pk=hub.pk))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Designate a hub"),
            "intro": _(
                "A hub is one school, or several, designated for an area for a period "
                "under a service level agreement. Add its deliverables and budget next."
            ),
            "back_url": tenant_reverse(request, "hubs:list"),
            "submit": _("Designate hub"),
        },
    )


def hub_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hub = found(selectors.hub_detail, pk)
    user = request.user
    show_agreement = policies.can_view_hub_agreement(user, hub)
    can_edit_programmes = policies.can_create_programme(user, hub)
    programmes = [p for p in hub.programmes.all() if can_edit_programmes or p.is_published]
    agreement = selectors.current_agreement(hub) if show_agreement else None
    return render(
        request,
        "hubs/hub_detail.html",
        {
            "hub": hub,
            "schools": list(hub.schools.all()),
            "programmes": programmes,
            "show_agreement": show_agreement,
            "agreement": agreement,
            "budget": selectors.budget_summary(agreement) if agreement else None,
            "earlier_agreements": list(hub.agreements.all())[1:] if show_agreement else [],
            "reviews": list(hub.reviews.all()) if show_agreement else [],
            "can_manage": policies.can_manage_hubs(user, hub),
            "can_edit_delivery": policies.can_edit_hub_delivery(user, hub),
            "can_review": policies.can_review_hub(user, hub),
            "can_edit_programmes": can_edit_programmes,
            "impact_summary": survey_selectors.impact_summary(hubs=[hub]),
        },
    )


# --- Value for money ---------------------------------------------------------------------


def _value_page(request: HttpRequest, area: Area | None) -> HttpResponse:
    value = selectors.value_for_money(area=area)
    rows = [(row.hub.name, row.figures) for row in value.hubs]
    context = {
        "value": value,
        "area": area,
        "charts": value_charts(rows, prefix="hubs", label_heading=_("Hub")),
        "area_charts": [],
        "impact_summary": survey_selectors.impact_summary(area=area),
    }
    # Charts per area only when they say more than the charts per hub.
    if area is None and 1 < len(value.areas) < len(value.hubs):
        context["area_charts"] = value_charts(
            [(group.area.display_name, group.figures) for group in value.areas],
            prefix="areas",
            label_heading=_("Area"),
        )
    return render(request, "hubs/value.html", context)


@require_GET
def value_for_money(request: HttpRequest) -> HttpResponse:
    """Every hub side by side, and the same summed per area."""
    require(policies.can_view_value_for_money(request.user, request.partnership))
    return _value_page(request, None)


@require_GET
def area_value(request: HttpRequest, pk: int) -> HttpResponse:
    """The hubs of one area side by side, with the area's total."""
    area = get_object_or_404(Area, pk=pk)
    require(policies.can_view_value_for_money(request.user, area))
    return _value_page(request, area)


@require_GET
def hub_value(request: HttpRequest, pk: int) -> HttpResponse:
    """One hub's figures, with participants and attendance per programme."""
    detail = found(selectors.hub_value, pk)
    require(policies.can_view_hub_agreement(request.user, detail.hub))
    rows = [(p.programme.title, p.figures) for p in detail.programmes]
    return render(
        request,
        "hubs/hub_value.html",
        {
            "detail": detail,
            "hub": detail.hub,
            "figures": detail.figures,
            "chart": attendance_chart(rows, prefix="programmes", label_heading=_("Programme")),
            "can_compare": policies.can_view_value_for_money(request.user, detail.hub),
        },
    )


def hub_edit(request: HttpRequest, pk: int) -> HttpResponse:
    hub = get_object_or_404(Hub.objects.select_related("area"), pk=pk)
    require(policies.can_manage_hubs(request.user, hub))
    form = HubForm(request.POST or None, hub=hub)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_hub(actor=request.user, hub=hub, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The hub was saved."))
            return redirect(tenant_reverse(request, "hubs:detail", pk=hub.pk))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Edit hub"),
            "caption": hub.name,
            "back_url": tenant_reverse(request, "hubs:detail", pk=hub.pk),
            "submit": _("Save hub"),
        },
    )


def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(ServiceLevelAgreement.objects.select_related("hub"), pk=pk)
    require(policies.can_manage_hubs(request.user, agreement))
    form = AgreementForm(
        request.POST or None,
        initial={
            "starts_on": agreement.starts_on,
            "ends_on": agreement.ends_on,
            "funding": agreement.funding,
            "notes": agreement.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agreement(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The service level agreement was saved."))
            return redirect(tenant_reverse(request, "hubs:detail", pk=agreement.hub_id))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Edit the service level agreement"),
            "caption": agreement.hub.name,
            "back_url": tenant_reverse(request, "hubs:detail", pk=agreement.hub_id),
            "submit": _("Save agreement"),
        },
    )


def deliverable_create(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(ServiceLevelAgreement.objects.select_related("hub"), pk=pk)
    require(policies.can_manage_hubs(request.user, agreement))
    form = DeliverableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_deliverable(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The deliverable was added."))
            return redirect(tenant_reverse(request, "hubs:detail", pk=agreement.hub_id))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Add a deliverable"),
            "caption": agreement.hub.name,
            "back_url": tenant_reverse(request, "hubs:detail", pk=agreement.hub_id),
            "submit": _("Add deliverable"),
        },
    )


def _deliverable(pk: int) -> Deliverable:
    return get_object_or_404(
        Deliverable.objects.select_related("agreement__hub", "supported_school").prefetch_related(
            "agreement__hub__schools", "evidence"
        ),
        pk=pk,
    )


def deliverable_update(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = _deliverable(pk)
    hub = deliverable.agreement.hub
    require(policies.can_edit_hub_delivery(request.user, hub))
    form = DeliverableProgressForm(
        request.POST or None,
        initial={
            "status": deliverable.status,
            "completed_on": deliverable.completed_on,
            "progress_note": deliverable.progress_note,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_deliverable(
                actor=request.user, deliverable=deliverable, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The progress was recorded."))
            return redirect(tenant_reverse(request, "hubs:detail", pk=hub.pk))
    return _deliverable_page(request, deliverable, form, EvidenceForm())


def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    deliverable = _deliverable(pk)
    hub = deliverable.agreement.hub
    require(policies.can_edit_hub_delivery(request.user, hub))
    evidence_form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and evidence_form.is_valid():
        try:
            services.add_evidence(
                actor=request.user,
                deliverable=deliverable,
                upload=evidence_form.cleaned_data["file"],
            )
        except ValidationError as error:
            evidence_form.add_service_errors(error)
        else:
            messages.success(request, _("The evidence was uploaded."))
            return redirect(tenant_reverse(request, "hubs:deliverable", pk=deliverable.pk))
    progress_form = DeliverableProgressForm(
        initial={
            "status": deliverable.status,
            "completed_on": deliverable.completed_on,
            "progress_note": deliverable.progress_note,
        }
    )
    return _deliverable_page(request, deliverable, progress_form, evidence_form)


def _deliverable_page(
    request: HttpRequest,
    deliverable: Deliverable,
    form: Any,
    evidence_form: Any,
) -> HttpResponse:
    return render(
        request,
        "hubs/deliverable.html",
        {
            "deliverable": deliverable,
            "hub": deliverable.agreement.hub,
            "form": form,
            "evidence_form": evidence_form,
            "evidence": list(deliverable.evidence.all()),
        },
    )


def budget_line_create(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(
        ServiceLevelAgreement.objects.select_related("hub").prefetch_related("hub__schools"), pk=pk
    )
    return _budget_line(request, agreement, None)


def budget_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_object_or_404(
        BudgetLine.objects.select_related("agreement__hub").prefetch_related(
            "agreement__hub__schools"
        ),
        pk=pk,
    )
    return _budget_line(request, line.agreement, line)


def _budget_line(
    request: HttpRequest, agreement: ServiceLevelAgreement, line: BudgetLine | None
) -> HttpResponse:
    require(policies.can_edit_hub_delivery(request.user, agreement.hub))
    initial = (
        {
            "category": line.category,
            "description": line.description,
            "planned": line.planned,
            "actual": line.actual,
        }
        if line
        else None
    )
    form = BudgetLineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_budget_line(
                actor=request.user, agreement=agreement, line=line, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The budget line was saved."))
            return redirect(tenant_reverse(request, "hubs:detail", pk=agreement.hub_id))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Edit a budget line") if line else _("Add a budget line"),
            "caption": agreement.hub.name,
            "intro": _("Funding for this agreement: £%(funding)s.")
            % {"funding": agreement.funding},
            "back_url": tenant_reverse(request, "hubs:detail", pk=agreement.hub_id),
            "submit": _("Save budget line"),
        },
    )


def criteria(request: HttpRequest) -> HttpResponse:
    """The published re-designation criteria; the admin adds to them here."""
    can_manage = policies.can_review_hub(request.user, request.partnership)
    form = RedesignationCriterionForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        require(can_manage)
        if form.is_valid():
            try:
                services.save_redesignation_criterion(
                    actor=request.user, partnership=request.partnership, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("The criterion was published."))
                return redirect(tenant_reverse(request, "hubs:criteria"))
    return render(
        request,
        "hubs/criteria.html",
        {
            "criteria": selectors.redesignation_criteria(active_only=not can_manage),
            "form": form,
            "can_manage": can_manage,
        },
    )


def criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = get_object_or_404(RedesignationCriterion, pk=pk)
    require(policies.can_review_hub(request.user, criterion))
    form = RedesignationCriterionForm(
        request.POST or None,
        initial={
            "title": criterion.title,
            "description": criterion.description,
            "position": criterion.position,
            "is_active": criterion.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_redesignation_criterion(
                actor=request.user,
                partnership=request.partnership,
                criterion=criterion,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The criterion was saved."))
            return redirect(tenant_reverse(request, "hubs:criteria"))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Edit a re-designation criterion"),
            "back_url": tenant_reverse(request, "hubs:criteria"),
            "submit": _("Save criterion"),
        },
    )


def hub_review(request: HttpRequest, pk: int) -> HttpResponse:
    hub = get_object_or_404(Hub.objects.select_related("area"), pk=pk)
    require(policies.can_review_hub(request.user, hub))
    criteria_list = list(selectors.redesignation_criteria())
    form = RedesignationReviewForm(request.POST or None, criteria=criteria_list)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_redesignation_review(
                actor=request.user,
                hub=hub,
                decision=data["decision"],
                reasons=data["reasons"],
                judgements=form.judgements(),
                new_ends_on=data.get("new_ends_on"),
                new_funding=data.get("new_funding"),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The re-designation decision was recorded."))
            return redirect(tenant_reverse(request, "hubs:detail", pk=hub.pk))
    intro = _(
        "Judge the hub against each published criterion, then record the decision and "
        "its reasons. A hub is only re-designated by a decision recorded here."
    )
    if not criteria_list:
        intro = _("No re-designation criteria are published yet. Publish them first.")
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Re-designation review"),
            "caption": hub.name,
            "intro": intro,
            "back_url": tenant_reverse(request, "hubs:detail", pk=hub.pk),
            "submit": _("Record decision"),
        },
    )


def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Serve an evidence or bid file to those who may see its hub or bid; 404 otherwise."""
    document = found(selectors.document_for_download, pk)
    if not policies.can_download_document(request.user, document):
        raise Http404
    return stored_file_response(
        document.file, filename=document.original_name, content_type=document.content_type
    )


# --- Programmes -----------------------------------------------------------------------------


def catalogue(request: HttpRequest) -> HttpResponse:
    """Published programmes with filters and search (a GET form; htmx swaps the results)."""
    form = CatalogueFilterForm(request.GET or None)
    programmes = selectors.catalogue(form.filters() if form.is_bound else None)
    page = Paginator(programmes, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "can_enrol": policies.is_headteacher(request.user, request.partnership),
    }
    template = "hubs/_catalogue_results.html" if request.htmx else "hubs/catalogue.html"
    return render(request, template, context)


def _programme_form_page(
    request: HttpRequest, hub: Hub, programme: Programme | None
) -> HttpResponse:
    form = ProgrammeForm(request.POST or None, programme=programme)
    initial = session_initial(list(programme.sessions.all())) if programme else None
    formset = SessionFormSet(request.POST or None, initial=initial, prefix="sessions")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = services.save_programme(
                actor=request.user,
                hub=hub,
                programme=programme,
                sessions=formset.sessions(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "sessions" in error.error_dict:
                formset._non_form_errors = formset.error_class(
                    [m for e in error.error_dict.pop("sessions") for m in e.messages]
                )
                error = ValidationError(error.error_dict) if error.error_dict else None
            if error is not None:
                form.add_service_errors(error)
        else:
            messages.success(request, _("The programme was saved."))
            return redirect(tenant_reverse(request, "hubs:programme_detail", pk=saved.pk))
    back = (
        tenant_reverse(request, "hubs:programme_detail", pk=programme.pk)
        if programme
        else tenant_reverse(request, "hubs:detail", pk=hub.pk)
    )
    return _form_page(
        request,
        {
            "form": form,
            "formset": formset,
            "formset_legend": _("Session %(n)s"),
            "formset_hint": _(
                "List the sessions in date order. To add more sessions than there are "
                "rows, save and edit the programme again."
            ),
            "title": _("Edit programme") if programme else _("Add a programme"),
            "caption": hub.name,
            "back_url": back,
            "submit": _("Save programme"),
        },
    )


def programme_create(request: HttpRequest, pk: int) -> HttpResponse:
    hub = get_object_or_404(Hub.objects.prefetch_related("schools"), pk=pk)
    require(policies.can_create_programme(request.user, hub))
    return _programme_form_page(request, hub, None)


def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(
        Programme.objects.select_related("hub", "area").prefetch_related("hub__schools"), pk=pk
    )
    require(policies.can_edit_programme(request.user, programme))
    return _programme_form_page(request, programme.hub, programme)


def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = found(selectors.programme_detail, pk)
    user = request.user
    if not policies.can_view_programme(user, programme):
        raise Http404
    sees_all = policies.can_view_all_enrolments(user, programme)
    own_schools = school_ids_with_role(user, programme, Role.HEADTEACHER)
    enrolments = selectors.enrolments_for(programme, school_ids=None if sees_all else own_schools)
    return render(
        request,
        "hubs/programme_detail.html",
        {
            "programme": programme,
            "sessions": list(programme.sessions.all()),
            "places_left": max(programme.places - programme.confirmed_count, 0),
            "confirmed": [e for e in enrolments if e.status == EnrolmentStatus.CONFIRMED],
            "waiting": [e for e in enrolments if e.status == EnrolmentStatus.WAITLISTED],
            "sees_all": sees_all,
            "own_schools": own_schools,
            "can_edit": policies.can_edit_programme(user, programme),
            "can_enrol": programme.accepts_enrolments and policies.can_enrol(user, programme),
            "can_keep_register": policies.can_keep_register(user, programme),
            "impact_summary": survey_selectors.impact_summary(programmes=[programme]),
        },
    )


def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(Programme.objects.select_related("hub"), pk=pk)
    if not policies.can_view_programme(request.user, programme):
        raise Http404
    require(policies.can_enrol(request.user, programme))
    schools = selectors.schools_headed_by(request.user, request.partnership)
    form = EnrolForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        require(policies.can_enrol_for(request.user, data["school"]))
        try:
            enrolment = services.enrol(actor=request.user, programme=programme, **data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if enrolment.status == EnrolmentStatus.CONFIRMED:
                message = _("%(name)s has a place. We have emailed them.")
            else:
                message = _(
                    "The programme is full, so %(name)s is on the waiting list. We will "
                    "email them if a place comes up."
                )
            messages.success(request, message % {"name": enrolment.participant_name})
            return redirect(tenant_reverse(request, "hubs:programme_detail", pk=programme.pk))
    intro = _("If no places are left, the person goes on the waiting list.")
    if not programme.accepts_enrolments:
        intro = _("This programme is not taking enrolments.")
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Enrol a member of staff"),
            "caption": programme.title,
            "intro": intro,
            "back_url": tenant_reverse(request, "hubs:programme_detail", pk=programme.pk),
            "submit": _("Enrol"),
        },
    )


def enrol_group(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(Programme.objects.select_related("hub"), pk=pk)
    if not policies.can_view_programme(request.user, programme):
        raise Http404
    require(policies.can_enrol(request.user, programme))
    groups = selectors.groups_for_headteacher(request.user, request.partnership)
    require(groups)
    form = GroupEnrolForm(request.POST or None, groups=groups)
    schools = selectors.schools_in_groups(groups)
    formset = ParticipantFormSet(
        request.POST or None, prefix="people", form_kwargs={"schools": schools}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.enrol_group(
                actor=request.user,
                programme=programme,
                group=form.chosen_group(),
                participants=formset.participants(),
                allow_waiting_list=form.cleaned_data["allow_waiting_list"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The group was enrolled. We have emailed each person."))
            return redirect(tenant_reverse(request, "hubs:programme_detail", pk=programme.pk))
    return _form_page(
        request,
        {
            "form": form,
            "formset": formset,
            "formset_legend": _("Person %(n)s"),
            "title": _("Enrol a group of schools"),
            "caption": programme.title,
            "intro": _(
                "Schools of a cluster or school improvement group can enrol together. "
                "Everyone is enrolled, or no one is."
            ),
            "back_url": tenant_reverse(request, "hubs:programme_detail", pk=programme.pk),
            "submit": _("Enrol the group"),
        },
    )


def enrolment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("programme__hub", "school").prefetch_related(
            "programme__hub__schools"
        ),
        pk=pk,
    )
    require(policies.can_cancel_enrolment(request.user, enrolment))
    if request.method == "POST":
        services.cancel_enrolment(actor=request.user, enrolment=enrolment)
        messages.success(
            request,
            _("The enrolment of %(name)s was cancelled.") % {"name": enrolment.participant_name},
        )
        return redirect(tenant_reverse(request, "hubs:programme_detail", pk=enrolment.programme_id))
    return render(request, "hubs/enrolment_cancel.html", {"enrolment": enrolment})


def register(request: HttpRequest, pk: int) -> HttpResponse:
    session = found(selectors.session_for_register, pk)
    programme = session.programme
    require(policies.can_keep_register(request.user, programme))
    rows = selectors.register_for(session)
    form = RegisterForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_register(actor=request.user, session=session, attended=form.marks())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The register was saved."))
            return redirect(tenant_reverse(request, "hubs:programme_detail", pk=programme.pk))
    return render(
        request, "hubs/register.html", {"session": session, "programme": programme, "form": form}
    )


# --- Commissioning ------------------------------------------------------------------------------


def call_list(request: HttpRequest) -> HttpResponse:
    can_manage = policies.can_manage_calls(request.user, request.partnership)
    return render(
        request,
        "hubs/call_list.html",
        {"calls": selectors.calls_list(include_drafts=can_manage), "can_manage": can_manage},
    )


def _call_form_page(request: HttpRequest, call: Call | None) -> HttpResponse:
    form = CallForm(request.POST or None, call=call)
    initial = criterion_initial(list(call.criteria.all())) if call else None
    formset = CallCriterionFormSet(request.POST or None, initial=initial, prefix="criteria")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = services.save_call(
                actor=request.user,
                partnership=request.partnership,
                call=call,
                criteria=formset.criteria(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The call was saved as a draft. Open it to take bids."))
            return redirect(tenant_reverse(request, "hubs:call_detail", pk=saved.pk))
    return _form_page(
        request,
        {
            "form": form,
            "formset": formset,
            "formset_legend": _("Criterion %(n)s"),
            "title": _("Edit the call") if call else _("New call for provision"),
            "intro": _(
                "Bids are scored against these criteria and weights. They are published "
                "when the call opens and cannot change after that."
            ),
            "back_url": tenant_reverse(request, "hubs:call_detail", pk=call.pk)
            if call
            else tenant_reverse(request, "hubs:calls"),
            "submit": _("Save call"),
        },
    )


def call_create(request: HttpRequest) -> HttpResponse:
    require(policies.can_manage_calls(request.user, request.partnership))
    return _call_form_page(request, None)


def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("area", "renews_hub"), pk=pk)
    require(policies.can_manage_calls(request.user, call))
    if call.status != CallStatus.DRAFT:
        messages.error(request, _("An open call cannot be changed: bidders have seen it."))
        return redirect(tenant_reverse(request, "hubs:call_detail", pk=call.pk))
    return _call_form_page(request, call)


def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = found(selectors.call_detail, pk)
    user = request.user
    if not policies.can_view_call(user, call):
        raise Http404
    can_decide = policies.can_decide_call(user, call)
    own_schools = school_ids_with_role(user, call, Role.HEADTEACHER)
    return render(
        request,
        "hubs/call_detail.html",
        {
            "call": call,
            "criteria": list(call.criteria.all()),
            "can_manage": policies.can_manage_calls(user, call),
            "can_decide": can_decide,
            "can_bid": call.is_accepting_bids() and policies.can_bid(user, call),
            "bids": selectors.bids_for_call(call) if can_decide else [],
            "own_bids": selectors.bid_of_schools(call, own_schools) if own_schools else [],
            "award": selectors.award_of(call) if call.status == CallStatus.AWARDED else None,
        },
    )


@require_POST
def call_open(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call, pk=pk)
    require(policies.can_manage_calls(request.user, call))
    try:
        services.open_call(actor=request.user, call=call)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The call is open. Headteachers have been told."))
    return redirect(tenant_reverse(request, "hubs:call_detail", pk=call.pk))


def bid_create(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("area"), pk=pk)
    if not policies.can_view_call(request.user, call):
        raise Http404
    require(policies.can_bid(request.user, call))
    schools = selectors.schools_headed_by(request.user, request.partnership)
    own = selectors.bid_of_schools(call, {s.pk for s in schools})
    existing = own[0] if own else None
    form = BidForm(request.POST or None, request.FILES or None, schools=schools, bid=existing)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        require(policies.can_bid_for(request.user, data["school"]))
        try:
            bid = services.submit_bid(actor=request.user, call=call, **data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your bid was submitted."))
            return redirect(tenant_reverse(request, "hubs:bid_detail", pk=bid.pk))
    intro = _("You can change your bid until the deadline. Late bids are refused.")
    if not call.is_accepting_bids():
        intro = _("This call is not taking bids.")
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Bid for this call"),
            "caption": call.title,
            "intro": intro,
            "multipart": True,
            "back_url": tenant_reverse(request, "hubs:call_detail", pk=call.pk),
            "submit": _("Submit bid"),
        },
    )


def bid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bid = found(selectors.bid_detail, pk)
    if not policies.can_view_bid(request.user, bid):
        raise Http404
    call = bid.call
    award = selectors.award_of(call) if call.status == CallStatus.AWARDED else None
    return render(
        request,
        "hubs/bid_detail.html",
        {
            "bid": bid,
            "call": call,
            "scores": list(bid.scores.all()),
            "documents": list(bid.documents.all()),
            "award": award,
            "decided": bid.status != BidStatus.SUBMITTED,
            "can_score": policies.can_score_bid(request.user, bid)
            and call.status == CallStatus.OPEN
            and call.deadline_passed,
            "can_edit": call.is_accepting_bids() and policies.is_bidder(request.user, bid),
        },
    )


def bid_score(request: HttpRequest, pk: int) -> HttpResponse:
    bid = found(selectors.bid_detail, pk)
    require(policies.can_score_bid(request.user, bid))
    form = BidScoreForm(request.POST or None, bid=bid)
    if request.method == "POST" and form.is_valid():
        try:
            services.score_bid(
                actor=request.user,
                bid=bid,
                scores=form.scores(),
                feedback=form.cleaned_data["feedback"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The bid was scored."))
            return redirect(tenant_reverse(request, "hubs:call_detail", pk=bid.call_id))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Score the bid from %(school)s") % {"school": bid.school.name},
            "caption": bid.call.title,
            "intro": _("Score each criterion from 0 (not shown) to 5 (shown in full)."),
            "back_url": tenant_reverse(request, "hubs:bid_detail", pk=bid.pk),
            "submit": _("Save scores"),
        },
    )


def call_award(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("area"), pk=pk)
    require(policies.can_decide_call(request.user, call))
    bids = selectors.bids_for_call(call)
    form = AwardForm(request.POST or None, bids=bids)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            award = services.award_call(actor=request.user, call=call, **data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("The call was awarded. The hub and a draft programme are ready to set up."),
            )
            return redirect(tenant_reverse(request, "hubs:detail", pk=award.hub_id))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Award the call"),
            "caption": call.title,
            "intro": _(
                "Every bid must be scored first. The award creates the winner's hub "
                "designation (or renews it) and a draft programme; every bidder is told."
            ),
            "back_url": tenant_reverse(request, "hubs:call_detail", pk=call.pk),
            "submit": _("Record the award"),
        },
    )
