"""Real PDFs of the reports, read back with pypdf: sections, figures and language."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from reports.models import ReportKind, ReportRun
from reports.services import render_report_pdf
from tests.reports.factories import ReportRunFactory

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> list[str]:
    """Each page's text, runs of whitespace (table cells wrap) made one space."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def _school_run(partnership, term, school, language="en") -> ReportRun:
    return ReportRunFactory(
        partnership=partnership, term=term, kind=ReportKind.SCHOOL, school=school, language=language
    )


def test_a_school_report_has_a_cover_contents_summary_and_every_section(
    partnership, term, report_school
):
    pages = _text(render_report_pdf(_school_run(partnership, term, report_school)))
    text = " ".join(pages)
    assert "Cwm Partnership" in pages[0]
    assert "Termly report for governors" in pages[0]
    assert "Ysgol y Cwm" in pages[0]
    assert "Contents" in pages[1]
    assert "Summary" in pages[2]
    for title in (
        "Support category",
        "Support received and given",
        "Programmes",
        "Needs",
        "Peer review",
        "Clusters and improvement groups",
    ):
        assert title in text
    assert "Page 3 /" in pages[2]


def test_the_school_report_shows_its_figures(partnership, term, report_school):
    text = " ".join(_text(render_report_pdf(_school_run(partnership, term, report_school))))
    assert "2.5 days delivered" in text  # received: one session of 2.5 days
    assert "1.5 days delivered" in text  # given
    assert "Writing at key stage 2" in text
    assert "Ysgol Provider" in text
    assert "4 – Strong impact" in text
    assert "Maths mastery" in text and "Anwen Jones" in text
    assert "Early reading in the foundation phase" in text
    assert "Standards in writing fell at key stage 2." in text
    assert "A reflective school with a clear sense of direction." in text
    assert "Clwstwr Tawe" in text.replace("T awe", "Tawe")
    assert "SIG Gorllewin" in text
    assert "Oracy across the valley" in text  # the SIG's project this term
    assert "Maths mastery 1 4.0 – – –" in text  # impact: one answer, 4.0 at the start


def test_a_welsh_medium_schools_report_is_in_welsh(partnership, term, report_school):
    report_school.report_language = "cy"
    report_school.save()
    text = " ".join(
        _text(render_report_pdf(_school_run(partnership, term, report_school, language="cy")))
    )
    assert "Crynodeb" in text  # Summary
    assert "Cymorth a dderbyniwyd ac a roddwyd" in text  # Support received and given
    assert "Adolygiad cymheiriaid" in text  # Peer review
    assert "Ambr" in text  # the amber category
    assert "Summary" not in text


def test_findings_not_shared_with_governors_stay_out(partnership, term, report_school):
    from peerreview.models import FindingsShare

    FindingsShare.objects.filter(review__school=report_school).update(audience="ca")
    text = " ".join(_text(render_report_pdf(_school_run(partnership, term, report_school))))
    assert "A reflective school" not in text
    assert "No findings shared with governors." in text


def test_a_term_with_no_data_says_so_in_every_section(partnership, term):
    from tests.factories import SchoolFactory

    school = SchoolFactory(partnership=partnership, name="Ysgol Newydd", support_category="")
    text = " ".join(_text(render_report_pdf(_school_run(partnership, term, school))))
    assert text.count("No data yet.") == 6  # every section but the summary
    assert "Ysgol Newydd" in text


def test_a_long_table_breaks_across_pages_with_its_header_repeated(
    partnership, term, report_school
):
    from tests.factories import NeedFactory

    for number in range(70):
        NeedFactory(partnership=partnership, school=report_school, title=f"Long need {number:02d}")
    pages = _text(render_report_pdf(_school_run(partnership, term, report_school)))
    with_needs = [p for p in pages if "Long need" in p]
    assert len(with_needs) >= 2
    assert all("Need Area Logged Status" in page for page in with_needs)


def test_the_board_report_has_its_sections_and_figures(partnership, term, report_school):
    run = ReportRunFactory(partnership=partnership, term=term, kind=ReportKind.BOARD)
    pages = _text(render_report_pdf(run))
    text = " ".join(pages)
    assert "Partnership board report" in pages[0]
    for title in (
        "Support categories over time",
        "Brokerage",
        "Value for money",
        "Needs survey results",
        "Panel decisions",
        "Peer-review themes",
    ):
        assert title in text
    assert "Autumn 2026/27" in text
    assert "Numeracy hub" in text
    assert "£20,000.00" in text
    assert "Leadership" in text  # a peer-review theme, counted without the school's name
    assert "Needs survey 2026" in text
    assert "Oracy 3 1 1" in text  # regional need: 3 points, 1 school, 1 first priority
