"""Web fixtures: the app in-process on SQLite and on PostgreSQL, and helpers for its answers.

PostgreSQL is isolated the way the journal suite does it (a schema per test, selected through
``search_path``; an emptied template copy when an earlier test left one), and a server that cannot
be reached fails the tests. Each test's database starts as a copy of a journal migrated once per
run (:mod:`tests.templates`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from solemate.safety import QUESTIONS
from solemate.web import WebConfig, create_app

with warnings.catch_warnings():
    # Starlette suggests another HTTP client for its TestClient; httpx is the one tested here.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from tests.journal.conftest import (
    FakeClock,
    postgres_schemas,
)
from tests.speech_cache import chosen_folder
from tests.templates import Templates

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
NO = {q.id: False for q in QUESTIONS}


@pytest.fixture(scope="session")
def speech_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One phrase cache for the whole run: each phrase is synthesised once."""
    shared = chosen_folder()
    return shared if shared is not None else tmp_path_factory.mktemp("speech-cache")


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, journal_templates: Templates
) -> Iterator[str]:
    """A fresh, empty journal at the newest schema, copied from one migrated once per run (the
    app would migrate an empty database to the same schema when it opens it)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
        journal_templates.fill_sqlite(url)
        yield url
        return
    schemas = postgres_schemas(request)
    try:
        url = schemas.new_url()
        schemas.fill(url, journal_templates)
        yield url
    finally:
        schemas.drop_all()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config(database_url: str, tmp_path: Path, clock: FakeClock, speech_cache: Path) -> WebConfig:
    return WebConfig(
        data_dir=tmp_path / "data",
        database_url=database_url,
        speech_cache_dir=speech_cache,
        clock=clock,
        voice=os.environ.get("SOLEMATE_VOICE"),  # the suite's voice (see tests/conftest.py)
    )


class Client:
    """A TestClient that sends the CSRF token, plus small helpers for the API."""

    def __init__(self, client: TestClient) -> None:
        self.http = client
        self.token = client.get("/api/csrf").json()["token"]
        self.headers = {"x-csrf-token": self.token}

    def get(self, path: str, **kw: Any) -> Any:
        return self.http.get(path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.http.post(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.http.put(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.http.delete(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def screen(self, *, tonight: bool = True, confirm: bool = True, **yes: bool) -> Any:
        """Answer the screen (``fever=True``…), then by default tonight's check ("nothing new")
        and a clinician's word when an answer asks for one."""
        answers = {**NO, **{k.replace("_", "-"): v for k, v in yes.items()}}
        response = self.post("/api/safety", json={"answers": answers})
        assert response.status_code == 200, response.text
        state = response.json()
        if tonight and state["verdict"]["level"] != "do-not-massage":
            response = self.post("/api/safety/tonight", json={"new": []})
            assert response.status_code == 200, response.text
            state = response.json()
        if confirm and state["needs_confirm"]:
            response = self.post("/api/safety/confirm")
            assert response.status_code == 200, response.text
            state = response.json()
        return state

    def start(self, **body: Any) -> dict[str, Any]:
        length = {} if "preset" in body else {"minutes": 12}
        response = self.post("/api/sessions", json={**length, **body})
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data

    def export(self) -> dict[str, Any]:
        data: dict[str, Any] = self.get("/api/export").json()
        data.pop("exported_at", None)
        return data


@pytest.fixture
def client(config: WebConfig) -> Iterator[Client]:
    app = create_app(config)
    with TestClient(app, base_url="http://127.0.0.1") as http:
        yield Client(http)
