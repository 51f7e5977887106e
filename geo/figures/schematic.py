"""Schematic positions: features known to within a few km, laid out around their anchor.

A feature at the ``schematic`` level of :mod:`geo.data.placement` is known to lie near a
position (its *anchor*, the point the gazetteer gives) to within ``accuracy_m``.
It is drawn as its own symbol, not on the anchor as if located there: the features
of one anchor are arranged on rings around it, in metres (so the layout does not
depend on the screen), ``spacing_m`` apart from each other and from every located
point of the figure. One disc per anchor shows how far the true positions may be.

The layout is deterministic: anchors are taken in the order of their smallest
feature id, features within an anchor by id, and each goes to the first free slot
of the rings (the anchor itself, then 6, 12, 18 … slots, clockwise from north)
inside the district; where the district is full at the figure's spacing, the rings
close up (:data:`SHRINK`) rather than set a symbol outside it.

Computation only, in :data:`geo.data.crs.METRIC_CRS` (EPSG:4544).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

__all__ = [
    "DEFAULT_SPACING_M",
    "Disc",
    "Slot",
    "layout",
]

#: Distance between the centres of two symbols, in metres: 19 px at the opening
#: view of a phone (the district's 33 km north-south in about 355 px, 93 m per
#: pixel), more than a symbol (14 px) and the points' cluster radius (16 px).
DEFAULT_SPACING_M: float = 1800.0
#: Rings tried around an anchor before a feature is set on the last one regardless.
MAX_RINGS = 12
#: When the area is full at the figure's spacing (the overview draws every layer at
#: once), the rings are tried again this much closer together, still inside the area,
#: before a symbol is set outside it, where it would seem to lie beyond the district.
SHRINK: tuple[float, ...] = (0.75, 0.5, 1 / 3)


@dataclass(frozen=True)
class Slot:
    """Where one schematic feature is drawn.

    Attributes
    ----------
    id
        Feature id.
    x, y
        Drawn position (metres).
    anchor
        The anchor (metres) the feature is known to lie near.
    """

    id: str
    x: float
    y: float
    anchor: tuple[float, float]


@dataclass(frozen=True)
class Disc:
    """The uncertainty of one anchor group.

    Attributes
    ----------
    x, y
        The anchor (metres).
    radius_m
        The largest ``accuracy_m`` of its features.
    ids
        Its features, sorted.
    """

    x: float
    y: float
    radius_m: float
    ids: tuple[str, ...]


def _ring(k: int, spacing: float) -> list[tuple[float, float]]:
    """Offsets of ring ``k`` (0 is the anchor itself), clockwise from north."""
    if k == 0:
        return [(0.0, 0.0)]
    n = 6 * k
    r = k * spacing
    return [
        (r * math.sin(2 * math.pi * i / n), r * math.cos(2 * math.pi * i / n)) for i in range(n)
    ]


def _free(x: float, y: float, taken: list[tuple[float, float]], spacing: float) -> bool:
    if not taken:
        return True
    arr = np.asarray(taken)
    return bool((np.hypot(arr[:, 0] - x, arr[:, 1] - y) >= spacing - 1e-6).all())


def layout(
    items: list[tuple[str, float, float, float]],
    fixed: list[tuple[float, float]] = (),  # type: ignore[assignment]
    spacing_m: float = DEFAULT_SPACING_M,
    inside: Any = None,
) -> tuple[list[Slot], list[Disc]]:
    """Lay out schematic features around their anchors.

    Parameters
    ----------
    items
        The schematic features: id, anchor position in metres, accuracy in metres.
    fixed
        Symbols already drawn (the located points): no schematic symbol comes closer
        than ``spacing_m`` to one.
    spacing_m
        Smallest distance between two symbols' centres.
    inside
        The area slots must lie in (the district, in metres): a slot outside it is
        skipped. When no slot inside is free, the rings are tried closer together
        (:data:`SHRINK`), and only then outside.

    Returns
    -------
    tuple of (list of Slot, list of Disc)
        One slot per item (sorted by id) and one disc per anchor.
    """
    groups: dict[tuple[float, float], list[tuple[str, float]]] = {}
    for fid, x, y, acc in items:
        groups.setdefault((round(x, 0), round(y, 0)), []).append((str(fid), float(acc)))
    order = sorted(groups.items(), key=lambda kv: min(m[0] for m in kv[1]))
    taken = [(float(x), float(y)) for x, y in fixed]
    slots: list[Slot] = []
    discs: list[Disc] = []
    for (ax, ay), members in order:
        members.sort()
        for fid, _ in members:
            x, y = _first_free(ax, ay, taken, spacing_m, inside)
            taken.append((x, y))
            slots.append(Slot(fid, x, y, (ax, ay)))
        radius = max(acc for _, acc in members)
        discs.append(Disc(ax, ay, radius, tuple(fid for fid, _ in members)))
    slots.sort(key=lambda s: s.id)
    return slots, discs


def _first_free(
    ax: float, ay: float, taken: list[tuple[float, float]], spacing: float, inside: Any = None
) -> tuple[float, float]:
    for step in (spacing, *(spacing * f for f in SHRINK)) if inside is not None else (spacing,):
        found = _free_slot(ax, ay, taken, step, inside)
        if found is not None:
            return found
    # every slot of every ring is taken: one more ring, each slot nudged outwards
    k = MAX_RINGS + 1
    while True:
        for dx, dy in _ring(k, spacing):
            if _free(ax + dx, ay + dy, taken, spacing):
                return ax + dx, ay + dy
        k += 1


def _free_slot(
    ax: float, ay: float, taken: list[tuple[float, float]], spacing: float, inside: Any
) -> tuple[float, float] | None:
    """Return the first free slot of the rings at ``spacing`` inside ``inside``, or None."""
    for k in range(MAX_RINGS + 1):
        for dx, dy in _ring(k, spacing):
            x, y = ax + dx, ay + dy
            ok = inside is None or inside.contains(shapely.Point(x, y))
            if ok and _free(x, y, taken, spacing):
                return x, y
    return None
