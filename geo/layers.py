"""Reading, validating and writing layers: the toolkit's only file I/O for data.

``load_layer`` returns a validated GeoDataFrame in EPSG:4326 for a catalog id or a
path. Validation reads the raw GeoJSON (so it can see what shapely would reject,
such as an unclosed ring) and reports **every** problem in a file at once, each with
the file, the feature id and a fix.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import shapely
import yaml
from shapely.geometry import Point, shape
from shapely.validation import explain_validity

from geo import _data, limits
from geo._errors import (
    CatalogError,
    CRSError,
    GazetteerError,
    LayerValidationError,
    Problem,
    UnknownLayerError,
)
from geo._io import atomic_write_text, settle  # atomic_write_text: also imported from here
from geo.catalog import Catalog, LayerSpec, file_problem, parse_catalog
from geo.crs import STORAGE_CRS, convert_gdf, normalize_datum

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer

REQUIRED = ("id", "name_zh", "name_en", "kind", "plan_ref", "geometry_source", "accuracy_m")
GEOMETRY_SOURCES = ("surveyed", "digitized", "schematic")
#: Schematic shapes show relations, not footprints: they may not claim better than this.
SCHEMATIC_MIN_ACCURACY_M = 300.0
#: Chongqing municipality's extent with a small margin (lon_min, lat_min, lon_max, lat_max).
CHONGQING_BBOX = (105.2, 28.1, 110.3, 32.3)
#: What to do when a file is not in the encoding it was read in, or the name is unknown.
WRONG_ENCODING_FIX = "give the file's real encoding with --encoding (gbk, gb18030 or utf-8)"
UNKNOWN_ENCODING_FIX = "use e.g. --encoding gbk, gb18030 or utf-8"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def layers_dir() -> Path:
    """Return the data directory (see :func:`geo._data.layers_dir`)."""
    return _data.layers_dir()


def layer_path(layer_id: str, file: str | None, directory: Path | None = None) -> Path:
    """Return the data file of a source layer, refusing any path outside the layers folder.

    Parameters
    ----------
    layer_id : str
        The layer's id (named in the error).
    file : str or None
        The catalog entry's ``file``: a path relative to the layers folder.
    directory : Path, optional
        The layers folder (default :func:`layers_dir`).

    Returns
    -------
    Path
        ``directory / file``.

    Raises
    ------
    CatalogError
        If the path, once symbolic links are resolved, leaves the layers folder
        (or there is no file: a derived layer).
    """
    folder = Path(directory) if directory else layers_dir()
    problem = file_problem(file) if file is not None else "a derived layer has no file"
    path = folder / str(file)
    if problem is None:
        root, real = folder.resolve(), path.resolve()
        if not real.is_relative_to(root):
            problem = (
                f"file {file!r} is a link to {real}, outside the layers folder {root}; "
                "put the file itself into the layers folder instead of a symbolic link"
            )
    if problem:
        raise CatalogError(f"{folder / 'catalog.yaml'}: layer {layer_id}: {problem}")
    return path


# --------------------------------------------------------------------------- catalog
@lru_cache(maxsize=8)
def _read_catalog_cached(path: Path, version: tuple[int, int, int]) -> Catalog:
    del version  # part of the cache key only: a changed file is read again
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path}: cannot read the catalog ({exc}); fix the YAML") from exc
    return parse_catalog(data, str(path))


def read_catalog(path: Path | None = None) -> Catalog:
    """Read and check ``layers/catalog.yaml`` (or ``path``).

    Parameters
    ----------
    path : Path, optional
        Catalog file; default ``layers_dir() / "catalog.yaml"``.

    Returns
    -------
    Catalog
    """
    path = Path(path) if path else layers_dir() / "catalog.yaml"
    settle(path.parent)  # finish a write that was stopped half-way, if any
    if not path.exists():
        raise CatalogError(f"{path}: catalog not found; set GEO_LAYERS_DIR to the layers folder")
    st = path.stat()
    # a rename gives a new inode even within the file system's time resolution
    return _read_catalog_cached(path.resolve(), (st.st_mtime_ns, st.st_ino, st.st_size))


# --------------------------------------------------------------------------- raw reading
def input_size_problem(path: Path) -> Problem | None:
    """Return a problem when an input file is larger than :data:`geo.limits.MAX_INPUT_BYTES`.

    Checked before the file is read, so an oversized input costs nothing. For a
    shapefile the ``.dbf`` beside it (its attributes) is counted too.

    Parameters
    ----------
    path : Path
        The input file.

    Returns
    -------
    Problem or None
    """
    parts = [path, path.with_suffix(".dbf")] if path.suffix.lower() == ".shp" else [path]
    size = sum(p.stat().st_size for p in parts if p.is_file())
    if size <= limits.MAX_INPUT_BYTES:
        return None
    return Problem(
        str(path),
        "-",
        f"the file is {limits.human_bytes(size)}, more than the limit of "
        f"{limits.human_bytes(limits.MAX_INPUT_BYTES)} per input",
        limits.SIMPLIFY_FIX,
    )


def _decode(raw: bytes, f: str, encoding: str | None) -> tuple[str | None, Problem | None]:
    """Decode a GeoJSON file's bytes as UTF-8 (or the encoding the user named)."""
    try:
        # a BOM is dropped whether or not UTF-8 was named
        utf8 = encoding is None or codecs.lookup(encoding).name == "utf-8"
        return raw.decode("utf-8-sig" if utf8 else encoding), None
    except LookupError:
        return None, Problem(f, "-", f"unknown encoding {encoding!r}", UNKNOWN_ENCODING_FIX)
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start}: {raw[exc.start : exc.start + 1]!r}"
        if encoding:
            return None, Problem(f, "-", f"not {encoding} ({where})", WRONG_ENCODING_FIX)
        fix = "re-save the file as UTF-8 (GeoJSON must be UTF-8), or pass --encoding gbk"
        return None, Problem(f, "-", f"not UTF-8 ({where})", fix)


def _parse_json(text: str, f: str) -> tuple[Any, Problem | None]:
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        problem = f"broken JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        fix = "repair the JSON syntax (a validator such as `python -m json.tool` shows where)"
    except RecursionError:
        problem = "the JSON nests lists or objects too deeply to read"
        fix = "this is not a GeoJSON layer: export the data again from its source"
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        problem = f"cannot decode the JSON ({exc})"
        fix = "write numbers with at most 17 significant digits"
    return None, Problem(f, "-", problem, fix)


def collection_problem(doc: Any, f: str) -> Problem | None:
    """Return a problem when ``doc`` is not a FeatureCollection with a features list.

    Parameters
    ----------
    doc : Any
        A decoded JSON document.
    f : str
        Name of its file, for the message.

    Returns
    -------
    Problem or None
    """
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        return Problem(
            f,
            "-",
            "not a GeoJSON FeatureCollection",
            'wrap the features in {"type": "FeatureCollection", "features": [...]}',
        )
    if not isinstance(doc.get("features"), list):
        return Problem(f, "-", "'features' is missing or not a list", "give a list of Features")
    return None


def read_geojson(
    path: Path, problems: list[Problem], encoding: str | None = None
) -> dict[str, Any] | None:
    """Decode a GeoJSON file, recording file-level problems instead of raising.

    Parameters
    ----------
    path : Path
        The file; only read.
    problems : list of Problem
        Receives the problem when the file cannot be decoded.
    encoding : str, optional
        The file's text encoding; default UTF-8 (with or without BOM).

    Returns
    -------
    dict or None
        The FeatureCollection mapping, or None when a problem was recorded.
    """
    f = str(path)
    try:
        too_big = input_size_problem(path)
        raw = b"" if too_big else path.read_bytes()
    except OSError as exc:
        problems.append(Problem(f, "-", f"cannot read the file ({exc.strerror})", "check the path"))
        return None
    if too_big:
        problems.append(too_big)
        return None
    if not raw.strip():
        problems.append(Problem(f, "-", "the file is empty", "write a GeoJSON FeatureCollection"))
        return None
    text, bad = _decode(raw, f, encoding)
    doc, bad = (None, bad) if text is None else _parse_json(text, f)
    bad = bad or collection_problem(doc, f)
    if bad:
        problems.append(bad)
        return None
    return doc


def _declared_crs_of_member(doc: dict[str, Any]) -> str | None:
    """Return the CRS named by a legacy GeoJSON ``crs`` member, if any."""
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
    """Map a declared CRS to ``wgs84``/``gcj02``/``bd09`` or ``EPSG:n`` (projected)."""
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


# --------------------------------------------------------------------------- geometry checks
#: How deeply each geometry type nests its coordinates (1: a single [x, y] position).
NESTING = {
    "Point": 1,
    "MultiPoint": 2,
    "LineString": 2,
    "MultiLineString": 3,
    "Polygon": 3,
    "MultiPolygon": 4,
}
_SHAPES = {
    1: "[lon, lat]",
    2: "a list of [lon, lat] positions",
    3: "a list of lists of [lon, lat] positions",
    4: "a list of polygons, each a list of rings of [lon, lat] positions",
}


def _kind_of(value: Any) -> str:
    """Name a JSON value's type as a user would say it."""
    if isinstance(value, bool):
        return "true/false"
    names = {dict: "an object", list: "a list", str: "text", int: "a number", float: "a number"}
    return names.get(type(value), "null")


def _short(value: Any, width: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def _is_position(value: Any) -> bool:
    """Whether ``value`` is a [x, y] or [x, y, z] list of numbers (the common, fast case)."""
    return isinstance(value, list) and 2 <= len(value) <= 3 and all(map(_is_number, value))


def _position_problem(value: Any, gtype: str, fix: str) -> tuple[str, str]:
    """Say what is wrong with something that stands where a position should."""
    if not isinstance(value, list):
        return f"coordinates are not nested as a {gtype} needs", fix
    if any(isinstance(v, list) for v in value):
        return f"coordinates are nested more deeply than a {gtype} allows", fix
    return f"position {_short(value)} is not a pair of numbers", "write positions as [lon, lat]"


def _nesting_problem(coords: Any, gtype: str) -> tuple[str, str] | None:
    """Check a coordinates array nests as ``gtype`` needs, without recursion."""
    depth = NESTING[gtype]
    fix = f"write the coordinates of a {gtype} as {_SHAPES[depth]}"
    stack = [(coords, depth)]
    while stack:
        value, d = stack.pop()
        if d == 1 or not isinstance(value, list):
            positions: list[Any] = [value]
        elif d == 2:
            positions = value
        else:
            stack.extend((v, d - 1) for v in value)
            continue
        for p in positions:
            if not _is_position(p):
                return _position_problem(p, gtype, fix)
    return None


def _positions(coords: Any) -> Iterator[list[Any]]:
    """Yield every position (innermost [x, y, ...] list) of a coordinates array."""
    if isinstance(coords, list) and coords and not isinstance(coords[0], list):
        yield coords
    elif isinstance(coords, list):
        for c in coords:
            yield from _positions(c)


def _rings(geom: dict[str, Any]) -> Iterator[list[Any]]:
    gtype, coords = geom.get("type"), geom.get("coordinates") or []
    if gtype == "Polygon":
        yield from coords
    elif gtype == "MultiPolygon":
        for poly in coords:
            yield from poly


def _metres(v: float) -> str:
    """Format a coordinate for a message: one decimal, or an exponent when huge."""
    return f"{v:.1f}" if abs(v) < 1e12 else f"{v:.3g}"


def _coordinate_problem(xs: list[float], ys: list[float], crs: str) -> tuple[str, str] | None:
    """Diagnose coordinates that are not lon/lat in Chongqing; return (problem, fix)."""
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


def _type_problem(gtype: Any, expect: str | None) -> tuple[str, str] | None:
    """Check a geometry's ``type`` member; return (problem, fix) or None."""
    if gtype == "GeometryCollection":
        return (
            "a GeometryCollection is not supported (a feature holds one geometry type)",
            "split it into one feature per member geometry (QGIS: Vector > Geometry Tools > "
            "Multipart to Singleparts; or `ogr2ogr -explodecollections`)",
        )
    if not isinstance(gtype, str) or gtype not in NESTING:
        return (
            f"geometry type {_short(gtype)} is not a GeoJSON geometry type",
            "use Point, LineString or Polygon (or MultiPoint, MultiLineString, MultiPolygon)",
        )
    if expect and gtype.removeprefix("Multi") != expect:
        return (
            f"geometry type {gtype} but the catalog declares {expect}",
            f"convert the feature to {expect} or fix the catalog entry",
        )
    return None


def _shape_problems(geom: dict[str, Any]) -> list[tuple[str, str]]:
    """Build the geometry with shapely and check it is non-empty and valid."""
    try:
        g = shape(geom)
    except Exception as exc:  # shapely raises several types for malformed input
        return [(f"geometry cannot be built: {exc}", "fix the coordinates array nesting")]
    if g.is_empty:
        return [("empty geometry", "give coordinates or remove the feature")]
    if not g.is_valid:
        return [
            (
                f"invalid geometry: {explain_validity(g)}",
                "fix the outline (e.g. shapely.make_valid or QGIS 'Fix geometries')",
            )
        ]
    return []


def _geometry_problems(geom: Any, crs: str, expect: str | None) -> list[tuple[str, str]]:
    """Check one raw GeoJSON geometry; return (problem, fix) pairs."""
    if not isinstance(geom, dict) or "type" not in geom:
        return [("geometry is not a GeoJSON geometry object", "give {type, coordinates}")]
    found = _type_problem(geom["type"], expect)
    if found:
        return [found]
    coords = geom.get("coordinates")
    if coords is None or coords == []:
        return [("empty geometry (no coordinates)", "give coordinates or remove the feature")]
    found = _nesting_problem(coords, geom["type"])
    if found:
        return [found]
    positions = list(_positions(coords))
    if not positions:
        return [("empty geometry (no coordinates)", "give coordinates or remove the feature")]
    if not all(_finite(v) for p in positions for v in p):
        return [("a coordinate is NaN or infinite", "replace it with a real number")]
    xs, ys = [float(p[0]) for p in positions], [float(p[1]) for p in positions]
    for ring in _rings(geom):
        if len(ring) < 4 or ring[0][:2] != ring[-1][:2]:
            return [
                (
                    "unclosed polygon ring (first and last positions differ or < 4 positions)",
                    "repeat the first position at the end of every ring",
                )
            ]
    found = _coordinate_problem(xs, ys, crs)
    return [found] if found else _shape_problems(geom)


# --------------------------------------------------------------------------- property checks
#: Required properties that hold text.
_TEXT_PROPERTIES = ("name_zh", "name_en", "kind", "plan_ref")


def _required_problems(props: dict[str, Any], has_place: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    inherited = {"geometry_source", "accuracy_m"} if has_place else set()
    for key in REQUIRED:
        value = props.get(key)
        blank = value is None or (isinstance(value, str) and not value.strip())
        if blank and key not in inherited:
            fix = f"add '{key}' (see docs/contract.md)"
            out.append((f"missing required property '{key}'", fix))
        elif key in _TEXT_PROPERTIES and isinstance(value, list | dict):
            out.append((f"'{key}' is {_kind_of(value)}, not text", f"give '{key}' as text"))
    return out


def _id_problems(fid: Any) -> list[tuple[str, str]]:
    if fid is None:
        return []
    if isinstance(fid, bool) or not isinstance(fid, str | int):
        return [
            (
                f"id is {_kind_of(fid)}, not text",
                "give every feature a text id, a slug such as 'science-park-1'",
            )
        ]
    if not _SLUG.match(str(fid)):
        return [(f"id {_short(fid)} is not a slug", "use lowercase letters, digits and '-'")]
    return []


def _as_float(value: Any) -> float | None:
    """Return ``value`` as a float (inf when too large), or None when it is no number."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf
    except ValueError:
        return None


def _accuracy_problems(acc: Any, src: Any, has_place: bool) -> list[tuple[str, str]]:
    if acc is None:
        return []
    value = _as_float(acc)
    fix = "give the estimated positional error in metres, e.g. 50"
    if value is not None and not math.isfinite(value):
        return [(f"accuracy_m {_short(acc)} is not a finite number of metres", fix)]
    if value is None or not (value >= 0 if has_place else value > 0):
        return [(f"accuracy_m {_short(acc)} is not a positive number of metres", fix)]
    if src == "schematic" and value < SCHEMATIC_MIN_ACCURACY_M:
        return [
            (
                f"schematic geometry claims accuracy_m {value:g} < {SCHEMATIC_MIN_ACCURACY_M:g}",
                "a schematic shape is not a footprint: raise accuracy_m to ≥ 300",
            )
        ]
    return []


def _value_problem(key: str, value: Any) -> tuple[str, str] | None:
    """Find NaN/Infinity or runaway nesting inside one property value, without recursion."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limits.MAX_PROPERTY_DEPTH:
            return (
                f"property '{key}' nests lists or objects more than "
                f"{limits.MAX_PROPERTY_DEPTH} levels deep",
                "flatten the value (a layer property is text, a number or a short list)",
            )
        if isinstance(item, float) and not math.isfinite(item):
            return (
                f"property '{key}' holds NaN or Infinity, which JSON cannot store",
                "give a real number, or null when the value is unknown",
            )
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return None


def _property_problems(props: dict[str, Any], has_place: bool) -> list[tuple[str, str]]:
    out = _required_problems(props, has_place)
    out += _id_problems(props.get("id"))
    src = props.get("geometry_source")
    if src is not None and src not in GEOMETRY_SOURCES:
        out.append(
            (
                f"geometry_source {_short(src)} is not one of {', '.join(GEOMETRY_SOURCES)}",
                "say how the geometry was made: surveyed, digitized or schematic",
            )
        )
    out += _accuracy_problems(props.get("accuracy_m"), src, has_place)
    if "geometry" in props:
        out.append(
            (
                "a property named 'geometry' would be lost under the feature's geometry",
                "rename the property (e.g. to 'geometry_note')",
            )
        )
    for key, value in props.items():
        found = None if key == "accuracy_m" else _value_problem(key, value)
        if found:
            out.append(found)
    return out


# --------------------------------------------------------------------------- feature checks
def _feature_id(feat: Any) -> str | int | None:
    """Return a feature's ``id`` property when it is usable as a key (text or integer)."""
    props = feat.get("properties") if isinstance(feat, dict) else None
    fid = props.get("id") if isinstance(props, dict) else None
    return fid if isinstance(fid, str | int) and not isinstance(fid, bool) else None


def _place_problems(
    geom: Any, place: Any, crs: str, expect: str | None, gaz: Gazetteer | None
) -> list[tuple[str, str]]:
    """Check the geometry, or the gazetteer place standing in for it."""
    if geom is not None:
        return _geometry_problems(geom, crs, expect)
    if not place:
        return [
            (
                "geometry is null and no 'place' is given",
                "give a geometry, or a gazetteer 'place' for a point feature",
            )
        ]
    if not isinstance(place, str):
        return [(f"place is {_kind_of(place)}, not text", "name one gazetteer place")]
    try:
        _gazetteer(gaz).lookup(place)
    except GazetteerError as exc:
        # the gazetteer's message names the place, close matches and the fix
        message, _, fix = str(exc).partition(" (")
        return [(message, fix.rstrip(")") or "add the place to layers/gazetteer.csv")]
    return []


def _feature_problems(
    file: str, i: int, feat: Any, crs: str, expect: str | None, gaz: Gazetteer | None
) -> list[Problem]:
    if not isinstance(feat, dict) or feat.get("type") != "Feature":
        return [Problem(file, f"#{i}", "not a GeoJSON Feature", 'give {"type": "Feature", ...}')]
    props = feat.get("properties")
    found: list[tuple[str, str]] = []
    if props is not None and not isinstance(props, dict):
        found.append(
            (
                f"'properties' is {_kind_of(props)}, not an object",
                'give "properties": {"id": ..., "name_zh": ..., ...}',
            )
        )
    props = props if isinstance(props, dict) else {}
    fid = _feature_id(feat)
    label = str(fid) if fid is not None and str(fid).strip() else f"#{i} (no id)"
    place = props.get("place")
    found += _property_problems(props, has_place=bool(place))
    found += _place_problems(feat.get("geometry"), place, crs, expect, gaz)
    return [Problem(file, label, p, fix) for p, fix in found]


def _gazetteer(gaz: Gazetteer | None) -> Gazetteer:
    if gaz is not None:
        return gaz
    from geo.gazetteer import load_gazetteer

    return load_gazetteer()


# --------------------------------------------------------------------------- document checks
def _crs_member_problems(doc: dict[str, Any], f: str, crs: str) -> list[Problem]:
    member = _declared_crs_of_member(doc)
    if not member:
        return []
    try:
        same = canonical_crs(member) == crs
    except CRSError:
        return [
            Problem(
                f,
                "-",
                f"the file's 'crs' member names {_short(member)}, which is not a known CRS",
                "remove the 'crs' member (GeoJSON is WGS-84) or name an EPSG code",
            )
        ]
    if same:
        return []
    return [
        Problem(
            f,
            "-",
            f"the file says its CRS is {member} but {crs} was declared",
            f"declare the file's real CRS (--crs {member}) or reproject it to {crs}",
        )
    ]


def _vertex_count(features: list[Any]) -> int:
    """Count coordinate positions, tolerating any shape of input, without recursion."""
    stack: list[Any] = []
    for feat in features:
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        stack.append(geom.get("coordinates") if isinstance(geom, dict) else None)
    n = 0
    while stack:
        value = stack.pop()
        if isinstance(value, list) and value:
            if isinstance(value[0], list):
                stack.extend(value)
            else:
                n += 1
    return n


def _size_problems(features: list[Any], f: str) -> list[Problem]:
    """Refuse a layer over the feature or vertex limit before checking its features."""
    # the cheap count first: a layer with too many features is not walked at all
    found = limits.layer_size_problem(len(features), 0) or limits.layer_size_problem(
        len(features), _vertex_count(features)
    )
    return [Problem(f, "-", found, limits.SIMPLIFY_FIX)] if found else []


def _base_type(feat: Any) -> str | None:
    geom = feat.get("geometry") if isinstance(feat, dict) else None
    if geom is None:
        return "Point"  # a gazetteer place
    gtype = geom.get("type") if isinstance(geom, dict) else None
    return gtype.removeprefix("Multi") if isinstance(gtype, str) and gtype in NESTING else None


def _mixed_type_problems(features: list[Any], f: str) -> list[Problem]:
    counts: dict[str, int] = {}
    for feat in features:
        base = _base_type(feat)
        if base is not None:
            counts[base] = counts.get(base, 0) + 1
    if len(counts) < 2:
        return []
    mix = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
    return [
        Problem(
            f,
            "-",
            f"the features mix geometry types ({mix})",
            "one layer holds one geometry type: split the file, or pass --geometry-type "
            "to see which features do not match",
        )
    ]


def _duplicate_problems(features: list[Any], f: str) -> list[Problem]:
    seen: dict[str | int, int] = {}
    out = []
    for i, feat in enumerate(features):
        fid = _feature_id(feat)
        if fid is None:
            continue
        if fid in seen:
            out.append(
                Problem(
                    f,
                    str(fid),
                    f"duplicate id (also feature #{seen[fid]})",
                    "give every feature a unique id",
                )
            )
        seen.setdefault(fid, i)
    return out


def _check_document(
    doc: dict[str, Any], path: Path, crs: str, expect: str | None, gaz: Gazetteer | None
) -> list[Problem]:
    f = str(path)
    problems = _crs_member_problems(doc, f, crs)
    features = doc["features"]
    if not features:
        problems.append(
            Problem(
                f, "-", "the FeatureCollection has no features", "add features or remove the layer"
            )
        )
    too_big = _size_problems(features, f)
    if too_big:
        return problems + too_big
    if expect is None:
        problems += _mixed_type_problems(features, f)
    progress = limits.Progress(f"checking {path.name}", len(features))
    for i, feat in enumerate(features):
        problems += _feature_problems(f, i, feat, crs, expect, gaz)
        progress.step()
    return problems + _duplicate_problems(features, f)


def validate_file(
    path: str | Path,
    crs: str | None = "wgs84",
    geometry_type: str | None = None,
    gazetteer: Gazetteer | None = None,
    *,
    encoding: str | None = None,
    layer: str | None = None,
) -> list[Problem]:
    """Check a layer file and return every problem found (empty if none).

    The file goes through exactly what ``geo add-layer`` does with it (the same
    reader and :func:`read_layer_document`), so a file this accepts is one
    ``add-layer`` accepts, given the properties it lacks.

    Parameters
    ----------
    path : str or Path
        The file: GeoJSON, GeoPackage, shapefile or CSV. It is only read.
    crs : str, optional
        The CRS the file is declared to be in: ``wgs84``, ``gcj02``, ``bd09`` or
        ``EPSG:<code>``; None takes the file's own (WGS-84 when it names none).
    geometry_type : str, optional
        Expected geometry type (``Point``, ``LineString``, ``Polygon``).
    gazetteer : Gazetteer, optional
        For resolving ``place`` names; default the repository's gazetteer.
    encoding : str, optional
        Text encoding of a shapefile's ``.dbf``, a CSV or a GeoJSON (e.g. ``gbk``).
    layer : str, optional
        Layer of a GeoPackage that holds several.

    Returns
    -------
    list of Problem
    """
    try:
        read_layer_file(path, crs, geometry_type, gazetteer, encoding=encoding, layer=layer)
    except LayerValidationError as exc:
        return exc.problems
    return []


# --------------------------------------------------------------------------- building frames
def _build_frame(doc: dict[str, Any], crs: str, gaz: Gazetteer | None) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for feat in doc["features"]:
        props = dict(feat.get("properties") or {})
        geom = feat.get("geometry")
        if geom is None and props.get("place"):
            place = _gazetteer(gaz).lookup(str(props["place"]))
            geoms.append(Point(place.lon, place.lat))
            own = float(props.get("accuracy_m") or 0)
            props["accuracy_m"] = max(own, float(place.accuracy_m))
            props["geometry_source"] = props.get("geometry_source") or place.geometry_source
            # Say where the point comes from: approximate (anchored) places say so.
            props["position_note"] = f"{place.name_zh}: {place.source}"
            props.setdefault("within", place.within)
        else:
            geoms.append(shape(geom))
        props["accuracy_m"] = float(props["accuracy_m"])
        rows.append(props)
    frame_crs = crs if crs.startswith(("EPSG:", "PROJ")) else STORAGE_CRS
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs=frame_crs)
    if crs in ("gcj02", "bd09"):
        gdf = convert_gdf(gdf, crs, "wgs84")
    elif gdf.crs is not None and not gdf.crs.equals(STORAGE_CRS):
        gdf = gdf.to_crs(STORAGE_CRS)
    return gdf


def _outside_chongqing(gdf: gpd.GeoDataFrame, file: str) -> list[Problem]:
    """After reprojection, check projected inputs landed in Chongqing."""
    x0, y0, x1, y1 = CHONGQING_BBOX
    bounds = gdf.geometry.bounds
    # written as "not inside" so that NaN or infinite results of the projection count
    inside = (bounds.minx >= x0) & (bounds.maxx <= x1) & (bounds.miny >= y0) & (bounds.maxy <= y1)
    return [
        Problem(
            file,
            str(gdf.loc[i].get("id", f"#{i}")),
            "after reprojection the feature lies outside Chongqing",
            "check the declared CRS (is it really the CRS of the file?)",
        )
        for i in gdf.index[~inside]
    ]


def read_layer_document(
    doc: dict[str, Any],
    source: str | Path,
    crs: str = "wgs84",
    geometry_type: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> gpd.GeoDataFrame:
    """Validate and convert an in-memory GeoJSON FeatureCollection to EPSG:4326.

    Files, GeoPackages and CSVs brought in by other readers become a document first,
    so every input is checked by the same rules.

    Parameters
    ----------
    doc : dict
        A GeoJSON FeatureCollection mapping.
    source : str or Path
        Name of the input, used in problem messages.
    crs : str
        Declared CRS (``wgs84``, ``gcj02``, ``bd09`` or ``EPSG:<code>``).
    geometry_type : str, optional
        Expected geometry type; without it the features must share one.
    gazetteer : Gazetteer, optional
        For resolving ``place`` names.

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    LayerValidationError
        Listing every problem.
    """
    bad = collection_problem(doc, str(source))
    if bad:
        raise LayerValidationError([bad])
    canonical = canonical_crs(crs)
    problems = _check_document(doc, Path(source), canonical, geometry_type, gazetteer)
    if problems:
        raise LayerValidationError(problems)
    gdf = _build_frame(doc, canonical, gazetteer)
    late = _outside_chongqing(gdf, str(source)) if canonical.startswith(("EPSG:", "PROJ")) else []
    if late:
        raise LayerValidationError(late)
    return gdf


def read_layer_file(
    path: str | Path,
    crs: str | None = "wgs84",
    geometry_type: str | None = None,
    gazetteer: Gazetteer | None = None,
    *,
    encoding: str | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read, validate and convert one layer file to a GeoDataFrame in EPSG:4326.

    Every format ``geo add-layer`` takes is read, by the same reader
    (:func:`geo.registry.read_input_document`).

    Parameters
    ----------
    path : str or Path
        The file: GeoJSON, GeoPackage, shapefile or CSV.
    crs : str, optional
        Declared CRS of the file (``wgs84``, ``gcj02``, ``bd09`` or ``EPSG:<code>``);
        GCJ-02 and BD-09 are converted to WGS-84, projected CRSs reprojected. None
        takes the file's own CRS (WGS-84 when it names none).
    geometry_type : str, optional
        Expected geometry type.
    gazetteer : Gazetteer, optional
        For resolving ``place`` names.
    encoding : str, optional
        Text encoding of a shapefile's ``.dbf``, a CSV or a GeoJSON (e.g. ``gbk``).
    layer : str, optional
        Layer of a GeoPackage that holds several.

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    LayerValidationError
        Listing every problem in the file.
    """
    # geo.registry builds on this module, so it is imported when first needed
    from geo.registry import read_input_document

    doc, _ = read_input_document(path, crs, encoding=encoding, layer=layer)
    declared = crs or _declared_crs_of_member(doc) or "wgs84"
    return read_layer_document(doc, path, declared, geometry_type, gazetteer)


def load_layer(
    id_or_path: str | Path, crs: str | None = None, catalog: Catalog | None = None
) -> gpd.GeoDataFrame:
    """Load a layer by catalog id or file path, validated, in EPSG:4326.

    Parameters
    ----------
    id_or_path : str or Path
        A catalog layer id (e.g. ``"projects"``, ``"rings"``) or a path to a GeoJSON file.
    crs : str, optional
        Declared CRS for a path (default ``wgs84``); for a catalog id the catalog's
        declaration is used and this must be omitted or agree.
    catalog : Catalog, optional
        Default: :func:`read_catalog`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per feature, the feature properties of docs/contract.md as columns, CRS EPSG:4326.

    Raises
    ------
    UnknownLayerError
        If ``id_or_path`` is neither a catalog id nor an existing file.
    LayerValidationError
        If the file has problems (all are listed).
    """
    key = str(id_or_path)
    cat = catalog
    if not Path(key).suffix:
        cat = cat or read_catalog()
        if key in cat:
            return _load_spec(cat[key], cat, crs)
    path = Path(key)
    if not path.exists():
        known = ", ".join(cat.layers) if cat else "see `geo layers`"
        raise UnknownLayerError(f"unknown layer {key!r}: not a catalog id ({known}) nor a file")
    return read_layer_file(path, crs or "wgs84")


def _load_spec(spec: LayerSpec, cat: Catalog, crs: str | None) -> gpd.GeoDataFrame:
    if crs is not None and canonical_crs(crs) != canonical_crs(spec.crs):
        raise CRSError(f"layer {spec.id} is declared {spec.crs} in the catalog, not {crs}")
    if spec.is_derived:
        from geo.derive import derive_layer

        return derive_layer(spec, lambda lid: load_layer(lid, catalog=cat))
    return read_layer_file(layer_path(spec.id, spec.file), spec.crs, spec.geometry_type)


def load_layers(
    ids: Iterable[str] | None = None, catalog: Catalog | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """Load several layers (default: every catalog layer, derived ones included).

    Parameters
    ----------
    ids : iterable of str, optional
        Layer ids; default all, in catalog order.
    catalog : Catalog, optional
        Default: :func:`read_catalog`.

    Returns
    -------
    dict of str to GeoDataFrame
    """
    cat = catalog or read_catalog()
    return {lid: load_layer(lid, catalog=cat) for lid in (ids or list(cat.layers))}


def load_each(
    catalog: Catalog,
    errors: tuple[type[BaseException], ...],
    ids: Iterable[str] | None = None,
) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, BaseException]]:
    """Load layers one by one; a layer that fails is set aside with its error.

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    errors : tuple of exception classes
        What a failing layer may raise; anything else propagates (a bug).
    ids : iterable of str, optional
        Layer ids; default every catalog layer, derived ones included.

    Returns
    -------
    tuple of (dict of str to GeoDataFrame, dict of str to exception)
        The loaded layers and, by id, why each other layer did not load.
    """
    loaded: dict[str, gpd.GeoDataFrame] = {}
    failed: dict[str, BaseException] = {}
    for lid in ids if ids is not None else list(catalog.layers):
        try:
            loaded[lid] = load_layer(lid, catalog=catalog)
        except errors as exc:
            failed[lid] = exc
    return loaded, failed


def validate_catalog(catalog: Catalog | None = None) -> list[Problem]:
    """Validate every source layer of the catalog, and ids across layers.

    Returns
    -------
    list of Problem
        Every problem of every file, plus ids used in more than one layer.
    """
    cat = catalog or read_catalog()
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    for spec in cat:
        if spec.is_derived or spec.file is None:
            continue
        path = layer_path(spec.id, spec.file)
        doc = read_geojson(path, problems)
        if doc is None:
            continue
        problems += _check_document(doc, path, canonical_crs(spec.crs), spec.geometry_type, None)
        for feat in doc["features"]:
            fid = (
                ((feat or {}).get("properties") or {}).get("id") if isinstance(feat, dict) else None
            )
            if fid is None:
                continue
            if fid in owner and owner[fid] != spec.id:
                problems.append(
                    Problem(
                        str(path),
                        str(fid),
                        f"id also used in layer {owner[fid]}",
                        "ids must be unique across all layers: rename one",
                    )
                )
            owner.setdefault(fid, spec.id)
    return problems


# --------------------------------------------------------------------------- writing
def to_geojson_dict(gdf: gpd.GeoDataFrame, precision: int = 6) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection mapping with coordinates rounded.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features in EPSG:4326.
    precision : int
        Decimal places kept (6 ≈ 0.1 m).

    Returns
    -------
    dict
    """
    if gdf.crs is not None and not gdf.crs.equals(STORAGE_CRS):
        raise CRSError(
            f"layers are stored in EPSG:4326, got {gdf.crs.to_string()}: "
            "use gdf.to_crs('EPSG:4326') first"
        )
    rounded = shapely.set_precision(gdf.geometry.values, 10.0**-precision)
    out = gdf.copy()
    out.geometry = rounded
    return json.loads(out.to_json(na="drop", drop_id=True, ensure_ascii=False))


def layer_text(gdf: gpd.GeoDataFrame, precision: int = 6) -> str:
    """Return the GeoJSON text of a layer as it is stored: one feature per line.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features in EPSG:4326.
    precision : int
        Decimal places of coordinates (6 ≈ 0.1 m).

    Returns
    -------
    str
    """
    doc = to_geojson_dict(gdf, precision)
    text = json.dumps(doc, ensure_ascii=False, indent=None, separators=(",", ":"))
    # one feature per line keeps diffs of committed layers readable
    return text.replace('},{"type":"Feature"', '},\n{"type":"Feature"') + "\n"


def write_layer(gdf: gpd.GeoDataFrame, path: str | Path, precision: int = 6) -> Path:
    """Write a layer as GeoJSON atomically (temp file + rename; never half-written).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features in EPSG:4326.
    path : str or Path
        Destination file.
    precision : int
        Decimal places of coordinates.

    Returns
    -------
    Path
    """
    return atomic_write_text(path, layer_text(gdf, precision))
