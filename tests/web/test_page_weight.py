"""The first visit's weight, without a browser: the import map the pages carry, the policy that
allows exactly it, the service worker keeping the same URLs, and templates read once.

The browser's own count of a first visit is in ``test_page_weight_browser.py``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable

from tests.web.conftest import Client


def _import_map(html: str) -> tuple[str, dict[str, dict[str, str]]]:
    found = re.search(r'<script type="importmap">(.*?)</script>', html, re.S)
    assert found, "no import map on the page"
    return found.group(1), json.loads(found.group(1))


def _static_urls(text: str) -> set[str]:
    return set(re.findall(r'"(/static/[^"]+)"', text))


def test_module_pages_map_imports_to_the_versioned_urls_they_link(client: Client) -> None:
    for path in ("/", "/play"):
        page = client.get(path)
        text, imports = _import_map(page.text)
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        script_src = next(
            part
            for part in page.headers["content-security-policy"].split("; ")
            if part.startswith("script-src")
        )
        assert script_src.split() == ["script-src", "'self'", f"'sha256-{digest}'"]
        for plain, versioned in imports["imports"].items():
            assert versioned.startswith(plain + "?v=")
        linked = set(re.findall(r'src="(/static/[^"]+\.js\?v=[^"]+)"', page.text))
        assert linked <= set(imports["imports"].values())


def test_every_module_import_is_mapped(client: Client) -> None:
    _, imports = _import_map(client.get("/").text)
    mapped = imports["imports"]
    for module in ("api.js", "boot.js", "player.js", "sound.js"):
        assert f"/static/{module}" in mapped


def test_the_service_worker_keeps_the_urls_the_pages_use(client: Client) -> None:
    worker = client.get("/sw.js").text
    shell = set(json.loads(re.search(r"const SHELL = (\[.*?\]);", worker).group(1)))  # type: ignore[union-attr]
    for path in ("/", "/play"):
        html = client.get(path).text
        _, imports = _import_map(html)
        used = _static_urls(html) | set(imports["imports"].values())
        used = {url for url in used if "?v=" in url}
        assert used <= shell, used - shell
        # nothing kept under a plain URL the page would not ask for
        assert not {url for url in shell if url.startswith("/static/") and "?v=" not in url}


def test_pages_without_modules_keep_the_plain_policy(client: Client) -> None:
    for path in ("/morning", "/journal"):
        page = client.get(path)
        assert "importmap" not in page.text
        assert (
            "sha256-"
            not in page.headers["content-security-policy"].split("script-src", 1)[1].split(";")[0]
        )


def test_templates_are_not_checked_for_changes_on_each_request(client: Client) -> None:
    templates = client.http.app.state.services.templates  # type: ignore[attr-defined]
    assert templates.env.auto_reload is False
    client.get("/play")  # the first use reads and compiles the templates
    checks: list[str] = []

    def watching(name: str) -> Callable[[], bool]:
        def uptodate() -> bool:
            checks.append(name)
            return True

        return uptodate

    for name in ("play.html", "base.html", "_player.html"):
        templates.env.get_template(name)._uptodate = watching(name)
    client.get("/play")
    client.get("/play")
    assert checks == []  # compiled once; the files are not stat'ed again per request
