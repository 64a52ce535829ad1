"""The static shell (scripts, styles, icons), served gzip-compressed to browsers that accept it.

The files ship with the package and change only with it, so each text file is compressed once, when
the app is built, never per request: the first visit of the player is most of its weight in these
files, and they shrink to about a third. A client that does not accept gzip gets the plain file,
as before. Only whole files: the static shell is never asked for in ranges.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

#: Worth compressing: text. Images here are already compressed (PNG) or tiny (the SVG is
#: compressed too, as text).
TEXT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
#: Below this a compressed file saves less than its headers cost.
MINIMUM_BYTES = 512


@dataclass(frozen=True)
class Compressed:
    """A static file compressed once at start, with its media type and ETag."""

    body: bytes
    media_type: str
    etag: str


def compress_folder(directory: str) -> dict[str, Compressed]:
    """Each text file of ``directory`` (not its subfolders) compressed, by file name."""
    out: dict[str, Compressed] = {}
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        suffix = os.path.splitext(entry.name)[1]
        if not entry.is_file() or suffix not in TEXT_TYPES:
            continue
        with open(entry.path, "rb") as file:
            data = file.read()
        if len(data) < MINIMUM_BYTES:
            continue
        # mtime=0: the same file always gives the same bytes, so its ETag holds across restarts.
        body = gzip.compress(data, compresslevel=9, mtime=0)
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '-gz"'
        out[entry.name] = Compressed(body, TEXT_TYPES[suffix], etag)
    return out


class ShellFiles(StaticFiles):
    """:class:`StaticFiles` that answers with the file compressed once at start-up when the
    client accepts gzip."""

    def __init__(self, *, directory: str) -> None:
        super().__init__(directory=directory, html=False)
        self.compressed = compress_folder(directory)

    async def get_response(self, path: str, scope: Scope) -> Response:
        found = self.compressed.get(path)
        if found is None or scope["method"] not in ("GET", "HEAD"):
            response = await super().get_response(path, scope)
            if found is not None:
                response.headers["vary"] = "accept-encoding"
            return response
        headers = Headers(scope=scope)
        if "gzip" not in headers.get("accept-encoding", ""):
            response = await super().get_response(path, scope)
            response.headers["vary"] = "accept-encoding"
            return response
        common = {"etag": found.etag, "vary": "accept-encoding"}
        if found.etag in headers.get("if-none-match", ""):
            return Response(status_code=304, headers=common)
        body = found.body if scope["method"] == "GET" else b""
        response = Response(body, media_type=found.media_type, headers=common)
        response.headers["content-encoding"] = "gzip"
        response.headers["content-length"] = str(len(found.body))
        return response
