"""{% load hubs_figures %}: money and percentages shown the same in tables and charts."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from hubs.charts import money_text, percent_text

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    """£20,000.00; "–" when there is no figure (e.g. no participants to divide by)."""
    return money_text(value)


@register.filter
def signed(value: Decimal | None) -> str:
    """+0.8 or −0.3 (a change in score); "–" when there is no figure."""
    if value is None:
        return "–"
    text = number_format(abs(value), decimal_pos=1)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


@register.filter
def percent(value: Decimal | None) -> str:
    """66.7%; "–" when there is no figure."""
    return percent_text(value)
