"""The web app under load with `wrk` on loopback, against a bare Starlette app in the same run.

Each server runs in its own process under uvicorn (one worker, the same settings), so the client and
the servers do not share an interpreter. Measured: requests per second and p99 latency for
``GET /api/plan?minutes=12``, the player page and ``POST /api/sessions/{id}/progress``, at 16 and
64 connections, each a median of three runs; and the bytes a phone downloads for the player page
(HTML, styles, scripts, manifest; cue audio excluded).

Goals (issue 6): /api/plan at least half the bare app's throughput, p99 under 50 ms at 64
connections, zero errors; the player page under 150 KB.
"""

from __future__ import annotations

import http.cookiejar
import json
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
    return {"rps": rps, "p99": p99, "errors": errors, "requests": total}


def measure(url: str, connections: int, script: Path | None = None) -> dict[str, float]:
    runs = [wrk(url, connections, script) for _ in range(REPEATS)]
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p99": statistics.median(r["p99"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
    }


def player_page_bytes(url: str) -> tuple[int, list[tuple[str, int]]]:
    """Bytes of the player page and everything it loads (audio excluded), as a browser fetches them."""
    files: list[tuple[str, int]] = []
    seen: set[str] = set()

    def fetch(path: str) -> str:
        with urllib.request.urlopen(url + path) as response:
            data = response.read()
        files.append((path.split("?")[0], len(data)))
        return str(data.decode("utf-8", "replace"))

    html = fetch("/play?session=1")
    queue = re.findall(r'(?:src|href)="(/(?:static/[^"]+|manifest\.webmanifest))"', html)
    while queue:
        path = queue.pop(0)
        if path.split("?")[0] in seen:
            continue
        seen.add(path.split("?")[0])
        text = fetch(path)
        if path.split("?")[0].endswith(".js"):
            queue += [f"/static/{name}" for name in re.findall(r'from "\./([\w-]+\.js)"', text)]
    return sum(size for _, size in files), files


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("bench_web needs wrk (apt-get install wrk)")
    folder = Path(tempfile.mkdtemp(prefix="solemate-bench-web-"))
    bare, bare_url = start_server(folder, BARE_APP, "bare_app")
    web, web_url = start_server(folder, SOLEMATE_APP, "solemate_app")
    try:
        token, session_id = prepare_session(web_url)
        script = folder / "progress.lua"
        script.write_text(POST_LUA % {"token": token})
        targets = [
            ("bare Starlette, the same JSON fixed (baseline)", bare_url + "/", None),
            ("`GET /api/plan?minutes=12`", web_url + "/api/plan?minutes=12", None),
            ("player page `GET /play`", web_url + f"/play?session={session_id}", None),
            (
                "`POST /api/sessions/{id}/progress`",
                web_url + f"/api/sessions/{session_id}/progress",
                script,
            ),
        ]
        results: dict[tuple[str, int], dict[str, float]] = {}
        for name, target, lua in targets:
            for connections in CONNECTIONS:
                results[(name, connections)] = measure(target, connections, lua)
                r = results[(name, connections)]
                print(
                    f"{name:45s} c={connections:3d}  {r['rps']:8.0f} req/s  p99 {r['p99']:7.2f} ms"
                    f"  errors {r['errors']:.0f}",
                    flush=True,
                )
        page_bytes, page_files = player_page_bytes(web_url)
        with urllib.request.urlopen(f"{web_url}/api/sessions/{session_id}") as response:
            session_doc = len(response.read())
    finally:
        for process in (bare, web):
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)

    baseline = {c: results[(targets[0][0], c)]["rps"] for c in CONNECTIONS}
    rows = [
        "| endpoint | connections | requests/s | vs bare app | p99 latency | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, _, _ in targets:
        for c in CONNECTIONS:
            r = results[(name, c)]
            rows.append(
                f"| {name} | {c} | {r['rps']:,.0f} | {r['rps'] / baseline[c]:.2f}× | "
                f"{r['p99']:.1f} ms | {r['errors']:.0f} of {r['requests']:,.0f} |"
            )
    plan64 = results[(targets[1][0], 64)]
    plan_ratio = min(results[(targets[1][0], c)]["rps"] / baseline[c] for c in CONNECTIONS)
    all_errors = sum(r["errors"] for r in results.values())
    verdicts = [
        f"- `/api/plan` throughput at least half the bare app's: **{'met' if plan_ratio >= 0.5 else 'missed'}** "
        f"(lowest ratio {plan_ratio:.2f}×).",
        f"- `/api/plan` p99 under 50 ms at 64 connections: **{'met' if plan64['p99'] < 50 else 'missed'}** "
        f"({plan64['p99']:.1f} ms).",
        f"- Zero errors: **{'met' if all_errors == 0 else 'missed'}** ({all_errors:.0f} errors in all runs).",
        f"- Player page under 150 KB transferred: **{'met' if page_bytes < 150_000 else 'missed'}** "
        f"({page_bytes / 1000:.1f} KB uncompressed in {len(page_files)} files: "
        + ", ".join(f"{p} {s / 1000:.1f}" for p, s in page_files)
        + f"). The session itself (`GET /api/sessions/{{id}}`, the Timeline and the cue-audio index) "
        f"is {session_doc / 1000:.1f} KB more, fetched once; cue audio is excluded.",
    ]
    body = (
        f"`wrk -t{THREADS} -c{{16,64}} -d{DURATION_S}s --latency` on loopback, each figure the median of "
        f"{REPEATS} runs. Both servers: uvicorn, one worker, asyncio + h11, no access log, each in its "
        "own process; wrk and the servers share the machine's cores. The baseline answers every "
        "request with the same bytes `/api/plan?minutes=12` returns (40 KB of Timeline JSON), fixed "
        "at start-up, so the ratio compares everything but the bytes. The solemate app runs with its "
        "whole guard (host check, CSRF, size limit, security headers) and a SQLite journal; "
        "`/progress` writes a step boundary to the journal on every request.\n\n"
        + "\n".join(rows)
        + "\n\n"
        + "\n".join(verdicts)
    )
    write_section("web", "Web app under load (wrk)", body)


if __name__ == "__main__":
    main()
