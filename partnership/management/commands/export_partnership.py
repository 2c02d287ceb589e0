"""Export one partnership to an archive (see docs/operations.md for the format).

python manage.py export_partnership cwm --output cwm-2026-11-23.zip
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partnership.models import Partnership
from partnership.portability import export_partnership


class Command(BaseCommand):
    help = "Export a partnership (every app's rows, its people and files) to a zip archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="Short name of the partnership (/p/<slug>/).")
        parser.add_argument("--output", "-o", help="The archive to write (default <slug>.zip).")

    def handle(self, *args: Any, slug: str, output: str | None, **options: Any) -> None:
        partnership = Partnership.objects.filter(slug=slug).first()
        if partnership is None:
            raise CommandError(f"No partnership with the short name {slug!r}.")
        path = Path(output or f"{slug}.zip")
        result = export_partnership(partnership)
        path.write_bytes(result.data)
        rows = sum(count for label, count in result.counts.items() if label != "users")
        self.stdout.write(
            f"Exported {partnership} to {path}: {rows} rows in {len(result.counts) - 1} "
            f"models, {result.counts['users']} people."
        )
