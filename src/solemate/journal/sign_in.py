"""Who may sign in to a server opened to the network: the passphrase, pairing codes, failed guesses.

This state lives in the journal's database, not in a server's memory, so every server process
using one journal (a household's or a practice's hosted server on PostgreSQL, several workers
behind one address) sees the same passphrase, the same one-time pairing codes and the same count
of wrong guesses, and a passphrase changed from the command line reaches a running server.

The tables (in ``schema.py``) are not part of an export: they hold no journal data, only how to get in. ``forget``
empties them like every other table, which signs every device out.

The journal stores what it is given: the passphrase record is an opaque JSON object (the hashing
is :mod:`solemate.web.passphrase`'s business), pairing codes are kept as their SHA-256 and the
waiting rule for wrong guesses is a function passed in (:mod:`solemate.web.sign_in_limits`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import JsonValue
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from solemate.journal.schema import PairingCodeRow, PassphraseRow, SignInFailuresRow

if TYPE_CHECKING:
    from solemate.journal.core import JournalCore as Journal

__all__ = [
    "FORGET_AFTER",
    "PairingCodeRow",
    "PassphraseRow",
    "SignInFailuresRow",
    "add_pairing_code",
    "begin_sign_in",
    "redeem_pairing_code",
    "replace_passphrase",
    "sign_in_succeeded",
    "stored_passphrase",
]

#: Wrong guesses are forgotten this long after the last one.
FORGET_AFTER = timedelta(hours=24)

#: ``delay(scope, failures)``: seconds the next attempt in ``scope`` must wait after ``failures``.
Delay = Callable[[str, int], float]


def stored_passphrase(journal: Journal) -> tuple[dict[str, JsonValue], datetime] | None:
    """The passphrase record and when it was set, or None when none was ever set."""
    with journal.reading() as s:
        row = s.get(PassphraseRow, 1)
        return None if row is None else (dict(row.record), row.changed_at)


def replace_passphrase(journal: Journal, record: dict[str, JsonValue]) -> None:
    """Store a new passphrase record. Unused pairing codes and counted guesses go with the old one."""
    now = journal.now()
    with journal.writing() as s:
        s.execute(delete(PairingCodeRow))
        s.execute(delete(SignInFailuresRow))
        row = s.get(PassphraseRow, 1)
        if row is None:
            s.add(PassphraseRow(id=1, record=record, changed_at=now))
        else:
            row.record = record
            row.changed_at = now


def add_pairing_code(journal: Journal, code: str, expires_at: datetime) -> None:
    """Keep a new pairing code (its digest); expired ones are dropped on the way."""
    now = journal.now()
    with journal.writing() as s:
        s.execute(delete(PairingCodeRow).where(PairingCodeRow.expires_at <= now))
        s.add(PairingCodeRow(digest=_digest(code), expires_at=expires_at, used_at=None))


def redeem_pairing_code(journal: Journal, code: str) -> bool:
    """True the first time a stored code is given before it expires, in any process; else False."""
    now = journal.now()
    with journal.writing() as s:
        done = s.execute(
            update(PairingCodeRow)
            .where(
                PairingCodeRow.digest == _digest(code),
                PairingCodeRow.used_at.is_(None),
                PairingCodeRow.expires_at > now,
            )
            .values(used_at=now)
        )
        return bool(getattr(done, "rowcount", 0) == 1)


def begin_sign_in(journal: Journal, scopes: Sequence[str], delay: Delay) -> float:
    """Count one attempt in every scope, before the passphrase is checked.

    Returns 0 when the attempt may go ahead (it counts as wrong until :func:`sign_in_succeeded`
    says otherwise, so guesses sent at once cannot all pass one free slot), else the seconds until
    the next attempt is allowed, with nothing counted.
    """
    now = journal.now()
    with journal.writing() as s:
        rows = _rows(s, scopes, now)
        wait = max(
            ((row.blocked_until - now).total_seconds() for row in rows if row.blocked_until),
            default=0.0,
        )
        if wait > 0:
            return wait
        for row in rows:
            row.failures += 1
            row.last_failure_at = now
            seconds = delay(row.scope, row.failures)
            row.blocked_until = now + timedelta(seconds=seconds) if seconds > 0 else None
        return 0.0


def sign_in_succeeded(journal: Journal, scopes: Sequence[str], delay: Delay) -> None:
    """Take back the attempt :func:`begin_sign_in` counted: the first scope (the client) starts
    afresh, the others lose one failure."""
    now = journal.now()
    with journal.writing() as s:
        for i, row in enumerate(_rows(s, scopes, now)):
            row.failures = 0 if i == 0 else max(row.failures - 1, 0)
            if row.failures == 0 or delay(row.scope, row.failures) <= 0:
                row.blocked_until = None


def _rows(s: Session, scopes: Sequence[str], now: datetime) -> list[SignInFailuresRow]:
    """The scopes' rows, locked for this transaction (created when missing, reset when stale)."""
    found = {
        row.scope: row
        for row in s.scalars(
            select(SignInFailuresRow).where(SignInFailuresRow.scope.in_(scopes)).with_for_update()
        )
    }
    missing = [scope for scope in scopes if scope not in found]
    if missing:
        s.execute(_insert_new(s, missing, now))
        s.expire_all()
        found = {
            row.scope: row
            for row in s.scalars(
                select(SignInFailuresRow)
                .where(SignInFailuresRow.scope.in_(scopes))
                .with_for_update()
            )
        }
    rows = [found[scope] for scope in scopes]
    for row in rows:
        if now - row.last_failure_at > FORGET_AFTER:
            row.failures = 0
            row.blocked_until = None
    return rows


def _insert_new(s: Session, scopes: Sequence[str], now: datetime) -> Executable:
    """INSERT … ON CONFLICT DO NOTHING: two processes creating a scope's row at once both go on."""
    values = [
        {"scope": scope, "failures": 0, "last_failure_at": now, "blocked_until": None}
        for scope in scopes
    ]
    if s.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(SignInFailuresRow).values(values).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(SignInFailuresRow).values(values).on_conflict_do_nothing()


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "surrogateescape")).hexdigest()
