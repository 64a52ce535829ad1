"""A bounded soak: `solemate serve` under a mix of requests for a while, watching memory and errors.

One server process (the command a person runs, on a SQLite journal of its own) and a few client
threads, each looping over what a phone does in an evening and a morning: the plan, the pages,
a safety screen, a session started, advanced step by step, finished and rated, a diary night
written, read back and deleted, the journal exported, and some requests that must be refused
(an unknown session, a date that is not a date). The server's resident memory is sampled every
few seconds from ``/proc``.

Reported: requests per kind, 5xx answers and broken connections (both must be zero), refusals
that were not the expected 4xx, and memory growth from the end of the warm-up (the first tenth)
to the end. Goal: no errors, growth under 20 MB over the run.

``SOLEMATE_BENCH_SOAK_SECONDS`` sets the length (default 600); tests call :func:`soak` for a few
seconds.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import http.cookiejar
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.harness import write_section

DURATION_S = float(os.environ.get("SOLEMATE_BENCH_SOAK_SECONDS", "600"))
CLIENTS = 4
SAMPLE_EVERY_S = 2.0
GOAL_GROWTH_MB = 20.0


@dataclasses.dataclass
class Tally:
    """What the clients saw, by kind of request; shared by the client threads under a lock."""

    requests: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    server_errors: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    unexpected: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    broken: int = 0
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def count(self, kind: str, status: int, expected: tuple[int, ...]) -> None:
        with self.lock:
            self.requests[kind] += 1
            if status >= 500:
                self.server_errors[kind] += 1
            elif status not in expected:
                self.unexpected[f"{kind} {status}"] += 1


@dataclasses.dataclass(frozen=True)
class SoakResult:
    seconds: float
    requests: dict[str, int]
    server_errors: int
    broken_connections: int
    unexpected: dict[str, int]
    rss_mb: tuple[float, ...]  # sampled every SAMPLE_EVERY_S seconds

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def growth_mb(self) -> float:
        """Resident memory at the end minus at the end of the warm-up (the first tenth)."""
        if len(self.rss_mb) < 2:
            return 0.0
        warm = self.rss_mb[max(1, len(self.rss_mb) // 10)]
        return self.rss_mb[-1] - warm


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "SOLEMATE_DATA_DIR": str(folder / "data"),
        "XDG_CACHE_HOME": str(folder / "cache"),
    }
    env.pop("SOLEMATE_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "solemate", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                _, err = process.communicate()
                raise RuntimeError(f"solemate serve did not start: {err.decode()}") from None
            time.sleep(0.1)


class _Client:
    """One phone: a cookie jar, a CSRF token, and the evening's requests in a loop."""

    def __init__(self, url: str, tally: Tally, number: int) -> None:
        self.url = url
        self.tally = tally
        self.number = number
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.token = ""

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        body: object = None,
        expected: tuple[int, ...] = (200, 201, 204),
    ) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"content-type": "application/json", "x-csrf-token": self.token},
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        except OSError:
            with self.tally.lock:
                self.tally.broken += 1
            return None
        self.tally.count(kind, status, expected)
        if status in (200, 201) and payload[:1] in (b"{", b"["):
            return json.loads(payload)
        return None

    def evening(self, round_number: int) -> None:
        from solemate.safety import QUESTIONS

        if not self.token:
            self.token = (self.call("csrf", "GET", "/api/csrf") or {}).get("token", "")
        self.call("page", "GET", "/")
        self.call("plan", "GET", "/api/plan?minutes=12")
        self.call("safety", "POST", "/api/safety", {"answers": {q.id: False for q in QUESTIONS}})
        self.call("tonight", "POST", "/api/safety/tonight", {"new": []})  # nothing new tonight
        started = self.call("start", "POST", "/api/sessions", {"minutes": 12, "before_stress": 6})
        if started is not None:
            session = started["session"]["id"]
            for segment in range(0, len(started["timeline"]["segments"]), 3):
                # Another phone may have started a session since: 409 is the answer then.
                self.call(
                    "progress",
                    "POST",
                    f"/api/sessions/{session}/progress",
                    {"segment": segment},
                    (200, 409),
                )
            self.call(
                "finish",
                "POST",
                f"/api/sessions/{session}/finish",
                {"status": "completed"},
                (200, 409),
            )
            self.call(
                "rate",
                "POST",
                f"/api/sessions/{session}/ratings",
                {"moment": "after", "stress": 3},
            )
        self.call("sessions", "GET", "/api/sessions?last=20")
        # A morning, kept apart per client so two never write the same night.
        wake = dt.date.today() - dt.timedelta(days=1 + self.number * 500 + round_number % 400)
        night = {
            "wake_date": wake.isoformat(),
            "zone": "Europe/Berlin",
            "into_bed": "23:05",
            "tried_to_sleep": "23:15",
            "sol_min": 20,
            "awakenings": 1,
            "waso_min": 10,
            "final_awakening": "06:40",
            "out_of_bed": "07:00",
            "quality": 4,
            "comments": f"soak {round_number}",
        }
        self.call("sleep", "POST", "/api/sleep", night)
        self.call("defaults", "GET", f"/api/sleep/defaults?wake_date={wake.isoformat()}")
        self.call("sleep-list", "GET", "/api/sleep?last=14")
        self.call("sleep-delete", "DELETE", f"/api/sleep/{wake.isoformat()}")
        if round_number % 5 == 0:
            self.call("export", "GET", "/api/export")
        self.call("refused", "GET", "/api/sessions/999999999", expected=(404,))
        self.call("refused", "GET", "/api/sleep/defaults?wake_date=-1.19e-07", expected=(422,))
        self.call("refused", "POST", "/api/sleep", {**night, "wake_date": 0}, expected=(422,))


def soak(seconds: float, clients: int = CLIENTS) -> SoakResult:
    """Run the server under the mix for ``seconds`` with ``clients`` threads; the figures."""
    folder = Path(tempfile.mkdtemp(prefix="solemate-bench-soak-"))
    process, url = _start_server(folder)
    tally = Tally()
    samples: list[float] = [_rss_mb(process.pid)]
    stop = time.monotonic() + seconds
    started = time.monotonic()

    def loop(number: int) -> None:
        client = _Client(url, tally, number)
        round_number = 0
        while time.monotonic() < stop:
            client.evening(round_number)
            round_number += 1

    threads = [threading.Thread(target=loop, args=(n,), daemon=True) for n in range(clients)]
    try:
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            time.sleep(min(SAMPLE_EVERY_S, max(0.05, stop - time.monotonic())))
            if process.poll() is not None:
                break
            samples.append(_rss_mb(process.pid))
        for thread in threads:
            thread.join(timeout=60)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(folder, ignore_errors=True)
    return SoakResult(
        seconds=time.monotonic() - started,
        requests=dict(tally.requests),
        server_errors=sum(tally.server_errors.values()),
        broken_connections=tally.broken,
        unexpected=dict(tally.unexpected),
        rss_mb=tuple(samples),
    )


def report(result: SoakResult) -> str:
    kinds = "\n".join(f"| {kind} | {count:,} |" for kind, count in sorted(result.requests.items()))
    unexpected = ", ".join(f"{k}: {n}" for k, n in sorted(result.unexpected.items())) or "none"
    peak = max(result.rss_mb, default=0.0)
    verdict = (
        "met"
        if result.server_errors == 0
        and result.broken_connections == 0
        and result.growth_mb < GOAL_GROWTH_MB
        else "**not met**"
    )
    return f"""
`solemate serve` on a SQLite journal, {CLIENTS} client threads for {result.seconds / 60:.1f} min:
{result.total:,} requests ({result.total / result.seconds:.0f}/s), {result.server_errors} answered
5xx, {result.broken_connections} broken connections; unexpected answers: {unexpected}.

Server memory (RSS): {result.rss_mb[0]:.1f} MB at start, {peak:.1f} MB at most,
{result.rss_mb[-1]:.1f} MB at the end: **{result.growth_mb:+.1f} MB** after the warm-up
(goal: under {GOAL_GROWTH_MB:.0f} MB, no errors: {verdict}).

| request | count |
|---|---|
{kinds}
"""


def main() -> None:
    result = soak(DURATION_S)
    path = write_section("soak", "Soak: `solemate serve` under mixed requests", report(result))
    print(report(result))
    print(f"wrote {path}")
