"""The morning diary in the journal: kept with its derived figures, edited, refused when impossible."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from solemate.diary import DiaryError
from solemate.journal import Journal, JournalError
from solemate.journal.schema import DiaryRow
from tests.journal.builders import night
from tests.journal.conftest import FakeClock


def test_an_entry_is_kept_with_its_zone_and_derived_figures(journal: Journal) -> None:
    record = journal.add_diary(
        night(date(2024, 3, 31), into_bed=time(23, 5), tried_to_sleep=time(23, 15),
              sol_min=16, awakenings=2, waso_min=20, final_awakening=time(7, 0),
              out_of_bed=time(7, 20), comments="DST night")
    )  # fmt: skip
    assert (record.entry.tib_min, record.entry.tst_min) == (435, 369)
    stored = journal.diary_entry(date(2024, 3, 31))
    assert stored == record
    assert stored.entry.into_bed.tzinfo is not None
    assert str(stored.entry.into_bed.tzinfo) == "Europe/Berlin"
    assert stored.entry.into_bed.hour == 23
    # The derived columns are stored too, for queries that never build an entry.
    with journal._reader() as s:
        row = s.scalars(select(DiaryRow)).one()
        assert (row.tib_min, row.tst_min, row.sol_min, row.waso_min) == (435, 369, 16, 20)
        assert row.se_pct == pytest.approx(369 / 435 * 100)
        assert row.into_bed == datetime(2024, 3, 30, 22, 5, tzinfo=UTC)


def test_one_entry_per_wake_date_and_person(journal: Journal) -> None:
    journal.add_diary(night(date(2024, 3, 23)))
    with pytest.raises(JournalError) as caught:
        journal.add_diary(night(date(2024, 3, 23), quality=2))
    assert caught.value.field == "wake_date"
    journal.add_person("Jonas")
    journal.add_diary(night(date(2024, 3, 23)), person="Jonas")  # someone else's night
    assert len(journal.diary()) == 1
    assert len(journal.diary(person="Jonas")) == 1


def test_edit_and_delete(journal: Journal, clock: FakeClock) -> None:
    first = journal.add_diary(night(date(2024, 3, 23)))
    clock.advance(minutes=5)
    edited = journal.edit_diary(date(2024, 3, 23), night(date(2024, 3, 23), quality=1, sol_min=40))
    assert (edited.id, edited.uid) == (first.id, first.uid)
    assert (edited.entry.quality, edited.entry.sol_min) == (1, 40)
    assert edited.updated_at == clock.now != edited.created_at
    # An edit may move the entry to another date, but not onto a taken one.
    journal.add_diary(night(date(2024, 3, 25)))
    with pytest.raises(JournalError):
        journal.edit_diary(date(2024, 3, 23), night(date(2024, 3, 25)))
    moved = journal.edit_diary(date(2024, 3, 23), night(date(2024, 3, 24)))
    assert moved.entry.wake_date == date(2024, 3, 24)
    journal.delete_diary(date(2024, 3, 24))
    assert [r.entry.wake_date for r in journal.diary()] == [date(2024, 3, 25)]
    with pytest.raises(JournalError):
        journal.delete_diary(date(2024, 3, 24))
    with pytest.raises(JournalError):
        journal.edit_diary(date(2024, 1, 1), night(date(2024, 1, 1)))


def test_last_n_entries_in_wake_date_order(journal: Journal) -> None:
    for day in (5, 1, 3, 2, 4):
        journal.add_diary(night(date(2024, 4, day)))
    assert [r.entry.wake_date.day for r in journal.diary()] == [1, 2, 3, 4, 5]
    assert [r.entry.wake_date.day for r in journal.diary(last=3)] == [3, 4, 5]
    assert len(journal.diary(last=30)) == 5


IMPOSSIBLE = [
    ("out_of_bed", {"out_of_bed": time(22, 0)}),
    ("tried_to_sleep", {"tried_to_sleep": time(23, 0)}),
    ("final_awakening", {"final_awakening": time(7, 0)}),
    ("sol_min", {"sol_min": 480}),
    ("waso_min", {"waso_min": 480}),
    ("waso_min", {"sol_min": 200, "waso_min": 250}),
    ("quality", {"quality": 11}),
    ("quality", {"quality": 0}),
    ("wake_date", {"wake_date": date(2024, 11, 3)}),
    ("zone", {"zone": "Europe/Atlantis"}),
    ("tried_to_sleep", {"wake_date": date(2024, 3, 31), "tried_to_sleep": time(2, 15)}),
]


@pytest.mark.parametrize(("field", "changes"), IMPOSSIBLE)
def test_impossible_entries_are_refused_and_nothing_is_written(
    journal: Journal, field: str, changes: dict[str, object]
) -> None:
    changes = dict(changes)  # parameters are shared between the two backends
    answers = night(changes.pop("wake_date", date(2024, 5, 10)), **changes)  # type: ignore[arg-type]
    with pytest.raises(DiaryError) as caught:
        journal.add_diary(answers)
    assert caught.value.field == field
    assert journal.diary() == []
    assert journal.people() == []  # not even the default person was created
    journal.add_diary(night(date(2024, 5, 10)))
    before = journal.diary()
    with pytest.raises(DiaryError):
        journal.edit_diary(date(2024, 5, 10), answers)
    assert journal.diary() == before


def test_future_is_judged_in_the_entrys_zone(database_url: str) -> None:
    # 23:30 UTC on 2 Nov is 3 Nov in Berlin but still 2 Nov in New York.
    clock = FakeClock(datetime(2024, 11, 2, 23, 30, tzinfo=UTC))
    with Journal(database_url, clock=clock) as journal:
        journal.add_diary(night(date(2024, 11, 3), out_of_bed=time(0, 20),
                                final_awakening=time(0, 10), into_bed=time(18, 0),
                                tried_to_sleep=time(18, 0)))  # fmt: skip
        with pytest.raises(DiaryError) as caught:
            journal.add_diary(night(date(2024, 11, 3), zone="America/New_York"), person="me")
        assert caught.value.field == "wake_date"
