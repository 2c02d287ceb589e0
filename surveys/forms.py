"""Forms of surveys. They check the shape of input; services.py owns the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField

from partnership.forms import ServiceErrorsMixin, TenantForm
from partnership.models import Area

from .models import (
    LIKERT_MAX,
    LIKERT_MIN,
    DeliveryMode,
    ImpactInvitation,
    PreferredLanguage,
    SurveyPoint,
)

LIKERT_CHOICES = [
    (1, _("1 – Very low")),
    (2, _("2 – Low")),
    (3, _("3 – Moderate")),
    (4, _("4 – High")),
    (5, _("5 – Very high")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def likert(label: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=LIKERT_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose an answer from %(min)s to %(max)s.")
            % {"min": LIKERT_MIN, "max": LIKERT_MAX},
            "invalid_choice": _("Choose an answer from %(min)s to %(max)s.")
            % {"min": LIKERT_MIN, "max": LIKERT_MAX},
        },
    )


def text(label: str, help_text: str = "", required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
    )


class ImpactResponseForm(ServiceErrorsMixin, forms.Form):
    """The participant's answers; the six-month survey also asks what lasted and spread."""

    confidence = likert(_("How confident do you feel in this area now?"))
    knowledge = likert(_("How would you rate your knowledge of this area now?"))
    practice = likert(_("How much does this show in your classroom practice?"))
    school_change = likert(_("How much change has there been across your school?"))
    lasted = text(_("What has lasted from it in your practice?"))
    spread = text(
        _("What has spread beyond one classroom?"),
        _("For example to colleagues, a department or the whole school."),
    )
    comment = text(_("Anything else you want to tell us?"))

    def __init__(self, *args: Any, invitation: ImpactInvitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if invitation.point != SurveyPoint.FOLLOW_UP:
            del self.fields["lasted"]
            del self.fields["spread"]


class NeedsRoundForm(TenantForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    academic_year = forms.RegexField(
        label=_("For the academic year"),
        regex=r"^\d{4}/\d{2}$",
        max_length=7,
        help_text=_("For example 2026/27."),
        error_messages={"invalid": _("Enter the academic year like 2026/27.")},
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    introduction = text(_("Introduction for headteachers"))

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline must be today or later."))
        return deadline


def _area_field(label: str, required: bool) -> SafeModelChoiceField:
    return SafeModelChoiceField(
        Area.objects, label=label, required=required, empty_label=_("Choose an area")
    )


class NeedsResponseForm(TenantForm):
    """A headteacher's answers; "save draft" accepts gaps, "submit" needs them all."""

    first = _area_field(_("Your first priority area"), required=False)
    second = _area_field(_("Your second priority area"), required=False)
    third = _area_field(_("Your third priority area"), required=False)
    needs = text(
        _("What does your school need next year?"),
        _("In your own words: what you want to change, for whom, and why."),
    )
    delivery_mode = forms.ChoiceField(
        label=_("How would you like support delivered?"),
        choices=DeliveryMode.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("In which language?"),
        choices=PreferredLanguage.choices,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first", "second", "third"):
            self.fields[name].queryset = Area.objects.filter(is_active=True)

    def priorities(self) -> list[Area | None]:
        return [self.cleaned_data.get(name) for name in ("first", "second", "third")]

    def add_service_errors(self, error: Any) -> None:
        if hasattr(error, "error_dict") and "priorities" in error.error_dict:
            error.error_dict["first"] = error.error_dict.pop("priorities")
        super().add_service_errors(error)


class SettingsForm(TenantForm):
    start_offset_days = forms.IntegerField(
        label=_("Start survey: days after the first session or the start date"),
        min_value=0,
        max_value=365,
    )
    end_offset_days = forms.IntegerField(
        label=_("End survey: days after the last session or the end date"),
        min_value=0,
        max_value=365,
    )
    follow_up_offset_days = forms.IntegerField(
        label=_("Follow-up survey: days after the end"),
        min_value=1,
        max_value=730,
        help_text=_("About six months is 182 days."),
    )
    reminder_offsets = forms.CharField(
        label=_("Reminders: days after the invitation"),
        max_length=50,
        required=False,
        help_text=_("Numbers separated by commas, like 3, 7. Leave empty for no reminders."),
    )
    max_reminders = forms.IntegerField(
        label=_("At most this many reminders"), min_value=0, max_value=10
    )
    link_valid_days = forms.IntegerField(
        label=_("A personal link works for this many days"), min_value=1, max_value=365
    )
    needs_reminder_days = forms.CharField(
        label=_("Needs survey reminders: days before the deadline"),
        max_length=50,
        required=False,
        help_text=_(
            "Headteachers whose school has not submitted are reminded this many days before "
            "the deadline. Numbers separated by commas, like 7, 1. Leave empty for no reminders."
        ),
    )

    @staticmethod
    def _days(raw: str) -> list[int]:
        try:
            days = [int(part) for part in raw.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("Enter whole numbers of days, like 3, 7.")) from None
        if any(d < 1 or d > 365 for d in days):
            raise forms.ValidationError(_("Give each reminder as a number of days from 1 to 365."))
        return sorted(set(days))

    def clean_reminder_offsets(self) -> list[int]:
        return self._days(self.cleaned_data["reminder_offsets"])

    def clean_needs_reminder_days(self) -> list[int]:
        return self._days(self.cleaned_data["needs_reminder_days"])


class InvitationFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any")),
            ("scheduled", _("Scheduled")),
            ("sent", _("Sent")),
            ("failed", _("Sending failed")),
            ("answered", _("Answered")),
            ("opted_out", _("Opted out")),
        ],
    )
    point = forms.ChoiceField(
        label=_("Survey"), required=False, choices=[("", _("Any")), *SurveyPoint.choices]
    )
