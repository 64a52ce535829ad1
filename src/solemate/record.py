"""``@record(frozen=True)``: ``@dataclass(frozen=True)`` without compiling methods at import.

``dataclasses`` writes each class's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__`` and ``__delattr__`` as source text and compiles it: about 60 µs a method, which
for the journal's records, the diary's entries and the settings cost more than reading a journal.
:func:`record` gives the same behaviour from the fields: the same arguments and defaults
(factories called afresh), equality of instances of one class on the compared fields in order,
the repr, the hash of the compared fields and :class:`dataclasses.FrozenInstanceError` on
assignment; with ``eq=False`` the class's own ``__eq__`` and ``__hash__`` stay. The class is a
dataclass (``fields``, ``replace``, ``asdict``) whose parameters say so; a test compares each
class made so with the class ``@dataclass`` makes from the same body.

Modules import it for run time only; type checkers are shown ``dataclass`` itself::

    if TYPE_CHECKING:
        from dataclasses import dataclass as record
    else:
        from solemate.record import record
"""

from __future__ import annotations

import dataclasses
import operator
import reprlib
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["record"]

_Class = TypeVar("_Class")


def record(*, frozen: bool, eq: bool = True) -> Callable[[type[_Class]], type[_Class]]:
    """The decorator ``@dataclass(frozen=True, eq=eq)`` would be, for a class without
    ``__post_init__`` or fields left out of ``__init__``."""
    if not frozen:
        raise TypeError("record makes frozen classes only")

    def made(cls: type[_Class]) -> type[_Class]:
        if "__post_init__" in cls.__dict__:
            raise TypeError(f"{cls.__name__}: record does not call __post_init__")
        if not cls.__doc__:  # as dataclass writes it, without asking inspect for the signature
            shown = ", ".join(_shown_field(cls, name) for name in cls.__annotations__)
            cls.__doc__ = f"{cls.__name__}({shown})"
        result: type[_Class] = dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
        params = result.__dataclass_params__  # type: ignore[attr-defined]
        params.init = params.repr = params.frozen = True
        params.eq = eq
        for name, method in _methods(result, eq).items():
            setattr(result, name, method)
        return result

    return made


def _shown_field(cls: type, name: str) -> str:
    shown = f"{name}: {cls.__annotations__[name]!r}"
    default = cls.__dict__.get(name, dataclasses.MISSING)
    return shown if default is dataclasses.MISSING else f"{shown} = {default!r}"


def _methods(cls: type[Any], eq: bool) -> dict[str, Callable[..., Any]]:
    """The methods ``@dataclass(frozen=True, eq=eq)`` would write for the dataclass ``cls``."""
    fields = dataclasses.fields(cls)
    if not all(f.init for f in fields):
        raise TypeError(f"{cls.__name__}: record fills every field from __init__")
    names = tuple(f.name for f in fields)
    known = frozenset(names)
    count = len(names)
    shown = tuple(f.name for f in fields if f.repr)
    compared = tuple(f.name for f in fields if f.compare)
    hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))

    def values_of(chosen: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
        if len(chosen) == 1:
            one = operator.attrgetter(chosen[0])
            return lambda obj: (one(obj),)
        return operator.attrgetter(*chosen) if chosen else lambda obj: ()

    compared_of, hashed_of = values_of(compared), values_of(hashed)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) == count and not kwargs:
            self.__dict__.update(zip(names, args, strict=True))
            return
        if not args and len(kwargs) == count:  # every field by name, as the journal builds them
            if tuple(kwargs) == names:
                self.__dict__.update(kwargs)
                return
            if kwargs.keys() == known:
                self.__dict__.update((name, kwargs[name]) for name in names)
                return
        if len(args) > count:
            raise TypeError(
                f"__init__() takes {count + 1} positional arguments but {len(args) + 1} were given"
            )
        values = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in known:
                raise TypeError(f"__init__() got an unexpected keyword argument {key!r}")
            if key in values:
                raise TypeError(f"__init__() got multiple values for argument {key!r}")
            values[key] = value
        for f in fields:
            if f.name in values:
                continue
            if f.default is not dataclasses.MISSING:
                values[f.name] = f.default
            elif f.default_factory is not dataclasses.MISSING:
                values[f.name] = f.default_factory()
            else:
                raise TypeError(f"__init__() missing required argument: {f.name!r}")
        self.__dict__.update((name, values[name]) for name in names)

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        inside = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({inside})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return bool(compared_of(self) == compared_of(other))
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hashed_of(self))

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in known:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in known:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    methods: list[Callable[..., Any]] = [__init__, __repr__, __setattr__, __delattr__]
    if eq:
        methods += [__eq__, __hash__]
    for method in methods:
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
    return {method.__name__: method for method in methods}
