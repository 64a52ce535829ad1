"""The journal: sessions, ratings, the sleep diary and device estimates, kept in one database.

All SQL in solemate lives in this package; everything else calls :class:`Journal`'s methods and
gets immutable records back. See ``service.py`` for the methods, ``schema.py`` for the tables,
``migrations/`` for how the schema evolves and ``transfer.py`` for the export format.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# The names below are loaded on first use: reading a journal through the driver alone
# (``reading.py``) must not pay for importing SQLAlchemy, which ``service.py`` needs.
if TYPE_CHECKING:
    from solemate.journal.engine import DATABASE_URL_ENV, default_sqlite_path
    from solemate.journal.records import (
        ControlActivity,
        DeviceImportReport,
        DeviceNightLike,
        DeviceNightRecord,
        DiaryRecord,
        ImportProblem,
        ImportRefused,
        ImportReport,
        JournalError,
        MassageSession,
        Moment,
        Note,
        Person,
        Rating,
        SafetyScreen,
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
    "Note",
    "Person",
    "Rating",
    "SafetyScreen",
    "SessionStatus",
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
}


def __getattr__(name: str) -> object:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{_HOMES.get(name, 'records')}"), name)
    globals()[name] = value
    return value
