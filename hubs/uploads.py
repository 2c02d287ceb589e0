"""Checking and storing uploaded files (evidence, bid documents).

A file is accepted when its extension is on the list, its first bytes (or, for office
documents, its zip contents) match that extension, and it is not larger than
settings.HUBS_UPLOAD_MAX_BYTES. It is stored through Django's storage API under
`<partnership id>/<uuid>`, never under the name the user gave it.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from partnership.shortcuts import download_filename

#: extension -> content type served on download.
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "csv": "text/csv",
}
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}
#: A member every genuine office file of that type contains.
_ZIP_MEMBERS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def max_upload_bytes() -> int:
    return int(getattr(settings, "HUBS_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def allowed_extensions_text() -> str:
    return ", ".join(sorted({e.upper() for e in ALLOWED_TYPES} - {"JPEG"}))


def extension_of(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def _content_matches(extension: str, upload: Any) -> bool:
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if extension in _SIGNATURES:
        return head.startswith(_SIGNATURES[extension])
    if extension == "csv":
        return b"\x00" not in head and _decodes_as_text(head)
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(upload) as archive:
            if extension == "odt":
                return archive.read("mimetype").strip() == ODT_MIMETYPE
            return _ZIP_MEMBERS[extension] in archive.namelist()
    except (zipfile.BadZipFile, KeyError, OSError):
        return False
    finally:
        upload.seek(0)


def _decodes_as_text(head: bytes) -> bool:
    # The sample may end inside a multi-byte character: allow an incomplete last one.
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def check_upload(upload: Any, *, field: str = "file") -> str:
    """Raise ValidationError({field: reason}) unless the upload is an allowed, honest file.

    Returns the file's (lower-case) extension.
    """
    if upload is None:
        raise ValidationError({field: _("Choose a file to upload.")})
    extension = extension_of(upload.name)
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
    if not _content_matches(extension, upload):
        raise ValidationError(
            {
                field: _("The file's contents are not a real %(type)s file.")
                % {"type": extension.upper()}
            }
        )
    return extension


def clean_original_name(name: str) -> str:
    """The name shown and offered on download: no folders, no control characters."""
    return download_filename(name)
