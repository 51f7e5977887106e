"""The rules every layer document is checked against, feature by feature.

The checks read the raw GeoJSON mapping (so they see what shapely would reject,
such as an unclosed ring) and return **every** problem at once, each with the file,
the feature id and a fix. :func:`check_document` runs them all on one document.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from shapely.geometry import shape
from shapely.validation import explain_validity

from geo import limits
from geo.data.crs import canonical_crs, coordinate_problem, declared_crs_of_member
from geo.data.intake import TEXT_FIX, clean_text, text_problem
from geo.errors import CRSError, GazetteerError, Problem

if TYPE_CHECKING:
    from pathlib import Path

    from geo.data.gazetteer import Gazetteer, GazetteerRef

REQUIRED = ("id", "name_zh", "name_en", "kind", "plan_ref", "geometry_source", "accuracy_m")
GEOMETRY_SOURCES = ("surveyed", "digitized", "schematic")
#: Schematic shapes show relations, not footprints: they may not claim better than this.
SCHEMATIC_MIN_ACCURACY_M = 300.0
#: Chongqing municipality's extent with a small margin (lon_min, lat_min, lon_max, lat_max).
#: What to do when a file is not in the encoding it was read in, or the name is unknown.
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


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
    found = coordinate_problem(xs, ys, crs)
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
    fix = limits.ACCURACY_FIX
    if value is not None and not math.isfinite(value):
        return [(f"accuracy_m {_short(acc)} is not a finite number of metres", fix)]
    if value is None or not (value >= 0 if has_place else value > 0):
        return [(f"accuracy_m {_short(acc)} is not a positive number of metres", fix)]
    # a place feature's own accuracy_m is the extra error at the place: 0 is allowed
    if found := limits.range_problem(
        "accuracy_m", acc, 0.0 if has_place else limits.MIN_ACCURACY_M, limits.MAX_ACCURACY_M, " m"
    ):
        return [(found, fix)]
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
        if isinstance(item, str) and (found := text_problem(item)):
            return f"property {_short(key)} holds a {found}", TEXT_FIX
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
        if found := text_problem(str(key)):
            out.append((f"property name {_short(key)} holds a {found}", TEXT_FIX))
            continue
        problem = None if key == "accuracy_m" else _value_problem(key, value)
        if problem:
            out.append(problem)
    return out


# --------------------------------------------------------------------------- feature checks
def _feature_id(feat: Any) -> str | int | None:
    """Return a feature's ``id`` property when it is usable as a key (text or integer)."""
    props = feat.get("properties") if isinstance(feat, dict) else None
    fid = props.get("id") if isinstance(props, dict) else None
    return fid if isinstance(fid, str | int) and not isinstance(fid, bool) else None


def _place_problems(
    geom: Any, place: Any, crs: str, expect: str | None, gaz: GazetteerRef
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


def _shape_of_feature(i: int, feat: dict[str, Any]) -> list[tuple[str, str]]:
    """Say which parts of a Feature have the wrong JSON type, with their path."""
    where, props, geom = f"features[{i}]", feat.get("properties"), feat.get("geometry")
    out = []
    if props is not None and not isinstance(props, dict):
        out.append(
            (
                f"{where}.properties: 'properties' is {_kind_of(props)}, not an object",
                'give "properties": {"id": ..., "name_zh": ..., ...}',
            )
        )
    if geom is not None and not isinstance(geom, dict):
        out.append(
            (
                f"{where}.geometry: expected an object, got {_kind_of(geom)} ({_short(geom, 30)})",
                'give {"type": ..., "coordinates": ...}, or null and a gazetteer \'place\'',
            )
        )
    return out


def _feature_problems(
    file: str, i: int, feat: Any, crs: str, expect: str | None, gaz: GazetteerRef
) -> list[Problem]:
    fix = 'give {"type": "Feature", "properties": {...}, "geometry": {...}}'
    if not isinstance(feat, dict):
        got = f"{_kind_of(feat)} ({_short(feat, 30)})"
        return [Problem(file, f"#{i}", f"features[{i}]: expected a Feature object, got {got}", fix)]
    if feat.get("type") != "Feature":
        return [Problem(file, f"#{i}", "not a GeoJSON Feature", fix)]
    fid = _feature_id(feat)
    label = str(fid) if fid is not None and str(fid).strip() else f"#{i} (no id)"
    shape = _shape_of_feature(i, feat)
    if shape:  # the wrong shape is the problem: what follows from it is not listed
        return [Problem(file, label, p, fix) for p, fix in shape]
    props = feat.get("properties") or {}
    place = props.get("place")
    if isinstance(place, str) and not text_problem(place):
        place = clean_text(place, single_line=True)  # as the loader will read it
    found = _property_problems(props, has_place=bool(place))
    found += _place_problems(feat.get("geometry"), place, crs, expect, gaz)
    return [Problem(file, label, p, fix) for p, fix in found]


def _gazetteer(gaz: GazetteerRef) -> Gazetteer:
    from geo.data.gazetteer import as_gazetteer

    return as_gazetteer(gaz)


# --------------------------------------------------------------------------- document checks
def _crs_member_problems(doc: dict[str, Any], f: str, crs: str) -> list[Problem]:
    member = declared_crs_of_member(doc)
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
    points = all(_base_type(f) == "Point" for f in features)
    found = limits.layer_size_problem(len(features), 0, points) or limits.layer_size_problem(
        len(features), _vertex_count(features), points
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


def check_document(
    doc: dict[str, Any], path: Path, crs: str, expect: str | None, gaz: GazetteerRef
) -> list[Problem]:
    """Run every check on one FeatureCollection and return all problems found.

    Parameters
    ----------
    doc
        The FeatureCollection mapping (its ``features`` a list).
    path
        The file it came from, named in the problems.
    crs
        Canonical declared CRS (:func:`geo.data.crs.canonical_crs`).
    expect
        Expected geometry type; without it the features must share one.
    gaz
        For resolving ``place`` names (a file is read at the first one); default
        :func:`geo.data.gazetteer.default_path`.

    Returns
    -------
    list of Problem
    """
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
