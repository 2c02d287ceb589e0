"""Forms of reports. They check the shape of input; services.py owns the rules (end after
start, no overlapping terms, one term of each season per year)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from partnership.forms import TenantForm
from partnership.models import Term


class DateInput(forms.DateInput):
    """A native date picker; without it people type 2026-09-01."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TermForm(TenantForm):
    academic_year = forms.CharField(
        label=_("Academic year"),
        max_length=9,
        help_text=_("For example 2026/27."),
        validators=[RegexValidator(r"^\d{4}/\d{2}$", _("Write the year as 2026/27."))],
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    season = forms.ChoiceField(label=_("Term"), choices=Term.Season.choices)
    starts_on = forms.DateField(
        label=_("First day"),
        widget=DateInput(),
        error_messages={"required": _("Enter the first day of the term.")},
    )
    ends_on = forms.DateField(
        label=_("Last day"),
        widget=DateInput(),
        error_messages={"required": _("Enter the last day of the term.")},
    )

    def clean_academic_year(self) -> str:
        year = self.cleaned_data["academic_year"].strip()
        start, end = int(year[:4]), int(year[5:])
        if (start + 1) % 100 != end:
            raise forms.ValidationError(_("The second year must follow the first, as in 2026/27."))
        return year

    @classmethod
    def for_term(cls, term: Term, data: Any = None) -> TermForm:
        return cls(
            data,
            initial={
                "academic_year": term.academic_year,
                "season": term.season,
                "starts_on": term.starts_on,
                "ends_on": term.ends_on,
            },
        )


class TermChoiceForm(TenantForm):
    """Which term's reports to list (a GET filter)."""

    term = forms.TypedChoiceField(label=_("Term"), coerce=int, required=False)

    def __init__(self, *args: Any, terms: list[Term], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = [(t.pk, str(t)) for t in terms]


class SchoolSearchForm(forms.Form):
    q = forms.CharField(label=_("School name or number"), required=False, max_length=100)
