"""The diary's questions and how answers typed as text are read: one reading for the terminal
and the web, so both accept exactly the same answers.

A time is written as a clock time (``23:05``, ``7:20``, ``0705``, ``7.20``, ``7h20``) or with its
date (``2024-11-02 23:05``, ``2024-11-02T23:05``) when the night does not fit the usual placing.
In the hour a fall-back night repeats, ``+0`` or ``+1`` after the time says which pass of the
clock is meant (``01:45+1``: the second), and so does a written UTC offset
(``2024-11-03T01:45-05:00``). A bare time in a repeated hour is not guessed: the check asks.

>>> parse_clock("01:45+1")
(datetime.time(1, 45, fold=1), True)
>>> parse_clock("0705")
(datetime.time(7, 5), False)
>>> parse_clock("2024-11-03T01:45-05:00")[0].isoformat()
'2024-11-03T01:45:00-05:00'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from solemate.diary.entry import DiaryAnswers, DiaryEntry, DiaryError, Nap, validate_nap

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "QUESTION",
    "QUESTIONS",
    "Question",
    "check_year",
    "parse_answer",
    "parse_clock",
    "parse_wake_date",
    "read_answers",
    "read_nap",
    "show_answer",
    "starting_answers",
]

#: The years a diary date can have: wider is a typo, and SQLite and PostgreSQL agree within it.
MIN_YEAR, MAX_YEAR = 1900, 2200


@dataclass(frozen=True)
class Question:
    """One Consensus Sleep Diary question: the DiaryAnswers field, its wording, kind and hint.

    The hint is shown after the question (the terminal's prompt, the morning page's placeholder)
    and adds what the wording does not say: an example time, or the range of a number.
    """

    field: str
    question: str
    kind: str  # "time", "minutes", "count" or "quality"
    hint: str


QUESTIONS: tuple[Question, ...] = (
    Question("into_bed", "1. What time did you get into bed?", "time", "e.g. 23:05"),
    Question("tried_to_sleep", "2. What time did you try to go to sleep?", "time", "e.g. 23:20"),
    Question(
        "sol_min", "3. How long did it take you to fall asleep (minutes)?", "minutes", "0 or more"
    ),
    Question(
        "awakenings",
        "4. How many times did you wake up, not counting your final awakening?",
        "count",
        "0 or more",
    ),
    Question(
        "waso_min",
        "5. In total, how long did these awakenings last (minutes)?",
        "minutes",
        "0 or more",
    ),
    Question("final_awakening", "6. What time was your final awakening?", "time", "e.g. 06:40"),
    Question(
        "out_of_bed", "7. What time did you get out of bed for the day?", "time", "e.g. 07:00"
    ),
    Question(
        "quality",
        "8. How would you rate the quality of your sleep? "
        "(1 very poor, 2 poor, 3 fair, 4 good, 5 very good)",
        "quality",
        "1–5",
    ),
)
QUESTION = {q.field: q for q in QUESTIONS}

_CLOCK = re.compile(r"(\d{1,2})[:.h]?(\d{2})")
_PASS = re.compile(r"(.*?)\s*\+([01])")
_DATED = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?")
_TIME_HELP = (
    "give a time like 23:05 (or 2024-03-30 23:05; 01:45+1 for a repeated hour's second pass)"
)


def check_year(value: date) -> date:
    """``value`` if its year is one the diary can hold, else a ValueError saying so."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        shown = value.date() if isinstance(value, datetime) else value
        raise ValueError(
            f"{shown.isoformat()!r} is not a plausible date (the year must be {MIN_YEAR}–{MAX_YEAR})"
        )
    return value


def parse_clock(raw: str) -> tuple[time | datetime, bool]:
    """A time answer and whether it says which pass of a repeated hour it means.

    Raises ValueError with what to write instead.
    """
    text = raw.strip()
    stated = False
    pass_match = _PASS.fullmatch(text)
    fold = 0
    if pass_match and not _DATED.fullmatch(text):
        text, fold, stated = pass_match[1], int(pass_match[2]), True
    match = _CLOCK.fullmatch(text)
    if match:
        hour, minute = int(match[1]), int(match[2])
        if hour < 24 and minute < 60:
            return time(hour, minute, fold=fold), stated
    elif _DATED.fullmatch(text):
        try:
            value = datetime.fromisoformat(text.replace(" ", "T"))
        except ValueError:
            pass
        else:
            check_year(value)
            value = value.replace(second=0, microsecond=0, fold=fold)
            return value, stated or value.tzinfo is not None
    raise ValueError(f"{_TIME_HELP}, got {raw!r}")


def _parse_whole(raw: object, what: str) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < 1_000_000:
        return raw
    text = raw.strip() if isinstance(raw, str) else ""
    if not text.isdecimal() or len(text) > 6:
        raise ValueError(f"give {what} as a whole number, got {raw!r}")
    return int(text)


def parse_answer(field: str, raw: object) -> tuple[object, bool]:
    """One answer read from text (a number may also come as a number): value, pass stated.

    A malformed answer is a :class:`DiaryError` naming ``field``.
    """
    kind = QUESTION[field].kind
    try:
        if kind == "time":
            if not isinstance(raw, str):
                raise ValueError(f"{_TIME_HELP}, got {raw!r}")
            return parse_clock(raw)
        what = {"minutes": "minutes", "count": "the number", "quality": "the quality (1–5)"}
        return _parse_whole(raw, what[kind]), True
    except ValueError as exc:
        raise DiaryError(field, str(exc)) from None


def parse_wake_date(raw: str, today: date) -> date:
    """A wake date as YYYY-MM-DD, or "today" / "yesterday"; a ValueError says what is wrong."""
    text = raw.strip().lower()
    if text == "today":
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"give a date like 2024-03-31 (or today, yesterday), got {raw!r}"
        ) from None
    return check_year(value)


def read_answers(
    texts: Mapping[str, object],
    *,
    wake_date: date,
    zone: str,
    comments: str = "",
    base: DiaryAnswers | None = None,
) -> DiaryAnswers:
    """Answers from the texts given (over ``base``'s answers, when changing an entry).

    Every question needs an answer unless ``base`` has it; a time given without its pass is
    marked unsure, so a repeated hour is asked about by :func:`validate_diary`.
    """
    values: dict[str, object] = {}
    unsure: set[str] = set()
    for q in QUESTIONS:
        raw = texts.get(q.field)
        if raw is None or raw == "":
            if base is None:
                raise DiaryError(q.field, f"needs an answer ({q.hint})")
            values[q.field] = getattr(base, q.field)
            continue
        values[q.field], stated = parse_answer(q.field, raw)
        if not stated:
            unsure.add(q.field)
    if base is not None:
        return replace(
            base,
            wake_date=wake_date,
            zone=zone,
            comments=comments,
            unsure=frozenset(unsure),
            **values,  # type: ignore[arg-type]
        )
    return DiaryAnswers(
        wake_date=wake_date,
        zone=zone,
        comments=comments,
        unsure=frozenset(unsure),
        **values,  # type: ignore[arg-type]
    )


def show_answer(value: object) -> str:
    """An answer as it would be typed: ``23:05`` (``01:45+1`` for a second pass), ``15``."""
    if isinstance(value, datetime | time):
        return f"{value:%H:%M}" + ("+1" if value.fold else "")
    return str(value)


def starting_answers(last: DiaryEntry | None) -> dict[str, str]:
    """What a morning's questions start from: the last night's answers, else nothing at all.

    The first morning offers no answers: one tap must never store a night that did not happen.

    >>> starting_answers(None)["into_bed"]
    ''
    """
    if last is None:
        return {q.field: "" for q in QUESTIONS}
    return {q.field: show_answer(getattr(last, q.field)) for q in QUESTIONS}


def read_nap(on_date: date, zone: str, start: object, end: object, *, today: date) -> Nap:
    """A nap from its two typed times (read as the diary's are), checked by ``validate_nap``."""
    values: dict[str, time | datetime] = {}
    unsure: set[str] = set()
    for field, raw in (("start", start), ("end", end)):
        if not isinstance(raw, str) or not raw.strip():
            raise DiaryError(field, f"needs a time ({_TIME_HELP})")
        try:
            values[field], stated = parse_clock(raw)
        except ValueError as exc:
            raise DiaryError(field, str(exc)) from None
        if not stated:
            unsure.add(field)
    return validate_nap(
        on_date, zone, values["start"], values["end"], today=today, unsure=frozenset(unsure)
    )
