"""The shared resource library: language versions with their own files or links, files
checked and stored per tenant, the missing-Welsh flag and list, search, downloads."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from collaboration import selectors, services
from collaboration.models import Resource, ResourceLanguage, ResourceVersion
from schools.models import Phase

from .conftest import PDF
from .factories import ResourceFactory, ResourceVersionFactory

pytestmark = pytest.mark.django_db


def pdf(name: str = "talk-frames.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def publish(actor, partnership, area, *, languages, versions, **extra):
    fields = {
        "title": "Talk frames",
        "summary": "Sentence stems for structured talk.",
        "kind": "document",
        "area": area,
        "licence": "cc_by",
    }
    fields.update(extra)
    return services.publish_resource(
        actor=actor, partnership=partnership, languages=languages, versions=versions, **fields
    )


def test_each_language_version_is_stored_under_the_partnership(
    settings, partnership, admin_user, area
):
    resource = publish(
        admin_user,
        partnership,
        area,
        languages=["english", "welsh"],
        versions={
            "english": services.VersionInput(upload=pdf("frames.pdf")),
            "welsh": services.VersionInput(upload=pdf("fframiau.pdf", PDF + b"cy")),
        },
    )
    versions = {v.language: v for v in resource.versions.all()}
    assert set(versions) == {"english", "welsh"}
    welsh = versions["welsh"]
    assert welsh.file.name == f"{partnership.pk}/resources/{welsh.uuid}"
    assert (Path(settings.MEDIA_ROOT) / welsh.file.name).read_bytes() == PDF + b"cy"
    assert welsh.original_name == "fframiau.pdf"
    assert not resource.missing_welsh


def test_a_resource_marked_welsh_without_a_welsh_file_is_refused(
    settings, partnership, admin_user, area
):
    with pytest.raises(ValidationError) as error:
        publish(
            admin_user,
            partnership,
            area,
            languages=["english", "welsh"],
            versions={"english": services.VersionInput(upload=pdf())},
        )
    assert "marked Welsh" in error.value.message_dict["welsh_file"][0]
    assert not Resource.objects.exists()
    assert not ResourceVersion.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_welsh_file_without_ticking_welsh_is_refused(partnership, admin_user, area):
    with pytest.raises(ValidationError) as error:
        publish(
            admin_user,
            partnership,
            area,
            languages=["english"],
            versions={
                "english": services.VersionInput(upload=pdf()),
                "welsh": services.VersionInput(url="https://example.org/cy"),
            },
        )
    assert "tick Welsh" in error.value.message_dict["languages"][0]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("tool.exe", b"MZ\x90\x00", "must be one of these types"),
        ("fake.pdf", b"not a pdf at all", "not a real PDF file"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_files_of_the_wrong_type_are_refused(partnership, admin_user, area, name, content, reason):
    with pytest.raises(ValidationError) as error:
        publish(
            admin_user,
            partnership,
            area,
            languages=["english"],
            versions={"english": services.VersionInput(upload=pdf(name, content))},
        )
    assert reason in error.value.message_dict["english_file"][0]
    assert not Resource.objects.exists()


def test_files_over_the_size_limit_are_refused(settings, partnership, admin_user, area):
    settings.COLLABORATION_UPLOAD_MAX_BYTES = 20
    with pytest.raises(ValidationError) as error:
        publish(
            admin_user,
            partnership,
            area,
            languages=["english"],
            versions={"english": services.VersionInput(upload=pdf(content=PDF + b"x" * 50))},
        )
    assert "smaller than" in error.value.message_dict["english_file"][0]


def test_plain_text_files_are_accepted(partnership, admin_user, area):
    upload = SimpleUploadedFile("notes.txt", b"Nodiadau ar lafaredd\n")
    resource = publish(
        admin_user,
        partnership,
        area,
        languages=["bilingual"],
        versions={"bilingual": services.VersionInput(upload=upload)},
    )
    assert resource.versions.get().content_type == "text/plain"


def test_missing_welsh_flag_and_the_gaps_list(partnership, area):
    english_only = ResourceFactory(partnership=partnership, area=area, title="English only")
    ResourceVersionFactory(partnership=partnership, resource=english_only, language="english")
    bilingual = ResourceFactory(partnership=partnership, area=area, title="Bilingual")
    ResourceVersionFactory(partnership=partnership, resource=bilingual, language="bilingual")
    both = ResourceFactory(partnership=partnership, area=area, title="Both")
    ResourceVersionFactory(partnership=partnership, resource=both, language="english")
    ResourceVersionFactory(partnership=partnership, resource=both, language="welsh")

    gaps = list(selectors.welsh_gaps())

    assert gaps == [english_only]
    assert gaps[0].missing_welsh
    assert not selectors.resource_detail(bilingual.pk).missing_welsh
    by_area = selectors.welsh_gaps_by_area()
    assert [(row["total"], row["missing"]) for row in by_area] == [(3, 1)]


def test_adding_the_welsh_version_closes_the_gap(
    partnership, admin_user, area, client_for, teacher
):
    resource = ResourceFactory(partnership=partnership, area=area)
    ResourceVersionFactory(partnership=partnership, resource=resource, language="english")

    response = client_for(admin_user).post(
        f"/p/cwm/resources/{resource.pk}/versions/new/",
        {"language": "welsh", "file": pdf("cy.pdf")},
    )

    assert response.status_code == 302
    assert resource.versions.filter(language=ResourceLanguage.WELSH).exists()
    assert not selectors.welsh_gaps().exists()


def test_the_gaps_page_lists_resources_without_welsh(client_for, partnership, area, teacher):
    resource = ResourceFactory(partnership=partnership, area=area, title="Heb Gymraeg")
    ResourceVersionFactory(partnership=partnership, resource=resource, language="english")
    response = client_for(teacher).get("/p/cwm/resources/welsh-gaps/")
    assert response.status_code == 200
    assert "Heb Gymraeg" in response.content.decode()


def test_search_and_filters(partnership, area, other_area):
    frames = ResourceFactory(
        partnership=partnership, area=area, title="Talk frames", phases=[Phase.PRIMARY]
    )
    ResourceVersionFactory(partnership=partnership, resource=frames, language="welsh")
    maths = ResourceFactory(
        partnership=partnership, area=other_area, title="Number talks", kind="toolkit"
    )
    ResourceVersionFactory(partnership=partnership, resource=maths, language="english")
    draft = ResourceFactory(partnership=partnership, area=area, title="Talk draft", status="draft")
    ResourceVersionFactory(partnership=partnership, resource=draft, language="english")

    def search(**filters):
        return {r.title for r in selectors.library_search(filters)}

    assert search(q="talk") == {"Talk frames", "Number talks"}
    assert search(q="frames talk") == {"Talk frames"}
    assert search(area=area) == {"Talk frames"}
    assert search(language="welsh") == {"Talk frames"}
    assert search(language="english") == {"Number talks"}
    assert search(phase="secondary") == {"Number talks"}  # no phases: for all phases
    assert search(kind="toolkit") == {"Number talks"}
    assert search(missing_welsh=True) == {"Number talks"}


def test_download_counts_and_serves_the_file(client_for, partnership, admin_user, area, teacher):
    resource = publish(
        admin_user,
        partnership,
        area,
        languages=["welsh"],
        versions={"welsh": services.VersionInput(upload=pdf("fframiau.pdf"))},
    )
    version = resource.versions.get()
    client = client_for(teacher)

    response = client.get(f"/p/cwm/resources/files/{version.pk}/")
    client.get(f"/p/cwm/resources/files/{version.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert 'filename="fframiau.pdf"' in response["Content-Disposition"]
    version.refresh_from_db()
    assert version.download_count == 2
    assert selectors.resource_detail(resource.pk).downloads == 2


def test_a_link_version_counts_and_redirects(client_for, partnership, area, teacher):
    version = ResourceVersionFactory(
        partnership=partnership,
        resource=ResourceFactory(partnership=partnership, area=area),
        url="https://example.org/toolkit",
    )
    response = client_for(teacher).get(f"/p/cwm/resources/files/{version.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "https://example.org/toolkit"
    version.refresh_from_db()
    assert version.download_count == 1


def test_the_add_form_refuses_welsh_without_a_file(
    client_for, partnership, area, lead_head, lead_school
):
    response = client_for(lead_head).post(
        "/p/cwm/resources/new/",
        {
            "title": "Talk frames",
            "summary": "Stems",
            "kind": "document",
            "area": area.pk,
            "author_school": lead_school.pk,
            "licence": "cc_by",
            "languages": ["english", "welsh"],
            "english_file": pdf(),
            "publish": "on",
        },
    )
    assert response.status_code == 200
    assert "The resource is marked Welsh" in response.content.decode()
    assert not Resource.objects.exists()


def test_the_add_form_publishes(client_for, partnership, area, lead_head, lead_school, project):
    response = client_for(lead_head).post(
        "/p/cwm/resources/new/",
        {
            "title": "Talk frames",
            "summary": "Stems",
            "kind": "document",
            "area": area.pk,
            "author_school": lead_school.pk,
            "licence": "cc_by",
            "source_project": project.pk,
            "languages": ["english", "welsh"],
            "english_file": pdf(),
            "welsh_url": "https://example.org/cy",
            "publish": "on",
        },
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.source_project == project
    assert resource.published_at is not None
    assert sorted(resource.languages) == ["english", "welsh"]


def test_the_api_lists_and_filters_resources(client_for, partnership, area, teacher):
    resource = ResourceFactory(partnership=partnership, area=area, title="Talk frames")
    ResourceVersionFactory(partnership=partnership, resource=resource, language="english")
    client = client_for(teacher)

    listed = client.get("/api/p/cwm/collaboration/resources/?missing_welsh=true").json()
    welsh = client.get("/api/p/cwm/collaboration/resources/?language=welsh").json()
    bad = client.get("/api/p/cwm/collaboration/resources/?language=klingon")

    assert [r["title"] for r in listed["results"]] == ["Talk frames"]
    assert listed["results"][0]["missing_welsh"] is True
    assert welsh["count"] == 0
    assert bad.status_code == 400


def test_the_api_refuses_a_welsh_resource_without_a_welsh_file(
    client_for, partnership, area, lead_head
):
    response = client_for(lead_head).post(
        "/api/p/cwm/collaboration/resources/",
        {
            "title": "Talk frames",
            "summary": "Stems",
            "kind": "document",
            "area": area.pk,
            "licence": "cc_by",
            "languages": ["welsh"],
            "english_file": pdf(),
        },
    )
    assert response.status_code == 400
    assert "welsh_file" in response.json()
    assert not Resource.objects.exists()
