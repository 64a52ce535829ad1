"""Signing in to a server opened to the network, on SQLite and PostgreSQL.

A passphrase changed under a running app signs every browser out; wrong guesses are limited per
client and for everyone, answered with 429 and Retry-After (never a sleep), shared by every
server process on the journal; a browser with a valid cookie is never locked out.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from solemate.journal import Journal
from solemate.web import WebConfig, create_app
from solemate.web.passphrase import COOKIE_NAME
from solemate.web.sign_in import SignIn, set_passphrase
from solemate.web.sign_in_limits import EVERYONE, PER_CLIENT
from tests.journal.conftest import FakeClock
from tests.web.live_server import LiveServer

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSPHRASE = "correct horse battery"


@pytest.fixture
def network_config(config: WebConfig) -> WebConfig:
    with Journal(config.database_url) as journal:
        set_passphrase(journal, PASSPHRASE)
    return replace(config, allowed_hosts=None, require_login=True)


def _browser(config: WebConfig, address: str = "192.0.2.10") -> TestClient:
    return TestClient(create_app(config), base_url="http://192.0.2.1:8765", client=(address, 5000))


def _csrf(http: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/login").text)
    assert found
    return found.group(1)


def _sign_in(http: TestClient, passphrase: str) -> httpx.Response:
    answer: httpx.Response = http.post(
        "/login",
        data={"passphrase": passphrase, "csrf_token": _csrf(http), "next": "/"},
        follow_redirects=False,
    )
    return answer


def _journal_unchanged(config: WebConfig) -> dict[str, object]:
    with Journal(config.database_url) as journal:
        data = journal.export()
    data.pop("exported_at", None)
    return data


# --- a changed passphrase --------------------------------------------------------------------


def test_a_new_passphrase_signs_every_browser_out_of_a_running_app(
    network_config: WebConfig,
) -> None:
    config = replace(network_config, auth_refresh_seconds=0)
    with _browser(config) as phone, _browser(config, "192.0.2.11") as tablet:
        assert _sign_in(phone, PASSPHRASE).status_code == 303
        assert _sign_in(tablet, PASSPHRASE).status_code == 303
        assert phone.get("/api/export").status_code == 200
        with Journal(config.database_url) as other_process:
            set_passphrase(other_process, "a brand new passphrase")
        for device in (phone, tablet):
            refused = device.get("/api/export")
            assert refused.status_code == 401
            assert refused.json()["field"] == "passphrase"
            assert "Traceback" not in refused.text
        old = _sign_in(phone, PASSPHRASE)
        assert old.status_code == 403
        assert "not right" in old.text
        assert _sign_in(phone, "a brand new passphrase").status_code == 303
        assert phone.get("/api/export").status_code == 200
        assert tablet.get("/api/export").status_code == 401


def test_cookie_checks_read_the_passphrase_at_most_once_a_refresh(
    network_config: WebConfig, tmp_path: Path
) -> None:
    ticks = [0.0]
    with Journal(network_config.database_url) as journal:
        gate = SignIn(journal, tmp_path, refresh=1.0, monotonic=lambda: ticks[0])
        cookie = gate.cookie()
        set_passphrase(journal, "a brand new passphrase")
        ticks[0] = 0.9
        assert gate.cookie_valid(cookie)  # read 0.9 s ago: still the old record
        ticks[0] = 1.0
        assert not gate.cookie_valid(cookie)


def test_a_pairing_code_lapses_with_the_passphrase(network_config: WebConfig) -> None:
    with _browser(network_config) as phone:
        code = phone.app.state.services.auth.new_pairing_code()  # type: ignore[attr-defined]
        with Journal(network_config.database_url) as journal:
            set_passphrase(journal, "a brand new passphrase")
        refused = phone.get(f"/pair/{code}", follow_redirects=False)
        assert refused.headers["location"].startswith("/login")


def test_a_pairing_code_works_once_across_server_processes(network_config: WebConfig) -> None:
    with _browser(network_config) as first, _browser(network_config) as second:
        code = first.app.state.services.auth.new_pairing_code()  # type: ignore[attr-defined]
        assert second.get(f"/pair/{code}", follow_redirects=False).headers["location"] == "/"
        assert second.get("/api/sessions").status_code == 200
        again = first.get(f"/pair/{code}", follow_redirects=False)
        assert again.headers["location"].startswith("/login")


# --- wrong guesses -----------------------------------------------------------------------------


def test_wrong_guesses_wait_longer_and_longer_then_lock_out(
    network_config: WebConfig, clock: FakeClock
) -> None:
    before = _journal_unchanged(network_config)
    with _browser(network_config) as paired, _browser(network_config) as guesser:
        assert _sign_in(paired, PASSPHRASE).status_code == 303
        for _ in range(PER_CLIENT.free + 1):
            assert _sign_in(guesser, "wrong guess").status_code == 403
        early = _sign_in(guesser, "wrong guess")
        assert early.status_code == 429
        assert early.headers["retry-after"] == "2"
        assert "try again in 2 seconds" in early.text
        assert "Traceback" not in early.text
        # Even the right passphrase waits: the wait is the client's, not the guess's.
        assert _sign_in(guesser, PASSPHRASE).status_code == 429
        # A paired device is never slowed or locked out.
        assert paired.get("/api/sessions").status_code == 200
        waits = []
        for _ in range(PER_CLIENT.lockout_after - PER_CLIENT.free - 1):
            clock.advance(seconds=1000)
            assert _sign_in(guesser, "wrong guess").status_code == 403
            waits.append(int(_sign_in(guesser, "wrong guess").headers["retry-after"]))
        assert waits == [4, 8, 16, 32, 64, 900]
        assert paired.get("/api/sessions").status_code == 200
        clock.advance(seconds=900)
        assert _sign_in(guesser, PASSPHRASE).status_code == 303  # and the count starts afresh
        for _ in range(PER_CLIENT.free):
            assert _sign_in(guesser, "wrong guess").status_code == 403
    assert _journal_unchanged(network_config) == before


def test_guesses_from_many_addresses_are_limited_together(
    network_config: WebConfig, clock: FakeClock
) -> None:
    with Journal(network_config.database_url, clock=clock) as journal:
        gate = SignIn(journal, network_config.data_dir)
        for i in range(EVERYONE.free + 1):
            assert gate.attempt("wrong guess", f"198.51.100.{i}").retry_after == 0
        fresh = gate.attempt(PASSPHRASE, "203.0.113.9")
        assert (fresh.ok, fresh.retry_after) == (False, 2)
        clock.advance(seconds=2)
        assert gate.attempt(PASSPHRASE, "203.0.113.9").ok


def test_the_limits_are_shared_by_every_server_process(
    network_config: WebConfig, clock: FakeClock
) -> None:
    url = network_config.database_url
    with Journal(url, clock=clock) as one, Journal(url, clock=clock) as two:
        first, second = (
            SignIn(one, network_config.data_dir),
            SignIn(two, network_config.data_dir),
        )
        for gate in (first, second, first, second):
            assert gate.attempt("wrong guess", "192.0.2.50").retry_after == 0
        assert first.attempt("wrong guess", "192.0.2.50").retry_after == 2
        assert second.attempt("wrong guess", "192.0.2.50").retry_after == 2
        # Another address of the same IPv6 /64 is the same client.
        for _ in range(4):
            first.attempt("wrong guess", "2001:db8:1:2::1")
        assert second.attempt(PASSPHRASE, "2001:db8:1:2::ffff").retry_after == 2


def test_guesses_sent_at_once_cannot_share_a_free_slot(
    network_config: WebConfig, clock: FakeClock
) -> None:
    with Journal(network_config.database_url, clock=clock) as journal:
        gate = SignIn(journal, network_config.data_dir)
        results = []
        lock = threading.Lock()

        def guess() -> None:
            for _ in range(4):
                outcome = gate.attempt("wrong guess", "192.0.2.60")
                with lock:
                    results.append(outcome)

        threads = [threading.Thread(target=guess) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        checked = [r for r in results if not r.ok and r.retry_after == 0]
        assert len(results) == 64
        assert len(checked) == PER_CLIENT.free + 1  # the rest waited, without a hash computed


_GUESSER = """
import re, statistics, sys, threading, time
import httpx
url, seconds = sys.argv[1], float(sys.argv[2])
times, statuses = [], []
def guess():
    with httpx.Client(base_url=url, timeout=30) as http:
        token = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/login").text).group(1)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            started = time.perf_counter()
            answer = http.post("/login", data={"passphrase": "wrong guess", "csrf_token": token})
            times.append(time.perf_counter() - started)
            statuses.append(answer.status_code)
threads = [threading.Thread(target=guess) for _ in range(64)]
for thread in threads: thread.start()
for thread in threads: thread.join()
print(len(statuses), statuses.count(403), statuses.count(429), statistics.median(times))
"""


def test_wrong_guesses_do_not_slow_a_signed_in_browser(network_config: WebConfig) -> None:
    """64 guessers at once (another process) against a real server; the signed-in person's
    requests stay quick (a one-second sleep per wrong guess made them wait a median 889 ms)."""
    config = replace(network_config, clock=FakeClock())
    with LiveServer(create_app(config)) as server, httpx.Client(base_url=server.url) as browser:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)
        assert csrf
        done = browser.post(
            "/login", data={"passphrase": PASSPHRASE, "csrf_token": csrf.group(1), "next": "/"}
        )
        assert done.status_code == 303
        assert COOKIE_NAME in browser.cookies
        guessers = subprocess.Popen(
            [sys.executable, "-c", _GUESSER, server.url, "4"], stdout=subprocess.PIPE, text=True
        )
        time.sleep(1.0)
        latencies = []
        for _ in range(40):
            started = time.perf_counter()
            assert browser.get("/api/sessions").status_code == 200
            latencies.append(time.perf_counter() - started)
            time.sleep(0.02)
        out, _ = guessers.communicate(timeout=60)
    total, wrong, waited, guess_median = out.split()
    assert int(wrong) <= PER_CLIENT.free + 1  # the passphrase was checked at most 4 times
    assert int(total) == int(wrong) + int(waited)
    assert float(guess_median) < 0.2  # answered at once, never after a sleep
    median = statistics.median(latencies)
    print(f"{total} guesses, signed-in median {median * 1000:.1f} ms")
    assert median < 0.3, sorted(latencies)
