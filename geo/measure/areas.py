"""Geodesic areas and lengths, and area units."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo.data.crs import STORAGE_CRS, transformer
from geo.data.units import AREA_UNITS
from geo.errors import UnknownChoiceError, UnknownColumnError
from geo.measure.arrays import (
    _PARALLEL_MIN_COORDS,
    FloatArray,
    GeomArray,
    IntArray,
    _in_pool,
    _lonlat,
    _pool,
    _workers,
    geod,
)

__all__ = [
    "area_table",
    "convert_area",
    "geodesic_area",
    "geodesic_length",
]


#: Mean Earth radius (m), for the bound on the equal-area projection's edge error.
_EARTH_RADIUS_M = 6_371_008.8
#: A ring's equal-area value is used when twice the sum over its edges of
#: s³(ρ + s)/R² (edge length s, distance ρ from the projection's centre) is at most
#: this share of its area; the largest constant found on 3 000 random thin triangles
#: was 1.7, so the difference from the geodesic ring stays below about 4e-7.
_EQUAL_AREA_TOLERANCE = 5e-7


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


def _bounds(xy: FloatArray) -> tuple[float, float, float, float]:
    """Smallest and largest longitude and latitude of lon/lat points (NaN ignored)."""
    return (
        float(np.nanmin(xy[:, 0])),
        float(np.nanmin(xy[:, 1])),
        float(np.nanmax(xy[:, 0])),
        float(np.nanmax(xy[:, 1])),
    )


def _laea(xy: FloatArray) -> str:
    """PROJ string of a Lambert azimuthal equal-area plane centred on lon/lat points."""
    return _laea_at(_bounds(xy))


def _laea_at(bounds: tuple[float, float, float, float]) -> str:
    """PROJ string of the plane :func:`_laea` gives for points with these bounds."""
    lo0, la0, lo1, la1 = bounds
    # A centre on a 0.01-degree grid lets repeated calls share one Transformer.
    return (
        f"+proj=laea +lat_0={(la0 + la1) / 2:.2f} +lon_0={(lo0 + lo1) / 2:.2f} "
        "+ellps=WGS84 +units=m +no_defs"
    )


def _ring_areas(xy: FloatArray, ring_off: IntArray, laea: str | None = None) -> FloatArray:
    """Unsigned geodesic-quality area (m²) of closed lon/lat rings, vectorised.

    ``ring_off`` holds the offsets of the rings in ``xy`` (ring i is
    ``xy[ring_off[i]:ring_off[i + 1]]``). Equal-area projection (``laea``, by default
    centred on ``xy``) and the shoelace formula for every ring, then an exact
    :class:`pyproj.Geod` area for the rings whose error bound exceeds
    :data:`_EQUAL_AREA_TOLERANCE` of their area. Each ring's value depends only on
    the ring and the projection, so the rings may be split into groups.
    """
    n = len(ring_off) - 1
    base = ring_off[0]
    tr = transformer(STORAGE_CRS, _laea(xy) if laea is None else laea)
    x, y = xy[:, 0].copy(), xy[:, 1].copy()
    tr.transform(x, y, inplace=True)
    counts = np.diff(ring_off)
    full = counts > 0
    owner = np.repeat(np.arange(n), counts)[:-1]
    same = np.ones(max(len(x) - 1, 0), dtype=bool)  # edge i joins two points of one ring
    ends = ring_off[1:-1] - base - 1
    ends = ends[(ends >= 0) & (ends < len(same))]
    same[ends] = False
    starts = ring_off[:-1][full] - base
    # local origins keep the products small; products and sums in place
    xs = np.repeat(x[starts], counts[full])
    np.subtract(x, xs, out=xs)
    ys = np.repeat(y[starts], counts[full])
    np.subtract(y, ys, out=ys)
    cross = np.multiply(xs[:-1], ys[1:])
    np.subtract(cross, np.multiply(xs[1:], ys[:-1]), out=cross)
    cross[ends] = 0.0
    area = np.abs(np.bincount(owner, weights=cross, minlength=n)) / 2.0
    for i in np.flatnonzero(_needs_exact(x, y, same, owner, area, ring_off - base)):
        ring = xy[ring_off[i] - base : ring_off[i + 1] - base]
        area[i] = _ring_area(ring[:, 0], ring[:, 1])
    return area


def _edge_bound(x: FloatArray, y: FloatArray) -> float:
    """Twice the sum over a ring's edges of s³(ρ + s)/R², as :func:`_needs_exact` defines it."""
    edge = np.hypot(np.diff(x), np.diff(y))
    rho = np.hypot((x[1:] + x[:-1]) / 2.0, (y[1:] + y[:-1]) / 2.0) + edge
    terms = edge**3 * rho
    total = float(np.cumsum(terms)[-1]) if len(terms) else 0.0  # in order, as bincount sums
    return 2.0 * total / _EARTH_RADIUS_M**2


def _needs_exact(
    x: FloatArray,
    y: FloatArray,
    same: NDArray[np.bool_],
    owner: IntArray,
    area: FloatArray,
    ring_off: IntArray,
) -> NDArray[np.bool_]:
    """Rings whose equal-area value may be off by more than the tolerance (or is NaN).

    The bound is twice the sum over the edges of s³(ρ + s)/R² (edge length s, ρ the
    distance of the edge's middle from the projection's centre), at most
    :data:`_EQUAL_AREA_TOLERANCE` of the ring's area (edges not ``same``, which join
    one ring to the next, count 0). It is summed here with plain products and square
    roots, in place; the few rings within 1e-9 of the limit are decided
    on the bound as :func:`numpy.hypot` and powers give it, edge by edge in order.
    """
    edge = np.subtract(x[1:], x[:-1])
    np.multiply(edge, edge, out=edge)
    tmp = np.subtract(y[1:], y[:-1])
    np.add(edge, np.multiply(tmp, tmp, out=tmp), out=edge)
    np.sqrt(edge, out=edge)
    edge[~same] = 0.0
    rho = np.add(x[1:], x[:-1])
    np.divide(rho, 2.0, out=rho)
    np.multiply(rho, rho, out=rho)
    np.add(y[1:], y[:-1], out=tmp)
    np.divide(tmp, 2.0, out=tmp)
    np.add(rho, np.multiply(tmp, tmp, out=tmp), out=rho)
    np.sqrt(rho, out=rho)
    np.add(rho, edge, out=rho)
    terms = np.multiply(edge, edge, out=tmp)
    np.multiply(terms, edge, out=terms)
    np.multiply(terms, rho, out=terms)
    bound = np.bincount(owner, weights=terms, minlength=len(area)) * (2.0 / _EARTH_RADIUS_M**2)
    limit = _EQUAL_AREA_TOLERANCE * area
    out = bound > limit * (1 + 1e-9)
    for i in np.flatnonzero(~(out | (bound <= limit * (1 - 1e-9)))):  # near the limit, or NaN
        ring = slice(ring_off[i], ring_off[i + 1])
        out[i] = not _edge_bound(x[ring], y[ring]) <= limit[i]
    return out


def _ring_areas_parallel(xy: FloatArray, ring_off: IntArray, laea: str | None = None) -> FloatArray:
    """:func:`_ring_areas` with one projection for all rings, in groups on every core.

    The projection is ``laea``, by default the one :func:`_laea` centres on ``xy``.
    """
    if laea is None:
        laea = _laea(xy)
    workers = _workers()
    if workers == 1 or len(xy) < _PARALLEL_MIN_COORDS or _in_pool():
        return _ring_areas(xy, ring_off, laea)
    # group bounds on ring starts, about the same number of coordinates in each
    cuts = np.searchsorted(ring_off, np.linspace(0, len(xy), 2 * workers + 1)[1:-1])
    bounds = list(itertools.pairwise([0, *np.unique(cuts).tolist(), len(ring_off) - 1]))
    parts = _pool().map(
        lambda ij: _ring_areas(
            xy[ring_off[ij[0]] : ring_off[ij[1]]], ring_off[ij[0] : ij[1] + 1], laea
        ),
        [(i, j) for i, j in bounds if j > i],
    )
    return np.concatenate(list(parts))


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


def _rings(
    geoms: GeomArray, xy: FloatArray | None = None
) -> tuple[FloatArray, IntArray, IntArray, NDArray[np.bool_]]:
    """Coordinates, ring offsets, owning geometry and shell flag of every polygon ring.

    A Polygon without holes is one ring whose coordinates are its own, in the order
    of :func:`shapely.get_coordinates` (``xy``, when given, holds exactly those of
    ``geoms``); the other geometries (multi-parts, holes, collections) keep their
    polygonal parts by :func:`_ring_table`, their rings in the same order.
    """
    types = shapely.get_type_id(geoms)
    counts = shapely.get_num_coordinates(geoms)
    simple = (types == 3) & (counts > 0) & (shapely.get_num_interior_rings(geoms) == 0)
    if xy is None:
        xy = shapely.get_coordinates(geoms)
    if simple.all():
        off = np.zeros(len(geoms) + 1, dtype=np.intp)
        np.cumsum(counts, out=off[1:])
        return xy, off, np.arange(len(geoms)), np.ones(len(geoms), dtype=bool)
    xs = xy[np.repeat(simple, counts)]
    off = np.zeros(int(simple.sum()) + 1, dtype=np.intp)
    np.cumsum(counts[simple], out=off[1:])
    rest = np.flatnonzero(~simple)
    others = geoms[rest]
    if np.all(np.isin(types[rest], (-1, 3, 6))):
        polys, owner = others, np.arange(len(others))
    else:  # points, lines or collections mixed in: keep the polygons
        polys, owner = _polygon_parts(others)
    if len(polys) and np.any(shapely.get_num_coordinates(polys)):
        xy2, off2, geom2, shell2 = _ring_table(polys)
        geom2 = rest[owner[geom2]]
    else:
        xy2, off2 = np.empty((0, 2)), np.zeros(1, dtype=np.intp)
        geom2, shell2 = np.empty(0, dtype=np.intp), np.empty(0, dtype=bool)
    return (
        np.concatenate([xs, xy2]),
        np.concatenate([off, off2[1:] + off[-1]]),
        np.concatenate([np.flatnonzero(simple), geom2]),
        np.concatenate([np.ones(len(off) - 1, dtype=bool), shell2]),
    )


def _areas(lonlat: GeomArray, xy: FloatArray | None = None, laea: str | None = None) -> FloatArray:
    """Geodesic area (m²) of the polygonal parts of lon/lat geometries, vectorised by ring.

    Each ring's area is taken unsigned, so either winding gives the same result;
    holes (every ring after a polygon's first) are subtracted. ``xy``, when given,
    holds the coordinates of ``lonlat`` as :func:`shapely.get_coordinates` lists them.
    ``laea`` is the equal-area plane (by default centred on the coordinates); a
    geometry's area depends only on its rings and that plane, so geometries measured
    apart on one plane get the values they would get together.
    """
    geoms = np.asarray(lonlat, dtype=object)
    out = np.zeros(len(geoms))
    if not len(geoms):
        return out
    xy, ring_off, geom, shell = _rings(geoms, xy)
    if not len(xy):
        return out
    ring_area = _ring_areas_parallel(xy, ring_off, laea)
    out += np.bincount(geom, weights=np.where(shell, ring_area, -ring_area), minlength=len(out))
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


# --------------------------------------------------------------------------- 1. areas, lengths
def geodesic_area(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Geodesic area of every feature on the WGS-84 ellipsoid.

    Parameters
    ----------
    gdf
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
    gdf
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
    area_m2
        Areas in square metres.
    unit
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
        raise UnknownChoiceError(f"unknown area unit {unit!r}: use one of {', '.join(AREA_UNITS)}")
    return (area_m2 / AREA_UNITS[unit]).rename(f"area_{unit}")


def area_table(gdf: gpd.GeoDataFrame, by: str | None = None, unit: str = "m2") -> pd.DataFrame:
    """Areas of the features of a layer, or summed by a column.

    Parameters
    ----------
    gdf
        Features in any declared CRS.
    by
        Column to group by (e.g. ``kind``); the sum is of feature areas, so features
        that overlap are counted once each (see :func:`union_area`).
    unit
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
            raise UnknownColumnError(
                f"no column {by!r} to group by: columns are {', '.join(gdf.columns)}"
            )
        grouped = area.groupby(gdf[by].astype(str), sort=True)
        out = pd.DataFrame({"features": grouped.size(), "area_m2": grouped.sum()})
    else:
        out = area.to_frame()
    if unit != "m2":
        out[f"area_{unit}"] = convert_area(out["area_m2"], unit)
    total = out["area_m2"].sum()
    out["share"] = out["area_m2"] / total if total > 0 else np.nan
    return out
