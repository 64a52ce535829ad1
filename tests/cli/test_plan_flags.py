"""The plan options are declared once (`cli/plan_flags.py`) and every planning command takes them."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from solemate.cli.app import app
from solemate.cli.plan_flags import PLAN_FLAGS, FeetOption, FootOption, PlanFlags, WordingOption


@pytest.mark.parametrize("command", ["plan", "guide", "render"])
def test_every_planning_command_takes_every_plan_option(cli: CliRunner, command: str) -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    params = {p.name: p for p in group.commands[command].params}
    for name, (_, option) in PLAN_FLAGS.items():
        assert name in params, name
        assert params[name].opts == list(option.param_decls), name
    assert "flags" not in params


def test_unset_wording_plans_full() -> None:
    flags = PlanFlags(
        minutes=None,
        nightly=False,
        full=False,
        partner=True,
        first_foot=FootOption.right,
        foot=FeetOption.both,
        preparation=False,
        gentle=True,
        skip_calf=False,
        wording=None,
        counts=PLAN_FLAGS["counts"][1].default,
        routine="evening",
    )
    options = flags.options()
    assert options.wording == WordingOption.full.value
    assert (options.voice, options.first_foot, options.safety.gentle_only) == (
        "partner",
        "right",
        True,
    )
