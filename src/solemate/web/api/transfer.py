"""The journal out and back in: ``/api/export``, ``/api/import``, ``/api/backup``."""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

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

router = api_router()

_EXPORT_IN_MEMORY = 1 << 20
_EXPORT_CHUNK = 1 << 16


@router.get("/export", tags=["journal"])
def export(svc: Svc, download: bool = False) -> Response:
    """Everything in the journal as one versioned JSON document (import takes it back)."""
    check_whole_journal(svc.here)
    # Written whole before the answer starts (an error is still an error answer, not a cut-off
    # document), into a file past the first megabyte: a server's memory does not grow with the
    # journal it exports.
    spool = tempfile.SpooledTemporaryFile(max_size=_EXPORT_IN_MEMORY)  # noqa: SIM115 (closed after)
    try:
        svc.journal.write_export_json(spool)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    headers = {"content-length": str(size)}
    if download:
        name = f"solemate-export-{svc.today().isoformat()}.json"
        headers["content-disposition"] = f'attachment; filename="{name}"'
    return StreamingResponse(
        iter(functools.partial(spool.read, _EXPORT_CHUNK), b""),
        media_type="application/json",
        headers=headers,
        background=BackgroundTask(spool.close),
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
