"""Forms of peer review. They parse and check input; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField, SafeModelMultipleChoiceField

from partnership.forms import ServiceErrorsMixin, TenantForm
from partnership.models import Area, User
from partnership.selectors import people_with_roles
from schools.models import School, SupportCategory

from .models import (
    Cycle,
    FrameworkVersion,
    GroupKind,
    Judgement,
    ModerationVerdict,
    ReviewerProfile,
    ReviewGroup,
    ShareAudience,
)

TEXT_LIMIT = 20_000


def _date_field(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}
        ),
        error_messages={"invalid": _("Enter a real date.")},
        **kwargs,
    )


def _time_field(label: str, **kwargs: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        widget=forms.TimeInput(attrs={"type": "time", "class": "govuk-input govuk-input--width-5"}),
        error_messages={"invalid": _("Enter a time such as 09:00.")},
        **kwargs,
    )


def _textarea(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# --- Frameworks --------------------------------------------------------------------------


class FrameworkForm(TenantForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), widget=_textarea(3), required=False, max_length=4000
    )
    with_default_areas = forms.BooleanField(
        label=_(
            "Start with the usual areas (leadership, quality of teaching, curriculum, "
            "wellbeing, inclusion)"
        ),
        required=False,
        initial=True,
    )


class FrameworkAreaForm(TenantForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    name_cy = forms.CharField(label=_("Name in Welsh"), max_length=150, required=False)
    prompts = forms.CharField(
        label=_("Prompts"),
        help_text=_("Questions for the review team, one per line."),
        widget=_textarea(5),
        required=False,
        max_length=TEXT_LIMIT,
    )
    evidence_sources = forms.CharField(
        label=_("Evidence sources"),
        help_text=_("Where the team looks for evidence, one per line."),
        widget=_textarea(4),
        required=False,
        max_length=TEXT_LIMIT,
    )
    partnership_area = SafeModelChoiceField(
        Area.objects,
        label=_("Partnership area"),
        required=False,
        help_text=_("Optional: the partnership's area this review area reports under."),
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999, required=False)


class NewVersionForm(TenantForm):
    notes = forms.CharField(
        label=_("What will change in this version?"),
        widget=_textarea(3),
        required=False,
        max_length=4000,
    )


# --- Reviewers ---------------------------------------------------------------------------


class ReviewerProfileForm(TenantForm):
    user = forms.ModelChoiceField(
        User.objects.none(), label=_("Person"), help_text=_("A member of the partnership.")
    )
    school = SafeModelChoiceField(
        School.objects,
        label=_("Their school"),
        required=False,
        help_text=_("Leave empty for reviewers who do not work in a school (e.g. advisers)."),
    )
    trained_on = _date_field(
        _("Date of peer-review training"),
        required=False,
        help_text=_("Only trained reviewers can lead a review."),
    )
    is_active = forms.BooleanField(label=_("Available for reviews"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from partnership.models import Role

        self.fields["user"].queryset = people_with_roles(*Role.values)
        self.fields["user"].widget.attrs["class"] = "govuk-select"


# --- Cycles ------------------------------------------------------------------------------


class CycleForm(TenantForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    academic_year = forms.CharField(
        label=_("Academic year"),
        help_text=_("For example, 2025/26."),
        max_length=7,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5"}),
    )
    window_start = _date_field(_("First day for visits"))
    window_end = _date_field(_("Last day for visits"))
    framework_version = SafeModelChoiceField(
        FrameworkVersion.objects,
        label=_("Framework version"),
        help_text=_("The cycle keeps this version even when a newer one is published."),
    )
    group_kind = forms.ChoiceField(
        label=_("How are schools grouped?"), choices=GroupKind.choices, widget=forms.RadioSelect
    )
    team_size = forms.IntegerField(
        label=_("Reviewers per team"), min_value=1, max_value=8, initial=2
    )
    forbid_same_cluster = forms.BooleanField(
        label=_("No reviewer from the reviewed school's cluster"), required=False, initial=True
    )
    forbid_reciprocal = forms.BooleanField(
        label=_("No reciprocal pairs (two schools reviewing each other)"),
        required=False,
        initial=True,
    )
    max_reviews_per_reviewer = forms.IntegerField(
        label=_("Most reviews one reviewer joins in the cycle"),
        min_value=1,
        max_value=20,
        initial=2,
    )
    previous_cycle = SafeModelChoiceField(
        Cycle.objects,
        label=_("Previous cycle"),
        required=False,
        help_text=_("Grouping avoids repeating who reviewed whom in that cycle."),
    )

    def __init__(self, *args: Any, cycle: Cycle | None = None, **kwargs: Any) -> None:
        if cycle is not None:
            kwargs.setdefault(
                "initial",
                {
                    name: getattr(cycle, name)
                    for name in (
                        "name",
                        "academic_year",
                        "window_start",
                        "window_end",
                        "framework_version",
                        "group_kind",
                        "team_size",
                        "forbid_same_cluster",
                        "forbid_reciprocal",
                        "max_reviews_per_reviewer",
                        "previous_cycle",
                    )
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["framework_version"].queryset = FrameworkVersion.objects.filter(
            status=FrameworkVersion.Status.PUBLISHED
        ).select_related("framework")
        if cycle is not None:
            self.fields["previous_cycle"].queryset = Cycle.objects.exclude(pk=cycle.pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end < start:
            self.add_error(
                "window_end", _("The last day for visits must be on or after the first day.")
            )
        return data


class InvitePartnershipForm(ServiceErrorsMixin, forms.Form):
    slug = forms.SlugField(
        label=_("The partnership's short name"),
        help_text=_("As it appears in their web addresses: /p/short-name/."),
        max_length=60,
    )


class InvitationResponseForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Will your partnership take part?"),
        choices=[("agree", _("Yes, we agree to join")), ("decline", _("No, we decline"))],
        widget=forms.RadioSelect,
    )


class AddSchoolsForm(TenantForm):
    schools = SafeModelMultipleChoiceField(
        School.objects,
        label=_("Schools to review in this cycle"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one school.")},
    )

    def __init__(self, *args: Any, exclude_ids: set[int] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = School.objects.exclude(pk__in=exclude_ids).order_by(
            "name"
        )


class TeamForm(ServiceErrorsMixin, forms.Form):
    """Choose a review's team from the cycle's pool (which may span partnerships)."""

    reviewers = forms.MultipleChoiceField(
        label=_("Reviewers"), widget=forms.CheckboxSelectMultiple, required=False
    )
    lead = forms.ChoiceField(label=_("Lead reviewer"), required=False)
    group = forms.ChoiceField(label=_("Group"), required=False)

    def __init__(
        self,
        *args: Any,
        pool: list[ReviewerProfile],
        groups: list[ReviewGroup],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(p.user_id), _reviewer_label(p)) for p in pool]
        self.fields["reviewers"].choices = choices
        self.fields["lead"].choices = [("", _("Choose the lead reviewer"))] + choices
        self.fields["lead"].widget.attrs["class"] = "govuk-select"
        self.fields["group"].choices = [("", _("No group"))] + [(str(g.pk), g.name) for g in groups]
        self.fields["group"].widget.attrs["class"] = "govuk-select"
        if not groups:
            del self.fields["group"]
        self.groups = {str(g.pk): g for g in groups}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        reviewers, lead = data.get("reviewers") or [], data.get("lead")
        if reviewers and not lead:
            self.add_error("lead", _("Choose the lead reviewer from the team."))
        elif lead and lead not in reviewers:
            self.add_error("lead", _("The lead reviewer must be one of the team."))
        return data

    def team(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "reviewer_ids": [int(i) for i in data.get("reviewers") or []],
            "lead_id": int(data["lead"]) if data.get("lead") else None,
            "group": self.groups.get(data.get("group") or ""),
        }


def _reviewer_label(profile: ReviewerProfile) -> str:
    parts = [str(profile.user)]
    if profile.school_id:
        parts.append(profile.school.name)
    parts.append(str(_("trained")) if profile.is_trained else str(_("not trained")))
    return " · ".join(parts)


# --- Visits ------------------------------------------------------------------------------


class VisitForm(ServiceErrorsMixin, forms.Form):
    date = _date_field(_("Date"))
    starts_at = _time_field(_("Start time"), initial="08:45")
    ends_at = _time_field(_("End time"), initial="15:30")
    location = forms.CharField(
        label=_("Where to meet"),
        max_length=200,
        required=False,
        help_text=_("For example, the main reception."),
    )
    agenda = forms.CharField(
        label=_("Agenda"), widget=_textarea(8), required=False, max_length=TEXT_LIMIT
    )


# --- Evidence and findings ---------------------------------------------------------------


class EvidenceForm(ServiceErrorsMixin, forms.Form):
    """One text box per framework area of the cycle's version."""

    def __init__(self, *args: Any, areas: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = areas
        for area in areas:
            self.fields[f"area_{area.pk}"] = forms.CharField(
                label=area.display_name, widget=_textarea(6), required=False, max_length=TEXT_LIMIT
            )

    def texts(self) -> dict[int, str]:
        return {area.pk: self.cleaned_data.get(f"area_{area.pk}", "") for area in self.areas}

    def area_fields(self) -> list[tuple[Any, Any]]:
        return [(area, self[f"area_{area.pk}"]) for area in self.areas]


class FindingsForm(ServiceErrorsMixin, forms.Form):
    """A summary, then for each area: what went well, even better if, judgement."""

    summary = forms.CharField(
        label=_("Summary"), widget=_textarea(4), required=False, max_length=TEXT_LIMIT
    )

    def __init__(self, *args: Any, areas: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = areas
        for area in areas:
            self.fields[f"went_well_{area.pk}"] = forms.CharField(
                label=_("What went well"),
                widget=_textarea(5),
                required=False,
                max_length=TEXT_LIMIT,
            )
            self.fields[f"even_better_if_{area.pk}"] = forms.CharField(
                label=_("Even better if"),
                widget=_textarea(5),
                required=False,
                max_length=TEXT_LIMIT,
            )
            self.fields[f"judgement_{area.pk}"] = forms.ChoiceField(
                label=_("Judgement (optional)"),
                choices=[("", _("No judgement"))] + Judgement.choices,
                required=False,
            )
            self.fields[f"judgement_{area.pk}"].widget.attrs["class"] = "govuk-select"

    def values(self) -> dict[int, dict[str, str]]:
        data = self.cleaned_data
        return {
            area.pk: {
                "went_well": data.get(f"went_well_{area.pk}", ""),
                "even_better_if": data.get(f"even_better_if_{area.pk}", ""),
                "judgement": data.get(f"judgement_{area.pk}", ""),
            }
            for area in self.areas
        }

    def area_fields(self) -> list[tuple[Any, list[Any]]]:
        return [
            (
                area,
                [
                    self[f"went_well_{area.pk}"],
                    self[f"even_better_if_{area.pk}"],
                    self[f"judgement_{area.pk}"],
                ],
            )
            for area in self.areas
        ]


class ResponseForm(ServiceErrorsMixin, forms.Form):
    response = forms.CharField(
        label=_("The school's response to the findings"), widget=_textarea(6), max_length=TEXT_LIMIT
    )
    action_plan = forms.CharField(
        label=_("Action plan"),
        help_text=_("What the school will do, who leads it and by when."),
        widget=_textarea(8),
        max_length=TEXT_LIMIT,
    )
    follow_up_on = _date_field(_("Follow-up date"))


class ShareForm(ServiceErrorsMixin, forms.Form):
    audience = forms.ChoiceField(
        label=_("Share the findings with"), choices=ShareAudience.choices, widget=forms.RadioSelect
    )


class ModerationForm(ServiceErrorsMixin, forms.Form):
    verdict = forms.ChoiceField(
        label=_("What does the review say about the school's category?"),
        choices=ModerationVerdict.choices,
        widget=forms.RadioSelect,
    )
    suggested_category = forms.ChoiceField(
        label=_("Category the review suggests (when it challenges the category)"),
        choices=[("", _("None"))] + list(SupportCategory.choices),
        required=False,
    )
    rationale = forms.CharField(
        label=_("What in the review supports this"), widget=_textarea(5), max_length=TEXT_LIMIT
    )


class ModerationOutcomeForm(ServiceErrorsMixin, forms.Form):
    category = forms.ChoiceField(
        label=_("Moderated category"), choices=SupportCategory.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason for the category history"), widget=_textarea(4), max_length=TEXT_LIMIT
    )
