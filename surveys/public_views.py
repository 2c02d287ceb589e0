"""The participant's personal link (/s/<token>/): no sign-in, no partnership in the URL.

The signed token names one invitation; the page shows that survey and nothing else. A
forged, expired, used or opted-out link gets a clear page (410) with no data on it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from partnership.tenancy import tenant_scope

from . import services
from .forms import ImpactResponseForm


def _invalid(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "surveys/link_invalid.html", {"reason": reason}, status=410)


@never_cache
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_from_token(token)
    except services.SurveyLinkInvalid as invalid:
        return _invalid(request, invalid.reason)
    form = ImpactResponseForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_response(invitation=invitation, answers=form.cleaned_data)
        except services.SurveyLinkInvalid as invalid:
            return _invalid(request, invalid.reason)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("survey_link:thanks")
    with tenant_scope(invitation.partnership_id):
        return render(
            request,
            "surveys/answer.html",
            {
                "invitation": invitation,
                "survey_partnership": invitation.partnership,
                "source": invitation.source_title,
                "form": form,
                "token": token,
            },
            status=400 if form.is_bound else 200,
        )


@never_cache
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """Ask, then (on POST) stop every impact survey to this address."""
    try:
        invitation = services.opt_out_from_token(token)
    except services.SurveyLinkInvalid as invalid:
        return _invalid(request, invalid.reason)
    if request.method == "POST":
        services.opt_out(invitation_id=invitation.pk, partnership_id=invitation.partnership_id)
        return render(
            request, "surveys/opted_out.html", {"survey_partnership": invitation.partnership}
        )
    return render(
        request,
        "surveys/opt_out.html",
        {"survey_partnership": invitation.partnership, "token": token},
    )


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/thanks.html")
