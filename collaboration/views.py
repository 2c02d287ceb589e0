"""Group project and resource library pages. Thin: policy, then service or selector, then
render. An object of another partnership is never found (404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partnership.models import Role
from partnership.policies import school_ids_with_role
from partnership.shortcuts import found, render_form_page, require, stored_file_response
from partnership.tenancy import tenant_reverse
from schools.models import School, SchoolImprovementGroup

from . import policies, selectors, services
from .forms import (
    EvaluationForm,
    FollowForm,
    FundingForm,
    LibraryFilterForm,
    MilestoneForm,
    ProjectBudgetLineForm,
    ProjectFilterForm,
    ProjectForm,
    ResourceDetailsForm,
    ResourceForm,
    SpendForm,
    VersionForm,
)
from .models import ResourceLanguage

PAGE_SIZE = 20
SCHOOLS_PAGE_SIZE = 50


def _form_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render_form_page(request, "collaboration/form.html", context)


def _own_school_ids(request: HttpRequest) -> set[int]:
    return school_ids_with_role(request.user, request.partnership, Role.HEADTEACHER)


# --- Projects ---------------------------------------------------------------------------------


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    require(policies.can_view_projects(request.user, request.partnership))
    form = ProjectFilterForm(request.GET or None)
    projects = selectors.project_list(form.filters() if form.is_bound else None)
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "collaboration/project_list.html",
        {
            "form": form,
            "page": page,
            "can_create": policies.can_create_project(request.user, request.partnership),
            "can_view_allocations": policies.can_view_allocations(
                request.user, request.partnership
            ),
        },
    )


def _groups_and_leads(request: HttpRequest) -> tuple[list[Any], Any]:
    clusters, sigs = selectors.groups_for_choice()
    if policies.can_manage_any_group(request.user, request.partnership):
        return [*clusters, *sigs], School.objects.order_by("name")
    own = _own_school_ids(request)
    own_schools = School.objects.filter(pk__in=own).order_by("name")
    own_clusters = set(own_schools.values_list("cluster_id", flat=True))
    own_sigs = set(
        SchoolImprovementGroup.schools.through.objects.filter(school_id__in=own).values_list(
            "schoolimprovementgroup_id", flat=True
        )
    )
    groups = [c for c in clusters if c.pk in own_clusters]
    groups += [s for s in sigs if s.pk in own_sigs or s.parent_id in own_sigs]
    return groups, own_schools


def project_create(request: HttpRequest) -> HttpResponse:
    require(policies.can_create_project(request.user, request.partnership))
    groups, leads = _groups_and_leads(request)
    can_allocate = policies.can_allocate_funding(request.user, request.partnership)
    form = ProjectForm(
        request.POST or None, groups=groups, lead_schools=leads, can_allocate=can_allocate
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        require(policies.can_lead_for(request.user, data["lead_school"]))
        try:
            project = services.create_project(
                actor=request.user, partnership=request.partnership, request=request, **data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The project was created."))
            return redirect(tenant_reverse(request, "collaboration:project", pk=project.pk))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Start a group project"),
            "intro": _(
                "A cluster or school improvement group (or a smaller group within one) records "
                "what it will do together, for which need, and with what enabling funding. "
                "Add budget lines and milestones next."
            ),
            "back_url": tenant_reverse(request, "collaboration:projects"),
            "submit": _("Create project"),
        },
    )


@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = found(selectors.project_detail, pk)
    user = request.user
    require(policies.can_view_project(user, project))
    can_run = policies.can_run_project(user, project)
    return render(
        request,
        "collaboration/project_detail.html",
        {
            "project": project,
            "evaluation": getattr(project, "evaluation", None),
            "show_funding": policies.can_view_project_funding(user, project),
            "can_run": can_run,
            "can_allocate": policies.can_allocate_funding(user, project),
            "who_else": selectors.who_else_is_working_on(project),
            "can_add_resource": policies.can_add_resource(user, project),
            "funding_left": project.funding_allocated - project.funding_planned,
        },
    )


def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = found(selectors.project_for_update, pk)
    require(policies.can_edit_project(request.user, project))
    _groups, leads = _groups_and_leads(request)
    if not leads.filter(pk=project.lead_school_id).exists():
        leads = School.objects.filter(pk=project.lead_school_id) | leads
    form = ProjectForm(request.POST or None, groups=[], lead_schools=leads, project=project)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data["lead_school"].pk != project.lead_school_id:
            require(policies.can_lead_for(request.user, data["lead_school"]))
        try:
            services.update_project(actor=request.user, project=project, request=request, **data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The project was saved."))
            return redirect(tenant_reverse(request, "collaboration:project", pk=project.pk))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Edit the project"),
            "caption": project.title,
            "back_url": tenant_reverse(request, "collaboration:project", pk=project.pk),
        },
    )


def project_funding(request: HttpRequest, pk: int) -> HttpResponse:
    project = found(selectors.project_for_update, pk)
    require(policies.can_allocate_funding(request.user, project))
    form = FundingForm(
        request.POST or None, initial={"funding_allocated": project.funding_allocated}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_project_funding(
                actor=request.user,
                project=project,
                amount=form.cleaned_data["funding_allocated"],
                request=request,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The enabling funding was allocated."))
            return redirect(tenant_reverse(request, "collaboration:project", pk=project.pk))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Allocate enabling funding"),
            "caption": project.title,
            "back_url": tenant_reverse(request, "collaboration:project", pk=project.pk),
        },
    )


def _budget_form_page(request: HttpRequest, project: Any, line: Any) -> HttpResponse:
    initial = None
    if line is not None:
        initial = {
            "category": line.category,
            "description": line.description,
            "allocated": line.allocated,
        }
    form = ProjectBudgetLineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_budget_line(
                actor=request.user, project=project, line=line, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The budget line was saved."))
            return redirect(tenant_reverse(request, "collaboration:project", pk=project.pk))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Budget line") if line else _("Add a budget line"),
            "caption": project.title,
            "intro": _("Budget lines together cannot allocate more than the project's %(funding)s.")
            % {"funding": f"£{project.funding_allocated:,.2f}"},
            "back_url": tenant_reverse(request, "collaboration:project", pk=project.pk),
        },
    )


def budget_line_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = found(selectors.project_for_update, pk)
    require(policies.can_run_project(request.user, project))
    return _budget_form_page(request, project, None)


def budget_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = found(selectors.budget_line, pk)
    require(policies.can_run_project(request.user, line.project))
    return _budget_form_page(request, line.project, line)


def budget_spend(request: HttpRequest, pk: int) -> HttpResponse:
    line = found(selectors.budget_line, pk)
    project = line.project
    require(policies.can_run_project(request.user, project))
    form = SpendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_spend(
                actor=request.user, line=line, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The spending was recorded."))
            return redirect(tenant_reverse(request, "collaboration:project", pk=project.pk))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Record spending"),
            "caption": f"{project.title}: {line.description}",
            "intro": _("Allocated %(allocated)s; spent so far %(spent)s; %(left)s left.")
            % {
                "allocated": f"£{line.allocated:,.2f}",
                "spent": f"£{line.spent:,.2f}",
                "left": f"£{line.remaining:,.2f}",
            },
            "back_url": tenant_reverse(request, "collaboration:project", pk=project.pk),
            "submit": _("Record spending"),
        },
    )


def milestone_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = found(selectors.project_for_update, pk)
    require(policies.can_run_project(request.user, project))
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_milestone(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The milestone was added."))
            return redirect(tenant_reverse(request, "collaboration:project", pk=project.pk))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Add a milestone"),
            "caption": project.title,
            "back_url": tenant_reverse(request, "collaboration:project", pk=project.pk),
        },
    )


@require_POST
def milestone_complete(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = found(selectors.milestone, pk)
    require(policies.can_run_project(request.user, milestone.project))
    services.complete_milestone(actor=request.user, milestone=milestone)
    messages.success(request, _("The milestone was marked as done."))
    return redirect(tenant_reverse(request, "collaboration:project", pk=milestone.project_id))


def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    project = found(selectors.project_for_update, pk)
    require(policies.can_run_project(request.user, project))
    existing = getattr(project, "evaluation", None) if hasattr(project, "evaluation") else None
    initial = None
    if existing is not None:
        initial = {
            f: getattr(existing, f)
            for f in (
                "what_changed",
                "evidence",
                "whole_school_reach",
                "staff_involved",
                "staff_reached",
            )
        }
    form = EvaluationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_evaluation(
                actor=request.user, project=project, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The evaluation was recorded; the project is complete."))
            return redirect(tenant_reverse(request, "collaboration:project", pk=project.pk))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("End-of-project evaluation"),
            "caption": project.title,
            "intro": _(
                "What changed, the evidence that it did, and how far the work reached "
                "beyond the staff directly involved. Recording it completes the project."
            ),
            "back_url": tenant_reverse(request, "collaboration:project", pk=project.pk),
            "submit": _("Record evaluation"),
        },
    )


@require_GET
def allocations(request: HttpRequest) -> HttpResponse:
    """Enabling funding across every group, with each school's fair share."""
    require(policies.can_view_allocations(request.user, request.partnership))
    from partnership.charts import Series, bar_chart

    summary = selectors.allocation_summary()
    chart = bar_chart(
        title=_("Enabling funding per pupil, by group (£)"),
        labels=[g.name for g in summary.groups],
        series=[Series(_("£ per pupil"), [float(g.per_pupil or 0) for g in summary.groups])],
        label_heading=_("Group"),
    )
    schools = Paginator(summary.schools, SCHOOLS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "collaboration/allocations.html",
        {"summary": summary, "chart": chart, "page": schools},
    )


# --- Resource library -------------------------------------------------------------------------


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """Published resources with search and filters (a GET form; htmx swaps the results)."""
    require(policies.can_view_library(request.user, request.partnership))
    form = LibraryFilterForm(request.GET or None)
    resources = selectors.library_search(
        form.filters() if form.is_bound else None, user=request.user
    )
    page = Paginator(resources, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "can_add": policies.can_add_resource(request.user, request.partnership),
    }
    template = (
        "collaboration/_library_results.html" if request.htmx else "collaboration/library.html"
    )
    return render(request, template, context)


@require_GET
def welsh_gaps(request: HttpRequest) -> HttpResponse:
    """Resources without a Welsh version, so the gaps can be seen and commissioned."""
    require(policies.can_view_library(request.user, request.partnership))
    page = Paginator(selectors.welsh_gaps(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "collaboration/welsh_gaps.html",
        {
            "page": page,
            "by_area": selectors.welsh_gaps_by_area(),
            "can_add_version": policies.can_add_version(request.user, request.partnership),
        },
    )


def _author_schools(request: HttpRequest) -> Any:
    user, partnership = request.user, request.partnership
    if policies.can_author_for_any_school(user, partnership):
        return School.objects.order_by("name")
    own = school_ids_with_role(user, partnership, Role.HEADTEACHER, Role.HUB_LEAD)
    return School.objects.filter(pk__in=own).order_by("name")


def resource_create(request: HttpRequest) -> HttpResponse:
    require(policies.can_add_resource(request.user, request.partnership))
    initial = {"publish": True, "licence": "cc_by"}
    project_id = request.GET.get("project", "")
    if project_id.isdigit():
        initial["source_project"] = project_id
    form = ResourceForm(
        request.POST or None,
        request.FILES or None,
        author_schools=_author_schools(request),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        school = data.get("author_school")
        if school is not None:
            require(policies.can_author_for(request.user, school))
        try:
            resource = services.publish_resource(
                actor=request.user,
                partnership=request.partnership,
                title=data["title"],
                summary=data["summary"],
                kind=data["kind"],
                area=data["area"],
                licence=data["licence"],
                languages=data["languages"],
                versions=form.versions(),
                phases=data.get("phases") or [],
                author_school=school,
                source_project=data.get("source_project"),
                source_hub=data.get("source_hub"),
                source_programme=data.get("source_programme"),
                publish=bool(data.get("publish")),
                request=request,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The resource was added to the library."))
            return redirect(tenant_reverse(request, "collaboration:resource", pk=resource.pk))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Add a resource"),
            "intro": _(
                "Share what a project, hub or programme made. Give each language version its "
                "own file or link; resources without a Welsh version are listed as gaps."
            ),
            "back_url": tenant_reverse(request, "collaboration:library"),
            "submit": _("Add resource"),
            "multipart": True,
        },
    )


@require_GET
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = found(selectors.resource_detail, pk)
    require(policies.can_view_resource(request.user, resource))
    can_edit = policies.can_edit_resource(request.user, resource)
    missing = [lang for lang in ResourceLanguage.values if lang not in resource.languages]
    return render(
        request,
        "collaboration/resource_detail.html",
        {
            "resource": resource,
            "can_edit": can_edit,
            "can_add_version": bool(missing)
            and policies.can_add_version(request.user, request.partnership),
        },
    )


def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a resource's details; its files and links are its language versions."""
    resource = found(selectors.resource_for_update, pk)
    require(policies.can_edit_resource(request.user, resource))
    form = ResourceDetailsForm(
        request.POST or None, author_schools=_author_schools(request), resource=resource
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        school = data.get("author_school")
        if school is not None and school.pk != resource.author_school_id:
            require(policies.can_author_for(request.user, school))
        try:
            services.update_resource(actor=request.user, resource=resource, request=request, **data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The resource's details were saved."))
            return redirect(tenant_reverse(request, "collaboration:resource", pk=resource.pk))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Edit the resource's details"),
            "caption": resource.title,
            "intro": _(
                "Its files and links are its language versions: add a missing one from the "
                "resource's page."
            ),
            "back_url": tenant_reverse(request, "collaboration:resource", pk=resource.pk),
        },
    )


@require_POST
def resource_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft: from now on every member finds it, and followers hear of it."""
    resource = found(selectors.resource_detail, pk)
    require(policies.can_edit_resource(request.user, resource))
    services.publish_draft(actor=request.user, resource=resource, request=request)
    messages.success(request, _("The resource was published."))
    return redirect(tenant_reverse(request, "collaboration:resource", pk=resource.pk))


def version_create(request: HttpRequest, pk: int) -> HttpResponse:
    resource = found(selectors.resource_detail, pk)
    require(policies.can_view_resource(request.user, resource))
    require(policies.can_add_version(request.user, resource))
    missing = [lang for lang in ResourceLanguage.values if lang not in resource.languages]
    if not missing:
        messages.info(request, _("This resource has every language version already."))
        return redirect(tenant_reverse(request, "collaboration:resource", pk=resource.pk))
    form = VersionForm(
        request.POST or None,
        request.FILES or None,
        missing=missing,
        initial={"language": "welsh" if "welsh" in missing else missing[0]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_version(
                actor=request.user,
                resource=resource,
                language=data["language"],
                upload=data.get("file"),
                url=data.get("url") or "",
                request=request,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                renamed = {}
                for field, errors in error.error_dict.items():
                    target = "url" if field.endswith("_url") else field
                    target = "file" if field.endswith("_file") else target
                    renamed[target] = errors
                error = ValidationError(renamed)
            form.add_service_errors(error)
        else:
            messages.success(request, _("The language version was added."))
            return redirect(tenant_reverse(request, "collaboration:resource", pk=resource.pk))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Add a language version"),
            "caption": resource.title,
            "back_url": tenant_reverse(request, "collaboration:resource", pk=resource.pk),
            "submit": _("Add version"),
            "multipart": True,
        },
    )


@require_GET
def version_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Count the download and serve the version's file (or send the reader to its link)."""
    version = found(selectors.version_for_download, pk)
    if not policies.can_view_resource(request.user, version.resource):
        raise Http404
    if version.url:
        services.count_download(version)
        return HttpResponseRedirect(version.url)
    response = stored_file_response(
        version.file,
        filename=version.original_name,
        content_type=version.content_type,
        fallback="resource",
    )
    services.count_download(version)  # only once the file is found
    return response


def following(request: HttpRequest) -> HttpResponse:
    """Opt in to (or out of) the weekly digest of new resources, area by area."""
    require(policies.can_follow_areas(request.user, request.partnership))
    form = FollowForm(
        request.POST if request.method == "POST" else None,
        initial={"areas": list(selectors.followed_area_ids(request.user))},
    )
    if request.method == "POST" and form.is_valid():
        chosen = services.set_followed_areas(
            actor=request.user, partnership=request.partnership, areas=form.cleaned_data["areas"]
        )
        if chosen:
            messages.success(request, _("You will get the weekly digest for the areas you chose."))
        else:
            messages.success(request, _("You follow no areas now and will get no digest."))
        return redirect(tenant_reverse(request, "collaboration:library"))
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Areas you follow"),
            "back_url": tenant_reverse(request, "collaboration:library"),
            "submit": _("Save"),
        },
    )
