"""Wearable estimates: kept apart from the diary, stored idempotently, refused whole when bad."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from solemate.journal import ImportRefused, Journal
from tests.journal.builders import BERLIN, device_night, night


def test_nights_and_naps_are_stored_apart_from_the_diary(journal: Journal) -> None:
    diary = journal.add_diary(night(date(2024, 3, 24)))
    report = journal.store_device_nights(
        [device_night(date(2024, 3, 24)), device_night(date(2024, 3, 24), nap=True)]
    )
    assert (report.added, report.updated, report.unchanged, report.skipped) == (2, 0, 0, ())
    stored = journal.device_nights()
    assert [(n.wake_date, n.is_nap, n.tib_min) for n in stored] == [
        (date(2024, 3, 24), False, 440),
        (date(2024, 3, 24), True, 70),
    ]
    assert stored[0].bed_start == device_night(date(2024, 3, 24)).bed_start
    assert journal.diary() == [diary]  # the person's own answers are untouched


def test_storing_the_same_nights_again_changes_nothing(journal: Journal) -> None:
    nights = [device_night(date(2024, 3, d)) for d in (23, 24, 25)]
    journal.store_device_nights(nights)
    before = journal.device_nights()
    report = journal.store_device_nights(nights)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 3)
    assert journal.device_nights() == before


def test_a_night_with_new_figures_is_updated_in_place(journal: Journal) -> None:
    journal.store_device_nights([device_night(date(2024, 3, 23))])
    (old,) = journal.device_nights()
    report = journal.store_device_nights([device_night(date(2024, 3, 23), tst_min=400)])
    assert (report.added, report.updated) == (0, 1)
    (new,) = journal.device_nights()
    assert (new.id, new.tst_min) == (old.id, 400)


def test_two_sources_for_the_same_night_are_both_kept(journal: Journal) -> None:
    journal.store_device_nights(
        [device_night(date(2024, 3, 23)), device_night(date(2024, 3, 23), source="fitbit")]
    )
    assert {n.source for n in journal.device_nights()} == {"oura", "fitbit"}


def test_bad_nights_refuse_the_whole_list_with_row_numbers(journal: Journal) -> None:
    good = device_night(date(2024, 3, 23))
    nights = [
        good,
        device_night(date(2024, 3, 24), tst_min=500),  # more sleep than bed
        device_night(date(2024, 3, 25), zone="Moon/Base"),
        good,  # the same night twice in one list
        device_night(date(2024, 3, 26), bed_end=good.bed_start - timedelta(hours=1)),
        device_night(date(2024, 3, 27), se_pct=130.0),
        device_night(date(2024, 3, 28), tib_min=float("nan")),
        "not a night",
    ]
    with pytest.raises(ImportRefused) as caught:
        journal.store_device_nights(nights)  # type: ignore[arg-type]
    assert [p.row for p in caught.value.problems] == [2, 3, 4, 5, 6, 7, 8]
    assert "tst_min" in str(caught.value.problems[0])
    assert "row 1" in caught.value.problems[2].message
    assert "device_nights row 2" in str(caught.value)
    assert journal.device_nights() == []
    report = journal.store_device_nights(nights, skip_bad=True)  # type: ignore[arg-type]
    assert report.added == 1
    assert [p.row for p in report.skipped] == [2, 3, 4, 5, 6, 7, 8]
    assert len(journal.device_nights()) == 1


def test_last_n_device_nights(journal: Journal) -> None:
    journal.store_device_nights([device_night(date(2024, 3, d)) for d in range(20, 28)])
    assert [n.wake_date.day for n in journal.device_nights(last=3)] == [25, 26, 27]


def test_a_night_starting_in_the_repeated_autumn_hour_is_recognised(journal: Journal) -> None:
    # 02:30 CET (fold=1) on 2024-10-27: such a datetime never equals another zone's by ==.
    start = datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=BERLIN)
    late = device_night(
        date(2024, 10, 27),
        bed_start=start,
        bed_end=start + timedelta(hours=5),
        tib_min=300,
        tst_min=280,
        se_pct=None,
    )
    assert journal.store_device_nights([late]).added == 1
    report = journal.store_device_nights([late])
    assert (report.added, report.updated, report.unchanged) == (0, 0, 1)
    (stored,) = journal.device_nights()
    assert stored.bed_start == start.astimezone(UTC)


def test_a_night_woken_in_the_future_has_not_happened(journal: Journal) -> None:
    # The clock says 2024-11-02 07:30 UTC; a phone set to 2046 exported its nights.
    tonight, future = device_night(date(2024, 11, 2)), device_night(date(2046, 4, 3))
    with pytest.raises(ImportRefused) as refused:
        journal.store_device_nights([tonight, future])
    (problem,) = refused.value.problems
    assert (problem.row, problem.message) == (
        2,
        "woken on 2046-04-03, in the future: the device's clock was wrong "
        "(left out with --skip-bad)",
    )
    assert journal.device_nights() == []
    report = journal.store_device_nights([tonight, future], skip_bad=True)
    assert (report.added, len(report.skipped)) == (1, 1)
    assert [n.wake_date for n in journal.device_nights()] == [date(2024, 11, 2)]
