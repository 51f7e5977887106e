"""Render every figure of a built site in headless Chromium and save PNG thumbnails.

Usage::

    geo maps --out site --offline          # build the maps first
    python scripts/screenshots.py --site site [--network]

Writes ``site/screenshots/<id>.png`` for each ``fig*.html`` and ``overview.html``,
then rewrites ``site/index.html`` so it shows the thumbnails. Uses Debian's
``/usr/bin/chromium`` (``apt-get install chromium``), never a downloaded browser.
Network is blocked unless ``--network`` is given (tiles then load), so by default
the pictures are reproducible and only offline maps look complete. Each page is
photographed when its map is ready (:mod:`geo.maps.thumbnails`). ``geo site`` does
this as one of its steps, and retakes a thumbnail only when its page changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo._io import atomic_write_bytes
from geo.maps.browser import CHROMIUM
from geo.maps.thumbnails import figure_pages, photograph


def capture(pages: list[Path], out_dir: Path, network: bool, size: tuple[int, int]) -> list[Path]:
    """Screenshot each page once its map is ready; return the PNG paths."""
    shots = photograph(pages, network, size)
    return [atomic_write_bytes(out_dir / f"{stem}.png", png) for stem, png in shots.items()]


def rewrite_index(site: Path) -> Path:
    """Rewrite the index page so it shows the new thumbnails."""
    from geo.data.catalog import Catalog, read_catalog
    from geo.errors import CatalogError
    from geo.figures.specs import all_specs
    from geo.maps.site import first_glance, write_index
    from geo.project import load_for_maps

    try:
        catalog = read_catalog()
    except CatalogError:
        catalog = Catalog({})  # captions do not depend on the catalog
    specs = [s for s in all_specs(catalog) if (site / s.filename).exists()]
    layers, _ = load_for_maps(catalog) if len(catalog) else ({}, [])
    return write_index(site, specs, first_glance(specs, catalog, layers))


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, capture the screenshots and rewrite the index."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", default="site", type=Path, help="site folder (default: site)")
    ap.add_argument("--out", type=Path, help="PNG folder (default: SITE/screenshots)")
    ap.add_argument("--network", action="store_true", help="let tiles load from the internet")
    ap.add_argument("--width", type=int, default=1200)
    ap.add_argument("--height", type=int, default=900)
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found: apt-get install chromium", file=sys.stderr)
        return 2
    pages = figure_pages(args.site)
    if not pages:
        print(f"no figures in {args.site}: run `geo maps --out {args.site}` first", file=sys.stderr)
        return 2
    print(f"screenshots of {len(pages)} page(s):")
    out = args.out or args.site / "screenshots"
    for path in capture(pages, out, args.network, (args.width, args.height)):
        print(f"  {path}")
    print(f"index: {rewrite_index(args.site)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
