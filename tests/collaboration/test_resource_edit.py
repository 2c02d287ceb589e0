"""Editing a resource's details (title, summary, kind, area, phases, author, licence, what
made it) after it was added: who may, what the form refuses, what the audit trail holds."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from collaboration import services
from collaboration.models import Resource
from partnership.models import Role
from tests.factories import AreaFactory, ProgrammeFactory

from .factories import ResourceFactory, ResourceVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resource(partnership, area, lead_school):
    resource = ResourceFactory(
        partnership=partnership,
        area=area,
        title="Talk frams",
        summary="Stems for talk.",
        author_school=lead_school,
        phases=["primary"],
    )
    ResourceVersionFactory(partnership=partnership, resource=resource)
    return resource


def details(resource, **changes):
    """The details form's fields as posted, from the resource, with some changed."""
    data = {
        "title": resource.title,
        "summary": resource.summary,
        "kind": resource.kind,
        "area": resource.area_id,
        "phases": list(resource.phases),
        "author_school": resource.author_school_id or "",
        "licence": resource.licence,
        "source_project": resource.source_project_id or "",
        "source_programme": resource.source_programme_id or "",
        "source_hub": resource.source_hub_id or "",
    }
    data.update(changes)
    return data


def update(actor, resource, **changes):
    fields = {
        "title": resource.title,
        "summary": resource.summary,
        "kind": resource.kind,
        "area": resource.area,
        "licence": resource.licence,
        "phases": resource.phases,
        "author_school": resource.author_school,
    }
    fields.update(changes)
    return services.update_resource(actor=actor, resource=resource, **fields)


# --- The service ------------------------------------------------------------------------------


def test_updating_details_saves_them_and_names_the_changes_in_the_audit_trail(
    partnership, admin_user, resource, other_area, project
):
    update(
        admin_user,
        resource,
        title="  Talk frames  ",
        area=other_area,
        phases=["secondary", "primary"],
        source_project=project,
    )

    resource.refresh_from_db()
    assert resource.title == "Talk frames"
    assert resource.area == other_area
    assert resource.phases == ["primary", "secondary"]
    assert resource.source_project == project
    assert resource.versions.count() == 1  # the language versions are left alone
    event = AuditEvent.objects.get(action="collaboration.resource_updated")
    assert event.actor == admin_user
    assert event.target_id == str(resource.pk)
    assert sorted(event.detail["changed"]) == ["area", "phases", "source_project", "title"]


def test_saving_unchanged_details_writes_no_audit_event(admin_user, resource):
    update(admin_user, resource, phases=["primary"])

    assert not AuditEvent.objects.filter(action="collaboration.resource_updated").exists()


def test_a_programme_as_the_source_names_its_hub_too(partnership, admin_user, resource):
    programme = ProgrammeFactory(partnership=partnership)

    update(admin_user, resource, source_programme=programme)

    resource.refresh_from_db()
    assert resource.source_hub == programme.hub


def test_details_without_a_title_or_with_a_bad_kind_are_refused(admin_user, resource):
    with pytest.raises(ValidationError) as error:
        update(admin_user, resource, title="  ", kind="poster", phases=["sixth-form-college"])

    assert set(error.value.message_dict) == {"title", "kind", "phases"}
    resource.refresh_from_db()
    assert resource.title == "Talk frams"
    assert not AuditEvent.objects.filter(action="collaboration.resource_updated").exists()


def test_an_area_of_another_partnership_is_refused(admin_user, resource, other_partnership):
    elsewhere = AreaFactory(partnership=other_partnership, slug="oracy", name="Oracy")

    with pytest.raises(ValidationError) as error:
        update(admin_user, resource, area=elsewhere)

    assert "area" in error.value.message_dict
    assert Resource.objects.get(pk=resource.pk).area_id != elsewhere.pk


# --- The page ---------------------------------------------------------------------------------


def test_the_author_schools_headteacher_edits_the_details(client_for, lead_head, resource):
    client = client_for(lead_head)
    url = f"/p/cwm/resources/{resource.pk}/edit/"

    page = client.get(url)
    response = client.post(url, details(resource, title="Talk frames", kind="toolkit"))

    assert page.status_code == 200
    assert 'value="Talk frams"' in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == f"/p/cwm/resources/{resource.pk}/"
    resource.refresh_from_db()
    assert (resource.title, resource.kind) == ("Talk frames", "toolkit")
    assert (
        "The resource&#x27;s details were saved."
        in client.get(response["Location"]).content.decode()
    )


def test_the_admin_edits_any_resources_details(admin_client_, resource):
    response = admin_client_.post(
        f"/p/cwm/resources/{resource.pk}/edit/", details(resource, licence="ogl")
    )

    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.licence == "ogl"


@pytest.mark.parametrize("who", ["teacher", "outside_head", "governor", "hub_lead"])
def test_others_may_not_edit_the_details(
    request, client_for, partnership, member_factory, outside_school, resource, who
):
    if who == "hub_lead":
        user = member_factory(partnership, Role.HUB_LEAD, school=outside_school)
    else:
        user = request.getfixturevalue(who)
    client = client_for(user)
    url = f"/p/cwm/resources/{resource.pk}/edit/"

    assert client.get(url).status_code == 403
    assert client.post(url, details(resource, title="Mine now")).status_code == 403
    resource.refresh_from_db()
    assert resource.title == "Talk frams"
    page = client.get(f"/p/cwm/resources/{resource.pk}/").content.decode()
    assert "data-edit-details" not in page


def test_the_resource_page_links_editors_to_the_edit_page(client_for, lead_head, resource):
    page = client_for(lead_head).get(f"/p/cwm/resources/{resource.pk}/").content.decode()

    assert f'href="/p/cwm/resources/{resource.pk}/edit/"' in page


def test_bad_input_shows_the_errors_with_the_summary(client_for, lead_head, resource):
    response = client_for(lead_head).post(
        f"/p/cwm/resources/{resource.pk}/edit/", details(resource, title="   ")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert 'href="#id_title"' in page
    assert "govuk-form-group--error" in page
    resource.refresh_from_db()
    assert resource.title == "Talk frams"


def test_a_headteacher_may_not_name_another_school_as_author(
    client_for, lead_head, resource, outside_school
):
    response = client_for(lead_head).post(
        f"/p/cwm/resources/{resource.pk}/edit/", details(resource, author_school=outside_school.pk)
    )

    assert response.status_code == 200
    assert 'href="#id_author_school"' in response.content.decode()
    resource.refresh_from_db()
    assert resource.author_school_id != outside_school.pk


def test_another_partnerships_resource_is_not_found(
    client_for, other_partnership, member_factory, resource
):
    elsewhere = ResourceFactory(partnership=other_partnership)
    admin = member_factory(resource.partnership, Role.PARTNERSHIP_ADMIN)

    response = client_for(admin).get(f"/p/cwm/resources/{elsewhere.pk}/edit/")

    assert response.status_code == 404
