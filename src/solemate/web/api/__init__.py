"""The JSON API under ``/api/``, one module per family of routes.

======================  ======================================================================
``csrf``                the token scripts send back (``/api/csrf``)
``plan``                ``GET /api/plan``: a Timeline, pure, answered from memory when seen before
``safety``              the safety screen and tonight's short check (``/api/safety``)
``sessions``            tonight's sessions step by step, and stress ratings
``sleep``               the morning diary and daytime naps (``/api/sleep``, ``/api/naps``)
``insights``            the insights state as JSON
``transfer``            export, import and backup of the whole journal
``audio``               cue audio and the session's rendered track
======================  ======================================================================

Each route parses (the models in :mod:`solemate.web.models`), calls the journal or
:mod:`solemate.tonight`, and formats; refusals are raised as the services' own exceptions and
turned into 4xx answers naming the field by the handlers in :mod:`solemate.web.errors`. The
``*_out`` functions beside the routes turn journal records into the API's answers; the pages use
them too. :data:`ROUTERS` lists the families in the order the OpenAPI schema shows them.
"""

from __future__ import annotations

from fastapi import APIRouter

from solemate.web.api import audio, csrf, insights, plan, safety, sessions, sleep, transfer

ROUTERS: tuple[APIRouter, ...] = (
    csrf.router,
    plan.router,
    safety.router,
    sessions.router,
    sleep.router,
    insights.router,
    transfer.router,
    audio.router,
)

__all__ = ["ROUTERS"]
