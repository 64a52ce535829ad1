"""The corpus of broken routine files: each one is rejected with exactly the problems it should have.

``broken/`` holds small files derived from ``minimal.toml`` (plus empty, binary and non-UTF-8 ones);
``expected.toml`` lists, for each, every problem the loader must report (see its header).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from solemate.routine import Problem, RoutineError, load_routine

HERE = Path(__file__).resolve().parent
MINIMAL = HERE / "minimal.toml"
BROKEN = HERE / "broken"
EXPECTED: dict[str, dict[str, Any]] = tomllib.loads((HERE / "expected.toml").read_text("utf-8"))
CORPUS = sorted(p.name for p in BROKEN.iterdir() if p.is_file())

# Run through the real command: the usual kinds of problem and every one that used to escape as a
# traceback (huge-digits, huge-hex, deep-nesting).
CLI_CASES = [
    "empty.toml",
    "binary-garbage.toml",
    "not-utf8.toml",
    "toml-duplicate-key.toml",
    "huge-digits.toml",
    "huge-hex.toml",
    "deep-nesting.toml",
    "several-structural.toml",
    "several-semantic.toml",
]


def _problems(name: str) -> list[Problem]:
    path = BROKEN / name
    with pytest.raises(RoutineError) as caught:
        load_routine(path)
    problems = caught.value.problems
    assert problems, f"{name}: RoutineError without problems"
    for problem in problems:
        assert problem.file == str(path)
    return problems


def _matches(problem: Problem, want: dict[str, Any]) -> bool:
    return (
        problem.path == want["path"]
        and want["message_contains"] in problem.message
        and ("line" not in want or problem.line == want["line"])
    )


def test_the_minimal_routine_is_valid() -> None:
    routine = load_routine(MINIMAL)
    assert [len(step.actions) for step in routine.steps] == [1, 1]
    timed, counted = (step.actions[0] for step in routine.steps)
    assert timed.seconds is not None
    assert timed.repeat is None
    assert counted.repeat is not None
    assert counted.seconds is None


def test_the_corpus_is_large_and_matches_its_expectations() -> None:
    assert len(CORPUS) >= 30
    assert sorted(EXPECTED) == CORPUS, "every broken file needs an entry in expected.toml, and back"
    for name in CORPUS:
        # NAME.xx.toml beside a routine is read as its translation, so corpus files have one dot
        assert name.count(".") == 1, name


@pytest.mark.parametrize("name", CORPUS)
def test_broken_file_reports_every_expected_problem(name: str) -> None:
    expected = EXPECTED[name]
    wanted: list[dict[str, Any]] = expected["problems"]
    assert wanted, f"{name}: expected.toml lists no problem"
    unmatched = list(_problems(name))
    missing = []
    for want in wanted:
        found = next((p for p in unmatched if _matches(p, want)), None)
        if found is None:
            missing.append(want)
        else:
            unmatched.remove(found)
    shown = "\n".join(f"  {p.line}: {p.path}: {p.message}" for p in _problems(name))
    assert not missing, f"{name}: not reported: {missing}\nreported:\n{shown}"
    if not expected.get("extra_ok", False):
        assert not unmatched, f"{name}: unexpected problems: {unmatched}\nreported:\n{shown}"


def test_the_command_says_ok_for_the_minimal_routine(tmp_path: Path) -> None:
    result = _check(MINIMAL, tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"{MINIMAL}: ok: minimal 1.0, 2 steps, 2 actions" in result.stdout


@pytest.mark.parametrize("name", CLI_CASES)
def test_the_command_lists_the_problems_and_exits_1(name: str, tmp_path: Path) -> None:
    path = BROKEN / name
    result = _check(path, tmp_path)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    assert result.stdout == ""
    wanted = EXPECTED[name]["problems"]
    for want in wanted:
        where = f"{path}:{want['line']}" if "line" in want else str(path)
        assert where in result.stderr
        assert want["message_contains"] in result.stderr
    count = len(wanted)
    assert f"solemate: {count} problem{'s' if count != 1 else ''} found." in result.stderr


def _check(path: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOLEMATE_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, "-m", "solemate", "routine", "check", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
