"""`solemate plan`: the nightly plan as a readable schedule (text, Markdown or JSON).

Its plan options are `plan_flags`'s, shared with `guide` and `render`.
"""

from __future__ import annotations

from enum import StrEnum

import typer

from solemate.cli.common import resolve_routine
from solemate.cli.plan_flags import PlanFlags, plan_refused, with_plan_flags
from solemate.plan import PlanError, plan
from solemate.render import render


class PlanFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    @app.command("plan")
    @with_plan_flags()
    def plan_command(
        flags: PlanFlags,
        output_format: PlanFormat = typer.Option(
            PlanFormat.text, "--format", "-f", help="Output format."
        ),
    ) -> None:
        """Print tonight's plan: every step with its start time, length and instructions."""
        options = flags.options()
        chosen = resolve_routine(flags.routine)
        try:
            timeline = plan(chosen, options)
        except PlanError as exc:
            plan_refused(exc)
        typer.echo(render(output_format.value, timeline), nl=False)
