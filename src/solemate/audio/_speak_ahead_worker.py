"""A worker of :func:`solemate.audio.speak_ahead.prepare`: one voice, loaded once, many phrases.

Started as ``python -m solemate.audio._speak_ahead_worker`` rather than through
``multiprocessing``, so it works whatever the parent's main module is (a script without a
``__main__`` guard, a web server). Protocol on stdin/stdout, one JSON object a line: first the voice
(``voice``, ``rate``, ``cache_dir``, ``model_dir``), answered with ``{"ok": true}``; then one
``{"text": …}`` a phrase, answered with ``{"ok": true, "seconds": …}`` once the phrase is in the
cache. With ``"wait": false`` a phrase another process is making right now is not waited for: the
answer is ``{"ok": true, "busy": true}`` and the worker can be given another phrase meanwhile.
Failures answer ``ok: false`` with an ``error``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO


def _answer(out: TextIO, **fields: Any) -> None:
    out.write(json.dumps(fields) + "\n")
    out.flush()


def main() -> None:
    out = sys.stdout
    sys.stdout = sys.stderr  # a library that prints must not break the protocol
    from solemate.audio.voice_registry import resolve_voice

    spec = json.loads(sys.stdin.readline())
    try:
        speaker = resolve_voice(
            spec["voice"],
            int(spec["rate"]),
            Path(spec["cache_dir"]) if spec.get("cache_dir") else None,
            Path(spec["model_dir"]) if spec.get("model_dir") else None,
        )
        load = getattr(speaker, "load", None)
        if load is not None:
            load()
    except Exception as exc:
        _answer(out, ok=False, error=str(exc))
        return
    _answer(out, ok=True)
    for line in sys.stdin:
        request = json.loads(line)
        text = request["text"]
        try:
            if not request.get("wait", True) and _busy(speaker, text):
                _answer(out, ok=True, busy=True)
                continue
            seconds = len(speaker.synthesize(text)) / speaker.sample_rate
        except Exception as exc:
            _answer(out, ok=False, error=str(exc))
            continue
        _answer(out, ok=True, seconds=seconds)


def _busy(speaker: object, text: str) -> bool:
    from solemate.audio.speech import CachingSpeaker

    if not isinstance(speaker, CachingSpeaker):
        return False
    key = speaker.cache_key(text)
    return speaker.cache.samples(key) is None and speaker.cache.being_made(key)


if __name__ == "__main__":
    main()
