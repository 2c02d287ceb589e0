"""Small view helpers the apps share, in the spirit of django.shortcuts: refusing (403) and
not finding (404), the page around a form, the POST half of a create/edit page, and a
stored file sent as a download."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models.fields.files import FieldFile
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

Result = TypeVar("Result")


def require(allowed: Any) -> None:
    """Refuse with 403 unless `allowed` (a policy's verdict) is true."""
    if not allowed:
        raise PermissionDenied


def found(loader: Callable[..., Result], *args: Any) -> Result:
    """What a selector loads with `args`; a missing (or other partnership's) row is a 404."""
    try:
        return loader(*args)
    except ObjectDoesNotExist:
        raise Http404 from None


def render_form_page(
    request: HttpRequest, template_name: str, context: dict[str, Any]
) -> HttpResponse:
    """Render an app's form page: `form` (with `title`, `caption`, `intro`, `back_url`,
    `submit`, `multipart`) and optionally a `formset`, whose rows are given numbered
    legends (`formset_legend`, default "Row %(n)s") as `formset_rows`."""
    formset = context.get("formset")
    if formset is not None:
        legend = context.get("formset_legend") or _("Row %(n)s")
        context["formset_rows"] = [
            (legend % {"n": number}, subform)
            for number, subform in enumerate(formset.forms, start=1)
        ]
    return render(request, template_name, context)


def download_filename(name: str | None, fallback: str = "file") -> str:
    """The name offered on download: no folders, no control characters or quotes."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"\r\n')
    return base[-200:] or fallback


def stored_file_response(
    stored: FieldFile, *, filename: str | None, content_type: str | None, fallback: str = "file"
) -> FileResponse:
    """Stream a file from storage as an attachment (never shown inline, never cached, its
    type not sniffed). A file missing from storage, or a field without one, is a 404.

    Callers check permissions first, and count or audit the download once this returns."""
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_filename(filename, fallback),
        content_type=content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def save_form(
    request: HttpRequest,
    form: BaseForm,
    save: Callable[[dict[str, Any]], Any],
    *,
    next_url: str | Callable[[Any], str],
    success: str | None = None,
) -> HttpResponse | None:
    """On a POST whose form is valid, call `save(form.cleaned_data)` (the service).

    Returns the redirect to `next_url` (or `next_url(what save returned)`), after the
    `success` message, or None when the view should render the form: not a POST, the
    form is invalid, or the service refused with a ValidationError, now on the form
    (through the form's `add_service_errors`).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except ValidationError as error:
        form.add_service_errors(error)
        return None
    if success:
        messages.success(request, success)
    return redirect(next_url(saved) if callable(next_url) else next_url)
