"""Overlaps between two layers, union areas and the overlap matrix."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo.crs import STORAGE_CRS, require_metric
from geo.measure.areas import _areas, _areas_together
from geo.measure.arrays import (
    GeomArray,
    IntArray,
    _geoms,
    _lonlat,
    _metric,
    _metric_pair,
    _metric_to_lonlat,
    _threaded,
)

__all__ = [
    "overlap_matrix",
    "overlap_metric",
    "overlaps",
    "union_area",
]


def overlap_metric(
    a: gpd.GeoDataFrame, b: gpd.GeoDataFrame
) -> tuple[IntArray, IntArray, GeomArray, NDArray[np.bool_]]:
    """Overlapping pairs of two metric layers and their intersections (kernel).

    Candidate pairs come from an STRtree on B. Where B's feature covers A's, the
    intersection is A's own geometry and no overlay is computed.

    Parameters
    ----------
    a, b : geopandas.GeoDataFrame
        Layers in a metric CRS (EPSG:4544).

    Returns
    -------
    tuple of ndarray
        Positions in ``a``, positions in ``b``, the intersection geometries (metric)
        and a flag that A's feature lies wholly inside B's; only pairs whose
        intersection has positive area (touching-only pairs drop).

    Raises
    ------
    DegreesNotAllowedError
        If either layer is in degrees.
    """
    require_metric(a, "overlap")
    require_metric(b, "overlap")
    return _overlap_arrays(_geoms(a), _geoms(b))


def _overlap_arrays(
    ga: GeomArray, gb: GeomArray
) -> tuple[IntArray, IntArray, GeomArray, NDArray[np.bool_]]:
    """Body of :func:`overlap_metric` on metric geometry arrays."""
    tree = shapely.STRtree(gb)
    ia, ib = tree.query(ga, predicate="intersects")
    shapely.prepare(gb)
    inside = shapely.covers(gb[ib], ga[ia])
    # Prepared geometries build caches lazily and are not thread-safe: drop them before
    # the threaded overlay.
    shapely.destroy_prepared(gb)
    inter = ga[ia].copy()
    cut = ~inside
    if cut.any():
        inter[cut] = _threaded(shapely.intersection, ga[ia[cut]], gb[ib[cut]])
    keep = shapely.area(inter) > 0
    return ia[keep], ib[keep], inter[keep], inside[keep]


def overlaps(
    a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, min_overlap_m2: float = 0.0
) -> gpd.GeoDataFrame:
    """Find every pair of features of A and B whose interiors overlap, with areas and shares.

    Parameters
    ----------
    a, b : geopandas.GeoDataFrame
        Polygon layers in the same declared CRS.
    min_overlap_m2 : float
        Leave out pairs whose overlap is not larger than this; independently
        digitised shared edges leave slivers of a fraction of a m² (6 decimals of a
        degree are ~0.1 m).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per overlapping pair: ``a`` and ``b`` (index labels), ``overlap_m2``
        (geodesic), ``share_of_a`` and ``share_of_b`` (overlap / the feature's geodesic
        area) and the intersection as geometry in EPSG:4326. Pairs that only touch
        are not listed.

    Raises
    ------
    CRSError
        If A and B are in different CRSs or one has none.
    """
    ia, ib, inter, inside = _overlap_arrays(*_metric_pair(a, b, "overlap"))
    ll_a = _lonlat(a)
    lonlat = ll_a[ia].copy()
    lonlat[~inside] = _metric_to_lonlat(inter[~inside])
    whole_a, whole_b, cut_m2 = _areas_together(ll_a, _lonlat(b), lonlat[~inside])
    overlap_m2 = whole_a[ia].copy()
    overlap_m2[~inside] = cut_m2
    area_a, area_b = whole_a[ia], whole_b[ib]
    with np.errstate(divide="ignore", invalid="ignore"):
        table = {
            "a": a.index.to_numpy()[ia],
            "b": b.index.to_numpy()[ib],
            "overlap_m2": overlap_m2,
            "share_of_a": overlap_m2 / area_a,
            "share_of_b": overlap_m2 / area_b,
        }
    out = gpd.GeoDataFrame(table, geometry=lonlat, crs=STORAGE_CRS)
    return out[out["overlap_m2"] > min_overlap_m2].reset_index(drop=True)


def _union_metric(gdf: gpd.GeoDataFrame) -> shapely.Geometry:
    """Union of the polygonal features of a layer, in EPSG:4544."""
    geoms = _metric(gdf)
    polys = geoms[shapely.get_dimensions(geoms) == 2] if len(geoms) else geoms
    return shapely.union_all(polys)


def _area_of_metric(geom: shapely.Geometry) -> float:
    return float(_areas(_metric_to_lonlat(np.array([geom], dtype=object)))[0])


def union_area(gdf: gpd.GeoDataFrame) -> float:
    """Geodesic area covered by a layer, overlaps inside the layer counted once.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        A polygon layer in any declared CRS.

    Returns
    -------
    float
        Square metres (0.0 for an empty layer).
    """
    return _area_of_metric(_union_metric(gdf))


def overlap_matrix(layers: Mapping[str, gpd.GeoDataFrame], share: bool = False) -> pd.DataFrame:
    """Overlap between every two layers of a set, each layer taken as its union.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Polygon layers by name.
    share : bool
        If False, cells are the geodesic overlap in m²; if True, cell (i, j) is the
        share of layer i's union area that layer j covers (the diagonal is 1).

    Returns
    -------
    pandas.DataFrame
        Square, indexed and labelled by the layer names; the diagonal holds each
        layer's union area (or 1.0).
    """
    names = list(layers)
    unions = {n: _union_metric(layers[n]) for n in names}
    m = pd.DataFrame(0.0, index=pd.Index(names, name="layer"), columns=names)
    pairs = [(ni, nj) for i, ni in enumerate(names) for nj in names[i:]]
    inter = np.empty(len(pairs), dtype=object)
    inter[:] = [shapely.intersection(unions[ni], unions[nj]) for ni, nj in pairs]
    for (ni, nj), v in zip(pairs, _areas(_metric_to_lonlat(inter)), strict=True):
        m.loc[ni, nj] = m.loc[nj, ni] = v
    if share:
        diag = pd.Series(np.diag(m.to_numpy()), index=names)
        m = m.div(diag.where(diag > 0), axis=0)
    return m
