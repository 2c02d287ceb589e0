import pytest


@pytest.mark.django_db
def test_pages_render_for_admin(partnership, admin_client_, school):
    for url in [
        "/",
        "/p/cwm/",
        "/p/cwm/schools/",
        f"/p/cwm/schools/{school.pk}/",
        "/p/cwm/clusters/",
        "/p/cwm/sigs/",
        "/p/cwm/people/",
        "/p/cwm/people/invite/",
        "/p/cwm/schools/new/",
        f"/p/cwm/schools/{school.pk}/edit/",
        f"/p/cwm/schools/{school.pk}/category/",
        "/api/p/cwm/schools/",
        "/api/schema/",
        "/api/docs/",
        "/account/api-token/",
    ]:
        response = admin_client_.get(url, follow=True)
        assert response.status_code == 200, (url, response.status_code)
