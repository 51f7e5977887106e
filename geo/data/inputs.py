"""Reading an input file (GeoJSON, GeoPackage, shapefile, CSV, Excel) into a GeoJSON document.

Only :func:`read_input_document` and the private ``_read_*`` helpers touch the disk.
"""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geo import limits
from geo._data import protect
from geo.data.columnar import (
    PARQUET_SUFFIXES,
    checked_points,
    file_crs_member,
    frame_from_table,
    garbled_problems,
    read_parquet,
    restore_field_names,
)
from geo.data.crs import canonical_crs, declared_crs_of_member
from geo.data.encoding import garbled_text_problems
from geo.data.intake import TEXT_FIX, check_regular_file, clean_text, read_file_bytes, text_problem
from geo.data.layerfile import (
    UNKNOWN_ENCODING_FIX,
    WRONG_ENCODING_FIX,
    input_size_problem,
    read_geojson,
    read_layer_document,
)
from geo.data.workbook import LEGACY_SUFFIXES, WORKBOOK_SUFFIXES, read_sheet
from geo.errors import DataFileError, LayerValidationError, Problem
from geo.tables import finite_number

if TYPE_CHECKING:
    from geo.data.gazetteer import GazetteerRef

__all__ = [
    "document_from_frame",
    "document_from_table",
    "read_input_document",
    "read_layer_file",
    "read_point_frame",
    "read_table",
    "restore_field_names",
    "validate_file",
]


#: Suffixes read as GeoJSON text; everything else goes through pyogrio.
GEOJSON_SUFFIXES = frozenset({".geojson", ".json"})
CSV_SUFFIXES = frozenset({".csv", ".txt"})
#: Tables of points: a CSV, or one sheet of an Excel workbook.
TABLE_SUFFIXES = CSV_SUFFIXES | WORKBOOK_SUFFIXES | LEGACY_SUFFIXES
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
    """Read a GeoJSON, GeoPackage, shapefile, CSV or Excel sheet into a GeoJSON document.

    The input is only read. Non-GeoJSON inputs are converted in memory; a
    GeoPackage or shapefile's own CRS is kept as a GeoJSON ``crs`` member when it is
    projected, so validation reports a file whose real CRS differs from the declared
    one. The file size is checked before reading, and text that was decoded with
    the wrong encoding (mojibake such as ``É³Æº°Ó`` for 沙坪坝) is refused.

    Parameters
    ----------
    path
        The input file.
    crs
        The declared CRS (``wgs84``, ``gcj02``, ``bd09`` or ``EPSG:<code>``); None
        keeps the file's own CRS as its ``crs`` member.
    encoding
        Text encoding of a shapefile's ``.dbf`` (when it has no ``.cpg``), a CSV or a
        GeoJSON; default UTF-8 (for a shapefile, what its ``.cpg`` says).
    layer
        The layer of a GeoPackage that holds several, or the sheet of an Excel
        workbook (default its first).

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
    _open_checks(path, encoding, layer)
    suffix = path.suffix.lower()
    notes: list[str] = []
    if suffix in GEOJSON_SUFFIXES:
        problems: list[Problem] = []
        doc = read_geojson(path, problems, encoding)
        if doc is None:
            raise LayerValidationError(problems)
    elif suffix in TABLE_SUFFIXES:
        doc = document_from_table(read_table(path, encoding, layer), str(path))
    else:
        doc, notes = _read_vector(path, crs, encoding, layer)
    # a layer over the feature limit is refused by validation without this walk
    if len(doc.get("features") or []) <= limits.MAX_POINT_FEATURES:
        garbled = garbled_text_problems(doc, str(path), _encoding_fix(path, encoding))
        if garbled:
            raise LayerValidationError(garbled)
    return doc, notes


def _open_checks(path: Path, encoding: str | None, layer: str | None) -> None:
    """Refuse an input that is no regular file, too large, or given a wrong option."""
    try:
        check_regular_file(path)  # a folder, FIFO or device is refused before it is opened
    except DataFileError as exc:
        raise LayerValidationError([exc.as_problem()]) from None
    protect(path)  # an input: no output of this process may land on it
    _check_encoding_name(path, encoding)
    one_layer = GEOJSON_SUFFIXES | CSV_SUFFIXES | PARQUET_SUFFIXES
    if layer is not None and path.suffix.lower() in one_layer:
        raise _problem(
            path, f"--layer {layer!r} given, but the file holds one layer", "drop --layer"
        )
    too_big = input_size_problem(path)
    if too_big:
        raise LayerValidationError([too_big])


def read_point_frame(
    path: str | Path, crs: str | None, *, encoding: str | None = None, layer: str | None = None
) -> tuple[gpd.GeoDataFrame, str | None] | None:
    """Read a large point input as a frame, when it is one (see :mod:`geo.data.columnar`).

    A GeoParquet file always is; a CSV, workbook sheet, GeoPackage or shapefile is
    when it holds more than :data:`geo.limits.COMPACT_POINTS_ABOVE` points, each
    with coordinates (no gazetteer ``place`` in place of them). Anything else is read
    by :func:`read_input_document`.

    Parameters
    ----------
    path
        The input file; only read.
    crs
        The declared CRS; None keeps the file's own.
    encoding, layer
        As for :func:`read_input_document`.

    Returns
    -------
    tuple of (GeoDataFrame, str or None), or None
        The points as read (coordinates in the declared CRS) and the CRS the file
        names when it differs in kind from the declaration (checked later); None
        when the input goes the way of a GeoJSON document.

    Raises
    ------
    LayerValidationError
        If the file cannot be read, or a row's coordinates are not numbers.
    """
    path = Path(path)
    _open_checks(path, encoding, layer)
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        frame = read_parquet(path)
    elif suffix in TABLE_SUFFIXES:
        table = read_table(path, encoding, layer)
        cols = _coordinate_columns([str(c) for c in table.columns])
        plain = "place" not in table.columns and "geometry" not in table.columns
        if len(table) <= limits.COMPACT_POINTS_ABOVE or not isinstance(cols, tuple) or not plain:
            return None
        frame = frame_from_table(table, cols, str(path))
    elif suffix in GEOJSON_SUFFIXES or (frame := _read_points(path, encoding, layer)) is None:
        return None
    if frame.geometry.isna().any():
        return None  # gazetteer places stand for some points
    if garbled := garbled_problems(frame, str(path), _encoding_fix(path, encoding)):
        raise LayerValidationError(garbled)
    return frame, file_crs_member(frame, crs)


def _read_points(path: Path, encoding: str | None, layer: str | None) -> gpd.GeoDataFrame | None:
    """Read a GeoPackage or shapefile layer of many points; None for any other layer."""
    import pyogrio

    name = _choose_layer(path, layer)
    try:
        info = pyogrio.read_info(path, layer=name)
        if str(info.get("geometry_type", "")) != "Point":
            return None
        if int(info.get("features", -1)) <= limits.COMPACT_POINTS_ABOVE:
            return None
        options = {"encoding": encoding} if encoding else {}
        gdf = pyogrio.read_dataframe(path, layer=name, **options)
    except Exception as exc:  # pyogrio raises DataSourceError and GDAL errors
        raise _gdal_problem(path, exc) from exc
    return gdf.rename(columns=restore_field_names(gdf))


def _check_encoding_name(path: Path, encoding: str | None) -> None:
    if encoding is None:
        return
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise _problem(path, f"unknown encoding {encoding!r}", UNKNOWN_ENCODING_FIX) from None


def read_table(
    path: str | Path, encoding: str | None = None, sheet: str | None = None
) -> pd.DataFrame:
    """Read a CSV or one sheet of an Excel workbook, with the text policy applied.

    Parameters
    ----------
    path
        A ``.csv``/``.txt`` or ``.xlsx`` file; it is only read.
    encoding
        Text encoding of a CSV (default UTF-8, with or without BOM).
    sheet
        The sheet of a workbook (default its first).

    Returns
    -------
    pandas.DataFrame
        Row ``n`` is line (or sheet row) ``n + 2``; the first holds the names.

    Raises
    ------
    LayerValidationError
        If the file cannot be read or holds text the policy refuses (all listed).
    """
    path = Path(path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES | LEGACY_SUFFIXES:
        return _clean_table(read_sheet(path, sheet), path)
    return _read_csv(path, encoding)


def _read_csv(path: Path, encoding: str | None = None) -> pd.DataFrame:
    """Read a CSV as UTF-8 (with or without BOM) or ``encoding``; report GBK files clearly."""
    try:
        raw = read_file_bytes(path, limits.MAX_INPUT_BYTES)
    except DataFileError as exc:
        raise LayerValidationError([exc.as_problem()]) from None
    try:
        table = pd.read_csv(io.BytesIO(raw), encoding=encoding or "utf-8-sig", dtype={"id": str})
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
        found = " ".join(str(exc).split())
        raise _problem(path, f"cannot parse the CSV ({found})", "check the separators") from exc
    return _clean_table(table, path)


def _clean_table(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Apply the text policy (:mod:`geo.data.intake`) to a table's text cells and names."""
    problems = []
    for name in table.columns:
        found = text_problem(str(name))
        if found:
            problems.append(Problem(str(path), "row 1", f"column name: {found}", TEXT_FIX))
    text_columns = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    for col in text_columns:
        for i, cell in enumerate(table[col]):
            found = text_problem(cell) if isinstance(cell, str) else None
            if found:
                where = f"row {i + 2}"  # row 1 is the header
                problems.append(Problem(str(path), where, f"column {col}: {found}", TEXT_FIX))
    if problems:
        raise LayerValidationError(problems)
    for col in text_columns:
        table[col] = [clean_text(c) if isinstance(c, str) else c for c in table[col]]
    return table.rename(columns=lambda c: clean_text(str(c), single_line=True))


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
        info = pyogrio.read_info(path, layer=name)
        count = int(info.get("features", -1))
        points = str(info.get("geometry_type", "")).removeprefix("Multi").startswith("Point")
        found = limits.layer_size_problem(count, 0, points)
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


def document_from_frame(gdf: gpd.GeoDataFrame, crs: str | None) -> dict[str, Any]:
    """Convert a GeoDataFrame read from a GeoPackage or shapefile to a GeoJSON document.

    Parameters
    ----------
    gdf
        The features as read, in their file's CRS.
    crs
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


def document_from_table(table: pd.DataFrame, source: str = "table") -> dict[str, Any]:
    """Turn a table of points into a GeoJSON document.

    Parameters
    ----------
    table
        One row per point, with ``lon``/``lat`` (or ``lng``/``lat``, ``longitude``/
        ``latitude``, ``x``/``y``, ``经度``/``纬度``) columns, or a ``location`` column
        holding ``"lon,lat"`` as AMap copies it, or only a ``place`` column naming a
        gazetteer place. Other columns become properties.
    source
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
        xy = [finite_number(v) for v in raw]
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


def read_layer_file(
    path: str | Path,
    crs: str | None = "wgs84",
    geometry_type: str | None = None,
    gazetteer: GazetteerRef = None,
    *,
    encoding: str | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read, validate and convert one layer file to a GeoDataFrame in EPSG:4326.

    Every format ``geo add-layer`` takes is read, by the same reader
    (:func:`read_input_document`).

    Parameters
    ----------
    path
        The file: GeoJSON, GeoPackage, shapefile, CSV or Excel workbook.
    crs
        Declared CRS of the file (``wgs84``, ``gcj02``, ``bd09`` or ``EPSG:<code>``);
        GCJ-02 and BD-09 are converted to WGS-84, projected CRSs reprojected. None
        takes the file's own CRS (WGS-84 when it names none).
    geometry_type
        Expected geometry type.
    gazetteer
        For resolving ``place`` names (a file is read at the first one); default
        :func:`geo.data.gazetteer.default_path`.
    encoding
        Text encoding of a shapefile's ``.dbf``, a CSV or a GeoJSON (e.g. ``gbk``).
    layer
        Layer of a GeoPackage that holds several, or sheet of a workbook.

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    LayerValidationError
        Listing every problem in the file.
    """
    if (points := read_point_frame(path, crs, encoding=encoding, layer=layer)) is not None:
        frame, member = points
        declared = crs or member or "wgs84"
        return checked_points(frame, path, declared, geometry_type, member)
    doc, _ = read_input_document(path, crs, encoding=encoding, layer=layer)
    declared = crs or declared_crs_of_member(doc) or "wgs84"
    return read_layer_document(doc, path, declared, geometry_type, gazetteer)


def validate_file(
    path: str | Path,
    crs: str | None = "wgs84",
    geometry_type: str | None = None,
    gazetteer: GazetteerRef = None,
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
    path
        The file: GeoJSON, GeoPackage, shapefile, CSV or Excel workbook. It is only read.
    crs
        The CRS the file is declared to be in: ``wgs84``, ``gcj02``, ``bd09`` or
        ``EPSG:<code>``; None takes the file's own (WGS-84 when it names none).
    geometry_type
        Expected geometry type (``Point``, ``LineString``, ``Polygon``).
    gazetteer
        For resolving ``place`` names; default the repository's gazetteer.
    encoding
        Text encoding of a shapefile's ``.dbf``, a CSV or a GeoJSON (e.g. ``gbk``).
    layer
        Layer of a GeoPackage that holds several, or sheet of a workbook.

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
