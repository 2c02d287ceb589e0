"""School directory, school pages, groups; admins add and edit schools."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from partnership.tenancy import tenant_reverse

from . import policies, selectors, services
from .forms import CategoryForm, DirectoryFilterForm, SchoolForm
from .models import Cluster, School, SchoolImprovementGroup

PAGE_SIZE = 25


def directory(request: HttpRequest) -> HttpResponse:
    """All schools with filters; htmx requests get only the results."""
    show_category = policies.can_see_all_categories(request.user, request.partnership)
    form = DirectoryFilterForm(request.GET or None, show_category=show_category)
    schools = selectors.school_directory(form.filters() if form.is_bound else None)
    page = Paginator(schools, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "show_category": show_category,
        "can_manage": policies.can_manage_schools(request.user, request.partnership),
    }
    template = "schools/_directory_results.html" if request.htmx else "schools/directory.html"
    return render(request, template, context)


def _school_or_404(pk: int) -> School:
    try:
        return selectors.school_detail(pk)
    except School.DoesNotExist:
        raise Http404 from None


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school_or_404(pk)
    user = request.user
    return render(
        request,
        "schools/detail.html",
        {
            "school": school,
            "show_category": policies.can_view_category(user, school),
            "can_edit": policies.can_edit_school(user, school),
            "can_set_category": policies.can_set_category(user, school),
            "headteachers": [m for m in school.memberships.all() if m.role == "headteacher"],
        },
    )


def create(request: HttpRequest) -> HttpResponse:
    if not policies.can_manage_schools(request.user, request.partnership):
        raise PermissionDenied
    return _edit(request, None)


def edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_object_or_404(School, pk=pk)
    if not policies.can_edit_school(request.user, school):
        raise PermissionDenied
    return _edit(request, school)


def _edit(request: HttpRequest, school: School | None) -> HttpResponse:
    form = SchoolForm(request.POST or None, instance=school, partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_school(
                actor=request.user,
                partnership=request.partnership,
                school=school,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The school was saved."))
            return redirect(tenant_reverse(request, "schools:detail", pk=saved.pk))
    return render(request, "schools/form.html", {"form": form, "school": school})


def set_category(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_object_or_404(School, pk=pk)
    if not policies.can_set_category(request.user, school):
        raise PermissionDenied
    form = CategoryForm(request.POST or None, initial={"category": school.support_category})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_support_category(actor=request.user, school=school, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The support category was recorded."))
            return redirect(tenant_reverse(request, "schools:detail", pk=school.pk))
    return render(request, "schools/category_form.html", {"form": form, "school": school})


def clusters(request: HttpRequest) -> HttpResponse:
    return render(request, "schools/clusters.html", {"clusters": selectors.clusters_with_counts()})


def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        cluster = selectors.cluster_detail(pk)
    except Cluster.DoesNotExist:
        raise Http404 from None
    return render(request, "schools/cluster_detail.html", {"group": cluster})


def sigs(request: HttpRequest) -> HttpResponse:
    return render(request, "schools/sigs.html", {"sigs": selectors.sigs_with_counts()})


def sig_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        sig = selectors.sig_detail(pk)
    except SchoolImprovementGroup.DoesNotExist:
        raise Http404 from None
    return render(request, "schools/sig_detail.html", {"group": sig})
