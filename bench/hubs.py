"""Benchmark: the programme catalogue of a busy partnership. Prints figures; not a test.

    make bench                                   # every bench/*.py
    .venv/bin/python bench/hubs.py [--programmes 2000] [--enrolments 50000] [--runs 20] [--drop]

Without DATABASE_URL it builds a throwaway SQLite database in a temporary folder and
deletes it at the end. With DATABASE_URL (e.g. PostgreSQL) it uses that database, reusing
the bench partnership (slug "bench-hubs") of an earlier run with the same size; --drop
deletes that partnership and its bench users afterwards.

For each case it times the catalogue selector (count + first page, as the view pages it)
and the whole page through Django's test client signed in as a headteacher, and prints the
median and 95th-percentile milliseconds and the queries each takes. It also times the
programmes API list, the value-for-money page and one hub's value-for-money page. On
PostgreSQL it runs ANALYZE first, as autovacuum would after the bulk load.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The repository first: this script is called hubs.py, and `import hubs` must find the app.
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(REPO / "bench"))

from directory import configure, measure, setup_django  # noqa: E402

SLUG = "bench-hubs"
USER_DOMAIN = "bench-hubs.invalid"
N_SCHOOLS = 600
N_HUBS = 60
SESSIONS_PER_PROGRAMME = 3

TOPICS = [
    "Maths mastery", "Early reading", "Oracy", "Science enquiry", "Coding", "Leadership",
    "Assessment for learning", "Wellbeing", "Welsh for staff", "Phonics", "Disciplinary literacy",
    "Inclusion", "Curriculum design", "Coaching", "Numeracy across the curriculum",
]  # fmt: skip
AUDIENCES = ["key stage 2", "the early years", "middle leaders", "new teachers", "all staff"]


def build_partnership(n_programmes: int, n_enrolments: int):
    """The bench partnership, built with bulk_create; reused if present with the same size."""
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from hubs.models import (
        Attendance,
        AudienceRole,
        BudgetLine,
        Deliverable,
        DeliverableKind,
        DeliverableStatus,
        DeliveryLanguage,
        Enrolment,
        EnrolmentStatus,
        Hub,
        Programme,
        ProgrammeSession,
        ProgrammeStatus,
        ServiceLevelAgreement,
    )
    from partnership import services
    from partnership.models import Area, Partnership, Role, User
    from schools.models import LocalAuthority, Phase, School

    with scopes_disabled():
        existing = Partnership.objects.filter(slug=SLUG).first()
        if existing is not None:
            same = (
                Programme.objects.filter(partnership=existing).count() == n_programmes
                and Enrolment.objects.filter(partnership=existing).count() == n_enrolments
            )
            if same:
                return existing, False
            drop_partnership()

    rng = random.Random(2026)
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic(), scopes_disabled():
        partnership = services.create_partnership(
            name="Bench Hubs Partnership", slug=SLUG, country="wales"
        )
        areas = list(Area.objects.filter(partnership=partnership))
        authority = LocalAuthority.objects.create(partnership=partnership, name="County", code="1")
        phases = [Phase.PRIMARY] * 6 + [Phase.SECONDARY] * 2 + [Phase.NURSERY, Phase.SPECIAL]
        School.objects.bulk_create(
            School(
                partnership=partnership,
                official_number=f"{7700000 + i}",
                name=f"Bench School {i}",
                phase=rng.choice(phases),
                local_authority=authority,
            )
            for i in range(N_SCHOOLS)
        )
        schools = list(School.objects.filter(partnership=partnership).order_by("pk"))

        admin = User.objects.create_user(email=f"admin@{USER_DOMAIN}", full_name="Bench Admin")
        services.grant_membership(partnership=partnership, user=admin, role=Role.PARTNERSHIP_ADMIN)
        head = User.objects.create_user(email=f"head@{USER_DOMAIN}", full_name="Bench Head")
        services.grant_membership(
            partnership=partnership, user=head, role=Role.HEADTEACHER, school=schools[0]
        )

        Hub.objects.bulk_create(
            Hub(
                partnership=partnership,
                name=f"Bench hub {i:02d}",
                area=areas[i % len(areas)],
                starts_on=today - timedelta(days=200),
                ends_on=today + timedelta(days=530),
            )
            for i in range(N_HUBS)
        )
        hubs = list(Hub.objects.filter(partnership=partnership).order_by("pk"))
        through = Hub.schools.through
        through.objects.bulk_create(
            through(hub_id=hub.pk, school_id=schools[(n * 7 + k) % N_SCHOOLS].pk)
            for n, hub in enumerate(hubs)
            for k in range(1 + n % 3)
        )
        ServiceLevelAgreement.objects.bulk_create(
            ServiceLevelAgreement(
                partnership=partnership,
                hub=hub,
                starts_on=hub.starts_on,
                ends_on=hub.ends_on,
                funding=Decimal(rng.choice((12000, 15000, 20000, 25000))),
            )
            for hub in hubs
        )
        agreements = list(ServiceLevelAgreement.objects.filter(partnership=partnership))
        BudgetLine.objects.bulk_create(
            BudgetLine(
                partnership=partnership,
                agreement=agreement,
                category="staffing",
                description="Supply cover",
                planned=Decimal(8000),
                actual=Decimal(rng.randint(1000, 8000)),
            )
            for agreement in agreements
        )
        Deliverable.objects.bulk_create(
            Deliverable(
                partnership=partnership,
                agreement=agreement,
                kind=DeliverableKind.NETWORK_MEETINGS,
                title=f"Network meeting {k + 1}",
                due_on=today + timedelta(days=90 * k - 120),
                status=rng.choice(DeliverableStatus.values),
            )
            for agreement in agreements
            for k in range(4)
        )

        statuses = (
            [ProgrammeStatus.OPEN] * 11
            + [ProgrammeStatus.FULL] * 3
            + [ProgrammeStatus.RUNNING] * 3
            + [ProgrammeStatus.FINISHED] * 2
            + [ProgrammeStatus.DRAFT]
        )
        programmes = []
        for i in range(n_programmes):
            hub = hubs[i % N_HUBS]
            free = rng.random() < 0.8
            programmes.append(
                Programme(
                    partnership=partnership,
                    hub=hub,
                    title=f"{rng.choice(TOPICS)} for {rng.choice(AUDIENCES)} ({i})",
                    description="Sessions with gap tasks in class and a lesson study.",
                    area=hub.area,
                    phases=rng.sample(Phase.values, k=rng.choice((0, 1, 2))),
                    audience_roles=rng.sample(AudienceRole.values, k=rng.choice((0, 1, 2))),
                    places=rng.randint(15, 40),
                    delivery_language=rng.choice(DeliveryLanguage.values),
                    is_free=free,
                    price=None if free else Decimal(rng.choice((30, 45, 60))),
                    status=rng.choice(statuses),
                )
            )
        Programme.objects.bulk_create(programmes, batch_size=500)
        programmes = list(Programme.objects.filter(partnership=partnership).order_by("pk"))

        sessions = []
        for programme in programmes:
            if programme.status == ProgrammeStatus.FINISHED:
                start = -rng.randint(60, 200)
            elif programme.status == ProgrammeStatus.RUNNING:
                start = -rng.randint(10, 40)
            else:
                start = rng.randint(7, 240)
            for k in range(SESSIONS_PER_PROGRAMME):
                sessions.append(
                    ProgrammeSession(
                        partnership=partnership,
                        programme=programme,
                        position=k,
                        date=today + timedelta(days=start + 21 * k),
                        starts_at="09:30",
                        ends_at="15:30",
                        venue=f"Bench School {programme.pk % N_SCHOOLS}",
                    )
                )
        ProgrammeSession.objects.bulk_create(sessions, batch_size=1000)

        # Enrolments spread over the published programmes; drafts get none.
        published = [p for p in programmes if p.status != ProgrammeStatus.DRAFT]
        enrolments = []
        for n in range(n_enrolments):
            programme = published[n % len(published)]
            position = n // len(published)
            if rng.random() < 0.03:
                status = EnrolmentStatus.CANCELLED
            elif position < programme.places:
                status = EnrolmentStatus.CONFIRMED
            else:
                status = EnrolmentStatus.WAITLISTED
            enrolments.append(
                Enrolment(
                    partnership=partnership,
                    programme=programme,
                    school=schools[rng.randrange(N_SCHOOLS)],
                    participant_name=f"Teacher {n}",
                    participant_email=f"teacher{n}@{USER_DOMAIN}",
                    participant_role=AudienceRole.TEACHER,
                    status=status,
                    created_at=now - timedelta(days=30, minutes=n),
                )
            )
        Enrolment.objects.bulk_create(enrolments, batch_size=1000)

        # Registers of every session already held.
        held = ProgrammeSession.objects.filter(partnership=partnership, date__lt=today)
        confirmed: dict[int, list[int]] = {}
        for enrolment_id, programme_id in Enrolment.objects.filter(
            partnership=partnership, status=EnrolmentStatus.CONFIRMED
        ).values_list("pk", "programme_id"):
            confirmed.setdefault(programme_id, []).append(enrolment_id)
        Attendance.objects.bulk_create(
            (
                Attendance(
                    partnership=partnership,
                    session_id=session_id,
                    enrolment_id=enrolment_id,
                    attended=rng.random() < 0.87,
                )
                for session_id, programme_id in held.values_list("pk", "programme_id")
                for enrolment_id in confirmed.get(programme_id, [])
            ),
            batch_size=1000,
        )
    return partnership, True


def drop_partnership() -> None:
    from django_scopes import scopes_disabled

    from hubs.models import Hub, Programme
    from partnership.models import Partnership, User
    from schools.models import School

    with scopes_disabled():
        # Programmes and hubs first: their areas are PROTECTed, which blocks the cascade.
        Programme.objects.filter(partnership__slug=SLUG).delete()
        Hub.objects.filter(partnership__slug=SLUG).delete()
        School.objects.filter(partnership__slug=SLUG).delete()
        Partnership.objects.filter(slug=SLUG).delete()
        User.objects.filter(email__endswith=f"@{USER_DOMAIN}").delete()


def cases() -> list[tuple[str, dict, dict]]:
    """(label, selector filters, query string) for each catalogue case."""
    from django.utils import timezone

    from partnership.models import Area

    area = Area.objects.order_by("position").first()
    today = timezone.localdate()
    soon = today + timedelta(days=60)
    return [
        ("all programmes, page 1", {}, {}),
        ("all programmes, page 20", {}, {"page": 20}),
        ("area", {"area": area}, {"area": area.pk}),
        (
            "phase + language",
            {"phase": "primary", "language": "welsh"},
            {"phase": "primary", "language": "welsh"},
        ),
        ("search 'maths'", {"q": "maths"}, {"q": "maths"}),
        (
            "free, next 60 days",
            {"free_only": True, "starts_from": today, "starts_to": soon},
            {"free_only": "on", "starts_from": today.isoformat(), "starts_to": soon.isoformat()},
        ),
        (
            "all filters + search",
            {
                "q": "for",
                "area": area,
                "phase": "primary",
                "language": "english",
                "free_only": True,
                "starts_from": today,
            },
            {
                "q": "for",
                "area": area.pk,
                "phase": "primary",
                "language": "english",
                "free_only": "on",
                "starts_from": today.isoformat(),
            },
        ),
    ]


def run(n_programmes: int, n_enrolments: int, runs: int, database: str) -> int:
    import django
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client

    from hubs import selectors, views
    from hubs.models import Attendance, Enrolment, Hub, Programme, ProgrammeSession
    from partnership.models import User
    from partnership.tenancy import tenant_scope

    start = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    partnership, built = build_partnership(n_programmes, n_enrolments)
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum gathers after a bulk load; without them the planner
        # guesses one row per table and loops over every session for each programme.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    setup_seconds = time.perf_counter() - start

    head = Client()
    head.force_login(User.objects.get(email=f"head@{USER_DOMAIN}"))
    admin = Client()
    admin.force_login(User.objects.get(email=f"admin@{USER_DOMAIN}"))
    base = f"/p/{SLUG}"

    with tenant_scope(partnership):
        counts = (
            Programme.objects.count(),
            ProgrammeSession.objects.count(),
            Enrolment.objects.count(),
            Attendance.objects.count(),
            Hub.objects.count(),
        )
        table = cases()
        busiest = Hub.objects.order_by("pk").first().pk

    print(
        f"Programme catalogue: {counts[0]:,} programmes, {counts[1]:,} sessions, "
        f"{counts[2]:,} enrolments, {counts[3]:,} register marks, {counts[4]} hubs "
        f"({'built' if built else 'reused'}, setup {setup_seconds:.1f} s)"
    )
    print(
        f"{database}: {connection.vendor} | Python {platform.python_version()} | "
        f"Django {django.get_version()} | {runs} timed runs per case, DEBUG off"
    )
    header = ("case", "matches", "selector ms (median / p95)", "q", "page ms (median / p95)", "q")
    rows = []
    failures: list[str] = []

    def get(client: Client, url: str, query: dict | None = None, label: str = "", **kw) -> None:
        response = client.get(url, query or {}, **kw)
        if response.status_code != 200:
            failures.append(f"{label or url}: HTTP {response.status_code}")

    for label, filters, query in table:

        def select(filters=filters) -> int:
            with tenant_scope(partnership):
                programmes = selectors.catalogue(selectors.CatalogueFilters(**filters))
                page = Paginator(programmes, views.PAGE_SIZE).get_page(1)
                list(page.object_list)
                return page.paginator.count

        matches = select()
        s_median, s_p95, s_queries = measure(select, runs)
        p_median, p_p95, p_queries = measure(
            lambda query=query, label=label: get(head, f"{base}/programmes/", query, label), runs
        )
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

    extras = [
        (
            "htmx results only (phase)",
            lambda: get(
                head, f"{base}/programmes/", {"phase": "secondary"}, headers={"HX-Request": "true"}
            ),
        ),
        ("API programmes, page 1 (50)", lambda: get(head, f"/api/p/{SLUG}/hubs/programmes/")),
        ("value for money, every hub", lambda: get(admin, f"{base}/hubs/value/")),
        ("value for money, one hub", lambda: get(admin, f"{base}/hubs/{busiest}/value/")),
    ]
    for label, action in extras:
        median, p95, queries = measure(action, runs)
        rows.append((label, "", "", "", f"{median:.1f} / {p95:.1f}", str(queries)))

    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
    for failure in sorted(set(failures)):
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programmes", type=int, default=2000, help="programmes in all")
    parser.add_argument("--enrolments", type=int, default=50000, help="enrolments in all")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per case")
    parser.add_argument(
        "--drop", action="store_true", help="with DATABASE_URL: delete the bench data at the end"
    )
    args = parser.parse_args()

    throwaway = None if os.environ.get("DATABASE_URL") else Path(tempfile.mkdtemp(prefix="bench-"))
    database = configure(throwaway)
    try:
        setup_django()
        status = run(args.programmes, args.enrolments, args.runs, database)
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
