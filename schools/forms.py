from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField

from partnership.forms import ServiceErrorsMixin, TenantForm, TenantModelForm, tenant_formfield
from partnership.models import Role
from partnership.selectors import people_with_roles

from .importer import ImportFileError, decode_upload
from .models import (
    Cluster,
    LanguageMedium,
    LocalAuthority,
    Phase,
    School,
    SchoolImprovementGroup,
    SupportCategory,
)
from .selectors import DirectoryFilters

ANY = [("", _("Any"))]


class DirectoryFilterForm(TenantForm):
    q = forms.CharField(
        label=_("Search by name, number or postcode"), required=False, max_length=100
    )
    local_authority = SafeModelChoiceField(
        LocalAuthority.objects, label=_("Local authority"), required=False, empty_label=_("Any")
    )
    phase = forms.ChoiceField(label=_("Phase"), choices=ANY + Phase.choices, required=False)
    language_medium = forms.ChoiceField(
        label=_("Language medium"), choices=ANY + LanguageMedium.choices, required=False
    )
    category = forms.ChoiceField(
        label=_("Support category"), choices=ANY + SupportCategory.choices, required=False
    )
    cluster = SafeModelChoiceField(
        Cluster.objects, label=_("Cluster"), required=False, empty_label=_("Any")
    )
    sig = SafeModelChoiceField(
        SchoolImprovementGroup.objects,
        label=_("School improvement group"),
        required=False,
        empty_label=_("Any"),
    )

    def __init__(self, *args: Any, show_category: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not show_category:
            del self.fields["category"]

    def filters(self) -> DirectoryFilters:
        """The chosen filters. A filter with invalid input is left out (the page shows its
        error); the valid ones still apply."""
        self.is_valid()
        data = self.cleaned_data
        return DirectoryFilters(
            q=data.get("q") or "",
            local_authority=data.get("local_authority"),
            phase=data.get("phase") or "",
            language_medium=data.get("language_medium") or "",
            category=data.get("category") or "",
            cluster=data.get("cluster"),
            sig=data.get("sig"),
        )


class SchoolForm(TenantModelForm):
    class Meta:
        model = School
        formfield_callback = tenant_formfield
        fields = [
            "official_number",
            "name",
            "phase",
            "language_medium",
            "local_authority",
            "cluster",
            "pupils",
            "fsm_percent",
            "postcode",
            "report_language",
            "challenge_adviser",
        ]

    def __init__(self, *args: Any, partnership: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.instance.partnership = partnership
        self.fields["challenge_adviser"].queryset = people_with_roles(
            Role.CHALLENGE_ADVISER, Role.SENIOR_CA, Role.HEADTEACHER
        )
        self.fields["challenge_adviser"].widget.attrs["class"] = "govuk-select"

    def clean_official_number(self) -> str:
        number = self.cleaned_data["official_number"].strip()
        clash = School.objects.filter(official_number__iexact=number).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another school already has this official number."))
        return number

    def validate_unique(self) -> None:
        # Uniqueness per partnership is checked in clean_official_number (the partnership
        # field is not on the form, so the model's own check cannot see it).
        pass


class CategoryForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Support category"), choices=SupportCategory.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Why is the category being set?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    moderated = forms.BooleanField(label=_("This category has been moderated"), required=False)


class SchoolImportForm(ServiceErrorsMixin, forms.Form):
    """Step 1 of the import: the file. `cleaned_data["file"]` is its decoded text."""

    file = forms.FileField(
        label=_("CSV file"),
        error_messages={
            "required": _("Choose a CSV file to upload."),
            "empty": _("The file is empty."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes: int = settings.SCHOOL_IMPORT_MAX_BYTES
        self.fields["file"].help_text = _(
            "A .csv file saved as 'CSV UTF-8 (Comma delimited)', at most %(size)s."
        ) % {"size": filesizeformat(self.max_bytes)}
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        self.filename = PurePath(upload.name).name
        if PurePath(upload.name).suffix.lower() != ".csv":
            raise forms.ValidationError(_("The file must be a CSV file whose name ends in .csv."))
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s; the largest accepted is %(max)s. "
                    "Split it into smaller files."
                )
                % {"size": filesizeformat(upload.size), "max": filesizeformat(self.max_bytes)}
            )
        raw = upload.read(self.max_bytes + 1)
        try:
            text = decode_upload(raw)
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        return text
