"""Build the web app: FastAPI routes for the pages and the API, behind the guard.

``create_app(config)`` opens the journal (migrating it if needed) and returns an ASGI app; the
journal is closed when the server shuts down. The routes live in :mod:`solemate.web.api` and
:mod:`solemate.web.pages`, one module per family; a new family adds its router to ``ROUTERS``
there, or to :data:`ROUTERS` here. The interactive API docs pages are off because they
load their scripts from a CDN; the OpenAPI schema itself is at ``/api/openapi.json``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import jinja2
from fastapi import APIRouter, FastAPI
from fastapi.templating import Jinja2Templates
from starlette.routing import Route

from solemate import __version__, tonight
from solemate.journal import Journal
from solemate.names import possessive
from solemate.plan import PlanOptions
from solemate.routine import builtin_routine
from solemate.timeline import Timeline
from solemate.tonight import Planner
from solemate.web import api, calendar_feed, errors, pages
from solemate.web.config import WebConfig
from solemate.web.cue_audio import CueAudio
from solemate.web.people import People
from solemate.web.security import Guard
from solemate.web.services import STATIC_DIR, TEMPLATES_DIR, Services
from solemate.web.sign_in import SignIn
from solemate.web.static_files import ShellFiles
from solemate.web.track import SessionTracks, track_folder

__all__ = ["create_app"]

_FORM_PATHS = re.compile(
    r"^/(login|morning|journal/.*|insights/experiment(/stop)?|experiment/control"
    r"|reminders/(link|preferences)|who(/add|/share)?)$"
)
_UPLOAD_PATHS = re.compile(r"^/(api/import|journal/import)$")

#: Every family of routes, in the order the app tries them (and the OpenAPI schema lists them).
ROUTERS: tuple[APIRouter, ...] = (*api.ROUTERS, *pages.ROUTERS, calendar_feed.router)

DESCRIPTION = """The API the solemate pages use: plan a session, keep the safety screen, record
sessions step by step with stress ratings, keep the morning sleep diary, read the insights, export,
import and back up the journal.

Every POST, PUT and DELETE needs the `X-CSRF-Token` header with the token from `GET /api/csrf`
(and the cookie that request sets). Errors are 4xx with `{"detail", "field"}` naming the field."""


class _CompiledTemplates(jinja2.BytecodeCache):
    """The pages' templates compiled once per process and shared by every app it builds (each
    app's environment has its own globals, so it cannot be shared itself). Jinja checks each
    entry against the template's source, so an edited template is compiled again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def _templates() -> Jinja2Templates:
    """The pages' templates. They ship with the package and change only with it, so their files
    are never re-checked on each request (that check was about a tenth of a page's server time)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(),
        auto_reload=False,
        bytecode_cache=_COMPILED,
    )
    return Jinja2Templates(env=env)


def create_app(config: WebConfig) -> FastAPI:
    journal = Journal(config.database_url, clock=config.clock, data_dir=config.data_dir)
    try:
        auth = (
            SignIn(journal, config.data_dir, refresh=config.auth_refresh_seconds)
            if config.require_login
            else None
        )
        templates = _templates()
        cue_audio = CueAudio(config.speech_cache_dir, config.voice)
        svc = Services(
            config=config,
            journal=journal,
            planner=Planner(builtin_routine(config.routine)),
            cue_audio=cue_audio,
            tracks=SessionTracks(track_folder(config), config.voice, cue_audio.speaker_for),
            auth=auth,
            templates=templates,
            people=People(journal, refresh=config.auth_refresh_seconds),
        )
        # Computed once here: each request's copy of the services (one per person) shares them.
        svc.import_map, svc.module_page_csp  # noqa: B018
    except BaseException:
        journal.close()
        raise
    templates.env.globals["static"] = svc.static_url
    templates.env.filters["possessive"] = possessive  # "my answers" for the unnamed "me"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if config.prepare_at_start:
            svc.cue_audio.prepare_ahead(_likely_tonight(svc.planner))
            _prepare_last_nights_track(svc)
        try:
            yield
        finally:
            svc.tracks.close()
            journal.close()

    app = FastAPI(
        title="solemate",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.services = svc
    errors.install(app)
    for router in ROUTERS:
        # The routers' own routes, shared by every app the process builds: include_router would
        # build each route's request and response models again for this app (on its first
        # request: about 40 ms, and the memory they hold). The app has no prefix, tags or
        # dependencies to add: a router's prefix and responses are already in its routes.
        app.router.routes.extend(router.routes)
    # The hottest route answered as a plain Starlette route ahead of FastAPI's copy of it, which
    # stays for the OpenAPI schema: no dependency solving per request.
    app.router.routes.insert(0, Route("/api/plan", api.plan.get_plan, methods=["GET"]))
    # Files only: a folder (or a path outside it) is a 404, never a listing. Text is gzipped once.
    app.mount("/static", ShellFiles(directory=str(STATIC_DIR)), name="static")
    app.add_middleware(
        Guard,
        config=config,
        auth=auth,
        form_paths=lambda path: _FORM_PATHS.match(path) is not None,
        upload_paths=lambda path: _UPLOAD_PATHS.match(path) is not None,
    )
    return app


def _prepare_last_nights_track(svc: Services) -> None:
    """Render last night's session as a track ahead (on the track worker, not here): a person
    who starts the same again has the track that plays with the screen off from the first cue."""
    last = svc.journal.sessions(last=1)
    if not last:
        return
    try:
        timeline = tonight.session_timeline(svc.planner, last[0])
    except tonight.RoutineChanged:
        return
    svc.tracks.prepare(timeline)


def _likely_tonight(planner: Planner) -> list[Timeline]:
    """The sessions a person most likely starts tonight: the nightly length, for themselves or a
    partner, in either wording."""
    return [
        planner.timeline(PlanOptions(preset="nightly", voice=voice, wording=wording))
        for wording in ("brief", "full")
        for voice in ("self", "partner")
    ]
