"""Forms of brokerage. They check the shape of input; services.py owns the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField, SafeModelMultipleChoiceField

from partnership.forms import TenantForm
from partnership.models import Area
from schools.models import LocalAuthority, School

from .models import (
    AgreementOutcome,
    DeliveryLanguage,
    Funding,
    ObjectivesMet,
    Offer,
    Timeframe,
    Urgency,
    academic_year_of,
)
from .selectors import NO_PREFERENCE, BoardFilters

ANY = [("", _("Any"))]


class DateInput(forms.DateInput):
    """A native date picker; without it people type 2025-09-30."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def days_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0.5"),
        max_value=Decimal("9999"),
        max_digits=5,
        decimal_places=1,
        step_size=Decimal("0.5"),
        help_text=help_text or _("In days; half days allowed, like 2.5."),
        error_messages={
            "min_value": _("Enter a number of days greater than zero."),
            "step_size": _("Enter whole or half days, like 2 or 2.5."),
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5", "step": "0.5"}),
    )


def text_area(label: str, help_text: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _areas() -> SafeModelChoiceField:
    return SafeModelChoiceField(Area.objects, label=_("Area"), empty_label=_("Choose an area"))


class SchoolChoiceMixin:
    """A `school` field limited to the schools the person may log for; hidden when there
    is only one (or when editing, where the school cannot change)."""

    def _set_schools(self, schools: Any) -> None:
        if schools is None:
            del self.fields["school"]
            return
        field = self.fields["school"]
        field.queryset = schools
        options = list(schools[:2])
        self._only_school = options[0] if len(options) == 1 else None
        if self._only_school:
            field.initial = self._only_school.pk
            field.required = False
            field.widget = forms.HiddenInput()

    def clean_school(self) -> Any:
        return self.cleaned_data.get("school") or self._only_school


class NeedForm(SchoolChoiceMixin, TenantForm):
    school = SafeModelChoiceField(School.objects, label=_("School"), empty_label=None)
    area = _areas()
    title = forms.CharField(
        label=_("The need in a few words"),
        max_length=150,
        help_text=_("For example: improve reading in key stage 2."),
    )
    description = text_area(_("What is needed"))
    outcome = text_area(_("The outcome you want"), _("How will you know the need has been met?"))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial="medium")
    preferred_language = forms.ChoiceField(
        label=_("Preferred delivery language"),
        choices=[("", _("No preference")), *DeliveryLanguage.choices],
        required=False,
    )
    timeframe = forms.ChoiceField(
        label=_("Timeframe"), choices=Timeframe.choices, initial=Timeframe.THIS_YEAR
    )
    days_wanted = days_field(
        _("Days of support you think you need"),
        required=False,
        help_text=_("Optional; half days allowed, like 2.5."),
    )

    def __init__(self, *args: Any, schools: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(is_active=True)
        self._set_schools(schools)

    @classmethod
    def initial_for(cls, need: Any) -> dict[str, Any]:
        return {name: getattr(need, name) for name in cls.base_fields if name != "school"}


def _academic_year_choices() -> list[tuple[str, str]]:
    today = timezone.localdate()
    this_year = academic_year_of(today)
    next_year = academic_year_of(today.replace(year=today.year + 1))
    return [(this_year, this_year), (next_year, next_year)]


class OfferForm(SchoolChoiceMixin, TenantForm):
    school = SafeModelChoiceField(School.objects, label=_("School"), empty_label=None)
    area = SafeModelChoiceField(Area.objects, label=_("Main area"), empty_label=_("Choose an area"))
    other_areas = SafeModelMultipleChoiceField(
        Area.objects,
        label=_("Other areas it also helps with"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    title = forms.CharField(
        label=_("The offer in a few words"),
        max_length=150,
        help_text=_("For example: maths leadership support."),
    )
    description = text_area(_("What the school can give"))
    academic_year = forms.ChoiceField(label=_("Academic year"))
    days_available = days_field(_("Days available this academic year"))
    is_charged = forms.TypedChoiceField(
        label=_("Is the support free or charged?"),
        choices=[("false", _("Free")), ("true", _("Charged at a day rate"))],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
        initial="false",
    )
    day_rate = forms.DecimalField(
        label=_("Day rate (£)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
        help_text=_("Only if charged."),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-10"}),
    )
    language = forms.ChoiceField(label=_("Delivery language"), choices=DeliveryLanguage.choices)
    evidence = text_area(
        _("Evidence of strength"),
        _("Inspection findings, outcomes, peer review, a hub designation..."),
    )
    contact_name = forms.CharField(label=_("Named contact"), max_length=150)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)

    def __init__(self, *args: Any, schools: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = Area.objects.filter(is_active=True)
        self.fields["area"].queryset = active
        self.fields["other_areas"].queryset = active
        choices = _academic_year_choices()
        current = (self.initial.get("academic_year") or "").strip()
        if current and current not in dict(choices):
            choices.insert(0, (current, current))
        self.fields["academic_year"].choices = choices
        self.fields["academic_year"].initial = choices[0][0]
        self._set_schools(schools)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("is_charged") and not data.get("day_rate"):
            self.add_error("day_rate", _("Enter the day rate the school charges."))
        if data.get("is_charged") is False:
            data["day_rate"] = None
        return data

    @classmethod
    def initial_for(cls, offer: Offer) -> dict[str, Any]:
        initial = {name: getattr(offer, name) for name in cls.base_fields if name != "school"}
        initial["other_areas"] = list(offer.other_areas.all())
        initial["is_charged"] = "true" if offer.is_charged else "false"
        return initial


class BoardFilterForm(TenantForm):
    area = SafeModelChoiceField(Area.objects, label=_("Area"), required=False, empty_label=_("Any"))
    local_authority = SafeModelChoiceField(
        LocalAuthority.objects, label=_("Local authority"), required=False, empty_label=_("Any")
    )
    language = forms.ChoiceField(
        label=_("Preferred delivery language"),
        choices=ANY + DeliveryLanguage.choices + [(NO_PREFERENCE, _("No preference"))],
        required=False,
    )

    def filters(self) -> BoardFilters:
        """The chosen filters; invalid input is ignored rather than failing the page."""
        data = self.cleaned_data if self.is_valid() else {}
        return BoardFilters(
            area=data.get("area"),
            local_authority=data.get("local_authority"),
            language=data.get("language") or "",
        )


class ReasonForm(TenantForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, label: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label


class AgreementForm(TenantForm):
    days = days_field(_("Days of support"))
    starts_on = forms.DateField(label=_("Start date"), widget=DateInput())
    ends_on = forms.DateField(label=_("End date"), widget=DateInput())
    objectives = text_area(
        _("Objectives"), _("What the support should achieve, in a few measurable lines."), 5
    )
    funding = forms.ChoiceField(
        label=_("Funding"), choices=Funding.choices, widget=forms.RadioSelect
    )
    cost = forms.DecimalField(
        label=_("Total cost (£)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=9,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-10"}),
    )

    def __init__(self, *args: Any, capacity_left: Decimal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.capacity_left = capacity_left
        if capacity_left is not None:
            self.fields["days"].help_text = _(
                "%(left)s days are left on this offer; half days allowed."
            ) % {"left": capacity_left}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error(
                "ends_on", _("The end date must be the same as or after the start date.")
            )
        days = data.get("days")
        if days and self.capacity_left is not None and days > self.capacity_left:
            self.add_error(
                "days",
                _("Only %(left)s days are left on this offer.") % {"left": self.capacity_left},
            )
        if data.get("funding") == Funding.FREE and data.get("cost"):
            self.add_error("cost", _("Free support has no cost: leave the cost empty."))
        return data


class SessionForm(TenantForm):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    days = days_field(_("Days delivered"))
    notes = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class OutcomeForm(TenantForm):
    objectives_met = forms.ChoiceField(
        label=_("Were the objectives met?"), choices=ObjectivesMet.choices, widget=forms.RadioSelect
    )
    rating = forms.TypedChoiceField(
        label=_("Impact rating"),
        choices=AgreementOutcome.RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    evidence = text_area(_("Evidence of impact"), _("What changed, for whom, and how you know."), 5)
