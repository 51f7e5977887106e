"""``geo layers`` and ``geo validate``: what the catalog holds, and checking files."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from geo.cli.cmd_gis import add_input_options, add_workbook_option
from geo.console import TABLE_FORMATS, echo, rows_frame, rows_text, workbook_out
from geo.errors import problem_lines


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
        choices=TABLE_FORMATS,
        default="table",
        help="output: readable table (default), csv, json (records) or xlsx (a workbook)",
    )
    add_workbook_option(p)
    p.set_defaults(func=run_layers)

    v = sub.add_parser(
        "validate",
        help="check a layer file (GeoJSON, GeoPackage, shapefile, CSV, Excel) or the catalog",
        description="Validate a layer file and print every problem with the feature id and "
        "a fix. Exit 0 when the file is clean, 1 when it has problems. Without PATH, "
        "validate every source layer in the catalog and ids across layers.",
    )
    v.add_argument(
        "path",
        nargs="?",
        help="GeoJSON, GeoPackage, shapefile, GeoParquet, CSV or Excel .xlsx "
        "(default: every catalog layer)",
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
    v.add_argument(
        "--format",
        choices=("text", "json", "xlsx"),
        default="text",
        help="output: the problems as text (default), json (records with file, "
        "feature_id, problem and fix; [] when clean) or xlsx (the same as a workbook)",
    )
    add_workbook_option(v)
    v.set_defaults(func=run_validate)


#: Columns of a problem (:class:`geo.errors.Problem`).
PROBLEM_COLUMNS = ("file", "feature_id", "problem", "fix")


def run_layers(args: argparse.Namespace) -> int:
    """Print the catalog as a table; a layer that fails to load is listed, not fatal."""
    from geo.project import LayerSummary, Project

    project = Project()
    summaries = project.summaries(load=not args.no_load)
    rows = [s.row() for s in summaries]
    if args.format == "xlsx":
        workbook_out({"图层 layers": rows_frame(LayerSummary.HEADER, rows)}, args.xlsx_out)
    else:
        echo(rows_text(list(LayerSummary.HEADER), rows, args.format))
    return 1 if project.problems else 0


def run_validate(args: argparse.Namespace) -> int:
    """Validate one file or the catalog; print all problems."""
    from geo.data.inputs import validate_file
    from geo.project import Project

    if args.path:
        problems = validate_file(
            args.path,
            args.crs,
            args.geometry_type,
            Project().gazetteer_path,  # read only if a feature names a place
            encoding=args.encoding,
            layer=args.source_layer,
        )
        target = args.path
    elif args.all:
        problems = Project().validate(load=True)
        target = "every catalog layer (derived ones included)"
    else:
        problems = Project().validate(load=False)
        target = "the catalog's layers"
    if args.format == "xlsx":
        import pandas as pd

        table = pd.DataFrame([asdict(p) for p in problems], columns=list(PROBLEM_COLUMNS))
        workbook_out({"问题 problems": table}, args.xlsx_out)
    elif args.format == "json":
        echo(json.dumps([asdict(p) for p in problems], ensure_ascii=False, indent=1))
    elif not problems:
        print(f"{target}: OK")
    else:
        print(f"{len(problems)} problem(s) in {target}:", file=sys.stderr)
        for line in problem_lines(problems):
            print(f"  - {line}", file=sys.stderr)
    return 1 if problems else 0
