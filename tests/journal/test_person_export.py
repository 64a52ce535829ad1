"""One person's export: what is about them, the other party of their sessions by name only, and
an exact round trip through an empty journal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from solemate.journal import Journal, JournalError
from tests.journal.conftest import DatabaseUrls, FakeClock
from tests.journal.test_people import WAKE, _couple, _session, _without_stamp


def _alex_and_more(journal: Journal) -> dict[str, int]:
    ids = _couple(journal)
    ids["from_sam"] = _session(journal, receiver="Alex", giver="Sam")
    journal.rate_stress("before", 6, session_id=ids["from_sam"])  # Alex's, as receiver
    journal.rate_stress("after", 2, session_id=ids["from_sam"], person="Sam")  # Sam's, as giver
    journal.add_note("gave Sam a long one", person="Alex", session_id=ids["given"])
    journal.add_note("about Sam's session", person="Alex", session_id=ids["from_sam"])
    journal.log_control_activity(WAKE, "reading", 20, person="Alex")
    journal.log_control_activity(WAKE, "puzzles", 15, person="Sam")
    return ids


def _uid(export: dict[str, Any], name: str) -> str:
    return next(str(p["id"]) for p in export["people"] if p["name"] == name)


def test_one_persons_export_holds_what_is_about_them(journal: Journal) -> None:
    _alex_and_more(journal)
    whole = journal.export()
    alex = journal.export(person="alex")
    me, sam = _uid(whole, "Alex"), _uid(whole, "Sam")
    assert [p["name"] for p in alex["people"]] == ["Alex", "Sam"]  # Sam: the giver, name only
    assert {s["receiver"] for s in alex["sessions"]} == {me}
    assert [(s["giver"], s["receiver"]) for s in alex["sessions"]] == [(me, me), (sam, me)]
    assert {r["person"] for r in alex["ratings"]} == {me}
    assert [r["stress"] for r in alex["ratings"]] == [6]  # not the rating of the session given
    assert [n["text"] for n in alex["notes"]] == ["Alex's note", "about Sam's session"]
    for section in ("diary", "safety_screens", "control_activities"):
        assert [row["person"] for row in alex[section]] == [me], section
    assert [row["activity"] for row in alex["control_activities"]] == ["reading"]


def test_a_person_nobody_gave_a_session_comes_alone(journal: Journal) -> None:
    journal.add_person("Alex")
    journal.add_person("Sam")
    _session(journal, receiver="Sam", giver="Alex")
    sam = journal.export(person="Sam")
    assert [p["name"] for p in sam["people"]] == ["Alex", "Sam"]  # in the journal's order
    alex = journal.export(person="Alex")
    assert [p["name"] for p in alex["people"]] == ["Alex"]
    assert alex["sessions"] == []


def test_one_persons_export_round_trips_through_an_empty_journal(
    journal: Journal, database_urls: DatabaseUrls, clock: FakeClock
) -> None:
    _alex_and_more(journal)
    alex = journal.export(person="Alex")
    other_url = database_urls.new()
    database_urls.fill(other_url)
    with Journal(other_url, clock=clock) as other:
        report = other.import_export(json.loads(json.dumps(alex)))
        assert report.skipped == ()
        assert _without_stamp(other.export()) == _without_stamp(alex)
        assert _without_stamp(other.export(person="Alex")) == _without_stamp(alex)
        assert other.import_export(alex).added == {}  # twice changes nothing


def test_an_unknown_person_is_refused(journal: Journal) -> None:
    journal.add_person("Alex")
    with pytest.raises(JournalError) as caught:
        journal.export(person="Bob")
    assert caught.value.field == "person"
