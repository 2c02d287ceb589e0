"""{% load hubs_figures %}: money and percentages shown the same in tables and charts."""

from __future__ import annotations

from decimal import Decimal

from django import template

from hubs.charts import money_text, percent_text

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    """£20,000.00; "–" when there is no figure (e.g. no participants to divide by)."""
    return money_text(value)


@register.filter
def percent(value: Decimal | None) -> str:
    """66.7%; "–" when there is no figure."""
    return percent_text(value)
