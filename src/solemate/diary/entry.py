"""The morning sleep diary: the Consensus Sleep Diary core items, checked, with TIB/TST/SE derived.

The diary is the one measure of sleep a person writes themselves, so it must never hold a night that
cannot have happened. Everything here is pure: no files, no database, no clock. "Today" is passed
in, so a date in the future can be refused without this module reading the time.

Times are the local wall-clock times a person answers with ("23:05", "07:20"). They are placed on
the evening before the wake date or on the wake date itself (see :func:`place_on_night`), turned
into real instants with :mod:`zoneinfo`, and every duration is **real elapsed time**: a night across
the spring daylight-saving change is an hour shorter than its wall clock says, a night across the
autumn change an hour longer. A night is keyed by its wake date, as Fitbit, Oura and the diary do.

Worked example, the spring-forward night in Berlin (clocks jump from 02:00 to 03:00 on 2024-03-31):

>>> from datetime import date, time
>>> entry = validate_diary(
...     DiaryAnswers(
...         wake_date=date(2024, 3, 31), zone="Europe/Berlin",
...         into_bed=time(23, 5), tried_to_sleep=time(23, 15), sol_min=16,
...         awakenings=2, waso_min=20, final_awakening=time(7, 0), out_of_bed=time(7, 20),
...         quality=4,
...     ),
...     today=date(2024, 3, 31),
... )
>>> entry.tib_min  # 23:05 → 07:20 is 495 minutes on the wall clock, but only 435 really passed
435
>>> entry.tst_min  # (07:00 − 23:15 = 405 real minutes) − SOL 16 − WASO 20
369
>>> round(entry.se_pct, 1)  # 369 / 435 × 100
84.8
>>> entry.quality_label
'good'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from solemate.text import text_problem

__all__ = [
    "MAX_COMMENT_LENGTH",
    "MAX_NIGHT_MINUTES",
    "NAP_HOURS",
    "NOON",
    "QUALITY_LABELS",
    "DiaryAnswers",
    "DiaryEntry",
    "DiaryError",
    "Nap",
    "is_daytime_nap",
    "is_zone_name",
    "load_zone",
    "place_on_night",
    "validate_diary",
    "validate_nap",
]

#: Sleep quality as the Consensus Sleep Diary words it, keyed by the stored number.
QUALITY_LABELS: dict[int, str] = {1: "very poor", 2: "poor", 3: "fair", 4: "good", 5: "very good"}

#: Bare times at or after noon belong to the evening before the wake date, earlier ones to it.
NOON = time(12, 0)

#: A "night" longer than a day is a typo (a wrong date or am/pm), not a night.
MAX_NIGHT_MINUTES = 24 * 60

#: Comments are a sentence or two; a cap keeps a pasted file out of the journal.
MAX_COMMENT_LENGTH = 2000

#: A sleep is a daytime nap, not a night, when into bed and out of bed both fall on one local day
#: between 09:00 and 20:00. This is the one place that says so; the diary keeps nights only.
NAP_HOURS = (time(9, 0), time(20, 0))

_TIME_FIELDS = ("into_bed", "tried_to_sleep", "final_awakening", "out_of_bed")


class DiaryError(ValueError):
    """An impossible diary entry. ``field`` names the answer to correct; the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class DiaryAnswers:
    """The answers as a person gives them, not yet checked.

    Each time is either a bare :class:`~datetime.time` (placed by :func:`place_on_night`) or a
    naive local :class:`~datetime.datetime` when the date must be explicit (a bedtime after noon
    on the wake date after a night shift, say). In the hour the autumn change repeats, ``fold=1``
    picks the second pass of the clock, as in :mod:`datetime`; the default is the first. An
    aware datetime (a written UTC offset, ``2024-11-03T01:45-05:00``) says which pass itself.

    ``unsure`` names the times whose pass the person did not state (a bare ``01:45`` typed in a
    form): such a time inside a repeated hour is refused with a question, never guessed.
    """

    wake_date: date
    zone: str
    into_bed: time | datetime
    tried_to_sleep: time | datetime
    sol_min: int
    awakenings: int
    waso_min: int
    final_awakening: time | datetime
    out_of_bed: time | datetime
    quality: int
    comments: str = ""
    unsure: frozenset[str] = frozenset()


@dataclass(frozen=True, eq=False)
class DiaryEntry:
    """An accepted night. Build it with :func:`validate_diary`, which guarantees the invariants.

    The four times are aware datetimes in ``zone``. Invariants: into bed ≤ tried to sleep ≤ final
    awakening ≤ out of bed; 0 ≤ TST ≤ TIB; 0 ≤ SE ≤ 100; the final awakening falls on the wake date.

    Two entries are equal when their answers are and their times are the same instants. (The
    dataclass default would compare the times by wall clock, since they share a tzinfo, and so
    could not tell the two passes of the repeated autumn hour apart.)
    """

    wake_date: date
    zone: str
    into_bed: datetime
    tried_to_sleep: datetime
    sol_min: int
    awakenings: int
    waso_min: int
    final_awakening: datetime
    out_of_bed: datetime
    quality: int
    comments: str = ""

    def _key(self) -> tuple[object, ...]:
        instants = (self.into_bed, self.tried_to_sleep, self.final_awakening, self.out_of_bed)
        return (
            self.wake_date,
            self.zone,
            *(t.astimezone(UTC) for t in instants),
            self.sol_min,
            self.awakenings,
            self.waso_min,
            self.quality,
            self.comments,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DiaryEntry):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    @property
    def tib_min(self) -> int:
        """Time in bed: out of bed − into bed, in real elapsed minutes."""
        return _elapsed(self.into_bed, self.out_of_bed)

    @property
    def tst_min(self) -> int:
        """Total sleep time: (final awakening − tried to sleep) − SOL − WASO, in real minutes."""
        return _elapsed(self.tried_to_sleep, self.final_awakening) - self.sol_min - self.waso_min

    @property
    def se_pct(self) -> float:
        """Sleep efficiency: TST / TIB × 100, unrounded (round only for display).

        A baseline night, 23:20 → 06:40 with 15 minutes to fall asleep and 15 awake:

        >>> entry = validate_diary(
        ...     DiaryAnswers(date(2024, 3, 23), "Europe/Berlin", time(23, 20), time(23, 20),
        ...                  15, 1, 15, time(6, 40), time(6, 40), 3),
        ...     today=date(2024, 3, 23),
        ... )
        >>> entry.tib_min, entry.tst_min, round(entry.se_pct, 1)  # 410 / 440 × 100
        (440, 410, 93.2)
        """
        return self.tst_min / self.tib_min * 100

    @property
    def quality_label(self) -> str:
        """The quality in the diary's words: "very poor" … "very good"."""
        return QUALITY_LABELS[self.quality]

    def answers(self) -> DiaryAnswers:
        """Answers that give this entry again: explicit local wall times, their fold kept."""
        return DiaryAnswers(
            wake_date=self.wake_date,
            zone=self.zone,
            into_bed=_wall(self.into_bed),
            tried_to_sleep=_wall(self.tried_to_sleep),
            sol_min=self.sol_min,
            awakenings=self.awakenings,
            waso_min=self.waso_min,
            final_awakening=_wall(self.final_awakening),
            out_of_bed=_wall(self.out_of_bed),
            quality=self.quality,
            comments=self.comments,
        )


def load_zone(name: str, field: str = "zone") -> ZoneInfo:
    """The IANA zone called ``name``, or a :class:`DiaryError` naming ``field``.

    >>> try:
    ...     load_zone("Mars/Olympus_Mons")
    ... except DiaryError as error:
    ...     print(error)
    zone: unknown time zone 'Mars/Olympus_Mons' (use an IANA name such as 'Europe/Berlin')
    """
    if not is_zone_name(name):
        message = f"unknown time zone {name!r} (use an IANA name such as 'Europe/Berlin')"
        raise DiaryError(field, message)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        message = f"unknown time zone {name!r} (use an IANA name such as 'Europe/Berlin')"
        raise DiaryError(field, message) from None


#: Files in a zoneinfo folder that are not places: this machine's zone (whatever it is today),
#: the rules of another era, and the placeholder of a machine never set up.
_NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_PLACES


def is_zone_name(name: object) -> bool:
    """True for a canonical IANA zone name (``right/UTC``, ``localtime`` and the like are not).

    >>> is_zone_name("Europe/Berlin"), is_zone_name("localtime"), is_zone_name("right/UTC")
    (True, False, False)
    """
    return isinstance(name, str) and name in _zone_names()


def place_on_night(wake_date: date, value: time | datetime) -> datetime:
    """The naive local datetime of a diary answer on the night that ends on ``wake_date``.

    A bare time at or after noon is on the evening before, an earlier one on the wake date; an
    explicit datetime is kept as given. The fold (which pass of a repeated autumn hour) is kept.

    >>> place_on_night(date(2024, 3, 31), time(23, 5))
    datetime.datetime(2024, 3, 30, 23, 5)
    >>> place_on_night(date(2024, 3, 31), time(0, 30))
    datetime.datetime(2024, 3, 31, 0, 30)
    """
    if isinstance(value, datetime):
        return value
    day = wake_date - timedelta(days=1) if value >= NOON else wake_date
    return datetime.combine(day, value)


def validate_diary(answers: DiaryAnswers, *, today: date) -> DiaryEntry:
    """Check one night's answers: the entry, or a :class:`DiaryError` naming the field to fix.

    ``today`` is the person's local date; a later wake date is refused. The zone and the single
    numbers are checked first, then the times, so the first message is the one to fix first.

    >>> try:
    ...     validate_diary(
    ...         DiaryAnswers(date(2024, 3, 23), "Europe/Berlin", time(23, 0), time(23, 10),
    ...                      600, 0, 0, time(6, 0), time(6, 30), 3),
    ...         today=date(2024, 3, 23),
    ...     )
    ... except DiaryError as error:
    ...     print(error.field, "-", error.message)
    sol_min - 600 minutes to fall asleep is longer than the 410 minutes from trying to sleep \
to the final awakening
    """
    zone = load_zone(answers.zone)
    _check_int("quality", answers.quality, 1, 5, "1 very poor … 5 very good")
    _check_int("sol_min", answers.sol_min, 0, MAX_NIGHT_MINUTES, "minutes to fall asleep")
    _check_int("awakenings", answers.awakenings, 0, 1000, "number of awakenings")
    _check_int("waso_min", answers.waso_min, 0, MAX_NIGHT_MINUTES, "minutes awake in the night")
    if answers.awakenings == 0 and answers.waso_min > 0:
        raise DiaryError(
            "waso_min",
            f"{answers.waso_min} minutes awake in the night, but no awakenings: "
            "give the number of awakenings or 0 minutes",
        )
    if not isinstance(answers.comments, str):
        raise DiaryError("comments", "must be text")
    if len(answers.comments) > MAX_COMMENT_LENGTH:
        raise DiaryError("comments", f"is longer than {MAX_COMMENT_LENGTH} characters")
    problem = text_problem(answers.comments, multiline=True)
    if problem is not None:
        raise DiaryError("comments", problem)
    if not isinstance(answers.wake_date, date) or isinstance(answers.wake_date, datetime):
        raise DiaryError("wake_date", "must be a date")
    if answers.wake_date > today:
        raise DiaryError(
            "wake_date",
            f"{answers.wake_date} is in the future (today is {today}): "
            "the diary is written the morning after",
        )

    # Compared and subtracted in UTC: aware datetimes sharing one tzinfo compare by wall clock.
    into_bed, tried, final, out = (_instant(answers, field, zone) for field in _TIME_FIELDS)

    def show(instant: datetime) -> str:
        return f"{instant.astimezone(zone):%Y-%m-%d %H:%M}"

    if out <= into_bed:
        message = f"out of bed at {show(out)} is not after into bed at {show(into_bed)}"
        raise DiaryError("out_of_bed", message + _after_noon(answers, "out_of_bed"))
    if _elapsed(into_bed, out) > MAX_NIGHT_MINUTES:
        raise DiaryError(
            "out_of_bed", f"{show(into_bed)} to {show(out)} is over 24 hours: check the dates"
        )
    if tried < into_bed:
        raise DiaryError(
            "tried_to_sleep",
            f"tried to sleep at {show(tried)}, before getting into bed at {show(into_bed)}",
        )
    if final > out:
        raise DiaryError(
            "final_awakening",
            f"final awakening at {show(final)} is after getting out of bed at {show(out)}",
        )
    if final < tried:
        raise DiaryError(
            "final_awakening",
            f"final awakening at {show(final)} is before trying to sleep at {show(tried)}"
            + _after_noon(answers, "final_awakening"),
        )
    woke_on = final.astimezone(zone).date()
    if woke_on != answers.wake_date:
        raise DiaryError(
            "wake_date",
            f"the final awakening is on {woke_on}, not on the wake date {answers.wake_date}",
        )
    span = _elapsed(tried, final)
    night = f"the {span} minutes from trying to sleep to the final awakening"
    if answers.sol_min > span:
        raise DiaryError(
            "sol_min", f"{answers.sol_min} minutes to fall asleep is longer than {night}"
        )
    if answers.waso_min > span:
        raise DiaryError("waso_min", f"{answers.waso_min} minutes awake is longer than {night}")
    if answers.sol_min + answers.waso_min > span:
        raise DiaryError(
            "waso_min",
            f"{answers.sol_min} minutes to fall asleep and {answers.waso_min} minutes awake "
            f"exceed {night}: total sleep time would be negative",
        )
    entry = DiaryEntry(
        wake_date=answers.wake_date,
        zone=answers.zone,
        into_bed=into_bed.astimezone(zone),
        tried_to_sleep=tried.astimezone(zone),
        sol_min=answers.sol_min,
        awakenings=answers.awakenings,
        waso_min=answers.waso_min,
        final_awakening=final.astimezone(zone),
        out_of_bed=out.astimezone(zone),
        quality=answers.quality,
        comments=answers.comments,
    )
    if is_daytime_nap(entry):
        raise DiaryError(
            "into_bed",
            f"{show(into_bed)} to {out.astimezone(zone):%H:%M} is a daytime nap, not a night "
            f"(in and out of bed between {NAP_HOURS[0]:%H:%M} and {NAP_HOURS[1]:%H:%M}): "
            "log it as a nap",
        )
    return entry


def is_daytime_nap(entry: DiaryEntry) -> bool:
    """True when into bed and out of bed fall on one local day within :data:`NAP_HOURS`."""
    return _daytime(entry.into_bed, entry.out_of_bed)


def _daytime(into: datetime, out: datetime) -> bool:
    start, end = NAP_HOURS
    return (
        into.date() == out.date()
        and start <= into.time().replace(fold=0) <= end
        and start <= out.time().replace(fold=0) <= end
    )


@dataclass(frozen=True)
class Nap:
    """A daytime nap, kept apart from the nights: never a night's entry or in its figures.

    ``start`` and ``end`` are aware datetimes in ``zone``, on the local day ``on_date``.
    """

    on_date: date
    zone: str
    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        """Real elapsed minutes from lying down to getting up."""
        return _elapsed(self.start, self.end)


def validate_nap(
    on_date: date,
    zone: str,
    start: time | datetime,
    end: time | datetime,
    *,
    today: date,
    unsure: frozenset[str] = frozenset(),
) -> Nap:
    """Check a nap: both times on ``on_date`` within :data:`NAP_HOURS`, the end after the start.

    Fields are named ``on_date``, ``zone``, ``start`` and ``end``. A bare time is on ``on_date``;
    a time in a repeated hour whose pass is not stated (named in ``unsure``) is asked about.

    >>> nap = validate_nap(date(2024, 3, 24), "Europe/Berlin", time(14, 20), time(15, 30),
    ...                    today=date(2024, 3, 24))
    >>> nap.minutes, f"{nap.start:%H:%M %z}"
    (70, '14:20 +0100')
    """
    tz = load_zone(zone)
    if not isinstance(on_date, date) or isinstance(on_date, datetime):
        raise DiaryError("on_date", "must be a date")
    if on_date > today:
        raise DiaryError("on_date", f"{on_date} is in the future (today is {today})")

    def on_the_day(value: time | datetime) -> time | datetime:
        if isinstance(value, time):
            return datetime.combine(on_date, value).replace(fold=value.fold)
        return value

    names = {"start": "into_bed", "end": "out_of_bed"}
    answers = DiaryAnswers(
        wake_date=on_date,
        zone=zone,
        into_bed=on_the_day(start),
        tried_to_sleep=on_the_day(start),
        sol_min=0,
        awakenings=0,
        waso_min=0,
        final_awakening=on_the_day(end),
        out_of_bed=on_the_day(end),
        quality=3,
        unsure=frozenset(names[f] for f in unsure if f in names),
    )
    instants: dict[str, datetime] = {}
    for field, inner in names.items():
        try:
            instants[field] = _instant(answers, inner, tz).astimezone(tz)
        except DiaryError as error:
            raise DiaryError(field, error.message) from None
    begin, finish = instants["start"], instants["end"]
    if _elapsed(begin, finish) <= 0:
        raise DiaryError(
            "end", f"the end at {finish:%H:%M} is not after the start at {begin:%H:%M}"
        )
    if begin.date() != on_date:
        raise DiaryError("start", f"{begin:%Y-%m-%d} is not the nap's day {on_date}")
    if not _daytime(begin, finish):
        low, high = NAP_HOURS
        raise DiaryError(
            "start",
            f"{begin:%H:%M} to {finish:%H:%M} is not a daytime nap (between {low:%H:%M} and "
            f"{high:%H:%M} on one day): log it as a night",
        )
    return Nap(on_date=on_date, zone=zone, start=begin, end=finish)


def _after_noon(answers: DiaryAnswers, field: str) -> str:
    """A hint when a bare time after noon (placed on the evening before) meant the wake date."""
    value = getattr(answers, field)
    if isinstance(value, datetime) or not isinstance(value, time) or value < NOON:
        return ""
    woke = datetime.combine(answers.wake_date, value)
    return f" (up after noon? give the date too: {woke:%Y-%m-%d %H:%M})"


def _check_int(field: str, value: object, low: int, high: int, what: str) -> None:
    # bool is an int in Python; "True minutes" is a bug in the caller, not an answer.
    if not isinstance(value, int) or isinstance(value, bool):
        raise DiaryError(field, f"must be a whole number ({what})")
    if not low <= value <= high:
        raise DiaryError(field, f"{value} is outside {low}–{high} ({what})")


def _instant(answers: DiaryAnswers, field: str, zone: ZoneInfo) -> datetime:
    """The real instant (aware, UTC) of one answer.

    A wall time the clocks skipped is refused; so is a written offset the zone did not use at
    that moment, and a time in a repeated hour whose pass the person did not state.
    """
    value = getattr(answers, field)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return _offset_instant(answers, field, zone, value)
    if not isinstance(value, time | datetime) or value.tzinfo is not None:
        raise DiaryError(field, "must be a local wall time")
    local = place_on_night(answers.wake_date, value).replace(tzinfo=zone)
    instant = local.astimezone(UTC)
    # A wall time inside the spring-forward gap does not survive the round trip through UTC.
    back = instant.astimezone(zone)
    if back.replace(tzinfo=None, fold=0) != local.replace(tzinfo=None, fold=0):
        raise DiaryError(
            field,
            f"{local:%Y-%m-%d %H:%M} did not exist in {answers.zone}: the clocks jumped "
            f"forward (did you mean {back:%H:%M}?)",
        )
    first, second = local.replace(fold=0), local.replace(fold=1)
    if field in answers.unsure and first.utcoffset() != second.utcoffset():
        raise DiaryError(
            field,
            f"{local:%Y-%m-%d %H:%M} happened twice in {answers.zone} (the clocks went back): "
            f"write {local:%H:%M}+0 for the first time (UTC{_offset(first)}) or "
            f"{local:%H:%M}+1 for the second (UTC{_offset(second)})",
        )
    return instant


def _offset_instant(answers: DiaryAnswers, field: str, zone: ZoneInfo, value: datetime) -> datetime:
    """A time written with its UTC offset: the offset must be one the zone's clocks showed."""
    instant = value.astimezone(UTC)
    shown = instant.astimezone(zone)
    if shown.replace(tzinfo=None) != value.replace(tzinfo=None):
        raise DiaryError(
            field,
            f"{value:%Y-%m-%d %H:%M} at UTC{_offset(value)} is not a time the clocks in "
            f"{answers.zone} showed (they read {shown:%Y-%m-%d %H:%M} at UTC{_offset(shown)})",
        )
    return instant


def _offset(value: datetime) -> str:
    """``+01:00``: the UTC offset of an aware datetime."""
    text = f"{value:%z}"
    return f"{text[:3]}:{text[3:5]}"


def _elapsed(start: datetime, end: datetime) -> int:
    """Real minutes from ``start`` to ``end``, to the nearest minute (exact for modern zones).

    Both go to UTC first: Python subtracts two datetimes that share a tzinfo by their wall
    clocks, which is exactly the DST mistake this module exists to avoid.
    """
    return round((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 60)


def _wall(value: datetime) -> datetime:
    return value.replace(tzinfo=None)
