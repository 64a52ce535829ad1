"""Two people in one journal: names, choosing whose entries, giver and receiver, removing one."""

from __future__ import annotations

import doctest
import json
from datetime import date
from typing import Any

import pytest

from solemate import insights_service
from solemate.journal import Journal, JournalError, records
from solemate.journal.experiments import start_experiment
from tests.journal.builders import night
from tests.journal.conftest import DatabaseUrls, FakeClock

WAKE = date(2024, 11, 1)
#: What Alex holds in :func:`_couple`: the session Alex gave Sam is Sam's.
HOLDINGS = {"sessions": 1, "safety_screens": 1, "ratings": 1, "diary": 1, "notes": 1}


def _without_stamp(export: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in export.items() if k != "exported_at"}


def _session(journal: Journal, *, receiver: str, giver: str | None = None) -> int:
    sid = journal.start_session(
        "evening", "a1", planned_seconds=600, receiver=receiver, giver=giver
    )
    journal.finish_session(sid, "completed", played_seconds=600)
    return sid


def _couple(journal: Journal) -> dict[str, int]:
    """Alex and Sam, each with a diary night, a note, a rating, a screen and sessions."""
    journal.add_person("Alex")
    journal.add_person("Sam")
    for name, quality in (("Alex", 2), ("Sam", 5)):
        journal.add_diary(night(WAKE, quality=quality), person=name)
        journal.add_note(f"{name}'s note", person=name)
        journal.record_screen(WAKE, {"diabetes": name == "Sam"}, "go", [], person=name)
    own = _session(journal, receiver="Alex")
    given = _session(journal, receiver="Sam", giver="Alex")
    journal.rate_stress("before", 7, session_id=given)  # the receiver's
    journal.rate_stress("after", 3, session_id=given, person="Alex")  # the giver's own
    return {"own": own, "given": given}


def test_names_are_trimmed_unique_without_case_and_checked(journal: Journal) -> None:
    assert journal.add_person("  Alex ").name == "Alex"
    for bad, field in (("alex", "name"), ("", "name"), ("   ", "name"), ("x" * 41, "name")):
        with pytest.raises(JournalError) as caught:
            journal.add_person(bad)
        assert caught.value.field == field
    with pytest.raises(JournalError, match="control character"):
        journal.add_person("A\x07lex")
    assert journal.add_person("x" * 40).name == "x" * 40
    journal.add_person("Jonas Æbelø")
    with pytest.raises(JournalError, match="already a person called 'Jonas Æbelø'"):
        journal.add_person("JONAS æBELØ")  # any alphabet's case, on SQLite too
    assert journal.choose_person("jonas ÆBELØ") is not None
    assert [p.name for p in journal.people()] == ["Alex", "x" * 40, "Jonas Æbelø"]


def test_same_name_worked_example() -> None:
    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(records.same_name, globs=vars(records)):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_rename_keeps_everything_and_refuses_a_taken_name(journal: Journal) -> None:
    journal.add_note("first write: the default person")
    journal.add_person("Sam")
    assert journal.rename_person("me", "Alex").name == "Alex"
    assert journal.rename_person("alex", "ALEX").name == "ALEX"  # only the case changes
    assert [n.person for n in journal.notes()] == ["ALEX"]
    with pytest.raises(JournalError) as caught:
        journal.rename_person("ALEX", "sam")
    assert caught.value.field == "name"
    with pytest.raises(JournalError) as caught:
        journal.rename_person("Bob", "Robert")
    assert caught.value.field == "person"
    assert [p.name for p in journal.people()] == ["ALEX", "Sam"]


def test_choosing_an_unknown_person_is_refused(journal: Journal) -> None:
    assert journal.choose_person(None) is None  # nobody yet
    journal.add_person("Alex")
    with pytest.raises(JournalError) as caught:
        journal.choose_person("Bob")
    assert caught.value.field == "person"
    assert journal.chosen_person is None
    chosen = journal.choose_person(None)
    assert chosen is not None
    assert chosen.name == "Alex"


def test_two_people_are_kept_apart(journal: Journal) -> None:
    ids = _couple(journal)
    journal.choose_person("Alex")
    assert [s.id for s in journal.sessions()] == [ids["own"]]
    assert [(r.person, r.moment, r.stress) for r in journal.ratings()] == [("Alex", "after", 3)]
    assert [n.text for n in journal.notes()] == ["Alex's note"]
    assert [d.entry.quality for d in journal.diary()] == [2]
    assert journal.safety_screens()[0].answers == {"diabetes": False}
    journal.choose_person("sam")  # any case
    assert journal.chosen_person == "Sam"
    assert [s.id for s in journal.sessions()] == [ids["given"]]
    assert [(r.person, r.stress) for r in journal.ratings()] == [("Sam", 7)]
    assert [d.entry.quality for d in journal.diary()] == [5]
    assert journal.safety_screens()[0].answers == {"diabetes": True}
    # A session's ratings are listed whole; everyone's sessions on request.
    assert {r.person for r in journal.ratings(session_id=ids["given"])} == {"Alex", "Sam"}
    assert len(journal.sessions(everyone=True)) == 2


def test_a_session_belongs_to_its_receiver_and_its_giver_may_rate(journal: Journal) -> None:
    ids = _couple(journal)
    given = journal.session(ids["given"])
    assert (given.giver, given.receiver) == ("Alex", "Sam")
    own = journal.session(ids["own"])
    assert (own.giver, own.receiver) == ("Alex", "Alex")
    journal.add_person("Kim")
    before = journal.export()
    with pytest.raises(JournalError) as caught:
        journal.rate_stress("after", 1, session_id=ids["given"], person="Kim")
    assert caught.value.field == "person"
    assert _without_stamp(journal.export()) == _without_stamp(before)


def test_insights_and_experiments_are_per_person(journal: Journal) -> None:
    ids = _couple(journal)
    start_experiment(
        journal,
        outcome="sol",
        design="pairs",
        first_evening=WAKE,
        seed=1,
        control="reading",
        minimum=5.0,
        arms=["M", "C"] * 7,
        person="Sam",
    )
    journal.choose_person("Alex")
    alex = insights_service.insights(journal, WAKE, 2)
    assert journal.experiments() == []
    journal.choose_person("Sam")
    sam = insights_service.insights(journal, WAKE, 2)
    assert [e.person for e in journal.experiments()] == ["Sam"]
    assert (alex.sessions, sam.sessions) == (1, 1)
    # Sam's before and no after of Sam's own: the giver's "after" is not the receiver's.
    assert (sam.stress.rated, sam.stress.unrated) == (0, 1)
    journal.rate_stress("after", 2, session_id=ids["given"])
    assert insights_service.insights(journal, WAKE, 2).stress.mean == -5
    assert [n.quality for n in alex.nights] == [2]
    assert [n.quality for n in sam.nights] == [5]


def test_removing_one_leaves_the_other_untouched(journal: Journal) -> None:
    ids = _couple(journal)
    journal.choose_person("Sam")
    sam_before = (
        journal.sessions(),
        journal.ratings(),
        journal.notes(),
        journal.diary(),
        journal.safety_screens(),
    )
    assert journal.person_holdings("Alex") == HOLDINGS
    removed = journal.remove_person("alex")
    assert removed.name == "Alex"
    assert [p.name for p in journal.people()] == ["Sam"]
    sessions, ratings, notes, diary, screens = sam_before
    # The session Alex gave Sam stays Sam's, now as Sam's own; Alex's rating of it goes.
    assert [s.id for s in journal.sessions(everyone=True)] == [ids["given"]]
    kept = journal.session(ids["given"])
    assert (kept.giver, kept.receiver) == ("Sam", "Sam")
    assert [(r.person, r.stress) for r in journal.ratings(session_id=ids["given"])] == [("Sam", 7)]
    assert journal.ratings() == ratings
    assert journal.notes() == notes
    assert journal.diary() == diary
    assert journal.safety_screens() == screens
    assert [s.status for s in journal.sessions()] == [s.status for s in sessions]
    assert journal.integrity_check() == "ok"


def test_the_last_person_and_an_unknown_one_are_not_removed(journal: Journal) -> None:
    journal.add_person("Alex")
    journal.add_note("kept", person="Alex")
    before = journal.export()
    for name, words in (("Alex", "only person"), ("Bob", "no person called")):
        with pytest.raises(JournalError, match=words) as caught:
            journal.remove_person(name)
        assert caught.value.field == "person"
    assert _without_stamp(journal.export()) == _without_stamp(before)


def test_export_and_import_of_two_people_round_trip_exactly(
    journal: Journal, database_urls: DatabaseUrls, clock: FakeClock
) -> None:
    _couple(journal)
    before = journal.export()
    other_url = database_urls.new()
    database_urls.fill(other_url)
    with Journal(other_url, clock=clock) as other:
        report = other.import_export(json.loads(json.dumps(before)))
        assert report.skipped == ()
        assert _without_stamp(other.export()) == _without_stamp(before)
        other.choose_person("Sam")
        assert [n.text for n in other.notes()] == ["Sam's note"]


def test_deleting_a_person_entry_follows_the_same_rule(journal: Journal) -> None:
    ids = _couple(journal)
    alex = next(p for p in journal.people() if p.name == "Alex")
    journal.delete_entry("person", alex.id)
    kept = journal.session(ids["given"])
    assert (kept.giver, kept.receiver) == ("Sam", "Sam")
    sam = journal.people()[0]
    with pytest.raises(JournalError, match="only person"):
        journal.delete_entry("person", sam.id)
