"""Chapters and tags in the rendered file, and as a side file (``--chapters FILE.txt|.json``).

MP3 gets ID3v2 CTOC + CHAP frames. Players that ignore the table of contents read CHAP frames in file
order, and mutagen writes frames of one kind sorted by their bytes, which start with the frame's
size: chapters with longer titles would come later. So every CHAP frame is padded to the same size
with a private sub-frame, and element ids (``ch000``, ``ch001``…) then sort in time order.
Ogg Vorbis, Opus and FLAC get ``CHAPTERnnn`` / ``CHAPTERnnnNAME`` comments, which ffmpeg and most
players read. WAV holds no chapters; the side file has them.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solemate.audio.arrange import Chapter

_PAD_OWNER = "solemate:pad"


@dataclass(frozen=True)
class Tags:
    """The metadata written into a rendered file."""

    title: str
    artist: str
    date: str
    plan: str
    """The plan the file was rendered from (JSON: routine, options, length)."""
    comment: str = ""


def timestamp(seconds: float) -> str:
    """``HH:MM:SS.mmm``, the form Vorbis CHAPTER comments use."""
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def spans(chapters: list[Chapter], length: int, rate: int) -> list[tuple[float, float, str]]:
    """(start, end, title) in seconds: each chapter runs to the next one, the last to the end."""
    out = []
    for i, chapter in enumerate(chapters):
        end = chapters[i + 1].start if i + 1 < len(chapters) else length
        out.append((chapter.start / rate, end / rate, chapter.title))
    return out


def write_side_file(
    path: Path, chapters: list[Chapter], length: int, rate: int, as_json: bool
) -> None:
    """Chapters as ``HH:MM:SS.mmm Title`` lines, or as ``{"chapters": [...]}`` JSON."""
    rows = spans(chapters, length, rate)
    if as_json:
        data = [{"start": round(a, 3), "end": round(b, 3), "title": title} for a, b, title in rows]
        text = json.dumps({"chapters": data}, indent=2, ensure_ascii=False) + "\n"
    else:
        text = "".join(f"{timestamp(a)} {title}\n" for a, _, title in rows)
    path.write_text(text, encoding="utf-8")


def tag_file(
    path: Path, fmt: str, chapters: list[Chapter], length: int, rate: int, tags: Tags
) -> None:
    if fmt == "mp3":
        _tag_mp3(path, chapters, length, rate, tags)
    elif fmt in ("ogg", "opus", "flac"):
        _tag_vorbis(path, fmt, chapters, length, rate, tags)
    # WAV: soundfile already wrote title, artist, date and comment into its INFO chunk.


def _mutagen(module: str) -> Any:
    """A mutagen module, typed loosely: mutagen's own annotations are partial."""
    return importlib.import_module(f"mutagen.{module}")


def _tag_mp3(path: Path, chapters: list[Chapter], length: int, rate: int, tags: Tags) -> None:
    m = _mutagen("id3")
    CHAP, COMM, CTOC, PRIV, TDRC, TIT2, TPE1, TXXX = (
        m.CHAP,
        m.COMM,
        m.CTOC,
        m.PRIV,
        m.TDRC,
        m.TIT2,
        m.TPE1,
        m.TXXX,
    )
    id3 = m.ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TPE1(encoding=3, text=tags.artist))
    id3.add(TDRC(encoding=3, text=tags.date))
    id3.add(TXXX(encoding=3, desc="solemate plan", text=tags.plan))
    if tags.comment:
        id3.add(COMM(encoding=3, lang="eng", desc="", text=tags.comment))
    rows = spans(chapters, length, rate)
    ids = [f"ch{i:03d}" for i in range(len(rows))]
    id3.add(
        CTOC(
            element_id="toc",
            flags=m.CTOCFlags.TOP_LEVEL | m.CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=3, text="Chapters")],
        )
    )
    # Every CHAP the same size, so mutagen's byte order is element-id (= time) order. Element ids
    # and times have fixed widths; only the UTF-8 title varies, and the PRIV data makes up for it.
    widest = max((len(title.encode()) for _, _, title in rows), default=0)
    for element_id, (a, b, title) in zip(ids, rows, strict=True):
        padding = b"\0" * (widest - len(title.encode()))
        id3.add(
            CHAP(
                element_id=element_id,
                start_time=round(a * 1000),
                end_time=round(b * 1000),
                sub_frames=[
                    TIT2(encoding=3, text=title),
                    PRIV(owner=_PAD_OWNER, data=padding),
                ],
            )
        )
    id3.save(str(path), v2_version=4)


def _tag_vorbis(
    path: Path, fmt: str, chapters: list[Chapter], length: int, rate: int, tags: Tags
) -> None:
    opener = {
        "ogg": _mutagen("oggvorbis").OggVorbis,
        "opus": _mutagen("oggopus").OggOpus,
        "flac": _mutagen("flac").FLAC,
    }[fmt]
    audio = opener(str(path))
    assert audio.tags is not None
    comments = audio.tags
    comments["TITLE"] = tags.title
    comments["ARTIST"] = tags.artist
    comments["DATE"] = tags.date
    comments["SOLEMATE_PLAN"] = tags.plan
    if tags.comment:
        comments["COMMENT"] = tags.comment
    for i, (a, _, title) in enumerate(spans(chapters, length, rate), start=1):
        comments[f"CHAPTER{i:03d}"] = timestamp(a)
        comments[f"CHAPTER{i:03d}NAME"] = title
    audio.save()
