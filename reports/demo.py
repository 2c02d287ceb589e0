"""Demo data for reports (being built: the seeder fills in as the app lands)."""

from __future__ import annotations

from partnership.demo import DemoContext


def seed_reports(ctx: DemoContext) -> None:
    return None
