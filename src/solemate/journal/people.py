"""Who an entry belongs to: a person's id by name, the default person, and everyone's names.

Free functions over an open session, so every family of the journal (and the experiment's
storage) finds people the same way, inside its own transaction.

Names are unique without regard to case ("Alex" and "alex" are one person); a name is looked up
exactly first, then without case, so a journal written before that rule still finds everyone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from solemate.journal.records import JournalError, same_name
from solemate.journal.schema import PersonRow, SessionRow, new_uid
from solemate.names import DEFAULT_PERSON

__all__ = [
    "DEFAULT_PERSON",
    "existing_person_id",
    "find_person",
    "names",
    "no_such_person",
    "person_id",
    "remove",
    "same_name",
]


def no_such_person(name: str) -> JournalError:
    """The one refusal for a name nobody in the journal has."""
    return JournalError(f"no person called {name!r}", field="person")


def find_person(s: Session, name: str) -> PersonRow | None:
    """The person called ``name`` (exactly, else without regard to case), or None."""
    exact = s.scalars(select(PersonRow).where(PersonRow.name == name)).first()
    if exact is not None:
        return exact
    # Compared here, not in SQL: SQLite's lower() folds ASCII letters only.
    folded = [row for row in s.scalars(select(PersonRow)) if same_name(row.name, name)]
    return folded[0] if len(folded) == 1 else None


def person_id(s: Session, name: str | None, clock: Callable[[], datetime]) -> int:
    """The id of ``name``, or of the default person, created on first use (at ``clock()``)."""
    if name is not None:
        row = find_person(s, name)
        if row is None:
            raise no_such_person(name)
        return row.id
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


def remove(s: Session, row: PersonRow) -> None:
    """Delete ``row``'s person and what is theirs; never the last person.

    A session they gave someone else stays the receiver's (it counts for the receiver's nights)
    and is recorded as the receiver's own from then on, since the giver is gone.
    """
    if s.scalar(select(func.count()).select_from(PersonRow)) == 1:
        raise JournalError(
            f"{row.name!r} is the only person in the journal; "
            "'solemate forget --everything' deletes everything",
            field="person",
        )
    s.execute(
        update(SessionRow)
        .where(SessionRow.giver_id == row.id, SessionRow.receiver_id != row.id)
        .values(giver_id=SessionRow.receiver_id)
    )
    s.delete(row)
    s.flush()


def names(s: Session) -> dict[int, str]:
    """Every person's name by id."""
    return dict(s.execute(select(PersonRow.id, PersonRow.name)).all())


def _never() -> datetime:
    raise AssertionError("a named person is never created")  # pragma: no cover
