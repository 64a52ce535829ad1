"""`solemate routine list | show NAME | check FILE`."""

from __future__ import annotations

from pathlib import Path

import typer

from solemate.cli.common import report_problems, resolve_routine, settings, user_routines
from solemate.plan import FITTING_RULE, NIGHTLY_SECONDS, PlanOptions, bounds, full_seconds
from solemate.render.schedule import length
from solemate.routine import (
    Range,
    Routine,
    RoutineError,
    builtin_names,
    builtin_routine,
    load_routine,
)


def _range_words(rng: Range) -> str:
    who = "the guide's" if rng.origin == "guide" else "solemate's choice"
    usual = f"{rng.low} s" if rng.low == rng.high else f"{rng.low}–{rng.high} s"
    return f"usual {usual} ({who}), may fit {rng.min}–{rng.max} s"


def describe(routine: Routine, lang: str = "en") -> str:
    lines = [
        f"{routine.title[lang]}  [{routine.id} {routine.version}, digest {routine.digest}]",
        f"Source: {routine.source[lang]}",
        f"Languages: {', '.join(routine.languages)}",
        "",
        f"Preparation checklist ({len(routine.preparation)} items, spoken on request):",
    ]
    for item in routine.preparation:
        who = "" if item.who == "both" else f" [{item.who} only]"
        lines.append(
            f"  - {item.cue[lang].self_ if item.who != 'partner' else item.cue[lang].partner}{who}"
        )
    lines.append("")
    for number, step in enumerate(routine.steps, start=1):
        lines.append(f"Step {number}: {step.title[lang]}")
        for action in step.actions:
            zones = ", ".join(action.zones)
            lines.append(
                f"  - {action.name[lang]} [{action.kind}; {action.pressure} pressure; {zones}]"
            )
            if action.repeat is not None:
                rep = action.repeat
                sets = " + ".join(f"{s.count} {s.label[lang]}" for s in rep.sets)
                lines.append(f"      counted: {sets}; each {_range_words(rep.seconds)}")
            elif action.seconds is not None:
                lines.append(f"      {_range_words(action.seconds)}")
    lines += ["", f"Between feet: {_range_words(routine.between_feet.seconds)}", ""]
    lines.append(
        "Zones and their traditional reflexology associations (tradition, not medical fact):"
    )
    for _zone_id, zone in routine.zones.items():
        tradition = f": {zone.tradition[lang]}" if zone.tradition else ""
        lines.append(f"  - {zone.name[lang]} ({zone.where[lang]}){tradition}")
    lines += ["", routine.evidence[lang]]
    both = PlanOptions()
    shortest, longest = bounds(routine, both)
    one_short, _ = bounds(routine, PlanOptions(feet="left"))
    lines += [
        "",
        f"Both feet: {length(shortest)} to {length(longest)}; the full preset is "
        f"{length(full_seconds(routine, both))}; one foot from {length(one_short)}.",
    ]
    lines += ["", FITTING_RULE]
    if not shortest <= NIGHTLY_SECONDS <= longest:
        lines.append(
            f"Note: the nightly preset ({length(NIGHTLY_SECONDS)}) does not fit both feet."
        )
    return "\n".join(lines) + "\n"


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="List, show and check routines.", no_args_is_help=True)
    app.add_typer(group, name="routine")

    @group.command("list")
    def list_command() -> None:
        """List the built-in routines and your own (from the data directory)."""
        for name in builtin_names():
            routine = builtin_routine(name)
            typer.echo(f"{name:<16} built-in  {routine.version:<6} {routine.title['en']}")
        for name, path in user_routines(settings()).items():
            try:
                routine = load_routine(path)
            except RoutineError as exc:
                count = len(exc.problems)
                typer.echo(
                    f"{name:<16} yours     BROKEN ({count} problem(s); run: solemate routine check {path})"
                )
                continue
            typer.echo(
                f"{name:<16} yours     {routine.version:<6} {routine.title.get('en', routine.id)}"
            )
        typer.echo(f"\nYour own routines go in {settings().routines_dir} as NAME.toml.")

    @group.command("show")
    def show_command(
        name: str = typer.Argument(..., help="A routine name or a .toml file."),
    ) -> None:
        """Show a routine: its steps, counts, durations and where each figure comes from."""
        typer.echo(describe(resolve_routine(name)), nl=False)

    @group.command("check")
    def check_command(
        file: str = typer.Argument(..., help="The routine file to check, or a routine name."),
    ) -> None:
        """Check a routine file (or a routine by name, as `routine show` takes it) and list
        every problem in it."""
        if Path(file).exists():  # a file wins over a routine of the same name
            try:
                routine = load_routine(Path(file))
            except RoutineError as exc:
                report_problems(exc)
        else:
            routine = resolve_routine(file)
        shortest, longest = bounds(routine, PlanOptions())
        steps = len(routine.steps)
        actions = sum(len(s.actions) for s in routine.steps)
        typer.echo(
            f"{file}: ok: {routine.id} {routine.version}, {steps} steps, {actions} actions, "
            f"languages {', '.join(routine.languages)}; both feet {length(shortest)}–{length(longest)}."
        )
