"""Render a planned session to an audio file: the whole pipeline, from Timeline to tagged file.

1. Every distinct phrase is synthesized (or read from the phrase cache), resampled to the output
   rate, brought to a common loudness and true-peak limited, so "two" is as loud as a long
   instruction and the session gain later has headroom to work with.
2. :func:`~solemate.audio.arrange.arrange` places phrases and chimes to the sample.
3. Loudness pass: the mix is generated block by block and metered (BS.1770), nothing is kept.
4. Writing pass: the same blocks again, times the gain that brings the session to −16 LUFS, through
   a true-peak limiter, encoded on a second thread. The limited blocks are metered on their way to
   the encoder (integrated loudness and 4× true peak): these are the printed figures, measured while
   the encoder works, so they cost no time of their own on two cores.
5. Tags and chapters are added and the temporary file is renamed onto the output. Each codec's
   limiter ceiling leaves room for its measured overshoot on decoding; with ``verify`` the file is
   also decoded and measured as a player would hear it (those become the printed figures), and a
   lossy file that still overshot −1 dBTP is written again with a lower ceiling.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from solemate.audio.ambient import Ambient, Music, make_bed, probe_music
from solemate.audio.arrange import TICK_KEY, Arrangement, arrange, chime_key, speech_key
from solemate.audio.chapters import Tags, tag_file, write_side_file
from solemate.audio.dsp import TruePeakMeter, fft_resample, limit, limit_whole, limiter_context
from solemate.audio.encode import (
    CODECS,
    BlockWriter,
    EncodeError,
    Format,
    atomic_output,
    check_rate,
)
from solemate.audio.loudness import SILENCE, LoudnessMeter, db, phrase_loudness
from solemate.audio.mix import Mixer
from solemate.audio.sounds import Chime, chime, tick
from solemate.audio.speech import (
    DEFAULT_RATE,
    CachingSpeaker,
    Speaker,
    cache_key,
    to_float,
)
from solemate.timeline import Timeline

Audio = npt.NDArray[np.float32]

TARGET_LUFS = -16.0
"""Spoken-word loudness (Apple/AES streaming recommendation for speech; EBU R128 family)."""

MAX_TRUE_PEAK = -1.0
"""dBTP the result must not exceed (each codec's limiter ceiling leaves room under it)."""

PEAK_MARGIN = 0.1
MAX_ATTEMPTS = 3
"""A file whose decoded true peak is within PEAK_MARGIN of the maximum is written again with a lower
limiter ceiling, at most this many times in all."""

PHRASE_LUFS = TARGET_LUFS + 0.6
PHRASE_CEILING = -2.6
"""Each phrase is set a little above the target (the gaps between words and phrases pull the
session's gated loudness about 0.6 LU under its phrases') and limited under the final ceilings, so
the session gain is close to 0 dB and the final limiter seldom has anything to do."""

BLOCK_SECONDS = 2.0


class RenderError(Exception):
    """A render that cannot be done as asked; the message is one line for the person."""


class _Overshoot(Exception):
    """The decoded file peaks too high: discard it and write again with a lower ceiling."""


@dataclass(frozen=True)
class RenderOptions:
    """How to render a session to a file: format, voice, rate, background sound and checks."""

    format: Format | None = None
    """None: from the output file's extension."""
    voice: str | None = None
    """A name for :func:`~solemate.audio.voice_registry.resolve_voice`; None: the default voice."""
    rate: int = DEFAULT_RATE
    ambient: Ambient = Ambient.none
    music: Path | None = None
    chimes: bool = True
    sample_rate: int | None = None
    """None: the format's default (22,050 Hz, or 24 kHz for Opus)."""
    chapters: Path | None = None
    artist: str = "solemate"
    date: str | None = None
    """ISO date for the tags; today when None."""
    verify: bool = False
    """Decode the finished file and measure it as a player hears it (about 25 % more time for MP3)."""


@dataclass
class RenderResult:
    """The file written and what was measured of it: length, loudness and true peak."""

    path: Path
    format: Format
    sample_rate: int
    seconds: float
    planned_seconds: float
    bytes: int
    loudness: float
    true_peak: float
    gain_db: float
    verified: bool
    """True when ``loudness`` and ``true_peak`` were measured on the decoded file, False when on
    the samples handed to the encoder."""
    chapters: int
    late_cues: int
    cues: int
    max_delay: float
    timings: dict[str, float] = field(default_factory=dict)
    cue_starts: list[tuple[float, float]] = field(default_factory=list)
    """(planned, actual) seconds of every cue, spoken or ticked."""
    ticks: int = 0
    """Cues marked by the soft tick instead of words."""


Progress = Callable[[str, float], None]


def _no_progress(stage: str, fraction: float) -> None:
    pass


def prepare_phrase(audio: Audio, source_rate: int, rate: int, ceiling_db: float) -> Audio:
    """Resample, set to :data:`PHRASE_LUFS` and true-peak limit one phrase."""
    audio = fft_resample(audio, source_rate, rate)
    loudness = phrase_loudness(audio, rate)
    if loudness == SILENCE:
        return audio
    scaled = audio * np.float32(10 ** ((PHRASE_LUFS - loudness) / 20))
    return limit_whole(scaled, rate, 10 ** (ceiling_db / 20)).audio


PREPARED_FORMAT = 2
"""Bump when :func:`prepare_phrase` changes, so no stale prepared phrase is reused."""


def prepare_sounds(
    timeline: Timeline, speaker: Speaker, rate: int, progress: Progress = _no_progress
) -> dict[str, Audio]:
    """Every phrase of ``timeline`` ready to mix, the chimes and the tick (a ``tick`` cue is not said).

    Prepared phrases are cached beside the raw ones (as 16-bit, the cold path included, so a warm
    render is the same samples as a cold one): a warm render neither synthesizes nor levels.
    """
    texts = list(dict.fromkeys(cue.text for cue in timeline.cues if cue.kind != "tick"))
    sounds: dict[str, Audio] = {}
    for i, text in enumerate(texts):
        samples = None
        if isinstance(speaker, CachingSpeaker):
            key = cache_key(
                "prepared",
                speaker.cache_key(text),
                rate,
                text,
                format=PREPARED_FORMAT,
                loudness=PHRASE_LUFS,
                ceiling=PHRASE_CEILING,
            )
            samples = speaker.cache.get(key)
        if samples is None:
            raw = speaker.synthesize(text)
            prepared = prepare_phrase(raw, speaker.sample_rate, rate, PHRASE_CEILING)
            samples = np.round(np.clip(prepared, -1.0, 32767 / 32768) * 32768).astype(np.int16)
            if isinstance(speaker, CachingSpeaker):
                speaker.cache.put(key, samples)
        sounds[speech_key(text)] = to_float(samples)
        progress("speech", (i + 1) / len(texts))
    for kind in Chime:
        sounds[chime_key(kind)] = chime(kind, rate)
    sounds[TICK_KEY] = tick(rate)
    return sounds


def _blocks(length: int, rate: int) -> range:
    return range(0, length, round(BLOCK_SECONDS * rate))


def render_session(
    timeline: Timeline,
    output: Path,
    options: RenderOptions | None = None,
    speaker: Speaker | None = None,
    progress: Progress = _no_progress,
) -> RenderResult:
    """Render ``timeline`` to ``output``; raises :class:`RenderError` (or ``SpeechError``)."""
    options = options or RenderOptions()
    clock = time.perf_counter
    timings: dict[str, float] = {}
    t0 = clock()
    output = Path(output)
    try:
        fmt = options.format or Format(output.suffix.lstrip(".").lower())
    except ValueError:
        known = ", ".join(f.value for f in Format)
        raise RenderError(
            f"cannot tell the format from {output.name!r}; give --format ({known})"
        ) from None
    codec = CODECS[fmt]
    rate = options.sample_rate or codec.default_rate
    try:
        check_rate(fmt, rate)
    except EncodeError as exc:
        raise RenderError(str(exc)) from None
    if options.music is not None:
        try:
            probe_music(options.music)
        except ValueError as exc:
            raise RenderError(str(exc)) from None
    if not output.parent.is_dir():
        raise RenderError(f"cannot write {output}: the folder {output.parent} does not exist")
    if speaker is None:
        from solemate.audio.voice_registry import resolve_voice

        speaker = resolve_voice(options.voice, options.rate)

    sounds = prepare_sounds(timeline, speaker, rate, progress)
    lengths = {key: audio.size for key, audio in sounds.items()}
    arrangement = arrange(timeline, lengths, rate, chimes=options.chimes)
    timings["speech"] = clock() - t0

    t1 = clock()
    mixer = Mixer(arrangement, sounds, make_bed(options.ambient, options.music, rate))
    ceiling = 10 ** (codec.ceiling_db / 20)
    measured, peak = _measure(mixer, rate, progress)
    gain_db = 0.0 if measured == SILENCE else TARGET_LUFS - measured
    if measured != SILENCE and peak * 10 ** (gain_db / 20) > ceiling:
        # The limiter will take something off the peaks: measure what it leaves, and make up for it
        # (a second cheap pass, needed only when the voice alone does not set the level).
        if isinstance(mixer.bed, Music):
            mixer.bed.restart()
        limited, _ = _measure(mixer, rate, progress, 10 ** (gain_db / 20), ceiling)
        gain_db += TARGET_LUFS - limited
    timings["measure"] = clock() - t1

    t2 = clock()
    tags = _tags(timeline, options, arrangement)
    ceiling_db = codec.ceiling_db
    for attempt in range(MAX_ATTEMPTS):
        if isinstance(mixer.bed, Music):
            mixer.bed.restart()
        try:
            with atomic_output(output) as tmp:
                loudness, peak = _write(
                    mixer,
                    tmp,
                    output,
                    fmt,
                    rate,
                    10 ** (gain_db / 20),
                    10 ** (ceiling_db / 20),
                    tags,
                    progress,
                )
                mixed_peak = peak
                _tag(tmp, output, fmt, arrangement, tags)
                if options.verify:
                    loudness, peak = _measure_file(tmp, fmt)
                    excess = db(peak) - (MAX_TRUE_PEAK - PEAK_MARGIN)
                    if excess > 0 and attempt + 1 < MAX_ATTEMPTS:
                        # The codec overshot more than its ceiling allowed for: write again, lower.
                        # Lowered from the mix's own peak: a ceiling above it would change nothing.
                        ceiling_db = min(ceiling_db, db(mixed_peak)) - excess - PEAK_MARGIN
                        raise _Overshoot
        except _Overshoot:
            continue
        except EncodeError as exc:
            raise RenderError(str(exc)) from None
        break
    if options.chapters is not None:
        try:
            as_json = options.chapters.suffix.lower() == ".json"
            with atomic_output(options.chapters) as tmp:
                write_side_file(tmp, arrangement.chapters, arrangement.length, rate, as_json)
        except EncodeError as exc:
            raise RenderError(str(exc)) from None
    timings["write"] = clock() - t2
    timings["total"] = clock() - t0

    cues = arrangement.cues
    delays = [(p.start - (p.planned or p.start)) / rate for p in cues]
    return RenderResult(
        path=output,
        format=fmt,
        sample_rate=rate,
        seconds=arrangement.length / rate,
        planned_seconds=arrangement.planned_length / rate,
        bytes=output.stat().st_size,
        loudness=loudness,
        true_peak=db(peak),
        gain_db=gain_db,
        verified=options.verify,
        chapters=len(arrangement.chapters),
        late_cues=len(arrangement.late),
        cues=len(cues),
        max_delay=max(delays, default=0.0),
        timings=timings,
        cue_starts=[((p.planned or p.start) / rate, p.start / rate) for p in cues],
        ticks=sum(p.kind == "tick" for p in cues),
    )


def _measure(
    mixer: Mixer, rate: int, progress: Progress, gain: float = 1.0, ceiling: float | None = None
) -> tuple[float, float]:
    """Integrated loudness and sample peak of the mix (times ``gain``, limited at ``ceiling``)."""
    meter = LoudnessMeter(rate)
    context = limiter_context(rate) if ceiling is not None else 0
    peak = 0.0
    blocks = _blocks(mixer.length, rate)
    for i, start in enumerate(blocks):
        n = min(blocks.step, mixer.length - start)
        block = mixer.block(start - context, n + 2 * context) * gain
        if ceiling is not None:
            block = limit(block, rate, ceiling).audio.astype(np.float64)
        meter.add(block)
        peak = max(peak, float(np.max(np.abs(block), initial=0.0)))
        progress("measure", (i + 1) / len(blocks))
    return meter.integrated(), peak


def _measure_file(path: Path, fmt: Format) -> tuple[float, float]:
    """Integrated loudness and true peak of the file as a player decodes it: what is printed."""
    import soundfile as sf

    if fmt is Format.mp3:
        # libsndfile 1.2.2 decodes MP3 wrongly at the edges of block reads (a few frames garbled
        # at each, with libmpg123 errors on stderr); miniaudio's decoder streams it exactly as
        # ffmpeg decodes it.
        import miniaudio  # type: ignore[import-untyped]

        info = miniaudio.mp3_get_file_info(str(path))
        chunks: Iterator[npt.NDArray[np.float64]] = (
            np.frombuffer(chunk, dtype=np.int16).reshape(-1, info.nchannels).mean(axis=1) / 32768.0
            for chunk in miniaudio.mp3_stream_file(str(path), frames_to_read=1 << 16)
        )
        return _meter(chunks, info.sample_rate)
    with sf.SoundFile(str(path)) as decoded:
        blocks = decoded.blocks(blocksize=1 << 16, dtype="float64", always_2d=True)
        return _meter((block.mean(axis=1) for block in blocks), decoded.samplerate)


def _meter(blocks: Iterable[npt.NDArray[np.float64]], rate: int) -> tuple[float, float]:
    meter = LoudnessMeter(rate)
    peaks = TruePeakMeter()
    for mono in blocks:
        meter.add(mono)
        peaks.add(mono)
    return meter.integrated(), peaks.finish()


def _write(
    mixer: Mixer,
    tmp: Path,
    output: Path,
    fmt: Format,
    rate: int,
    gain: float,
    ceiling: float,
    tags: Tags,
    progress: Progress,
) -> tuple[float, float]:
    """Mix, limit and encode; returns the integrated loudness and true peak of what was encoded."""
    context = limiter_context(rate)
    meter = LoudnessMeter(rate)
    peaks = TruePeakMeter()
    metadata = {"title": tags.title, "artist": tags.artist, "date": tags.date}
    metadata["comment"] = tags.comment
    writer = BlockWriter(tmp, fmt, rate, metadata, display=output)
    blocks = _blocks(mixer.length, rate)
    try:
        for i, start in enumerate(blocks):
            n = min(blocks.step, mixer.length - start)
            extended = mixer.block(start - context, n + 2 * context) * gain
            limited = limit(extended, rate, ceiling).audio
            writer.write(limited)  # encoded on the writer's thread while this one meters
            meter.add(limited)
            peaks.add(limited)
            progress("write", (i + 1) / len(blocks))
        writer.close()
    except BaseException:
        writer.abort()
        raise
    return meter.integrated(), peaks.finish()


def _tag(tmp: Path, output: Path, fmt: Format, arrangement: Arrangement, tags: Tags) -> None:
    rate = arrangement.sample_rate
    try:
        tag_file(tmp, fmt.value, arrangement.chapters, arrangement.length, rate, tags)
    except OSError:
        raise  # a full disk or the like: atomic_output says which
    except Exception as exc:  # mutagen's own errors: a file it could not read back
        raise EncodeError(f"could not add chapters and tags to {output}: {exc}") from None


def _tags(timeline: Timeline, options: RenderOptions, arrangement: Arrangement) -> Tags:
    minutes = timeline.total / 60
    date = options.date or dt.date.today().isoformat()
    plan = {
        "routine": timeline.routine_id,
        "routine_version": timeline.routine_version,
        "routine_digest": timeline.routine_digest,
        "voice": timeline.voice,
        "feet": list(timeline.feet),
        "options": timeline.options,
        "planned_seconds": timeline.total,
    }
    lines = [
        f"{math.floor(c.start / arrangement.sample_rate) // 60:02d}:"
        f"{math.floor(c.start / arrangement.sample_rate) % 60:02d} {c.title}"
        for c in arrangement.chapters
    ]
    return Tags(
        title=f"{timeline.title} — {minutes:g} min",
        artist=options.artist,
        date=date,
        plan=json.dumps(plan, ensure_ascii=False, sort_keys=True, default=str),
        comment="\n".join(lines),
    )
