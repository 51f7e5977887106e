"""Export for desktop GIS: one GeoPackage with QGIS styles embedded, or GeoJSON + QML.

Every catalog layer, derived ones included, becomes a table of one GeoPackage 1.2, and
a row of its ``layer_styles`` table holds the layer's QGIS style (QML) and an SLD from
:mod:`geo.gis.qgis` (re-exported here), so QGIS opens the GeoPackage drawn like the web
maps. The ``layer_styles`` table follows the schema QGIS itself writes, and is
registered in ``gpkg_contents`` as an attribute table as QGIS does. The other
exchange formats (Shapefile, KML, FlatGeobuf) are in :mod:`geo.gis.exchange`.

:func:`gpkg_frame` and :func:`export_frame` are pure; :func:`write_gpkg`,
:func:`write_tables` and :func:`write_geojson_dir` touch the disk, and every file is
written atomically (a temporary file renamed into place).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo._io import atomic_path, atomic_write_text
from geo.data.catalog import Catalog
from geo.data.crs import STORAGE_CRS
from geo.data.layers import write_layer
from geo.data.validity import geometry_problems
from geo.errors import ExportError, ExportWarning, GeoWarning, LayerValidationError
from geo.gis.qgis import style_rows

__all__ = [
    "GPKG_VERSION",
    "check_geometries",
    "export_frame",
    "gdal_writing",
    "gpkg_frame",
    "write_geojson_dir",
    "write_gpkg",
    "write_tables",
]

_CREATE_LAYER_STYLES = """
CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    f_table_catalog TEXT(256),
    f_table_schema TEXT(256),
    f_table_name TEXT(256),
    f_geometry_column TEXT(256),
    styleName TEXT(30),
    styleQML TEXT,
    styleSLD TEXT,
    useAsDefault BOOLEAN,
    description TEXT,
    owner TEXT(30),
    ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)
"""
#: GeoPackage version written (GDAL's creation option VERSION).
GPKG_VERSION = "1.2"
#: Geometry column name pyogrio/GDAL gives GeoPackage tables.
GEOMETRY_COLUMN = "geom"
#: Name of a GeoPackage table's feature-id column, unless a property already has it.
FID_COLUMN = "fid"
#: GDAL warnings an export handles itself, each with the reason it is not shown: the
#: Shapefile writer shortens field names before GDAL would, and its field map lists
#: the names the ``.dbf`` holds.
HANDLED_GDAL_WARNINGS: dict[str, str] = {
    "Normalized/laundered field name": "the field map lists the names written",
    "Column names longer than 10 characters": "names are shortened before writing",
}


# --------------------------------------------------------------------------- frames
def gpkg_frame(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy of a layer whose columns a GeoPackage can hold.

    Lists and mappings (e.g. a derived layer's member lists) become JSON text;
    object columns mixing types become text; the row index is dropped.

    Parameters
    ----------
    gdf
        A layer in EPSG:4326.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    out = gdf.reset_index(drop=True).copy()
    for col in out.columns:
        if col == out.geometry.name or out[col].dtype != object:
            continue

        def cell(v: Any) -> Any:
            if isinstance(v, list | dict | tuple):
                return json.dumps(v, ensure_ascii=False)
            if v is None or (isinstance(v, float) and v != v):
                return None
            return v

        # plain lists: Series.map would turn None back into NaN
        values = [cell(v) for v in out[col].tolist()]
        kinds = {type(v) for v in values if v is not None}
        if len(kinds) > 1 or (kinds and not kinds <= {str}):
            values = [None if v is None else str(v) for v in values]
        out[col] = pd.Series(values, index=out.index, dtype=object)
    return out


def _unique_columns(frame: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """Rename columns that repeat an earlier one but for case (``NAME_ZH`` after ``name_zh``).

    GeoPackage (SQLite), dBASE and FlatGeobuf readers treat such names as one field.
    """
    seen = {frame.geometry.name.lower()}
    renames = {}
    for col in frame.columns:
        if col == frame.geometry.name:
            continue
        new, n = str(col), 1
        while new.lower() in seen:
            n += 1
            new = f"{col}_{n}"
        seen.add(new.lower())
        if new != col:
            renames[col] = new
    if renames:
        said = ", ".join(f"{a!r} as {b!r}" for a, b in renames.items())
        warnings.warn(
            f"layer {layer}: properties that differ from another only by case are written "
            f"as new fields: {said}",
            ExportWarning,
            stacklevel=3,
        )
    return frame.rename(columns=renames)


# --------------------------------------------------------------------------- writers
def export_frame(
    gdf: gpd.GeoDataFrame, crs: str = STORAGE_CRS, layer: str = "layer"
) -> gpd.GeoDataFrame:
    """Return :func:`gpkg_frame` of a layer, reprojected to ``crs`` (an ``EPSG:n`` text).

    Properties whose names differ only by case from an earlier one are renamed
    (``NAME_ZH`` becomes ``NAME_ZH_2``) with an :class:`~geo.errors.ExportWarning`:
    no exchange format holds both.

    Parameters
    ----------
    gdf
        A layer in EPSG:4326.
    crs
        The CRS to write.
    layer
        The layer's id, for the warning.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    out = _unique_columns(gpkg_frame(gdf), layer)
    return out if crs == STORAGE_CRS else out.to_crs(crs)


def _failure(out: Path, exc: BaseException) -> str:
    """One line for a write GDAL or SQLite gave up on: the output, what happened, the fix."""
    text = str(exc) or type(exc).__name__
    if any(m in text for m in ("disk is full", "No space left")):
        what, fix = "the disk is full", "free space on the disk, or export to another with --out"
    elif "File too large" in text:
        what, fix = "the file grew larger than the disk allows", "export to another disk with --out"
    else:
        what, fix = f"GDAL could not write it ({text})", "check the disk has space and is writable"
    return f"{out}: not written: {what}; it is left as it was -> fix: {fix}"


def _shown(caught: list[warnings.WarningMessage], out: Path) -> None:
    """Give the toolkit's own warnings again, and GDAL's as one line naming the output."""
    lines: dict[str, type[Warning]] = {}
    for w in caught:
        text = str(w.message)
        if issubclass(w.category, GeoWarning):
            lines.setdefault(text, w.category)
        elif not any(text.startswith(known) for known in HANDLED_GDAL_WARNINGS):
            lines.setdefault(f"{out}: GDAL says: {text.strip()}", ExportWarning)
    for text, category in lines.items():
        warnings.warn(text, category, stacklevel=4)


@contextmanager
def gdal_writing(out: str | Path) -> Iterator[None]:
    """Turn what GDAL says while writing ``out`` into the toolkit's one-line messages.

    A GDAL or SQLite error (a full disk, a field GDAL refuses) becomes an
    :class:`~geo.errors.ExportError` naming ``out`` and the fix; the
    writers inside build their files under temporary names, so nothing half-written
    is left. GDAL's warnings are given once each as an
    :class:`~geo.errors.ExportWarning` naming ``out``, except those in
    :data:`HANDLED_GDAL_WARNINGS`; the toolkit's own warnings pass unchanged.

    Parameters
    ----------
    out
        The export's destination, for the messages.

    Yields
    ------
    None

    Raises
    ------
    ExportError
        If the write failed.
    """
    import pyogrio.errors

    # an OSError keeps its own one line (the command line names the path and the fix)
    failures = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, sqlite3.Error)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except failures as exc:
            raise ExportError(_failure(Path(out), exc)) from exc
    _shown(caught, Path(out))


def _fid_column(frame: gpd.GeoDataFrame) -> str:
    """Return a name for the GeoPackage feature-id column that no property has.

    A property named ``fid`` (any case) stays a property: the feature ids go in
    ``geo_fid`` instead (or ``geo_fid_2`` ...).
    """
    taken = {str(c).lower() for c in frame.columns}
    names = (FID_COLUMN, f"geo_{FID_COLUMN}", *(f"geo_{FID_COLUMN}_{n}" for n in range(2, 99)))
    return next(n for n in names if n not in taken)


def write_tables(
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    path: Path,
    driver: str,
    crs: str = STORAGE_CRS,
    dataset_options: Mapping[str, str] | None = None,
    identify: bool = False,
) -> None:
    """Write each layer as a table of one multi-layer file (GeoPackage, KML), in order.

    The first layer creates ``path``; the others are appended. Call it on the
    temporary path of :func:`geo._io.atomic_path`.

    Parameters
    ----------
    layers
        The layers, by catalog id, in EPSG:4326.
    catalog
        The catalog (order, geometry types, titles).
    path
        The file to write.
    driver
        The OGR driver, e.g. ``GPKG`` or ``KML``.
    crs
        The CRS to write.
    dataset_options
        GDAL dataset creation options (used when the file is created).
    identify
        Give each table its titles as identifier (GeoPackage).
    """
    import pyogrio

    for spec in catalog:
        if spec.id not in layers:
            continue
        frame = export_frame(layers[spec.id], crs, spec.id)
        options = {}
        if identify:  # a GeoPackage: titles, and a feature-id column no property has
            options = {"IDENTIFIER": f"{spec.title_zh} {spec.title_en}", "FID": _fid_column(frame)}
        pyogrio.write_dataframe(
            frame,
            path,
            layer=spec.id,
            driver=driver,
            promote_to_multi=spec.geometry_type != "Point",
            dataset_options=dict(dataset_options or {}),
            layer_options=options,
            append=path.exists(),
        )


def check_geometries(layers: Mapping[str, gpd.GeoDataFrame], catalog: Catalog) -> None:
    """Refuse to export when any geometry is missing, empty or invalid.

    Desktop GIS cannot clip or dissolve an invalid shape, and rounding one for
    export raises a GEOS ``TopologyException``; every such feature of every
    layer is named at once, before anything is written.

    Parameters
    ----------
    layers
        The layers, by catalog id.
    catalog
        The catalog (which layers are derived).

    Raises
    ------
    LayerValidationError
        Listing every offending feature with its layer.
    """
    fix = "run `geo validate --all` and repair the layer before exporting"
    problems = []
    for spec in catalog:
        if spec.id in layers:
            source = f"layer {spec.id}" + (" (derived)" if spec.is_derived else f" ({spec.file})")
            problems += geometry_problems(layers[spec.id], source, fix)
    if problems:
        raise LayerValidationError(problems)


def _register_layer_styles(con: sqlite3.Connection) -> None:
    """Register ``layer_styles`` as an attribute table, as QGIS (via OGR) does."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
    con.execute(
        "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, "
        "description, last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
        "'QGIS styles', ?)",
        (now,),
    )


def write_gpkg(
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    path: str | Path,
    crs: str = "EPSG:4326",
) -> Path:
    """Write layers into one GeoPackage 1.2 with their QGIS styles, atomically.

    GeoPackage 1.2 (not GDAL's default 1.4) opens without a warning in the QGIS
    and GDAL versions GIS offices still run. Each layer becomes a table named by
    its id, in ``crs`` (point layers carry their resolved positions); then the
    ``layer_styles`` table is written with :mod:`sqlite3`, one default style per
    layer. The file is built under a temporary name in the destination folder and
    renamed into place, so an existing GeoPackage is never left half-written.

    Parameters
    ----------
    layers
        The layers, by catalog id.
    catalog
        The catalog (titles, styles).
    path
        Destination ``.gpkg`` file.
    crs
        CRS of the tables: EPSG:4326 (default), EPSG:4490 or EPSG:4544.

    Returns
    -------
    Path

    Raises
    ------
    LayerValidationError
        If a geometry is missing, empty or invalid (see :func:`check_geometries`).
    ExportError
        If the file cannot be written (see :func:`gdal_writing`); an existing file
        is left as it was.
    """
    check_geometries(layers, catalog)
    path = Path(path)
    with gdal_writing(path), atomic_path(path) as tmp:
        write_tables(
            layers,
            catalog,
            tmp,
            "GPKG",
            crs,
            dataset_options={"VERSION": GPKG_VERSION},
            identify=True,
        )
        rows = style_rows(catalog, layers)
        with sqlite3.connect(tmp) as con:
            con.execute(_CREATE_LAYER_STYLES)
            con.executemany(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui) VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, '', NULL)",
                [
                    (r.f_table_name, GEOMETRY_COLUMN, r.style_name, r.qml, r.sld, r.description)
                    for r in rows
                ],
            )
            _register_layer_styles(con)
        con.close()
    return path


def write_geojson_dir(
    layers: Mapping[str, gpd.GeoDataFrame], catalog: Catalog, directory: str | Path
) -> list[Path]:
    """Write each layer as ``<id>.geojson`` with a ``<id>.qml`` beside it.

    QGIS loads a ``.qml`` file of the same name as the data automatically, so the
    GeoJSON files open styled too. Every file is written atomically.

    Parameters
    ----------
    layers
        The layers, by catalog id.
    catalog
        The catalog.
    directory
        Destination folder (created if needed).

    Returns
    -------
    list of Path
        The GeoJSON files written.

    Raises
    ------
    LayerValidationError
        If a geometry is missing, empty or invalid (see :func:`check_geometries`).
    """
    check_geometries(layers, catalog)
    directory = Path(directory)
    written = []
    rows = {r.f_table_name: r for r in style_rows(catalog, layers)}
    for spec in catalog:
        if spec.id not in layers:
            continue
        with gdal_writing(directory / f"{spec.id}.geojson"):
            written.append(write_layer(layers[spec.id], directory / f"{spec.id}.geojson"))
            atomic_write_text(directory / f"{spec.id}.qml", rows[spec.id].qml)
    return written
