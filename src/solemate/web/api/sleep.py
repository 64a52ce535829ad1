"""The morning sleep diary and daytime naps: ``/api/sleep``, ``/api/naps``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path as PathParam
from fastapi import Query, Response

from solemate.diary import (
    QUESTION,
    QUESTIONS,
    DiaryAnswers,
    is_zone_name,
    read_answers,
    read_nap,
    starting_answers,
)
from solemate.journal import (
    DiaryRecord,
    NapRecord,
)
from solemate.web.api.common import Last, Svc, api_router
from solemate.web.errors import ApiError
from solemate.web.models import (
    IsoDate,
    NapIn,
    NapOut,
    SleepDefaults,
    SleepIn,
    SleepOut,
)
from solemate.web.people import check_own
from solemate.web.services import Services

router = api_router()


def sleep_out(record: DiaryRecord) -> SleepOut:
    e = record.entry
    return SleepOut(
        id=record.id,
        wake_date=e.wake_date,
        zone=e.zone,
        into_bed=e.into_bed,
        tried_to_sleep=e.tried_to_sleep,
        sol_min=e.sol_min,
        awakenings=e.awakenings,
        waso_min=e.waso_min,
        final_awakening=e.final_awakening,
        out_of_bed=e.out_of_bed,
        quality=e.quality,
        quality_label=e.quality_label,
        comments=e.comments,
        tib_min=e.tib_min,
        tst_min=e.tst_min,
        se_pct=round(e.se_pct, 1),
    )


def diary_answers(body: SleepIn) -> DiaryAnswers:
    """The body's answers, read by the diary as the terminal's are (a malformed one is a 422)."""
    texts = {f: getattr(body, f) for f in QUESTION}
    return read_answers(texts, wake_date=body.wake_date, zone=body.zone, comments=body.comments)


def sleep_defaults(svc: Services, wake_date: dt.date) -> SleepDefaults:
    """Yesterday's answers (the latest entry before ``wake_date``); none on the first morning."""
    earlier = [r for r in svc.journal.diary(last=14) if r.entry.wake_date < wake_date]
    last = earlier[-1].entry if earlier else None
    start = starting_answers(last)
    return SleepDefaults(
        wake_date=wake_date,
        **{
            f: (start[f] or None) if q.kind == "time" else _whole(start[f])
            for f, q in QUESTION.items()
        },
        hints={q.field: q.hint for q in QUESTIONS},
        from_date=last.wake_date if last else None,
    )


def _whole(text: str) -> int | None:
    return int(text) if text else None


def nap_out(record: NapRecord) -> NapOut:
    return NapOut(
        id=record.id,
        on_date=record.on_date,
        zone=record.zone,
        start=record.start,
        end=record.end,
        minutes=record.minutes,
    )


@router.get("/naps", response_model=list[NapOut], tags=["sleep"])
def list_naps(svc: Svc, last: Last = None) -> list[NapOut]:
    """Daytime naps, oldest first: kept apart from the nights and never in their figures."""
    return [nap_out(r) for r in svc.journal.naps(last=last)]


@router.post("/naps", response_model=NapOut, status_code=201, tags=["sleep"])
def add_nap(body: NapIn, svc: Svc) -> NapOut:
    """A daytime nap (in and out of bed on one day between 09:00 and 20:00)."""
    today = svc.journal.today_in(body.zone) if is_zone_name(body.zone) else svc.today()
    nap = read_nap(body.on_date, body.zone, body.start, body.end, today=today)
    return nap_out(svc.journal.add_nap(nap))


@router.delete("/naps/{nap_id}", status_code=204, tags=["sleep"])
def delete_nap(nap_id: Annotated[int, PathParam(ge=1, le=2_147_483_647)], svc: Svc) -> Response:
    check_own(svc.journal, svc.here, "nap", nap_id)
    svc.journal.delete_entry("nap", nap_id)
    return Response(status_code=204)


@router.get("/sleep", response_model=list[SleepOut], tags=["sleep"])
def list_sleep(svc: Svc, last: Last = None) -> list[SleepOut]:
    """Diary entries by wake date, oldest first, with TIB, TST and SE."""
    return [sleep_out(r) for r in svc.journal.diary(last=last)]


@router.get("/sleep/defaults", response_model=SleepDefaults, tags=["sleep"])
def get_sleep_defaults(
    svc: Svc, wake_date: Annotated[IsoDate | None, Query()] = None
) -> SleepDefaults:
    """Sensible answers to start from: the last night's, or a typical night's."""
    return sleep_defaults(svc, wake_date or svc.today())


@router.post("/sleep", response_model=SleepOut, status_code=201, tags=["sleep"])
def add_sleep(body: SleepIn, svc: Svc) -> SleepOut:
    """This morning's diary (one entry per wake date)."""
    return sleep_out(svc.journal.add_diary(diary_answers(body)))


@router.get("/sleep/{wake_date}", response_model=SleepOut, tags=["sleep"])
def get_sleep(wake_date: IsoDate, svc: Svc) -> SleepOut:
    record = svc.journal.diary_entry(wake_date)
    if record is None:
        raise ApiError(404, "wake_date", f"no diary entry for {wake_date}")
    return sleep_out(record)


@router.put("/sleep/{wake_date}", response_model=SleepOut, tags=["sleep"])
def edit_sleep(wake_date: IsoDate, body: SleepIn, svc: Svc) -> SleepOut:
    """Replace the answers of a night (they may move it to another wake date)."""
    return sleep_out(svc.journal.edit_diary(wake_date, diary_answers(body)))


@router.delete("/sleep/{wake_date}", status_code=204, tags=["sleep"])
def delete_sleep(wake_date: IsoDate, svc: Svc) -> Response:
    svc.journal.delete_diary(wake_date)
    return Response(status_code=204)
