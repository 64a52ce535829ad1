"""Loading routines: decode and parse the TOML, merge the translations beside it, validate, and
report every problem at once; the built-in routines.
"""

from __future__ import annotations

import codecs
import functools
import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from solemate.routine.checks import _semantic_problems
from solemate.routine.keys import _line_for, key_lines
from solemate.routine.model import MAX_FILE_BYTES, Routine
from solemate.routine.problems import Problem, RoutineError, _known_keys, _message, format_path


def _merge(base: Any, overlay: Any) -> Any:
    """Deep-merge a translation into a routine: tables by key, arrays of tables by their ``id``."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(overlay, list):
        if all(isinstance(x, dict) and "id" in x for x in (*base, *overlay)):
            by_id = {x["id"]: x for x in overlay}
            return [_merge(x, by_id[x["id"]]) if x["id"] in by_id else x for x in base]
        if len(base) == len(overlay) and all(isinstance(x, dict) for x in (*base, *overlay)):
            return [_merge(b, o) for b, o in zip(base, overlay, strict=True)]
    return overlay


_TOML_WHERE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
_TOML_TABLE_TWICE = re.compile(r"^Cannot declare \((.*)\) twice$")


def _toml_problem(exc: tomllib.TOMLDecodeError, file: str) -> Problem:
    """tomllib's message, reworded where it is cryptic, with its position as the problem's line."""
    message = str(exc)
    line = None
    suffix = ""
    where = _TOML_WHERE.search(message)
    if where:
        message = message[: where.start()]
        if where.group(1):
            line = int(where.group(1))
            suffix = f" (column {where.group(2)})"
        else:
            suffix = " (at the end of the file)"
    twice = _TOML_TABLE_TWICE.match(message)
    if twice:
        keys = re.findall(r"'([^']*)'|\"([^\"]*)\"", twice.group(1))
        message = f"table [{'.'.join(a or b for a, b in keys)}] is declared twice"
    elif message == "Cannot overwrite a value":
        message = "a key is set twice"
    elif message == "Unclosed array":
        message = "unclosed array: a '[' is missing its ']'"
    elif message == "Illegal character '\\n'":
        message = "a string is not closed on its line (a '\"' is missing)"
    elif message == "Unclosed inline table":
        message = "unclosed inline table: a '{' is missing its '}' (inline tables fit on one line)"
    return Problem(file, line, "", f"not valid TOML: {message}{suffix}")


def _read_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RoutineError([_toml_problem(exc, file)]) from None
    except RecursionError:
        raise RoutineError(
            [Problem(file, None, "", "cannot be read: arrays or tables are nested too deeply")]
        ) from None
    except ValueError:  # an integer too long for Python to convert (over 4300 digits)
        long_number = re.search(r"[0-9][0-9_]{999,}", text)
        line = text.count("\n", 0, long_number.start()) + 1 if long_number else None
        raise RoutineError(
            [
                Problem(
                    file, line, "", "cannot be read: a number is far too long (thousands of digits)"
                )
            ]
        ) from None


def _decode(data: bytes, file: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise RoutineError(
            [
                Problem(
                    file,
                    None,
                    "",
                    f"is too large (over {MAX_FILE_BYTES // 1_000_000} MB); a routine is at "
                    f"most {MAX_FILE_BYTES:,} bytes",
                )
            ]
        )
    if not data.strip():
        raise RoutineError(
            [Problem(file, None, "", "is empty; a routine needs at least format, id, steps…")]
        )
    if data.startswith(codecs.BOM_UTF8):
        raise RoutineError(
            [
                Problem(
                    file,
                    1,
                    "",
                    "starts with a byte-order mark (BOM), which TOML does not allow; "
                    "save the file as UTF-8 without BOM",
                )
            ]
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RoutineError(
            [Problem(file, None, "", "is UTF-16 text; save the file as UTF-8 (without BOM)")]
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if b"\x00" in data[:8192]:
            problem = Problem(
                file,
                None,
                "",
                "is binary data, not a routine (a routine is a UTF-8 TOML text file)",
            )
        else:
            problem = Problem(
                file,
                data.count(b"\n", 0, exc.start) + 1,
                "",
                f"is not UTF-8 text: byte 0x{data[exc.start]:02x} (at offset {exc.start}) is not "
                "valid UTF-8; save the file as UTF-8",
            )
        raise RoutineError([problem]) from None


def parse_routine(
    text: str, file: str = "<routine>", translations: Mapping[str, str] | None = None
) -> Routine:
    """Validate routine TOML text (and translation texts keyed by language) into a :class:`Routine`."""
    data = _read_toml(text, file)
    for lang, overlay_text in sorted((translations or {}).items()):
        overlay = _read_toml(overlay_text, str(Path(file).with_suffix(f".{lang}.toml")))
        data = _merge(data, overlay)
        languages = data.get("languages")
        if isinstance(languages, list) and lang not in languages:
            data["languages"] = [*languages, lang]
    positions = key_lines(text)
    try:
        routine = Routine.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(
                file,
                _line_for(err["loc"], positions),
                format_path(err["loc"]),
                _message(err, _known_keys(err["loc"])),
            )
            for err in exc.errors(include_url=False)
        ]
        raise RoutineError(_in_file_order(problems)) from None
    semantic = [
        Problem(file, _line_for(loc, positions), format_path(loc), message)
        for loc, message in _semantic_problems(routine)
    ]
    if semantic:
        raise RoutineError(_in_file_order(semantic))
    return routine


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Problems by line, those without a line last, so a person can fix the file top to bottom."""
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def translation_files(path: Path) -> dict[str, Path]:
    """Translation files beside a routine: ``evening.de.toml`` for ``evening.toml``."""
    pattern = re.compile(re.escape(path.stem) + r"\.([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\.toml$")
    found = {}
    if path.parent.is_dir():
        for candidate in path.parent.iterdir():
            match = pattern.match(candidate.name)
            if match:
                found[match.group(1)] = candidate
    return found


def _read_bounded(path: Path) -> bytes:
    """The file's bytes, never more than one past the limit (``/dev/zero`` has no size)."""
    with path.open("rb") as raw:
        return raw.read(MAX_FILE_BYTES + 1)


def load_routine(path: Path | str) -> Routine:
    """Load and validate a routine file and the translation files beside it."""
    path = Path(path)
    file = str(path)
    try:
        text = _decode(_read_bounded(path), file)
        translations = {
            lang: _decode(_read_bounded(p), str(p)) for lang, p in translation_files(path).items()
        }
    except IsADirectoryError:
        raise RoutineError(
            [Problem(file, None, "", "is a directory, not a routine file")]
        ) from None
    except FileNotFoundError:
        raise RoutineError([Problem(file, None, "", "no such file")]) from None
    except PermissionError:
        raise RoutineError(
            [Problem(file, None, "", "cannot be read (permission denied)")]
        ) from None
    return parse_routine(text, file, translations)


def builtin_names() -> list[str]:
    folder = resources.files("solemate") / "routines"
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml") and entry.name.count(".") == 1
    )


def builtin_routine(name: str = "evening") -> Routine:
    """A routine shipped with solemate; ``evening`` is the guide's.

    Read and checked once per process (about 15 ms): the files ship with the package and a
    :class:`Routine` is frozen, so every caller (each web app, each command) shares one.
    """
    return _builtin_routine(name)


@functools.cache
def _builtin_routine(name: str) -> Routine:
    folder = resources.files("solemate") / "routines"
    if name not in builtin_names():
        raise RoutineError(
            [
                Problem(
                    name,
                    None,
                    "",
                    f"no built-in routine of that name ({', '.join(builtin_names())})",
                )
            ]
        )
    text = (folder / f"{name}.toml").read_text(encoding="utf-8")
    translations = {}
    for entry in folder.iterdir():
        parts = entry.name.split(".")
        if len(parts) == 3 and parts[0] == name and parts[2] == "toml":
            translations[parts[1]] = entry.read_text(encoding="utf-8")
    return parse_routine(text, f"{name}.toml", translations)
