"""The printable guide: one A4 or Letter page with the foot map and the plan with its times.

For people who would rather keep paper on the nightstand than a phone. Both feet get the same
actions in the same order, so the page lists each action once with a start time per foot: half the
rows of a plain schedule, which is what lets a whole session fit on one sheet. The page is a single
self-contained HTML document (its stylesheet inline, no script, nothing fetched), so it prints the
same from the web app, from a saved file or from ``render("print", timeline)``.
"""

from __future__ import annotations

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

#: The page's whole stylesheet. Kept in one constant so a server can allow exactly this style
#: (a hash in its Content-Security-Policy) and nothing else.
PRINT_CSS = """
@page { size: auto; margin: 11mm 12mm; }
* { box-sizing: border-box; }
body { margin: 0; font: 9.2pt/1.3 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #000;
  background: #fff; }
main { max-width: 190mm; margin: 0 auto; }
h1 { font-size: 14pt; margin: 0 0 1mm; }
.sub { margin: 0 0 3mm; color: #333; }
.notes { margin: 0 0 3mm; padding: 1.5mm 3mm; border: 0.4mm solid #000; }
.notes p { margin: 0.5mm 0; }
.layout { display: grid; grid-template-columns: 52mm 1fr; gap: 5mm; align-items: start; }
.footmap { width: 52mm; height: auto; }
.fm-skin { fill: #fff; stroke: #000; stroke-width: 1.2; }
.fm-zone { fill: #f2f2f2; stroke: #555; stroke-width: 0.8; }
.fm-point { fill: #fff; stroke: #000; }
.fm-groove, .fm-bone { fill: none; stroke: #777; stroke-width: 0.8; }
.fm-nail { fill: #fff; stroke: #999; stroke-width: 0.6; }
.fm-number circle { fill: #000; }
.fm-number text { fill: #fff; font: bold 9px sans-serif; }
.fm-label { font: 11px sans-serif; fill: #000; }
.legend { margin: 2mm 0 0; padding: 0; list-style: none; font-size: 7.6pt; }
.legend li { margin: 0 0 1.2mm; }
.legend b { display: inline-block; min-width: 3.5mm; }
.tradition { color: #444; font-style: italic; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 0.8mm 1.2mm; border-bottom: 0.2mm solid #bbb; }
th { border-bottom: 0.4mm solid #000; font-size: 8pt; }
td.t, td.len { white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.step td { border-bottom: 0; padding-top: 1.6mm; font-weight: bold; }
.how { color: #333; font-size: 8pt; }
footer { margin-top: 3mm; font-size: 7.6pt; color: #333; }
.screen-only { display: none; }
@media screen {
  body { background: #ddd; padding: 8mm 0; }
  main { background: #fff; padding: 11mm 12mm; box-shadow: 0 0 3mm #999; }
  .screen-only { display: block; margin: 0 0 3mm; color: #333; }
}
@media print { tr, .legend li, .notes { break-inside: avoid; } }
@media screen and (max-width: 640px) {
  body { padding: 0; font-size: 10.5pt; }
  main { padding: 4mm; box-shadow: none; }
  .layout { grid-template-columns: 1fr; }
  .footmap { width: 100%; max-width: 70mm; }
  td.t, td.len { white-space: normal; }
}
@media screen and (prefers-color-scheme: dark) {
  body { background: #0d0c0b; color: #d9cfc0; }
  main { background: #171513; box-shadow: none; }
  .sub, .how, footer, .screen-only, .tradition { color: #b3a998; }
  .notes { border-color: #6b635a; }
  th { border-bottom-color: #8a8176; }
  th, td { border-bottom-color: #3a3632; }
  .fm-skin { fill: #171513; stroke: #b3a998; }
  .fm-zone { fill: #24211e; stroke: #6b635a; }
  .fm-point, .fm-nail { fill: #171513; stroke: #b3a998; }
  .fm-number circle { fill: #d9cfc0; }
  .fm-number text, .fm-label { fill: #171513; }
  .fm-label { fill: #d9cfc0; }
}
""".strip()


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
            what = f"{escape(seg.action_name or seg.title)}"
            if how:
                what += f' <span class="how">{escape(how)}</span>'
        else:
            current_step = None
            times = f'<td class="t">{clock(seg.start)}</td>' + "<td></td>" * (len(feet) - 1)
            what = f"<b>{escape(seg.title)}</b>"
        out.append(f'<tr>{times}<td>{what}</td><td class="len">{_length_words(row)}</td></tr>')
    end = f'<td class="t">{clock(timeline.total)}</td>' + "<td></td>" * (len(feet) - 1)
    out.append(f"<tr>{end}<td><b>End</b></td><td></td></tr></tbody></table>")
    return "".join(out)


def render_print(timeline: Timeline) -> str:
    """The printable page for ``timeline`` as a complete HTML document."""
    title, subtitle = heading(timeline)
    worked = {zone for segment in timeline.segments for zone in segment.zones}
    zones = [zone for zone in ZONE_IDS if zone in worked]
    notes = "".join(f"<p>{escape(note)}</p>" for note in timeline.notes)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} (printable)</title><style>{PRINT_CSS}</style></head><body><main>"
        '<p class="screen-only">Print this page with your browser (A4 or Letter, one page).</p>'
        f"<h1>{escape(title)}</h1><p class='sub'>{escape(subtitle)}</p>"
        f'<div class="notes">{notes}<p><b>{escape(ALWAYS)}</b></p></div>'
        '<div class="layout"><div>'
        + foot_map_svg(
            prefix="print",
            numbered=zones,
            title="The right foot from below and from above; the left foot is its mirror image",
        )
        + _legend(zones, _traditions(timeline))
        + "</div>"
        + _table(timeline)
        + f"</div><footer>{escape(EVIDENCE)}</footer></main></body></html>\n"
    )


PRINT = register(
    Renderer("print", "text/html", render_print, "a printable one-page guide with the foot map")
)
