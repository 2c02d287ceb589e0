"""Checking resource files: the hubs' upload rules (type by extension and by content, size
limit) plus plain-text files, which shared resources often are.

The size limit is settings.COLLABORATION_UPLOAD_MAX_BYTES, falling back to
settings.HUBS_UPLOAD_MAX_BYTES (10 MB by default), so operators set one figure for both.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from hubs import uploads as hub_uploads

#: extension -> content type served on download.
ALLOWED_TYPES = {**hub_uploads.ALLOWED_TYPES, "txt": "text/plain"}


def max_upload_bytes() -> int:
    default = getattr(settings, "HUBS_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
    return int(getattr(settings, "COLLABORATION_UPLOAD_MAX_BYTES", default))


def allowed_extensions_text() -> str:
    return ", ".join(sorted({e.upper() for e in ALLOWED_TYPES} - {"JPEG"}))


def check_resource_file(upload: Any, *, field: str) -> str:
    """Raise ValidationError({field: reason}) unless the upload is an allowed, honest file
    within the size limit. Returns its (lower-case) extension."""
    extension = hub_uploads.extension_of(upload.name)
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            {
                field: _("The file must be one of these types: %(types)s.")
                % {"types": allowed_extensions_text()}
            }
        )
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError(
            {
                field: _("The file must be smaller than %(limit)s.")
                % {"limit": filesizeformat(limit)}
            }
        )
    if upload.size == 0:
        raise ValidationError({field: _("The file is empty.")})
    # Plain text is checked like CSV: text, no NUL bytes.
    probe = "csv" if extension == "txt" else extension
    if not hub_uploads._content_matches(probe, upload):
        raise ValidationError(
            {
                field: _("The file's contents are not a real %(type)s file.")
                % {"type": extension.upper()}
            }
        )
    return extension


clean_original_name = hub_uploads.clean_original_name
