"""``geo print``: Figures 1-8 and the overview as PNG and PDF, and the report with figures."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

from geo._io import atomic_write_bytes, atomic_write_text
from geo.cli.cmd_maps import load_for_maps


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
        default=1000.0,
        help="largest positional error drawn as a point, in metres (default 1000)",
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


def _specs(text: str, catalog: Any) -> list[Any]:
    from geo.maps.specs import all_specs, figure_by_id

    if text.strip() in {"", "all"}:
        return list(all_specs(catalog))
    return [figure_by_id(part.strip(), catalog) for part in text.split(",") if part.strip()]


def _write_report(
    site: Path, out: Path, written: dict, claims_csv: str | None, layers: dict, catalog: Any
) -> list[Path]:
    """Write the report pages with the figures, and report.pdf."""
    import pandas as pd

    from geo import report
    from geo.maps.specs import all_specs
    from geo.printing.bundle import report_pdf

    missing = {lid: "could not be loaded" for lid in report.REPORT_LAYERS if lid not in layers}
    rep = report.build_report(layers, catalog, missing)
    folder = site / "reports"
    rel = Path(os.path.relpath(out, folder)).as_posix()
    specs = [s for s in all_specs(catalog) if s.id in written]
    figures = [
        (s.title_zh, f"{rel}/{s.id}.png", f"{rel}/{s.id}.pdf")
        for s in specs
        if {"png", "pdf"} <= set(written[s.id])
    ]
    page = report.report_html(rep, figures)
    paths = [
        atomic_write_text(folder / "report.html", page),
        atomic_write_text(folder / "index.html", page),  # the page the site index links
        atomic_write_text(folder / "report.md", report.report_markdown(rep, figures)),
    ]
    csv = Path(claims_csv) if claims_csv else site / "claims" / "claims_report.csv"
    claims = pd.read_csv(csv) if csv.is_file() else None
    pdfs = [written[s.id]["pdf"].read_bytes() for s in specs if "pdf" in written[s.id]]
    data = report_pdf(pdfs, rep, claims, built=dt.date.today())
    paths.append(atomic_write_bytes(site / "report.pdf", data))
    return paths


def run_print(args: argparse.Namespace) -> int:
    """Print the figures and say where every file is."""
    from geo.gazetteer import load_gazetteer
    from geo.layers import read_catalog
    from geo.printing import Page
    from geo.printing.output import PrintJob, write_prints

    catalog = read_catalog()
    try:
        specs = _specs(args.figures, catalog)
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
    layers, skipped = load_for_maps(catalog)
    written = write_prints(args.out, specs, layers, catalog, job, load_gazetteer(), args.jobs)
    for msg in skipped:
        print(f"warning: {msg}", file=sys.stderr)
    w, h = job.page.pixels(job.dpi)
    print(
        f"wrote {len(written)} figure(s) ({args.paper} {args.orientation}, {job.dpi:g} dpi "
        f"= {w}x{h} px) to {args.out}:"
    )
    for paths in written.values():
        print("  " + "  ".join(str(p) for p in paths.values()))
    if args.report:
        site = Path(args.report)
        for path in _write_report(site, Path(args.out), written, args.claims, layers, catalog):
            print(f"wrote {path}")
    return 1 if skipped else 0
