"""``geo area``, ``geo overlap``, ``geo near``, ``geo zones`` and ``geo report``.

The tables come from :mod:`geo.measure.queries` and the report from
:mod:`geo.site.report_files`; this module parses the arguments and prints.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.cli._lazy import lazy_choices
from geo.cli.cmd_gis import add_input_options, add_workbook_option

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.measure.queries import Result
    from geo.project import Project

FORMATS = ("table", "csv", "json", "geojson", "xlsx")


def _add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="output: readable table (default), csv, json (records), "
        "geojson (features with the result columns) or xlsx (a workbook)",
    )
    add_workbook_option(p)


def _add_input(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--crs",
        help="CRS of layers given as file paths: wgs84, gcj02, bd09 or EPSG:<code> "
        "(default: the file's own, else wgs84)",
    )
    add_input_options(p)


def register(sub: Any) -> None:
    """Add the measurement subcommands."""
    p = sub.add_parser(
        "area",
        help="geodesic area of every feature (length for lines)",
        description="Print the geodesic area of every polygon of a layer (the length of a "
        "line), its share of the layer's total, and the total; --by sums by a column.",
    )
    p.add_argument(
        "layer", help="catalog id or file path (GeoJSON, GeoPackage, shapefile, CSV, .xlsx)"
    )
    p.add_argument("--by", metavar="COLUMN", help="sum areas by this column (e.g. kind)")
    lazy_choices(p.add_argument("--unit", default="m2"), "geo.data.units", "AREA_UNITS")
    _add_format(p)
    _add_input(p)
    p.set_defaults(func=run_area)

    o = sub.add_parser(
        "overlap",
        help="pairs of features of A and B that overlap, with shares",
        description="Print every pair of a feature of A and a feature of B that overlap: "
        "the overlap's geodesic area and its share of each (overlay in EPSG:4544).",
    )
    o.add_argument("a", help="layer A: catalog id or path")
    o.add_argument("b", help="layer B: catalog id or path")
    lazy_choices(o.add_argument("--unit", default="m2"), "geo.data.units", "AREA_UNITS")
    _add_format(o)
    _add_input(o)
    o.set_defaults(func=run_overlap)

    n = sub.add_parser(
        "near",
        help="nearest feature of B for each of A; --k nearest; --within a distance",
        description="Print the nearest feature of B for each feature of A (--k: the k "
        "nearest; --within: every pair closer than a distance). Distances are edge to "
        "edge, in metres (EPSG:4544).",
    )
    n.add_argument("a", help="layer A: catalog id or path")
    n.add_argument("b", help="layer B: catalog id or path")
    n.add_argument("--within", metavar="DIST", help="distance such as 500m or 2km")
    n.add_argument("--k", type=int, help="the k nearest instead of the nearest")
    _add_format(n)
    _add_input(n)
    n.set_defaults(func=run_near)

    z = sub.add_parser(
        "zones",
        help="which city, belt, screen, ring or cluster each feature is in",
        description="Print, for every feature of a layer, each zone it lies in (by default "
        "every zone layer of the catalog), with the share inside and whether it is on the "
        "boundary.",
    )
    z.add_argument("layer", help="catalog id or path")
    z.add_argument(
        "--in",
        dest="zones",
        action="append",
        metavar="ZONES",
        help="zone layer id or path (repeatable; default every zone layer of the catalog)",
    )
    _add_format(z)
    _add_input(z)
    z.set_defaults(func=run_zones)

    r = sub.add_parser(
        "report",
        help="write the measurement report to OUT/reports/",
        description="Write the measurement report (areas, overlaps, distances, zones, "
        "with the positions each row rests on) as CSV tables, report.md and index.html "
        "into OUT/reports/.",
    )
    r.add_argument("--out", default="site", help="site folder (default: site)")
    r.set_defaults(func=run_report)


def _open(project: Project, key: str, args: argparse.Namespace) -> gpd.GeoDataFrame:
    """Return a catalog layer, or a file read as ``geo add-layer`` reads it, indexed by id."""
    from geo.measure.queries import indexed

    return indexed(project.open(key, args.crs, encoding=args.encoding, layer=args.source_layer))


def _lines(result: Result, fmt: str) -> list[Any]:
    """Return what a result prints: the table, the total line and the notes."""
    from geo.console import frame_text

    total = result.total if fmt == "table" and result.total else None
    return [frame_text(result.table, fmt, result.geometry), total, list(result.notes)]


def _show(lines: list[Any]) -> None:
    from geo.console import echo

    table, total, notes = lines
    echo(table)
    if total:
        print(total)
    for note in notes:  # on stderr, so CSV, JSON and GeoJSON stay clean
        print(f"note: {note}", file=sys.stderr)


def _print(result: Result, fmt: str, out: str | None = None, sheet: str = "") -> None:
    if fmt == "xlsx":
        from geo.console import workbook_out

        workbook_out({sheet or "结果": result.table}, out)
        for note in result.notes:
            print(f"note: {note}", file=sys.stderr)
        return
    _show(_lines(result, fmt))


def _well_formed(lines: Any) -> bool:
    """Whether a kept result has the shape :func:`_lines` returns."""
    if not isinstance(lines, list) or len(lines) != 3:
        return False
    table, total, notes = lines
    return (
        isinstance(table, str)
        and (total is None or isinstance(total, str))
        and isinstance(notes, list)
        and all(isinstance(n, str) for n in notes)
    )


def run_area(args: argparse.Namespace) -> int:
    """Print the geodesic area (or length) of a layer's features.

    The printout of a catalog layer is kept in the layer cache
    (:mod:`geo.data.derived_cache`), so asking again of the same inputs reads no layer.
    """
    from geo.project import Project

    project = Project()

    def compute() -> list[Any]:
        from geo.measure.queries import area_result

        gdf = _open(project, args.layer, args)
        return _lines(area_result(gdf, args.layer, args.by, args.unit), args.format)

    if args.format == "xlsx":
        from geo.measure.queries import area_result

        result = area_result(_open(project, args.layer, args), args.layer, args.by, args.unit)
        _print(result, "xlsx", args.xlsx_out, "面积 area")
        return 0
    if args.crs is not None or Path(args.layer).suffix:  # a file, or a CRS to check
        _show(compute())
        return 0
    settings = ["area", args.by, args.unit, args.format]
    lines = project.cache.remember(args.layer, settings, compute)
    _show(lines if _well_formed(lines) else compute())
    return 0


def _in_db(project: Project) -> Any:
    """Return the PostGIS measures for a project read from a database, else None."""
    if project.dsn is None:
        return None
    from geo.db.measures import PostGISMeasures

    return PostGISMeasures(project.dsn)


def run_overlap(args: argparse.Namespace) -> int:
    """Print every overlapping pair of features of two layers."""
    from geo.measure.queries import overlap_result
    from geo.project import Project

    project = Project()
    a, b = _open(project, args.a, args), _open(project, args.b, args)
    result = overlap_result(a, b, (args.a, args.b), args.unit, _in_db(project))
    _print(result, args.format, args.xlsx_out, "重叠 overlap")
    return 0


def run_near(args: argparse.Namespace) -> int:
    """Print nearest, k-nearest or within-distance pairs."""
    from geo.measure.queries import near_result
    from geo.project import Project

    project = Project()
    a, b = _open(project, args.a, args), _open(project, args.b, args)
    result = near_result(a, b, args.k, args.within, args.a == args.b, _in_db(project))
    _print(result, args.format, args.xlsx_out, "邻近 near")
    return 0


def run_zones(args: argparse.Namespace) -> int:
    """Print which zones each feature of a layer falls in."""
    from geo.measure.queries import indexed, zones_result
    from geo.project import Project

    project = Project()
    gdf = _open(project, args.layer, args)
    if args.zones:
        zones = {Path(k).stem if Path(k).suffix else k: _open(project, k, args) for k in args.zones}
    else:  # every zone layer that loads; the others are reported
        ids = [s.id for s in project.catalog.by_role("zone")]
        zones = {lid: indexed(gdf) for lid, gdf in project.layers(ids).items()}
    _print(zones_result(gdf, zones, _in_db(project)), args.format, args.xlsx_out, "片区 zones")
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Build the measurement report and write CSV, Markdown and HTML to OUT/reports/."""
    from geo.project import Project
    from geo.site.report_files import write_report

    rep, folder = write_report(Project(), args.out)
    print(f"wrote {len(rep.sections)} tables, report.md and index.html to {folder}")
    for note in rep.notes:
        print(f"note: {note}")
    return 0
