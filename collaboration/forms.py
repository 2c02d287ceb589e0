"""Forms of group projects and the resource library. They parse input; the rules (budget
limits, Welsh versions, file checks) live in services.py and come back as form errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField, SafeModelMultipleChoiceField

from hubs.forms import ANY, date_field, money_field, textarea
from hubs.models import BudgetCategory, Hub, Programme
from partnership.forms import TenantForm
from partnership.models import Area
from schools.models import Cluster, Phase, School

from .models import (
    GroupProject,
    Licence,
    ProjectStatus,
    Resource,
    ResourceKind,
    ResourceLanguage,
)
from .uploads import allowed_extensions_text, max_upload_bytes


def group_key(group: Any) -> str:
    return f"{'cluster' if isinstance(group, Cluster) else 'sig'}:{group.pk}"


def group_label(group: Any) -> str:
    if isinstance(group, Cluster):
        return _("Cluster: %(name)s") % {"name": group.name}
    if group.parent_id:
        return _("Sub-group of %(parent)s: %(name)s") % {
            "parent": group.parent.name,
            "name": group.name,
        }
    return _("School improvement group: %(name)s") % {"name": group.name}


def file_help() -> str:
    return _("%(types)s, up to %(size)s.") % {
        "types": allowed_extensions_text(),
        "size": filesizeformat(max_upload_bytes()),
    }


# --- Projects ---------------------------------------------------------------------------------


class ProjectForm(TenantForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    group = forms.ChoiceField(
        label=_("Group running the project"),
        help_text=_("A cluster, a school improvement group, or a smaller group within one."),
    )
    area = SafeModelChoiceField(Area.objects, label=_("Area"))
    aims = forms.CharField(label=_("Aims"), widget=textarea(4), max_length=4000)
    need = forms.CharField(
        label=_("The need it answers"),
        widget=textarea(4),
        max_length=4000,
        help_text=_("What the schools found they needed, and how they know."),
    )
    schools = SafeModelMultipleChoiceField(
        School.objects,
        label=_("Member schools"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Schools of the group taking part. The lead school is always included."),
    )
    lead_school = SafeModelChoiceField(School.objects, label=_("Lead school"))
    starts_on = date_field(_("Starts on"))
    ends_on = date_field(_("Ends on"))
    funding_allocated = money_field(_("Enabling funding allocated (£)"), required=False)
    outputs = forms.CharField(
        label=_("Outputs"),
        widget=textarea(3),
        required=False,
        max_length=4000,
        help_text=_("What the project will produce: materials, training, a toolkit..."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)

    def __init__(
        self,
        *args: Any,
        groups: list[Any],
        lead_schools: Any,
        project: GroupProject | None = None,
        can_allocate: bool = False,
        **kwargs: Any,
    ) -> None:
        if project is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": project.title,
                    "group": group_key(project.group),
                    "area": project.area,
                    "aims": project.aims,
                    "need": project.need,
                    "schools": list(project.schools.all()),
                    "lead_school": project.lead_school,
                    "starts_on": project.starts_on,
                    "ends_on": project.ends_on,
                    "outputs": project.outputs,
                    "status": project.status,
                },
            )
        super().__init__(*args, **kwargs)
        self.groups = {group_key(g): g for g in groups}
        self.fields["group"].choices = [("", _("Choose a group"))] + [
            (key, group_label(g)) for key, g in self.groups.items()
        ]
        self.fields["area"].queryset = Area.objects.filter(is_active=True)
        self.fields["schools"].queryset = School.objects.order_by("name")
        self.fields["lead_school"].queryset = lead_schools
        if project is not None:
            del self.fields["group"]
            del self.fields["funding_allocated"]
        else:
            self.fields["status"].choices = [
                c for c in ProjectStatus.choices if c[0] != ProjectStatus.COMPLETED
            ]
            if not can_allocate:
                del self.fields["funding_allocated"]

    def clean_group(self) -> Any:
        key = self.cleaned_data.get("group")
        if key not in self.groups:
            raise forms.ValidationError(_("Choose a group from the list."))
        return self.groups[key]


class FundingForm(TenantForm):
    funding_allocated = money_field(_("Enabling funding allocated (£)"))


class ProjectBudgetLineForm(TenantForm):
    category = forms.ChoiceField(label=_("Category"), choices=BudgetCategory.choices)
    description = forms.CharField(label=_("What the money is for"), max_length=200)
    allocated = money_field(_("Allocated (£)"))


class SpendForm(TenantForm):
    amount = money_field(_("Amount spent (£)"))
    note = forms.CharField(label=_("What it was spent on"), max_length=500, required=False)


class MilestoneForm(TenantForm):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = date_field(_("Due on"))


class EvaluationForm(TenantForm):
    what_changed = forms.CharField(label=_("What changed"), widget=textarea(5), max_length=8000)
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=textarea(5),
        max_length=8000,
        help_text=_("Pupils' work, observations, survey results, data: how you know."),
    )
    whole_school_reach = forms.CharField(
        label=_("Whole-school reach"),
        widget=textarea(4),
        max_length=8000,
        help_text=_("How the work reached staff and pupils beyond those directly involved."),
    )
    staff_involved = forms.IntegerField(label=_("Staff directly involved"), min_value=0)
    staff_reached = forms.IntegerField(
        label=_("Further staff reached"),
        min_value=0,
        help_text=_("Beyond those directly involved."),
    )


class ProjectFilterForm(TenantForm):
    q = forms.CharField(label=_("Search projects"), required=False, max_length=100)
    area = SafeModelChoiceField(Area.objects, label=_("Area"), required=False, empty_label=_("Any"))
    status = forms.ChoiceField(
        label=_("Status"), choices=ANY + ProjectStatus.choices, required=False
    )

    def filters(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}


# --- Resources --------------------------------------------------------------------------------


class ResourceDetailsForm(TenantForm):
    """A resource's details: everything but its language versions (files and links)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), widget=textarea(3), max_length=4000)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ResourceKind.choices, widget=forms.RadioSelect
    )
    area = SafeModelChoiceField(Area.objects, label=_("Area"))
    phases = forms.MultipleChoiceField(
        label=_("Phases"),
        choices=Phase.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for all phases."),
    )
    author_school = SafeModelChoiceField(School.objects, label=_("Author school"), required=False)
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices)
    source_project = SafeModelChoiceField(
        GroupProject.objects, label=_("From group project"), required=False
    )
    source_programme = SafeModelChoiceField(
        Programme.objects, label=_("From hub programme"), required=False
    )
    source_hub = SafeModelChoiceField(Hub.objects, label=_("From hub"), required=False)

    def __init__(
        self, *args: Any, author_schools: Any, resource: Resource | None = None, **kwargs: Any
    ) -> None:
        if resource is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": resource.title,
                    "summary": resource.summary,
                    "kind": resource.kind,
                    "area": resource.area_id,
                    "phases": list(resource.phases or []),
                    "author_school": resource.author_school_id,
                    "licence": resource.licence,
                    "source_project": resource.source_project_id,
                    "source_programme": resource.source_programme_id,
                    "source_hub": resource.source_hub_id,
                },
            )
        super().__init__(*args, **kwargs)
        areas = Area.objects.filter(is_active=True)
        programmes = Programme.objects.exclude(status="draft")
        if resource is not None:
            # What the resource already has stays a choice, so saving other details works.
            areas = areas | Area.objects.filter(pk=resource.area_id)
            author_schools = author_schools | School.objects.filter(pk=resource.author_school_id)
            programmes = programmes | Programme.objects.filter(pk=resource.source_programme_id)
        self.fields["area"].queryset = areas
        self.fields["author_school"].queryset = author_schools
        self.fields["source_project"].queryset = GroupProject.objects.order_by("title")
        self.fields["source_programme"].queryset = programmes.order_by("title")


class ResourceForm(ResourceDetailsForm):
    """A new resource: its details and a file or link for each language it is available in."""

    languages = forms.MultipleChoiceField(
        label=_("Languages it is available in"),
        choices=ResourceLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each language needs its own file or link below. Tick Welsh only when you "
            "add the Welsh version."
        ),
    )
    english_file = forms.FileField(label=_("English version: file"), required=False)
    english_url = forms.URLField(
        label=_("English version: or a link"),
        required=False,
        assume_scheme="https",
    )
    welsh_file = forms.FileField(label=_("Welsh version: file"), required=False)
    welsh_url = forms.URLField(
        label=_("Welsh version: or a link"),
        required=False,
        assume_scheme="https",
    )
    bilingual_file = forms.FileField(label=_("Bilingual version: file"), required=False)
    bilingual_url = forms.URLField(
        label=_("Bilingual version: or a link"),
        required=False,
        assume_scheme="https",
    )
    publish = forms.BooleanField(
        label=_("Publish now (followers of the area hear about it in the weekly digest)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, author_schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, author_schools=author_schools, **kwargs)
        for language in ResourceLanguage.values:
            self.fields[f"{language}_file"].help_text = file_help()

    def versions(self) -> dict[str, Any]:
        from .services import VersionInput

        data = self.cleaned_data
        return {
            lang: VersionInput(upload=data.get(f"{lang}_file"), url=data.get(f"{lang}_url") or "")
            for lang in ResourceLanguage.values
        }


class VersionForm(TenantForm):
    language = forms.ChoiceField(label=_("Language"), choices=ResourceLanguage.choices)
    file = forms.FileField(label=_("File"), required=False)
    url = forms.URLField(label=_("Or a link"), required=False, assume_scheme="https")

    def __init__(self, *args: Any, missing: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [c for c in ResourceLanguage.choices if c[0] in missing]
        self.fields["file"].help_text = file_help()


class LibraryFilterForm(TenantForm):
    q = forms.CharField(label=_("Search resources"), required=False, max_length=100)
    area = SafeModelChoiceField(Area.objects, label=_("Area"), required=False, empty_label=_("Any"))
    language = forms.ChoiceField(
        label=_("Language"), choices=ANY + ResourceLanguage.choices, required=False
    )
    phase = forms.ChoiceField(label=_("Phase"), choices=ANY + Phase.choices, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ANY + ResourceKind.choices, required=False)
    source = forms.ChoiceField(
        label=_("Made by"),
        required=False,
        choices=ANY
        + [
            ("project", _("A group project")),
            ("hub", _("A hub")),
            ("programme", _("A hub programme")),
        ],
    )
    missing_welsh = forms.BooleanField(
        label=_("Only those without a Welsh version"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(is_active=True)

    def filters(self) -> dict[str, Any]:
        """The chosen filters; invalid input is ignored rather than failing the page."""
        return self.cleaned_data if self.is_valid() else {}


class FollowForm(TenantForm):
    areas = SafeModelMultipleChoiceField(
        Area.objects,
        label=_("Areas you follow"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each Monday you get one email listing the resources published the week "
            "before in these areas. Untick them all to stop the emails."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = Area.objects.filter(is_active=True)
