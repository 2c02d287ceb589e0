"""Casework pages: the caseload dashboard, a school's casework, visit notes (with autosave),
agreed actions and comments, categorisation rounds and each school's record in a round.

Thin views: find the row (another partnership's row is a 404), check `policies` (403),
call a service (a form's POST through `partnership.shortcuts.save_form`), render. A
service's ValidationError is shown on the form with a 400; nothing is written, and a
refused category change is on the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from partnership.shortcuts import found, require, save_form
from partnership.tenancy import tenant_reverse
from schools import selectors as school_selectors
from schools.models import School, SupportCategory

from . import policies, selectors, services
from .forms import (
    ActionForm,
    ActionStatusForm,
    AssignmentForm,
    CommentForm,
    ModerationForm,
    ProposalForm,
    ResponseForm,
    RoundForm,
    SelfEvaluationForm,
    TeamForm,
    VisitForm,
    VisitStartForm,
)
from .models import (
    AdviserTeam,
    CaseworkVisit,
    CategorisationRound,
    SchoolCategorisation,
)


def _form_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A form page; 400 when it shows the form's (or the service's) errors."""
    return render(request, template, context, status=400 if context["form"].errors else 200)


# --- Dashboard ---------------------------------------------------------------------------


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """A CA's caseload; for a senior CA the same across their advisers, with moderation."""
    require(policies.can_open_dashboard(request.user, request.partnership))
    board = selectors.dashboard_for(request.user, request.partnership)
    return render(
        request,
        "casework/dashboard.html",
        {
            "board": board,
            "today": timezone.localdate(),
            "can_manage_teams": policies.can_manage_rounds(request.user, request.partnership),
            "can_record_visits": policies.can_record_visits(request.user, request.partnership),
        },
    )


# --- A school's casework -------------------------------------------------------------------


@require_safe
def school_casework(request: HttpRequest, pk: int) -> HttpResponse:
    school = found(school_selectors.school_detail, pk)
    user = request.user
    require(policies.can_view_casework(user, school))
    adviser = policies.is_adviser_for(user, school)
    context = selectors.school_casework(school, include_drafts=adviser)
    context.update(
        school=school,
        can_record_visit=policies.can_record_visit(user, school),
        can_reassign=policies.can_reassign(user, school),
        can_view_rounds=policies.can_view_rounds(user, school),
        today=timezone.localdate(),
    )
    return render(request, "casework/school.html", context)


def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    school = found(school_selectors.school_detail, pk)
    require(policies.can_reassign(request.user, school))
    form = AssignmentForm(
        request.POST or None, candidates=selectors.caseload_candidates(request.partnership)
    )
    if response := save_form(
        request,
        form,
        lambda data: services.assign_adviser(
            actor=request.user,
            school=school,
            adviser=data["adviser"],
            reason=data["reason"],
            request=request,
        ),
        success=_("The school's challenge adviser was changed."),
        next_url=tenant_reverse(request, "casework:school", pk=school.pk),
    ):
        return response
    return _form_page(request, "casework/reassign.html", {"form": form, "school": school})


# --- Senior CAs' teams -------------------------------------------------------------------


@require_safe
def teams(request: HttpRequest) -> HttpResponse:
    require(policies.can_manage_rounds(request.user, request.partnership))
    return render(request, "casework/teams.html", {"teams": list(selectors.teams())})


def team_create(request: HttpRequest) -> HttpResponse:
    require(policies.can_manage_rounds(request.user, request.partnership))
    return _team_form(request, None)


def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = found(lambda key: selectors.teams().get(pk=key), pk)
    require(policies.can_manage_rounds(request.user, team))
    return _team_form(request, team)


def _team_form(request: HttpRequest, team: AdviserTeam | None) -> HttpResponse:
    initial = {}
    if team is not None:
        initial = {
            "name": team.name,
            "senior_adviser": team.senior_adviser,
            "advisers": list(team.advisers.all()),
        }
    form = TeamForm(
        request.POST or None,
        initial=initial,
        seniors=selectors.senior_advisers(request.partnership),
        candidates=selectors.caseload_candidates(request.partnership),
    )
    if response := save_form(
        request,
        form,
        lambda data: services.save_adviser_team(
            actor=request.user, partnership=request.partnership, team=team, **data
        ),
        success=_("The team was saved."),
        next_url=tenant_reverse(request, "casework:teams"),
    ):
        return response
    return _form_page(request, "casework/team_form.html", {"form": form, "team": team})


# --- Visits --------------------------------------------------------------------------------


def visit_start(request: HttpRequest) -> HttpResponse:
    """Start a visit note: the school, the date and the focus; the rest autosaves."""
    require(policies.can_record_visits(request.user, request.partnership))
    schools, _overview = selectors.caseload_schools(request.user, request.partnership)
    initial = {"visited_on": timezone.localdate()}
    if request.GET.get("school", "").isdigit():
        initial["school"] = int(request.GET["school"])
    form = VisitStartForm(request.POST or None, schools=schools, initial=initial)
    if response := save_form(
        request,
        form,
        lambda data: services.start_visit(
            actor=request.user,
            school=data["school"],
            visited_on=data["visited_on"],
            focus=data["focus"],
            request=request,
        ),
        next_url=lambda visit: tenant_reverse(request, "casework:visit_edit", pk=visit.pk),
    ):
        return response
    return _form_page(request, "casework/visit_start.html", {"form": form})


def _visit(request: HttpRequest, pk: int) -> CaseworkVisit:
    visit = found(selectors.visit_detail, pk)
    require(policies.can_view_visit(request.user, visit))
    return visit


@require_safe
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _visit_page(request, _visit(request, pk))


def _visit_page(
    request: HttpRequest, visit: CaseworkVisit, comment_form: CommentForm | None = None
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    actions = list(visit.actions.all())
    for action in actions:
        action.overdue = action.is_overdue(today)
        action.can_update = policies.can_update_action(user, action)
        action.status_form = ActionStatusForm(
            initial={"status": action.status}, prefix=f"action-{action.pk}"
        )
    return render(
        request,
        "casework/visit_detail.html",
        {
            "visit": visit,
            "actions": actions,
            "comments": list(visit.comments.all()),
            "can_edit": policies.can_edit_visit(user, visit),
            "can_add_action": policies.can_add_action(user, visit),
            "can_comment": policies.can_comment_on_visit(user, visit),
            "comment_form": comment_form or CommentForm(),
            "action_form": ActionForm(),
        },
        status=400 if comment_form is not None and comment_form.errors else 200,
    )


def _visit_form_values(form: VisitForm) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) for name in services.VISIT_FIELDS}


def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft note; works without JavaScript, autosaves with it."""
    visit = _visit(request, pk)
    require(policies.can_edit_visit(request.user, visit))
    initial = {name: getattr(visit, name) for name in services.VISIT_FIELDS}
    form = VisitForm(request.POST or None, initial=initial)
    sharing = "share" in request.POST

    def save(data: dict[str, Any]) -> None:
        # The draft is saved even when sharing it is then refused (no findings yet).
        services.save_visit(
            actor=request.user, visit=visit, request=request, **_visit_form_values(form)
        )
        if sharing:
            services.share_visit(actor=request.user, visit=visit, request=request)

    if response := save_form(
        request,
        form,
        save,
        success=_("The note was shared with the school.") if sharing else _("The draft was saved."),
        next_url=tenant_reverse(
            request, "casework:visit_detail" if sharing else "casework:visit_edit", pk=pk
        ),
    ):
        return response
    return _form_page(
        request,
        "casework/visit_edit.html",
        {
            "form": form,
            "visit": visit,
            "actions": list(visit.actions.all()),
            "action_form": ActionForm(),
        },
    )


def _autosave_reply(request: HttpRequest, error: ValidationError | None) -> HttpResponse:
    if error is not None:
        return render(
            request,
            "casework/_autosave_status.html",
            {"error": " ".join(error.messages)},
            status=200 if request.htmx else 400,
        )
    return render(
        request,
        "casework/_autosave_status.html",
        {"saved_at": time_format(timezone.localtime(), "H:i")},
    )


@require_POST
def visit_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx posts the draft here a few seconds after the adviser stops typing."""
    visit = _visit(request, pk)
    require(policies.can_edit_visit(request.user, visit))
    form = VisitForm(request.POST)
    if not form.is_valid():
        return _autosave_reply(request, ValidationError(_("Not saved: check the dates and boxes.")))
    try:
        services.save_visit(
            actor=request.user, visit=visit, request=request, **_visit_form_values(form)
        )
    except ValidationError as error:
        return _autosave_reply(request, error)
    return _autosave_reply(request, None)


@require_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    require(policies.can_add_action(request.user, visit))
    form = ActionForm(request.POST)
    target = (
        "casework:visit_edit"
        if policies.can_edit_visit(request.user, visit)
        else "casework:visit_detail"
    )
    if response := save_form(
        request,
        form,
        lambda data: services.add_action(actor=request.user, visit=visit, **data),
        success=_("The action was added."),
        next_url=tenant_reverse(request, target, pk=visit.pk),
    ):
        return response
    return render(request, "casework/action_form.html", {"form": form, "visit": visit}, status=400)


@require_POST
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = found(selectors.action_detail, pk)
    require(policies.can_view_visit(request.user, action.visit))
    require(policies.can_update_action(request.user, action))
    form = ActionStatusForm(request.POST, prefix=f"action-{action.pk}")
    if not form.is_valid():
        return render(
            request, "400.html", {"reason": _("Choose the action's progress.")}, status=400
        )
    services.update_action(actor=request.user, action=action, status=form.cleaned_data["status"])
    messages.success(request, _("The action's progress was recorded."))
    return redirect(tenant_reverse(request, "casework:visit_detail", pk=action.visit_id))


@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    require(policies.can_comment_on_visit(request.user, visit))
    form = CommentForm(request.POST)
    if response := save_form(
        request,
        form,
        lambda data: services.add_comment(
            actor=request.user, visit=visit, text=data["text"], request=request
        ),
        success=_("Your comment was added."),
        next_url=tenant_reverse(request, "casework:visit_detail", pk=visit.pk),
    ):
        return response
    return _visit_page(request, visit, comment_form=form)


# --- Categorisation rounds -------------------------------------------------------------------


@require_safe
def rounds(request: HttpRequest) -> HttpResponse:
    require(policies.can_view_rounds(request.user, request.partnership))
    return render(
        request,
        "casework/rounds.html",
        {
            "rounds": list(selectors.rounds()),
            "can_manage": policies.can_manage_rounds(request.user, request.partnership),
        },
    )


def round_create(request: HttpRequest) -> HttpResponse:
    require(policies.can_manage_rounds(request.user, request.partnership))
    return _round_form(request, None)


def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = found(selectors.round_detail, pk)
    require(policies.can_manage_rounds(request.user, round_))
    return _round_form(request, round_)


def _round_form(request: HttpRequest, round_: CategorisationRound | None) -> HttpResponse:
    initial = {}
    if round_ is not None:
        initial = {name: getattr(round_, name) for name in services.ROUND_FIELDS}
        initial["moderators"] = list(round_.moderators.all())
    form = RoundForm(
        request.POST or None,
        initial=initial,
        candidates=selectors.moderation_candidates(request.partnership),
    )
    if response := save_form(
        request,
        form,
        # The form's fields are the round's, and its moderators.
        lambda data: services.save_round(
            actor=request.user, partnership=request.partnership, round_=round_, **data
        ),
        success=_("The round was saved."),
        next_url=lambda new: tenant_reverse(request, "casework:round_detail", pk=new.pk),
    ):
        return response
    return _form_page(request, "casework/round_form.html", {"form": form, "round": round_})


@require_safe
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = found(selectors.round_detail, pk)
    user = request.user
    require(policies.can_view_rounds(user, round_))
    records = [r for r in selectors.round_records(round_) if policies.can_view_record(user, r)]
    for record in records:
        record.full = policies.can_view_full_record(user, record)
    progress = selectors.moderation_progress(round_, School.objects.all())
    if services.publication_overdue(round_):
        # The timetable never completes a round: say so once the publication date passes.
        messages.warning(
            request,
            _("The publication date (%(date)s) has passed, but the round is still in moderation.")
            % {"date": date_format(round_.publish_on, "j M Y")},
        )
    return render(
        request,
        "casework/round_detail.html",
        {
            "round": round_,
            "records": records,
            "progress": progress,
            "can_manage": policies.can_manage_rounds(user, round_),
        },
    )


@require_POST
def round_advance(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = found(selectors.round_detail, pk)
    require(policies.can_manage_rounds(request.user, round_))
    try:
        services.advance_round(actor=request.user, round_=round_, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The round moved on to: %(stage)s.") % {"stage": round_.get_stage_display()},
        )
    return redirect(tenant_reverse(request, "casework:round_detail", pk=round_.pk))


def _record(request: HttpRequest, pk: int) -> SchoolCategorisation:
    record = found(selectors.record_detail, pk)
    require(policies.can_view_record(request.user, record))
    return record


@require_safe
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    user = request.user
    return render(
        request,
        "casework/record_detail.html",
        {
            "record": record,
            "round": record.round,
            "full": policies.can_view_full_record(user, record),
            "judgements": selectors.judgements_by_area(record),
            "can_self_evaluate": policies.can_edit_self_evaluation(user, record),
            "can_propose": policies.can_propose(user, record),
            "can_moderate": policies.can_moderate(user, record),
            "can_respond": policies.can_respond(user, record),
        },
    )


def self_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    require(policies.can_edit_self_evaluation(request.user, record))
    initial: dict[str, Any] = {"summary": record.self_evaluation_summary}
    for judgement in record.judgements.all():
        initial[f"judgement_{judgement.area}"] = judgement.judgement
        initial[f"evidence_{judgement.area}"] = judgement.evidence
    form = SelfEvaluationForm(request.POST or None, initial=initial)
    if response := save_form(
        request,
        form,
        lambda data: services.save_self_evaluation(
            actor=request.user,
            record=record,
            summary=data["summary"],
            judgements=form.judgements(),
            submit="submit" in request.POST,
            request=request,
        ),
        success=_("The self-evaluation was saved."),
        next_url=tenant_reverse(request, "casework:record_detail", pk=record.pk),
    ):
        return response
    return _form_page(request, "casework/self_evaluation.html", {"form": form, "record": record})


def _category_step(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type,
    may: Any,
    can: Any,
    service: Any,
    template: str,
    fields: dict[str, str],
    done: str,
) -> HttpResponse:
    """Proposal and moderation: the form for those who may act now; a POST always goes to
    the service, which refuses (and records) the attempt of anyone else."""
    record = found(selectors.record_detail, pk)
    if request.method != "POST":
        require(policies.can_view_record(request.user, record) and can(request.user, record))
    initial = {"category": record.final_category or record.proposed_category}
    if form_class is ProposalForm:
        initial.update(
            rationale=record.proposal_rationale,
            standards_group=record.standards_group,
            improvement_capacity=record.improvement_capacity,
        )
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and not form.is_valid():
        # Bad input from someone who may not act here is a 403, not a form to correct.
        require(may(request.user, record))
    if response := save_form(
        request,
        form,
        lambda data: service(
            actor=request.user,
            record=record,
            request=request,
            **{arg: data[name] for name, arg in fields.items()},
        ),
        success=done,
        next_url=tenant_reverse(request, "casework:record_detail", pk=record.pk),
    ):
        return response
    return _form_page(
        request,
        template,
        {"form": form, "record": record, "categories": SupportCategory.choices},
    )


def propose(request: HttpRequest, pk: int) -> HttpResponse:
    return _category_step(
        request,
        pk,
        form_class=ProposalForm,
        may=policies.may_propose,
        can=policies.can_propose,
        service=services.propose_category,
        template="casework/proposal_form.html",
        fields={
            "category": "category",
            "rationale": "rationale",
            "standards_group": "standards_group",
            "improvement_capacity": "improvement_capacity",
        },
        done=_("The proposed category was recorded."),
    )


def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    return _category_step(
        request,
        pk,
        form_class=ModerationForm,
        may=policies.may_moderate,
        can=policies.can_moderate,
        service=services.moderate_category,
        template="casework/moderation_form.html",
        fields={"category": "category", "reason": "reason", "dissent": "dissent"},
        done=_("The moderated category was recorded and is now the school's category."),
    )


def respond(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(request, pk)
    require(policies.can_respond(request.user, record))
    initial = {}
    if record.school_agrees is not None:
        initial = {
            "agrees": "yes" if record.school_agrees else "no",
            "response": record.school_response,
        }
    form = ResponseForm(request.POST or None, initial=initial)
    if response := save_form(
        request,
        form,
        lambda data: services.respond_to_category(
            actor=request.user,
            record=record,
            agrees=data["agrees"],
            response=data["response"],
            request=request,
        ),
        success=_("The school's response was recorded."),
        next_url=tenant_reverse(request, "casework:record_detail", pk=record.pk),
    ):
        return response
    return _form_page(request, "casework/response_form.html", {"form": form, "record": record})
