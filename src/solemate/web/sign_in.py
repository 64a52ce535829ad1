"""Signing in to a server opened to the network: the passphrase, cookies, pairing, wrong guesses.

:class:`SignIn` is what the guard and the sign-in routes ask. Its state is the journal's
(:mod:`solemate.journal.sign_in`), so every server process on one journal agrees, and a passphrase
set from the command line while a server runs takes effect there:

* a sign-in or a pairing reads the stored passphrase afresh;
* the cookie check on every other request uses the record read at most :attr:`SignIn.refresh`
  seconds ago (1 s), so a new passphrase signs every paired browser out within a second without
  a database read per request.

A wrong guess is never answered by sleeping (which would hold a worker that other people's
requests need): guesses are counted in the journal before the passphrase is checked, and one that
comes before its wait is over (:mod:`solemate.web.sign_in_limits`) is answered at once with the
seconds left. The costly hash runs for at most :data:`CONCURRENT_CHECKS` attempts at a time per
process; more are told to retry in a second.

A household: beside the household's passphrase, each person may have their own
(:func:`set_person_passphrase`, kept by :mod:`solemate.journal.household`). Its cookie names the
person and is signed with their own key, so :meth:`SignIn.visitor` tells whom a browser is; the
web app then acts for that person alone (:mod:`solemate.web.people`).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from solemate.journal import Journal
from solemate.journal import household as members_store
from solemate.journal import sign_in as store
from solemate.web import sign_in_limits
from solemate.web.passphrase import (
    MAX_LENGTH,
    PAIRING_MINUTES,
    PASSPHRASE_FILE,
    PassphraseError,
    PassphraseRecord,
    new_pairing_code,
    new_record,
    parse_record,
    read_legacy_file,
)

__all__ = [
    "CONCURRENT_CHECKS",
    "Attempt",
    "NoPassphrase",
    "SignIn",
    "Visitor",
    "has_passphrase",
    "set_passphrase",
    "set_person_passphrase",
]

#: Passphrase checks (scrypt: ~40 ms and 16 MiB each) running at once in one server process.
CONCURRENT_CHECKS = 2


class NoPassphrase(PassphraseError):
    """A server opened to the network, but no passphrase was ever set."""

    def __init__(self) -> None:
        super().__init__("first set a passphrase with 'solemate serve --set-passphrase'")


@dataclass(frozen=True)
class Attempt:
    """What became of a sign-in: ``ok``; or wrong; or refused for ``retry_after`` seconds."""

    ok: bool
    retry_after: int = 0
    #: Signed in with this person's own passphrase (None: the household's).
    person_uid: str | None = None

    @property
    def message(self) -> str:
        if self.ok:
            return ""
        if self.retry_after:
            unit = "second" if self.retry_after == 1 else "seconds"
            return (
                f"Too many wrong passphrases: try again in {self.retry_after} {unit}. "
                "Paired devices stay signed in."
            )
        return "That passphrase is not right."


def set_passphrase(journal: Journal, passphrase: str) -> None:
    """Store a new passphrase (refused with :class:`PassphraseError` when too weak): every
    browser paired before is signed out, unused pairing codes lapse, counted guesses are cleared."""
    store.replace_passphrase(journal, new_record(passphrase))


def set_person_passphrase(journal: Journal, name: str, passphrase: str | None) -> None:
    """Give ``name`` their own passphrase (refused with :class:`PassphraseError` when too weak);
    None takes it away. Their browsers signed in with the old one are signed out."""
    record = None if passphrase is None else new_record(passphrase)
    members_store.set_person_passphrase(journal, name, record)


@dataclass(frozen=True)
class Visitor:
    """A signed-in browser: with the household's passphrase, or ``person_uid``'s own."""

    person_uid: str | None = None


def has_passphrase(journal: Journal, data_dir: Path) -> bool:
    """Whether a passphrase is set (taking over one an older solemate kept in ``data_dir``)."""
    return _adopt_legacy_file(journal, data_dir) or store.stored_passphrase(journal) is not None


def _adopt_legacy_file(journal: Journal, data_dir: Path) -> bool:
    """Move a passphrase file an older solemate wrote into the journal, once."""
    raw = read_legacy_file(data_dir)
    if raw is None:
        return False
    path = data_dir / PASSPHRASE_FILE
    parse_record(raw, str(path))  # refuse a damaged file before storing it
    if store.stored_passphrase(journal) is None:
        assert isinstance(raw, dict)
        store.replace_passphrase(journal, raw)
    path.unlink(missing_ok=True)
    return True


class SignIn:
    def __init__(
        self,
        journal: Journal,
        data_dir: Path,
        *,
        refresh: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.journal = journal
        self.refresh = refresh
        self._monotonic = monotonic
        if not has_passphrase(journal, data_dir):
            raise NoPassphrase()
        self._checks = threading.BoundedSemaphore(CONCURRENT_CHECKS)
        self._lock = threading.Lock()
        self._cached: PassphraseRecord | None = None
        #: Each person's own passphrase by uid, and who shares their diary (read with it).
        self._own: dict[str, PassphraseRecord] = {}
        self._sharing: frozenset[str] = frozenset()
        self._read_at = -math.inf
        #: Clients this process was told to make wait, and until when: their next early guesses
        #: are answered without a database write (a copy of the journal's answer, never more).
        self._waiting: dict[str, datetime] = {}
        self.current()

    def current(self) -> PassphraseRecord | None:
        """The stored record, read afresh (None if it was removed, say by ``forget``)."""
        stored = store.stored_passphrase(self.journal)
        record = None if stored is None else parse_record(stored[0], "the stored passphrase")
        members = members_store.members(self.journal)
        own = {
            m.uid: parse_record(m.record, f"{m.name}'s passphrase")
            for m in members
            if m.record is not None
        }
        sharing = frozenset(m.uid for m in members if m.shares_diary)
        with self._lock:
            self._cached, self._read_at = record, self._monotonic()
            self._own, self._sharing = own, sharing
        return record

    def _recent(self) -> PassphraseRecord | None:
        with self._lock:
            if self._monotonic() - self._read_at < self.refresh:
                return self._cached
        return self.current()

    def visitor(self, value: str | None) -> Visitor | None:
        """Who a browser sending the sign-in cookie ``value`` is; None: not signed in."""
        record = self._recent()
        if not value or len(value) > 200:
            return None
        if value.count(".") == 2:  # a person's own: uid.expires.signature
            uid = value.split(".", 1)[0]
            with self._lock:
                own = self._own.get(uid)
            return Visitor(uid) if own is not None and own.person_cookie_valid(uid, value) else None
        return Visitor() if record is not None and record.cookie_valid(value) else None

    def cookie_valid(self, value: str | None) -> bool:
        return self.visitor(value) is not None

    def sharing(self) -> frozenset[str]:
        """The uids of the people who share their diary with the household."""
        self._recent()
        with self._lock:
            return self._sharing

    def person_cookie(self, uid: str) -> str:
        with self._lock:
            own = self._own.get(uid)
        if own is None:
            raise NoPassphrase()
        return own.person_cookie(uid)

    def cookie(self) -> str:
        record = self._recent()
        if record is None:
            raise NoPassphrase()
        return record.cookie()

    def attempt(self, passphrase: object, client: str | None) -> Attempt:
        """Check a passphrase given by ``client`` (its address), within the limits."""
        scope = sign_in_limits.client_scope(client)
        now = self.journal.now()
        known = self.known_wait(client)
        if known:
            return Attempt(ok=False, retry_after=known)
        if not self._checks.acquire(blocking=False):
            return Attempt(ok=False, retry_after=1)
        try:
            scopes = (scope, sign_in_limits.EVERYONE_SCOPE)
            wait = store.begin_sign_in(self.journal, scopes, sign_in_limits.delay)
            if wait > 0:
                self._remember_wait(scope, now + timedelta(seconds=wait))
                return Attempt(ok=False, retry_after=_seconds(timedelta(seconds=wait)))
            record = self.current()
            if record is None or not isinstance(passphrase, str) or len(passphrase) > MAX_LENGTH:
                return Attempt(ok=False)
            with self._lock:
                own = list(self._own.items())
            if record.verify(passphrase):
                who = None
            else:
                who = next((uid for uid, mine in own if mine.verify(passphrase)), "")
                if not who:
                    return Attempt(ok=False)
            store.sign_in_succeeded(self.journal, scopes, sign_in_limits.delay)
            return Attempt(ok=True, person_uid=who)
        finally:
            self._checks.release()

    def known_wait(self, client: str | None) -> int:
        """Seconds ``client`` was told to wait and still must (0: none known here). Cheap: no
        database, so the guard answers early guesses before they cost anything."""
        scope = sign_in_limits.client_scope(client)
        with self._lock:
            until = self._waiting.get(scope)
        now = self.journal.now()
        return _seconds(until - now) if until is not None and until > now else 0

    def _remember_wait(self, scope: str, until: datetime) -> None:
        with self._lock:
            if len(self._waiting) > 10_000:
                now = self.journal.now()
                self._waiting = {k: v for k, v in self._waiting.items() if v > now}
            self._waiting[scope] = until

    def new_pairing_code(self, minutes: int = PAIRING_MINUTES) -> str:
        """A one-time code, valid for ``minutes``, that any server process on this journal takes."""
        code = new_pairing_code()
        expires = self.journal.now() + timedelta(minutes=minutes)
        store.add_pairing_code(self.journal, code, expires)
        return code

    def pair(self, code: str) -> bool:
        return len(code) <= 100 and store.redeem_pairing_code(self.journal, code)


def _seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))
