"""Render every figure of a built site in headless Chromium and save PNG thumbnails.

Usage::

    geo maps --out site --offline          # build the maps first
    python scripts/screenshots.py --site site [--network]

Writes ``site/screenshots/<id>.png`` for each ``fig*.html`` and ``overview.html``,
then rewrites ``site/index.html`` so it shows the thumbnails. Uses Debian's
``/usr/bin/chromium`` (``apt-get install chromium``), never a downloaded browser.
Network is blocked unless ``--network`` is given (tiles then load), so by default
the pictures are reproducible and only offline maps look complete.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.maps.browser import CHROMIUM, block_network, launch


def figure_pages(site: Path) -> list[Path]:
    """Return the figure pages of a site folder: fig1 ... fig8, then the overview."""
    figs = sorted(site.glob("fig*.html"), key=lambda p: (len(p.stem), p.stem))
    overview = site / "overview.html"
    return figs + ([overview] if overview.exists() else [])


def capture(pages: list[Path], out_dir: Path, network: bool, size: tuple[int, int]) -> list[Path]:
    """Screenshot each page after its map has drawn; return the PNG paths."""
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as pw:
        browser = launch(pw)
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        if not network:
            block_network(context)
        page = context.new_page()
        for html in pages:
            page.goto(html.resolve().as_uri(), wait_until="load")
            page.wait_for_selector(".leaflet-overlay-pane svg", timeout=15_000)
            page.wait_for_timeout(1500 if network else 300)  # tiles, if any
            png = out_dir / f"{html.stem}.png"
            page.screenshot(path=str(png))
            written.append(png)
            print(f"  {png}")
        browser.close()
    return written


def rewrite_index(site: Path) -> Path:
    """Rewrite the index page so it shows the new thumbnails."""
    from geo._errors import CatalogError
    from geo.catalog import Catalog
    from geo.layers import read_catalog
    from geo.maps.site import write_index
    from geo.maps.specs import all_specs

    try:
        catalog = read_catalog()
    except CatalogError:
        catalog = Catalog({})  # captions do not depend on the catalog
    specs = [s for s in all_specs(catalog) if (site / s.filename).exists()]
    return write_index(site, specs)


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
    capture(pages, args.out or args.site / "screenshots", args.network, (args.width, args.height))
    print(f"index: {rewrite_index(args.site)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
