"""The web app under load with `wrk` on loopback, against a bare Starlette app in the same run.

Each server runs in its own process under uvicorn (one worker, the same settings), so the client and
the servers do not share an interpreter. Measured: requests per second and p99 latency for
``GET /api/plan?minutes=12`` (a repeated query, answered from the app's memory of past answers),
``GET /api/plan`` with distinct queries on a copy of the app with its plan caches off (each answer
planned anew), the player page and ``POST /api/sessions/{id}/progress``, at 16 and 64 connections,
three runs each (the table gives the median, the /api/plan p99 goal is held run by run); and what a
phone downloads on its first visit of the player page, counted in Debian's Chromium with the
service worker's precache (cue audio counted apart).

Goals (issues 6 and 14): /api/plan at least half the bare app's throughput, p99 under 50 ms at 64
connections in every run, zero errors; the first visit under 150 KB with no URL downloaded twice.
"""

from __future__ import annotations

import http.cookiejar
import json
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.harness import write_section

DURATION_S = int(os.environ.get("SOLEMATE_BENCH_WEB_SECONDS", "5"))
REPEATS = 3
CONNECTIONS = (16, 64)
THREADS = 2

# The baseline serves a fixed JSON body of the same bytes as /api/plan?minutes=12 (planned once,
# at start-up), so the comparison is of everything but the bytes on the wire.
BARE_APP = """
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
from solemate.plan import PlanOptions, plan
from solemate.routine import builtin_routine
BODY = plan(builtin_routine(), PlanOptions(minutes=12)).to_json(indent=None).encode()
async def fixed(request):
    return Response(BODY, media_type="application/json")
app = Starlette(routes=[Route("/", fixed)])
"""

SOLEMATE_APP = """
import os
from pathlib import Path
from solemate.web import WebConfig, create_app
folder = Path(os.environ["BENCH_DIR"])
app = create_app(WebConfig(data_dir=folder / "data",
                           database_url=f"sqlite:///{folder / 'journal.sqlite3'}",
                           speech_cache_dir=folder / "speech"))
"""

# The same app with both plan caches off: every request is planned and serialised anew.
SOLEMATE_APP_UNCACHED = (
    SOLEMATE_APP
    + """
from solemate.tonight import Planner
class _Forgets(dict):
    def __setitem__(self, key, value):
        pass
services = app.state.services
services.plan_answers = _Forgets()
services.planner = Planner(services.planner.routine, size=0)
"""
)

# 48 distinct queries in turn (length, voice, wording, first foot).
DISTINCT_PLAN_LUA = """
counter = 0
request = function()
  counter = counter + 1
  local minutes = 10 + counter % 6
  local voice = (math.floor(counter / 6) % 2 == 0) and "self" or "partner"
  local wording = (math.floor(counter / 12) % 2 == 0) and "full" or "brief"
  local foot = (math.floor(counter / 24) % 2 == 0) and "left" or "right"
  return wrk.format(nil, "/api/plan?minutes=" .. minutes .. "&voice=" .. voice ..
                    "&wording=" .. wording .. "&first_foot=" .. foot)
end
"""

POST_LUA = """
wrk.method = "POST"
wrk.body = '{"segment": 7}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-CSRF-Token"] = "%(token)s"
wrk.headers["Cookie"] = "solemate_csrf=%(token)s"
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    folder: Path, module_source: str, name: str
) -> tuple[subprocess.Popen[bytes], str]:
    (folder / f"{name}.py").write_text(module_source)
    port = free_port()
    env = {**os.environ, "BENCH_DIR": str(folder), "PYTHONPATH": str(folder)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            f"{name}:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--no-server-header",
        ],
        env=env,
        cwd=folder,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"{name} did not start") from None
            time.sleep(0.1)
    return process, url


def prepare_session(url: str) -> tuple[str, int]:
    """A safety screen and a session in progress, through the API; returns (token, session id)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = json.load(opener.open(f"{url}/api/csrf"))["token"]

    def post(path: str, body: object) -> dict[str, object]:
        request = urllib.request.Request(
            url + path,
            data=json.dumps(body).encode(),
            headers={"content-type": "application/json", "x-csrf-token": token},
            method="POST",
        )
        answer: dict[str, object] = json.load(opener.open(request))
        return answer

    from solemate.safety import QUESTIONS

    post("/api/safety", {"answers": {q.id: False for q in QUESTIONS}})
    post("/api/safety/tonight", {"new": []})
    session = post("/api/sessions", {"minutes": 12})["session"]
    assert isinstance(session, dict)
    return token, int(session["id"])


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip()).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, connections: int, script: Path | None = None) -> dict[str, float]:
    command = ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{DURATION_S}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = (int(bad.group(1)) if bad else 0) + (
        sum(int(g) for g in sockets.groups()) if sockets else 0
    )
    if sockets and int(sockets.group(4)) > 0:
        # wrk leaves requests it gave up on (after 2 s) out of its latencies: the p99 is above that.
        p99 = math.inf
    return {"rps": rps, "p99": p99, "errors": errors, "requests": total}


def measure(url: str, connections: int, script: Path | None = None) -> dict[str, Any]:
    runs = [wrk(url, connections, script) for _ in range(REPEATS)]
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p99": statistics.median(r["p99"] for r in runs),
        "p99_runs": [r["p99"] for r in runs],
        "errors": sum(r["errors"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
    }


def ms(value: float) -> str:
    return "> 2 s (timeouts)" if math.isinf(value) else f"{value:.1f} ms"


def first_visit_of_player(url: str) -> Any:
    """The first visit of the player page in Chromium, or None where there is no Chromium."""
    try:
        from playwright.sync_api import sync_playwright
        from tests.web.browser import ARGS, CHROMIUM

        from benchmarks.web_first_visit import first_visit
    except ImportError:
        return None
    if not Path(CHROMIUM).exists():
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            return first_visit(browser, url)
        finally:
            browser.close()


PLAN_REPEATED = "`GET /api/plan?minutes=12` (repeated query)"
PLAN_DISTINCT = "`GET /api/plan`, 48 distinct queries, plan caches off"


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("bench_web needs wrk (apt-get install wrk)")
    folder = Path(tempfile.mkdtemp(prefix="solemate-bench-web-"))
    load_before = os.getloadavg()
    bare, bare_url = start_server(folder, BARE_APP, "bare_app")
    web, web_url = start_server(folder, SOLEMATE_APP, "solemate_app")
    uncached, uncached_url = start_server(folder, SOLEMATE_APP_UNCACHED, "solemate_uncached")
    try:
        token, session_id = prepare_session(web_url)
        script = folder / "progress.lua"
        script.write_text(POST_LUA % {"token": token})
        distinct = folder / "distinct.lua"
        distinct.write_text(DISTINCT_PLAN_LUA)
        targets = [
            ("bare Starlette, the same JSON fixed (baseline)", bare_url + "/", None),
            (PLAN_REPEATED, web_url + "/api/plan?minutes=12", None),
            (PLAN_DISTINCT, uncached_url + "/api/plan", distinct),
            ("player page `GET /play`", web_url + f"/play?session={session_id}", None),
            (
                "`POST /api/sessions/{id}/progress`",
                web_url + f"/api/sessions/{session_id}/progress",
                script,
            ),
        ]
        results: dict[tuple[str, int], dict[str, Any]] = {}
        for name, target, lua in targets:
            for connections in CONNECTIONS:
                results[(name, connections)] = measure(target, connections, lua)
                r = results[(name, connections)]
                print(
                    f"{name:45s} c={connections:3d}  {r['rps']:8.0f} req/s  p99 {r['p99']:7.2f} ms"
                    f"  errors {r['errors']:.0f}",
                    flush=True,
                )
        visit = first_visit_of_player(web_url + f"/play?session={session_id}")
    finally:
        for process in (bare, web, uncached):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # a track still rendering for the first visit
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    load_after = os.getloadavg()

    baseline = {c: results[(targets[0][0], c)]["rps"] for c in CONNECTIONS}
    rows = [
        "| endpoint | connections | requests/s | vs bare app | p99 latency (median; each run) | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, _, _ in targets:
        for c in CONNECTIONS:
            r = results[(name, c)]
            each = ", ".join(ms(v) for v in r["p99_runs"])
            rows.append(
                f"| {name} | {c} | {r['rps']:,.0f} | {r['rps'] / baseline[c]:.2f}× | "
                f"{ms(r['p99'])} ({each}) | {r['errors']:.0f} of {r['requests']:,.0f} |"
            )

    def verdict(met: bool) -> str:
        return "met" if met else "not met"

    verdicts = []
    for name in (PLAN_REPEATED, PLAN_DISTINCT):
        ratio = min(results[(name, c)]["rps"] / baseline[c] for c in CONNECTIONS)
        runs = results[(name, 64)]["p99_runs"]
        verdicts += [
            f"- {name}: throughput at least half the bare app's: **{verdict(ratio >= 0.5)}** "
            f"(lowest ratio {ratio:.2f}×).",
            f"- {name}: p99 under 50 ms at 64 connections in each of {REPEATS} runs: "
            f"**{verdict(max(runs) < 50)}** ({', '.join(ms(v) for v in runs)}).",
        ]
    play = results[(targets[3][0], 64)]
    verdicts.append(
        f"- Player page p99 at 64 connections (no goal; was 132–295 ms): {ms(play['p99'])} "
        f"({', '.join(ms(v) for v in play['p99_runs'])})."
    )
    all_errors = sum(r["errors"] for r in results.values())
    verdicts.append(
        f"- Zero errors: **{verdict(all_errors == 0)}** ({all_errors:.0f} errors in all runs)."
    )
    if visit is None:
        verdicts.append(
            "- First visit of the player page: not measured (no Chromium or Playwright here)."
        )
    else:
        twice = visit.downloaded_twice()
        from_cache = sum(1 for f in visit.fetches if f.transferred == 0)
        by_worker = sum(1 for f in visit.fetches if f.by_worker)
        verdicts += [
            f"- First visit of the player page under 150 KB: **{verdict(visit.total < 150_000)}** "
            f"({visit.total / 1000:.1f} KB over the network, headers included, in "
            f"{len(visit.fetches)} requests: {by_worker} by the service worker, {from_cache} of "
            f"them answered by the browser's cache). Largest: "
            + ", ".join(
                f"{f.path.split('?')[0]} {f.transferred / 1000:.1f}"
                for f in sorted(visit.fetches, key=lambda f: -f.transferred)[:6]
            )
            + f" KB. Cue audio, counted apart: {len(visit.audio)} requests.",
            f"- No URL downloaded twice on the first visit: **{verdict(not twice)}**"
            + (f" ({', '.join(twice)})." if twice else "."),
        ]
    body = (
        f"`wrk -t{THREADS} -c{{16,64}} -d{DURATION_S}s --latency` on loopback, {REPEATS} runs per "
        "figure (the median in the table, each run's p99 beside it). Servers: uvicorn, one worker, "
        "asyncio + h11, no access log, each in its own process; wrk and the servers share the "
        "machine's cores. The baseline answers every request with the same bytes "
        "`/api/plan?minutes=12` returns (40 KB of Timeline JSON), fixed at start-up, so the ratio "
        "compares everything but the bytes. The repeated `/api/plan` query is answered from the "
        "app's memory of past answers, so it measures the guard and the routing; the distinct "
        "queries go to a copy of the app with both plan caches off, so each is planned and "
        "serialised. The solemate app runs with its whole guard (host check, CSRF, size limit, "
        "security headers) and a SQLite journal; `/progress` writes a step boundary to the journal "
        "on every request. The first visit is counted in Debian's Chromium on a phone-sized "
        "page, from a fresh profile until the service worker controls the page and the network "
        f"is quiet. Load average (1, 5, 15 min) before: {', '.join(f'{v:.2f}' for v in load_before)}; "
        f"after: {', '.join(f'{v:.2f}' for v in load_after)}.\n\n"
        + "\n".join(rows)
        + "\n\n"
        + "\n".join(verdicts)
    )
    write_section("web", "Web app under load (wrk)", body)


if __name__ == "__main__":
    main()
