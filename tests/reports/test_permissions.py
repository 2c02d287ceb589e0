"""Every role against a school's report, its PDF and the board report: who may, and
that everyone else is refused (403 for pages, 404 for files, which are not confirmed)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partnership.models import Role
from reports import services
from reports.models import ReportKind
from tests.factories import SchoolFactory
from tests.reports.factories import ReportRunFactory

pytestmark = pytest.mark.django_db

#: persona -> (role, whose school: "own", "other" or None, is the school's CA)
PERSONAS = {
    "admin": (Role.PARTNERSHIP_ADMIN, None, False),
    "senior CA": (Role.SENIOR_CA, None, False),
    "the school's CA": (Role.CHALLENGE_ADVISER, None, True),
    "another CA": (Role.CHALLENGE_ADVISER, None, False),
    "headteacher": (Role.HEADTEACHER, "own", False),
    "another school's headteacher": (Role.HEADTEACHER, "other", False),
    "governor": (Role.GOVERNOR, "own", False),
    "another school's governor": (Role.GOVERNOR, "other", False),
    "hub lead": (Role.HUB_LEAD, None, False),
    "panel member": (Role.PANEL_MEMBER, None, False),
    "peer reviewer": (Role.PEER_REVIEWER, None, False),
    "participant": (Role.PARTICIPANT, None, False),
}
SCHOOL_READERS = {
    "admin",
    "senior CA",
    "the school's CA",
    "headteacher",
    "governor",
}
BOARD_READERS = {"admin"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reports(partnership, term, school):
    school_run = ReportRunFactory(
        partnership=partnership, term=term, kind=ReportKind.SCHOOL, school=school, version=1
    )
    board_run = ReportRunFactory(partnership=partnership, term=term, version=1)
    for run in (school_run, board_run):
        services.generate(run.pk)
    return {"school": school_run, "board": board_run}


def _persona(name, partnership, school, member_factory):
    role, whose, is_ca = PERSONAS[name]
    target = {"own": school, "other": SchoolFactory(partnership=partnership), None: None}[whose]
    user = member_factory(partnership, role, school=target)
    if is_ca:
        school.challenge_adviser = user
        school.save()
    return user


def _url(name, partnership, **kwargs):
    return reverse(f"reports:{name}", kwargs={"partnership_slug": partnership.slug, **kwargs})


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_reads_a_schools_report_and_its_pdf(
    persona, partnership, term, school, reports, member_factory, client_for
):
    client = client_for(_persona(persona, partnership, school, member_factory))
    page = client.get(_url("school_report", partnership, term_pk=term.pk, school_pk=school.pk))
    download = client.get(_url("download", partnership, token=reports["school"].token))
    allowed = persona in SCHOOL_READERS
    assert page.status_code == (200 if allowed else 403)
    assert download.status_code == (200 if allowed else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_reads_the_board_report_and_its_pdf(
    persona, partnership, term, school, reports, member_factory, client_for
):
    client = client_for(_persona(persona, partnership, school, member_factory))
    page = client.get(_url("board_report", partnership, term_pk=term.pk))
    download = client.get(_url("download", partnership, token=reports["board"].token))
    allowed = persona in BOARD_READERS
    assert page.status_code == (200 if allowed else 403)
    assert download.status_code == (200 if allowed else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_manages_terms(persona, partnership, school, member_factory, client_for):
    client = client_for(_persona(persona, partnership, school, member_factory))
    assert client.get(_url("terms", partnership)).status_code == (
        200 if persona == "admin" else 403
    )
