"""Form bases shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField, SafeModelMultipleChoiceField

from .models import SCHOOL_ROLES, Role
from .tenancy import TenantModel


def _is_tenant_model(model: Any) -> bool:
    return isinstance(model, type) and issubclass(model, TenantModel)


def tenant_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """Tenant foreign keys get scope-safe fields; their choices are filled per request."""
    if isinstance(db_field, models.ManyToManyField) and _is_tenant_model(db_field.related_model):
        kwargs["form_class"] = SafeModelMultipleChoiceField
    elif isinstance(db_field, models.ForeignKey) and _is_tenant_model(db_field.related_model):
        kwargs["form_class"] = SafeModelChoiceField
    return db_field.formfield(**kwargs)


class ServiceErrorsMixin:
    """Show a service's ValidationError on the form instead of a 500."""

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class TenantFormMixin(ServiceErrorsMixin):
    """Fill every tenant model choice field from the current partnership's scope."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and _is_tenant_model(field.queryset.model):
                field.queryset = field.queryset.model.objects.all()
            if isinstance(field.widget, forms.Select | forms.SelectMultiple):
                field.widget.attrs.setdefault("class", "govuk-select")


class TenantModelForm(TenantFormMixin, forms.ModelForm):
    class Meta:
        formfield_callback = tenant_formfield


class TenantForm(TenantFormMixin, forms.Form):
    pass


# --- People -----------------------------------------------------------------------------


def _school_field() -> SafeModelChoiceField:
    from schools.models import School

    return SafeModelChoiceField(
        School.objects,
        label=_("School"),
        required=False,
        help_text=_("Needed for headteachers and governors; optional for other roles."),
    )


class InviteForm(TenantForm):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    school = _school_field()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("role") in SCHOOL_ROLES and not data.get("school"):
            self.add_error("school", _("Choose the school this role is for."))
        return data


class MembershipForm(TenantForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    school = _school_field()

    def __init__(self, *args: Any, instance_membership: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"role": instance_membership.role, "school": instance_membership.school}
        )
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("role") in SCHOOL_ROLES and not data.get("school"):
            self.add_error("school", _("Choose the school this role is for."))
        return data


class AcceptInvitationForm(ServiceErrorsMixin, forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=150)
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, invitation: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"full_name": invitation.full_name})
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            from partnership.models import User

            probe = User(email=self.invitation.email, full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return data
