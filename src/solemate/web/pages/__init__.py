"""The pages, one module per page family, rendered on the server (Jinja2, autoescaped).

=================  ==========================================================================
``tonight``        Tonight (the safety screen, the start form, last night's choices) and the player
``morning``        the morning diary form
``journal``        the journal: sessions and nights, deleting them, ratings, import
``insights``       insights, the experiment's start and stop forms, and its report
``print_sheet``    the printable sheet inside the app's page
``who``            who is here: the person this device acts for, and adding one
``login``          sign-in with the passphrase, and pairing a device by its link
``shell``          the app shell: web manifest, service worker, favicon
``common``         the layout's context, the CSRF-checked form, the CSP's hashes
=================  ==========================================================================

Each family has a presenter: a plain function that takes the services (or the journal) and the
parsed query and returns the plain state its template draws; a route only parses, calls the
presenter and renders. The pages work as plain HTML forms; the small scripts in ``static/`` add
the player and the API calls on top. Form posts carry the CSRF token in a hidden field, checked by
:data:`~solemate.web.pages.common.Form` (the guard checks it for script requests).
:data:`ROUTERS` lists the families for the app.
"""

from __future__ import annotations

from fastapi import APIRouter

from solemate.web.pages import insights, journal, login, morning, print_sheet, shell, tonight, who

ROUTERS: tuple[APIRouter, ...] = (
    tonight.router,
    morning.router,
    journal.router,
    insights.router,
    print_sheet.router,
    who.router,
    login.router,
    shell.router,
)

__all__ = ["ROUTERS"]
