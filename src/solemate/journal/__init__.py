"""The journal: sessions, ratings, the sleep diary and device estimates, kept in one database.

All SQL in solemate lives in this package; everything else calls :class:`Journal`'s methods and
gets immutable records back. ``service.py`` assembles :class:`Journal` from its families:
``core.py`` (the engine, transactions, the clock, people), ``sessions.py`` (safety screens,
sessions, ratings), ``nights.py`` (the diary, naps, device nights), ``entries.py`` (control
evenings, experiments, notes) and ``upkeep.py`` (export, import, backup, forget). ``schema.py``
holds every table (the experiment's and sign-in's too), ``records.py`` the immutable records
handed back (people, safety screens, naps and session times in ``other_records.py``, the
experiment's in ``experiment_records.py``, an import's outcome in ``import_reports.py``),
``checks.py`` the checks they share,
``people.py`` how an entry finds its person (names equal in any case) and what removing one
takes along, ``mapping.py`` the one generic copy between
rows, records and the export, and ``migrations/`` how the schema evolves. The
export format is ``export_format.py``; ``exporting.py`` writes it and ``transfer.py`` reads it
back. ``experiments.py`` and ``sign_in.py`` store through ``core.JournalCore``'s small public
surface (``writing``, ``reading``, ``now``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# The names below are loaded on first use: reading a journal through the driver alone
# (``reading.py``) must not pay for importing SQLAlchemy, which ``service.py`` needs.
if TYPE_CHECKING:
    from solemate.journal.engine import DATABASE_URL_ENV, default_sqlite_path
    from solemate.journal.experiment_records import ControlActivity
    from solemate.journal.import_reports import (
        DeviceImportReport,
        ImportProblem,
        ImportRefused,
        ImportReport,
    )
    from solemate.journal.other_records import NapRecord, Person, SafetyScreen, SessionTimes
    from solemate.journal.records import (
        DeviceNightLike,
        DeviceNightRecord,
        DiaryRecord,
        JournalError,
        MassageSession,
        Moment,
        Note,
        NotTheirs,
        Rating,
        SessionStatus,
    )
    from solemate.journal.service import DEFAULT_PERSON, EntryKind, Journal
    from solemate.journal.transfer import EXPORT_FORMAT, EXPORT_VERSION

__all__ = [
    "COMPLETED_SHARE",
    "DATABASE_URL_ENV",
    "DEFAULT_PERSON",
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "ControlActivity",
    "DeviceImportReport",
    "DeviceNightLike",
    "DeviceNightRecord",
    "DiaryRecord",
    "EntryKind",
    "ImportProblem",
    "ImportRefused",
    "ImportReport",
    "Journal",
    "JournalError",
    "MassageSession",
    "Moment",
    "NapRecord",
    "NotTheirs",
    "Note",
    "Person",
    "Rating",
    "SafetyScreen",
    "SessionStatus",
    "SessionTimes",
    "default_sqlite_path",
    "ended_status",
]


_HOMES = {
    "DATABASE_URL_ENV": "engine",
    "default_sqlite_path": "engine",
    "DEFAULT_PERSON": "service",
    "EntryKind": "service",
    "Journal": "service",
    "EXPORT_FORMAT": "transfer",
    "EXPORT_VERSION": "transfer",
    "ControlActivity": "experiment_records",
    "DeviceImportReport": "import_reports",
    "ImportProblem": "import_reports",
    "ImportRefused": "import_reports",
    "ImportReport": "import_reports",
    "NapRecord": "other_records",
    "Person": "other_records",
    "SafetyScreen": "other_records",
    "SessionTimes": "other_records",
}


def __getattr__(name: str) -> object:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{_HOMES.get(name, 'records')}"), name)
    globals()[name] = value
    return value
