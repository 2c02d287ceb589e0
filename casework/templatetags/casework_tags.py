"""Casework pieces shown on other apps' pages: {% load casework_tags %}."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from .. import policies, selectors

register = template.Library()


@register.inclusion_tag("casework/_school_panel.html", takes_context=True)
def school_casework_panel(context: template.Context, school: Any) -> dict[str, Any]:
    """{% school_casework_panel school %}: on a school's page, the open actions agreed at
    challenge-adviser visits (overdue ones flagged) and a link to the school's casework,
    for its advisers and headteachers; and, for the school's own headteachers and governors,
    the latest moderated category with its reasons. Two queries at most."""
    request = context["request"]
    user = request.user
    own_school = policies.is_headteacher_of(user, school) or policies.is_governor_of(user, school)
    final = selectors.latest_confirmed_record(school) if own_school else None
    if not policies.can_view_casework(user, school):
        return {"visible": False, "final": final, "request": request}
    today = timezone.localdate()
    actions = selectors.school_open_actions(school)
    for action in actions:
        action.overdue = action.is_overdue(today)
    return {
        "visible": True,
        "request": request,
        "school": school,
        "actions": actions,
        "can_record_visit": policies.can_record_visit(user, school),
        "final": final,
    }
