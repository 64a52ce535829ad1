"""`solemate plan`: the nightly plan as a readable schedule (text, Markdown or JSON)."""

from __future__ import annotations

from enum import StrEnum
from typing import NoReturn

import typer

from solemate.cli.common import resolve_routine, usage_error
from solemate.plan import PlanError, PlanOptions, plan
from solemate.render import render
from solemate.safety import SafetyChanges


class FeetOption(StrEnum):
    both = "both"
    left = "left"
    right = "right"


class FootOption(StrEnum):
    left = "left"
    right = "right"


class WordingOption(StrEnum):
    full = "full"
    brief = "brief"


class CountsOption(StrEnum):
    voice = "voice"
    ticks = "ticks"


class PlanFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def plan_options(
    minutes: float | None,
    nightly: bool,
    full: bool,
    partner: bool,
    first_foot: FootOption,
    foot: FeetOption,
    preparation: bool,
    gentle: bool,
    skip_calf: bool,
    wording: WordingOption = WordingOption.full,
    counts: CountsOption = CountsOption.voice,
) -> PlanOptions:
    """Turn the plan flags shared by several commands into PlanOptions, or exit with a usage error."""
    chosen = [
        name
        for name, on in (
            ("--minutes", minutes is not None),
            ("--nightly", nightly),
            ("--full", full),
        )
        if on
    ]
    if len(chosen) > 1:
        usage_error(f"choose one of --minutes, --nightly and --full (got {' and '.join(chosen)})")
    if minutes is not None and not 0 < minutes <= 240:
        usage_error(f"--minutes must be above 0 and at most 240, got {minutes:g}")
    return PlanOptions(
        minutes=minutes,
        preset="full" if full else None if minutes is not None else "nightly",
        feet=foot.value,
        first_foot=first_foot.value,
        voice="partner" if partner else "self",
        preparation=preparation,
        safety=SafetyChanges(gentle_only=gentle, skip_calf=skip_calf),
        wording=wording.value,
        counts=counts.value,
    )


def plan_refused(exc: PlanError) -> NoReturn:
    """The planner's refusal, with the flags that would make the length fit."""
    flags = []
    for alternative in exc.alternatives:
        alt = alternative.options
        flag = f"--foot {alt.feet}" if alt.feet != "both" else ""
        if not alt.preparation and "without the spoken preparation" in alternative.description:
            flag = f"{flag} without --preparation".strip()
        if flag and flag not in flags:
            flags.append(flag)
    hint = f"\nTry: {'; or '.join(flags)}." if flags else ""
    usage_error(f"{exc}{hint}")


MINUTES = typer.Option(None, "--minutes", "-m", help="Session length in minutes.")
NIGHTLY = typer.Option(False, "--nightly", help="The nightly ritual: 12 minutes (the default).")
FULL = typer.Option(False, "--full", help="The guide's longest durations on every step.")
PARTNER = typer.Option(False, "--partner", help="Word the cues for massaging a partner.")
FIRST_FOOT = typer.Option(FootOption.left, "--first-foot", help="Which foot comes first.")
FOOT = typer.Option(FeetOption.both, "--foot", help="Massage both feet or only one.")
PREPARATION = typer.Option(False, "--preparation", help="Speak the preparation checklist first.")
GENTLE = typer.Option(
    False, "--gentle", help="Gentle pressure only (as the safety screen may advise)."
)
SKIP_CALF = typer.Option(
    False, "--skip-calf", help="Strokes stop at the ankle (e.g. varicose veins)."
)
WORDING = typer.Option(
    WordingOption.full,
    "--wording",
    help="full: explain each part; brief: name it, give counts and holds, stay quiet otherwise.",
)
COUNTS = typer.Option(
    CountsOption.voice, "--counts", help="voice: say each count; ticks: a soft tick instead."
)
ROUTINE = typer.Option("evening", "--routine", "-r", help="A routine name or a .toml file.")


def register(app: typer.Typer) -> None:
    @app.command("plan")
    def plan_command(
        minutes: float | None = MINUTES,
        nightly: bool = NIGHTLY,
        full: bool = FULL,
        partner: bool = PARTNER,
        first_foot: FootOption = FIRST_FOOT,
        foot: FeetOption = FOOT,
        preparation: bool = PREPARATION,
        gentle: bool = GENTLE,
        skip_calf: bool = SKIP_CALF,
        wording: WordingOption = WORDING,
        counts: CountsOption = COUNTS,
        routine: str = ROUTINE,
        output_format: PlanFormat = typer.Option(
            PlanFormat.text, "--format", "-f", help="Output format."
        ),
    ) -> None:
        """Print tonight's plan: every step with its start time, length and instructions."""
        options = plan_options(
            minutes,
            nightly,
            full,
            partner,
            first_foot,
            foot,
            preparation,
            gentle,
            skip_calf,
            wording,
            counts,
        )
        chosen = resolve_routine(routine)
        try:
            timeline = plan(chosen, options)
        except PlanError as exc:
            plan_refused(exc)
        typer.echo(render(output_format.value, timeline), nl=False)
