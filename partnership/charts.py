"""Server-rendered SVG bar charts, the same picture on a web page and in a PDF report.

Build the chart in Python (a view, a selector or a report task) and render it with the
template partial ``templates/_bar_chart.html``::

    from partnership.charts import Series, bar_chart

    chart = bar_chart(
        title=_("Open needs by area"),
        labels=["Leadership", "Literacy", "Numeracy"],
        series=[Series(_("Open needs"), [4, 9, 0])],
        label_heading=_("Area"),
    )

    {% include "_bar_chart.html" with chart=chart %}

Bars are horizontal (long labels such as area or school names stay readable), one row per
label. With two or more series the bars are stacked, with a legend and a "Total" column in
the table; a value of None is drawn as nothing and shown as "–" in the table.

What the partial renders, so the chart is accessible (WCAG 2.2 AA) and prints:

- an ``<svg role="img">`` named by its ``<title>`` (the chart's title) and described by its
  ``<desc>`` (the caller's description, or a generated one naming the largest bar);
- every bar labelled with its value in text, and colours from the GOV.UK palette, so no
  reading depends on colour alone (stacked segments are also named in the legend);
- a data table with every figure, inside a "Show the figures as a table" details element
  (``table="visible"`` shows it open, e.g. in a PDF where nothing can be clicked);
- no inline styles or scripts, only SVG presentation attributes, so the page's content
  security policy and WeasyPrint both accept it.

Geometry is worked out here (in viewBox units, as plain strings) so the template only
places elements and never does arithmetic or locale-dependent number formatting.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import count

from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

Number = int | float | Decimal

#: GOV.UK Design System colours, in the order series take them; each has a contrast
#: ratio of at least 3:1 against white (WCAG 1.4.11, non-text contrast).
PALETTE = (
    "#1d70b8",  # blue
    "#f47738",  # orange
    "#00703c",  # green
    "#4c2c92",  # purple
    "#d4351c",  # red
    "#505a5f",  # dark grey
    "#28a197",  # turquoise
    "#912b88",  # pink
)
TEXT_COLOUR = "#0b0c0c"
GRID_COLOUR = "#b1b4b6"
FONT_FAMILY = "Arial, Helvetica, sans-serif"

WIDTH = 640
FONT_SIZE = 14
#: Rough width of one character at FONT_SIZE, to size the label column without a font.
CHAR_WIDTH = 7.4
BAR_HEIGHT = 22
ROW_GAP = 10
MIN_LABEL_WIDTH = 80
MAX_LABEL_WIDTH = 230
VALUE_MARGIN = 60
AXIS_HEIGHT = 28
LEGEND_ROW_HEIGHT = 24
TABLE_MODES = ("details", "visible")

_ids = count(1)


@dataclass(frozen=True)
class Series:
    """One set of values, one per label; several series stack in each bar."""

    label: str
    values: Sequence[Number | None]
    colour: str = ""


@dataclass(frozen=True)
class Segment:
    x: str
    width: str
    colour: str
    series: str
    text: str


@dataclass(frozen=True)
class Row:
    label: str
    #: The label as drawn (shortened with "…" when too long; the table has it in full).
    short_label: str
    label_y: str
    bar_y: str
    segments: tuple[Segment, ...]
    #: Each series' value as text, for the table.
    cells: tuple[str, ...]
    total_text: str
    total_x: str


@dataclass(frozen=True)
class Tick:
    x: str
    text: str


@dataclass(frozen=True)
class LegendItem:
    x: str
    y: str
    text_x: str
    text_y: str
    colour: str
    label: str


@dataclass(frozen=True)
class BarChart:
    """Everything `_bar_chart.html` needs; build it with `bar_chart()`."""

    id: str
    title: str
    description: str
    label_heading: str
    series: tuple[Series, ...]
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    legend: tuple[LegendItem, ...]
    width: int
    height: int
    plot_left: str
    plot_top: str
    plot_bottom: str
    axis_label_y: str
    label_x: str
    unit: str = ""
    table: str = "details"
    empty_text: str = ""
    colours: tuple[str, ...] = field(default=())

    @property
    def stacked(self) -> bool:
        return len(self.series) > 1

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def table_open(self) -> bool:
        return self.table == "visible"


def _coord(value: float) -> str:
    """A coordinate for an SVG attribute: plain digits and a dot, whatever the locale."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def format_value(value: Number | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    return number_format(round(Decimal(str(value)), decimals), decimals, force_grouping=True)


def nice_ticks(maximum: float, target: int = 5) -> list[float]:
    """Round tick values from 0 to at least `maximum` (steps of 1, 2 or 5 × 10^n)."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if step < 1 and float(maximum).is_integer():
        step = 1.0  # counts never get half ticks
    top = math.ceil(maximum / step) * step
    return [round(i * step, 10) for i in range(int(round(top / step)) + 1)]


def _shorten(label: str, max_chars: int) -> str:
    return label if len(label) <= max_chars else label[: max(max_chars - 1, 1)].rstrip() + "…"


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    description: str = "",
    label_heading: str = "",
    unit: str = "",
    decimals: int = 0,
    max_value: Number | None = None,
    table: str = "details",
    empty_text: str = "",
    chart_id: str = "",
    formatter: Callable[[Number | None], str] | None = None,
) -> BarChart:
    """A horizontal bar chart of `labels` (one bar each), stacked when there are several
    `series`. `unit` is appended to the axis heading ("days"); `decimals` is how values
    are shown; `max_value` fixes the scale (e.g. 100 for percentages); `table` is
    "details" (the data table folded away) or "visible"; `chart_id` makes the element
    ids unique when the same title appears twice on a page; `formatter` writes each value
    (e.g. as money, "£1,250.00"; it receives None for a missing figure) instead of
    `decimals`."""
    text = formatter or (lambda value: format_value(value, decimals))
    if table not in TABLE_MODES:
        raise ValueError(f"table must be one of {TABLE_MODES}")
    series = tuple(
        Series(s.label, tuple(s.values), s.colour or PALETTE[i % len(PALETTE)])
        for i, s in enumerate(series)
    )
    if not series:
        raise ValueError("a chart needs at least one series")
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError(
                f"series {s.label!r} has {len(s.values)} values for {len(labels)} labels"
            )
    chart_id = chart_id or f"chart-{slugify(str(title))[:40] or 'bars'}-{next(_ids)}"
    totals = [sum(float(s.values[i] or 0) for s in series) for i in range(len(labels))]
    empty = not labels or not any(totals)

    label_width = min(
        max(
            max((len(str(label)) for label in labels), default=0) * CHAR_WIDTH + 12, MIN_LABEL_WIDTH
        ),
        MAX_LABEL_WIDTH,
    )
    max_chars = int((label_width - 12) // CHAR_WIDTH)
    plot_left = label_width
    plot_width = WIDTH - plot_left - VALUE_MARGIN

    legend: list[LegendItem] = []
    legend_height = 0
    if len(series) > 1:
        x, y = 0.0, 0.0
        for s in series:
            item_width = 14 + 6 + len(str(s.label)) * CHAR_WIDTH + 18
            if x and x + item_width > WIDTH:
                x, y = 0.0, y + LEGEND_ROW_HEIGHT
            legend.append(
                LegendItem(
                    x=_coord(x),
                    y=_coord(y + 3),
                    text_x=_coord(x + 20),
                    text_y=_coord(y + 15),
                    colour=s.colour,
                    label=str(s.label),
                )
            )
            x += item_width
        legend_height = int(y + LEGEND_ROW_HEIGHT + 8)

    top = legend_height + 4
    ticks_values = nice_ticks(float(max_value) if max_value else max(totals, default=0))
    scale_max = ticks_values[-1] or 1.0

    def x_of(value: float) -> float:
        return plot_left + plot_width * min(value, scale_max) / scale_max

    rows = []
    row_height = BAR_HEIGHT + ROW_GAP
    for i, label in enumerate(labels):
        bar_y = top + i * row_height
        segments, start = [], 0.0
        for s in series:
            value = s.values[i]
            if value is None or float(value) <= 0:
                continue
            end = start + float(value)
            segments.append(
                Segment(
                    x=_coord(x_of(start)),
                    width=_coord(max(x_of(end) - x_of(start), 1.0)),
                    colour=s.colour,
                    series=str(s.label),
                    text=text(value),
                )
            )
            start = end
        total_known = any(s.values[i] is not None for s in series)
        rows.append(
            Row(
                label=str(label),
                short_label=_shorten(str(label), max_chars),
                label_y=_coord(bar_y + BAR_HEIGHT / 2 + FONT_SIZE / 2 - 2),
                bar_y=_coord(bar_y),
                segments=tuple(segments),
                cells=tuple(text(s.values[i]) for s in series),
                total_text=text(totals[i] if total_known else None),
                total_x=_coord(x_of(totals[i]) + 6),
            )
        )
    plot_bottom = top + len(labels) * row_height
    tick_decimals = 0 if all(float(v).is_integer() for v in ticks_values) else decimals
    ticks = tuple(
        Tick(x=_coord(x_of(v)), text=format_value(v, tick_decimals)) for v in ticks_values
    )

    if not description and not empty:
        largest = max(range(len(labels)), key=lambda i: totals[i])
        description = _(
            "%(count)s bars. The largest is %(label)s with %(value)s; the total is %(total)s."
        ) % {
            "count": len(labels),
            "label": labels[largest],
            "value": text(totals[largest]),
            "total": text(sum(totals)),
        }
    return BarChart(
        id=chart_id,
        title=str(title),
        description=str(description),
        label_heading=str(label_heading),
        series=series,
        rows=tuple(rows) if not empty else (),
        ticks=ticks,
        legend=tuple(legend),
        width=WIDTH,
        height=int(plot_bottom + AXIS_HEIGHT),
        plot_left=_coord(plot_left),
        plot_top=_coord(top - 4),
        plot_bottom=_coord(plot_bottom),
        axis_label_y=_coord(plot_bottom + 18),
        label_x=_coord(plot_left - 8),
        unit=str(unit),
        table=table,
        empty_text=str(empty_text) or _("No figures to show yet."),
        colours=tuple(s.colour for s in series),
    )
