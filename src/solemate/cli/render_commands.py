"""`solemate render`: the planned session as an audio file, with chapters, to play on anything."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import signal
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from solemate.cli.common import DATABASE, fail, open_journal, resolve_routine, speech_rate
from solemate.cli.outputs import check_outputs
from solemate.cli.plan_flags import PlanFlags, plan_refused, with_plan_flags
from solemate.cli.safety_prompts import ready
from solemate.cli.voice_commands import VOICE_HELP, measurer, open_speaker

if TYPE_CHECKING:
    from solemate.audio.render import Progress, RenderResult


class AmbientOption(StrEnum):
    none = "none"
    brown = "brown"
    pink = "pink"
    pad = "pad"


#: Sample rates a render may ask for: telephone quality to studio masters.
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 8_000, 192_000


@contextlib.contextmanager
def _terminated_as_exit() -> Iterator[None]:
    """SIGTERM ends the render like Ctrl-C would: through the cleanup that removes partial files
    (Python's default for SIGTERM ends the process at once, leaving them)."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave the signal alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _clock(seconds: float) -> str:
    whole = round(seconds)
    if whole >= 3600:
        return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
    return f"{whole // 60}:{whole % 60:02d}"


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def register(app: typer.Typer) -> None:
    @app.command("render")
    @with_plan_flags()
    def render_command(
        output: Path = typer.Option(
            ..., "--output", "-o", help="The audio file to write.", dir_okay=False
        ),
        output_format: str | None = typer.Option(
            None,
            "--format",
            "-f",
            help="mp3, ogg, opus, wav or flac (default: from the file name).",
        ),
        voice: str | None = typer.Option(None, "--voice", help=VOICE_HELP),
        rate: int | None = typer.Option(None, "--rate", help="Speech rate in words per minute."),
        ambient: AmbientOption = typer.Option(
            AmbientOption.none, "--ambient", help="A soft generated bed under the voice."
        ),
        music: Path | None = typer.Option(
            None, "--music", help="Your own music file, looped softly under the voice."
        ),
        no_chime: bool = typer.Option(False, "--no-chime", help="No chimes between steps."),
        chapters: Path | None = typer.Option(
            None, "--chapters", help="Also write the chapters to a .txt or .json file."
        ),
        sample_rate: int | None = typer.Option(
            None, "--sample-rate", help="Hz (default 22050; 24000 for Opus)."
        ),
        verify: bool = typer.Option(
            False,
            "--verify",
            help="Decode the finished file and measure it as a player hears it (slower).",
        ),
        *,
        flags: PlanFlags,
        database: str | None = DATABASE,
    ) -> None:
        """Render tonight's session to an audio file: voice, chimes, counts, chapters, −16 LUFS."""
        # Heavy imports (numpy, the encoders) only when rendering, so the CLI starts fast.
        from solemate.audio.ambient import Ambient
        from solemate.audio.encode import EncodeError, format_for
        from solemate.audio.render import RenderError, RenderOptions, render_session
        from solemate.audio.speech import SpeechError
        from solemate.plan import MAX_SPEECH_RATE, MIN_SPEECH_RATE, PlanError, plan_for_voice

        options = flags.options()
        rate, rate_from = speech_rate(rate)
        if rate is not None and not MIN_SPEECH_RATE <= rate <= MAX_SPEECH_RATE:
            fail(
                f"{rate_from} must be {MIN_SPEECH_RATE}–{MAX_SPEECH_RATE} words per minute, got {rate}",
                2,
            )
        if sample_rate is not None and not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
            fail(
                f"--sample-rate must be {MIN_SAMPLE_RATE}–{MAX_SAMPLE_RATE} Hz, got {sample_rate}",
                2,
            )
        if rate is not None:  # a slower voice gets more room for its words
            options = dataclasses.replace(options, speech_rate=rate)
        if chapters is not None and chapters.suffix.lower() not in (".txt", ".json"):
            fail(f"--chapters must name a .txt or .json file, got {chapters}", 2)
        if music is not None and ambient != AmbientOption.none:
            fail("choose either --music or --ambient, not both", 2)
        check_outputs([("-o", output), ("--chapters", chapters)], database)
        try:
            fmt = format_for(output, output_format)
        except EncodeError as exc:
            fail(str(exc), 2)
        speaker = open_speaker(voice, rate)
        timeline_source = resolve_routine(flags.routine)
        with open_journal(database) as journal:  # the stored safety answers hold here too
            options, state = ready(journal, options, "render", options.voice, dt.date.today())
        if state.verdict is not None and state.verdict.changes.any:
            typer.echo(state.verdict.summary())
        try:
            timeline = plan_for_voice(timeline_source, options, measurer(False, voice, rate))
        except PlanError as exc:
            plan_refused(exc)
        render_options = RenderOptions(
            format=fmt,
            ambient=Ambient(ambient.value),
            music=music,
            chimes=not no_chime,
            sample_rate=sample_rate,
            chapters=chapters,
            verify=verify,
        )
        with _terminated_as_exit():
            result = _with_progress(
                lambda progress: render_session(
                    timeline, output, render_options, speaker, progress
                ),
                (RenderError, SpeechError),
            )
        late = (
            f"; {result.late_cues} of {result.cues} cues waited for the one before "
            f"(up to {result.max_delay:.2f} s)"
            if result.late_cues
            else ""
        )
        planned = (
            f" (planned {_clock(result.planned_seconds)}: the last words run over)"
            if result.seconds > result.planned_seconds + 0.5
            else ""
        )
        typer.echo(f"Wrote {result.path}")
        typer.echo(
            f"  {_clock(result.seconds)}{planned}, {_size(result.bytes)}, "
            f"{result.format.value} {result.sample_rate} Hz, {result.chapters} chapters"
        )
        measured = "decoded file" if result.verified else "mix as encoded"
        typer.echo(
            f"  loudness {result.loudness:.1f} LUFS integrated, true peak "
            f"{result.true_peak:.1f} dBTP ({measured}){late}"
        )
        if chapters is not None:
            typer.echo(f"  chapters also in {chapters}")


def _with_progress(
    run: Callable[[Progress], RenderResult], errors: tuple[type[Exception], ...]
) -> RenderResult:
    """Run a render under a Rich progress bar on standard error; failures become one line."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    stages = {"speech": (0.0, 0.15, "Speaking"), "measure": (0.15, 0.3, "Measuring")}
    stages["write"] = (0.3, 1.0, "Writing")
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TaskProgressColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("Speaking", total=1.0)

        def progress(stage: str, fraction: float) -> None:
            low, high, label = stages[stage]
            bar.update(task, completed=low + (high - low) * fraction, description=label)

        try:
            return run(progress)
        except errors as exc:
            bar.stop()
            fail(str(exc), 1)
