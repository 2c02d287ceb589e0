"""The demo's terms and board report: made once, whatever the number of runs."""

from __future__ import annotations

import pytest

from partnership import demo
from partnership.models import Term
from reports.models import ReportKind, ReportRun

pytestmark = pytest.mark.django_db

#: The schools and people the reports seeder needs, then the reports seeder.
SEEDERS = (*demo.SEEDERS[:7], "reports.demo.seed_reports")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_demo_has_this_years_three_terms_and_a_board_report_once():
    first = demo.seed(demo.LONDON_BOROUGH, seeders=SEEDERS)
    second = demo.seed(demo.LONDON_BOROUGH, seeders=SEEDERS)
    terms = Term.objects.filter(partnership=first.partnership).order_by("starts_on")
    assert [t.season for t in terms] == ["autumn", "spring", "summer"]
    assert len({t.academic_year for t in terms}) == 1
    runs = ReportRun.objects.filter(partnership=first.partnership)
    if any(t.starts_on <= first.partnership.created_at.date() <= t.ends_on for t in terms):
        assert runs.get().kind == ReportKind.BOARD
        assert runs.get().status == ReportRun.Status.DONE
    assert not second.created  # the second run adds nothing
