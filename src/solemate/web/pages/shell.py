"""The app shell: the web manifest, the service worker and the favicon."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from solemate.web.pages.common import Svc
from solemate.web.services import STATIC_DIR, Services

router = APIRouter(include_in_schema=False)


def manifest_state(svc: Services) -> dict[str, Any]:
    """Presenter: the web manifest, with this build's icon addresses."""
    return {
        "name": "solemate",
        "short_name": "solemate",
        "description": "A spoken, timed foot massage before bed, and a sleep journal.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#000000",
        "theme_color": "#000000",
        "icons": [
            {"src": svc.static_url("icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": svc.static_url("icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": svc.static_url("icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }


@router.get("/manifest.webmanifest")
def manifest(svc: Svc) -> Response:
    return Response(json.dumps(manifest_state(svc)), media_type="application/manifest+json")


SHELL_PAGES = ("/", "/play")


@router.get("/sw.js")
def service_worker(svc: Svc) -> Response:
    """The service worker, with this build's cache name and the shell files to keep."""
    shell = [*SHELL_PAGES, "/manifest.webmanifest"] + [
        svc.static_url(name) for name in sorted(svc.versions) if name != "sw.js"
    ]
    source = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    source = source.replace("__VERSION__", svc.shell_version).replace(
        "__SHELL__", json.dumps(shell)
    )
    return Response(
        source,
        media_type="text/javascript",
        headers={"cache-control": "no-cache", "service-worker-allowed": "/"},
    )


@router.get("/favicon.ico")
def favicon(svc: Svc) -> Response:
    return RedirectResponse(svc.static_url("icon.svg"), 301)
