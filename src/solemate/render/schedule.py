"""The plan as a readable schedule: plain text for the terminal, Markdown for notes, JSON for programs."""

from __future__ import annotations

import textwrap

from solemate.render import Renderer, register
from solemate.timeline import Segment, Timeline

WIDTH = 88
INDENT = " " * 16


def clock(seconds: int) -> str:
    """``754`` → ``12:34``; hours when needed."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def length(seconds: int) -> str:
    """``44`` → ``44 s``, ``150`` → ``2 min 30 s``."""
    m, s = divmod(seconds, 60)
    if not m:
        return f"{s} s"
    return f"{m} min {s} s" if s else f"{m} min"


def usual_range(segment: Segment) -> str:
    """How the guide words the usual length, e.g. ``guide: 2–3 min``; empty when it is solemate's."""
    usual = segment.usual
    if usual is None or usual.origin != "guide":
        return ""
    unit = "each" if segment.repetitions else ""
    if usual.low % 60 == 0 and usual.high % 60 == 0 and not unit:
        low, high = usual.low // 60, usual.high // 60
        span = f"{low} min" if low == high else f"{low}–{high} min"
    else:
        span = f"{usual.low} s" if usual.low == usual.high else f"{usual.low}–{usual.high} s"
    return f"guide: {span}{' ' + unit if unit else ''}"


def counts(segment: Segment) -> str:
    """``5 clockwise + 5 counterclockwise, 3 s each`` or ``5 × 4 s``."""
    if not segment.repetitions:
        return ""
    if all(count == 1 for count, _ in segment.counts):
        return f"{segment.repetitions} × {segment.seconds_each} s"
    sets = " + ".join(f"{count} {label}" for count, label in segment.counts)
    return f"{sets}, {segment.seconds_each} s each"


def _voice_words(timeline: Timeline) -> str:
    return "self-massage" if timeline.voice == "self" else "massaging a partner"


def _feet_words(timeline: Timeline) -> str:
    if len(timeline.feet) == 1:
        return f"{timeline.feet[0]} foot only"
    return f"both feet, {timeline.feet[0]} first"


def heading(timeline: Timeline) -> list[str]:
    return [
        timeline.title,
        f"{length(timeline.total)} · {_feet_words(timeline)} · {_voice_words(timeline)} · "
        f"routine {timeline.routine_id} {timeline.routine_version}",
    ]


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=INDENT, subsequent_indent=INDENT)


def render_text(timeline: Timeline) -> str:
    lines = [*heading(timeline), ""]
    lines += [f"Note: {note}" for note in timeline.notes]
    if timeline.notes:
        lines.append("")
    current_foot = None
    current_step = None
    told: set[str] = set()
    for segment in timeline.segments:
        if segment.foot != current_foot and segment.kind == "action":
            current_foot = segment.foot
            lines += ["", f"{(segment.foot or '').upper()} FOOT"]
        if segment.kind == "action":
            if (segment.foot, segment.step) != current_step:
                current_step = (segment.foot, segment.step)
                lines.append(
                    f"  {clock(segment.start):>7}   Step {segment.step} · {segment.step_title}"
                )
            detail = " · ".join(
                part
                for part in (counts(segment), length(segment.duration), usual_range(segment))
                if part
            )
            lines.append(f"  {clock(segment.start):>7}     {segment.action_name} ({detail})")
            lines += _wrap(segment.instruction)
            if segment.tradition and segment.tradition not in told:
                told.add(segment.tradition)
                lines += _wrap(f"Tradition, not medical fact: {segment.tradition}.")
        else:
            if segment.kind == "closing":
                lines.append("")
            lines.append(
                f"  {clock(segment.start):>7}   {segment.title} ({length(segment.duration)})"
            )
            if segment.kind != "opening":
                lines += _wrap(segment.instruction)
    lines += ["", f"  {clock(timeline.total):>7}   End", ""]
    lines += textwrap.wrap(
        "Traditional reflexology charts link areas of the foot to other parts of the body; there is no "
        "scientific evidence for these links. Foot massage can help you relax, and small trials suggest "
        "better sleep and less anxiety, though most are of low quality.",
        WIDTH,
    )
    return "\n".join(lines) + "\n"


def render_markdown(timeline: Timeline) -> str:
    title, subtitle = heading(timeline)
    lines = [f"# {title}", "", f"_{subtitle}_", ""]
    lines += [f"> **Note:** {note}" for note in timeline.notes]
    if timeline.notes:
        lines.append("")
    lines += ["| start | foot | step | what | length | instruction |", "|---|---|---|---|---|---|"]
    for segment in timeline.segments:
        what = segment.action_name or segment.title
        detail = " · ".join(
            part
            for part in (counts(segment), length(segment.duration), usual_range(segment))
            if part
        )
        instruction = segment.instruction.replace("|", "\\|")
        if segment.tradition:
            instruction += f" _Tradition, not medical fact: {segment.tradition}._"
        step = f"{segment.step}. {segment.step_title}" if segment.step else ""
        lines.append(
            f"| {clock(segment.start)} | {segment.foot or ''} | {step} | {what} | {detail} | {instruction} |"
        )
    lines += [
        "",
        f"Total: **{length(timeline.total)}**.",
        "",
        "_Traditional reflexology charts link areas of the foot to other parts of the body; there is no "
        "scientific evidence for these links. Foot massage can help you relax, and small trials suggest "
        "better sleep and less anxiety, though most are of low quality._",
    ]
    return "\n".join(lines) + "\n"


def render_json(timeline: Timeline) -> str:
    return timeline.to_json() + "\n"


TEXT = register(Renderer("text", "text/plain", render_text, "a readable schedule"))
MARKDOWN = register(Renderer("markdown", "text/markdown", render_markdown, "a Markdown table"))
JSON = register(Renderer("json", "application/json", render_json, "the Timeline JSON (format 1)"))
