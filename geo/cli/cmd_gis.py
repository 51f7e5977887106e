"""``geo add-layer`` and ``geo export``: bringing layers in, and out to desktop GIS."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.cli._lazy import lazy_choices, lazy_help
from geo.errors import FigureNumberError

if TYPE_CHECKING:
    from geo.gis.registry.filling import PropertyDefaults
    from geo.project import Project


def register(sub: Any) -> None:
    """Add the ``add-layer`` and ``export`` subcommands."""
    a = sub.add_parser(
        "add-layer",
        help="validate a GeoJSON/GeoPackage/shapefile/CSV/Excel file and add it to the catalog",
        description="Read PATH (GeoJSON, including what the maps' Draw control exports; "
        "GeoPackage; shapefile; GeoParquet; or a CSV or Excel sheet with lon/lat, lng/lat, "
        "x/y or 经度/纬度 columns, a 'location' column or a gazetteer 'place'), fill missing "
        "required properties from the options below (every fill is printed), validate it, "
        "convert it to WGS-84 and write layers/<id>.geojson (layers/<id>.parquet for more "
        "than 10 000 points, up to 1 000 000) and its catalog entry in one step. A failed "
        "run changes nothing. PATH itself is never modified.",
    )
    a.add_argument("path", help="input file")
    a.add_argument("--id", required=True, dest="layer_id", help="layer id, e.g. new_parks")
    a.add_argument("--title-zh", required=True, help="layer title in Chinese")
    a.add_argument("--title-en", required=True, help="layer title in English")
    a.add_argument(
        "--crs",
        required=True,
        help="CRS of PATH: wgs84 (GPS, OSM), gcj02 (AMap/Gaode, Tencent), bd09 (Baidu) or "
        "EPSG:<code> (e.g. EPSG:4544 for CGCS2000 3-degree GK CM 105E)",
    )
    a.add_argument(
        "--geometry-type",
        choices=["Point", "LineString", "Polygon"],
        help="expected geometry type (default: the input's, if it has one)",
    )
    lazy_help(
        a.add_argument("--figures", type=figure_numbers, default=None),
        "figures to show it on, e.g. 2,5 (the plan's figures are %(figure_range)s)",
        figure_range=_figure_range,
    )
    add_input_options(a)
    a.add_argument("--kind", help="fill 'kind' where missing")
    a.add_argument("--plan-ref", help="fill 'plan_ref' where missing, e.g. 002_...txt:L420")
    a.add_argument(
        "--geometry-source",
        choices=["surveyed", "digitized", "schematic"],
        help="fill 'geometry_source' where missing",
    )
    a.add_argument("--accuracy-m", type=float, help="fill 'accuracy_m' where missing")
    a.add_argument("--name-zh", help="fill 'name_zh' where missing (numbered if several)")
    a.add_argument("--name-en", help="fill 'name_en' where missing (numbered if several)")
    a.add_argument("--role", help="catalog role (default site)")
    a.add_argument("--group", help="layer-control group on the maps")
    a.add_argument("--style", help="style key in geo.figures.styles (default: the id)")
    a.add_argument("--provenance", help="where the data come from (default: generated)")
    a.add_argument(
        "--replace",
        action="store_true",
        help="replace an existing layer; its file is kept in layers/.backup/",
    )
    a.set_defaults(func=run_add_layer)

    e = sub.add_parser(
        "export",
        help="export every layer for desktop GIS: GeoPackage, Shapefile, KML, FlatGeobuf, GeoJSON",
        description="Write every catalog layer, derived ones included, for desktop GIS. "
        "--format gpkg (default) writes one GeoPackage 1.2 with QGIS styles embedded; "
        "shp, fgb and geojson write a folder with a file per layer (shp: UTF-8 .cpg and "
        "<id>.fields.csv mapping the 10-character field names back; geojson: .qml styles "
        "beside); kml writes one file. Point layers carry their gazetteer positions; the "
        "layer files in layers/ stay the source of truth.",
    )
    lazy_choices(
        e.add_argument("--format", dest="export_format", help="format of --out (default gpkg)"),
        "geo.gis.exchange",
        "EXPORT_FORMATS",
    )
    e.add_argument(
        "--crs",
        default="EPSG:4326",
        help="EPSG:4326 (WGS-84, default), EPSG:4490 (CGCS2000) or EPSG:4544 "
        "(CGCS2000 3-degree GK CM 105E, metres); kml and geojson are WGS-84 only",
    )
    e.add_argument("--out", type=Path, help="file (gpkg, kml) or folder (shp, fgb, geojson)")
    e.add_argument("--gpkg", type=Path, help="GeoPackage to write, e.g. site/shapingba.gpkg")
    e.add_argument("--geojson", type=Path, metavar="DIR", help="folder for GeoJSON + QML files")
    e.add_argument("--layers", help="comma-separated layer ids (default: all)")
    e.set_defaults(func=run_export)


def _figure_range() -> str:
    """Return ``1-8``: the first and last number of the registered figures."""
    from geo.figures.specs import figure_numbers as registered

    numbers = registered()
    return f"{numbers[0]}-{numbers[-1]}"


def figure_numbers(text: str) -> list[int]:
    """Parse ``--figures 2,5``: numbers of the registered figures (the plan's 1 to 8).

    Parameters
    ----------
    text
        Comma-separated numbers.

    Returns
    -------
    list of int

    Raises
    ------
    FigureNumberError
        For anything but numbers of registered figures (an ``argparse.ArgumentTypeError``).
    """
    try:
        numbers = [int(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        raise FigureNumberError(f"{text!r}: give figure numbers like 2,5") from None
    from geo.figures.specs import figure_numbers as registered

    known = registered()
    wrong = [n for n in numbers if n not in known]
    if wrong:
        first, last = known[0], known[-1]
        raise FigureNumberError(
            f"{text!r}: no figure {', '.join(map(str, wrong))}; "
            f"the plan's figures are numbered {first} to {last}"
        )
    return numbers


def add_input_options(p: argparse.ArgumentParser) -> None:
    """Add ``--encoding``, ``--layer`` and ``--sheet``, which say how to read an input file."""
    p.add_argument(
        "--encoding",
        help="text encoding of the input when it is not UTF-8, e.g. gbk for a shapefile "
        "from Chinese desktop GIS without a .cpg file, or a GBK CSV",
    )
    p.add_argument(
        "--layer",
        dest="source_layer",
        metavar="NAME",
        help="layer to read from a GeoPackage that holds several (they are listed if missing)",
    )
    p.add_argument(
        "--sheet",
        dest="source_layer",
        metavar="NAME",
        help="sheet to read from an Excel workbook (.xlsx; default the first)",
    )


def add_workbook_option(p: argparse.ArgumentParser) -> None:
    """Add ``--out``, the workbook ``--format xlsx`` writes."""
    p.add_argument(
        "--out",
        dest="xlsx_out",
        metavar="FILE.xlsx",
        help="with --format xlsx: the workbook to write (default: standard output, "
        "when redirected)",
    )


def run_add_layer(args: argparse.Namespace) -> int:
    """Add a layer; print what was filled and where it was written."""
    from geo.gis.registry.add import add_layer
    from geo.gis.registry.filling import PropertyDefaults

    defaults = PropertyDefaults(
        kind=args.kind,
        plan_ref=args.plan_ref,
        geometry_source=args.geometry_source,
        accuracy_m=args.accuracy_m,
        name_zh=args.name_zh,
        name_en=args.name_en,
    )
    from geo.project import Project

    project = Project()
    if project.dsn is not None:
        return _add_to_store(project, args, defaults)
    result = add_layer(
        args.path,
        args.layer_id,
        args.title_zh,
        args.title_en,
        args.crs,
        geometry_type=args.geometry_type,
        figures=args.figures,
        defaults=defaults,
        role=args.role,
        group=args.group,
        style=args.style,
        provenance=args.provenance,
        replace=args.replace,
        encoding=args.encoding,
        layer=args.source_layer,
    )
    for note in result.notes:
        print(f"note: {note}")
    for fill in result.fills:
        print(f"note: {fill}")
    verb = "replaced" if result.replaced else "added"
    print(
        f"{verb} layer {result.layer_id}: {len(result.features)} feature(s), "
        f"converted from {args.crs} to WGS-84 -> {result.layer_path}"
    )
    if result.backup is not None:
        print(f"previous file kept as {result.backup}")
    if result.catalog_rewritten:
        print(f"note: {result.catalog_path} was re-written in full (its comments were lost)")
    else:
        print(f"catalog entry written to {result.catalog_path}")
    return 0


def _add_to_store(project: Project, args: argparse.Namespace, defaults: PropertyDefaults) -> int:
    """Add the layer to the project's database (one transaction)."""
    from geo.db.connection import redact
    from geo.gis.stored import add_layer_to_store

    result = add_layer_to_store(
        project,
        args.path,
        args.layer_id,
        title_zh=args.title_zh,
        title_en=args.title_en,
        crs=args.crs,
        geometry_type=args.geometry_type,
        figures=args.figures,
        defaults=defaults,
        role=args.role,
        group=args.group,
        style=args.style,
        provenance=args.provenance,
        replace=args.replace,
        encoding=args.encoding,
        layer=args.source_layer,
    )
    for note in [*result.notes, *result.fills]:
        print(f"note: {note}")
    verb = "replaced" if result.replaced else "added"
    print(
        f"{verb} layer {result.layer_id}: {len(result.features)} feature(s), converted from "
        f"{args.crs} to WGS-84 -> table geo_layers.{result.layer_id} of {redact(str(project.dsn))}"
    )
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Export the layers that load, in the formats asked for."""
    from geo.console import Progress
    from geo.gis.exchange import export_crs, export_jobs, export_line, write_export
    from geo.project import Project

    jobs = export_jobs(args.out, args.export_format, args.gpkg, args.geojson)
    for fmt, _ in jobs:
        export_crs(args.crs, fmt)  # refuse before loading anything
    project = Project()
    ids = [s.strip() for s in args.layers.split(",")] if args.layers else None
    layers = project.layers(ids)
    for fmt, out in jobs:
        with Progress(f"geo export {fmt}", "layer") as progress:  # per layer, on stderr
            files = write_export(layers, project.catalog, fmt, out, args.crs, progress)
        print(export_line(len(layers), fmt, args.crs, out, len(files)))
    return 1 if project.problems else 0
