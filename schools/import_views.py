"""School import from CSV (upload, dry-run preview, confirm)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import policies


def upload(request: HttpRequest) -> HttpResponse:
    if not policies.can_import_schools(request.user, request.partnership):
        raise PermissionDenied
    return render(request, "schools/import_upload.html", {})
