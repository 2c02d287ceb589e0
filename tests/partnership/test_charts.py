"""partnership/charts.py and templates/_bar_chart.html: the shared SVG bar chart."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from partnership.charts import PALETTE, Series, bar_chart, nice_ticks


def render(chart) -> str:
    return render_to_string("_bar_chart.html", {"chart": chart})


def widths(chart) -> list[float]:
    return [float(segment.width) for row in chart.rows for segment in row.segments]


def test_bars_are_as_long_as_their_values():
    chart = bar_chart(title="Open needs", labels=["A", "B"], series=[Series("Needs", [2, 4])])

    first, second = widths(chart)
    assert second == pytest.approx(2 * first, rel=0.01)
    assert [row.total_text for row in chart.rows] == ["2", "4"]


def test_the_scale_ends_on_a_round_tick_at_or_above_the_largest_value():
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(45) == [0, 10, 20, 30, 40, 50]
    assert nice_ticks(0.8)[-1] == pytest.approx(0.8)
    assert nice_ticks(0) == [0, 1]


def test_stacked_series_share_a_bar_and_a_legend():
    chart = bar_chart(
        title="Needs by status",
        labels=["Literacy"],
        series=[Series("Open", [3]), Series("Met", [1]), Series("Withdrawn", [0])],
    )

    (row,) = chart.rows
    assert [s.series for s in row.segments] == ["Open", "Met"]  # nothing drawn for 0
    assert float(row.segments[1].x) == pytest.approx(
        float(row.segments[0].x) + float(row.segments[0].width), abs=0.2
    )
    assert row.cells == ("3", "1", "0") and row.total_text == "4"
    assert [item.label for item in chart.legend] == ["Open", "Met", "Withdrawn"]
    assert [s.colour for s in chart.series] == list(PALETTE[:3])


def test_the_svg_is_an_image_named_by_its_title_and_described():
    chart = bar_chart(
        title="Unmet needs by area",
        labels=["Leadership", "Numeracy"],
        series=[Series("Open needs", [1, 5])],
        label_heading="Area",
    )

    html = render(chart)

    svg = re.search(r"<svg[^>]*>", html).group(0)
    assert 'role="img"' in svg
    assert f'aria-labelledby="{chart.id}-title {chart.id}-desc"' in svg
    assert f'<title id="{chart.id}-title">Unmet needs by area</title>' in html
    assert "The largest is Numeracy with 5; the total is 6." in html
    assert "style=" not in html  # the content security policy allows no inline styles


def test_every_figure_is_in_the_data_table():
    chart = bar_chart(
        title="Provider load",
        labels=["Ysgol Werdd", "Ysgol Las"],
        series=[Series("Delivered", [Decimal("1.5"), 2]), Series("To deliver", [3, None])],
        label_heading="Provider",
        unit="days",
        decimals=1,
    )

    table = render(chart).split("data-chart-table")[1]
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", table)
    assert cells == [
        "Provider",
        "Delivered",
        "To deliver",
        "Total (days)",
        "Ysgol Werdd",
        "1.5",
        "3.0",
        "4.5",
        "Ysgol Las",
        "2.0",
        "–",
        "2.0",
    ]


def test_the_table_can_be_shown_open_for_print():
    chart = bar_chart(title="T", labels=["A"], series=[Series("S", [1])], table="visible")

    assert '<details class="govuk-details" open>' in render(chart)


def test_long_labels_are_shortened_in_the_picture_but_whole_in_the_table():
    label = "Ysgol Gynradd Gymraeg Llanfihangel-yng-Ngwynfa a'r Cylch"
    chart = bar_chart(title="T", labels=[label], series=[Series("S", [1])])

    assert chart.rows[0].short_label.endswith("…")
    assert len(chart.rows[0].short_label) < len(label)
    assert f'<th scope="row" class="govuk-table__header">{label}</th>' in render(chart).replace(
        "&#x27;", "'"
    )


def test_no_data_shows_the_empty_text_instead_of_a_chart():
    chart = bar_chart(title="T", labels=["A"], series=[Series("S", [0])], empty_text="Nothing yet.")

    html = render(chart)
    assert "Nothing yet." in html and "<svg" not in html


def test_coordinates_are_plain_numbers_in_every_language():
    chart = bar_chart(title="T", labels=["A"], series=[Series("S", [1234.5])], decimals=1)

    with translation.override("cy"):
        html = render(chart)

    assert all(re.fullmatch(r"-?\d+(\.\d)?", x) for x in re.findall(r' x="([^"]*)"', html))


def test_two_charts_with_one_title_get_different_ids():
    first = bar_chart(title="Same", labels=["A"], series=[Series("S", [1])])
    second = bar_chart(title="Same", labels=["A"], series=[Series("S", [1])])

    assert first.id != second.id


def test_a_series_must_give_one_value_per_label():
    with pytest.raises(ValueError):
        bar_chart(title="T", labels=["A", "B"], series=[Series("S", [1])])


def test_a_formatter_writes_every_value_and_the_description():
    chart = bar_chart(
        title="Cost per participant",
        labels=["Hub A", "Hub B"],
        series=[Series("Cost", [Decimal("1250.06"), None])],
        formatter=lambda v: "–" if v is None else f"£{float(v):,.2f}",
    )

    assert [row.cells for row in chart.rows] == [("£1,250.06",), ("–",)]
    assert [row.total_text for row in chart.rows] == ["£1,250.06", "–"]
    assert chart.rows[0].segments[0].text == "£1,250.06"
    assert not chart.rows[1].segments
    assert "£1,250.06" in chart.description
