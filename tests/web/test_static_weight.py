"""The static shell compressed once: gzip for browsers that accept it, the plain file otherwise,
an ETag that answers a revalidation with 304, and nothing outside the folder."""

from __future__ import annotations

import gzip
from pathlib import Path

from solemate.web.services import STATIC_DIR
from solemate.web.static_files import compress_folder
from tests.web.conftest import Client


def test_text_files_are_sent_gzipped_to_browsers_that_accept_it(client: Client) -> None:
    plain = (STATIC_DIR / "player.js").read_bytes()
    answer = client.http.get("/static/player.js?v=1", headers={"accept-encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.headers["vary"] == "accept-encoding"
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.headers["cache-control"].endswith("immutable")
    assert int(answer.headers["content-length"]) < len(plain) / 2
    assert answer.content == plain  # the client undoes the gzip


def test_clients_without_gzip_get_the_plain_file(client: Client) -> None:
    answer = client.http.get("/static/app.css", headers={"accept-encoding": "identity"})
    assert answer.status_code == 200
    assert "content-encoding" not in answer.headers
    assert answer.headers["vary"] == "accept-encoding"
    assert answer.content == (STATIC_DIR / "app.css").read_bytes()


def test_a_revalidation_is_answered_304(client: Client) -> None:
    first = client.http.get("/static/sound.js", headers={"accept-encoding": "gzip"})
    again = client.http.get(
        "/static/sound.js",
        headers={"accept-encoding": "gzip", "if-none-match": first.headers["etag"]},
    )
    assert again.status_code == 304
    assert again.content == b""


def test_images_and_missing_files_are_left_to_the_plain_server(client: Client) -> None:
    png = client.http.get("/static/icon-512.png", headers={"accept-encoding": "gzip"})
    assert png.status_code == 200
    assert "content-encoding" not in png.headers
    for path in ("/static/nothing.js", "/static/../app.py", "/static/", "/static/%2e%2e/app.py"):
        assert client.http.get(path, headers={"accept-encoding": "gzip"}).status_code == 404, path


def test_compression_is_stable_and_complete(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text("const x = 1;\n" * 200)
    (tmp_path / "tiny.css").write_text("a{}")
    (tmp_path / "b.png").write_bytes(b"\x89PNG" * 400)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.js").write_text("let y;\n" * 200)
    first, second = compress_folder(str(tmp_path)), compress_folder(str(tmp_path))
    assert set(first) == {"a.js"}
    assert first == second  # the same bytes and ETag every start
    assert gzip.decompress(first["a.js"].body) == (tmp_path / "a.js").read_bytes()
