"""The safety verdict on every path that plays or writes a session, answer by answer.

Each case stores a screen with one "yes" (or none), optionally tonight's check, and then takes the
four paths in turn on the same journal: the print sheet, ``solemate render``, the web player's
start and ``solemate guide``. A "do not massage" refuses everywhere and writes nothing; gentle
pressure, no calf and the patch test reach the plan everywhere; the playing paths also need
tonight's check and, for a "check with a clinician first" answer, the person's confirmation.
Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from solemate import safety_service
from solemate.journal import Journal
from solemate.safety import QUESTIONS, TONIGHT_QUESTIONS
from solemate.web import WebConfig, create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TINY = Path(__file__).resolve().parent / "audio" / "tiny.toml"
ANSWERS = [None, *(q.id for q in QUESTIONS)]
TONIGHT = ["not asked", "nothing new", "fever tonight"]


def expected_safety(yes: str | None) -> dict[str, bool]:
    effect = next((q.effect for q in QUESTIONS if q.id == yes), None)
    return {
        "gentle_only": effect == "gentle",
        "skip_calf": effect == "skip-calf",
        "patch_test": effect == "patch-test",
    }


def print_path(app: Any) -> tuple[bool, str]:
    with TestClient(app, base_url="http://127.0.0.1") as http:
        response = http.get("/print", params={"minutes": 12})
    assert response.status_code in (200, 409), response.text
    return response.status_code == 200, response.text


def player_path(app: Any) -> tuple[bool, str, dict[str, Any]]:
    with TestClient(app, base_url="http://127.0.0.1") as http:
        token = http.get("/api/csrf").json()["token"]
        response = http.post("/api/sessions", json={"minutes": 12}, headers={"x-csrf-token": token})
    assert response.status_code in (201, 409), response.text
    if response.status_code == 409:
        return False, response.json()["detail"], {}
    return True, "", response.json()["timeline"]["options"]["safety"]


def render_path(
    cli: CliRunner, url: str, out: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[bool, str, dict[str, Any]]:
    """``solemate render``, with the audio writer replaced by one that keeps the Timeline."""
    import solemate.audio.render as audio_render
    from solemate.cli.app import app

    rendered: list[Any] = []

    def fake_render(timeline: Any, path: Path, *args: Any, **kw: Any) -> Any:
        rendered.append(timeline)
        path.write_bytes(b"RIFF")
        return SimpleNamespace(
            path=path, seconds=60.0, planned_seconds=60.0, bytes=4, format=SimpleNamespace(value="wav"),
            sample_rate=22050, chapters=3, loudness=-16.0, true_peak=-2.0, late_cues=0, cues=5,
            max_delay=0.0, verified=False,
        )  # fmt: skip

    monkeypatch.setattr(audio_render, "render_session", fake_render)
    args = ["render", "--routine", str(TINY), "--minutes", "1", "-o", str(out), "--database", url]
    result = cli.invoke(app, args, input="")
    if result.exit_code != 0:
        assert not out.exists(), "a refused render writes nothing"
        assert rendered == []
        return False, result.stderr, {}
    assert out.exists()
    return True, "", dict(rendered[0].options["safety"])


def guide_path(cli: CliRunner, url: str, keys: str) -> tuple[bool, str, dict[str, Any]]:
    from solemate.cli.app import app

    args = ["guide", "--routine", str(TINY), "--minutes", "1", "--no-voice", "--no-chime"]
    result = cli.invoke(app, [*args, "--speed", "1000", "--database", url], input=keys)
    if result.exit_code != 0:
        return False, result.stderr + result.stdout, {}
    with Journal(url) as journal:
        last = journal.sessions()[-1]
    safety = last.plan_options["safety"]
    assert isinstance(safety, dict)
    return True, result.stdout, safety


@pytest.mark.parametrize("tonight", TONIGHT)
@pytest.mark.parametrize("yes", ANSWERS, ids=lambda a: a or "all-no")
def test_every_answer_on_every_path(
    yes: str | None,
    tonight: str,
    any_db: str,
    tmp_path: Path,
    cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    today = dt.date.today()
    question = next((q for q in QUESTIONS if q.id == yes), None)
    with Journal(any_db) as journal:
        verdict = safety_service.record_screen(
            journal, today, {q.id: q.id == yes for q in QUESTIONS}
        )
        if tonight != "not asked":
            safety_service.record_tonight(
                journal, today, ["fever"] if tonight == "fever tonight" else []
            )
    refused = (question is not None and question.effect == "stop") or tonight == "fever tonight"
    safety = expected_safety(yes)
    clinician = verdict.check_clinician_first
    app = create_app(WebConfig(data_dir=tmp_path / "web", database_url=any_db))

    def sessions() -> int:
        with Journal(any_db) as journal:
            return len(journal.sessions())

    # print: made ahead of time, so tonight's check is not needed (a "yes" in it still refuses)
    printed, sheet = print_path(app)
    assert printed is not refused
    if refused:
        assert "Do not massage tonight" in sheet
    else:
        assert ("Gentle pressure only (safety screen)." in sheet) is safety["gentle_only"]
        assert ("the calf is left out" in sheet) is safety["skip_calf"]

    # render: the same, and a refused render writes nothing
    out = tmp_path / "tonight.wav"
    written, why, options = render_path(cli, any_db, out, monkeypatch)
    assert written is not refused, why
    if refused:
        assert "Do not massage tonight" in why
    else:
        assert options == safety

    # the web player: also needs tonight's check, and a clinician's word when asked for
    before = sessions()
    started, why, options = player_path(app)
    playable = not refused and tonight == "nothing new" and not clinician
    assert started is playable, why
    assert sessions() == before + started
    if playable:
        assert options == safety
    elif not refused:
        assert "Anything new tonight?" in why or "clinician" in why

    # the guide: asks what is missing (tonight's check, the clinician's word), then plays
    keys = ("n\n" if tonight == "not asked" else "") + ("y\n" if clinician else "") + "\n\n"
    before = sessions()
    played, said, options = guide_path(cli, any_db, keys)
    assert played is not refused, said
    assert sessions() == before + played
    if refused:
        assert "Do not massage tonight" in said
        return
    assert options == safety
    assert ("Anything new tonight?" in said) is (tonight == "not asked")
    assert ("Have you checked with a clinician" in said) is clinician


def test_the_nightly_check_asks_each_question_after_something_new(
    cli: CliRunner, data_dir: Path
) -> None:

    url = f"sqlite:///{data_dir.parent / 'j.sqlite3'}"
    with Journal(url) as journal:
        safety_service.record_screen(journal, dt.date.today(), {q.id: False for q in QUESTIONS})
    keys = "y\n" + "".join("y\n" if q.id == "gout" else "n\n" for q in TONIGHT_QUESTIONS)
    played, said, _ = guide_path(cli, url, keys)
    assert not played
    assert "New tonight: a gout flare? [y/n]" in said
    assert "A joint in a gout flare should not be massaged" in said
    with Journal(url) as journal:
        assert journal.sessions() == []
        state = safety_service.safety_state(journal, dt.date.today())
    assert state.new_tonight == ("gout",)
    assert state.refusal("print") is not None, "tonight's gout holds for the print sheet too"


def test_enter_alone_asks_again_and_no_clinician_word_means_no_session(
    cli: CliRunner, data_dir: Path
) -> None:
    url = f"sqlite:///{data_dir.parent / 'j.sqlite3'}"
    keys = "\n" + "".join("y\n" if q.id == "heart" else "n\n" for q in QUESTIONS) + "n\n" + "n\n"
    played, said, _ = guide_path(cli, url, keys)
    assert not played
    assert said.count("Please answer y or n.") == 1
    assert "confirm that you have before the first session" in said
    with Journal(url) as journal:
        assert journal.sessions() == []
        assert safety_service.safety_state(journal, dt.date.today()).needs_confirm


def test_tonight_ids_in_the_api_are_the_nightly_questions() -> None:
    from typing import get_args

    from solemate.web.models import TonightId

    assert get_args(TonightId) == tuple(q.id for q in TONIGHT_QUESTIONS)


def test_the_latest_full_screen_counts_however_many_checks_came_after(any_db: str) -> None:
    """The newest screens are read first; a full screen older than all of them is still found
    (then every screen is read), and tonight's check is the newest of today's."""
    days = safety_service._RECENT + 5
    first = dt.date(2025, 1, 1)
    yes = {q.id: q.id == "diabetes-numbness" for q in QUESTIONS}
    with Journal(any_db) as journal:
        safety_service.record_screen(journal, first, yes)
        for n in range(days):  # a check every night since, more than the newest read first
            safety_service.record_tonight(journal, first + dt.timedelta(days=n), [])
        today = first + dt.timedelta(days=days - 1)
        safety_service.record_tonight(journal, today, ["fever"])
        reads: list[int | None] = []
        screens = journal.safety_screens

        def counted(**kw: Any) -> Any:
            reads.append(kw.get("last"))
            return screens(**kw)

        journal.safety_screens = counted  # type: ignore[method-assign]
        state = safety_service.safety_state(journal, today)
        assert reads == [safety_service._RECENT, None]
        assert state.screened_on == first
        assert state.answers == yes
        assert state.needs_screen  # more than SCREEN_VALID_DAYS ago
        assert state.new_tonight == ("fever",)

        safety_service.record_screen(journal, today, yes)
        reads.clear()
        state = safety_service.safety_state(journal, today)
        assert reads == [safety_service._RECENT]  # the newest held it
        assert state.screened_on == today
        assert not state.needs_screen
        assert state.new_tonight == ("fever",)
