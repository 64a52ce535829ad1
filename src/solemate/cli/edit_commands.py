"""Corrections from the terminal: `solemate edit diary`, `edit rating`, `edit note` and `delete`.

Each command names one entry (a diary night by its wake date, anything else by its id), makes one
journal call and reports what changed; an unknown entry exits non-zero and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING

import typer

from solemate.cli.common import (
    DATABASE,
    PERSON,
    confirm_deletion,
    fail,
    open_personal,
    usage_error,
)
from solemate.cli.diary_commands import (
    AWAKENINGS,
    COMMENTS,
    FINAL,
    INTO_BED,
    OUT_OF_BED,
    QUALITY,
    SOL,
    TRIED,
    WASO,
    ZONE,
    derived_line,
    diary_message,
    flagged_answers,
    journal_error,
    parse_date,
    read_wake_date,
    read_zone,
)
from solemate.cli.journal_table import short_time
from solemate.cli.journal_views import diary_row
from solemate.diary import DiaryError, read_answers
from solemate.text import for_terminal

if TYPE_CHECKING:
    from solemate.journal import Journal, Rating

# --- edit and delete ----------------------------------------------------------------------------


class Kind(StrEnum):
    diary = "diary"
    session = "session"
    rating = "rating"
    note = "note"
    device_night = "device-night"


def _entry_id(raw: str, kind: Kind) -> int:
    if not raw.isdecimal() or len(raw) > 18:
        usage_error(
            f"a {kind.value} is named by its id, a whole number (see 'solemate journal'); got {raw!r}"
        )
    return int(raw)


_WHAT = {
    Kind.session: ("session", "session"),
    Kind.rating: ("rating", "stress rating"),
    Kind.note: ("note", "note"),
    Kind.device_night: ("device_night", "device night"),
}


def check_theirs(journal: Journal, kind: Kind, entry_id: int) -> None:
    """Exit unless the entry is the chosen person's (a session: its receiver's or giver's): an
    unknown id with 1, someone else's with 2 and the name to give instead; nothing is changed."""
    from solemate.journal import JournalError, NotTheirs

    table, label = _WHAT[kind]
    try:
        journal.check_owner(table, entry_id)  # type: ignore[arg-type]
    except NotTheirs as exc:
        fail(f"{exc.message} (use --person {exc.owners[0]})", 2)
    except JournalError:
        fail(f"no {label} with id {entry_id} (see 'solemate journal')")


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
    check_theirs(journal, kind, entry_id)
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


# --- commands -----------------------------------------------------------------------------------


def register(app: typer.Typer) -> None:
    edit = typer.Typer(
        help="Correct a diary entry, a stress rating or a note.", no_args_is_help=True
    )
    app.add_typer(edit, name="edit")

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
        person: str | None = PERSON,
    ) -> None:
        """Change answers of the diary entry for WAKE_DATE; the other answers stay."""
        from solemate.journal import JournalError

        today = dt.date.today()
        try:
            key = parse_date(wake_date, today)
        except ValueError as exc:
            usage_error(f"WAKE_DATE: {exc}")
        changes = flagged_answers(
            into_bed=into_bed,
            tried_to_sleep=tried_to_sleep,
            sol_min=sol,
            awakenings=awakenings,
            waso_min=waso,
            final_awakening=final_awakening,
            out_of_bed=out_of_bed,
            quality=quality,
        )
        moved_to = read_wake_date(date, today)
        new_zone = read_zone(zone)
        if not changes and moved_to is None and new_zone is None and comments is None:
            usage_error(
                "nothing to change: give the answers to change, e.g. --sol 20 or --quality 4 "
                "(see 'solemate edit diary --help')"
            )
        with open_personal(database, person) as journal:
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
                journal_error(exc)
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
        person: str | None = PERSON,
    ) -> None:
        """Correct a stress rating made about a session (one of the person's own)."""
        from solemate.journal import JournalError

        if stress is None and relaxation is None:
            usage_error("nothing to change: give --stress N and/or --relaxation N")
        with open_personal(database, person) as journal:
            check_theirs(journal, Kind.rating, rating_id)
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
                journal_error(exc)
        typer.echo(
            f"Stress {rating.moment} for session {rating.session_id}: "
            f"{rating.stress} → {rating.stress if stress is None else stress}."
        )

    @edit.command("note")
    def edit_note_command(
        note_id: int = typer.Argument(..., min=1, help="The note's id (see 'solemate journal')."),
        text: str = typer.Argument(..., help="The note's new text."),
        database: str | None = DATABASE,
        person: str | None = PERSON,
    ) -> None:
        """Rewrite a note (one of the person's own)."""
        from solemate.journal import JournalError

        with open_personal(database, person) as journal:
            check_theirs(journal, Kind.note, note_id)
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
        kind: Kind = typer.Argument(
            ...,
            help="diary, session, rating, note or device-night: the person's own (a session: "
            "one they received or gave).",
        ),
        key: str = typer.Argument(..., help="A diary entry's wake date, else the entry's id."),
        yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
        database: str | None = DATABASE,
        person: str | None = PERSON,
    ) -> None:
        """Delete one entry: a diary night by its wake date, anything else by its id."""
        from solemate.journal import JournalError

        with open_personal(database, person) as journal:
            description, delete = describe_entry(journal, kind, key)
            if not yes:
                confirm_deletion(f"Delete the {description}?")
            try:
                delete()
            except JournalError as exc:
                journal_error(exc)
        typer.echo(f"Deleted the {description}.")
