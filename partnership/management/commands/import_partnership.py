"""Import a partnership archive into this instance (which must not hold it yet).

    python manage.py import_partnership cwm-2026-11-23.zip

A bad or damaged archive is refused with the reason and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnership.portability import ArchiveRefused, import_partnership


class Command(BaseCommand):
    help = "Import a partnership archive made by export_partnership."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="The zip archive to import.")

    def handle(self, *args: Any, archive: str, **options: Any) -> None:
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        try:
            result = import_partnership(path.read_bytes())
        except ArchiveRefused as refused:
            raise CommandError(f"Archive refused, nothing was imported: {refused}") from None
        rows = sum(count for label, count in result.counts.items() if label != "users")
        self.stdout.write(
            f"Imported {result.partnership} (/p/{result.partnership.slug}/): {rows} rows, "
            f"{result.counts['users']} people."
        )
