"""Load the demo partnerships, or a large partnership for scale tests.

    python manage.py seed_demo                 # the Welsh consortium and the London borough
    python manage.py seed_demo --schools 10000 # the "scale-test" partnership with 10,000 schools
    python manage.py seed_demo --quiet         # without the table of logins (-v 0: silent)

Idempotent: a second run adds only what is missing and changes nothing that is there.
Every demo user has the published password partnership.demo.DEMO_PASSWORD, so the
command refuses to run with DEBUG off unless --force is given. See docs/demo.md.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils.translation import gettext as _

from partnership import demo
from partnership.models import Role


class Command(BaseCommand):
    help = _(
        "Load the demo partnerships (a Welsh consortium of about 400 schools and a London "
        "borough of about 60) with one login per role, or with --schools N a large "
        "partnership for scale tests. Running it again adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schools",
            type=int,
            metavar="N",
            help=_(
                'Instead of the demo partnerships, build the partnership "%(slug)s" with N '
                "schools (or extend it to N)."
            )
            % {"slug": demo.SCALE_SLUG},
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Run even though DEBUG is off (never on a server real people use)."),
        )
        parser.add_argument(
            "--quiet", action="store_true", help=_("Do not print the table of demo logins.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                _(
                    "Refusing to load demo data because DEBUG is off. The demo creates users "
                    'whose password, "%(password)s", is published, so anyone could sign in '
                    "as them. Run it with DEBUG=true on your own machine, or add --force if "
                    "this really is a throwaway server."
                )
                % {"password": demo.DEMO_PASSWORD}
            )
        schools = options["schools"]
        if schools is not None and schools < 1:
            raise CommandError(_("--schools must be a whole number of at least 1."))
        blueprints = demo.DEMO_BLUEPRINTS if schools is None else (demo.scale_blueprint(schools),)

        started = time.perf_counter()
        password_hash = demo.demo_password_hash()
        results = [demo.seed(blueprint, password_hash=password_hash) for blueprint in blueprints]
        if options["verbosity"] == 0:
            return
        for result in results:
            self._summary(result)
        if not options["quiet"]:
            self._logins(results)
        self.stdout.write(
            _("Done in %(seconds).1f s.") % {"seconds": time.perf_counter() - started}
        )

    def _summary(self, result: demo.SeedResult) -> None:
        partnership = result.partnership
        url = reverse("home", kwargs={"partnership_slug": partnership.slug})
        self.stdout.write(f"{partnership.name} ({url}): {demo.describe(result.totals)}.")
        if result.created:
            added = demo.describe(result.created)
            self.stdout.write("  " + _("Added: %(added)s.") % {"added": added})
        else:
            self.stdout.write("  " + _("Nothing to add: the demo data was already complete."))

    def _logins(self, results: list[demo.SeedResult]) -> None:
        header = (_("Partnership"), _("Role"), _("Email"))
        rows = [
            (result.partnership.name, str(Role(role).label), email)
            for result in results
            for role, email in result.logins
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(
                cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
            ).rstrip()

        self.stdout.write("")
        self.stdout.write(
            _("Demo logins (one per role). Every demo user's password is: %(password)s")
            % {"password": demo.DEMO_PASSWORD}
        )
        self.stdout.write(
            _("Sign in at %(url)s") % {"url": settings.SITE_URL + reverse("account_login")}
        )
        self.stdout.write("")
        self.stdout.write(line(header))
        self.stdout.write(line(tuple("-" * width for width in widths)))
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write("")
