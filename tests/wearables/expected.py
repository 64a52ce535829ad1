"""The README table of the sleep-export fixtures, and one checker used by every format's tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from solemate.wearables import DeviceNight

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sleep-exports"
APPLE = FIXTURES / "apple_health_export.xml"
FITBIT = FIXTURES / "fitbit_sleep.json"
OURA = FIXTURES / "oura_sleep.csv"
SAA = FIXTURES / "sleep_as_android.csv"


@dataclass(frozen=True)
class Night:
    wake: dt.date
    bed: str  # local wall clock where the person slept
    up: str
    bed_offset: int  # hours east of UTC
    up_offset: int
    zone: str
    tib: int
    tst: int | None
    sol: int | None
    se: float | None


def _n(
    wake: str, bed: str, up: str, offs: tuple[int, int], zone: str, *fig: int | float | None
) -> Night:
    tib, tst, sol, se = fig
    assert isinstance(tib, int)
    return Night(
        dt.date.fromisoformat(f"2024-{wake}"),
        bed,
        up,
        offs[0],
        offs[1],
        zone,
        tib,
        None if tst is None else int(tst),
        None if sol is None else int(sol),
        None if se is None else float(se),
    )


BERLIN = "Europe/Berlin"
LONDON = "Europe/London"

NIGHTS = [
    _n("03-23", "23:20", "06:40", (1, 1), BERLIN, 440, 410, 15, 93.2),
    _n("03-24", "00:10", "07:10", (1, 1), BERLIN, 420, 365, 25, 86.9),
    _n("03-25", "23:05", "06:00", (1, 1), BERLIN, 415, 390, 10, 94.0),
    _n("03-26", "23:30", "05:40", (1, 1), BERLIN, 370, 340, 20, 91.9),
    _n("03-27", "23:40", "05:50", (0, 0), LONDON, 370, 320, 30, 86.5),
    _n("03-28", "23:15", "06:25", (1, 1), BERLIN, 430, 410, 12, 95.3),
    _n("03-29", "23:50", "06:15", (1, 1), BERLIN, 385, 350, 18, 90.9),
    _n("03-30", "00:30", "07:45", (1, 1), BERLIN, 435, 395, 22, 90.8),
    _n("03-31", "23:05", "07:20", (1, 2), BERLIN, 435, 405, 16, 93.1),
    _n("04-01", "23:40", "06:15", (2, 2), BERLIN, 395, 375, 10, 94.9),
    _n("04-02", "23:10", "06:10", (2, 2), BERLIN, 420, 350, 14, 83.3),
    _n("04-03", "23:25", "06:25", (2, 2), BERLIN, 420, 400, 8, 95.2),
]
BY_WAKE = {n.wake: n for n in NIGHTS}
NAP = _n("03-24", "14:20", "15:30", (1, 1), BERLIN, 70, 52, 8, 74.3)

# "If you simply add up every source" (Apple) and "adding up the logs" (Fitbit 04-02).
APPLE_WRONG_TIB_TST = {"03-25": (837, 768), "03-28": (867, 807), "04-01": (797, 738)}


def by_wake(nights: list[DeviceNight]) -> dict[dt.date, DeviceNight]:
    found = [n for n in nights if not n.is_nap]
    assert len({n.wake_date for n in found}) == len(found), "two nights share a wake date"
    return {n.wake_date: n for n in found}


def check(night: DeviceNight, want: Night, *, zone: str | None, offsets: bool = True) -> None:
    """Every figure exact; bed/up local times; offsets; real elapsed minutes in the datetimes."""
    assert night.wake_date == want.wake
    assert night.bed_start.tzinfo is not None
    assert night.bed_end.tzinfo is not None
    assert night.bed_start.strftime("%H:%M") == want.bed
    assert night.bed_end.strftime("%H:%M") == want.up
    if offsets:
        assert night.bed_start.utcoffset() == dt.timedelta(hours=want.bed_offset)
        assert night.bed_end.utcoffset() == dt.timedelta(hours=want.up_offset)
    assert night.zone == zone
    assert (night.tib_min, night.tst_min, night.sol_min, night.se_pct) == (
        want.tib,
        want.tst,
        want.sol,
        want.se,
    )
    assert night.bed_end - night.bed_start == dt.timedelta(minutes=night.tib_min)
