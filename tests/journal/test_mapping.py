"""The generic mapping between rows, records and the export: same names copied, the rest given."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from solemate.journal.experiment_records import ControlActivity
from solemate.journal.export_format import ControlActivityOut
from solemate.journal.mapping import export_from_row, record_from_row, row_from_export
from solemate.journal.schema import ControlActivityRow, new_uid

NOW = datetime(2026, 3, 1, 21, 0, tzinfo=UTC)


def a_row() -> ControlActivityRow:
    return ControlActivityRow(
        id=7,
        uid=new_uid(),
        person_id=3,
        on_date=date(2026, 3, 1),
        activity="reading",
        minutes=20,
        created_at=NOW,
    )


def test_a_row_becomes_a_record_with_its_person_given() -> None:
    row = a_row()
    record = record_from_row(row, ControlActivity, person="me")
    assert record == ControlActivity(
        id=7,
        uid=row.uid,
        person="me",
        on_date=date(2026, 3, 1),
        activity="reading",
        minutes=20,
        created_at=NOW,
    )


def test_export_and_back_keeps_every_column_but_the_database_id() -> None:
    row = a_row()
    out = export_from_row(row, ControlActivityOut, person=new_uid())
    assert out.id == row.uid
    back = row_from_export(out, ControlActivityRow, person_id=3)
    assert back.id is None
    columns = ("uid", "person_id", "on_date", "activity", "minutes", "created_at")
    assert [getattr(back, c) for c in columns] == [getattr(row, c) for c in columns]


def test_a_field_with_no_source_is_an_error() -> None:
    with pytest.raises(AttributeError, match="person"):
        record_from_row(a_row(), ControlActivity)


def test_a_keyword_that_is_no_field_is_an_error() -> None:
    with pytest.raises(TypeError, match="no field colour"):
        record_from_row(a_row(), ControlActivity, person="me", colour="blue")
