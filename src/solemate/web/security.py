"""The guard in front of every request: who may connect, what may be sent, and safe responses.

A local server holding a private journal is still reachable by every web page the person opens
(a page can send requests to 127.0.0.1), so one ASGI middleware does, for every request:

* **Host check** (loopback servers): only ``127.0.0.1``, ``localhost`` and ``::1`` are answered, so
  a hostile DNS name pointed at 127.0.0.1 cannot read the journal (DNS rebinding).
* **Passphrase** (servers opened to the network): a signed cookie, from the login form or the
  one-time pairing code, is needed for everything but the login page and the static shell.
* **Early guesses**: a sign-in from a client still told to wait is answered 429 here, before its
  body is read or a worker thread is taken (see :mod:`solemate.web.sign_in`).
* **Size limit**: a body over the limit is refused with 413 before it is read, or as soon as a
  streamed body passes it.
* **CSRF**: every POST/PUT/PATCH/DELETE must carry the per-browser token (a ``SameSite=Strict``,
  ``HttpOnly`` cookie) back, in the ``X-CSRF-Token`` header (pages' scripts, API clients) or in a
  form field (HTML forms, checked by the form's route). Cross-site requests are refused outright.
* **Headers**: a strict Content-Security-Policy (scripts, styles and everything else from this
  server only, no inline script or style), no sniffing, no framing, no referrer, and no caching of
  pages and API answers (a shared device must not keep a journal in its cache).

It is a plain ASGI class rather than Starlette's ``BaseHTTPMiddleware``, which would add a task
and a copy of every body to each request.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from solemate.web.config import WebConfig
from solemate.web.passphrase import COOKIE_NAME
from solemate.web.sign_in import Attempt, SignIn

__all__ = [
    "CSP",
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "Guard",
    "csrf_matches",
]

CSRF_COOKIE = "solemate_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

_FIXED_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
]

# Reachable without the passphrase: the login page, pairing, and the app shell (no journal data);
# and calendar feeds, whose secret link is their own key (calendar apps cannot sign in).
_PUBLIC_PREFIXES = ("/login", "/pair/", "/static/", "/calendar/")
_PUBLIC_PATHS = frozenset({"/manifest.webmanifest", "/sw.js", "/favicon.ico"})


class TooLarge(HTTPException):
    """Raised from ``receive`` once a streamed body passes the limit. An HTTPException, because
    FastAPI turns any other error met while reading a body into a bare 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over {limit} bytes")
        self.field = "body"


def csrf_matches(cookie_token: str | None, sent: str | None) -> bool:
    return bool(cookie_token and sent) and hmac.compare_digest(
        str(cookie_token).encode(), str(sent).encode()
    )


def _cookies(headers: Headers) -> dict[str, str]:
    """The request's cookies. Split by hand: the two this app sets are plain tokens, and the
    standard library's parser costs more than the rest of a cached API answer."""
    out: dict[str, str] = {}
    for part in headers.get("cookie", "").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name and name not in out:
            out[name] = value.strip('"')
    return out


class Guard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        config: WebConfig,
        auth: SignIn | None,
        form_paths: Callable[[str], bool],
        upload_paths: Callable[[str], bool],
    ) -> None:
        self.app = app
        self.config = config
        self.auth = auth
        self.form_paths = form_paths
        self.upload_paths = upload_paths
        self.hosts = (
            None
            if config.allowed_hosts is None
            else frozenset(h.lower() for h in config.allowed_hosts)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path: str = scope["path"]
        method: str = scope["method"]
        is_api = path.startswith("/api/")

        if self.hosts is not None and _hostname(headers.get("host", "")) not in self.hosts:
            await _refuse(
                scope, receive, send, 400, "unknown host: use http://127.0.0.1", "host", is_api
            )
            return

        cookies = _cookies(headers)
        token = cookies.get(CSRF_COOKIE)
        if token is not None and not 20 <= len(token) <= 100:
            token = None
        new_token = None
        # A browser gets its token with a page (or from /api/csrf); other API reads need none.
        if token is None and (not is_api or path == "/api/csrf"):
            token = new_token = secrets.token_urlsafe(32)
        state = scope.setdefault("state", {})
        state["csrf"] = token

        if self.config.require_login and not self._signed_in(cookies, path, state):
            if is_api or method != "GET":
                await _refuse(
                    scope, receive, send, 401, "sign in first (the passphrase)", "passphrase", True
                )
            else:
                target = quote(
                    path
                    + (
                        "?" + scope["query_string"].decode("latin-1")
                        if scope["query_string"]
                        else ""
                    )
                )
                await _redirect(scope, receive, send, f"/login?next={target}")
            return

        if self.auth is not None and method == "POST" and path == "/login":
            client = scope.get("client")
            wait = self.auth.known_wait(client[0] if client else None)
            if wait:
                await _refuse(
                    scope,
                    receive,
                    send,
                    429,
                    Attempt(ok=False, retry_after=wait).message,
                    "passphrase",
                    False,
                    [(b"retry-after", str(wait).encode())],
                )
                return

        limit = (
            self.config.max_import_bytes if self.upload_paths(path) else self.config.max_body_bytes
        )
        length = headers.get("content-length")
        if length is not None and (
            not (length.isascii() and length.isdigit()) or int(length) > limit
        ):
            await _refuse(
                scope, receive, send, 413, f"the request body is over {limit} bytes", "body", is_api
            )
            return

        if method in UNSAFE:
            problem = self._csrf_problem(headers, path, token if new_token is None else None, state)
            if problem:
                await _refuse(scope, receive, send, 403, problem, "csrf", is_api)
                return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
            return message

        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = self._response_headers(
                    list(message.get("headers", [])), path, scope, new_token
                )
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except TooLarge:
            if started:
                raise
            await _refuse(
                scope, receive, send, 413, f"the request body is over {limit} bytes", "body", is_api
            )

    def _signed_in(self, cookies: dict[str, str], path: str, state: dict[str, Any]) -> bool:
        """Signed in (or a public path); a household person's uid goes into ``state``, and the
        web app acts for them alone (:mod:`solemate.web.people`)."""
        if path in _PUBLIC_PATHS or path.startswith(_PUBLIC_PREFIXES):
            return True
        visitor = None if self.auth is None else self.auth.visitor(cookies.get(COOKIE_NAME))
        if visitor is not None:
            state["household_uid"] = visitor.person_uid
        return visitor is not None

    def _csrf_problem(
        self, headers: Headers, path: str, cookie_token: str | None, state: dict[str, Any]
    ) -> str | None:
        site = headers.get("sec-fetch-site")
        if site in ("cross-site", "same-site"):
            return "cross-site requests are refused"
        origin = headers.get("origin")
        if origin and origin != "null":
            host = headers.get("host", "")
            if origin.split("://", 1)[-1].lower() != host.lower():
                return f"the request comes from another origin ({origin})"
        sent = headers.get(CSRF_HEADER)
        if sent is not None:
            return None if csrf_matches(cookie_token, sent) else "the X-CSRF-Token does not match"
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if self.form_paths(path) and content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            # The form's route compares its csrf_token field with this ("" never matches).
            state["csrf_form"] = cookie_token or ""
            return None
        return "missing the X-CSRF-Token header (GET /api/csrf gives one)"

    def _response_headers(
        self,
        headers: list[tuple[bytes, bytes]],
        path: str,
        scope: Scope,
        new_token: str | None,
    ) -> list[tuple[bytes, bytes]]:
        present = {name.lower() for name, _ in headers}
        if b"content-security-policy" not in present:
            headers.append((b"content-security-policy", CSP.encode()))
        headers.extend(_FIXED_HEADERS)
        if b"cache-control" not in present:
            if path.startswith("/static/"):
                query = scope.get("query_string", b"")
                value = b"public, max-age=31536000, immutable" if b"v=" in query else b"no-cache"
            else:
                value = b"no-store"
            headers.append((b"cache-control", value))
        if new_token is not None:
            cookie = (
                f"{CSRF_COOKIE}={new_token}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Strict"
            )
            headers.append((b"set-cookie", cookie.encode()))
        return headers


def _hostname(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


async def _refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    message: str,
    field: str,
    as_json: bool,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    if as_json:
        body = json.dumps({"detail": f"{field}: {message}", "field": field}).encode()
        media = b"application/json"
    else:
        body = f"{status}: {message}\n".encode()
        media = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media),
                (b"content-length", str(len(body)).encode()),
                (b"content-security-policy", CSP.encode()),
                (b"cache-control", b"no-store"),
                *_FIXED_HEADERS,
                *(extra or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _redirect(scope: Scope, receive: Receive, send: Send, location: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [
                (b"location", location.encode()),
                (b"content-length", b"0"),
                *_FIXED_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})
