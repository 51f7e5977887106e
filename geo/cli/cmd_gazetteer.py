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
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.cli.cmd_layers import format_table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["register", "run_apply", "run_locate", "run_match", "run_set"]


def _add_input(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="AMap/Baidu POI JSON, CSV, GeoJSON, GeoPackage or shapefile")
    p.add_argument(
        "--crs",
        required=True,
        help="the file's CRS: wgs84, gcj02 (AMap/Gaode/Tencent), bd09 (Baidu) or EPSG:<code>",
    )
    p.add_argument("--name-column", help="column holding the names (default: name, 名称 ...)")
    p.add_argument("--lon-column", help="longitude/easting column of a CSV")
    p.add_argument("--lat-column", help="latitude/northing column of a CSV")
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
    m = gsub.add_parser("match", help="match a point list to places and print a review table")
    _add_input(m)
    m.add_argument("--format", choices=["table", "csv", "json"], default="table")
    m.set_defaults(func=run_match)

    a = gsub.add_parser("apply", help="write the accepted matches to the gazetteer")
    _add_input(a)
    a.add_argument("--source", required=True, help="citation: provider, export date, who")
    a.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
    a.set_defaults(func=run_apply)

    s = gsub.add_parser("set", help="give one place a position by hand")
    s.add_argument("name", help="the place (any name or alias)")
    s.add_argument("--lon", type=float, required=True, help="longitude (or easting)")
    s.add_argument("--lat", type=float, required=True, help="latitude (or northing)")
    s.add_argument("--crs", required=True, help="wgs84, gcj02, bd09 or EPSG:<code>")
    s.add_argument("--source", required=True, help="where the position comes from")
    s.add_argument("--accuracy-m", type=float, help="error of the position itself in metres")
    s.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
    s.set_defaults(func=run_set)

    loc = gsub.add_parser("locate", help="write the locate page (drag markers, export a CSV)")
    loc.add_argument("--out", default="site/locate.html", help="output HTML file")
    loc.add_argument(
        "--basemap", default="osm", help="osm (default), cartodb, gaode, tianditu or none"
    )
    loc.set_defaults(func=run_locate)
    g.set_defaults(func=lambda args: (g.print_help(), 2)[1])


def _names(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").replace("，", ",").split(",") if n.strip()]


def _district() -> Any:
    from geo.layers import load_layer, read_catalog

    if "district" not in read_catalog():
        return None
    return load_layer("district").geometry.union_all()


def _review(args: argparse.Namespace) -> tuple[pd.DataFrame, list[str]]:
    """Read and match the input; return the review and the ``--only`` places."""
    from geo.gazetteer import load_gazetteer
    from geo.poi import match_points, read_points

    plist = read_points(
        args.file,
        args.crs,
        name_column=args.name_column,
        lon_column=args.lon_column,
        lat_column=args.lat_column,
    )
    for note in plist.notes:
        print(f"note: {note}", file=sys.stderr)
    gaz = load_gazetteer()
    # --only takes any name or alias; an unknown one is an error naming it
    only = [gaz.lookup(n).name_zh for n in _names(args.only)]
    review = match_points(plist.points, gaz, _district(), names=only, accuracy_m=args.accuracy_m)
    return review, only


def _pos(lon: float, lat: float, acc: float) -> str:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return "-"
    tail = f" ±{acc:,.0f} m" if math.isfinite(acc) else ""
    return f"{lon:.6f}, {lat:.6f}{tail}"


def review_text(review: pd.DataFrame) -> str:
    """Format a review table for the terminal, with a legend of the flags used."""
    from geo.poi import FLAGS

    header = ["row", "place", "matched name", "address", "old", "new", "moved", "flags", "status"]
    rows = [
        [
            str(r.row),
            str(r.place) or "-",
            f"{r.name} ({r.how})" if r.how else str(r.name) or "-",
            str(r.address)[:30],
            _pos(r.old_lon, r.old_lat, r.old_accuracy_m),
            _pos(r.lon, r.lat, r.accuracy_m),
            f"{r.moved_m:,.0f} m" if math.isfinite(r.moved_m) else "-",
            str(r.flags) or "-",
            str(r.status),
        ]
        for r in review.itertuples()
    ]
    used = sorted({f for flags in review["flags"] for f in str(flags).split(";") if f})
    legend = [f"  {f}: {FLAGS[f]}" for f in used]
    counts = review["status"].value_counts()
    summary = ", ".join(
        f"{counts[k]} {k}" for k in ("apply", "needs --only", "not applied") if k in counts
    )
    return "\n".join([format_table(header, rows), "", f"{len(review)} row(s): {summary}", *legend])


def run_match(args: argparse.Namespace) -> int:
    """Print the review table of a point list; write nothing."""
    review, _ = _review(args)
    if args.format == "csv":
        review.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print(review.to_json(orient="records", force_ascii=False))
    else:
        print(review_text(review))
    return 0


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
    from geo.correction import corrections_from_review, fix_positions

    review, only = _review(args)
    print(review_text(review))
    fixes, skipped = corrections_from_review(
        review, args.source, only=only, file_label=Path(args.file).name
    )
    for line in skipped:
        print(f"not applied: {line}")
    if not fixes:
        print("no row to apply")
        return 1
    print(f"{len(fixes)} place(s) to fix:")
    _print_result(fix_positions(fixes, dry_run=args.dry_run), args.dry_run)
    return 0


def run_set(args: argparse.Namespace) -> int:
    """Give one place a position by hand."""
    from geo.correction import fix_positions, position_correction
    from geo.gazetteer import load_gazetteer

    fix = position_correction(
        load_gazetteer(),
        args.name,
        args.lon,
        args.lat,
        args.crs,
        args.source,
        accuracy_m=args.accuracy_m,
        district=_district(),
    )
    _print_result(fix_positions([fix], dry_run=args.dry_run), args.dry_run)
    return 0


def run_locate(args: argparse.Namespace) -> int:
    """Write the locate page."""
    from geo.gazetteer import load_gazetteer
    from geo.layers import atomic_write_text
    from geo.maps.basemaps import resolve_basemap
    from geo.maps.locate import locate_page

    page = locate_page(load_gazetteer(), resolve_basemap(args.basemap), _district())
    out = atomic_write_text(args.out, page)
    print(f"wrote {out}")
    return 0
