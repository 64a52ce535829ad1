"""The :class:`Journal`: the one owner of the database, and the only way in or out of it.

Every public method is one transaction: it either happens completely or not at all, so a killed
process, a full disk or a refused row never leaves half an entry behind. Methods take and return
plain values and immutable records (``records.py``); nothing outside this package sees a
connection, a session or a row object.

:class:`Journal` is the one entry point; its methods live with their family: ``core.py`` (opening,
migrating, transactions, the clock, people), ``sessions.py`` (safety screens, sessions, ratings),
``nights.py`` (the diary, naps, device nights), ``entries.py`` (control evenings, experiments,
notes, deleting an entry) and ``upkeep.py`` (export, import, backup, checks, forgetting).
"""

from __future__ import annotations

from solemate.journal.entries import EntriesMixin, EntryKind
from solemate.journal.nights import NightsMixin
from solemate.journal.people import DEFAULT_PERSON
from solemate.journal.sessions import SessionsMixin
from solemate.journal.upkeep import UpkeepMixin

__all__ = ["DEFAULT_PERSON", "EntryKind", "Journal"]


class Journal(SessionsMixin, NightsMixin, EntriesMixin, UpkeepMixin):
    """A person's (or a couple's) journal of massage sessions, ratings and sleep.

    ``url`` is any SQLAlchemy URL; without one, a private SQLite file in ``data_dir`` (None: the
    platform's user data folder). The shells take both from :class:`~solemate.settings.Settings`. Opening migrates the database
    to the newest schema and records sessions left in progress by a dead process as interrupted
    (their ids are in :attr:`recovered`). ``clock`` returns the current aware datetime; tests pass
    a fake one. Use as a context manager, or call :meth:`close`.
    """
