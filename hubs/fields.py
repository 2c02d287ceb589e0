"""A small set of choices stored in one column, searchable on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db import models


class ChoiceListField(models.CharField):
    """A list of choice values stored as ",a,b," so `field__contains=",a,"` finds one value.

    JSON containment is not available on SQLite, and the catalogue filters on it, so the
    values are kept in a delimited column that a plain LIKE can search on every database.
    """

    def __init__(self, *args: Any, item_choices: Iterable[tuple[str, Any]] = (), **kwargs: Any):
        self.item_choices = list(item_choices)
        kwargs.setdefault("max_length", 250)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple:
        name, path, args, kwargs = super().deconstruct()
        kwargs["item_choices"] = self.item_choices
        return name, path, args, kwargs

    @staticmethod
    def encode(values: Iterable[str]) -> str:
        items = [v for v in values if v]
        return f",{','.join(items)}," if items else ""

    @staticmethod
    def needle(value: str) -> str:
        """What to pass to `__contains` to find rows holding `value`."""
        return f",{value},"

    def to_python(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        if isinstance(value, list | tuple | set):
            return [str(v) for v in value]
        return [v for v in str(value).split(",") if v]

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[str]:
        return self.to_python(value)

    def get_prep_value(self, value: Any) -> str:
        if isinstance(value, str):
            value = self.to_python(value)
        return self.encode(value or [])

    def value_to_string(self, obj: Any) -> str:
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value: Any, model_instance: Any) -> None:
        allowed = {v for v, _label in self.item_choices}
        unknown = [v for v in value or [] if v not in allowed]
        if unknown:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": unknown[0]},
            )
        if not self.blank and not value:
            raise forms.ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs: Any) -> forms.Field:
        defaults = {
            "form_class": forms.MultipleChoiceField,
            "choices": self.item_choices,
            "required": not self.blank,
            "label": self.verbose_name.capitalize() if self.verbose_name else None,
            "help_text": self.help_text,
            "widget": forms.CheckboxSelectMultiple,
        }
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        defaults.pop("choices_form_class", None)
        defaults.pop("max_length", None)
        return form_class(**defaults)

    def labels(self, values: Iterable[str]) -> list[str]:
        lookup = dict(self.item_choices)
        return [str(lookup.get(v, v)) for v in values]
