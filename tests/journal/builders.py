"""Builders shared by the journal tests: diary answers and a journal with one of everything."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from solemate.diary import DiaryAnswers
from solemate.journal import Journal

BERLIN = ZoneInfo("Europe/Berlin")


def night(wake: date, **changes: object) -> DiaryAnswers:
    """A plausible night ending on ``wake``: 23:10 → 06:50 in Berlin."""
    base = DiaryAnswers(
        wake_date=wake,
        zone="Europe/Berlin",
        into_bed=time(23, 10),
        tried_to_sleep=time(23, 20),
        sol_min=12,
        awakenings=1,
        waso_min=10,
        final_awakening=time(6, 40),
        out_of_bed=time(6, 50),
        quality=4,
        comments="",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Nightly:
    """A stand-in with the fields of ``solemate.wearables.DeviceNight``."""

    source: str
    device: str
    wake_date: date
    bed_start: datetime
    bed_end: datetime
    zone: str | None
    tib_min: int
    tst_min: int | None
    sol_min: int | None
    se_pct: float | None
    is_nap: bool


def device_night(
    wake: date, *, source: str = "oura", nap: bool = False, **changes: object
) -> Nightly:
    start = datetime.combine(wake - timedelta(days=1), time(23, 20), BERLIN)
    if nap:
        start = datetime.combine(wake, time(14, 20), BERLIN)
    tib = 70 if nap else 440
    base = Nightly(
        source=source,
        device="Oura Ring Gen3",
        wake_date=wake,
        bed_start=start.astimezone(UTC).astimezone(BERLIN),
        bed_end=(start.astimezone(UTC) + timedelta(minutes=tib)).astimezone(BERLIN),
        zone="Europe/Berlin",
        tib_min=tib,
        tst_min=52 if nap else 410,
        sol_min=8 if nap else 15,
        se_pct=round((52 if nap else 410) / tib * 100, 1),
        is_nap=nap,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def fill(journal: Journal) -> None:
    """One of everything, including the awkward cases: DST nights, a couple, unicode, naps."""
    journal.add_person("Mara")
    journal.add_person("Jonas Æbelø")
    journal.record_screen(
        date(2024, 3, 20),
        {"calf_pain": False, "diabetes": True, "notes": ["numb toes", 3, None, 1.5]},
        "gentle",
        ["diabetes: gentle pressure only"],
        person="Mara",
    )
    planned = journal.plan_session("evening", "a1b2c3d4e5f60718", planned_seconds=900)
    assert planned > 0
    sid = journal.start_session(
        "evening",
        "a1b2c3d4e5f60718",
        planned_seconds=720,
        plan_options={"minutes": 12, "feet": ["left", "right"], "voice": None},
        receiver="Mara",
        giver="Jonas Æbelø",
    )
    journal.rate_stress("before", 7, session_id=sid, person="Mara")
    for foot in ("left", "right"):
        for step in range(3):
            journal.advance_session(sid, foot, step, f"step-{step}")
    journal.finish_session(sid)
    journal.rate_stress("after", 3, session_id=sid, relaxation=8, person="Mara")
    journal.rate_stress("before", 5)  # no session: a spot check
    stopped = journal.start_session("evening", "a1b2c3d4e5f60718", planned_seconds=600)
    journal.advance_session(stopped, "left", 1)
    journal.finish_session(stopped, "interrupted")
    journal.add_note(
        "Toes cold at the start — warmer after 5 min 🦶", session_id=sid, person="Mara"
    )
    journal.add_note("general note")
    journal.log_control_activity(date(2024, 3, 21), "reading", 15, person="Mara")
    journal.add_diary(night(date(2024, 3, 31), into_bed=time(23, 5)), person="Mara")  # spring
    journal.add_diary(
        night(
            date(2024, 10, 27),
            final_awakening=time(2, 30, fold=1),
            out_of_bed=time(2, 45, fold=1),
            comments="woke in the repeated hour; «ça va»",
        ),
        person="Mara",
    )
    journal.add_diary(night(date(2024, 3, 27), zone="Europe/London"), person="Mara")
    journal.add_diary(night(date(2024, 5, 1)))
    journal.store_device_nights(
        [device_night(date(2024, 3, 23)), device_night(date(2024, 3, 24), nap=True)],
        person="Mara",
    )
    journal.store_device_nights([device_night(date(2024, 3, 25), zone=None, tst_min=None)])
