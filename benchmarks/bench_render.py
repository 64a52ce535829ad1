"""Rendering a session to a file: wall time, real-time factor and peak memory, cold and warm, against
the strongest simple pipelines, in the same run, interleaved.

Baselines, with the product's own encoder settings:

- the naive pipeline: one ``espeak-ng`` process per cue into WAV files, ``sox`` pads each to its
  time and joins them, then the encoder (MP3: ``lame -V5 -q5``, the LAME settings solemate uses;
  Vorbis and WAV: libsndfile with the product's settings);
- the encoder alone (MP3): ``lame -V5 -q5`` on the finished PCM of the same session, the floor a
  render can approach.

Every solemate render runs in a fresh subprocess that reports its own wall time (around the render
call, after imports) and its peak resident memory (``VmHWM``: the whole Python process, numpy
included; the small espeak-ng worker process is not counted). "Cold" starts from an empty phrase
cache, "warm" from one filled by an earlier render of the same session. The whole command
(``solemate render``, start-up, journal and safety check included) is timed as a process too.
"""

from __future__ import annotations

import json
import math
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
    options = RenderOptions(verify=spec.get("verify", False))
    result = render_session(timeline, Path(spec["out"]), options, speaker=engine)
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


def _render(
    session: str, fmt: str, cache: Path, folder: Path, repeat: int = 0, verify: bool = False
) -> dict[str, Any]:
    spec = {
        "plan": SESSIONS[session],
        "cache": str(cache),
        "out": str(folder / f"out.{fmt}"),
        "repeat": repeat,
        "verify": verify,
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


LAME = ["lame", "--quiet", "-V", "5", "-q", "5"]
"""The encoder settings of :mod:`solemate.audio.mp3` (VBR quality 5, algorithm quality 5)."""


def _speak_and_join(session: str, folder: Path) -> tuple[Path, float]:
    """The naive pipeline up to the joined WAV: one espeak-ng per cue, sox pads and joins."""
    import soundfile as sf

    from solemate.audio.speech import DEFAULT_PITCH, DEFAULT_RATE, DEFAULT_VOICE
    from solemate.plan import PlanOptions, plan
    from solemate.routine import builtin_routine

    timeline = plan(builtin_routine(), PlanOptions(**SESSIONS[session]))
    parts: list[str] = []
    clock = 0.0
    for i, cue in enumerate(timeline.cues):
        wav = folder / f"cue{i:04d}.wav"
        voice = ["-v", DEFAULT_VOICE, "-s", str(DEFAULT_RATE), "-p", str(DEFAULT_PITCH)]
        subprocess.run(["espeak-ng", *voice, "-w", str(wav), cue.text], check=True)
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
    return joined, float(timeline.total)


def _baseline(session: str, fmt: str, folder: Path) -> dict[str, Any]:
    """The naive pipeline, then the same encoder with the same settings as solemate."""
    import soundfile as sf

    from solemate.audio.encode import CODECS, Format

    start = time.perf_counter()
    joined, seconds = _speak_and_join(session, folder)
    target = folder / f"baseline.{fmt}"
    if fmt == "mp3":
        subprocess.run([*LAME, str(joined), str(target)], check=True)
    else:
        codec = CODECS[Format(fmt)]
        with (
            sf.SoundFile(str(joined)) as source,
            sf.SoundFile(
                str(target),
                "w",
                samplerate=source.samplerate,
                channels=1,
                format=codec.container,
                subtype=codec.subtype,
                **dict(codec.settings),
            ) as out,
        ):
            for block in source.blocks(blocksize=1 << 16, dtype="float32"):
                out.write(block)
    wall = time.perf_counter() - start
    return {"wall": wall, "seconds": seconds, "rss_mb": float("nan")}  # other processes: not shown


def _encoder_alone(pcm: Path, folder: Path) -> dict[str, Any]:
    """``lame -V5 -q5`` on the session's finished PCM, as a process: the encoder's own time."""
    start = time.perf_counter()
    subprocess.run([*LAME, str(pcm), str(folder / "alone.mp3")], check=True)
    wall = time.perf_counter() - start
    return {"wall": wall, "seconds": sf_seconds(pcm), "rss_mb": float("nan")}


def sf_seconds(path: Path) -> float:
    import soundfile as sf

    return float(sf.info(str(path)).duration)


def _command_environment(folder: Path) -> dict[str, str]:
    """A data folder whose journal holds a current safety screen, so ``render`` may run."""
    import datetime as dt

    from solemate import safety_service
    from solemate.journal import Journal
    from solemate.safety import QUESTIONS

    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    with Journal(f"sqlite:///{data / 'journal.sqlite3'}") as journal:
        safety_service.record_screen(journal, dt.date.today(), {q.id: False for q in QUESTIONS})
    return {**os.environ, "SOLEMATE_DATA_DIR": str(data), "SOLEMATE_VOICE": "espeak"}


def _command(env: dict[str, str], out: Path) -> dict[str, Any]:
    """``solemate render --full -o out.mp3 --voice espeak`` as a whole process."""
    solemate = Path(sys.executable).with_name("solemate")
    start = time.perf_counter()
    subprocess.run(
        [str(solemate), "render", "--full", "--voice", "espeak", "-o", str(out)],
        env=env,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - start
    return {"wall": wall, "seconds": sf_seconds_mp3(out), "rss_mb": float("nan")}


def sf_seconds_mp3(path: Path) -> float:
    import miniaudio  # type: ignore[import-untyped]

    info = miniaudio.mp3_get_file_info(str(path))
    return float(info.num_frames / info.sample_rate)


def _fmt_row(label: str, runs: list[dict[str, Any]], baseline: float | None) -> str:
    walls = [r["wall"] for r in runs]
    wall = median(walls)
    seconds = runs[0]["seconds"]
    rss = max(r["rss_mb"] for r in runs)
    memory = "—" if math.isnan(rss) else f"{rss:.0f} MB"
    ratio = f"{wall / baseline:.2f}×" if baseline else "—"
    return (
        f"| {label} | {min(walls):.2f} s | {wall:.2f} s | {seconds / wall:,.0f}× | {memory} "
        f"| {ratio} |"
    )


def _parity(ratio: float) -> str:
    """How a time ratio (solemate ÷ baseline) reads in words."""
    if ratio < 0.9:
        return f"{1 / ratio:.1f}× faster"
    if ratio <= 1.1:
        return "at parity"
    return f"{ratio:.1f}× slower"


def main() -> None:
    for tool in ("espeak-ng", "sox", "lame"):
        if shutil.which(tool) is None:
            raise SystemExit(
                f"bench_render needs {tool} for its baselines (apt-get install {tool})"
            )
    rows = [
        "| render | min | median | real-time factor | peak memory | time ÷ baseline |",
        "|---|---|---|---|---|---|",
    ]
    details: list[str] = []
    verdicts: list[str] = []
    measured: dict[tuple[str, str], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="solemate-bench-") as tmp:
        root = Path(tmp)
        env = _command_environment(root / "command")
        for session in ("nightly", "full"):
            for fmt in ("mp3", "ogg", "wav"):
                warm_cache = root / f"warm-{session}-{fmt}"
                _render(session, fmt, warm_cache, root)  # fills the cache
                pcm = root / f"pcm-{session}.wav"
                if fmt == "mp3":  # the same session's PCM, for the encoder alone
                    _render(session, "wav", warm_cache.with_name("pcm-cache"), root)
                    shutil.copy(root / "out.wav", pcm)
                    _command(env, root / "command.mp3")  # fills the command's phrase cache
                base, alone, cold, warm, verified, command = [], [], [], [], [], []
                for i in range(REPEAT):  # interleaved: every kind once per round
                    folder = root / f"base-{session}-{fmt}-{i}"
                    folder.mkdir()
                    base.append(_baseline(session, fmt, folder))
                    shutil.rmtree(folder)
                    cache = root / f"cold-{session}-{fmt}-{i}"
                    cold.append(_render(session, fmt, cache, root))
                    shutil.rmtree(cache)
                    warm.append(_render(session, fmt, warm_cache, root))
                    if fmt == "mp3":
                        alone.append(_encoder_alone(pcm, root))
                        verified.append(_render(session, fmt, warm_cache, root, verify=True))
                        if session == "full":
                            command.append(_command(env, root / "command.mp3"))
                first_row = len(rows)
                base_wall = median([r["wall"] for r in base])
                encoder = "lame -V5 -q5" if fmt == "mp3" else "libsndfile"
                rows.append(
                    _fmt_row(
                        f"{session}, {fmt}: baseline (espeak-ng + sox + {encoder})", base, None
                    )
                )
                rows.append(_fmt_row(f"{session}, {fmt}: solemate, cold cache", cold, base_wall))
                rows.append(_fmt_row(f"{session}, {fmt}: solemate, warm cache", warm, base_wall))
                figures = {
                    "base": base_wall,
                    "cold": median([r["wall"] for r in cold]),
                    "warm": median([r["wall"] for r in warm]),
                    "rss": max(r["rss_mb"] for r in warm),
                }
                if fmt == "mp3":
                    alone_wall = median([r["wall"] for r in alone])
                    rows.append(
                        _fmt_row(f"{session}, mp3: lame -V5 -q5 alone on its PCM", alone, None)
                    )
                    rows.append(
                        _fmt_row(f"{session}, mp3: solemate, warm, ÷ lame alone", warm, alone_wall)
                    )
                    rows.append(
                        _fmt_row(
                            f"{session}, mp3: solemate, warm, --verify ÷ lame alone",
                            verified,
                            alone_wall,
                        )
                    )
                    figures["alone"] = alone_wall
                    figures["verified"] = median([r["wall"] for r in verified])
                    if command:
                        figures["command"] = median([r["wall"] for r in command])
                        rows.append(
                            _fmt_row(
                                "full, mp3: `solemate render --full` whole command, warm ÷ lame alone",
                                command,
                                alone_wall,
                            )
                        )
                measured[(session, fmt)] = figures
                stages = warm[0]["stages"]
                details.append(
                    f"- {session} {fmt} (warm): {warm[0]['seconds']:.0f} s of audio, "
                    f"{warm[0]['bytes'] / 1e6:.1f} MB, {warm[0]['loudness']:.2f} LUFS, "
                    f"{warm[0]['true_peak']:.2f} dBTP; stages: speech {stages['speech']:.2f} s, "
                    f"loudness pass {stages['measure']:.2f} s, mix + encode {stages['write']:.2f} s"
                )
                print(*rows[first_row:], sep="\n", flush=True)
        cache = root / "warm-60"
        _render("nightly", "mp3", cache, root)
        long_runs = [_render("nightly", "mp3", cache, root, repeat=LONG_REPEATS)]
        rows.append(
            _fmt_row("60 min (5 × nightly), mp3: warm cache (memory check)", long_runs, None)
        )
        load = os.getloadavg()
    full = measured[("full", "mp3")]
    to_encoder = full["warm"] / full["alone"]
    verdicts.append(
        f"warm full render to MP3 in {to_encoder:.2f}× the time of `lame -V5 -q5` alone on its PCM "
        "(goal at most 1.3×): " + ("met" if to_encoder <= 1.3 else "**not met**")
    )
    verdicts.append(f"with --verify {full['verified'] / full['alone']:.2f}× (no goal)")
    for session, fmt in measured:
        ratio = measured[(session, fmt)]["warm"] / measured[(session, fmt)]["base"]
        cold_ratio = measured[(session, fmt)]["cold"] / measured[(session, fmt)]["base"]
        verdicts.append(
            f"{session} {fmt} against the naive pipeline: warm {_parity(ratio)}, "
            f"cold {_parity(cold_ratio)}"
        )
    longest = max(long_runs[0]["rss_mb"], measured[("nightly", "mp3")]["rss"])
    verdicts.append(
        f"peak memory {measured[('nightly', 'mp3')]['rss']:.0f} MB for 12 minutes and "
        f"{long_runs[0]['rss_mb']:.0f} MB for 60 (goal under 150 MB, not growing): "
        + ("met" if longest < 150 else "**not met**")
    )
    body = (
        "\n".join(rows)
        + "\n\n"
        + "\n".join(details)
        + "\n\n"
        + "\n".join(
            [
                f"{REPEAT} rounds, interleaved (each round runs every baseline and every solemate "
                "render once); every solemate render in a fresh process. Peak memory is the largest "
                "`VmHWM` of the rendering process (Python and numpy included); the baselines' "
                "processes are not comparable and not shown.",
                "The naive pipeline uses the same voice (espeak-ng) and the same encoder settings as "
                "solemate: MP3 through `lame -V5 -q5`, Vorbis and WAV through libsndfile with the "
                "product's settings. solemate also levels every phrase, meters the session to "
                "−16 LUFS, limits true peak and writes chapters; the baseline does none of that.",
                "The figures of a normal render are measured on the mix as it is handed to the "
                "encoder; `--verify` decodes the finished file and measures it again.",
                "The machine was shared while measuring (load average "
                f"{load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f} at the end).",
                "Verdicts: " + "; ".join(verdicts) + ".",
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
