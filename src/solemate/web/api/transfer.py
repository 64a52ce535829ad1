"""The journal out and back in: ``/api/export``, ``/api/import``, ``/api/backup``."""

from __future__ import annotations

import functools
import io
import shutil
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

from fastapi import Body
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from solemate.journal import (
    ImportRefused,
    JournalError,
)
from solemate.web.api.common import Svc, api_router
from solemate.web.errors import ApiError
from solemate.web.models import (
    ImportOut,
)
from solemate.web.people import check_whole_journal

if TYPE_CHECKING:
    from solemate.web.services import Services

router = api_router()

_EXPORT_IN_MEMORY = 1 << 20
_EXPORT_CHUNK = 1 << 16


@router.get("/export", tags=["journal"])
def export(svc: Svc, download: bool = False) -> Response:
    """Everything in the journal as one versioned JSON document (import takes it back)."""
    check_whole_journal(svc.here)
    document = _written_export(svc)
    size = document.tell()
    document.seek(0)
    headers = {"content-length": str(size)}
    if download:
        name = f"solemate-export-{svc.today().isoformat()}.json"
        headers["content-disposition"] = f'attachment; filename="{name}"'
    return StreamingResponse(
        iter(functools.partial(document.read, _EXPORT_CHUNK), b""),
        media_type="application/json",
        headers=headers,
        background=BackgroundTask(document.close),
    )


@router.post("/import", response_model=ImportOut, tags=["journal"])
def import_(
    svc: Svc,
    data: Annotated[dict[str, Any], Body(description="A document from GET /api/export.")],
    skip_bad: bool = False,
) -> ImportOut:
    """Import an export, all or nothing (or only its good rows with ``skip_bad``)."""
    check_whole_journal(svc.here)
    try:
        report = svc.journal.import_export(data, skip_bad=skip_bad)
    except ImportRefused:
        raise
    except JournalError as error:
        raise ApiError(422, "data", error.message) from None
    return ImportOut(
        added=dict(report.added),
        unchanged=dict(report.unchanged),
        skipped=[str(p) for p in report.skipped],
    )


@router.get(
    "/backup",
    tags=["journal"],
    responses={
        200: {"description": "A SQLite database file, or the JSON export on other databases."}
    },
)
def backup(svc: Svc) -> FileResponse:
    """A consistent copy of the journal to download and keep."""
    check_whole_journal(svc.here)
    folder = Path(tempfile.mkdtemp(prefix="solemate-backup-"))
    sqlite = svc.journal.dialect == "sqlite"
    name = f"solemate-backup-{svc.today().isoformat()}.{'sqlite3' if sqlite else 'json'}"
    try:
        path = svc.journal.backup(folder / name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        path,
        filename=name,
        media_type="application/vnd.sqlite3" if sqlite else "application/json",
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


class _NoRoom(Exception):
    """The export's temporary file could not be written (its folder is full or read-only)."""


class _Spool(tempfile.SpooledTemporaryFile[bytes]):
    """Kept in memory up to a size, then a temporary file. A failure to write it is not the
    journal's: it is raised as :class:`_NoRoom`, which the journal does not take for a problem
    with its own storage."""

    def write(self, s: bytes) -> int:  # type: ignore[override]
        try:
            return super().write(s)
        except OSError as exc:
            raise _NoRoom from exc


def _written_export(svc: Services) -> IO[bytes]:
    """The export written whole before the answer starts (an error is still an error answer, not
    a cut-off document), into a temporary file past the first megabyte, so a server's memory
    does not grow with the journal it exports; in memory when no temporary file can be made (a
    full or read-only disk must not stop a person taking their journal out)."""
    spool = _Spool(max_size=_EXPORT_IN_MEMORY)
    try:
        svc.journal.write_export_json(spool)
    except _NoRoom:
        spool.close()
        memory = io.BytesIO()
        svc.journal.write_export_json(memory)
        return memory
    except BaseException:
        spool.close()
        raise
    return spool
