"""The foot map: one foot seen from below (the sole) and from above (the top), mirror images.

It is drawn here, in code, so the web player and the printed sheet show the same shapes and name
the same zones as the Timeline (``toes``, ``ball``, ``arch``, ``heel``, ``top``, ``ankle``, ``calf``,
``solar-plexus``, ``insomnia-point``). Each zone is an element with ``data-zone`` set, so a page can
light the zones being worked by adding a class; the colours come from the page's stylesheet, which
is why the drawing carries classes and no colours.

Both views are of the same foot, so they are mirror images of each other: seen from above, the big
toe of the right foot is on the left (the inner side, towards the other foot); seen from below, as
when you lift the foot and look at its sole, it is on the right. A left foot is the mirror image of
a right one: the page flips each view in place (class ``left`` on the ``<svg>``), and the label
says which foot is drawn (both labels are in the drawing; the stylesheet shows the one that fits).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from solemate.routine import ZONES

__all__ = ["ZONE_IDS", "ZONE_NAMES", "foot_map_svg"]

#: Every zone the Timeline can name, in the order the guide's steps reach them (the routine's list).
ZONE_IDS: tuple[str, ...] = ZONES

#: Short names for labels when no routine text is at hand (the routine's own names are longer).
ZONE_NAMES: dict[str, str] = {
    "toes": "Toes",
    "ball": "Ball of the foot",
    "arch": "Arch",
    "heel": "Heel",
    "top": "Top of the foot",
    "ankle": "Ankle",
    "calf": "Calf",
    "solar-plexus": "Solar plexus point",
    "insomnia-point": "Insomnia point",
}

_WIDTH = 140  # one view
_GAP = 20
_HEIGHT = 284

# (cx, cy, rx, ry) of the five toes from the big toe to the little toe, right foot, seen from above;
# the sole view draws the same shapes mirrored (``_MIRROR``).
_TOES = (
    (36, 38, 15, 20),
    (62, 24, 9.5, 12.5),
    (80, 28, 9, 11.5),
    (96, 37, 8.5, 10.5),
    (110, 50, 7.5, 9),
)

_SOLE = (
    "M 26 62 C 14 84, 14 112, 32 142 C 44 166, 34 196, 34 222 "
    "C 34 264, 100 266, 100 224 C 102 196, 104 170, 106 142 "
    "C 110 112, 124 92, 118 66 C 112 50, 40 44, 26 62 Z"
)
_TOP = (
    "M 26 62 C 16 92, 22 132, 36 172 C 42 190, 44 204, 46 216 L 46 282 L 96 282 L 96 216 "
    "C 98 196, 104 150, 112 118 C 120 92, 124 76, 118 66 C 112 50, 40 44, 26 62 Z"
)
_MIRROR = f"translate({_WIDTH} 0) scale(-1 1)"
_GROOVES = ((50, 66, 57, 160), (71, 60, 66, 162), (88, 66, 76, 162), (104, 76, 86, 158))

# Where each zone's number sits on the printed sheet: (view, x, y); view 0 is the sole, 1 the top;
# x is before the sole's mirroring.
_NUMBER_AT: dict[str, tuple[int, float, float]] = {
    "toes": (0, 62, 26),
    "ball": (0, 86, 80),
    "arch": (0, 78, 146),
    "heel": (0, 76, 236),
    "top": (1, 70, 118),
    "ankle": (1, 70, 205),
    "calf": (1, 70, 256),
    "solar-plexus": (0, 62, 106),
    "insomnia-point": (0, 48, 224),
}


def _zone_class(lit: frozenset[str]) -> dict[str, str]:
    return {zone: "fm-zone lit" if zone in lit else "fm-zone" for zone in ZONE_IDS}


def _toes(prefix: str, z: dict[str, str]) -> str:
    shapes = "".join(
        f'<ellipse cx="{cx}" cy="{cy}" rx="{rx}" ry="{ry}"/>' for cx, cy, rx, ry in _TOES
    )
    return f'<g class="{z["toes"]}" data-zone="toes" id="{prefix}-toes">{shapes}</g>'


def _sole(prefix: str, z: dict[str, str]) -> str:
    clip = f"{prefix}-sole-clip"
    return (
        f'<g transform="{_MIRROR}"><g class="fm-view fm-sole">'
        f'<clipPath id="{clip}"><path d="{_SOLE}"/></clipPath>'
        f'<path class="fm-skin" d="{_SOLE}"/>'
        f'<g clip-path="url(#{clip})">'
        f'<ellipse class="{z["ball"]}" data-zone="ball" cx="68" cy="80" rx="48" ry="17"/>'
        f'<ellipse class="{z["arch"]}" data-zone="arch" cx="70" cy="146" rx="32" ry="40"/>'
        f'<ellipse class="{z["heel"]}" data-zone="heel" cx="67" cy="232" rx="36" ry="30"/>'
        f"</g>"
        f'<circle class="{z["solar-plexus"]} fm-point" data-zone="solar-plexus" cx="64" cy="106" r="7"/>'
        f'<circle class="{z["insomnia-point"]} fm-point" data-zone="insomnia-point" cx="47" cy="224" r="7"/>'
        f"{_toes(prefix + '-s', z)}"
        f"</g></g>"
    )


def _top(prefix: str, z: dict[str, str]) -> str:
    clip = f"{prefix}-top-clip"
    grooves = "".join(
        f'<line class="fm-groove" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>'
        for x1, y1, x2, y2 in _GROOVES
    )
    nails = "".join(
        f'<ellipse class="fm-nail" cx="{cx}" cy="{cy - ry * 0.45:.1f}" rx="{rx * 0.55:.1f}" '
        f'ry="{ry * 0.4:.1f}"/>'
        for cx, cy, rx, ry in _TOES
    )
    return (
        f'<g transform="translate({_WIDTH + _GAP} 0)"><g class="fm-view fm-top">'
        f'<clipPath id="{clip}"><path d="{_TOP}"/></clipPath>'
        f'<path class="fm-skin" d="{_TOP}"/>'
        f'<g clip-path="url(#{clip})">'
        f'<ellipse class="{z["top"]}" data-zone="top" cx="70" cy="116" rx="44" ry="52"/>'
        f'<rect class="{z["ankle"]}" data-zone="ankle" x="20" y="184" width="100" height="40"/>'
        f'<rect class="{z["calf"]}" data-zone="calf" x="20" y="228" width="100" height="60"/>'
        f"</g>"
        f"{grooves}"
        f'<circle class="fm-bone" cx="42" cy="204" r="8"/>'
        f'<circle class="fm-bone" cx="99" cy="212" r="7"/>'
        f"{_toes(prefix + '-t', z)}{nails}"
        f"</g></g>"
    )


def _numbers(numbered: Iterable[str]) -> str:
    out = []
    for n, zone in enumerate(numbered, start=1):
        view, x, y = _NUMBER_AT[zone]
        x = _WIDTH - x if view == 0 else x + _WIDTH + _GAP
        out.append(
            f'<g class="fm-number"><circle cx="{x}" cy="{y}" r="8"/>'
            f'<text x="{x}" y="{y + 3.5}" text-anchor="middle">{n}</text></g>'
        )
    return "".join(out)


def foot_map_svg(
    *,
    prefix: str = "fm",
    foot: str = "right",
    lit: Iterable[str] = (),
    numbered: Iterable[str] = (),
    title: str = "Foot map: the sole (from below) and the top (from above) of the same foot",
) -> str:
    """The two views as one inline ``<svg>``.

    ``prefix`` keeps element ids unique when a page holds more than one map; ``foot="left"``
    mirrors the views; ``lit`` zones get the class ``lit``; ``numbered`` zones get a numbered
    marker (1, 2, … in the order given) for a printed legend.
    """
    if foot not in ("left", "right"):
        raise ValueError(f"foot must be left or right, got {foot!r}")
    z = _zone_class(frozenset(lit))
    middle = _WIDTH + _GAP / 2
    return (
        f'<svg class="footmap{" left" if foot == "left" else ""}" '
        f'viewBox="0 -22 {2 * _WIDTH + _GAP} {_HEIGHT + 40}" role="img" '
        f'aria-labelledby="{prefix}-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{prefix}-title">{escape(title)}</title>'
        f"{_sole(prefix, z)}{_top(prefix, z)}"
        f"{_numbers(numbered)}"
        f'<text class="fm-foot fm-foot-right" x="{middle}" y="-8" text-anchor="middle">'
        f"Right foot</text>"
        f'<text class="fm-foot fm-foot-left" x="{middle}" y="-8" text-anchor="middle">'
        f"Left foot</text>"
        f'<text class="fm-label" x="{_WIDTH / 2}" y="{_HEIGHT + 14}" text-anchor="middle">'
        f"Sole, from below</text>"
        f'<text class="fm-label" x="{_WIDTH * 1.5 + _GAP}" y="{_HEIGHT + 14}" '
        f'text-anchor="middle">Top, from above</text>'
        f"</svg>"
    )
