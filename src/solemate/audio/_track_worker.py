"""Renders one session's track for :class:`solemate.web.track.SessionTracks`, then ends.

Started as ``python -m solemate.audio._track_worker`` (not through ``multiprocessing``, so it works
whatever the server's main module is). Rendering a session loads the mixing and encoding stack and
touches tens of MB; in a process of its own all of it goes back to the system when the track is
written, and the server's requests never wait for the render's share of the interpreter.

Protocol: one JSON object on stdin (``timeline`` as :meth:`Timeline.to_dict` gives it, ``output``,
``format``, ``voice`` for the render's options, and ``speaker``: ``voice``, ``rate``,
``cache_dir``, ``model_dir`` of the engine to speak with, or null for the options' own), answered
with one JSON object on stdout: ``{"ok": true, "seconds": …, "bytes": …, "total": …}`` or
``{"ok": false, "error": …}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO


def _answer(out: TextIO, **fields: Any) -> None:
    out.write(json.dumps(fields) + "\n")
    out.flush()


def _path(value: object) -> Path | None:
    return Path(str(value)) if value else None


def main() -> int:
    out = sys.stdout
    sys.stdout = sys.stderr  # a library that prints must not break the protocol
    try:
        request = json.loads(sys.stdin.read())
        if not isinstance(request, dict):
            raise ValueError("the request is not a JSON object")
        from solemate.audio.encode import Format
        from solemate.audio.render import RenderOptions, render_session
        from solemate.audio.voice_registry import resolve_voice
        from solemate.timeline import Timeline

        timeline = Timeline.from_dict(request["timeline"])
        spec = request.get("speaker")
        speaker = (
            resolve_voice(
                spec["voice"],
                int(spec["rate"]),
                _path(spec.get("cache_dir")),
                _path(spec.get("model_dir")),
            )
            if spec
            else None
        )
        options = RenderOptions(format=Format(request["format"]), voice=request.get("voice"))
        result = render_session(timeline, Path(request["output"]), options, speaker)
    except Exception as exc:  # every failure is the answer, never a traceback on the pipe
        detail = str(exc) if not isinstance(exc, KeyError) else f"the request has no {exc}"
        _answer(out, ok=False, error=detail or exc.__class__.__name__)
        return 1
    _answer(
        out,
        ok=True,
        seconds=result.seconds,
        bytes=result.bytes,
        total=result.timings.get("total", 0.0),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
