"""Geometry arrays of a layer in lon/lat or in the metric CRS, and the shared checks."""

from __future__ import annotations

import itertools
import os
import threading
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
    "checked_coordinates",
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


def _workers() -> int:
    return os.cpu_count() or 1


_POOL_PREFIX = "geo-measure"
#: The process's worker pool and the process it belongs to (a forked child makes its own).
_POOL: list[tuple[int, ThreadPoolExecutor]] = []
_POOL_LOCK = threading.Lock()


def _in_pool() -> bool:
    """Return whether the caller runs on one of the shared worker threads.

    Work already on a worker runs inline: waiting there for other workers could
    leave none free to answer.
    """
    return threading.current_thread().name.startswith(_POOL_PREFIX)


def _pool() -> ThreadPoolExecutor:
    """Return the worker threads shared by every measure, one per core, started once.

    Threads are kept because a :class:`pyproj.Transformer` builds one PROJ object per
    thread (tens of milliseconds of database look-ups): fresh threads on every call
    would pay that again each time.
    """
    pid = os.getpid()
    with _POOL_LOCK:
        if not _POOL or _POOL[0][0] != pid:
            _POOL[:] = [(pid, ThreadPoolExecutor(_workers(), thread_name_prefix=_POOL_PREFIX))]
        return _POOL[0][1]


def _chunks(n: int, parts: int) -> list[tuple[int, int]]:
    """Split ``range(n)`` into ``parts`` contiguous (start, stop) bounds."""
    return list(itertools.pairwise(np.linspace(0, n, parts + 1).astype(int).tolist()))


def transform_xy(src: Any, dst: Any, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Transform coordinate arrays between CRSs, in chunks on every core when large.

    PROJ releases the GIL and a :class:`pyproj.Transformer` keeps one PROJ object per
    thread, so the chunks run side by side on the shared worker threads; the values
    are those of one call.

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
    workers = _workers()
    if workers == 1 or len(x) < _PARALLEL_MIN_COORDS or _in_pool():
        return tr.transform(x, y)
    bounds = _chunks(len(x), workers)
    parts = list(_pool().map(lambda ij: tr.transform(x[ij[0] : ij[1]], y[ij[0] : ij[1]]), bounds))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _moved(
    geoms: GeomArray, xy: FloatArray | None, src: Any, dst: Any
) -> tuple[GeomArray, FloatArray]:
    """Geometries with their coordinates transformed, and those new coordinates (one chunk).

    The same calls as :func:`shapely.transform` (2D): ``xy`` are the coordinates of
    ``geoms`` as :func:`shapely.get_coordinates` lists them (read here when None).
    """
    if xy is None:
        xy = shapely.get_coordinates(geoms)
    x, y = transformer(src, dst).transform(xy[:, 0], xy[:, 1])
    new = np.column_stack([x, y])
    return np.asarray(shapely.set_coordinates(np.array(geoms, dtype=object), new)), new


def _transformed(
    geoms: GeomArray, src: Any, dst: Any, xy: FloatArray | None = None
) -> tuple[GeomArray, FloatArray]:
    """Transform geometries between CRSs; return them and their new coordinates.

    Large arrays go in chunks of whole geometries to the shared worker threads, so
    that one chunk's reading and writing of coordinates (which hold the GIL) overlaps
    another's projection (which does not). ``xy``, when given, holds the
    coordinates of ``geoms`` as :func:`shapely.get_coordinates` lists them.
    """
    workers = _workers()
    if workers == 1 or _in_pool():
        return _moved(geoms, xy, src, dst)
    counts = shapely.get_num_coordinates(geoms)
    if int(counts.sum()) < _PARALLEL_MIN_COORDS:
        return _moved(geoms, xy, src, dst)
    ends = np.concatenate([[0], np.cumsum(counts)])
    bounds = _chunks(len(geoms), 4 * workers)

    def part(ij: tuple[int, int]) -> tuple[GeomArray, FloatArray]:
        i, j = ij
        return _moved(geoms[i:j], None if xy is None else xy[ends[i] : ends[j]], src, dst)

    parts = list(_pool().map(part, bounds))
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
    _check_crs_pair(a, b, what)


def _check_crs_pair(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, what: str) -> None:
    """Check that A and B share a declared CRS."""
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


def checked_coordinates(
    a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, what: str
) -> tuple[tuple[GeomArray, GeomArray], tuple[FloatArray, FloatArray]]:
    """Check A and B as :func:`_check_pair` does, reading each one's coordinates once.

    Returns
    -------
    tuple
        Both geometry arrays, and their coordinates as :func:`shapely.get_coordinates`
        lists them.
    """
    geoms = _geoms(a), _geoms(b)
    xy = shapely.get_coordinates(geoms[0]), shapely.get_coordinates(geoms[1])
    for gdf, coords in zip((a, b), xy, strict=True):
        if not np.isfinite(coords).all():
            require_numbers(gdf, what)
    _check_crs_pair(a, b, what)
    return geoms, xy


def _both_ways(
    a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, what: str
) -> tuple[tuple[GeomArray, FloatArray, GeomArray], tuple[GeomArray, FloatArray, GeomArray]]:
    """Check A and B as :func:`_check_pair` does; return each in lon/lat and metric.

    For each layer: its geometries in lon/lat, their coordinates (as
    :func:`shapely.get_coordinates` lists them) and its geometries in EPSG:4544. Each
    layer's coordinates are read once and projected once each way they need.
    """
    geoms, xy = checked_coordinates(a, b, what)
    out = []
    for gdf, g, coords in zip((a, b), geoms, xy, strict=True):
        if gdf.crs.equals(STORAGE_CRS):
            ll, ll_xy = g, coords
        else:
            ll, ll_xy = _transformed(g, gdf.crs, STORAGE_CRS, coords)
        m = g if gdf.crs.equals(METRIC_CRS) else _transformed(g, gdf.crs, METRIC_CRS, coords)[0]
        out.append((ll, ll_xy, m))
    return out[0], out[1]


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
