"""Panel pages: panels and their seats and terms, identified needs, meetings and actions.

Thin views: find the object (another partnership's row is a 404 through the tenant
scope), check `policies` (403), call a service or selector (a form's POST through
`partnership.shortcuts.save_form`), render. A service's ValidationError is shown on the
form; nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from partnership.pdf import pdf_response
from partnership.shortcuts import found, require, save_form
from partnership.tenancy import tenant_reverse

from . import policies, selectors, services
from .forms import (
    ActionForm,
    ActionStatusForm,
    AgendaItemForm,
    AttendanceForm,
    CallFromNeedForm,
    EvaluationForm,
    EvidenceForm,
    MeetingForm,
    MinutesForm,
    NeedForm,
    PanelForm,
    SeatForm,
    TermForm,
)
from .models import Action, AgendaItem, Meeting, Panel, Seat


def _row(queryset: Any, pk: int) -> Any:
    # The tenant scope the middleware opened keeps another partnership's rows out.
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def _form_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render(request, "panels/form.html", context)


def _panel_url(request: HttpRequest, panel: Panel | int) -> str:
    return tenant_reverse(request, "panels:detail", pk=getattr(panel, "pk", panel))


def _meeting_url(request: HttpRequest, meeting: Meeting | int) -> str:
    return tenant_reverse(request, "panels:meeting_detail", pk=getattr(meeting, "pk", meeting))


# --- Panels, seats and terms -----------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    require(policies.can_view_panels(request.user, request.partnership))
    return render(
        request,
        "panels/index.html",
        {
            "panels": selectors.panels_for(request.partnership),
            "can_manage": policies.can_manage_panels(request.user, request.partnership),
        },
    )


def _panel_form_page(request: HttpRequest, panel: Panel | None) -> HttpResponse:
    initial = None
    if panel is not None:
        initial = {
            "name": panel.name,
            "area": panel.area,
            "purpose": panel.purpose,
            "terms_of_reference": panel.terms_of_reference,
            "max_consecutive_terms": panel.max_consecutive_terms,
            "term_warning_days": panel.term_warning_days,
            "required_voices": panel.required_voices,
            "stakeholder_group": panel.stakeholder_group,
        }
    form = PanelForm(request.POST or None, initial=initial)
    if response := save_form(
        request,
        form,
        lambda data: services.save_panel(
            actor=request.user, partnership=request.partnership, panel=panel, **data
        ),
        success=_("The panel was saved."),
        next_url=lambda saved: _panel_url(request, saved),
    ):
        return response
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Edit the panel") if panel else _("New panel"),
            "back_url": _panel_url(request, panel)
            if panel
            else tenant_reverse(request, "panels:index"),
            "submit": _("Save panel"),
        },
    )


def panel_create(request: HttpRequest) -> HttpResponse:
    require(policies.can_manage_panels(request.user, request.partnership))
    return _panel_form_page(request, None)


def panel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    panel = found(selectors.panel_for, request.partnership, pk)
    require(policies.can_manage_panels(request.user, panel))
    return _panel_form_page(request, panel)


def panel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    panel = found(selectors.panel_for, request.partnership, pk)
    user = request.user
    require(policies.can_view_panels(user, panel))
    can_papers = policies.can_view_all_papers(user, panel)
    return render(
        request,
        "panels/panel_detail.html",
        {
            "panel": panel,
            "composition": selectors.composition(panel),
            "can_manage": policies.can_manage_panels(user, panel),
            "can_run": policies.can_run_panel(user, panel),
            "show_warnings": policies.can_view_composition(user, panel),
            "can_view_meetings": policies.can_view_papers(user, panel),
            "can_record_need": policies.can_record_need(user, panel),
            "needs": selectors.needs_of(panel) if can_papers else [],
            "can_view_needs": can_papers,
            "meetings": selectors.meetings_of(panel)
            if policies.can_view_papers(user, panel)
            else [],
            "decisions": selectors.published_decisions(request.partnership, panel=panel),
            "can_view_evaluations": policies.can_view_evaluations(user, panel),
        },
    )


def seat_add(request: HttpRequest, pk: int) -> HttpResponse:
    panel = found(selectors.panel_for, request.partnership, pk)
    require(policies.can_manage_panels(request.user, panel))
    form = SeatForm(request.POST or None)
    if response := save_form(
        request,
        form,
        lambda data: services.add_seat(actor=request.user, panel=panel, **data),
        success=_("The seat was added."),
        next_url=_panel_url(request, panel),
    ):
        return response
    return _form_page(
        request,
        {
            "form": form,
            "caption": panel.name,
            "title": _("Add a seat"),
            "back_url": _panel_url(request, panel),
            "submit": _("Add seat"),
        },
    )


def term_add(request: HttpRequest, pk: int) -> HttpResponse:
    seat = _row(Seat.objects.select_related("panel"), pk)
    require(policies.can_manage_panels(request.user, seat.panel))
    form = TermForm(request.POST or None, people=selectors.people_of(request.partnership))
    if response := save_form(
        request,
        form,
        lambda data: services.appoint_member(actor=request.user, seat=seat, **data),
        success=_("The term was recorded."),
        next_url=_panel_url(request, seat.panel_id),
    ):
        return response
    return _form_page(
        request,
        {
            "form": form,
            "caption": f"{seat.panel.name}: {seat}",
            "title": _("Appoint a member for a term"),
            "intro": _(
                "One person holds a seat at a time. The panel allows %(max)s consecutive "
                "terms per person."
            )
            % {"max": seat.panel.max_consecutive_terms},
            "back_url": _panel_url(request, seat.panel_id),
            "submit": _("Appoint"),
        },
    )


# --- Identified needs -----------------------------------------------------------------------------


def need_create(request: HttpRequest, pk: int) -> HttpResponse:
    panel = found(selectors.panel_for, request.partnership, pk)
    require(policies.can_record_need(request.user, panel))
    form = NeedForm(request.POST or None)

    def record(data: dict[str, Any]) -> Any:
        evidence = []
        if data["evidence_title"]:
            evidence.append(
                services.EvidenceInput(title=data["evidence_title"], url=data["evidence_url"])
            )
        return services.record_need(
            actor=request.user,
            panel=panel,
            title=data["title"],
            description=data["description"],
            priority=data["priority"],
            evidence=evidence,
        )

    if response := save_form(
        request,
        form,
        record,
        success=_("The need was recorded."),
        next_url=lambda need: tenant_reverse(request, "panels:need_detail", pk=need.pk),
    ):
        return response
    return _form_page(
        request,
        {
            "form": form,
            "caption": panel.name,
            "title": _("Record an identified need"),
            "back_url": _panel_url(request, panel),
            "submit": _("Record need"),
        },
    )


def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = found(selectors.need_for, request.partnership, pk)
    require(policies.can_view_needs(request.user, need))
    return render(
        request,
        "panels/need_detail.html",
        {
            "need": need,
            "panel": need.panel,
            "evidence": list(need.evidence.all()),
            "can_record": policies.can_record_need(request.user, need),
            "can_open_call": policies.can_open_call(request.user, need) and need.call_id is None,
            "bids": _bids_to_score(request, need),
        },
    )


def _bids_to_score(request: HttpRequest, need: Any) -> list[Any]:
    """The bids of the call opened from this need, for the panel members who score them."""
    from hubs import policies as hub_policies
    from hubs import selectors as hub_selectors

    call = need.call
    if call is None or not hub_policies.can_score_bid(request.user, call):
        return []
    return hub_selectors.bids_for_call(call)


def need_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    need = found(selectors.need_for, request.partnership, pk)
    require(policies.can_record_need(request.user, need))
    form = EvidenceForm(request.POST or None)
    if response := save_form(
        request,
        form,
        lambda data: services.add_evidence(actor=request.user, need=need, **data),
        success=_("The evidence was added."),
        next_url=tenant_reverse(request, "panels:need_detail", pk=need.pk),
    ):
        return response
    return _form_page(
        request,
        {
            "form": form,
            "caption": need.title,
            "title": _("Add evidence"),
            "back_url": tenant_reverse(request, "panels:need_detail", pk=need.pk),
            "submit": _("Add evidence"),
        },
    )


def need_call(request: HttpRequest, pk: int) -> HttpResponse:
    need = found(selectors.need_for, request.partnership, pk)
    require(policies.can_open_call(request.user, need))
    back = tenant_reverse(request, "panels:need_detail", pk=need.pk)
    if need.call_id is not None:
        messages.info(request, _("A call has already been opened for this need."))
        return redirect(back)
    form = CallFromNeedForm(request.POST or None, initial={"title": need.title})
    if response := save_form(
        request,
        form,
        lambda data: services.open_call_for_need(
            actor=request.user,
            need=need,
            title=data["title"],
            brief=data["brief"],
            budget=data["budget"],
            deadline=data["deadline"],
            criteria=services.parse_criteria(data["criteria"]),
        ),
        success=_("The call is open. Headteachers have been told."),
        next_url=lambda call: tenant_reverse(request, "hubs:call_detail", pk=call.pk),
    ):
        return response
    return _form_page(
        request,
        {
            "form": form,
            "caption": need.title,
            "title": _("Open a commissioning call for this need"),
            "intro": _(
                "The call is published at once for the panel's area; any school may bid "
                "before the deadline."
            ),
            "back_url": back,
            "submit": _("Open the call"),
        },
    )


# --- Meetings -------------------------------------------------------------------------------------


def _meeting_form_page(request: HttpRequest, panel: Panel, meeting: Meeting | None) -> HttpResponse:
    initial = None
    if meeting is not None:
        initial = {
            "starts_at": meeting.starts_at,
            "ends_at": meeting.ends_at,
            "place": meeting.place,
        }
    form = MeetingForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> Meeting:
        if meeting is None:
            return services.schedule_meeting(actor=request.user, panel=panel, **data)
        services.change_meeting(actor=request.user, meeting=meeting, **data)
        return meeting

    if response := save_form(
        request,
        form,
        save,
        success=_("The meeting was saved."),
        next_url=lambda saved: _meeting_url(request, saved),
    ):
        return response
    return _form_page(
        request,
        {
            "form": form,
            "caption": panel.name,
            "title": _("Change the meeting") if meeting else _("Schedule a meeting"),
            "intro": None
            if meeting
            else _("Open actions from earlier meetings join the agenda as matters arising."),
            "back_url": _meeting_url(request, meeting) if meeting else _panel_url(request, panel),
            "submit": _("Save meeting"),
        },
    )


def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    panel = found(selectors.panel_for, request.partnership, pk)
    require(policies.can_run_panel(request.user, panel))
    return _meeting_form_page(request, panel, None)


def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = found(selectors.meeting_for, request.partnership, pk)
    require(policies.can_run_panel(request.user, meeting.panel))
    return _meeting_form_page(request, meeting.panel, meeting)


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = found(selectors.meeting_for, request.partnership, pk)
    user = request.user
    panel = meeting.panel
    require(policies.can_view_papers(user, panel))
    papers = selectors.meeting_papers(meeting)
    items = [
        {
            "item": item,
            "show_minutes": policies.can_view_minutes(user, item),
        }
        for item in papers["items"]
        if policies.can_view_item(user, item)
    ]
    full = policies.can_view_all_papers(user, panel)
    return render(
        request,
        "panels/meeting_detail.html",
        {
            "meeting": meeting,
            "panel": panel,
            "items": items,
            "attendance": papers["attendance"] if full else [],
            "actions": papers["actions"] if full else [],
            "full_papers": full,
            "can_run": policies.can_run_panel(user, panel),
            "can_record_action": policies.can_record_action(user, panel),
            "status_form": ActionStatusForm(),
        },
    )


@require_safe
def meeting_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting as an .ics file for members to add to their calendars."""
    meeting = found(selectors.meeting_for, request.partnership, pk)
    require(policies.can_view_papers(request.user, meeting.panel))
    response = HttpResponse(
        services.meeting_calendar(meeting), content_type="text/calendar; charset=utf-8"
    )
    day = meeting.starts_at.strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="panel-meeting-{day}.ics"'
    return response


def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = found(selectors.meeting_for, request.partnership, pk)
    require(policies.can_run_panel(request.user, meeting.panel))
    form = AgendaItemForm(request.POST or None, people=selectors.people_of(request.partnership))
    if response := save_form(
        request,
        form,
        lambda data: services.add_agenda_item(actor=request.user, meeting=meeting, **data),
        success=_("The item was added to the agenda."),
        next_url=_meeting_url(request, meeting),
    ):
        return response
    return _form_page(
        request,
        {
            "form": form,
            "caption": str(meeting),
            "title": _("Add an agenda item"),
            "back_url": _meeting_url(request, meeting),
            "submit": _("Add item"),
        },
    )


def item_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    item = _row(AgendaItem.objects.select_related("meeting__panel"), pk)
    require(policies.can_run_panel(request.user, item.meeting.panel))
    form = MinutesForm(
        request.POST or None,
        initial={
            "minutes": item.minutes,
            "decision": item.decision,
            "decision_published": item.decision_published,
            "for_all_seats": item.for_all_seats,
        },
    )
    if response := save_form(
        request,
        form,
        lambda data: services.record_minutes(actor=request.user, item=item, **data),
        success=_("The minutes were saved as a draft."),
        next_url=_meeting_url(request, item.meeting_id),
    ):
        return response
    return _form_page(
        request,
        {
            "form": form,
            "caption": str(item.meeting),
            "title": _("Minutes: %(item)s") % {"item": item.title},
            "intro": _("Minutes stay a draft, seen by the chair and the admin, until approved."),
            "back_url": _meeting_url(request, item.meeting_id),
            "submit": _("Save draft minutes"),
        },
    )


@require_POST
def minutes_approve(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = found(selectors.meeting_for, request.partnership, pk)
    require(policies.can_run_panel(request.user, meeting.panel))
    try:
        services.approve_minutes(actor=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The minutes are approved and visible to members."))
    return redirect(_meeting_url(request, meeting))


def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = found(selectors.meeting_for, request.partnership, pk)
    require(policies.can_run_panel(request.user, meeting.panel))
    people = list(selectors.expected_at(meeting))
    current = selectors.attendance_of(meeting)
    form = AttendanceForm(request.POST or None, people=people, current=current)
    if response := save_form(
        request,
        form,
        lambda data: services.record_attendance(
            actor=request.user, meeting=meeting, statuses=form.statuses()
        ),
        success=_("Attendance and apologies were recorded."),
        next_url=_meeting_url(request, meeting),
    ):
        return response
    return _form_page(
        request,
        {
            "form": form,
            "caption": str(meeting),
            "title": _("Attendance and apologies"),
            "back_url": _meeting_url(request, meeting),
            "submit": _("Save attendance"),
        },
    )


def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = found(selectors.meeting_for, request.partnership, pk)
    require(policies.can_record_action(request.user, meeting.panel))
    form = ActionForm(request.POST or None, people=selectors.people_of(request.partnership))
    if response := save_form(
        request,
        form,
        lambda data: services.record_action(actor=request.user, meeting=meeting, **data),
        success=_("The action was recorded."),
        next_url=_meeting_url(request, meeting),
    ):
        return response
    return _form_page(
        request,
        {
            "form": form,
            "caption": str(meeting),
            "title": _("Record an action"),
            "intro": _(
                "Every action needs an owner and a due date. Open actions carry forward "
                "to the next meeting as matters arising."
            ),
            "back_url": _meeting_url(request, meeting),
            "submit": _("Record action"),
        },
    )


@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    action = _row(Action.objects.select_related("meeting__panel"), pk)
    allowed = policies.can_run_panel(request.user, action) or action.owner_id == request.user.pk
    require(allowed)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        services.update_action(actor=request.user, action=action, **form.cleaned_data)
        messages.success(request, _("The action was updated."))
    else:
        messages.error(request, _("Choose a status from the list."))
    return redirect(_meeting_url(request, action.meeting_id))


@require_POST
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Send (again) the calendar invitation to members who have not had this version."""
    meeting = found(selectors.meeting_for, request.partnership, pk)
    require(policies.can_run_panel(request.user, meeting.panel))
    count = services.send_meeting_invitations(meeting=meeting)
    messages.success(
        request, _("Calendar invitations are on their way to %(n)s members.") % {"n": count}
    )
    return redirect(_meeting_url(request, meeting))


def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes as a PDF, showing exactly what the reader may see on the page."""
    meeting = found(selectors.meeting_for, request.partnership, pk)
    user = request.user
    panel = meeting.panel
    require(policies.can_view_papers(user, panel))
    papers = selectors.meeting_papers(meeting)
    items = [
        {"item": item, "show_minutes": policies.can_view_minutes(user, item)}
        for item in papers["items"]
        if policies.can_view_item(user, item)
    ]
    full = policies.can_view_all_papers(user, panel)
    day = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")
    return pdf_response(
        "panels/pdf/minutes.html",
        {
            "partnership": request.partnership,
            "meeting": meeting,
            "panel": panel,
            "items": items,
            "attendance": papers["attendance"] if full else [],
            "actions": papers["actions"] if full else [],
        },
        f"{panel.name}-minutes-{day}",
    )


# --- Evaluation review and published decisions -----------------------------------------------


def evaluations(request: HttpRequest, pk: int) -> HttpResponse:
    panel = found(selectors.panel_for, request.partnership, pk)
    require(policies.can_view_evaluations(request.user, panel))
    return render(
        request,
        "panels/evaluations.html",
        {
            "panel": panel,
            "rows": selectors.impact_results(panel),
            "can_record": policies.can_record_evaluation(request.user, panel),
        },
    )


def _evaluation_record(request: HttpRequest, pk: int, kind: str, subject: int) -> HttpResponse:
    panel = found(selectors.panel_for, request.partnership, pk)
    require(policies.can_record_evaluation(request.user, panel))
    row = selectors.impact_row(panel, kind, subject)
    if row is None:
        raise Http404
    back = tenant_reverse(request, "panels:evaluations", pk=panel.pk)
    form = EvaluationForm(request.POST or None)
    if response := save_form(
        request,
        form,
        lambda data: services.record_evaluation(
            actor=request.user,
            panel=panel,
            kind=kind,
            subject_id=subject,
            request=request,
            **data,
        ),
        success=_("The judgement was recorded and published."),
        next_url=back,
    ):
        return response
    return render(
        request,
        "panels/evaluation_form.html",
        {"panel": panel, "row": row, "form": form, "back_url": back},
    )


def evaluation_programme(request: HttpRequest, pk: int, subject: int) -> HttpResponse:
    return _evaluation_record(request, pk, "programme", subject)


def evaluation_agreement(request: HttpRequest, pk: int, subject: int) -> HttpResponse:
    return _evaluation_record(request, pk, "agreement", subject)


def decisions(request: HttpRequest) -> HttpResponse:
    """Every decision the partnership's panels have published."""
    require(policies.can_view_published_decisions(request.user, request.partnership))
    return render(
        request,
        "panels/decisions.html",
        {"decisions": selectors.published_decisions(request.partnership)},
    )
