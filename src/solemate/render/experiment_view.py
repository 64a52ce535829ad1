"""The personal experiment's report: plain text for the terminal, one self-contained HTML file.

The report follows the CENT 2015 checklist for N-of-1 trials where it applies to one person:
the planned and actual nights, adherence, missing data, the allocation and its seed, the analysis
that matches the design, the estimate with its interval, and what the result can and cannot mean.
The HTML has no external resources (styles inline, charts as inline SVG), so it can be mailed,
archived or printed as one file; print styles keep sections and charts from splitting.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from typing import TYPE_CHECKING

from solemate.insights import METRICS, ExperimentReport
from solemate.insights.experiment import ARM_NAMES
from solemate.render.charts import BLUE, ORANGE, Point, Series, interval_chart, time_chart

if TYPE_CHECKING:
    from solemate.insights_service import ExperimentStatus

__all__ = ["report_html", "report_text", "status_text"]


def status_text(status: ExperimentStatus, day: date) -> str:
    """``solemate experiment status``: how far the experiment is on ``day``, in a few lines."""
    stored = status.stored
    state: str = stored.phase(day)
    if state == "upcoming":
        state = f"starts on the evening of {stored.first_evening:%a %d %b}"
    lines = [
        f"Experiment {stored.id} ({state}): {status.nights_done} of {stored.nights} nights "
        f"done; outcome: {METRICS[stored.outcome].label}; control: {stored.control}.",
        f"Massage nights kept: {status.massage_kept}; control nights kept: "
        f"{status.control_kept}; mornings with a diary: {status.diaries}.",
    ]
    if status.missing:
        lines.append(
            "Evenings whose morning diary is missing: "
            + ", ".join(f"{d:%a %d %b}" for d in status.missing)
            + " (left blank, never filled in)."
        )
    if status.tonight:
        lines.append(status.tonight)
    return "\n".join(lines)


def _title(report: ExperimentReport) -> str:
    return f"Does the nightly massage change your {report.plan.metric.label}?"


def _status(report: ExperimentReport, stopped: str | None) -> str:
    plan = report.plan
    span = f"{plan.first_evening:%a %d %b %Y} – {plan.last_evening:%a %d %b %Y}"
    if stopped:
        return f"{span}; stopped early ({stopped}) after {len(report.past)} of {plan.nights} nights"
    if report.complete:
        return f"{span}; all {plan.nights} nights are over"
    return f"{span}; interim report after {len(report.past)} of {plan.nights} nights"


def _adherence_rows(report: ExperimentReport) -> list[tuple[str, int, int, int]]:
    m, c = report.counts("M"), report.counts("C")
    return [
        ("nights planned", m["planned"], c["planned"], m["planned"] + c["planned"]),
        ("nights so far", m["elapsed"], c["elapsed"], m["elapsed"] + c["elapsed"]),
        ("went as planned", m["followed"], c["followed"], m["followed"] + c["followed"]),
        ("with a morning diary", m["diaries"], c["diaries"], m["diaries"] + c["diaries"]),
    ]


def _test_line(report: ExperimentReport) -> str:
    test = report.test
    unit = report.plan.metric
    if test.exact:
        how = f"exact, all {test.allocations:,} possible allocations"
    else:
        how = (
            f"Monte Carlo, {test.draws:,} of {test.allocations:,} possible allocations; "
            f"standard error of p ± {test.standard_error:.4f}"
        )
    return (
        f"difference in means (massage − control) {unit.format(test.observed)}; two-sided "
        f"p = {test.p_value:.4f} ({how}); smallest possible p {test.smallest_p:.4g}"
    )


def _model_lines(report: ExperimentReport) -> list[str]:
    model, metric, plan = report.model, report.plan.metric, report.plan
    if model is None:
        return [f"not fitted: {report.model_problem}"]
    return [
        f"effect (massage − control): {metric.format(model.estimate)}, 95 % interval "
        f"{metric.format(model.low)} to {metric.format(model.high)}",
        f"probability the benefit is at least {metric.format(plan.minimum)}: "
        f"{model.benefit_probability * 100:.0f} %; that there is any benefit: "
        f"{model.any_benefit_probability * 100:.0f} % (sceptical prior: normal, centred on no "
        f"difference, standard deviation {metric.format(model.prior_sd).lstrip('+')})",
        f"night-to-night correlation ρ ≈ {model.rho:.2f}; spread of a night ≈ "
        f"{metric.format(model.sigma)}; {model.nights} nights; terms: {', '.join(model.terms)}",
    ]


MODEL_STATEMENT = (
    "Regression of the nightly outcome on the assigned arm, with AR(1) errors over calendar days "
    "(missing nights leave gaps, nothing is filled in). These terms were fixed before any data, "
    "by simulation: the block design already balances the weekday and the previous night's arm, "
    "and adding terms for them kept the calibration but halved the chance of finding a "
    "moderate effect. The correlation ρ is integrated out (uniform prior on ρ in (−0.95, 0.95), "
    "flat priors on the coefficients and log σ); the interval is the central 95 % of the "
    "effect's posterior. The probabilities of a benefit use a sceptical prior instead: a normal "
    "distribution centred on no difference, with a standard deviation equal to your minimum."
)


def report_text(report: ExperimentReport, stopped: str | None = None) -> str:
    """The report for the terminal."""
    plan = report.plan
    lines = [_title(report), _status(report, stopped), ""]
    lines += [f"  {sentence}" for sentence in report.reading]
    lines += ["", "Planned and actual nights        massage  control  total"]
    for label, m, c, total in _adherence_rows(report):
        lines.append(f"  {label:<30} {m:>7}  {c:>7}  {total:>5}")
    if report.missing_diaries:
        days = ", ".join(f"{d:%d %b}" for d in report.missing_diaries)
        lines.append(f"  mornings without a diary: {days}")
    lines += ["", "Randomization test", f"  {_test_line(report)}"]
    lines += ["", "Effect model"] + [f"  {line}" for line in _model_lines(report)]
    lines += [
        "",
        "Design",
        f"  {plan.scheme.name} of nights ({plan.scheme.blocks} blocks of "
        f"{plan.scheme.block_length}), seed {plan.seed}; control: {plan.control}; "
        f"outcome: {plan.metric.label}; smallest change you care about: "
        f"{plan.metric.format(plan.minimum)}",
        f"  allocation: {_allocation(report)}",
    ]
    return "\n".join(lines) + "\n"


def _allocation(report: ExperimentReport) -> str:
    size = report.plan.scheme.block_length
    arms = "".join(report.plan.arms)
    return " ".join(arms[i : i + size] for i in range(0, len(arms), size))


def _charts(report: ExperimentReport) -> list[str]:
    plan, metric = report.plan, report.plan.metric
    massage = tuple(
        Point(n.evening + timedelta(days=1), n.outcome)
        for n in report.nights
        if n.arm == "M" and n.outcome is not None
    )
    control = tuple(
        Point(n.evening + timedelta(days=1), n.outcome)
        for n in report.nights
        if n.arm == "C" and n.outcome is not None
    )
    low = 0.0 if metric.key != "quality" else 1.0
    high = {"se": 100.0, "quality": 5.0}.get(metric.key)
    charts = []
    if report.model is not None:
        charts.append(
            interval_chart(
                "The effect and its 95 % interval",
                metric.unit if metric.unit != "points" else "points",
                report.model.estimate,
                report.model.low,
                report.model.high,
                plan.minimum,
                metric.lower_is_better,
                description="; ".join(_model_lines(report)),
                width=CHART_WIDTH,
            )
        )
    charts.append(
        time_chart(
            f"Each night: {metric.label}",
            metric.unit if metric.unit != "points" else "points",
            [
                Series("massage night", massage, color=BLUE, shape="circle"),
                Series("control night", control, color=ORANGE, shape="square"),
            ],
            first=plan.first_evening + timedelta(days=1),
            last=plan.last_evening + timedelta(days=1),
            y_low=low,
            y_high=high,
            gaps=report.missing_diaries,
            description="Nightly values by wake date, massage and control nights marked",
            width=CHART_WIDTH,
            height=270,
        )
    )
    return charts


#: Narrow enough that the charts' text stays legible when a phone scales them down.
CHART_WIDTH = 460

CSS = """
:root { color-scheme: light; --chart-bg: #fff; --chart-fg: #222; --chart-grid: #e3e3e3;
        --chart-accent: #0072B2; --chart-second: #D55E00; --chart-muted: #666; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a;
       background: #fff; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.status { color: #555; margin: 0 0 1.5rem; }
.brief { background: #f3f7fb; border-left: 4px solid #0072B2; padding: .75rem 1rem; }
.brief p { margin: .4rem 0; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e5e5e5; }
td.n, th.n { text-align: right; }
.nights td, .nights th { padding: .15rem .5rem; font-size: .9rem; }
.arm-M { color: #0072B2; font-weight: 600; }
.arm-C { color: #b34700; font-weight: 600; }
figure { margin: 1.25rem 0; }
figure svg { display: block; width: 100%; max-width: 540px; height: auto; margin: 0 auto; }
figcaption { color: #555; font-size: .9rem; }
.small { color: #555; font-size: .9rem; }
code { font-size: .9rem; word-break: break-all; }
@media screen and (max-width: 480px) {
  body { margin: 1rem auto; padding: 0 .6rem; font-size: 15px; }
  th, td { padding: .3rem .25rem; }
  table { font-size: .85rem; }
  .nights td, .nights th { padding: .15rem .2rem; font-size: .8rem; }
  .nights td { overflow-wrap: anywhere; }
}
@media screen and (prefers-color-scheme: dark) {
  :root { color-scheme: dark; --chart-bg: #171513; --chart-fg: #d9cfc0; --chart-grid: #3a3632;
          --chart-accent: #7ab8e0; --chart-second: #e0a070; --chart-muted: #a39a8c; }
  body { background: #0d0c0b; color: #d9cfc0; }
  h2 { border-bottom-color: #3a3632; }
  .status, figcaption, .small { color: #b3a998; }
  .brief { background: #171513; }
  th, td { border-bottom-color: #3a3632; }
  .arm-M { color: #7ab8e0; }
  .arm-C { color: #e0a070; }
  figure svg { border-radius: 6px; }
}
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  .part, figure, .brief, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  thead { display: table-header-group; }
  .brief { background: none; border: 1px solid #999; }
  :root { --chart-bg: #fff; --chart-fg: #222; --chart-grid: #e3e3e3; --chart-accent: #0072B2;
          --chart-second: #D55E00; --chart-muted: #666; }
  @page { margin: 16mm; }
}
"""


def report_html(report: ExperimentReport, stopped: str | None = None) -> str:
    """The report as one self-contained HTML page that prints well."""
    plan, metric = report.plan, report.plan.metric
    e = escape
    reading = report.reading
    split = next(
        (i for i, s in enumerate(reading) if s.startswith("You knew which nights")), len(reading)
    )
    brief = "".join(f"<p>{e(s)}</p>" for s in reading[:split])
    caveats = "".join(f"<li>{e(s)}</li>" for s in reading[split:])
    rows = "".join(
        f"<tr><td>{e(label)}</td><td class=n>{m}</td><td class=n>{c}</td>"
        f"<td class=n>{total}</td></tr>"
        for label, m, c, total in _adherence_rows(report)
    )
    missing = (
        ", ".join(f"{d:%a %d %b}" for d in report.missing_diaries)
        if report.missing_diaries
        else "none"
    )
    captions = [
        "The dot is the best estimate, the bar its 95 % interval; the dashed line is the "
        "smallest change you said you care about.",
        f"Each morning's diary by wake date: circles after massage, squares after "
        f"{plan.control}; ticks under the axis mark mornings without a diary.",
    ]
    figures = _charts(report)
    captions = captions[-len(figures) :]
    charts = "".join(
        f"<figure>{svg}<figcaption>{e(caption)}</figcaption></figure>"
        for svg, caption in zip(figures, captions, strict=True)
    )
    night_rows = []
    for n in report.nights:
        if not n.past:
            done = "to come"
        elif n.followed:
            done = "as planned"
        elif n.arm == "M":
            done = "no massage"
        elif n.massage_done:
            done = "massage instead"
        else:
            done = "not recorded"
        value = "–" if n.outcome is None else metric.format(n.outcome)
        if n.past and n.outcome is None:
            value = "no diary"
        night_rows.append(
            f"<tr><td class=n>{n.index + 1}</td><td>{n.evening:%a %d %b}</td>"
            f"<td class=arm-{n.arm}>{ARM_NAMES[n.arm]}</td><td>{done}</td>"
            f"<td class=n>{e(value)}</td></tr>"
        )
    model = "".join(f"<li>{e(line)}</li>" for line in _model_lines(report))
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(_title(report))}</title>
<style>{CSS}</style>
</head>
<body>
<h1>{e(_title(report))}</h1>
<p class="status">Your personal experiment: massage against {e(plan.control)}.
{e(_status(report, stopped))}.</p>
<section class="brief">{brief}</section>
{charts}
<section class="part">
<h2>Planned and actual nights</h2>
<table>
<thead><tr><th></th><th class=n>massage</th><th class=n>control</th><th class=n>total</th></tr></thead>
<tbody>{rows}</tbody>
</table>
<p class="small">Mornings without a diary (left out, never filled in): {e(missing)}.</p>
</section>
<section class="part">
<h2>Randomization test</h2>
<p>{e(_test_line(report))}.</p>
<p class="small">The p-value is the share of the allocations this design could have drawn
whose difference is at least as large as the one observed, if the massage made no difference
to any night. Nights are compared as assigned.</p>
</section>
<section class="part">
<h2>Effect model</h2>
<ul>{model}</ul>
<p class="small">{e(MODEL_STATEMENT)}</p>
</section>
<section class="part">
<h2>What this can and cannot mean</h2>
<ul>{caveats}</ul>
</section>
<section class="part">
<h2>Design</h2>
<ul>
<li>Outcome: {e(metric.label)}, from the morning sleep diary (Consensus Sleep Diary items).</li>
<li>Massage nights: a foot massage session before bed. Control nights: {e(plan.control)}.</li>
<li>Smallest change you said you care about: {e(metric.format(plan.minimum))}.</li>
<li>Randomized in {e(plan.scheme.name)} ({plan.scheme.blocks} blocks of
{plan.scheme.block_length} nights), seed <code>{plan.seed}</code>, allocation stored before
the first night: <code>{e(_allocation(report))}</code> (M massage, C control).</li>
</ul>
</section>
<section class="long">
<h2>Night by night</h2>
<table class="nights">
<thead><tr><th class=n>#</th><th>evening</th><th>assigned</th><th>what happened</th>
<th class=n>{e(metric.key.upper())}</th></tr></thead>
<tbody>{"".join(night_rows)}</tbody>
</table>
</section>
<p class="small">Report as of {report.today:%d %b %Y}. A personal record, not medical advice.</p>
</body>
</html>
"""
