"""Pieces every app's API shares: the 403 and 400 answers and how they are documented,
turning a service's refusal into the 400 body, and choice fields named once per set of
choices in the schema.

Every app's api.py answers the same way: an action the person may not take is 403
(`require`), and a write a service refuses is 400 with the reasons keyed by field, those
about the request as a whole under "non_field_errors" (`run_service`, `service_errors`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.settings import api_settings

#: The lookup of every detail route: only digits reach get_object, any other id is a 404
#: from the URL resolver.
DIGITS = r"[0-9]+"

BAD_INPUT = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="The input was refused: a list of reasons for each field "
    '(`{"title": ["This field is required."]}`), or under '
    '"non_field_errors" for the request as a whole. Nothing was written.',
)
FORBIDDEN = OpenApiResponse(description="Your roles do not allow this.")

Result = TypeVar("Result")


def require(allowed: object) -> None:
    """Answer 403 unless `allowed` (a policy's verdict) is true."""
    if not allowed:
        raise PermissionDenied


def service_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as DRF's 400 body: the reasons keyed by field, those
    about the request as a whole under "non_field_errors"."""
    if hasattr(error, "error_dict"):
        return {
            api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: [
                message for e in errors for message in e.messages
            ]
            for field, errors in error.error_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: list(error.messages)}


def run_service(service: Callable[..., Result], /, **kwargs: Any) -> Result:
    """Call a service with keyword arguments and return what it returns; its
    ValidationError becomes a 400 with the reasons (see `service_errors`)."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise ValidationError(service_errors(error)) from None


class ChoicesField(serializers.ChoiceField):
    """A choice field whose schema is one named component per TextChoices class
    (HubStatusEnum, ProgrammeStatusEnum...), so the many "status" fields never collide
    and one set of choices has one name wherever it is used. With `allow_blank` (or
    `allow_null`) the schema is one of the set or "" (BlankEnum) or null (NullEnum), as
    drf-spectacular writes blank choices."""

    def __init__(self, choices_class: type, **kwargs: Any) -> None:
        self.choices_class = choices_class
        super().__init__(choices=choices_class.choices, **kwargs)


class ChoicesFieldExtension(OpenApiSerializerFieldExtension):
    target_class = ChoicesField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        choices = self.target.choices_class
        name = f"{choices.__name__}Enum"
        options = [
            (
                name,
                {
                    "type": "string",
                    "enum": list(choices.values),
                    "description": "\n".join(
                        f"* `{value}` - {label}" for value, label in choices.choices
                    ),
                },
            )
        ]
        if self.target.allow_blank:
            options.append(("BlankEnum", {"enum": [""]}))
        if self.target.allow_null:
            options.append(("NullEnum", {"enum": [None]}))
        refs = []
        for component_name, schema in options:
            component = ResolvedComponent(
                name=component_name,
                type=ResolvedComponent.SCHEMA,
                object=component_name,
                schema=schema,
            )
            auto_schema.registry.register_on_missing(component)
            refs.append(component.ref)
        return refs[0] if len(refs) == 1 else {"oneOf": refs}


def enum(choices: type, **kwargs: Any) -> ChoicesField:
    """A field for one of `choices` (a TextChoices class), named after it in the schema."""
    return ChoicesField(choices, **kwargs)
