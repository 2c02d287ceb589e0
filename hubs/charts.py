"""Horizontal bar charts drawn as server-rendered SVG (hubs/_bar_chart.html).

The geometry is worked out here, so the template only places shapes, and the same chart
renders in a web page and in a PDF. Every chart carries its figures as text too: the
template shows them as a table for those who cannot see the bars.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

#: Drawing units (the SVG scales to the width of its container).
WIDTH = 640
VALUE_SPACE = 120  # room right of the longest bar for its figure
ROW_HEIGHT = 46
BAR_HEIGHT = 18
NO_FIGURE = "–"


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None
    text: str
    bar_width: str
    label_y: int
    bar_y: int
    text_x: str
    text_y: int


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    label_heading: str
    value_heading: str
    bars: list[Bar]
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * ROW_HEIGHT + 4


def money_text(value: Decimal | None) -> str:
    if value is None:
        return NO_FIGURE
    return "£" + number_format(value, decimal_pos=2, force_grouping=True)


def percent_text(value: Decimal | None) -> str:
    if value is None:
        return NO_FIGURE
    return number_format(value, decimal_pos=1) + "%"


def bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    label_heading: str,
    value_heading: str,
    rows: Iterable[tuple[str, Decimal | int | None]],
    text: Callable[[Any], str],
    scale_max: Decimal | int | None = None,
) -> BarChart:
    """A chart of one bar per row, scaled to `scale_max` (default: the largest value).

    A row without a figure (None) gets no bar and the "–" text, never a zero-length bar
    that would read as "nothing".
    """
    rows = list(rows)
    values = [Decimal(v) for _label, v in rows if v is not None]
    top = Decimal(scale_max) if scale_max is not None else max(values, default=Decimal(0))
    plot = WIDTH - VALUE_SPACE
    bars = []
    for index, (label, value) in enumerate(rows):
        y = index * ROW_HEIGHT
        width = 0.0
        if value is not None and top > 0:
            width = float(min(Decimal(value), top) / top) * plot
        bars.append(
            Bar(
                label=label,
                value=None if value is None else Decimal(value),
                text=text(value),
                bar_width=f"{width:.1f}",
                label_y=y + 16,
                bar_y=y + 22,
                text_x=f"{width + 8:.1f}",
                text_y=y + 36,
            )
        )
    return BarChart(
        id=id,
        title=title,
        description=description,
        label_heading=label_heading,
        value_heading=value_heading,
        bars=bars,
    )


def value_charts(rows: list[tuple[str, Any]], *, prefix: str, label_heading: str) -> list[BarChart]:
    """The value-for-money charts for rows of (label, ValueFigures): cost per participant,
    attendance rate and share of the funding spent, one bar per row."""
    return [
        bar_chart(
            id=f"{prefix}-cost",
            title=_("Cost per participant"),
            description=_(
                "Actual spend divided by the number of confirmed participants. "
                "A dash means there are no participants yet."
            ),
            label_heading=label_heading,
            value_heading=_("Cost per participant"),
            rows=[(label, f.cost_per_participant) for label, f in rows],
            text=money_text,
        ),
        attendance_chart(rows, prefix=prefix, label_heading=label_heading),
        bar_chart(
            id=f"{prefix}-spent",
            title=_("Share of funding spent"),
            description=_(
                "Actual spend as a share of the funding of every service level agreement, "
                "from 0 to 100%. A dash means no funding is recorded."
            ),
            label_heading=label_heading,
            value_heading=_("Share of funding spent"),
            rows=[(label, f.spend_rate) for label, f in rows],
            text=percent_text,
            scale_max=100,
        ),
    ]


def attendance_chart(rows: list[tuple[str, Any]], *, prefix: str, label_heading: str) -> BarChart:
    return bar_chart(
        id=f"{prefix}-attendance",
        title=_("Attendance rate"),
        description=_(
            "Share of the register marks recorded that say the participant attended, "
            "from 0 to 100%. A dash means no register has been taken."
        ),
        label_heading=label_heading,
        value_heading=_("Attendance rate"),
        rows=[(label, f.attendance_rate) for label, f in rows],
        text=percent_text,
        scale_max=100,
    )
