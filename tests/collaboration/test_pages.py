"""Every collaboration page renders for the admin, in English and in Welsh."""

from __future__ import annotations

import pytest
from django.conf import settings

from .factories import ProjectBudgetLineFactory, ResourceFactory, ResourceVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(partnership, project, area):
    line = ProjectBudgetLineFactory(partnership=partnership, project=project)
    resource = ResourceFactory(partnership=partnership, area=area, source_project=project)
    ResourceVersionFactory(partnership=partnership, resource=resource)
    return [
        "/p/cwm/projects/",
        "/p/cwm/projects/?q=talk&status=active",
        "/p/cwm/projects/new/",
        "/p/cwm/projects/funding/",
        f"/p/cwm/projects/{project.pk}/",
        f"/p/cwm/projects/{project.pk}/edit/",
        f"/p/cwm/projects/{project.pk}/funding/",
        f"/p/cwm/projects/{project.pk}/budget/new/",
        f"/p/cwm/projects/{project.pk}/milestones/new/",
        f"/p/cwm/projects/{project.pk}/evaluation/",
        f"/p/cwm/projects/budget/{line.pk}/edit/",
        f"/p/cwm/projects/budget/{line.pk}/spend/",
        "/p/cwm/resources/",
        "/p/cwm/resources/new/",
        f"/p/cwm/resources/new/?project={project.pk}",
        "/p/cwm/resources/welsh-gaps/",
        "/p/cwm/resources/following/",
        f"/p/cwm/resources/{resource.pk}/",
        f"/p/cwm/resources/{resource.pk}/edit/",
        f"/p/cwm/resources/{resource.pk}/versions/new/",
    ]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_every_page_renders(admin_client_, urls, language):
    admin_client_.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for url in urls:
        response = admin_client_.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.content.decode()


def test_the_library_answers_htmx_with_the_results_only(admin_client_, urls):
    response = admin_client_.get("/p/cwm/resources/?q=talk", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "data-result-count" in response.content.decode()
