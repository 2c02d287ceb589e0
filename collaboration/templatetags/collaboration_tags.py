"""Collaboration pieces shown on other apps' pages: {% load collaboration_tags %}."""

from __future__ import annotations

from typing import Any

from django import template

from .. import policies, selectors

register = template.Library()


@register.inclusion_tag("collaboration/_school_activity.html", takes_context=True)
def school_collaboration(context: template.Context, school: Any) -> dict[str, Any]:
    """{% school_collaboration school %}: the "Groups, projects and resources" section of a
    school's page: the groups it belongs to, their projects and the resources they shared.
    Every member may see it (resources are shared across the partnership); a fixed number
    of queries (selectors.group_activity_for_school)."""
    request = context["request"]
    if not policies.can_view_projects(request.user, school):
        return {"visible": False}
    return {
        "visible": True,
        "request": request,
        "school": school,
        "activity": selectors.group_activity_for_school(school),
    }
