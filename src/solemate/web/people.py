"""Who is here: the person a browser acts for, remembered on that device.

The choice is a cookie (:data:`PERSON_COOKIE`, HttpOnly, SameSite=Lax) holding the person's uid,
checked against the journal's people on every request: an unknown or removed uid, or none, falls
back to the journal's first person, exactly what a single user always had. A browser signed in
with a person's own passphrase (a household, :mod:`solemate.web.sign_in`) is fixed to that person
and its cookie is ignored.

The people are read from the journal at most once per ``refresh`` seconds (and at once after this
server changes them), so a request does not wait on the database to learn who is here; a person
added with ``solemate person add`` appears within that time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from solemate.journal import Journal, JournalError, Person
from solemate.names import owned
from solemate.web.errors import ApiError

__all__ = ["PERSON_COOKIE", "Here", "People", "check_own", "person_cookie"]

OwnedKind = Literal["session", "rating", "nap"]

PERSON_COOKIE = "solemate_person"
COOKIE_DAYS = 400  # browsers cap a cookie's life at 400 days


@dataclass(frozen=True)
class Here:
    """Who a request acts for, and who else there is.

    ``person`` is None only in a journal with nobody yet (the first write creates the default
    person). ``own`` is set when a household sign-in decides who is here: then ``person`` is that
    person, or someone who shares their diary with the household (``choices`` lists whom this
    browser may choose: everyone, or its own person and those who share).
    """

    person: str | None
    people: tuple[str, ...]
    own: str | None = None
    choices: tuple[str, ...] = ()

    @property
    def fixed(self) -> bool:
        """Signed in with a person's own passphrase: always acting as them (or reading a share)."""
        return self.own is not None

    @property
    def reading_other(self) -> bool:
        """Reading someone else's shared diary: nothing may be written for them."""
        return self.own is not None and self.person != self.own

    @property
    def several(self) -> bool:
        """Two or more people: only then do the pages speak of people at all."""
        return len(self.people) > 1

    @property
    def others(self) -> tuple[str, ...]:
        """Everyone but the person here: whom they may massage."""
        return tuple(name for name in self.people if name != self.person)


class People:
    """The journal's people, re-read at most every ``refresh`` seconds."""

    def __init__(
        self, journal: Journal, refresh: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._journal = journal
        self._refresh = refresh
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._read_at = -float("inf")
        self._people: tuple[Person, ...] = ()

    def all(self) -> tuple[Person, ...]:
        with self._lock:
            if self._monotonic() - self._read_at >= self._refresh:
                self._people = tuple(self._journal.people())
                self._read_at = self._monotonic()
            return self._people

    def changed(self) -> None:
        """This server added or renamed someone: read them again on the next request."""
        with self._lock:
            self._read_at = -float("inf")

    def here(
        self,
        cookie: str | None,
        fixed_uid: str | None = None,
        sharing: frozenset[str] = frozenset(),
    ) -> Here | None:
        """Who is here for a browser sending ``cookie`` (a uid), or signed in as ``fixed_uid``
        (then ``cookie`` counts only when it names someone in ``sharing``). None: the signed-in
        person is no longer in the journal."""
        everyone = self.all()
        names = tuple(p.name for p in everyone)
        by_uid = {p.uid: p.name for p in everyone}
        if fixed_uid is None:
            chosen = by_uid.get(cookie or "", names[0] if names else None)
            return Here(chosen, names, choices=names)
        own = by_uid.get(fixed_uid)
        if own is None:
            return None
        choices = tuple(p.name for p in everyone if p.uid == fixed_uid or p.uid in sharing)
        chosen = by_uid[cookie] if cookie in sharing and cookie in by_uid else own
        return Here(chosen, names, own=own, choices=choices)

    def uid_of(self, name: str) -> str | None:
        """The uid of the person called exactly ``name`` (as the pages list them), or None."""
        return next((p.uid for p in self.all() if p.name == name), None)


def person_cookie(uid: str) -> str:
    """The Set-Cookie value that makes ``uid``'s person the one here on this device."""
    return f"{PERSON_COOKIE}={uid}; Path=/; Max-Age={COOKIE_DAYS * 86400}; HttpOnly; SameSite=Lax"


def check_own(journal: Journal, here: Here, kind: OwnedKind, entry_id: int) -> None:
    """Refuse (404, as if it were not there) an entry by id that is not the person here's: a
    session they neither gave nor received, a rating or nap of someone else. With one person in
    the journal everything is theirs."""
    if not here.several:
        return
    if kind == "session":
        try:
            session = journal.session(entry_id)
        except JournalError:
            return  # the route's own lookup says "no session N"
        mine = here.person in (session.giver, session.receiver)
    elif kind == "rating":
        mine = any(r.id == entry_id for r in journal.ratings())
    else:
        mine = any(n.id == entry_id for n in journal.naps())
    if not mine:
        whose = f" of {owned(here.person)}" if here.person is not None else ""
        raise ApiError(404, "id", f"no {kind} {entry_id}{whose}")


def check_whole_journal(here: Here) -> None:
    """Export, import and backup hold everyone's entries: not for a person signed in with their
    own passphrase (the household's passphrase may)."""
    if here.fixed:
        raise ApiError(
            403, "passphrase", "the whole journal's export, import and backup need the household's"
        )
