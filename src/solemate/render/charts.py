"""Small SVG charts drawn for people: readable at a glance, with units and honest axes.

Hand-written SVG keeps solemate free of a plotting library, lets the HTML report embed its charts
inline (one self-contained file), and gives byte-identical output for the same data, which the
golden tests rely on. Honest axes: quantities that start at zero (minutes, counts) are drawn from
zero; bounded scores use their whole scale (quality 1–5, habit 0–100 %); every axis is labelled
with its unit; otherwise an axis is scaled to the data (7–8 hours of sleep are not drawn as a
sliver at the top of a 0–8 axis). Massage and control differ in shape as well as colour (circle
and square), so the charts survive colour blindness and a black-and-white printer.

Colours follow the page. Every element carries a class, not a colour, and each chart holds one
fixed ``<style>`` (:data:`CHART_CSS`, allowed by its hash under a strict Content-Security-Policy)
that colours the classes with the page's custom properties ``--chart-bg``, ``--chart-fg``,
``--chart-grid``, ``--chart-accent``, ``--chart-second`` and ``--chart-muted``, falling back to the
app's dark theme where a page defines none. Charts written to a file (``--plot``) use
:data:`PRINT_CSS` instead: fixed dark-on-white colours, since a file has no page around it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

__all__ = [
    "ACCENT",
    "BLUE",
    "CHART_CSS",
    "GREY",
    "MUTED",
    "ORANGE",
    "PRINT_CSS",
    "SECOND",
    "SVG_STYLE",
    "Bar",
    "Point",
    "Series",
    "bar_chart",
    "interval_chart",
    "nice_ticks",
    "time_chart",
]

#: The colours a series can take: names of classes coloured by the chart's style sheet.
ACCENT = "accent"
SECOND = "second"
MUTED = "muted"
#: The former fixed colours, kept as names for callers: blue is the accent, orange the second.
BLUE = ACCENT
ORANGE = SECOND
GREY = MUTED
_TONES = (ACCENT, SECOND, MUTED)


def _css(bg: str, fg: str, grid: str, accent: str, second: str, muted: str) -> str:
    return (
        f".ch-bg{{fill:{bg}}}.ch-t{{fill:{fg}}}.ch-grid{{stroke:{grid}}}"
        f".ch-axis{{stroke:{fg};stroke-opacity:.55}}"
        f".ch-accent{{fill:{accent};stroke:{accent}}}.ch-second{{fill:{second};stroke:{second}}}"
        f".ch-muted{{fill:{muted};stroke:{muted}}}.ch-halo{{stroke:{bg}}}"
        ".ch-line{fill:none}.ch-ring{fill:none;stroke-width:1.8px}"
    )


#: The style every chart on a page carries: the page's colours, the dark theme's as fallback.
CHART_CSS = _css(
    "var(--chart-bg,#121110)",
    "var(--chart-fg,#e6dfd3)",
    "var(--chart-grid,#3a3632)",
    "var(--chart-accent,#f0a040)",
    "var(--chart-second,#7fb8e0)",
    "var(--chart-muted,#a39a8c)",
)
#: The style of charts written to a file: dark on white, the Okabe–Ito blue and orange.
PRINT_CSS = _css("#ffffff", "#222222", "#e3e3e3", "#0072B2", "#D55E00", "#666666")


def _tone(color: str) -> str:
    if color not in _TONES:
        raise ValueError(f"unknown chart colour {color!r}: use one of {', '.join(_TONES)}")
    return f"ch-{color}"


FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"

#: The one inline style every chart carries; a page with a strict Content-Security-Policy allows
#: exactly this attribute by its hash instead of allowing inline styles in general.
SVG_STYLE = f"{FONT};max-width:100%;height:auto"

WIDTH, HEIGHT = 680, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 40, 52


@dataclass(frozen=True)
class Point:
    """One value on one day of a line chart."""

    day: date
    value: float


@dataclass(frozen=True)
class Series:
    """Points drawn with one colour and shape; ``joined`` draws a line through them."""

    label: str
    points: tuple[Point, ...]
    color: str = BLUE
    shape: str = "circle"
    joined: bool = False
    markers: bool = True


@dataclass(frozen=True)
class Bar:
    """One labelled bar of a bar chart."""

    label: str
    value: float


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2 or 5 times a power of ten.

    >>> nice_ticks(0, 47)
    [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
    >>> nice_ticks(80, 97.5)
    [80.0, 85.0, 90.0, 95.0, 100.0]
    """
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return [float(t) for t in ticks]


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _label(value: float) -> str:
    return f"{value:g}"


def _svg(title: str, body: list[str], width: int, height: int, description: str, css: str) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" style="{SVG_STYLE}">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        f"<style>{css}</style>"
        f'<rect class="ch-bg" width="{width}" height="{height}"/>'
        f"{_title(title, width)}"
    )
    return head + "".join(body) + "</svg>"


def _title(title: str, width: int) -> str:
    """The title above the plot; one too long for a narrow chart starts further left and, if it
    must, shrinks (to no less than 12 px) rather than being cut off at the edge."""
    x, size = LEFT, 15
    needed = len(title) * 0.55  # average glyph width of a sans-serif, per pixel of font size
    if x + needed * size > width - RIGHT:
        x = 12
        size = max(12, min(15, math.floor((width - RIGHT - x) / needed)))
    return (
        f'<text class="ch-t" x="{x}" y="22" font-size="{size}" font-weight="600">'
        f"{escape(title)}</text>"
    )


def _marker(shape: str, x: float, y: float, color: str, size: float = 4.5) -> str:
    tone = _tone(color)
    if shape == "square":
        s = size * 0.9
        return (
            f'<rect class="{tone}" x="{_fmt(x - s)}" y="{_fmt(y - s)}" width="{_fmt(2 * s)}" '
            f'height="{_fmt(2 * s)}"/>'
        )
    if shape == "ring":
        return f'<circle class="{tone} ch-ring" cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(size)}"/>'
    return f'<circle class="{tone}" cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(size)}"/>'


def _y_axis(
    ticks: Sequence[float], scale: object, width: int, height: int, unit: str, suffix: str = ""
) -> list[str]:
    assert callable(scale)
    out = []
    for tick in ticks:
        y = scale(tick)
        out.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{_fmt(y)}" y2="{_fmt(y)}" '
            f'class="ch-grid" stroke-width="1"/>'
            f'<text x="{LEFT - 8}" y="{_fmt(y + 4)}" font-size="12" text-anchor="end" '
            f'class="ch-t">{_label(tick)}{suffix}</text>'
        )
    mid = (TOP + height - BOTTOM) / 2
    out.append(
        f'<text x="16" y="{_fmt(mid)}" font-size="12" class="ch-t" text-anchor="middle" '
        f'transform="rotate(-90 16 {_fmt(mid)})">{escape(unit)}</text>'
    )
    return out


def time_chart(
    title: str,
    unit: str,
    series: Sequence[Series],
    *,
    first: date,
    last: date,
    y_low: float | None,
    y_high: float | None = None,
    reference: tuple[float, str] | None = None,
    gaps: Sequence[date] = (),
    description: str = "",
    width: int = WIDTH,
    height: int = HEIGHT,
    css: str = CHART_CSS,
) -> str:
    """Values over dates. ``y_low`` is where the axis starts (0 for minutes: honest), or None
    to fit the axis to the data (with a margin, on round ticks);
    ``reference`` draws a dashed line (a threshold, say); ``gaps`` marks days without data with a
    small grey tick under the axis, so missing nights are visible rather than silently skipped.

    >>> svg = time_chart("SOL", "minutes", [Series("diary", (Point(date(2024, 3, 1), 12),))],
    ...                  first=date(2024, 3, 1), last=date(2024, 3, 7), y_low=0)
    >>> svg.startswith("<svg") and "minutes" in svg and svg.count("<circle")  # point + legend
    2
    """
    values = [p.value for s in series for p in s.points]
    if y_low is None:
        low, high = (min(values), max(values)) if values else (0.0, 1.0)
        margin = max((high - low) * 0.1, abs(high) * 0.02, 0.5)
        bottom = low - margin
        if reference is not None and reference[0] < low:
            bottom = min(bottom, reference[0] - margin)
        y_low = bottom
    top = max([*values, y_low + 1]) if y_high is None else y_high
    if reference is not None and y_high is None:
        top = max(top, reference[0])
    ticks = nice_ticks(y_low, top)
    lo, hi = ticks[0], ticks[-1]
    plot_w = width - LEFT - RIGHT
    plot_h = height - TOP - BOTTOM
    span = max((last - first).days, 1)

    def sx(day: date) -> float:
        return LEFT + (day - first).days / span * plot_w

    def sy(value: float) -> float:
        return TOP + (hi - value) / (hi - lo) * plot_h

    body = _y_axis(ticks, sy, width, height, unit)
    body.append(
        f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{_fmt(sy(lo))}" y2="{_fmt(sy(lo))}" '
        f'class="ch-axis"/>'
    )
    step = max(1, math.ceil(span / 6))
    day_ticks = [first.fromordinal(first.toordinal() + k) for k in range(0, span + 1, step)]
    for day in day_ticks:
        body.append(
            f'<text x="{_fmt(sx(day))}" y="{_fmt(sy(lo) + 18)}" font-size="12" '
            f'text-anchor="middle" class="ch-t">{day.day} {day:%b}</text>'
        )
    for day in gaps:
        x = sx(day)
        body.append(
            f'<line x1="{_fmt(x)}" x2="{_fmt(x)}" y1="{_fmt(sy(lo) + 3)}" '
            f'y2="{_fmt(sy(lo) + 8)}" class="ch-muted" stroke-width="2"/>'
        )
    if reference is not None:
        y = sy(reference[0])
        body.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{_fmt(y)}" y2="{_fmt(y)}" '
            f'class="ch-muted" stroke-dasharray="5 4"/>'
            f'<text x="{width - RIGHT - 4}" y="{_fmt(y - 5)}" font-size="11" text-anchor="end" '
            f'class="ch-muted ch-halo" stroke-width="3" paint-order="stroke">'
            f"{escape(reference[1])}</text>"
        )
    for s in series:
        if s.joined and len(s.points) > 1:
            path = " ".join(f"{_fmt(sx(p.day))},{_fmt(sy(p.value))}" for p in s.points)
            body.append(
                f'<polyline points="{path}" class="{_tone(s.color)} ch-line" stroke-width="2"/>'
            )
        if s.markers:
            body.extend(_marker(s.shape, sx(p.day), sy(p.value), s.color) for p in s.points)
    body.extend(_legend(series, width, height, gaps_shown=bool(gaps)))
    return _svg(title, body, width, height, description or title, css)


def _legend(series: Sequence[Series], width: int, height: int, gaps_shown: bool) -> list[str]:
    out = []
    x = LEFT
    y = height - 12
    for s in series:
        if s.markers:
            out.append(_marker(s.shape, x + 5, y - 4, s.color, 4.5))
        else:
            out.append(
                f'<line class="{_tone(s.color)}" x1="{x - 2}" x2="{x + 12}" y1="{y - 4}" '
                f'y2="{y - 4}" stroke-width="2"/>'
            )
        out.append(
            f'<text x="{x + 14}" y="{y}" font-size="12" class="ch-t">{escape(s.label)}</text>'
        )
        x += 24 + 7 * len(s.label)
    if gaps_shown:
        out.append(
            f'<line x1="{x + 5}" x2="{x + 5}" y1="{y - 9}" y2="{y - 2}" class="ch-muted" '
            f'stroke-width="2"/><text x="{x + 14}" y="{y}" font-size="12" class="ch-t">'
            "no diary</text>"
        )
    return out


def bar_chart(
    title: str,
    x_label: str,
    y_label: str,
    bars: Sequence[Bar],
    *,
    color: str = BLUE,
    description: str = "",
    width: int = WIDTH,
    height: int = HEIGHT,
    css: str = CHART_CSS,
) -> str:
    """Counts as bars from zero, each labelled underneath.

    >>> svg = bar_chart("Change", "points", "sessions", [Bar("-2", 3), Bar("0", 1)])
    >>> svg.count("<rect") - 1  # minus the background
    2
    """
    top = max([b.value for b in bars] + [1])
    ticks = nice_ticks(0, top, count=4)
    hi = ticks[-1]
    plot_w = width - LEFT - RIGHT
    plot_h = height - TOP - BOTTOM

    def sy(value: float) -> float:
        return TOP + (hi - value) / hi * plot_h

    body = _y_axis(ticks, sy, width, height, y_label)
    slot = plot_w / max(len(bars), 1)
    # Labels need about 24 px each: on a narrow chart every other bar keeps its label.
    every = 1 if slot >= 24 else 2
    for index, bar in enumerate(bars):
        x = LEFT + index * slot
        y = sy(bar.value)
        body.append(
            f'<rect x="{_fmt(x + slot * 0.15)}" y="{_fmt(y)}" width="{_fmt(slot * 0.7)}" '
            f'height="{_fmt(sy(0) - y)}" class="{_tone(color)}"/>'
        )
        if index % every == 0:
            body.append(
                f'<text x="{_fmt(x + slot / 2)}" y="{_fmt(sy(0) + 16)}" font-size="11" '
                f'text-anchor="middle" class="ch-t">{escape(bar.label)}</text>'
            )
    body.append(
        f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{_fmt(sy(0))}" y2="{_fmt(sy(0))}" '
        f'class="ch-axis"/><text x="{_fmt(LEFT + plot_w / 2)}" y="{height - 10}" font-size="12" '
        f'text-anchor="middle" class="ch-t">{escape(x_label)}</text>'
    )
    return _svg(title, body, width, height, description or title, css)


def interval_chart(
    title: str,
    unit: str,
    estimate: float,
    low: float,
    high: float,
    minimum: float,
    lower_is_better: bool,
    *,
    description: str = "",
    width: int = WIDTH,
    height: int = 190,
    css: str = CHART_CSS,
) -> str:
    """The effect (massage − control) and its 95 % interval on a line through zero, with the
    smallest worthwhile benefit marked, and which side is better written on the axis.

    >>> svg = interval_chart("Effect", "min", -9.5, -12.6, -6.2, 10, True)
    >>> "better with massage" in svg and "no difference" in svg
    True
    """
    worthwhile = -minimum if lower_is_better else minimum
    edge = max(abs(low), abs(high), abs(worthwhile), 1.0) * 1.15
    ticks = nice_ticks(-edge, edge, count=6)
    lo, hi = ticks[0], ticks[-1]
    plot_w = width - 2 * LEFT

    def sx(value: float) -> float:
        return LEFT + (value - lo) / (hi - lo) * plot_w

    axis_y = height - 72
    body = [f'<line x1="{LEFT}" x2="{width - LEFT}" y1="{axis_y}" y2="{axis_y}" class="ch-axis"/>']
    for tick in ticks:
        body.append(
            f'<line x1="{_fmt(sx(tick))}" x2="{_fmt(sx(tick))}" y1="{axis_y}" '
            f'y2="{axis_y + 5}" class="ch-axis"/><text x="{_fmt(sx(tick))}" y="{axis_y + 19}" '
            f'font-size="12" text-anchor="middle" class="ch-t">{_label(tick)}</text>'
        )
    body.append(
        f'<line x1="{_fmt(sx(0))}" x2="{_fmt(sx(0))}" y1="{TOP}" y2="{axis_y}" class="ch-axis"/>'
        f'<text x="{_fmt(sx(0))}" y="{TOP - 4}" font-size="11" text-anchor="middle" '
        f'class="ch-t">no difference</text>'
        f'<line x1="{_fmt(sx(worthwhile))}" x2="{_fmt(sx(worthwhile))}" y1="{TOP + 8}" '
        f'y2="{axis_y}" class="ch-muted" stroke-dasharray="5 4"/>'
        f'<text x="{_fmt(sx(worthwhile))}" y="{TOP + 6}" font-size="11" text-anchor="middle" '
        f'class="ch-muted">your minimum</text>'
    )
    y = (TOP + axis_y) / 2 + 6
    body.append(
        f'<line x1="{_fmt(sx(low))}" x2="{_fmt(sx(high))}" y1="{_fmt(y)}" y2="{_fmt(y)}" '
        f'class="ch-accent" stroke-width="4"/>'
        f'<line x1="{_fmt(sx(low))}" x2="{_fmt(sx(low))}" y1="{_fmt(y - 8)}" y2="{_fmt(y + 8)}" '
        f'class="ch-accent" stroke-width="2"/>'
        f'<line x1="{_fmt(sx(high))}" x2="{_fmt(sx(high))}" y1="{_fmt(y - 8)}" '
        f'y2="{_fmt(y + 8)}" class="ch-accent" stroke-width="2"/>'
        + _marker("circle", sx(estimate), y, BLUE, 7)
    )
    better_left = lower_is_better
    left_text = "better with massage" if better_left else "worse with massage"
    right_text = "worse with massage" if better_left else "better with massage"
    body.append(
        f'<text x="{_fmt(width / 2)}" y="{axis_y + 36}" font-size="12" text-anchor="middle" '
        f'class="ch-t">massage − control, {escape(unit)}</text>'
        f'<text x="{LEFT}" y="{height - 6}" font-size="12" class="ch-t">← {left_text}</text>'
        f'<text x="{width - LEFT}" y="{height - 6}" font-size="12" text-anchor="end" '
        f'class="ch-t">{right_text} →</text>'
    )
    return _svg(title, body, width, height, description or title, css)
