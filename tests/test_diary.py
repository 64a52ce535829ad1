"""The sleep diary's checks and derived figures: exact on DST nights, never impossible."""

from __future__ import annotations

import doctest
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

import solemate.diary.answers
import solemate.diary.entry
from solemate.diary import (
    QUALITY_LABELS,
    DiaryAnswers,
    DiaryEntry,
    DiaryError,
    place_on_night,
    validate_diary,
)

TODAY = date(2024, 11, 1)


def answers(**changes: object) -> DiaryAnswers:
    """A plain Berlin night: 23:00 → 07:00, asleep 23:15 after 15 minutes, 2 awakenings of 20."""
    base = DiaryAnswers(
        wake_date=date(2024, 5, 10),
        zone="Europe/Berlin",
        into_bed=time(23, 0),
        tried_to_sleep=time(23, 0),
        sol_min=15,
        awakenings=2,
        waso_min=20,
        final_awakening=time(6, 45),
        out_of_bed=time(7, 0),
        quality=4,
        comments="",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(solemate.diary.entry, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8
    assert result.failed == 0
    answers_result = doctest.testmod(solemate.diary.answers, optionflags=doctest.ELLIPSIS)
    assert answers_result.attempted >= 4
    assert answers_result.failed == 0


def test_a_plain_night() -> None:
    entry = validate_diary(answers(), today=TODAY)
    assert (entry.tib_min, entry.tst_min) == (480, 465 - 15 - 20)
    assert entry.se_pct == pytest.approx(430 / 480 * 100)
    assert entry.into_bed == datetime(2024, 5, 9, 23, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert entry.quality_label == "good"


@pytest.mark.parametrize(
    ("wake", "bed", "up", "zone", "tib"),
    [
        # The expected TIB column of tests/fixtures/sleep-exports/README.md.
        (date(2024, 3, 23), time(23, 20), time(6, 40), "Europe/Berlin", 440),
        (date(2024, 3, 24), time(0, 10), time(7, 10), "Europe/Berlin", 420),
        (date(2024, 3, 27), time(23, 40), time(5, 50), "Europe/London", 370),
        (date(2024, 3, 30), time(0, 30), time(7, 45), "Europe/Berlin", 435),
        (date(2024, 3, 31), time(23, 5), time(7, 20), "Europe/Berlin", 435),
        (date(2024, 4, 3), time(23, 25), time(6, 25), "Europe/Berlin", 420),
    ],
)
def test_time_in_bed_matches_the_fixture_nights(
    wake: date, bed: time, up: time, zone: str, tib: int
) -> None:
    night = answers(
        wake_date=wake, zone=zone, into_bed=bed, tried_to_sleep=bed, out_of_bed=up,
        final_awakening=up, sol_min=0, awakenings=0, waso_min=0,
    )  # fmt: skip
    assert validate_diary(night, today=TODAY).tib_min == tib


def test_spring_forward_night_is_an_hour_shorter_than_the_wall_clock() -> None:
    # Berlin, 2024-03-31: 02:00 CET becomes 03:00 CEST.
    entry = validate_diary(
        answers(
            wake_date=date(2024, 3, 31), into_bed=time(23, 5), tried_to_sleep=time(23, 15),
            sol_min=16, awakenings=2, waso_min=20, final_awakening=time(7, 0),
            out_of_bed=time(7, 20),
        ),
        today=TODAY,
    )  # fmt: skip
    assert entry.tib_min == 435  # wall clock: 495
    assert entry.tst_min == 405 - 16 - 20
    assert entry.se_pct == 369 / 435 * 100
    assert entry.into_bed.utcoffset() == timedelta(hours=1)
    assert entry.out_of_bed.utcoffset() == timedelta(hours=2)


def test_fall_back_night_is_an_hour_longer_than_the_wall_clock() -> None:
    # Berlin, 2024-10-27: 03:00 CEST becomes 02:00 CET.
    entry = validate_diary(
        answers(
            wake_date=date(2024, 10, 27), into_bed=time(23, 0), tried_to_sleep=time(23, 30),
            sol_min=20, awakenings=1, waso_min=15, final_awakening=time(6, 40),
            out_of_bed=time(7, 0),
        ),
        today=TODAY,
    )  # fmt: skip
    assert entry.tib_min == 540  # wall clock: 480
    assert entry.tst_min == 490 - 20 - 15
    assert entry.se_pct == 455 / 540 * 100


def test_the_repeated_autumn_hour_is_told_apart_by_fold() -> None:
    first = answers(
        wake_date=date(2024, 10, 27), into_bed=time(23, 0), tried_to_sleep=time(23, 0),
        sol_min=10, awakenings=0, waso_min=0, final_awakening=time(2, 30),
        out_of_bed=time(2, 30, fold=1),
    )  # fmt: skip
    second = replace(first, final_awakening=time(2, 30, fold=1))
    early, late = validate_diary(first, today=TODAY), validate_diary(second, today=TODAY)
    assert late.tst_min - early.tst_min == 60
    assert early.tib_min == late.tib_min == 270  # 23:00 CEST → 02:30 CET
    # answers() keeps the fold, so the entry can be rebuilt exactly.
    assert validate_diary(late.answers(), today=TODAY) == late


def test_a_skipped_wall_time_is_refused_naming_the_field() -> None:
    with pytest.raises(DiaryError) as caught:
        validate_diary(
            answers(wake_date=date(2024, 3, 31), tried_to_sleep=time(2, 30)), today=TODAY
        )
    assert caught.value.field == "tried_to_sleep"
    assert "did not exist" in caught.value.message
    assert "03:30" in caught.value.message


def test_explicit_datetimes_allow_a_bedtime_after_noon_on_the_wake_date() -> None:
    # A night-shift sleep: in bed 13:00 on the wake date, up at 20:30.
    entry = validate_diary(
        answers(
            wake_date=date(2024, 5, 10),
            into_bed=datetime(2024, 5, 10, 13, 0),
            tried_to_sleep=datetime(2024, 5, 10, 13, 0),
            final_awakening=datetime(2024, 5, 10, 20, 0),
            out_of_bed=datetime(2024, 5, 10, 20, 30),
        ),
        today=TODAY,
    )
    assert entry.tib_min == 450


def test_bare_times_are_placed_by_the_noon_rule() -> None:
    wake = date(2024, 5, 10)
    assert place_on_night(wake, time(11, 59)) == datetime(2024, 5, 10, 11, 59)
    assert place_on_night(wake, time(12, 0)) == datetime(2024, 5, 9, 12, 0)
    assert place_on_night(wake, time(2, 30, fold=1)).fold == 1


IMPOSSIBLE = [
    ("out_of_bed", {"out_of_bed": time(22, 0)}),
    ("out_of_bed", {"into_bed": datetime(2024, 5, 8, 6, 0)}),
    ("tried_to_sleep", {"tried_to_sleep": time(22, 30)}),
    ("final_awakening", {"final_awakening": time(7, 30)}),
    ("final_awakening", {"tried_to_sleep": time(6, 50), "final_awakening": time(6, 45)}),
    ("sol_min", {"sol_min": 500}),
    ("waso_min", {"waso_min": 500}),
    ("waso_min", {"sol_min": 300, "waso_min": 300}),
    ("waso_min", {"awakenings": 0, "waso_min": 5}),
    ("sol_min", {"sol_min": -1}),
    ("waso_min", {"waso_min": 2000}),
    ("awakenings", {"awakenings": -2}),
    ("awakenings", {"awakenings": 1.5}),
    ("quality", {"quality": 0}),
    ("quality", {"quality": 6}),
    ("quality", {"quality": 11}),
    ("quality", {"quality": True}),
    ("wake_date", {"wake_date": date(2024, 11, 2)}),
    (
        "wake_date",
        {
            "final_awakening": datetime(2024, 5, 9, 23, 59),
            "out_of_bed": datetime(2024, 5, 10, 7, 0),
            "into_bed": time(22, 0),
            "tried_to_sleep": time(22, 0),
        },
    ),
    ("zone", {"zone": "Mars/Olympus_Mons"}),
    ("zone", {"zone": "../../etc/passwd"}),
    ("zone", {"zone": ""}),
    ("comments", {"comments": "x" * 2001}),
    ("into_bed", {"into_bed": datetime(2024, 5, 9, 23, 0, tzinfo=UTC)}),
    ("into_bed", {"into_bed": "23:00"}),
]


@pytest.mark.parametrize(("field", "changes"), IMPOSSIBLE)
def test_impossible_entries_are_refused_naming_the_field(
    field: str, changes: dict[str, object]
) -> None:
    with pytest.raises(DiaryError) as caught:
        validate_diary(answers(**changes), today=TODAY)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_a_night_of_zero_sleep_is_possible() -> None:
    entry = validate_diary(answers(sol_min=465, awakenings=0, waso_min=0), today=TODAY)
    assert (entry.tst_min, entry.se_pct) == (0, 0.0)


def test_today_is_a_valid_wake_date() -> None:
    validate_diary(answers(wake_date=TODAY), today=TODAY)


ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/St_Johns",  # -03:30
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Asia/Kathmandu",  # +05:45
    "Pacific/Chatham",  # +12:45 / +13:45
    "UTC",
]
TRANSITION_DAYS = [
    date(2024, 3, 10),
    date(2024, 3, 31),
    date(2024, 4, 7),
    date(2024, 10, 6),
    date(2024, 10, 27),
    date(2024, 11, 3),
    date(2024, 9, 29),
]
times = st.builds(
    time, st.integers(0, 23), st.integers(0, 59), fold=st.integers(0, 1)
)  # fmt: skip
minutes = st.one_of(st.integers(0, 45), st.integers(0, 45), st.integers(0, 1500))


@st.composite
def diary_answers(draw: st.DrawFn) -> DiaryAnswers:
    """Random answers: a third any four wall times, the rest a plausible night by wall offsets.

    The plausible half makes sure most examples are accepted, so the invariants are really
    exercised; the random half probes the refusals. Wake dates cluster on DST changes.
    """
    wake = draw(
        st.sampled_from(TRANSITION_DAYS)
        | st.sampled_from([d + timedelta(days=1) for d in TRANSITION_DAYS])
        | st.dates(date(1990, 1, 1), date(2035, 12, 31))
    )
    plausible = draw(st.sampled_from([True, True, False]))
    if not plausible:
        clock: list[time | datetime] = [draw(times) for _ in range(4)]
    else:
        start = datetime.combine(wake, time(18)) - timedelta(days=1)
        offsets = [draw(st.integers(0, 480)), draw(st.integers(0, 60))]
        offsets += [draw(st.integers(120, 600)), draw(st.integers(0, 60))]
        wall = start
        clock = []
        for offset in offsets:
            wall += timedelta(minutes=offset)
            clock.append(wall.replace(fold=draw(st.integers(0, 1))))
    awakenings = draw(st.integers(0, 6))
    return DiaryAnswers(
        wake_date=wake,
        zone=draw(st.sampled_from(ZONES)),
        into_bed=clock[0],
        tried_to_sleep=clock[1],
        sol_min=draw(minutes),
        awakenings=awakenings,
        waso_min=draw(minutes) if awakenings or draw(st.booleans()) else 0,
        final_awakening=clock[2],
        out_of_bed=clock[3],
        quality=draw(st.integers(1, 5) if plausible else st.integers(-1, 11)),
        comments=draw(st.text(max_size=20)),
    )


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


@settings(max_examples=1000, deadline=None)
@given(diary_answers())
@example(
    answers(
        wake_date=date(2024, 10, 27), into_bed=time(2, 50), tried_to_sleep=time(2, 50),
        sol_min=0, awakenings=0, waso_min=0, final_awakening=time(2, 10, fold=1),
        out_of_bed=time(2, 10, fold=1),
    )
)  # fmt: skip
def test_every_accepted_entry_is_a_possible_night(night: DiaryAnswers) -> None:
    refused: DiaryError | None = None
    try:
        entry = validate_diary(night, today=date(2036, 1, 1))
    except DiaryError as error:
        refused = error
    if refused is not None:
        event(f"refused: {refused.field}")
        assert refused.field in DiaryAnswers.__dataclass_fields__
        return
    event("accepted")
    assert 0 <= entry.tst_min <= entry.tib_min <= 24 * 60
    assert 0 <= entry.se_pct <= 100
    # TIB is real elapsed time, whatever the wall clocks say.
    assert entry.tib_min * 60 == (_utc(entry.out_of_bed) - _utc(entry.into_bed)).total_seconds()
    assert (
        _utc(entry.into_bed)
        <= _utc(entry.tried_to_sleep)
        <= _utc(entry.final_awakening)
        <= _utc(entry.out_of_bed)
    )
    assert entry.final_awakening.date() == entry.wake_date
    assert entry.quality_label in QUALITY_LABELS.values()
    # An accepted entry survives being turned back into answers (what the journal does on import).
    assert validate_diary(entry.answers(), today=date(2036, 1, 1)) == entry


def test_entries_are_immutable() -> None:
    entry = validate_diary(answers(), today=TODAY)
    with pytest.raises(AttributeError):
        entry.sol_min = 0  # type: ignore[misc]
    assert isinstance(entry, DiaryEntry)


def test_no_question_says_its_hint_twice() -> None:
    """The hint follows the question ("… (minutes)? (0 or more):"), so it adds what the wording
    does not already say."""
    for q in solemate.diary.answers.QUESTIONS:
        assert q.hint.lower() not in q.question.lower(), q.field
