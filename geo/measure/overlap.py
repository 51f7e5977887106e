"""Overlaps between two layers, union areas and the overlap matrix."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo.data.crs import METRIC_CRS, STORAGE_CRS, require_metric
from geo.measure.areas import _areas, _bounds, _laea_at
from geo.measure.arrays import (
    _PARALLEL_MIN,
    FloatArray,
    GeomArray,
    IntArray,
    _both_ways,
    _geoms,
    _in_pool,
    _metric,
    _metric_to_lonlat,
    _pool,
    _transformed,
    _workers,
)

#: What runs on each group's cuts: arrays with one item per cut, and one more value.
Then = Callable[[GeomArray], tuple[tuple[NDArray[Any], ...], Any]]

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
    a, b
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
    """Body of :func:`overlap_metric` on metric geometry arrays (see :func:`_overlap_groups`)."""
    ia, ib, inter, inside, _, _ = _overlap_groups(ga, gb)
    return ia, ib, inter, inside


def _overlap_groups(
    ga: GeomArray, gb: GeomArray, then: Then | None = None
) -> tuple[IntArray, IntArray, GeomArray, NDArray[np.bool_], list[NDArray[Any]], list[Any]]:
    """Overlapping pairs of two metric arrays, and ``then`` run on each group's cuts.

    The tree gives the pairs whose envelopes meet; B's features are prepared, and the
    pairs are split by B's feature into groups that run on every core (a prepared
    geometry builds its caches on first use, so no two threads share one). In each
    group a covered pair's intersection is A's feature, the others are tested with
    ``intersects`` and only the hits are overlaid. ``then``, when given, runs in the
    group on the intersections of its pairs that are not covered (the cuts) and
    returns arrays with one item per cut and one more value; the arrays come back
    joined in the order of the cuts among the pairs, the values as a list.
    """
    ia, ib = shapely.STRtree(gb).query(ga)
    workers = _workers()
    groups = 1 if workers == 1 or len(ia) < _PARALLEL_MIN or _in_pool() else 4 * workers

    def run(sel: IntArray) -> tuple[IntArray, GeomArray, NDArray[np.bool_], Any]:
        pos, inter, inside = _overlap_group(ga[ia[sel]], gb[ib[sel]], sel)
        return pos, inter, inside, None if then is None else then(inter[~inside])

    shapely.prepare(gb)
    try:
        if groups == 1:
            parts = [run(np.arange(len(ia)))]
        else:
            of = ib % groups
            parts = list(_pool().map(run, [np.flatnonzero(of == g) for g in range(groups)]))
    finally:
        shapely.destroy_prepared(gb)
    pos = np.concatenate([p[0] for p in parts])
    inside = np.concatenate([p[2] for p in parts])
    order = np.argsort(pos, kind="stable")  # the tree's order of the pairs
    inter = np.concatenate([p[1] for p in parts])[order]
    done: list[NDArray[Any]] = []
    if then is not None:
        cut_order = np.argsort(pos[~inside], kind="stable")
        arrays = [p[3][0] for p in parts]
        done = [np.concatenate([a[k] for a in arrays])[cut_order] for k in range(len(arrays[0]))]
    pos = pos[order]
    return ia[pos], ib[pos], inter, inside[order], done, [p[3][1] for p in parts if then]


def _overlap_group(
    x: GeomArray, y: GeomArray, pos: IntArray
) -> tuple[IntArray, GeomArray, NDArray[np.bool_]]:
    """Overlap pairs (x, y) whose envelopes meet: kept positions, intersections, covered."""
    inside = shapely.covers(y, x)
    hit = inside.copy()
    rest = np.flatnonzero(~inside)
    hit[rest] = shapely.intersects(y[rest], x[rest])
    inter = x.copy()
    cut = rest[hit[rest]]
    inter[cut] = shapely.intersection(x[cut], y[cut])
    keep = hit & (shapely.area(inter) > 0)
    return pos[keep], inter[keep], inside[keep]


def overlaps(
    a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, min_overlap_m2: float = 0.0
) -> gpd.GeoDataFrame:
    """Find every pair of features of A and B whose interiors overlap, with areas and shares.

    Parameters
    ----------
    a, b
        Polygon layers in the same declared CRS.
    min_overlap_m2
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
    (ll_a, xy_a, m_a), (ll_b, xy_b, m_b) = _both_ways(a, b, "overlap")
    # one equal-area plane for every area, so that a feature inside another has share 1
    own = [_bounds(xy) if len(xy) else None for xy in (xy_a, xy_b)]
    bounds = _joined(own[0], own[1:]) if own[0] else own[1]
    laea = None if bounds is None else _laea_at(bounds)
    whole_a, whole_b = _areas(ll_a, xy_a, laea), _areas(ll_b, xy_b, laea)
    # each group of pairs takes its cuts to lon/lat and measures them on its worker
    ia, ib, _, inside, (cuts, cut_m2), seen = _overlap_groups(
        m_a, m_b, lambda g: _cut_areas(g, laea)
    )
    if bounds is not None and _laea_at(bounds := _joined(bounds, seen)) != laea:
        laea = _laea_at(bounds)  # the cuts reach past the features: measure all again
        whole_a, whole_b = _areas(ll_a, xy_a, laea), _areas(ll_b, xy_b, laea)
        cut_m2 = _areas(cuts, None, laea)
    cut = np.flatnonzero(~inside)
    overlap_m2 = whole_a[ia]  # a covered pair's overlap is A's feature
    overlap_m2[cut] = cut_m2
    lonlat = ll_a[ia]
    lonlat[cut] = cuts
    keep = np.flatnonzero(overlap_m2 > min_overlap_m2)
    ia, ib, overlap_m2 = ia[keep], ib[keep], overlap_m2[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        table = {
            "a": a.index.to_numpy()[ia],
            "b": b.index.to_numpy()[ib],
            "overlap_m2": overlap_m2,
            "share_of_a": overlap_m2 / whole_a[ia],
            "share_of_b": overlap_m2 / whole_b[ib],
        }
    return gpd.GeoDataFrame(table, geometry=lonlat[keep], crs=STORAGE_CRS)


Bounds = tuple[float, float, float, float]


def _cut_areas(
    cuts: GeomArray, laea: str | None
) -> tuple[tuple[GeomArray, FloatArray], Bounds | None]:
    """Metric cuts in lon/lat and their areas on the plane ``laea``; their bounds (None if none)."""
    lonlat, xy = _transformed(cuts, METRIC_CRS, STORAGE_CRS)
    return (lonlat, _areas(lonlat, xy, laea)), _bounds(xy) if len(xy) else None


def _joined(bounds: Bounds, more: list[Bounds | None]) -> Bounds:
    """Bounds that hold ``bounds`` and every one of ``more`` (None: no points)."""
    lo0, la0, lo1, la1 = bounds
    for b in filter(None, more):
        lo0, la0, lo1, la1 = min(lo0, b[0]), min(la0, b[1]), max(lo1, b[2]), max(la1, b[3])
    return lo0, la0, lo1, la1


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
    gdf
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
    layers
        Polygon layers by name.
    share
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
