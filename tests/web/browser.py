"""Shared pieces of the browser tests: Debian's Chromium, waiting without eval, screenshots.

The pages run under a strict Content-Security-Policy (no eval), so Playwright's string
``wait_for_function`` cannot run in them; :func:`wait_until` polls ``page.evaluate`` instead.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from solemate.web import WebConfig

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def browser_config(folder: Path, speech_cache: Path) -> WebConfig:
    """A server's settings for a browser test: a SQLite journal of its own in ``folder``, the run's
    phrase cache, and a test clock the page may run faster than the wall."""
    return WebConfig(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'journal.sqlite3'}",
        speech_cache_dir=speech_cache,
        test_clock=True,
    )


def wait_until(page: Any, expression: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        time.sleep(0.05)


def entered(page: Any) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = page.evaluate("window.solemateLog || []")
    return [e for e in log if e["event"] == "enter"]


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(path))
    return path


def answer_safety_in_page(page: Any) -> None:
    """Answer "no" to every safety question and "nothing new" tonight, if the page asks."""
    if page.is_visible("#safety-form"):
        for box in page.query_selector_all('#safety-form input[value="no"]'):
            box.check()
        page.click("#safety-form button[type=submit]")
        page.wait_for_selector("#safety-form", state="hidden")
    if page.is_visible("#nothing-new"):
        page.click("#nothing-new")
    if page.is_visible("#confirm-yes"):
        page.click("#confirm-yes")
    page.wait_for_selector("#start:not([disabled])")
