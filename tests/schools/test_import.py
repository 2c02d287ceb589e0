"""School import from CSV: upload, dry-run preview with row-numbered problems, confirm."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partnership.models import Role
from schools import importer, services
from schools.models import LanguageMedium, Phase, School
from tests.factories import ClusterFactory, LocalAuthorityFactory, SchoolFactory

URL = "/p/cwm/schools/import/"
HEADER = (
    "official_number,name,phase,language_medium,local_authority,cluster,"
    "pupils,fsm_percent,postcode,report_language"
)
EXAMPLE_FILE = Path(__file__).resolve().parents[2] / "docs/examples/schools-import-example.csv"


@pytest.fixture
def ceredigion(partnership):
    return LocalAuthorityFactory(partnership=partnership, name="Ceredigion", code="W06000008")


@pytest.fixture
def cluster(partnership):
    return ClusterFactory(partnership=partnership, name="Aberaeron")


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


def school_row(
    number: str = "6612001",
    name: str = "Ysgol Gynradd Aberaeron",
    phase: str = "primary",
    medium: str = "welsh",
    la: str = "Ceredigion",
    cluster: str = "",
    pupils: str = "182",
    fsm: str = "12.5",
    postcode: str = "SA46 0DT",
    language: str = "cy",
) -> str:
    return ",".join([number, name, phase, medium, la, cluster, pupils, fsm, postcode, language])


def upload(client, content: str | bytes, name: str = "schools.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def confirm(client, token: str):
    return client.post(URL, {"confirm": "1", "token": token})


def shown_problems(response) -> list[str]:
    """The problems listed on the preview page, as the user reads them."""
    match = re.search(r"<ul[^>]*data-import-problems>(.*?)</ul>", response.content.decode(), re.S)
    if not match:
        return []
    return [html.unescape(item).strip() for item in re.findall(r"<li>(.*?)</li>", match[1], re.S)]


def form_errors(response) -> list[str]:
    return [str(e) for errors in response.context["form"].errors.values() for e in errors]


def problems_of(text: str, partnership) -> list[str]:
    return [str(p) for p in importer.preview(text, partnership=partnership).problems]


# --- The pages --------------------------------------------------------------------------


@pytest.mark.django_db
def test_upload_page_documents_every_column(admin_client_):
    response = admin_client_.get(URL)
    assert response.status_code == 200
    for column in importer.COLUMN_NAMES:
        assert f"<code>{column}</code>" in response.content.decode()


@pytest.mark.django_db
def test_directory_links_to_the_import_for_an_admin(admin_client_):
    assert URL in admin_client_.get("/p/cwm/schools/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.HEADTEACHER, Role.SENIOR_CA, Role.GOVERNOR])
def test_non_admins_are_forbidden(partnership, school, member_factory, client_for, role):
    client = client_for(member_factory(partnership, role, school=school))
    assert client.get(URL).status_code == 403
    assert upload(client, csv_text(school_row())).status_code == 403
    assert URL not in client.get("/p/cwm/schools/").content.decode()


@pytest.mark.django_db
def test_an_admin_of_another_partnership_gets_404(
    partnership, other_partnership, member_factory, client_for
):
    client = client_for(member_factory(other_partnership, Role.PARTNERSHIP_ADMIN))
    assert client.get(URL).status_code == 404


# --- Preview, then confirm --------------------------------------------------------------


@pytest.mark.django_db
def test_preview_lists_the_schools_to_add_and_writes_nothing(admin_client_, ceredigion):
    response = upload(admin_client_, csv_text(school_row(), school_row("6612002", "Ysgol Bro")))

    assert response.status_code == 200
    assert [p.official_number for p in response.context["report"].creates] == [
        "6612001",
        "6612002",
    ]
    assert "Ysgol Gynradd Aberaeron" in response.content.decode()
    assert 'name="confirm"' in response.content.decode()
    assert School.objects.count() == 0


@pytest.mark.django_db
def test_confirm_creates_the_previewed_schools(partnership, admin_client_, ceredigion, cluster):
    preview = upload(admin_client_, csv_text(school_row(cluster="Aberaeron")))

    response = confirm(admin_client_, preview.context["token"])

    assert response.status_code == 302
    assert response["Location"] == "/p/cwm/schools/"
    school = School.objects.get()
    assert school.partnership == partnership
    assert (school.official_number, school.name) == ("6612001", "Ysgol Gynradd Aberaeron")
    assert (school.phase, school.language_medium) == (Phase.PRIMARY, LanguageMedium.WELSH)
    assert (school.local_authority, school.cluster) == (ceredigion, cluster)
    assert (school.pupils, school.fsm_percent) == (182, Decimal("12.5"))
    assert (school.postcode, school.report_language) == ("SA46 0DT", "cy")
    assert "1 school was added." in admin_client_.get("/p/cwm/schools/").content.decode()


@pytest.mark.django_db
def test_reimport_updates_schools_by_official_number_without_duplicates(
    partnership, admin_client_, ceredigion
):
    existing = SchoolFactory(
        partnership=partnership, official_number="6612001", name="Old name", pupils=150
    )
    preview = upload(admin_client_, csv_text(school_row(pupils="190"), school_row("6612002")))
    assert [p.school_id for p in preview.context["report"].updates] == [existing.pk]

    confirm(admin_client_, preview.context["token"])

    assert School.objects.count() == 2
    existing.refresh_from_db()
    assert (existing.name, existing.pupils, existing.local_authority) == (
        "Ysgol Gynradd Aberaeron",
        190,
        ceredigion,
    )


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    partnership, admin_user, ceredigion
):
    text = csv_text(school_row(), school_row("6612002", "Ysgol Bro"))
    services.import_schools(actor=admin_user, partnership=partnership, text=text)
    before = list(School.objects.order_by("pk").values())

    result = services.import_schools(actor=admin_user, partnership=partnership, text=text)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert list(School.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_official_numbers_match_whatever_their_letter_case(partnership, admin_user, ceredigion):
    SchoolFactory(partnership=partnership, official_number="W123")

    result = services.import_schools(
        actor=admin_user, partnership=partnership, text=csv_text(school_row("w123"))
    )

    assert (result.created, result.updated) == (0, 1)
    assert School.objects.get().official_number == "W123"


@pytest.mark.django_db
def test_a_school_of_another_partnership_with_the_same_number_is_left_alone(
    partnership, other_partnership, admin_user, ceredigion
):
    theirs = SchoolFactory(partnership=other_partnership, official_number="6612001", name="Theirs")

    services.import_schools(actor=admin_user, partnership=partnership, text=csv_text(school_row()))

    theirs.refresh_from_db()
    assert theirs.name == "Theirs"
    assert School.objects.filter(partnership=partnership, official_number="6612001").exists()


@pytest.mark.django_db
def test_an_optional_column_left_out_keeps_existing_values(partnership, admin_user, ceredigion):
    school = SchoolFactory(partnership=partnership, official_number="6612001", pupils=321)

    services.import_schools(
        actor=admin_user,
        partnership=partnership,
        text=csv_text(
            "6612001,New name,primary,Ceredigion",
            header="official_number,name,phase,local_authority",
        ),
    )

    school.refresh_from_db()
    assert (school.name, school.pupils, school.fsm_percent) == ("New name", 321, Decimal("18.5"))


@pytest.mark.django_db
def test_an_empty_cluster_cell_takes_the_school_out_of_its_cluster(
    partnership, admin_user, ceredigion, cluster
):
    school = SchoolFactory(partnership=partnership, official_number="6612001", cluster=cluster)

    services.import_schools(
        actor=admin_user, partnership=partnership, text=csv_text(school_row(cluster=""))
    )

    school.refresh_from_db()
    assert school.cluster is None


@pytest.mark.django_db
def test_names_labels_and_codes_are_accepted(partnership, admin_user, ceredigion):
    row = school_row(
        phase="All-through", medium="Welsh-medium", la="w06000008", fsm="7%", language="Cymraeg"
    )

    services.import_schools(actor=admin_user, partnership=partnership, text=csv_text(row))

    school = School.objects.get()
    assert (school.phase, school.language_medium) == (Phase.ALL_THROUGH, LanguageMedium.WELSH)
    assert (school.local_authority, school.fsm_percent) == (ceredigion, Decimal("7.0"))
    assert school.report_language == "cy"


@pytest.mark.django_db
def test_a_new_school_without_report_language_takes_the_partnership_default(
    partnership, admin_user, ceredigion
):
    partnership.default_language = "cy"
    partnership.save()

    services.import_schools(
        actor=admin_user, partnership=partnership, text=csv_text(school_row(language=""))
    )

    assert School.objects.get().report_language == "cy"


@pytest.mark.django_db
def test_the_documented_example_file_imports(partnership, admin_client_):
    for name in ("Ceredigion", "Powys"):
        LocalAuthorityFactory(partnership=partnership, name=name)
    ClusterFactory(partnership=partnership, name="Aberaeron")

    preview = upload(admin_client_, EXAMPLE_FILE.read_bytes(), name=EXAMPLE_FILE.name)
    assert shown_problems(preview) == []
    confirm(admin_client_, preview.context["token"])

    assert School.objects.count() == len(EXAMPLE_FILE.read_text().strip().splitlines()) - 1


# --- Nothing is written unless the whole file is valid ----------------------------------


@pytest.mark.django_db
def test_an_invalid_file_lists_its_problems_and_writes_nothing(admin_client_, ceredigion):
    text = csv_text(school_row(), school_row("6612002", phase="primry"))

    response = upload(admin_client_, text)

    assert shown_problems(response) == [
        "Row 3: phase “primry” is not recognised. Use one of: "
        "nursery, primary, secondary, all_through, special, pru."
    ]
    assert 'name="confirm"' not in response.content.decode()
    assert School.objects.count() == 0
    assert "schools_import" not in admin_client_.session


@pytest.mark.django_db
def test_confirm_without_a_checked_file_writes_nothing(admin_client_, ceredigion):
    response = confirm(admin_client_, "0" * 64)

    assert response.status_code == 400
    assert "upload the file again" in response.content.decode()
    assert School.objects.count() == 0


@pytest.mark.django_db
def test_confirm_with_a_garbled_token_is_a_bad_request(admin_client_, ceredigion):
    upload(admin_client_, csv_text(school_row()))

    response = confirm(admin_client_, "é<script>")

    assert response.status_code == 400
    assert School.objects.count() == 0


@pytest.mark.django_db
def test_confirm_with_a_token_for_another_file_writes_nothing(admin_client_, ceredigion):
    first = upload(admin_client_, csv_text(school_row()))
    upload(admin_client_, csv_text(school_row("6612002")))

    response = confirm(admin_client_, first.context["token"])

    assert response.status_code == 400
    assert School.objects.count() == 0


@pytest.mark.django_db
def test_confirm_rechecks_the_file_and_writes_nothing_if_it_became_invalid(
    admin_client_, ceredigion
):
    preview = upload(admin_client_, csv_text(school_row(), school_row("6612002")))
    ceredigion.name, ceredigion.code = "Sir Ceredigion", "W06"
    ceredigion.save()

    response = confirm(admin_client_, preview.context["token"])

    assert response.status_code == 400
    assert shown_problems(response)[0].startswith("Row 2: local_authority “Ceredigion” is not")
    assert School.objects.count() == 0


@pytest.mark.django_db
def test_the_service_refuses_an_invalid_file_with_its_report(partnership, admin_user, ceredigion):
    SchoolFactory(partnership=partnership, official_number="6612001", name="Kept")
    text = csv_text(school_row(name="Changed"), school_row("6612002", pupils="lots"))

    with pytest.raises(importer.ImportRejected) as rejected:
        services.import_schools(actor=admin_user, partnership=partnership, text=text)

    assert [str(p) for p in rejected.value.report.problems] == [
        "Row 3: pupils “lots” is not a whole number (for example 210)."
    ]
    assert list(School.objects.values_list("official_number", "name")) == [("6612001", "Kept")]


# --- Every problem, with its row number -------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            csv_text(
                "6612001,Ysgol,primary,Ceredigion",
                header="official_number,name,phase,local_authority",
            ),
            "Row 2: language_medium is needed for a new school.",
            id="new-school-without-medium",
        ),
        pytest.param(
            csv_text("6612001,primary,Ceredigion", header="official_number,phase,local_authority"),
            "Row 1: the required column name is missing.",
            id="missing-column",
        ),
        pytest.param(
            csv_text(school_row() + ",x", header=HEADER + ",pupil_count"),
            "Row 1: unknown column “pupil_count”.",
            id="unknown-column",
        ),
        pytest.param(
            csv_text(school_row() + ",red", header=HEADER + ",support_category"),
            "Row 1: the column “support_category” is not imported.",
            id="category-column",
        ),
        pytest.param(
            csv_text(school_row(), header=HEADER.replace("pupils", "name")),
            "Row 1: the column name appears twice.",
            id="duplicate-column",
        ),
        pytest.param(
            csv_text(school_row(), school_row("6612002", la="Powys")),
            "Row 3: local_authority “Powys” is not one of this partnership's local authorities.",
            id="unknown-local-authority",
        ),
        pytest.param(
            csv_text(school_row(phase="infant")),
            "Row 2: phase “infant” is not recognised.",
            id="bad-phase",
        ),
        pytest.param(
            csv_text(school_row(phase="")),
            "Row 2: phase is empty.",
            id="empty-phase",
        ),
        pytest.param(
            csv_text(school_row(medium="french")),
            "Row 2: language_medium “french” is not recognised.",
            id="bad-medium",
        ),
        pytest.param(
            csv_text(school_row(language="fr")),
            "Row 2: report_language “fr” is not recognised.",
            id="bad-report-language",
        ),
        pytest.param(
            csv_text(school_row(cluster="Nowhere")),
            "Row 2: cluster “Nowhere” does not exist in this partnership.",
            id="unknown-cluster",
        ),
        pytest.param(
            csv_text(school_row(), school_row("6612002"), school_row(" 6612001 ")),
            "Row 4: official number “6612001” is also on row 2;",
            id="duplicate-official-number",
        ),
        pytest.param(
            csv_text(school_row(number="")),
            "Row 2: official_number is empty;",
            id="empty-official-number",
        ),
        pytest.param(
            csv_text(school_row(name="Y" * 201)),
            "Row 2: name is 201 characters long; the most allowed is 200",
            id="long-name",
        ),
        pytest.param(
            csv_text(school_row(number="1" * 21)),
            "Row 2: official_number is 21 characters long; the most allowed is 20",
            id="long-official-number",
        ),
        pytest.param(
            csv_text(school_row(postcode="SA46 0DT SA46")),
            "Row 2: postcode is 13 characters long; the most allowed is 10",
            id="long-postcode",
        ),
        pytest.param(
            csv_text(school_row(pupils="12.5")),
            "Row 2: pupils “12.5” is not a whole number",
            id="non-numeric-pupils",
        ),
        pytest.param(
            csv_text(school_row(pupils="10001")),
            "Row 2: pupils “10001” is out of range",
            id="too-many-pupils",
        ),
        pytest.param(
            csv_text(school_row(fsm="about half")),
            "Row 2: fsm_percent “about half” is not a number",
            id="non-numeric-fsm",
        ),
        pytest.param(
            csv_text(school_row(fsm="100.5")),
            "Row 2: fsm_percent “100.5” is out of range",
            id="fsm-over-100",
        ),
        pytest.param(
            csv_text(school_row(fsm="12.25")),
            "Row 2: fsm_percent “12.25” has more than one decimal place.",
            id="fsm-two-decimals",
        ),
        pytest.param(
            csv_text(school_row(), "6612002,Ysgol,primary"),
            "Row 3: it has 3 cells but the header has 10 columns.",
            id="short-row",
        ),
        pytest.param(
            csv_text(school_row(name='"Ysgol\nNewydd"')),
            "Row 2: name “Ysgol\\nNewydd” contains a line break",
            id="line-break-in-cell",
        ),
        pytest.param(
            csv_text(school_row(), school_row("6612002", name='"Ysgol "Bro" Pedr"')),
            "Row 3: this row cannot be read as CSV",
            id="broken-quotes",
        ),
        pytest.param(csv_text(), "Row 1: the file has a header row but no schools", id="no-rows"),
        pytest.param(" \r\n", "Row 1: the file is empty.", id="empty-file"),
        pytest.param(
            HEADER.replace(",", ";") + "\n",
            "Row 1: the columns seem to be separated by semicolons.",
            id="semicolons",
        ),
    ],
)
def test_each_problem_is_reported_with_its_row_number(partnership, ceredigion, text, expected):
    problems = problems_of(text, partnership)

    assert any(p.startswith(expected) for p in problems), problems


@pytest.mark.django_db
@pytest.mark.parametrize("cell", ['=HYPERLINK(""http://x"")', "+1", "-5", "@SUM(A1)", " =1+1"])
def test_a_formula_like_cell_is_refused_with_the_reason(partnership, ceredigion, cell):
    problems = problems_of(csv_text(school_row(name=f'"{cell}"')), partnership)

    assert len(problems) == 1
    assert problems[0].startswith("Row 2: name “")
    assert "could run as a formula" in problems[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("\tYsgol", "Row 2: name “\\tYsgol” starts with a tab."),
        ("\rYsgol", "Row 2: name “\\rYsgol” starts with a carriage return."),
    ],
)
def test_a_cell_starting_with_a_tab_or_carriage_return_is_refused(
    partnership, ceredigion, cell, expected
):
    problems = problems_of(csv_text(school_row(name=f'"{cell}"')), partnership)

    assert problems[0].startswith(expected)


@pytest.mark.django_db
def test_a_formula_cell_is_shown_on_the_preview_and_nothing_is_written(admin_client_, ceredigion):
    response = upload(admin_client_, csv_text(school_row(postcode="=cmd|'/c calc'!A1")))

    assert shown_problems(response)[0].startswith(
        "Row 2: postcode “=cmd|'/c calc'!A1” starts with “=”."
    )
    assert School.objects.count() == 0


@pytest.mark.django_db
def test_every_problem_in_the_file_is_listed_not_only_the_first(partnership, ceredigion):
    text = csv_text(
        school_row(phase="x"),
        school_row("6612002", la="Powys", pupils="-3"),
        school_row("6612003", fsm="101"),
    )

    rows = [p.row for p in importer.preview(text, partnership=partnership).problems]

    assert rows == [2, 3, 3, 4]


@pytest.mark.django_db
def test_blank_rows_are_skipped_but_keep_the_row_numbers(partnership, ceredigion):
    text = csv_text(school_row(), "", ",,,,,,,,,", school_row("6612002", phase="x"))

    assert [p.row for p in importer.preview(text, partnership=partnership).problems] == [5]


@pytest.mark.django_db
def test_a_local_authority_of_another_partnership_is_unknown(partnership, other_partnership):
    LocalAuthorityFactory(partnership=other_partnership, name="Ceredigion")

    problems = problems_of(csv_text(school_row()), partnership)

    assert problems[0].startswith("Row 2: local_authority “Ceredigion” is not one of")


@pytest.mark.django_db
def test_too_many_rows_is_a_problem(partnership, ceredigion, monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 3)
    rows = [school_row(f"66120{n:02}") for n in range(4)]

    problems = problems_of(csv_text(*rows), partnership)

    assert problems == [
        "Row 5: the file has more than 3 schools. Split it into files of at most 3 schools."
    ]


# --- The file itself --------------------------------------------------------------------


@pytest.mark.django_db
def test_utf8_with_a_byte_order_mark_is_accepted(admin_client_, ceredigion):
    text = csv_text(school_row(name="Ysgol Gymraeg Bro Ŵy"))

    response = upload(admin_client_, text.encode("utf-8-sig"))

    assert shown_problems(response) == []
    assert response.context["report"].creates[0].values["name"] == "Ysgol Gymraeg Bro Ŵy"


@pytest.mark.django_db
def test_a_latin1_file_is_refused_with_a_clear_reason(admin_client_, ceredigion):
    text = csv_text(school_row(name="Ysgol Café"))

    response = upload(admin_client_, text.encode("latin-1"))

    assert response.status_code == 200
    [error] = form_errors(response)
    assert error.startswith("The file is not saved as UTF-8: line 2 has a character")
    assert "CSV UTF-8 (Comma delimited)" in error
    assert School.objects.count() == 0


@pytest.mark.django_db
def test_a_utf16_file_is_refused_with_a_clear_reason(admin_client_, ceredigion):
    response = upload(admin_client_, csv_text(school_row()).encode("utf-16"))

    [error] = form_errors(response)
    assert error.startswith("The file is saved as UTF-16")


@pytest.mark.django_db
def test_a_file_that_is_not_csv_is_refused(admin_client_):
    response = upload(admin_client_, b"PK\x03\x04", name="schools.xlsx")

    assert form_errors(response) == ["The file must be a CSV file whose name ends in .csv."]


@pytest.mark.django_db
def test_an_oversized_file_is_refused(admin_client_, settings):
    settings.SCHOOL_IMPORT_MAX_BYTES = 100

    response = upload(admin_client_, csv_text(school_row(), school_row("6612002")))

    [error] = form_errors(response)
    assert error.startswith("The file is ")
    assert "the largest accepted is 100" in error


@pytest.mark.django_db
def test_no_file_is_a_form_error(admin_client_):
    response = admin_client_.post(URL, {})

    assert form_errors(response) == ["Choose a CSV file to upload."]


# --- Cost -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("count", [4, 40])
def test_the_query_count_of_an_import_does_not_grow_with_its_rows(
    partnership, admin_user, ceredigion, django_assert_num_queries, count
):
    half = count // 2
    for n in range(half):
        SchoolFactory(partnership=partnership, official_number=f"66{n:05}", pupils=1)
    text = csv_text(*[school_row(f"66{n:05}", name=f"Ysgol {n}") for n in range(count)])

    # savepoint, lock, local authorities, clusters, schools, insert, update, release
    with django_assert_num_queries(8):
        result = services.import_schools(actor=admin_user, partnership=partnership, text=text)

    assert (result.created, result.updated) == (count - half, half)
    assert School.objects.filter(partnership=partnership).count() == count
