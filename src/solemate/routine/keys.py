"""Where a key is in a TOML file: :func:`key_lines` maps each key path to its line, so a problem
names the line to fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\")(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"))*)\s*="
)


def _split_keys(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip().strip('"') for part in re.findall(r'"[^"]*"|[^.]+', dotted))


_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"(?!\s*[.=])|'[^'\n]*'(?!\s*[.=])")
_TOKEN = re.compile(
    r"(?P<key>(?:[A-Za-z0-9_-]+|\"[^\"]*\")(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"))*)\s*="
    r"|(?P<punct>[\[\]{},])|(?P<scalar>[^\s\[\]{},#]+)"
)
_NOT_KEYS = frozenset({"true", "false", "inf", "nan", "+inf", "-inf", "+nan", "-nan"})


def key_lines(text: str) -> dict[tuple[str | int, ...], int]:
    """Best-effort map from key paths (with array indexes) to the line that defines them.

    TOML parsers do not report positions, so this follows headers, ``key =`` lines and the inline
    tables and arrays in values (``sets = [`` then one ``{ count = 5, … }`` a line). It is only used
    to point at a line in error messages; when it cannot tell, the message goes without a line.
    """
    positions: dict[tuple[str | int, ...], int] = {}
    arrays: dict[tuple[str | int, ...], int] = {}
    current: tuple[str | int, ...] = ()
    in_multiline: str | None = None
    # the brackets open in a value, outermost first: [path, "[" or "{", items seen so far]
    open_values: list[list[Any]] = []

    def resolve(keys: tuple[str, ...]) -> tuple[str | int, ...]:
        path: tuple[str | int, ...] = ()
        for key in keys:
            path = (*path, key)
            if path in arrays:
                path = (*path, arrays[path])
        return path

    def place(base: tuple[str | int, ...], keys: tuple[str, ...], number: int) -> None:
        for end in range(1, len(keys) + 1):  # cue.en.self = … also places cue and cue.en
            positions.setdefault((*base, *keys[:end]), number)

    def scan(value: str, number: int, path: tuple[str | int, ...] | None) -> None:
        """Follow the brackets of a value (``path`` is where a value starting here belongs)."""
        value = _STRING.sub('""', value).split("#", 1)[0]
        for token in _TOKEN.finditer(value):
            punct, top = token.group("punct"), open_values[-1] if open_values else None
            if token.group("key"):
                if top is not None and top[1] == "{":
                    keys = _split_keys(token.group("key"))
                    place(top[0], keys, number)
                    path = (*top[0], *keys)
                continue
            if top is not None and top[1] == "[" and path is None and punct not in ("]", ","):
                path = (*top[0], top[2])  # an item of an array
                positions.setdefault(path, number)
            if punct in ("[", "{") and path is not None:
                open_values.append([path, punct, 0])
            elif punct in ("]", "}") and open_values:
                open_values.pop()
            elif punct == "," and top is not None and top[1] == "[":
                top[2] += 1
            path = None

    for number, line in enumerate(text.split("\n"), start=1):  # TOML's lines, not splitlines()'
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        header = _HEADER.match(line)
        if open_values:
            # inside a multi-line array; a key or a table header means we lost track, so stop
            stray = header and header.group(2).strip() not in _NOT_KEYS
            if not (_KEY.match(line) or stray):
                scan(line, number, None)
                continue
            open_values.clear()
        if header:
            keys = _split_keys(header.group(2))
            if header.group(1) == "[[":
                parent = resolve(keys[:-1])
                array = (*parent, keys[-1])
                arrays[array] = arrays.get(array, -1) + 1
                current = (*array, arrays[array])
            else:
                current = resolve(keys)
                for end in range(1, len(keys)):  # [zones.arch] also places zones
                    positions.setdefault(resolve(keys[:end]), number)
            positions.setdefault(current, number)
            continue
        key = _KEY.match(line)
        if key:
            keys = _split_keys(key.group(1))
            place(current, keys, number)
            rest = line[key.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_multiline = quote
            if not in_multiline:
                scan(rest, number, (*current, *keys))
    return positions


def _line_for(
    loc: Sequence[str | int], positions: Mapping[tuple[str | int, ...], int]
) -> int | None:
    parts = tuple("self" if p == "self_" else p for p in loc)
    for end in range(len(parts), 0, -1):
        if parts[:end] in positions:
            return positions[parts[:end]]
    return None
