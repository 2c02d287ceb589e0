"""Benchmark: create and send a round of impact-survey invitations. Prints figures; not a test.

    .venv/bin/python bench/surveys.py [--invitations 10000]

Builds a throwaway SQLite database in a temporary folder (or uses DATABASE_URL, where
it adds a new bench partnership each run), one
partnership with a programme whose first session is today and N confirmed participants,
then times `surveys.services.run_due_work` (what the hourly beat task runs for one
partnership, on one worker): it creates the N start-survey invitations and sends each
through the outbox with the in-memory (locmem) email backend, tasks in-process. Prints the
wall time and the process's peak resident memory.
Target (issue 5): under 60 s and under 300 MB for 10,000 invitations.
"""

from __future__ import annotations

import argparse
import platform
import resource
import shutil
import sys
import tempfile
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The repository first: this script is called surveys.py, and `import surveys` must find the app.
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(REPO / "bench"))

from directory import configure, setup_django  # noqa: E402


def build(participants: int):
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from hubs.models import Enrolment, EnrolmentStatus, Hub, Programme, ProgrammeSession
    from partnership.models import Area
    from partnership.services import create_partnership
    from schools.models import LocalAuthority, School

    # A new partnership each run, so a reused DATABASE_URL needs no clean-up first.
    slug = f"bench-surveys-{int(time.time())}"
    partnership = create_partnership(name="Bench surveys", slug=slug, country="wales")
    with scopes_disabled():
        area = Area.objects.filter(partnership=partnership).first()
        authority = LocalAuthority.objects.create(partnership=partnership, name="Bench LA")
        schools = School.objects.bulk_create(
            School(
                partnership=partnership,
                official_number=f"{6700000 + n}",
                name=f"Bench school {n}",
                phase="primary",
                language_medium="english",
                local_authority=authority,
            )
            for n in range(100)
        )
        today = timezone.localdate()
        hub = Hub.objects.create(
            partnership=partnership,
            name="Bench hub",
            area=area,
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=700),
        )
        programme = Programme.objects.create(
            partnership=partnership,
            hub=hub,
            title="Bench programme",
            description="Benchmark",
            area=area,
            places=participants,
            delivery_language="english",
            status="running",
        )
        for day in (today, today + timedelta(days=60)):
            ProgrammeSession.objects.create(
                partnership=partnership,
                programme=programme,
                date=day,
                starts_at=clock(9),
                ends_at=clock(15),
                venue="Bench hall",
            )
        Enrolment.objects.bulk_create(
            (
                Enrolment(
                    partnership=partnership,
                    programme=programme,
                    school=schools[n % len(schools)],
                    participant_name=f"Teacher {n}",
                    participant_email=f"teacher{n}@bench.invalid",
                    participant_role="teacher",
                    status=EnrolmentStatus.CONFIRMED,
                )
                for n in range(participants)
            ),
            batch_size=1000,
        )
    return partnership


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invitations", type=int, default=10_000)
    args = parser.parse_args()

    import os

    temp = None if os.environ.get("DATABASE_URL") else Path(tempfile.mkdtemp(prefix="bench-"))
    database = configure(temp)
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    try:
        setup_django()
        from django.core import mail
        from django.core.management import call_command
        from django_scopes import scopes_disabled

        from partnership.models import OutboundEmail
        from surveys import services
        from surveys.models import ImpactInvitation

        call_command("migrate", verbosity=0)
        mail.outbox = []
        partnership = build(args.invitations)

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start, cpu_start = time.perf_counter(), time.process_time()
        result = services.run_due_work(partnership=partnership)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        with scopes_disabled():
            invitations = ImpactInvitation.objects.filter(partnership=partnership).count()
            sent = OutboundEmail.objects.filter(
                partnership=partnership, status=OutboundEmail.Status.SENT
            ).count()
        print(f"Impact invitations benchmark ({database}, Python {platform.python_version()})")
        print(f"  participants:           {args.invitations}")
        print(f"  invitations created:    {result.scheduled} (rows: {invitations})")
        print(
            f"  invitations sent:       {result.sent}"
            f" (outbox sent: {sent}, emails: {len(mail.outbox)})"
        )
        print(
            f"  time:                   {elapsed:.1f} s"
            f" ({elapsed / max(result.sent, 1) * 1000:.2f} ms each; {cpu:.1f} s CPU here)"
        )
        print(
            f"  peak resident memory:   {rss_mb:.0f} MB (whole process; {rss_before:.0f} MB before)"
        )
        ok = elapsed < 60 and rss_mb < 300 and len(mail.outbox) == args.invitations
        print(f"  target (< 60 s, < 300 MB, every email once): {'met' if ok else 'NOT met'}")
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
