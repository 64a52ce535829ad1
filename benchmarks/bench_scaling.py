"""How whole commands grow with what they work on: render with session length, the Apple import
with file size, insights with journal age.

Every figure is a whole command in a fresh process (``python -m solemate …``: start-up, imports,
journal included), as a person runs it, with its own peak resident memory (``VmHWM``); each size
runs once unmeasured, then every size once per round, the order rotated, min and median. The data
come from the other benchmarks' generators:

* ``solemate render`` with the espeak voice at 12, 24 and 47.5 minutes (48 is just over the
  planner's longest session), warm phrase cache, in a data folder whose journal holds a current
  safety screen (``bench_render``);
* ``solemate import FILE`` of a synthetic Apple Health export of 10k, 100k and 1M records into a
  new journal (``bench_apple_import``); the sleep records are a fixed share of the file, as in a
  real export that covers more years;
* ``solemate insights`` on the last 1, 5 and 10 years of bench_journal's ten-year journal.

Each row says how the figure grew from the row before: the exponent ``k`` of ``time ∝ size^k``
between the two sizes (flat below 0.15, linear from 0.8 to 1.2), and the time each added unit
costs, read from the minimum times: on a shared machine other work only ever adds time. Run:
``python -m benchmarks scaling``.
"""

from __future__ import annotations

import functools
import math
import os
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks.harness import whole_command, write_section

REPEAT = int(os.environ.get("SOLEMATE_BENCH_REPEAT", "5"))
RENDER_LENGTHS = {12: ["--minutes", "12"], 24: ["--minutes", "24"], 48: ["--minutes", "47.5"]}
"""48 minutes is just over the planner's longest session (47 min 39 s): 47.5 stands for it."""
IMPORT_SIZES = (10_000, 100_000, 1_000_000)
SLEEP_SHARE = 666  # one night (16 sleep records) per this many records: 1,500 nights at 1M
JOURNAL_YEARS = (1, 5, 10)
TODAY = date(2024, 1, 1)  # the ten-year journal's last morning is 2023-12-31


@dataclass(frozen=True)
class Case:
    """One size of one command: how to run it (a fresh process each time) and its size."""

    family: str
    size: float  # in the family's unit
    label: str
    run: Callable[[], tuple[float, float]]  # wall seconds, peak MB


def rounds(cases: list[Case]) -> dict[str, list[tuple[float, float]]]:
    """Each case once unmeasured, then REPEAT rounds, every case once per round, order rotated."""
    for case in cases:
        case.run()
    out: dict[str, list[tuple[float, float]]] = {case.label: [] for case in cases}
    for k in range(REPEAT):
        for case in cases[k % len(cases) :] + cases[: k % len(cases)]:
            out[case.label].append(case.run())
            print(f"   {case.label}: {out[case.label][-1][0]:.2f} s", flush=True)
    return out


# --- render -------------------------------------------------------------------------------------


def render_cases(folder: Path) -> list[Case]:
    from benchmarks.bench_render import _command_environment

    env = _command_environment(folder / "render")
    out = folder / "render.mp3"

    def render(flags: list[str]) -> Callable[[], tuple[float, float]]:
        args = ["render", *flags, "--voice", "espeak", "-o", str(out)]
        return lambda: whole_command("solemate", args, env)

    cases = []
    for flags in RENDER_LENGTHS.values():
        minutes = planned_minutes(flags)
        label = f"render --minutes {flags[1]}"
        cases.append(Case("render", minutes, label, render(flags)))
    return cases


def planned_minutes(flags: list[str]) -> float:
    """The planned length of ``render --minutes N``, in minutes."""
    from solemate.plan import PlanOptions, plan
    from solemate.routine import builtin_routine

    return float(plan(builtin_routine(), PlanOptions(minutes=float(flags[1]))).total) / 60


# --- import -------------------------------------------------------------------------------------


def import_cases(folder: Path) -> list[Case]:
    from benchmarks.bench_apple_import import generate

    cases = []
    for records in IMPORT_SIZES:
        path = folder / f"export-{records}.xml"
        generate(path, records, nights=records // SLEEP_SHARE)

        def run(path: Path = path) -> tuple[float, float]:
            database = folder / "import.sqlite3"
            try:
                args = ["import", str(path), "--database", f"sqlite:///{database}"]
                return whole_command("solemate", args)
            finally:
                for leftover in folder.glob("import.sqlite3*"):
                    leftover.unlink()

        cases.append(Case("import", records, f"import {records:,} records", run))
    return cases


# --- insights -----------------------------------------------------------------------------------


def last_years(export: dict[str, Any], years: int) -> dict[str, Any]:
    """The journal export cut to its last ``years`` years (diary by wake date, sessions by start)."""
    first = TODAY - timedelta(days=365 * years)
    cut = first.isoformat()
    sessions = [s for s in export["sessions"] if s["started_at"][:10] >= cut]
    kept = {s["id"] for s in sessions}
    return {
        **export,
        "sessions": sessions,
        "ratings": [r for r in export["ratings"] if r["session"] in kept],
        "diary": [d for d in export["diary"] if d["wake_date"] >= cut],
    }


def insight(args: list[str]) -> tuple[float, float]:
    return whole_command("solemate", args)


def insights_cases(folder: Path) -> list[Case]:
    from benchmarks.bench_journal import ten_years
    from solemate.journal import Journal

    everything = ten_years()
    cases = []
    for years in JOURNAL_YEARS:
        url = f"sqlite:///{folder / f'journal-{years}y.sqlite3'}"
        with Journal(url) as journal:
            journal.import_export(last_years(everything, years))
        args = ["insights", "--today", TODAY.isoformat(), "--database", url]
        label = f"insights, {years}-year journal"
        cases.append(Case("insights", years, label, functools.partial(insight, args)))
    return cases


# --- the table ----------------------------------------------------------------------------------

UNITS = {"render": "min of session", "import": "k records", "insights": "year of journal"}
PER = {"render": 1.0, "import": 1000.0, "insights": 1.0}


def growth(low: float, high: float, size_low: float, size_high: float) -> str:
    """How a figure grew between two sizes, in words, with the exponent k of figure ∝ size^k."""
    k = math.log(high / low) / math.log(size_high / size_low)
    if k < 0.15:
        shape = "flat"
    elif k < 0.8:
        shape = "sublinear (a fixed cost still dominates)"
    elif k <= 1.2:
        shape = "linear"
    else:
        shape = "faster than linear"
    return f"{shape}, k = {k:.2f}"


def describe(
    family: str, sizes: list[float], times: list[float], peaks: list[float], index: int
) -> str:
    """One row's sentence: how time and memory grew from the row before.

    The time each added unit costs is compared with the same figure one row up: if it holds
    within a third, the growth is linear above a fixed cost, whatever the exponent says.
    """
    if index == 0:
        return "the smallest size: reference for the rows below."

    def per_unit(i: int) -> float:
        return (times[i] - times[i - 1]) / ((sizes[i] - sizes[i - 1]) / PER[family])

    cost = per_unit(index)
    steady = ""
    if index >= 2 and per_unit(index - 1) > 0 and cost > 0:
        ratio = cost / per_unit(index - 1)
        steady = (
            "; the cost per added unit holds (×"
            f"{ratio:.2f} the row before): linear above a fixed cost"
            if 0.67 <= ratio <= 1.5
            else f"; the cost per added unit is ×{ratio:.2f} the row before"
        )
    low, high = sizes[index - 1], sizes[index]
    return (
        f"×{high / low:.1f} the size: time ×{times[index] / times[index - 1]:.2f}, "
        f"{growth(times[index - 1], times[index], low, high)} "
        f"({cost * 1e3:,.0f} ms per added {UNITS[family]}{steady}); memory "
        f"×{peaks[index] / peaks[index - 1]:.2f}, "
        f"{growth(peaks[index - 1], peaks[index], low, high)}."
    )


def table(cases: list[Case], measured: dict[str, list[tuple[float, float]]]) -> list[str]:
    lines = [
        "| command (whole process) | size | wall s, min / median | peak RSS MB, median "
        "| growth from the row before |",
        "|---|---|---|---|---|",
    ]
    for family in ("render", "import", "insights"):
        group = [c for c in cases if c.family == family]
        sizes = [c.size for c in group]
        # Minima: other work on a shared machine only ever adds time, so the least is the cost.
        times = [min(w for w, _ in measured[c.label]) for c in group]
        peaks = [statistics.median(p for _, p in measured[c.label]) for c in group]
        for i, case in enumerate(group):
            walls = [w for w, _ in measured[case.label]]
            lines.append(
                f"| {case.label} | {case.size / PER[family]:,.4g} {UNITS[family]} | {times[i]:.2f} / "
                f"{statistics.median(walls):.2f} | {peaks[i]:.0f} | "
                f"{describe(family, sizes, times, peaks, i)} |"
            )
    return lines


def main() -> None:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-scaling-") as tmp:
        folder = Path(tmp)
        cases = render_cases(folder)
        cases += import_cases(folder)
        cases += insights_cases(folder)
        measured: dict[str, list[tuple[float, float]]] = {}
        for family in ("render", "import", "insights"):
            print(f"-- {family}", flush=True)
            measured |= rounds([c for c in cases if c.family == family])
    load_after = os.getloadavg()
    body = "\n".join(
        [
            "Whole commands in fresh processes (`python -m solemate …`, start-up and journal "
            "included), each size once unmeasured, then "
            f"{REPEAT} rounds with every size once per round, order rotated; min / median wall "
            "time, median peak resident memory (`VmHWM` of the command's process; the espeak-ng "
            "worker of `render` is not counted). Render: espeak voice, MP3, warm phrase cache, "
            "12, 24 and 47.5 minutes (48 is just over the planner's longest session). Import: "
            "synthetic Apple Health exports (bench_apple_import's generator, one night of 16 "
            f"sleep records per {SLEEP_SHARE} records) into a new SQLite journal. Insights: "
            f"`--today {TODAY}` on the last 1, 5 and 10 years of bench_journal's journal "
            "(SQLite). *k* is the exponent of time ∝ size^k between a row and the one before: "
            "flat below 0.15, linear from 0.8 to 1.2; the growth is read from the minimum times "
            "(other work on a shared machine only ever adds time) and the median memory. "
            "Load average (1, 5, 15 min) "
            f"{load_before[0]:.1f}, {load_before[1]:.1f}, {load_before[2]:.1f} before and "
            f"{load_after[0]:.1f}, {load_after[1]:.1f}, {load_after[2]:.1f} after, on "
            f"{os.cpu_count()} cores.",
            "",
            *table(cases, measured),
        ]
    )
    print(body)
    path = write_section("scaling", "Scaling: render, import and insights as they grow", body)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
