"""Peer-review pages: cycles, frameworks, reviewers, teams, visits, evidence, findings.

Thin views: find the object through `selectors` (another partnership's row, or a cycle
the partnership has not agreed to join, is a 404), check `policies` (403), call a
service, render. A service's ValidationError is shown on the form; nothing is written.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from partnership.models import Role
from partnership.pdf import pdf_response
from partnership.policies import school_ids_with_role
from partnership.shortcuts import found, require
from partnership.tenancy import tenant_reverse

from . import policies, selectors, services
from .forms import (
    AddSchoolsForm,
    CycleForm,
    EvidenceForm,
    FindingsForm,
    FrameworkAreaForm,
    FrameworkForm,
    InvitationResponseForm,
    InvitePartnershipForm,
    ModerationForm,
    ModerationOutcomeForm,
    NewVersionForm,
    ResponseForm,
    ReviewerProfileForm,
    ShareForm,
    TeamForm,
    VisitForm,
)
from .models import (
    Cycle,
    CycleParticipation,
    FindingsShare,
    Framework,
    FrameworkArea,
    FrameworkVersion,
    Review,
    ReviewerProfile,
    Visit,
)
from .rules import check_plan


def _cycle(request: HttpRequest, pk: int) -> Cycle:
    return found(selectors.cycle_for, request.partnership, pk)


def _review(request: HttpRequest, pk: int) -> Review:
    return found(selectors.review_for, request.partnership, pk)


def _back_to_review(request: HttpRequest, review: Review) -> HttpResponse:
    return redirect(tenant_reverse(request, "peerreview:review_detail", pk=review.pk))


# --- Overview ----------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """Peer review for this person: cycles, invitations, their reviews, shared findings."""
    user, partnership = request.user, request.partnership
    head_schools = school_ids_with_role(user, partnership, Role.HEADTEACHER)
    can_view_cycles = policies.can_view_cycles(user, partnership)
    can_create = policies.can_create_cycle(user, partnership)
    context: dict[str, Any] = {
        "can_view_cycles": can_view_cycles,
        "can_create": can_create,
        "can_manage_reviewers": policies.can_manage_reviewers(user, partnership),
        "can_view_frameworks": policies.can_view_frameworks(user, partnership),
        "cycles": list(selectors.visible_cycles(partnership)) if can_view_cycles else [],
        "invitations": list(selectors.invitations_for(partnership)) if can_create else [],
        "team_reviews": list(selectors.reviews_on_team(partnership, user)),
        "school_reviews": (
            list(selectors.reviews_of_schools(partnership, head_schools)) if head_schools else []
        ),
        "shared_reviews": list(selectors.reviews_shared_with(partnership, user)),
    }
    return render(request, "peerreview/home.html", context)


# --- Cycles ------------------------------------------------------------------------------


def cycle_create(request: HttpRequest) -> HttpResponse:
    require(policies.can_create_cycle(request.user, request.partnership))
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.create_cycle(
                actor=request.user, partnership=request.partnership, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The cycle was created."))
            return redirect(tenant_reverse(request, "peerreview:cycle_detail", pk=cycle.pk))
    return render(request, "peerreview/cycle_form.html", {"form": form, "cycle": None})


def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        cycle = selectors.cycle_overview(request.partnership, pk)
    except Cycle.DoesNotExist:
        raise Http404 from None
    user, partnership = request.user, request.partnership
    require(policies.can_view_cycles(user, partnership))
    is_organiser = policies.can_organise_cycle(user, cycle)
    participations = list(cycle.participations.all())
    own = next((p for p in participations if p.partnership_id == partnership.pk), None)
    reviews = list(cycle.reviews.all())
    groups = [(g, [r for r in reviews if r.group_id == g.pk]) for g in cycle.groups.all()]
    ungrouped = [r for r in reviews if r.group_id is None]
    violations = []
    if is_organiser:
        plan = selectors.cycle_plan(cycle)
        violations = check_plan(
            plan.placements, schools=plan.schools, reviewers=plan.reviewers, rules=plan.rules
        )
    return render(
        request,
        "peerreview/cycle_detail.html",
        {
            "cycle": cycle,
            "is_host": cycle.partnership_id == partnership.pk,
            "is_organiser": is_organiser,
            "participations": participations,
            "can_add_schools": own is not None
            and own.status == CycleParticipation.Status.AGREED
            and policies.can_add_schools(user, own),
            "groups": groups,
            "ungrouped": ungrouped,
            "review_count": len(reviews),
            "areas": list(cycle.framework_version.areas.all()),
            "violations": violations,
        },
    )


def cycle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    require(policies.can_organise_cycle(request.user, cycle))
    if cycle.partnership_id != request.partnership.pk:
        # Settings refer to the host's own frameworks and cycles: edit them there.
        raise Http404
    form = CycleForm(request.POST or None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_cycle(actor=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The cycle's settings were saved."))
            return redirect(tenant_reverse(request, "peerreview:cycle_detail", pk=cycle.pk))
    return render(request, "peerreview/cycle_form.html", {"form": form, "cycle": cycle})


def cycle_invite(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    require(policies.can_organise_cycle(request.user, cycle))
    form = InvitePartnershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participation = services.invite_partnership(
                actor=request.user, cycle=cycle, slug=form.cleaned_data["slug"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("%(partnership)s was invited to join the cycle.")
                % {"partnership": participation.partnership.name},
            )
            return redirect(tenant_reverse(request, "peerreview:cycle_detail", pk=cycle.pk))
    return render(request, "peerreview/cycle_invite.html", {"form": form, "cycle": cycle})


def participation_respond(request: HttpRequest, pk: int) -> HttpResponse:
    """The invited partnership agrees to join a joint cycle, or declines."""
    try:
        participation = selectors.invitations_for(request.partnership).get(pk=pk)
    except CycleParticipation.DoesNotExist:
        raise Http404 from None
    require(policies.can_respond_to_invitation(request.user, participation))
    form = InvitationResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agree = form.cleaned_data["answer"] == "agree"
        try:
            services.respond_to_invitation(
                actor=request.user, participation=participation, agree=agree
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if agree:
                messages.success(request, _("Your partnership has joined the cycle."))
                return redirect(
                    tenant_reverse(request, "peerreview:cycle_detail", pk=participation.cycle_id)
                )
            messages.success(request, _("You declined the invitation."))
            return redirect(tenant_reverse(request, "peerreview:home"))
    return render(
        request,
        "peerreview/participation_respond.html",
        {"form": form, "participation": participation, "cycle": participation.cycle},
    )


def cycle_schools(request: HttpRequest, pk: int) -> HttpResponse:
    """A taking-part partnership puts some of its own schools into the cycle."""
    cycle = _cycle(request, pk)
    own = selectors.participation_for(request.partnership, cycle)
    require(own is not None and policies.can_add_schools(request.user, own))
    form = AddSchoolsForm(request.POST or None, exclude_ids=selectors.school_ids_in(cycle))
    if request.method == "POST" and form.is_valid():
        try:
            added = services.add_schools(
                actor=request.user,
                cycle=cycle,
                partnership=request.partnership,
                schools=form.cleaned_data["schools"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("%(count)s schools were added to the cycle.") % {"count": len(added)},
            )
            return redirect(tenant_reverse(request, "peerreview:cycle_detail", pk=cycle.pk))
    return render(request, "peerreview/cycle_schools.html", {"form": form, "cycle": cycle})


def cycle_grouping(request: HttpRequest, pk: int) -> HttpResponse:
    """The automatic grouping proposal; the organiser applies it, then adjusts teams."""
    cycle = _cycle(request, pk)
    require(policies.can_organise_cycle(request.user, cycle))
    error = None
    if request.method == "POST":
        try:
            count = services.apply_proposal(actor=request.user, cycle=cycle)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(
                request, _("The proposal was applied: %(count)s teams.") % {"count": count}
            )
            return redirect(tenant_reverse(request, "peerreview:cycle_detail", pk=cycle.pk))
    proposal, plan = selectors.cycle_proposal(cycle)

    def team_rows(school_id: int) -> list[tuple[str, str, bool]]:
        rows = []
        for uid in proposal.teams.get(school_id, []):
            facts = plan.reviewers[uid]
            home = plan.schools.get(facts.home_school_id) if facts.home_school_id else None
            rows.append(
                (facts.name, home.name if home else "", uid == proposal.leads.get(school_id))
            )
        return rows

    groups = [[(plan.schools[sid], team_rows(sid)) for sid in ids] for ids in proposal.groups]
    grouped = {sid for ids in proposal.groups for sid in ids}
    singles = [
        (plan.schools[sid], team_rows(sid))
        for sid in plan.reviewed_school_ids
        if sid not in grouped
    ]
    return render(
        request,
        "peerreview/cycle_grouping.html",
        {
            "cycle": cycle,
            "groups": groups,
            "singles": singles,
            "problems": proposal.problems,
            "advisories": proposal.advisories,
            "errors": error.messages if error else [],
        },
        status=400 if error else 200,
    )


# --- Reviews and teams -------------------------------------------------------------------


def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    user = request.user
    require(policies.can_view_review(user, review))
    findings = getattr(review, "findings", None)
    return render(
        request,
        "peerreview/review_detail.html",
        {
            "review": review,
            "cycle": review.cycle,
            "team": selectors.team_of(review),
            "visits": list(review.visits.all()),
            "findings": findings,
            "school_response": getattr(review, "response", None),
            "can_edit_team": policies.can_edit_team(user, review),
            "can_remove": policies.can_remove_review(user, review)
            and not selectors.team_of(review),
            "can_schedule": policies.can_schedule_visit(user, review),
            "can_calendar": policies.can_view_calendar(user, review),
            "can_evidence": policies.can_record_evidence(user, review),
            "can_view_findings": policies.can_view_findings(user, review),
            "can_write_findings": policies.can_write_findings(user, review),
            "can_respond": policies.can_respond(user, review),
            "can_share": policies.can_share_findings(user, review),
            "can_view_moderation": policies.can_view_moderation(user, review),
        },
    )


def review_team(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    require(policies.can_edit_team(request.user, review))
    pool = list(selectors.reviewer_pool(review.cycle))
    groups = list(selectors.groups_of(review.cycle))
    team = selectors.team_of(review)
    initial = {
        "reviewers": [str(m.reviewer_id) for m in team],
        "lead": next((str(m.reviewer_id) for m in team if m.is_lead), ""),
        "group": str(review.group_id or ""),
    }
    form = TeamForm(request.POST or None, initial=initial, pool=pool, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_team(actor=request.user, review=review, **form.team())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The team was saved."))
            return _back_to_review(request, review)
    return render(
        request,
        "peerreview/review_team.html",
        {"form": form, "review": review, "cycle": review.cycle},
        status=400 if form.errors else 200,
    )


def review_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a school out of the cycle (only before it has a team, visits or findings)."""
    review = _review(request, pk)
    require(policies.can_remove_review(request.user, review))
    error = None
    if request.method == "POST":
        try:
            services.remove_review(actor=request.user, review=review)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("%(school)s was taken out of the cycle.") % {"school": review.school.name},
            )
            return redirect(tenant_reverse(request, "peerreview:cycle_detail", pk=review.cycle_id))
    return render(
        request,
        "peerreview/review_remove.html",
        {"review": review, "cycle": review.cycle, "error": error},
        status=400 if error else 200,
    )


# --- Visits ------------------------------------------------------------------------------


def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    require(policies.can_schedule_visit(request.user, review))
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_visit(actor=request.user, review=review, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, _("The visit was scheduled and invitations were sent to the team.")
            )
            return _back_to_review(request, review)
    return render(
        request,
        "peerreview/visit_form.html",
        {"form": form, "review": review, "cycle": review.cycle, "visit": None},
        status=400 if form.errors else 200,
    )


def _visit(request: HttpRequest, pk: int) -> tuple[Visit, Review]:
    visit = found(selectors.visit_for, request.partnership, pk)
    return visit, _review(request, visit.review_id)


def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit, review = _visit(request, pk)
    require(policies.can_schedule_visit(request.user, review))
    form = VisitForm(
        request.POST or None,
        initial={
            "date": visit.date,
            "starts_at": visit.starts_at,
            "ends_at": visit.ends_at,
            "location": visit.location,
            "agenda": visit.agenda,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_visit(actor=request.user, visit=visit, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The visit was changed and everyone was sent an update."))
            return _back_to_review(request, review)
    return render(
        request,
        "peerreview/visit_form.html",
        {"form": form, "review": review, "cycle": review.cycle, "visit": visit},
        status=400 if form.errors else 200,
    )


@require_safe
def visit_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The visit as an .ics file to add to a calendar."""
    visit, review = _visit(request, pk)
    require(policies.can_view_calendar(request.user, review))
    visit.review = review
    response = HttpResponse(
        services.visit_calendar(visit), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="peer-review-visit-{visit.date:%Y-%m-%d}.ics"'
    )
    return response


# --- Evidence ----------------------------------------------------------------------------


def _submitted(review: Review) -> bool:
    findings = getattr(review, "findings", None)
    return findings is not None and findings.is_submitted


def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer's evidence, one box per area; works without JavaScript, autosaves with it."""
    review = _review(request, pk)
    require(policies.can_record_evidence(request.user, review))
    areas = selectors.areas_of(review)
    notes = selectors.evidence_for(review)
    mine = {n.area_id: n.text for n in notes if n.author_id == request.user.pk}
    form = EvidenceForm(
        request.POST or None,
        areas=areas,
        initial={f"area_{area_id}": text for area_id, text in mine.items()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_evidence(actor=request.user, review=review, texts=form.texts())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your evidence was saved."))
            return redirect(tenant_reverse(request, "peerreview:evidence", pk=review.pk))
    others = [n for n in notes if n.author_id != request.user.pk and n.text]
    return render(
        request,
        "peerreview/evidence.html",
        {
            "form": form,
            "review": review,
            "cycle": review.cycle,
            "others": others,
            "submitted": _submitted(review),
        },
        status=400 if form.errors else 200,
    )


def _autosave_reply(request: HttpRequest, error: ValidationError | None) -> HttpResponse:
    if error is not None:
        text = " ".join(error.messages)
        return render(
            request,
            "peerreview/_autosave_status.html",
            {"error": text},
            status=200 if request.htmx else 400,
        )
    return render(
        request,
        "peerreview/_autosave_status.html",
        {"saved_at": time_format(timezone.localtime(), "H:i")},
    )


@require_POST
def evidence_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx posts the evidence form here every few seconds while the reviewer types."""
    review = _review(request, pk)
    require(policies.can_record_evidence(request.user, review))
    form = EvidenceForm(request.POST, areas=selectors.areas_of(review))
    if not form.is_valid():
        return _autosave_reply(request, ValidationError(_("Not saved: a box is too long.")))
    try:
        services.save_evidence(actor=request.user, review=review, texts=form.texts())
    except ValidationError as error:
        return _autosave_reply(request, error)
    return _autosave_reply(request, None)


# --- Findings ----------------------------------------------------------------------------


def findings(request: HttpRequest, pk: int) -> HttpResponse:
    """The findings, for those allowed to read them; every read is logged."""
    review = _review(request, pk)
    basis = policies.findings_access_basis(request.user, review)
    require(basis is not None)
    found = selectors.findings_for(review)
    on_team = policies.is_on_team(request.user, review)
    if found is not None and not found.is_submitted and not on_team:
        found = None  # a draft is the team's until the lead submits it
    if found is not None:
        services.record_findings_access(user=request.user, review=review, basis=basis)
    areas = selectors.areas_of(review)
    by_area = {a.area_id: a for a in found.areas.all()} if found else {}
    return render(
        request,
        "peerreview/findings.html",
        {
            "review": review,
            "cycle": review.cycle,
            "findings": found,
            "rows": [(area, by_area.get(area.pk)) for area in areas],
            "school_response": getattr(review, "response", None),
            "can_write": on_team,
            "is_lead": policies.is_lead_reviewer(request.user, review),
            "can_respond": policies.can_respond(request.user, review),
            "can_share": policies.can_share_findings(request.user, review),
            "basis": basis,
        },
    )


def _findings_form(request: HttpRequest, review: Review, data: Any = None) -> FindingsForm:
    areas = selectors.areas_of(review)
    found = selectors.findings_for(review)
    initial: dict[str, Any] = {}
    if found:
        initial["summary"] = found.summary
        for row in found.areas.all():
            initial[f"went_well_{row.area_id}"] = row.went_well
            initial[f"even_better_if_{row.area_id}"] = row.even_better_if
            initial[f"judgement_{row.area_id}"] = row.judgement
    return FindingsForm(data, areas=areas, initial=initial)


def findings_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    require(policies.can_write_findings(request.user, review))
    form = _findings_form(request, review, request.POST or None)
    if request.method == "GET" and _submitted(review):
        messages.error(request, _("The findings have been submitted and can no longer be changed."))
        return redirect(tenant_reverse(request, "peerreview:findings", pk=review.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_findings(
                actor=request.user,
                review=review,
                summary=form.cleaned_data["summary"],
                areas=form.values(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The draft findings were saved."))
            return redirect(tenant_reverse(request, "peerreview:findings_edit", pk=review.pk))
    return render(
        request,
        "peerreview/findings_form.html",
        {
            "form": form,
            "review": review,
            "cycle": review.cycle,
            "is_lead": policies.is_lead_reviewer(request.user, review),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def findings_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    require(policies.can_write_findings(request.user, review))
    form = FindingsForm(request.POST, areas=selectors.areas_of(review))
    if not form.is_valid():
        return _autosave_reply(request, ValidationError(_("Not saved: check the boxes.")))
    try:
        services.save_findings(
            actor=request.user,
            review=review,
            summary=form.cleaned_data["summary"],
            areas=form.values(),
        )
    except ValidationError as error:
        return _autosave_reply(request, error)
    return _autosave_reply(request, None)


def findings_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Check, then submit (lead reviewer only). After this nobody can change them."""
    review = _review(request, pk)
    require(policies.is_on_team(request.user, review))
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.submit_findings(actor=request.user, review=review)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request, _("The findings were submitted. The headteacher has been told.")
            )
            return redirect(tenant_reverse(request, "peerreview:findings", pk=review.pk))
    lead = next((m for m in selectors.team_of(review) if m.is_lead), None)
    return render(
        request,
        "peerreview/findings_submit.html",
        {"review": review, "cycle": review.cycle, "errors": errors, "lead": lead},
        status=400 if errors else 200,
    )


# --- The school's response and sharing ---------------------------------------------------


def response(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    require(policies.can_respond(request.user, review))
    current = getattr(review, "response", None)
    initial = (
        {
            "response": current.response,
            "action_plan": current.action_plan,
            "follow_up_on": current.follow_up_on,
        }
        if current
        else {}
    )
    form = ResponseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_response(actor=request.user, review=review, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The school's response was saved."))
            return redirect(tenant_reverse(request, "peerreview:findings", pk=review.pk))
    return render(
        request,
        "peerreview/response_form.html",
        {"form": form, "review": review, "cycle": review.cycle, "submitted": _submitted(review)},
        status=400 if form.errors else 200,
    )


def sharing(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    require(policies.can_share_findings(request.user, review))
    form = ShareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_findings(
                actor=request.user, review=review, audience=form.cleaned_data["audience"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The findings were shared."))
            return redirect(tenant_reverse(request, "peerreview:sharing", pk=review.pk))
    return render(
        request,
        "peerreview/sharing.html",
        {
            "form": form,
            "review": review,
            "cycle": review.cycle,
            "shares": list(selectors.shares_of(review)),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        share = selectors.share_for(request.partnership, pk)
    except FindingsShare.DoesNotExist:
        raise Http404 from None
    review = _review(request, share.review_id)
    require(policies.can_share_findings(request.user, review))
    services.revoke_share(actor=request.user, share=share)
    messages.success(
        request,
        _("The findings are no longer shared with %(audience)s.")
        % {"audience": share.get_audience_display().lower()},
    )
    return redirect(tenant_reverse(request, "peerreview:sharing", pk=review.pk))


def access_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Who read the findings and when, and every change made to them (headteacher only)."""
    review = _review(request, pk)
    require(policies.can_view_access_log(request.user, review))
    return render(
        request,
        "peerreview/access_log.html",
        {
            "review": review,
            "cycle": review.cycle,
            "entries": list(selectors.access_log_for(review)[:500]),
            "changes": selectors.findings_history(review)[:200],
        },
    )


# --- Reviewers ---------------------------------------------------------------------------


def reviewers(request: HttpRequest) -> HttpResponse:
    require(policies.can_manage_reviewers(request.user, request.partnership))
    return render(
        request,
        "peerreview/reviewers.html",
        {"profiles": list(selectors.reviewer_profiles()), "today": timezone.localdate()},
    )


def reviewer_create(request: HttpRequest) -> HttpResponse:
    require(policies.can_manage_reviewers(request.user, request.partnership))
    return _reviewer_form(request, None)


def reviewer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        profile = selectors.reviewer_profiles().get(pk=pk)
    except ReviewerProfile.DoesNotExist:
        raise Http404 from None
    require(policies.can_manage_reviewers(request.user, request.partnership))
    return _reviewer_form(request, profile)


def _reviewer_form(request: HttpRequest, profile: ReviewerProfile | None) -> HttpResponse:
    initial = (
        {
            "user": profile.user,
            "school": profile.school,
            "trained_on": profile.trained_on,
            "is_active": profile.is_active,
        }
        if profile
        else {"is_active": True}
    )
    form = ReviewerProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_reviewer_profile(
                actor=request.user,
                partnership=request.partnership,
                profile=profile,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The reviewer was saved."))
            return redirect(tenant_reverse(request, "peerreview:reviewers"))
    return render(request, "peerreview/reviewer_form.html", {"form": form, "profile": profile})


# --- Frameworks --------------------------------------------------------------------------


def frameworks(request: HttpRequest) -> HttpResponse:
    require(policies.can_view_frameworks(request.user, request.partnership))
    return render(
        request,
        "peerreview/frameworks.html",
        {
            "frameworks": list(selectors.frameworks()),
            "can_manage": policies.can_manage_frameworks(request.user, request.partnership),
        },
    )


def framework_create(request: HttpRequest) -> HttpResponse:
    require(policies.can_manage_frameworks(request.user, request.partnership))
    form = FrameworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            framework = services.create_framework(
                actor=request.user, partnership=request.partnership, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The framework was created as a draft."))
            return redirect(tenant_reverse(request, "peerreview:framework_detail", pk=framework.pk))
    return render(request, "peerreview/framework_form.html", {"form": form})


def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        framework = selectors.framework_detail(pk)
    except Framework.DoesNotExist:
        raise Http404 from None
    require(policies.can_view_frameworks(request.user, request.partnership))
    versions = list(framework.versions.all())
    return render(
        request,
        "peerreview/framework_detail.html",
        {
            "framework": framework,
            "versions": versions,
            "has_draft": any(not v.is_published for v in versions),
            "can_manage": policies.can_manage_frameworks(request.user, request.partnership),
            "form": NewVersionForm(),
        },
    )


@require_POST
def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        framework = selectors.framework_detail(pk)
    except Framework.DoesNotExist:
        raise Http404 from None
    require(policies.can_manage_frameworks(request.user, request.partnership))
    form = NewVersionForm(request.POST)
    notes = form.cleaned_data["notes"] if form.is_valid() else ""
    try:
        version = services.start_new_version(actor=request.user, framework=framework, notes=notes)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(tenant_reverse(request, "peerreview:framework_detail", pk=framework.pk))
    messages.success(
        request, _("Version %(number)s was started as a draft.") % {"number": version.number}
    )
    return redirect(tenant_reverse(request, "peerreview:version_detail", pk=version.pk))


def _version(pk: int) -> FrameworkVersion:
    return found(selectors.version_detail, pk)


def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    require(policies.can_view_frameworks(request.user, request.partnership))
    return render(
        request,
        "peerreview/version_detail.html",
        {
            "version": version,
            "framework": version.framework,
            "areas": list(version.areas.all()),
            "can_manage": policies.can_manage_frameworks(request.user, request.partnership),
        },
    )


@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    require(policies.can_manage_frameworks(request.user, request.partnership))
    try:
        services.publish_version(actor=request.user, version=version)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The version was published. It can no longer change."))
    return redirect(tenant_reverse(request, "peerreview:version_detail", pk=version.pk))


def area_create(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    require(policies.can_manage_frameworks(request.user, request.partnership))
    return _area_form(request, version, None)


def area_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        area = FrameworkArea.objects.select_related("version__framework").get(pk=pk)
    except FrameworkArea.DoesNotExist:
        raise Http404 from None
    require(policies.can_manage_frameworks(request.user, request.partnership))
    return _area_form(request, area.version, area)


def _area_form(
    request: HttpRequest, version: FrameworkVersion, area: FrameworkArea | None
) -> HttpResponse:
    initial = (
        {
            "name": area.name,
            "name_cy": area.name_cy,
            "prompts": area.prompts,
            "evidence_sources": area.evidence_sources,
            "partnership_area": area.area,
            "position": area.position,
        }
        if area
        else {}
    )
    form = FrameworkAreaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_framework_area(
                actor=request.user, version=version, area=area, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The review area was saved."))
            return redirect(tenant_reverse(request, "peerreview:version_detail", pk=version.pk))
    return render(
        request,
        "peerreview/area_form.html",
        {"form": form, "version": version, "area": area},
        status=400 if form.errors else 200,
    )


# --- Moderation of the school's support category -----------------------------------------


def moderation(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead reviewer confirms or challenges the school's claimed support category; the
    school's challenge adviser then records the moderated category in its history."""
    review = _review(request, pk)
    user = request.user
    require(policies.can_view_moderation(user, review))
    row = selectors.moderation_for(review)
    can_moderate = policies.can_moderate_category(user, review) and not (row and row.has_outcome)
    can_outcome = (
        policies.can_record_moderation_outcome(user, review)
        and row is not None
        and not row.has_outcome
    )
    posted = request.POST.get("step") if request.method == "POST" else None
    initial = (
        {
            "verdict": row.verdict,
            "suggested_category": row.suggested_category,
            "rationale": row.rationale,
        }
        if row
        else {}
    )
    verdict_form = ModerationForm(request.POST if posted == "verdict" else None, initial=initial)
    outcome_form = ModerationOutcomeForm(
        request.POST if posted == "outcome" else None,
        initial={"category": (row.suggested_category or row.claimed_category) if row else ""},
    )
    if posted == "verdict":
        require(can_moderate)
        if verdict_form.is_valid():
            try:
                services.record_moderation(actor=user, review=review, **verdict_form.cleaned_data)
            except ValidationError as error:
                verdict_form.add_service_errors(error)
            else:
                messages.success(request, _("The review's view of the category was saved."))
                return redirect(tenant_reverse(request, "peerreview:moderation", pk=review.pk))
    elif posted == "outcome":
        require(can_outcome)
        if outcome_form.is_valid():
            try:
                services.record_moderation_outcome(
                    actor=user, moderation=row, **outcome_form.cleaned_data
                )
            except ValidationError as error:
                outcome_form.add_service_errors(error)
            else:
                messages.success(
                    request, _("The moderated category was recorded in the school's history.")
                )
                return redirect(tenant_reverse(request, "peerreview:moderation", pk=review.pk))
    elif posted is not None:
        return HttpResponse(_("Unknown step."), status=400)
    has_errors = verdict_form.errors or outcome_form.errors
    return render(
        request,
        "peerreview/moderation.html",
        {
            "review": review,
            "cycle": review.cycle,
            "moderation": row,
            "verdict_form": verdict_form,
            "outcome_form": outcome_form,
            "can_moderate": can_moderate,
            "can_outcome": can_outcome,
        },
        status=400 if has_errors else 200,
    )


# --- Cycle overview for organisers -------------------------------------------------------


def _organised_cycle(request: HttpRequest, pk: int) -> Cycle:
    cycle = _cycle(request, pk)
    require(policies.can_organise_cycle(request.user, cycle))
    return cycle


def cycle_status_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Organisers: every review's stage and overdue steps, and themes across findings."""
    cycle = _organised_cycle(request, pk)
    rows = selectors.cycle_status(cycle)
    return render(
        request,
        "peerreview/cycle_status.html",
        {
            "cycle": cycle,
            "rows": rows,
            "overdue": sum(1 for r in rows if r.overdue),
            "themes": selectors.cycle_themes(cycle),
        },
    )


def cycle_status_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The overview as CSV. Schools whose findings are not shared are not named."""
    cycle = _organised_cycle(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="peer-review-cycle-{cycle.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("School"), _("Stage"), _("Overdue"), _("Visits"), _("Findings submitted")])
    for row in selectors.cycle_overview_export(cycle):
        writer.writerow(
            [
                row.school,
                row.stage,
                "; ".join(row.overdue),
                "; ".join(day.isoformat() for day in row.visits),
                row.findings_submitted_on.isoformat() if row.findings_submitted_on else "",
            ]
        )
    writer.writerow([])
    writer.writerow([_("Review area"), _("Even better if"), _("What went well")])
    for theme in selectors.cycle_themes(cycle):
        writer.writerow([theme.area.display_name, theme.even_better_if, theme.went_well])
    return response


def cycle_status_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The overview as PDF, with the same anonymity as the CSV."""
    cycle = _organised_cycle(request, pk)
    return pdf_response(
        "peerreview/cycle_status_pdf.html",
        {
            "partnership": request.partnership,
            "cycle": cycle,
            "rows": selectors.cycle_overview_export(cycle),
            "themes": selectors.cycle_themes(cycle),
            "generated_on": timezone.localdate(),
        },
        f"peer-review-cycle-{cycle.pk}",
    )
