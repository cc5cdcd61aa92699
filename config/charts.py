"""Charts drawn on the server as SVG: no chart script, nothing from another host.

Two kinds, enough for a summary of screening: horizontal bars (one value per labelled
row, such as screen failures per criterion) and columns (one or more series over
categories, such as screenings and enrolments per month).

Every chart is an image to assistive technology (``role="img"``) named by its own
``<title>`` and ``<desc>`` (``aria-labelledby``); a page shows the numbers beside it
in a table as well, since a picture of numbers is not an alternative to them.

Nothing is styled inline: every element carries a class (``chart-*``) that
``static/eligo/charts.css`` styles, so the pages keep the Content-Security-Policy's
``style-src 'self'``. A chart that leaves the page (a PDF, an SVG file) asks for
``standalone=True`` and carries that same stylesheet in a ``<style>`` element.

Pure functions of their arguments: nothing here reads the database or imports an app,
so every layer may draw with it (``config`` is a leaf).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from django.utils.safestring import SafeString, mark_safe

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "eligo" / "charts.css"

WIDTH = 640
FONT_SIZE = 12
# A rough width of one character at FONT_SIZE in a sans-serif face: enough to keep
# labels clear of bars without measuring text, which only a browser can.
CHAR_WIDTH = 6.6
SERIES_CLASSES = 4  # charts.css styles chart-series-0 … chart-series-3


@dataclass(frozen=True)
class Series:
    """One named row of values, one value per category of a column chart."""

    name: str
    values: Sequence[int | float]


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    """A coordinate, short: ``12`` rather than ``12.0``."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _clip(label: str, chars: int) -> str:
    """``label`` cut to ``chars`` characters at a word, with an ellipsis when cut."""
    if len(label) <= chars:
        return label
    cut = label[: chars - 1].rsplit(" ", 1)[0] if " " in label[: chars - 1] else label[: chars - 1]
    return cut.rstrip(" ,;:—–-") + "…"


def nice_ceiling(value: float) -> tuple[float, float]:
    """A round top for an axis that reaches ``value``, and the step between its ticks
    (1, 2 or 5 times a power of ten; about five ticks)."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1.0)  # counts: never a tick between two whole numbers
    return math.ceil(value / step) * step, step


@cache
def stylesheet() -> str:
    """The charts' stylesheet, for charts that leave the page."""
    return STYLESHEET.read_text(encoding="utf-8")


def _open(chart_id: str, title: str, desc: str, height: float, standalone: bool) -> list[str]:
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    parts = [
        f'<svg{namespace} class="chart" role="img" viewBox="0 0 {WIDTH} {_num(height)}" '
        f'width="{WIDTH}" height="{_num(height)}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{_text(title)}</title>',
        f'<desc id="{chart_id}-desc">{_text(desc)}</desc>',
    ]
    if standalone:
        parts.append(f"<style><![CDATA[{stylesheet()}]]></style>")
    return parts


def _empty(parts: list[str], height: float, message: str) -> SafeString:
    parts.append(
        f'<text class="chart-empty" x="{WIDTH / 2}" y="{_num(height / 2)}" '
        f'text-anchor="middle">{_text(message)}</text></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[tuple[str, int | float]],
    empty: str = "Nothing to show.",
    standalone: bool = False,
) -> SafeString:
    """Horizontal bars, one per ``(label, value)`` row, in the order given, each with
    its value written at its end. ``chart_id`` must be unique on the page (it names
    the title and description)."""
    row_height = 24
    top = 8
    height = top * 2 + max(len(rows), 1) * row_height
    parts = _open(chart_id, title, desc, height, standalone)
    if not rows:
        return _empty(parts, height, empty)
    label_chars = 34
    label_width = label_chars * CHAR_WIDTH + 8
    value_room = 48
    plot = WIDTH - label_width - value_room
    top_value, _step = nice_ceiling(max(value for _label, value in rows))
    for index, (label, value) in enumerate(rows):
        y = top + index * row_height
        bar = plot * value / top_value if top_value else 0
        middle = _num(y + row_height / 2)
        parts.append(
            f'<g class="chart-row"><title>{_text(label)}: {_text(value)}</title>'
            f'<text class="chart-label" x="{_num(label_width - 8)}" y="{middle}" '
            f'text-anchor="end" dominant-baseline="middle">{_text(_clip(label, label_chars))}'
            f"</text>"
            f'<rect class="chart-bar chart-series-0" x="{_num(label_width)}" '
            f'y="{_num(y + 4)}" width="{_num(bar)}" height="{row_height - 8}"/>'
            f'<text class="chart-value" x="{_num(label_width + bar + 6)}" y="{middle}" '
            f'dominant-baseline="middle">{_text(value)}</text></g>'
        )
    parts.append(
        f'<line class="chart-axis" x1="{_num(label_width)}" y1="{top}" '
        f'x2="{_num(label_width)}" y2="{_num(height - top)}"/></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def _legend(series: Sequence[Series]) -> list[str]:
    parts = ['<g class="chart-legend">']
    x = 48.0
    for index, one in enumerate(series):
        css = f"chart-series-{index % SERIES_CLASSES}"
        parts.append(
            f'<rect class="chart-bar {css}" x="{_num(x)}" y="6" width="12" height="12"/>'
            f'<text class="chart-label" x="{_num(x + 16)}" y="12" '
            f'dominant-baseline="middle">{_text(one.name)}</text>'
        )
        x += 16 + len(one.name) * CHAR_WIDTH + 24
    parts.append("</g>")
    return parts


def _y_axis(left: float, top: float, plot_height: float, top_value: float, step: float) -> list:
    parts = []
    tick = 0.0
    while tick <= top_value:
        y = top + plot_height - plot_height * tick / top_value
        parts.append(
            f'<line class="chart-grid" x1="{_num(left)}" y1="{_num(y)}" '
            f'x2="{WIDTH - 8}" y2="{_num(y)}"/>'
            f'<text class="chart-tick" x="{_num(left - 6)}" y="{_num(y)}" text-anchor="end" '
            f'dominant-baseline="middle">{_num(tick)}</text>'
        )
        tick += step
    return parts


def column_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    empty: str = "Nothing to show.",
    standalone: bool = False,
) -> SafeString:
    """Columns grouped by category, one per series, with a legend and a value axis.
    With many categories, every n-th is labelled so that labels do not overlap."""
    height = 280
    parts = _open(chart_id, title, desc, height, standalone)
    if not categories or not series:
        return _empty(parts, height, empty)
    left, top, bottom = 48.0, 32.0, 40.0
    plot_width = WIDTH - left - 8
    plot_height = height - top - bottom
    highest = max((max(one.values, default=0) for one in series), default=0)
    top_value, step = nice_ceiling(highest)
    parts += _legend(series)
    parts += _y_axis(left, top, plot_height, top_value, step)
    slot = plot_width / len(categories)
    column = max(slot * 0.8 / len(series), 1.0)
    longest = max(len(c) for c in categories) * CHAR_WIDTH + 8
    every = max(1, math.ceil(longest / slot))
    base = top + plot_height
    for index, category in enumerate(categories):
        x0 = left + index * slot + slot * 0.1
        parts.append('<g class="chart-group">')
        for number, one in enumerate(series):
            value = one.values[index]
            bar = plot_height * value / top_value
            parts.append(
                f'<rect class="chart-bar chart-series-{number % SERIES_CLASSES}" '
                f'x="{_num(x0 + number * column)}" y="{_num(base - bar)}" '
                f'width="{_num(column)}" height="{_num(bar)}">'
                f"<title>{_text(category)}, {_text(one.name)}: {_text(value)}</title></rect>"
            )
        if index % every == 0:
            parts.append(
                f'<text class="chart-tick" x="{_num(left + index * slot + slot / 2)}" '
                f'y="{_num(base + 16)}" text-anchor="middle">{_text(category)}</text>'
            )
        parts.append("</g>")
    parts.append(
        f'<line class="chart-axis" x1="{_num(left)}" y1="{_num(base)}" '
        f'x2="{WIDTH - 8}" y2="{_num(base)}"/></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
