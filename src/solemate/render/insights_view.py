"""The Insights state as text for the terminal, JSON for programs, and SVG or PNG charts.

Renderers only read :class:`~solemate.insights.Insights`; every number comes from the pure core.
Diary figures and device estimates are printed in separate sections under their own headings.
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import date, timedelta
from typing import Any

from solemate.insights import METRICS, Insights
from solemate.insights.wording import count, sentence
from solemate.render.charts import (
    ACCENT,
    CHART_CSS,
    MUTED,
    PRINT_CSS,
    SECOND,
    WIDTH,
    Bar,
    Point,
    Series,
    bar_chart,
    time_chart,
)

__all__ = [
    "figure",
    "insights_charts",
    "insights_json",
    "insights_png",
    "insights_svg",
    "insights_text",
]

COLUMNS = ("sol", "waso", "tst", "se", "quality")


def figure(key: str, value: float | None) -> str:
    """One figure as the tables show it: TST as h:mm, SE and quality to a tenth, "–" for none."""
    if value is None:
        return "–"
    if key == "tst":
        hours, minutes = divmod(round(value), 60)
        return f"{hours}:{minutes:02d}"
    if key in ("se", "quality"):
        return f"{value:.1f}"
    return f"{value:.0f}"


def insights_text(state: Insights) -> str:
    """The terminal view: a weekly table, trends, stress, habit, timing, then devices apart."""
    lines = [
        f"Sleep diary, {count(len(state.weeks), 'week')} to {state.today:%a %d %b %Y} "
        f"({state.summary()})",
    ]
    left_out = state.left_out_words()
    if left_out:
        lines.append(left_out)
    lines += [
        "",
        f"{'week of':<10} {'nights':>6} {'SOL min':>8} {'WASO min':>9} {'TST h:mm':>9} "
        f"{'SE %':>6} {'quality':>8}",
    ]
    for week in state.weeks:
        cells = [figure(k, week.means[k]) for k in COLUMNS]
        lines.append(
            f"{week.start:%d %b}{'':<4} {week.nights:>6} {cells[0]:>8} {cells[1]:>9} "
            f"{cells[2]:>9} {cells[3]:>6} {cells[4]:>8}"
        )
    lines.append("")
    lines.append(
        "Trends (per week, 95 % interval; AR(1) model, so runs of similar nights count once):"
    )
    for key, found in state.trends.items():
        metric = METRICS[key]
        if found is None:
            lines.append(f"  {sentence(metric.label)}: not enough nights yet (10 needed)")
            continue
        lines.append(
            f"  {sentence(metric.label)}: {found.per_week:+.1f} {metric.unit}/week "
            f"({found.low:+.1f} to {found.high:+.1f}) — {found.words()}"
        )
    lines += ["", "Stress, before → after a session (0 not at all – 10 extremely):"]
    lines.append(f"  {state.stress.words()}")
    if state.stress.counts:
        spread = ", ".join(f"{change:+d}: {n}" for change, n in state.stress.counts.items())
        lines.append(f"  Changes (after − before: sessions): {spread}")
    lines += ["", "Habit:"]
    lines.append(
        f"  {state.habit.words()}"
        if state.habit
        else "  No session yet: the habit starts with one."
    )
    lines.append(
        "  (A smoothed share of evenings kept: a missed evening costs a little, never everything.)"
    )
    lines += ["", "From the end of the session to lights-out:", f"  {state.lights_out.words()}"]
    comparison = state.comparison
    lines += [
        "",
        f"Nights after a session ({comparison.with_session}) vs without "
        f"({comparison.without_session}):",
    ]
    for key in COLUMNS:
        a, b = comparison.means_with[key], comparison.means_without[key]
        lines.append(f"  {sentence(METRICS[key].label)}: {figure(key, a)} vs {figure(key, b)}")
    lines.append(f"  {comparison.caveat} Start one with 'solemate experiment start'.")
    lines += ["", "Device estimates (from imported wearables; kept apart from your diary):"]
    if not state.device_weeks:
        lines.append("  None imported in these weeks.")
    for device in state.device_weeks:
        lines.append(
            f"  {device.source}, week of {device.start:%d %b}: {count(device.nights, 'night')}, "
            f"TST {figure('tst', device.means['tst'])}, SOL {figure('sol', device.means['sol'])} min, "
            f"SE {figure('se', device.means['se'])} %"
        )
    return "\n".join(lines) + "\n"


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    return value


def insights_json(state: Insights) -> str:
    """Everything in the state as JSON; nightly details left out for brevity except the count."""
    data = _plain(state)
    data["nights"] = len(state.nights)
    data["massage_evenings"] = sorted(d.isoformat() for d in state.massage_evenings)
    if state.habit is not None:
        data["habit"]["daily"] = [round(v, 4) for v in state.habit.daily[-28:]]
    data["comparison"]["note"] = data["comparison"].pop("caveat")
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def insights_charts(state: Insights, width: int = WIDTH, css: str = CHART_CSS) -> dict[str, str]:
    """Each chart as its own SVG, by name: ``sol``, ``waso``, ``tst``, ``se``, ``quality``,
    ``stress``, and ``habit`` and ``devices`` when there is a habit or a device estimate.

    ``width`` is the drawing's own width; a narrower drawing keeps its text legible when a phone
    scales it down to the screen. ``css`` colours them (:data:`~solemate.render.charts.CHART_CSS`
    follows the page, :data:`~solemate.render.charts.PRINT_CSS` is for files). Nights after an
    evening with a massage are filled dots in the accent colour, the others open rings.
    """
    first = state.weeks[0].start
    last = state.weeks[-1].start + timedelta(days=6)
    nightly = state.nights
    panels: dict[str, str] = {}

    def weekly(key: str) -> tuple[Point, ...]:
        return tuple(
            Point(w.start + timedelta(days=3), v)
            for w in state.weeks
            if (v := w.means[key]) is not None
        )

    def nights_of(key: str, massage: bool) -> tuple[Point, ...]:
        return tuple(
            Point(n.wake_date, n.value(key))
            for n in nightly
            if (n.evening in state.massage_evenings) == massage
        )

    # Minutes start at zero (honest for durations); hours asleep and efficiency are scaled to
    # the data, where a zero-based axis would press every night into a sliver at the top.
    low_minutes: float | None = 0.0
    ranges: tuple[tuple[str, str, float | None, float | None, tuple[float, str] | None], ...] = (
        ("sol", "minutes", low_minutes, None, (30.0, "30 min: a common threshold")),
        ("waso", "minutes", low_minutes, None, (30.0, "30 min: a common threshold")),
        ("tst", "hours", None, None, None),
        ("se", "% of time in bed asleep", None, None, (85.0, "85 %: a common threshold")),
        ("quality", "score (1–5)", 1.0, 5.0, None),
    )
    for key, unit, low, high, reference in ranges:
        scale = 60.0 if key == "tst" else 1.0
        metric = METRICS[key]
        panels[key] = time_chart(
            metric.label[0].upper() + metric.label[1:],
            unit,
            [
                Series(
                    "weekly mean",
                    tuple(Point(p.day, p.value / scale) for p in weekly(key)),
                    color=MUTED,
                    joined=True,
                    markers=False,
                ),
                Series(
                    "no massage",
                    tuple(Point(p.day, p.value / scale) for p in nights_of(key, False)),
                    color=MUTED,
                    shape="ring",
                ),
                Series(
                    "after massage",
                    tuple(Point(p.day, p.value / scale) for p in nights_of(key, True)),
                    color=ACCENT,
                ),
            ],
            first=first,
            last=last,
            y_low=low,
            y_high=high,
            reference=reference,
            description=(
                f"{sentence(metric.label)} from the sleep diary, each night and the weekly mean; "
                "nights after a massage are filled dots"
            ),
            width=width,
            css=css,
        )
    bars = [Bar(f"{c:+d}", state.stress.counts.get(c, 0)) for c in range(-10, 11)]
    panels["stress"] = bar_chart(
        "Stress change per session (after − before)",
        "change on the 0–10 scale (negative: calmer afterwards)",
        "sessions",
        bars,
        description=state.stress.words(),
        width=width,
        color=ACCENT,
        css=css,
    )
    if state.habit is not None:
        start = max(state.habit.start, first)
        offset = (start - state.habit.start).days
        points = tuple(
            Point(start + timedelta(days=k), v * 100)
            for k, v in enumerate(state.habit.daily[offset:])
        )
        panels["habit"] = time_chart(
            "Habit strength",
            "%",
            [Series("habit strength", points, color=ACCENT, joined=True, markers=False)],
            first=first,
            last=last,
            y_low=0,
            y_high=100,
            description=state.habit.words(),
            width=width,
            css=css,
        )
    by_source: dict[str, list[Point]] = {}
    for week in state.device_weeks:
        if week.means["tst"] is not None:
            by_source.setdefault(week.source, []).append(
                Point(week.start + timedelta(days=3), week.means["tst"] / 60)
            )
    if by_source:
        panels["devices"] = time_chart(
            "Device estimate: total sleep time (not your diary)",
            "hours",
            [
                Series(
                    f"{source} (weekly mean)",
                    tuple(points),
                    color=SECOND,
                    shape="square",
                    joined=True,
                )
                for source, points in sorted(by_source.items())
            ],
            first=first,
            last=last,
            y_low=None,
            description="Weekly means of a wearable's estimate, shown apart from the diary",
            width=width,
            css=css,
        )
    return panels


def insights_svg(state: Insights) -> str:
    """All the charts stacked in one SVG file."""
    panels = list(insights_charts(state, css=PRINT_CSS).values())
    y = 0
    parts = []
    for panel in panels:
        height = int(panel.split('height="', 1)[1].split('"', 1)[0])
        parts.append(panel.replace("<svg ", f'<svg x="0" y="{y}" ', 1))
        y += height + 10
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 680 {y}" width="680" '
        f'height="{y}"><rect width="680" height="{y}" fill="#ffffff"/>'
        + "".join(parts)
        + "</svg>\n"
    )


def insights_png(state: Insights) -> bytes:
    """The same charts as a PNG at twice the size (sharp on phones and in documents)."""
    import resvg_py

    return bytes(resvg_py.svg_to_bytes(svg_string=insights_svg(state), zoom=2))
