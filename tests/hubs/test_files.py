"""Evidence and bid files: type and size checked, stored per tenant, served with permission."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hubs.models import Bid, Document
from partnership.models import Role
from tests.factories import DeliverableFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def deliverable(partnership, hub):
    return DeliverableFactory(partnership=partnership, agreement=hub.agreements.get())


def upload(client, deliverable, name, content):
    return client.post(
        f"/p/cwm/hubs/deliverables/{deliverable.pk}/evidence/",
        {"file": SimpleUploadedFile(name, content)},
    )


def test_evidence_is_stored_under_the_partnership_and_a_uuid(
    client_for, settings, partnership, deliverable, hub_lead
):
    response = upload(client_for(hub_lead), deliverable, "minutes.pdf", PDF)

    assert response.status_code == 302
    document = Document.objects.get()
    assert document.file.name == f"{partnership.pk}/{document.uuid}"
    assert (Path(settings.MEDIA_ROOT) / document.file.name).read_bytes() == PDF
    assert document.original_name == "minutes.pdf"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.docx", docx_bytes()),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 20),
        ("register.csv", "name,attended\nSiân,yes\n".encode()),
    ],
)
def test_each_allowed_type_is_accepted(client_for, deliverable, hub_lead, name, content):
    assert upload(client_for(hub_lead), deliverable, name, content).status_code == 302
    assert Document.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.exe", b"MZ\x90\x00", "The file must be one of these types"),
        ("page.html", b"<html></html>", "The file must be one of these types"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "not a real PDF file"),
        ("fake.docx", b"PK\x03\x04 broken zip", "not a real DOCX file"),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_and_nothing_stored(
    client_for, settings, deliverable, hub_lead, name, content, message
):
    response = upload(client_for(hub_lead), deliverable, name, content)

    assert message in response.content.decode()
    assert not Document.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(media.rglob("*"))


def test_a_file_over_the_size_limit_is_refused(client_for, settings, deliverable, hub_lead):
    settings.HUBS_UPLOAD_MAX_BYTES = 1024

    response = upload(client_for(hub_lead), deliverable, "big.pdf", PDF + b"0" * 2000)

    assert "The file must be smaller than 1.0" in response.content.decode()
    assert not Document.objects.exists()


def test_evidence_downloads_for_those_who_see_the_hub(
    client_for, deliverable, hub_lead, governor, admin_user
):
    upload(client_for(hub_lead), deliverable, "minutes.pdf", PDF)
    document = Document.objects.get()

    for user in (hub_lead, governor, admin_user):
        response = client_for(user).get(f"/p/cwm/hubs/files/{document.pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert 'attachment; filename="minutes.pdf"' in response["Content-Disposition"]


def test_evidence_is_404_for_those_who_do_not_see_the_hub(
    client_for, deliverable, hub_lead, headteacher, member_factory, partnership
):
    upload(client_for(hub_lead), deliverable, "minutes.pdf", PDF)
    document = Document.objects.get()
    participant = member_factory(partnership, Role.PARTICIPANT)

    for user in (headteacher, participant):
        assert client_for(user).get(f"/p/cwm/hubs/files/{document.pk}/").status_code == 404


def test_a_bid_document_is_seen_by_the_bidder_and_the_admin_only(
    client_for, partnership, area, school, headteacher, other_headteacher, admin_user
):
    from tests.factories import CallFactory

    call = CallFactory(partnership=partnership, area=area)
    response = client_for(headteacher).post(
        f"/p/cwm/calls/{call.pk}/bid/",
        {
            "school": school.pk,
            "proposal": "Proposal",
            "delivery_plan": "Plan",
            "cost": "1000",
            "capacity": "20",
            "delivery_language": "english",
            "document": SimpleUploadedFile("plan.pdf", PDF),
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(bid=Bid.objects.get())
    url = f"/p/cwm/hubs/files/{document.pk}/"

    assert client_for(headteacher).get(url).status_code == 200
    assert client_for(admin_user).get(url).status_code == 200
    assert client_for(other_headteacher).get(url).status_code == 404


def test_a_bid_with_a_bad_file_writes_no_bid(client_for, partnership, area, school, headteacher):
    from tests.factories import CallFactory

    call = CallFactory(partnership=partnership, area=area)

    response = client_for(headteacher).post(
        f"/p/cwm/calls/{call.pk}/bid/",
        {
            "school": school.pk,
            "proposal": "Proposal",
            "delivery_plan": "Plan",
            "cost": "1000",
            "capacity": "20",
            "delivery_language": "english",
            "document": SimpleUploadedFile("plan.exe", b"MZ"),
        },
    )

    assert "The file must be one of these types" in response.content.decode()
    assert not Bid.objects.exists()
