"""``geo area``, ``geo overlap``, ``geo near``, ``geo zones`` and ``geo report``.

Measurements come from :mod:`geo.measure` and :mod:`geo.report`; this module only
loads layers, formats the results and, for ``report``, writes the files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo._errors import CatalogError
from geo.cli import USER_ERRORS
from geo.cli._lazy import lazy_choices
from geo.cli.cmd_gis import add_input_options
from geo.cli.cmd_layers import format_table

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

FORMATS = ("table", "csv", "json", "geojson")


def _add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="output: readable table (default), "
        "csv, json (records) or geojson (features with the result columns)",
    )


def _add_input(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--crs",
        help="CRS of layers given as file paths: wgs84, gcj02, bd09 or EPSG:<code> "
        "(default: the file's own, else wgs84)",
    )
    add_input_options(p)


def register(sub: Any) -> None:
    """Add the measurement subcommands."""
    p = sub.add_parser("area", help="geodesic area of every feature (length for lines)")
    p.add_argument("layer", help="catalog id or file path (GeoJSON, GeoPackage, shapefile, CSV)")
    p.add_argument("--by", metavar="COLUMN", help="sum areas by this column (e.g. kind)")
    lazy_choices(p.add_argument("--unit", default="m2"), "geo.measure", "AREA_UNITS")
    _add_format(p)
    _add_input(p)
    p.set_defaults(func=run_area)

    o = sub.add_parser("overlap", help="pairs of features of A and B that overlap, with shares")
    o.add_argument("a", help="layer A: catalog id or path")
    o.add_argument("b", help="layer B: catalog id or path")
    lazy_choices(o.add_argument("--unit", default="m2"), "geo.measure", "AREA_UNITS")
    _add_format(o)
    _add_input(o)
    o.set_defaults(func=run_overlap)

    n = sub.add_parser(
        "near",
        help="nearest feature of B for each of A; --k nearest; --within a distance",
        description="Distances are edge to edge, in metres (EPSG:4544).",
    )
    n.add_argument("a", help="layer A: catalog id or path")
    n.add_argument("b", help="layer B: catalog id or path")
    n.add_argument("--within", metavar="DIST", help="distance such as 500m or 2km")
    n.add_argument("--k", type=int, help="the k nearest instead of the nearest")
    _add_format(n)
    _add_input(n)
    n.set_defaults(func=run_near)

    z = sub.add_parser("zones", help="which city, belt, screen, ring or cluster each feature is in")
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

    r = sub.add_parser("report", help="write the measurement report to OUT/reports/")
    r.add_argument("--out", default="site", help="site folder (default: site)")
    r.set_defaults(func=run_report)


# --------------------------------------------------------------------------- helpers
def _load(key: str, args: argparse.Namespace) -> gpd.GeoDataFrame:
    """Load a catalog layer, or a file through the reader ``geo add-layer`` uses."""
    from geo.layers import load_layer, read_layer_file

    if Path(key).suffix and Path(key).is_file():
        gdf = read_layer_file(key, args.crs, encoding=args.encoding, layer=args.source_layer)
    else:
        gdf = load_layer(key, args.crs)
    return gdf.set_index("id", drop=False) if gdf["id"].is_unique else gdf


def _dimension_problem(gdf: gpd.GeoDataFrame, key: str, need: str) -> str | None:
    """Say why a layer of points or lines cannot serve where areas are needed."""
    from geo import measure

    dim = measure.geometry_dimension(gdf)
    if dim == 2:
        return None
    held = {0: "points", 1: "lines"}.get(dim, "no features")
    return f"{key} holds {held}, which have no area: {need}"


def _fail(command: str, message: str) -> int:
    print(f"geo {command}: error: {message}", file=sys.stderr)
    return 2


def _cell(column: str, value: Any) -> str:
    import pandas as pd

    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}" if "share" in column else f"{value:,.2f}"
    return str(value)


def _emit(table: pd.DataFrame, fmt: str, geometry: gpd.GeoSeries | None = None) -> None:
    """Print a result table in the chosen format."""
    import geopandas as gpd

    from geo.tables import csv_text

    if fmt == "table":
        cols = [str(c) for c in table.columns]
        rows = [
            [_cell(c, v) for c, v in zip(cols, r, strict=True)]
            for r in table.itertuples(index=False)
        ]
        print(format_table(cols, rows) if rows else "(no rows)")
    elif fmt == "csv":
        sys.stdout.write(csv_text(table))
    elif fmt == "json":
        print(
            json.dumps(
                json.loads(table.to_json(orient="records", force_ascii=False)),
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        geo = geometry if geometry is not None else gpd.GeoSeries([None] * len(table))
        gdf = gpd.GeoDataFrame(table.reset_index(drop=True), geometry=list(geo), crs="EPSG:4326")
        print(gdf.to_json(ensure_ascii=False, na="null"))


def _name(gdf: gpd.GeoDataFrame, labels: pd.Series) -> list[Any]:
    import pandas as pd

    names = gdf["name_zh"] if "name_zh" in gdf.columns else pd.Series(gdf.index, index=gdf.index)
    return list(names.reindex(labels).to_numpy())


# --------------------------------------------------------------------------- area
def run_area(args: argparse.Namespace) -> int:
    """Print the geodesic area (or length) of a layer's features."""
    import pandas as pd

    from geo import measure

    gdf = _load(args.layer, args)
    dim = measure.geometry_dimension(gdf)
    if dim == 0:
        return _fail("area", f"{args.layer} holds points, which have no area: try `geo near`")
    if dim == 1:
        table = pd.DataFrame(
            {"id": gdf.index, "name_zh": gdf["name_zh"], "length_m": measure.geodesic_length(gdf)}
        )
        _emit(table, args.format, gdf.geometry)
        return 0
    try:
        areas = measure.area_table(gdf, by=args.by, unit=args.unit)
    except KeyError as exc:
        return _fail("area", str(exc.args[0]))
    col = f"area_{args.unit}"
    if args.by:
        table = areas.reset_index()[[args.by, "features", col, "share"]]
        _emit(table, args.format)
    else:
        table = pd.DataFrame({"id": gdf.index, "name_zh": gdf["name_zh"], "kind": gdf["kind"]})
        table[col], table["share"] = areas[col].to_numpy(), areas["share"].to_numpy()
        _emit(table.reset_index(drop=True), args.format, gdf.geometry)
    if args.format == "table":
        union = measure.union_area(gdf) / measure.AREA_UNITS[args.unit]
        print(
            f"total {areas[col].sum():,.2f} {args.unit}; "
            f"union (overlaps counted once) {union:,.2f} {args.unit}"
        )
    return 0


# --------------------------------------------------------------------------- overlap
def run_overlap(args: argparse.Namespace) -> int:
    """Print every overlapping pair of features of two layers."""
    import pandas as pd

    from geo import measure

    a, b = _load(args.a, args), _load(args.b, args)
    for gdf, key in ((a, args.a), (b, args.b)):
        found = _dimension_problem(
            gdf, key, f"overlap compares two polygon layers (try `geo near {args.a} {args.b}`)"
        )
        if found:
            return _fail("overlap", found)
    pairs = measure.overlaps(a, b)
    col = f"overlap_{args.unit}"
    table = pd.DataFrame(
        {
            "a": pairs["a"],
            "name_a": _name(a, pairs["a"]),
            "b": pairs["b"],
            "name_b": _name(b, pairs["b"]),
            col: pairs["overlap_m2"] / measure.AREA_UNITS[args.unit],
            "share_of_a": pairs["share_of_a"],
            "share_of_b": pairs["share_of_b"],
        }
    )
    _emit(table, args.format, pairs.geometry)
    return 0


# --------------------------------------------------------------------------- near
def run_near(args: argparse.Namespace) -> int:
    """Print nearest, k-nearest or within-distance pairs."""
    import pandas as pd

    from geo import measure

    if args.k is not None and args.k < 1:
        return _fail("near", f"--k must be at least 1, got {args.k}")
    try:
        within = None if args.within is None else measure.parse_distance(args.within)
    except ValueError as exc:
        return _fail("near", str(exc))
    a, b = _load(args.a, args), _load(args.b, args)
    alone = args.a == args.b  # one layer against itself: a feature is not its own neighbour
    if args.k is not None:
        pairs = measure.k_nearest(a, b, args.k, within, exclude_self=alone)
    elif within is not None:
        pairs = measure.within_distance(a, b, within, exclude_self=alone)
    else:
        near = measure.nearest(a, b, exclude_self=alone)
        pairs = pd.DataFrame(
            {"a": a.index, "b": near["b"].to_numpy(), "dist_m": near["dist_m"].to_numpy()}
        )
    table = pairs.assign(name_a=_name(a, pairs["a"]), name_b=_name(b, pairs["b"]))
    cols = ["a", "name_a", "b", "name_b", *(["rank"] if "rank" in pairs else []), "dist_m"]
    geometry = a.geometry.reindex(pairs["a"]) if args.format == "geojson" else None
    _emit(table[cols], args.format, geometry)
    return 0


# --------------------------------------------------------------------------- zones
def _zone_layers(args: argparse.Namespace) -> dict[str, gpd.GeoDataFrame]:
    from geo.layers import read_catalog

    if args.zones:
        return {Path(k).stem if Path(k).suffix else k: _load(k, args) for k in args.zones}
    ids = [s.id for s in read_catalog().by_role("zone")]
    out: dict[str, gpd.GeoDataFrame] = {}
    for lid in ids:
        try:
            out[lid] = _load(lid, args)
        except USER_ERRORS as exc:
            print(f"geo zones: note: zone layer {lid} skipped: {exc}", file=sys.stderr)
    return out


def run_zones(args: argparse.Namespace) -> int:
    """Print which zones each feature of a layer falls in."""
    import pandas as pd

    from geo import measure

    gdf = _load(args.layer, args)
    zone_layers = _zone_layers(args)
    if not zone_layers:
        return _fail("zones", "no zone layer available: give one with --in")
    for key, zones in zone_layers.items():
        need = "zones must be polygons: give a polygon layer with --in (e.g. cities, rings)"
        found = _dimension_problem(zones, key, need)
        if found:
            return _fail("zones", found)
    member = measure.zones_for(gdf, zone_layers)
    names = [
        _name(zone_layers[lay], pd.Series([z]))[0]
        for lay, z in zip(member["layer"], member["zone"], strict=True)
    ]
    table = pd.DataFrame(
        {
            "feature": member["feature"],
            "name_zh": _name(gdf, member["feature"]),
            "layer": member["layer"],
            "zone": member["zone"],
            "zone_name": names,
            "share": member["share"],
            "on_boundary": member["on_boundary"],
        }
    )
    geometry = gdf.geometry.reindex(member["feature"]) if args.format == "geojson" else None
    _emit(table, args.format, geometry)
    return 0


# --------------------------------------------------------------------------- report
def _report_inputs() -> tuple[dict[str, gpd.GeoDataFrame], Any, dict[str, str]]:
    from geo import report
    from geo.layers import load_each, read_catalog

    try:
        catalog = read_catalog()
    except CatalogError as exc:
        reason = f"no catalog ({str(exc).splitlines()[0]})"
        return {}, None, dict.fromkeys(report.REPORT_LAYERS, reason)
    present = [lid for lid in report.REPORT_LAYERS if lid in catalog]
    missing = {lid: "not in the catalog yet" for lid in report.REPORT_LAYERS if lid not in catalog}
    layers, failed = load_each(catalog, USER_ERRORS, present)
    for lid, exc in failed.items():
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        missing[lid] = f"could not be loaded: {first}"
    return layers, catalog, missing


def run_report(args: argparse.Namespace) -> int:
    """Build the measurement report and write CSV, Markdown and HTML to OUT/reports/."""
    from geo import report
    from geo.layers import atomic_write_text

    layers, catalog, missing = _report_inputs()
    rep = report.build_report(layers, catalog, missing)
    folder = Path(args.out) / "reports"
    for name, text in report.report_csv(rep).items():
        atomic_write_text(folder / name, text)
    atomic_write_text(folder / "report.md", report.report_markdown(rep))
    atomic_write_text(folder / "index.html", report.report_html(rep))
    print(f"wrote {len(rep.sections)} tables, report.md and index.html to {folder}")
    for note in rep.notes:
        print(f"note: {note}")
    return 0
