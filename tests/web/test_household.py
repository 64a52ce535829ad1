"""A household on a server opened to the network, on SQLite and PostgreSQL: each person's own
passphrase fixes who is here, and one person's pages and API never show another's diary, journal
or insights unless that person shares them."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace

import httpx
import pytest

from solemate.journal import Journal
from solemate.web import WebConfig, create_app
from solemate.web.people import PERSON_COOKIE
from solemate.web.sign_in import set_passphrase, set_person_passphrase
from tests.web.test_api import DIARY

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

HOUSEHOLD = "correct horse battery"
ALEX = "alex walks the river dog"
SAM = "sam paints the blue moon"


@dataclass
class Browser:
    http: TestClient

    @property
    def token(self) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.http.get("/login").text)
        assert found
        return found.group(1)

    def sign_in(self, passphrase: str) -> httpx.Response:
        return self.form("/login", passphrase=passphrase, next="/")

    def form(self, path: str, **fields: str) -> httpx.Response:
        answer: httpx.Response = self.http.post(
            path, data={"csrf_token": self.token, **fields}, follow_redirects=False
        )
        return answer

    def api(self, method: str, path: str, **kw: object) -> httpx.Response:
        self.http.get("/api/csrf")
        token = self.http.cookies.get("solemate_csrf") or ""
        answer: httpx.Response = self.http.request(
            method,
            path,
            headers={"x-csrf-token": token},
            **kw,  # type: ignore[arg-type]
        )
        return answer


@pytest.fixture
def household(config: WebConfig) -> Iterator[tuple[Browser, Browser, Browser]]:
    with Journal(config.database_url) as journal:
        set_passphrase(journal, HOUSEHOLD)
        journal.add_person("Alex")
        journal.add_person("Sam")
        set_person_passphrase(journal, "Alex", ALEX)
        set_person_passphrase(journal, "Sam", SAM)
    app = create_app(replace(config, allowed_hosts=None, require_login=True))
    base = "http://192.0.2.1:8765"
    with TestClient(app, base_url=base, client=("192.0.2.10", 5000)) as first:
        browsers = [
            Browser(first),
            Browser(TestClient(app, base_url=base, client=("192.0.2.11", 5000))),
            Browser(TestClient(app, base_url=base, client=("192.0.2.12", 5000))),
        ]
        for browser, passphrase in zip(browsers, (ALEX, SAM, HOUSEHOLD), strict=True):
            assert browser.sign_in(passphrase).status_code == 303
        yield browsers[0], browsers[1], browsers[2]


def test_own_passphrase_fixes_who_is_here(household: tuple[Browser, Browser, Browser]) -> None:
    alex, sam, shared = household
    assert '<p class="here small">Alex ·' in alex.http.get("/").text
    assert '<p class="here small">Sam ·' in sam.http.get("/").text
    # A person cookie naming the other is ignored; choosing them is refused.
    sam_uid = re.search(r"[0-9a-f-]{36}", sam.http.cookies.get("solemate_auth") or "")
    assert sam_uid
    alex.http.cookies.set(PERSON_COOKIE, sam_uid.group(0))
    assert '<p class="here small">Alex ·' in alex.http.get("/morning").text
    refused = alex.form("/who", person="Sam")
    assert refused.status_code == 422
    assert "person: nobody here is called" in refused.text
    assert alex.form("/who/add", name="Kim").status_code == 403
    # The household's passphrase may still act for anyone.
    assert shared.form("/who", person="Sam").status_code == 303
    assert '<p class="here small">Sam ·' in shared.http.get("/").text


def test_one_persons_pages_never_show_the_others_unless_shared(
    household: tuple[Browser, Browser, Browser],
) -> None:
    alex, sam, _ = household
    made = alex.api("POST", "/api/sleep", json={**DIARY, "comments": "alex private"})
    assert made.status_code == 201, made.text
    assert sam.api("GET", "/api/sleep").json() == []
    assert "alex private" not in sam.http.get("/journal").text
    for path in ("/api/export", "/api/backup"):
        refused = sam.api("GET", path)
        assert refused.status_code == 403
        assert refused.json()["field"] == "passphrase"

    # Alex shares: Sam may read Alex's pages, never write for Alex.
    assert alex.form("/who/share", share="on").status_code == 303
    assert "checked" in alex.http.get("/who").text
    assert sam.form("/who", person="Alex").status_code == 303
    assert "alex private" in sam.http.get("/journal").text
    write = sam.api("POST", "/api/sleep", json={**DIARY, "wake_date": "2024-11-01"})
    assert write.status_code == 403
    assert write.json()["field"] == "person"
    assert [n["wake_date"] for n in alex.api("GET", "/api/sleep").json()] == ["2024-11-02"]
    assert sam.form("/who", person="Sam").status_code == 303  # back to their own
    assert "alex private" not in sam.http.get("/journal").text
    assert sam.form("/who", person="Alex").status_code == 303

    # Alex stops sharing: Sam is back to Sam's own pages at once.
    assert alex.form("/who/share").status_code == 303
    assert "alex private" not in sam.http.get("/journal").text
    assert '<p class="here small">Sam ·' in sam.http.get("/").text


@pytest.mark.parametrize("garbage", ["yes please", "off", "1", ""])
def test_a_garbage_share_answer_is_refused_and_changes_nothing(
    household: tuple[Browser, Browser, Browser], garbage: str
) -> None:
    alex, _, _ = household
    assert alex.form("/who/share", share="on").status_code == 303
    refused = alex.form("/who/share", share=garbage)
    assert refused.status_code == 422
    assert "share" in refused.text
    assert "checked" in alex.http.get("/who").text  # still shared
