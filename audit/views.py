"""The audit trail page: admins search their own partnership's trail (read-only)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import policies, selectors
from .forms import TrailFilterForm

PAGE_SIZE = 50


@require_GET
def trail(request: HttpRequest) -> HttpResponse:
    if not policies.can_view_trail(request.user, request.partnership):
        raise PermissionDenied
    form = TrailFilterForm(request.GET or None, actions=selectors.action_names())
    events = selectors.trail(form.filters()).select_related(None)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "audit/_trail_results.html" if request.htmx else "audit/trail.html"
    return render(request, template, {"form": form, "page": page})
