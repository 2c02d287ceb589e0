"""Review frameworks: areas with prompts and evidence sources, versions that never change
once published, and cycles that keep the version they started with."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from peerreview import selectors, services
from peerreview.models import FrameworkArea, FrameworkVersion
from tests.factories import FindingsFactory, ReviewFactory

from .helpers import url

pytestmark = pytest.mark.django_db


def test_a_new_framework_starts_as_a_draft_with_the_usual_areas(partnership, admin_user):
    framework = services.create_framework(
        actor=admin_user, partnership=partnership, name="Cwm framework"
    )

    version = framework.versions.get()
    assert (version.number, version.status) == (1, FrameworkVersion.Status.DRAFT)
    names = list(version.areas.values_list("name", flat=True))
    assert names == ["Leadership", "Quality of teaching", "Curriculum", "Wellbeing", "Inclusion"]
    leadership = version.areas.get(name="Leadership")
    assert leadership.prompt_list and leadership.evidence_source_list
    assert leadership.name_cy == "Arweinyddiaeth"


def test_an_admin_creates_a_framework_through_the_page(partnership, admin_client_):
    response = admin_client_.post(
        url(partnership, "frameworks/new/"),
        {"name": "Borough framework", "description": "", "with_default_areas": "on"},
    )

    assert response.status_code == 302
    version = FrameworkVersion.objects.get(framework__name="Borough framework")
    assert version.areas.count() == 5


def test_publishing_freezes_a_version(partnership, admin_user):
    framework = services.create_framework(actor=admin_user, partnership=partnership, name="F")
    version = framework.versions.get()

    services.publish_version(actor=admin_user, version=version)

    area = version.areas.first()
    with pytest.raises(ValidationError, match="published and can no longer change"):
        services.save_framework_area(actor=admin_user, version=version, area=area, name="Renamed")
    assert FrameworkArea.objects.get(pk=area.pk).name == area.name


def test_an_empty_version_cannot_be_published(partnership, admin_user):
    framework = services.create_framework(
        actor=admin_user, partnership=partnership, name="F", with_default_areas=False
    )

    with pytest.raises(ValidationError, match="at least one review area"):
        services.publish_version(actor=admin_user, version=framework.versions.get())


def test_a_new_version_copies_the_areas_and_leaves_the_old_one_alone(partnership, admin_user):
    framework = services.create_framework(actor=admin_user, partnership=partnership, name="F")
    v1 = services.publish_version(actor=admin_user, version=framework.versions.get())

    v2 = services.start_new_version(actor=admin_user, framework=framework, notes="Adds digital")
    services.save_framework_area(
        actor=admin_user, version=v2, name="Digital", prompts="How is digital used?"
    )
    services.save_framework_area(
        actor=admin_user, version=v2, area=v2.areas.get(name="Leadership"), name="Leading"
    )

    assert v2.number == 2
    assert list(v1.areas.values_list("name", flat=True)) == [
        "Leadership",
        "Quality of teaching",
        "Curriculum",
        "Wellbeing",
        "Inclusion",
    ]
    assert set(v2.areas.values_list("name", flat=True)) == {
        "Leading",
        "Quality of teaching",
        "Curriculum",
        "Wellbeing",
        "Inclusion",
        "Digital",
    }


def test_only_one_draft_at_a_time(partnership, admin_user):
    framework = services.create_framework(actor=admin_user, partnership=partnership, name="F")

    with pytest.raises(ValidationError, match="still a draft"):
        services.start_new_version(actor=admin_user, framework=framework)


def test_a_cycle_keeps_the_version_it_started_with(world, admin_user):
    framework = world.version.framework
    v2 = services.start_new_version(actor=admin_user, framework=framework)
    services.save_framework_area(actor=admin_user, version=v2, name="Curriculum")
    services.publish_version(actor=admin_user, version=v2)

    review = selectors.review_for(world.p, world.review.pk)

    assert [a.name for a in selectors.areas_of(review)] == [
        "Leadership",
        "Quality of teaching",
        "Wellbeing",
    ]
    assert world.cycle.framework_version_id == world.version.pk


def test_a_cycle_cannot_switch_version_once_findings_exist(world, admin_user):
    framework = world.version.framework
    v2 = services.start_new_version(actor=admin_user, framework=framework)
    services.publish_version(actor=admin_user, version=v2)
    FindingsFactory(partnership=world.p, review=world.review)

    with pytest.raises(ValidationError, match="keeps it"):
        services.update_cycle(actor=admin_user, cycle=world.cycle, framework_version=v2)
    world.cycle.refresh_from_db()
    assert world.cycle.framework_version_id == world.version.pk


def test_a_cycle_can_only_use_a_published_version(world, admin_user):
    framework = world.version.framework
    draft = services.start_new_version(actor=admin_user, framework=framework)
    ReviewFactory(partnership=world.p, cycle=world.cycle)

    with pytest.raises(ValidationError) as error:
        services.update_cycle(actor=admin_user, cycle=world.cycle, framework_version=draft)
    assert "framework_version" in error.value.error_dict


def test_the_publish_button_publishes_and_a_published_area_page_refuses_changes(
    partnership, admin_user, admin_client_
):
    framework = services.create_framework(actor=admin_user, partnership=partnership, name="F")
    version = framework.versions.get()

    admin_client_.post(url(partnership, f"framework-versions/{version.pk}/publish/"))
    area = version.areas.first()
    response = admin_client_.post(
        url(partnership, f"framework-areas/{area.pk}/edit/"), {"name": "Changed"}
    )

    version.refresh_from_db()
    assert version.is_published
    assert response.status_code == 400
    assert "can no longer change" in response.content.decode()
    assert FrameworkArea.objects.get(pk=area.pk).name == area.name
