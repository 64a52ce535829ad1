"""The journal in and out of files: `solemate export`, `import`, `backup` and `forget`.

An export is the whole journal as JSON (imported back exactly) or a zip of CSV files; an import
takes a solemate export or a wearable's sleep export (kept as device estimates). A refused import
exits non-zero naming the bad rows and writes nothing, unless --skip-bad asks for the good rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from solemate.cli.common import (
    DATABASE,
    confirm_deletion,
    fail,
    open_journal,
    open_personal,
    settings,
    usage_error,
)
from solemate.cli.diary_commands import read_zone
from solemate.cli.journal_views import export_csv_zip
from solemate.cli.outputs import check_outputs

if TYPE_CHECKING:
    from solemate.journal import Journal

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
    "experiments": ("experiment", "experiments"),
}


def counted(numbers: dict[str, int]) -> str:
    """ "2 people, 1 diary entry": the non-zero counts per export section, in words."""
    return ", ".join(
        f"{n} {_UNITS.get(name, (name, name))[n != 1]}" for name, n in numbers.items() if n
    )


# --- commands -----------------------------------------------------------------------------------


def register(app: typer.Typer) -> None:
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
        person: str | None = typer.Option(
            None,
            "--person",
            help="Only what is about this person: their diary, naps, device nights, control "
            "evenings, safety screens, ratings, notes and the sessions they received. A session "
            "they gave someone else is about the receiver and stays out (with its ratings and "
            "notes); whoever gave them a session comes along by name only. Default: the whole "
            "journal (the settings' person is not read here).",
        ),
    ) -> None:
        """Your whole journal (or one person's) as a file of your own."""
        from solemate.journal import JournalError
        from solemate.journal.transfer import SECTIONS

        if output_format is ExportFormat.csv and output is None:
            usage_error("--format csv writes a zip of CSV files: give -o FILE.zip")
        check_outputs([("-o", output)], database)
        with open_journal(database) as journal:
            try:
                data = journal.export(person=person)
            except JournalError as exc:
                if exc.field != "person":
                    raise
                fail(f"--person: no person called {person!r} (see `solemate person list`)", 2)
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
        person: str | None = typer.Option(
            None,
            "--person",
            help="Whose wearable this is (default: the first person; the settings' person is not "
            "read here). A journal export carries its own people.",
        ),
    ) -> None:
        """Import a journal export (exactly) or a wearable's sleep export (as device estimates)."""
        fmt = recognise(file)
        checked_zone = read_zone(zone)
        if fmt == "journal" and person is not None:
            usage_error("--person: a journal export carries its own people; import it without")
        with open_personal(database, person) as journal:
            if fmt == "journal":
                import_journal_file(journal, file, skip_bad)
            else:
                import_device_file(journal, file, fmt, skip_bad, checked_zone)

    @app.command("backup")
    def backup_command(
        path: Path | None = typer.Argument(
            None, help="File or folder to write (default: a dated file in the data folder)."
        ),
        output: Path | None = typer.Option(
            None, "--output", "-o", help="The same as path (export and render take -o too)."
        ),
        database: str | None = DATABASE,
    ) -> None:
        """A consistent copy of the journal, made while it stays in use."""
        from solemate.journal import JournalError

        if path is not None and output is not None:
            usage_error("give the backup's file or folder once: as path or with -o")
        path = path if output is None else output

        with open_journal(database) as journal:
            suffix = ".sqlite3" if journal.dialect == "sqlite" else ".json"
            name = f"journal-backup-{dt.datetime.now():%Y%m%d-%H%M%S}{suffix}"
            if path is None:
                folder = settings().data_dir
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
                confirm_deletion("Delete everything? It cannot be undone")
            journal.forget_everything()
        typer.echo(
            f"Forgot everything ({counts or 'the journal was empty'}). Backups you made are not touched."
        )
