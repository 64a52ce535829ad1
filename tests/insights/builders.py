"""A fixed synthetic journal for the insights and experiment tests: weeks of nights, sessions,
ratings, control evenings, device nights and a 28-night experiment, all from fixed seeds."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from solemate.diary import DiaryAnswers
from solemate.insights_service import start
from solemate.journal import Journal
from tests.journal.builders import device_night
from tests.journal.conftest import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
FIRST_EVENING = date(2024, 2, 5)  # a Monday
NIGHTS = 28
SEED = 20240205
#: Evenings the fixed journal leaves without a diary, and evenings that go off plan.
NO_DIARY = {date(2024, 2, 11), date(2024, 2, 20)}
OFF_PLAN = {date(2024, 2, 14)}


@dataclass(frozen=True)
class Built:
    today: date
    arms: tuple[str, ...]


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), BERLIN).astimezone(UTC)


def _diary(wake: date, sol: int, quality: int, tried: time) -> DiaryAnswers:
    return DiaryAnswers(
        wake_date=wake,
        zone="Europe/Berlin",
        into_bed=time(22, 15),
        tried_to_sleep=tried,
        sol_min=sol,
        awakenings=1,
        waso_min=8 + sol % 7,
        final_awakening=time(6, 45),
        out_of_bed=time(7, 0),
        quality=quality,
        comments="",
    )


def massage(journal: Journal, clock: FakeClock, evening: date, before: int, after: int) -> None:
    clock.now = _at(evening, 22, 5)
    sid = journal.start_session("evening", "1.0+abc", planned_seconds=720)
    journal.rate_stress("before", before, session_id=sid)
    clock.now = _at(evening, 22, 17)
    journal.finish_session(sid)
    journal.rate_stress("after", after, session_id=sid)


def build_experiment_journal(journal: Journal, clock: FakeClock, effect: float = -9.0) -> Built:
    """Two weeks before the experiment with a few sessions, then the 28-night experiment."""
    rng = random.Random(7)
    clock.now = _at(FIRST_EVENING - timedelta(days=14), 12, 0)
    stored, _ = start(
        journal,
        today=clock.now.date(),
        first_evening=FIRST_EVENING,
        seed=SEED,
        nights=NIGHTS,
    )
    nightly: dict[date, tuple[int, int, time]] = {}
    noise = 0.0
    for k in range(-14, NIGHTS):
        evening = FIRST_EVENING + timedelta(days=k)
        arm = stored.arms[k] if k >= 0 else ("M" if k % 3 == 0 else "C")
        if evening in OFF_PLAN:
            arm = "C" if arm == "M" else "M"
        if arm == "M":
            before = rng.randint(4, 8)
            massage(journal, clock, evening, before, max(0, before - rng.randint(0, 4)))
        elif k >= 0:
            clock.now = _at(evening, 21, 30)
            journal.log_control_activity(evening, "15 minutes of reading", 15)
        noise = 0.4 * noise + rng.gauss(0, 7)
        weekend = 6 if evening.weekday() in (4, 5) else 0
        sol = round(max(2, 24 + weekend + noise + (effect if arm == "M" else 0)))
        quality = 4 if sol < 20 else 3
        nightly[evening] = (sol, quality, time(22, 25 if arm == "M" else 40))
    clock.now = _at(FIRST_EVENING + timedelta(days=NIGHTS), 9, 0)
    for evening, (sol, quality, tried) in nightly.items():
        if evening not in NO_DIARY:
            journal.add_diary(_diary(evening + timedelta(days=1), sol, quality, tried))
    journal.store_device_nights(
        [device_night(FIRST_EVENING + timedelta(days=k + 1)) for k in range(0, NIGHTS, 2)]
    )
    return Built(today=clock.now.astimezone(BERLIN).date(), arms=stored.arms)
