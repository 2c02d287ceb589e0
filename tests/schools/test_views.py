"""The school pages: directory with filters and pagination, school page, forms, groups."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from partnership.models import Role
from schools import views as school_views
from schools.models import (
    CategoryChange,
    LanguageMedium,
    Phase,
    School,
    SupportCategory,
)
from tests.factories import (
    CategoryChangeFactory,
    ClusterFactory,
    LocalAuthorityFactory,
    SchoolFactory,
    SchoolImprovementGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DIRECTORY = "/p/cwm/schools/"


def listed(response) -> list[str]:
    """The school names in the directory's results table, in order."""
    body = response.content.decode()
    return re.findall(r'<a class="govuk-link" href="/p/cwm/schools/\d+/">([^<]+)</a>', body)


@pytest.fixture
def two_schools(partnership):
    """Two schools that differ in every filterable way."""
    ceredigion = LocalAuthorityFactory(partnership=partnership, name="Ceredigion")
    powys = LocalAuthorityFactory(partnership=partnership, name="Powys")
    north = ClusterFactory(partnership=partnership, name="North cluster")
    south = ClusterFactory(partnership=partnership, name="South cluster")
    aber = SchoolFactory(
        partnership=partnership,
        name="Ysgol Aberaeron",
        official_number="6671234",
        postcode="SA46 0DT",
        local_authority=ceredigion,
        phase=Phase.PRIMARY,
        language_medium=LanguageMedium.WELSH,
        support_category=SupportCategory.RED,
        cluster=north,
    )
    brec = SchoolFactory(
        partnership=partnership,
        name="Brecon High School",
        official_number="6664321",
        postcode="LD3 7AF",
        local_authority=powys,
        phase=Phase.SECONDARY,
        language_medium=LanguageMedium.ENGLISH,
        support_category=SupportCategory.GREEN,
        cluster=south,
    )
    sig = SchoolImprovementGroupFactory(partnership=partnership, name="Coast SIG", schools=[aber])
    return {"aber": aber, "brec": brec, "ceredigion": ceredigion, "north": north, "sig": sig}


# --- Directory -----------------------------------------------------------------------------


def test_directory_lists_the_partnerships_schools_by_name(admin_client_, two_schools):
    response = admin_client_.get(DIRECTORY)

    assert response.status_code == 200
    assert listed(response) == ["Brecon High School", "Ysgol Aberaeron"]
    assert "2 schools found" in response.content.decode()


def test_directory_leaves_out_other_partnerships_schools(
    admin_client_, two_schools, other_partnership
):
    SchoolFactory(partnership=other_partnership, name="Riverside Primary")

    assert "Riverside Primary" not in listed(admin_client_.get(DIRECTORY))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("local_authority", lambda s: s["ceredigion"].pk),
        ("phase", lambda s: Phase.PRIMARY),
        ("language_medium", lambda s: LanguageMedium.WELSH),
        ("category", lambda s: SupportCategory.RED),
        ("cluster", lambda s: s["north"].pk),
        ("sig", lambda s: s["sig"].pk),
        ("q", lambda s: "aberaeron"),
        ("q", lambda s: "6671234"),
        ("q", lambda s: "sa46"),
    ],
    ids=["la", "phase", "medium", "category", "cluster", "sig", "name", "number", "postcode"],
)
def test_directory_filter_finds_only_matching_schools(admin_client_, two_schools, field, value):
    response = admin_client_.get(DIRECTORY, {field: value(two_schools)})

    assert listed(response) == ["Ysgol Aberaeron"]
    assert "1 school found" in response.content.decode()


def test_directory_number_search_matches_the_whole_number_only(admin_client_, two_schools):
    assert listed(admin_client_.get(DIRECTORY, {"q": "667"})) == []


def test_directory_filters_combine(admin_client_, two_schools):
    response = admin_client_.get(
        DIRECTORY, {"phase": Phase.PRIMARY, "local_authority": two_schools["ceredigion"].pk}
    )
    none = admin_client_.get(
        DIRECTORY, {"phase": Phase.SECONDARY, "local_authority": two_schools["ceredigion"].pk}
    )

    assert listed(response) == ["Ysgol Aberaeron"]
    assert listed(none) == []
    assert "No schools match these filters" in none.content.decode()


def test_directory_filter_keeps_the_chosen_values_in_the_form(admin_client_, two_schools):
    body = admin_client_.get(DIRECTORY, {"phase": Phase.SECONDARY}).content.decode()

    assert re.search(r'<option value="secondary"[^>]*selected', body)


def test_directory_with_an_unknown_filter_value_still_answers(admin_client_, two_schools):
    response = admin_client_.get(DIRECTORY, {"local_authority": "999999", "phase": "castle"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_an_invalid_filter_is_left_out_and_the_valid_ones_still_apply(admin_client_, two_schools):
    response = admin_client_.get(DIRECTORY, {"local_authority": "999999", "phase": Phase.PRIMARY})

    assert "Select a valid choice" in response.content.decode()
    assert listed(response) == ["Ysgol Aberaeron"]


def test_directory_paginates(admin_client_, partnership):
    for i in range(school_views.PAGE_SIZE + 5):
        SchoolFactory(partnership=partnership, name=f"School {i:02d}")

    first = admin_client_.get(DIRECTORY)
    second = admin_client_.get(DIRECTORY, {"page": 2})

    assert len(listed(first)) == school_views.PAGE_SIZE
    assert len(listed(second)) == 5
    assert set(listed(first)).isdisjoint(listed(second))
    assert f"{school_views.PAGE_SIZE + 5} schools found" in first.content.decode()


def test_directory_page_links_keep_the_filters(admin_client_, partnership):
    for i in range(school_views.PAGE_SIZE + 1):
        SchoolFactory(partnership=partnership, name=f"School {i:02d}", phase=Phase.SECONDARY)

    body = admin_client_.get(DIRECTORY, {"phase": Phase.SECONDARY}).content.decode()

    assert 'href="?phase=secondary&amp;page=2"' in body


@pytest.mark.parametrize("page", ["999", "not-a-number"])
def test_directory_out_of_range_page_still_answers(admin_client_, two_schools, page):
    response = admin_client_.get(DIRECTORY, {"page": page})

    assert response.status_code == 200
    assert len(listed(response)) == 2


def test_directory_htmx_request_gets_only_the_results(admin_client_, two_schools):
    response = admin_client_.get(
        DIRECTORY, {"phase": Phase.PRIMARY}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert listed(response) == ["Ysgol Aberaeron"]
    assert "<html" not in body
    assert "<form" not in body
    assert "1 school found" in body


def test_directory_without_htmx_is_a_whole_page_with_the_filter_form(admin_client_, two_schools):
    body = admin_client_.get(DIRECTORY).content.decode()

    assert "<html" in body
    assert 'id="directory-results"' in body
    assert 'name="local_authority"' in body


# --- School page ---------------------------------------------------------------------------


def test_school_page_shows_the_schools_details(
    partnership, admin_client_, two_schools, member_factory
):
    school = two_schools["aber"]
    head = member_factory(partnership, Role.HEADTEACHER, school=school, full_name="Nia Jones")
    ca = member_factory(partnership, Role.CHALLENGE_ADVISER, full_name="Huw Evans")
    School.objects.filter(pk=school.pk).update(challenge_adviser=ca, fsm_percent=Decimal("22.5"))

    body = admin_client_.get(f"/p/cwm/schools/{school.pk}/").content.decode()

    for text in [
        "Ysgol Aberaeron",
        "6671234",
        "Ceredigion",
        "Primary",
        "Welsh-medium",
        "210",
        "22.5%",
        "SA46 0DT",
        head.full_name,
        "Huw Evans",
        f'href="/p/cwm/clusters/{two_schools["north"].pk}/">North cluster',
        f'href="/p/cwm/sigs/{two_schools["sig"].pk}/">Coast SIG',
    ]:
        assert text in body, text


def test_school_page_shows_category_history_newest_first_with_who_and_why(
    partnership, admin_client_, school, member_factory
):
    ca = member_factory(partnership, Role.CHALLENGE_ADVISER, full_name="Huw Evans")
    CategoryChangeFactory(partnership=partnership, school=school, reason="First look.", set_by=ca)
    CategoryChangeFactory(
        partnership=partnership,
        school=school,
        category=SupportCategory.GREEN,
        reason="Strong progress.",
        moderated=True,
        set_by=ca,
    )

    body = admin_client_.get(f"/p/cwm/schools/{school.pk}/").content.decode()

    assert "Support category history" in body
    assert body.index("Strong progress.") < body.index("First look.")
    assert "Huw Evans" in body
    assert "moderated" in body


def test_school_page_says_when_no_category_was_recorded(admin_client_, school):
    body = admin_client_.get(f"/p/cwm/schools/{school.pk}/").content.decode()

    assert "No support category has been recorded yet." in body


def test_unknown_school_is_404(admin_client_, school):
    assert admin_client_.get("/p/cwm/schools/999999/").status_code == 404


# --- Add and edit a school -----------------------------------------------------------------


@pytest.fixture
def school_data(partnership):
    return {
        "official_number": "6612345",
        "name": "Ysgol Newydd",
        "phase": Phase.PRIMARY,
        "language_medium": LanguageMedium.WELSH,
        "local_authority": LocalAuthorityFactory(partnership=partnership).pk,
        "pupils": "180",
        "fsm_percent": "12.5",
        "postcode": "SY23 1AA",
        "report_language": "cy",
    }


def test_valid_new_school_is_saved_and_opens_its_page(partnership, admin_client_, school_data):
    response = admin_client_.post("/p/cwm/schools/new/", school_data)

    school = School.objects.get(official_number="6612345")
    assert response.status_code == 302
    assert response["Location"] == f"/p/cwm/schools/{school.pk}/"
    assert school.partnership == partnership
    assert school.name == "Ysgol Newydd"
    assert school.fsm_percent == Decimal("12.5")
    assert school.report_language == "cy"


def test_new_school_with_a_challenge_adviser(
    partnership, admin_client_, school_data, member_factory
):
    ca = member_factory(partnership, Role.CHALLENGE_ADVISER)

    admin_client_.post("/p/cwm/schools/new/", {**school_data, "challenge_adviser": ca.pk})

    assert School.objects.get(official_number="6612345").challenge_adviser == ca


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"phase": "castle"}, "phase"),
        ({"fsm_percent": "150"}, "fsm_percent"),
        ({"pupils": "-3"}, "pupils"),
        ({"local_authority": "999999"}, "local_authority"),
    ],
    ids=["no-name", "bad-phase", "fsm-over-100", "negative-pupils", "unknown-la"],
)
def test_invalid_new_school_shows_errors_and_writes_nothing(
    admin_client_, school_data, change, field
):
    response = admin_client_.post("/p/cwm/schools/new/", {**school_data, **change})

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert f'href="#id_{field}"' in body
    assert not School.objects.filter(official_number="6612345").exists()


def test_local_authority_of_another_partnership_is_refused(
    admin_client_, school_data, other_partnership
):
    theirs = LocalAuthorityFactory(partnership=other_partnership)

    response = admin_client_.post(
        "/p/cwm/schools/new/", {**school_data, "local_authority": theirs.pk}
    )

    assert response.status_code == 200
    assert 'href="#id_local_authority"' in response.content.decode()
    assert not School.objects.filter(official_number="6612345").exists()


def test_challenge_adviser_must_hold_an_adviser_role_here(
    partnership, admin_client_, school_data, member_factory
):
    hub_lead = member_factory(partnership, Role.HUB_LEAD)

    response = admin_client_.post(
        "/p/cwm/schools/new/", {**school_data, "challenge_adviser": hub_lead.pk}
    )

    assert 'href="#id_challenge_adviser"' in response.content.decode()
    assert not School.objects.filter(official_number="6612345").exists()


@pytest.mark.parametrize("number", ["6612345", " 6612345 "])
def test_duplicate_official_number_in_the_partnership_is_a_form_error(
    partnership, admin_client_, school_data, number
):
    SchoolFactory(partnership=partnership, official_number="6612345", name="Ysgol Gyntaf")

    response = admin_client_.post("/p/cwm/schools/new/", {**school_data, "official_number": number})

    assert response.status_code == 200
    assert "Another school already has this official number." in response.content.decode()
    assert School.objects.filter(official_number="6612345").count() == 1


def test_same_official_number_is_allowed_in_another_partnership(
    partnership, other_partnership, admin_client_, school_data
):
    SchoolFactory(partnership=other_partnership, official_number="6612345")

    response = admin_client_.post("/p/cwm/schools/new/", school_data)

    assert response.status_code == 302
    assert School.objects.filter(official_number="6612345").count() == 2


def test_edit_form_shows_the_current_values(admin_client_, two_schools):
    body = admin_client_.get(f"/p/cwm/schools/{two_schools['aber'].pk}/edit/").content.decode()

    assert 'value="Ysgol Aberaeron"' in body
    assert 'value="6671234"' in body


def test_edit_saves_changes_and_keeps_its_own_number(admin_client_, school, school_data):
    data = {**school_data, "official_number": school.official_number, "name": "Ysgol y Cwm Newydd"}

    response = admin_client_.post(f"/p/cwm/schools/{school.pk}/edit/", data)

    assert response.status_code == 302
    assert response["Location"] == f"/p/cwm/schools/{school.pk}/"
    school.refresh_from_db()
    assert school.name == "Ysgol y Cwm Newydd"


def test_edit_to_another_schools_number_is_a_form_error(
    partnership, admin_client_, school, school_data
):
    SchoolFactory(partnership=partnership, official_number="6612345")

    response = admin_client_.post(f"/p/cwm/schools/{school.pk}/edit/", school_data)

    assert "Another school already has this official number." in response.content.decode()
    school.refresh_from_db()
    assert school.name == "Ysgol y Cwm"


def test_invalid_edit_changes_nothing(admin_client_, school, school_data):
    data = {**school_data, "official_number": school.official_number, "name": ""}

    response = admin_client_.post(f"/p/cwm/schools/{school.pk}/edit/", data)

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    school.refresh_from_db()
    assert school.name == "Ysgol y Cwm"


def test_editing_an_unknown_school_is_404(admin_client_, school):
    assert admin_client_.get("/p/cwm/schools/999999/edit/").status_code == 404


# --- Set a support category ----------------------------------------------------------------


def test_setting_a_category_records_who_when_why_and_moderation(
    partnership, admin_user, admin_client_, school
):
    response = admin_client_.post(
        f"/p/cwm/schools/{school.pk}/category/",
        {"category": "amber", "reason": "Attendance has fallen.", "moderated": "on"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/p/cwm/schools/{school.pk}/"
    change = CategoryChange.objects.get(school=school)
    assert change.category == SupportCategory.AMBER
    assert change.previous_category == SupportCategory.GREEN
    assert change.reason == "Attendance has fallen."
    assert change.moderated is True
    assert change.set_by == admin_user
    assert change.set_at is not None
    assert change.partnership == partnership
    school.refresh_from_db()
    assert school.support_category == SupportCategory.AMBER
    assert school.category_moderated is True


def test_new_category_appears_on_the_school_page(admin_client_, school):
    admin_client_.post(
        f"/p/cwm/schools/{school.pk}/category/",
        {"category": "red", "reason": "Serious concerns about safeguarding."},
        follow=True,
    )

    body = admin_client_.get(f"/p/cwm/schools/{school.pk}/").content.decode()
    assert "Serious concerns about safeguarding." in body
    assert "(not yet moderated)" in body


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"category": "red", "reason": ""}, "reason"),
        ({"category": "red", "reason": "   "}, "reason"),
        ({"category": "purple", "reason": "Because."}, "category"),
        ({"reason": "Because."}, "category"),
    ],
    ids=["no-reason", "blank-reason", "unknown-category", "no-category"],
)
def test_category_without_reason_or_valid_category_is_refused(admin_client_, school, data, field):
    response = admin_client_.post(f"/p/cwm/schools/{school.pk}/category/", data)

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert f'href="#id_{field}' in body
    assert not CategoryChange.objects.exists()
    school.refresh_from_db()
    assert school.support_category == SupportCategory.GREEN


def test_category_form_starts_from_the_current_category(admin_client_, school):
    body = admin_client_.get(f"/p/cwm/schools/{school.pk}/category/").content.decode()

    assert re.search(r'value="green"\s+checked', body)


# --- Clusters and SIGs ---------------------------------------------------------------------


def test_clusters_page_lists_clusters_with_school_counts(admin_client_, two_schools, partnership):
    SchoolFactory(partnership=partnership, cluster=two_schools["north"])

    body = admin_client_.get("/p/cwm/clusters/").content.decode()

    north = body.index("North cluster")
    assert body.index("South cluster") > north
    assert re.search(r"North cluster</a></td>\s*<td[^>]*>2</td>", body)
    assert re.search(r"South cluster</a></td>\s*<td[^>]*>1</td>", body)


def test_cluster_page_lists_its_schools(admin_client_, two_schools):
    response = admin_client_.get(f"/p/cwm/clusters/{two_schools['north'].pk}/")

    assert listed(response) == ["Ysgol Aberaeron"]
    assert "1 school" in response.content.decode()


def test_sigs_page_lists_groups_with_parent_and_count(admin_client_, two_schools, partnership):
    SchoolImprovementGroupFactory(
        partnership=partnership,
        name="Coast SIG (maths)",
        parent=two_schools["sig"],
        schools=[two_schools["aber"], two_schools["brec"]],
    )

    body = admin_client_.get("/p/cwm/sigs/").content.decode()

    assert re.search(r"Coast SIG</a></td>\s*<td[^>]*>—</td>\s*<td[^>]*>1</td>", body)
    assert re.search(
        r"Coast SIG \(maths\)</a></td>\s*<td[^>]*>Coast SIG</td>\s*<td[^>]*>2</td>", body
    )


def test_sig_page_lists_its_schools_and_smaller_groups(admin_client_, two_schools, partnership):
    sub = SchoolImprovementGroupFactory(
        partnership=partnership, name="Coast SIG (maths)", parent=two_schools["sig"]
    )

    response = admin_client_.get(f"/p/cwm/sigs/{two_schools['sig'].pk}/")
    sub_page = admin_client_.get(f"/p/cwm/sigs/{sub.pk}/").content.decode()

    body = response.content.decode()
    assert listed(response) == ["Ysgol Aberaeron"]
    assert "Smaller groups" in body
    assert f'href="/p/cwm/sigs/{sub.pk}/">Coast SIG (maths)' in body
    assert f'href="/p/cwm/sigs/{two_schools["sig"].pk}/">Coast SIG' in sub_page


@pytest.mark.parametrize("path", ["/p/cwm/clusters/999999/", "/p/cwm/sigs/999999/"])
def test_unknown_group_is_404(admin_client_, school, path):
    assert admin_client_.get(path).status_code == 404


# --- Who gets in at all --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/p/cwm/schools/", "/p/cwm/schools/{pk}/", "/p/cwm/clusters/", "/p/cwm/sigs/"]
)
def test_logged_out_school_pages_redirect_to_login(school, path):
    url = path.format(pk=school.pk)

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_logged_out_post_writes_nothing(school):
    response = Client().post(
        f"/p/cwm/schools/{school.pk}/category/", {"category": "red", "reason": "Because."}
    )

    assert response.status_code == 302
    assert not CategoryChange.objects.exists()


@pytest.mark.parametrize(
    "path", ["/p/nowhere/schools/", "/p/nowhere/clusters/", "/p/nowhere/sigs/"]
)
def test_unknown_partnership_slug_is_404(admin_client_, path):
    assert admin_client_.get(path).status_code == 404


def test_member_of_another_partnership_gets_404(other_partnership, school, member_factory):
    outsider = member_factory(other_partnership, Role.PARTNERSHIP_ADMIN)
    client = Client()
    client.force_login(outsider)

    assert client.get(f"/p/cwm/schools/{school.pk}/").status_code == 404


def test_user_without_any_role_gets_404(school, client_for):
    assert client_for(UserFactory()).get("/p/cwm/schools/").status_code == 404
