"""Massage sessions run as fast as the journal allows, for the kill test to SIGKILL.

``python -m tests.journal.session_runner serve`` starts a helper that imports solemate once and
then, for each ``run URL SEED PROGRESS`` line on stdin, forks a process that opens the journal,
starts a session and walks its step boundaries, and answers with that process's pid. A ``reap
PID`` line waits for the process and answers with its wait status. Forking from a helper that has
only imported the package keeps each killed process a fresh one (it opens its own journal) without
paying the interpreter's start-up fifty times.

The session process appends ``started <id>`` and then ``at <foot> <step>`` to the PROGRESS file
after each boundary is committed, pausing a random few milliseconds "mid-step" in between. Lines
written before a SIGKILL survive it: they are already in the kernel's page cache.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Iterator

from solemate.journal import Journal

STEPS_PER_FOOT = 2000


def positions() -> Iterator[tuple[str, int]]:
    """Every step boundary in order: the whole left foot, then the right."""
    for foot in ("left", "right"):
        for step in range(STEPS_PER_FOOT):
            yield foot, step


def step_id(foot: str, step: int) -> str:
    return f"{foot}-{step}"


def run_session(url: str, seed: int, progress_path: str) -> None:
    rng = random.Random(seed)
    with open(progress_path, "a", buffering=1) as progress, Journal(url) as journal:
        session_id = journal.start_session("evening", "kill-test", planned_seconds=720)
        progress.write(f"started {session_id}\n")
        for foot, step in positions():
            journal.advance_session(session_id, foot, step, step_id(foot, step))
            progress.write(f"at {foot} {step}\n")
            time.sleep(rng.uniform(0, 0.003))
        journal.finish_session(session_id)
        progress.write("finished\n")


def warm_up() -> None:
    """Run one session in memory, so each forked process starts with SQLAlchemy's one-time set-up
    (dialect imports, mapper configuration) done and reaches its first step quickly."""
    with Journal("sqlite://") as journal:
        session_id = journal.start_session("evening", "warm-up", planned_seconds=1)
        journal.advance_session(session_id, "left", 0, step_id("left", 0))
        journal.finish_session(session_id)


def serve() -> None:
    warm_up()
    for line in sys.stdin:
        command, *args = line.split()
        if command == "run":
            url, seed, progress_path = args
            pid = os.fork()
            if pid == 0:
                status = 0
                try:
                    run_session(url, int(seed), progress_path)
                except BaseException:
                    status = 1
                    raise
                finally:
                    os._exit(status)
            print(pid, flush=True)
        elif command == "reap":
            _, status = os.waitpid(int(args[0]), 0)
            print(status, flush=True)


if __name__ == "__main__":
    serve()
