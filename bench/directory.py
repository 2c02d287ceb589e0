"""Benchmark: the school directory of a large partnership. Prints figures; not a test.

    make bench                                   # every bench/*.py
    .venv/bin/python bench/directory.py [--schools 5000] [--runs 20] [--drop]

Without DATABASE_URL it builds a throwaway SQLite database in a temporary folder and
deletes it at the end. With DATABASE_URL (e.g. PostgreSQL) it uses that database, reusing
the bench partnership (slug "bench-directory") of an earlier run with the same size;
--drop deletes that partnership and its bench users afterwards.

For each case it times the selector (count + first page, as the view pages it) and the
whole page through Django's test client signed in as the partnership admin, and prints
median and 95th-percentile milliseconds and the queries each takes.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SLUG = "bench-directory"
USER_DOMAIN = "bench-directory.invalid"
PAGE_SIZE = 25


def configure(database_dir: Path | None) -> str:
    """Production-like settings (DEBUG off) that need no secrets or servers."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "partnership.settings"
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    # Tasks in-process and a local-memory cache: nothing to start for a benchmark.
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    if database_dir is not None:
        os.environ["DATABASE_URL"] = f"sqlite:///{database_dir / 'bench.sqlite3'}"
        return "SQLite (throwaway)"
    return "DATABASE_URL"


def setup_django() -> None:
    import django
    from django.test.utils import override_settings

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    # DEBUG off normally needs collectstatic's manifest; the benchmark measures Python and
    # SQL, not static files, so plain storage keeps it independent of a build step.
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()


# --- Data -----------------------------------------------------------------------------

PLACES = [
    "Aberaeron", "Abertawe", "Bethesda", "Bro Dinefwr", "Brynaman", "Caerau", "Castell",
    "Cefn", "Cwm Rhymni", "Dyffryn", "Glan Morfa", "Gwaun", "Llanbedr", "Llandeilo",
    "Llanelli", "Llangennech", "Maesteg", "Morriston", "Nant", "Pen-y-bryn", "Pontarddulais",
    "Porth", "Rhydaman", "Sandfields", "Tregaron", "Ystalyfera",
]  # fmt: skip
KINDS = ["Ysgol Gynradd", "Ysgol Uwchradd", "Primary School", "Comprehensive School", "Ysgol"]


def build_partnership(n_schools: int):
    """The bench partnership with n_schools schools, built with bulk_create; reused if present."""
    from django.db import transaction
    from django_scopes import scopes_disabled

    from partnership import services
    from partnership.models import Membership, Partnership, Role, User
    from schools.models import (
        Cluster,
        LanguageMedium,
        LocalAuthority,
        Phase,
        School,
        SchoolImprovementGroup,
        SupportCategory,
    )

    with scopes_disabled():
        existing = Partnership.objects.filter(slug=SLUG).first()
        if existing is not None:
            if School.objects.filter(partnership=existing).count() == n_schools:
                return existing, False
            drop_partnership()

    rng = random.Random(2026)
    with transaction.atomic(), scopes_disabled():
        partnership = services.create_partnership(
            name="Bench Partnership", slug=SLUG, country="wales"
        )
        admin = User.objects.create_user(email=f"admin@{USER_DOMAIN}", full_name="Bench Admin")
        services.grant_membership(partnership=partnership, user=admin, role=Role.PARTNERSHIP_ADMIN)
        User.objects.bulk_create(
            User(email=f"ca{i}@{USER_DOMAIN}", full_name=f"Adviser {i}") for i in range(40)
        )
        advisers = list(User.objects.filter(email__startswith="ca", email__endswith=USER_DOMAIN))
        Membership.objects.bulk_create(
            Membership(partnership=partnership, user=u, role=Role.CHALLENGE_ADVISER)
            for u in advisers
        )
        LocalAuthority.objects.bulk_create(
            LocalAuthority(partnership=partnership, name=f"County {i:02d}", code=f"{660 + i}")
            for i in range(22)
        )
        authorities = list(LocalAuthority.objects.filter(partnership=partnership))
        Cluster.objects.bulk_create(
            Cluster(partnership=partnership, name=f"Cluster {i:03d}")
            for i in range(max(1, n_schools // 20))
        )
        clusters = list(Cluster.objects.filter(partnership=partnership))

        phases = [Phase.PRIMARY] * 14 + [Phase.SECONDARY] * 3 + [
            Phase.NURSERY, Phase.ALL_THROUGH, Phase.SPECIAL, Phase.PRU
        ]  # fmt: skip
        media = [LanguageMedium.ENGLISH] * 5 + [LanguageMedium.WELSH] * 3 + [
            LanguageMedium.BILINGUAL, LanguageMedium.DUAL_STREAM
        ]  # fmt: skip
        categories = [*SupportCategory.values, SupportCategory.GREEN, SupportCategory.YELLOW, ""]
        School.objects.bulk_create(
            (
                School(
                    partnership=partnership,
                    official_number=f"{6600000 + i}",
                    name=f"{rng.choice(KINDS)} {rng.choice(PLACES)} {i}",
                    phase=rng.choice(phases),
                    language_medium=rng.choice(media),
                    local_authority=rng.choice(authorities),
                    cluster=rng.choice(clusters) if rng.random() < 0.8 else None,
                    pupils=rng.randint(20, 1800),
                    fsm_percent=Decimal(rng.randint(0, 600)) / 10,
                    postcode=f"SA{rng.randint(1, 99)} {rng.randint(1, 9)}AB",
                    support_category=rng.choice(categories),
                    challenge_adviser=rng.choice(advisers),
                )
                for i in range(n_schools)
            ),
            batch_size=500,
        )
        school_ids = list(
            School.objects.filter(partnership=partnership)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        SchoolImprovementGroup.objects.bulk_create(
            SchoolImprovementGroup(partnership=partnership, name=f"SIG {i:04d}")
            for i in range(max(1, n_schools // 8))
        )
        sigs = list(SchoolImprovementGroup.objects.filter(partnership=partnership).order_by("pk"))
        through = SchoolImprovementGroup.schools.through
        rng.shuffle(school_ids)
        through.objects.bulk_create(
            (
                through(schoolimprovementgroup_id=sig.pk, school_id=school_id)
                for n, sig in enumerate(sigs)
                for school_id in school_ids[n * 8 : n * 8 + 8]
            ),
            batch_size=1000,
        )
    return partnership, True


def drop_partnership() -> None:
    from django_scopes import scopes_disabled

    from partnership.models import Partnership, User
    from schools.models import School

    with scopes_disabled():
        # Schools first: School.local_authority is PROTECT, which blocks the cascade.
        School.objects.filter(partnership__slug=SLUG).delete()
        Partnership.objects.filter(slug=SLUG).delete()
        User.objects.filter(email__endswith=f"@{USER_DOMAIN}").delete()


# --- Measuring ------------------------------------------------------------------------


def measure(action: Callable[[], object], runs: int) -> tuple[float, float, int]:
    """(median ms, p95 ms, queries of one run) over `runs` runs after two warm-ups."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        action()
    with CaptureQueriesContext(connection) as captured:
        action()
    # Count now: the next request's request_started signal clears the connection's log.
    queries = len(captured)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    p95 = statistics.quantiles(timings, n=20, method="inclusive")[18] if runs > 1 else timings[0]
    return statistics.median(timings), p95, queries


def cases() -> list[tuple[str, dict, dict]]:
    """(label, selector filters, query string) for each case."""
    from schools.models import Cluster, LocalAuthority, School, SchoolImprovementGroup

    authority = LocalAuthority.objects.order_by("name").first()
    cluster = Cluster.objects.order_by("name")[5]
    sig = SchoolImprovementGroup.objects.order_by("name")[10]
    number = School.objects.order_by("pk")[1234 % School.objects.count()].official_number
    return [
        ("all schools, page 1", {}, {}),
        ("all schools, page 100", {}, {"page": 100}),
        ("local authority", {"local_authority": authority}, {"local_authority": authority.pk}),
        (
            "phase + language medium",
            {"phase": "primary", "language_medium": "welsh"},
            {"phase": "primary", "language_medium": "welsh"},
        ),
        ("support category red", {"category": "red"}, {"category": "red"}),
        ("cluster", {"cluster": cluster}, {"cluster": cluster.pk}),
        ("school improvement group", {"sig": sig}, {"sig": sig.pk}),
        ("search name 'ysgol'", {"q": "ysgol"}, {"q": "ysgol"}),
        ("search postcode 'SA3'", {"q": "SA3"}, {"q": "SA3"}),
        ("search official number", {"q": number}, {"q": number}),
        (
            "all filters + search",
            {"q": "ysgol", "local_authority": authority, "phase": "primary", "category": "amber"},
            {
                "q": "ysgol",
                "local_authority": authority.pk,
                "phase": "primary",
                "category": "amber",
            },
        ),
    ]


def run(n_schools: int, runs: int, database: str) -> int:
    import django
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client

    from partnership.models import User
    from partnership.tenancy import tenant_scope
    from schools import selectors
    from schools.models import Cluster, LocalAuthority, School, SchoolImprovementGroup

    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    partnership, built = build_partnership(n_schools)
    setup_seconds = time.perf_counter() - start

    admin = User.objects.get(email=f"admin@{USER_DOMAIN}")
    client = Client()
    client.force_login(admin)
    url = f"/p/{SLUG}/schools/"

    with tenant_scope(partnership):
        counts = (
            School.objects.count(),
            LocalAuthority.objects.count(),
            Cluster.objects.count(),
            SchoolImprovementGroup.objects.count(),
        )
        table = cases()

    print(
        f"School directory: {counts[0]:,} schools, {counts[1]} local authorities, "
        f"{counts[2]} clusters, {counts[3]} SIGs "
        f"({'built' if built else 'reused'}, setup {setup_seconds:.1f} s)"
    )
    print(
        f"{database}: {connection.vendor} | Python {platform.python_version()} | "
        f"Django {django.get_version()} | {runs} timed runs per case, DEBUG off"
    )
    header = ("case", "matches", "selector ms (median / p95)", "q", "page ms (median / p95)", "q")
    rows = []
    failures = []
    for label, filters, query in table:

        def select(filters=filters) -> int:
            with tenant_scope(partnership):
                schools = selectors.school_directory(selectors.DirectoryFilters(**filters))
                page = Paginator(schools, PAGE_SIZE).get_page(1)
                list(page.object_list)
                return page.paginator.count

        def render(query=query, label=label) -> None:
            response = client.get(url, query)
            if response.status_code != 200:
                failures.append(f"{label}: HTTP {response.status_code}")

        matches = select()
        s_median, s_p95, s_queries = measure(select, runs)
        p_median, p_p95, p_queries = measure(render, runs)
        rows.append(
            (
                label,
                f"{matches:,}",
                f"{s_median:.1f} / {s_p95:.1f}",
                str(s_queries),
                f"{p_median:.1f} / {p_p95:.1f}",
                str(p_queries),
            )
        )

    def htmx() -> None:
        response = client.get(url, {"phase": "secondary"}, headers={"HX-Request": "true"})
        if response.status_code != 200:
            failures.append(f"htmx: HTTP {response.status_code}")

    h_median, h_p95, h_queries = measure(htmx, runs)
    rows.append(
        ("htmx results only (phase)", "", "", "", f"{h_median:.1f} / {h_p95:.1f}", str(h_queries))
    )

    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
    for failure in sorted(set(failures)):
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=5000, help="schools in the partnership")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per case")
    parser.add_argument(
        "--drop", action="store_true", help="with DATABASE_URL: delete the bench data at the end"
    )
    args = parser.parse_args()

    throwaway = None if os.environ.get("DATABASE_URL") else Path(tempfile.mkdtemp(prefix="bench-"))
    database = configure(throwaway)
    try:
        setup_django()
        status = run(args.schools, args.runs, database)
        if throwaway is None and args.drop:
            drop_partnership()
        return status
    finally:
        from django.db import connections

        connections.close_all()
        if throwaway is not None:
            shutil.rmtree(throwaway, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
