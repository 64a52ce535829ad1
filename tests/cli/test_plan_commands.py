"""`solemate plan`: golden schedules, formats and every bad flag."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solemate.cli.app import app
from tests.golden_files import assert_golden


@pytest.mark.parametrize(
    ("flags", "name"), [([], "plan-nightly-self.txt"), (["--partner"], "plan-nightly-partner.txt")]
)
def test_nightly_text_plan_matches_the_golden_file(
    cli: CliRunner, flags: list[str], name: str
) -> None:
    result = cli.invoke(app, ["plan", "--nightly", *flags])
    assert result.exit_code == 0, result.stderr
    assert_golden(name, result.stdout)


def test_markdown_plan(cli: CliRunner) -> None:
    result = cli.invoke(app, ["plan", "--minutes", "15", "--format", "markdown", "--foot", "right"])
    assert result.exit_code == 0
    assert result.stdout.startswith("# Evening foot massage")
    assert "| start | foot | step | what | length | instruction |" in result.stdout
    assert "Total: **15 min**." in result.stdout
    assert "| left |" not in result.stdout


def test_json_plan_is_the_documented_timeline(cli: CliRunner) -> None:
    result = cli.invoke(
        app, ["plan", "--full", "--format", "json", "--first-foot", "right", "--preparation"]
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["format"] == "solemate.timeline/1"
    assert data["feet"] == ["right", "left"]
    assert data["segments"][-1]["end"] == data["total"]
    assert data["options"]["preparation"] is True


def test_safety_flags_change_the_plan(cli: CliRunner) -> None:
    result = cli.invoke(app, ["plan", "--gentle", "--skip-calf"])
    assert result.exit_code == 0
    assert "Note: Gentle pressure only" in result.stdout
    assert "up the calf" not in result.stdout
    assert "leave out the calf" in result.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["plan", "--minutes", "x"], "--minutes"),
        (["plan", "--minutes", "0"], "--minutes must be above 0"),
        (["plan", "--minutes", "-3"], "--minutes must be above 0"),
        (["plan", "--minutes", "nan"], "--minutes must be above 0"),
        (["plan", "--minutes", "1e9"], "--minutes must be above 0 and at most 240"),
        (["plan", "--minutes", "12", "--full"], "choose one of --minutes, --nightly and --full"),
        (["plan", "--nightly", "--full"], "choose one of"),
        (["plan", "--foot", "middle"], "--foot"),
        (["plan", "--first-foot", "both"], "--first-foot"),
        (["plan", "--format", "pdf"], "--format"),
        (["plan", "--minutes", "4"], "The shortest possible is 4 min 42 s, with one foot only"),
        (["plan", "--minutes", "90"], "longer than the longest session"),
        (["plan", "--routine", "nosuch"], "no routine named 'nosuch'"),
        (["plan", "--bogus"], "--bogus"),
        (["routine", "show", "nosuch"], "no routine named 'nosuch'"),
        (["routine"], "Usage"),
    ],
)
def test_usage_errors_exit_2_with_a_message(cli: CliRunner, args: list[str], needle: str) -> None:
    result = cli.invoke(app, args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert needle in result.stderr + result.stdout
    assert "Traceback" not in result.stderr + result.stdout


def test_a_broken_routine_file_lists_problems_and_exits_1(cli: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('format = 1\nid = "Bad Id"\n')
    result = cli.invoke(app, ["plan", "--routine", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:2: id: must be lowercase letters" in result.stderr
    assert "steps: required key is missing" in result.stderr
    assert "problems found" in result.stderr


def test_routine_list_show_and_check(cli: CliRunner, data_dir: Path, tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "src" / "solemate" / "routines" / "evening.toml"
    (data_dir / "routines").mkdir(parents=True)
    (data_dir / "routines" / "gentle.toml").write_text(
        source.read_text().replace('id = "evening"', 'id = "gentle"')
    )
    (data_dir / "routines" / "oops.toml").write_text("format = 1\n")
    listed = cli.invoke(app, ["routine", "list"])
    assert listed.exit_code == 0
    assert "evening" in listed.stdout
    assert "gentle           yours" in listed.stdout
    assert "oops             yours     BROKEN" in listed.stdout

    shown = cli.invoke(app, ["routine", "show", "gentle"])
    assert shown.exit_code == 0
    assert "counted: 5 clockwise + 5 counterclockwise" in shown.stdout
    assert "usual 120–180 s (the guide's)" in shown.stdout
    assert "(solemate's choice)" in shown.stdout
    assert "tradition, not medical fact" in shown.stdout

    ok = cli.invoke(app, ["routine", "check", str(source)])
    assert ok.exit_code == 0
    assert "ok: evening 1.0, 7 steps, 15 actions" in ok.stdout
    bad = cli.invoke(app, ["routine", "check", str(data_dir / "routines" / "oops.toml")])
    assert bad.exit_code == 1
    missing = cli.invoke(app, ["routine", "check", str(tmp_path / "missing.toml")])
    assert missing.exit_code == 1
    assert "no such file" in missing.stderr
    folder = cli.invoke(app, ["routine", "check", str(tmp_path)])
    assert folder.exit_code == 1
    assert "is a directory" in folder.stderr
    for name, says in (("evening", "evening: ok: evening 1.0"), ("gentle", "gentle: ok: gentle")):
        by_name = cli.invoke(app, ["routine", "check", name])  # as `routine show` takes it
        assert by_name.exit_code == 0, by_name.output
        assert by_name.stdout.startswith(says)
    broken = cli.invoke(app, ["routine", "check", "oops"])
    assert broken.exit_code == 1
    assert "problem" in broken.stderr
    unknown = cli.invoke(app, ["routine", "check", "nosuch"])
    assert unknown.exit_code == 2
    assert "no routine named 'nosuch' (known: evening, gentle, oops" in unknown.stderr


def test_the_installed_command_runs_without_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "SOLEMATE_DATA_DIR": str(tmp_path)}
    version = subprocess.run(
        [sys.executable, "-m", "solemate", "--version"], capture_output=True, text=True, env=env
    )
    assert version.returncode == 0
    assert version.stdout.startswith("solemate ")
    bad = subprocess.run(
        [sys.executable, "-m", "solemate", "plan", "--minutes", "2"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert "shorter than the shortest session" in bad.stderr
