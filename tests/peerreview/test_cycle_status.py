"""The cycle overview for organisers: stages, overdue steps, themes, and its CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from peerreview import selectors
from peerreview.models import Findings
from tests.factories import (
    AreaFindingFactory,
    FindingsFactory,
    FindingsShareFactory,
    ReviewFactory,
    ReviewTeamMemberFactory,
    SchoolFactory,
    VisitFactory,
)

from .helpers import url

pytestmark = pytest.mark.django_db


def submit(world, review, days_ago: int = 1):
    return FindingsFactory(
        partnership=world.p,
        review=review,
        status=Findings.Status.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=days_ago),
    )


def status_of(world, review):
    return next(r for r in selectors.cycle_status(world.cycle) if r.review.pk == review.pk)


def test_findings_are_overdue_two_weeks_after_the_last_visit(world):
    VisitFactory(
        partnership=world.p, review=world.review, date=timezone.localdate() - timedelta(days=15)
    )
    row = status_of(world, world.review)
    assert row.overdue == ["Findings"]


def test_the_schools_response_is_overdue_four_weeks_after_submission(world):
    submit(world, world.review, days_ago=29)
    row = status_of(world, world.review)
    assert (row.stage, row.overdue) == ("Findings submitted", ["School's response"])


def test_a_review_on_track_has_nothing_overdue(world):
    VisitFactory(
        partnership=world.p, review=world.review, date=timezone.localdate() + timedelta(days=5)
    )
    row = status_of(world, world.review)
    assert (row.stage, row.overdue) == ("Visit scheduled", [])


def test_themes_count_even_better_if_by_area(world):
    for school in (world.other_school, world.cluster_school):
        findings = submit(
            world, ReviewFactory(partnership=world.p, cycle=world.cycle, school=school)
        )
        AreaFindingFactory(
            partnership=world.p, findings=findings, area=world.areas[0], even_better_if="More."
        )
    draft = FindingsFactory(partnership=world.p, review=world.review)
    AreaFindingFactory(partnership=world.p, findings=draft, area=world.areas[0], even_better_if="x")
    themes = {t.area.name: t.even_better_if for t in selectors.cycle_themes(world.cycle)}
    assert themes == {"Leadership": 2, "Quality of teaching": 0, "Wellbeing": 0}


def test_csv_names_only_schools_whose_findings_are_shared(world, client_for):
    other = ReviewFactory(partnership=world.p, cycle=world.cycle, school=world.other_school)
    FindingsShareFactory(partnership=world.p, review=other)
    response = client_for(world.senior_ca).get(url(world.p, f"cycles/{world.cycle.pk}/status.csv"))
    assert response.status_code == 200
    first_column = [row[0] for row in csv.reader(io.StringIO(response.content.decode())) if row]
    assert world.other_school.name in first_column
    assert world.host.name not in response.content.decode()


@pytest.mark.parametrize("who", ["head", "lead", "ca", "governor"])
def test_only_organisers_see_the_overview(world, client_for, who):
    response = client_for(getattr(world, who)).get(url(world.p, f"cycles/{world.cycle.pk}/status/"))
    assert response.status_code in (403, 404)


def test_overview_page_makes_the_same_queries_for_3_and_30_reviews(world, client_for):
    client = client_for(world.admin)
    address = url(world.p, f"cycles/{world.cycle.pk}/status/")

    def add(n):
        for _ in range(n):
            review = ReviewFactory(
                partnership=world.p, cycle=world.cycle, school=SchoolFactory(partnership=world.p)
            )
            ReviewTeamMemberFactory(
                partnership=world.p, review=review, profile=world.lead_profile, is_lead=True
            )
            VisitFactory(partnership=world.p, review=review)
            submit(world, review)

    def count() -> int:
        client.get(address)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(address)
        assert response.status_code == 200
        return len(captured)

    add(2)
    few = count()
    add(27)
    assert count() == few


def test_pdf_names_only_schools_whose_findings_are_shared(world, client_for):
    other = ReviewFactory(partnership=world.p, cycle=world.cycle, school=world.other_school)
    FindingsShareFactory(partnership=world.p, review=other)
    submit(world, other)

    response = client_for(world.senior_ca).get(url(world.p, f"cycles/{world.cycle.pk}/status.pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert world.cycle.name in text
    assert world.other_school.name in text
    assert world.host.name not in text
    assert "(not shared)" in text
    assert "Leadership" in text


@pytest.mark.parametrize("who", ["head", "lead", "ca", "governor"])
def test_only_organisers_download_the_pdf(world, client_for, who):
    response = client_for(getattr(world, who)).get(
        url(world.p, f"cycles/{world.cycle.pk}/status.pdf")
    )
    assert response.status_code in (403, 404)
