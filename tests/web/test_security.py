"""What guards the local server: CSRF, the host check, headers, no listing, escaping, sign-in."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from solemate.journal import Journal
from solemate.render.printable import SHEET_CSS
from solemate.web import WebConfig, create_app
from solemate.web.passphrase import COOKIE_NAME
from solemate.web.sign_in import set_passphrase
from tests.journal.conftest import FakeClock
from tests.web.conftest import Client
from tests.web.test_api import DIARY


@pytest.fixture
def local(tmp_path: Path, speech_cache: Path) -> Iterator[Client]:
    config = WebConfig(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'journal.sqlite3'}",
        speech_cache_dir=speech_cache,
        clock=FakeClock(),
    )
    with TestClient(create_app(config), base_url="http://127.0.0.1") as http:
        yield Client(http)


def test_writes_need_the_csrf_token(local: Client) -> None:
    before = local.export()
    for headers in ({}, {"x-csrf-token": "forged"}):
        response = local.http.post("/api/sleep", json=DIARY, headers=headers)
        assert response.status_code == 403
        assert response.json()["field"] == "csrf"
    cross = local.post("/api/sleep", json=DIARY, headers={"sec-fetch-site": "cross-site"})
    assert cross.status_code == 403
    elsewhere = local.post("/api/sleep", json=DIARY, headers={"origin": "http://evil.example"})
    assert elsewhere.status_code == 403
    assert "another origin" in elsewhere.json()["detail"]
    form = local.http.post("/morning", data={**DIARY, "csrf_token": "forged"})
    assert form.status_code == 403
    no_field = local.http.post("/journal/sessions/1/delete", data={})
    assert no_field.status_code == 403
    assert local.export() == before


def test_a_loopback_server_answers_only_to_loopback_names(local: Client) -> None:
    response = local.http.get("/api/sessions", headers={"host": "evil.example:8765"})
    assert response.status_code == 400
    for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765"):
        assert local.http.get("/api/sessions", headers={"host": host}).status_code == 200


def test_strict_headers_on_every_answer(local: Client) -> None:
    local.http.cookies.clear()  # a first visit: the CSRF cookie is set
    page = local.get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert "HttpOnly" in page.headers["set-cookie"]
    assert "SameSite=Strict" in page.headers["set-cookie"]
    # no inline script or style anywhere in the pages (data only: JSON and the import map)
    for path in ("/", "/play", "/morning", "/journal"):
        html = local.get(path).text
        assert not re.search(
            r"<script(?![^>]*\b(src|type=\"application/json\"|type=\"importmap\"))[^>]*>", html
        )
        assert "style=" not in html
        assert "<style" not in html
    assert local.get("/static/app.css?v=1").headers["cache-control"].endswith("immutable")


def test_no_directory_listing_and_no_way_out_of_static(local: Client) -> None:
    for path in (
        "/static/",
        "/static",
        "/static/..%2f..%2fpyproject.toml",
        "/static/%2e%2e/app.py",
    ):
        response = local.get(path)
        assert response.status_code == 404, path
        assert "app.css" not in response.text


def test_no_api_docs_loaded_from_a_cdn(local: Client) -> None:
    assert local.get("/docs").status_code == 404
    assert local.get("/redoc").status_code == 404
    schema = local.get("/api/openapi.json").json()
    assert "/api/sessions/{session_id}/progress" in schema["paths"]


def test_what_people_write_is_escaped(local: Client) -> None:
    local.post("/api/sleep", json={**DIARY, "comments": "<script>alert('x')</script> & <b>"})
    html = local.get("/journal").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;" in html


def test_the_print_page_allows_exactly_its_own_style(local: Client) -> None:
    local.screen(tonight=False)  # the sheet follows the stored safety answers
    page = local.get("/print", params={"minutes": 12, "voice": "partner"})
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    style = next(part for part in csp.split("; ") if part.startswith("style-src"))
    assert style.split() == ["style-src", "'self'", _sha256(SHEET_CSS)]
    assert "unsafe-inline" not in csp
    assert f"<style>{SHEET_CSS}</style>" in page.text
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert scripts
    assert [tag for tag in scripts if ' src="/static/' not in tag] == []  # none inline


def _sha256(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


@pytest.fixture
def network_server(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    data = tmp_path / "data"
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    with Journal(url) as journal:
        set_passphrase(journal, "correct horse battery")
    config = WebConfig(data_dir=data, database_url=url, allowed_hosts=None, require_login=True)
    web_app = create_app(config)
    pairing = web_app.state.services.auth.new_pairing_code()
    with TestClient(web_app, base_url="http://192.0.2.10:8765") as http:
        yield http, pairing


def _csrf(http: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', http.get("/login").text)
    assert found
    return found.group(1)


def test_a_network_server_needs_the_passphrase(
    network_server: tuple[TestClient, str],
) -> None:
    http, _ = network_server
    page = http.get("/", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
    assert http.get("/api/sessions").status_code == 401
    assert http.get("/static/app.css").status_code == 200  # the shell holds no journal data
    token = _csrf(http)
    wrong = http.post("/login", data={"passphrase": "guess", "csrf_token": token, "next": "/"})
    assert wrong.status_code == 403
    assert "not right" in wrong.text
    right = http.post(
        "/login",
        data={"passphrase": "correct horse battery", "csrf_token": token, "next": "//evil.example"},
        follow_redirects=False,
    )
    assert right.status_code == 303
    assert right.headers["location"] == "/"  # never sent to another site
    assert COOKIE_NAME in right.cookies
    assert http.get("/api/sessions").status_code == 200


def test_the_pairing_code_works_once(network_server: tuple[TestClient, str]) -> None:
    http, pairing = network_server
    first = http.get(f"/pair/{pairing}", follow_redirects=False)
    assert first.headers["location"] == "/"
    assert http.get("/api/sessions").status_code == 200
    http.cookies.clear()
    again = http.get(f"/pair/{pairing}", follow_redirects=False)
    assert again.headers["location"].startswith("/login")
    assert http.get("/api/sessions").status_code == 401
