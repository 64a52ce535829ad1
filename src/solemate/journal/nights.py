"""Nights: the sleep diary, naps and wearables' estimates, one family of :class:`Journal`.

The diary is what the person wrote each morning; device nights are kept apart from it and never
change it; naps are kept apart from the nights.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from solemate.diary import DiaryAnswers, DiaryEntry, Nap, validate_diary
from solemate.journal.core import JournalCore
from solemate.journal.import_reports import DeviceImportReport, ImportProblem, ImportRefused
from solemate.journal.mapping import record_from_row
from solemate.journal.other_records import NapRecord
from solemate.journal.records import (
    DeviceNightLike,
    DeviceNightRecord,
    DiaryRecord,
    JournalError,
    as_recorded,
    offset_minutes,
)
from solemate.journal.schema import (
    DeviceNightRow,
    DiaryRow,
    NapRow,
    new_uid,
)
from solemate.journal.transfer import device_night_problem, diary_row_values

__all__ = ["NightsMixin"]


class NightsMixin(JournalCore):
    """The sleep diary, naps and device nights."""

    def add_diary(self, answers: DiaryAnswers, *, person: str | None = None) -> DiaryRecord:
        """Check a morning's answers and keep them; one entry per person and wake date.

        Raises :class:`~solemate.diary.DiaryError` for an impossible night and
        :class:`JournalError` (field ``wake_date``) when that night already has an entry.
        """
        entry = validate_diary(answers, today=self._today_in(answers.zone))
        with self._writer.begin() as s:
            pid = self._person_id(s, person)
            self._check_night_free(s, pid, entry.wake_date)
            now = self._now()
            row = self._add(
                s,
                DiaryRow(
                    uid=new_uid(),
                    person_id=pid,
                    created_at=now,
                    updated_at=now,
                    **diary_row_values(entry),
                ),
            )
            return self._diary(self._names(s), row)

    def edit_diary(
        self, wake_date: date, answers: DiaryAnswers, *, person: str | None = None
    ) -> DiaryRecord:
        """Replace the answers of the entry for ``wake_date`` (the answers may move its date)."""
        entry = validate_diary(answers, today=self._today_in(answers.zone))
        with self._writer.begin() as s:
            pid = self._existing_person_id(s, person)
            row = self._diary_row(s, pid, wake_date)
            if entry.wake_date != wake_date:
                self._check_night_free(s, row.person_id, entry.wake_date)
            for name, value in diary_row_values(entry).items():
                setattr(row, name, value)
            row.updated_at = self._now()
            s.flush()
            return self._diary(self._names(s), row)

    def delete_diary(self, wake_date: date, *, person: str | None = None) -> None:
        """Delete the entry for ``wake_date``; a missed morning stays blank, as the diary wants."""
        with self._writer.begin() as s:
            pid = self._existing_person_id(s, person)
            s.delete(self._diary_row(s, pid, wake_date))

    def diary_entry(self, wake_date: date, *, person: str | None = None) -> DiaryRecord | None:
        """The entry for one wake date, if there is one."""
        with self._reader() as s:
            pid = self._existing_person_id(s, person)
            row = s.scalars(
                select(DiaryRow).where(DiaryRow.person_id == pid, DiaryRow.wake_date == wake_date)
            ).first()
            return None if row is None else self._diary(self._names(s), row)

    def diary(
        self, *, last: int | None = None, person: str | None = None, since: date | None = None
    ) -> list[DiaryRecord]:
        """Diary entries by wake date, oldest first; ``last`` keeps only the most recent ones,
        ``since`` only those waking on or after that date."""
        with self._reader() as s:
            pid = self._existing_person_id(s, person)
            query = select(DiaryRow).where(DiaryRow.person_id == pid)
            if since is not None:
                query = query.where(DiaryRow.wake_date >= since)
            rows = self._last(s, query, DiaryRow.wake_date, last)
            names = self._names(s)
            return [self._diary(names, row) for row in rows]

    def add_nap(self, nap: Nap, *, person: str | None = None) -> NapRecord:
        """Keep a checked nap (see :func:`solemate.diary.validate_nap`), apart from the nights.

        Raises :class:`JournalError` (field ``start``) when a nap already starts then.
        """
        with self._writer.begin() as s:
            pid = self._person_id(s, person)
            taken = s.scalars(
                select(NapRow.id).where(NapRow.person_id == pid, NapRow.started_at == nap.start)
            ).first()
            if taken is not None:
                message = f"a nap already starts at {nap.start:%Y-%m-%d %H:%M}"
                raise JournalError(message, field="start")
            row = self._add(
                s,
                NapRow(
                    uid=new_uid(),
                    person_id=pid,
                    on_date=nap.on_date,
                    zone=nap.zone,
                    started_at=nap.start,
                    ended_at=nap.end,
                    minutes=nap.minutes,
                    created_at=self._now(),
                ),
            )
            return self._nap(self._names(s), row)

    def naps(self, *, last: int | None = None, person: str | None = None) -> list[NapRecord]:
        """Naps by start, oldest first; ``last`` keeps only the most recent ones."""
        with self._reader() as s:
            pid = self._existing_person_id(s, person)
            query = select(NapRow).where(NapRow.person_id == pid)
            rows = self._last(s, query, NapRow.started_at, last)
            names = self._names(s)
            return [self._nap(names, row) for row in rows]

    @staticmethod
    def _nap(names: Mapping[int, str], row: NapRow) -> NapRecord:
        zone = ZoneInfo(row.zone)
        return record_from_row(
            row,
            NapRecord,
            person=names[row.person_id],
            start=row.started_at.astimezone(zone),
            end=row.ended_at.astimezone(zone),
        )

    def store_device_nights(
        self,
        nights: Iterable[DeviceNightLike],
        *,
        person: str | None = None,
        skip_bad: bool = False,
    ) -> DeviceImportReport:
        """Keep wearable estimates, apart from the diary, which they never change.

        A night is known by its source, device and start: storing the same file again changes
        nothing, and a night whose figures changed (a better parser) is updated in place. A bad
        night refuses the whole list, naming each by its 1-based position, unless ``skip_bad``.
        """
        nights = list(nights)
        problems: list[ImportProblem] = []
        added = updated = unchanged = 0
        with self._writer.begin() as s:
            pid = self._person_id(s, person)
            existing = {
                (row.source, row.device, row.bed_start): row
                for row in s.scalars(select(DeviceNightRow).where(DeviceNightRow.person_id == pid))
            }
            first_at: dict[tuple[str, str, datetime], int] = {}
            now = self._now()
            for number, night in enumerate(nights, start=1):
                problem = _device_problem(night) or _woken_in_the_future(night, now)
                key = None if problem else (night.source, night.device, _utc(night.bed_start))
                if key is not None and key in first_at:
                    problem = f"the same source, device and start as row {first_at[key]}"
                if problem or key is None:
                    problems.append(ImportProblem("device_nights", number, problem or "bad night"))
                    continue
                first_at[key] = number
                values = _device_values(night)
                row = existing.get(key)
                if row is None:
                    s.add(DeviceNightRow(uid=new_uid(), person_id=pid, imported_at=now, **values))
                    added += 1
                elif any(getattr(row, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(row, k, v)
                    updated += 1
                else:
                    unchanged += 1
            if problems and not skip_bad:
                raise ImportRefused(tuple(problems))
        return DeviceImportReport(added, updated, unchanged, tuple(problems))

    def device_nights(
        self, *, last: int | None = None, person: str | None = None, since: date | None = None
    ) -> list[DeviceNightRecord]:
        """Stored device estimates by wake date (naps included, flagged), oldest first;
        ``since`` keeps only those waking on or after that date."""
        with self._reader() as s:
            pid = self._existing_person_id(s, person)
            query = select(DeviceNightRow).where(DeviceNightRow.person_id == pid)
            if since is not None:
                query = query.where(DeviceNightRow.wake_date >= since)
            rows = self._last(s, query, DeviceNightRow.wake_date, last, DeviceNightRow.bed_start)
            names = self._names(s)
            return [self._device_night(names, row) for row in rows]

    def _check_night_free(self, s: Session, pid: int, wake_date: date) -> None:
        taken = s.scalars(
            select(DiaryRow.id).where(DiaryRow.person_id == pid, DiaryRow.wake_date == wake_date)
        ).first()
        if taken is not None:
            raise JournalError(
                f"there is already a diary entry for {wake_date}; edit it instead",
                field="wake_date",
            )

    def _diary_row(self, s: Session, pid: int | None, wake_date: date) -> DiaryRow:
        row = s.scalars(
            select(DiaryRow).where(DiaryRow.person_id == pid, DiaryRow.wake_date == wake_date)
        ).first()
        if row is None:
            raise JournalError(f"no diary entry for {wake_date}", field="wake_date")
        return row

    @staticmethod
    def _diary(names: Mapping[int, str], row: DiaryRow) -> DiaryRecord:
        zone = ZoneInfo(row.zone)
        entry = record_from_row(
            row,
            DiaryEntry,
            into_bed=row.into_bed.astimezone(zone),
            tried_to_sleep=row.tried_to_sleep.astimezone(zone),
            final_awakening=row.final_awakening.astimezone(zone),
            out_of_bed=row.out_of_bed.astimezone(zone),
        )
        return record_from_row(row, DiaryRecord, person=names[row.person_id], entry=entry)

    @staticmethod
    def _device_night(names: Mapping[int, str], row: DeviceNightRow) -> DeviceNightRecord:
        return record_from_row(
            row,
            DeviceNightRecord,
            person=names[row.person_id],
            bed_start=as_recorded(row.bed_start, row.bed_start_offset_min, row.zone),
            bed_end=as_recorded(row.bed_end, row.bed_end_offset_min, row.zone),
        )


def _device_problem(night: DeviceNightLike) -> str | None:
    try:
        return device_night_problem(night)
    except (AttributeError, TypeError) as error:
        return f"not a device night: {error}"


#: How far a device's clock may run ahead of this one before a night counts as not yet slept.
_CLOCK_SKEW = timedelta(hours=1)


def _woken_in_the_future(night: DeviceNightLike, now: datetime) -> str | None:
    """A night that ends after now (a phone whose clock was set to 2046) has not happened."""
    if _utc(night.bed_end) > now + _CLOCK_SKEW:
        return (
            f"woken on {night.wake_date}, in the future: the device's clock was wrong "
            "(left out with --skip-bad)"
        )
    return None


def _utc(value: datetime) -> datetime:
    # In UTC before comparing or hashing: by PEP 495, a datetime in the repeated autumn hour is
    # never equal to one in another zone, even for the same instant.
    return value.astimezone(UTC)


def _device_values(night: DeviceNightLike) -> dict[str, Any]:
    return {
        "source": night.source,
        "device": night.device,
        "wake_date": night.wake_date,
        "bed_start": _utc(night.bed_start),
        "bed_end": _utc(night.bed_end),
        "bed_start_offset_min": offset_minutes(night.bed_start),
        "bed_end_offset_min": offset_minutes(night.bed_end),
        "zone": night.zone,
        "tib_min": night.tib_min,
        "tst_min": night.tst_min,
        "sol_min": night.sol_min,
        "se_pct": night.se_pct,
        "is_nap": night.is_nap,
    }
