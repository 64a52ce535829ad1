"""Apple Health ``export.xml`` (or the ``export.zip`` that contains it) → nights.

Real exports are gigabytes of heart-rate and step records with a few sleep records among them, so
the file is read as a stream in constant memory:

1. A byte-level pass (``_SleepRecordStream``) passes on the prolog (XML declaration, internal DTD,
   the ``<HealthData>`` start tag), every ``<Record>`` whose ``type`` is sleep analysis, and the
   closing tag. Everything else is skipped with ``bytes.find`` and never tokenised; that is where
   the speed comes from (the benchmark measures it). The price: the skipped records are not checked
   for well-formedness. A truncated file is still detected (no closing ``</HealthData>``).
2. ``xml.etree.ElementTree.iterparse`` parses that small, well-formed stream, and every record is
   cleared from the tree as soon as it has been read.

A zip is read by streaming its ``export.xml`` member, without extracting it.

Error messages name the line and record number in the original file. Counting the lines of a
gigabyte file costs a noticeable part of the import, so the reader remembers byte offsets only;
when a message is due, ``_Locator`` reads the file again up to that offset to count them.

Night policy (see the fixtures README): sleep records from all sources are grouped into sessions;
within one session TIB comes from the iPhone ``InBed`` record (else another ``InBed``, else the span
of the stage records), TST from one source only: the Watch, else the iPhone, else a third-party
app (AutoSleep...). Adding up sources would count overlapping nights twice. Times are shown in the
record's ``HKTimeZone`` (the place of sleep), not in the exporting phone's zone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import re
import sys
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

from solemate.bounded import Bounded, open_member

from ._common import (
    MAX_APPLE_BYTES,
    MAX_GAP,
    MAX_PIECE,
    BadRow,
    DeviceNight,
    Issues,
    finish,
    fixed_offset,
    looks_like_nap,
    make_night,
    minutes,
    plausible,
    zone_info,
)

SLEEP_TYPE = "HKCategoryTypeIdentifierSleepAnalysis"
_VALUE_PREFIX = "HKCategoryValueSleepAnalysis"
_STATES = {
    "InBed": "inbed",
    "Asleep": "asleep",  # before iOS 16
    "AsleepUnspecified": "asleep",
    "AsleepCore": "asleep",
    "AsleepDeep": "asleep",
    "AsleepREM": "asleep",
    "Awake": "awake",
}

_MARKER = SLEEP_TYPE.encode()
# A start tag: attribute values may contain '>' but never '<', so a tag starts at the last '<'
# and a '<' before its end means the tag is malformed (e.g. a lost quote).
_TAG_BODY = rb"""[^<>"']*(?:(?:"[^<"]*"|'[^<']*')[^<>"']*)*"""  # unrolled: no per-byte loop
_RECORD_START = re.compile(rb"<Record\b" + _TAG_BODY + rb">")
_ROOT_START = re.compile(rb"<HealthData\b" + _TAG_BODY + rb">")
_TYPE_IS_SLEEP = re.compile(rb"""\stype\s*=\s*(["'])""" + _MARKER + rb"\1")

_CHUNK = 1 << 20
_PROLOG_LIMIT = 4 << 20  # the DTD is a few kB; this much without <HealthData> is not an export
_MAX_RECORD = 1 << 20  # one sleep record with its metadata is well under a kilobyte
_READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error)


@dataclass(frozen=True, slots=True)
class Sample:
    """One sleep record, reduced to what the night policy needs."""

    source: str
    kind: str  # "watch" | "phone" | "app"
    state: str  # "inbed" | "asleep" | "awake"
    start: dt.datetime
    end: dt.datetime
    zone: str | None


def read(path: Path, issues: Issues, zone: str | None = None) -> list[DeviceNight]:
    """All nights and naps in an Apple Health export (``zone`` is unused: records carry offsets)."""
    del zone
    samples = []
    for elem, where in _sleep_elements(path, issues):
        try:
            samples.append(sample_from_element(elem))
        except BadRow as exc:
            issues.bad(where(), str(exc))
    return nights_from_samples(samples)


def sample_from_element(elem: ET.Element) -> Sample:
    """A ``<Record type=SleepAnalysis>`` element as a Sample; BadRow says what is wrong with it."""
    attrs = elem.attrib
    missing = [a for a in ("sourceName", "startDate", "endDate", "value") if a not in attrs]
    if missing:
        raise BadRow(f"sleep record without {', '.join(missing)}")
    value = attrs["value"]
    state = (
        _STATES.get(value.removeprefix(_VALUE_PREFIX)) if value.startswith(_VALUE_PREFIX) else None
    )
    if state is None:
        raise BadRow(f"unknown sleep value {value!r}")
    start = _parse_date(attrs["startDate"], "startDate")
    end = _parse_date(attrs["endDate"], "endDate")
    if end < start:
        raise BadRow(f"endDate {attrs['endDate']} is before startDate {attrs['startDate']}")
    if end - start > MAX_PIECE:
        raise BadRow(f"a single sleep record of {end - start} is impossible")
    zone = None
    for child in elem:
        if child.tag == "MetadataEntry" and child.get("key") == "HKTimeZone":
            zone = child.get("value")
            if zone is not None:
                zone_info(zone)  # validates, raises BadRow
                zone = sys.intern(zone)
    # Interned: a long export holds tens of thousands of sleep records from a handful of sources.
    source = sys.intern(attrs["sourceName"])
    return Sample(source, _kind(source, attrs.get("device", "")), state, start, end, zone)


def nights_from_samples(samples: Iterable[Sample]) -> list[DeviceNight]:
    """Group samples of all sources into sessions and apply the one-source-per-figure policy."""
    nights = []
    session: list[Sample] = []
    session_end: dt.datetime | None = None
    for sample in sorted(samples, key=lambda s: (s.start, s.end)):
        if session_end is not None and sample.start - session_end > MAX_GAP:
            night = _night(session)
            if night is not None:
                nights.append(night)
            session = []
            session_end = None
        session.append(sample)
        session_end = sample.end if session_end is None else max(session_end, sample.end)
    if session:
        night = _night(session)
        if night is not None:
            nights.append(night)
    return finish(nights)


_STAGE_RANK = {"watch": 0, "phone": 1, "app": 2}
_INBED_RANK = {"phone": 0, "watch": 2, "app": 3}


def _night(session: list[Sample]) -> DeviceNight | None:
    by_source: dict[str, list[Sample]] = {}
    for sample in session:
        by_source.setdefault(sample.source, []).append(sample)

    def asleep(source: str) -> list[Sample]:
        return [s for s in by_source[source] if s.state == "asleep"]

    def asleep_seconds(source: str) -> float:
        return sum((s.end - s.start).total_seconds() for s in asleep(source))

    staged = [src for src in by_source if asleep(src)]
    stage_src = (
        min(staged, key=lambda s: (_STAGE_RANK[by_source[s][0].kind], -asleep_seconds(s), s))
        if staged
        else None
    )
    in_bed = [src for src, ss in by_source.items() if any(s.state == "inbed" for s in ss)]

    def inbed_rank(src: str) -> tuple[int, str]:
        kind = by_source[src][0].kind
        return (1 if src == stage_src and kind != "phone" else _INBED_RANK[kind], src)

    inbed_src = min(in_bed, key=inbed_rank) if in_bed else None
    if inbed_src is None and stage_src is None:
        return None  # only "Awake" records: nothing to report

    inbed_samples = [s for s in by_source.get(inbed_src or "", []) if s.state == "inbed"]
    stage_samples = by_source.get(stage_src or "", [])
    spanned = inbed_samples + stage_samples
    start = min(s.start for s in spanned)
    end = max(s.end for s in spanned)

    tst = sol = None
    if stage_src is not None:
        intervals = sorted((s.start, s.end) for s in asleep(stage_src))
        tst = minutes(_union_length(intervals))
        if inbed_src is not None:
            sol = minutes(intervals[0][0] - start)
    zone = next((s.zone for s in inbed_samples + stage_samples if s.zone), None)
    device = stage_src or inbed_src or ""
    night = make_night("apple", device, start, end, zone, tst, sol, is_nap=False)
    if looks_like_nap(night.bed_start, night.bed_end, night.tib_min):
        return replace(night, is_nap=True)
    return night


def _union_length(intervals: list[tuple[dt.datetime, dt.datetime]]) -> dt.timedelta:
    """Length of the union of sorted intervals: duplicates within one source count once."""
    total = dt.timedelta()
    cur_start, cur_end = intervals[0]
    for start, end in intervals[1:]:
        if start > cur_end:
            total += cur_end - cur_start
            cur_start, cur_end = start, end
        else:
            cur_end = max(cur_end, end)
    return total + (cur_end - cur_start)


def _kind(source: str, device: str) -> str:
    if "model:Watch" in device:
        return "watch"
    if "model:iPhone" in device:
        return "phone"
    if not device and "Watch" in source:
        return "watch"
    if not device and "iPhone" in source:
        return "phone"
    return "app"


def _parse_date(text: str, name: str) -> dt.datetime:
    """``2024-03-22 23:20:00 +0100`` → aware datetime with that fixed offset."""
    offset = _offset(text[20:]) if len(text) == 25 and text[19] == " " else None
    try:
        if offset is None:
            raise ValueError(text)
        naive = dt.datetime.fromisoformat(text[:19])
    except ValueError:
        raise BadRow(f"{name} {text!r} is not a date like '2024-03-22 23:20:00 +0100'") from None
    return plausible(naive.replace(tzinfo=offset), name)


@functools.lru_cache(maxsize=128)
def _offset(text: str) -> dt.timezone | None:
    """``+0100`` → UTC+01:00; None if malformed or beyond ±14 h. Cached: exports use a few."""
    if len(text) != 5 or text[0] not in "+-" or not (text[1:].isascii() and text[1:].isdigit()):
        return None
    offset = dt.timedelta(hours=int(text[1:3]), minutes=int(text[3:5]))
    if offset > dt.timedelta(hours=14):
        return None
    return fixed_offset(-offset if text[0] == "-" else offset)


def _sleep_elements(path: Path, issues: Issues) -> Iterator[tuple[ET.Element, Callable[[], str]]]:
    """Sleep ``<Record>`` elements of the export, each with a function that tells where it is in
    the original file (``line 7 (Record #3)``), called only for a record that is reported."""
    with contextlib.ExitStack() as later, _open_export(path, issues) as raw:
        locator = _Locator(lambda: later.enter_context(_open_export(path, issues)))
        stream = _SleepRecordStream(raw, issues, locator)
        root: ET.Element | None = None
        try:
            for event, elem in ET.iterparse(stream, events=("start", "end")):
                if root is None:
                    root = elem
                elif event == "end" and elem.tag == "Record":
                    yield elem, functools.partial(stream.where, stream.offsets.popleft())
                    root.clear()  # drops the record and everything before it
        except ET.ParseError as exc:
            line, column = exc.position
            reason = str(exc).rsplit(": line ", 1)[0]
            issues.fatal(
                f"line {stream.source_line(line)}, column {column + 1}",
                f"not well-formed XML ({reason})",
            )


@contextlib.contextmanager
def _open_export(path: Path, issues: Issues) -> Iterator[IO[bytes]]:
    """The export as a binary stream: the file itself, or its ``export.xml`` zip member."""
    try:
        is_zip = zipfile.is_zipfile(path)
        if not is_zip and path.suffix.lower() == ".zip":
            issues.fatal("", "not a readable zip archive (truncated download?)")
        if not is_zip:
            raw = Bounded(path.open("rb"), limit=MAX_APPLE_BYTES, name=str(path))
            with io.BufferedReader(raw) as buffered:
                yield buffered
            return
        with zipfile.ZipFile(path) as archive:
            member = export_member(archive.namelist())
            if member is None:
                issues.fatal("", "the zip archive contains no apple_health_export/export.xml")
            raw = open_member(archive, member, MAX_APPLE_BYTES, f"{path}:{member}")
            with io.BufferedReader(raw) as buffered:
                yield buffered
    except _READ_ERRORS as exc:
        issues.fatal("", f"cannot read the file: {exc}")


def export_member(names: list[str]) -> str | None:
    """The zip member holding the export: ``apple_health_export/export.xml`` or ``*/export.xml``."""
    if "apple_health_export/export.xml" in names:
        return "apple_health_export/export.xml"
    candidates = [
        n
        for n in names
        if (n == "export.xml" or n.endswith("/export.xml")) and not n.startswith("__MACOSX/")
    ]
    return min(candidates, key=len) if candidates else None


class _Locator:
    """Line and record numbers of byte offsets in the original file, counted only when asked.

    ``reopen`` gives a fresh stream of the original bytes. Offsets are usually asked for in
    increasing order (records are reported as they are read), so the count goes on from where it
    stopped; an earlier offset starts it again from the beginning.
    """

    _TAIL = len(b"<Record") - 1  # a "<Record" cut by a chunk boundary is counted in the next one

    def __init__(self, reopen: Callable[[], IO[bytes]]) -> None:
        self._reopen = reopen
        self._raw: IO[bytes] | None = None
        self.records_from = 0  # "<Record" is counted from here (the end of <HealthData ...>)
        self._pos = 0
        self._lines = 0  # newlines before _pos
        self._records = 0  # "<Record" starting in [records_from, _pos)
        self._tail = b""  # the bytes just before _pos (at most _TAIL), when counting records

    def line(self, offset: int) -> int:
        """The line (from 1) holding the byte at ``offset``."""
        self._advance(offset)
        return self._lines + 1

    def where(self, offset: int) -> str:
        """``line N (Record #M)`` for a record starting at ``offset``."""
        self._advance(offset)
        return f"line {self._lines + 1} (Record #{self._records + 1})"

    def _advance(self, offset: int) -> None:
        if self._raw is None or offset < self._pos:
            self._raw = self._reopen()
            self._pos = self._lines = self._records = 0
            self._tail = b""
        while self._pos < offset:
            chunk = self._raw.read(min(_CHUNK, offset - self._pos))
            if not chunk:
                break
            self._lines += chunk.count(b"\n")
            end = self._pos + len(chunk)
            if end > self.records_from:
                counted = chunk[max(0, self.records_from - self._pos) :]
                window = self._tail + counted
                self._records += window.count(b"<Record")
                self._tail = window[-self._TAIL :]
            self._pos = end


class _SleepRecordStream:
    """Binary file-like object yielding a miniature export: prolog, sleep records, closing tag.

    It remembers where each emitted record starts in the original file (``offsets``, consumed by
    the reader in order) and maps line numbers of the miniature back to the original
    (``source_line``); the ``locator`` turns offsets into line numbers when a message needs one.
    """

    def __init__(self, raw: IO[bytes], issues: Issues, locator: _Locator) -> None:
        self._raw = raw
        self._issues = issues
        self._locator = locator
        self._chunks = self._generate()
        self._pending = b""
        self._out_line = 1
        # (first line in the miniature, offset in the original) of each piece passed on
        self._segments: deque[tuple[int, int]] = deque([(1, 0)], maxlen=4096)
        self.offsets: deque[int] = deque()

    def read(self, size: int = -1) -> bytes:
        parts = [self._pending]
        have = len(self._pending)
        while size < 0 or have < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            parts.append(chunk)
            have += len(chunk)
        data = b"".join(parts)
        if size < 0:
            self._pending = b""
            return data
        self._pending = data[size:]
        return data[:size]

    def where(self, offset: int) -> str:
        """``line N (Record #M)`` of the record starting at ``offset`` in the original file."""
        return self._locator.where(offset)

    def source_line(self, out_line: int) -> int:
        """Line in the original file of line ``out_line`` of the miniature."""
        for first_out, offset in reversed(self._segments):
            if first_out <= out_line:
                return self._locator.line(offset) + out_line - first_out
        return out_line

    def _emit(self, data: bytes, offset: int) -> bytes:
        self._segments.append((self._out_line, offset))
        self._out_line += data.count(b"\n")
        return data

    def _read(self, size: int) -> bytes:
        try:
            return self._raw.read(size)
        except _READ_ERRORS as exc:
            self._issues.fatal("", f"cannot read the file: {exc}")

    def _generate(self) -> Iterator[bytes]:
        fatal = self._issues.fatal
        buf = b""
        while (root := _ROOT_START.search(buf)) is None:
            start = buf.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
            if start and start != b"<":
                fatal("line 1", "not XML, so not an Apple Health export.xml")
            if len(buf) > _PROLOG_LIMIT:
                fatal("line 1", "no <HealthData> element: not an Apple Health export")
            more = self._read(64 * 1024)
            if not more:
                fatal("", "no <HealthData> element: not an Apple Health export, or truncated")
            buf += more
        yield self._emit(buf[: root.end()] + b"\n", 0)
        if root.group().endswith(b"/>"):
            return  # <HealthData/>: an empty export
        self._locator.records_from = root.end()
        base = root.end()  # offset in the original file of buf[0]
        buf = buf[root.end() :]
        eof = False
        while True:
            chunk = self._read(_CHUNK)
            eof = not chunk
            buf += chunk
            pos = 0
            keep = -1
            while (hit := buf.find(_MARKER, pos)) >= 0:
                lt = buf.rfind(b"<", 0, hit)
                if lt < pos or not buf.startswith(b"<Record", lt):
                    pos = hit + len(_MARKER)  # the marker inside some other tag or text
                    continue
                tag = _RECORD_START.match(buf, lt)
                if tag is None:
                    if buf.find(b"<", lt + 1) >= 0 or len(buf) - lt > _MAX_RECORD:
                        fatal(
                            self.where(base + lt),
                            "not well-formed XML (malformed <Record> start tag)",
                        )
                    if eof:
                        fatal(
                            self.where(base + lt),
                            "the file ends inside a <Record> tag (truncated?)",
                        )
                    keep = lt
                    break
                if not _TYPE_IS_SLEEP.search(buf, lt, tag.end()):
                    pos = tag.end()
                    continue
                end = tag.end()
                if not tag.group().endswith(b"/>"):
                    close = buf.find(b"</Record", end)
                    gt = buf.find(b">", close) if close >= 0 else -1
                    if gt < 0:
                        if eof:
                            fatal(
                                self.where(base + lt),
                                "the file ends inside a sleep record (truncated?)",
                            )
                        if len(buf) - lt > _MAX_RECORD:
                            fatal(self.where(base + lt), "sleep <Record> is never closed")
                        keep = lt
                        break
                    if buf.find(b"<Record", end, close) >= 0:
                        fatal(
                            self.where(base + lt),
                            "sleep <Record> is not closed before the next record",
                        )
                    end = gt + 1
                self.offsets.append(base + lt)
                yield self._emit(buf[lt:end] + b"\n", base + lt)
                pos = end
            if eof:
                closing = buf.find(b"</HealthData", pos)
                if closing < 0:
                    line = self._locator.line(base + len(buf))
                    fatal(
                        f"line {line}",
                        "the file ends without the closing </HealthData> tag (truncated export?)",
                    )
                yield self._emit(buf[closing:], base + closing)
                return
            if keep < 0:
                last_lt = buf.rfind(b"<", pos)
                keep = last_lt if last_lt >= 0 else len(buf)
            base += keep
            buf = buf[keep:]
