"""``geo layers`` and ``geo validate``: what the catalog holds, and checking files."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import Any

from geo._errors import Problem
from geo.catalog import Catalog
from geo.cli import USER_ERRORS
from geo.cli.cmd_gis import add_input_options


def register(sub: Any) -> None:
    """Add the ``layers`` and ``validate`` subcommands."""
    p = sub.add_parser(
        "layers",
        help="list the catalog's layers with counts, geometry sources and worst accuracy",
        description="List every catalog layer: id, titles, geometry type, feature count, "
        "the mix of geometry_source values and the worst (largest) accuracy_m.",
    )
    p.add_argument("--no-load", action="store_true", help="list the catalog without loading data")
    p.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output: readable table (default), csv or json (records)",
    )
    p.set_defaults(func=run_layers)

    v = sub.add_parser(
        "validate",
        help="check a layer file (GeoJSON, GeoPackage, shapefile, CSV) or the catalog",
        description="Validate a layer file and print every problem with the feature id and "
        "a fix. Exit 0 when the file is clean, 1 when it has problems. Without PATH, "
        "validate every source layer in the catalog and ids across layers.",
    )
    v.add_argument(
        "path",
        nargs="?",
        help="GeoJSON, GeoPackage, shapefile or CSV (default: every catalog layer)",
    )
    v.add_argument(
        "--crs",
        default="wgs84",
        help="declared CRS of the file: wgs84 (default), gcj02, bd09 or EPSG:<code>",
    )
    v.add_argument("--geometry-type", choices=["Point", "LineString", "Polygon"])
    v.add_argument(
        "--all",
        action="store_true",
        help="also load every layer, derived ones included, and check that each "
        "geometry is valid as stored (EPSG:4326) and in EPSG:4544",
    )
    add_input_options(v)
    v.set_defaults(func=run_validate)


def _summary_row(spec: Any, load: bool) -> list[str]:
    from geo.layers import load_layer

    row = [spec.id, spec.title_zh, spec.title_en, spec.geometry_type, spec.role]
    if not load:
        return [*row, "-", "-", "-"]
    gdf = load_layer(spec.id)
    counts = gdf["geometry_source"].value_counts()
    mix = " ".join(f"{k}:{v}" for k, v in counts.items())
    worst = f"{gdf['accuracy_m'].max():,.0f}" if len(gdf) else "-"
    return [*row, str(len(gdf)), mix, worst]


def format_table(header: list[str], rows: list[list[str]]) -> str:
    """Format rows as a plain-text table whose columns line up (CJK counted double)."""

    def width(s: str) -> int:
        return sum(2 if ord(c) > 0x2E80 else 1 for c in s)

    widths = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for r in [header, ["-" * w for w in widths], *rows]:
        lines.append("  ".join(c + " " * (w - width(c)) for c, w in zip(r, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


def rows_text(header: list[str], rows: list[list[str]], fmt: str) -> str:
    """Return rows as a readable table, CSV or JSON records (``fmt``: table, csv, json)."""
    if fmt == "json":
        return json.dumps([dict(zip(header, r, strict=True)) for r in rows], ensure_ascii=False)
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([header, *rows])
        return buf.getvalue().rstrip("\n")
    return format_table(header, rows)


def run_layers(args: argparse.Namespace) -> int:
    """Print the catalog as a table; a layer that fails to load is listed, not fatal."""
    from geo.layers import read_catalog

    cat = read_catalog()
    header = ["id", "title_zh", "title_en", "geometry", "role", "features", "sources", "worst_m"]
    rows, failures = [], []
    for spec in cat:
        try:
            rows.append(_summary_row(spec, not args.no_load))
        except USER_ERRORS as exc:
            rows.append(
                [
                    spec.id,
                    spec.title_zh,
                    spec.title_en,
                    spec.geometry_type,
                    spec.role,
                    "ERROR",
                    "-",
                    "-",
                ]
            )
            failures.append(f"{spec.id}: {exc}")
    print(rows_text(header, rows, getattr(args, "format", "table")))
    for line in failures:
        print(f"geo layers: {line}", file=sys.stderr)
    return 1 if failures else 0


#: What to do about an invalid shape, by where the layer comes from.
SOURCE_FIX = "fix the outline (e.g. shapely.make_valid or QGIS 'Fix geometries')"
DERIVED_FIX = "the rule made an invalid shape: check its inputs and report the rule"
LOAD_FIX = "fix what the message names (for a derived layer, in the layers its rule reads)"


def loaded_problems(catalog: Catalog) -> list[Problem]:
    """Load every catalog layer (derived ones computed) and check each geometry.

    Parameters
    ----------
    catalog : Catalog
        The catalog.

    Returns
    -------
    list of Problem
        Layers that fail to load, and features whose geometry is missing, empty or
        invalid in EPSG:4326 or EPSG:4544.
    """
    from geo.layers import layers_dir, load_each
    from geo.validity import geometry_problems

    loaded, failed = load_each(catalog, USER_ERRORS)
    problems: list[Problem] = []
    for spec in catalog:
        if spec.is_derived:
            source = f"{layers_dir() / 'catalog.yaml'} (derived layer {spec.id})"
            fix = DERIVED_FIX
        else:
            source, fix = str(layers_dir() / str(spec.file)), SOURCE_FIX
        if spec.id in failed:
            problem = f"layer {spec.id} does not load: {failed[spec.id]}"
            problems.append(Problem(source, "-", problem, LOAD_FIX))
        else:
            problems += geometry_problems(loaded[spec.id], source, fix)
    return problems


def run_validate(args: argparse.Namespace) -> int:
    """Validate one file or the catalog; print all problems."""
    from geo.layers import read_catalog, validate_catalog, validate_file

    if args.path:
        problems = validate_file(
            args.path, args.crs, args.geometry_type, encoding=args.encoding, layer=args.source_layer
        )
        target = args.path
    elif getattr(args, "all", False):
        cat = read_catalog()
        problems = validate_catalog(cat)
        problems += loaded_problems(cat)
        target = "every catalog layer (derived ones included)"
    else:
        problems = validate_catalog()
        target = "the catalog's layers"
    if not problems:
        print(f"{target}: OK")
        return 0
    print(f"{len(problems)} problem(s) in {target}:", file=sys.stderr)
    for p in problems:
        print(f"  - {p}", file=sys.stderr)
    return 1
