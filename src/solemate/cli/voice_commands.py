"""`solemate voices`, and the voice helpers every speaking command shares.

``open_speaker`` turns ``--voice``/``--rate`` into an engine (one line on a bad name);
``prepare_voice`` says tonight's phrases ahead of time under a progress bar and returns how long each
is spoken, for the planner.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import typer

from solemate.cli.common import fail, origin, settings, speech_rate

if TYPE_CHECKING:
    from rich.progress import Progress

    from solemate.audio.speech import CachingSpeaker
    from solemate.audio.voice_registry import SpeakerSpec

VOICE_HELP = "Voice: heart (default), bella, fenrir, emma, george, espeak (see 'solemate voices')."
PREVIEW_TEXT = "Let your breath slow down. Now press gently into the arch of the foot, and release."


def open_speaker(voice: str | None, rate: int | None) -> CachingSpeaker:
    """The engine for ``--voice`` at ``--rate``; a bad one is one line on standard error, exit 2."""
    from solemate.audio.speech import DEFAULT_RATE, SpeechError
    from solemate.audio.voice_registry import UnknownVoice, resolve_voice

    chosen = voice if voice is not None else settings().voice
    try:
        return resolve_voice(chosen, rate if rate is not None else DEFAULT_RATE)
    except UnknownVoice as exc:
        fail(f"{'--voice' if voice is not None else origin('voice', '--voice')}: {exc}", 2)
    except SpeechError as exc:
        fail(str(exc), 2)


def speaker_spec(voice: str | None, rate: int | None) -> SpeakerSpec:
    """``--voice``/``--rate`` as a value :func:`prepare_voice` can hand to worker processes."""
    from solemate.audio.speech import DEFAULT_RATE
    from solemate.audio.voice_registry import SpeakerSpec

    chosen = voice if voice is not None else settings().voice
    return SpeakerSpec(chosen, rate if rate is not None else DEFAULT_RATE)


def prepare_voice(spec: SpeakerSpec, texts: Iterable[str]) -> dict[str, float]:
    """Every text said once into the cache under "Preparing tonight's voice… 40/96" (on stderr).

    Returns each distinct text's spoken seconds (see :func:`solemate.audio.speak_ahead.prepare`). The
    bar shows only while something is being made; a failure is one line and exit 1.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from solemate.audio.speak_ahead import prepare
    from solemate.audio.speech import SpeechError

    bar = Progress(
        TextColumn("Preparing tonight's voice…"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("voice", total=None)

    def progress(done: int, total: int) -> None:
        if done < total and not bar.live.is_started:  # nothing to show when all is cached
            bar.start()
        bar.update(task, completed=done, total=total)

    try:
        return prepare(spec, texts, progress)
    except SpeechError as exc:
        _stop(bar)
        fail(f"cannot prepare the voice: {exc}")
    finally:
        _stop(bar)


def _stop(bar: Progress) -> None:
    if bar.live.is_started:  # stopping a bar never shown would still print an empty line
        bar.stop()


def _play(voice: str, rate: int | None) -> None:
    """Say :data:`PREVIEW_TEXT` on the sound device; with none, say so and write nothing.

    An unknown voice is named first, device or not: opening a voice loads no model."""
    from solemate.audio.speech import SpeechError
    from solemate.live.sound import DeviceOutput, Mixer, speak_for_device

    speaker = open_speaker(voice, rate)
    try:
        output = DeviceOutput()
    except Exception:  # miniaudio raises its own error type when no device can be opened
        fail(f"no sound device found: cannot play a preview of {voice!r} (nothing was written)")
    try:
        typer.echo(f"Playing {voice}: “{PREVIEW_TEXT}”")
        try:
            clip = speak_for_device(speaker, PREVIEW_TEXT)
        except SpeechError as exc:
            fail(str(exc))
        mixer = Mixer()
        mixer.add_voice(clip)
        output.start(mixer)
        while mixer.busy:
            time.sleep(0.05)
        time.sleep(0.2)  # the device's own buffer
    finally:
        output.close()


def register(app: typer.Typer) -> None:
    @app.command("voices")
    def voices_command(
        preview: str | None = typer.Option(
            None, "--preview", metavar="NAME", help="Play a sentence in this voice."
        ),
        every: bool = typer.Option(
            False, "--all", help="Also list every espeak-ng voice and variant."
        ),
        rate: int | None = typer.Option(
            None, "--rate", help="Speech rate for --preview, in words per minute (80–450)."
        ),
    ) -> None:
        """List the offline voices for --voice; --preview NAME plays one."""
        from solemate.audio.voice_registry import CURATED, default_voice

        if preview is not None:
            _play(preview, speech_rate(rate)[0])
            return
        chosen = default_voice(settings().voice)
        for v in CURATED:
            mark = "  (default)" if v.name == chosen else ""
            typer.echo(
                f"{v.name:<8} {v.language:<6} {v.sex:<7} {v.licence:<17} {v.description}{mark}"
            )
        if not every:
            typer.echo("More: any espeak-ng voice ('solemate voices --all').")
            return
        from solemate.audio.speech import voices

        typer.echo("\nespeak-ng voices (GPL-3.0-or-later):")
        for name in voices():
            typer.echo(f"  {name}")


def measurer(
    no_voice: bool, voice: str | None, rate: int | None
) -> Callable[[Iterable[str]], dict[str, float]]:
    """What the planner calls to time the voice's phrases: say them ahead (with a progress bar)
    and return their lengths; nothing to say with ``--no-voice``."""
    if no_voice:
        return lambda texts: {}
    spec = speaker_spec(voice, rate)
    return lambda texts: prepare_voice(spec, texts)
