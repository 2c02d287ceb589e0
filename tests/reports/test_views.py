"""Who reads, generates and downloads which report; the terms pages; the PDF panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from partnership.models import Role, Term
from reports import services
from reports.models import ReportKind, ReportRun
from tests.factories import SchoolFactory
from tests.reports.factories import ReportRunFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _url(name: str, partnership, **kwargs) -> str:
    return reverse(f"reports:{name}", kwargs={"partnership_slug": partnership.slug, **kwargs})


def _report_url(partnership, term, school) -> str:
    return _url("school_report", partnership, term_pk=term.pk, school_pk=school.pk)


@pytest.fixture
def done_run(partnership, term, school):
    run = ReportRunFactory(
        partnership=partnership, term=term, kind=ReportKind.SCHOOL, school=school, version=1
    )
    services.generate(run.pk)
    run.refresh_from_db()
    assert run.is_done
    return run


# --- Reading a school's report -------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.HEADTEACHER])
def test_the_schools_own_people_read_its_report(
    role, partnership, term, school, member_factory, client_for
):
    user = member_factory(partnership, role, school=school)
    response = client_for(user).get(_report_url(partnership, term, school))
    assert response.status_code == 200
    assert b'data-section="summary"' in response.content
    assert b"Generate the PDF" in response.content


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.HEADTEACHER])
def test_no_one_reads_another_schools_report(
    role, partnership, term, school, member_factory, client_for
):
    user = member_factory(partnership, role, school=SchoolFactory(partnership=partnership))
    assert client_for(user).get(_report_url(partnership, term, school)).status_code == 403


def test_the_schools_challenge_adviser_reads_it_and_another_adviser_does_not(
    partnership, term, school, member_factory, client_for
):
    adviser = member_factory(partnership, Role.CHALLENGE_ADVISER)
    other = member_factory(partnership, Role.CHALLENGE_ADVISER)
    school.challenge_adviser = adviser
    school.save()
    assert client_for(adviser).get(_report_url(partnership, term, school)).status_code == 200
    assert client_for(other).get(_report_url(partnership, term, school)).status_code == 403


def test_an_admin_reads_every_report_and_the_board_report(partnership, term, school, admin_client_):
    assert admin_client_.get(_report_url(partnership, term, school)).status_code == 200
    response = admin_client_.get(_url("board_report", partnership, term_pk=term.pk))
    assert response.status_code == 200
    assert b"Partnership board report" in response.content


def test_a_governor_cannot_read_the_board_report(
    partnership, term, school, member_factory, client_for
):
    governor = member_factory(partnership, Role.GOVERNOR, school=school)
    response = client_for(governor).get(_url("board_report", partnership, term_pk=term.pk))
    assert response.status_code == 403


# --- Downloads ----------------------------------------------------------------------------


def test_a_governor_downloads_their_schools_pdf_and_it_is_audited(
    partnership, school, done_run, member_factory, client_for
):
    governor = member_factory(partnership, Role.GOVERNOR, school=school)
    response = client_for(governor).get(_url("download", partnership, token=done_run.token))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="reports.downloaded")
    assert event.actor == governor
    assert event.target_id == str(done_run.pk)


def test_a_download_link_is_checked_on_every_request(
    partnership, school, done_run, member_factory, client_for
):
    outsider = member_factory(
        partnership, Role.GOVERNOR, school=SchoolFactory(partnership=partnership)
    )
    assert (
        client_for(outsider).get(_url("download", partnership, token=done_run.token)).status_code
        == 404
    )
    governor = member_factory(partnership, Role.GOVERNOR, school=school)
    client = client_for(governor)
    assert client.get(_url("download", partnership, token=done_run.token)).status_code == 200
    governor.memberships.all().delete()  # no longer a governor of the school
    from partnership.tenancy import forget_memberships

    forget_memberships(governor)
    response = client.get(_url("download", partnership, token=done_run.token))
    assert response.status_code == 404


def test_guessed_tokens_and_unfinished_runs_have_no_file(partnership, term, school, admin_client_):
    assert admin_client_.get(_url("download", partnership, token="1")).status_code == 404
    queued = ReportRunFactory(
        partnership=partnership, term=term, kind=ReportKind.SCHOOL, school=school
    )
    assert admin_client_.get(_url("download", partnership, token=queued.token)).status_code == 404


def test_the_board_pdf_is_for_admins_only(
    partnership, term, school, member_factory, client_for, admin_client_
):
    run = ReportRunFactory(partnership=partnership, term=term)
    services.generate(run.pk)
    head = member_factory(partnership, Role.HEADTEACHER, school=school)
    assert client_for(head).get(_url("download", partnership, token=run.token)).status_code == 404
    assert admin_client_.get(_url("download", partnership, token=run.token)).status_code == 200


# --- Generating, with progress --------------------------------------------------------------


def test_generate_queues_a_run_and_the_panel_polls_until_it_is_done(
    partnership, term, school, member_factory, client_for, django_capture_on_commit_callbacks
):
    governor = member_factory(partnership, Role.GOVERNOR, school=school)
    client = client_for(governor)
    url = _url("generate_school", partnership, term_pk=term.pk, school_pk=school.pk)
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.QUEUED and run.requested_by == governor
    assert b'hx-trigger="every 2s"' in response.content
    status = client.get(
        _url("run_status", partnership, token=run.token), headers={"HX-Request": "true"}
    )
    assert b"waiting to be generated" in status.content
    services.generate(run.pk)
    status = client.get(
        _url("run_status", partnership, token=run.token), headers={"HX-Request": "true"}
    )
    assert b"hx-trigger" not in status.content
    assert b"Download the PDF (version 1)" in status.content


def test_generate_without_javascript_redirects_to_the_report(
    partnership, term, school, admin_client_
):
    url = _url("generate_school", partnership, term_pk=term.pk, school_pk=school.pk)
    response = admin_client_.post(url)
    assert response.status_code == 302
    assert response["Location"].endswith("#report-pdf")


def test_a_governor_cannot_generate_another_schools_report(
    partnership, term, school, member_factory, client_for
):
    governor = member_factory(
        partnership, Role.GOVERNOR, school=SchoolFactory(partnership=partnership)
    )
    url = _url("generate_school", partnership, term_pk=term.pk, school_pk=school.pk)
    assert client_for(governor).post(url).status_code == 403
    assert not ReportRun.objects.exists()


def test_a_failed_run_shows_its_error_and_a_retry(partnership, term, school, admin_client_):
    ReportRunFactory(
        partnership=partnership,
        term=term,
        kind=ReportKind.SCHOOL,
        school=school,
        status=ReportRun.Status.FAILED,
        error="cannot load font",
    )
    response = admin_client_.get(_report_url(partnership, term, school))
    assert b"data-run-failed" in response.content
    assert b"cannot load font" in response.content
    assert b"data-retry" in response.content
    assert b"data-download-latest" not in response.content


def test_earlier_versions_stay_listed(partnership, term, school, done_run, admin_client_):
    second = ReportRunFactory(
        partnership=partnership, term=term, kind=ReportKind.SCHOOL, school=school, version=2
    )
    services.generate(second.pk)
    content = admin_client_.get(_report_url(partnership, term, school)).content.decode()
    assert "Download the PDF (version 2)" in content
    assert _url("download", partnership, token=done_run.token) in content


# --- The list -----------------------------------------------------------------------------


def test_a_governor_lists_only_their_schools_report(
    partnership, term, school, member_factory, client_for
):
    SchoolFactory(partnership=partnership, name="Ysgol Arall")
    governor = member_factory(partnership, Role.GOVERNOR, school=school)
    content = client_for(governor).get(_url("index", partnership)).content.decode()
    assert school.name in content
    assert "Ysgol Arall" not in content
    assert "data-board-report" not in content


def test_the_list_without_terms_says_so(partnership, admin_client_):
    response = admin_client_.get(_url("index", partnership))
    assert b"data-no-terms" in response.content


# --- Terms --------------------------------------------------------------------------------


def test_only_admins_manage_terms(partnership, school, member_factory, client_for):
    head = member_factory(partnership, Role.HEADTEACHER, school=school)
    assert client_for(head).get(_url("terms", partnership)).status_code == 403
    assert client_for(head).post(_url("term_create", partnership)).status_code == 403


def test_an_admin_adds_a_term(partnership, admin_client_):
    response = admin_client_.post(
        _url("term_create", partnership),
        {
            "academic_year": "2026/27",
            "season": "spring",
            "starts_on": "2027-01-05",
            "ends_on": "2027-03-26",
        },
    )
    assert response.status_code == 302
    assert Term.objects.get(partnership=partnership).season == "spring"


def test_a_term_ending_before_it_starts_gets_a_clear_error(partnership, admin_client_):
    response = admin_client_.post(
        _url("term_create", partnership),
        {
            "academic_year": "2026/27",
            "season": "spring",
            "starts_on": "2027-03-26",
            "ends_on": "2027-01-05",
        },
    )
    assert response.status_code == 400
    assert "The end date must be after the start date." in response.content.decode()
    assert not Term.objects.exists()


def test_an_overlapping_term_gets_a_clear_error(partnership, term, admin_client_):
    response = admin_client_.post(
        _url("term_create", partnership),
        {
            "academic_year": "2026/27",
            "season": "spring",
            "starts_on": term.ends_on.isoformat(),
            "ends_on": (term.ends_on.replace(year=term.ends_on.year + 1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "These dates overlap Autumn 2026/27" in response.content.decode()


def test_an_admin_changes_a_term(partnership, term, admin_client_):
    response = admin_client_.post(
        _url("term_edit", partnership, pk=term.pk),
        {
            "academic_year": "2026/27",
            "season": "autumn",
            "starts_on": term.starts_on.isoformat(),
            "ends_on": (term.ends_on - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 302


def test_a_made_up_year_is_refused(partnership, admin_client_):
    response = admin_client_.post(
        _url("term_create", partnership),
        {
            "academic_year": "2026/29",
            "season": "spring",
            "starts_on": "2027-01-05",
            "ends_on": "2027-03-26",
        },
    )
    assert response.status_code == 400
    assert "The second year must follow the first" in response.content.decode()
