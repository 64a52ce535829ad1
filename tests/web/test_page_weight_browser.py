"""The first visit of the player page in Debian's Chromium: every request the page and its
service worker make, counted with the bytes that came over the network.

Goals (issue 14): no URL downloaded twice, and the whole first visit (cue audio apart) under
150 KB. The player still works offline after it: ``test_browser.py`` holds that.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from benchmarks.web_first_visit import first_visit  # before Playwright starts: see the module

from solemate.web import WebConfig, create_app
from tests.web.browser import CHROMIUM
from tests.web.live_server import LiveServer
from tests.web.test_browser import chromium  # noqa: F401  (fixture)

if not Path(CHROMIUM).exists():  # pragma: no cover - depends on the machine
    pytest.fail("Debian's chromium is missing: apt-get install chromium", pytrace=False)

FIRST_VISIT_GOAL = 150_000


def _started_session(url: str) -> int:
    """A session begun through the API, as the tonight page begins one."""
    from benchmarks.bench_web import prepare_session

    return prepare_session(url)[1]


def test_first_visit_downloads_each_file_once_and_stays_light(
    chromium: Any,  # noqa: F811
    tmp_path: Path,
    speech_cache: Path,
) -> None:
    config = WebConfig(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'journal.sqlite3'}",
        speech_cache_dir=speech_cache,
    )
    with LiveServer(create_app(config)) as live:
        session = _started_session(live.url)
        visit = first_visit(chromium, f"{live.url}/play?session={session}")
        with urllib.request.urlopen(f"{live.url}/sw.js", timeout=10) as response:
            worker = response.read().decode()
    paths = [f.path for f in visit.fetches]
    assert any(f.by_worker for f in visit.fetches), "the service worker's fetches were not seen"
    assert f"/play?session={session}" in paths
    assert f"/api/sessions/{session}" in paths
    shell = json.loads(worker.split("const SHELL = ", 1)[1].split(";", 1)[0])
    assert set(shell) <= set(paths)  # every precached file was counted
    assert visit.downloaded_twice() == []
    assert visit.total < FIRST_VISIT_GOAL, f"{visit.total} bytes: " + ", ".join(
        f"{f.path} {f.transferred}" for f in visit.fetches if f.transferred
    )
