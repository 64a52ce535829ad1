"""The natural voice on this machine: model assembly and load, real-time factor, memory, speaking a
session's phrases ahead of time cold and warm, and what an independent recognizer hears."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from benchmarks.harness import median, write_section
from solemate.plan import PlanOptions, plan
from solemate.routine import builtin_routine

SHORT = 30
TRANSCRIBED = [
    "Breathe out slowly.",
    "Press your thumb into the arch of the foot.",
    "And release.",
    "Now the other foot.",
    "Rest your hands and let the foot grow heavy.",
]

_ENGINE_PROBE = """
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from solemate.audio.kokoro import KokoroEngine
engine = KokoroEngine(cache_dir=Path(sys.argv[1]), model_dir=Path(sys.argv[2]))
engine.load()
load = time.perf_counter() - t0
texts = json.loads(sys.argv[3])
cpu0, wall0, spoken = time.process_time(), time.perf_counter(), 0.0
for text in texts:
    spoken += engine.synthesize(text).size / engine.sample_rate
cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
status = Path("/proc/self/status").read_text()
def kb(field):
    return int(next(l for l in status.splitlines() if l.startswith(field)).split()[1])
print(json.dumps({"load": load, "cpu": cpu, "wall": wall, "spoken": spoken,
                  "rss_mb": kb("VmRSS:") / 1024, "peak_mb": kb("VmHWM:") / 1024}))
"""


def session_texts() -> list[str]:
    timeline = plan(builtin_routine(), PlanOptions())
    return list(dict.fromkeys(cue.text for cue in timeline.cues))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def word_errors(reference: str, heard: str) -> tuple[int, int]:
    """(edits, reference words): the Levenshtein distance over words, for a word error rate."""
    ref, hyp = _words(reference), _words(heard)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1], len(ref)


def transcribe(speaker: object) -> list[tuple[str, str]]:
    import pocketsphinx  # type: ignore[import-untyped]

    from solemate.live.listen import SAMPLE_RATE, to_pcm16

    decoder = pocketsphinx.Decoder(loglevel="FATAL", samprate=SAMPLE_RATE)
    out = []
    for text in TRANSCRIBED:
        audio = speaker.synthesize(text)  # type: ignore[attr-defined]
        pcm = to_pcm16(audio, speaker.sample_rate)  # type: ignore[attr-defined]
        decoder.start_utt()
        decoder.process_raw(pcm.tobytes(), full_utt=True)
        decoder.end_utt()
        out.append((text, decoder.hyp().hypstr if decoder.hyp() else ""))
    return out


def main() -> None:
    from solemate.audio.kokoro import ensure_model
    from solemate.audio.speak_ahead import prepare
    from solemate.audio.voice_registry import SpeakerSpec, resolve_voice

    texts = session_texts()
    load_before = _load()
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp) / "models"
        t0 = time.perf_counter()
        ensure_model(models)
        join = time.perf_counter() - t0
        verify = median([_timed(lambda: ensure_model(models)) for _ in range(5)])

        probes = []
        for i in range(3):
            out = subprocess.run(
                [sys.executable, "-c", _ENGINE_PROBE, f"{tmp}/probe{i}", str(models), json.dumps(texts[:10])],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            probes.append(json.loads(out.stdout))
        load = median([p["load"] for p in probes])
        rtf_cpu = median([p["cpu"] / p["spoken"] for p in probes])
        rtf_wall = median([p["wall"] / p["spoken"] for p in probes])
        rss = median([p["rss_mb"] for p in probes])
        peak = median([p["peak_mb"] for p in probes])

        short = sorted(texts, key=len)[:SHORT]
        runs = []
        for i in range(2):
            spec = SpeakerSpec("heart", cache_dir=Path(tmp) / f"short{i}", model_dir=models)
            cold = _timed(partial(prepare, spec, short))
            warm = median([_timed(partial(prepare, spec, short)) for _ in range(5)])
            runs.append((cold, warm))
        short_spoken = sum(prepare(spec, short).values())
        spec = SpeakerSpec("heart", cache_dir=Path(tmp) / "cache0", model_dir=models)
        session_cold = _timed(partial(prepare, spec, texts))
        session_warm = median([_timed(partial(prepare, spec, texts)) for _ in range(5)])
        lengths = prepare(spec, texts)
        espeak_spec = SpeakerSpec("espeak", cache_dir=Path(tmp) / "espeak")
        espeak_cold = _timed(partial(prepare, espeak_spec, texts))
        espeak_lengths = prepare(espeak_spec, texts)

        heard = {
            "heart": transcribe(resolve_voice("heart", cache_dir=Path(tmp) / "cache0", model_dir=models)),
            "espeak": transcribe(resolve_voice("espeak", cache_dir=Path(tmp) / "espeak")),
        }  # fmt: skip

    cold = median([c for c, _ in runs])
    warm = median([w for _, w in runs])
    spoken = sum(lengths.values())
    rows = [
        f"| join the four parts into the cache (first use only) | {join:.2f} s |",
        f"| verify the joined model's sha256 (every load) | {verify * 1000:.0f} ms |",
        f"| load the model in a fresh process (imports included) | {load:.2f} s |",
        f"| real-time factor, CPU s per spoken s (1 thread) | {rtf_cpu:.2f} |",
        f"| real-time factor, wall | {rtf_wall:.2f} |",
        f"| worker memory after 10 phrases: RSS / peak | {rss:.0f} / {peak:.0f} MB |",
        f"| prepare {SHORT} short distinct phrases ({short_spoken:.0f} s of speech), cold, 2 workers | {cold:.1f} s |",
        f"| the same, warm (every phrase cached) | {warm * 1000:.1f} ms |",
        f"| prepare all {len(texts)} distinct phrases of the session ({spoken:.0f} s of speech), cold | {session_cold:.1f} s |",
        f"| the same, warm | {session_warm * 1000:.1f} ms |",
        f"| the same with espeak-ng, cold | {espeak_cold:.2f} s |",
    ]
    wer = {}
    listen = []
    for voice, pairs in heard.items():
        edits = sum(word_errors(ref, hyp)[0] for ref, hyp in pairs)
        words = sum(word_errors(ref, hyp)[1] for ref, hyp in pairs)
        wer[voice] = edits / words
        listen += [f"| {voice} | {ref} | {hyp or '(nothing)'} |" for ref, hyp in pairs]
    longer = sum(lengths.values()) / sum(espeak_lengths.values())
    body = "\n".join(
        [
            "Kokoro-82M int8 with the `heart` voice at the default rate (145 wpm → speed 0.88), "
            "onnxruntime with one thread per process; the session phrases are the distinct cue "
            f"texts of tonight's default plan. Model figures are medians of 3 fresh processes, "
            "short-phrase figures medians of 2 cold runs (fresh cache) and 5 warm ones. "
            f"Load average (1 min) {load_before:.1f} before and {_load():.1f} after the run on "
            "2 cores: other work on the machine slows the cold figures.\n",
            "| measure | value |",
            "|---|---|",
            *rows,
            "",
            f"* Kokoro speaks these phrases {longer:.2f}× as long as espeak-ng at the same rate: "
            "why the planner takes measured lengths.",
            f"* Word error rate of pocketsphinx's bundled English model on {len(TRANSCRIBED)} "
            f"phrases: heart {wer['heart']:.2f}, espeak {wer['espeak']:.2f} "
            "(a small, rough recognizer: only the ranking means much).\n",
            "| voice | said | pocketsphinx heard |",
            "|---|---|---|",
            *listen,
        ]
    )
    print(body)
    write_section("voice", "The natural voice (Kokoro) on this machine", body)


def _load() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
