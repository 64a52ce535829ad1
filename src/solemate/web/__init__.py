"""The bedside web app: tonight's page, the guided player, the morning diary, the journal.

``create_app(WebConfig(...))`` builds the ASGI app; ``solemate serve`` runs it.

- ``app.py`` builds the app and includes every router (``api.ROUTERS``, then ``pages.ROUTERS``);
- ``api/`` is the JSON API, one module per family (plan, safety, sessions, sleep, ...);
- ``pages/`` are the HTML pages, one module per page family, each with a presenter that returns
  the plain state its template draws (``templates/``);
- ``models.py`` the API's request and answer shapes (the plan's choices come from
  :mod:`solemate.plan`, as the terminal's flags do);
- ``services.py`` what every route needs; ``security.py`` the guard; ``errors.py`` the 4xx answers;
- ``people.py`` who is here: the person a browser acts for (a cookie, or a household member's own
  passphrase), and the checks that keep one person's entries from another;
- ``cue_audio.py`` and ``track.py`` the server's speech for browsers without a voice.

The session rules are :mod:`solemate.tonight`, shared with the terminal guide.
"""

from __future__ import annotations

from solemate.web.app import create_app
from solemate.web.config import LOOPBACK_HOSTS, WebConfig

__all__ = ["LOOPBACK_HOSTS", "WebConfig", "create_app"]
