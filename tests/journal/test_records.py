"""The journal's records (and the diary's and settings' classes) behave as the dataclasses
``@dataclass(frozen=True)`` makes, field for field.

``solemate.record`` builds their methods from the fields instead of compiling them (see its
docstring); these tests compare each class with the one the dataclass decorator makes from the
same body.
"""

from __future__ import annotations

import dataclasses
import inspect
from datetime import UTC, date, datetime
from typing import Any

import pytest

from solemate.diary import entry
from solemate.journal import records
from solemate.settings import Settings

RECORDS = [
    value
    for module in (records, entry)
    for value in vars(module).values()
    if isinstance(value, type)
    and dataclasses.is_dataclass(value)
    and value.__module__ == module.__name__
] + [Settings]


def _reference(cls: type) -> type:
    """``cls`` as ``@dataclass(frozen=True)`` makes it from the same annotations and defaults."""
    body: dict[str, Any] = {
        "__annotations__": dict(cls.__annotations__),
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
    }
    for f in dataclasses.fields(cls):
        body[f.name] = dataclasses.field(
            default=f.default,
            default_factory=f.default_factory,
            repr=f.repr,
            hash=f.hash,
            compare=f.compare,
        )
    made = type(cls.__name__, (), body)
    if cls.__doc__ is not None and not cls.__doc__.startswith(f"{cls.__name__}("):
        made.__doc__ = cls.__doc__
    eq = cls.__dataclass_params__.eq  # type: ignore[attr-defined]
    return dataclasses.dataclass(frozen=True, eq=eq)(made)


def _values(cls: type, seed: int) -> list[Any]:
    return [(seed, f.name) for f in dataclasses.fields(cls)]


def test_there_are_records() -> None:
    assert len(RECORDS) >= 17
    assert entry.DiaryEntry in RECORDS


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_a_record_is_the_frozen_dataclass(cls: type) -> None:
    ref = _reference(cls)
    ours_fields = [
        (f.name, f.type, f.default, f.default_factory, f.init, f.repr, f.hash, f.compare)
        for f in dataclasses.fields(cls)
    ]
    ref_fields = [
        (f.name, f.type, f.default, f.default_factory, f.init, f.repr, f.hash, f.compare)
        for f in dataclasses.fields(ref)
    ]
    assert ours_fields == ref_fields
    assert cls.__doc__ == ref.__doc__
    assert cls.__match_args__ == ref.__match_args__  # type: ignore[attr-defined]
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    assert repr(params) == repr(ref.__dataclass_params__)  # type: ignore[attr-defined]

    values, others = _values(cls, 1), _values(cls, 2)
    ours, theirs = cls(*values), ref(*values)
    assert repr(ours) == repr(theirs)
    if params.eq:  # else the class's own (DiaryEntry compares instants)
        assert hash(ours) == hash(theirs)
        assert ours == cls(*values)
        assert ours != cls(*others)
        assert ours != theirs
        assert ours.__eq__(theirs) is NotImplemented
        compared = [f.name for f in dataclasses.fields(cls) if f.compare]
        apart = [f.name for f in dataclasses.fields(cls) if not f.compare]
        for name in apart:  # a field left out of comparison, as Settings.sources
            other = dataclasses.replace(ours, **{name: "else"})
            assert other == ours
            assert hash(other) == hash(ours)
        assert compared
    names = [f.name for f in dataclasses.fields(cls)]
    assert repr(cls(**dict(zip(names, values, strict=True)))) == repr(ours)
    backwards = cls(**dict(reversed(list(zip(names, values, strict=True)))))
    assert repr(backwards) == repr(ours)
    assert list(vars(backwards)) == names
    assert dataclasses.asdict(ours) == dataclasses.asdict(theirs)
    assert dataclasses.astuple(ours) == dataclasses.astuple(theirs)
    assert list(vars(ours)) == list(vars(theirs))
    changed = dataclasses.replace(ours, **{names[0]: "other"})
    assert getattr(changed, names[0]) == "other"
    assert type(changed) is cls
    for obj in (ours, theirs):
        with pytest.raises(dataclasses.FrozenInstanceError, match=names[0]):
            setattr(obj, names[0], 3)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(obj, names[-1])
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj.unknown = 1


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_wrong_arguments_are_refused_alike(cls: type) -> None:
    ref = _reference(cls)
    values = _values(cls, 1)
    required = sum(
        f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        for f in dataclasses.fields(cls)
    )
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        ((*values, 0), {}),
        ((*values,), {"nonsense": 1}),
        ((*values,), {dataclasses.fields(cls)[0].name: 1}),
    ]
    if required:
        calls.append((tuple(values[: required - 1]), {}))
    for args, kwargs in calls:
        for made in (cls, ref):
            with pytest.raises(TypeError):
                made(*args, **kwargs)


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_defaults_are_filled_alike(cls: type) -> None:
    ref = _reference(cls)
    fields = dataclasses.fields(cls)
    required = [
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    given = {name: (1, name) for name in required}
    ours, theirs = cls(**given), ref(**given)
    assert repr(ours) == repr(theirs)
    for f in fields:
        if f.default_factory is not dataclasses.MISSING:  # a fresh value each time, as there
            assert getattr(ours, f.name) is not getattr(cls(**given), f.name)


def test_equal_fields_compare_as_a_tuple_does() -> None:
    nan = float("nan")
    when = datetime(2024, 1, 1, tzinfo=UTC)
    one = records.Note(1, "u", "p", None, when, "x")
    assert one == records.Note(1, "u", "p", None, when, "x")
    weird: Any = records.ControlActivity(1, "u", "p", date(2024, 1, 1), "walk", nan, when)  # type: ignore[arg-type]
    assert weird == weird  # the same nan object: equal, as in a tuple
    assert weird != dataclasses.replace(weird, minutes=float("nan"))


def test_a_record_says_what_it_takes() -> None:
    """``help()`` shows the fields (the class docstring names them, as the dataclass one does)."""
    assert "created_at" in (records.Person.__doc__ or "")
    assert inspect.isfunction(records.Person.__init__)
