"""Benchmark: ranking brokerage suggestions at scale. Prints figures; not a test.

    make bench                                   # every bench/*.py
    .venv/bin/python bench/brokerage.py [--schools 25000] [--offers 10000] [--needs 200] [--drop]

Builds (with bulk_create) a large partnership of 25,000 schools with 10,000 open offers, a
history of agreements, outcomes, sessions and declines, and a 400-school partnership with
400 open needs and 400 open offers, then times:

1. ranking the suggestions for one need, as the suggestions page does
   (`selectors.match_suggestions(need, limit=views.SUGGESTIONS_SHOWN)`), for each of 200
   open needs of the large partnership: median, 95th percentile and maximum wall-clock
   time, the median CPU time of the process (SQLite runs in it; a busy machine inflates
   wall time far more than CPU time) and the queries of one ranking;
2. ranking every open need of the 400-school partnership at once
   (`selectors.rank_open_needs()`), and, for comparison, one `match_suggestions()` per need;
3. the partnership dashboard's selector on the large partnership.

Without DATABASE_URL it uses a throwaway SQLite database in a temporary folder, deleted at
the end. With DATABASE_URL (e.g. PostgreSQL) it reuses the bench partnerships of an earlier
run of the same size; --drop deletes them and their users afterwards. Settings are
production-like (DEBUG off), set by bench/directory.py's configure().
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.directory import configure, setup_django  # noqa: E402

LARGE_SLUG = "bench-brokerage"
SMALL_SLUG = "bench-brokerage-400"
USER_DOMAIN = "bench-brokerage.invalid"
SMALL_SCHOOLS = 400
SMALL_NEEDS = 400
SMALL_OFFERS = 400

PLACES = [
    "Aberaeron", "Bethesda", "Brynaman", "Caerau", "Cefn", "Dyffryn", "Glan Morfa", "Gwaun",
    "Llanbedr", "Llandeilo", "Maesteg", "Nant", "Pen-y-bryn", "Porth", "Rhydaman", "Tregaron",
]  # fmt: skip


def _half_days(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 2, high * 2)) / 2


def build_partnership(slug: str, *, schools: int, offers: int, open_needs: int, history: int):
    """A partnership with schools, open offers, open needs and a history of agreements
    (closed with outcomes, in progress with sessions, waiting), built with bulk_create;
    an existing one with the same number of schools and offers is reused."""
    from django.db import transaction
    from django_scopes import scopes_disabled

    from brokerage.models import (
        AgreementOutcome,
        DeliveryLanguage,
        DeliverySession,
        Funding,
        Need,
        NeedDecline,
        Offer,
        SupportAgreement,
        Timeframe,
        Urgency,
        academic_year_of,
    )
    from partnership import services
    from partnership.models import Area, Membership, Partnership, Role, User
    from schools.models import LanguageMedium, LocalAuthority, Phase, School, SupportCategory

    with scopes_disabled():
        existing = Partnership.objects.filter(slug=slug).first()
        if existing is not None:
            if (
                School.objects.filter(partnership=existing).count() == schools
                and Offer.objects.filter(partnership=existing).count() == offers
            ):
                return existing, False
            drop_partnership(slug)

    rng = random.Random(f"{slug}:{schools}")
    today = date.today()
    this_year = academic_year_of(today)
    next_year = academic_year_of(today + timedelta(days=366))
    with transaction.atomic(), scopes_disabled():
        p = services.create_partnership(name=f"Bench {slug}", slug=slug, country="wales")
        admin, _ = User.objects.get_or_create(
            email=f"admin.{slug}@{USER_DOMAIN}", defaults={"full_name": "Bench Admin"}
        )
        Membership.objects.create(partnership=p, user=admin, role=Role.PARTNERSHIP_ADMIN)
        n_las = max(5, schools // 1200)
        LocalAuthority.objects.bulk_create(
            LocalAuthority(partnership=p, name=f"County {i:02d}", code=f"{700 + i}")
            for i in range(n_las)
        )
        las = list(LocalAuthority.objects.filter(partnership=p).order_by("pk"))
        through = LocalAuthority.neighbours.through
        through.objects.bulk_create(
            through(from_localauthority_id=a.pk, to_localauthority_id=b.pk)
            for i, a in enumerate(las)
            for b in (las[(i + 1) % n_las], las[(i - 1) % n_las])
        )
        areas = list(Area.objects.filter(partnership=p).order_by("pk"))
        phases = [Phase.PRIMARY] * 14 + [Phase.SECONDARY] * 3 + [
            Phase.NURSERY, Phase.ALL_THROUGH, Phase.SPECIAL, Phase.PRU
        ]  # fmt: skip
        media = [LanguageMedium.ENGLISH] * 6 + [LanguageMedium.WELSH] * 3 + [
            LanguageMedium.BILINGUAL
        ]  # fmt: skip
        categories = SupportCategory.values
        School.objects.bulk_create(
            (
                School(
                    partnership=p,
                    official_number=f"{8000000 + i}",
                    name=f"Ysgol {rng.choice(PLACES)} {i}",
                    phase=rng.choice(phases),
                    language_medium=rng.choice(media),
                    local_authority=rng.choice(las),
                    support_category=rng.choices(categories, weights=(38, 37, 18, 7))[0],
                )
                for i in range(schools)
            ),
            batch_size=1000,
        )
        all_schools = list(
            School.objects.filter(partnership=p)
            .order_by("pk")
            .values_list("pk", "support_category", "language_medium")
        )
        strong = [s for s in all_schools if s[1] in ("green", "yellow")]
        weak = [s for s in all_schools if s[1] in ("amber", "red")]
        language_of = {
            LanguageMedium.ENGLISH: DeliveryLanguage.ENGLISH,
            LanguageMedium.WELSH: DeliveryLanguage.WELSH,
            LanguageMedium.BILINGUAL: DeliveryLanguage.BILINGUAL,
        }

        def offer(i: int) -> Offer:
            school = rng.choice(strong if rng.random() < 0.85 else all_schools)
            available = _half_days(rng, 2, 20)
            committed = min(_half_days(rng, 0, 8), available - Decimal("0.5"))
            charged = rng.random() < 0.3
            return Offer(
                partnership=p,
                school_id=school[0],
                area=rng.choice(areas),
                title=f"Support offer {i}",
                description="Coaching, lesson study and leadership mentoring.",
                academic_year=this_year if rng.random() < 0.8 else next_year,
                days_available=available,
                days_committed=max(committed, Decimal("0")),
                is_charged=charged,
                day_rate=Decimal("350") if charged else None,
                language=language_of[school[2]],
                evidence="Strong outcomes over three years.",
                contact_name="Bench Contact",
            )

        Offer.objects.bulk_create((offer(i) for i in range(offers)), batch_size=1000)
        offer_rows = list(
            Offer.objects.filter(partnership=p).order_by("pk").values_list("pk", "school_id")
        )
        other = Offer.other_areas.through
        other.objects.bulk_create(
            (
                other(offer_id=offer_id, area_id=area.pk)
                for offer_id, _ in offer_rows
                if rng.random() < 0.3
                for area in rng.sample(areas, rng.randint(1, 2))
            ),
            batch_size=2000,
            ignore_conflicts=True,
        )

        def need(i: int, status: str) -> Need:
            school = rng.choice(weak if rng.random() < 0.6 else all_schools)
            return Need(
                partnership=p,
                school_id=school[0],
                area=rng.choice(areas),
                title=f"Need {i}",
                description="Standards in this area have fallen for two years.",
                outcome="Outcomes back to the county average.",
                urgency=rng.choice(Urgency.values),
                preferred_language=rng.choice(["", "", *DeliveryLanguage.values]),
                timeframe=rng.choice(Timeframe.values),
                days_wanted=_half_days(rng, 1, 10) if rng.random() < 0.7 else None,
                status=status,
            )

        Need.objects.bulk_create(
            (need(i, Need.Status.OPEN) for i in range(open_needs)), batch_size=1000
        )
        statuses = (
            [(SupportAgreement.Status.CLOSED, Need.Status.MET)] * 5
            + [(SupportAgreement.Status.ACTIVE, Need.Status.IN_PROGRESS)] * 3
            + [(SupportAgreement.Status.PROPOSED, Need.Status.BROKERED)] * 2
        )
        plan = [rng.choice(statuses) for _ in range(history)]
        past_needs = [need(open_needs + i, plan[i][1]) for i in range(history)]
        Need.objects.bulk_create(past_needs, batch_size=1000)
        past_needs = list(
            Need.objects.filter(partnership=p)
            .exclude(status=Need.Status.OPEN)
            .order_by("pk")
            .values_list("pk", "school_id")
        )
        start = today - timedelta(days=200)
        agreements = []
        for (need_id, school_id), (status, _) in zip(past_needs, plan, strict=True):
            offer_id, provider_id = rng.choice(offer_rows)
            while provider_id == school_id:
                offer_id, provider_id = rng.choice(offer_rows)
            agreements.append(
                SupportAgreement(
                    partnership=p,
                    need_id=need_id,
                    offer_id=offer_id,
                    receiving_school_id=school_id,
                    provider_id=provider_id,
                    days=Decimal("4"),
                    starts_on=start,
                    ends_on=start + timedelta(days=150),
                    objectives="Two coaching cycles.",
                    funding=Funding.FREE,
                    status=status,
                )
            )
        SupportAgreement.objects.bulk_create(agreements, batch_size=1000)
        rows = list(
            SupportAgreement.objects.filter(partnership=p).values_list("pk", "status", "need_id")
        )
        AgreementOutcome.objects.bulk_create(
            (
                AgreementOutcome(
                    partnership=p,
                    agreement_id=pk,
                    objectives_met="yes",
                    rating=rng.randint(1, 4),
                    evidence="Scores improved.",
                )
                for pk, status, _ in rows
                if status == SupportAgreement.Status.CLOSED
            ),
            batch_size=1000,
        )
        DeliverySession.objects.bulk_create(
            (
                DeliverySession(
                    partnership=p, agreement_id=pk, date=start + timedelta(days=7 * k), days=1
                )
                for pk, status, _ in rows
                if status != SupportAgreement.Status.PROPOSED
                for k in range(rng.randint(1, 3))
            ),
            batch_size=1000,
        )
        open_ids = list(
            Need.objects.filter(partnership=p, status=Need.Status.OPEN).values_list("pk", flat=True)
        )
        NeedDecline.objects.bulk_create(
            (
                NeedDecline(
                    partnership=p,
                    need_id=rng.choice(open_ids),
                    provider_id=rng.choice(strong)[0],
                    reason="No capacity this term.",
                )
                for _ in range(open_needs // 4)
            ),
            batch_size=1000,
            ignore_conflicts=True,
        )
    return p, True


def drop_partnership(slug: str) -> None:
    from django.db import transaction
    from django_scopes import scopes_disabled

    from brokerage.models import (
        AgreementOutcome,
        CategoryOverride,
        DeliverySession,
        Need,
        NeedDecline,
        Offer,
        SupportAgreement,
    )
    from partnership.models import Area, Partnership, User
    from schools.models import LocalAuthority, School

    with scopes_disabled(), transaction.atomic():
        # Children first: agreements RESTRICT their needs and offers, areas are PROTECTed.
        for model in (
            DeliverySession,
            AgreementOutcome,
            NeedDecline,
            CategoryOverride,
            SupportAgreement,
            Need,
            Offer,
            School,
            Area,
            LocalAuthority,
        ):
            model.objects.filter(partnership__slug=slug).delete()
        Partnership.objects.filter(slug=slug).delete()
        User.objects.filter(email=f"admin.{slug}@{USER_DOMAIN}").delete()


# --- Measuring ------------------------------------------------------------------------


def percentile_95(timings: list[float]) -> float:
    if len(timings) < 2:
        return timings[0]
    return statistics.quantiles(timings, n=20, method="inclusive")[18]


def queries_of(action: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def timed(action: Callable[[], object], cpu: list[float] | None = None) -> float:
    """Wall-clock milliseconds of one run; with `cpu`, also append the process's CPU
    milliseconds (SQLite runs in-process), which a busy machine inflates far less."""
    start, start_cpu = time.perf_counter(), time.process_time()
    action()
    if cpu is not None:
        cpu.append((time.process_time() - start_cpu) * 1000)
    return (time.perf_counter() - start) * 1000


def run(args: argparse.Namespace, database: str) -> int:
    import django
    from django.core.management import call_command
    from django.db import connection

    from brokerage import selectors, views
    from brokerage.models import Need
    from partnership.tenancy import tenant_scope
    from schools.models import School

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    large, built_large = build_partnership(
        LARGE_SLUG,
        schools=args.schools,
        offers=args.offers,
        open_needs=max(args.needs * 10, 2000),
        history=args.offers // 2,
    )
    small, built_small = build_partnership(
        SMALL_SLUG,
        schools=SMALL_SCHOOLS,
        offers=SMALL_OFFERS,
        open_needs=SMALL_NEEDS,
        history=300,
    )
    # Planner statistics, as PostgreSQL's autovacuum keeps them: without them SQLite reads
    # a need's agreements through the partnership index (every agreement) instead of the
    # need's. A SQLite deployment gets the same from `PRAGMA optimize`.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    setup = time.perf_counter() - started
    built = "built" if built_large or built_small else "reused"
    print(
        f"Brokerage ranking ({built}, setup {setup:.1f} s) | {database}: {connection.vendor} | "
        f"Python {platform.python_version()} | Django {django.get_version()} | DEBUG off"
    )
    failures = []
    limit = views.SUGGESTIONS_SHOWN
    header = ("case", "median ms", "p95 ms", "max ms", "CPU median ms", "queries")

    def row(label: str, wall: list[float], cpu: list[float], queries: int) -> tuple[str, ...]:
        return (
            label,
            f"{statistics.median(wall):.1f}",
            f"{percentile_95(wall):.1f}",
            f"{max(wall):.1f}",
            f"{statistics.median(cpu):.1f}",
            str(queries),
        )

    with tenant_scope(large):
        n_schools, n_offers = School.objects.count(), selectors.open_offers().count()
        all_open = list(
            Need.objects.filter(status=Need.Status.OPEN).order_by("pk").values_list("pk", flat=True)
        )
        sample = random.Random(2026).sample(all_open, min(args.needs, len(all_open)))
        needs = [selectors.need_detail(pk) for pk in sample]
        for need in needs[:3]:  # warm up
            selectors.match_suggestions(need, limit=limit)
        one_cpu: list[float] = []
        one = [
            timed(lambda n=need: selectors.match_suggestions(n, limit=limit), one_cpu)
            for need in needs
        ]
        page_cpu: list[float] = []
        page = [
            timed(
                lambda pk=pk: selectors.match_suggestions(selectors.need_detail(pk), limit=limit),
                page_cpu,
            )
            for pk in sample
        ]
        sizes = [
            len(r.suggestions) + r.more_suggestions + len(r.held_back) + r.more_held_back
            for r in (selectors.match_suggestions(n, limit=limit) for n in needs[:20])
        ]
        one_queries = queries_of(lambda: selectors.match_suggestions(needs[0], limit=limit))
        page_queries = queries_of(
            lambda: selectors.match_suggestions(selectors.need_detail(sample[0]), limit=limit)
        )
        board_cpu: list[float] = []
        board = [
            timed(lambda: selectors.brokerage_dashboard(partnership=large), board_cpu)
            for _ in range(5)
        ]
        board_queries = queries_of(lambda: selectors.brokerage_dashboard(partnership=large))
    print(
        f"\nLarge partnership: {n_schools:,} schools, {n_offers:,} open offers with days left, "
        f"{len(all_open):,} open needs; {len(needs)} needs timed one by one "
        f"(candidate offers per need: median {statistics.median(sizes):.0f}, max {max(sizes)})"
    )
    table(
        header,
        [
            row(f"rank one need (best {limit} loaded)", one, one_cpu, one_queries),
            row("load the need + rank it (the page's reads)", page, page_cpu, page_queries),
            row("dashboard selector (5 runs)", board, board_cpu, board_queries),
        ],
    )
    if percentile_95(one) > 100:
        failures.append(f"one need: p95 {percentile_95(one):.1f} ms is over the 100 ms target")

    with tenant_scope(small):
        n_small_schools = School.objects.count()
        n_small_offers = selectors.open_offers().count()
        open_small = Need.objects.filter(status=Need.Status.OPEN)
        n_small_needs = open_small.count()
        selectors.rank_open_needs()  # warm up
        batch_cpu: list[float] = []
        batch = [timed(selectors.rank_open_needs, batch_cpu) for _ in range(5)]
        batch_queries = queries_of(selectors.rank_open_needs)
        suggested = sum(len(r.suggestions) for r in selectors.rank_open_needs().values())
        loop_needs = [selectors.need_detail(pk) for pk in open_small.values_list("pk", flat=True)]

        def one_by_one() -> None:
            for need in loop_needs:
                selectors.match_suggestions(need, limit=limit)

        loop_cpu: list[float] = []
        loop = [timed(one_by_one, loop_cpu)]
        loop_queries = queries_of(one_by_one)
    print(
        f"\n{n_small_schools}-school partnership: {n_small_needs} open needs, "
        f"{n_small_offers} open offers with days left ({suggested:,} suggestions in all)"
    )
    table(
        header,
        [
            row("rank every open need (rank_open_needs, 5 runs)", batch, batch_cpu, batch_queries),
            row("one match_suggestions() per need (1 run)", loop, loop_cpu, loop_queries),
        ],
    )
    if max(batch) > 5000:
        failures.append(f"whole partnership: {max(batch):.0f} ms is over the 5 s target")
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\nLoad average at the end: {load} (on {os.cpu_count()} CPUs)")
    for failure in failures:
        print(f"TARGET MISSED: {failure}", file=sys.stderr)
    return 1 if failures else 0


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=25_000, help="schools, large partnership")
    parser.add_argument("--offers", type=int, default=10_000, help="open offers, large partnership")
    parser.add_argument("--needs", type=int, default=200, help="needs timed one by one")
    parser.add_argument(
        "--drop", action="store_true", help="with DATABASE_URL: delete the bench data at the end"
    )
    args = parser.parse_args()

    throwaway = None if os.environ.get("DATABASE_URL") else Path(tempfile.mkdtemp(prefix="bench-"))
    database = configure(throwaway)
    try:
        setup_django()
        status = run(args, database)
        if throwaway is None and args.drop:
            drop_partnership(LARGE_SLUG)
            drop_partnership(SMALL_SLUG)
        return status
    finally:
        from django.db import connections

        connections.close_all()
        if throwaway is not None:
            shutil.rmtree(throwaway, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
