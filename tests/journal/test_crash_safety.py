"""Kill test: a session process SIGKILLed at random moments leaves an honest, intact journal.

Each kill starts a real process running a session (see ``session_runner.py``), kills it with
SIGKILL (no cleanup of any kind runs) at a random point after a random number of step boundaries,
and reopens the journal: the session must be recorded as interrupted at the last step boundary it
wrote, and the integrity check must say ``ok``. The fifty kills run in a few lanes side by side, one database each.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import make_url

from solemate.journal import Journal
from tests.journal.conftest import DatabaseUrls
from tests.journal.session_runner import positions, step_id

ROOT = Path(__file__).resolve().parents[2]
KILLS = 50
# Lanes run side by side, one per CPU (at least two); each lane kills its share in turn.
LANES = max(2, min(5, os.cpu_count() or 2))
KILLS_PER_LANE = -(-KILLS // LANES)
ORDER = {position: index for index, position in enumerate(positions())}


class Runner:
    """The helper process that forks session processes (``session_runner.py serve``)."""

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOLEMATE_")}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.journal.session_runner", "serve"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def _ask(self, line: str) -> int:
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        return int(self._process.stdout.readline())

    def run(self, url: str, seed: int, progress: Path) -> int:
        return self._ask(f"run {url} {seed} {progress}")

    def reap(self, pid: int) -> int:
        return self._ask(f"reap {pid}")

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        assert self._process.wait(timeout=10) == 0


def _wait_for_start(progress: Path) -> int:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        text = progress.read_text() if progress.exists() else ""
        if text.startswith("started ") and text.endswith("\n"):
            return int(text.split("\n")[0].split()[1])
        time.sleep(0.001)
    raise AssertionError("the session process did not start a session")


def _wait_for_boundaries(progress: Path, count: int) -> None:
    """Until the session process has reported ``count`` step boundaries (or finished)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        text = progress.read_text()
        if text.count("\nat ") >= count or "finished" in text:
            return
        time.sleep(0.0005)
    raise AssertionError(f"the session process did not reach {count} boundaries")


MOST_BOUNDARIES = 60
"""Each kill waits for a random number of boundaries up to this, then a random moment more: the
kills spread over many points however busy the machine is (a wait in seconds bunched them at the
first few boundaries when the session process got little CPU)."""


def _kill_once(runner: Runner, url: str, progress: Path, rng: random.Random) -> int:
    """Run, kill and check one session; returns the index of the boundary it stopped at."""
    pid = runner.run(url, rng.randrange(2**32), progress)
    session_id = _wait_for_start(progress)
    _wait_for_boundaries(progress, rng.randrange(MOST_BOUNDARIES))
    time.sleep(rng.uniform(0.0, 0.004))  # anywhere between two boundaries, or in a commit
    os.kill(pid, signal.SIGKILL)
    status = runner.reap(pid)
    assert os.WIFSIGNALED(status), status
    assert os.WTERMSIG(status) == signal.SIGKILL, status
    lines = progress.read_text().splitlines()
    progress.unlink()
    printed = [line.split()[1:] for line in lines if line.startswith("at ")]
    last_printed = ORDER[(printed[-1][0], int(printed[-1][1]))] if printed else -1

    with Journal(url) as journal:
        assert session_id in journal.recovered
        session = journal.session(session_id)
        assert session.status == "interrupted"
        assert session.ended_at is not None
        if session.foot is None:
            stored = -1
        else:
            assert session.step_index is not None
            stored = ORDER[(session.foot, session.step_index)]
            assert session.step_id == step_id(session.foot, session.step_index)  # not torn
        # The last boundary it reported, or the next one if it was killed between committing
        # that boundary and saying so.
        assert stored in (last_printed, last_printed + 1), (stored, last_printed)
        assert journal.integrity_check() == "ok"
    return stored


def _lane(url: str, seed: int, progress: Path) -> list[int]:
    rng = random.Random(seed)
    runner = Runner()
    try:
        return [_kill_once(runner, url, progress, rng) for _ in range(KILLS_PER_LANE)]
    finally:
        runner.close()


@pytest.mark.slow
def test_sigkill_mid_session_leaves_it_interrupted_at_the_last_boundary(
    database_urls: DatabaseUrls, tmp_path: Path
) -> None:
    seed = random.randrange(2**32)
    urls = [database_urls.new() for _ in range(LANES)]
    for url in urls:  # migrate first, so every kill lands in a session, not in a migration
        Journal(url).close()
    progress = [tmp_path / f"progress-{lane}.txt" for lane in range(LANES)]
    with ThreadPoolExecutor(LANES) as pool:
        seeds = [seed + lane for lane in range(LANES)]
        stopped = [i for lane in pool.map(_lane, urls, seeds, progress) for i in lane]
    assert len(stopped) == LANES * KILLS_PER_LANE >= KILLS, f"seed {seed}"
    # The kills landed at many different points, not all before the first step.
    assert len(set(stopped)) > 10, f"seed {seed}: {stopped}"
    for url in urls:
        with Journal(url) as journal:
            sessions = journal.sessions()
            assert len(sessions) == KILLS_PER_LANE
            assert {s.status for s in sessions} == {"interrupted"}
        if database_urls.backend == "sqlite":
            path = make_url(url).database
            assert path is not None
            with sqlite3.connect(path) as db:
                assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
