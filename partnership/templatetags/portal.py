"""Template helpers used on every page (registered as builtins in settings)."""

from typing import Any

from django import template
from django.http import QueryDict
from django.urls import reverse

from partnership.tenancy import URL_KWARG

register = template.Library()


@register.simple_tag(takes_context=True)
def purl(context: template.Context, viewname: str, *args: Any, **kwargs: Any) -> str:
    """{% purl "schools:detail" pk=school.pk %}: a URL inside the current partnership."""
    partnership = context["request"].partnership
    if args:
        return reverse(viewname, args=[partnership.slug, *args])
    return reverse(viewname, kwargs={URL_KWARG: partnership.slug, **kwargs})


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **kwargs: Any) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def category_tag(category: str) -> str:
    """The CSS modifier for a support category tag."""
    return {"green": "green", "yellow": "yellow", "amber": "orange", "red": "red"}.get(
        category, "grey"
    )


_WIDGET_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "selectmultiple": "govuk-select",
    "checkbox": "govuk-checkboxes__input",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
}


@register.filter
def govuk_widget(field: Any) -> str:
    """Render a bound field's widget with GOV.UK classes and its hint/error described-by."""
    widget_type = field.widget_type
    css = _WIDGET_CLASSES.get(widget_type, "govuk-input")
    if field.errors and css in ("govuk-input", "govuk-select", "govuk-textarea"):
        css += f" {css}--error"
    existing = field.field.widget.attrs.get("class", "")
    attrs: dict[str, str] = {"class": " ".join(dict.fromkeys(f"{existing} {css}".split()))}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)
