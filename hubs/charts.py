"""The value-for-money charts, drawn with the shared partnership.charts bar chart (the
same SVG on a web page and in a PDF), with money and percentages written as the tables
on those pages write them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from partnership.charts import BarChart, Series, bar_chart

NO_FIGURE = "–"


def money_text(value: Decimal | float | None) -> str:
    if value is None:
        return NO_FIGURE
    return "£" + number_format(Decimal(str(value)), decimal_pos=2, force_grouping=True)


def percent_text(value: Decimal | float | None) -> str:
    if value is None:
        return NO_FIGURE
    return number_format(Decimal(str(value)), decimal_pos=1) + "%"


def _chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    label_heading: str,
    rows: list[tuple[str, Any]],
    percent: bool = False,
) -> BarChart:
    return bar_chart(
        chart_id=chart_id,
        title=title,
        description=description,
        label_heading=label_heading,
        labels=[label for label, _value in rows],
        series=[Series(title, [value for _label, value in rows])],
        formatter=percent_text if percent else money_text,
        max_value=100 if percent else None,
    )


def value_charts(rows: list[tuple[str, Any]], *, prefix: str, label_heading: str) -> list[BarChart]:
    """The value-for-money charts for rows of (label, ValueFigures): cost per participant,
    attendance rate and share of the funding spent, one bar per row."""
    return [
        _chart(
            chart_id=f"{prefix}-cost",
            title=_("Cost per participant"),
            description=_(
                "Actual spend divided by the number of confirmed participants. "
                "A dash means there are no participants yet."
            ),
            label_heading=label_heading,
            rows=[(label, f.cost_per_participant) for label, f in rows],
        ),
        attendance_chart(rows, prefix=prefix, label_heading=label_heading),
        _chart(
            chart_id=f"{prefix}-spent",
            title=_("Share of funding spent"),
            description=_(
                "Actual spend as a share of the funding of every service level agreement, "
                "from 0 to 100%. A dash means no funding is recorded."
            ),
            label_heading=label_heading,
            rows=[(label, f.spend_rate) for label, f in rows],
            percent=True,
        ),
    ]


def attendance_chart(rows: list[tuple[str, Any]], *, prefix: str, label_heading: str) -> BarChart:
    return _chart(
        chart_id=f"{prefix}-attendance",
        title=_("Attendance rate"),
        description=_(
            "Share of the register marks recorded that say the participant attended, "
            "from 0 to 100%. A dash means no register has been taken."
        ),
        label_heading=label_heading,
        rows=[(label, f.attendance_rate) for label, f in rows],
        percent=True,
    )
