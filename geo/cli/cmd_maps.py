"""``geo maps``: write the interactive figures, the overview and the index page."""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import Any

from geo.cli._lazy import lazy_choices

__all__ = ["register", "run_maps", "write_record"]


def register(sub: Any) -> None:
    """Add the ``maps`` subcommand."""
    p = sub.add_parser(
        "maps",
        help="write the interactive maps (Figures 1-8, overview) and their index page",
        description="Write SITE/fig1.html ... SITE/fig8.html, SITE/overview.html and "
        "SITE/index.html from the catalog's layers. Layers that fail to load, or are "
        "too large to draw, are reported and the command exits 1.",
    )
    p.add_argument("--out", default="site", help="output folder (default: site)")
    basemap = p.add_argument(
        "--basemap",
        default="osm",
        help="tiles: osm (default), cartodb, gaode (layers shifted to GCJ-02), "
        "tianditu (needs TIANDITU_KEY), none (no tiles, fully offline)",
    )
    lazy_choices(basemap, "geo.maps.basemaps", "BASEMAP_NAMES")
    p.add_argument(
        "--offline",
        action="store_true",
        help="inline Leaflet and every plugin into each file (no CDN; tiles only)",
    )
    p.add_argument(
        "--edit",
        action="store_true",
        help="add the Draw toolbar and its Export button, to sketch shapes for "
        "`geo add-layer` (off: maps for reading)",
    )
    p.add_argument(
        "--figure",
        action="append",
        metavar="ID",
        help="only this figure (fig3, 3 or overview); repeatable",
    )
    p.set_defaults(func=run_maps)


def run_maps(args: argparse.Namespace) -> int:
    """Build the site and print where every file is."""
    from geo.figures.specs import figures_from_text
    from geo.maps.basemaps import resolve_basemap
    from geo.maps.site import write_site
    from geo.project import Project

    basemap = resolve_basemap(args.basemap)  # fail fast on a missing key
    project = Project()
    catalog = project.catalog
    try:  # checked before the layers are loaded, so a typo fails at once
        specs = figures_from_text(",".join(args.figure), catalog) if args.figure else None
    except KeyError as exc:
        print(f"geo maps: error: {exc.args[0]}", file=sys.stderr)
        return 2
    layers = project.layers(within_limits=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        places = project.gazetteer_path  # read only if a badge stands on a gazetteer area
        result = write_site(
            args.out, layers, catalog, basemap, args.offline, specs, places, args.edit
        )
    for msg in dict.fromkeys(str(w.message) for w in caught):
        print(f"warning: {msg}", file=sys.stderr)
    mode = "offline, self-contained" if args.offline else "online"
    print(f"wrote {len(result.pages)} map(s) ({mode}, basemap {basemap.name}) to {result.out_dir}:")
    for fig_id, path in result.pages.items():
        print(f"  {path}  {result.sizes[fig_id] / 1024:.0f} KB")
    print(f"index: {result.index}")
    print(f"record: {write_record(result.out_dir, layers, catalog)}")
    if project.problems:
        n = len(project.problems)
        print(f"{n} layer(s) not drawn: see the warnings above", file=sys.stderr)
    return 1 if project.problems else 0


def write_record(out_dir: Any, layers: Any, catalog: Any) -> Any:
    """Write ``figures.json`` (how every figure shows each feature) into ``out_dir``.

    Every figure is recorded, whichever ``--figure`` was asked for, so the file does
    not depend on the command's options.
    """
    from pathlib import Path

    from geo._io import atomic_write_bytes
    from geo.figures.depiction import RECORD_NAME, figures_json
    from geo.figures.specs import all_specs

    data = figures_json(all_specs(catalog), layers, catalog)
    return atomic_write_bytes(Path(out_dir) / RECORD_NAME, data)
