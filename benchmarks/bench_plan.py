"""Planning speed over random feasible targets, and command start-up against a bare interpreter."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from dataclasses import replace

from benchmarks.harness import as_installed, median, timings, write_section
from solemate.plan import PlanOptions, bounds, plan
from solemate.routine import builtin_routine

PLANS = 10_000
STARTS = 15


def plan_times() -> tuple[list[float], list[float]]:
    """Per-plan seconds over PLANS random feasible targets and options (seeded), and a baseline
    that builds the same options and bounds without laying out a Timeline."""
    routine = builtin_routine()
    rng = random.Random(20261123)
    cases = []
    for _ in range(PLANS):
        options = PlanOptions(
            feet=rng.choice(["both", "left", "right"]),
            voice=rng.choice(["self", "partner"]),
            preparation=rng.random() < 0.3,
        )
        lo, hi = bounds(routine, options)
        cases.append(replace(options, minutes=rng.randint(lo, hi) / 60))
    per_plan = []
    for options in cases:
        start = time.perf_counter()
        plan(routine, options)
        per_plan.append(time.perf_counter() - start)
    per_bounds = []
    for options in cases:
        start = time.perf_counter()
        bounds(routine, options)
        per_bounds.append(time.perf_counter() - start)
    return per_plan, per_bounds


def command(*args: str) -> list[str]:
    return [sys.executable, *args]


def main() -> None:
    load_before = os.getloadavg()
    per_plan, per_bounds = plan_times()
    env = as_installed()
    bare = timings(lambda: subprocess.run(command("-c", "pass"), check=True, env=env), STARTS)
    version = timings(
        lambda: subprocess.run(
            command("-m", "solemate", "--version"), check=True, capture_output=True, env=env
        ),
        STARTS,
    )
    nightly = timings(
        lambda: subprocess.run(
            command("-m", "solemate", "plan", "--nightly"), check=True, capture_output=True, env=env
        ),
        STARTS,
    )
    p50 = median(per_plan)
    p99 = sorted(per_plan)[int(len(per_plan) * 0.99)]
    rows = [
        "| measurement | median | ratio |",
        "|---|---|---|",
        f"| `plan()` over {PLANS:,} random feasible targets and options | {p50 * 1e3:.3f} ms (p99 {p99 * 1e3:.3f} ms) | "
        f"{p50 / median(per_bounds):.1f}× the bounds computation alone ({median(per_bounds) * 1e3:.3f} ms) |",
        f"| `python3 -c pass` (baseline) | {median(bare) * 1e3:.1f} ms | 1.0× |",
        f"| `solemate --version` | {median(version) * 1e3:.1f} ms | {median(version) / median(bare):.2f}× the bare interpreter (goal ≤ 4×) |",
        f"| `solemate plan --nightly` | {median(nightly) * 1e3:.1f} ms | {median(nightly) / median(bare):.2f}× the bare interpreter |",
    ]
    body = (
        "\n".join(rows)
        + f"\n\nStart-up figures are medians of {STARTS} runs of `python -m solemate` in fresh "
        "processes, with the project's bytecode compiled as an installed package has it. "
        f"Load average (1, 5, 15 min) {', '.join(f'{v:.1f}' for v in load_before)} before and "
        f"{', '.join(f'{v:.1f}' for v in os.getloadavg())} after, on {os.cpu_count()} cores."
    )
    path = write_section("plan", "Planning and start-up", body)
    print(body)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
