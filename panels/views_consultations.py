"""Consultation pages: the discussion paper, responses from invited stakeholder groups
within the window, and the collated responses with CSV and PDF exports.

Thin views like panels/views.py: another partnership's consultation is a 404 through the
tenant scope, `policies` decide (403), services write and refuse bad input with a reason.
A refused response (late, duplicate, empty) is shown again with the person's own text, so
nothing they wrote is lost.
"""

from __future__ import annotations

import csv
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from partnership.pdf import pdf_response
from partnership.shortcuts import found, require, save_form
from partnership.tenancy import tenant_reverse

from . import policies, selectors, services
from .forms import ConsultationForm, QuestionForm, ResponseForm, SectionForm
from .models import Consultation, ConsultationSection


def _consultation(request: HttpRequest, pk: int) -> Consultation:
    return found(selectors.consultation_for, request.partnership, pk)


def _detail_url(request: HttpRequest, consultation: Consultation | int) -> str:
    pk = getattr(consultation, "pk", consultation)
    return tenant_reverse(request, "panels:consultation_detail", pk=pk)


def _form_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render(request, "panels/form.html", context)


def index(request: HttpRequest) -> HttpResponse:
    user, partnership = request.user, request.partnership
    require(policies.can_view_panels(user, partnership))
    everything = policies.can_create_consultation(user, partnership)
    return render(
        request,
        "panels/consultations.html",
        {
            "consultations": selectors.consultations_for(user, partnership, everything=everything),
            "can_create": everything,
            "now": timezone.now(),
        },
    )


def _consultation_form_page(
    request: HttpRequest, consultation: Consultation | None
) -> HttpResponse:
    initial = None
    if consultation is not None:
        initial = {
            "title": consultation.title,
            "summary": consultation.summary,
            "panel": consultation.panel,
            "groups": consultation.groups,
            "opens_at": timezone.localtime(consultation.opens_at),
            "closes_at": timezone.localtime(consultation.closes_at),
        }
    form = ConsultationForm(request.POST or None, initial=initial)
    if response := save_form(
        request,
        form,
        lambda data: services.save_consultation(
            actor=request.user,
            partnership=request.partnership,
            consultation=consultation,
            **data,
        ),
        success=_("The consultation was saved."),
        next_url=lambda saved: _detail_url(request, saved),
    ):
        return response
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Change the consultation") if consultation else _("New consultation"),
            "intro": None
            if consultation
            else _("Then add the paper's sections and their questions."),
            "back_url": _detail_url(request, consultation)
            if consultation
            else tenant_reverse(request, "panels:consultations"),
            "submit": _("Save consultation"),
        },
    )


def create(request: HttpRequest) -> HttpResponse:
    require(policies.can_create_consultation(request.user, request.partnership))
    return _consultation_form_page(request, None)


def edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    require(policies.can_manage_consultation(request.user, consultation))
    return _consultation_form_page(request, consultation)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    user = request.user
    require(policies.can_view_consultation(user, consultation))
    mine = selectors.response_of(consultation, user)
    return render(
        request,
        "panels/consultation_detail.html",
        {
            "consultation": consultation,
            "sections": selectors.consultation_paper(consultation),
            "can_manage": policies.can_manage_consultation(user, consultation),
            "can_respond": policies.can_respond(user, consultation)
            and consultation.is_open()
            and mine is None,
            "response": mine,
            "answers": {a.question_id: a.text for a in mine.answers.all()} if mine else {},
            "has_responses": consultation.responses.exists(),
        },
    )


def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    require(policies.can_manage_consultation(request.user, consultation))
    form = SectionForm(request.POST or None)
    if response := save_form(
        request,
        form,
        lambda data: services.add_section(actor=request.user, consultation=consultation, **data),
        success=_("The section was added."),
        next_url=_detail_url(request, consultation),
    ):
        return response
    return _form_page(
        request,
        {
            "form": form,
            "caption": consultation.title,
            "title": _("Add a section to the paper"),
            "back_url": _detail_url(request, consultation),
            "submit": _("Add section"),
        },
    )


def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    section = (
        ConsultationSection.objects.select_related("consultation__panel").filter(pk=pk).first()
    )
    if section is None:
        raise Http404
    consultation = section.consultation
    require(policies.can_manage_consultation(request.user, consultation))
    form = QuestionForm(request.POST or None)
    if response := save_form(
        request,
        form,
        lambda data: services.add_question(actor=request.user, section=section, **data),
        success=_("The question was added."),
        next_url=_detail_url(request, consultation),
    ):
        return response
    return _form_page(
        request,
        {
            "form": form,
            "caption": f"{consultation.title}: {section.heading}",
            "title": _("Add a question"),
            "back_url": _detail_url(request, consultation),
            "submit": _("Add question"),
        },
    )


def respond(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    user = request.user
    require(policies.can_respond(user, consultation))
    sections = selectors.consultation_paper(consultation)
    questions = [q for section in sections for q in section.questions.all()]
    form = ResponseForm(
        request.POST or None,
        questions=questions,
        groups=policies.invited_groups_of(user, consultation),
    )
    if response := save_form(
        request,
        form,
        lambda data: services.submit_response(
            actor=user, consultation=consultation, group=data["group"], answers=form.answers()
        ),
        success=_("Thank you: your response was recorded."),
        next_url=_detail_url(request, consultation),
    ):
        return response
    closes = timezone.localtime(consultation.closes_at).strftime("%d/%m/%Y %H:%M")
    return _form_page(
        request,
        {
            "form": form,
            "caption": consultation.title,
            "title": _("Respond to the consultation"),
            "intro": _(
                "Answer the questions you want to; you can respond once. Responses close "
                "on %(date)s."
            )
            % {"date": closes},
            "back_url": _detail_url(request, consultation),
            "submit": _("Send response"),
        },
    )


def collation(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    require(policies.can_view_collation(request.user, consultation))
    return render(
        request,
        "panels/consultation_collation.html",
        {"consultation": consultation, "collation": selectors.collate(consultation)},
    )


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def collation_csv(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    require(policies.can_view_collation(request.user, consultation))
    collated = selectors.collate(consultation)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(consultation.title) or "consultation"
    response["Content-Disposition"] = f'attachment; filename="{name}-responses.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [_("Section"), _("Question"), _("Group"), _("Respondent"), _("Submitted"), _("Answer")]
    )
    for row in collated.questions:
        for group in row.groups:
            for answer in group.answers:
                writer.writerow(
                    _cell(v)
                    for v in (
                        row.section.heading,
                        row.question.text,
                        group.label,
                        answer.response.respondent,
                        timezone.localtime(answer.response.submitted_at).strftime("%Y-%m-%d %H:%M"),
                        answer.text,
                    )
                )
    return response


def collation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    require(policies.can_view_collation(request.user, consultation))
    return pdf_response(
        "panels/pdf/collation.html",
        {
            "partnership": request.partnership,
            "consultation": consultation,
            "collation": selectors.collate(consultation),
        },
        f"{consultation.title}-responses",
    )
