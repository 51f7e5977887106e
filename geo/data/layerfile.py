"""Reading one layer file: decoding, checking and converting it to EPSG:4326.

:func:`read_layer_file` returns a validated GeoDataFrame for a GeoJSON,
GeoPackage, shapefile or CSV; :func:`validate_file` lists every problem of a file
instead. Every input becomes a GeoJSON document first and goes through the same
checks (:mod:`geo.data.checks`).
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
from shapely.geometry import Point, shape

from geo import limits
from geo.data.checks import _gazetteer, check_document
from geo.data.crs import (
    CHONGQING_BBOX,
    STORAGE_CRS,
    canonical_crs,
    convert_gdf,
)
from geo.data.intake import clean_tree, load_json, read_file_bytes
from geo.errors import DataFileError, LayerValidationError, Problem

if TYPE_CHECKING:
    from geo.data.gazetteer import GazetteerRef

#: What to do when a file is not in the encoding it was read in, or the name is unknown.
WRONG_ENCODING_FIX = "give the file's real encoding with --encoding (gbk, gb18030 or utf-8)"
UNKNOWN_ENCODING_FIX = "use e.g. --encoding gbk, gb18030 or utf-8"
#: Properties holding one-line text: a line break there becomes a space when read.
ONE_LINE_PROPERTIES = frozenset({"id", "name_zh", "name_en", "kind", "place", "aliases"})


# --------------------------------------------------------------------------- raw reading
def input_size_problem(path: Path) -> Problem | None:
    """Return a problem when an input file is larger than :data:`geo.limits.MAX_INPUT_BYTES`.

    Checked before the file is read, so an oversized input costs nothing. For a
    shapefile the ``.dbf`` beside it (its attributes) is counted too.

    Parameters
    ----------
    path
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
        return raw.decode("utf-8-sig" if utf8 or encoding is None else encoding), None
    except LookupError:
        return None, Problem(f, "-", f"unknown encoding {encoding!r}", UNKNOWN_ENCODING_FIX)
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start}: {raw[exc.start : exc.start + 1]!r}"
        if encoding:
            return None, Problem(f, "-", f"not {encoding} ({where})", WRONG_ENCODING_FIX)
        fix = "re-save the file as UTF-8 (GeoJSON must be UTF-8), or pass --encoding gbk"
        return None, Problem(f, "-", f"not UTF-8 ({where})", fix)


def collection_problem(doc: Any, f: str) -> Problem | None:
    """Return a problem when ``doc`` is not a FeatureCollection with a features list.

    Parameters
    ----------
    doc
        A decoded JSON document.
    f
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
    path
        The file; only read.
    problems
        Receives the problem when the file cannot be decoded.
    encoding
        The file's text encoding; default UTF-8 (with or without BOM).

    Returns
    -------
    dict or None
        The FeatureCollection mapping, or None when a problem was recorded.
    """
    f = str(path)
    try:
        too_big = input_size_problem(path)
    except OSError:
        too_big = None  # the door below says what is wrong with the file
    if too_big:
        problems.append(too_big)
        return None
    try:
        raw = read_file_bytes(path, limits.MAX_INPUT_BYTES)
        if not raw.strip():
            fix = "write a GeoJSON FeatureCollection"
            problems.append(Problem(f, "-", "the file is empty", fix))
            return None
        text, bad = _decode(raw, f, encoding)
        doc = None if text is None else load_json(text, f)
    except DataFileError as exc:
        problems.append(exc.as_problem())
        return None
    bad = bad or collection_problem(doc, f)
    if bad:
        problems.append(bad)
        return None
    return doc


def _build_frame(doc: dict[str, Any], crs: str, gaz: GazetteerRef) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for feat in doc["features"]:
        props = dict(feat.get("properties") or {})
        clean_tree(props, ONE_LINE_PROPERTIES)  # the text policy of geo.data.intake
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
    gazetteer: GazetteerRef = None,
) -> gpd.GeoDataFrame:
    """Validate and convert an in-memory GeoJSON FeatureCollection to EPSG:4326.

    Files, GeoPackages and CSVs brought in by other readers become a document first,
    so every input is checked by the same rules.

    Parameters
    ----------
    doc
        A GeoJSON FeatureCollection mapping.
    source
        Name of the input, used in problem messages.
    crs
        Declared CRS (``wgs84``, ``gcj02``, ``bd09`` or ``EPSG:<code>``).
    geometry_type
        Expected geometry type; without it the features must share one.
    gazetteer
        For resolving ``place`` names (as for :func:`validate_file`).

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
    problems = check_document(doc, Path(source), canonical, geometry_type, gazetteer)
    if problems:
        raise LayerValidationError(problems)
    gdf = _build_frame(doc, canonical, gazetteer)
    late = _outside_chongqing(gdf, str(source)) if canonical.startswith(("EPSG:", "PROJ")) else []
    if late:
        raise LayerValidationError(late)
    return gdf
