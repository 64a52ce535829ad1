"""Calendar feed links: who a secret link belongs to, a new link, and revoking the old one.

A calendar app polls a person's reminder at ``/calendar/{secret}.ics`` without signing in, so the
secret is the only key. It is made here with :func:`secrets.token_urlsafe` (32 bytes) and only
its SHA-256 is kept: a copied journal does not give the link away. Each person has at most one
link; :func:`new_feed_link` replaces it, and the old link then finds nobody. The table is not part
of an export (a link belongs to one calendar, not to the record), and ``forget`` empties it.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import select

from solemate.journal.people import person_id
from solemate.journal.schema import CalendarFeedRow, PersonRow

if TYPE_CHECKING:
    from solemate.journal.core import JournalCore as Journal

__all__ = ["feed_person", "has_feed_link", "new_feed_link"]

#: Longer than any secret :func:`new_feed_link` makes; anything longer is not looked up.
_MAX_SECRET = 100


def new_feed_link(journal: Journal, person: str | None = None) -> str:
    """A new secret for ``person``'s feed (None: the first person), revoking any earlier one.

    The secret is returned once and never stored; an unknown person is a ``JournalError``.
    """
    secret = secrets.token_urlsafe(32)
    now = journal.now()
    with journal.writing() as s:
        pid = person_id(s, person, journal.now)
        row = s.get(CalendarFeedRow, pid)
        if row is None:
            s.add(CalendarFeedRow(person_id=pid, digest=_digest(secret), created_at=now))
        else:
            row.digest = _digest(secret)
            row.created_at = now
    return secret


def feed_person(journal: Journal, secret: str) -> str | None:
    """The name of the person whose link ``secret`` is, or None (unknown or revoked)."""
    if not secret or len(secret) > _MAX_SECRET:
        return None
    with journal.reading() as s:
        found = s.execute(
            select(PersonRow.name)
            .join(CalendarFeedRow, CalendarFeedRow.person_id == PersonRow.id)
            .where(CalendarFeedRow.digest == _digest(secret))
        ).first()
        return None if found is None else str(found[0])


def has_feed_link(journal: Journal, person: str | None = None) -> bool:
    """Whether ``person`` (None: the first person) has a link that works."""
    with journal.reading() as s:
        query = select(CalendarFeedRow.person_id).join(
            PersonRow, CalendarFeedRow.person_id == PersonRow.id
        )
        if person is None:
            first = s.scalars(select(PersonRow.id).order_by(PersonRow.id).limit(1)).first()
            query = query.where(CalendarFeedRow.person_id == first)
        else:
            query = query.where(PersonRow.name == person)
        return s.execute(query).first() is not None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
