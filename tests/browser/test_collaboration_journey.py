"""A teacher from a school outside the group finds a resource in the library by area and
language and downloads its Welsh version; the download is counted."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from collaboration import services
from collaboration.models import ResourceVersion
from partnership.models import Role
from tests.factories import TEST_PASSWORD as PASSWORD
from tests.factories import (
    AreaFactory,
    MembershipFactory,
    PartnershipFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]

WELSH_FILE = b"Fframiau siarad\n\nPatrymau iaith ar gyfer trafod mewn parau.\n"


@pytest.fixture
def people(settings, tmp_path):
    """A library with an oracy resource in English and Welsh, a numeracy resource, and a
    teacher of a school that made neither."""
    settings.MEDIA_ROOT = tmp_path / "media"
    partnership = PartnershipFactory(name="Cwm Partnership", slug="cwm", country="wales")
    oracy = AreaFactory(partnership=partnership, slug="oracy", name="Oracy", position=1)
    numeracy = AreaFactory(partnership=partnership, slug="numeracy", name="Numeracy", position=2)
    author = SchoolFactory(partnership=partnership, name="Ysgol y Bryn")
    school = SchoolFactory(partnership=partnership, name="Ysgol Llanarth")
    admin = UserFactory(email="admin@cwm.example.org", full_name="Gwen Admin")
    MembershipFactory(partnership=partnership, user=admin, role=Role.PARTNERSHIP_ADMIN)
    for title, area, versions in (
        (
            "Talk frames toolkit",
            oracy,
            {
                "english": services.VersionInput(
                    upload=SimpleUploadedFile("talk-frames.txt", b"Talk frames\n")
                ),
                "welsh": services.VersionInput(
                    upload=SimpleUploadedFile("fframiau-siarad.txt", WELSH_FILE)
                ),
            },
        ),
        (
            "Recording pupils' talk",
            oracy,
            {"english": services.VersionInput(url="https://example.org/recording")},
        ),
        (
            "Number talks",
            numeracy,
            {
                "english": services.VersionInput(
                    upload=SimpleUploadedFile("number-talks.txt", b"Number talks\n")
                ),
                "welsh": services.VersionInput(url="https://example.org/sgyrsiau-rhif"),
            },
        ),
    ):
        services.publish_resource(
            actor=admin,
            partnership=partnership,
            title=title,
            summary="Shared by the group.",
            kind="document",
            area=area,
            licence="cc_by",
            author_school=author,
            languages=list(versions),
            versions=versions,
        )
    teacher = UserFactory(email="teacher@llanarth.example.org", full_name="Siân Evans")
    MembershipFactory(partnership=partnership, user=teacher, role=Role.PARTICIPANT, school=school)
    return {"teacher": teacher}


def sign_in(page: Page, live_server, user) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/p/cwm/$"))


def test_a_teacher_finds_a_resource_by_area_and_language_and_downloads_it(
    new_page, live_server, people, csp_violations
):
    page = new_page()
    sign_in(page, live_server, people["teacher"])

    page.goto(live_server.url + "/p/cwm/resources/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Resource library")
    results = page.locator("#library-results")
    expect(results.locator("[data-result-count]")).to_have_text("3 resources found")

    page.get_by_label("Area").select_option(label="Oracy")
    expect(results.locator("[data-result-count]")).to_have_text("2 resources found")
    page.get_by_label("Language", exact=True).select_option(label="Welsh")
    expect(results.locator("[data-result-count]")).to_have_text("1 resource found")
    expect(page).to_have_url(re.compile(r"language=welsh"))

    results.get_by_role("link", name="Talk frames toolkit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Talk frames toolkit")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the Welsh version").click()
    download = download_info.value

    assert download.suggested_filename == "fframiau-siarad.txt"
    with open(download.path(), "rb") as handle:
        assert handle.read() == WELSH_FILE
    counts = dict(
        ResourceVersion.objects.filter(resource__title="Talk frames toolkit").values_list(
            "language", "download_count"
        )
    )
    assert counts == {"english": 0, "welsh": 1}
    page.reload()
    expect(page.locator("[data-downloads]")).to_have_text("1")
    assert csp_violations == []
