"""What a routine file reports: :class:`Problem` and :class:`RoutineError`, and the words a
validation error is told in (the key path, the value, the keys that would be known there).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from solemate.routine.model import _LANGUAGE_PATTERN, FORMAT_VERSION, Routine, _show_number


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a routine file, and where (file, line and key path)."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class RoutineError(Exception):
    """A routine could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def format_path(loc: Sequence[str | int]) -> str:
    """``("steps", 3, "actions", 1, "seconds")`` → ``steps[3].actions[1].seconds``."""
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for a bad table key: the key itself is the path
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = "self" if part == "self_" else part
            out += f".{name}" if out else name
    return out


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _show_number(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "…"
        return repr(shown)
    return repr(value)


_KIND_WORDS = {
    "int": "a whole number",
    "str": "text",
    "string": "text",
    "bool": "true or false",
    "dict": "a table",
    "list": "an array",
    "model": "a table",
}


def _message(error: ErrorDetails, known_keys: Sequence[str]) -> str:
    kind = error["type"]
    got = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        key = str(error["loc"][-1]) if error["loc"] else ""
        close = difflib.get_close_matches(key, known_keys, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown key{hint}"
    for prefix, word in _KIND_WORDS.items():
        if kind.startswith(prefix + "_") and kind.endswith(("_type", "_parsing", "_from_float")):
            return f"must be {word}, got {_describe(got)}"
    if kind in {"model_type", "model_attributes_type", "dataclass_type"}:
        return f"must be a table, got {_describe(got)}"
    if kind == "literal_error":
        if tuple(error["loc"]) == ("format",):
            return (
                f"unsupported format {_describe(got)}: this version of solemate reads "
                f"format {FORMAT_VERSION}"
            )
        expected = ctx.get("expected", "?")
        one = " or " not in expected and ", " not in expected
        return f"must be {'' if one else 'one of '}{expected}, got {_describe(got)}"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == _LANGUAGE_PATTERN:
            return f"must be a language code (like 'en' or 'pt-BR'), got {_describe(got)}"
        return f"must be lowercase letters, digits and hyphens (like 'ball-points'), got {_describe(got)}"
    if kind == "too_short":
        if isinstance(got, str):
            return "must not be empty"
        return f"must have at least {ctx.get('min_length')} item(s), got {len(got or [])}"
    if kind == "too_long":
        if isinstance(got, str):
            return f"is too long (at most {ctx.get('max_length')} characters)"
        return f"has too many items (at most {ctx.get('max_length')})"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is too long (at most {ctx.get('max_length')} characters)"
    return str(error["msg"]).removeprefix("Value error, ")


def _known_keys(loc: Sequence[str | int]) -> list[str]:
    """Field names that would have been valid where an unknown key was found, for a 'did you mean'."""
    model: type[BaseModel] | None = Routine
    for part in loc[:-1]:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get("self_" if part == "self" else part)
        if field is None:
            # a dict keyed by language or zone: the value type is what comes next
            continue
        model = _inner_model(field.annotation)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or getattr(annotation, "__metadata__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    origin = getattr(annotation, "__origin__", None)
    return _inner_model(origin) if origin is not None and origin is not annotation else None
