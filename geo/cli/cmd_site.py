"""``geo site``: build the whole site in one process, reusing what has not changed."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add the ``site`` subcommand."""
    p = sub.add_parser(
        "site",
        help="build every map, print and report into one folder, only what changed",
        description="Write what `make maps` publishes: reports/, claims/, print/, "
        "report.pdf, locate.html, offline/, screenshots/, the online maps and both "
        "index pages. The data are loaded once; a page, print or thumbnail whose "
        "inputs and files are unchanged since the last run is reused "
        "(OUT/.build-manifest.json records them). One line per step says built or "
        "reused and the seconds taken; within the print step, each figure written is "
        "reported on stderr.",
    )
    p.add_argument("--out", default="site", help="site folder (default: site)")
    p.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="processes drawing prints (default: up to 2)",
    )
    p.add_argument(
        "--no-thumbnails", action="store_true", help="do not photograph the maps (no Chromium)"
    )
    p.set_defaults(func=run_site)


def run_site(args: argparse.Namespace) -> int:
    """Build the site, one line per step, then the warnings; exit 1 if a layer is not drawn."""
    from geo.console import Progress
    from geo.site.build import STEPS, build_site

    steps = [s for s in STEPS if not (args.no_thumbnails and s == "thumbnails")]
    with Progress("geo site", "unit") as units:  # inside the long print step, on stderr
        results = build_site(args.out, args.jobs, steps, units=units)
    for note in dict.fromkeys(n for r in results for n in r.notes):
        print(f"warning: {note}", file=sys.stderr)
    print(f"site: {Path(args.out) / 'index.html'}")
    not_drawn = results[0].notes
    if not_drawn:
        print(f"{len(not_drawn)} layer(s) not drawn: see the warnings above", file=sys.stderr)
    return 1 if not_drawn else 0
