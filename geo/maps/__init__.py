"""Interactive maps standing in for the plan's Figures 1-8, and the overview.

>>> from geo.layers import load_layers, read_catalog
>>> from geo.maps import FIGURES, build_map, save_map
>>> cat = read_catalog()
>>> m = build_map(FIGURES[2], load_layers(catalog=cat), cat, basemap="osm")
>>> save_map(m, "site/fig3.html", offline=True)

Modules: :mod:`~geo.maps.specs` (what each figure shows), :mod:`~geo.maps.styles`
(colours and legend swatches), :mod:`~geo.maps.basemaps` (tiles and display datum),
:mod:`~geo.maps.builder` (the one builder), :mod:`~geo.maps.safe` (the only way text
from data enters a map: escaped for HTML, Jinja and JavaScript, never template
source), :mod:`~geo.maps.assets` (offline inlining) and :mod:`~geo.maps.site` (the
whole site with its index page).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import folium

from geo.maps.assets import external_references, inline_assets
from geo.maps.basemaps import BASEMAP_NAMES, Basemap, resolve_basemap
from geo.maps.builder import MissingLayerWarning, build_map
from geo.maps.specs import FIGURES, FigureSpec, all_specs, figure_by_id, overview_spec

__all__ = [
    "BASEMAP_NAMES",
    "FIGURES",
    "Basemap",
    "FigureSpec",
    "MissingLayerWarning",
    "all_specs",
    "build_map",
    "external_references",
    "figure_by_id",
    "overview_spec",
    "render_html",
    "resolve_basemap",
    "save_map",
]


def render_html(m: folium.Map, offline: bool = False) -> str:
    """Render a map to a complete HTML page.

    Parameters
    ----------
    m : folium.Map
        A map from :func:`build_map`.
    offline : bool
        Inline Leaflet and every plugin asset, so the page needs no network
        (except tiles, if the basemap has any).

    Returns
    -------
    str
    """
    with _utf8_json():
        page = m.get_root().render()
    return inline_assets(page) if offline else page


@contextmanager
def _utf8_json() -> Iterator[None]:
    """Let folium's templates write Chinese as UTF-8 rather than escaped code points.

    Jinja's ``tojson`` still escapes ``<``, ``>``, ``&`` and ``'``, so the output stays
    safe inside ``<script>``; only the size changes (each Chinese character takes 3
    bytes instead of 6; the overview went from 632 KB to 571 KB).
    """
    env = folium.GeoJson._template.environment
    before = env.policies.get("json.dumps_kwargs")
    env.policies["json.dumps_kwargs"] = {**(before or {}), "ensure_ascii": False}
    try:
        yield
    finally:
        env.policies["json.dumps_kwargs"] = before


def save_map(m: folium.Map, path: str | Path, offline: bool = False) -> Path:
    """Write a map as one HTML file, atomically (temp file, then rename).

    Parameters
    ----------
    m : folium.Map
        The map.
    path : str or Path
        Destination file.
    offline : bool
        See :func:`render_html`.

    Returns
    -------
    Path
    """
    from geo.layers import atomic_write_text

    return atomic_write_text(path, render_html(m, offline))
