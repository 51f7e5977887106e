"""Geometry arrays of a layer in lon/lat or in the metric CRS, and the shared checks."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from geo.data.crs import METRIC_CRS, STORAGE_CRS, transformer
from geo.errors import CRSError, MeasureInputError

if TYPE_CHECKING:
    from pyproj import Geod


__all__ = [
    "FloatArray",
    "GeomArray",
    "IntArray",
    "geod",
    "geometry_dimension",
]


#: Below this many pairs, a GEOS ufunc runs on one thread (pool start-up costs more).
_PARALLEL_MIN = 20_000
#: Below this many coordinates, a transform runs on one thread.
_PARALLEL_MIN_COORDS = 200_000

GeomArray = NDArray[np.object_]
IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]


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


def transform_xy(src: Any, dst: Any, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Transform coordinate arrays between CRSs, in chunks on every core when large.

    PROJ releases the GIL and a :class:`pyproj.Transformer` keeps one PROJ object per
    thread, so the chunks run side by side; the values are those of one call.

    Parameters
    ----------
    src, dst
        The CRSs, as :func:`geo.data.crs.transformer` takes them.
    x, y
        Coordinates in ``src`` (x = longitude or easting).

    Returns
    -------
    tuple of ndarray
        ``x`` and ``y`` in ``dst``.
    """
    tr = transformer(src, dst)
    workers = os.cpu_count() or 1
    if workers == 1 or len(x) < _PARALLEL_MIN_COORDS:
        return tr.transform(x, y)
    bounds = list(itertools.pairwise(np.linspace(0, len(x), workers + 1).astype(int)))
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(lambda ij: tr.transform(x[ij[0] : ij[1]], y[ij[0] : ij[1]]), bounds))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _transform(geoms: GeomArray, src: Any, dst: Any) -> GeomArray:
    """Transform geometries between CRSs with one vectorised call (no frame copy)."""

    def tx(xy: FloatArray) -> FloatArray:
        return np.column_stack(transform_xy(src, dst, xy[:, 0], xy[:, 1]))

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


def require_numbers(gdf: gpd.GeoDataFrame, what: str) -> None:
    """Refuse a layer with coordinates that are NaN or infinite, naming the features.

    Parameters
    ----------
    gdf
        Any layer.
    what
        The measure asked for, for the message.

    Raises
    ------
    MeasureInputError
        Naming every feature whose position is not a number, and the fix.
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    xy = shapely.get_coordinates(geoms)
    ok = np.isfinite(xy)
    if ok.all():
        return
    owner = np.repeat(np.arange(len(geoms)), shapely.get_num_coordinates(geoms))
    rows = np.unique(owner[~ok.all(axis=1)])
    ids = gdf["id"] if "id" in gdf.columns else gdf.index.to_series()
    named = ", ".join(str(v) for v in ids.iloc[rows[:5]]) + (" ..." if len(rows) > 5 else "")
    first = np.argwhere(~ok)[0]
    axis = "longitude" if first[1] == 0 else "latitude"
    raise MeasureInputError(
        f"{what}: {len(rows)} feature(s) ({named}) have a {axis} that is not a number "
        f"('{xy[first[0], first[1]]}') -> fix: give them numeric positions (for a point "
        "at a gazetteer place, its lon/lat in gazetteer.csv)"
    )


def _check_pair(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, what: str) -> None:
    """Check that A and B share a declared CRS and hold positions that are numbers."""
    require_numbers(a, what)
    require_numbers(b, what)
    if a.crs is None or b.crs is None:
        raise CRSError(f"{what}: both layers need a CRS (set_crs('EPSG:4326') on the one without)")
    if not a.crs.equals(b.crs):
        raise CRSError(
            f"{what}: layer A is in {a.crs.to_string()} but layer B is in {b.crs.to_string()}; "
            "bring both to one CRS first (geo.Project().layer(id) returns EPSG:4326)"
        )


def _metric_pair(
    a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, what: str
) -> tuple[GeomArray, GeomArray]:
    """Check that A and B share a CRS and return both geometry arrays in EPSG:4544."""
    _check_pair(a, b, what)
    return _metric(a), _metric(b)


def geometry_dimension(gdf: gpd.GeoDataFrame) -> int:
    """Return the highest geometry dimension in a layer.

    Parameters
    ----------
    gdf
        Any layer.

    Returns
    -------
    int
        0 points, 1 lines, 2 polygons, -1 for an empty layer.
    """
    if len(gdf) == 0:
        return -1
    return int(np.max(shapely.get_dimensions(_geoms(gdf))))


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
