"""PDF documents from HTML templates with WeasyPrint: reports, minutes, exports.

`render_pdf` renders a Django template (which should extend "pdf/base.html" for the
cover-free page furniture: page size, margins, page numbers, repeated table headers) and
returns the bytes. Static files (fonts, CSS) are read from disk, never fetched over the
network, so a render never hangs on a URL.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify


class PdfRenderError(Exception):
    """The document could not be rendered (a missing font, broken markup...)."""


def _no_network(url: str, *args: Any, **kwargs: Any) -> dict:
    raise ValueError(f"PDF rendering does not fetch {url}")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """The PDF bytes of `template` rendered with `context`; raises PdfRenderError."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    try:
        return HTML(
            string=html, base_url=str(settings.BASE_DIR), url_fetcher=_no_network
        ).write_pdf()
    except Exception as exc:  # WeasyPrint raises many kinds; the caller shows one state
        raise PdfRenderError(str(exc)) from exc


def pdf_response(template: str, context: dict[str, Any], filename: str) -> HttpResponse:
    """A download of the rendered PDF, named `<filename>.pdf`."""
    response = HttpResponse(render_pdf(template, context), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{slugify(filename) or "document"}.pdf"'
    )
    return response
