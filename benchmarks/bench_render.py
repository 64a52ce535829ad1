"""Rendering a session to a file: wall time, real-time factor and peak memory, cold and warm, against
a naive pipeline (one ``espeak-ng`` process per cue into WAV files, joined with ``sox``).

Every render runs in a fresh subprocess that reports its own wall time (around the render call, after
imports) and its peak resident memory (``VmHWM``: the whole Python process, numpy included; the
small espeak-ng worker process is not counted). "Cold" starts from an empty phrase cache, "warm"
from one filled by an earlier render of the same session. The baseline encodes its joined WAV
through libsndfile (MP3 at VBR level 0.5, libsndfile's LAME; Vorbis and WAV with the product's
settings).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import median, write_section

REPEAT = int(os.environ.get("SOLEMATE_BENCH_REPEAT", "3"))
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

SESSIONS: dict[str, dict[str, Any]] = {"nightly": {}, "full": {"preset": "full"}}

LONG_REPEATS = 5
"""The planner's longest session is about 48 minutes, so the 60-minute memory check renders five
nightly sessions back to back (5 × 12 min), as one Timeline."""


def _repeated(timeline: Any, times: int) -> Any:
    """``timeline`` played ``times`` times in a row, as one Timeline."""
    from dataclasses import replace

    segments: list[Any] = []
    for k in range(times):
        shift = k * timeline.total
        for segment in timeline.segments:
            cues = tuple(replace(c, at=c.at + shift) for c in segment.cues)
            segments.append(
                replace(
                    segment,
                    index=len(segments),
                    start=segment.start + shift,
                    end=segment.end + shift,
                    cues=cues,
                )
            )
    return replace(timeline, segments=tuple(segments))


BASELINE_MP3: dict[str, Any] = {"bitrate_mode": "VARIABLE", "compression_level": 0.5}


def _peak_rss_mb() -> float:
    """This process's peak resident memory, ``VmHWM``: unlike ``ru_maxrss``, which Linux carries
    over from the parent through fork and exec, it counts only the rendering process itself."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Runs inside the subprocess: one render, measured."""
    from solemate.audio.render import RenderOptions, render_session
    from solemate.audio.speech import SpeechEngine
    from solemate.plan import PlanOptions, plan
    from solemate.routine import builtin_routine

    timeline = plan(builtin_routine(), PlanOptions(**spec["plan"]))
    if spec.get("repeat"):
        timeline = _repeated(timeline, spec["repeat"])
    engine = SpeechEngine(cache_dir=Path(spec["cache"]))
    start = time.perf_counter()
    result = render_session(timeline, Path(spec["out"]), RenderOptions(), speaker=engine)
    wall = time.perf_counter() - start
    return {
        "wall": wall,
        "seconds": result.seconds,
        "bytes": result.bytes,
        "loudness": result.loudness,
        "true_peak": result.true_peak,
        "rss_mb": _peak_rss_mb(),
        "stages": result.timings,
    }


def _render(session: str, fmt: str, cache: Path, folder: Path, repeat: int = 0) -> dict[str, Any]:
    spec = {
        "plan": SESSIONS[session],
        "cache": str(cache),
        "out": str(folder / f"out.{fmt}"),
        "repeat": repeat,
    }
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_render", "--worker", json.dumps(spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _baseline(session: str, fmt: str, folder: Path) -> dict[str, Any]:
    """One espeak-ng process per cue, sox pads each to its time and joins them, then the same encoder."""
    import resource

    import soundfile as sf

    from solemate.audio.speech import DEFAULT_PITCH, DEFAULT_RATE, DEFAULT_VOICE
    from solemate.plan import PlanOptions, plan
    from solemate.routine import builtin_routine

    timeline = plan(builtin_routine(), PlanOptions(**SESSIONS[session]))
    start = time.perf_counter()
    parts: list[str] = []
    clock = 0.0
    for i, cue in enumerate(timeline.cues):
        wav = folder / f"cue{i:04d}.wav"
        subprocess.run(
            [
                "espeak-ng",
                "-v",
                DEFAULT_VOICE,
                "-s",
                str(DEFAULT_RATE),
                "-p",
                str(DEFAULT_PITCH),
                "-w",
                str(wav),
                cue.text,
            ],
            check=True,
        )
        seconds = sf.info(str(wav)).duration
        lead = max(0.0, cue.at - clock)
        padded = folder / f"pad{i:04d}.wav"
        subprocess.run(["sox", str(wav), str(padded), "pad", f"{lead:.4f}"], check=True)
        parts.append(str(padded))
        clock += lead + seconds
    joined = folder / "joined.wav"
    # sox takes the whole list at once; a final pad brings the session to its planned length.
    subprocess.run(
        ["sox", *parts, str(joined), "pad", "0", f"{max(0.0, timeline.total - clock):.4f}"],
        check=True,
    )
    from solemate.audio.encode import CODECS, Format

    codec = CODECS[Format(fmt)]
    # the baseline encodes MP3 the plain way, through libsndfile's LAME (VBR, about 40 kbit/s)
    settings = BASELINE_MP3 if fmt == "mp3" else dict(codec.settings)
    with (
        sf.SoundFile(str(joined)) as source,
        sf.SoundFile(
            str(folder / f"baseline.{fmt}"),
            "w",
            samplerate=source.samplerate,
            channels=1,
            format=codec.container,
            subtype=codec.subtype,
            **settings,
        ) as target,
    ):
        for block in source.blocks(blocksize=1 << 16, dtype="float32"):
            target.write(block)
    wall = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall": wall, "seconds": float(timeline.total), "rss_mb": children}


def _fmt_row(label: str, runs: list[dict[str, Any]], baseline: float | None) -> str:
    wall = median([r["wall"] for r in runs])
    seconds = runs[0]["seconds"]
    rss = max(r["rss_mb"] for r in runs)
    ratio = f"{baseline / wall:.1f}× faster" if baseline else "—"
    return f"| {label} | {wall:.2f} s | {seconds / wall:,.0f}× | {rss:.0f} MB | {ratio} |"


def main() -> None:
    have_baseline = shutil.which("espeak-ng") is not None and shutil.which("sox") is not None
    rows = [
        "| render | wall time (median) | real-time factor | peak memory | against the baseline |",
        "|---|---|---|---|---|",
    ]
    notes: list[str] = []
    details: list[str] = []
    measured: dict[tuple[str, str], tuple[float, float | None, float]] = {}
    with tempfile.TemporaryDirectory(prefix="solemate-bench-") as tmp:
        root = Path(tmp)
        for session in ("nightly", "full"):
            for fmt in ("mp3", "ogg", "wav"):
                base_wall = None
                if have_baseline:
                    base_runs = []
                    for i in range(REPEAT):
                        folder = root / f"base-{session}-{fmt}-{i}"
                        folder.mkdir()
                        base_runs.append(_baseline(session, fmt, folder))
                        shutil.rmtree(folder)
                    base_wall = median([r["wall"] for r in base_runs])
                    rows.append(
                        f"| {session}, {fmt}: baseline (espeak-ng per cue + sox) | {base_wall:.2f} s | "
                        f"{base_runs[0]['seconds'] / base_wall:,.0f}× | — | 1.0× |"
                    )
                cold = []
                for i in range(REPEAT):
                    cache = root / f"cold-{session}-{fmt}-{i}"
                    cold.append(_render(session, fmt, cache, root))
                    shutil.rmtree(cache)
                rows.append(_fmt_row(f"{session}, {fmt}: solemate, cold cache", cold, base_wall))
                cache = root / f"warm-{session}-{fmt}"
                _render(session, fmt, cache, root)  # fills the cache
                warm = [_render(session, fmt, cache, root) for _ in range(REPEAT)]
                rows.append(_fmt_row(f"{session}, {fmt}: solemate, warm cache", warm, base_wall))
                measured[(session, fmt)] = (
                    median([r["wall"] for r in warm]),
                    base_wall,
                    max(r["rss_mb"] for r in warm),
                )
                stages = warm[0]["stages"]
                details.append(
                    f"- {session} {fmt} (warm): {warm[0]['seconds']:.0f} s of audio, "
                    f"{warm[0]['bytes'] / 1e6:.1f} MB, {warm[0]['loudness']:.2f} LUFS, "
                    f"{warm[0]['true_peak']:.2f} dBTP; stages: speech {stages['speech']:.2f} s, "
                    f"loudness pass {stages['measure']:.2f} s, mix + encode {stages['write']:.2f} s"
                )
                print(rows[-1], flush=True)
        cache = root / "warm-60"
        _render("nightly", "mp3", cache, root)
        long_runs = [_render("nightly", "mp3", cache, root, repeat=LONG_REPEATS)]
        rows.append(
            _fmt_row("60 min (5 × nightly), mp3: warm cache (memory check)", long_runs, None)
        )
        load = os.getloadavg()
    if not have_baseline:
        notes.append("espeak-ng or sox is missing: the baseline was not measured.")
    full_wall, full_base, _ = measured[("full", "mp3")]
    longest = max(long_runs[0]["rss_mb"], measured[("nightly", "mp3")][2])
    verdicts = [
        f"full session to MP3 warm in {full_wall:.2f} s (goal under 6 s): "
        + ("met" if full_wall < 6 else "**not met**"),
        f"peak memory {measured[('nightly', 'mp3')][2]:.0f} MB for 12 minutes and "
        f"{long_runs[0]['rss_mb']:.0f} MB for 60 (goal under 150 MB, not growing): "
        + ("met" if longest < 150 else "**not met**"),
    ]
    if full_base is not None:
        ratio = full_base / full_wall
        verdicts.insert(
            1,
            f"{ratio:.2f}× the baseline's speed (goal at least 3×): "
            + ("met" if ratio >= 3 else "**not met**"),
        )
    notes.append("Goals, full session to MP3: " + "; ".join(verdicts) + ".")
    body = (
        "\n".join(rows)
        + "\n\n"
        + "\n".join(details)
        + "\n\n"
        + "\n".join(
            [
                f"Medians of {REPEAT} renders each, every render in a fresh process; peak memory is the "
                "largest `VmHWM` of the rendering process (Python and numpy included).",
                "The baseline's memory is that of its child processes (espeak-ng, sox), not comparable.",
                "Goals from issue 5: full session to MP3 under 6 s warm (≥ 300× real time), ≥ 3× faster "
                "than the baseline, peak memory under 150 MB for the 12- and 60-minute renders.",
                "WAV rows show the pipeline without a lossy encoder. The machine was shared while "
                f"measuring (load average {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f} at the end).",
                *notes,
            ]
        )
    )
    path = write_section("render", "Rendering a session to an audio file", body)
    print(body)
    print(f"written to {path}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        print(json.dumps(_worker(json.loads(sys.argv[2]))))
    else:
        main()
