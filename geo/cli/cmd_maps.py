"""``geo maps``: write the interactive figures, the overview and the index page."""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import TYPE_CHECKING, Any

from geo._errors import DeriveError, GazetteerError, LayerValidationError
from geo.cli._lazy import lazy_choices
from geo.limits import SIMPLIFY_FIX, layer_size_problem

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.catalog import Catalog

#: Load failures that skip one layer (with a message) instead of stopping the site:
#: a derived layer whose rule module is not there yet, a place not yet in the
#: gazetteer, or a file with problems. The site is built from what is valid and the
#: command exits 1, so a broken layer is reported, never silently dropped.
_SKIPPABLE = (ImportError, DeriveError, GazetteerError, FileNotFoundError, LayerValidationError)


def register(sub: Any) -> None:
    """Add the ``maps`` subcommand."""
    p = sub.add_parser(
        "maps",
        help="write the interactive maps (Figures 1-8, overview) and their index page",
        description="Write SITE/fig1.html ... SITE/fig8.html, SITE/overview.html and "
        "SITE/index.html from the catalog's layers. Layers a figure names but the "
        "catalog lacks are skipped with a warning; layers that fail to load are "
        "reported and the command exits 1.",
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
        "--figure",
        action="append",
        metavar="ID",
        help="only this figure (fig3, 3 or overview); repeatable",
    )
    p.set_defaults(func=run_maps)


def load_for_maps(catalog: Catalog) -> tuple[dict[str, gpd.GeoDataFrame], list[str]]:
    """Load every catalog layer; return the layers and a message per layer skipped.

    A layer over the size limits of :mod:`geo.limits` is skipped too: drawn, it
    would make a page too large to open.

    Parameters
    ----------
    catalog : Catalog
        The catalog.

    Returns
    -------
    tuple of (dict of str to GeoDataFrame, list of str)
    """
    import shapely

    from geo.layers import load_each

    loaded, failed = load_each(catalog, _SKIPPABLE)
    skipped = [f"layer {lid} not drawn: {exc}" for lid, exc in failed.items()]
    layers: dict[str, gpd.GeoDataFrame] = {}
    for lid, gdf in loaded.items():
        vertices = int(shapely.get_num_coordinates(gdf.geometry.values).sum())
        too_big = layer_size_problem(len(gdf), vertices)
        if too_big:
            skipped.append(f"layer {lid} not drawn: {too_big}; {SIMPLIFY_FIX}")
        else:
            layers[lid] = gdf
    return layers, skipped


def run_maps(args: argparse.Namespace) -> int:
    """Build the site and print where every file is."""
    from geo.layers import read_catalog
    from geo.maps.basemaps import resolve_basemap
    from geo.maps.site import write_site
    from geo.maps.specs import figure_by_id

    basemap = resolve_basemap(args.basemap)  # fail fast on a missing key
    catalog = read_catalog()
    try:  # checked before the layers are loaded, so a typo fails at once
        specs = [figure_by_id(f, catalog) for f in args.figure] if args.figure else None
    except KeyError as exc:
        print(f"geo maps: error: {exc.args[0]}", file=sys.stderr)
        return 2
    layers, skipped = load_for_maps(catalog)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = write_site(args.out, layers, catalog, basemap, args.offline, specs)
    for msg in dict.fromkeys([*skipped, *(str(w.message) for w in caught)]):
        print(f"warning: {msg}", file=sys.stderr)
    mode = "offline, self-contained" if args.offline else "online"
    print(f"wrote {len(result.pages)} map(s) ({mode}, basemap {basemap.name}) to {result.out_dir}:")
    for fig_id, path in result.pages.items():
        print(f"  {path}  {result.sizes[fig_id] / 1024:.0f} KB")
    print(f"index: {result.index}")
    if skipped:
        print(f"{len(skipped)} layer(s) not drawn: see the warnings above", file=sys.stderr)
    return 1 if skipped else 0
