"""Termly report pages: terms (admins), the list of reports, a report as a web page with
its PDF versions, generating with progress (htmx polling), and downloads.

Thin views: parse the request, ask policies.py, call selectors.py or services.py, render.
Every download asks the policy again, so a link passed on to someone else is useless.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import record_event
from partnership.models import Term
from partnership.shortcuts import require
from partnership.tenancy import tenant_reverse
from schools.models import School

from . import policies, selectors, services
from .forms import SchoolSearchForm, TermChoiceForm, TermForm
from .models import ReportKind, ReportRun
from .sections import build_report

PAGE_SIZE = 50


def _school(pk: int) -> School:
    try:
        return School.objects.select_related("local_authority", "challenge_adviser").get(pk=pk)
    except School.DoesNotExist:
        raise Http404("No such school.") from None


# --- Terms ------------------------------------------------------------------------------------


def term_list(request: HttpRequest) -> HttpResponse:
    require(policies.can_manage_terms(request.user, request.partnership))
    return render(request, "reports/terms.html", {"terms": list(selectors.terms())})


def _term_form(request: HttpRequest, term: Term | None) -> HttpResponse:
    partnership = request.partnership
    require(policies.can_manage_terms(request.user, partnership))
    data = request.POST if request.method == "POST" else None
    form = TermForm.for_term(term, data) if term else TermForm(data)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_term(
                actor=request.user,
                partnership=partnership,
                term=term,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The term was saved."))
            return redirect(tenant_reverse(request, "reports:terms"))
    status = 400 if form.errors else 200
    return render(request, "reports/term_form.html", {"form": form, "term": term}, status=status)


def term_create(request: HttpRequest) -> HttpResponse:
    return _term_form(request, None)


def term_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(policies.can_manage_terms(request.user, request.partnership))
    return _term_form(request, selectors.term_for(pk))


# --- The list of reports ----------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    """The reports the person may read for one term: their schools' and, for admins, the
    board's, with the state of each school's latest PDF."""
    user, partnership = request.user, request.partnership
    terms = list(selectors.terms())
    term_form = TermChoiceForm(request.GET or None, terms=terms)
    term = None
    if term_form.is_valid() and term_form.cleaned_data.get("term"):
        term = next((t for t in terms if t.pk == term_form.cleaned_data["term"]), None)
    term = term or selectors.default_term()
    search = SchoolSearchForm(request.GET or None)
    schools = selectors.reportable_schools(user, partnership)
    if search.is_valid() and search.cleaned_data["q"]:
        q = search.cleaned_data["q"].strip()
        schools = schools.filter(Q(name__icontains=q) | Q(official_number__iexact=q))
    page = Paginator(schools, PAGE_SIZE).get_page(request.GET.get("page"))
    latest = selectors.latest_runs(term, [s.pk for s in page]) if term else {}
    rows = [(school, latest.get(school.pk)) for school in page]
    return render(
        request,
        "reports/index.html",
        {
            "term": term,
            "terms": terms,
            "term_form": term_form,
            "search": search,
            "page": page,
            "rows": rows,
            "can_manage_terms": policies.can_manage_terms(user, partnership),
            "can_view_board": policies.can_view_board_report(user, partnership),
        },
    )


# --- One report -------------------------------------------------------------------------------


def _panel_context(
    request: HttpRequest, term: Term, school: School | None, can_generate: bool
) -> dict:
    runs = selectors.runs_of(term, school)
    active = next((run for run in runs if run.is_active), None)
    if school:
        generate_url = tenant_reverse(
            request, "reports:generate_school", term_pk=term.pk, school_pk=school.pk
        )
    else:
        generate_url = tenant_reverse(request, "reports:generate_board", term_pk=term.pk)
    return {
        "term": term,
        "school": school,
        "runs": runs,
        "active": active,
        "latest": selectors.latest_done(runs),
        "can_generate": can_generate,
        "generate_url": generate_url,
    }


def _report_page(request: HttpRequest, term: Term, school: School | None) -> HttpResponse:
    report = build_report(
        ReportKind.SCHOOL if school else ReportKind.BOARD,
        partnership=request.partnership,
        term=term,
        school=school,
    )
    if school:
        can_generate = policies.can_generate_school_report(request.user, school)
    else:
        can_generate = policies.can_generate_board_report(request.user, request.partnership)
    context = {"report": report, **_panel_context(request, term, school, can_generate)}
    return render(request, "reports/report.html", context)


def school_report(request: HttpRequest, term_pk: int, school_pk: int) -> HttpResponse:
    """A school's termly report as a web page, with its PDF versions."""
    term, school = selectors.term_for(term_pk), _school(school_pk)
    require(policies.can_view_school_report(request.user, school))
    return _report_page(request, term, school)


def board_report(request: HttpRequest, term_pk: int) -> HttpResponse:
    term = selectors.term_for(term_pk)
    require(policies.can_view_board_report(request.user, request.partnership))
    return _report_page(request, term, None)


@require_POST
def generate_school(request: HttpRequest, term_pk: int, school_pk: int) -> HttpResponse:
    term, school = selectors.term_for(term_pk), _school(school_pk)
    require(policies.can_generate_school_report(request.user, school))
    return _generate(request, term, school)


@require_POST
def generate_board(request: HttpRequest, term_pk: int) -> HttpResponse:
    term = selectors.term_for(term_pk)
    require(policies.can_generate_board_report(request.user, request.partnership))
    return _generate(request, term, None)


def _generate(request: HttpRequest, term: Term, school: School | None) -> HttpResponse:
    try:
        services.request_report(
            actor=request.user,
            partnership=request.partnership,
            term=term,
            school=school,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.htmx:
        return render(
            request, "reports/_pdf_panel.html", _panel_context(request, term, school, True)
        )
    return redirect(_report_url(request, term, school) + "#report-pdf")


def _report_url(request: HttpRequest, term: Term, school: School | None) -> str:
    if school:
        return tenant_reverse(
            request, "reports:school_report", term_pk=term.pk, school_pk=school.pk
        )
    return tenant_reverse(request, "reports:board_report", term_pk=term.pk)


def _run(request: HttpRequest, token: str) -> ReportRun:
    """The run a URL names, if the person may read it (404 otherwise: a token that is not
    theirs does not even confirm the report exists)."""
    run = selectors.run_by_token(token)
    if not policies.can_view_run(request.user, run):
        raise Http404("No such report.")
    return run


def run_status(request: HttpRequest, token: str) -> HttpResponse:
    """The PDF panel of a run's report (htmx polls it while the run is under way)."""
    run = _run(request, token)
    if not request.htmx:
        return redirect(_report_url(request, run.term, run.school) + "#report-pdf")
    can_generate = policies.can_retry_run(request.user, run)
    return render(
        request,
        "reports/_pdf_panel.html",
        _panel_context(request, run.term, run.school, can_generate),
    )


@require_POST
def retry(request: HttpRequest, token: str) -> HttpResponse:
    run = _run(request, token)
    require(policies.can_retry_run(request.user, run))
    services.retry_run(actor=request.user, run=run, request=request)
    return redirect(_report_url(request, run.term, run.school) + "#report-pdf")


def download(request: HttpRequest, token: str) -> HttpResponse:
    """The PDF of one finished version, after checking the reader's permission."""
    run = _run(request, token)
    if not run.is_done or not run.file_path:
        raise Http404("This version has no file.")
    try:
        handle = default_storage.open(run.file_path, "rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    record_event(
        partnership=request.partnership,
        actor=request.user,
        action="reports.downloaded",
        target=run,
        detail={"version": run.version, "kind": run.kind},
        request=request,
    )
    subject = run.school.name if run.school_id else request.partnership.name
    filename = slugify(f"{subject} {run.term} v{run.version}") or "report"
    response = FileResponse(
        handle, as_attachment=True, filename=f"{filename}.pdf", content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
