"""What a phone downloads on its first visit of a page, counted in Debian's Chromium.

Every request the page and its service worker make is counted (the worker's precache fetches
too), with the bytes that came over the network: a response the browser took from its own cache
counts as a request but no bytes. Cue audio (``/api/speech/``, ``/api/tracks/``) is counted apart:
it is the session's sound, fetched as the session plays.

Used by ``bench_web`` for its figure and by the browser test that holds the goal.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tests.web.browser import PHONE

# Playwright's driver reports a service worker's own requests only when started with this set:
# import this module before starting Playwright.
os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"

AUDIO = ("/api/speech/", "/api/tracks/")


@dataclass(frozen=True)
class Fetch:
    path: str
    by_worker: bool
    #: Bytes over the network (headers and body); 0 when the browser's cache answered.
    transferred: int


@dataclass(frozen=True)
class FirstVisit:
    fetches: tuple[Fetch, ...]
    audio: tuple[Fetch, ...]

    @property
    def total(self) -> int:
        return sum(f.transferred for f in self.fetches)

    def downloaded_twice(self) -> list[str]:
        """URLs whose bytes came over the network more than once."""
        counts = Counter(f.path for f in self.fetches if f.transferred > 0)
        return sorted(path for path, n in counts.items() if n > 1)


def _transferred(request: Any) -> int:
    sizes = request.sizes()
    body, headers = int(sizes["responseBodySize"]), int(sizes["responseHeadersSize"])
    if body < 0:  # Chromium reports a cache hit as minus its headers: nothing came over the wire
        return 0
    if body == 0:  # the worker's own script is reported without its body
        response = request.response()
        body = int(response.headers.get("content-length", "0")) if response else 0
    return body + headers


def first_visit(
    browser: Any, url: str, settle_s: float = 1.5, timeout_s: float = 30.0
) -> FirstVisit:
    """Open ``url`` in a fresh phone context, wait until the service worker controls the page and
    the network has been quiet for ``settle_s``, and count what was fetched."""
    context = browser.new_context(**PHONE)
    requests: list[Any] = []
    finished: set[int] = set()
    context.on("request", lambda r: requests.append(r))
    context.on("requestfinished", lambda r: finished.add(id(r)))
    context.on("requestfailed", lambda r: finished.add(id(r)))
    try:
        page = context.new_page()
        page.goto(url)
        origin = url.split("/", 3)[:3]
        deadline = time.monotonic() + timeout_s
        while page.evaluate("navigator.serviceWorker.controller === null"):
            if time.monotonic() > deadline:
                raise RuntimeError("the service worker never took control of the page")
            time.sleep(0.05)
        seen = -1
        while seen != len(requests) + len(finished) and time.monotonic() < deadline:
            seen = len(requests) + len(finished)
            time.sleep(settle_s)
        fetches, audio = [], []
        base = "/".join(origin)
        for request in requests:
            path = request.url.removeprefix(base)
            if path.startswith(AUDIO):
                audio.append(Fetch(path, request.service_worker is not None, 0))
                continue
            if id(request) not in finished or request.failure is not None:
                continue
            fetches.append(Fetch(path, request.service_worker is not None, _transferred(request)))
        return FirstVisit(tuple(fetches), tuple(audio))
    finally:
        context.close()
