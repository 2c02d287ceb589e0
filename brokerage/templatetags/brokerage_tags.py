"""Brokerage pieces shown on other apps' pages: {% load brokerage_tags %}."""

from __future__ import annotations

from typing import Any

from django import template

from .. import policies, selectors

register = template.Library()


@register.inclusion_tag("brokerage/_school_support.html", takes_context=True)
def school_support(context: template.Context, school: Any) -> dict[str, Any]:
    """{% school_support school %}: the "Support received and given" section of a school's
    page, for those who may see it (policies.can_view_school_support); nothing otherwise.
    One query (selectors.school_support), whatever the number of agreements."""
    request = context["request"]
    if not policies.can_view_school_support(request.user, school):
        return {"visible": False}
    return {
        "visible": True,
        "request": request,
        "school": school,
        "support": selectors.school_support(school),
    }
