"""Export, import, backup and forget: the person's data leaves and returns exactly."""

from __future__ import annotations

import copy
import json
import sqlite3
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from solemate.journal import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    ImportRefused,
    Journal,
    JournalError,
    exporting,
)
from tests.journal.builders import fill
from tests.journal.conftest import DatabaseUrls, FakeClock


def _without_stamp(export: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in export.items() if k != "exported_at"}


def _counts(export: dict[str, Any]) -> dict[str, int]:
    return {k: len(v) for k, v in export.items() if isinstance(v, list)}


def test_export_is_plain_json_and_versioned(journal: Journal) -> None:
    fill(journal)
    export = journal.export()
    assert export["format"] == EXPORT_FORMAT
    assert export["version"] == EXPORT_VERSION
    assert json.loads(json.dumps(export)) == export  # JSON-able as it is
    assert _counts(export) == {
        "people": 2,
        "safety_screens": 1,
        "sessions": 3,
        "ratings": 3,
        "diary": 4,
        "device_nights": 3,
        "control_activities": 1,
        "notes": 2,
        "naps": 0,
    }
    spring = next(d for d in export["diary"] if d["wake_date"] == "2024-03-31")
    assert spring["into_bed"] == "2024-03-30T23:05:00+01:00"  # local time, as written
    assert spring["out_of_bed"] == "2024-03-31T06:50:00+02:00"
    assert spring["tib_min"] == 405
    autumn = next(d for d in export["diary"] if d["wake_date"] == "2024-10-27")
    assert autumn["final_awakening"] == "2024-10-27T02:30:00+01:00"  # the second 02:30


def test_the_json_export_is_the_export_written_compactly(journal: Journal) -> None:
    """Byte for byte what ``json.dumps`` makes of :meth:`Journal.export` (as the web's JSON
    answers are written), for everyone and for one person; non-ASCII text kept as it is."""
    fill(journal)
    journal.add_note("Füße warm, 足 — \u2028 ok")
    for person in (None, "Mara"):
        whole = json.dumps(
            journal.export(person=person),
            ensure_ascii=False,
            allow_nan=False,
            separators=(",", ":"),
        ).encode("utf-8")
        assert journal.export_json(person=person) == whole
    with pytest.raises(JournalError):
        journal.export_json(person="nobody")


def test_an_export_read_a_few_rows_at_a_time_is_the_same(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export reads each section in batches; rows across batch boundaries, and the uids the
    later sections name, come out as when every section fits in one batch."""
    fill(journal)
    whole, mara = journal.export(), journal.export_json(person="Mara")
    monkeypatch.setattr(exporting, "BATCH", 2)
    assert journal.export() == whole
    assert journal.export_json(person="Mara") == mara
    assert max(_counts(whole).values()) > 2


def test_export_forget_import_gives_the_same_journal(journal: Journal) -> None:
    fill(journal)
    before = journal.export()
    journal.forget_everything()
    assert _counts(journal.export()) == dict.fromkeys(_counts(before), 0)
    report = journal.import_export(json.loads(json.dumps(before)))
    assert report.skipped == ()
    assert report.added == {k: v for k, v in _counts(before).items() if v}
    after = journal.export()
    assert _without_stamp(after) == _without_stamp(before)
    # And the records read back equal too, not just the export.
    spring = journal.diary_entry(date(2024, 3, 31), person="Mara")
    assert spring is not None
    assert spring.entry.tib_min == 405
    assert journal.integrity_check() == "ok"


def test_import_into_another_database_gives_the_same_journal(
    journal: Journal, database_urls: DatabaseUrls, clock: FakeClock
) -> None:
    fill(journal)
    export = journal.export()
    with Journal(database_urls.new(), clock=clock) as other:
        other.import_export(export)
        assert _without_stamp(other.export()) == _without_stamp(export)


def test_importing_twice_changes_nothing(journal: Journal) -> None:
    fill(journal)
    export = journal.export()
    report = journal.import_export(export)
    assert report.added == {}
    assert report.unchanged == {k: v for k, v in _counts(export).items() if v}
    assert _without_stamp(journal.export()) == _without_stamp(export)


def test_bad_rows_refuse_the_whole_import_naming_each_row(journal: Journal) -> None:
    fill(journal)
    export = journal.export()
    journal.forget_everything()
    bad = copy.deepcopy(export)
    bad["diary"][1]["quality"] = 11  # diary row 2
    bad["diary"][2]["out_of_bed"] = "2024-03-26T21:00:00+00:00"  # diary row 3: before bed
    bad["ratings"][0]["stress"] = "very"  # ratings row 1
    bad["sessions"][1]["status"] = "exploded"  # sessions row 2 …
    bad["notes"].append({"id": "not-a-uuid", "text": ""})  # notes row 3
    with pytest.raises(ImportRefused) as caught:
        journal.import_export(bad)
    where = [(p.section, p.row) for p in caught.value.problems]
    assert where == [
        ("sessions", 2),
        ("ratings", 1),
        ("ratings", 2),  # … so its ratings are refused too, saying why
        ("diary", 2),
        ("diary", 3),
        ("notes", 1),  # … and so is the note about it
        ("notes", 3),
    ]
    messages = {(p.section, p.row): p.message for p in caught.value.problems}
    assert messages[("diary", 2)].startswith("quality:")
    assert messages[("diary", 3)].startswith("out_of_bed:")
    assert "sessions row 2" in messages[("ratings", 2)]
    assert "diary row 2: quality" in str(caught.value)
    # Nothing at all was written.
    assert _counts(journal.export()) == dict.fromkeys(_counts(export), 0)


def test_skip_bad_keeps_the_good_rows_and_lists_the_rest(journal: Journal) -> None:
    fill(journal)
    export = journal.export()
    journal.forget_everything()
    bad = copy.deepcopy(export)
    bad["diary"][0]["tib_min"] = 999
    bad["device_nights"][1]["person"] = "00000000-0000-0000-0000-000000000000"
    report = journal.import_export(bad, skip_bad=True)
    assert [(p.section, p.row) for p in report.skipped] == [("diary", 1), ("device_nights", 2)]
    assert "does not match" in report.skipped[0].message
    assert "unknown person" in report.skipped[1].message
    after = journal.export()
    assert len(after["diary"]) == len(export["diary"]) - 1
    assert len(after["device_nights"]) == len(export["device_nights"]) - 1
    # The rest came back exactly.
    assert after["sessions"] == export["sessions"]


def test_conflicting_rows_are_refused(journal: Journal) -> None:
    fill(journal)
    export = journal.export()
    changed = copy.deepcopy(export)
    changed["notes"][0]["text"] = "edited elsewhere"
    changed["diary"].append({**changed["diary"][0], "id": "11111111-1111-4111-8111-111111111111"})
    changed["people"].append({**changed["people"][0], "id": "22222222-2222-4222-8222-222222222222"})
    changed["notes"].append(changed["notes"][1])
    with pytest.raises(ImportRefused) as caught:
        journal.import_export(changed)
    messages = [str(p) for p in caught.value.problems]
    assert messages == [
        "people row 3: name: there is already a person called 'Mara'",
        f"diary row 5: wake_date: there is already a diary entry for {export['diary'][0]['wake_date']}",
        "notes row 1: id "
        f"{export['notes'][0]['id']} is already in the journal with different content",
        f"notes row 3: id {export['notes'][1]['id']} appears twice in the file",
    ]
    assert _without_stamp(journal.export()) == _without_stamp(export)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "not a solemate journal export"),
        ({"format": "something-else", "version": 1}, "not a solemate journal export"),
        ({"format": EXPORT_FORMAT}, "no valid version"),
        ({"format": EXPORT_FORMAT, "version": EXPORT_VERSION + 1}, "newer than this solemate"),
        ({"format": EXPORT_FORMAT, "version": 1, "diaries": []}, "unknown sections"),
        ({"format": EXPORT_FORMAT, "version": 1, "diary": {}}, "not a list"),
    ],
)
def test_what_is_not_an_export_is_refused_whole(
    journal: Journal, data: object, message: str
) -> None:
    with pytest.raises(JournalError, match=message):
        journal.import_export(data)


def test_rows_that_are_not_objects_are_named(journal: Journal) -> None:
    with pytest.raises(ImportRefused) as caught:
        journal.import_export({"format": EXPORT_FORMAT, "version": 1, "people": ["Mara", 3]})
    assert [p.row for p in caught.value.problems] == [1, 2]
    assert journal.people() == []


def test_backup_is_a_consistent_private_copy(journal: Journal, tmp_path: Path) -> None:
    fill(journal)
    target = journal.backup(tmp_path / "backup")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*partial"))
    if journal.dialect == "sqlite":
        with sqlite3.connect(target) as copy_db:
            assert copy_db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert copy_db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        with Journal(f"sqlite:///{target}") as restored:
            assert _without_stamp(restored.export()) == _without_stamp(journal.export())
    else:
        saved = json.loads(target.read_text(encoding="utf-8"))
        assert _without_stamp(saved) == _without_stamp(journal.export())
    # Backing up over an older copy replaces it.
    journal.add_note("after the first backup")
    journal.backup(target)
    if journal.dialect != "sqlite":
        assert len(json.loads(target.read_text(encoding="utf-8"))["notes"]) == 3


def test_forget_everything_leaves_no_personal_data(journal: Journal, tmp_path: Path) -> None:
    fill(journal)
    journal.add_note("SECRET-NOTE-TEXT " * 20)
    journal.forget_everything()
    assert journal.people() == []
    assert all(not rows for rows in _counts(journal.export()).values())
    if journal.dialect == "sqlite":
        path = Path(journal.url.removeprefix("sqlite:///"))
        for file in path.parent.glob(path.name + "*"):
            assert b"SECRET-NOTE-TEXT" not in file.read_bytes(), file.name
    # The journal still works afterwards.
    journal.add_note("a fresh start")
    assert [p.name for p in journal.people()] == ["me"]
