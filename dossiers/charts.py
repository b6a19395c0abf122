"""Charts drawn on the server as inline SVG: no script, no external service, no library.

A chart is one image to assistive technology (`role="img"`, named by its
`<title>` and described by its `<desc>`); pages print the same figures in a
table next to it, for screen readers, for copying and for when the picture
says too little. Colours are fixed attributes with at least 4.5:1 contrast on
white, so the SVG reads the same without the stylesheet and in print.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

PALETTE = ("#0b4f8a", "#1b6e3a", "#8a4b00", "#6b2c91")
TEXT = "#4a525a"
GRID = "#d5dbe1"

# The SVG scales to its box, and its text with it: on a 390 px phone the box is
# about 340 px wide, so the text is set at 18 units of a 480-unit-wide drawing
# to stay at least 12 px there (WCAG readable labels); wider screens show it larger.
WIDTH, HEIGHT = 480, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 48, 40
FONT_SIZE = 18
PHONE_WIDTH_PX = 340
# At most this many labels under the x axis; the others are skipped, not squeezed.
MAX_X_LABELS = 10
# The width of a character of the labels, in em, to keep labels apart.
CHAR_EM = 0.6


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | int | None]


def _number(value: float | int) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return number_format(int(value), force_grouping=True)
    return number_format(value, decimal_pos=1)


def _scale(largest: float) -> tuple[float, float]:
    """A round top for the y axis and the step of its gridlines (about four of them)."""
    if largest <= 0:
        return 4.0, 1.0
    raw = largest / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw:
            break
    step = max(step, 1.0)  # the charts count dossiers: no fractional gridlines
    return step * math.ceil(largest / step), step


class _Frame:
    """The plot area and its axes, shared by both kinds of chart."""

    def __init__(self, labels: Sequence[str], top: float, step: float, unit: str = ""):
        self.labels = list(labels)
        self.top, self.step, self.unit = top, step, unit
        self.plot_width = WIDTH - LEFT - RIGHT
        self.plot_height = HEIGHT - TOP - BOTTOM
        self.slot = self.plot_width / max(len(self.labels), 1)

    def y(self, value: float) -> float:
        return TOP + self.plot_height * (1 - value / self.top)

    def x_center(self, index: int) -> float:
        return LEFT + self.slot * (index + 0.5)

    def grid(self) -> SafeString:
        lines = []
        ticks = round(self.top / self.step)
        for tick in range(ticks + 1):
            value = self.step * tick
            y = self.y(value)
            lines.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                    '<text x="{}" y="{}" text-anchor="end" font-size="{}" fill="{}">{}{}</text>',
                    LEFT,
                    WIDTH - RIGHT,
                    f"{y:.1f}",
                    f"{y:.1f}",
                    GRID if tick else TEXT,
                    LEFT - 6,
                    f"{y + FONT_SIZE / 3:.1f}",
                    FONT_SIZE,
                    TEXT,
                    _number(value),
                    self.unit,
                )
            )
        return mark_safe("".join(lines))

    def x_labels(self) -> SafeString:
        longest = max((len(label) for label in self.labels), default=0)
        # Every shown label has its own width and a gap of half an em.
        every = max(
            1,
            math.ceil(len(self.labels) / MAX_X_LABELS),
            math.ceil((longest + 0.5 / CHAR_EM) * FONT_SIZE * CHAR_EM / self.slot),
        )
        return format_html_join(
            "",
            '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{}">{}</text>',
            (
                (f"{self.x_center(i):.1f}", HEIGHT - BOTTOM + FONT_SIZE + 8, FONT_SIZE, TEXT, label)
                for i, label in enumerate(self.labels)
                if i % every == 0
            ),
        )


def _legend(series: Sequence[Series]) -> SafeString:
    parts, x = [], LEFT
    for index, item in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            format_html(
                '<rect x="{}" y="12" width="16" height="16" fill="{}"/>'
                '<text x="{}" y="27" font-size="{}" fill="#1c1f23">{}</text>',
                x,
                colour,
                x + 22,
                FONT_SIZE,
                item.label,
            )
        )
        x += 22 + int(len(item.label) * FONT_SIZE * CHAR_EM) + 24
    return mark_safe("".join(parts))


def _svg(chart_id: str, title: str, description: str, body: SafeString, kind: str) -> SafeString:
    return format_html(
        '<svg class="chart chart-{kind}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg" '
        'focusable="false"><title id="{id}-title">{title}</title>'
        '<desc id="{id}-desc">{desc}</desc>{body}</svg>',
        kind=kind,
        id=chart_id,
        w=WIDTH,
        h=HEIGHT,
        title=title,
        desc=description,
        body=body,
    )


def _default_description(labels: Sequence[str], series: Sequence[Series], unit="") -> str:
    if not labels:
        return _("No figures for this period.")
    totals = "; ".join(
        _("%(series)s: highest %(highest)s")
        % {
            "series": item.label,
            "highest": _number(max((v for v in item.values if v is not None), default=0)) + unit,
        }
        for item in series
    )
    return _("From %(first)s to %(last)s. %(totals)s. The table below gives every figure.") % {
        "first": labels[0],
        "last": labels[-1],
        "totals": totals,
    }


def bar_chart(
    *,
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    description: str = "",
) -> SafeString:
    """Grouped bars: one group per label, one bar per series, every bar drawn (zero is flat)."""
    largest = max((v or 0 for item in series for v in item.values), default=0)
    top, step = _scale(largest)
    frame = _Frame(labels, top, step)
    group = frame.slot * 0.8
    bar_width = group / max(len(series), 1)
    bars = []
    for index, label in enumerate(frame.labels):
        left = LEFT + frame.slot * index + (frame.slot - group) / 2
        for number, item in enumerate(series):
            value = item.values[index] or 0
            y = frame.y(value)
            bars.append(
                format_html(
                    '<rect class="bar bar-{}" x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{} – {}: {}</title></rect>",
                    number,
                    f"{left + bar_width * number:.1f}",
                    f"{y:.1f}",
                    f"{max(bar_width - 1, 1):.1f}",
                    f"{TOP + frame.plot_height - y:.1f}",
                    PALETTE[number % len(PALETTE)],
                    label,
                    item.label,
                    _number(value),
                )
            )
    body = mark_safe(frame.grid() + _legend(series) + "".join(bars) + frame.x_labels())
    description = description or _default_description(labels, series)
    return _svg(chart_id, title, description, body, "bar")


def line_chart(
    *,
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    top: float = 100,
    unit: str = "%",
    description: str = "",
) -> SafeString:
    """Lines with a dot per known value; a missing value (None) breaks the line."""
    frame = _Frame(labels, top, top / 4, unit)
    parts = []
    for number, item in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        segments: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(item.values):
            if value is None:
                segments.append([])
                continue
            point = (frame.x_center(index), frame.y(min(value, top)))
            segments[-1].append(point)
            parts.append(
                format_html(
                    '<circle class="point point-{}" cx="{}" cy="{}" r="4" fill="{}">'
                    "<title>{} – {}: {}{}</title></circle>",
                    number,
                    f"{point[0]:.1f}",
                    f"{point[1]:.1f}",
                    colour,
                    frame.labels[index],
                    item.label,
                    _number(value),
                    unit,
                )
            )
        for segment in segments:
            if len(segment) > 1:
                parts.insert(
                    0,
                    format_html(
                        '<polyline points="{}" fill="none" stroke="{}" stroke-width="3"/>',
                        " ".join(f"{x:.1f},{y:.1f}" for x, y in segment),
                        colour,
                    ),
                )
    body = mark_safe(frame.grid() + _legend(series) + "".join(parts) + frame.x_labels())
    description = description or _default_description(labels, series, unit)
    return _svg(chart_id, title, description, body, "line")
