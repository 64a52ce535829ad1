"""A household on a server opened to the network: each person's own passphrase, and sharing.

A person may have their own passphrase beside the household's (:mod:`solemate.journal.sign_in`);
signing in with it makes the web app act for them alone. ``shares_diary`` lets the others in the
household see that person's diary, journal and insights. Like the household's passphrase, the
record is an opaque JSON object (its hashing is :mod:`solemate.web.passphrase`'s business) and the
table is not part of an export: it holds how to get in, not what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import JsonValue
from sqlalchemy import select

from solemate.journal.people import find_person, no_such_person
from solemate.journal.schema import HouseholdMemberRow, PersonRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from solemate.journal import Journal

__all__ = ["Member", "members", "set_person_passphrase", "set_sharing"]


@dataclass(frozen=True)
class Member:
    """A person who set their own passphrase or chose to share (or both)."""

    uid: str
    name: str
    record: dict[str, JsonValue] | None
    shares_diary: bool


def members(journal: Journal) -> list[Member]:
    """Everyone with a row, in the order they were added to the journal."""
    with journal.reading() as s:
        rows = s.execute(
            select(PersonRow.uid, PersonRow.name, HouseholdMemberRow)
            .join(HouseholdMemberRow, HouseholdMemberRow.person_id == PersonRow.id)
            .order_by(PersonRow.id)
        ).all()
        return [
            Member(uid, name, None if m.record is None else dict(m.record), m.shares_diary)
            for uid, name, m in rows
        ]


def set_person_passphrase(journal: Journal, name: str, record: dict[str, JsonValue] | None) -> None:
    """Give ``name`` their own passphrase record (None: take it away); their browsers signed in
    with the old one are signed out, since its cookie key goes with it."""
    with journal.writing() as s:
        _row(s, journal, name).record = record


def set_sharing(journal: Journal, name: str, shares: bool) -> None:
    """Whether the others in the household may see ``name``'s diary, journal and insights."""
    with journal.writing() as s:
        _row(s, journal, name).shares_diary = shares


def _row(s: Session, journal: Journal, name: str) -> HouseholdMemberRow:
    person = find_person(s, name)
    if person is None:
        raise no_such_person(name)
    row = s.get(HouseholdMemberRow, person.id)
    if row is None:
        row = HouseholdMemberRow(
            person_id=person.id, record=None, shares_diary=False, changed_at=journal.now()
        )
        s.add(row)
    row.changed_at = journal.now()
    return row
