"""Reading a user's point list into one table of WGS-84 points with a name and address.

The formats are AMap or Baidu POI JSON, CSV, GeoJSON, GeoPackage and shapefile.

Only :func:`read_points` reads the disk.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import limits
from geo.data.crs import STORAGE_CRS, canonical_crs, convert
from geo.data.intake import TEXT_FIX, clean_tree, tree_text_problems
from geo.errors import DataFileError, LayerValidationError, Problem
from geo.tables import finite_number

__all__ = [
    "PointList",
    "read_points",
    "to_wgs84",
]


#: Columns holding a point's name, tried in this order (case-insensitive).
NAME_COLUMNS: tuple[str, ...] = (
    "name",
    "name_zh",
    "名称",
    "poi_name",
    "title",
    "place",
    "地点",
    "name_en",
)
#: Columns holding an address, joined in this order when several exist.
ADDRESS_COLUMNS: tuple[str, ...] = ("adname", "address", "地址", "addr")
#: Fields holding one-line text (line breaks there become a space when read).
ONE_LINE_FIELDS = frozenset({*NAME_COLUMNS, *ADDRESS_COLUMNS})
#: Columns carried through from the input when present.
EXTRA_COLUMNS: tuple[str, ...] = ("zoom", "accuracy_m")


@dataclass(frozen=True)
class PointList:
    """Points read from a user's file.

    Attributes
    ----------
    points
        One row per point, EPSG:4326, columns ``row`` (where in the file),
        ``name``, ``address``, ``source_datum`` and, when the file has them,
        ``zoom`` and ``accuracy_m``.
    provider
        What the file was recognised as (``AMap POI JSON``, ``Baidu Place JSON``,
        ``CSV``, ``GeoJSON``, ``GeoPackage/shapefile``).
    notes
        What was skipped or adjusted while reading.
    """

    points: gpd.GeoDataFrame
    provider: str
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- reading
def _problem(path: Path, problem: str, fix: str, row: str = "-") -> Problem:
    return Problem(str(path), row, problem, fix)


def _cell(value: Any) -> str:
    """Return a cell as text; AMap writes an empty field as ``[]``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    return str(value).strip()


def _pick(columns: Iterable[str], wanted: Sequence[str]) -> str | None:
    lower = {str(c).strip().lower(): str(c) for c in columns}
    return next((lower[w] for w in wanted if w in lower), None)


def _address(record: Mapping[str, Any]) -> str:
    parts = [_cell(record.get(c)) for c in ADDRESS_COLUMNS if c in record]
    return " ".join(p for p in parts if p)


def _kind(value: Any) -> str:
    """Name a JSON value's type and show it briefly, for a schema message."""
    from geo.data.checks import _kind_of, _short

    return f"{_kind_of(value)} ({_short(value, 30)})"


def _schema(where: str, expected: str, value: Any) -> str:
    return f"{where}: expected {expected}, got {_kind(value)}"


def _amap_rows(pois: list[Any], bad: list[str], key: str = "pois") -> list[dict[str, Any]]:
    rows = []
    for i, poi in enumerate(pois):
        if not isinstance(poi, dict):
            bad.append(_schema(f"{key}[{i}]", "an object", poi))
            continue
        loc = _cell(poi.get("location")).replace("，", ",").split(",")
        rows.append(
            {
                "_row": f"poi {i + 1}",
                "name": _cell(poi.get("name")),
                "address": _address(poi),
                "x": loc[0] if loc else None,
                "y": loc[1] if len(loc) > 1 else None,
            }
        )
    return rows


def _baidu_rows(results: list[Any], bad: list[str], key: str = "results") -> list[dict[str, Any]]:
    rows = []
    for i, res in enumerate(results):
        if not isinstance(res, dict):
            bad.append(_schema(f"{key}[{i}]", "an object", res))
            continue
        loc = res.get("location")
        if not isinstance(loc, dict):
            bad.append(_schema(f"{key}[{i}].location", 'an object {"lng": .., "lat": ..}', loc))
            continue
        rows.append(
            {
                "_row": f"result {i + 1}",
                "name": _cell(res.get("name")),
                "address": " ".join(p for p in (_cell(res.get("area")), _address(res)) if p),
                "x": loc.get("lng"),
                "y": loc.get("lat"),
            }
        )
    return rows


def _check_provider_datum(path: Path, provider: str, datum: str) -> None:
    """Refuse a provider's file declared in a datum the provider never publishes."""
    allowed = {"AMap POI JSON": ("gcj02",), "Baidu Place JSON": ("bd09", "gcj02")}[provider]
    if datum not in allowed:
        raise LayerValidationError(
            [
                _problem(
                    path,
                    f"an {provider} file is in {' or '.join(allowed)}, but --crs {datum} "
                    "was declared",
                    f"pass --crs {allowed[0]}",
                )
            ]
        )


def _feature_rows(doc: Mapping[str, Any], notes: list[str], bad: list[str]) -> list[dict[str, Any]]:
    """Rows from a GeoJSON FeatureCollection's point features; others are noted.

    Every part of the wrong JSON type is added to ``bad`` with its path in the
    document (``features[3].geometry: expected an object, got a number (5)``).
    """
    features = doc.get("features")
    if not isinstance(features, list):
        bad.append(_schema("features", "a list of Features", features))
        return []
    rows = []
    for i, feat in enumerate(features):
        where = f"features[{i}]"
        if not isinstance(feat, dict):
            bad.append(_schema(where, "a Feature object", feat))
            continue
        geom, props = feat.get("geometry"), feat.get("properties")
        if props is not None and not isinstance(props, dict):
            bad.append(_schema(f"{where}.properties", "an object", props))
            continue
        if geom is not None and not isinstance(geom, dict):
            bad.append(_schema(f"{where}.geometry", "an object", geom))
            continue
        props, geom = props or {}, geom or {}
        label = _cell(props.get("id")) or f"feature #{i + 1}"
        if geom.get("type") != "Point":
            notes.append(f"skipped {label}: a {_cell(geom.get('type')) or 'missing'} geometry")
            continue
        coords = geom.get("coordinates")
        if not isinstance(coords, list):
            bad.append(_schema(f"{where}.geometry.coordinates", "[lon, lat]", coords))
            continue
        coords = [*coords, None, None]
        rows.append({**props, "_row": label, "x": coords[0], "y": coords[1]})
    return rows


def _load_json(path: Path, encoding: str | None = None) -> Any:
    from geo.data.intake import decode_utf8, load_json, read_file_bytes
    from geo.data.layerfile import _decode

    try:
        raw = read_file_bytes(path, limits.MAX_INPUT_BYTES)
        if encoding is None:
            text = decode_utf8(raw, path)
        else:
            decoded, bad = _decode(raw, str(path), encoding)
            if decoded is None:  # bad says why
                raise LayerValidationError([bad] if bad else [])
            text = decoded
        doc = load_json(text, path)
    except DataFileError as exc:
        raise LayerValidationError([exc.as_problem()]) from None
    _refuse_text(path, tree_text_problems(doc))
    clean_tree(doc, ONE_LINE_FIELDS)
    return doc


def _refuse_text(path: Path, found: list[tuple[str, str]]) -> None:
    """Raise the text policy's refusals of a file, each with where it is."""
    if found:
        raise LayerValidationError([_problem(path, p, TEXT_FIX, where) for where, p in found])


def _json_rows(
    path: Path, datum: str, notes: list[str], encoding: str | None = None
) -> tuple[list[dict[str, Any]], str]:
    doc = _load_json(path, encoding)
    bad: list[str] = []
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        rows, provider = _feature_rows(doc, notes, bad), "GeoJSON"
    else:
        key = next((k for k in ("pois", "results") if isinstance(doc, dict) and k in doc), "")
        items = doc if isinstance(doc, list) else (doc.get(key) if key else None)
        if not isinstance(items, list):
            raise LayerValidationError([_problem(path, *_NOT_A_POINT_LIST)])
        first = next((i for i in items if isinstance(i, dict)), {})
        amap = isinstance(first.get("location"), str) or key == "pois"
        provider = "AMap POI JSON" if amap else "Baidu Place JSON"
        _check_provider_datum(path, provider, datum)
        where = key or "(top level)"
        rows = _amap_rows(items, bad, where) if amap else _baidu_rows(items, bad, where)
    if bad:
        fix = "export the file again from its source; the reader expects the provider's format"
        raise LayerValidationError([_problem(path, b, fix) for b in bad])
    return rows, provider


_NOT_A_POINT_LIST = (
    "not a point list this toolkit reads",
    "give an AMap POI result ({'pois': [...]}), a Baidu Place result "
    "({'results': [...]}), a GeoJSON FeatureCollection of points, or a CSV",
)


def _table_rows(
    table: pd.DataFrame, path: Path, lon_column: str | None, lat_column: str | None
) -> list[dict[str, Any]]:
    from geo.data.inputs import _coordinate_columns

    cols = [str(c) for c in table.columns]
    if lon_column or lat_column:
        missing = [c for c in (lon_column, lat_column) if c is None or c not in cols]
        if missing:
            raise LayerValidationError(
                [
                    _problem(
                        path,
                        f"--lon-column/--lat-column {missing} not among the columns "
                        f"{', '.join(cols)}",
                        "give both options with names of existing columns",
                    )
                ]
            )
        pair: tuple[str, str] | str | None = (str(lon_column), str(lat_column))
    else:
        pair = _coordinate_columns(cols)
    if pair is None:
        raise LayerValidationError(
            [
                _problem(
                    path,
                    f"no coordinate columns among {', '.join(cols)}",
                    "name them lon/lat, lng/lat, x/y or 经度/纬度, give an AMap 'location' "
                    "column, or pass --lon-column and --lat-column",
                )
            ]
        )
    rows = []
    for i, rec in enumerate(table.to_dict("records")):
        rec = {str(k): v for k, v in rec.items()}
        if isinstance(pair, str):
            xy = [*_cell(rec.pop(pair, "")).replace("，", ",").split(","), None]
            rec["x"], rec["y"] = xy[0], xy[1]
        else:
            rec["x"], rec["y"] = rec.pop(pair[0], None), rec.pop(pair[1], None)
        rows.append({**rec, "_row": f"row {i + 2}"})  # line 1 is the header
    return rows


def _vector_rows(
    path: Path, datum: str, notes: list[str], layer: str | None, encoding: str | None
) -> list[dict[str, Any]]:
    from geo.data.inputs import read_input_document

    doc, more = read_input_document(path, datum, layer=layer, encoding=encoding)
    notes += more
    member = (doc.get("crs") or {}).get("properties", {}).get("name")
    if member and canonical_crs(member) != datum:
        raise LayerValidationError(
            [
                _problem(
                    path,
                    f"the file's CRS is {member} but --crs {datum} was declared",
                    f"declare the file's CRS (--crs {canonical_crs(member)})",
                )
            ]
        )
    _refuse_text(path, tree_text_problems(doc))  # attributes pass the same text policy
    clean_tree(doc, ONE_LINE_FIELDS)
    bad: list[str] = []
    rows = _feature_rows(doc, notes, bad)
    if bad:
        raise LayerValidationError([_problem(path, b, "export the file again") for b in bad])
    return rows


def _raw_rows(
    path: Path, datum: str, columns: tuple[str | None, ...], notes: list[str]
) -> tuple[list[dict[str, Any]], str]:
    suffix = path.suffix.lower()
    lon_column, lat_column, layer, encoding = columns
    if layer is not None and suffix in (".json", ".geojson", ".csv", ".txt"):
        fix = "drop --layer"
        raise LayerValidationError(
            [_problem(path, f"--layer {layer!r} given for a one-layer file", fix)]
        )
    if suffix in (".json", ".geojson"):
        return _json_rows(path, datum, notes, encoding)
    if suffix in (".csv", ".txt"):
        from geo.data.inputs import read_table

        return _table_rows(read_table(path, encoding), path, lon_column, lat_column), "CSV"
    if suffix in (".xlsx", ".xlsm", ".xls"):
        from geo.data.inputs import read_table

        table = read_table(path, encoding, layer)  # a workbook's layer is its sheet
        return _table_rows(table, path, lon_column, lat_column), "Excel"
    return _vector_rows(path, datum, notes, layer, encoding), "GeoPackage/shapefile"


def to_wgs84(xs: Any, ys: Any, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert coordinates in a declared CRS to WGS-84 lon/lat.

    Parameters
    ----------
    xs, ys
        Coordinates (degrees for the lon/lat datums, metres for projected CRSs).
    crs
        ``wgs84``, ``gcj02``, ``bd09`` or ``EPSG:<code>``.

    Returns
    -------
    tuple of ndarray
        WGS-84 longitude and latitude.
    """
    datum = canonical_crs(crs)
    xs, ys = (
        np.atleast_1d(np.asarray(xs, dtype="float64")),
        np.atleast_1d(np.asarray(ys, dtype="float64")),
    )
    if datum.startswith(("EPSG:", "PROJ")):
        pts = gpd.GeoSeries.from_xy(xs, ys, crs=datum).to_crs(STORAGE_CRS)
        return pts.x.to_numpy(), pts.y.to_numpy()
    return convert(xs, ys, datum, "wgs84")


def _coordinate_problems(path: Path, rows: list[dict[str, Any]], datum: str) -> list[Problem]:
    from geo.data.crs import coordinate_problem

    problems = []
    for r in rows:
        x, y = finite_number(r.get("x")), finite_number(r.get("y"))
        if x is None or y is None:
            problems.append(
                _problem(
                    path,
                    f"coordinates ({_cell(r.get('x'))!r}, {_cell(r.get('y'))!r}) are not "
                    "two numbers",
                    "give lon and lat in decimal degrees, e.g. 106.4662, 29.5665",
                    r["_row"],
                )
            )
            continue
        found = coordinate_problem([x], [y], datum)
        if found:
            problems.append(_problem(path, found[0], found[1], r["_row"]))
    return problems


def _number_problems(path: Path, rows: list[dict[str, Any]]) -> list[Problem]:
    """Refuse ``zoom`` and ``accuracy_m`` cells that are given but no number in range."""
    checks = {
        "zoom": (limits.zoom_problem, limits.ZOOM_FIX),
        "accuracy_m": (limits.accuracy_problem, limits.ACCURACY_FIX),
    }
    problems = []
    for r in rows:
        for col, (check, fix) in checks.items():
            value = r.get(col)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue  # an empty cell (read as NaN from a GeoPackage): not given
            if str(value).strip() and (found := check(str(value).strip(), col)):
                problems.append(_problem(path, found, fix, str(r.get("_row", "-"))))
    return problems


def read_points(
    path: str | Path,
    crs: str,
    *,
    name_column: str | None = None,
    lon_column: str | None = None,
    lat_column: str | None = None,
    layer: str | None = None,
    encoding: str | None = None,
) -> PointList:
    """Read a user's point list (any supported format) as WGS-84 points.

    Parameters
    ----------
    path
        AMap POI JSON/CSV, Baidu Place JSON, CSV, GeoJSON, GeoPackage or shapefile.
        The file is only read.
    crs
        The file's CRS: ``wgs84``, ``gcj02`` (AMap/Gaode/Tencent), ``bd09`` (Baidu) or
        ``EPSG:<code>``; GCJ-02 and BD-09 are converted to WGS-84.
    name_column
        Column holding the names; default the first of :data:`NAME_COLUMNS`.
    lon_column, lat_column
        Coordinate columns of a CSV, when they are not named as usual.
    layer
        The layer of a GeoPackage that holds several, or the sheet of an Excel
        workbook (default its first).
    encoding
        Text encoding of a CSV, a JSON or a shapefile's ``.dbf`` (e.g. ``gbk``);
        default UTF-8 (for a shapefile, what its ``.cpg`` says).

    Returns
    -------
    PointList

    Raises
    ------
    LayerValidationError
        Listing every problem in the file (unreadable, wrong datum for the provider,
        coordinates that are not numbers, swapped or outside Chongqing).
    """
    from geo.data.intake import check_regular_file

    path = Path(path)
    try:
        check_regular_file(path)
    except DataFileError as exc:
        raise LayerValidationError([exc.as_problem()]) from None
    datum = canonical_crs(crs)
    notes: list[str] = []
    rows, provider = _raw_rows(path, datum, (lon_column, lat_column, layer, encoding), notes)
    if len(rows) > limits.MAX_FEATURES:
        found = f"{len(rows):,} points, more than the limit of {limits.MAX_FEATURES:,}"
        fix = "split the file, or keep only the points near the places to fix"
        raise LayerValidationError([_problem(path, found, fix)])
    problems = _coordinate_problems(path, rows, datum) + _number_problems(path, rows)
    if problems:
        raise LayerValidationError(problems)
    return PointList(_frame(rows, datum, name_column), provider, tuple(notes))


def _frame(rows: list[dict[str, Any]], datum: str, name_column: str | None) -> gpd.GeoDataFrame:
    keys = list(dict.fromkeys(k for r in rows for k in r))
    name_col = name_column or _pick(keys, NAME_COLUMNS)
    xs = np.array([float(r["x"]) for r in rows], dtype="float64")
    ys = np.array([float(r["y"]) for r in rows], dtype="float64")
    lon, lat = to_wgs84(xs, ys, datum)
    table = pd.DataFrame(
        {
            "row": [r.get("_row", f"#{i + 1}") for i, r in enumerate(rows)],
            "name": [_cell(r.get(name_col)) if name_col else "" for r in rows],
            "address": [_address(r) for r in rows],
            "source_datum": datum,
        }
    )
    for col in EXTRA_COLUMNS:
        if col in keys:
            table[col] = [finite_number(r.get(col)) for r in rows]
    return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon, lat), crs=STORAGE_CRS)
