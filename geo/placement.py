"""The placement rule: a position is shown only as precisely as it is known.

Every figure, derived zone and report row asks the same question of a feature: is
its position good enough to be drawn (or measured) as a point at this scale? The
answer is one of three levels:

``point``
    ``accuracy_m`` is within the limit: draw the feature where it is.
``area``
    The position is too coarse, but the feature is known to lie in a named area
    (its ``within`` property: a gazetteer place or zone that is itself precise
    enough, e.g. ``大学城``): count it on that area, never draw it as a point.
``unlocated``
    Known only to be somewhere in the district: list it, never draw it.

Computation only; nothing here reads the disk.
"""

from __future__ import annotations

import math
from enum import StrEnum

import geopandas as gpd
import pandas as pd

__all__ = [
    "DEFAULT_MAX_ACCURACY_M",
    "DISTRICT_NAMES",
    "Placement",
    "placement",
    "precise_enough",
]

#: Default limit for drawing a point on a district-scale figure, in metres.
DEFAULT_MAX_ACCURACY_M: float = 1000.0

#: ``within`` values that say no more than "somewhere in the district".
DISTRICT_NAMES: frozenset[str] = frozenset({"", "沙坪坝区", "district", "shapingba"})


class Placement(StrEnum):
    """How precisely a feature can be shown."""

    POINT = "point"
    AREA = "area"
    UNLOCATED = "unlocated"


def precise_enough(gdf: gpd.GeoDataFrame, max_accuracy_m: float) -> pd.Series:
    """Return whether each feature's ``accuracy_m`` is within ``max_accuracy_m``.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features with an ``accuracy_m`` column (metres). A missing or non-finite
        accuracy is never precise enough.
    max_accuracy_m : float
        The largest positional error the question tolerates, in metres.

    Returns
    -------
    pandas.Series
        Boolean, named ``precise_enough``, aligned to ``gdf.index``.

    Raises
    ------
    ValueError
        If ``max_accuracy_m`` is not a positive finite number.
    """
    if not (isinstance(max_accuracy_m, int | float) and math.isfinite(max_accuracy_m)) or (
        max_accuracy_m <= 0
    ):
        raise ValueError(
            f"max_accuracy_m must be a positive number of metres, got {max_accuracy_m!r}"
        )
    if "accuracy_m" not in gdf.columns:
        return pd.Series(False, index=gdf.index, name="precise_enough")
    acc = pd.to_numeric(gdf["accuracy_m"], errors="coerce")
    return (acc.notna() & (acc <= max_accuracy_m)).rename("precise_enough")


def placement(gdf: gpd.GeoDataFrame, max_accuracy_m: float = DEFAULT_MAX_ACCURACY_M) -> pd.Series:
    """Return the placement level of every feature.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features with ``accuracy_m`` and, optionally, ``within`` (the name of the
        area a coarse feature is known to lie in).
    max_accuracy_m : float, default 1000
        Largest ``accuracy_m`` drawn as a point.

    Returns
    -------
    pandas.Series
        :class:`Placement` values (as strings), named ``placement``, aligned to
        ``gdf.index``.
    """
    ok = precise_enough(gdf, max_accuracy_m)
    if "within" in gdf.columns:
        within = gdf["within"].fillna("").astype(str).str.strip()
        in_area = ~within.str.lower().isin(DISTRICT_NAMES)
    else:
        in_area = pd.Series(False, index=gdf.index)
    level = pd.Series(Placement.UNLOCATED.value, index=gdf.index, name="placement")
    level[in_area] = Placement.AREA.value
    level[ok] = Placement.POINT.value
    return level
