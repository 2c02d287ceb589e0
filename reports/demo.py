"""Demo data for reports: this academic year's three terms for each demo partnership.

Run by partnership.demo.seed() (listed in its SEEDERS). Idempotent: a term is found by its
academic year and season and only missing ones are added; deterministic: the dates follow
the academic year of the run's `ctx.now` (September to July), never the wall clock twice.
One PDF is made: the board report of the current term (a second or two), so the admin
login has a report to download straight away; schools' reports are generated from the
reports pages (a PDF per school would make the demo slow), or by the end-of-term run.
"""

from __future__ import annotations

from datetime import date

from partnership.demo import DemoContext
from partnership.models import Term

#: (season, first day, last day) as (month, day) pairs; autumn starts the academic year.
TERM_DATES = (
    (Term.Season.AUTUMN, (9, 1), (12, 18)),
    (Term.Season.SPRING, (1, 5), (3, 26)),
    (Term.Season.SUMMER, (4, 12), (7, 21)),
)


def academic_year_terms(start_year: int) -> list[tuple[str, str, date, date]]:
    """(academic year, season, first day, last day) of the three terms of a year."""
    label = f"{start_year}/{(start_year + 1) % 100:02d}"
    terms = []
    for season, (start_month, start_day), (end_month, end_day) in TERM_DATES:
        year = start_year if start_month >= 9 else start_year + 1
        terms.append(
            (label, season, date(year, start_month, start_day), date(year, end_month, end_day))
        )
    return terms


def seed_reports(ctx: DemoContext) -> None:
    today = ctx.now.date()
    start_year = today.year if today.month >= 9 else today.year - 1
    wanted = academic_year_terms(start_year)
    existing = set(Term.objects.values_list("academic_year", "season"))
    taken = list(Term.objects.values_list("starts_on", "ends_on"))
    new = [
        Term(
            partnership=ctx.partnership,
            academic_year=year,
            season=season,
            starts_on=starts,
            ends_on=ends,
        )
        for year, season, starts, ends in wanted
        if (year, season) not in existing
        # Never overlap a term someone added by hand while trying the demo.
        and not any(s <= ends and e >= starts for s, e in taken)
    ]
    Term.objects.bulk_create(new)
    ctx.count(Term, len(new))
    seed_board_report(ctx)


def seed_board_report(ctx: DemoContext) -> None:
    """The current term's board report, once (not again if any version exists)."""
    from . import services
    from .models import ReportKind, ReportRun

    today = ctx.now.date()
    term = Term.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
    if term is None or ReportRun.objects.filter(term=term, kind=ReportKind.BOARD).exists():
        return
    run = ReportRun.objects.create(
        partnership=ctx.partnership,
        kind=ReportKind.BOARD,
        term=term,
        version=1,
        language=services.report_language(ctx.partnership, None),
    )
    services.generate(run.pk)
    ctx.count(ReportRun, 1)
