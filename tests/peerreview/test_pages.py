"""Every peer-review page renders for the person it is for."""

from __future__ import annotations

import pytest

from tests.factories import FindingsFactory, FrameworkAreaFactory, VisitFactory

from .helpers import url

pytestmark = pytest.mark.django_db


def test_organiser_pages_render(world, client_for):
    client = client_for(world.admin)
    visit = VisitFactory(partnership=world.p, review=world.review)
    framework = world.version.framework
    area = world.areas[0]
    for path in [
        "",
        "cycles/new/",
        f"cycles/{world.cycle.pk}/",
        f"cycles/{world.cycle.pk}/edit/",
        f"cycles/{world.cycle.pk}/invite/",
        f"cycles/{world.cycle.pk}/schools/",
        f"cycles/{world.cycle.pk}/grouping/",
        f"reviews/{world.review.pk}/",
        f"reviews/{world.review.pk}/team/",
        f"reviews/{world.review.pk}/visits/new/",
        f"visits/{visit.pk}/edit/",
        "reviewers/",
        "reviewers/new/",
        f"reviewers/{world.lead_profile.pk}/edit/",
        "frameworks/",
        "frameworks/new/",
        f"frameworks/{framework.pk}/",
        f"framework-versions/{world.version.pk}/",
    ]:
        response = client.get(url(world.p, path))
        assert response.status_code == 200, (path, response.status_code)
    # Areas of a draft version can be edited.
    draft = FrameworkAreaFactory(
        partnership=world.p,
        version__framework=framework,
        version__number=2,
        version__status="draft",
    )
    for path in [
        f"framework-versions/{draft.version_id}/areas/new/",
        f"framework-areas/{draft.pk}/edit/",
    ]:
        response = client.get(url(world.p, path))
        assert response.status_code == 200, (path, response.status_code)
    assert area.version.is_published


def test_team_and_headteacher_pages_render(world, client_for):
    visit = VisitFactory(partnership=world.p, review=world.review)
    FindingsFactory(partnership=world.p, review=world.review)
    lead = client_for(world.lead)
    for path in [
        "",
        f"reviews/{world.review.pk}/",
        f"reviews/{world.review.pk}/evidence/",
        f"reviews/{world.review.pk}/findings/",
        f"reviews/{world.review.pk}/findings/edit/",
        f"reviews/{world.review.pk}/findings/submit/",
        f"visits/{visit.pk}/calendar.ics",
    ]:
        response = lead.get(url(world.p, path))
        assert response.status_code == 200, (path, response.status_code)
    head = client_for(world.head)
    for path in [
        "",
        f"reviews/{world.review.pk}/",
        f"reviews/{world.review.pk}/findings/",
        f"reviews/{world.review.pk}/response/",
        f"reviews/{world.review.pk}/sharing/",
        f"reviews/{world.review.pk}/access-log/",
    ]:
        response = head.get(url(world.p, path))
        assert response.status_code == 200, (path, response.status_code)
