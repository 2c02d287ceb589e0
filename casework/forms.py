"""Forms of casework. They parse input; the rules (dates, categories, rationale, who may
act) live in services.py, so that a refused attempt is recorded the same way from the web
and the API. That is why the category and the reasons are not required here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField

from partnership.forms import ServiceErrorsMixin, TenantForm
from schools.models import School, SupportCategory

from .models import (
    EvaluationArea,
    ImprovementCapacity,
    Judgement,
    StandardsGroup,
    VisitAction,
)


def date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


def _text(label: Any, rows: int = 4, required: bool = False, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class VisitStartForm(TenantForm):
    school = SafeModelChoiceField(School.objects, label=_("School"))
    visited_on = date_field(_("Date of the visit"))
    focus = forms.CharField(
        label=_("Focus"), max_length=200, help_text=_("For example: the school's maths plan.")
    )

    def __init__(self, *args: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools


class VisitForm(ServiceErrorsMixin, forms.Form):
    visited_on = date_field(_("Date of the visit"))
    focus = forms.CharField(label=_("Focus"), max_length=200)
    met_with = _text(_("Who was met"), rows=2)
    findings = _text(_("Findings"), rows=8)
    next_visit_on = date_field(_("Next visit"), required=False)


class ActionForm(ServiceErrorsMixin, forms.Form):
    description = _text(_("Action"), rows=2, required=True)
    owner = forms.CharField(label=_("Owner"), max_length=150, help_text=_("Who will do it."))
    due_on = date_field(_("Due"))


class ActionStatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("Progress"), choices=VisitAction.Status.choices)


class CommentForm(ServiceErrorsMixin, forms.Form):
    text = _text(_("Your comment"), rows=3)


class AssignmentForm(ServiceErrorsMixin, forms.Form):
    adviser = forms.ModelChoiceField(queryset=None, label=_("Challenge adviser"))
    reason = _text(_("Why is the school changing adviser?"), rows=2)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["adviser"].queryset = candidates
        self.fields["adviser"].widget.attrs["class"] = "govuk-select"


class TeamForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name of the team"), max_length=120)
    senior_adviser = forms.ModelChoiceField(queryset=None, label=_("Senior challenge adviser"))
    advisers = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Advisers in the team"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, seniors: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["senior_adviser"].queryset = seniors
        self.fields["senior_adviser"].widget.attrs["class"] = "govuk-select"
        self.fields["advisers"].queryset = candidates


class RoundForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    academic_year = forms.CharField(
        label=_("Academic year"), max_length=9, help_text=_("For example: 2026/27")
    )
    self_evaluation_due = date_field(_("Schools' self-evaluations due"))
    proposals_due = date_field(_("Challenge advisers' proposals due"))
    moderation_on = date_field(_("Moderation meeting"))
    publish_on = date_field(_("Final categories published"))
    moderators = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Headteachers on the moderation panel"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Senior challenge advisers moderate every round."),
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["moderators"].queryset = candidates


class SelfEvaluationForm(ServiceErrorsMixin, forms.Form):
    summary = _text(_("Summary of the self-evaluation"), rows=4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in EvaluationArea.choices:
            self.fields[f"judgement_{value}"] = forms.ChoiceField(
                label=_("Judgement: %(area)s") % {"area": label},
                choices=[("", _("Not judged yet")), *Judgement.choices],
                required=False,
            )
            self.fields[f"judgement_{value}"].widget.attrs["class"] = "govuk-select"
            self.fields[f"evidence_{value}"] = _text(
                _("Evidence: %(area)s") % {"area": label}, rows=4
            )

    def judgements(self) -> dict[str, tuple[str, str]]:
        return {
            value: (
                self.cleaned_data.get(f"judgement_{value}") or "",
                self.cleaned_data.get(f"evidence_{value}") or "",
            )
            for value in EvaluationArea.values
        }

    def area_fields(self) -> list[tuple[str, Any, Any]]:
        return [
            (label, self[f"judgement_{value}"], self[f"evidence_{value}"])
            for value, label in EvaluationArea.choices
        ]


def _category_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        widget=forms.RadioSelect(choices=SupportCategory.choices),
    )


class ProposalForm(ServiceErrorsMixin, forms.Form):
    category = _category_field(_("Proposed support category"))
    rationale = _text(_("Rationale"), rows=6)
    standards_group = forms.ChoiceField(
        label=_("Standards group"),
        choices=[("", _("Not judged")), *StandardsGroup.choices],
        required=False,
    )
    improvement_capacity = forms.ChoiceField(
        label=_("Improvement capacity"),
        choices=[("", _("Not judged")), *ImprovementCapacity.choices],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("standards_group", "improvement_capacity"):
            self.fields[name].widget.attrs["class"] = "govuk-select"


class ModerationForm(ServiceErrorsMixin, forms.Form):
    category = _category_field(_("Moderated support category"))
    reason = _text(
        _("Why the moderation confirmed or changed the proposal"),
        rows=5,
    )
    dissent = _text(
        _("Views that differed (optional)"),
        rows=3,
        help_text=_("Record any disagreement in the meeting, so it is not lost."),
    )


class ResponseForm(ServiceErrorsMixin, forms.Form):
    agrees = forms.TypedChoiceField(
        label=_("Does the school agree with its final category?"),
        choices=[("yes", _("Yes, we agree")), ("no", _("No, we disagree"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    response = _text(_("The school's comments"), rows=4)
