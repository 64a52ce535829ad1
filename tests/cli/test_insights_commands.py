"""`solemate insights` and `solemate experiment` as a person meets them, bad input included."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from solemate.cli.app import app
from solemate.cli.insights_commands import tonight
from solemate.journal import Journal
from solemate.journal.experiments import experiments
from tests.golden_files import assert_golden
from tests.insights.builders import build_experiment_journal
from tests.journal.conftest import FakeClock


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixed synthetic journal, built once and copied for each test."""
    path = tmp_path_factory.mktemp("built") / "journal.sqlite3"
    clock = FakeClock()
    with Journal(f"sqlite:///{path}", clock=clock) as journal:
        build_experiment_journal(journal, clock)
    return path


@pytest.fixture
def full(built: Path, tmp_path: Path) -> str:
    copy = tmp_path / "full.sqlite3"
    shutil.copy(built, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def empty(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'empty.sqlite3'}"


def run(cli: CliRunner, database: str, *args: str, today: str = "2024-03-04") -> Result:
    return cli.invoke(app, [*args, "--database", database, "--today", today])


def count(database: str) -> int:
    with Journal(database) as journal:
        return len(experiments(journal))


def test_insights_as_text_json_and_charts(cli: CliRunner, full: str, tmp_path: Path) -> None:
    result = run(cli, full, "insights")
    assert result.exit_code == 0, result.stderr
    for heading in ("Sleep diary, 6 weeks", "Trends", "Stress, before", "Habit", "lights-out"):
        assert heading in result.stdout
    assert "Observation, not proof" in result.stdout
    as_json = run(cli, full, "insights", "--format", "json", "--weeks", "2")
    assert as_json.exit_code == 0
    data = json.loads(as_json.stdout)
    assert len(data["weeks"]) == 2
    assert data["device_weeks"][0]["source"] == "oura"
    svg, png = tmp_path / "sleep.svg", tmp_path / "sleep.png"
    assert run(cli, full, "insights", "--plot", str(svg)).exit_code == 0
    assert svg.read_text().startswith("<svg")
    result = run(cli, full, "insights", "--plot", str(png))
    assert result.exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"Charts written to {png}" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weeks", "0"], "--weeks must be 1 to 520"),
        (["--plot", "chart.gif"], "--plot must name a .svg or .png file"),
        (["--format", "xml"], "xml"),
    ],
)
def test_bad_insights_flags_exit_2_and_write_nothing(
    cli: CliRunner, full: str, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(cli, full, "insights", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "chart.gif").exists()


def test_a_whole_experiment_from_start_to_report(
    cli: CliRunner, empty: str, tmp_path: Path
) -> None:
    started = run(cli, empty, "experiment", "start", "--seed", "5", today="2024-03-01")
    assert started.exit_code == 0, started.stderr
    assert "Experiment 1 planned: 28 nights from the evening of Fri 01 Mar 2024" in started.stdout
    assert started.stderr == ""
    with Journal(empty) as journal:
        (stored,) = experiments(journal)
        first_control = date(2024, 3, 1 + stored.arms.index("C"))
        first_massage = date(2024, 3, 1 + stored.arms.index("M"))
        assert tonight(journal, date(2024, 3, 1)) is not None
        assert tonight(journal, date(2024, 2, 1)) is None
    today = run(cli, empty, "experiment", "today", today=str(first_control))
    assert today.exit_code == 0
    assert "control night: 15 minutes of reading" in today.stdout
    done = run(cli, empty, "experiment", "today", "--done", today=str(first_control))
    assert done.exit_code == 0
    assert "Recorded tonight's control activity" in done.stdout
    refused = run(cli, empty, "experiment", "today", "--done", today=str(first_massage))
    assert refused.exit_code == 1
    assert "massage night" in refused.stderr
    status = run(cli, empty, "experiment", "status", today="2024-03-05")
    assert status.exit_code == 0
    assert "4 of 28 nights done; outcome: minutes to fall asleep (SOL);" in status.stdout
    assert "missing" in status.stdout
    too_early = run(cli, empty, "experiment", "report", "--html", str(tmp_path / "r.html"))
    assert too_early.exit_code == 1
    assert "at least 2 nights with a diary in each arm" in too_early.stderr
    assert not (tmp_path / "r.html").exists()
    stopped = run(cli, empty, "experiment", "stop", "--reason", "flu", today="2024-03-05")
    assert stopped.exit_code == 0
    again = run(cli, empty, "experiment", "stop", today="2024-03-05")
    assert again.exit_code == 1
    assert "no experiment is running" in again.stderr


def test_the_report_command_prints_the_golden_report_and_writes_html(
    cli: CliRunner, full: str, tmp_path: Path
) -> None:
    html = tmp_path / "report.html"
    result = run(cli, full, "experiment", "report", "--html", str(html))
    assert result.exit_code == 0, result.stderr
    written = f"Report written to {html}\n"
    assert result.stdout.endswith(written)
    assert_golden("experiment-report.txt", result.stdout.removesuffix(written))
    assert_golden("experiment-report.html", html.read_text())


def test_a_short_experiment_is_warned_about(cli: CliRunner, empty: str) -> None:
    result = run(cli, empty, "experiment", "start", "--nights", "10", today="2024-03-01")
    assert result.exit_code == 0
    assert "Warning: 10 nights give 5 nights of each kind" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--outcome", "mood"], 1, "'mood' is not recorded by the sleep diary"),
        (["--nights", "1"], 2, "--nights must be 2 to 3660"),
        (["--design", "weeks", "--nights", "21"], 1, "multiple of 14 nights"),
        (["--design", "months"], 2, "months"),
        (["--start", "tomorrow"], 2, "--start must be a date"),
        (["--start", "2024-02-01"], 1, "in the past"),
        (["--minimum", "0"], 1, "--minimum: the smallest change you care about must be above 0"),
        (["--minimum", "nan"], 1, "--minimum: the smallest change you care about must be above 0"),
        (["--minimum", "-5"], 1, "--minimum: "),
        (["--minimum", "ten"], 2, "--minimum"),
        (["--seed", "-3"], 2, "--seed must be a whole number"),
    ],
)
def test_bad_experiment_requests_exit_non_zero_and_store_nothing(
    cli: CliRunner, empty: str, args: list[str], code: int, message: str
) -> None:
    result = run(cli, empty, "experiment", "start", *args, today="2024-03-01")
    assert result.exit_code == code, result.stdout
    assert message in result.stderr
    assert count(empty) == 0


def test_an_experiment_over_a_running_one_is_refused(cli: CliRunner, empty: str) -> None:
    assert run(cli, empty, "experiment", "start", today="2024-03-01").exit_code == 0
    again = run(cli, empty, "experiment", "start", "--outcome", "waso", today="2024-03-03")
    assert again.exit_code == 1
    assert "is still running" in again.stderr
    assert count(empty) == 1


def test_commands_without_an_experiment_say_so(cli: CliRunner, empty: str) -> None:
    for command in ("today", "status", "report", "stop"):
        result = run(cli, empty, "experiment", command)
        assert result.exit_code == 1, command
        assert "experiment" in result.stderr


def test_a_bad_today_is_a_usage_error(cli: CliRunner, empty: str) -> None:
    result = run(cli, empty, "experiment", "today", today="someday")
    assert result.exit_code == 2
    assert "--today must be a date" in result.stderr


def test_a_planned_experiment_says_when_it_starts(cli: CliRunner, empty: str) -> None:
    started = run(cli, empty, "experiment", "start", "--start", "2024-03-10", today="2024-03-01")
    assert "smallest change you care about: 10 min" in started.stdout
    result = run(cli, empty, "experiment", "today", today="2024-03-01")
    assert result.exit_code == 1
    assert "starts on the evening of Sun 10 Mar 2024" in result.stderr
    status = run(cli, empty, "experiment", "status", today="2024-03-01")
    assert "starts on the evening of Sun 10 Mar" in status.stdout


def test_an_experiment_stopped_before_its_first_night_says_stopped(
    cli: CliRunner, empty: str
) -> None:
    """Stopped is for good: it does not say when it starts (the web page says the same)."""
    run(cli, empty, "experiment", "start", "--start", "2024-03-10", today="2024-03-01")
    stopped = run(cli, empty, "experiment", "stop", "--reason", "travel", today="2024-03-01")
    assert stopped.exit_code == 0, stopped.stderr
    status = run(cli, empty, "experiment", "status", today="2024-03-01")
    assert "(stopped)" in status.stdout
    assert "starts on" not in status.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["start", "--control", "read\udcff"], "the control activity is not valid text"),
        (["start", "--control", "read\x1b[2J"], "control activity contains a control character"),
        (["stop", "--reason", "flu\udcff"], "reason: is not valid text"),
        (["stop", "--reason", "\x00"], "reason: contains a NUL character"),
    ],
)
def test_experiment_text_with_odd_bytes_is_refused(
    cli: CliRunner, empty: str, args: list[str], message: str
) -> None:
    if args[0] == "stop":
        assert (
            run(cli, empty, "experiment", "start", "--seed", "5", today="2024-03-01").exit_code == 0
        )
    before = [(e.stopped_at, e.stop_reason) for e in _all(empty)]
    result = run(cli, empty, "experiment", *args, today="2024-03-02")
    assert result.exit_code in (1, 2), result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert [(e.stopped_at, e.stop_reason) for e in _all(empty)] == before


def _all(database: str) -> list[Any]:
    with Journal(database) as journal:
        return list(experiments(journal))


def test_start_says_what_the_plan_can_find_and_suggests_a_length(
    cli: CliRunner, empty: str, full: str
) -> None:
    fresh = run(cli, empty, "experiment", "start", "--nights", "30", today="2024-03-01")
    assert fresh.exit_code == 0, fresh.stderr
    assert "fewer than the 14 needed to use its spread" in fresh.stdout
    assert "assumes a typical spread of 12 min" in fresh.stdout
    assert "62 % with 28 nights, 81 % with 42, 91 % with 56" in fresh.stdout
    assert "With the 30 nights planned:" in fresh.stdout
    assert "Suggested length: 42 nights" in fresh.stdout
    # a journal with weeks of diary uses its own spread (the fixed journal's experiment is
    # over by 2024-03-04, so a new one may start)
    own = run(cli, full, "experiment", "start", "--minimum", "5", today="2024-03-04")
    assert own.exit_code == 0, own.stderr
    assert "From your own diary (" in own.stdout
    assert "a change of 5 min" in own.stdout


def test_preview_says_what_the_plan_can_find_and_stores_nothing(cli: CliRunner, empty: str) -> None:
    result = run(
        cli, empty, "experiment", "start", "--preview", "--nights", "42", today="2024-03-01"
    )
    assert result.exit_code == 0, result.stderr
    assert "62 % with 28 nights, 81 % with 42, 91 % with 56" in result.stdout
    assert "Nothing is stored: run it again without --preview to start." in result.stdout
    assert "planned:" not in result.stdout
    assert _all(empty) == []
    refused = run(cli, empty, "experiment", "start", "--preview", "--minimum", "-3")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("solemate: --minimum: ")
    assert _all(empty) == []


def test_insights_beyond_the_data_say_so_instead_of_printing_empty_weeks(
    cli: CliRunner, full: str
) -> None:
    result = run(cli, full, "insights", "--weeks", "150")
    assert result.exit_code == 0, result.stderr
    assert "so 7 weeks are shown, not 150." in result.stdout
    table = result.stdout.split("\nweek of", 1)[1].split("Trends", 1)[0]
    assert len([line for line in table.splitlines() if line.strip()]) == 1 + 7
    assert " 1 nights" not in result.stdout
    assert "1 sessions" not in result.stdout
