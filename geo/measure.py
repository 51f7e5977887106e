"""Measuring layers: areas, lengths, overlaps, proximity and zonal membership.

Two rules shape every function here:

* Reported areas and lengths are **geodesic** on the WGS-84 ellipsoid, whatever CRS
  the input is in. Lengths come from :class:`pyproj.Geod`. Areas come from a
  Lambert azimuthal equal-area projection of the ellipsoid centred on the data,
  ring by ring where a bound on the difference from the geodesic ring (whose edges
  are geodesics, not straight lines in the projection) is below 5e-7 of the ring's
  area, and from :class:`pyproj.Geod` otherwise (long edges far from the centre).
* Overlay, buffering and distances run in the metric CRS EPSG:4544 (CGCS2000 /
  3-degree Gauss-Krüger CM 105E). Its scale error over the district is below 0.03%,
  so planar distances there are reported as metres without correction.

Layer functions (:func:`overlaps`, :func:`nearest`, :func:`zonal_membership` ...)
accept GeoDataFrames in any declared CRS (normally EPSG:4326 from
:func:`geo.layers.load_layer`); both inputs of a two-layer function must share the
same CRS. The ``*_metric`` kernels take frames that are already metric and refuse
degrees; the benchmarks use them to avoid projecting the same data twice.

Pair tables carry the **index labels** of the inputs in columns ``a`` and ``b``
(``feature`` and ``zone`` for membership); index a layer by ``id`` first to get ids.
Every candidate pair comes from a spatial index (:class:`shapely.STRtree`), never
from a loop over all pairs.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo._errors import CRSError
from geo.crs import METRIC_CRS, STORAGE_CRS, require_metric, transformer
from geo.units import MU_M2

if TYPE_CHECKING:
    from pyproj import Geod

__all__ = [
    "AREA_UNITS",
    "area_table",
    "convert_area",
    "count_in_zones",
    "coverage",
    "geodesic_area",
    "geodesic_length",
    "geometry_dimension",
    "k_nearest",
    "nearest",
    "nearest_metric",
    "overlap_matrix",
    "overlap_metric",
    "overlaps",
    "parse_distance",
    "union_area",
    "within_distance",
    "zonal_membership",
    "zones_for",
]

#: Square metres per area unit: ``m2``, ``ha``, ``mu`` (亩 = 2000/3 m²) and ``km2``.
AREA_UNITS: dict[str, float] = {"m2": 1.0, "ha": 1e4, "mu": MU_M2, "km2": 1e6}

#: Mean Earth radius (m), for the bound on the equal-area projection's edge error.
_EARTH_RADIUS_M = 6_371_008.8
#: A ring's equal-area value is used when twice the sum over its edges of
#: s³(ρ + s)/R² (edge length s, distance ρ from the projection's centre) is at most
#: this share of its area; the largest constant found on 3 000 random thin triangles
#: was 1.7, so the difference from the geodesic ring stays below about 4e-7.
_EQUAL_AREA_TOLERANCE = 5e-7
_DISTANCE = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(m|km|米|公里|千米)\s*$", re.I)
_DISTANCE_FACTOR = {"m": 1.0, "米": 1.0, "km": 1000.0, "公里": 1000.0, "千米": 1000.0}

#: Below this many pairs, a GEOS ufunc runs on one thread (pool start-up costs more).
_PARALLEL_MIN = 20_000

GeomArray = NDArray[np.object_]
IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]


# --------------------------------------------------------------------------- helpers
def parse_distance(text: str | float) -> float:
    """Parse a distance such as ``"500m"``, ``"2km"`` or ``"1.5 公里"`` into metres.

    Parameters
    ----------
    text : str or float
        A non-negative number followed by ``m``, ``km``, ``米``, ``公里`` or ``千米``;
        a bare number is taken as metres only when given as a number, not as text.

    Returns
    -------
    float
        The distance in metres.

    Raises
    ------
    ValueError
        If the text is not a non-negative number with a unit.
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        if not np.isfinite(text) or text < 0:
            raise ValueError(f"bad distance {text!r}: give a non-negative number of metres")
        return float(text)
    m = _DISTANCE.match(str(text))
    if not m:
        raise ValueError(
            f"bad distance {text!r}: give a non-negative number with a unit, e.g. 500m or 2km"
        )
    return float(m.group(1)) * _DISTANCE_FACTOR[m.group(2).lower()]


def _geoms(gdf: gpd.GeoDataFrame) -> GeomArray:
    return np.asarray(gdf.geometry.values, dtype=object)


def geod() -> Geod:
    """Return the WGS-84 :class:`pyproj.Geod` used for geodesic lengths and exact areas.

    Returns
    -------
    pyproj.Geod
        Built on first use, then shared.
    """
    return _geod()


@lru_cache(maxsize=1)
def _geod() -> Geod:
    from pyproj import Geod

    return Geod(ellps="WGS84")


def _transform(geoms: GeomArray, src: Any, dst: Any) -> GeomArray:
    """Transform geometries between CRSs with one vectorised call (no frame copy)."""
    tr = transformer(src, dst)

    def tx(xy: FloatArray) -> FloatArray:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return np.asarray(shapely.transform(geoms, tx), dtype=object)


def _require_crs(gdf: gpd.GeoDataFrame) -> None:
    if gdf.crs is None:
        raise CRSError("layer has no CRS: set it with gdf.set_crs('EPSG:4326') before measuring")


def _lonlat(gdf: gpd.GeoDataFrame) -> GeomArray:
    """Return the geometries in WGS-84 lon/lat (for geodesic measures)."""
    _require_crs(gdf)
    if gdf.crs.equals(STORAGE_CRS):
        return _geoms(gdf)
    return _transform(_geoms(gdf), gdf.crs, STORAGE_CRS)


def _metric(gdf: gpd.GeoDataFrame) -> GeomArray:
    """Return the geometries in EPSG:4544 (for overlay and distances)."""
    _require_crs(gdf)
    if gdf.crs.equals(METRIC_CRS):
        return _geoms(gdf)
    return _transform(_geoms(gdf), gdf.crs, METRIC_CRS)


def _metric_to_lonlat(geoms: GeomArray) -> GeomArray:
    """Transform EPSG:4544 geometries to lon/lat with one vectorised call."""
    return _transform(geoms, METRIC_CRS, STORAGE_CRS)


def _check_pair(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, what: str) -> None:
    """Check that A and B share a declared CRS."""
    if a.crs is None or b.crs is None:
        raise CRSError(f"{what}: both layers need a CRS (set_crs('EPSG:4326') on the one without)")
    if not a.crs.equals(b.crs):
        raise CRSError(
            f"{what}: layer A is in {a.crs.to_string()} but layer B is in {b.crs.to_string()}; "
            "bring both to one CRS first (geo.layers.load_layer returns EPSG:4326)"
        )


def _metric_pair(
    a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, what: str
) -> tuple[GeomArray, GeomArray]:
    """Check that A and B share a CRS and return both geometry arrays in EPSG:4544."""
    _check_pair(a, b, what)
    return _metric(a), _metric(b)


def _polygon_parts(geoms: GeomArray) -> tuple[GeomArray, IntArray]:
    """Flatten geometries (multi-parts, collections) to their Polygons and owner index."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    while parts.size and np.any(shapely.get_type_id(parts) >= 4):  # Multi* or collection
        parts, sub = shapely.get_parts(parts, return_index=True)
        owner = owner[sub]
    keep = shapely.get_type_id(parts) == 3
    return parts[keep], owner[keep]


def _ring_area(lon: FloatArray, lat: FloatArray) -> float:
    return abs(geod().polygon_area_perimeter(lon, lat)[0])


def _equal_area_xy(lonlat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Project lon/lat to a Lambert azimuthal equal-area plane centred on the points."""
    lo0, la0, lo1, la1 = (
        np.nanmin(lonlat[:, 0]),
        np.nanmin(lonlat[:, 1]),
        np.nanmax(lonlat[:, 0]),
        np.nanmax(lonlat[:, 1]),
    )
    # A centre on a 0.01-degree grid lets repeated calls share one Transformer.
    laea = (
        f"+proj=laea +lat_0={(la0 + la1) / 2:.2f} +lon_0={(lo0 + lo1) / 2:.2f} "
        "+ellps=WGS84 +units=m +no_defs"
    )
    return transformer(STORAGE_CRS, laea).transform(lonlat[:, 0], lonlat[:, 1])


def _ring_areas(xy: FloatArray, ring_off: IntArray) -> FloatArray:
    """Unsigned geodesic-quality area (m²) of closed lon/lat rings, vectorised.

    ``ring_off`` holds the offsets of the rings in ``xy`` (ring i is
    ``xy[ring_off[i]:ring_off[i + 1]]``). Equal-area projection and the shoelace
    formula for every ring, then an exact :class:`pyproj.Geod` area for the rings
    whose error bound exceeds :data:`_EQUAL_AREA_TOLERANCE` of their area.
    """
    n = len(ring_off) - 1
    x, y = _equal_area_xy(xy)
    ring_of = np.repeat(np.arange(n), np.diff(ring_off))
    first = ring_off[:-1][ring_of]
    xs, ys = x - x[first], y - y[first]  # local origins keep the products small
    same = ring_of[1:] == ring_of[:-1]
    owner = ring_of[:-1]
    cross = np.where(same, xs[:-1] * ys[1:] - xs[1:] * ys[:-1], 0.0)
    area = np.abs(np.bincount(owner, weights=cross, minlength=n)) / 2.0
    edge = np.where(same, np.hypot(np.diff(x), np.diff(y)), 0.0)
    rho = np.hypot((x[1:] + x[:-1]) / 2.0, (y[1:] + y[:-1]) / 2.0) + edge
    bound = 2.0 * np.bincount(owner, weights=edge**3 * rho, minlength=n) / _EARTH_RADIUS_M**2
    for i in np.flatnonzero(~(bound <= _EQUAL_AREA_TOLERANCE * area)):  # NaN goes exact too
        ring = xy[ring_off[i] : ring_off[i + 1]]
        area[i] = _ring_area(ring[:, 0], ring[:, 1])
    return area


def _ring_table(polys: GeomArray) -> tuple[FloatArray, IntArray, IntArray, NDArray[np.bool_]]:
    """Coordinates, ring offsets, owning geometry and shell flag of every ring.

    ``polys`` holds only Polygons, MultiPolygons, empties and None (one C pass by
    :func:`shapely.to_ragged_array`, no ring objects built).
    """
    _, xy, offsets = shapely.to_ragged_array(polys, include_z=False)
    ring_off, part_off, geom_off = (
        offsets if len(offsets) == 3 else (offsets[0], offsets[1], np.arange(len(polys) + 1))
    )
    n = len(ring_off) - 1
    shell = np.zeros(n, dtype=bool)
    shell[part_off[:-1][np.diff(part_off) > 0]] = True
    part = np.searchsorted(part_off, np.arange(n), side="right") - 1
    geom = np.searchsorted(geom_off, part, side="right") - 1
    return xy, np.asarray(ring_off), geom, shell


def _areas(lonlat: GeomArray) -> FloatArray:
    """Geodesic area (m²) of the polygonal parts of lon/lat geometries, vectorised by ring.

    Each ring's area is taken unsigned, so either winding gives the same result;
    holes (every ring after a polygon's first) are subtracted.
    """
    geoms = np.asarray(lonlat, dtype=object)
    out = np.zeros(len(geoms))
    types = shapely.get_type_id(geoms)
    if np.all(np.isin(types, (-1, 3, 6))):
        polys, owner = geoms, np.arange(len(geoms))
    else:  # points, lines or collections mixed in: keep the polygons
        polys, owner = _polygon_parts(geoms)
    if not np.any(shapely.get_num_coordinates(polys)):
        return out
    xy, ring_off, geom, shell = _ring_table(polys)
    ring_area = _ring_areas(xy, ring_off)
    out += np.bincount(
        owner[geom], weights=np.where(shell, ring_area, -ring_area), minlength=len(out)
    )
    return out


def _areas_together(*parts: GeomArray) -> list[FloatArray]:
    """Areas of several lon/lat arrays in one pass, so that all share one projection.

    Areas that are divided by each other (an overlap by its feature's area) then
    carry the same projection error, and a feature inside another gets share 1.
    """
    joined = np.concatenate([np.asarray(p, dtype=object) for p in parts])
    return np.split(_areas(joined), np.cumsum([len(p) for p in parts])[:-1])


def _line_length(g: shapely.Geometry | None) -> float:
    """Geodesic length of a lon/lat geometry (perimeter for polygons), in m."""
    if g is None or g.is_empty or shapely.get_dimensions(g) == 0:
        return 0.0
    if g.geom_type == "GeometryCollection":
        return sum(_line_length(p) for p in g.geoms)
    return float(geod().geometry_length(g))


def _lengths(lonlat: GeomArray) -> FloatArray:
    return np.fromiter((_line_length(g) for g in lonlat), dtype="float64", count=len(lonlat))


def geometry_dimension(gdf: gpd.GeoDataFrame) -> int:
    """Return the highest geometry dimension in a layer.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Any layer.

    Returns
    -------
    int
        0 points, 1 lines, 2 polygons, -1 for an empty layer.
    """
    if len(gdf) == 0:
        return -1
    return int(np.max(shapely.get_dimensions(_geoms(gdf))))


# --------------------------------------------------------------------------- 1. areas, lengths
def geodesic_area(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Geodesic area of every feature on the WGS-84 ellipsoid.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features in any declared CRS. Polygons wound either way give positive areas;
        points and lines have area 0.

    Returns
    -------
    pandas.Series
        ``area_m2``, aligned to ``gdf.index``.
    """
    return pd.Series(_areas(_lonlat(gdf)), index=gdf.index, name="area_m2", dtype="float64")


def geodesic_length(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Geodesic length of every feature (the perimeter for polygons, 0 for points).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features in any declared CRS.

    Returns
    -------
    pandas.Series
        ``length_m``, aligned to ``gdf.index``.
    """
    return pd.Series(_lengths(_lonlat(gdf)), index=gdf.index, name="length_m", dtype="float64")


def convert_area(area_m2: pd.Series, unit: str) -> pd.Series:
    """Convert an ``area_m2`` Series to ``ha``, ``mu`` (亩), ``km2`` or ``m2``.

    Parameters
    ----------
    area_m2 : pandas.Series
        Areas in square metres.
    unit : str
        One of :data:`AREA_UNITS`.

    Returns
    -------
    pandas.Series
        Named ``area_<unit>``, same index.

    Raises
    ------
    ValueError
        If the unit is unknown.
    """
    if unit not in AREA_UNITS:
        raise ValueError(f"unknown area unit {unit!r}: use one of {', '.join(AREA_UNITS)}")
    return (area_m2 / AREA_UNITS[unit]).rename(f"area_{unit}")


def area_table(gdf: gpd.GeoDataFrame, by: str | None = None, unit: str = "m2") -> pd.DataFrame:
    """Areas of the features of a layer, or summed by a column.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features in any declared CRS.
    by : str, optional
        Column to group by (e.g. ``kind``); the sum is of feature areas, so features
        that overlap are counted once each (see :func:`union_area`).
    unit : str
        Output unit: ``m2``, ``ha``, ``mu`` or ``km2``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``gdf`` (or by the ``by`` values) with ``area_m2``,
        ``area_<unit>`` (when not m2), ``share`` of the total and, when grouped,
        ``features``.

    Raises
    ------
    KeyError
        If ``by`` is not a column.
    """
    area = geodesic_area(gdf)
    if by is not None:
        if by not in gdf.columns:
            raise KeyError(f"no column {by!r} to group by: columns are {', '.join(gdf.columns)}")
        grouped = area.groupby(gdf[by].astype(str), sort=True)
        out = pd.DataFrame({"features": grouped.size(), "area_m2": grouped.sum()})
    else:
        out = area.to_frame()
    if unit != "m2":
        out[f"area_{unit}"] = convert_area(out["area_m2"], unit)
    total = out["area_m2"].sum()
    out["share"] = out["area_m2"] / total if total > 0 else np.nan
    return out


# --------------------------------------------------------------------------- 2. overlaps
def _threaded(
    func: Callable[[GeomArray, GeomArray], NDArray[Any]], x: GeomArray, y: GeomArray
) -> NDArray[Any]:
    """Apply a GEOS ufunc to pairs in chunks on every core (shapely releases the GIL)."""
    workers = os.cpu_count() or 1
    if workers == 1 or len(x) < _PARALLEL_MIN:
        return func(x, y)
    bounds = np.linspace(0, len(x), workers + 1).astype(int)
    with ThreadPoolExecutor(workers) as pool:
        parts = pool.map(
            lambda ij: func(x[ij[0] : ij[1]], y[ij[0] : ij[1]]), itertools.pairwise(bounds)
        )
        return np.concatenate(list(parts))


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


# --------------------------------------------------------------------------- 3. proximity
def _all_points(geoms: GeomArray) -> bool:
    """Return whether every geometry is a non-empty Point (one coordinate each)."""
    return (
        len(geoms) > 0
        and bool(np.all(shapely.get_type_id(geoms) == 0))
        and not bool(np.any(shapely.is_empty(geoms)))
    )


def _metric_xy(geoms: GeomArray, crs: Any) -> FloatArray:
    """Coordinates of point geometries in EPSG:4544, transformed as plain arrays."""
    xy = shapely.get_coordinates(geoms)
    if crs is not None and not crs.equals(METRIC_CRS):
        x, y = transformer(crs, METRIC_CRS).transform(xy[:, 0], xy[:, 1])
        xy = np.column_stack([x, y])
    return xy


def _self_positions(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> IntArray:
    """Position in B of each A feature's own label (-1 where B has no such label)."""
    if not b.index.is_unique:
        raise ValueError(
            "exclude_self matches features by index label, but layer B's labels repeat: "
            "index both layers by their unique id first (gdf.set_index('id'))"
        )
    return np.asarray(b.index.get_indexer(a.index), dtype=np.intp)


def nearest_metric(
    a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, max_distance_m: float | None = None
) -> tuple[IntArray, IntArray, FloatArray]:
    """Nearest feature of metric layer B for each feature of metric layer A (kernel).

    Points to points use a k-d tree (:class:`scipy.spatial.cKDTree`); any other
    geometry uses :meth:`shapely.STRtree.query_nearest`, edge to edge.

    Parameters
    ----------
    a, b : geopandas.GeoDataFrame
        Layers in a metric CRS (EPSG:4544).
    max_distance_m : float, optional
        Ignore B features farther than this.

    Returns
    -------
    tuple of ndarray
        Positions in ``a``, positions in ``b`` (one per A feature that has a match)
        and distances in metres.

    Raises
    ------
    DegreesNotAllowedError
        If either layer is in degrees.
    """
    require_metric(a, "nearest")
    require_metric(b, "nearest")
    return _nearest_geoms(_geoms(a), _geoms(b), max_distance_m, None)


def _nearest_geoms(
    ga: GeomArray, gb: GeomArray, max_distance_m: float | None, self_of: IntArray | None
) -> tuple[IntArray, IntArray, FloatArray]:
    """Nearest B for each A on metric geometry arrays, skipping ``self_of`` when given."""
    if len(ga) == 0 or len(gb) == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0)
    if _all_points(ga) and _all_points(gb):
        xa, xb = shapely.get_coordinates(ga), shapely.get_coordinates(gb)
        return _nearest_xy(xa, xb, max_distance_m, self_of)
    (ia, ib), dist = shapely.STRtree(gb).query_nearest(
        ga, max_distance=max_distance_m, return_distance=True, all_matches=False
    )
    if self_of is None or not np.any(ib == self_of[ia]):
        return ia, ib, dist
    return _nearest_other(ga, gb, (ia, ib, dist), max_distance_m, self_of)


def _nearest_other(
    ga: GeomArray,
    gb: GeomArray,
    found: tuple[IntArray, IntArray, FloatArray],
    max_distance_m: float | None,
    self_of: IntArray,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Replace matches of a feature with itself by its nearest other feature."""
    ia, ib, dist = found
    hit = ib == self_of[ia]
    rows = ia[hit]
    limit = _search_limit(ga, gb) if max_distance_m is None else max_distance_m
    ca, cb = _candidates_k(ga[rows], gb, 2, limit)
    d = shapely.distance(ga[rows[ca]], gb[cb])
    ok = (cb != self_of[rows[ca]]) & (d <= limit)
    ca, cb, d = ca[ok], cb[ok], d[ok]
    order = np.lexsort((cb, d, ca))
    _, first = np.unique(ca[order], return_index=True)
    pick = order[first]
    ia = np.concatenate([ia[~hit], rows[ca[pick]]])
    ib = np.concatenate([ib[~hit], cb[pick]])
    dist = np.concatenate([dist[~hit], d[pick]])
    order = np.argsort(ia, kind="stable")
    return ia[order], ib[order], dist[order]


def _nearest_xy(
    xa: FloatArray, xb: FloatArray, max_distance_m: float | None, self_of: IntArray | None
) -> tuple[IntArray, IntArray, FloatArray]:
    """Nearest point of B for each point of A by k-d tree, skipping ``self_of``."""
    from scipy.spatial import cKDTree

    bound = np.inf if max_distance_m is None else max_distance_m
    tree = cKDTree(xb)
    dist, ib = tree.query(xa, k=1, distance_upper_bound=bound)
    if self_of is not None:
        hit = np.flatnonzero(ib == self_of)
        if hit.size:
            d2, i2 = tree.query(xa[hit], k=2, distance_upper_bound=bound)
            col = (i2[:, 0] == self_of[hit]).astype(np.intp)
            dist[hit] = d2[np.arange(hit.size), col]
            ib[hit] = i2[np.arange(hit.size), col]
    ia = np.flatnonzero(np.isfinite(dist))
    return ia, ib[ia].astype(np.intp), dist[ia]


def nearest(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    max_distance_m: float | None = None,
    exclude_self: bool = False,
) -> pd.DataFrame:
    """Find the nearest feature of B for each feature of A, with the distance in metres.

    Parameters
    ----------
    a, b : geopandas.GeoDataFrame
        Layers in the same declared CRS. Distances are edge to edge (0 when the
        features intersect), computed in EPSG:4544; point layers are projected as
        coordinate arrays.
    max_distance_m : float, optional
        Leave features with nothing of B within this distance unmatched.
    exclude_self : bool
        Never match a feature of A with the feature of B that has the same index
        label, so that the nearest of a layer to itself (both indexed by their
        unique ``id``) is another feature, not the feature at 0 m.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``a``: ``b`` (index label of the nearest B feature, None when
        unmatched) and ``dist_m`` (NaN when unmatched). Ties go to one of the tied.

    Raises
    ------
    CRSError
        If A and B are in different CRSs or one has none.
    ValueError
        If ``exclude_self`` is set and B's index labels are not unique.
    """
    _check_pair(a, b, "nearest")
    self_of = _self_positions(a, b) if exclude_self else None
    ga, gb = _geoms(a), _geoms(b)
    if _all_points(ga) and _all_points(gb):
        xa, xb = _metric_xy(ga, a.crs), _metric_xy(gb, b.crs)
        ia, ib, dist = _nearest_xy(xa, xb, max_distance_m, self_of)
    else:
        ia, ib, dist = _nearest_geoms(_metric(a), _metric(b), max_distance_m, self_of)
    labels = np.full(len(a), None, dtype=object)
    labels[ia] = b.index.to_numpy()[ib]
    dist_m = np.full(len(a), np.nan)
    dist_m[ia] = dist
    return pd.DataFrame({"b": labels, "dist_m": dist_m}, index=a.index)


def _search_limit(ga: GeomArray, gb: GeomArray) -> float:
    """Return a distance beyond which no pair of the two layers can be."""
    x0, y0, x1, y1 = shapely.total_bounds(np.concatenate([ga, gb]))
    return float(np.hypot(x1 - x0, y1 - y0)) + 1.0


def _candidates_k(ga: GeomArray, gb: GeomArray, k: int, limit: float) -> tuple[IntArray, IntArray]:
    """Pairs guaranteed to include each A feature's k nearest: grow a radius per A."""
    tree = shapely.STRtree(gb)
    (ia0, _), d0 = tree.query_nearest(ga, return_distance=True, all_matches=False)
    radius = np.full(len(ga), limit)
    radius[ia0] = np.minimum(np.maximum(d0, 1.0), limit)
    pending = np.arange(len(ga))
    found_a: list[IntArray] = []
    found_b: list[IntArray] = []
    while pending.size:
        qa, qb = tree.query(ga[pending], predicate="dwithin", distance=radius[pending])
        counts = np.bincount(qa, minlength=pending.size)
        done = (counts >= k) | (radius[pending] >= limit)
        sel = done[qa]
        found_a.append(pending[qa[sel]])
        found_b.append(qb[sel])
        radius[pending[~done]] = np.minimum(radius[pending[~done]] * 2.0, limit)
        pending = pending[~done]
    return np.concatenate(found_a), np.concatenate(found_b)


def _pairs_frame(
    a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, ia: IntArray, ib: IntArray, dist: FloatArray
) -> pd.DataFrame:
    order = np.lexsort((ib, dist, ia))
    return pd.DataFrame(
        {
            "a": a.index.to_numpy()[ia[order]],
            "b": b.index.to_numpy()[ib[order]],
            "dist_m": dist[order],
        }
    )


def k_nearest(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    k: int,
    max_distance_m: float | None = None,
    exclude_self: bool = False,
) -> pd.DataFrame:
    """Find the ``k`` nearest features of B for each feature of A.

    Parameters
    ----------
    a, b : geopandas.GeoDataFrame
        Layers in the same declared CRS; distances edge to edge in EPSG:4544.
    k : int
        How many neighbours (at least 1; fewer are returned when B is smaller).
    max_distance_m : float, optional
        Drop neighbours farther than this.
    exclude_self : bool
        Skip the B feature with the same index label as the A feature (see
        :func:`nearest`).

    Returns
    -------
    pandas.DataFrame
        Long table ``a``, ``b``, ``rank`` (1 = nearest), ``dist_m``, sorted by A then
        distance.

    Raises
    ------
    ValueError
        If ``k`` < 1, or ``exclude_self`` is set and B's labels repeat.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    self_of = _self_positions(a, b) if exclude_self else None
    ga, gb = _metric_pair(a, b, "k_nearest")
    if len(ga) == 0 or len(gb) == 0:
        return pd.DataFrame({"a": [], "b": [], "rank": [], "dist_m": []})
    limit = _search_limit(ga, gb) if max_distance_m is None else max_distance_m
    ia, ib = _drop_self(*_candidates_k(ga, gb, k + (self_of is not None), limit), self_of)
    frame = _pairs_frame(a, b, ia, ib, shapely.distance(ga[ia], gb[ib]))
    if max_distance_m is not None:
        frame = frame[frame["dist_m"] <= max_distance_m]
    frame["rank"] = frame.groupby("a", sort=False).cumcount() + 1
    frame = frame[frame["rank"] <= k]
    return frame[["a", "b", "rank", "dist_m"]].reset_index(drop=True)


def _drop_self(ia: IntArray, ib: IntArray, self_of: IntArray | None) -> tuple[IntArray, IntArray]:
    """Drop the pairs that match a feature with itself (when ``self_of`` is given)."""
    if self_of is None:
        return ia, ib
    keep = ib != self_of[ia]
    return ia[keep], ib[keep]


def within_distance(
    a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, distance_m: float, exclude_self: bool = False
) -> pd.DataFrame:
    """All pairs of A and B features no more than ``distance_m`` apart (edge to edge).

    Parameters
    ----------
    a, b : geopandas.GeoDataFrame
        Layers in the same declared CRS.
    distance_m : float
        Search distance in metres (≥ 0; 0 finds intersecting pairs).
    exclude_self : bool
        Skip the B feature with the same index label as the A feature (see
        :func:`nearest`).

    Returns
    -------
    pandas.DataFrame
        ``a``, ``b``, ``dist_m``, sorted by A then distance.
    """
    distance_m = parse_distance(distance_m)
    self_of = _self_positions(a, b) if exclude_self else None
    ga, gb = _metric_pair(a, b, "within_distance")
    ia, ib = shapely.STRtree(gb).query(ga, predicate="dwithin", distance=distance_m)
    ia, ib = _drop_self(ia, ib, self_of)
    return _pairs_frame(a, b, ia, ib, shapely.distance(ga[ia], gb[ib]))


def _coverage_counts(
    a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, distances: list[float]
) -> list[tuple[float, float]]:
    near = nearest(a, b)["dist_m"].to_numpy()
    return [(float(np.sum(near <= d)), float(len(a))) for d in distances]


def _coverage_measure(
    a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, distances: list[float], dim: int
) -> list[tuple[float, float]]:
    target = shapely.union_all(_metric(a))
    geoms_b = _metric(b)
    measure = _areas if dim == 2 else _lengths
    total = float(measure(_metric_to_lonlat(np.array([target], dtype=object)))[0])
    out = []
    for d in distances:
        zone = shapely.union_all(shapely.buffer(geoms_b, d, quad_segs=32)) if len(geoms_b) else None
        part = shapely.intersection(target, zone) if zone is not None else shapely.Polygon()
        out.append((float(measure(_metric_to_lonlat(np.array([part], dtype=object)))[0]), total))
    return out


def coverage(
    a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, distances_m: Iterable[float], how: str = "auto"
) -> pd.DataFrame:
    """Share of A within each distance of B.

    Parameters
    ----------
    a, b : geopandas.GeoDataFrame
        Layers in the same declared CRS.
    distances_m : iterable of float
        Distances in metres.
    how : {"auto", "count", "area", "length"}
        ``count``: features of A with any part within d of B; ``area`` / ``length``:
        geodesic area / length of A (its union) within d of B, whose buffers are
        128-gons (area error < 0.05%). ``auto`` picks count for points, length for
        lines and area for polygons.

    Returns
    -------
    pandas.DataFrame
        One row per distance: ``distance_m``, ``measure`` (``count``, ``area_m2`` or
        ``length_m``), ``within``, ``total`` and ``share`` (NaN when A is empty).
    """
    ds = [parse_distance(d) for d in distances_m]
    _metric_pair(a, b, "coverage")
    dim = geometry_dimension(a)
    how = {2: "area", 1: "length"}.get(dim, "count") if how == "auto" else how
    if how not in ("count", "area", "length"):
        raise ValueError(f"how must be auto, count, area or length, not {how!r}")
    rows = (
        _coverage_counts(a, b, ds)
        if how == "count"
        else _coverage_measure(a, b, ds, 2 if how == "area" else 1)
    )
    unit = {"count": "count", "area": "area_m2", "length": "length_m"}[how]
    within = np.array([r[0] for r in rows])
    total = np.array([r[1] for r in rows])
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, within / np.where(total > 0, total, 1), np.nan)
    return pd.DataFrame(
        {"distance_m": ds, "measure": unit, "within": within, "total": total, "share": share}
    )


# --------------------------------------------------------------------------- 4. zones
def zonal_membership(features: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """Which zones each feature falls in, and what share of it.

    Parameters
    ----------
    features : geopandas.GeoDataFrame
        Points, lines or polygons.
    zones : geopandas.GeoDataFrame
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
    features : geopandas.GeoDataFrame
        The layer to place.
    zone_layers : mapping of str to GeoDataFrame
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
    features, zones : geopandas.GeoDataFrame
        As for :func:`zonal_membership`.

    Returns
    -------
    pandas.Series
        ``n_features`` indexed like ``zones`` (zones with none hold 0).
    """
    member = zonal_membership(features, zones)
    counts = member.groupby("zone")["feature"].nunique()
    return counts.reindex(zones.index, fill_value=0).astype("int64").rename("n_features")
