"""The sleep diary and the other morning entries from the terminal: `solemate log sleep`, `nap`,
`note` and `stress`.

The diary's questions, defaults and parsing are the core's (`solemate.diary`); only their options
and the prompts are the terminal's. The helpers that read those options (``flagged_answers``,
``read_wake_date``, ``read_zone``, ``diary_message``) are shared with `edit_commands` and
`transfer_commands`. A refused entry exits non-zero with a message naming the option and writes
nothing: the journal's methods are single transactions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from solemate.cli.common import DATABASE, PERSON, fail, open_personal, usage_error
from solemate.cli.journal_views import hours
from solemate.diary import (
    QUESTION,
    QUESTIONS,
    DiaryError,
    Question,
    load_zone,
    parse_answer,
    parse_wake_date,
    read_answers,
    read_nap,
    starting_answers,
)

if TYPE_CHECKING:
    from solemate.journal import DiaryRecord, Journal

# --- the diary's questions (the core's; only their options are the terminal's) ------------------

FLAG_OF = {
    "into_bed": "--into-bed",
    "tried_to_sleep": "--tried-to-sleep",
    "sol_min": "--sol",
    "awakenings": "--awakenings",
    "waso_min": "--waso",
    "final_awakening": "--final-awakening",
    "out_of_bed": "--out-of-bed",
    "quality": "--quality",
    "wake_date": "--date",
    "zone": "--zone",
    "comments": "--comments",
}


NAP_FLAG = {"start": "--start", "end": "--end", "on_date": "--date", "zone": "--zone"}


def parse_date(raw: str, today: dt.date) -> dt.date:
    """A date as YYYY-MM-DD, or "today" / "yesterday" (the diary's own reading)."""
    return parse_wake_date(raw, today)


def local_zone() -> str:
    """The machine's IANA zone name (from TZ or /etc/localtime), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError, IndexError):
        candidates.append(str(Path("/etc/localtime").resolve()).split("/zoneinfo/", 1)[1])
    for name in candidates:
        if name:
            with contextlib.suppress(DiaryError):
                load_zone(name)
                return name
    return "UTC"


def diary_message(error: DiaryError) -> str:
    hint = " with 'solemate log nap'" if "daytime nap, not a night" in error.message else ""
    return f"{FLAG_OF.get(error.field, error.field)}: {error.message}{hint}"


def derived_line(record: DiaryRecord) -> str:
    e = record.entry
    return (
        f"TIB {e.tib_min} min ({hours(e.tib_min)}) · TST {e.tst_min} min ({hours(e.tst_min)}) · "
        f"SOL {e.sol_min} min · WASO {e.waso_min} min · SE {e.se_pct:.1f} %"
    )


# --- options ------------------------------------------------------------------------------------

DATE = typer.Option(
    None, "--date", help="Wake date, YYYY-MM-DD, today or yesterday (default: today)."
)
ZONE = typer.Option(
    None,
    "--zone",
    help="IANA time zone you slept in (default: the last entry's, else this machine's).",
)
INTO_BED = typer.Option(None, "--into-bed", "--bed", help="1. Time into bed, e.g. 23:05.")
TRIED = typer.Option(
    None, "--tried-to-sleep", "--lights-out", help="2. Time you tried to go to sleep."
)
SOL = typer.Option(None, "--sol", "--latency", help="3. Minutes to fall asleep.")
AWAKENINGS = typer.Option(None, "--awakenings", help="4. Number of awakenings.")
WASO = typer.Option(None, "--waso", help="5. Total minutes of those awakenings.")
FINAL = typer.Option(
    None, "--final-awakening", "--final-wake", help="6. Time of your final awakening."
)
OUT_OF_BED = typer.Option(None, "--out-of-bed", help="7. Time out of bed.")
QUALITY = typer.Option(None, "--quality", help="8. Sleep quality, 1 very poor … 5 very good.")
COMMENTS = typer.Option(None, "--comments", "--note", help="9. Comments.")


def flagged_answers(**raw: str | None) -> dict[str, str]:
    """The diary answers given as options, checked; a malformed one is a usage error."""
    given: dict[str, str] = {}
    for field, value in raw.items():
        if value is None:
            continue
        try:
            parse_answer(field, value)
        except DiaryError as exc:
            usage_error(f"{FLAG_OF[field]}: {exc.message}")
        given[field] = value
    return given


def read_wake_date(raw: str | None, today: dt.date) -> dt.date | None:
    if raw is None:
        return None
    try:
        return parse_date(raw, today)
    except ValueError as exc:
        usage_error(f"--date: {exc}")


def read_zone(raw: str | None) -> str | None:
    if raw is None:
        return None
    try:
        load_zone(raw, "--zone")
    except DiaryError as exc:
        usage_error(str(exc))
    return raw


def _ask(question: Question, default: str) -> str:
    """One answer typed at the prompt, re-asked until it reads; no default on a first morning."""
    while True:
        if default:
            raw = typer.prompt(question.question, default=default)
        else:
            raw = typer.prompt(f"{question.question} ({question.hint})")
        try:
            parse_answer(question.field, raw)
        except DiaryError as exc:
            typer.echo(f"   {exc.message}")
        else:
            return str(raw)


def journal_error(exc: Exception) -> NoReturn:
    fail(str(exc))


# --- log ----------------------------------------------------------------------------------------


def log_sleep(
    journal: Journal,
    wake_date: dt.date,
    zone: str | None,
    given: dict[str, str],
    comments: str | None,
) -> DiaryRecord:
    """Ask what was not given (starting from the last night before, or from nothing on the first
    morning), then store; re-ask a refused answer."""
    from solemate.journal import JournalError

    earlier = [r for r in journal.diary(last=14) if r.entry.wake_date < wake_date]
    last = earlier[-1].entry if earlier else None
    defaults = starting_answers(last)
    zone = zone or (last.zone if last else local_zone())
    texts = dict(given)
    asked: set[str] = set()
    interactive = any(q.field not in texts for q in QUESTIONS)
    if interactive:
        typer.echo(f"Sleep diary for the night before {wake_date:%A %Y-%m-%d} ({zone}).")
        if last:
            typer.echo(f"Enter accepts the answer in brackets (from {last.wake_date}).")
    for q in QUESTIONS:
        if q.field not in texts:
            texts[q.field] = _ask(q, defaults[q.field])
            asked.add(q.field)
    if comments is None and interactive:
        comments = typer.prompt("9. Comments (Enter for none)", default="", show_default=False)
        asked.add("comments")
    while True:
        try:
            answers = read_answers(texts, wake_date=wake_date, zone=zone, comments=comments or "")
            return journal.add_diary(answers)
        except DiaryError as exc:
            if exc.field not in asked and not _fold_question(exc, interactive):
                fail(diary_message(exc))
            typer.echo(f"   {exc.message}")
            if exc.field == "comments":
                comments = typer.prompt("9. Comments", default="", show_default=False)
            else:
                texts[exc.field] = _ask(QUESTION[exc.field], "")
                asked.add(exc.field)
        except JournalError as exc:
            journal_error(exc)


def _fold_question(error: DiaryError, interactive: bool) -> bool:
    """A time in a repeated hour given as an option is asked about when there is someone to ask."""
    return interactive and "happened twice" in error.message and error.field in QUESTION


class Moment(StrEnum):
    before = "before"
    after = "after"


def _latest_session_id(journal: Journal) -> int:
    latest = journal.sessions(last=1)
    if not latest:
        fail(
            "there is no session in the journal to attach the rating to: run 'solemate guide' "
            "first, or add --no-session for a rating on its own"
        )
    return latest[0].id


# --- commands -----------------------------------------------------------------------------------


def register(app: typer.Typer) -> None:
    log = typer.Typer(
        help="Write this morning's sleep diary, a stress rating or a note.", no_args_is_help=True
    )
    app.add_typer(log, name="log")

    @log.command("sleep")
    def log_sleep_command(
        date: str | None = DATE,
        zone: str | None = ZONE,
        into_bed: str | None = INTO_BED,
        tried_to_sleep: str | None = TRIED,
        sol: str | None = SOL,
        awakenings: str | None = AWAKENINGS,
        waso: str | None = WASO,
        final_awakening: str | None = FINAL,
        out_of_bed: str | None = OUT_OF_BED,
        quality: str | None = QUALITY,
        comments: str | None = COMMENTS,
        database: str | None = DATABASE,
        person: str | None = PERSON,
    ) -> None:
        """The Consensus Sleep Diary for last night: asks each question (Enter keeps last night's
        answer), or takes every answer as an option for scripts."""
        today = dt.date.today()
        wake_date = read_wake_date(date, today) or today
        given = flagged_answers(
            into_bed=into_bed,
            tried_to_sleep=tried_to_sleep,
            sol_min=sol,
            awakenings=awakenings,
            waso_min=waso,
            final_awakening=final_awakening,
            out_of_bed=out_of_bed,
            quality=quality,
        )
        with open_personal(database, person) as journal:
            try:
                record = log_sleep(journal, wake_date, read_zone(zone), given, comments)
            except (typer.Abort, EOFError):
                fail(
                    "the diary needs an answer to every question: answer them in a terminal, "
                    "or give them all as options (see 'solemate log sleep --help'); nothing written"
                )
        typer.echo(f"Saved the diary for {record.entry.wake_date} ({record.entry.quality_label}).")
        typer.echo(derived_line(record))

    @log.command("nap")
    def log_nap_command(
        start: str = typer.Option(..., "--start", help="When you lay down, e.g. 14:20."),
        end: str = typer.Option(..., "--end", help="When you got up, e.g. 15:30."),
        date: str | None = typer.Option(
            None, "--date", help="The nap's day, YYYY-MM-DD, today or yesterday (default: today)."
        ),
        zone: str | None = ZONE,
        database: str | None = DATABASE,
        person: str | None = PERSON,
    ) -> None:
        """A daytime nap, kept apart from your nights: never in a night's figures or the experiment."""
        from solemate.journal import JournalError

        on_date = read_wake_date(date, dt.date.today())
        checked_zone = read_zone(zone)
        with open_personal(database, person) as journal:
            last = journal.diary(last=1)
            nap_zone = checked_zone or (last[0].entry.zone if last else local_zone())
            today = journal.today_in(nap_zone)
            try:
                nap = read_nap(on_date or today, nap_zone, start, end, today=today)
                record = journal.add_nap(nap)
            except DiaryError as exc:
                fail(f"{NAP_FLAG.get(exc.field, exc.field)}: {exc.message}")
            except JournalError as exc:
                fail(f"{NAP_FLAG.get(exc.field or '', '--start')}: {exc.message}")
        typer.echo(
            f"Saved a nap on {record.on_date}, {record.start:%H:%M}–{record.end:%H:%M} "
            f"({record.minutes} min), apart from your nights."
        )

    @log.command("note")
    def log_note_command(
        text: str = typer.Argument(..., help="What to keep, in your own words."),
        session: int | None = typer.Option(
            None, "--session", min=1, help="About this session (see 'solemate journal')."
        ),
        database: str | None = DATABASE,
        person: str | None = PERSON,
    ) -> None:
        """Keep a note: how a session felt, what was different tonight."""
        from solemate.journal import JournalError

        with open_personal(database, person) as journal:
            try:
                note = journal.add_note(text, session_id=session)
            except JournalError as exc:
                if exc.field == "id":
                    fail(f"--session: no session with id {session} (see 'solemate journal')")
                if exc.message.startswith("must be"):
                    fail("the note must be 1 to 10,000 characters (not only spaces)")
                fail(f"the note {exc.message}" if exc.field else exc.message)
        about = f" about session {session}" if session is not None else ""
        typer.echo(f"Kept note {note.id}{about}.")

    @log.command("stress")
    def log_stress_command(
        before: int | None = typer.Option(
            None, "--before", min=0, max=10, help="Stress before the session, 0–10."
        ),
        after: int | None = typer.Option(
            None, "--after", min=0, max=10, help="Stress after the session, 0–10."
        ),
        relaxation: int | None = typer.Option(
            None, "--relaxation", min=0, max=10, help="How relaxed you feel, 0–10 (optional)."
        ),
        session: int | None = typer.Option(
            None, "--session", min=1, help="Session id (default: the latest session)."
        ),
        no_session: bool = typer.Option(
            False, "--no-session", help="A rating on its own, not about a session."
        ),
        database: str | None = DATABASE,
        person: str | None = PERSON,
    ) -> None:
        """How stressed you feel, 0 (not at all) to 10 (extremely), before or after a session."""
        from solemate.journal import JournalError

        if (before is None) == (after is None):
            usage_error("give one of --before N or --after N (0–10)")
        if no_session and session is not None:
            usage_error("--session and --no-session contradict each other")
        moment = Moment.before if before is not None else Moment.after
        stress = before if before is not None else after
        assert stress is not None
        with open_personal(database, person) as journal:
            session_id = None if no_session else (session or _latest_session_id(journal))
            previous = (
                []
                if session_id is None
                else [r for r in journal.ratings(session_id=session_id) if r.moment == moment]
            )
            try:
                journal.rate_stress(
                    moment.value,
                    stress,
                    session_id=session_id,
                    relaxation=relaxation,
                    person=person,  # unnamed: a session's receiver rates it
                )
            except JournalError as exc:
                if exc.field == "id":
                    fail(f"--session: no session with id {session_id} (see 'solemate journal')")
                journal_error(exc)
        where = "on its own" if session_id is None else f"for session {session_id}"
        replaced = f" (replaces {previous[0].stress})" if previous else ""
        typer.echo(f"Stress {moment.value}: {stress}/10, {where}{replaced}.")
