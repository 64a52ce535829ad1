"""How the app is assembled from the routers (``solemate/web/app.py``)."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute

from solemate.web import WebConfig, create_app
from solemate.web.app import ROUTERS


def test_apps_share_the_routers_routes_and_list_them_all(tmp_path: Path) -> None:
    """Each app serves the routers' own route objects (their request models built once per
    process, not once per app), and its OpenAPI schema lists every API route."""
    apps = [
        create_app(
            WebConfig(
                data_dir=tmp_path / f"data{n}",
                database_url=f"sqlite:///{tmp_path / f'journal{n}.sqlite3'}",
                speech_cache_dir=tmp_path / "speech",
            )
        )
        for n in (1, 2)
    ]
    wanted = [route for router in ROUTERS for route in router.routes]
    for app in apps:
        served = {id(route) for route in app.router.routes}
        assert [route for route in wanted if id(route) not in served] == []
        paths = app.openapi()["paths"]
        for route in wanted:
            if isinstance(route, APIRoute) and route.include_in_schema:
                assert route.path in paths, route.path
        app.state.services.journal.close()
