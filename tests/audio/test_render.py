"""Rendered sessions, checked from outside: ffprobe, decoding, an independent loudness meter."""

from __future__ import annotations

import dataclasses
import errno
import itertools
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from solemate.audio.ambient import Ambient
from solemate.audio.arrange import GAP
from solemate.audio.encode import CODECS, Format
from solemate.audio.mp3 import Mp3File
from solemate.audio.render import RenderError, RenderOptions, RenderResult, render_session
from solemate.audio.speech import SpeechEngine
from solemate.plan import PlanOptions, bounds, plan
from solemate.routine import builtin_routine, load_routine
from tests.audio.conftest import (
    TINY,
    decode,
    ffprobe,
    independent_loudness,
    independent_true_peak_db,
    sox_seconds,
    tiny_timeline,
)
from tests.golden_files import HOW_TO_UPDATE, golden


@pytest.fixture(scope="session")
def nightly(
    tmp_path_factory: pytest.TempPathFactory, engine: SpeechEngine
) -> tuple[RenderResult, Path]:
    """The nightly session as most people will render it: MP3, voice, chimes, chapters."""
    folder = tmp_path_factory.mktemp("nightly")
    timeline = plan(builtin_routine(), PlanOptions())
    out = folder / "nightly.mp3"
    result = render_session(
        timeline,
        out,
        RenderOptions(chapters=folder / "nightly.json", date="2026-01-01"),
        speaker=engine,
    )
    return result, out


@pytest.fixture(scope="session")
def nightly_decoded(nightly: tuple[RenderResult, Path]) -> tuple[np.ndarray, int]:
    return decode(nightly[1])


def test_nightly_duration_as_ffprobe_reads_it(nightly: tuple[RenderResult, Path]) -> None:
    result, path = nightly
    probe = ffprobe(path)
    duration = float(probe["format"]["duration"])
    assert result.planned_seconds == 720
    assert duration == pytest.approx(720, abs=0.5)
    assert result.seconds == 720


def test_nightly_chapters_in_time_order_with_names(nightly: tuple[RenderResult, Path]) -> None:
    result, path = nightly
    chapters = ffprobe(path)["chapters"]
    assert isinstance(chapters, list)
    titles = [c["tags"]["title"] for c in chapters]
    starts = [float(c["start_time"]) for c in chapters]
    assert starts == sorted(starts)
    assert len(set(starts)) == len(starts)
    assert titles[0] == "Opening"
    assert titles[-1] == "Closing"
    assert "Left foot — Step 3: Arch work for central calm" in titles
    assert "Right foot — Step 7: The final soothing strokes and sleep induction focus" in titles
    assert "Towel wrap, then the other foot" in titles
    left = [t for t in titles if t.startswith("Left foot — Step")]
    right = [t for t in titles if t.startswith("Right foot — Step")]
    assert [t.split(":")[0] for t in left] == [f"Left foot — Step {n}" for n in range(1, 8)]
    assert len(right) == 7
    assert float(chapters[-1]["end_time"]) == pytest.approx(result.seconds, abs=0.05)
    assert len(chapters) == result.chapters


def test_nightly_chapters_side_file(nightly: tuple[RenderResult, Path]) -> None:
    import json

    _, path = nightly
    data = json.loads(path.with_suffix(".json").read_text())
    probe_titles = [c["tags"]["title"] for c in ffprobe(path)["chapters"]]
    assert [c["title"] for c in data["chapters"]] == probe_titles


def test_nightly_tags(nightly: tuple[RenderResult, Path]) -> None:
    import json

    from mutagen.id3 import ID3

    tags = ID3(str(nightly[1]))  # type: ignore[no-untyped-call]
    assert str(tags["TIT2"]).startswith("The ") or "12 min" in str(tags["TIT2"])
    assert str(tags["TPE1"]) == "solemate"
    assert str(tags["TDRC"]) == "2026-01-01"
    plan_tag = json.loads(str(tags["TXXX:solemate plan"]))
    assert plan_tag["routine"] == "evening"
    assert plan_tag["planned_seconds"] == 720


def _onset(audio: np.ndarray, rate: int, around: float, floor_db: float = -45.0) -> float | None:
    """The first 5 ms frame from ``around − 0.1 s`` on whose RMS exceeds ``floor_db``."""
    frame = round(0.005 * rate)
    start = max(0, round((around - 0.1) * rate))
    window = audio[start : start + round(0.4 * rate)]
    usable = window.size // frame * frame
    rms = np.sqrt(np.mean(window[:usable].reshape(-1, frame) ** 2, axis=1))
    loud = np.flatnonzero(20 * np.log10(np.maximum(rms, 1e-12)) > floor_db)
    return None if loud.size == 0 else (start + int(loud[0]) * frame) / rate


def test_speech_starts_within_50_ms_of_each_cue(
    nightly: tuple[RenderResult, Path], nightly_decoded: tuple[np.ndarray, int]
) -> None:
    result, _ = nightly
    audio, rate = nightly_decoded
    assert result.late_cues == 0  # the plan leaves room for every cue to be said
    errors = []
    for planned, actual in result.cue_starts:
        assert actual == pytest.approx(planned, abs=1e-6)
        onset = _onset(audio, rate, planned)
        if onset is None or abs(onset - planned) > 0.050:
            errors.append((planned, onset))
    assert not errors, errors[:10]


def test_a_late_cue_waited_for_sound(
    nightly: tuple[RenderResult, Path], nightly_decoded: tuple[np.ndarray, int]
) -> None:
    """A cue placed after its time is late only because something was still sounding then."""
    result, _ = nightly
    audio, rate = nightly_decoded
    late = [(p, a) for p, a in result.cue_starts if a > p + 0.001]
    assert len(late) == result.late_cues
    for planned, actual in late:
        before = audio[round(planned * rate) : round((actual - GAP + 0.02) * rate)]
        assert before.size == 0 or np.max(np.abs(before)) > 10 ** (-40 / 20), (planned, actual)


def test_nightly_loudness_and_true_peak_by_an_independent_meter(
    nightly: tuple[RenderResult, Path], nightly_decoded: tuple[np.ndarray, int]
) -> None:
    result, _ = nightly
    audio, rate = nightly_decoded
    loudness = independent_loudness(audio, rate)
    assert loudness == pytest.approx(-16.0, abs=1.0)
    assert loudness == pytest.approx(result.loudness, abs=0.3)
    assert independent_true_peak_db(audio) <= -1.0
    assert result.true_peak <= -1.0


def test_the_file_is_an_ordinary_file_to_share(nightly: tuple[RenderResult, Path]) -> None:
    _, path = nightly
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


# --- short renders of the tiny routine ----------------------------------------------------------


def _render(
    tmp_path: Path,
    engine: SpeechEngine,
    name: str,
    minutes: float = 1.5,
    feet: str = "both",
    **options: Any,
) -> tuple[RenderResult, Path]:
    out = tmp_path / name
    result = render_session(
        tiny_timeline(minutes, feet=feet),
        out,
        RenderOptions(date="2026-01-01", **options),
        speaker=engine,
    )
    return result, out


def test_a_session_that_fits_is_exactly_its_planned_length(
    tmp_path: Path, engine: SpeechEngine
) -> None:
    result, path = _render(tmp_path, engine, "tiny.flac")
    assert result.seconds == result.planned_seconds == 90
    assert sf.info(str(path)).frames == 90 * 22050
    assert float(ffprobe(path)["format"]["duration"]) == pytest.approx(90, abs=0.05)
    titles = [c["tags"]["title"] for c in ffprobe(path)["chapters"]]
    assert titles == [
        "Opening",
        "Left foot — Step 1: Arch",
        "Left foot — Step 2: Ball",
        "Towel wrap, then the other foot",
        "Right foot — Step 1: Arch",
        "Right foot — Step 2: Ball",
        "Closing",
    ]


def test_ogg_vorbis_longer_than_three_minutes_does_not_crash(
    tmp_path: Path, engine: SpeechEngine
) -> None:
    result, path = _render(tmp_path, engine, "long.ogg", minutes=4)
    info = sf.info(str(path))
    assert info.frames == 240 * 22050
    assert sox_seconds(path) == pytest.approx(240, abs=0.05)
    audio, rate = decode(path)
    assert independent_loudness(audio, rate) == pytest.approx(-16, abs=1.0)
    assert independent_true_peak_db(audio) <= -1.0  # Vorbis overshoots: its ceiling allows for it
    assert float(ffprobe(path)["format"]["duration"]) == pytest.approx(240, abs=0.5)
    starts = [float(c["start_time"]) for c in ffprobe(path)["chapters"]]
    assert starts == sorted(starts)
    assert len(starts) == result.chapters


def test_figures_are_measured_on_the_mix_unless_verify_decodes_the_file(
    tmp_path: Path, engine: SpeechEngine
) -> None:
    plain, plain_path = _render(tmp_path, engine, "plain.ogg")
    checked, checked_path = _render(tmp_path, engine, "checked.ogg", verify=True)
    assert (plain.verified, checked.verified) == (False, True)
    audio, rate = decode(checked_path)
    assert np.array_equal(decode(plain_path)[0], audio)  # verifying writes the same sound
    assert checked.loudness == pytest.approx(independent_loudness(audio, rate), abs=0.1)
    assert checked.true_peak == pytest.approx(independent_true_peak_db(audio), abs=0.2)
    # The mix as encoded is within a few tenths of what a player hears, and peaks under the
    # codec's ceiling, which leaves room for the codec's overshoot.
    assert plain.loudness == pytest.approx(independent_loudness(audio, rate), abs=0.4)
    assert plain.true_peak <= CODECS[Format.ogg].ceiling_db + 0.05


def test_verify_writes_again_when_the_codec_overshoots(
    tmp_path: Path, engine: SpeechEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ceiling too close to −1 dBTP for Vorbis: the decoded file overshoots it, so it is written
    again with a lower ceiling, and what is left peaks under −1 dBTP."""
    loose = dataclasses.replace(CODECS[Format.ogg], ceiling_db=-0.9)
    monkeypatch.setitem(CODECS, Format.ogg, loose)  # the one table the renderer reads
    result, path = _render(tmp_path, engine, "loose.ogg", verify=True)
    audio, _ = decode(path)
    assert independent_true_peak_db(audio) <= -1.0
    assert result.true_peak <= -1.0
    assert [p.name for p in tmp_path.iterdir()] == ["loose.ogg"]


@pytest.mark.parametrize("rate", [24000, 48000])
def test_opus_at_24_and_48_khz(tmp_path: Path, engine: SpeechEngine, rate: int) -> None:
    result, path = _render(tmp_path, engine, f"tiny-{rate}.opus", sample_rate=rate)
    probe = ffprobe(path)
    assert float(probe["format"]["duration"]) == pytest.approx(90, abs=0.5)
    assert len(probe["chapters"]) == result.chapters
    audio, decoded_rate = decode(path)
    assert decoded_rate == rate
    assert independent_loudness(audio, decoded_rate) == pytest.approx(-16, abs=1.0)
    assert independent_true_peak_db(audio) <= -1.0


def test_opus_refuses_other_rates(tmp_path: Path, engine: SpeechEngine) -> None:
    with pytest.raises(RenderError, match=r"opus cannot be written at 22050 Hz; use one of"):
        _render(tmp_path, engine, "bad.opus", sample_rate=22050)
    assert list(tmp_path.iterdir()) == []


def test_golden_render_sample_for_sample(tmp_path: Path, speech_cache: Path) -> None:
    """A short WAV render must not change by a single sample unless the change is deliberate.

    The tiny routine's shortest one-foot session at 8 kHz keeps the file small; a voice slower than
    the planner allows for (90 words a minute) covers late cues, with chimes, the countdown and
    resampling from 22,050 Hz.
    """
    slow = SpeechEngine(rate=90, cache_dir=speech_cache)
    shortest = bounds(load_routine(TINY), PlanOptions(feet="left"))[0]
    result, path = _render(
        tmp_path, slow, "tiny.wav", minutes=shortest / 60, feet="left", sample_rate=8000
    )
    assert result.late_cues > 0
    saved = golden("render-tiny-left.wav", path.read_bytes())
    expected, _ = sf.read(str(saved), dtype="int16")
    actual, _ = sf.read(str(path), dtype="int16")
    assert actual.shape == expected.shape
    differing = int(np.count_nonzero(actual != expected))
    assert differing == 0, f"{differing} samples differ; {HOW_TO_UPDATE}"


def _rms_db(audio: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(audio**2))))


@pytest.mark.parametrize("ambient", [Ambient.brown, Ambient.pink, Ambient.pad])
def test_ambient_beds_sit_under_the_voice(
    tmp_path: Path, engine: SpeechEngine, ambient: Ambient
) -> None:
    result, path = _render(tmp_path, engine, f"{ambient.value}.wav", ambient=ambient)
    audio, rate = decode(path)
    assert independent_loudness(audio, rate) == pytest.approx(-16, abs=1.0)
    # In the towel pause the bed is audible, and well below the voice of the first instruction.
    timeline = tiny_timeline()
    towel = next(s for s in timeline.segments if s.kind == "between-feet")
    speech = result.cue_starts[1][1]
    voice_db = _rms_db(audio[round(speech * rate) : round((speech + 3) * rate)])
    bed_db = _rms_db(audio[(towel.start + 3) * rate : (towel.end - 2) * rate])
    assert bed_db > -50
    assert voice_db - bed_db > 10, (voice_db, bed_db)
    assert abs(audio[0]) < 1e-3  # faded in
    assert np.max(np.abs(audio[-round(0.01 * rate) :])) < 1e-2  # faded out


def _music_file(path: Path, seconds: float = 7.0, rate: int = 44100) -> Path:
    """A stereo chord at a typical mastering level, as a stand-in for someone's music."""
    t = np.arange(round(seconds * rate)) / rate
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)) / 3
    sf.write(str(path), np.stack([chord, chord * 0.9], axis=1) * 0.5, rate)
    return path


def test_music_is_looped_under_the_whole_session(tmp_path: Path, engine: SpeechEngine) -> None:
    music = _music_file(tmp_path / "music.wav")
    _, path = _render(tmp_path, engine, "music.wav", music=music)
    audio, rate = decode(path)
    assert audio.size == 90 * rate  # a 7 s file looped under a 90 s session

    def level(a: float, b: float) -> float:
        part = audio[round(a * rate) : round(b * rate)]
        return float(20 * np.log10(np.sqrt(np.mean(part**2))))

    # Two quiet stretches far apart, found from where the voice and chimes are placed: the music is
    # there in both, at the same level, loop after loop (the file is 7 s long).
    from solemate.audio.arrange import arrange
    from solemate.audio.render import prepare_sounds

    timeline = tiny_timeline()
    sounds = prepare_sounds(timeline, engine, rate)
    placed = arrange(timeline, {k: v.size for k, v in sounds.items()}, rate).placed
    busy = sorted((p.start / rate, (p.start + p.length) / rate) for p in placed)
    gaps = [(a_end + 0.5, b_start - 0.5) for (_, a_end), (b_start, _) in itertools.pairwise(busy)]
    quiet = [(a, a + 4) for a, b in gaps if b - a >= 4]
    first, last = quiet[0], quiet[-1]
    assert last[0] - first[0] > 14  # loops apart
    assert level(*first) == pytest.approx(level(*last), abs=2)
    assert -45 < level(*first) < -20


def test_music_is_lowered_while_the_voice_speaks(tmp_path: Path, engine: SpeechEngine) -> None:
    from solemate.audio.arrange import arrange
    from solemate.audio.mix import DUCK_DB, Mixer
    from solemate.audio.render import prepare_sounds

    music = _music_file(tmp_path / "music.wav")
    from solemate.audio.ambient import make_bed

    timeline = tiny_timeline()
    sounds = prepare_sounds(timeline, engine, 22050)
    arrangement = arrange(timeline, {k: v.size for k, v in sounds.items()}, 22050)
    bed = make_bed(Ambient.none, music, 22050)
    mixer = Mixer(arrangement, {k: np.zeros_like(v) for k, v in sounds.items()}, bed)
    speech = arrangement.speech[2]
    during = mixer.block(speech.start + 2000, 4000)
    plain = make_bed(Ambient.none, music, 22050).block(speech.start + 2000, 4000)
    ratio = np.sqrt(np.mean(during**2) / np.mean(plain**2))
    assert 20 * np.log10(ratio) == pytest.approx(DUCK_DB, abs=0.5)


# --- bad input: one clear line, nothing left under the final name ---------------------------------


@pytest.mark.parametrize(
    ("content", "reason"), [(b"not audio at all", "not a readable audio file"), (b"", "not a")]
)
def test_non_audio_music_is_refused(
    tmp_path: Path, engine: SpeechEngine, content: bytes, reason: str
) -> None:
    music = tmp_path / "song.mp3"
    music.write_bytes(content)
    with pytest.raises(RenderError, match=reason):
        _render(tmp_path, engine, "out.mp3", music=music)
    assert not (tmp_path / "out.mp3").exists()


def test_missing_music_is_refused(tmp_path: Path, engine: SpeechEngine) -> None:
    with pytest.raises(RenderError, match=r"music file not found: .*nothing\.ogg"):
        _render(tmp_path, engine, "out.mp3", music=tmp_path / "nothing.ogg")


def test_unwritable_output_folder(
    tmp_path: Path, engine: SpeechEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(RenderError, match="does not exist"):
        _render(tmp_path, engine, "missing/out.wav")

    def refused(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    # A read-only folder, the same way for every user (root may write anywhere).
    monkeypatch.setattr("solemate.audio.encode.tempfile.mkstemp", refused)
    with pytest.raises(RenderError, match=r"^cannot write .*out\.wav: permission denied$"):
        _render(tmp_path, engine, "out.wav")
    assert list(tmp_path.iterdir()) == []


def test_output_that_is_a_directory(tmp_path: Path, engine: SpeechEngine) -> None:
    (tmp_path / "out.wav").mkdir()
    with pytest.raises(RenderError, match="it is a directory"):
        _render(tmp_path, engine, "out.wav")


@pytest.mark.parametrize(
    ("name", "writer"), [("tonight.mp3", Mp3File), ("tonight.ogg", sf.SoundFile)]
)
def test_a_full_disk_leaves_no_partial_file(
    tmp_path: Path,
    engine: SpeechEngine,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    writer: type[Any],
) -> None:
    calls = {"n": 0}
    real_write = writer.write

    def write_until_full(self: Any, data: np.ndarray) -> None:
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(self, data)

    monkeypatch.setattr(writer, "write", write_until_full)
    (tmp_path / name).write_bytes(b"last night's file")
    with pytest.raises(
        RenderError, match=rf"^the disk is full: could not finish writing .*{name}$"
    ):
        _render(tmp_path, engine, name)
    # The old file is untouched and no temporary file is left behind.
    assert (tmp_path / name).read_bytes() == b"last night's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_format_from_extension_and_unknown_extension(tmp_path: Path, engine: SpeechEngine) -> None:
    with pytest.raises(RenderError, match=r"cannot tell the format from 'out\.xyz'"):
        _render(tmp_path, engine, "out.xyz")
    result, _ = _render(tmp_path, engine, "out.ogg", minutes=1, feet="left")
    assert result.format == Format.ogg


def test_a_slow_voice_planned_for_its_rate_is_never_late(
    tmp_path: Path, speech_cache: Path
) -> None:
    slow = SpeechEngine(rate=90, cache_dir=speech_cache)
    options = PlanOptions(feet="left", speech_rate=90)
    shortest = bounds(load_routine(TINY), options)[0]
    timeline = tiny_timeline(shortest / 60, feet="left", speech_rate=90)
    result = render_session(timeline, tmp_path / "slow.wav", RenderOptions(), speaker=slow)
    countdown = {c.at for c in timeline.cues if c.kind in ("countdown", "release")}
    late = [(planned, actual) for planned, actual in result.cue_starts if actual > planned]
    # Only a countdown's one-word-a-second rhythm can run a fraction of a second behind.
    assert all(planned in countdown and actual - planned < 0.3 for planned, actual in late), late
    assert result.seconds == shortest


def test_ticked_counts_are_heard_as_a_soft_tick_not_said(
    tmp_path: Path, engine: SpeechEngine
) -> None:
    said_result = render_session(
        tiny_timeline(), tmp_path / "said.wav", RenderOptions(date="2026-01-01"), speaker=engine
    )
    ticked = tiny_timeline(counts="ticks")
    ticked_result = render_session(
        ticked, tmp_path / "ticked.wav", RenderOptions(date="2026-01-01"), speaker=engine
    )
    assert ticked_result.ticks == 2
    countdown = [c for c in tiny_timeline().cues if c.kind == "countdown"]  # not said with ticks
    assert ticked_result.cues == len(ticked.cues) == said_result.cues - len(countdown)
    assert ticked_result.late_cues == 0
    said, rate = decode(tmp_path / "said.wav")
    heard, _ = decode(tmp_path / "ticked.wav")
    assert heard.size == said.size == 90 * rate

    def level(audio: np.ndarray, a: float, b: float) -> float:
        part = audio[round(a * rate) : round(b * rate)]
        return float(10 * np.log10(np.mean(part**2) + 1e-20))

    voice = level(said, 12, 14)  # the first instruction, in both files
    assert level(heard, 12, 14) == pytest.approx(voice, abs=1.5)
    for cue in (c for c in ticked.cues if c.kind == "tick"):
        tap, after = level(heard, cue.at, cue.at + 0.1), level(heard, cue.at + 0.4, cue.at + 2.5)
        assert tap > -60, "the tick is audible at its time"
        assert voice - tap > 8, "and well under the voice"
        assert after < -80, "nothing is said after it: the count's words are not in the file"
        assert level(said, cue.at + 0.4, cue.at + 1.0) > -40  # where the voice says the count
