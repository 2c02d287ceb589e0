"""Create a partnership (a tenant) and its first partnership admin.

    python manage.py create_partnership --name "Cwm Partnership" --slug cwm \\
        --country wales --admin-email gwen@example.org [--admin-name "Gwen Morgan"] [--language cy]

A person without an account is invited (the email goes through the outbox, and the link is
printed so the operator can pass it on if the email does not arrive); a person who already
has an account, e.g. an admin of another partnership, is made admin at once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from partnership import services
from partnership.areas import default_areas
from partnership.models import Country, Partnership, Role


class Command(BaseCommand):
    help = _("Create a partnership and invite (or appoint) its first partnership admin.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help=_("Full name of the partnership."))
        parser.add_argument(
            "--slug", required=True, help=_("Short name in web addresses: /p/<slug>/.")
        )
        parser.add_argument("--country", required=True, choices=Country.values)
        parser.add_argument(
            "--admin-email", required=True, help=_("Email address of the first admin.")
        )
        parser.add_argument("--admin-name", default="", help=_("Full name of the first admin."))
        parser.add_argument(
            "--language",
            default="en",
            choices=[code for code, _name in settings.LANGUAGES],
            help=_("Default language of the partnership's emails and reports."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["admin_email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(_("Enter a valid email address for --admin-email.")) from None
        fields = {
            "name": options["name"].strip(),
            "slug": options["slug"].strip(),
            "country": options["country"],
            "default_language": options["language"],
        }
        try:
            Partnership(**fields).full_clean()
        except ValidationError as error:
            raise CommandError(_describe(error)) from None

        existing = get_user_model().objects.filter(email__iexact=email).first()
        with transaction.atomic():
            partnership = services.create_partnership(**fields)
            if existing is not None:
                services.grant_membership(
                    partnership=partnership, user=existing, role=Role.PARTNERSHIP_ADMIN
                )
                invitation = None
            else:
                invitation = services.invite_person(
                    actor=None,
                    partnership=partnership,
                    email=email,
                    role=Role.PARTNERSHIP_ADMIN,
                    full_name=options["admin_name"],
                )

        home = settings.SITE_URL + reverse("home", kwargs={"partnership_slug": partnership.slug})
        self.stdout.write(
            _('Created the partnership "%(name)s" (%(country)s) with %(areas)d areas: %(url)s')
            % {
                "name": partnership.name,
                "country": partnership.get_country_display(),
                "areas": len(default_areas(partnership.country)),
                "url": home,
            }
        )
        if invitation is None:
            self.stdout.write(
                _("%(email)s already has an account and is now a partnership admin.")
                % {"email": email}
            )
            return
        self.stdout.write(
            _(
                "Invited %(email)s as partnership admin; the invitation email is in the outbox. "
                "The link works once and expires in %(days)d days. Pass it on only to them:"
            )
            % {"email": email, "days": settings.INVITATION_MAX_AGE_DAYS}
        )
        self.stdout.write(services.invitation_url(invitation))


def _describe(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return " ".join(
        f"--{field.replace('default_language', 'language')}: {' '.join(messages)}"
        for field, messages in error.message_dict.items()
    )
