"""``geo gazetteer``: fix approximate place positions with a user's own data.

``match FILE --crs C`` reads a point list (AMap/Baidu POI results, a CSV, GeoJSON
including the maps' Draw export, a GeoPackage or shapefile), matches it to the
gazetteer and prints a review table; nothing is written. ``apply`` writes the
accepted matches to ``layers/gazetteer.csv`` (atomically, with a backup) and prints
what changed downstream; ``--dry-run`` only prints. ``set NAME`` gives one place a
position by hand. ``locate`` writes the locate page, where positions are fixed by
dragging markers on a map.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.cli.cmd_gis import add_workbook_option

if TYPE_CHECKING:
    from geo.gis.correction.records import Correction
    from geo.gis.matching import Review
    from geo.project import Project

__all__ = ["register", "run_apply", "run_locate", "run_match", "run_set"]


def _add_input(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "file", help="AMap/Baidu POI JSON, CSV, Excel (.xlsx), GeoJSON, GeoPackage or shapefile"
    )
    p.add_argument(
        "--crs",
        required=True,
        help="the file's CRS: wgs84, gcj02 (AMap/Gaode/Tencent), bd09 (Baidu) or EPSG:<code>",
    )
    p.add_argument("--name-column", help="column holding the names (default: name, 名称 ...)")
    p.add_argument("--lon-column", help="longitude/easting column of a CSV")
    p.add_argument("--lat-column", help="latitude/northing column of a CSV")
    p.add_argument(
        "--layer", metavar="NAME", help="layer to read from a GeoPackage that holds several"
    )
    p.add_argument(
        "--sheet",
        dest="layer",
        metavar="NAME",
        help="sheet to read from an Excel workbook (.xlsx; default the first)",
    )
    p.add_argument(
        "--encoding", help="text encoding of the file when it is not UTF-8, e.g. gbk or gb18030"
    )
    p.add_argument(
        "--only",
        help="comma-separated place names: apply only these (and accept their warnings); "
        "for a file of unnamed points, the names in point order",
    )
    p.add_argument(
        "--accuracy-m",
        type=float,
        help="error of the supplied points themselves in metres (the place's size is added)",
    )


def register(sub: Any) -> None:
    """Add ``gazetteer match|apply|set|locate``."""
    g = sub.add_parser(
        "gazetteer",
        help="fix approximate place positions from POI exports, the locate page or by hand",
        description="Match a point list to gazetteer places, apply the reviewed positions, "
        "set one position by hand, or write the locate page.",
    )
    gsub = g.add_subparsers(dest="gazetteer_command", metavar="ACTION")
    m = gsub.add_parser(
        "match",
        help="match a point list to places and print a review table",
        description="Read a point list, match each name to a gazetteer place and print "
        "the review: the old and new position, how far it moves and whether it would be "
        "applied. Nothing is written.",
    )
    _add_input(m)
    m.add_argument(
        "--format",
        choices=["table", "csv", "json", "xlsx"],
        default="table",
        help="output: review table (default), csv, json (records) or xlsx (a workbook)",
    )
    add_workbook_option(m)
    m.set_defaults(func=run_match)

    a = gsub.add_parser(
        "apply",
        help="write the accepted matches to the gazetteer",
        description="Match a point list as `match` does and write the accepted positions "
        "to layers/gazetteer.csv (a backup is kept); print what changes downstream.",
    )
    _add_input(a)
    a.add_argument("--source", required=True, help="citation: provider, export date, who")
    a.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
    a.set_defaults(func=run_apply)

    s = gsub.add_parser(
        "set",
        help="give one place a position by hand",
        description="Give one gazetteer place a position and its source by hand "
        "(converted from the declared CRS); print what changes downstream.",
    )
    s.add_argument("name", help="the place (any name or alias)")
    s.add_argument("--lon", type=float, required=True, help="longitude (or easting)")
    s.add_argument("--lat", type=float, required=True, help="latitude (or northing)")
    s.add_argument("--crs", required=True, help="wgs84, gcj02, bd09 or EPSG:<code>")
    s.add_argument("--source", required=True, help="where the position comes from")
    s.add_argument("--accuracy-m", type=float, help="error of the position itself in metres")
    s.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
    s.set_defaults(func=run_set)

    loc = gsub.add_parser(
        "locate",
        help="write the locate page (drag markers, export a CSV)",
        description="Write the locate page: every place on a map, its marker dragged to "
        "where it really is, the moves exported as a CSV for `gazetteer apply`.",
    )
    loc.add_argument("--out", default="site/locate.html", help="output HTML file")
    loc.add_argument(
        "--basemap", default="osm", help="osm (default), cartodb, gaode, tianditu or none"
    )
    loc.set_defaults(func=run_locate)
    g.set_defaults(func=lambda args: (g.print_help(), 2)[1])


def _review(args: argparse.Namespace, project: Project) -> Review:
    """Read and match the input; print what the reader noticed."""
    from geo.console import Progress
    from geo.gis.matching import PointColumns, review_points

    with Progress(f"geo gazetteer {args.gazetteer_command}", "row") as progress:
        review = review_points(
            args.file,
            args.crs,
            project.gazetteer,
            project.district(),
            columns=PointColumns(
                args.name_column, args.lon_column, args.lat_column, args.layer, args.encoding
            ),
            only=args.only,
            accuracy_m=args.accuracy_m,
            progress=progress,
        )
    for note in review.notes:
        print(f"note: {note}", file=sys.stderr)
    return review


def run_match(args: argparse.Namespace) -> int:
    """Print the review table of a point list; write nothing."""
    from geo.console import echo, frame_text
    from geo.project import Project

    review = _review(args, Project()).table
    if args.format == "xlsx":
        from geo.console import workbook_out

        workbook_out({"匹配 match": review}, args.xlsx_out)
    elif args.format == "table":
        print(_capped_text(review))
    else:  # the one CSV writer quotes what a spreadsheet would run as a formula
        echo(frame_text(review, args.format))
    return 0


def _capped_text(review: Any) -> str:
    """Return the review table as text, at most :data:`geo.limits.MAX_PRINTED_ROWS` rows of it."""
    from geo.gis.matching import review_text
    from geo.limits import MAX_PRINTED_ROWS

    text = review_text(review.head(MAX_PRINTED_ROWS))
    more = len(review) - MAX_PRINTED_ROWS
    return f"{text}\n… {more:,} more rows; use --format csv" if more > 0 else text


def _print_result(result: Any, dry_run: bool) -> None:
    for change in result.changes:
        print(f"  {change}")
    for line in result.downstream.lines():
        print(line)
    if dry_run:
        print(f"dry run: {result.path} not changed")
    elif result.written:
        print(f"wrote {result.path} (previous file kept as {result.backup})")
    else:
        print("nothing to change")


def run_apply(args: argparse.Namespace) -> int:
    """Apply the accepted rows of a point list to the gazetteer."""
    from geo.gis.correction.changes import corrections_from_review
    from geo.gis.correction.writing import fix_positions
    from geo.project import Project

    project = Project()
    review = _review(args, project)
    print(_capped_text(review.table))
    fixes, skipped = corrections_from_review(
        review.table, args.source, only=review.only, file_label=Path(args.file).name
    )
    for line in skipped:
        print(f"not applied: {line}")
    if not fixes:
        print("no row to apply")
        return 1
    print(f"{len(fixes)} place(s) to fix:")
    if project.dsn is not None and not args.dry_run:
        return _store_fixes(project, fixes)
    _print_result(fix_positions(fixes, dry_run=args.dry_run), args.dry_run)
    return 0


def run_set(args: argparse.Namespace) -> int:
    """Give one place a position by hand."""
    from geo.gis.correction.changes import position_correction
    from geo.gis.correction.writing import fix_positions
    from geo.project import Project

    project = Project()
    fix = position_correction(
        project.gazetteer,
        args.name,
        args.lon,
        args.lat,
        args.crs,
        args.source,
        accuracy_m=args.accuracy_m,
        district=project.district(),
    )
    if project.dsn is not None and not args.dry_run:
        return _store_fixes(project, [fix])
    _print_result(fix_positions([fix], dry_run=args.dry_run), args.dry_run)
    return 0


def _store_fixes(project: Project, fixes: list[Correction]) -> int:
    """Write corrections to the database: one transaction, each row at its version read."""
    from geo.gis.stored import fix_positions_in_store

    result = fix_positions_in_store(project, fixes, "geo gazetteer")
    for change in result.changes:
        print(change)
    print(f"{len(result.changes)} gazetteer row(s) changed in the database")
    return 0


def run_locate(args: argparse.Namespace) -> int:
    """Write the locate page."""
    from geo._io import atomic_write_text
    from geo.maps.basemaps import resolve_basemap
    from geo.maps.locate import locate_page
    from geo.project import Project

    project = Project()
    page = locate_page(project.gazetteer, resolve_basemap(args.basemap), project.district())
    out = atomic_write_text(args.out, page)
    print(f"wrote {out}")
    return 0
