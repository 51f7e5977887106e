"""Coordinate systems: China's GCJ-02 and BD-09 offsets, and the metric CRS.

Storage is WGS-84 (EPSG:4326). AMap/Gaode and Tencent publish GCJ-02 ("Mars")
coordinates; Baidu publishes BD-09. Both are deterministic obfuscations of WGS-84
and are converted here. CGCS2000 (EPSG:4490) differs from WGS-84 by a few
centimetres in this region, far below any accuracy in this project, so it is
treated as WGS-84.

Metric work (overlay, buffering) runs in CGCS2000 / 3-degree Gauss-Krüger CM 105E
(EPSG:4544), whose scale distortion over Shapingba (106.2-106.5E) is below 0.1%.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from geo.errors import CRSError, DegreesNotAllowedError

if TYPE_CHECKING:
    import geopandas as gpd
    from pyproj import Transformer

STORAGE_CRS = "EPSG:4326"
METRIC_CRS = "EPSG:4544"

#: Names accepted for the three Chinese lon/lat systems.
Datum = Literal["wgs84", "gcj02", "bd09"]
_ALIASES: dict[str, str] = {
    "wgs84": "wgs84",
    "wgs-84": "wgs84",
    "epsg:4326": "wgs84",
    "cgcs2000": "wgs84",
    "epsg:4490": "wgs84",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "amap": "gcj02",
    "gaode": "gcj02",
    "tencent": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "baidu": "bd09",
}

# Krasovsky 1940 ellipsoid parameters used by the GCJ-02 algorithm.
_A = 6378245.0
_EE = 0.00669342162296594323
_BD_X_PI = math.pi * 3000.0 / 180.0

FloatArray = NDArray[np.float64]


def normalize_datum(name: str) -> str:
    """Return the canonical datum name (``wgs84``, ``gcj02`` or ``bd09``).

    Parameters
    ----------
    name
        A datum or alias, case-insensitive: ``wgs84``, ``cgcs2000``, ``EPSG:4326``,
        ``gcj02``, ``amap``, ``gaode``, ``bd09``, ``baidu`` ...

    Returns
    -------
    str
        One of ``"wgs84"``, ``"gcj02"``, ``"bd09"``.

    Raises
    ------
    CRSError
        If the name is not a lon/lat datum this module converts.
    """
    key = str(name).strip().lower()
    if key not in _ALIASES:
        raise CRSError(
            f"unknown datum {name!r}: use one of wgs84, gcj02 (AMap/Gaode/Tencent) or "
            "bd09 (Baidu); projected CRSs such as EPSG:4544 are handled by to_crs()"
        )
    return _ALIASES[key]


def _delta(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return the GCJ-02 offset (dlon, dlat) in degrees at WGS-84 positions."""
    x = lon - 105.0
    y = lat - 35.0
    sq = np.sqrt(np.abs(x))
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sq
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sq
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(rad) * np.pi)
    return dlon, dlat


def _arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    return np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert WGS-84 lon/lat to GCJ-02 (the published forward formula).

    Parameters
    ----------
    lon, lat
        WGS-84 longitude and latitude in degrees (scalars or arrays).

    Returns
    -------
    tuple of ndarray
        GCJ-02 longitude and latitude.
    """
    lon_a, lat_a = _arrays(lon, lat)
    dlon, dlat = _delta(lon_a, lat_a)
    return lon_a + dlon, lat_a + dlat


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 lon/lat to WGS-84 by fixed-point iteration.

    The forward offset varies slowly, so iterating ``w = g - delta(w)`` converges to
    better than 1e-9 degrees in a handful of steps; the one-step inverse most code
    uses is off by up to ~1e-5 degrees (a metre or two).

    Parameters
    ----------
    lon, lat
        GCJ-02 longitude and latitude in degrees.

    Returns
    -------
    tuple of ndarray
        WGS-84 longitude and latitude.
    """
    g_lon, g_lat = _arrays(lon, lat)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(30):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = f_lon - g_lon, f_lat - g_lat
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
        if np.nanmax(np.abs(np.concatenate([np.ravel(e_lon), np.ravel(e_lat)])), initial=0) < 1e-12:
            break
    return w_lon, w_lat


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 lon/lat to BD-09 (Baidu's published formula)."""
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert BD-09 lon/lat to GCJ-02 by fixed-point iteration of the forward formula."""
    b_lon, b_lat = _arrays(lon, lat)
    x, y = b_lon - 0.0065, b_lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_X_PI)
    g_lon, g_lat = z * np.cos(theta), z * np.sin(theta)
    for _ in range(10):
        f_lon, f_lat = gcj02_to_bd09(g_lon, g_lat)
        g_lon, g_lat = g_lon - (f_lon - b_lon), g_lat - (f_lat - b_lat)
    return g_lon, g_lat


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert WGS-84 lon/lat to BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert BD-09 lon/lat to WGS-84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_CONVERTERS: dict[
    tuple[str, str], Callable[[ArrayLike, ArrayLike], tuple[FloatArray, FloatArray]]
] = {
    ("wgs84", "gcj02"): wgs84_to_gcj02,
    ("gcj02", "wgs84"): gcj02_to_wgs84,
    ("gcj02", "bd09"): gcj02_to_bd09,
    ("bd09", "gcj02"): bd09_to_gcj02,
    ("wgs84", "bd09"): wgs84_to_bd09,
    ("bd09", "wgs84"): bd09_to_wgs84,
}


def convert(lon: ArrayLike, lat: ArrayLike, src: str, dst: str) -> tuple[FloatArray, FloatArray]:
    """Convert lon/lat between any two of WGS-84, GCJ-02 and BD-09.

    Parameters
    ----------
    lon, lat
        Coordinates in degrees.
    src, dst
        Datum names or aliases (see :func:`normalize_datum`).

    Returns
    -------
    tuple of ndarray
        Converted longitude and latitude.
    """
    s, d = normalize_datum(src), normalize_datum(dst)
    if s == d:
        return _arrays(lon, lat)
    return _CONVERTERS[(s, d)](lon, lat)


def convert_gdf(gdf: gpd.GeoDataFrame, src: str, dst: str) -> gpd.GeoDataFrame:
    """Return a copy of a lon/lat GeoDataFrame with every vertex converted.

    Parameters
    ----------
    gdf
        Features in lon/lat degrees; its ``crs`` must be geographic or unset.
    src, dst
        Datum names (see :func:`normalize_datum`).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with converted geometry and ``crs`` EPSG:4326 (GCJ-02 and BD-09 have no
        EPSG code; the caller tracks the datum when the result is not WGS-84).

    Raises
    ------
    CRSError
        If ``gdf`` is in a projected CRS.
    """
    import shapely

    if gdf.crs is not None and not gdf.crs.is_geographic:
        raise CRSError(
            f"convert_gdf needs lon/lat degrees, got {gdf.crs.to_string()}: "
            "use gdf.to_crs('EPSG:4326') first"
        )
    s, d = normalize_datum(src), normalize_datum(dst)
    out = gdf.copy()
    if s != d:

        def _tx(coords: FloatArray) -> FloatArray:
            x, y = convert(coords[:, 0], coords[:, 1], s, d)
            return np.column_stack([x, y])

        out.geometry = shapely.transform(np.asarray(gdf.geometry.values), _tx)
    return out.set_crs(STORAGE_CRS, allow_override=True)


@lru_cache(maxsize=32)
def transformer(src: Any, dst: Any) -> Transformer:
    """Return a lon/lat-ordered pyproj Transformer, built once per pair of CRSs.

    Building a Transformer costs milliseconds (PROJ database lookups), so measures
    that run often reuse one; nothing is built when the module is imported.

    Parameters
    ----------
    src, dst
        Anything :meth:`pyproj.Transformer.from_crs` accepts that is hashable
        (``"EPSG:4326"``, a PROJ string, a :class:`pyproj.CRS`).

    Returns
    -------
    pyproj.Transformer
        With ``always_xy=True`` (x = longitude or easting first).
    """
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


def to_metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Project a GeoDataFrame to the metric CRS EPSG:4544 for overlay and buffering.

    Parameters
    ----------
    gdf
        Features with a declared CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        The features in EPSG:4544 (metres).

    Raises
    ------
    CRSError
        If ``gdf`` has no CRS.
    """
    if gdf.crs is None:
        raise CRSError("layer has no CRS: set it with gdf.set_crs('EPSG:4326') before measuring")
    return gdf.to_crs(METRIC_CRS)


def require_metric(gdf: gpd.GeoDataFrame, what: str = "this computation") -> None:
    """Refuse to run a metric computation on data in degrees.

    Parameters
    ----------
    gdf
        The data about to be measured, buffered or overlaid.
    what
        Name of the computation, used in the error message.

    Raises
    ------
    DegreesNotAllowedError
        If the CRS is geographic (degrees) or missing.
    """
    if gdf.crs is None:
        raise DegreesNotAllowedError(
            f"{what} needs a metric CRS but the data has none: set_crs() then to_crs('EPSG:4544')"
        )
    if gdf.crs.is_geographic:
        raise DegreesNotAllowedError(
            f"{what} refuses data in degrees ({gdf.crs.to_string()}): "
            "use geo.data.crs.to_metric(gdf) or gdf.to_crs('EPSG:4544') first"
        )


def declared_crs_of_member(doc: dict[str, Any]) -> str | None:
    """Return the CRS named by a legacy GeoJSON ``crs`` member, if any.

    Parameters
    ----------
    doc
        A GeoJSON FeatureCollection mapping.

    Returns
    -------
    str or None
        ``EPSG:n`` for an EPSG or CRS84 name, the name itself otherwise, ``None``
        when the document names no CRS.
    """
    member = doc.get("crs")
    props = member.get("properties") if isinstance(member, dict) else None
    if not isinstance(props, dict):
        return None
    name = props.get("name")
    if not isinstance(name, str):
        return None
    m = re.search(r"EPSG:{1,2}(\d+)", name, re.IGNORECASE)
    if m:
        return f"EPSG:{m.group(1)}"
    if "CRS84" in name.upper():
        return "EPSG:4326"
    return name or None


def canonical_crs(crs: str) -> str:
    """Map a declared CRS to ``wgs84``/``gcj02``/``bd09`` or ``EPSG:n`` (projected).

    Parameters
    ----------
    crs
        A datum alias (``amap``, ``cgcs2000`` ...), an ``EPSG:n`` code or any
        definition pyproj reads.

    Returns
    -------
    str
        The datum name for a geographic CRS, ``EPSG:n`` (or WKT) for a projected one.

    Raises
    ------
    CRSError
        If the CRS is unknown.
    """
    try:
        return normalize_datum(crs)
    except CRSError:
        pass
    try:
        from pyproj import CRS

        c = CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises its own CRSError subclasses
        raise CRSError(f"unknown CRS {crs!r}: use wgs84, gcj02, bd09 or EPSG:<code>") from exc
    if c.is_geographic:
        return "wgs84"  # CGCS2000 and WGS-84 differ by centimetres here
    epsg = c.to_epsg()
    return f"EPSG:{epsg}" if epsg else c.to_wkt()


#: Chongqing's bounding box (min lon, min lat, max lon, max lat), WGS-84 degrees.
CHONGQING_BBOX = (105.2, 28.1, 110.3, 32.3)


def _metres(v: float) -> str:
    """Format a coordinate for a message: one decimal, or an exponent when huge."""
    return f"{v:.1f}" if abs(v) < 1e12 else f"{v:.3g}"


def _not_a_number(xs: list[float], ys: list[float], crs: str) -> tuple[str, str] | None:
    """Name the first coordinate that is NaN or infinite (never "outside Chongqing")."""
    projected = crs.startswith(("EPSG:", "PROJCRS", "PROJCS"))
    names = ("easting", "northing") if projected else ("longitude", "latitude")
    for x, y in zip(xs, ys, strict=True):
        for name, value in zip(names, (x, y), strict=True):
            if not math.isfinite(value):
                return (
                    f"{name} '{value}' is not a number",
                    "give lon and lat in decimal degrees, e.g. 106.4662, 29.5665",
                )
    return None


def coordinate_problem(xs: list[float], ys: list[float], crs: str) -> tuple[str, str] | None:
    """Diagnose coordinates that are not lon/lat in Chongqing.

    Parameters
    ----------
    xs, ys
        The coordinates as given.
    crs
        The declared CRS (canonical name, e.g. ``wgs84`` or ``EPSG:4544``).

    Returns
    -------
    tuple of (str, str) or None
        The problem and its fix, or ``None`` when the coordinates look right.
    """
    if found := _not_a_number(xs, ys, crs):
        return found
    x0, y0, x1, y1 = CHONGQING_BBOX
    if crs.startswith("EPSG:") or crs.startswith(("PROJCRS", "PROJCS")):
        if all(abs(x) <= 180 for x in xs) and all(abs(y) <= 90 for y in ys):
            return (
                f"coordinates look like degrees but the declared CRS is {crs}",
                "declare crs wgs84 (or gcj02/bd09), or reproject the data to the declared CRS",
            )
        return None  # projected values are range-checked after reprojection
    if all(y0 <= x <= y1 for x in xs) and all(x0 <= y <= x1 for y in ys):
        return (
            "latitude and longitude are swapped (found lat, lon; GeoJSON wants lon, lat)",
            "swap the two numbers of every position",
        )
    if any(abs(x) > 180 for x in xs) or any(abs(y) > 90 for y in ys):
        return (
            f"coordinates such as ({_metres(xs[0])}, {_metres(ys[0])}) are too large for degrees: "
            "projected metres given as degrees",
            "declare the file's projected CRS (e.g. --crs EPSG:4544) or reproject to WGS-84",
        )
    if not all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in zip(xs, ys, strict=True)):
        i = next(
            i
            for i, (x, y) in enumerate(zip(xs, ys, strict=True))
            if not (x0 <= x <= x1 and y0 <= y <= y1)
        )
        return (
            f"position ({xs[i]:.5f}, {ys[i]:.5f}) lies outside Chongqing",
            "check the coordinates and their CRS; the toolkit covers Chongqing only",
        )
    return None
