"""The statistics page's charts, drawn on the server as SVG by pygal and put inline in the page:
readable without JavaScript, scaled to the width of a phone or a desk, labels in the reader's
language (Chinese glyphs come from the reader's fonts; CI installs Debian's fonts-noto-cjk)."""

from __future__ import annotations

import re

import pygal
from markupsafe import Markup
from pygal.style import Style

# A chart's drawing size: it scales to its box, so a phone (343 px of content) shows it at about
# 0.7 and a desk at most at 1.3 (the page caps its width); the fonts are sized for that.
WIDTH, HEIGHT = 480, 300
FONTS = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', sans-serif"
STYLE = Style(
    font_family=FONTS,
    background="transparent",
    plot_background="transparent",
    foreground="#333",
    foreground_strong="#111",
    foreground_subtle="#999",
    colors=("#1f6f8b", "#e07a1f", "#3a9d5d", "#b03a48"),
    title_font_size=17,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=12,
    tooltip_font_size=13,
)
# pygal adds a script that configures its tooltips: the page has no JavaScript to configure.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)
MAX_LABEL = 8  # characters of a label before it is cut (an area's or a category's name)
# pygal sizes labels as Latin text (about 0.6 em a character); a Chinese character takes a whole
# em, so charts with labels on the left get this much more room per character of the longest.
WIDE_CHARACTER_PX = 0.45 * STYLE.label_font_size


def integer_ticks(largest: int, ticks: int = 5) -> list[int]:
    """Whole-number ticks from 0 to at least ``largest``: a count has no 0.2."""
    step = max(1, -(-largest // ticks))
    return list(range(0, max(largest, 1) + step, step))


def _wide(text: str) -> int:
    return sum(1 for character in text[:MAX_LABEL] if ord(character) > 0x2E80)


def _chart(kind, title: str, **config):
    config = {"print_values": False, **config}
    return kind(
        style=STYLE,
        title=title,
        width=WIDTH,
        height=HEIGHT,
        explicit_size=False,
        disable_xml_declaration=True,
        js=[],
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        truncate_label=MAX_LABEL,
        truncate_legend=24,
        margin=8,
        **config,
    )


def _svg(chart) -> Markup:
    # pygal builds the SVG as an element tree: names and labels are escaped by its serialiser.
    return Markup(_SCRIPT.sub("", chart.render(is_unicode=True)))


def percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def bars(
    title: str,
    labels: list[str],
    series: dict[str, list[float | None]],
    unit: str = "",
    value_range: tuple[float, float] | None = None,
) -> Markup:
    """Vertical bars, one colour per series (``value_range``: fixed, such as 0 to 100 percent)."""
    chart = _chart(
        pygal.Bar,
        title,
        x_label_rotation=0 if len(labels) <= 6 else 40,
        show_legend=len(series) > 1,
        range=value_range,
        y_labels=None
        if value_range is None
        else [round(value_range[0] + (value_range[1] - value_range[0]) * i / 5, 2) for i in range(6)],
    )
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, values, formatter=lambda value: f"{value:g}{unit}" if value is not None else "")
    return _svg(chart)


def ranked_bars(title: str, labels: list[str], values: list[int]) -> Markup:
    """Horizontal bars, largest first: categories and the like, with long names."""
    chart = _chart(
        pygal.HorizontalBar,
        title,
        show_legend=False,
        print_values=True,
        y_labels=integer_ticks(max(values, default=0)),
        margin_left=8 + round(WIDE_CHARACTER_PX * max((_wide(label) for label in labels), default=0)),
    )
    chart.x_labels = labels
    chart.add(title, values)
    return _svg(chart)


def counts_and_rate(
    title: str, labels: list[str], counts: dict[str, list[int]], rate_name: str, rates: list[float | None]
) -> Markup:
    """Counts by month (left axis) and a rate in percent (right axis), as lines."""
    largest = max((value for values in counts.values() for value in values), default=0)
    chart = _chart(
        pygal.Line,
        title,
        x_label_rotation=0 if len(labels) <= 6 else 40,
        show_dots=True,
        dots_size=4,
        y_labels=integer_ticks(largest),
        secondary_range=(0, 100),
    )
    chart.x_labels = labels
    for name, values in counts.items():
        chart.add(name, values)
    chart.add(rate_name, [percent(value) for value in rates], secondary=True, formatter=lambda v: f"{v:g}%")
    return _svg(chart)
