"""The plain values the insights work on, built by the caller from whatever stores them.

The insights never read the journal: a shell turns its records into these (see
``solemate.insights_service``) and passes dates in, so everything here is a pure function of its
arguments and can be tested with hand-written nights.

A session belongs to an *evening*, and a diary to the night after it: the evening of an instant
is its local date after moving back 12 hours, so a massage at 00:30 still belongs to the evening
before, and the diary written on the wake date W describes the night after evening W − 1 day.
That is the same noon rule the diary uses to place bare times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

from solemate.diary import DiaryEntry

__all__ = [
    "METRICS",
    "DeviceEstimate",
    "Evening",
    "Metric",
    "Night",
    "evening_of",
]

# Made once: building a timedelta from keywords costs more than the arithmetic it is used in
# (insights works out the evening of every session ever kept, twice).
_DAY = timedelta(days=1)
_HALF_DAY = timedelta(hours=12)


@dataclass(frozen=True)
class Metric:
    """A diary figure: how to name it, its unit, and which direction is better."""

    key: str
    label: str
    unit: str
    lower_is_better: bool
    decimals: int = 0

    def format(self, value: float) -> str:
        """``value`` rounded for reading, with its unit and a true minus sign.

        >>> METRICS["sol"].format(-8.4), METRICS["se"].format(91.25), METRICS["quality"].format(3)
        ('−8 min', '91.2%', '3.0')
        """
        unit = "" if self.unit == "points" else f" {self.unit}" if self.unit != "%" else "%"
        text = f"{value:.{self.decimals}f}"
        if text.startswith("-"):
            text = "−" + text[1:] if text.strip("-0.") else text[1:]
        return f"{text}{unit}"


#: The diary figures, in the order they are shown. Quality is the diary's 1 (very poor) to
#: 5 (very good) answer, averaged as a number because that is how it is usually summarised.
METRICS: dict[str, Metric] = {
    "sol": Metric("sol", "minutes to fall asleep (SOL)", "min", lower_is_better=True),
    "waso": Metric("waso", "minutes awake in the night (WASO)", "min", lower_is_better=True),
    "tst": Metric("tst", "total sleep time (TST)", "min", lower_is_better=False),
    "se": Metric("se", "sleep efficiency (SE)", "%", lower_is_better=False, decimals=1),
    "quality": Metric(
        "quality", "sleep quality (1 very poor – 5 very good)", "points", False, decimals=1
    ),
    "awakenings": Metric(
        "awakenings", "number of awakenings", "points", lower_is_better=True, decimals=1
    ),
}


@dataclass(frozen=True)
class Night:
    """One diary night, keyed by its wake date, with the figures insights use."""

    wake_date: date
    sol: float
    waso: float
    tst: float
    se: float
    quality: float
    awakenings: float
    tried_to_sleep: datetime

    @classmethod
    def from_entry(cls, entry: DiaryEntry) -> Night:
        return cls(
            wake_date=entry.wake_date,
            sol=entry.sol_min,
            waso=entry.waso_min,
            tst=entry.tst_min,
            se=entry.se_pct,
            quality=entry.quality,
            awakenings=entry.awakenings,
            tried_to_sleep=entry.tried_to_sleep,
        )

    def value(self, metric: str) -> float:
        if metric not in METRICS:
            raise KeyError(metric)
        return float(getattr(self, metric))

    @property
    def evening(self) -> date:
        return self.wake_date - _DAY


@dataclass(frozen=True)
class Evening:
    """A massage session as insights sees it: when, how it ended, and the stress ratings."""

    started_at: datetime
    ended_at: datetime | None
    status: Literal["planned", "in_progress", "completed", "skipped", "interrupted"]
    stress_before: int | None = None
    stress_after: int | None = None

    @property
    def happened(self) -> bool:
        """Run live and at least begun (a planned audio track may never have been played).

        A session skipped through still happened that evening, as an interrupted one did.
        """
        return self.status in ("completed", "skipped", "interrupted")


@dataclass(frozen=True)
class DeviceEstimate:
    """A wearable's estimate of one main night (naps are left out by the caller)."""

    source: str
    wake_date: date
    tst: float | None
    sol: float | None
    se: float | None


def evening_of(instant: datetime, zone: tzinfo) -> date:
    """The evening an instant belongs to: its local date, moved back 12 hours.

    >>> from datetime import UTC
    >>> from zoneinfo import ZoneInfo
    >>> berlin = ZoneInfo("Europe/Berlin")
    >>> evening_of(datetime(2024, 3, 22, 21, 30, tzinfo=UTC), berlin)  # 22:30 local
    datetime.date(2024, 3, 22)
    >>> evening_of(datetime(2024, 3, 22, 23, 30, tzinfo=UTC), berlin)  # 00:30 local, next day
    datetime.date(2024, 3, 22)
    """
    return (instant.astimezone(zone) - _HALF_DAY).date()
