"""The reminder's rule: the suggested time, the days, the time of day, and their refusals."""

from __future__ import annotations

import doctest
from datetime import time

import pytest

import solemate.reminders
from solemate.reminders import (
    DAY_CODES,
    DEFAULT_AT,
    ReminderError,
    days_text,
    parse_at,
    parse_days,
    suggest,
)


def test_doctests() -> None:
    result = doctest.testmod(solemate.reminders)
    assert result.attempted > 0
    assert result.failed == 0


def test_the_median_lights_out_minus_the_session_and_a_quarter_hour() -> None:
    nights = [time(23, 0)] * 7 + [time(23, 30)] * 7
    found = suggest(nights, session_minutes=12)
    # median of an even count: halfway, 23:15; 23:15 − 12 − 15 = 22:48, rounded to 22:50
    assert found.lights_out == time(23, 15)
    assert found.at == time(22, 50)
    assert "median of 14 diary nights" in found.reason
    assert found.reason.endswith("22:50.")


def test_nights_past_midnight_count_as_later_not_earlier() -> None:
    found = suggest([time(23, 50), time(0, 10), time(0, 30)], session_minutes=20)
    assert found.lights_out == time(0, 10)
    assert found.at == time(23, 35)  # 00:10 − 35 min


def test_an_early_sleeper_crosses_back_over_noon_without_harm() -> None:
    found = suggest([time(12, 20)], session_minutes=12)
    assert found.at == time(11, 55)  # 12:20 − 27 min = 11:53, rounded to 11:55


def test_no_diary_uses_the_default_and_says_why() -> None:
    found = suggest([], session_minutes=12)
    assert found.at == DEFAULT_AT
    assert found.lights_out is None
    assert "No diary nights yet" in found.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22:15", time(22, 15)),
        ("7:05", time(7, 5)),
        ("00:00", time(0, 0)),
        (" 23:59 ", time(23, 59)),
    ],
)
def test_times_of_day(text: str, expected: time) -> None:
    assert parse_at(text) == expected


@pytest.mark.parametrize("text", ["25:00", "22:60", "2215", "22:5", "", "ten", "-1:00", "22:15:00"])
def test_bad_times_name_the_option(text: str) -> None:
    with pytest.raises(ReminderError) as raised:
        parse_at(text)
    assert raised.value.option == "--at"
    assert str(raised.value).startswith("--at: ")
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("daily", DAY_CODES),
        ("weekdays", DAY_CODES[:5]),
        ("weekends", ("SA", "SU")),
        ("sun,mon", ("MO", "SU")),
        ("Monday, WED,fri", ("MO", "WE", "FR")),
        ("weekends,mon", ("MO", "SA", "SU")),
        ("tues,thur", ("TU", "TH")),
    ],
)
def test_days(text: str, expected: tuple[str, ...]) -> None:
    assert parse_days(text) == expected


@pytest.mark.parametrize("text", ["mnn", "mon,,", "", " ", "mo", "moon", "every", "mon;tue"])
def test_bad_days_name_the_option(text: str) -> None:
    with pytest.raises(ReminderError) as raised:
        parse_days(text)
    assert raised.value.option == "--days"
    assert "\n" not in str(raised.value)


def test_days_read_as_words() -> None:
    assert days_text(("MO", "TU", "WE", "TH", "FR")) == "weekdays"
    assert days_text(("SU", "MO")) == "Mon, Sun"
