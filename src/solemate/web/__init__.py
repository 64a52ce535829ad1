"""The bedside web app: tonight's page, the guided player, the morning diary, the journal.

``create_app(WebConfig(...))`` builds the ASGI app; ``solemate serve`` runs it. See ``app.py`` for
the routes and ``security.py`` for what guards them; the session rules are
:mod:`solemate.tonight`, shared with the terminal guide.
"""

from __future__ import annotations

from solemate.web.app import create_app
from solemate.web.config import LOOPBACK_HOSTS, WebConfig

__all__ = ["LOOPBACK_HOSTS", "WebConfig", "create_app"]
