"""The journal from the terminal: `solemate log`, `journal`, `edit`, `delete`, `export`, `import`,
`backup` and `forget`.

Each command parses its options, makes one journal call and reports what happened. A refused entry
or import exits non-zero with a message naming the option, field or row, and writes nothing: the
journal's methods are single transactions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from solemate.cli.common import DATABASE, fail, open_for_reading, open_journal, usage_error
from solemate.cli.journal_table import Format, build_view, print_tables, short_time
from solemate.cli.journal_views import diary_row, export_csv_zip, hours, union_csv
from solemate.cli.outputs import check_outputs
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
from solemate.text import for_terminal

if TYPE_CHECKING:
    from solemate.journal import DiaryRecord, Journal, Rating

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


def _flagged(**raw: str | None) -> dict[str, str]:
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


def _wake_date(raw: str | None, today: dt.date) -> dt.date | None:
    if raw is None:
        return None
    try:
        return parse_date(raw, today)
    except ValueError as exc:
        usage_error(f"--date: {exc}")


def _zone(raw: str | None) -> str | None:
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


def _journal_error(exc: Exception) -> NoReturn:
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
            _journal_error(exc)


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


# --- journal view -------------------------------------------------------------------------------


# --- edit and delete ----------------------------------------------------------------------------


class Kind(StrEnum):
    diary = "diary"
    session = "session"
    rating = "rating"
    note = "note"
    device_night = "device-night"


def _entry_id(raw: str, kind: Kind) -> int:
    if not raw.isdigit() or len(raw) > 18:
        usage_error(
            f"a {kind.value} is named by its id, a whole number (see 'solemate journal'); got {raw!r}"
        )
    return int(raw)


def _find_rating(journal: Journal, rating_id: int) -> Rating:
    found = [r for r in journal.ratings() if r.id == rating_id]
    if not found:
        fail(f"no stress rating with id {rating_id} (see 'solemate journal')")
    return found[0]


def describe_entry(journal: Journal, kind: Kind, key: str) -> tuple[str, Callable[[], None]]:
    """A one-line description of the entry and the call that deletes it; exits if it is unknown."""
    from solemate.journal import JournalError

    if kind is Kind.diary:
        try:
            wake = parse_date(key, dt.date.today())
        except ValueError as exc:
            usage_error(f"a diary entry is named by its wake date: {exc}")
        record = journal.diary_entry(wake)
        if record is None:
            fail(f"no diary entry for {wake}")
        return (
            f"diary entry for {wake} ({derived_line(record)})",
            lambda: journal.delete_diary(wake),
        )
    entry_id = _entry_id(key, kind)
    description: str
    if kind is Kind.session:
        try:
            s = journal.session(entry_id)
        except JournalError:
            fail(f"no session with id {entry_id} (see 'solemate journal')")
        ratings = len(journal.ratings(session_id=entry_id))
        description = (
            f"session {entry_id} ({s.routine_id}, {s.status.replace('_', ' ')}, "
            f"{short_time((s.started_at or s.created_at).astimezone().isoformat())}) "
            f"and its {ratings} stress rating{'s' if ratings != 1 else ''}"
        )
        table = "session"
    elif kind is Kind.rating:
        r = _find_rating(journal, entry_id)
        description = f"stress rating {entry_id} ({r.moment}, {r.stress}/10)"
        table = "rating"
    elif kind is Kind.note:
        notes = [n for n in journal.notes() if n.id == entry_id]
        if not notes:
            fail(f"no note with id {entry_id} (see 'solemate journal')")
        text = for_terminal(notes[0].text)
        description = f"note {entry_id} ({text[:40]}{'…' if len(text) > 40 else ''})"
        table = "note"
    else:
        nights = [n for n in journal.device_nights() if n.id == entry_id]
        if not nights:
            fail(f"no device night with id {entry_id} (see 'solemate journal')")
        description = f"device night {entry_id} ({nights[0].source}, woke {nights[0].wake_date})"
        table = "device_night"
    return description, lambda: journal.delete_entry(table, entry_id)  # type: ignore[arg-type]


# --- export and import --------------------------------------------------------------------------


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by its owner only, beside it first, then renamed."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with open(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        fail(f"cannot write {path}: {exc.strerror or exc}")


_HEAD = 64 * 1024
MAX_EXPORT_BYTES = 200 * 1_000_000
_WEARABLE_LABELS = {
    "apple": "Apple Health export",
    "fitbit": "Fitbit sleep JSON",
    "oura": "Oura sleepmodel CSV",
    "sleep_as_android": "Sleep as Android CSV",
}
_KNOWN = (
    "a solemate JSON export, an Apple Health export.xml or export.zip, a Fitbit / Google Takeout "
    "sleep JSON, an Oura sleepmodel.csv or a Sleep as Android CSV"
)


def recognise(path: Path) -> str:
    """``"journal"`` or a wearable format name; exits with a message for anything else."""
    from solemate.wearables import ImportFormatError, detect_format

    if not path.exists():
        fail(f"{path}: no such file")
    if not path.is_file():
        fail(f"{path}: not a file")
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD)
    except OSError as exc:
        fail(f"{path}: cannot read it: {exc.strerror or exc}")
    if not head.strip():
        fail(f"{path}: the file is empty; expected {_KNOWN}")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{") and b'"solemate-journal"' in head:
        return "journal"
    try:
        fmt = detect_format(path)
    except ImportFormatError as exc:
        fail(str(exc))
    if fmt is None:
        fail(f"{path}: not a file solemate can import; expected {_KNOWN}")
    return fmt


def _problem_lines(problems: Sequence[object]) -> str:
    return "\n".join(f"  {p}" for p in problems)


def import_journal_file(journal: Journal, path: Path, skip_bad: bool) -> None:
    from solemate.bounded import TooLarge, read_bytes
    from solemate.journal import ImportRefused, JournalError

    try:
        data = json.loads(read_bytes(path, MAX_EXPORT_BYTES).decode("utf-8-sig"))
    except TooLarge as exc:
        fail(f"{exc}; a solemate export of decades is a few megabytes")
    except UnicodeDecodeError as exc:
        fail(f"{path}: not UTF-8 text (byte {exc.start})")
    except json.JSONDecodeError as exc:
        fail(f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
    except (OSError, RecursionError) as exc:
        fail(f"{path}: cannot read it: {exc}")
    try:
        report = journal.import_export(data, skip_bad=skip_bad)
    except ImportRefused as exc:
        fail(
            f"{path}: import refused, nothing written: {len(exc.problems)} bad "
            f"row{'s' if len(exc.problems) != 1 else ''} (or use --skip-bad to import the rest):\n"
            + _problem_lines(exc.problems)
        )
    except JournalError as exc:
        fail(f"{path}: {exc}")
    added = counted(report.added)
    typer.echo(f"Imported the solemate journal export {path}: {added or 'nothing new'}.")
    unchanged = sum(report.unchanged.values())
    if unchanged:
        typer.echo(f"{unchanged} entries were already in the journal and were left as they are.")
    wake_dates = sorted(
        str(row["wake_date"])
        for row in data.get("diary", [])
        if isinstance(row, dict) and isinstance(row.get("wake_date"), str)
    )
    if wake_dates:
        typer.echo(f"Diary nights in the file: {wake_dates[0]} to {wake_dates[-1]}.")
    _report_skipped(report.skipped)


def _report_skipped(skipped: Sequence[object]) -> None:
    if skipped:
        typer.echo(
            f"Skipped {len(skipped)} bad row{'s' if len(skipped) != 1 else ''}:\n"
            + _problem_lines(skipped)
        )


def import_device_file(
    journal: Journal, path: Path, fmt: str, skip_bad: bool, zone: str | None
) -> None:
    from solemate.journal import ImportRefused
    from solemate.wearables import ImportFormatError, read_device_import
    from solemate.wearables.fitbit import profile_zone

    label = _WEARABLE_LABELS[fmt]
    if fmt == "fitbit" and zone is None and profile_zone(path) is None:
        usage_error(
            f"{path}: Fitbit times carry no time zone: give --zone with the zone the tracker "
            "was set to, e.g. --zone Europe/Berlin"
        )
    try:
        read = read_device_import(path, fmt, zone=zone)
    except ImportFormatError as exc:
        fail(str(exc))
    if read.problems and not skip_bad:
        fail(
            f"{path}: import refused, nothing written: {len(read.problems)} bad "
            f"row{'s' if len(read.problems) != 1 else ''} (or use --skip-bad to import the rest):\n"
            + _problem_lines(read.problems)
        )
    try:
        report = journal.store_device_nights(read.nights, skip_bad=skip_bad)
    except ImportRefused as exc:
        fail(f"{path}: import refused, nothing written:\n" + _problem_lines(exc.problems))
    left_out = {problem.row for problem in report.skipped}
    kept = [n for number, n in enumerate(read.nights, start=1) if number not in left_out]
    nights = [n for n in kept if not n.is_nap]
    naps = len(kept) - len(nights)
    if not kept:
        typer.echo(f"{label} {path}: no sleep records found; nothing imported.")
    else:
        wakes = sorted(n.wake_date for n in kept)
        typer.echo(
            f"Imported {len(nights)} night{'s' if len(nights) != 1 else ''}"
            + (f" and {naps} nap{'s' if naps != 1 else ''}" if naps else "")
            + f" from the {label} {path}, woken {wakes[0]} to {wakes[-1]}: "
            f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged."
        )
        typer.echo("Kept as device estimates, apart from your sleep diary, which is unchanged.")
    _report_skipped((*read.problems, *report.skipped))


_UNITS = {
    "people": ("person", "people"),
    "safety_screens": ("safety screen", "safety screens"),
    "sessions": ("session", "sessions"),
    "ratings": ("stress rating", "stress ratings"),
    "diary": ("diary entry", "diary entries"),
    "device_nights": ("device night", "device nights"),
    "control_activities": ("control activity", "control activities"),
    "notes": ("note", "notes"),
    "naps": ("nap", "naps"),
}


def counted(numbers: dict[str, int]) -> str:
    """ "2 people, 1 diary entry": the non-zero counts per export section, in words."""
    return ", ".join(
        f"{n} {_UNITS.get(name, (name, name))[n != 1]}" for name, n in numbers.items() if n
    )


# --- commands -----------------------------------------------------------------------------------


def register(app: typer.Typer) -> None:
    log = typer.Typer(
        help="Write this morning's sleep diary, a stress rating or a note.", no_args_is_help=True
    )
    edit = typer.Typer(
        help="Correct a diary entry, a stress rating or a note.", no_args_is_help=True
    )
    app.add_typer(log, name="log")
    app.add_typer(edit, name="edit")

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
    ) -> None:
        """The Consensus Sleep Diary for last night: asks each question (Enter keeps last night's
        answer), or takes every answer as an option for scripts."""
        today = dt.date.today()
        wake_date = _wake_date(date, today) or today
        given = _flagged(
            into_bed=into_bed,
            tried_to_sleep=tried_to_sleep,
            sol_min=sol,
            awakenings=awakenings,
            waso_min=waso,
            final_awakening=final_awakening,
            out_of_bed=out_of_bed,
            quality=quality,
        )
        with open_journal(database) as journal:
            try:
                record = log_sleep(journal, wake_date, _zone(zone), given, comments)
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
    ) -> None:
        """A daytime nap, kept apart from your nights: never in a night's figures or the experiment."""
        from solemate.journal import JournalError

        on_date = _wake_date(date, dt.date.today())
        checked_zone = _zone(zone)
        with open_journal(database) as journal:
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
    ) -> None:
        """Keep a note: how a session felt, what was different tonight."""
        from solemate.journal import JournalError

        with open_journal(database) as journal:
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
        with open_journal(database) as journal:
            session_id = None if no_session else (session or _latest_session_id(journal))
            previous = (
                []
                if session_id is None
                else [r for r in journal.ratings(session_id=session_id) if r.moment == moment]
            )
            try:
                journal.rate_stress(
                    moment.value, stress, session_id=session_id, relaxation=relaxation
                )
            except JournalError as exc:
                if exc.field == "id":
                    fail(f"--session: no session with id {session_id} (see 'solemate journal')")
                _journal_error(exc)
        where = "on its own" if session_id is None else f"for session {session_id}"
        replaced = f" (replaces {previous[0].stress})" if previous else ""
        typer.echo(f"Stress {moment.value}: {stress}/10, {where}{replaced}.")

    @app.command("journal")
    def journal_command(
        last: int = typer.Option(
            14, "--last", min=1, max=1_000_000, help="Show the most recent N of each kind."
        ),
        show_all: bool = typer.Option(False, "--all", help="Show everything."),
        output_format: Format = typer.Option(Format.table, "--format", help="table, json or csv."),
        database: str | None = DATABASE,
    ) -> None:
        """Your sessions, stress ratings, sleep diary and device estimates, newest last."""
        with open_for_reading(database) as journal:
            journal.check_sound()  # a damaged page would otherwise just leave rows out
            view = build_view(journal, None if show_all else last)
        if output_format is Format.json:
            typer.echo(json.dumps(view.sections(), ensure_ascii=False, indent=1))
        elif output_format is Format.csv:
            typer.echo(union_csv(view), nl=False)
        else:
            print_tables(view)

    @edit.command("diary")
    def edit_diary_command(
        wake_date: str = typer.Argument(..., help="The wake date of the entry, YYYY-MM-DD."),
        date: str | None = typer.Option(None, "--date", help="Move the entry to this wake date."),
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
    ) -> None:
        """Change answers of the diary entry for WAKE_DATE; the other answers stay."""
        from solemate.journal import JournalError

        today = dt.date.today()
        try:
            key = parse_date(wake_date, today)
        except ValueError as exc:
            usage_error(f"WAKE_DATE: {exc}")
        changes = _flagged(
            into_bed=into_bed,
            tried_to_sleep=tried_to_sleep,
            sol_min=sol,
            awakenings=awakenings,
            waso_min=waso,
            final_awakening=final_awakening,
            out_of_bed=out_of_bed,
            quality=quality,
        )
        moved_to = _wake_date(date, today)
        new_zone = _zone(zone)
        if not changes and moved_to is None and new_zone is None and comments is None:
            usage_error(
                "nothing to change: give the answers to change, e.g. --sol 20 or --quality 4 "
                "(see 'solemate edit diary --help')"
            )
        with open_journal(database) as journal:
            record = journal.diary_entry(key)
            if record is None:
                fail(f"no diary entry for {key} (see 'solemate journal')")
            base = record.entry.answers()
            if moved_to is not None and moved_to != key:
                # Times written with their old dates would not fit the new night: keep the clock.
                base = replace(
                    base,
                    **{
                        f: getattr(base, f).time()
                        for f in ("into_bed", "tried_to_sleep", "final_awakening", "out_of_bed")
                    },
                )
            try:
                answers = read_answers(
                    changes,
                    wake_date=moved_to or base.wake_date,
                    zone=new_zone or base.zone,
                    comments=base.comments if comments is None else comments,
                    base=base,
                )
            except DiaryError as exc:
                fail(diary_message(exc))
            try:
                updated = journal.edit_diary(key, answers)
            except DiaryError as exc:
                fail(diary_message(exc))
            except JournalError as exc:
                _journal_error(exc)
        old, new = diary_row(record), diary_row(updated)
        shown = [k for k in new if k not in ("person", "quality_label") and old[k] != new[k]]
        typer.echo(
            f"Changed the diary for {key}: "
            + (", ".join(f"{k} {old[k]} → {new[k]}" for k in shown) or "nothing differs")
            + "."
        )
        typer.echo(derived_line(updated))

    @edit.command("rating")
    def edit_rating_command(
        rating_id: int = typer.Argument(
            ..., min=1, help="The rating's id (see 'solemate journal')."
        ),
        stress: int | None = typer.Option(None, "--stress", min=0, max=10, help="Stress, 0–10."),
        relaxation: int | None = typer.Option(
            None, "--relaxation", min=0, max=10, help="Relaxation, 0–10."
        ),
        database: str | None = DATABASE,
    ) -> None:
        """Correct a stress rating made about a session."""
        from solemate.journal import JournalError

        if stress is None and relaxation is None:
            usage_error("nothing to change: give --stress N and/or --relaxation N")
        with open_journal(database) as journal:
            rating = _find_rating(journal, rating_id)
            if rating.session_id is None:
                fail(
                    f"rating {rating_id} is not about a session and cannot be corrected in place: "
                    f"delete it ('solemate delete rating {rating_id}') and log it again"
                )
            try:
                journal.rate_stress(
                    rating.moment,
                    rating.stress if stress is None else stress,
                    session_id=rating.session_id,
                    relaxation=rating.relaxation if relaxation is None else relaxation,
                    person=rating.person,
                )
            except JournalError as exc:
                _journal_error(exc)
        typer.echo(
            f"Stress {rating.moment} for session {rating.session_id}: "
            f"{rating.stress} → {rating.stress if stress is None else stress}."
        )

    @edit.command("note")
    def edit_note_command(
        note_id: int = typer.Argument(..., min=1, help="The note's id (see 'solemate journal')."),
        text: str = typer.Argument(..., help="The note's new text."),
        database: str | None = DATABASE,
    ) -> None:
        """Rewrite a note."""
        from solemate.journal import JournalError

        with open_journal(database) as journal:
            try:
                journal.edit_note(note_id, text)
            except JournalError as exc:
                if exc.field == "id":
                    fail(f"no note with id {note_id} (see 'solemate journal')")
                if exc.message.startswith("must be"):
                    fail("the note must be 1 to 10,000 characters (not only spaces)")
                fail(f"the note {exc.message}" if exc.field else exc.message)
        typer.echo(f"Note {note_id} rewritten.")

    @app.command("delete")
    def delete_command(
        kind: Kind = typer.Argument(..., help="diary, session, rating, note or device-night."),
        key: str = typer.Argument(..., help="A diary entry's wake date, else the entry's id."),
        yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
        database: str | None = DATABASE,
    ) -> None:
        """Delete one entry: a diary night by its wake date, anything else by its id."""
        from solemate.journal import JournalError

        with open_journal(database) as journal:
            description, delete = describe_entry(journal, kind, key)
            if not yes:
                try:
                    confirmed = typer.confirm(f"Delete the {description}?", default=False)
                except (typer.Abort, EOFError):
                    confirmed = False
                if not confirmed:
                    fail("nothing deleted")
            try:
                delete()
            except JournalError as exc:
                _journal_error(exc)
        typer.echo(f"Deleted the {description}.")

    @app.command("export")
    def export_command(
        output_format: ExportFormat = typer.Option(
            ExportFormat.json,
            "--format",
            help="json: everything, imported back exactly; csv: a zip of one CSV per kind.",
        ),
        output: Path | None = typer.Option(
            None, "--output", "-o", help="File to write (json: default standard output)."
        ),
        database: str | None = DATABASE,
    ) -> None:
        """Your whole journal as a file of your own."""
        from solemate.journal.transfer import SECTIONS

        if output_format is ExportFormat.csv and output is None:
            usage_error("--format csv writes a zip of CSV files: give -o FILE.zip")
        check_outputs([("-o", output)], database)
        with open_journal(database) as journal:
            data = journal.export()
        if output_format is ExportFormat.csv:
            assert output is not None
            write_private(output, export_csv_zip(data, SECTIONS))
        else:
            text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
            if output is None:
                typer.echo(text, nl=False)
                return
            write_private(output, text.encode("utf-8"))
        counts = counted({s: len(data[s]) for s in SECTIONS})
        typer.echo(f"Exported {counts or 'an empty journal'} to {output}.")

    @app.command("import")
    def import_command(
        file: Path = typer.Argument(
            ...,
            help="A solemate JSON export, Apple Health export.xml/.zip, Fitbit sleep JSON, "
            "Oura sleepmodel.csv or Sleep as Android CSV.",
        ),
        skip_bad: bool = typer.Option(
            False, "--skip-bad", help="Import the good rows and list the bad ones."
        ),
        zone: str | None = typer.Option(
            None, "--zone", help="The zone a Fitbit tracker was set to, e.g. Europe/Berlin."
        ),
        database: str | None = DATABASE,
    ) -> None:
        """Import a journal export (exactly) or a wearable's sleep export (as device estimates)."""
        fmt = recognise(file)
        checked_zone = _zone(zone)
        with open_journal(database) as journal:
            if fmt == "journal":
                import_journal_file(journal, file, skip_bad)
            else:
                import_device_file(journal, file, fmt, skip_bad, checked_zone)

    @app.command("backup")
    def backup_command(
        path: Path | None = typer.Argument(
            None, help="File or folder to write (default: a dated file in the data folder)."
        ),
        database: str | None = DATABASE,
    ) -> None:
        """A consistent copy of the journal, made while it stays in use."""
        from solemate.journal import JournalError
        from solemate.settings import Settings

        with open_journal(database) as journal:
            suffix = ".sqlite3" if journal.dialect == "sqlite" else ".json"
            name = f"journal-backup-{dt.datetime.now():%Y%m%d-%H%M%S}{suffix}"
            if path is None:
                folder = Settings.from_env().data_dir
                with contextlib.suppress(OSError):
                    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            target = path or folder / name
            if target.is_dir():
                target = target / name
            if target.exists():
                fail(f"{target} already exists; give another path")
            if not target.parent.is_dir():
                fail(f"{target.parent}: no such folder")
            try:
                written = journal.backup(target)
            except JournalError as exc:
                fail(str(exc))
            except OSError as exc:
                fail(f"cannot write the backup to {target}: {exc.strerror or exc}")
        typer.echo(f"Backup written to {written}")

    @app.command("forget")
    def forget_command(
        everything: bool = typer.Option(
            False, "--everything", help="Delete every session, rating, diary entry and import."
        ),
        yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
        database: str | None = DATABASE,
    ) -> None:
        """Delete all your personal data from the journal."""
        from solemate.journal.transfer import SECTIONS

        if not everything:
            usage_error(
                "'solemate forget --everything' deletes every person, session, rating, diary "
                "entry, device night and note in the journal; to remove one entry use "
                "'solemate delete'. Make a copy first with 'solemate export' or 'solemate backup'."
            )
        with open_journal(database) as journal:
            data = journal.export()
            counts = counted({s: len(data.get(s, [])) for s in SECTIONS})
            if not yes:
                typer.echo(f"This deletes {counts or 'an empty journal'} from {journal.url}.")
                try:
                    confirmed = typer.confirm(
                        "Delete everything? It cannot be undone", default=False
                    )
                except (typer.Abort, EOFError):
                    confirmed = False
                if not confirmed:
                    fail("nothing deleted")
            journal.forget_everything()
        typer.echo(
            f"Forgot everything ({counts or 'the journal was empty'}). Backups you made are not touched."
        )
