"""The POST half of a form page, shared by the apps' create and edit views.

Every such view does the same: bind the form, and on a valid POST call a service; a
service's ValidationError goes on the form (nothing was written), success gives a
message and a redirect. The view keeps what differs: finding the row, the policy check,
the form's initial values and the page it renders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def save_form(
    request: HttpRequest,
    form: BaseForm,
    save: Callable[[dict[str, Any]], Any],
    *,
    next_url: str | Callable[[Any], str],
    success: str | None = None,
) -> HttpResponse | None:
    """On a POST whose form is valid, call `save(form.cleaned_data)` (the service).

    Returns the redirect to `next_url` (or `next_url(what save returned)`), after the
    `success` message, or None when the view should render the form: not a POST, the
    form is invalid, or the service refused with a ValidationError, now on the form
    (through the form's `add_service_errors`).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except ValidationError as error:
        form.add_service_errors(error)
        return None
    if success:
        messages.success(request, success)
    return redirect(next_url(saved) if callable(next_url) else next_url)
