"""Benchmark: termly report PDFs for the 400-school demo partnership. Prints figures; not a test.

    make bench                                   # every bench/*.py
    .venv/bin/python bench/reports.py [--schools 400] [--limit 0] [--runs 3]

Without DATABASE_URL it builds a throwaway SQLite database (and a throwaway media folder)
in a temporary folder and deletes both at the end. With DATABASE_URL it uses that database
and seeds (or completes) the demo partnership there with `partnership.demo` (idempotent).

It seeds the Welsh demo partnership ("gorllewin", 400 schools, with every app's demo data)
and a term covering today, then, on one process as one worker would:

- times one school's report (the featured school, the one with the most demo data) end to
  end as the task runs it (sections, PDF, storage), `--runs` times, and the board report;
- generates every school's report one after another (`--limit N`: only the first N, and
  the total is extrapolated) and prints the total time and the mean per report;
- prints peak memory: the largest Python allocation of one report (tracemalloc, in a run
  of its own as tracing slows Python down) and the process's peak resident size (what a
  worker needs).

Targets (issue 8): one report under 2 s; the whole partnership under 10 minutes and under
500 MB per worker.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The repository first: this script is called reports.py, and `import reports` must find the app.
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(REPO / "bench"))

from directory import configure, setup_django  # noqa: E402


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed_partnership(n_schools: int):
    from datetime import timedelta

    from django.utils import timezone

    from partnership import demo
    from partnership.models import Term
    from partnership.tenancy import tenant_scope

    blueprint = demo.WELSH_CONSORTIUM
    if n_schools != blueprint.schools:
        blueprint = demo.scale_blueprint(n_schools)
    result = demo.seed(blueprint)
    partnership = result.partnership
    today = timezone.localdate()
    with tenant_scope(partnership):
        term = Term.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
        if term is None:
            term = Term.objects.create(
                partnership=partnership,
                academic_year="2099/00",
                season=Term.Season.AUTUMN,
                starts_on=today - timedelta(days=60),
                ends_on=today + timedelta(days=30),
            )
    return partnership, term, result.seconds


def generate(partnership, term, school) -> tuple[float, int]:
    """Seconds and PDF bytes of one report generated as the task does it."""
    from reports import services
    from reports.models import ReportKind, ReportRun

    run = ReportRun.objects.create(
        partnership=partnership,
        kind=ReportKind.SCHOOL if school else ReportKind.BOARD,
        term=term,
        school=school,
        version=ReportRun.objects.filter(term=term, school=school).count() + 1,
        language=services.report_language(partnership, school),
    )
    start = time.perf_counter()
    run = services.generate(run.pk)
    seconds = time.perf_counter() - start
    if run.status != ReportRun.Status.DONE:
        raise SystemExit(f"report run {run.pk} failed: {run.error}")
    return seconds, run.file_size


def sections_seconds(partnership, term, school) -> float:
    """Seconds to build one report's sections (the queries), without the PDF."""
    from reports.models import ReportKind
    from reports.sections import build_report

    start = time.perf_counter()
    build_report(ReportKind.SCHOOL, partnership=partnership, term=term, school=school)
    return time.perf_counter() - start


def pages_of(partnership, term, school) -> int:
    import io

    from pypdf import PdfReader

    from reports.models import ReportRun

    run = ReportRun.objects.filter(term=term, school=school, status="done").latest("pk")
    from django.core.files.storage import default_storage

    with default_storage.open(run.file_path) as handle:
        return len(PdfReader(io.BytesIO(handle.read())).pages)


def run(n_schools: int, limit: int, runs: int, database: str) -> int:
    from django.core.management import call_command

    from partnership.tenancy import tenant_scope
    from schools.models import School

    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    partnership, term, seed_seconds = seed_partnership(n_schools)
    setup_seconds = time.perf_counter() - start

    with tenant_scope(partnership):
        schools = list(School.objects.select_related("local_authority").order_by("name", "pk"))
        featured = (
            School.objects.filter(memberships__role="governor").order_by("pk").first() or schools[0]
        )
        print(
            f"Termly reports benchmark – {platform.python_implementation()} "
            f"{platform.python_version()}, {database}"
        )
        print(
            f"{partnership.name}: {len(schools)} schools, term {term} "
            f"(setup {setup_seconds:.0f} s, seeding {seed_seconds:.0f} s)"
        )

        generate(partnership, term, featured)  # warm-up: imports, fonts, templates
        one = []
        for _ in range(runs):
            seconds, size = generate(partnership, term, featured)
            one.append(seconds)
        # Memory in a run of its own: tracing allocations makes Python several times slower.
        tracemalloc.start()
        generate(partnership, term, featured)
        _current, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"\nOne school's report ({featured.name}, {size / 1024:.0f} KB, language "
            f"{featured.report_language}): median {statistics.median(one):.2f} s, "
            f"max {max(one):.2f} s over {runs} runs; Python peak {traced_peak / 2**20:.0f} MB "
            f"(target < 2 s)"
        )
        print(
            f"  of which the sections' queries: "
            f"{sections_seconds(partnership, term, featured):.2f} s; "
            f"pages: {pages_of(partnership, term, featured)}"
        )
        board_seconds, board_size = generate(partnership, term, None)
        print(f"Board report ({board_size / 1024:.0f} KB): {board_seconds:.2f} s")

        chosen = schools[:limit] if limit else schools
        start = time.perf_counter()
        for number, school in enumerate(chosen, start=1):
            generate(partnership, term, school)
            if number % 50 == 0:
                print(
                    f"  {number} reports, {time.perf_counter() - start:.0f} s, "
                    f"peak RSS {peak_rss_mb():.0f} MB",
                    flush=True,
                )
        total = time.perf_counter() - start
        mean = total / len(chosen)
        whole = mean * len(schools)
        label = "" if len(chosen) == len(schools) else f" (extrapolated from {len(chosen)})"
        print(
            f"\nAll {len(schools)} schools on one worker: {whole / 60:.1f} min{label}, "
            f"mean {mean:.2f} s per report (target < 10 min)"
        )
        print(f"Peak resident memory of this process: {peak_rss_mb():.0f} MB (target < 500 MB)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=400, help="schools in the partnership")
    parser.add_argument("--limit", type=int, default=0, help="only the first N schools' reports")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of one school's report")
    args = parser.parse_args()

    throwaway = None if os.environ.get("DATABASE_URL") else Path(tempfile.mkdtemp(prefix="bench-"))
    database = configure(throwaway)
    media = Path(tempfile.mkdtemp(prefix="bench-media-"))
    os.environ["MEDIA_ROOT"] = str(media)
    try:
        setup_django()
        return run(args.schools, args.limit, args.runs, database)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(media, ignore_errors=True)
        if throwaway is not None:
            shutil.rmtree(throwaway, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
