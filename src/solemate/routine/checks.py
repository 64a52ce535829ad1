"""The semantic checks: the structure is valid, does it make sense? Placeholders, ranges,
references between steps, zones and wordings.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping

from solemate.routine.model import Routine, Segue
from solemate.routine.problems import format_path

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
