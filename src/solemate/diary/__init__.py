"""The morning sleep diary, pure: the checked night (:mod:`.entry`) and the questions and the
reading of typed answers shared by the terminal and the web (:mod:`.answers`).

The names are loaded on first use: reading a journal needs the entry, not the questions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from solemate.diary.answers import (
        MAX_YEAR,
        MIN_YEAR,
        QUESTION,
        QUESTIONS,
        Question,
        check_year,
        parse_answer,
        parse_clock,
        parse_wake_date,
        read_answers,
        read_nap,
        show_answer,
        starting_answers,
    )
    from solemate.diary.entry import (
        MAX_COMMENT_LENGTH,
        MAX_NIGHT_MINUTES,
        NAP_HOURS,
        NOON,
        QUALITY_LABELS,
        DiaryAnswers,
        DiaryEntry,
        DiaryError,
        Nap,
        is_daytime_nap,
        is_zone_name,
        load_zone,
        place_on_night,
        validate_diary,
        validate_nap,
    )

__all__ = [
    "MAX_COMMENT_LENGTH",
    "MAX_NIGHT_MINUTES",
    "MAX_YEAR",
    "MIN_YEAR",
    "NAP_HOURS",
    "NOON",
    "QUALITY_LABELS",
    "QUESTION",
    "QUESTIONS",
    "DiaryAnswers",
    "DiaryEntry",
    "DiaryError",
    "Nap",
    "Question",
    "check_year",
    "is_daytime_nap",
    "is_zone_name",
    "load_zone",
    "parse_answer",
    "parse_clock",
    "parse_wake_date",
    "place_on_night",
    "read_answers",
    "read_nap",
    "show_answer",
    "starting_answers",
    "validate_diary",
    "validate_nap",
]


def __getattr__(name: str) -> object:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    entry = import_module(f"{__name__}.entry")
    home = entry if name in entry.__all__ else import_module(f"{__name__}.answers")
    value = getattr(home, name)
    globals()[name] = value
    return value
