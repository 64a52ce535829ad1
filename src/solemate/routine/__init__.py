"""Routines as validated data: the TOML format, its loader, and the problems it reports.

A routine file describes a massage as steps of timed actions. Every piece of text a person hears or
reads is keyed by language (``title.en = "…"``), and a translation is a file of its own beside the
routine (``evening.de.toml``) holding the same ids with the new language's texts, merged on load.

Loading never raises anything but :class:`RoutineError`, which carries *every* problem found with
its file, line (where it can be found) and key path, so a person can fix a file in one pass.

The package keeps one concept a module: :mod:`~solemate.routine.model` (the classes),
:mod:`~solemate.routine.problems` (what is reported), :mod:`~solemate.routine.keys` (where a key
is), :mod:`~solemate.routine.checks` (does it make sense) and :mod:`~solemate.routine.loading`
(reading files). Their public names are re-exported here.
"""

from __future__ import annotations

from solemate.routine.checks import MAX_PLACEHOLDER_WIDTH
from solemate.routine.keys import key_lines
from solemate.routine.loading import (
    builtin_names,
    builtin_routine,
    load_routine,
    parse_routine,
    translation_files,
)
from solemate.routine.model import (
    FORMAT_VERSION,
    MAX_FILE_BYTES,
    ZONES,
    Action,
    ActionCue,
    ActionKind,
    Id,
    Language,
    NonEmpty,
    Phrases,
    PreparationItem,
    Pressure,
    Range,
    Repeat,
    RepeatSet,
    Routine,
    Seconds,
    Segue,
    Step,
    Text,
    Timing,
    VoiceText,
    Who,
    Zone,
    ZoneInfo,
)
from solemate.routine.problems import Problem, RoutineError, format_path

__all__ = [
    "FORMAT_VERSION",
    "MAX_FILE_BYTES",
    "MAX_PLACEHOLDER_WIDTH",
    "ZONES",
    "Action",
    "ActionCue",
    "ActionKind",
    "Id",
    "Language",
    "NonEmpty",
    "Phrases",
    "PreparationItem",
    "Pressure",
    "Problem",
    "Range",
    "Repeat",
    "RepeatSet",
    "Routine",
    "RoutineError",
    "Seconds",
    "Segue",
    "Step",
    "Text",
    "Timing",
    "VoiceText",
    "Who",
    "Zone",
    "ZoneInfo",
    "builtin_names",
    "builtin_routine",
    "format_path",
    "key_lines",
    "load_routine",
    "parse_routine",
    "translation_files",
]
