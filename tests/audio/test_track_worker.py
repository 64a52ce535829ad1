"""The process that renders a web session's track: garbage in gets one clear answer, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def ask(stdin: str) -> tuple[int, dict[str, object], str]:
    done = subprocess.run(
        [sys.executable, "-m", "solemate.audio._track_worker"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout  # one answer, nothing else on the pipe
    return done.returncode, json.loads(lines[0]), done.stderr


@pytest.mark.parametrize(
    ("stdin", "words"),
    [
        ("", "Expecting value"),
        ("[1, 2]", "not a JSON object"),
        ('{"output": "x.mp3"}', "has no 'timeline'"),
        ('{"timeline": {"format": "nope"}, "output": "x.mp3", "format": "mp3"}', "not a"),
    ],
)
def test_garbage_is_answered_not_a_traceback(stdin: str, words: str) -> None:
    code, answer, err = ask(stdin)
    assert code == 1
    assert answer["ok"] is False
    assert words in str(answer["error"])
    assert "Traceback" not in err


def test_a_track_is_rendered_and_described(tmp_path: Path, speech_cache: Path) -> None:
    from solemate.plan import PlanOptions, plan
    from solemate.routine import builtin_routine

    timeline = plan(builtin_routine(), PlanOptions(minutes=10, wording="brief"))
    output = tmp_path / "track.mp3"
    request = {
        "timeline": timeline.to_dict(),
        "output": str(output),
        "format": "mp3",
        "voice": "espeak",
        "speaker": {"voice": "espeak", "rate": 145, "cache_dir": str(speech_cache)},
    }
    code, answer, _ = ask(json.dumps(request))
    assert code == 0, answer
    assert answer["ok"] is True
    assert answer["seconds"] == pytest.approx(timeline.total, abs=0.5)
    assert answer["bytes"] == output.stat().st_size > 10_000
    assert output.read_bytes()[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3")
