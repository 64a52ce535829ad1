"""The full-screen terminal view: big, dark and readable from a metre away.

Drawing is a pure function of a :class:`View` (``render_view``), so it can be tested without a
terminal; :class:`Screen` only puts it on the terminal, at most a few times a second.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.align import Align
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from solemate.live.player import ChimeKind, View
from solemate.render.schedule import clock
from solemate.timeline import Cue, Segment
from solemate.wording_service import BRIEF_NOTICE

# A five-row block font for the countdown: big enough to read across a dim room.
_FONT = {
    "0": ["████", "█  █", "█  █", "█  █", "████"],
    "1": ["  █ ", " ██ ", "  █ ", "  █ ", " ███"],
    "2": ["████", "   █", "████", "█   ", "████"],
    "3": ["████", "   █", " ███", "   █", "████"],
    "4": ["█  █", "█  █", "████", "   █", "   █"],
    "5": ["████", "█   ", "████", "   █", "████"],
    "6": ["████", "█   ", "████", "█  █", "████"],
    "7": ["████", "   █", "  █ ", " █  ", " █  "],
    "8": ["████", "█  █", "████", "█  █", "████"],
    "9": ["████", "█  █", "████", "   █", "████"],
    ":": ["    ", " ██ ", "    ", " ██ ", "    "],
}

# The sole of a foot, toes at the top, each line tagged with the zone it shows.
_FOOT: Sequence[tuple[str, str]] = (
    ("top", "   top of the foot ↑  "),
    ("toes", "  ( o o o o o )  toes"),
    ("ball", "  (  · · · · ·)  ball"),
    ("solar-plexus", "  (   ◉       )  solar plexus"),
    ("arch", "   (  ~~~~~  )   arch"),
    ("arch", "   (  ~~~~~  )   "),
    ("heel", "    (  ___  )    heel"),
    ("insomnia-point", "     ( ◉   )     insomnia point"),
    ("ankle", "      |   |      ankle"),
    ("calf", "      |   |      calf"),
)

KEYS_HELP = "space pause · → next · ← repeat · + / − 30 s · q end"
OFFER_FULL = f"{BRIEF_NOTICE} Press F for full explanations."


def big(text: str) -> Text:
    rows = [" ".join(_FONT[ch][row] for ch in text if ch in _FONT) for row in range(5)]
    return Text("\n".join(rows), style="bold")


def foot_map(zones: Sequence[str]) -> Text:
    out = Text()
    for zone, line in _FOOT:
        lit = zone in zones
        out.append(line + "\n", style="bold reverse" if lit else "dim")
    return out


def _progress(done: float, total: float, width: int = 40) -> ProgressBar:
    return ProgressBar(total=max(total, 1.0), completed=min(done, total), width=width)


def _heading(segment: Segment) -> str:
    if segment.kind == "action":
        foot = f"{(segment.foot or '').upper()} FOOT"
        return f"{foot} · STEP {segment.step} OF 7"
    return segment.title.upper()


def _next_words(segment: Segment | None) -> str:
    if segment is None:
        return "Next: the end"
    if segment.kind == "action":
        return f"Next: {segment.action_name} ({segment.foot} foot, step {segment.step})"
    return f"Next: {segment.title}"


SHOWN_KINDS = frozenset({"count", "tick", "countdown", "release", "breathe", "checkin"})
"""Cues whose words stay on screen under the instruction (a ticked count shows what it counts)."""


def _current_words(view: View) -> str:
    cue: Cue | None = view.last_cue
    if cue is not None and cue.kind in SHOWN_KINDS:
        return cue.text
    return ""


COMPACT_BELOW = 32  # terminal rows; a classic 80×24 terminal gets the compact layout


def render_view(view: View, height: int = 40) -> RenderableType:
    """The whole screen for one moment; below ``COMPACT_BELOW`` rows the foot drawing and spacing go."""
    compact = height < COMPACT_BELOW
    gap: list[RenderableType] = [] if compact else [Text("")]
    segment = view.segment
    title = segment.step_title if segment.kind == "action" else segment.title
    remaining = int(-(-view.remaining_in_segment // 1))  # whole seconds, rounded up

    top = Table.grid(expand=True)
    top.add_column(justify="left")
    top.add_column(justify="right")
    top.add_row(
        Text(_heading(segment), style="bold cyan"),
        Text(f"{clock(int(view.position))} / {clock(view.timeline.total)}", style="cyan"),
    )

    words = Group(
        Text(title or "", style="bold white"),
        Text(segment.action_name or "", style="bold yellow"),
        *gap,
        Text(segment.instruction, style="white"),
        *gap,
        Text(_current_words(view), style="bold green"),
    )
    tradition = (
        Text(f"Tradition, not medical fact: {segment.tradition}", style="dim italic")
        if segment.tradition
        else Text("")
    )
    if compact:
        zones = ", ".join(segment.zones)
        body: RenderableType = Group(
            words, Text(f"Zone: {zones}" if zones else "", style="dim"), tradition
        )
    else:
        grid = Table.grid(expand=True, padding=(0, 4))
        grid.add_column(ratio=3)
        grid.add_column(ratio=2)
        side: list[RenderableType] = [foot_map(segment.zones)] if segment.zones else []
        grid.add_row(words, Group(*side, tradition))
        body = grid

    step_done = view.position - segment.start
    bars = Table.grid(padding=(0, 2))
    bars.add_row(Text("this part", style="dim"), _progress(step_done, segment.duration))
    bars.add_row(Text("session  ", style="dim"), _progress(view.position, view.timeline.total))

    if view.paused:
        status = Text("PAUSED — press space to go on", style="bold black on yellow")
    elif view.offer_full:
        status = Text(OFFER_FULL, style="yellow")
    else:
        status = Text("")
    parts: list[RenderableType] = [
        top,
        *gap,
        body,
        *gap,
        Align.center(big(clock(remaining))),
        *gap,
        Align.center(bars),
        *gap,
        Text(_next_words(view.next_segment), style="dim"),
        status,
        Text(KEYS_HELP, style="dim"),
    ]
    return Panel(Group(*parts), style="on black", border_style="grey23", title="solemate")


class Screen:
    """A player sink that draws the session full screen with Rich, a few times a second at most."""

    def __init__(self, console: Console | None = None, max_fps: float = 8.0) -> None:
        self.console = console or Console()
        self._live = Live(console=self.console, screen=True, auto_refresh=False, transient=True)
        self._interval = 1.0 / max_fps
        self._last = 0.0
        self._started = False
        self._notices: list[str] = []

    def __enter__(self) -> Screen:
        self._live.start()
        self._started = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.stop()
        self._started = False
        for notice in self._notices:
            self.console.print(notice)

    def cue(self, cue: Cue, segment: Segment) -> None:
        self._last = 0.0  # a new cue is worth a redraw at once

    def tick(self, cue: Cue, segment: Segment) -> None:
        self._last = 0.0

    def chime(self, kind: ChimeKind) -> None:
        pass

    def prepare(self, cues: Sequence[Cue]) -> None:
        pass

    def notice(self, text: str) -> None:
        self._notices.append(text)

    def cut(self) -> None:
        pass

    def close(self) -> None:
        pass

    def show(self, view: View) -> None:
        now = time.monotonic()
        if not self._started or (now - self._last < self._interval and not view.paused):
            return
        self._last = now
        self._live.update(render_view(view, self.console.size.height), refresh=True)
