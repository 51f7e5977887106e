"""Adding a layer to the catalog: read any input, fill what is missing, validate, register.

A new layer arrives as GeoJSON (including what the maps' Draw control exports), a
GeoPackage, a shapefile, or a CSV of points (``lon``/``lat``, ``lng``/``lat``,
``x``/``y`` columns, or one AMap-style ``location`` column holding ``"lon,lat"``).
Whatever the format, it is turned into a GeoJSON document in memory, missing
required properties are filled from explicit defaults (and every fill is reported,
never silent), the document is validated exactly as :func:`geo.layers.read_layer_file`
validates a file (every problem at once), converted to WGS-84, and finally
written as ``layers/<id>.geojson`` together with its catalog entry.

The write holds the layers folder's lock (:func:`geo._io.write_lock`), re-reads the
catalog under it, and commits both files through a journal
(:func:`geo._io.commit_files`): a failed run leaves the catalog and the layers
exactly as before, and a run killed half-way is finished by the next command.
Replacing a layer keeps the previous file in
``layers/.backup/<id>.<UTC time to the nanosecond>.geojson``.

Only the functions named ``read_*`` and :func:`commit_layer` / :func:`add_layer`
touch the disk; the rest work on data in memory.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import yaml

from geo import limits
from geo._errors import CatalogError, LayerValidationError, Problem
from geo._io import JOURNAL_NAME, Move, backup_copies, commit_files, stage_text, write_lock
from geo.catalog import GEOMETRY_TYPES, ROLES, Catalog, check_layer_id, parse_catalog
from geo.layers import (
    REQUIRED,
    UNKNOWN_ENCODING_FIX,
    WRONG_ENCODING_FIX,
    canonical_crs,
    input_size_problem,
    layer_path,
    layer_text,
    layers_dir,
    read_catalog,
    read_geojson,
    read_layer_document,
)

__all__ = [
    "AddResult",
    "Fill",
    "PropertyDefaults",
    "add_layer",
    "catalog_entry",
    "catalog_text_with_entry",
    "commit_layer",
    "document_from_frame",
    "document_from_table",
    "fill_properties",
    "infer_geometry_type",
    "read_input_document",
    "validate_document",
]

#: Suffixes read as GeoJSON text; everything else goes through pyogrio.
GEOJSON_SUFFIXES = frozenset({".geojson", ".json"})
CSV_SUFFIXES = frozenset({".csv", ".txt"})
#: Coordinate column pairs accepted in a CSV, tried in this order (case-insensitive).
COORD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("lon", "lat"),
    ("lng", "lat"),
    ("longitude", "latitude"),
    ("x", "y"),
    ("经度", "纬度"),
)
#: Single columns holding ``"lon,lat"`` as AMap's coordinate picker copies it.
LOCATION_COLUMNS: tuple[str, ...] = ("location", "lnglat", "lonlat", "坐标")
BACKUP_DIR = ".backup"
#: Layer-control group of layers added without ``--group``.
DEFAULT_GROUP = "新增图层 Added layers"


# --------------------------------------------------------------------------- data classes
@dataclass(frozen=True)
class PropertyDefaults:
    """Values used for required properties that the input does not carry.

    Attributes
    ----------
    kind, plan_ref, geometry_source : str, optional
        Filled on every feature that lacks them.
    accuracy_m : float, optional
        Filled on every feature that lacks it.
    name_zh, name_en : str, optional
        Name stems: a single feature gets the name as is, several get ``stem 1``,
        ``stem 2`` ... When not given, the layer titles are used the same way.
    """

    kind: str | None = None
    plan_ref: str | None = None
    geometry_source: str | None = None
    accuracy_m: float | None = None
    name_zh: str | None = None
    name_en: str | None = None


@dataclass(frozen=True)
class Fill:
    """One property filled on some features because the input lacked it.

    Attributes
    ----------
    prop : str
        The property name.
    source : str
        Where the value came from (``--kind``, ``--id + number``, ``--title-zh + number``).
    feature_ids : tuple of str
        Ids of the features that received it.
    values : tuple of str
        The values given, in the same order (one per feature).
    """

    prop: str
    source: str
    feature_ids: tuple[str, ...]
    values: tuple[str, ...]

    def __str__(self) -> str:
        uniq = sorted(set(self.values))
        shown = (
            repr(uniq[0])
            if len(uniq) == 1
            else ", ".join(repr(v) for v in self.values[:3])
            + (" ..." if len(self.values) > 3 else "")
        )
        return (
            f"filled '{self.prop}' = {shown} on {len(self.feature_ids)} feature(s) "
            f"from {self.source}"
        )


@dataclass
class AddResult:
    """What :func:`add_layer` did.

    Attributes
    ----------
    layer_id : str
        The catalog id.
    layer_path : Path
        The written GeoJSON file.
    catalog_path : Path
        The updated catalog.
    features : geopandas.GeoDataFrame
        The validated features, in EPSG:4326.
    fills : list of Fill
        Every property filled from defaults.
    notes : list of str
        Other adjustments made while reading the input.
    backup : Path or None
        The previous layer file, when one was replaced.
    replaced : bool
        Whether an existing layer was replaced.
    catalog_rewritten : bool
        True when the catalog could not be edited as text and was re-dumped
        (comments lost); normally False.
    """

    layer_id: str
    layer_path: Path
    catalog_path: Path
    features: gpd.GeoDataFrame
    fills: list[Fill] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    backup: Path | None = None
    replaced: bool = False
    catalog_rewritten: bool = False


# --------------------------------------------------------------------------- reading inputs
def _problem(path: Path, problem: str, fix: str, fid: str = "-") -> LayerValidationError:
    return LayerValidationError([Problem(str(path), fid, problem, fix)])


def read_input_document(
    path: str | Path,
    crs: str | None,
    *,
    encoding: str | None = None,
    layer: str | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Read a GeoJSON, GeoPackage, shapefile or CSV into a GeoJSON document.

    The input is only read. Non-GeoJSON inputs are converted in memory; a
    GeoPackage or shapefile's own CRS is kept as a GeoJSON ``crs`` member when it is
    projected, so validation reports a file whose real CRS differs from the declared
    one. The file size is checked before reading, and text that was decoded with
    the wrong encoding (mojibake such as ``É³Æº°Ó`` for 沙坪坝) is refused.

    Parameters
    ----------
    path : str or Path
        The input file.
    crs : str or None
        The declared CRS (``wgs84``, ``gcj02``, ``bd09`` or ``EPSG:<code>``); None
        keeps the file's own CRS as its ``crs`` member.
    encoding : str, optional
        Text encoding of a shapefile's ``.dbf`` (when it has no ``.cpg``), a CSV or a
        GeoJSON; default UTF-8 (for a shapefile, what its ``.cpg`` says).
    layer : str, optional
        The layer of a GeoPackage that holds several.

    Returns
    -------
    tuple of (dict, list of str)
        A GeoJSON FeatureCollection mapping (coordinates still in the declared CRS),
        and notes on what was adjusted while reading (e.g. shapefile field names
        restored).

    Raises
    ------
    LayerValidationError
        If the file cannot be read, is too large, holds garbled text or is not a
        feature collection.
    """
    path = Path(path)
    if not path.is_file():
        raise _problem(path, "the file does not exist", "check the path")
    _check_encoding_name(path, encoding)
    suffix = path.suffix.lower()
    if layer is not None and suffix in GEOJSON_SUFFIXES | CSV_SUFFIXES:
        raise _problem(
            path, f"--layer {layer!r} given, but the file holds one layer", "drop --layer"
        )
    too_big = input_size_problem(path)
    if too_big:
        raise LayerValidationError([too_big])
    notes: list[str] = []
    if suffix in GEOJSON_SUFFIXES:
        problems: list[Problem] = []
        doc = read_geojson(path, problems, encoding)
        if doc is None:
            raise LayerValidationError(problems)
    elif suffix in CSV_SUFFIXES:
        doc = document_from_table(_read_csv(path, encoding), str(path))
    else:
        doc, notes = _read_vector(path, crs, encoding, layer)
    # a layer over the feature limit is refused by validation without this walk
    if len(doc.get("features") or []) <= limits.MAX_FEATURES:
        garbled = garbled_text_problems(doc, str(path), _encoding_fix(path, encoding))
        if garbled:
            raise LayerValidationError(garbled)
    return doc, notes


def _check_encoding_name(path: Path, encoding: str | None) -> None:
    if encoding is None:
        return
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise _problem(path, f"unknown encoding {encoding!r}", UNKNOWN_ENCODING_FIX) from None


def _read_csv(path: Path, encoding: str | None = None) -> pd.DataFrame:
    """Read a CSV as UTF-8 (with or without BOM) or ``encoding``; report GBK files clearly."""
    try:
        return pd.read_csv(path, encoding=encoding or "utf-8-sig", dtype={"id": str})
    except UnicodeDecodeError as exc:
        if encoding:
            raise _problem(
                path,
                f"not {encoding} (byte {exc.start})",
                WRONG_ENCODING_FIX,
            ) from exc
        raise _problem(
            path,
            f"not UTF-8 (byte {exc.start})",
            "pass --encoding gbk, or re-save as 'CSV UTF-8' (Excel: Save As > CSV UTF-8; "
            "WPS: encoding UTF-8)",
        ) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise _problem(path, f"cannot parse the CSV ({exc})", "check the separators") from exc


def _gdal_problem(path: Path, exc: Exception) -> LayerValidationError:
    return _problem(
        path,
        f"cannot read the file with GDAL ({exc})",
        "give a GeoJSON, GeoPackage, shapefile (.shp with .shx/.dbf/.prj) or CSV",
    )


def _choose_layer(path: Path, layer: str | None) -> str:
    """Return the layer to read: the only one, or ``layer``; refuse and list otherwise."""
    import pyogrio

    try:
        found = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio raises DataSourceError and GDAL errors
        raise _gdal_problem(path, exc) from exc
    names = [str(name) for name, _ in found]
    listing = ", ".join(f"{name} ({gtype or 'no geometry'})" for name, gtype in found)
    if layer is None and len(names) == 1:
        return names[0]
    if layer is None:
        raise _problem(
            path,
            f"the file holds {len(names)} layers: {listing or 'none'}",
            "choose one with --layer NAME",
        )
    if layer not in names:
        raise _problem(
            path,
            f"no layer {layer!r} in the file; it holds: {listing}",
            "give one of them to --layer",
        )
    return layer


def _read_vector(
    path: Path, crs: str | None, encoding: str | None = None, layer: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Read one layer of a GeoPackage/shapefile with pyogrio into a GeoJSON document."""
    import pyogrio

    name = _choose_layer(path, layer)
    try:
        count = int(pyogrio.read_info(path, layer=name).get("features", -1))
        found = limits.layer_size_problem(count, 0)
        if found:
            raise _problem(path, found, limits.SIMPLIFY_FIX)
        options = {"encoding": encoding} if encoding else {}
        gdf = pyogrio.read_dataframe(path, layer=name, **options)
    except LayerValidationError:
        raise
    except Exception as exc:  # pyogrio raises DataSourceError and GDAL errors
        raise _gdal_problem(path, exc) from exc
    renamed = restore_field_names(gdf)
    notes = [
        f"renamed field '{old}' to '{new}' (shapefiles cut names to 10 characters)"
        for old, new in renamed.items()
    ]
    return document_from_frame(gdf.rename(columns=renamed), crs), notes


# --------------------------------------------------------------------------- garbled text
def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in text)


def _mostly_paired(raw: bytes) -> bool:
    """Whether high bytes come in pairs, as in GBK Chinese (both bytes 0x81-0xFE)."""
    pairs = odd = i = 0
    while i < len(raw):
        if raw[i] < 0x80:
            i += 1
            continue
        if i + 1 < len(raw) and raw[i + 1] >= 0x80:
            pairs += 1
        else:
            odd += 1
        i += 2
    return pairs > odd


def garbled_reading(text: str) -> tuple[str, str] | None:
    """Recognise text decoded with the wrong encoding and say what it should read.

    A GBK or UTF-8 file read as Latin-1 (what GDAL assumes for a shapefile without
    ``.cpg``) turns 沙坪坝 into ``É³Æº°Ó``: characters of the Latin-1 range whose
    bytes decode cleanly as Chinese in GBK or UTF-8. Genuine accented Latin text
    (``Café``, ``Zürich``) does not decode so, and genuine Chinese text is not in
    the Latin-1 range.

    Parameters
    ----------
    text : str
        A value as read.

    Returns
    -------
    tuple of (str, str) or None
        The encoding the bytes were really in (``utf-8``, ``gbk``, or ``?`` for
        undecodable bytes shown as U+FFFD) and the text as it should read; None for
        text that looks right.
    """
    if "\ufffd" in text:
        return "?", text
    if text.isascii():
        return None
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return None
    for enc in ("utf-8", "gbk"):
        try:
            reading = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if _has_cjk(reading) and (enc == "utf-8" or _mostly_paired(raw)):
            return enc, reading
    return None


def _encoding_fix(path: Path, encoding: str | None) -> str:
    """Say how to read ``path`` with its real encoding (``{enc}`` is filled in)."""
    if path.suffix.lower() in GEOJSON_SUFFIXES and encoding is None:
        return (
            "the text was garbled before this file was written: export it again from the "
            "source as UTF-8 (or, if the file itself is {enc}, pass --encoding {enc})"
        )
    if path.suffix.lower() == ".shp":
        return (
            "pass --encoding {enc} (the encoding the .dbf was written in), or put a .cpg "
            "file holding {ENC} beside the .shp"
        )
    return "pass --encoding {enc} (the encoding the file was written in)"


def garbled_text_problems(doc: Mapping[str, Any], source: str, fix: str) -> list[Problem]:
    """Find property names and text values that were decoded with the wrong encoding.

    Parameters
    ----------
    doc : mapping
        A GeoJSON FeatureCollection mapping.
    source : str
        Name of the input, for the messages.
    fix : str
        What to do, with ``{enc}``/``{ENC}`` standing for the likely encoding.

    Returns
    -------
    list of Problem
        One per feature with garbled text (its first garbled value).
    """
    out = []
    for i, feat in enumerate(doc.get("features") or []):
        props = feat.get("properties") if isinstance(feat, dict) else None
        if not isinstance(props, dict):
            continue
        texts = [*map(str, props), *(v for v in props.values() if isinstance(v, str))]
        found = next(((t, r) for t in texts if (r := garbled_reading(t))), None)
        if found is None:
            continue
        text, (enc, reading) = found
        fid = props.get("id") if isinstance(props.get("id"), str) else f"#{i}"
        enc = "gbk" if enc == "?" else enc
        what = (
            f"text {text[:30]!r} holds undecodable characters"
            if reading == text
            else f"text {text[:30]!r} is {enc.upper()} read with the wrong encoding "
            f"(it reads {reading[:20]!r})"
        )
        out.append(Problem(source, fid, what, fix.format(enc=enc, ENC=enc.upper())))
    return out


def restore_field_names(gdf: gpd.GeoDataFrame) -> dict[str, str]:
    """Return renames that undo the shapefile's 10-character cut of required names.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
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


def document_from_frame(gdf: gpd.GeoDataFrame, crs: str | None) -> dict[str, Any]:
    """Convert a GeoDataFrame read from a GeoPackage or shapefile to a GeoJSON document.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The features as read, in their file's CRS.
    crs : str or None
        The declared CRS. When the file's CRS is geographic and a lon/lat datum was
        declared (``gcj02`` data are routinely labelled WGS-84), the declaration
        wins; otherwise (or when None is declared) the file's CRS is recorded so a
        mismatch is reported.

    Returns
    -------
    dict
        A GeoJSON FeatureCollection mapping.
    """
    doc = json.loads(gdf.to_json(na="null", drop_id=True, ensure_ascii=False))
    doc.pop("crs", None)
    lonlat_declared = crs is not None and not canonical_crs(crs).startswith("EPSG:")
    if gdf.crs is not None and not (gdf.crs.is_geographic and lonlat_declared):
        epsg = gdf.crs.to_epsg()
        name = f"urn:ogc:def:crs:EPSG::{epsg}" if epsg else gdf.crs.to_string()
        doc["crs"] = {"type": "name", "properties": {"name": name}}
    return doc


def _coordinate_columns(columns: list[str]) -> tuple[str, str] | str | None:
    lower = {c.strip().lower(): c for c in columns}
    for x, y in COORD_COLUMNS:
        if x in lower and y in lower:
            return lower[x], lower[y]
    for name in LOCATION_COLUMNS:
        if name in lower:
            return lower[name]
    return None


def _number(value: Any) -> float | None:
    try:
        out = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return out if out == out else None  # NaN is missing


def document_from_table(table: pd.DataFrame, source: str = "table") -> dict[str, Any]:
    """Turn a table of points into a GeoJSON document.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per point, with ``lon``/``lat`` (or ``lng``/``lat``, ``longitude``/
        ``latitude``, ``x``/``y``, ``经度``/``纬度``) columns, or a ``location`` column
        holding ``"lon,lat"`` as AMap copies it, or only a ``place`` column naming a
        gazetteer place. Other columns become properties.
    source : str
        Name used in error messages.

    Returns
    -------
    dict
        A GeoJSON FeatureCollection of points.

    Raises
    ------
    LayerValidationError
        If no coordinate columns are found, or a row's coordinates are not numbers
        (every such row is listed).
    """
    cols = _coordinate_columns([str(c) for c in table.columns])
    has_place = "place" in table.columns
    if cols is None and not has_place:
        raise LayerValidationError(
            [
                Problem(
                    source,
                    "-",
                    f"no coordinate columns among {', '.join(map(str, table.columns))}",
                    "name them lon and lat (or lng/lat, x/y), or give one 'location' "
                    "column with 'lon,lat' as AMap copies it",
                )
            ]
        )
    coord_cols = [cols] if isinstance(cols, str) else list(cols or [])
    records = json.loads(table.to_json(orient="records", force_ascii=False))
    features, problems = [], []
    for i, row in enumerate(records):
        raw = [row.pop(c, None) for c in coord_cols]
        props = {k: v for k, v in row.items() if not str(k).startswith("Unnamed:")}
        fid = str(props.get("id") or f"row {i + 2}")  # row 1 is the header
        if isinstance(cols, str) and raw[0] is not None:
            raw = str(raw[0]).replace("，", ",").split(",")
        xy = [_number(v) for v in raw]
        if all(v is None for v in xy) and props.get("place"):
            geometry = None
        elif len(xy) != 2 or any(v is None for v in xy):
            problems.append(
                Problem(
                    source,
                    fid,
                    f"coordinates {raw!r} are not two numbers",
                    "give lon and lat in decimal degrees (e.g. 106.4662, 29.5665), "
                    "or a gazetteer 'place'",
                )
            )
            continue
        else:
            geometry = {"type": "Point", "coordinates": xy}
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    if problems:
        raise LayerValidationError(problems)
    return {"type": "FeatureCollection", "features": features}


# --------------------------------------------------------------------------- filling
def _slug(layer_id: str) -> str:
    return layer_id.replace("_", "-")


def _missing(props: Mapping[str, Any], key: str) -> bool:
    value = props.get(key)
    return value is None or str(value).strip() == ""


def fill_properties(
    doc: Mapping[str, Any],
    layer_id: str,
    title_zh: str,
    title_en: str,
    defaults: PropertyDefaults,
) -> tuple[dict[str, Any], list[Fill]]:
    """Fill missing required properties from explicit defaults, recording every fill.

    Nothing is invented without a record: ids are the layer id (``_`` as ``-``) plus
    a number; names are the given name stems (or the layer titles) plus a number;
    ``kind``, ``plan_ref``, ``geometry_source`` and ``accuracy_m`` are filled only
    when a default is given, so a missing one is still reported by validation.

    Parameters
    ----------
    doc : mapping
        A GeoJSON FeatureCollection mapping; not modified.
    layer_id : str
        The catalog id of the new layer.
    title_zh, title_en : str
        The layer titles, used as name stems when no ``name_zh``/``name_en`` default.
    defaults : PropertyDefaults
        The values to fill.

    Returns
    -------
    tuple of (dict, list of Fill)
        A filled copy of the document and the fills made.
    """
    out = json.loads(json.dumps(doc, ensure_ascii=False))  # deep copy, JSON types only
    feats = [f for f in out.get("features", []) if isinstance(f, dict)]
    for f in feats:
        if not isinstance(f.get("properties"), dict):
            f["properties"] = {}
    taken = {str(f["properties"]["id"]) for f in feats if not _missing(f["properties"], "id")}
    records: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def note(prop: str, src: str, fid: str, value: Any) -> None:
        records.setdefault((prop, src), []).append((fid, str(value)))

    n = 0
    for f in feats:
        props = f["properties"]
        if _missing(props, "id"):
            n += 1
            while f"{_slug(layer_id)}-{n}" in taken:
                n += 1
            props["id"] = f"{_slug(layer_id)}-{n}"
            taken.add(props["id"])
            note("id", "--id + number", props["id"], props["id"])
    many = len(feats) > 1
    for i, f in enumerate(feats, start=1):
        props = f["properties"]
        fid = str(props["id"])
        for key, stem, src in (
            ("name_zh", defaults.name_zh or title_zh, "--name-zh" if defaults.name_zh else None),
            ("name_en", defaults.name_en or title_en, "--name-en" if defaults.name_en else None),
        ):
            if _missing(props, key):
                value = f"{stem} {i}" if many else stem
                origin = src or f"--title-{key[-2:]}"
                props[key] = value
                note(key, origin + (" + number" if many else ""), fid, value)
        for key in ("kind", "plan_ref", "geometry_source", "accuracy_m"):
            value = getattr(defaults, key)
            if value is not None and _missing(props, key):
                if key == "accuracy_m" and props.get("place") and f.get("geometry") is None:
                    continue  # a place feature inherits the gazetteer's accuracy
                props[key] = value
                shown = f"{value:g}" if key == "accuracy_m" else value
                note(key, f"--{key.replace('_', '-')}", fid, shown)
    for f in feats:  # required properties first, in docs/contract.md order, for readable files
        props = f["properties"]
        f["properties"] = {
            **{k: props[k] for k in REQUIRED if k in props},
            **{k: v for k, v in props.items() if k not in REQUIRED},
        }
    fills = [
        Fill(prop, src, tuple(i for i, _ in pairs), tuple(v for _, v in pairs))
        for (prop, src), pairs in records.items()
    ]
    order = {k: i for i, k in enumerate(REQUIRED)}
    fills.sort(key=lambda fl: order.get(fl.prop, len(order)))
    return out, fills


# --------------------------------------------------------------------------- validating
def infer_geometry_type(doc: Mapping[str, Any]) -> str | None:
    """Return the single base geometry type of a document, or None if mixed or empty.

    Parameters
    ----------
    doc : mapping
        A GeoJSON FeatureCollection mapping. Features with ``geometry: null`` (gazetteer
        places) count as points.

    Returns
    -------
    str or None
        ``Point``, ``LineString`` or ``Polygon``.
    """
    kinds = set()
    for f in doc.get("features") or []:
        geom = f.get("geometry") if isinstance(f, dict) else None
        gtype = geom.get("type") if isinstance(geom, dict) else "Point"
        kinds.add(str(gtype).removeprefix("Multi"))
    return kinds.pop() if len(kinds) == 1 and kinds <= GEOMETRY_TYPES else None


def validate_document(
    doc: dict[str, Any], source: str | Path, crs: str, geometry_type: str | None = None
) -> gpd.GeoDataFrame:
    """Validate a GeoJSON document and convert it to EPSG:4326.

    The same checks as :func:`geo.layers.read_layer_file` and ``geo validate``
    apply (every problem at once), applied to a document held in memory, so that
    non-GeoJSON inputs and filled documents are checked exactly like files.

    Parameters
    ----------
    doc : dict
        A GeoJSON FeatureCollection mapping.
    source : str or Path
        The input's name, used in every problem.
    crs : str
        The declared CRS.
    geometry_type : str, optional
        Expected geometry type.

    Returns
    -------
    geopandas.GeoDataFrame
        The features in EPSG:4326.

    Raises
    ------
    LayerValidationError
        Listing every problem.
    """
    return read_layer_document(doc, source, crs, geometry_type)


def _with_option_hint(p: Problem) -> Problem:
    """Point a missing-property problem at the command-line option that fills it."""
    m = re.match(r"missing required property '(\w+)'", p.problem)
    if not m or m.group(1) == "id":
        return p
    opt = "--" + m.group(1).replace("_", "-")
    return Problem(p.file, p.feature_id, p.problem, f"add '{m.group(1)}' to the input, or {opt}")


def _id_clashes(gdf: gpd.GeoDataFrame, owners: Mapping[str, str], source: str) -> list[Problem]:
    return [
        Problem(
            source,
            str(fid),
            f"id already used in layer {owners[str(fid)]}",
            "ids are unique across all layers: rename the feature (or drop its id "
            "to have one generated)",
        )
        for fid in gdf["id"]
        if str(fid) in owners
    ]


def read_feature_owners(
    catalog: Catalog, directory: Path, skip: str | None = None
) -> dict[str, str]:
    """Map every feature id of the catalog's source layers to its layer id.

    Parameters
    ----------
    catalog : Catalog
        The catalog.
    directory : Path
        The layers folder.
    skip : str, optional
        A layer to leave out (the one being replaced).

    Returns
    -------
    dict of str to str
    """
    owners: dict[str, str] = {}
    for spec in catalog:
        if spec.id == skip or spec.file is None:
            continue
        doc = read_geojson(layer_path(spec.id, spec.file, directory), [])
        for feat in (doc or {}).get("features", []):
            fid = (
                ((feat or {}).get("properties") or {}).get("id") if isinstance(feat, dict) else None
            )
            if fid is not None:
                owners.setdefault(str(fid), spec.id)
    return owners


# --------------------------------------------------------------------------- catalog text
def catalog_entry(
    layer_id: str,
    title_zh: str,
    title_en: str,
    geometry_type: str,
    *,
    file: str,
    figures: list[int] | None = None,
    role: str | None = None,
    group: str | None = None,
    style: str | None = None,
    provenance: str = "",
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build a catalog entry for a new (or replaced) layer.

    The stored file is always WGS-84, so the entry declares ``crs: wgs84``; the
    input's CRS belongs in ``provenance``. When replacing, keys of the previous
    entry that the caller does not set (role, group, style, figures, kind_field)
    are kept.

    Parameters
    ----------
    layer_id, title_zh, title_en, geometry_type : str
        The layer's id, titles and geometry type.
    file : str
        Path of the layer file relative to the layers folder.
    figures : list of int, optional
        Figures the layer appears on.
    role, group, style : str, optional
        Catalog keys (see ``docs/contract.md``); default the previous entry's, else
        ``site``, ``新增图层 Added layers`` and the layer id.
    provenance : str
        Where the data come from.
    previous : mapping, optional
        The entry being replaced.

    Returns
    -------
    dict
        The entry, keys in the catalog's usual order.

    Raises
    ------
    CatalogError
        If the id, geometry type or role is not allowed.
    """
    check_layer_id(layer_id)
    if geometry_type not in GEOMETRY_TYPES:
        raise CatalogError(f"geometry type {geometry_type!r}: use one of {sorted(GEOMETRY_TYPES)}")
    prev = dict(previous or {})
    role = role or prev.get("role", "site")
    if role not in ROLES:
        raise CatalogError(f"role {role!r}: use one of {sorted(ROLES)}")
    return {
        "id": layer_id,
        "title_zh": title_zh,
        "title_en": title_en,
        "geometry_type": geometry_type,
        "file": file,
        "crs": "wgs84",
        "role": role,
        "group": group or prev.get("group", DEFAULT_GROUP),
        "figures": list(figures) if figures is not None else list(prev.get("figures", [])),
        "style": style or prev.get("style", layer_id),
        "kind_field": prev.get("kind_field", "kind"),
        "provenance": provenance,
    }


def _entry_block(entry: Mapping[str, Any], indent: str) -> str:
    text = yaml.safe_dump(
        [dict(entry)], allow_unicode=True, sort_keys=False, default_flow_style=None, width=10_000
    )
    return "".join(indent + line + "\n" for line in text.splitlines())


def _list_span(lines: list[str]) -> tuple[int, int, str] | None:
    """Return (first item line, end line, item indent) of the top-level ``layers:`` list."""
    start = next((i for i, ln in enumerate(lines) if re.match(r"^layers:\s*(#.*)?$", ln)), None)
    if start is None:
        return None
    end, indent = len(lines), None
    for j in range(start + 1, len(lines)):
        ln = lines[j]
        if indent is None:
            m = re.match(r"^(\s*)- ", ln)
            if m:
                indent = m.group(1)
        if ln and not ln[0].isspace() and not ln.startswith(("#", "-")):
            end = j
            break
    while end > start + 1 and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1  # keep trailing comments and blank lines with what follows
    return start + 1, end, indent if indent is not None else "  "


def catalog_text_with_entry(text: str, entry: Mapping[str, Any], replace: bool) -> tuple[str, bool]:
    """Return the catalog text with ``entry`` appended (or replacing its namesake).

    The edit is made on the text, keeping comments and ordering; the result is
    checked by parsing it, and if the text edit does not give exactly the intended
    catalog the whole document is re-dumped instead (comments are then lost, which
    the second return value reports).

    Parameters
    ----------
    text : str
        The current catalog text.
    entry : mapping
        The new entry.
    replace : bool
        Whether an entry with the same id is replaced (it must exist).

    Returns
    -------
    tuple of (str, bool)
        The new text and whether it had to be re-dumped.

    Raises
    ------
    CatalogError
        If the current catalog is unreadable or the result does not parse.
    """
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise CatalogError(f"the catalog is not valid YAML ({exc}); fix it first") from exc
    parse_catalog(data)
    layers = list(data.get("layers") or [])
    ids = [e.get("id") for e in layers]
    lid = entry["id"]
    if replace:
        layers[ids.index(lid)] = dict(entry)
    else:
        layers.append(dict(entry))
    want = {**data, "layers": layers}

    lines = text.splitlines(keepends=True)
    new_text = None
    span = _list_span([ln.rstrip("\n") for ln in lines])
    if span is not None:
        first, end, indent = span
        block = _entry_block(entry, indent)
        if not replace:
            head = "".join(lines[:end])
            if head and not head.endswith("\n"):
                head += "\n"
            new_text = head + block + "".join(lines[end:])
        else:
            pat = re.compile(rf"^{re.escape(indent)}- id:\s*['\"]?{re.escape(lid)}['\"]?\s*(#.*)?$")
            item = re.compile(rf"^{re.escape(indent)}- ")
            starts = [i for i in range(first, end) if pat.match(lines[i].rstrip("\n"))]
            if len(starts) == 1:
                s = starts[0]
                e = next((i for i in range(s + 1, end) if item.match(lines[i])), end)
                while e > s + 1 and (
                    not lines[e - 1].strip() or lines[e - 1].lstrip().startswith("#")
                ):
                    e -= 1
                new_text = "".join(lines[:s]) + block + "".join(lines[e:])
    if new_text is not None:
        with contextlib.suppress(yaml.YAMLError):
            if yaml.safe_load(new_text) == want:
                return new_text, False
    dumped = yaml.safe_dump(want, allow_unicode=True, sort_keys=False, width=10_000)
    parse_catalog(yaml.safe_load(dumped))
    return dumped, True


# --------------------------------------------------------------------------- committing
def _discard(paths: list[Path], backup_dir: Path, made_backup_dir: bool) -> None:
    for p in paths:
        p.unlink(missing_ok=True)
    if made_backup_dir and backup_dir.exists() and not any(backup_dir.iterdir()):
        backup_dir.rmdir()


def commit_layer(
    directory: Path, rel_file: str, layer: str, catalog: str, stamp: str | None = None
) -> Path | None:
    """Write a layer file and the catalog together, or leave both untouched.

    Under the folder's write lock, both texts are written to synced temporary
    files beside their destinations; the previous layer file and catalog, if the
    layer existed, are copied to ``.backup/``; then both are renamed into place
    through a commit journal (:func:`geo._io.commit_files`). An error undoes the
    renames made; a kill half-way is finished by the next command that reads or
    writes the folder.

    Parameters
    ----------
    directory : Path
        The layers folder.
    rel_file : str
        The layer file relative to ``directory`` (it must stay inside it).
    layer, catalog : str
        The new texts of the layer file and of ``catalog.yaml``.
    stamp : str, optional
        Time part of the backup names (default: now, UTC, to the nanosecond).

    Returns
    -------
    Path or None
        The backup of the previous layer file, if there was one.

    Raises
    ------
    CatalogError
        If ``rel_file`` resolves outside ``directory``.
    """
    directory = Path(directory)
    dest = layer_path(Path(rel_file).stem, rel_file, directory)
    cat_path = directory / "catalog.yaml"
    backup_dir = directory / BACKUP_DIR
    with write_lock(directory):
        made_backup_dir = not backup_dir.exists()
        created = not dest.exists()
        made: list[Path] = []
        try:
            made.append(stage_text(dest, layer))
            made.append(stage_text(cat_path, catalog))
            olds = [None, None] if created else backup_copies([dest, cat_path], backup_dir, stamp)
            made += [p for p in olds if p is not None]
            commit_files(
                directory,
                [Move(made[0], dest, olds[0], created), Move(made[1], cat_path, olds[1])],
            )
        except BaseException:
            if not (directory / JOURNAL_NAME).exists():  # else the next run undoes it
                _discard(made, backup_dir, made_backup_dir)
            raise
    return olds[0]


def add_layer(
    path: str | Path,
    layer_id: str,
    title_zh: str,
    title_en: str,
    crs: str,
    *,
    geometry_type: str | None = None,
    figures: list[int] | None = None,
    defaults: PropertyDefaults | None = None,
    role: str | None = None,
    group: str | None = None,
    style: str | None = None,
    provenance: str | None = None,
    replace: bool = False,
    directory: Path | None = None,
    encoding: str | None = None,
    layer: str | None = None,
) -> AddResult:
    """Read, fill, validate and register a layer: ``layers/<id>.geojson`` + catalog entry.

    Parameters
    ----------
    path : str or Path
        The input: GeoJSON, GeoPackage, shapefile or CSV. It is never modified.
    layer_id : str
        Catalog id of the layer (``[a-z][a-z0-9_]*``).
    title_zh, title_en : str
        Layer titles.
    crs : str
        The input's CRS: ``wgs84``, ``gcj02`` (AMap/Gaode), ``bd09`` (Baidu) or
        ``EPSG:<code>`` (e.g. ``EPSG:4544``).
    geometry_type : str, optional
        ``Point``, ``LineString`` or ``Polygon``; inferred when the input has one type.
    figures : list of int, optional
        Figures to show the layer on.
    defaults : PropertyDefaults, optional
        Values for missing required properties (every fill is reported).
    role, group, style, provenance : str, optional
        Catalog keys; see :func:`catalog_entry`.
    replace : bool
        Replace an existing layer of the same id (its file is backed up).
    directory : Path, optional
        The layers folder (default :func:`geo.layers.layers_dir`).
    encoding, layer : str, optional
        The input's text encoding and GeoPackage layer; see :func:`read_input_document`.

    Returns
    -------
    AddResult

    Raises
    ------
    LayerValidationError
        If the input has problems (all of them listed); nothing is written.
    CatalogError
        If the id exists and ``replace`` is false, or the entry is not allowed.
    """
    check_layer_id(layer_id)
    path = Path(path)
    directory = Path(directory) if directory else layers_dir()
    cat_path = directory / "catalog.yaml"
    # checked now to fail fast, and again under the lock: another writer may be quicker
    _previous_entry(read_catalog(cat_path), cat_path, layer_id, replace)
    raw, notes = read_input_document(path, crs, encoding=encoding, layer=layer)
    gtype = geometry_type or infer_geometry_type(raw)
    if gtype is None:
        raise LayerValidationError(
            [
                Problem(
                    str(path),
                    "-",
                    "the features mix geometry types (or there are none)",
                    "one layer holds one geometry type: split the file, or pass "
                    "--geometry-type to see which features do not match",
                )
            ]
        )
    doc, fills = fill_properties(raw, layer_id, title_zh, title_en, defaults or PropertyDefaults())
    try:
        gdf = validate_document(doc, path, crs, gtype)
    except LayerValidationError as exc:
        raise LayerValidationError([_with_option_hint(p) for p in exc.problems]) from None

    with write_lock(directory):
        catalog = read_catalog(cat_path)
        previous = _previous_entry(catalog, cat_path, layer_id, replace)
        owners = read_feature_owners(catalog, directory, skip=layer_id)
        clashes = _id_clashes(gdf, owners, str(path))
        if clashes:
            raise LayerValidationError(clashes)
        rel_file = str(previous["file"]) if previous else f"{layer_id}.geojson"
        today = dt.date.today().isoformat()
        prov = provenance or (
            f"Added with `geo add-layer` on {today} from {path.name} (declared {crs}; "
            "converted to WGS-84)."
        )
        entry = catalog_entry(
            layer_id,
            title_zh,
            title_en,
            gtype,
            file=rel_file,
            figures=figures,
            role=role,
            group=group,
            style=style,
            provenance=prov,
            previous=previous,
        )
        cat_text = cat_path.read_text(encoding="utf-8")
        new_cat, rewritten = catalog_text_with_entry(cat_text, entry, replace=previous is not None)
        backup = commit_layer(directory, rel_file, layer_text(gdf), new_cat)
    return AddResult(
        layer_id=layer_id,
        layer_path=directory / rel_file,
        catalog_path=cat_path,
        features=gdf,
        fills=fills,
        notes=notes,
        backup=backup,
        replaced=previous is not None,
        catalog_rewritten=rewritten,
    )


def _previous_entry(
    catalog: Catalog, cat_path: Path, layer_id: str, replace: bool
) -> dict[str, Any] | None:
    """Return the catalog entry ``layer_id`` replaces, checking ``replace`` is meant."""
    if layer_id not in catalog:
        if replace:
            raise CatalogError(f"--replace given but layer {layer_id!r} is not in the catalog")
        return None
    if not replace:
        raise CatalogError(
            f"layer {layer_id!r} is already in the catalog: choose another --id, "
            "or pass --replace (the current file is kept in layers/.backup/)"
        )
    spec = catalog[layer_id]
    if spec.is_derived:
        raise CatalogError(
            f"layer {layer_id!r} is derived by rule {spec.derived['rule']!r}: change "
            "its rule or source layers instead of replacing it"
        )
    layer_path(spec.id, spec.file, cat_path.parent)  # never write outside the folder
    entries = yaml.safe_load(cat_path.read_text(encoding="utf-8"))["layers"]
    return next(e for e in entries if e.get("id") == layer_id)
