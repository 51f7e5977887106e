r"""Exchange formats for desktop GIS: GeoPackage, Shapefile, KML, FlatGeobuf, GeoJSON.

:func:`write_export` writes every given layer in one format and coordinate system:

========  =================================  ============================================
format    written as                         notes
========  =================================  ============================================
gpkg      one ``.gpkg`` (GeoPackage 1.2)     QGIS styles embedded (:mod:`geo.gis.export`)
shp       a folder, ``<id>.shp`` per layer   UTF-8 ``.cpg``; ``<id>.fields.csv`` maps
                                             the 10-character field names back
kml       one ``.kml``, a folder per layer   WGS-84 only; placemarks named ``name_zh``,
                                             styled per class (:mod:`geo.gis.kml`);
                                             text XML cannot hold written as ``\uXXXX``
fgb       a folder, ``<id>.fgb`` per layer   FlatGeobuf, with a spatial index
geojson   a folder, ``<id>.geojson``         WGS-84 only (RFC 7946); ``.qml`` beside
qgis      one ``.qgz`` and ``.gpkg`` beside  a layer group and print layout per figure
                                             (:mod:`geo.gis.qgis_project`; needs PyQGIS)
========  =================================  ============================================

Each format is an :class:`ExportFormat` of :data:`EXPORT_FORMATS` (a
:class:`geo.registries.Registry`): its name, suffix and writer; adding one is one
writer decorated with :func:`export_format`, and ``geo export --format`` offers it.

Point layers whose features name a gazetteer place are exported with the place's
position (the loaded frames carry it); the layer files in ``layers/`` stay the
source of truth. Coordinate systems: EPSG:4326 (WGS-84, the storage CRS),
EPSG:4490 (CGCS2000 geographic) and EPSG:4544 (CGCS2000 / 3-degree Gauss-Krüger
CM 105E, metres).
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from geo._io import atomic_path, atomic_write_bytes, atomic_write_text
from geo.data.catalog import Catalog, LayerSpec
from geo.errors import (
    CatalogError,
    CRSError,
    ExportError,
    ShapefileTextWarning,
)
from geo.gis.export import (
    check_geometries,
    export_frame,
    gdal_writing,
    write_geojson_dir,
    write_gpkg,
)
from geo.registries import Registry

__all__ = [
    "EXPORT_CRS",
    "EXPORT_FORMATS",
    "FORMATS",
    "SHAPEFILE_FIELD_BYTES",
    "SHAPEFILE_TEXT_BYTES",
    "ExportFormat",
    "export_crs",
    "export_format",
    "export_jobs",
    "export_line",
    "shapefile_fields",
    "write_export",
    "write_flatgeobufs",
    "write_kml",
    "write_shapefiles",
]

#: Coordinate systems an export may be written in.
EXPORT_CRS: tuple[str, ...] = ("EPSG:4326", "EPSG:4490", "EPSG:4544")
#: Longest field name a dBASE (.dbf) table holds, in bytes.
SHAPEFILE_FIELD_BYTES = 10
#: Longest text a dBASE field holds, in bytes.
SHAPEFILE_TEXT_BYTES = 254
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def export_crs(text: str, fmt: str = "gpkg") -> str:
    """Return the canonical ``EPSG:n`` of an export CRS, checked against the format.

    Parameters
    ----------
    text
        ``EPSG:4326``, ``EPSG:4490`` or ``EPSG:4544`` (``4544`` alone is accepted).
    fmt
        The export format (KML and GeoJSON are WGS-84 only).

    Returns
    -------
    str

    Raises
    ------
    CRSError
        For any other CRS, or a projected CRS with KML or GeoJSON.
    """
    code = text.strip().upper()
    code = code if code.startswith("EPSG:") else f"EPSG:{code}"
    if code not in EXPORT_CRS:
        raise CRSError(
            f"cannot export in {text!r}: choose one of {', '.join(EXPORT_CRS)} "
            "(WGS-84, CGCS2000 geographic, CGCS2000 3-degree GK CM 105E)"
        )
    if fmt in EXPORT_FORMATS and EXPORT_FORMATS[fmt].wgs84_only and code != "EPSG:4326":
        raise CRSError(
            f"{fmt} files are WGS-84 only (EPSG:4326), not {code}: "
            "use --format gpkg, shp or fgb for CGCS2000"
        )
    return code


def shapefile_fields(columns: list[str]) -> dict[str, str]:
    """Return a field name of at most 10 bytes for each column, unique within the table.

    Names that fit are kept; longer ones are cut to 10 bytes, or to 8 plus a
    two-digit number when the cut name is already taken.

    Parameters
    ----------
    columns
        The table's column names (without the geometry).

    Returns
    -------
    dict of str to str
        Column name to Shapefile field name, in column order.
    """
    out: dict[str, str] = {}
    fits = [c for c in columns if len(c.encode()) <= SHAPEFILE_FIELD_BYTES]
    reserved = {c.lower() for c in fits}  # names kept as they are come first
    taken: set[str] = set()
    for col in columns:
        short = col.encode()[:SHAPEFILE_FIELD_BYTES].decode(errors="ignore")
        n = 1
        # dBASE names ignore case: a second "NAME_ZH" after "name_zh" is numbered too
        while short.lower() in taken or (short != col and short.lower() in reserved):
            short = f"{col.encode()[:8].decode(errors='ignore')}{n:02d}"
            n += 1
        taken.add(short.lower())
        out[col] = short
    return out


def _fields_csv(fields: Mapping[str, str]) -> str:
    """Return the field-name map as CSV (names come from data: formulas are quoted)."""
    import pandas as pd

    from geo.tables import csv_text

    return csv_text(
        pd.DataFrame(list(fields.items()), columns=["field", "shp_field"])[["shp_field", "field"]]
    )


def _cut(value: object, limit: int) -> object:
    """Cut text to ``limit`` UTF-8 bytes at a character boundary (other values as given)."""
    if not isinstance(value, str) or len(value.encode()) <= limit:
        return value
    return value.encode()[:limit].decode(errors="ignore")


def _dbf_text(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Return the frame with text cut to what a dBASE field holds, and the fields cut."""
    out, cut = frame.copy(), []
    for col in out.columns:
        if col == out.geometry.name:
            continue
        values = [_cut(v, SHAPEFILE_TEXT_BYTES) for v in out[col].tolist()]
        if values != out[col].tolist():
            cut.append(col)
            out[col] = values
    return out, cut


def _write_shapefile(spec: LayerSpec, frame: gpd.GeoDataFrame, folder: Path) -> Path:
    import pyogrio

    columns = [c for c in frame.columns if c != frame.geometry.name]
    fields = shapefile_fields(columns)
    frame, cut = _dbf_text(frame)
    if cut:
        warnings.warn(
            f"{folder / spec.id}.shp: text longer than {SHAPEFILE_TEXT_BYTES} bytes was cut "
            f"in {', '.join(cut)} (the Shapefile limit); --format gpkg keeps it whole",
            ShapefileTextWarning,
            stacklevel=3,
        )
    renamed = frame.rename(columns=fields)
    out = folder / f"{spec.id}.shp"
    with tempfile.TemporaryDirectory(prefix="geo-shp-") as scratch, gdal_writing(out):
        # GDAL writes a Shapefile as several files; they are staged in scratch space and
        # each is put in place atomically.
        staged = Path(scratch) / f"{spec.id}.shp"
        pyogrio.write_dataframe(
            renamed,
            staged,
            driver="ESRI Shapefile",
            promote_to_multi=spec.geometry_type != "Point",
            layer_options={"ENCODING": "UTF-8"},
        )
        # the map says what the .dbf holds, whatever GDAL made of the names
        held = [str(f) for f in pyogrio.read_info(staged)["fields"]]
        fields = dict(zip(columns, held, strict=True))
        for suffix in _SHAPEFILE_PARTS:
            part = Path(scratch) / f"{spec.id}{suffix}"
            if part.exists():
                atomic_write_bytes(folder / part.name, part.read_bytes())
        atomic_write_text(folder / f"{spec.id}.fields.csv", _fields_csv(fields))
    return out


def write_shapefiles(
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    folder: str | Path,
    crs: str = "EPSG:4326",
) -> list[Path]:
    """Write each layer as ``<id>.shp`` (with ``.cpg`` UTF-8 and ``<id>.fields.csv``).

    dBASE tables limit field names to 10 bytes: ``geometry_source`` becomes
    ``geometry_s``. ``<id>.fields.csv`` lists every field as ``shp_field,field`` so
    the full names can be restored; text longer than 254 bytes is cut by the format.

    Parameters
    ----------
    layers
        The layers, by catalog id, in EPSG:4326.
    catalog
        The catalog (order, geometry types).
    folder
        Destination folder (created if needed).
    crs
        One of :data:`EXPORT_CRS`.

    Returns
    -------
    list of Path
        The ``.shp`` files written.
    """
    crs = export_crs(crs, "shp")
    check_geometries(layers, catalog)
    folder = Path(folder)
    return [
        _write_shapefile(spec, export_frame(layers[spec.id], crs, spec.id), folder)
        for spec in catalog
        if spec.id in layers
    ]


def write_flatgeobufs(
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    folder: str | Path,
    crs: str = "EPSG:4326",
) -> list[Path]:
    """Write each layer as ``<id>.fgb`` (FlatGeobuf with a spatial index), atomically.

    Parameters
    ----------
    layers
        The layers, by catalog id, in EPSG:4326.
    catalog
        The catalog.
    folder
        Destination folder (created if needed).
    crs
        One of :data:`EXPORT_CRS`.

    Returns
    -------
    list of Path
    """
    import pyogrio

    crs = export_crs(crs, "fgb")
    check_geometries(layers, catalog)
    written = []
    for spec in catalog:
        if spec.id not in layers:
            continue
        path = Path(folder) / f"{spec.id}.fgb"
        with gdal_writing(path), atomic_path(path) as tmp:
            pyogrio.write_dataframe(
                export_frame(layers[spec.id], crs, spec.id),
                tmp,
                layer=spec.id,
                driver="FlatGeobuf",
                promote_to_multi=spec.geometry_type != "Point",
            )
        written.append(path)
    return written


def write_kml(layers: Mapping[str, gpd.GeoDataFrame], catalog: Catalog, path: str | Path) -> Path:
    """Write every layer into one KML document, a folder per layer, atomically.

    KML is WGS-84 by definition. Each class of a layer has one style in the
    figures' colours and every placemark names it (:mod:`geo.gis.kml`). Placemarks
    are named by ``name_zh`` (read back as the field ``Name``); the other properties
    are kept as extended data.

    Parameters
    ----------
    layers
        The layers, by catalog id, in EPSG:4326.
    catalog
        The catalog.
    path
        Destination ``.kml`` file.

    Returns
    -------
    Path

    Raises
    ------
    ExportError
        When the file cannot be written; a file there before is left as it was.
    """
    from geo.gis.kml import kml_frame, kml_text

    check_geometries(layers, catalog)
    path = Path(path)
    named = {k: kml_frame(v, k).rename(columns={"name_zh": "Name"}) for k, v in layers.items()}
    text = kml_text(named, catalog, path.stem)
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise ExportError(
            f"{path}: not written: {exc.strerror or exc}; it is left as it was -> fix: free "
            "space on the disk, or export to another with --out"
        ) from exc
    return path


#: Writes layers in one format: ``writer(layers, catalog, out, crs) -> files written``.
Writer = Callable[[Mapping[str, gpd.GeoDataFrame], Catalog, Path, str], list[Path]]


@dataclass(frozen=True)
class ExportFormat:
    """One export format of :data:`EXPORT_FORMATS`.

    Attributes
    ----------
    name
        The name ``geo export --format`` takes.
    suffix
        Suffix of the file written (``gpkg``, ``kml``) or of each layer's file in the
        folder written (the others).
    writer
        ``writer(layers, catalog, out, crs) -> list of Path``, the CRS checked already.
    what
        What the export carries, for the line said after writing it.
    folder
        Whether ``out`` is a folder (a file per layer) rather than one file.
    wgs84_only
        Whether the format's specification allows only WGS-84 longitude/latitude.
    """

    name: str
    suffix: str
    writer: Writer
    what: str
    folder: bool = True
    wgs84_only: bool = False


#: Export formats by the name ``geo export --format`` takes, in the order it lists them.
EXPORT_FORMATS: Registry[ExportFormat] = Registry("export format")


def export_format(
    name: str, suffix: str, what: str, *, folder: bool = True, wgs84_only: bool = False
) -> Callable[[Writer], Writer]:
    """Register a writer as the export format ``name`` (used as a decorator).

    Parameters
    ----------
    name, suffix, what, folder, wgs84_only
        See :class:`ExportFormat`.

    Returns
    -------
    callable
        The decorator; it returns the writer unchanged.
    """

    def add(writer: Writer) -> Writer:
        EXPORT_FORMATS.add(name, ExportFormat(name, suffix, writer, what, folder, wgs84_only))
        return writer

    return add


@export_format("gpkg", ".gpkg", "with QGIS styles", folder=False)
def _gpkg(
    layers: Mapping[str, gpd.GeoDataFrame], catalog: Catalog, out: Path, crs: str
) -> list[Path]:
    """Write one GeoPackage with QGIS styles (:func:`geo.gis.export.write_gpkg`)."""
    return [write_gpkg(layers, catalog, out, crs=crs)]


@export_format("shp", ".shp", "as Shapefiles (UTF-8 .cpg, field map <id>.fields.csv)")
def _shp(
    layers: Mapping[str, gpd.GeoDataFrame], catalog: Catalog, out: Path, crs: str
) -> list[Path]:
    """Write a Shapefile per layer (:func:`write_shapefiles`)."""
    return write_shapefiles(layers, catalog, out, crs)


@export_format("kml", ".kml", "as KML", folder=False, wgs84_only=True)
def _kml(
    layers: Mapping[str, gpd.GeoDataFrame], catalog: Catalog, out: Path, crs: str
) -> list[Path]:
    """Write one KML file, WGS-84 (:func:`write_kml`)."""
    return [write_kml(layers, catalog, out)]


@export_format("fgb", ".fgb", "as FlatGeobuf files")
def _fgb(
    layers: Mapping[str, gpd.GeoDataFrame], catalog: Catalog, out: Path, crs: str
) -> list[Path]:
    """Write a FlatGeobuf file per layer (:func:`write_flatgeobufs`)."""
    return write_flatgeobufs(layers, catalog, out, crs)


@export_format("geojson", ".geojson", "as GeoJSON file(s) with .qml styles", wgs84_only=True)
def _geojson(
    layers: Mapping[str, gpd.GeoDataFrame], catalog: Catalog, out: Path, crs: str
) -> list[Path]:
    """Write a GeoJSON file per layer with its QML (:func:`geo.gis.export.write_geojson_dir`)."""
    return write_geojson_dir(layers, catalog, out)


@export_format(
    "qgis", ".qgz", "as a QGIS project (a layout per figure) and its GeoPackage", folder=False
)
def _qgis(
    layers: Mapping[str, gpd.GeoDataFrame], catalog: Catalog, out: Path, crs: str
) -> list[Path]:
    """Write a QGIS project and its GeoPackage (:func:`geo.gis.qgis_project.write_qgis_project`)."""
    from geo.gis.qgis_project import write_qgis_project

    return write_qgis_project(layers, catalog, out, crs)


#: Export format names, in order (the names of :data:`EXPORT_FORMATS`).
FORMATS: tuple[str, ...] = EXPORT_FORMATS.names()


def write_export(
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    fmt: str,
    out: str | Path,
    crs: str = "EPSG:4326",
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Path]:
    """Write layers in one exchange format and coordinate system.

    Parameters
    ----------
    layers
        The layers, by catalog id, in EPSG:4326.
    catalog
        The catalog.
    fmt
        One of :data:`EXPORT_FORMATS`.
    out
        A file for ``gpkg`` and ``kml``; a folder for the others.
    crs
        One of :data:`EXPORT_CRS` (``kml`` and ``geojson``: EPSG:4326 only).
    progress
        Called with (layers taken, layers, layer id) as the writer takes up each
        layer (e.g. :class:`geo.console.Progress`).

    Returns
    -------
    list of Path
        The files written (one per layer, or the one file).

    Raises
    ------
    UnknownNameError
        For an unknown format (a ``KeyError``), naming the known ones.
    CRSError
        For an unsupported CRS, or one the format cannot hold.
    """
    export = EXPORT_FORMATS[fmt]
    taken = layers if progress is None else _Reporting(layers, progress)
    return export.writer(taken, catalog, Path(out), export_crs(crs, fmt))


class _Reporting(Mapping[str, gpd.GeoDataFrame]):
    """The layers, reporting each one the first time a writer takes it."""

    def __init__(
        self, layers: Mapping[str, gpd.GeoDataFrame], progress: Callable[[int, int, str], None]
    ) -> None:
        self._layers, self._progress, self._taken = layers, progress, set[str]()

    def __getitem__(self, key: str) -> gpd.GeoDataFrame:
        frame = self._layers[key]
        if key not in self._taken:
            self._taken.add(key)
            self._progress(len(self._taken), len(self._layers), key)
        return frame

    def __iter__(self):  # noqa: ANN204 - iterator over the ids
        return iter(self._layers)

    def __len__(self) -> int:
        return len(self._layers)


def export_jobs(
    out: Path | None = None,
    fmt: str | None = None,
    gpkg: Path | None = None,
    geojson: Path | None = None,
) -> list[tuple[str, Path]]:
    """Return the (format, destination) pairs ``geo export`` was asked for.

    Parameters
    ----------
    out
        Destination of ``fmt`` (default format ``gpkg``).
    fmt
        Format of ``out``.
    gpkg
        A GeoPackage to write as well.
    geojson
        A folder of GeoJSON files to write as well.

    Returns
    -------
    list of (str, Path)

    Raises
    ------
    CatalogError
        When a format has no destination, or nothing was asked for.
    """
    jobs = [(f, path) for f, path in (("gpkg", gpkg), ("geojson", geojson)) if path]
    if out:
        jobs.append((fmt or "gpkg", out))
    elif fmt:
        raise CatalogError(f"--format {fmt} needs --out PATH")
    if not jobs:
        raise CatalogError(
            "nothing to do: give --out PATH (with --format), --gpkg FILE or --geojson DIR"
        )
    return jobs


def export_line(layers: int, fmt: str, crs: str, out: Path, files: int) -> str:
    """Say what one export wrote: how many layers, in which format and CRS, where.

    Parameters
    ----------
    layers
        Layers written.
    fmt
        The format.
    crs
        The CRS asked for (named canonically).
    out
        The destination.
    files
        Files written.

    Returns
    -------
    str
    """
    count = f" ({files} files)" if files > 1 else ""
    what = EXPORT_FORMATS[fmt].what
    return f"wrote {layers} layer(s) {what} in {export_crs(crs, fmt)} to {out}{count}"
