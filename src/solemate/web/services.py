"""What every route needs, built once per app: the journal, the planner, cue audio, the templates.

Routes reach it through :func:`services` (a FastAPI dependency), never through globals, so two
apps (a test on SQLite and one on PostgreSQL) can run side by side in one process.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import datetime as dt
import functools
import hashlib
import json
import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.templating import Jinja2Templates

from solemate.journal import Journal
from solemate.timeline import Timeline
from solemate.tonight import Planner
from solemate.web.config import WebConfig
from solemate.web.cue_audio import CueAudio
from solemate.web.people import PERSON_COOKIE, Here, People
from solemate.web.security import CSP
from solemate.web.sign_in import SignIn
from solemate.web.track import SessionTracks

PACKAGE = resources.files("solemate") / "web"
STATIC_DIR = Path(str(PACKAGE / "static"))
TEMPLATES_DIR = Path(str(PACKAGE / "templates"))


def server_zone() -> str:
    """The IANA zone of the machine the server runs on (the person's bedside, for a local server)."""
    try:
        target = Path("/etc/localtime").resolve()
        return str(target).split("/zoneinfo/", 1)[1]
    except (OSError, IndexError):
        return "UTC"


def static_versions() -> dict[str, str]:
    """A short content hash per static file, added to its URL so a changed file is fetched anew
    while an unchanged one is kept by the browser for good."""
    out = {}
    for path in sorted(STATIC_DIR.iterdir()):
        if path.is_file():
            out[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return out


@dataclass
class Services:
    """What every request of one web app shares: settings, journal, planner, audio, sign-in."""

    config: WebConfig
    journal: Journal
    planner: Planner
    cue_audio: CueAudio
    #: Each session as one continuous audio track, for the web player.
    tracks: SessionTracks
    #: The passphrase's gate on a server opened to the network; None on a loopback server.
    auth: SignIn | None
    templates: Jinja2Templates
    #: The journal's people, read at most once a second: who may be here.
    people: People
    #: Who this request acts for (the app's own copy: the first person).
    here: Here = field(default_factory=lambda: Here(None, ()))
    versions: dict[str, str] = field(default_factory=static_versions)
    #: Answers of GET /api/plan by raw query string (the planner is pure; bounded by the route).
    plan_answers: dict[bytes, bytes] = field(default_factory=dict)
    #: One writer at a time from this process. SQLite lets one transaction write anyway, but its
    #: own wait is a sleep with back-off, which under a burst of step boundaries leaves some
    #: requests waiting a second while others pass; a lock here queues them in a few ms each.
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    #: Timelines of sessions that recorded progress: planned once, not on every step boundary.
    session_timelines: dict[int, Timeline] = field(default_factory=dict)

    def writing(self) -> contextlib.AbstractContextManager[object]:
        if self.journal.dialect == "sqlite":
            return self.write_lock
        return contextlib.nullcontext()

    def now(self) -> dt.datetime:
        return self.config.clock()

    def today(self) -> dt.date:
        """The local date where the server runs (the person's bedside, for a local server)."""
        return self.now().astimezone().date()

    def static_url(self, name: str) -> str:
        return f"/static/{name}?v={self.versions.get(name, '0')}"

    @functools.cached_property
    def import_map(self) -> str:
        """The pages' import map: a module's ``import "./player.js"`` loads the same versioned
        URL the page links and the service worker keeps, so no script is fetched twice and a
        changed one is never taken from an old cache. Browsers without import maps load the plain
        URL (revalidated on each use) instead."""
        scripts = sorted(n for n in self.versions if n.endswith(".js") and n != "sw.js")
        return json.dumps(
            {"imports": {f"/static/{name}": self.static_url(name) for name in scripts}},
            separators=(",", ":"),
        )

    @functools.cached_property
    def module_page_csp(self) -> str:
        """The policy of a page that carries the import map: exactly that inline script allowed."""
        digest = base64.b64encode(hashlib.sha256(self.import_map.encode()).digest()).decode()
        return CSP.replace("script-src 'self'", f"script-src 'self' 'sha256-{digest}'")

    @property
    def shell_version(self) -> str:
        """Changes whenever a static file does: names the service worker's cache."""
        joined = ",".join(f"{k}={v}" for k, v in sorted(self.versions.items()))
        return hashlib.sha256(joined.encode()).hexdigest()[:12]


async def services(request: Request) -> Services:
    """The services acting for the person here (:mod:`solemate.web.people`): the same journal,
    connections and caches, with the journal's chosen person set for this request only."""
    # async: a plain function dependency would be run on the thread pool, a hop per request.
    found: Services = request.app.state.services
    fixed = getattr(request.state, "household_uid", None)
    sharing = found.auth.sharing() if fixed is not None and found.auth is not None else frozenset()
    here = found.people.here(request.cookies.get(PERSON_COOKIE), fixed, sharing)
    if here is None:
        raise HTTPException(
            403, "passphrase: this person is no longer in the journal; sign in again"
        )
    # Reading a shared diary writes nothing for its person (choosing oneself again at /who may).
    writes = request.method not in ("GET", "HEAD") and not request.url.path.startswith("/who")
    if here.reading_other and writes:
        raise HTTPException(
            403, f"person: {here.person} shares their diary to read; choose yourself at /who"
        )
    if not here.several:
        return found  # one person: everything as it always was
    view = copy.copy(found)
    view.here = here
    view.journal = found.journal.acting_for(here.person)
    return view
