"""Who an entry belongs to: a person's id by name, the default person, and everyone's names.

Free functions over an open session, so every family of the journal (and the experiment's
storage) finds people the same way, inside its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from solemate.journal.records import JournalError
from solemate.journal.schema import PersonRow, new_uid

__all__ = ["DEFAULT_PERSON", "existing_person_id", "names", "person_id"]

#: The name given to the person a journal creates when someone first writes to it.
DEFAULT_PERSON = "me"


def person_id(s: Session, name: str | None, clock: Callable[[], datetime]) -> int:
    """The id of ``name``, or of the default person, created on first use (at ``clock()``)."""
    if name is not None:
        pid = s.scalars(select(PersonRow.id).where(PersonRow.name == name)).first()
        if pid is None:
            raise JournalError(f"no person called {name!r}; add them first", field="person")
        return pid
    pid = s.scalars(select(PersonRow.id).order_by(PersonRow.id).limit(1)).first()
    if pid is None:
        row = PersonRow(uid=new_uid(), name=DEFAULT_PERSON, created_at=clock())
        s.add(row)
        s.flush()
        pid = row.id
    return pid


def existing_person_id(s: Session, name: str | None) -> int | None:
    """Like :func:`person_id` for reads: None instead of creating the default person."""
    if name is not None:
        return person_id(s, name, _never)
    return s.scalars(select(PersonRow.id).order_by(PersonRow.id).limit(1)).first()


def names(s: Session) -> dict[int, str]:
    """Every person's name by id."""
    return dict(s.execute(select(PersonRow.id, PersonRow.name)).all())


def _never() -> datetime:
    raise AssertionError("a named person is never created")  # pragma: no cover
