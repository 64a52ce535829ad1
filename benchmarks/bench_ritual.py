"""The nightly ritual: how a short session keeps the guide's emphasis, how much of it is voice, and
what a first session costs in the natural voice, whole command against a fair baseline.

* Shares: every action's share of a 10, 12 and 15 minute plan against its share of ``--full``
  (the planner's estimate of speech; pure, deterministic).
* Voice: rendered 10/12/15-minute files in the default voice, measured from outside with ffmpeg's
  silence detection (below −50 dBFS for 0.3 s is quiet).
* First session: ``solemate render --minutes 12`` with an empty cache (the model joined and
  verified, every phrase said once, the file mixed and encoded), timed as a whole process, against
  a baseline a competent person would write: one process that loads the same Kokoro model with
  kokoro-onnx (its default threading), says each distinct phrase of the same plan once at the same
  speed and writes each to a WAV file (no mixing, no loudness pass, model already joined). The two
  run interleaved, twice each.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.harness import median, write_section
from solemate import safety_service
from solemate.journal import Journal
from solemate.plan import PlanOptions, plan
from solemate.routine import builtin_routine
from solemate.safety import QUESTIONS

SOLEMATE = Path(sys.executable).with_name("solemate")
MINUTES = (10, 12, 15)
ROUNDS = 2

_BASELINE = """
import json, sys
import numpy as np, soundfile
from kokoro_onnx import Kokoro
from solemate.audio.kokoro import ensure_model, speed_for, style_bytes, _empty_voices
model = ensure_model()
kokoro = Kokoro(str(model), str(_empty_voices(model.parent)))
style = np.frombuffer(style_bytes("af_heart"), dtype=np.float32).reshape(510, 1, 256)
texts = json.loads(sys.argv[1])
for i, text in enumerate(texts):
    audio, rate = kokoro.create(text, style, speed=speed_for(145), lang="en-us")
    soundfile.write(f"{sys.argv[2]}/{i}.wav", audio, rate)
"""


def shares_table() -> str:
    routine = builtin_routine()

    def shares(options: PlanOptions) -> dict[str, float]:
        timeline = plan(routine, options)
        out: dict[str, float] = {}
        for segment in timeline.segments:
            if segment.kind == "action" and segment.action:
                out[segment.action] = out.get(segment.action, 0) + segment.duration
        return {k: v / timeline.total for k, v in out.items()}

    full = shares(PlanOptions(preset="full"))
    rows = ["| action | --full share | " + " | ".join(f"{m} min" for m in MINUTES) + " |"]
    rows.append("|---|---|" + "---|" * len(MINUTES))
    by_minutes = {m: shares(PlanOptions(minutes=m)) for m in MINUTES}
    worst = (9.0, 0.0)
    for action, share in full.items():
        ratios = [by_minutes[m][action] / share for m in MINUTES]
        worst = (min(worst[0], *ratios), max(worst[1], *ratios))
        cells = " | ".join(f"{r:.2f}×" for r in ratios)
        rows.append(f"| {action} | {share:.1%} | {cells} |")
    return "\n".join(rows) + (
        f"\n\nEvery ratio (share in the short plan / share in `--full`, full wording, self) lies "
        f"between {worst[0]:.2f}× and {worst[1]:.2f}× (goal 0.6–1.6×; the test suite checks 384 "
        "option combinations)."
    )


def voiced_share(path: Path) -> float:
    out = subprocess.run(
        ["ffmpeg", "-hide_banner", "-i", str(path), "-af", "silencedetect=noise=-50dB:d=0.3",
         "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    silent = sum(float(x) for x in re.findall(r"silence_duration: ([0-9.]+)", out))
    duration = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return 1 - silent / float(duration)


_PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
    "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def run(args: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds of the command, and the peak RSS (MB) of the largest process of its tree."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *args], env=env, check=True, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    return wall, int(done.stdout.strip()) / 1024


def main() -> None:
    shares = shares_table()
    data = Path(tempfile.mkdtemp(prefix="solemate-bench-"))
    with Journal(f"sqlite:///{data / 'journal.sqlite3'}") as journal:
        # render follows the stored safety answers: a current screen, every answer no
        ids = [question.id for question in QUESTIONS]
        safety_service.record_screen(journal, dt.date.today(), dict.fromkeys(ids, False))
    base_env = {**os.environ, "SOLEMATE_VOICE": "heart", "SOLEMATE_DATA_DIR": str(data)}
    load_before = os.getloadavg()[0]
    cold: dict[str, list[float]] = {}
    peaks: dict[str, float] = {}
    warm: list[float] = []
    voiced: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for round_ in range(ROUNDS):
            for wording in ("brief", "full"):
                cache = work / f"cache-{wording}-{round_}"
                env = {**base_env, "XDG_CACHE_HOME": str(cache)}
                out = work / f"{wording}.ogg"
                args = [str(SOLEMATE), "render", "--minutes", "12", "--wording", wording]
                wall, peak = run([*args, "-o", str(out)], env)
                cold.setdefault(f"solemate {wording}", []).append(wall)
                peaks[f"solemate {wording}"] = peak
                texts = list(
                    dict.fromkeys(
                        c.text
                        for c in plan(
                            builtin_routine(), PlanOptions(minutes=12, wording=wording)
                        ).cues
                    )
                )
                files = work / f"baseline-{wording}"
                files.mkdir(exist_ok=True)
                wall, peak = run(
                    [sys.executable, "-c", _BASELINE, json.dumps(texts), str(files)], base_env
                )
                cold.setdefault(f"baseline {wording}", []).append(wall)
                peaks[f"baseline {wording}"] = peak
                shutil.rmtree(files)
                if round_ == ROUNDS - 1:
                    for _ in range(3):
                        wall, _peak = run([*args, "-o", str(out)], env)
                        if wording == "brief":
                            warm.append(wall)
                    for minutes in MINUTES:
                        path = work / f"{wording}-{minutes}.ogg"
                        render = [str(SOLEMATE), "render", "--minutes", str(minutes)]
                        run([*render, "--wording", wording, "-o", str(path)], env)
                        voiced[(wording, minutes)] = voiced_share(path)
                shutil.rmtree(cache, ignore_errors=True)
    load_after = os.getloadavg()[0]
    shutil.rmtree(data, ignore_errors=True)

    rows = [
        "| command (12 min, empty cache) | min s | median s | ratio to baseline | peak RSS MB |"
    ]
    rows.append("|---|---|---|---|---|")
    for wording in ("brief", "full"):
        ours, base = cold[f"solemate {wording}"], cold[f"baseline {wording}"]
        rows.append(
            f"| `solemate render --wording {wording}` | {min(ours):.1f} | {median(ours):.1f} | "
            f"{median(ours) / median(base):.2f}× | {peaks[f'solemate {wording}']:.0f} |"
        )
        rows.append(
            f"| baseline, same phrases ({wording}) | {min(base):.1f} | {median(base):.1f} | 1.00× | "
            f"{peaks[f'baseline {wording}']:.0f} |"
        )
    voice_rows = ["| wording | " + " | ".join(f"{m} min" for m in MINUTES) + " | goal at 12 min |"]
    voice_rows.append("|---|" + "---|" * (len(MINUTES) + 1))
    for wording, goal in (("brief", "≤ 30 %"), ("full", "≤ 50 %")):
        cells = " | ".join(f"{voiced[(wording, m)]:.1%}" for m in MINUTES)
        voice_rows.append(f"| {wording} | {cells} | {goal} |")
    brief, full = median(cold["solemate brief"]), median(cold["solemate full"])
    ratios = [
        median(cold[f"solemate {w}"]) / median(cold[f"baseline {w}"]) for w in ("brief", "full")
    ]
    verdict = (
        "A first session is at parity with the baseline (it costs what saying the phrases "
        "costs): the voice's time dominates, and two workers gain little on a busy 2-core machine."
        if all(0.85 <= r <= 1.15 for r in ratios)
        else f"Ratios to the baseline: {ratios[0]:.2f}× brief, {ratios[1]:.2f}× full."
    )
    body = f"""
### Shares of the session, 10–15 minutes against `--full`

{shares}

### Voice and chimes in the rendered file (default voice, Kokoro heart)

{chr(10).join(voice_rows)}

### First session in the natural voice, whole command

{chr(10).join(rows)}

* Goals on this 2-core machine: first preparation ≤ 90 s brief ({brief:.0f} s: {"met" if brief <= 90 else "missed"}), ≤ 180 s full ({full:.0f} s: {"met" if full <= 180 else "missed"}); a progress bar shows "Preparing tonight's voice… n/N" meanwhile, and `solemate serve` prepares tonight's likely sessions at start.
* Warm (every phrase cached): `solemate render --minutes 12 --wording brief` {min(warm):.1f} s min, {median(warm):.1f} s median, whole process.
* {verdict}
* The baseline says only the phrases of one plan, in one process; solemate also joins and verifies the model, plans again on the measured lengths, mixes, measures loudness and encodes. Peak RSS is the largest process of the command's tree (a voice worker for solemate).
* Load average (1 min) {load_before:.1f} before and {load_after:.1f} after, on 2 cores: other work on the machine slows both sides; the ratio is the figure to read.
"""
    write_section("ritual", "The nightly ritual: emphasis, quiet, and a first session", body)
    print(body)


if __name__ == "__main__":
    main()
