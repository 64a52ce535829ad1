"""The printable guide: one A4 or Letter page with the foot map and the plan with its times.

For people who would rather keep paper on the nightstand than a phone. Both feet get the same
actions in the same order, so the page lists each action once with a start time per foot and its
short instruction, worded for either foot: half the rows of a plain schedule, which is what lets a
whole session fit on one sheet. The page is a single
self-contained HTML document (its stylesheet inline, no script, nothing fetched), so it prints the
same from the web app, from a saved file or from ``render("print", timeline)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

from solemate.render import Renderer, register
from solemate.render.footmap import ZONE_IDS, ZONE_NAMES, foot_map_svg
from solemate.render.schedule import clock, counts, heading, length, usual_range
from solemate.timeline import Segment, Timeline

EVIDENCE = (
    "Traditional reflexology charts link areas of the foot to other parts of the body; there is "
    "no scientific evidence for these links. Foot massage can help you relax, and small trials "
    "suggest better sleep and less anxiety, though most are of low quality."
)
ALWAYS = "Stop at once if anything hurts, goes numb or tingles."

#: The sheet's stylesheet, every rule inside ``.sheet``: dark on white unless the page around it sets
#: the ``--sheet-*`` colours (the web app does, on screen only, to follow its theme; paper always
#: gets the fallbacks).
SHEET_CSS = """
.sheet { max-width: 190mm; margin: 0 auto; font: 8.5pt/1.2 "DejaVu Sans", "Helvetica Neue", Arial,
  sans-serif; color: var(--sheet-ink, #000); background: var(--sheet-paper, #fff); }
.sheet h1, .sheet h2 { font-size: 13pt; line-height: 1.2; margin: 0 0 0.5mm; }
.sheet .sub { margin: 0 0 2mm; color: var(--sheet-soft, #333); }
.sheet .top { display: grid; grid-template-columns: 46mm minmax(0, 1fr); gap: 4mm; align-items: start;
  margin: 0 0 2mm; }
.sheet .notes { margin: 0 0 1.5mm; padding: 1mm 2.5mm; border: 0.4mm solid var(--sheet-ink, #000); }
.sheet .notes p { margin: 0.3mm 0; }
.sheet .footmap { width: 46mm; height: auto; display: block; }
.sheet .fm-skin { fill: var(--sheet-paper, #fff); stroke: var(--sheet-ink, #000); stroke-width: 1.2; }
.sheet .fm-zone { fill: var(--sheet-zone, #f2f2f2); stroke: var(--sheet-zone-edge, #555); stroke-width: 0.8; }
.sheet .fm-point { fill: var(--sheet-paper, #fff); stroke: var(--sheet-ink, #000); }
.sheet .fm-groove, .sheet .fm-bone { fill: none; stroke: var(--sheet-zone-edge, #777); stroke-width: 0.8; }
.sheet .fm-nail { fill: var(--sheet-paper, #fff); stroke: var(--sheet-zone-edge, #999); stroke-width: 0.6; }
.sheet .fm-number circle { fill: var(--sheet-ink, #000); }
.sheet .fm-number text { fill: var(--sheet-paper, #fff); font: bold 9px sans-serif; }
.sheet .fm-label, .sheet .fm-foot { font: 11px sans-serif; fill: var(--sheet-ink, #000); }
.sheet .fm-foot { font-weight: bold; font-size: 13px; }
.sheet .footmap .fm-foot-left, .sheet .footmap.left .fm-foot-right { display: none; }
.sheet .footmap.left .fm-foot-left { display: inline; }
.sheet .legend { margin: 0; padding: 0; list-style: none; font-size: 7.2pt; line-height: 1.2;
  columns: 2; column-gap: 4mm; }
.sheet .legend li { margin: 0 0 0.6mm; break-inside: avoid; }
.sheet .legend b { display: inline-block; min-width: 3.5mm; }
.sheet .tradition { color: var(--sheet-soft, #444); font-style: italic; font-size: inherit; margin: 0; }
.sheet table { width: 100%; border-collapse: collapse; font-size: inherit; }
.sheet th, .sheet td { text-align: left; vertical-align: top; padding: 0.25mm 1mm;
  border-bottom: 0.2mm solid var(--sheet-line, #bbb); color: inherit; }
.sheet th { border-bottom: 0.4mm solid var(--sheet-ink, #000); font-size: 8pt; font-weight: bold; }
.sheet td.t, .sheet td.len { white-space: nowrap; font-variant-numeric: tabular-nums; }
.sheet tr.step td { border-bottom: 0; padding-top: 0.7mm; font-weight: bold; font-size: 8pt; }
.sheet .how { color: var(--sheet-soft, #333); font-size: 7.6pt; }
.sheet .name { font-weight: bold; }
.sheet .do { font-size: 7.4pt; color: var(--sheet-soft, #222); }
.sheet footer { margin-top: 2.5mm; font-size: 7.4pt; color: var(--sheet-soft, #333); }
@media print { .sheet tr, .sheet .legend li, .sheet .notes { break-inside: avoid; } }
@media screen and (max-width: 640px) {
  .sheet { font-size: 10.5pt; }
  .sheet .top { grid-template-columns: minmax(0, 1fr); }
  .sheet .footmap { width: 100%; max-width: 70mm; margin: 0 auto; }
  .sheet td.t, .sheet td.len { white-space: normal; }
  .sheet .do, .sheet .how { font-size: 9pt; }
}
""".strip()

#: The saved page's whole stylesheet: the sheet's, and a sheet of paper around it on screen. Kept in
#: one constant so a server can allow exactly this style (a hash in its Content-Security-Policy).
PRINT_CSS = (
    """
@page { size: auto; margin: 9mm 10mm; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; }
.screen-only { display: none; }
@media screen {
  body { background: #ddd; padding: 8mm 0; }
  .sheet { padding: 11mm 12mm; box-shadow: 0 0 3mm #999; }
  .screen-only { display: block; max-width: 190mm; margin: 0 auto 3mm; color: #333;
    font: 10pt sans-serif; }
}
@media screen and (max-width: 640px) {
  body { padding: 0; }
  .sheet { padding: 4mm; box-shadow: none; }
}
@media screen and (prefers-color-scheme: dark) {
  body { background: #0d0c0b; }
  .screen-only { color: #b3a998; }
  .sheet { --sheet-ink: #d9cfc0; --sheet-paper: #171513; --sheet-soft: #b3a998;
    --sheet-line: #3a3632; --sheet-zone: #24211e; --sheet-zone-edge: #6b635a; box-shadow: none; }
}
""".strip()
    + "\n"
    + SHEET_CSS
)


@dataclass
class _Row:
    """One action (or opening, towel wrap, closing) with its start on each foot."""

    segment: Segment
    starts: dict[str, int] = field(default_factory=dict)
    lengths: set[int] = field(default_factory=set)


def _rows(timeline: Timeline) -> list[_Row]:
    rows: list[_Row] = []
    by_action: dict[tuple[int | None, str | None], _Row] = {}
    for segment in timeline.segments:
        if segment.kind == "action":
            key = (segment.step, segment.action)
            row = by_action.get(key)
            if row is None:
                row = by_action[key] = _Row(segment)
                rows.append(row)
            row.starts[segment.foot or ""] = segment.start
            row.lengths.add(segment.duration)
        else:
            rows.append(_Row(segment, {"": segment.start}, {segment.duration}))
    return rows


def _length_words(row: _Row) -> str:
    low, high = min(row.lengths), max(row.lengths)
    return length(low) if low == high else f"{length(low)}–{length(high)}"


def _traditions(timeline: Timeline) -> dict[str, str]:
    found: dict[str, str] = {}
    for segment in timeline.segments:
        if segment.tradition and len(segment.zones) == 1:
            found.setdefault(segment.zones[0], segment.tradition)
    return found


def _legend(zones: list[str], traditions: dict[str, str]) -> str:
    items = []
    for n, zone in enumerate(zones, start=1):
        text = f"<b>{n}</b> {escape(ZONE_NAMES.get(zone, zone))}"
        if zone in traditions:
            text += (
                f' <span class="tradition">(tradition, not fact: {escape(traditions[zone])})</span>'
            )
        items.append(f"<li>{text}</li>")
    return f'<ol class="legend">{"".join(items)}</ol>'


def _table(timeline: Timeline) -> str:
    feet = list(timeline.feet)
    head = "".join(f'<th scope="col">{escape(foot.capitalize())}</th>' for foot in feet)
    out = [
        f'<table><thead><tr>{head}<th scope="col">What</th><th scope="col">Length</th>'
        f"</tr></thead><tbody>"
    ]
    current_step = None
    for row in _rows(timeline):
        seg = row.segment
        if seg.kind == "action" and seg.step != current_step:
            current_step = seg.step
            out.append(
                f'<tr class="step"><td colspan="{len(feet) + 2}">Step {seg.step} · '
                f"{escape(seg.step_title or '')}</td></tr>"
            )
        if seg.kind == "action":
            times = "".join(
                f'<td class="t">{clock(row.starts[foot]) if foot in row.starts else ""}</td>'
                for foot in feet
            )
            how = " · ".join(p for p in (counts(seg), seg.pressure or "", usual_range(seg)) if p)
            what = f'<span class="name">{escape(seg.action_name or seg.title)}</span>'
            if how:
                what += f' <span class="how">({escape(how)})</span>'
            if seg.instruction:
                what += f' <span class="do">{escape(_any_foot(seg.instruction))}</span>'
        else:
            current_step = None
            times = f'<td class="t">{clock(seg.start)}</td>' + "<td></td>" * (len(feet) - 1)
            what = f"<b>{escape(seg.title)}</b>"
        out.append(f'<tr>{times}<td>{what}</td><td class="len">{_length_words(row)}</td></tr>')
    end = f'<td class="t">{clock(timeline.total)}</td>' + "<td></td>" * (len(feet) - 1)
    out.append(f"<tr>{end}<td><b>End</b></td><td></td></tr></tbody></table>")
    return "".join(out)


_FOOT = re.compile(r"\b(your|their) (left|right) foot\b")


def _any_foot(instruction: str) -> str:
    """An action's words for either foot: one row of the sheet serves both."""
    return _FOOT.sub(r"\1 foot", instruction)


def _wording_words(timeline: Timeline) -> str:
    return "brief words" if timeline.options.get("wording") == "brief" else "full explanations"


def sheet_html(timeline: Timeline, heading_level: int = 1) -> str:
    """The sheet itself, an ``<article class="sheet">`` for a page to hold (styled by SHEET_CSS)."""
    title, subtitle = heading(timeline)
    worked = {zone for segment in timeline.segments for zone in segment.zones}
    zones = [zone for zone in ZONE_IDS if zone in worked]
    notes = "".join(f"<p>{escape(note)}</p>" for note in timeline.notes)
    h = f"h{heading_level}"
    first = timeline.feet[0] if timeline.feet else "right"  # the map shows the foot begun with
    other = "right" if first == "left" else "left"
    return (
        f'<article class="sheet" aria-labelledby="sheet-title">'
        f'<{h} id="sheet-title">{escape(title)}</{h}>'
        f"<p class='sub'>{escape(subtitle)} · {_wording_words(timeline)}</p>"
        '<div class="top">'
        + foot_map_svg(
            prefix="print",
            foot=first,
            numbered=zones,
            title=f"The {first} foot from below and from above; the {other} foot is its mirror image",
        )
        + f'<div><div class="notes">{notes}<p><b>{escape(ALWAYS)}</b></p></div>'
        + _legend(zones, _traditions(timeline))
        + "</div></div>"
        + _table(timeline)
        + f"<footer>{escape(EVIDENCE)}</footer></article>"
    )


def render_print(timeline: Timeline) -> str:
    """The printable page for ``timeline`` as a complete HTML document."""
    title, _ = heading(timeline)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} (printable)</title><style>{PRINT_CSS}</style></head><body><main>"
        '<p class="screen-only">Print this page with your browser (A4 or Letter, one page).</p>'
        + sheet_html(timeline)
        + "</main></body></html>\n"
    )


PRINT = register(
    Renderer("print", "text/html", render_print, "a printable one-page guide with the foot map")
)
