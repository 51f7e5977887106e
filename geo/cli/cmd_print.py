"""``geo print``: Figures 1-8 and the overview as PNG and PDF, and the report with figures."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import warnings
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the ``print`` subcommand."""
    p = sub.add_parser(
        "print",
        help="print Figures 1-8 and the overview as PNG and PDF (A4/A3)",
        description="Write OUT/fig1.png, OUT/fig1.pdf ... OUT/overview.pdf: the web maps' "
        "figures drawn as planning figures in EPSG:4544 with title, legend, north arrow, "
        "scale bar, labels, locator and source block. With --report SITE, also write "
        "SITE/reports/report.html (also as index.html) and report.md showing the "
        "figures beside the tables, and "
        "SITE/report.pdf (figures, zone tables, claims summary).",
    )
    p.add_argument("--out", required=True, help="output folder, e.g. site/print")
    p.add_argument(
        "--figures",
        default="all",
        help="comma-separated figures: 1,2,... fig3, overview or all (default all)",
    )
    p.add_argument("--paper", default="A4", choices=["A4", "A3"], help="paper (default A4)")
    p.add_argument(
        "--orientation",
        default="landscape",
        choices=["landscape", "portrait"],
        help="orientation (default landscape)",
    )
    p.add_argument("--dpi", type=float, default=300, help="PNG resolution (default 300)")
    p.add_argument("--format", default="png,pdf", help="png, pdf or png,pdf (default both)")
    p.add_argument(
        "--max-accuracy-m",
        type=float,
        default=None,
        help="largest positional error drawn as a point, in metres (default: each "
        "figure's own, FigureSpec.max_accuracy_m)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="processes drawing figures in parallel (default: up to 2)",
    )
    p.add_argument(
        "--report",
        metavar="SITE",
        help="also write the report pages with the figures and SITE/report.pdf",
    )
    p.add_argument(
        "--claims",
        metavar="CSV",
        help="judged claims for report.pdf (default SITE/claims/claims_report.csv)",
    )
    p.set_defaults(func=run_print)


def _report_missing(specs: Any, layers: Any, catalog: Any) -> None:
    """Print a warning per layer a figure names but cannot draw (not on the print itself)."""
    from geo.figures.layers import figure_layers

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for spec in specs:
            figure_layers(spec, catalog, layers)
    for msg in dict.fromkeys(str(w.message) for w in caught):
        print(f"warning: {msg}", file=sys.stderr)


def run_print(args: argparse.Namespace) -> int:
    """Print the figures and say where every file is."""
    from geo.console import Progress
    from geo.figures.specs import all_specs, figures_from_text
    from geo.printing.output import PrintJob, write_prints
    from geo.printing.paper import Page
    from geo.project import Project
    from geo.site.report_files import write_report_with_figures

    project = Project()
    catalog = project.catalog
    try:
        specs = figures_from_text(args.figures, catalog)
        formats = tuple(f.strip().lower() for f in args.format.split(",") if f.strip())
        job = PrintJob(
            Page(args.paper, args.orientation),
            args.dpi,
            formats,
            args.max_accuracy_m,
            dt.date.today(),
        )
    except (KeyError, ValueError) as exc:
        print(f"geo print: error: {exc.args[0]}", file=sys.stderr)
        return 2
    layers = project.layers(within_limits=True)
    _report_missing(specs, layers, catalog)
    with Progress("geo print", "figure") as progress:  # one line per figure, on stderr
        written = write_prints(
            args.out, specs, layers, catalog, job, project.gazetteer, args.jobs, progress
        )
    w, h = job.page.pixels(job.dpi)
    print(
        f"wrote {len(written)} figure(s) ({args.paper} {args.orientation}, {job.dpi:g} dpi "
        f"= {w}x{h} px) to {args.out}:"
    )
    for paths in written.values():
        print("  " + "  ".join(str(p) for p in paths.values()))
    if args.report:
        site, prints = Path(args.report), Path(args.out)
        every = all_specs(catalog)
        for path in write_report_with_figures(
            site, prints, written, args.claims, layers, catalog, every, project.problems
        ):
            print(f"wrote {path}")
    return 1 if project.problems else 0
