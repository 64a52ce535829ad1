"""The shipped routine against the guide, and the routine format's loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from solemate.plan import PlanOptions, bounds
from solemate.routine import (
    Routine,
    RoutineError,
    Zone,
    builtin_names,
    key_lines,
    load_routine,
    parse_routine,
)

SOURCE = Path(__file__).resolve().parents[1] / "src" / "solemate" / "routines" / "evening.toml"


def all_text(routine: Routine, voice: str = "self") -> str:
    """Every English sentence the routine can say or show, lower-cased."""
    parts: list[str] = [routine.evidence["en"]]
    parts += [routine.opening.cue["en"].self_, routine.opening.cue["en"].partner]
    for item in routine.preparation:
        parts += [item.cue["en"].self_, item.cue["en"].partner]
    for step in routine.steps:
        parts.append(step.title["en"])
        for action in step.actions:
            cue = action.cue["en"]
            parts += [cue.self_, cue.partner, cue.pressure or "", cue.checkin or "", cue.each or ""]
    parts += [routine.between_feet.cue["en"].self_, routine.closing.cue["en"].self_]
    return " ".join(parts).lower()


def step(routine: Routine, number: int) -> dict[str, object]:
    return {a.id: a for a in routine.steps[number - 1].actions}


# Each requirement of the guide (as listed in the product brief), and where the routine keeps it.
GUIDE_TEXT = [
    "calm environment",
    "dim the lights",
    "soft, instrumental music",
    "comfortable temperature",
    "chair or cushion",
    "a towel",
    "massage oil or lotion",
    "lavender or chamomile",
    "warm a little massage oil or lotion between your palms",
    "wash and dry your feet",
    "relaxed, reclined position",
    "breathe in deeply",
    "gentle, mindful pressure",
    "relaxation, not deep tissue",
    "from the toes steadily up the foot, over the ankle, and a few inches up the calf",
    "firm but gentle pressure on the upward stroke, lighter as you return",
    "rotate the ankle in slow circles",
    "circular pressure all around the heel bone",
    "kneading any tight spots",
    "from the ball of the foot back towards the heel",
    "thumb-walk",
    "caterpillar-like",
    "tender: adjust the pressure",
    "rotate the toe, then gently pull it outward with a slight traction",
    "squeeze and roll each toe, from base to tip",
    "pad of each toe and the webbing between them",
    "deep, static pressure",
    "grooves between the long bones leading to the toes, from the base of the toes up towards the ankle",
    "circular motions with your fingertips",
    "return to the long, soothing strokes from step one",
    "solar plexus point, in the centre of the foot just below the ball, in the diaphragm area",
    "steady, sinking pressure",
    "insomnia point, on the heel, slightly towards the inner ankle",
    "gentle, circular pressure",
    "wrap {foot} warmly in the towel",
    "even in a shortened form",
]


@pytest.mark.parametrize("phrase", GUIDE_TEXT)
def test_the_guides_instructions_are_all_in_the_routine(evening: Routine, phrase: str) -> None:
    assert phrase.lower() in all_text(evening)


def test_the_guides_seven_steps_in_order(evening: Routine) -> None:
    assert [s.title["en"] for s in evening.steps] == [
        "Preparation and relaxing effleurage",
        "Ankle and heel mobilization",
        "Arch work for central calm",
        "Toe manipulation for head and neck tension",
        "Metatarsal and ball of the foot pressure",
        "Calming the top of the foot",
        "The final soothing strokes and sleep induction focus",
    ]
    kinds = {a.kind for s in evening.steps for a in s.actions}
    for technique in (
        "stroke",
        "rotation",
        "circles",
        "thumb-walk",
        "traction",
        "squeeze-roll",
        "static-hold",
    ):
        assert technique in kinds


def test_the_guides_counts(evening: Routine) -> None:
    ankle = evening.action("ankle-circles").repeat
    assert ankle is not None
    assert [(s.count, s.label["en"]) for s in ankle.sets] == [
        (5, "clockwise"),
        (5, "counterclockwise"),
    ]
    for action_id in ("toe-rotate-traction", "toe-squeeze-roll"):
        rep = evening.action(action_id).repeat
        assert rep is not None
        assert rep.total == 5, "each of the five toes"
    pads = evening.action("toe-pads-webbing").repeat
    assert pads is not None
    assert pads.total == 9  # five pads and the four webs between them
    ball = evening.action("ball-points").repeat
    assert ball is not None
    assert ball.countdown
    assert (ball.seconds.min, ball.seconds.low, ball.seconds.high, ball.seconds.max) == (
        5,
        5,
        10,
        10,
    )
    assert ball.seconds.origin == "guide"


@pytest.mark.parametrize(
    ("action_id", "low", "high"),
    [
        ("long-strokes", 120, 180),  # two to three minutes
        ("heel-circles", 60, 120),  # a minute or two
        ("solar-plexus", 60, 60),  # for a minute
        ("insomnia-point", 60, 120),  # a minute or two
    ],
)
def test_the_guides_durations(evening: Routine, action_id: str, low: int, high: int) -> None:
    seconds = evening.action(action_id).seconds
    assert seconds is not None
    assert (seconds.low, seconds.high, seconds.origin) == (low, high, "guide")


def test_durations_the_guide_does_not_give_are_marked_as_solemates_choice(evening: Routine) -> None:
    for action_id in (
        "arch-circles",
        "thumb-walk",
        "top-strokes",
        "top-circles",
        "closing-strokes",
    ):
        seconds = evening.action(action_id).seconds
        assert seconds is not None
        assert seconds.origin == "solemate", action_id
    for action_id in (
        "toe-rotate-traction",
        "toe-squeeze-roll",
        "toe-pads-webbing",
        "ankle-circles",
    ):
        rep = evening.action(action_id).repeat
        assert rep is not None
        assert rep.seconds.origin == "solemate", action_id
    assert "solemate's choice" in SOURCE.read_text()


def test_zones_and_their_traditions_are_labelled_as_tradition(evening: Routine) -> None:
    assert set(evening.zones) == {
        "toes", "ball", "arch", "heel", "top", "ankle", "calf", "solar-plexus", "insomnia-point",
    }  # fmt: skip
    links: dict[Zone, str] = {
        "toes": "head, sinuses and neck",
        "ball": "heart, chest and lungs",
        "arch": "spine and internal organs",
        "heel": "pelvic area",
    }
    for zone, link in links.items():
        tradition = evening.zones[zone].tradition
        assert tradition is not None
        assert link in tradition["en"]
        assert "reflexology" in tradition["en"]
    assert "no scientific evidence" in evening.evidence["en"]
    assert evening.phrases["en"].tradition.startswith(
        "Traditional reflexology association, not medical fact"
    )
    # the guide's strongest claims are never stated as fact
    text = all_text(evening)
    assert "miraculously" not in text
    assert "directly signal the brain" not in text


def test_every_action_speaks_in_both_voices(evening: Routine) -> None:
    for s in evening.steps:
        for action in s.actions:
            cue = action.cue["en"]
            assert cue.self_
            assert cue.partner
            if "{foot}" in cue.self_:
                assert "{foot}" in cue.partner
    partner = all_text(evening)
    assert "ask whether the pressure feels right" in partner


def test_the_nightly_ritual_of_ten_to_fifteen_minutes_fits_both_feet(evening: Routine) -> None:
    shortest, longest = bounds(evening, PlanOptions())
    # With room for every cue to be said, both feet need a little over eleven minutes
    # (11 min 25 s); ten minutes fit one foot.
    assert shortest <= 12 * 60
    assert bounds(evening, PlanOptions(feet="left"))[0] <= 10 * 60
    assert longest >= 15 * 60


def test_builtin_names() -> None:
    assert "evening" in builtin_names()


def test_a_translation_is_a_file_beside_the_routine(tmp_path: Path) -> None:
    routine = tmp_path / "evening.toml"
    routine.write_text(SOURCE.read_text())
    base = load_routine(routine)
    assert base.languages == ["en"]
    # A partial translation is reported, naming what is missing.
    (tmp_path / "evening.xx.toml").write_text('title.xx = "Abendmassage"\n')
    with pytest.raises(RoutineError) as info:
        load_routine(routine)
    messages = [str(p) for p in info.value.problems]
    assert any("source.xx: has no text for language 'xx'" in m for m in messages)
    assert any("steps[0].actions[0].name.xx: has no text for language 'xx'" in m for m in messages)


def test_a_complete_translation_loads_and_plans(tmp_path: Path, evening: Routine) -> None:
    """Copy every English text to a new language 'xx' in a separate file; the routine gains 'xx'."""
    import tomllib

    data = tomllib.loads(SOURCE.read_text())

    def only_en(node: object) -> object:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "en":
                    out["xx"] = value
                elif key == "id":
                    out["id"] = value
                else:
                    inner = only_en(value)
                    if inner not in ({}, [], None):
                        out[key] = inner
            return out
        if isinstance(node, list) and node and isinstance(node[0], dict):
            return [only_en(x) for x in node]
        return None

    overlay = only_en(data)
    assert isinstance(overlay, dict)
    (tmp_path / "evening.toml").write_text(SOURCE.read_text())
    (tmp_path / "evening.xx.toml").write_text(_dump(overlay))
    routine = load_routine(tmp_path / "evening.toml")
    assert routine.languages == ["en", "xx"]
    from solemate.plan import plan

    assert plan(routine, PlanOptions(language="xx")).total == 720


def _dump(data: dict[str, object], prefix: str = "") -> str:
    """A tiny TOML writer for the test's overlay (JSON strings are valid TOML basic strings)."""
    import json

    lines: list[str] = []
    tables: list[tuple[str, dict[str, object]]] = []
    arrays: list[tuple[str, list[dict[str, object]]]] = []
    for key, value in data.items():
        name = f'"{key}"' if "-" in key else key
        if isinstance(value, dict):
            tables.append((f"{prefix}{name}", value))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            arrays.append((f"{prefix}{name}", value))
        else:
            lines.append(f"{name} = {json.dumps(value, ensure_ascii=False)}")
    out = "\n".join(lines) + "\n"
    for name, table in tables:
        out += f"[{name}]\n" + _dump(table, f"{name}.")
    for name, items in arrays:
        for item in items:
            out += f"[[{name}]]\n" + _dump(item, f"{name}.")
    return out


def test_key_lines_follow_arrays_of_tables() -> None:
    text = SOURCE.read_text()
    positions = key_lines(text)
    lines = text.splitlines()
    line = positions[("steps", 4, "actions", 0, "repeat", "seconds")]
    assert lines[line - 1].strip().startswith("seconds = { min = 5, low = 5, high = 10, max = 10")
    line = positions[("steps", 1, "actions", 0, "id")]
    assert lines[line - 1].strip() == 'id = "ankle-circles"'


def test_problems_name_file_line_and_path(tmp_path: Path) -> None:
    text = SOURCE.read_text().replace(
        "seconds = { min = 5, low = 5, high = 10, max = 10",
        "seconds = { min = 0, low = 5, high = 10, max = 4000",
    )
    with pytest.raises(RoutineError) as info:
        parse_routine(text, "mine.toml")
    (problem,) = info.value.problems
    assert problem.path == "steps[4].actions[0].repeat.seconds.max"
    assert problem.message == "must be 0–3600, got 4000"
    assert problem.line is not None
    assert "max = 4000" in text.splitlines()[problem.line - 1]
    assert str(problem).startswith(
        f"mine.toml:{problem.line}: steps[4].actions[0].repeat.seconds.max:"
    )


def test_user_routines_and_digest(tmp_path: Path, evening: Routine) -> None:
    copy = tmp_path / "mine.toml"
    copy.write_text(SOURCE.read_text().replace('version = "1.0"', 'version = "1.1"'))
    mine = load_routine(copy)
    assert mine.digest != evening.digest
    assert load_routine(copy).digest == mine.digest
