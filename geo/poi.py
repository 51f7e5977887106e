"""Point lists from users: read them in the formats people have, match them to places.

A GIS officer in Chongqing who wants to fix an approximate gazetteer position usually
holds one of these:

- an AMap (高德) Web-service POI search result, as JSON (``{"pois": [...]}``) or as a
  CSV with ``name``, ``location`` (``"lng,lat"``), ``address`` and ``adname``
  columns; AMap coordinates are GCJ-02;
- a Baidu Place search result (``{"results": [...]}`` with ``location.lat`` and
  ``location.lng``), in BD-09 (or GCJ-02 when requested with ``ret_coordtype``);
- a CSV with a name column and ``lon``/``lat``, ``lng``/``lat``, ``x``/``y`` or
  ``经度``/``纬度`` columns (a surveyed point list);
- a GeoJSON of points, including what the maps' Draw control exports;
- a GeoPackage or shapefile of points.

:func:`read_points` turns any of them into one table of WGS-84 points with a name and
an address; :func:`match_points` matches every row to gazetteer places by name and
aliases (tolerating brackets, ``校区`` suffixes, ``重庆市`` prefixes and the parts of a
place such as a gate) and returns a review table: the old and the new position, the
distance moved, the accuracy the new position would get, and flags that say why a
row should not be applied as it is. Nothing is written.

Only :func:`read_points` reads the disk.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._errors import LayerValidationError, Problem
from geo.crs import METRIC_CRS, STORAGE_CRS, convert
from geo.gazetteer import (
    Gazetteer,
    Place,
    hand_placed_error_m,
    normalize_name,
    position_accuracy,
)
from geo.layers import canonical_crs

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

__all__ = [
    "BLOCKING_FLAGS",
    "FLAGS",
    "NAME_COLUMNS",
    "PointList",
    "match_points",
    "name_keys",
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
#: Columns carried through from the input when present.
EXTRA_COLUMNS: tuple[str, ...] = ("zoom", "accuracy_m")

#: What each flag in the review table means.
FLAGS: Mapping[str, str] = {
    "unnamed": "the row has no name: give one, or name the place with --only",
    "unmatched": "no gazetteer place has this name or alias",
    "ambiguous": "the name fits several places, or several rows far apart fit this place",
    "duplicate": "another row gives the same place at about the same position",
    "outside": "the position lies outside the district",
    "far": "the move is larger than the old accuracy_m",
    "located": "the place is already located from a source at least as good",
    "part": "the row is a part of the place (a gate, a building), not the place itself",
    "weaker": "another row matches this place by a closer name",
    "extent": "the place is a line or the whole district: one point cannot locate it",
}
#: Flags that keep a row from being applied even when named with ``--only``.
BLOCKING_FLAGS: frozenset[str] = frozenset(
    {"unnamed", "unmatched", "ambiguous", "duplicate", "outside", "weaker", "extent"}
)
#: Rows that give one place within this distance of each other agree.
AGREE_M = 100.0
#: A point this close to the district boundary still counts as inside (river edges).
DISTRICT_MARGIN_M = 50.0

_OPEN_CLOSE = r"()\[\]{}【】〔〕<>《》"
_BRACKET_CHARS = re.compile(f"[{re.escape(_OPEN_CLOSE)}]")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
#: Prefixes the documents and the POI providers add or leave out.
_PREFIXES: tuple[str, ...] = ("中国人民解放军", "重庆市沙坪坝区", "沙坪坝区", "重庆市")
#: Suffixes naming the campus of an institution rather than another place.
_SUFFIXES: tuple[str, ...] = ("主校区", "校区", "校本部", "本部")
#: Old names that mean the same institution.
_SYNONYMS: tuple[tuple[str, str], ...] = (("第三军医大学", "陆军军医大学"),)


@dataclass(frozen=True)
class PointList:
    """Points read from a user's file.

    Attributes
    ----------
    points : geopandas.GeoDataFrame
        One row per point, EPSG:4326, columns ``row`` (where in the file),
        ``name``, ``address``, ``source_datum`` and, when the file has them,
        ``zoom`` and ``accuracy_m``.
    provider : str
        What the file was recognised as (``AMap POI JSON``, ``Baidu Place JSON``,
        ``CSV``, ``GeoJSON``, ``GeoPackage/shapefile``).
    notes : tuple of str
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


def _number(value: Any) -> float | None:
    try:
        out = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _pick(columns: Iterable[str], wanted: Sequence[str]) -> str | None:
    lower = {str(c).strip().lower(): str(c) for c in columns}
    return next((lower[w] for w in wanted if w in lower), None)


def _address(record: Mapping[str, Any]) -> str:
    parts = [_cell(record.get(c)) for c in ADDRESS_COLUMNS if c in record]
    return " ".join(p for p in parts if p)


def _amap_rows(pois: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for i, poi in enumerate(pois):
        poi = poi if isinstance(poi, dict) else {}
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


def _baidu_rows(results: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for i, res in enumerate(results):
        res = res if isinstance(res, dict) else {}
        loc = res.get("location") if isinstance(res.get("location"), dict) else {}
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


def _feature_rows(doc: Mapping[str, Any], notes: list[str]) -> list[dict[str, Any]]:
    """Rows from a GeoJSON FeatureCollection's point features; others are noted."""
    rows = []
    for i, feat in enumerate(doc.get("features") or []):
        feat = feat if isinstance(feat, dict) else {}
        geom = feat.get("geometry") or {}
        props = feat.get("properties") or {}
        label = str(props.get("id") or f"feature #{i + 1}")
        if geom.get("type") != "Point":
            notes.append(f"skipped {label}: a {geom.get('type') or 'missing'} geometry")
            continue
        coords = [*list(geom.get("coordinates") or []), None, None]
        rows.append({**props, "_row": label, "x": coords[0], "y": coords[1]})
    return rows


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise LayerValidationError(
            [_problem(path, f"not UTF-8 (byte {exc.start})", "re-save the file as UTF-8")]
        ) from exc
    except json.JSONDecodeError as exc:
        raise LayerValidationError(
            [
                _problem(
                    path,
                    f"broken JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
                    "repair the JSON (python -m json.tool shows where)",
                )
            ]
        ) from exc


def _json_rows(path: Path, datum: str, notes: list[str]) -> tuple[list[dict[str, Any]], str]:
    doc = _load_json(path)
    items = doc if isinstance(doc, list) else None
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        return _feature_rows(doc, notes), "GeoJSON"
    if isinstance(doc, dict):
        items = doc.get("pois", doc.get("results"))
    if isinstance(items, list):
        first = next((i for i in items if isinstance(i, dict)), {})
        amap = isinstance(first.get("location"), str) or (isinstance(doc, dict) and "pois" in doc)
        provider = "AMap POI JSON" if amap else "Baidu Place JSON"
        _check_provider_datum(path, provider, datum)
        return (_amap_rows(items) if amap else _baidu_rows(items)), provider
    raise LayerValidationError(
        [
            _problem(
                path,
                "not a point list this toolkit reads",
                "give an AMap POI result ({'pois': [...]}), a Baidu Place result "
                "({'results': [...]}), a GeoJSON FeatureCollection of points, or a CSV",
            )
        ]
    )


def _table_rows(
    table: pd.DataFrame, path: Path, lon_column: str | None, lat_column: str | None
) -> list[dict[str, Any]]:
    from geo.registry.inputs import _coordinate_columns

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


def _vector_rows(path: Path, datum: str, notes: list[str]) -> list[dict[str, Any]]:
    from geo.registry import read_input_document

    doc, more = read_input_document(path, datum)
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
    return _feature_rows(doc, notes)


def _raw_rows(
    path: Path, datum: str, lon_column: str | None, lat_column: str | None, notes: list[str]
) -> tuple[list[dict[str, Any]], str]:
    suffix = path.suffix.lower()
    if suffix in (".json", ".geojson"):
        return _json_rows(path, datum, notes)
    if suffix in (".csv", ".txt"):
        from geo.registry.inputs import _read_csv

        return _table_rows(_read_csv(path), path, lon_column, lat_column), "CSV"
    return _vector_rows(path, datum, notes), "GeoPackage/shapefile"


def to_wgs84(xs: Any, ys: Any, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert coordinates in a declared CRS to WGS-84 lon/lat.

    Parameters
    ----------
    xs, ys : array_like
        Coordinates (degrees for the lon/lat datums, metres for projected CRSs).
    crs : str
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
    from geo.layers import _coordinate_problem

    problems = []
    for r in rows:
        x, y = _number(r.get("x")), _number(r.get("y"))
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
        found = _coordinate_problem([x], [y], datum)
        if found:
            problems.append(_problem(path, found[0], found[1], r["_row"]))
    return problems


def read_points(
    path: str | Path,
    crs: str,
    *,
    name_column: str | None = None,
    lon_column: str | None = None,
    lat_column: str | None = None,
) -> PointList:
    """Read a user's point list (any supported format) as WGS-84 points.

    Parameters
    ----------
    path : str or Path
        AMap POI JSON/CSV, Baidu Place JSON, CSV, GeoJSON, GeoPackage or shapefile.
        The file is only read.
    crs : str
        The file's CRS: ``wgs84``, ``gcj02`` (AMap/Gaode/Tencent), ``bd09`` (Baidu) or
        ``EPSG:<code>``; GCJ-02 and BD-09 are converted to WGS-84.
    name_column : str, optional
        Column holding the names; default the first of :data:`NAME_COLUMNS`.
    lon_column, lat_column : str, optional
        Coordinate columns of a CSV, when they are not named as usual.

    Returns
    -------
    PointList

    Raises
    ------
    LayerValidationError
        Listing every problem in the file (unreadable, wrong datum for the provider,
        coordinates that are not numbers, swapped or outside Chongqing).
    """
    path = Path(path)
    if not path.exists():
        raise LayerValidationError([_problem(path, "the file does not exist", "check the path")])
    datum = canonical_crs(crs)
    notes: list[str] = []
    rows, provider = _raw_rows(path, datum, lon_column, lat_column, notes)
    problems = _coordinate_problems(path, rows, datum)
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
            table[col] = [_number(r.get(col)) for r in rows]
    return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon, lat), crs=STORAGE_CRS)


# --------------------------------------------------------------------------- matching
def _canonical(key: str) -> str:
    """Reduce a normalised name to its variant key (brackets, prefixes, suffixes)."""
    key = _BRACKET_CHARS.sub("", key)
    for old, new in _SYNONYMS:
        key = key.replace(old, new)
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix) + 1:
            key = key[len(prefix) :]
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            key = key[: -len(suffix)]
            break
    return key


def name_keys(name: str) -> list[tuple[str, str]]:
    """Return the keys a name is matched by, strongest first, with how each was made.

    Parameters
    ----------
    name : str
        A place name as a POI provider or a user writes it, e.g.
        ``"重庆师范大学(大学城校区)"`` or ``"中国人民解放军陆军军医大学第二附属医院"``.

    Returns
    -------
    list of (str, str)
        ``(key, how)`` pairs: ``exact`` (the normalised name), ``variant``
        (brackets removed, ``重庆市``/``沙坪坝区``/``中国人民解放军`` prefixes and
        ``校区`` suffixes dropped, old names mapped), ``loose`` (the same with the
        bracketed part dropped), and ``part`` for the text before the last dash
        (``重庆大学A区-东门`` is a gate of 重庆大学A区).
    """
    key = normalize_name(name)
    if not key:
        return []
    out = [(key, "exact"), (_canonical(key), "variant")]
    out.append((_canonical(_BRACKETED.sub("", key)), "loose"))
    head = key.rsplit("-", 1)[0] if "-" in key else ""
    if head:
        out += [(k, "part") for k, _ in name_keys(head)]
    return list(dict.fromkeys(out))


def _index(gaz: Gazetteer) -> dict[tuple[str, str], set[int]]:
    index: dict[tuple[str, str], set[int]] = {}
    for i, place in enumerate(gaz.places):
        for name in place.names:
            if not name:
                continue
            key = normalize_name(name)
            index.setdefault((key, "exact"), set()).add(i)
            index.setdefault((_canonical(key), "variant"), set()).add(i)
    return index


def _candidates(name: str, index: Mapping[tuple[str, str], set[int]]) -> tuple[set[int], str]:
    """Places a name matches at its strongest tier that matches anything."""
    for key, how in name_keys(name):
        tier = "exact" if how == "exact" else "variant"
        hits = index.get((key, tier)) or index.get((key, "exact")) or set()
        if hits:
            return hits, how
    return set(), ""


def _distances_m(lon0: Any, lat0: Any, lon1: Any, lat1: Any) -> np.ndarray:
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    arrays = np.broadcast_arrays(
        *(np.asarray(v, dtype="float64") for v in (lon0, lat0, lon1, lat1))
    )
    _, _, dist = geod.inv(*(np.ravel(a) for a in arrays))
    return np.asarray(dist, dtype="float64")


def _outside(points: gpd.GeoDataFrame, district: BaseGeometry | None) -> np.ndarray:
    if district is None:
        return np.zeros(len(points), dtype=bool)
    metric = points.to_crs(METRIC_CRS).geometry
    area = gpd.GeoSeries([district], crs=STORAGE_CRS).to_crs(METRIC_CRS).iloc[0]
    return np.asarray(metric.distance(area) > DISTRICT_MARGIN_M)


def _given_names(points: gpd.GeoDataFrame, names: Sequence[str] | None) -> list[str]:
    """Names of the rows; unnamed rows take ``names`` in order when counts agree."""
    own = list(points["name"])
    unnamed = [i for i, n in enumerate(own) if not n]
    if names and unnamed and len(unnamed) == len(names):
        for i, n in zip(unnamed, names, strict=True):
            own[i] = n
    return own


def _review_row(
    rec: Mapping[str, Any], name: str, hits: set[int], how: str, gaz: Gazetteer
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "row": rec["row"],
        "name": name,
        "address": rec["address"],
        "source_datum": rec["source_datum"],
        "lon": rec["geometry"].x,
        "lat": rec["geometry"].y,
        "how": how,
        "place": "",
        "kind": "",
        "old_lon": math.nan,
        "old_lat": math.nan,
        "old_accuracy_m": math.nan,
        "approximate": False,
        "source_error_m": rec.get("accuracy_m", math.nan),
        "zoom": rec.get("zoom", math.nan),
        "flags": [],
    }
    if not name:
        base["flags"] = ["unnamed"]
    elif not hits:
        base["flags"] = ["unmatched"]
    elif len(hits) > 1:
        base["flags"] = ["ambiguous"]
        base["place"] = " | ".join(sorted(gaz.places[i].name_zh for i in hits))
    else:
        place: Place = gaz.places[next(iter(hits))]
        base.update(
            place=place.name_zh,
            kind=place.kind,
            old_lon=place.lon,
            old_lat=place.lat,
            old_accuracy_m=place.accuracy_m,
            approximate=place.approximate,
        )
        if how == "part":
            base["flags"] = ["part"]
    return base


#: Match tiers, strongest first.
_TIERS: tuple[str, ...] = ("exact", "variant", "loose", "part")


def _add_flag(review: pd.DataFrame, index: Iterable[Any], flag: str) -> None:
    for i in index:
        review.at[i, "flags"] = [*review.at[i, "flags"], flag]


def _flag_groups(review: pd.DataFrame) -> None:
    """Flag places given by several rows.

    Rows matched by a weaker tier than the best row for their place are ``weaker``;
    among the best, rows that agree within :data:`AGREE_M` are ``duplicate`` after
    the first, rows that disagree are all ``ambiguous``.
    """
    single = review[review["flags"].map(lambda f: "ambiguous" not in f)]
    for _, grp in single[single["place"] != ""].groupby("place", sort=False):
        if len(grp) < 2:
            continue
        rank = grp["how"].map(_TIERS.index)
        _add_flag(review, grp.index[rank > rank.min()], "weaker")
        grp = grp[rank == rank.min()]
        if len(grp) < 2:
            continue
        spread = _distances_m(grp["lon"].iloc[0], grp["lat"].iloc[0], grp["lon"], grp["lat"])
        if float(np.nanmax(spread)) > AGREE_M:
            _add_flag(review, grp.index, "ambiguous")
        else:
            _add_flag(review, grp.index[1:], "duplicate")


def match_points(
    points: gpd.GeoDataFrame,
    gazetteer: Gazetteer,
    district: BaseGeometry | None = None,
    *,
    names: Sequence[str] | None = None,
    accuracy_m: float | None = None,
) -> pd.DataFrame:
    """Match user points to gazetteer places and say what applying them would do.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        :attr:`PointList.points` (EPSG:4326, ``row``, ``name``, ``address``,
        ``source_datum``; optionally ``zoom`` and ``accuracy_m``).
    gazetteer : Gazetteer
        The places to match.
    district : shapely geometry, optional
        The district polygon (WGS-84); rows further than :data:`DISTRICT_MARGIN_M`
        outside it are flagged ``outside``.
    names : sequence of str, optional
        Place names for rows that have none (a Draw export), in row order; used only
        when there are exactly as many as unnamed rows.
    accuracy_m : float, optional
        The positional error of the points themselves, in metres (``--accuracy-m``);
        default: a row's ``accuracy_m``, else the error of a point dropped by hand at
        the row's ``zoom``, else a POI provider's error.

    Returns
    -------
    pandas.DataFrame
        One row per input point: ``row, name, address, place, how, old_lon,
        old_lat, old_accuracy_m, lon, lat, moved_m, accuracy_m, flags`` (a
        ``;``-separated list, see :data:`FLAGS`) and ``status``: ``apply``,
        ``needs --only`` (only warnings) or ``not applied`` (a blocking flag).
    """
    index = _index(gazetteer)
    records = points.to_dict("records")
    rows = []
    for rec, name in zip(records, _given_names(points, names), strict=True):
        hits, how = _candidates(name, index) if name else (set(), "")
        rows.append(_review_row(rec, name, hits, how, gazetteer))
    review = pd.DataFrame(rows)
    if review.empty:
        return _finish(review)
    review["moved_m"] = _distances_m(
        review["old_lon"], review["old_lat"], review["lon"], review["lat"]
    )
    review["accuracy_m"] = [
        position_accuracy(r.kind, _source_error(r, accuracy_m)) if r.place else math.nan
        for r in review.itertuples()
    ]
    _flag_groups(review)
    _flag_rows(review, _outside(points, district))
    return _finish(review)


def _flag_rows(review: pd.DataFrame, outside: np.ndarray) -> None:
    """Add the flags each row earns on its own: outside, extent, far, located."""
    for i, r in enumerate(review.itertuples()):
        flags = list(r.flags)
        if outside[i]:
            flags.append("outside")
        if r.place and "ambiguous" not in flags:
            if not math.isfinite(r.accuracy_m):
                flags.append("extent")
            else:
                if r.moved_m > r.old_accuracy_m:
                    flags.append("far")
                if not r.approximate and r.old_accuracy_m <= r.accuracy_m:
                    flags.append("located")
        review.at[review.index[i], "flags"] = flags


def _source_error(row: Any, accuracy_m: float | None) -> float | None:
    """Return the error of the supplied point itself (see :func:`match_points`)."""
    if accuracy_m is not None:
        return float(accuracy_m)
    if isinstance(row.source_error_m, float) and math.isfinite(row.source_error_m):
        return float(row.source_error_m)
    if isinstance(row.zoom, float) and math.isfinite(row.zoom):
        return hand_placed_error_m(row.zoom)
    return None


def _finish(review: pd.DataFrame) -> pd.DataFrame:
    cols = [
        "row",
        "name",
        "address",
        "place",
        "how",
        "kind",
        "old_lon",
        "old_lat",
        "old_accuracy_m",
        "lon",
        "lat",
        "moved_m",
        "accuracy_m",
        "source_datum",
        "flags",
        "status",
    ]
    if review.empty:
        return pd.DataFrame(columns=cols)

    def status(flags: list[str]) -> str:
        if BLOCKING_FLAGS & set(flags):
            return "not applied"
        return "needs --only" if {"far", "located"} & set(flags) else "apply"

    review["status"] = review["flags"].map(status)
    review["flags"] = review["flags"].map(";".join)
    return review[cols]
