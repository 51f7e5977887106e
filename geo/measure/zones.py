"""Zonal membership: which zones each feature falls in, and counts per zone."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo.measure.areas import _areas_together, _lengths
from geo.measure.arrays import (
    FloatArray,
    GeomArray,
    IntArray,
    _lonlat,
    _metric_pair,
    _metric_to_lonlat,
)

__all__ = [
    "count_in_zones",
    "zonal_membership",
    "zones_for",
]


# --------------------------------------------------------------------------- 4. zones
def zonal_membership(features: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """Which zones each feature falls in, and what share of it.

    Parameters
    ----------
    features
        Points, lines or polygons.
    zones
        Polygon zones in the same declared CRS (cities, belts, screens, rings,
        clusters). Zones may overlap; a feature then belongs to each.

    Returns
    -------
    pandas.DataFrame
        ``feature``, ``zone`` (index labels), ``share`` and ``on_boundary``. A point
        belongs to every zone that covers it, boundary included, with share 1.0 and
        ``on_boundary`` True when it lies on that zone's edge. Lines and polygons get
        the geodesic share of their length or area inside the zone (``on_boundary``:
        they reach the zone's edge); touching only (share 0) is not membership.
        Features in no zone have no row.
    """
    gf, gz = _metric_pair(features, zones, "zonal_membership")
    ia, ib = shapely.STRtree(gz).query(gf, predicate="intersects")
    share, edge = _membership_share(gf, gz, ia, ib, _lonlat(features))
    keep = share > 0
    return pd.DataFrame(
        {
            "feature": features.index.to_numpy()[ia[keep]],
            "zone": zones.index.to_numpy()[ib[keep]],
            "share": share[keep],
            "on_boundary": edge[keep],
        }
    )


def _membership_share(
    gf: GeomArray, gz: GeomArray, ia: IntArray, ib: IntArray, lonlat: GeomArray
) -> tuple[FloatArray, NDArray[np.bool_]]:
    dims = shapely.get_dimensions(gf[ia])
    share = np.ones(len(ia))
    edge = shapely.intersects(gf[ia], shapely.boundary(gz[ib]))
    extended = dims > 0
    if extended.any():
        inter = _metric_to_lonlat(shapely.intersection(gf[ia[extended]], gz[ib[extended]]))
        whole = lonlat[ia[extended]]
        two = dims[extended] == 2
        part_m2, full_m2 = _areas_together(inter, whole)
        part = np.where(two, part_m2, _lengths(inter))
        full = np.where(two, full_m2, _lengths(whole))
        with np.errstate(divide="ignore", invalid="ignore"):
            share[extended] = np.where(full > 0, part / full, 0.0)
    return share, edge


def zones_for(
    features: gpd.GeoDataFrame, zone_layers: Mapping[str, gpd.GeoDataFrame]
) -> pd.DataFrame:
    """Zonal membership of a layer's features in several zone layers at once.

    Parameters
    ----------
    features
        The layer to place.
    zone_layers
        Zone layers by name (e.g. ``{"cities": ..., "belts": ...}``).

    Returns
    -------
    pandas.DataFrame
        :func:`zonal_membership` rows with a leading ``layer`` column.
    """
    parts = [zonal_membership(features, z).assign(layer=n) for n, z in zone_layers.items()]
    cols = ["layer", "feature", "zone", "share", "on_boundary"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def count_in_zones(features: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> pd.Series:
    """How many features fall (wholly or partly) in each zone.

    Parameters
    ----------
    features, zones
        As for :func:`zonal_membership`.

    Returns
    -------
    pandas.Series
        ``n_features`` indexed like ``zones`` (zones with none hold 0).
    """
    member = zonal_membership(features, zones)
    counts = member.groupby("zone")["feature"].nunique()
    return counts.reindex(zones.index, fill_value=0).astype("int64").rename("n_features")
