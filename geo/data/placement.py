"""The placement rule: a position is shown only as precisely as it is known.

Every figure, derived zone and report row asks the same question of a feature: is
its position good enough to be drawn (or measured) as a point at this scale? The
answer is one of four levels:

``point``
    ``accuracy_m`` is within the limit: draw the feature where it is.
``schematic``
    Known to within a few kilometres (``accuracy_m`` above the point limit, at most
    the schematic limit): drawn as its own hollow, dashed symbol laid out around the
    position it is known to lie near (:mod:`geo.figures.schematic`), never as a located point.
``area``
    Coarser still, but the feature is known to lie in a named area
    (its ``within`` property: a gazetteer place or zone that is itself precise
    enough, e.g. ``大学城``): count it on that area, never draw it as a point.
``unlocated``
    Known only to be somewhere in the district: list it, never draw it.

Computation only; nothing here reads the disk.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geo.errors import ValueRangeError

if TYPE_CHECKING:
    from geo.data.catalog import Catalog

__all__ = [
    "AREA_KINDS",
    "DEFAULT_MAX_ACCURACY_M",
    "DEFAULT_SCHEMATIC_ACCURACY_M",
    "DISTRICT_NAMES",
    "WITHIN_MAX_ACCURACY_M",
    "ZONE_RULES",
    "Placement",
    "is_zone_id",
    "placement",
    "precise_enough",
    "within_of",
    "zone_ids",
]

#: Default limit for drawing a point on a district-scale figure, in metres: the one
#: declared threshold of "located". A figure's own is
#: :attr:`geo.figures.specs.FigureSpec.max_accuracy_m` (this by default); what is about
#: no one figure (the report, the claims, derived zones) uses this. Every consumer
#: asks :func:`precise_enough`, which reads it when called.
DEFAULT_MAX_ACCURACY_M: float = 1000.0

#: Default limit for drawing a feature schematically (its own symbol near where it is
#: known to lie), in metres; coarser features are counted on an area or listed.
DEFAULT_SCHEMATIC_ACCURACY_M: float = 5000.0

#: ``within`` values that say no more than "somewhere in the district".
DISTRICT_NAMES: frozenset[str] = frozenset({"", "沙坪坝区", "district", "shapingba"})

#: A gazetteer place named in ``within`` is drawn as an area (a count badge): it must
#: be an area of one of these kinds ...
AREA_KINDS: frozenset[str] = frozenset(
    {
        "area",
        "historic-town",
        "hospital",
        "industrial-park",
        "park",
        "site",
        "street",
        "subdistrict",
        "town",
        "university-campus",
        "university-campus-anchored",
    }
)
#: ... known to within this many metres: a badge on a ±3 km area still reads right
#: on a district of 30 km, a point of that quality would not.
WITHIN_MAX_ACCURACY_M: float = 3000.0

#: Derived-layer rules whose zones may be named in ``within``: built from lines and
#: the district only, never from point members, so no zone depends on what it holds.
ZONE_RULES: frozenset[str] = frozenset({"cities", "screens", "belts", "ridge_side"})

_ZONE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def is_zone_id(within: str) -> bool:
    """Return whether a ``within`` value names a derived zone (a lower-case slug id).

    Parameters
    ----------
    within
        A ``within`` value; gazetteer places are named in Chinese, zones by id
        (``city-east``, ``belt-jialing``).

    Returns
    -------
    bool
    """
    text = str(within).strip()
    return bool(_ZONE_ID.match(text)) and text.lower() not in DISTRICT_NAMES


def _feature_specs(params: Any) -> Iterator[Mapping[str, Any]]:
    """Yield every feature spec (a mapping with ``id`` and ``name_zh``) in rule params."""
    if isinstance(params, Mapping):
        if "id" in params and "name_zh" in params:
            yield params
        for value in params.values():
            yield from _feature_specs(value)
    elif isinstance(params, list | tuple):
        for value in params:
            yield from _feature_specs(value)


def zone_ids(catalog: Catalog) -> dict[str, str]:
    """Return the zone ids a ``within`` may name, each with its layer id.

    Parameters
    ----------
    catalog
        The layer catalog; zones are the features of derived layers whose rule is in
        :data:`ZONE_RULES` (the two cities, the screens, the belts, context zones).

    Returns
    -------
    dict of str to str
        Zone feature id to the id of the derived layer that holds it.
    """
    out: dict[str, str] = {}
    for spec in catalog:
        if spec.derived and spec.derived.get("rule") in ZONE_RULES:
            for feat in _feature_specs(spec.derived.get("params", {})):
                out[str(feat["id"])] = spec.id
    return out


class Placement(StrEnum):
    """How precisely a feature can be shown."""

    POINT = "point"
    SCHEMATIC = "schematic"
    AREA = "area"
    UNLOCATED = "unlocated"


def precise_enough(features: Any, max_accuracy_m: float | None = None) -> Any:
    """Return whether a position is known well enough to be drawn or used as a point.

    The one test of "located" that every figure, print, report, claim check and
    derived rule applies: ``accuracy_m`` present, finite and at most the limit.

    Parameters
    ----------
    features
        Features with an ``accuracy_m`` column (metres; a frame without one is
        never precise enough), a Series of accuracies, or one accuracy. A missing or
        non-finite accuracy is never precise enough.
    max_accuracy_m
        The largest positional error the question tolerates, in metres: a figure's
        :attr:`geo.figures.specs.FigureSpec.max_accuracy_m`; default
        :data:`DEFAULT_MAX_ACCURACY_M` (read when called), for questions about no
        one figure (the report, the claims, derived zones).

    Returns
    -------
    pandas.Series or bool
        For a frame or Series: boolean, named ``precise_enough``, aligned to its
        index; for one number: a bool.

    Raises
    ------
    ValueRangeError
        If ``max_accuracy_m`` is not a positive finite number (a ``ValueError``).
    """
    limit = DEFAULT_MAX_ACCURACY_M if max_accuracy_m is None else max_accuracy_m
    if not (isinstance(limit, int | float) and math.isfinite(limit)) or limit <= 0:
        raise ValueRangeError(
            f"max_accuracy_m must be a positive number of metres, got {limit!r}: give e.g. 500"
        )
    if isinstance(features, pd.DataFrame):
        if "accuracy_m" not in features.columns:
            return pd.Series(False, index=features.index, name="precise_enough")
        features = features["accuracy_m"]
    if isinstance(features, pd.Series):
        acc = pd.to_numeric(features, errors="coerce")
        return (acc.notna() & (acc <= limit)).rename("precise_enough")
    try:
        value = float(features)
    except (TypeError, ValueError):
        return False
    return math.isfinite(value) and value <= limit


def within_of(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Return each feature's ``within`` (the area it is known to lie in), stripped.

    ``within`` is optional: gazetteer points carry it, a layer whose points have
    their own coordinates (one added with ``geo add-layer``) usually does not. This
    is the one reader of the column, so no caller assumes it is there.

    Parameters
    ----------
    gdf
        Any features.

    Returns
    -------
    pandas.Series
        Text aligned to ``gdf.index``; ``""`` where the column or the value is missing.
    """
    if "within" not in gdf.columns:
        return pd.Series("", index=gdf.index, dtype=object, name="within")
    return gdf["within"].fillna("").astype(str).str.strip()


def placement(
    gdf: gpd.GeoDataFrame,
    max_accuracy_m: float | None = None,
    schematic_accuracy_m: float = DEFAULT_SCHEMATIC_ACCURACY_M,
) -> pd.Series:
    """Return the placement level of every feature.

    Parameters
    ----------
    gdf
        Features with ``accuracy_m`` and, optionally, ``within`` (the name of the
        area a coarse feature is known to lie in).
    max_accuracy_m
        Largest ``accuracy_m`` drawn as a point: the figure's
        (:attr:`geo.figures.specs.FigureSpec.max_accuracy_m`); default
        :data:`DEFAULT_MAX_ACCURACY_M`, read when called.
    schematic_accuracy_m
        Largest ``accuracy_m`` drawn as a schematic symbol; at or below
        ``max_accuracy_m`` there is no schematic level.

    Returns
    -------
    pandas.Series
        :class:`Placement` values (as strings), named ``placement``, aligned to
        ``gdf.index``.
    """
    limit = DEFAULT_MAX_ACCURACY_M if max_accuracy_m is None else max_accuracy_m
    ok = precise_enough(gdf, limit)
    near = precise_enough(gdf, schematic_accuracy_m) if schematic_accuracy_m > limit else ok
    in_area = ~within_of(gdf).str.lower().isin(DISTRICT_NAMES)
    level = pd.Series(Placement.UNLOCATED.value, index=gdf.index, name="placement")
    level[in_area] = Placement.AREA.value
    level[near] = Placement.SCHEMATIC.value
    level[ok] = Placement.POINT.value
    return level
