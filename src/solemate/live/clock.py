"""Clocks for the live player. Time is passed in: the player never calls ``time`` itself."""

from __future__ import annotations

import queue
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from solemate.live.commands import Command


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic scale."""
        ...


class Inputs(Protocol):
    def wait(self, clock: Clock, deadline: float) -> Command | None:
        """Block until a command arrives (return it) or ``clock`` reaches ``deadline`` (return None)."""
        ...


class SystemClock:
    """The monotonic clock, optionally running ``speed`` times faster (for demonstrations and tests)."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be above 0, got {speed}")
        self.speed = speed
        self._origin = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self._origin) * self.speed

    def real_seconds_until(self, deadline: float) -> float:
        return max(0.0, (deadline - self.now()) / self.speed)


class QueueInputs:
    """Commands put on a queue by other threads (keyboard, voice), waited for against a SystemClock."""

    def __init__(self) -> None:
        self.queue: queue.Queue[Command] = queue.Queue()

    def put(self, command: Command) -> None:
        self.queue.put(command)

    def wait(self, clock: Clock, deadline: float) -> Command | None:
        assert isinstance(clock, SystemClock)
        while True:
            timeout = clock.real_seconds_until(deadline)
            if deadline == float("inf"):
                timeout = 3600.0
            elif timeout <= 0:
                try:
                    return self.queue.get_nowait()
                except queue.Empty:
                    return None
            try:
                return self.queue.get(timeout=timeout)
            except queue.Empty:
                if deadline != float("inf"):
                    continue


@dataclass
class FakeClock:
    """A clock that only moves when told to: whole sessions run in milliseconds."""

    t: float = 0.0

    def now(self) -> float:
        return self.t


@dataclass
class ScriptedInputs:
    """Commands at chosen clock times, for tests; moves a FakeClock to each deadline or command."""

    script: Sequence[tuple[float, Command]] = ()
    _pending: list[tuple[float, Command]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._pending = sorted(self.script, key=lambda item: item[0])

    def wait(self, clock: Clock, deadline: float) -> Command | None:
        assert isinstance(clock, FakeClock)
        if self._pending and self._pending[0][0] <= deadline:
            at, command = self._pending.pop(0)
            clock.t = max(clock.t, at)
            return command
        if deadline == float("inf"):
            raise RuntimeError(
                "paused with no command left in the script: the session would never end"
            )
        clock.t = max(clock.t, deadline)
        return None
