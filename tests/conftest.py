"""Shared builders for the whole suite, and which tests are ``slow``.

``make quick`` runs every test not marked ``slow``; ``make test`` runs them all. A test is slow when
it drives a browser (any test using the ``chromium`` or ``browser`` fixture is marked here, so a new
browser test is slow without being told), a real terminal, a real voice, a killed process or a
statistical simulation; those carry ``@pytest.mark.slow`` themselves.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from unittest.mock import patch

import pytest
import typer
import typer.main
from typer.testing import CliRunner, Result

from solemate.routine import Routine, builtin_routine
from tests.postgres import (  # noqa: F401  (fixtures for every test)
    postgres_admin,
    postgres_done,
    postgres_pool,
    sweep_leftovers,
)
from tests.templates import Templates

TESTS = Path(__file__).resolve().parent

# The suite speaks with espeak-ng (instant) unless a test asks for Kokoro by name; set here, before
# any test, so commands run in-process and servers started as subprocesses agree. Run the whole
# suite with the natural voice by setting SOLEMATE_VOICE=heart.
os.environ.setdefault("SOLEMATE_VOICE", "espeak")
# No test reads the settings file of the person running the suite: this one does not exist.
os.environ["SOLEMATE_CONFIG"] = str(TESTS / "no-such-settings.toml")


#: The voice the suite's code speaks with when nothing names one (see the autouse fixture below).
SUITE_VOICE = os.environ["SOLEMATE_VOICE"]


@pytest.fixture(autouse=True)
def suite_voice(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Code the tests call directly (``create_app``, ``render``) takes the suite's voice as the
    default, as the shells take the settings' voice; a test marked ``product_default_voice`` sees
    the product's own default."""
    if request.node.get_closest_marker("product_default_voice") is None:
        from solemate.audio import voice_registry

        monkeypatch.setattr(voice_registry, "DEFAULT_NAME", SUITE_VOICE)


#: Fixtures that start Chromium: every test that uses one is slow.
BROWSER_FIXTURES = frozenset({"chromium", "browser", "worker_chromium"})


@pytest.fixture(autouse=True)
def track_renders(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Web apps started in-process render no session tracks: the server renders a whole MP3 of
    every session started, on a worker thread, and no API test listens to it (it was half of
    ``tests/web/test_api.py``'s CPU). A test that drives a browser (whose player plays the track)
    or is marked ``tracks`` gets the real rendering; a track asked for otherwise stays
    "rendering"."""
    if request.node.get_closest_marker("tracks") is not None:
        return
    if BROWSER_FIXTURES & set(request.fixturenames):
        return
    from solemate.web.track import SessionTracks, TrackState

    def known_only(self: SessionTracks, digest: str, timeline: object) -> TrackState:
        return TrackState(digest, "rendering")

    monkeypatch.setattr(SessionTracks, "_start", known_only)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Before the first test process starts (pytest-xdist's workers skip this): drop the
    PostgreSQL schemas killed runs left behind."""
    if not hasattr(session.config, "workerinput"):
        sweep_leftovers()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def evening() -> Routine:
    return builtin_routine("evening")


@pytest.fixture(scope="session")
def journal_templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    """Journals migrated once per test run, copied into tests' fresh databases (made on first
    use; see :mod:`tests.templates`)."""
    return Templates(tmp_path_factory.mktemp("journal-templates"))


#: Every journal test runs on SQLite, then on PostgreSQL.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty journal (no schema yet) at ``tmp_path / "journal.sqlite3"``, then in a
    PostgreSQL schema of its own."""
    from tests.journal.conftest import postgres_schemas

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'journal.sqlite3'}"
        return
    schemas = postgres_schemas(request)
    try:
        yield schemas.new_url()
    finally:
        schemas.drop_all()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data directory, so no test touches the real user's files."""
    folder = tmp_path / "data"
    monkeypatch.setenv("SOLEMATE_DATA_DIR", str(folder))
    return folder


class Runner(CliRunner):
    """Typer's runner, building the Click command from the application once instead of at every
    invoke (as the ``solemate`` process does once per run; it took 8 ms of every invoke)."""

    _built: ClassVar[dict[int, tuple[typer.Typer, int, Any]]] = {}

    def invoke(self, app: typer.Typer, *args: Any, **kwargs: Any) -> Result:
        size = len(app.registered_commands) + len(app.registered_groups)
        built = self._built.get(id(app))
        if built is None or built[0] is not app or built[1] != size:
            built = (app, size, typer.main.get_command(app))
            self._built[id(app)] = built
        command = built[2]
        with patch("typer.testing._get_command", lambda _app: command):
            return super().invoke(app, *args, **kwargs)


@pytest.fixture
def cli(data_dir: Path) -> CliRunner:
    from solemate.cli.app import _register

    _register()
    return Runner()


@pytest.fixture(scope="session")
def worker_chromium() -> Iterator[Any]:
    """Debian's Chromium, launched once per test process (not once per module: a launch costs
    about a second of CPU) and closed at its end; the one Playwright of the process (a second
    one started in the same thread while this one runs fails). Tests take it through ``chromium``
    (``tests/web/test_browser.py``), which closes the contexts each test opens."""
    from playwright import sync_api

    from tests.web.browser import ARGS, CHROMIUM

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
