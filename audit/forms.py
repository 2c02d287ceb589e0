"""The trail's filter form: invalid input is ignored rather than failing the page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import TrailFilters


class DateInput(forms.DateInput):
    input_type = "date"


class TrailFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    person = forms.CharField(
        label=_("Person"), required=False, max_length=254, help_text=_("Email or name.")
    )
    target = forms.CharField(label=_("About"), required=False, max_length=250)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def __init__(self, *args, actions: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any"))] + [(a, a) for a in actions]
        self.fields["action"].widget.attrs["class"] = "govuk-select"

    def filters(self) -> TrailFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return TrailFilters(
            action=data.get("action") or "",
            person=(data.get("person") or "").strip(),
            target=(data.get("target") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
