"""Delete a partnership whose contract has ended (see docs/operations.md, Offboarding).

python manage.py delete_partnership cwm --export cwm-final.zip        # dry run: counts only
python manage.py delete_partnership cwm --export cwm-final.zip --yes  # export, then delete

Without --yes nothing is deleted. With --export the archive is written first (in either
mode) and nothing is deleted if that fails.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import ProtectedError, RestrictedError

from partnership.models import Partnership
from partnership.offboarding import (
    FILES,
    PEOPLE_LEFT,
    OffboardingRefused,
    delete_partnership,
    offboarding_plan,
)
from partnership.portability import export_partnership


class Command(BaseCommand):
    help = (
        "Delete a partnership and everything it holds (rows and stored files); people's "
        "accounts are kept. A dry run unless --yes is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="Short name of the partnership (/p/<slug>/).")
        parser.add_argument(
            "--export", metavar="PATH", help="Write the partnership's archive here first."
        )
        parser.add_argument(
            "--yes", action="store_true", help="Really delete (otherwise only show the counts)."
        )

    def handle(self, *args: Any, slug: str, export: str | None, yes: bool, **options: Any) -> None:
        partnership = Partnership.objects.filter(slug=slug).first()
        if partnership is None:
            raise CommandError(f"No partnership with the short name {slug!r}.")
        if export:
            self._export(partnership, Path(export))
        if not yes:
            self._dry_run(partnership)
            return
        try:
            counts = delete_partnership(
                partnership, actor_description=f"manage.py delete_partnership by {_who()}"
            )
        except OffboardingRefused as refused:
            raise CommandError(f"Not deleted: {refused}") from None
        except (ProtectedError, RestrictedError) as error:
            raise CommandError(f"Not deleted (nothing was): {error.args[0]}") from None
        files, people = counts.pop(FILES), counts.pop(PEOPLE_LEFT)
        for label, count in counts.items():
            self.stdout.write(f"  {label:<45} {count:>8}")
        self.stdout.write(
            f"Deleted {partnership} ({slug}): {sum(counts.values())} rows; {files} stored "
            f"files removed. {people} people now belong to no partnership; their accounts "
            "are kept."
        )

    def _export(self, partnership: Partnership, path: Path) -> None:
        try:
            result = export_partnership(partnership)
            path.write_bytes(result.data)
            if path.stat().st_size != len(result.data):
                raise OSError(f"{path} holds {path.stat().st_size} of {len(result.data)} bytes")
        except Exception as error:  # noqa: BLE001 - any failure stops the deletion
            raise CommandError(
                f"The export failed, nothing was deleted: {error.__class__.__name__}: {error}"
            ) from None
        self.stdout.write(f"Exported {partnership} to {path}.")

    def _dry_run(self, partnership: Partnership) -> None:
        plan = offboarding_plan(partnership)
        self.stdout.write(f"Dry run: deleting {partnership} ({partnership.slug}) would delete")
        for label, count in plan.rows.items():
            self.stdout.write(f"  {label:<45} {count:>8}")
        self.stdout.write(
            f"{sum(plan.rows.values())} rows and {plan.files} stored files. "
            f"{plan.people_left} people would belong to no partnership (accounts kept)."
        )
        if plan.blockers:
            self.stdout.write("It cannot be deleted yet: other partnerships' rows refer to it:")
            for label, count in plan.blockers.items():
                self.stdout.write(f"  {label:<45} {count:>8}")
        self.stdout.write("Nothing was deleted. Run again with --yes to delete.")


def _who() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "an operator"
