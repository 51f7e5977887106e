"""Large point layers read, checked and stored column by column (GeoParquet).

A layer of points only with more than :data:`geo.limits.COMPACT_POINTS_ABOVE`
features (an enterprise registry) is not turned into one GeoJSON mapping per
feature: its table is held as a frame, checked with column operations and stored as
GeoParquet, about 30 bytes a point where GeoJSON takes 260 (a million points write
in about a second and read back in two). A row the column checks cannot clear is
checked by the rules of :mod:`geo.data.checks` themselves, one feature at a time, so
a problem reads the same whichever way its layer was checked.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import limits
from geo.data.checks import (
    _SLUG,
    _TEXT_PROPERTIES,
    GEOMETRY_SOURCES,
    REQUIRED,
    SCHEMATIC_MIN_ACCURACY_M,
    _crs_member_problems,
    _feature_problems,
)
from geo.data.crs import CHONGQING_BBOX, STORAGE_CRS, canonical_crs, convert_gdf
from geo.data.encoding import garbled_text_problems
from geo.data.intake import DROPPED, clean_text, read_file_bytes, text_problem
from geo.data.layerfile import ONE_LINE_PROPERTIES, _outside_chongqing
from geo.errors import DataFileError, LayerValidationError, Problem
from geo.tables import finite_number

__all__ = [
    "PARQUET_SUFFIXES",
    "STORE_SUFFIX",
    "check_points",
    "checked_points",
    "file_crs_member",
    "frame_from_table",
    "garbled_problems",
    "is_compact",
    "points_bytes",
    "read_parquet",
    "restore_field_names",
]

#: Suffixes read as GeoParquet.
PARQUET_SUFFIXES = frozenset({".parquet", ".geoparquet"})
#: The suffix of a stored compact point layer.
STORE_SUFFIX = ".parquet"
#: Every character the text policy may refuse or change (control characters, line
#: breaks, tab); a cell holding none is cleared without a closer look.
_MAYBE_REFUSED = r"[\x00-\x1f\x7f-\x9f]"
_MAYBE_CLEANED = f"[\\x00-\\x1f\\x7f-\\x9f\u2028\u2029{DROPPED}]"
#: Every character ``str.strip`` removes (all lie below U+3001).
_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
_UNIQUE_FIX = "give every feature a unique id"
_COORD_FIX = "give lon and lat in decimal degrees (e.g. 106.4662, 29.5665), or a gazetteer 'place'"


def is_compact(gdf: gpd.GeoDataFrame) -> bool:
    """Whether a layer is stored as GeoParquet: points only, above the compact threshold.

    Parameters
    ----------
    gdf
        The layer's features.

    Returns
    -------
    bool
    """
    if len(gdf) <= limits.COMPACT_POINTS_ABOVE:
        return False
    return bool((shapely.get_type_id(gdf.geometry.values) == 0).all())


# --------------------------------------------------------------------------- reading
def frame_from_table(
    table: pd.DataFrame, columns: tuple[str, str], source: str
) -> gpd.GeoDataFrame:
    """Turn a table with lon and lat columns into a frame of points, column by column.

    Parameters
    ----------
    table
        One row per point (row ``n`` is line ``n + 2``), text policy applied.
    columns
        The names of its x and y columns.
    source
        The input's name, for problems.

    Returns
    -------
    geopandas.GeoDataFrame
        The other columns as properties, points in the table's CRS (none set).

    Raises
    ------
    LayerValidationError
        Listing every row whose coordinates are not two numbers.
    """
    xy = [pd.to_numeric(table[c], errors="coerce").to_numpy(float) for c in columns]
    bad = np.flatnonzero(~(np.isfinite(xy[0]) & np.isfinite(xy[1])))
    problems = []
    for i in bad:  # read as the one-feature-at-a-time reader does
        raw = json.loads(table.iloc[[i]][list(columns)].to_json(orient="values"))[0]
        fixed = [finite_number(v) for v in raw]
        if any(v is None for v in fixed):
            fid = table["id"].iloc[i] if "id" in table else None
            fid = str(fid) if isinstance(fid, str) and fid else f"row {i + 2}"
            found = f"coordinates {raw!r} are not two numbers"
            problems.append(Problem(source, fid, found, _COORD_FIX))
        else:
            xy[0][i], xy[1][i] = fixed
    if problems:
        raise LayerValidationError(problems)
    keep = [c for c in table.columns if c not in columns and not str(c).startswith("Unnamed:")]
    return gpd.GeoDataFrame(table[keep], geometry=shapely.points(xy[0], xy[1]))


def restore_field_names(gdf: gpd.GeoDataFrame) -> dict[str, str]:
    """Return renames that undo the shapefile's 10-character cut of required names.

    Parameters
    ----------
    gdf
        Features read from a file.

    Returns
    -------
    dict of str to str
        ``{"geometry_s": "geometry_source"}`` and the like, for required properties
        that are absent while their 10-character stem is present.
    """
    cols = set(map(str, gdf.columns))
    return {
        key[:10]: key for key in REQUIRED if len(key) > 10 and key not in cols and key[:10] in cols
    }


def file_crs_member(frame: gpd.GeoDataFrame, crs: str | None) -> str | None:
    """Name a file's own CRS when it must be checked against the declared one.

    Parameters
    ----------
    frame
        The features as read, with their file's CRS.
    crs
        The declared CRS. A lon/lat datum declared over a geographic file wins
        (``gcj02`` data are routinely labelled WGS-84).

    Returns
    -------
    str or None
    """
    lonlat_declared = crs is not None and not canonical_crs(crs).startswith("EPSG:")
    if frame.crs is None or (frame.crs.is_geographic and lonlat_declared):
        return None
    epsg = frame.crs.to_epsg()
    return f"urn:ogc:def:crs:EPSG::{epsg}" if epsg else frame.crs.to_string()


def read_parquet(path: Path) -> gpd.GeoDataFrame:
    """Read a GeoParquet file through the one door (size limit, regular file).

    Parameters
    ----------
    path
        The file; only read.

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    LayerValidationError
        If the file is too large or is no GeoParquet file.
    """
    try:
        raw = read_file_bytes(path, limits.MAX_INPUT_BYTES)
    except DataFileError as exc:
        raise LayerValidationError([exc.as_problem()]) from None
    try:
        return gpd.read_parquet(io.BytesIO(raw))
    except Exception as exc:  # pyarrow and geopandas raise several types
        found = " ".join(str(exc).split())[:200]
        raise LayerValidationError(
            [
                Problem(
                    str(path),
                    "-",
                    f"cannot read the file as GeoParquet ({found})",
                    "write it again (geopandas: gdf.to_parquet(path)), or give a GeoJSON or CSV",
                )
            ]
        ) from None


# --------------------------------------------------------------------------- checking
def _properties(frame: gpd.GeoDataFrame) -> list[str]:
    return [c for c in frame.columns if c != frame.geometry.name]


def _features(frame: gpd.GeoDataFrame, rows: np.ndarray) -> list[dict[str, Any]]:
    """Return rows as the GeoJSON features the one-feature-at-a-time reader sees."""
    part = frame.iloc[rows]
    props = json.loads(
        pd.DataFrame(part[_properties(frame)]).to_json(orient="records", force_ascii=False)
    )
    texts = shapely.to_geojson(part.geometry.values)
    geoms = [None if g is None else json.loads(g) for g in texts]
    pairs = zip(props, geoms, strict=True)
    return [{"type": "Feature", "properties": p, "geometry": g} for p, g in pairs]


#: Rows turned into features at once when they are checked one by one.
_BATCH = 5_000


def _suspect_text(s: pd.Series) -> np.ndarray:
    """Cells that may be mojibake: undecodable, or non-ASCII all within Latin-1."""
    latin = _matches(s, r"[\x80-\xff]") & ~_matches(s, r"[^\x00-\xff]")
    return _matches(s, "\ufffd") | latin


def _matches(s: pd.Series, pattern: str) -> np.ndarray:
    """Text cells in which ``pattern`` is found (any other cell: False)."""
    if not _textual(s):
        return np.zeros(len(s), bool)
    found = s.str.contains(pattern, regex=True)
    return np.asarray(found.astype(object).fillna(False), dtype=bool)


def garbled_problems(frame: gpd.GeoDataFrame, source: str, fix: str) -> list[Problem]:
    """Find text decoded with the wrong encoding, as :func:`garbled_text_problems` does.

    Parameters
    ----------
    frame
        The features as read.
    source
        Name of the input, for the messages.
    fix
        What to do, with ``{enc}``/``{ENC}`` standing for the likely encoding.

    Returns
    -------
    list of Problem
        One per feature with garbled text (its first garbled value).
    """
    names = _properties(frame)
    suspect = np.full(len(frame), _suspect_text(pd.Series(names, dtype=object)).any())
    for col in names:
        suspect |= _suspect_text(frame[col])
    out = []
    rows = np.flatnonzero(suspect)
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        for i, feat in zip(batch, _features(frame, batch), strict=True):
            for p in garbled_text_problems({"features": [feat]}, source, fix):
                shown = dataclasses.replace(p, feature_id=f"#{i}") if p.feature_id == "#0" else p
                out.append(shown)
    return out


def _textual(s: pd.Series) -> bool:
    """Whether a column may hold text (object, or a string dtype)."""
    return s.dtype == object or pd.api.types.is_string_dtype(s)


def _is_text(s: pd.Series) -> np.ndarray:
    """Cells holding text."""
    if s.dtype != object and pd.api.types.is_string_dtype(s):
        return ~s.isna().to_numpy()
    return s.map(lambda v: isinstance(v, str)).to_numpy(bool)


def _blank(s: pd.Series) -> np.ndarray:
    """Cells that are null, or text of white space only (as ``str.strip`` sees it)."""
    blank = s.isna().to_numpy()
    if not _textual(s):
        return blank
    return blank | (_is_text(s) & ~_matches(s, f"[^{_SPACES}]"))


def _kind_ok(s: pd.Series) -> np.ndarray:
    """Cells that are text, a number or null (no list or object)."""
    if s.dtype != object:
        return np.ones(len(s), bool)
    kinds = s.map(type)
    return (kinds.isin([str, int, float]) | s.isna()).to_numpy(bool)


def _plain_cell(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, str | int | bool)


def _value_ok(s: pd.Series) -> np.ndarray:
    """Cells with no refused character, nesting or non-finite number (``None`` passes)."""
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_integer_dtype(s):
        return np.ones(len(s), bool)
    if pd.api.types.is_float_dtype(s):
        return ~np.isinf(s.to_numpy(float))
    ok = ~_matches(s, _MAYBE_REFUSED)
    for i in np.flatnonzero(~ok):
        ok[i] = text_problem(s.iloc[i]) is None
    if s.dtype == object:  # a list, an object or a non-finite number: one by one
        ok &= s.map(_plain_cell).to_numpy(bool) | s.isna().to_numpy()
    return ok


def _geometry_ok(frame: gpd.GeoDataFrame, crs: str, expect: str | None) -> np.ndarray:
    geoms = frame.geometry.values
    ok = (shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)
    if expect not in (None, "Point"):
        ok[:] = False
    x, y = shapely.get_x(geoms), shapely.get_y(geoms)
    with np.errstate(invalid="ignore"):
        ok &= np.isfinite(x) & np.isfinite(y)
        if crs.startswith(("EPSG:", "PROJ")):
            return ok & ~((np.abs(x) <= 180) & (np.abs(y) <= 90))
        x0, y0, x1, y1 = CHONGQING_BBOX
        return ok & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def _accuracy_ok(frame: gpd.GeoDataFrame) -> np.ndarray:
    s = frame["accuracy_m"]
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        return np.zeros(len(s), bool)
    acc = s.to_numpy(float)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(acc) & (acc >= limits.MIN_ACCURACY_M) & (acc <= limits.MAX_ACCURACY_M)
        schematic = (frame["geometry_source"] == "schematic").to_numpy()
        return ok & ~(schematic & (acc < SCHEMATIC_MIN_ACCURACY_M))


def _id_ok(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_integer_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return (s >= 0).to_numpy()
    if not _textual(s):
        return np.zeros(len(s), bool)
    return _is_text(s) & s.str.match(_SLUG.pattern).fillna(False).to_numpy(bool)


def _cleared(frame: gpd.GeoDataFrame, crs: str, expect: str | None) -> np.ndarray:
    """Rows every column check clears; the others are checked feature by feature."""
    names = _properties(frame)
    if "geometry" in names or any(text_problem(str(c)) for c in names):
        return np.zeros(len(frame), bool)
    if any(key not in names for key in REQUIRED):
        return np.zeros(len(frame), bool)
    ok = _geometry_ok(frame, crs, expect)
    for key in REQUIRED:
        ok &= ~_blank(frame[key])
    for key in _TEXT_PROPERTIES:
        ok &= _kind_ok(frame[key])
    ok &= _id_ok(frame["id"]) & frame["geometry_source"].isin(GEOMETRY_SOURCES).to_numpy()
    ok &= _accuracy_ok(frame)
    for key in names:
        if key != "accuracy_m":
            ok &= _value_ok(frame[key])
    return ok


def _duplicates(frame: gpd.GeoDataFrame, f: str) -> list[Problem]:
    ids = frame["id"] if "id" in frame else pd.Series([], dtype=object)
    if pd.api.types.is_integer_dtype(ids) and not pd.api.types.is_bool_dtype(ids):
        usable = np.ones(len(ids), bool)
    elif ids.dtype == object:
        usable = ids.map(lambda v: isinstance(v, str | int) and not isinstance(v, bool))
        usable = usable.to_numpy(bool)
    else:
        usable = _is_text(ids)
    keyed = ids[usable]
    again = keyed.duplicated(keep="first")
    if not again.any():
        return []
    positions = np.flatnonzero(usable)
    first = dict(zip(keyed[~again].to_numpy(), positions[~again.to_numpy()], strict=True))
    return [
        Problem(f, str(fid), f"duplicate id (also feature #{first[fid]})", _UNIQUE_FIX)
        for fid in keyed[again]
    ]


def check_points(
    frame: gpd.GeoDataFrame,
    path: Path | str,
    crs: str,
    expect: str | None = None,
    member: str | None = None,
) -> list[Problem]:
    """Check a frame of points and return every problem, as :func:`check_document` would.

    Parameters
    ----------
    frame
        The points, as read, in the declared CRS; properties as columns.
    path
        The file, named in the problems.
    crs
        The declared CRS (canonical or not).
    expect
        The expected geometry type.
    member
        The CRS the file itself names, when it names one.

    Returns
    -------
    list of Problem
    """
    f, crs = str(path), canonical_crs(crs)
    named = {"crs": {"properties": {"name": member}}} if member else {}
    problems = _crs_member_problems(named, f, crs)
    if frame.empty:
        fix = "add features or remove the layer"
        return [*problems, Problem(f, "-", "the FeatureCollection has no features", fix)]
    if found := limits.layer_size_problem(len(frame), len(frame), points=True):
        return [*problems, Problem(f, "-", found, limits.SIMPLIFY_FIX)]
    rows = np.flatnonzero(~_cleared(frame, crs, expect))
    progress = limits.Progress(f"checking {Path(f).name}", len(rows))
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        for i, feat in zip(batch, _features(frame, batch), strict=True):
            problems += _feature_problems(f, int(i), feat, crs, expect, None)
            progress.step()
    return problems + _duplicates(frame, f)


def _cleaned(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Apply the text policy's cleaning to every text cell and column name."""
    out = pd.DataFrame(frame[_properties(frame)])
    for col in out.columns:
        if _textual(out[col]):
            one = col in ONE_LINE_PROPERTIES
            changed = np.flatnonzero(_matches(out[col], _MAYBE_CLEANED))
            cells = out[col].astype(object)
            for i in changed:
                cells.iloc[i] = clean_text(cells.iloc[i], single_line=one)
            out[col] = cells
    out["accuracy_m"] = out["accuracy_m"].astype(float)
    return out.rename(columns=lambda c: clean_text(str(c), single_line=True))


def checked_points(
    frame: gpd.GeoDataFrame,
    path: Path | str,
    crs: str,
    expect: str | None = None,
    member: str | None = None,
) -> gpd.GeoDataFrame:
    """Check a frame of points and return it in EPSG:4326, text cleaned.

    Parameters
    ----------
    frame
        The points, as read, in the declared CRS.
    path
        The file, named in the problems.
    crs
        The declared CRS.
    expect
        The expected geometry type.
    member
        The CRS the file itself names, when it names one.

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    LayerValidationError
        Listing every problem.
    """
    problems = check_points(frame, path, crs, expect, member)
    if problems:
        raise LayerValidationError(problems)
    canonical = canonical_crs(crs)
    projected = canonical.startswith(("EPSG:", "PROJ"))
    gdf = gpd.GeoDataFrame(
        _cleaned(frame), geometry=frame.geometry.values, crs=canonical if projected else STORAGE_CRS
    )
    if canonical in ("gcj02", "bd09"):
        gdf = convert_gdf(gdf, canonical, "wgs84")
    elif not gdf.crs.equals(STORAGE_CRS):
        gdf = gdf.to_crs(STORAGE_CRS)
        if late := _outside_chongqing(gdf, str(path)):
            raise LayerValidationError(late)
    return gdf


# --------------------------------------------------------------------------- writing
def points_bytes(gdf: gpd.GeoDataFrame, precision: int = 6) -> bytes:
    """Return the GeoParquet bytes a compact point layer is stored as.

    Parameters
    ----------
    gdf
        Points in EPSG:4326.
    precision
        Decimal places of coordinates kept, as in GeoJSON layers (6 ≈ 0.1 m).

    Returns
    -------
    bytes
    """
    out = gdf.copy()
    out.geometry = shapely.set_precision(gdf.geometry.values, 10.0**-precision)
    buffer = io.BytesIO()
    out.to_parquet(buffer, index=False)
    return buffer.getvalue()
