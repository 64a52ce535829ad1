"""Text with NUL or control characters is refused by the web API and by an import, with the field
named and nothing stored, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from solemate.journal import ImportRefused, Journal
from solemate.web import WebConfig
from tests.web.conftest import Client
from tests.web.test_api import DIARY


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("comments", "a\u0000b", "comments: Value error, contains a NUL character"),
        ("comments", "\u001b[2Jcleared", "contains a control character (U+001B)"),
        ("zone", "Europe/Berlin\u0000", "zone: Value error, contains a NUL character"),
        ("zone", "Europe/\u0007Berlin", "contains a control character (U+0007)"),
    ],
)
def test_the_api_refuses_control_characters(
    client: Client, field: str, value: str, message: str
) -> None:
    before = client.export()
    answer = client.post("/api/sleep", json={**DIARY, field: value})
    assert answer.status_code == 422
    assert answer.json()["field"] == field
    assert message in answer.json()["detail"]
    assert "Traceback" not in answer.text
    # The next request on the same connection is answered normally.
    assert client.get("/api/sleep").status_code == 200
    assert client.export() == before


def test_multi_line_comments_are_kept(client: Client) -> None:
    answer = client.post("/api/sleep", json={**DIARY, "comments": "woke twice\r\n\tthen slept"})
    assert answer.status_code == 201, answer.text


def test_an_export_holding_a_nul_is_refused_whole(client: Client, config: WebConfig) -> None:
    assert client.post("/api/sleep", json={**DIARY, "comments": "fine"}).status_code == 201
    with Journal(config.database_url) as journal:
        journal.add_note("a note")
        export: dict[str, Any] = journal.export()
        bad = copy.deepcopy(export)
        bad["notes"][0]["text"] = "a\u0000b"
        bad["diary"][0]["comments"] = "\u001b]0;title\u0007"
        with pytest.raises(ImportRefused) as refused:
            journal.import_export(bad)
        problems = [str(p) for p in refused.value.problems]
        assert any("comments: contains a control character (U+001B)" in p for p in problems)
        assert any("text: contains a NUL character" in p for p in problems)
        after = journal.export()
    after.pop("exported_at")
    export.pop("exported_at")
    assert after == export
