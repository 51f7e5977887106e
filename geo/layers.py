"""Reading, validating and writing layers: the toolkit's only file I/O for data.

``load_layer`` returns a validated GeoDataFrame in EPSG:4326 for a catalog id or a
path. Validation reads the raw GeoJSON (so it can see what shapely would reject,
such as an unclosed ring) and reports **every** problem in a file at once, each with
the file, the feature id and a fix.
"""

from __future__ import annotations

import json
import math
import os
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
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def layers_dir() -> Path:
    """Return the data directory: ``$GEO_LAYERS_DIR`` or the repository's ``layers/``."""
    env = os.environ.get("GEO_LAYERS_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "layers"


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
def read_geojson(path: Path, problems: list[Problem]) -> dict[str, Any] | None:
    """Decode a GeoJSON file, recording file-level problems instead of raising."""
    f = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(f, "-", f"cannot read the file ({exc.strerror})", "check the path"))
        return None
    if not raw.strip():
        problems.append(Problem(f, "-", "the file is empty", "write a GeoJSON FeatureCollection"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(
                f,
                "-",
                f"not UTF-8 (byte {exc.start}: {raw[exc.start : exc.start + 1]!r})",
                "re-save the file as UTF-8 (GeoJSON must be UTF-8; GBK/GB18030 is not accepted)",
            )
        )
        return None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(
            Problem(
                f,
                "-",
                f"broken JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
                "repair the JSON syntax (a validator such as `python -m json.tool` shows where)",
            )
        )
        return None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        problems.append(
            Problem(
                f,
                "-",
                "not a GeoJSON FeatureCollection",
                'wrap the features in {"type": "FeatureCollection", "features": [...]}',
            )
        )
        return None
    if not isinstance(doc.get("features"), list):
        problems.append(
            Problem(f, "-", "'features' is missing or not a list", "give a list of Feature objects")
        )
        return None
    return doc


def _declared_crs_of_member(doc: dict[str, Any]) -> str | None:
    """Return the CRS named by a legacy GeoJSON ``crs`` member, if any."""
    member = doc.get("crs")
    if not isinstance(member, dict):
        return None
    name = str((member.get("properties") or {}).get("name", ""))
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
            f"coordinates such as ({xs[0]:.1f}, {ys[0]:.1f}) are too large for degrees: "
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


def _geometry_problems(geom: Any, crs: str, expect: str | None) -> list[tuple[str, str]]:
    """Check one raw GeoJSON geometry; return (problem, fix) pairs."""
    if not isinstance(geom, dict) or "type" not in geom:
        return [("geometry is not a GeoJSON geometry object", "give {type, coordinates}")]
    gtype = geom["type"]
    if expect and gtype.removeprefix("Multi") != expect:
        return [
            (
                f"geometry type {gtype} but the catalog declares {expect}",
                f"convert the feature to {expect} or fix the catalog entry",
            )
        ]
    positions = list(_positions(geom.get("coordinates")))
    if not positions:
        return [("empty geometry (no coordinates)", "give coordinates or remove the feature")]
    try:
        xs, ys = [float(p[0]) for p in positions], [float(p[1]) for p in positions]
    except (TypeError, ValueError, IndexError):
        return [("a position is not a pair of numbers", "write positions as [lon, lat]")]
    if not all(math.isfinite(v) for v in xs + ys):
        return [("a coordinate is NaN or infinite", "replace it with a real number")]
    for ring in _rings(geom):
        if len(ring) < 4 or ring[0][:2] != ring[-1][:2]:
            return [
                (
                    "unclosed polygon ring (first and last positions differ or < 4 positions)",
                    "repeat the first position at the end of every ring",
                )
            ]
    found = _coordinate_problem(xs, ys, crs)
    if found:
        return [found]
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


def _property_problems(props: dict[str, Any], has_place: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    inherited = {"geometry_source", "accuracy_m"} if has_place else set()
    for key in REQUIRED:
        if key not in inherited and (props.get(key) is None or str(props.get(key)).strip() == ""):
            out.append((f"missing required property '{key}'", f"add '{key}' (see DESIGN §4)"))
    fid = props.get("id")
    if fid is not None and not _SLUG.match(str(fid)):
        out.append((f"id {fid!r} is not a slug", "use lowercase letters, digits and '-'"))
    src = props.get("geometry_source")
    if src is not None and src not in GEOMETRY_SOURCES:
        out.append(
            (
                f"geometry_source {src!r} is not one of {', '.join(GEOMETRY_SOURCES)}",
                "say how the geometry was made: surveyed, digitized or schematic",
            )
        )
    acc = props.get("accuracy_m")
    if acc is not None:
        try:
            acc_f = float(acc)
        except (TypeError, ValueError):
            acc_f = float("nan")
        if not (acc_f >= 0 if has_place else acc_f > 0):
            out.append(
                (
                    f"accuracy_m {acc!r} is not a positive number of metres",
                    "give the estimated positional error in metres",
                )
            )
        elif src == "schematic" and acc_f < SCHEMATIC_MIN_ACCURACY_M:
            out.append(
                (
                    f"schematic geometry claims accuracy_m {acc_f:g} < "
                    f"{SCHEMATIC_MIN_ACCURACY_M:g}",
                    "a schematic shape is not a footprint: raise accuracy_m to ≥ 300",
                )
            )
    return out


def _feature_problems(
    file: str, i: int, feat: Any, crs: str, expect: str | None, gaz: Gazetteer | None
) -> list[Problem]:
    if not isinstance(feat, dict) or feat.get("type") != "Feature":
        return [Problem(file, f"#{i}", "not a GeoJSON Feature", 'give {"type": "Feature", ...}')]
    props = feat.get("properties") or {}
    fid = str(props.get("id") or f"#{i} (no id)")
    place = props.get("place")
    found = _property_problems(props, has_place=bool(place))
    geom = feat.get("geometry")
    if geom is None and place:
        try:
            _gazetteer(gaz).lookup(str(place))
        except GazetteerError as exc:
            # the gazetteer's message names the place, close matches and the fix
            message, _, fix = str(exc).partition(" (")
            found.append((message, fix.rstrip(")") or "add the place to layers/gazetteer.csv"))
    elif geom is None:
        found.append(
            (
                "geometry is null and no 'place' is given",
                "give a geometry, or a gazetteer 'place' for a point feature",
            )
        )
    else:
        found += _geometry_problems(geom, crs, expect)
    return [Problem(file, fid, p, fix) for p, fix in found]


def _gazetteer(gaz: Gazetteer | None) -> Gazetteer:
    if gaz is not None:
        return gaz
    from geo.gazetteer import load_gazetteer

    return load_gazetteer()


def _check_document(
    doc: dict[str, Any], path: Path, crs: str, expect: str | None, gaz: Gazetteer | None
) -> list[Problem]:
    f = str(path)
    problems: list[Problem] = []
    member = _declared_crs_of_member(doc)
    if member and canonical_crs(member) != crs:
        problems.append(
            Problem(
                f,
                "-",
                f"the file says its CRS is {member} but {crs} was declared",
                f"declare the file's real CRS (--crs {member}) or reproject it to {crs}",
            )
        )
    if not doc["features"]:
        problems.append(
            Problem(
                f, "-", "the FeatureCollection has no features", "add features or remove the layer"
            )
        )
    seen: dict[str, int] = {}
    for i, feat in enumerate(doc["features"]):
        problems += _feature_problems(f, i, feat, crs, expect, gaz)
        fid = ((feat or {}).get("properties") or {}).get("id") if isinstance(feat, dict) else None
        if fid is not None:
            if fid in seen:
                problems.append(
                    Problem(
                        f,
                        str(fid),
                        f"duplicate id (also feature #{seen[fid]})",
                        "give every feature a unique id",
                    )
                )
            seen.setdefault(fid, i)
    return problems


def validate_file(
    path: str | Path,
    crs: str = "wgs84",
    geometry_type: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> list[Problem]:
    """Check a GeoJSON layer file and return every problem found (empty if none).

    Parameters
    ----------
    path : str or Path
        The file. It is only read, never modified.
    crs : str
        The CRS the file is declared to be in: ``wgs84``, ``gcj02``, ``bd09`` or
        ``EPSG:<code>``.
    geometry_type : str, optional
        Expected geometry type (``Point``, ``LineString``, ``Polygon``).
    gazetteer : Gazetteer, optional
        For resolving ``place`` names; default the repository's gazetteer.

    Returns
    -------
    list of Problem
    """
    path = Path(path)
    problems: list[Problem] = []
    doc = read_geojson(path, problems)
    if doc is None:
        return problems
    return _check_document(doc, path, canonical_crs(crs), geometry_type, gazetteer)


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
    bad = (bounds.minx < x0) | (bounds.maxx > x1) | (bounds.miny < y0) | (bounds.maxy > y1)
    return [
        Problem(
            file,
            str(gdf.loc[i].get("id", f"#{i}")),
            "after reprojection the feature lies outside Chongqing",
            "check the declared CRS (is it really the CRS of the file?)",
        )
        for i in gdf.index[bad]
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
        Expected geometry type.
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
    crs: str = "wgs84",
    geometry_type: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> gpd.GeoDataFrame:
    """Read, validate and convert one GeoJSON file to a GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    path : str or Path
        The GeoJSON file.
    crs : str
        Declared CRS of the file (``wgs84``, ``gcj02``, ``bd09`` or ``EPSG:<code>``);
        GCJ-02 and BD-09 are converted to WGS-84, projected CRSs reprojected.
    geometry_type : str, optional
        Expected geometry type.
    gazetteer : Gazetteer, optional
        For resolving ``place`` names.

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    LayerValidationError
        Listing every problem in the file.
    """
    path = Path(path)
    problems: list[Problem] = []
    doc = read_geojson(path, problems)
    if doc is None:
        raise LayerValidationError(problems)
    return read_layer_document(doc, path, crs, geometry_type, gazetteer)


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
        One row per feature, the DESIGN §4 properties as columns, CRS EPSG:4326.

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
