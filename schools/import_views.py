"""School import from CSV: upload, dry-run preview, confirm (one URL, three steps).

1. GET shows the upload form and the documented columns.
2. POST with a file checks it (nothing is written) and shows every problem with its row
   number, or what would be created and updated. A valid file's text is kept in the
   session (capped at SCHOOL_IMPORT_MAX_BYTES, and compressed) with its SHA-256 as a token.
3. POST "confirm" with that token imports the text kept in the session, never anything
   the browser sends back; the service checks it again against the database, so a file
   that has become invalid since the preview writes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import zlib
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partnership.tenancy import tenant_reverse

from . import importer, policies, services
from .forms import SchoolImportForm

SESSION_KEY = "schools_import"
#: Rows of each preview table shown on the page (the counts always cover every row).
PREVIEW_ROWS = 500


def _token(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# The session is saved on every request while an import is pending, so its text is kept
# compressed (a CSV file shrinks several times over).
def _pack(text: str) -> str:
    return base64.b64encode(zlib.compress(text.encode("utf-8"))).decode("ascii")


def _unpack(packed: Any) -> str | None:
    try:
        return zlib.decompress(base64.b64decode(packed, validate=True)).decode("utf-8")
    except (TypeError, ValueError, zlib.error):
        return None


def _upload_page(
    request: HttpRequest,
    form: SchoolImportForm,
    *,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "problems": problems or [],
        "columns": importer.COLUMNS,
        "max_rows": importer.MAX_ROWS,
    }
    return render(request, "schools/import_upload.html", context, status=status)


def _preview_page(
    request: HttpRequest,
    report: importer.ImportReport,
    *,
    filename: str,
    token: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "report": report,
        "filename": filename,
        "token": token,
        "creates": report.creates[:PREVIEW_ROWS],
        "updates": report.updates[:PREVIEW_ROWS],
        "preview_rows": PREVIEW_ROWS,
        "form": SchoolImportForm(),
    }
    return render(request, "schools/import_preview.html", context, status=status)


def upload(request: HttpRequest) -> HttpResponse:
    if not policies.can_import_schools(request.user, request.partnership):
        raise PermissionDenied
    if request.method != "POST":
        return _upload_page(request, SchoolImportForm())
    if "confirm" in request.POST:
        return _confirm(request)

    form = SchoolImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form)
    text = form.cleaned_data["file"]
    report = importer.preview(text, partnership=request.partnership)
    if not report.is_valid:
        request.session.pop(SESSION_KEY, None)
        return _preview_page(request, report, filename=form.filename)
    token = _token(text)
    request.session[SESSION_KEY] = {
        "partnership": request.partnership.pk,
        "filename": form.filename,
        "text": _pack(text),
    }
    return _preview_page(request, report, filename=form.filename, token=token)


def _confirm(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(SESSION_KEY) or {}
    text = _unpack(pending.get("text"))
    token = request.POST.get("token", "")
    if not (
        pending.get("partnership") == request.partnership.pk
        and text is not None
        and hmac.compare_digest(_token(text).encode(), token.encode())
    ):
        problem = _(
            "This import has expired, or another file was checked since. Nothing was "
            "imported: upload the file again."
        )
        return _upload_page(request, SchoolImportForm(), problems=[problem], status=400)

    filename = pending.get("filename", "")
    try:
        result = services.import_schools(
            actor=request.user, partnership=request.partnership, text=text
        )
    except importer.ImportRejected as rejected:
        # The data changed since the preview (e.g. a local authority was removed).
        request.session.pop(SESSION_KEY, None)
        return _preview_page(request, rejected.report, filename=filename, status=400)
    except ValidationError as error:
        request.session.pop(SESSION_KEY, None)
        return _upload_page(request, SchoolImportForm(), problems=error.messages, status=400)

    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        " ".join(
            [
                ngettext(
                    "%(count)s school was added.", "%(count)s schools were added.", result.created
                )
                % {"count": result.created},
                ngettext(
                    "%(count)s school was updated.",
                    "%(count)s schools were updated.",
                    result.updated,
                )
                % {"count": result.updated},
            ]
        ),
    )
    return redirect(tenant_reverse(request, "schools:directory"))
