"""Routines as validated data: the TOML format, its loader, and the problems it reports.

A routine file describes a massage as steps of timed actions. Every piece of text a person hears or
reads is keyed by language (``title.en = "…"``), and a translation is a file of its own beside the
routine (``evening.de.toml``) holding the same ids with the new language's texts, merged on load.

Loading never raises anything but :class:`RoutineError`, which carries *every* problem found with
its file, line (where it can be found) and key path, so a person can fix a file in one pass.
"""

from __future__ import annotations

import codecs
import difflib
import hashlib
import json
import re
import string
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

FORMAT_VERSION = 1
MAX_FILE_BYTES = 1_000_000

ZONES = (
    "toes",
    "ball",
    "arch",
    "heel",
    "top",
    "ankle",
    "calf",
    "solar-plexus",
    "insomnia-point",
)
Zone = Literal[
    "toes", "ball", "arch", "heel", "top", "ankle", "calf", "solar-plexus", "insomnia-point"
]
ActionKind = Literal[
    "prepare",
    "stroke",
    "rotation",
    "circles",
    "thumb-walk",
    "traction",
    "squeeze-roll",
    "static-hold",
]
Pressure = Literal["light", "moderate", "firm"]
Who = Literal["both", "self", "partner"]


def _show_number(value: int) -> str:
    """A number as written, unless it is too long to show (or, past 4300 digits, to print at all)."""
    if abs(value) < 10**21:
        return str(value)
    return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"


def _bounded(lo: int, hi: int) -> AfterValidator:
    def check(value: int) -> int:
        if not lo <= value <= hi:
            raise PydanticCustomError(
                "out_of_range",
                "must be {lo}–{hi}, got {got}",
                {"lo": lo, "hi": hi, "got": _show_number(value)},
            )
        return value

    return AfterValidator(check)


Seconds = Annotated[int, _bounded(0, 3600)]
Id = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
_LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
Language = Annotated[str, Field(pattern=_LANGUAGE_PATTERN)]
NonEmpty = Annotated[str, Field(min_length=1, max_length=2000)]
Text = dict[Language, NonEmpty]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Range(_Model):
    """Bounds of a duration in seconds: ``min ≤ low ≤ high ≤ max``.

    ``low``–``high`` is the usual range: the guide's own when ``origin = "guide"``, solemate's choice
    when ``origin = "solemate"`` (the guide gives no figure). ``min`` and ``max`` are how far the
    planner may shorten or stretch the action to fit a session length.
    """

    min: Seconds
    low: Seconds
    high: Seconds
    max: Seconds
    origin: Literal["guide", "solemate"]

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.min <= self.low <= self.high <= self.max:
            raise PydanticCustomError(
                "range_order",
                "must satisfy min ≤ low ≤ high ≤ max, got {min} ≤ {low} ≤ {high} ≤ {max}",
                {"min": self.min, "low": self.low, "high": self.high, "max": self.max},
            )
        if self.min < 1:
            raise PydanticCustomError(
                "range_zero", "min must be at least 1 second: the planner never drops an action"
            )
        return self


class VoiceText(_Model):
    """The same instruction worded for massaging oneself and for massaging a partner."""

    self_: NonEmpty = Field(alias="self")
    partner: NonEmpty


class ActionCue(_Model):
    self_: NonEmpty = Field(alias="self")
    partner: NonEmpty
    pressure: NonEmpty | None = None
    self_no_calf: NonEmpty | None = None
    partner_no_calf: NonEmpty | None = None
    self_gentle: NonEmpty | None = None
    """Said instead of ``self`` when the safety screen asks for gentle pressure only."""
    partner_gentle: NonEmpty | None = None
    checkin: NonEmpty | None = None
    each: NonEmpty | None = None
    first: NonEmpty | None = None
    """Said instead of ``each`` at the first repetition of a set of several ("5 circles. One.")."""

    def for_pressure(self, gentle: bool) -> ActionCue:
        """This cue for tonight's pressure: with ``gentle``, its gentle wording in place of the
        usual one and no ``pressure`` advice (the planner says the routine's ``gentle_only``
        phrase instead), so no cue asks for deep or firm pressure while the screen asks for gentle.

        The calf-free wording (``self_no_calf``) still wins where the calf is left out: an action
        that reaches the calf is a stroke, worded without strong pressure in the first place.
        """
        if not gentle:
            return self
        return self.model_copy(
            update={
                "self_": self.self_gentle or self.self_,
                "partner": self.partner_gentle or self.partner,
                "pressure": None,
            }
        )


class RepeatSet(_Model):
    count: Annotated[int, _bounded(1, 100)]
    label: Text


class Repeat(_Model):
    """A counted action: after ``lead`` seconds of instruction, each repetition lasts ``seconds``,
    followed by ``rest`` seconds to let go and move on."""

    seconds: Range
    lead: Annotated[int, _bounded(0, 60)] = 5
    sets: Annotated[list[RepeatSet], Field(min_length=1, max_length=50)]
    rest: Annotated[int, _bounded(0, 60)] = 0
    countdown: bool = False
    fewest: Annotated[int, _bounded(1, 50)] | None = None
    """Where the guide says "several" (points along a ridge), the fewest sets a short session may
    keep; without it every set is always worked."""

    @cached_property
    def total(self) -> int:
        return sum(s.count for s in self.sets)

    @model_validator(mode="after")
    def _fewest_within_sets(self) -> Repeat:
        if self.fewest is not None and self.fewest > len(self.sets):
            raise PydanticCustomError(
                "fewest",
                "fewest ({fewest}) cannot be more than the {sets} sets",
                {"fewest": self.fewest, "sets": len(self.sets)},
            )
        return self


class Action(_Model):
    id: Id
    name: Text
    kind: ActionKind
    zones: Annotated[list[Zone], Field(min_length=1)]
    pressure: Pressure
    seconds: Range | None = None
    repeat: Repeat | None = None
    reaches_calf: bool = False
    breathe: bool = False
    cue: dict[Language, ActionCue]

    @model_validator(mode="after")
    def _one_timing(self) -> Action:
        if (self.seconds is None) == (self.repeat is None):
            raise PydanticCustomError(
                "timing",
                "needs exactly one of 'seconds' (a timed action) or 'repeat' (a counted one)",
            )
        return self


class Step(_Model):
    id: Id
    title: Text
    actions: Annotated[list[Action], Field(min_length=1, max_length=50)]


class PreparationItem(_Model):
    id: Id
    who: Who = "both"
    seconds: Range
    cue: dict[Language, VoiceText]


class Segue(_Model):
    """A spoken passage that is not a massage action: the opening, the towel wrap, the closing."""

    seconds: Range
    cue: dict[Language, VoiceText]


class ZoneInfo(_Model):
    name: Text
    where: Text
    tradition: Text | None = None


class Phrases(_Model):
    """Short phrases the planner assembles into cues, for one language."""

    your_left: NonEmpty
    your_right: NonEmpty
    their_left: NonEmpty
    their_right: NonEmpty
    left_foot: NonEmpty
    right_foot: NonEmpty
    step_intro: NonEmpty
    step_brief: NonEmpty | None = None
    """The step named by its number alone, for a brief second foot; ``step_intro`` without it."""
    countdown: Annotated[list[NonEmpty], Field(min_length=1, max_length=10)]
    release: NonEmpty
    breathe: NonEmpty
    checkin: NonEmpty
    gentle_only: NonEmpty
    opening_brief: NonEmpty | None = None
    """The opening in a brief session (the full opening without it)."""
    between_feet_brief: NonEmpty | None = None
    """The towel wrap in a brief session; may use ``{foot}`` and ``{other_foot}``."""
    closing_brief: NonEmpty | None = None
    """The closing in a brief session."""
    tradition: NonEmpty


class Timing(_Model):
    breathe_every: Annotated[int, _bounded(10, 600)] = 45
    countdown_from: Annotated[int, _bounded(0, 10)] = 3


class Routine(_Model):
    """A validated routine. Build one with :func:`load_routine` or :func:`parse_routine`."""

    format: Literal[1]
    id: Id
    version: Annotated[str, Field(min_length=1, max_length=40)]
    languages: Annotated[list[Language], Field(min_length=1)]
    title: Text
    source: Text
    evidence: Text
    timing: Timing = Timing()
    opening: Segue
    preparation: Annotated[list[PreparationItem], Field(max_length=50)] = []
    steps: Annotated[list[Step], Field(min_length=1, max_length=50)]
    between_feet: Segue
    closing: Segue
    zones: dict[Zone, ZoneInfo]
    phrases: dict[Language, Phrases]

    @cached_property
    def digest(self) -> str:
        """A short hash of the routine's content: the same routine gives the same digest anywhere."""
        canonical = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def action(self, action_id: str) -> Action:
        for step in self.steps:
            for action in step.actions:
                if action.id == action_id:
                    return action
        raise KeyError(action_id)


# --- problems -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
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


# --- locating keys in the file ---------------------------------------------------------------------

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


# --- semantic checks (the structure is valid; does it make sense?) ---------------------------------

_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "action": frozenset({"foot"}),
    "each": frozenset({"foot", "n", "count", "label", "i", "total"}),
    "segue": frozenset({"foot", "other_foot"}),
    "step_intro": frozenset({"number", "title"}),
    "step_brief": frozenset({"number"}),
    "plain": frozenset(),
}


#: The widest a placeholder may be padded (``{n:>3}``): a spoken cue never needs more, and
#: ``{n:>99999999}`` would make every cue hundreds of megabytes.
MAX_PLACEHOLDER_WIDTH = 20
_WIDTH = re.compile(r"(\d+)")


def _placeholder_problem(text: str, allowed: frozenset[str]) -> str | None:
    try:
        fields = [(n, spec, conv) for _, n, spec, conv in string.Formatter().parse(text)]
        names = {name for name, _, _ in fields if name is not None}
    except ValueError as exc:
        reason = {
            "Single '}' encountered in format string": "a '}' has no '{' before it",
            "Single '{' encountered in format string": "a '{' has no '}' after it",
            "expected '}' before end of string": "a '{' has no '}' after it",
        }.get(str(exc), str(exc))
        return f"has a broken {{placeholder}}: {reason} (write {{{{ or }}}} for a brace itself)"
    unknown = sorted(n for n in names if n not in allowed)
    if unknown:
        listed = ", ".join("{" + n + "}" for n in sorted(allowed)) or "none"
        return f"uses unknown placeholder {{{unknown[0]}}} (allowed here: {listed})"
    for name, spec, _ in fields:
        if not spec:
            continue
        if "{" in spec:
            return f"{{{name}:{spec}}} has a placeholder inside a format; write a plain {{{name}}}"
        widest = max((int(digits) for digits in _WIDTH.findall(spec)), default=0)
        if widest > MAX_PLACEHOLDER_WIDTH:
            shown = spec if len(spec) <= 20 else spec[:19] + "…"
            return (
                f"{{{name}:{shown}}} pads to {widest:,} characters; at most "
                f"{MAX_PLACEHOLDER_WIDTH} (write a plain {{{name}}})"
            )
    return None


def _semantic_problems(routine: Routine) -> Iterator[tuple[tuple[str | int, ...], str]]:
    langs = set(routine.languages)
    if len(langs) != len(routine.languages):
        yield ("languages",), "lists a language twice"

    def texts(
        loc: tuple[str | int, ...], value: Mapping[str, object]
    ) -> Iterator[tuple[tuple[str | int, ...], str]]:
        for lang in sorted(langs - set(value)):
            yield (*loc, lang), f"has no text for language '{lang}'"
        for lang in sorted(set(value) - langs):
            yield (*loc, lang), f"language '{lang}' is not listed in 'languages'"

    def templated(
        loc: tuple[str | int, ...], text: str | None, kind: str
    ) -> Iterator[tuple[tuple[str | int, ...], str]]:
        if text is not None:
            problem = _placeholder_problem(text, _PLACEHOLDERS[kind])
            if problem:
                yield loc, problem

    for key in ("title", "source", "evidence"):
        yield from texts((key,), getattr(routine, key))
    yield from texts(("phrases",), routine.phrases)
    for lang, phrases in routine.phrases.items():
        yield from templated(("phrases", lang, "step_intro"), phrases.step_intro, "step_intro")
        yield from templated(("phrases", lang, "step_brief"), phrases.step_brief, "step_brief")
    for name in ("opening", "between_feet", "closing"):
        segue: Segue = getattr(routine, name)
        yield from texts((name, "cue"), segue.cue)
        for lang, voice in segue.cue.items():
            yield from templated((name, "cue", lang, "self"), voice.self_, "segue")
            yield from templated((name, "cue", lang, "partner"), voice.partner, "segue")

    seen: dict[str, str] = {}
    for i, item in enumerate(routine.preparation):
        loc: tuple[str | int, ...] = ("preparation", i)
        if item.id in seen:
            yield (*loc, "id"), f"duplicate id '{item.id}' (also {seen[item.id]})"
        seen.setdefault(item.id, format_path(loc))
        yield from texts((*loc, "cue"), item.cue)
        for lang, voice in item.cue.items():
            yield from templated((*loc, "cue", lang, "self"), voice.self_, "plain")
            yield from templated((*loc, "cue", lang, "partner"), voice.partner, "plain")

    for zone_id, zone in routine.zones.items():
        for key in ("name", "where", "tradition"):
            value = getattr(zone, key)
            if value is not None:
                yield from texts(("zones", zone_id, key), value)

    for s, step in enumerate(routine.steps):
        sloc: tuple[str | int, ...] = ("steps", s)
        if step.id in seen:
            yield (*sloc, "id"), f"duplicate id '{step.id}' (also {seen[step.id]})"
        seen.setdefault(step.id, format_path(sloc))
        yield from texts((*sloc, "title"), step.title)
        for a, action in enumerate(step.actions):
            aloc: tuple[str | int, ...] = (*sloc, "actions", a)
            if action.id in seen:
                yield (*aloc, "id"), f"duplicate id '{action.id}' (also {seen[action.id]})"
            seen.setdefault(action.id, format_path(aloc))
            for zone_id in action.zones:
                if zone_id not in routine.zones:
                    yield (*aloc, "zones"), f"zone '{zone_id}' is not described under [zones]"
            yield from texts((*aloc, "name"), action.name)
            yield from texts((*aloc, "cue"), action.cue)
            if action.repeat is not None:
                for k, rep_set in enumerate(action.repeat.sets):
                    yield from texts((*aloc, "repeat", "sets", k, "label"), rep_set.label)
            for lang, cue in action.cue.items():
                cloc: tuple[str | int, ...] = (*aloc, "cue", lang)
                for field in (
                    "self_",
                    "partner",
                    "self_no_calf",
                    "partner_no_calf",
                    "self_gentle",
                    "partner_gentle",
                ):
                    yield from templated((*cloc, field), getattr(cue, field), "action")
                yield from templated((*cloc, "pressure"), cue.pressure, "plain")
                yield from templated((*cloc, "checkin"), cue.checkin, "plain")
                yield from templated((*cloc, "each"), cue.each, "each")
                yield from templated((*cloc, "first"), cue.first, "each")
                if action.repeat is not None and cue.each is None:
                    yield (
                        (*cloc, "each"),
                        "a counted action needs an 'each' cue (said at every repetition)",
                    )
                if action.reaches_calf and (
                    cue.self_no_calf is None or cue.partner_no_calf is None
                ):
                    yield (
                        (cloc),
                        (
                            "an action that reaches the calf needs 'self_no_calf' and 'partner_no_calf' "
                            "wording (used when the safety screen says to skip the calf)"
                        ),
                    )
                if action.pressure == "firm" and (
                    cue.self_gentle is None or cue.partner_gentle is None
                ):
                    yield (
                        (cloc),
                        (
                            "an action with firm pressure needs 'self_gentle' and 'partner_gentle' "
                            "wording (used when the safety screen says gentle pressure only)"
                        ),
                    )


# --- loading --------------------------------------------------------------------------------------


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
    """A routine shipped with solemate; ``evening`` is the guide's."""
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
