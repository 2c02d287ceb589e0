"""Forms of the panels pages; the services own the rules, forms only parse input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField

from partnership.forms import ServiceErrorsMixin, TenantForm
from partnership.models import Area

from .models import (
    ActionStatus,
    AttendanceStatus,
    EvaluationJudgement,
    Panel,
    Priority,
    SeatType,
    StakeholderGroup,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


class PeopleChoiceMixin:
    """Fill the person fields with the partnership's people (a selector's queryset)."""

    people_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.people_fields:
            self.fields[name].queryset = people


class PanelForm(TenantForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    area = SafeModelChoiceField(
        Area.objects, label=_("Area"), required=False, empty_label=_("Not one area")
    )
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    terms_of_reference = forms.CharField(
        label=_("Terms of reference"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    max_consecutive_terms = forms.IntegerField(
        label=_("Maximum consecutive terms"),
        min_value=1,
        max_value=10,
        initial=2,
        help_text=_("How many terms in a row one person may serve on this panel."),
    )
    term_warning_days = forms.IntegerField(
        label=_("Warn before a term ends (days)"), min_value=0, max_value=365, initial=60
    )
    stakeholder_group = forms.ChoiceField(
        label=_("Stakeholder group it forms"),
        choices=[("", _("None")), *Panel._meta.get_field("stakeholder_group").choices],
        required=False,
        help_text=_(
            "For a partnership group run as a panel: its members are invited when a "
            "consultation asks this group."
        ),
    )
    required_voices = forms.MultipleChoiceField(
        label=_("Voices the panel must include"),
        choices=SeatType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Leave all unticked to expect teachers, headteachers and (in Wales) a "
            "Welsh-medium voice."
        ),
    )


class SeatForm(TenantForm):
    seat_type = forms.ChoiceField(label=_("Seat type"), choices=SeatType.choices)
    label = forms.CharField(
        label=_("Description"),
        max_length=150,
        required=False,
        help_text=_("For example: primary headteacher, Welsh-medium secondary."),
    )


class TermForm(PeopleChoiceMixin, ServiceErrorsMixin, forms.Form):
    people_fields = ("user",)
    user = forms.ModelChoiceField(queryset=None, label=_("Person"))
    starts_on = forms.DateField(label=_("Term starts"), widget=DATE)
    ends_on = forms.DateField(label=_("Term ends"), widget=DATE)
    is_chair = forms.BooleanField(label=_("Chairs the panel"), required=False)


class NeedForm(TenantForm):
    title = forms.CharField(label=_("Need"), max_length=200)
    description = forms.CharField(
        label=_("What the evidence shows"), widget=forms.Textarea(attrs={"rows": 5})
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, widget=forms.RadioSelect
    )
    evidence_title = forms.CharField(label=_("Evidence title"), max_length=200, required=False)
    evidence_url = forms.URLField(
        assume_scheme="https",
        label=_("Evidence web address"),
        max_length=500,
        required=False,
        help_text=_("A survey summary, report or dashboard. You can add more later."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("evidence_title")) != bool(data.get("evidence_url")):
            self.add_error(
                "evidence_url" if data.get("evidence_title") else "evidence_title",
                _("Give the evidence both a title and a web address."),
            )
        return data


class EvidenceForm(TenantForm):
    title = forms.CharField(label=_("Evidence title"), max_length=200)
    url = forms.URLField(assume_scheme="https", label=_("Web address"), max_length=500)


class CallFromNeedForm(TenantForm):
    title = forms.CharField(label=_("Title of the call"), max_length=200)
    brief = forms.CharField(label=_("What is asked for"), widget=forms.Textarea(attrs={"rows": 5}))
    budget = forms.DecimalField(label=_("Budget (£)"), min_value=0, max_digits=12, decimal_places=2)
    deadline = forms.DateTimeField(
        label=_("Deadline for bids"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    criteria = forms.CharField(
        label=_("Criteria bids are scored on"),
        widget=forms.Textarea(attrs={"rows": 4}),
        initial="Quality of the plan | 40\nEvidence of impact | 30\nValue for money | 30",
        help_text=_('One a line, as "title | weight" (weights from 1 to 100).'),
    )


class MeetingForm(TenantForm):
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    place = forms.CharField(label=_("Place or online link"), max_length=250)


class AgendaItemForm(PeopleChoiceMixin, ServiceErrorsMixin, forms.Form):
    people_fields = ("presenter",)
    title = forms.CharField(label=_("Title"), max_length=200)
    presenter = forms.ModelChoiceField(queryset=None, label=_("Presenter"), required=False)
    paper = forms.CharField(
        label=_("Paper"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    for_all_seats = forms.BooleanField(
        label=_("Share with pupil and governor members"), required=False
    )


class MinutesForm(TenantForm):
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    decision = forms.CharField(
        label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    decision_published = forms.BooleanField(
        label=_("Publish the decision to the partnership once the minutes are approved"),
        required=False,
    )
    for_all_seats = forms.BooleanField(
        label=_("Share with pupil and governor members"), required=False
    )


class ActionForm(PeopleChoiceMixin, ServiceErrorsMixin, forms.Form):
    people_fields = ("owner",)
    description = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(
        queryset=None,
        label=_("Owner"),
        error_messages={"required": _("Choose who owns the action.")},
    )
    due_on = forms.DateField(
        label=_("Due by"),
        widget=DATE,
        error_messages={"required": _("Enter the date the action is due.")},
    )


class ActionStatusForm(TenantForm):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


class AttendanceForm(ServiceErrorsMixin, forms.Form):
    """One radio group per person expected at the meeting."""

    def __init__(self, *args: Any, people: list[Any], current: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {f"person_{p.pk}": p for p in people}
        for name, person in self.people.items():
            self.fields[name] = forms.ChoiceField(
                label=str(person),
                choices=AttendanceStatus.choices,
                required=False,
                initial=current.get(person.pk),
                widget=forms.RadioSelect,
            )

    def statuses(self) -> dict[Any, str]:
        return {
            person: self.cleaned_data[name]
            for name, person in self.people.items()
            if self.cleaned_data.get(name)
        }


class EvaluationForm(TenantForm):
    judgement = forms.ChoiceField(
        label=_("Judgement"),
        choices=EvaluationJudgement.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose continue, change or stop.")},
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What in the impact results led to this judgement."),
        error_messages={"required": _("Give the reasons for the judgement.")},
    )


class ConsultationForm(TenantForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Why the partnership is consulting and what will happen with the answers."),
    )
    panel = SafeModelChoiceField(
        Panel.objects,
        label=_("Panel leading it"),
        required=False,
        empty_label=_("None"),
        help_text=_("Its chair sees the collated responses with the admin."),
    )
    groups = forms.MultipleChoiceField(
        label=_("Stakeholder groups invited"),
        choices=StakeholderGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Invite at least one stakeholder group.")},
    )
    opens_at = forms.DateTimeField(
        label=_("Responses open"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )
    closes_at = forms.DateTimeField(
        label=_("Responses close"), widget=DATETIME, input_formats=DATETIME_FORMATS
    )


class SectionForm(TenantForm):
    heading = forms.CharField(label=_("Heading"), max_length=200)
    body = forms.CharField(
        label=_("Text of the section"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )


class QuestionForm(TenantForm):
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}))


class ResponseForm(ServiceErrorsMixin, forms.Form):
    """The group the person responds for, and one text box per question of the paper."""

    def __init__(self, *args: Any, questions: list[Any], groups: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        labels = dict(StakeholderGroup.choices)
        self.fields["group"] = forms.ChoiceField(
            label=_("Responding as"),
            choices=[(g, labels[g]) for g in groups],
            initial=groups[0] if len(groups) == 1 else None,
            widget=forms.RadioSelect,
            error_messages={"required": _("Choose the group you are responding for.")},
        )
        self.questions = {f"question_{q.pk}": q for q in questions}
        for name, question in self.questions.items():
            self.fields[name] = forms.CharField(
                label=question.text,
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
            )

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(name, "") for name, q in self.questions.items()}
