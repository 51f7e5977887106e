"""How wrong a position supplied for a place may be: the place's extent plus the source's error.

A point standing for a place (a campus, a park, a road) is never more accurate than
the place is large; a POI from a map provider marks an entrance or a label, and a
point placed by hand on a web map is as good as the pixels at its zoom. These
numbers are read by the position fixes (:mod:`geo.gis.correction`, :mod:`geo.gis.poi`) and
the locate page. Computation only.
"""

from __future__ import annotations

import math

from geo.errors import ValueRangeError
from geo.limits import ZOOM_FIX, zoom_problem

__all__ = [
    "DEFAULT_EXTENT_M",
    "HAND_PLACED_PX",
    "KIND_EXTENT_M",
    "LINE_OR_AREA_KINDS",
    "POI_ERROR_M",
    "hand_placed_error_m",
    "position_accuracy",
]

#: How far one point standing for a place of each kind can be from any part of it,
#: in metres: about half the size of a typical place of the kind. A position
#: supplied for a place is never more accurate than this (docs/gazetteer.md).
KIND_EXTENT_M: dict[str, float] = {
    "building": 100.0,
    "building-park": 100.0,
    "museum": 100.0,
    "square": 100.0,
    "hospital": 150.0,
    "station": 150.0,
    "research-institute": 150.0,
    "university-school": 150.0,
    "university-campus": 300.0,
    "university-campus-anchored": 300.0,
    "park": 300.0,
    "lake": 300.0,
    "historic-town": 600.0,
    "industrial-park": 1000.0,
    "town": 1000.0,
    "street": 1000.0,
    "subdistrict": 1000.0,
    "area": 1500.0,
    "site": 1500.0,
}
#: Kind extent used for kinds not listed in :data:`KIND_EXTENT_M`.
DEFAULT_EXTENT_M = 300.0
#: Kinds a single point cannot stand for (a long road, the whole district).
LINE_OR_AREA_KINDS: frozenset[str] = frozenset({"road", "district"})
#: Positional error of a web-map POI point (AMap, Baidu) after datum conversion.
POI_ERROR_M = 30.0
#: Pixels by which a point dropped by hand may miss the spot it was meant for.
HAND_PLACED_PX = 10.0


def hand_placed_error_m(zoom: float, lat: float = 29.6) -> float:
    """Return the error of a point dropped by hand on a web map at ``zoom``.

    Parameters
    ----------
    zoom
        The web-map zoom level at which the point was placed.
    lat
        Latitude (degrees), for the Web Mercator ground resolution.

    Returns
    -------
    float
        :data:`HAND_PLACED_PX` pixels at that zoom, in metres (about 21 m at zoom
        16 and 332 m at zoom 12 over Shapingba).

    Raises
    ------
    ValueRangeError
        If ``zoom`` is no number from :data:`geo.limits.MIN_ZOOM` to
        :data:`geo.limits.MAX_ZOOM` (zoom -5 would be an error of 43 000 km).
    """
    if found := zoom_problem(zoom):
        raise ValueRangeError(f"{found} -> fix: {ZOOM_FIX}")
    metres_per_px: float = 156543.03392 * math.cos(math.radians(lat)) / 2.0**zoom
    return HAND_PLACED_PX * metres_per_px


def position_accuracy(kind: str, source_error_m: float | None = None) -> float:
    """Return the ``accuracy_m`` a supplied position gets for a place of ``kind``.

    The error of one point standing for a place is the error of the point itself
    plus how far the place extends from it: a POI point for a campus is not better
    than the campus' size, and a point dropped by hand carries the zoom-level error.

    Parameters
    ----------
    kind
        The place's kind (see :data:`KIND_EXTENT_M`).
    source_error_m
        The point's own error in metres; default :data:`POI_ERROR_M`.

    Returns
    -------
    float
        Extent of the kind plus the source error, rounded up to 10 m; infinite for
        kinds a point cannot locate (:data:`LINE_OR_AREA_KINDS`).
    """
    if kind in LINE_OR_AREA_KINDS:
        return math.inf
    own = POI_ERROR_M if source_error_m is None else max(float(source_error_m), 0.0)
    total = KIND_EXTENT_M.get(kind, DEFAULT_EXTENT_M) + own
    return float(math.ceil(total / 10.0) * 10)
