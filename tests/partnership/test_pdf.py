"""The shared PDF renderer: real PDFs whose text reads back."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from partnership.pdf import pdf_response
from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def test_a_pdf_response_holds_the_rendered_text_and_page_numbers(tmp_path, settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]},
        *settings.TEMPLATES[1:],
    ]
    (tmp_path / "doc.html").write_text(
        '{% extends "pdf/base.html" %}{% block content %}<h1>Minutes of {{ name }}</h1>'
        "{% endblock %}"
    )
    partnership = PartnershipFactory(name="Partneriaeth Gorllewin")
    response = pdf_response("doc.html", {"partnership": partnership, "name": "May"}, "Minutes")
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="minutes.pdf"' in response["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Minutes of May" in text
    assert "Page 1 / 1" in text
    assert "Partneriaeth Gorllewin" in text
