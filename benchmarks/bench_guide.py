"""Cue timing of the live guide on the real clock, against a player that chains ``time.sleep``.

1. A 12-minute plan compressed 20× (36 s of real time) through the real Player and SystemClock, each
   cue stamped with ``time.monotonic()`` by a recording sink; the baseline sleeps from cue to cue in
   the same run. Errors are in real milliseconds: |actual − planned|.
2. Deadline to first audio sample: each cue of the plan, with its speech prepared ahead the way the
   player does it, handed to the sound sink at its deadline; a stand-in device pulls 10 ms blocks as
   a sound card would; the time until the clip's first sample is handed over is measured.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Sequence

from benchmarks.harness import write_section
from solemate.audio.speech import SpeechEngine
from solemate.live.clock import QueueInputs, SystemClock
from solemate.live.player import ChimeKind, Player, View
from solemate.live.sound import Mixer, SoundSink
from solemate.plan import plan
from solemate.routine import builtin_routine
from solemate.timeline import Cue, Segment, Timeline

SPEED = 20.0
DEVICE_PERIOD = 0.010  # seconds of audio a device asks for at a time


class StampingSink:
    def __init__(self) -> None:
        self.stamps: list[tuple[float, Cue]] = []

    def cue(self, cue: Cue, segment: Segment) -> None:
        self.stamps.append((time.monotonic(), cue))

    def tick(self, cue: Cue, segment: Segment) -> None:
        self.stamps.append((time.monotonic(), cue))

    def chime(self, kind: ChimeKind) -> None:
        pass

    def prepare(self, cues: Sequence[Cue]) -> None:
        pass

    def show(self, view: View) -> None:
        pass

    def notice(self, text: str) -> None:
        pass

    def cut(self) -> None:
        pass

    def close(self) -> None:
        pass


def run_player(timeline: Timeline) -> tuple[list[float], float]:
    sink = StampingSink()
    clock = SystemClock(SPEED)
    start = time.monotonic()
    Player(timeline, clock, QueueInputs(), [sink]).run()
    end = time.monotonic()
    errors = [abs(at - (start + cue.at / SPEED)) * 1e3 for at, cue in sink.stamps]
    return errors, (end - (start + timeline.total / SPEED)) * 1e3


def run_sleep_chain(timeline: Timeline) -> tuple[list[float], float]:
    """The naive player: sleep for the gap to the next cue, then say it."""
    sink = StampingSink()
    start = time.monotonic()
    previous = 0
    segments = {cue: segment for segment in timeline.segments for cue in segment.cues}
    for cue in timeline.cues:
        time.sleep((cue.at - previous) / SPEED)
        previous = cue.at
        sink.cue(cue, segments[cue])
    time.sleep((timeline.total - previous) / SPEED)
    end = time.monotonic()
    errors = [abs(at - (start + cue.at / SPEED)) * 1e3 for at, cue in sink.stamps]
    return errors, (end - (start + timeline.total / SPEED)) * 1e3


class PacedDevice:
    """Pulls blocks from the mixer every DEVICE_PERIOD, like a sound card's callback."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, mixer: Mixer) -> None:
        frames = round(22050 * DEVICE_PERIOD)

        def pull() -> None:
            next_at = time.monotonic()
            while not self._stop.is_set():
                mixer.read(frames)
                next_at += DEVICE_PERIOD
                time.sleep(max(0.0, next_at - time.monotonic()))

        self._thread = threading.Thread(target=pull, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()


def first_sample_latencies(timeline: Timeline) -> list[float]:
    device = PacedDevice()
    sink = SoundSink(SpeechEngine(), chimes=False, output=device)
    latencies = []
    cues = list(timeline.cues)
    for i, cue in enumerate(cues):
        sink.prepare(cues[i + 1 : i + 5])
        sink.prepare([cue])
        time.sleep(0.05)  # the gap before the deadline, in which the player prepares ahead
        before = len(sink.mixer.started)
        deadline = time.monotonic()
        sink.cue(cue, timeline.segments[0])
        while len(sink.mixer.started) == before:
            time.sleep(0.0002)
        latencies.append((sink.mixer.started[before] - deadline) * 1e3)
        sink.mixer.cut_voice()
    sink.close()
    return latencies


def summary(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99, ordered[-1]


def main() -> None:
    timeline = plan(builtin_routine())
    player_errors, player_drift = run_player(timeline)
    sleep_errors, sleep_drift = run_sleep_chain(timeline)
    latencies = first_sample_latencies(timeline)
    p50, p99, worst = summary(player_errors)
    b50, b99, bworst = summary(sleep_errors)
    l50, l99, lworst = summary(latencies)
    body = "\n".join(
        [
            f"{len(player_errors)} cues of the 12-minute nightly plan at {SPEED:g}× speed "
            f"({timeline.total / SPEED:.0f} s of real time per run), errors in real milliseconds.",
            "",
            "| player | p50 | p99 | max | drift at the end |",
            "|---|---|---|---|---|",
            f"| solemate (absolute deadlines) | {p50:.2f} ms | {p99:.2f} ms | {worst:.2f} ms | {player_drift:+.2f} ms |",
            f"| baseline: chained `time.sleep` | {b50:.2f} ms | {b99:.2f} ms | {bworst:.2f} ms | {sleep_drift:+.2f} ms |",
            "",
            f"Ratio of p99 errors (baseline / solemate): {b99 / max(p99, 1e-6):.1f}×. "
            "Goals: p99 under 5 ms, end drift under 2 ms.",
            "",
            f"Deadline to first audio sample, speech prepared ahead, {len(latencies)} cues, a device "
            f"pulling {DEVICE_PERIOD * 1e3:.0f} ms blocks: p50 {l50:.2f} ms, p99 {l99:.2f} ms, "
            f"max {lworst:.2f} ms (goal: p99 under 20 ms).",
        ]
    )
    write_section("guide", "Live guide: cue timing on the real clock", body)
    print(body)


if __name__ == "__main__":
    main()
