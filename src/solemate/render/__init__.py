"""Renderers: everything that turns a Timeline into something a person reads, hears or prints.

Built-in renderers register through the same small interface an add-on would use: a name, a media
type, and a function from a Timeline to text or bytes. Live players (terminal, web) consume the same
Timeline but run over time, so they live with their shells.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from solemate.timeline import Timeline


@dataclass(frozen=True)
class Renderer:
    name: str
    media_type: str
    render: Callable[[Timeline], str]
    description: str = ""


_REGISTRY: dict[str, Renderer] = {}


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
    available = renderers()
    if name not in available:
        raise KeyError(f"no renderer {name!r} (available: {', '.join(sorted(available))})")
    return available[name].render(timeline)
