"""Renderers: everything that turns a Timeline into something a person reads, hears or prints.

Built-in renderers register through the same small interface an add-on would use: a name, a media
type, and a function from a Timeline to text or bytes. Live players (terminal, web) consume the same
Timeline but run over time, so they live with their shells.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the insights and experiment views import this package without a Timeline
    from solemate.timeline import Timeline


@dataclass(frozen=True)
class Renderer:
    """A way to show a Timeline (text, markdown, JSON, printable sheet) and its media type."""

    name: str
    media_type: str
    render: Callable[[Timeline], str]
    description: str = ""


_REGISTRY: dict[str, Renderer] = {}

#: The module registering each built-in renderer, so that rendering one imports only its own
#: (the printable sheet's imports cost more than a text plan takes to make).
_BUILT_IN = {"text": "schedule", "markdown": "schedule", "json": "schedule", "print": "printable"}


def register(renderer: Renderer) -> Renderer:
    if renderer.name in _REGISTRY:
        raise ValueError(f"a renderer named {renderer.name!r} is already registered")
    _REGISTRY[renderer.name] = renderer
    return renderer


def renderers() -> dict[str, Renderer]:
    """Every registered renderer by name (the built-in ones are registered on first call)."""
    from solemate.render import printable, schedule  # noqa: F401  (text, markdown, json, print)

    return dict(_REGISTRY)


def render(name: str, timeline: Timeline) -> str:
    if name in _BUILT_IN and name not in _REGISTRY:
        importlib.import_module(f"solemate.render.{_BUILT_IN[name]}")
    found = _REGISTRY.get(name)
    if found is None:
        available = renderers()
        if name not in available:
            raise KeyError(f"no renderer {name!r} (available: {', '.join(sorted(available))})")
        found = available[name]
    return found.render(timeline)
