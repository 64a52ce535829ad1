"""One generic mapping between a table's rows, its immutable records and its export model.

The three shapes of an entry share their field names: a column ``screened_on`` is the record's
``screened_on`` and the export's ``screened_on``. Each function below copies every field of the
target from the attribute of the same name on the source, and takes the rest as keywords: the
identities (``id`` is the row's integer in a record, its ``uid`` in the export), the people and
sessions referred to, and the few values stored in another form (a diary time on its own clock).

A target field with neither a source attribute nor a keyword raises :class:`AttributeError`, and a
keyword that is not a target field raises :class:`TypeError`, so a column added to one shape and
not another is noticed at once. Worked example::

    record_from_row(row, ControlActivity, person=names[row.person_id])
    # == ControlActivity(id=row.id, uid=row.uid, person=..., on_date=row.on_date, ...)
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import inspect

from solemate.journal.export_format import ExportRow
from solemate.journal.schema import Keyed

__all__ = ["export_from_row", "record_from_row", "row_from_export"]

_R = TypeVar("_R")
_M = TypeVar("_M", bound=BaseModel)
_T = TypeVar("_T", bound=Keyed)


def record_from_row(row: Keyed, record: type[_R], /, **given: Any) -> _R:
    """An immutable record (a dataclass) from a row: ``id`` and ``uid`` and every same-named field."""
    names = _init_fields(record)  # type: ignore[arg-type]  # a dataclass type is hashable
    return record(**_values(row, names, given, record))


@functools.cache
def _init_fields(record: type) -> tuple[str, ...]:
    """A record's constructor fields, in order (looked up once per class: reading ten years of
    sessions asks for them thousands of times)."""
    return tuple(f.name for f in dataclasses.fields(record) if f.init)


def export_from_row(row: Keyed, model: type[_M], /, **given: Any) -> _M:
    """A row's export model: ``id`` is the row's ``uid``, the other fields by name or ``given``."""
    return model(**_values(row, model.model_fields, {"id": row.uid, **given}, model))


def row_from_export(out: ExportRow, table: type[_T], /, **given: Any) -> _T:
    """A new row from an export model: ``uid`` is the model's ``id``; the row's ``id`` is left to
    the database; the other columns by name or ``given``."""
    columns = [prop.key for prop in inspect(table).column_attrs if prop.key != "id"]
    return table(**_values(out, columns, {"uid": out.id, **given}, table))


def _values(
    source: object, names: Collection[str], given: Mapping[str, Any], target: type
) -> dict[str, Any]:
    unknown = [name for name in given if name not in names]
    if unknown:
        raise TypeError(f"{target.__name__} has no field {', '.join(sorted(unknown))}")
    return {name: given[name] if name in given else getattr(source, name) for name in names}
