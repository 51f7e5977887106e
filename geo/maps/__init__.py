"""Interactive maps standing in for the plan's Figures 1-8, and the overview.

>>> import tempfile
>>> from pathlib import Path
>>> from geo import Project
>>> from geo.maps import FIGURES, build_map, external_references, save_map
>>> project = Project()                      # or Project("path/to/layers")
>>> layers, cat = project.layers(), project.catalog
>>> m = build_map(FIGURES["fig3"], layers, cat, basemap="osm", gazetteer=project.gazetteer_path)
>>> with tempfile.TemporaryDirectory() as tmp:
...     page = save_map(m, Path(tmp) / "fig3.html", offline=True)
...     fetched = external_references(page.read_text(encoding="utf-8"))
>>> page.name, sorted(set(fetched))     # offline: scripts inlined, only the tiles fetched
('fig3.html', ['https://tile.openstreetmap.org/{z}/{x}/{y}.png'])

Modules: :mod:`~geo.figures.specs` (what each figure shows), :mod:`~geo.figures.styles`
(colours and legend swatches), :mod:`~geo.maps.basemaps` (tiles and display datum),
:mod:`~geo.maps.builder` (the one builder), :mod:`~geo.maps.safe` (the only way text
from data enters a map: escaped for HTML, Jinja and JavaScript, never template
source), :mod:`~geo.maps.assets` (offline inlining) and :mod:`~geo.maps.site` (the
whole site with its index page).
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import folium

from geo.errors import MissingLayerWarning, OfflineAssetError
from geo.figures.layers import figure_layers
from geo.figures.specs import FIGURES, FigureSpec, all_specs, figure_by_id, overview_spec
from geo.maps.assets import external_references, inline_assets
from geo.maps.basemaps import BASEMAP_NAMES, Basemap, resolve_basemap
from geo.maps.builder import build_map
from geo.maps.page import finish_page

__all__ = [
    "BASEMAP_NAMES",
    "FIGURES",
    "Basemap",
    "FigureSpec",
    "InlineMap",
    "MissingLayerWarning",
    "all_specs",
    "build_map",
    "external_references",
    "figure_by_id",
    "figure_layers",
    "overview_spec",
    "render_html",
    "resolve_basemap",
    "save_map",
    "show",
]


def render_html(
    m: folium.Map,
    offline: bool = False,
    title: str = "沙坪坝区地图 Shapingba map",
    skip_to: str = "geo-legend-toggle",
    skip_label: str = "跳到图例 Skip to the legend",
) -> str:
    """Render a map to a complete HTML page.

    The page says its language, title and viewport and opens with a skip link;
    the map's shapes are kept out of the Tab order (:func:`geo.maps.page.finish_page`).

    Parameters
    ----------
    m
        A map from :func:`build_map`.
    offline
        Inline Leaflet and every plugin asset, so the page needs no network
        (except tiles, if the basemap has any).
    title
        The page's title.
    skip_to, skip_label
        Where the skip link moves the focus (an element id), and its text.

    Returns
    -------
    str
    """
    with _utf8_json():
        page = m.get_root().render()
    page = finish_page(page, title, skip_to, skip_label)
    return inline_assets(page) if offline else page


@dataclass(frozen=True)
class InlineMap:
    """A map page for Jupyter: shown inline through ``_repr_html_``.

    Attributes
    ----------
    html
        An ``<iframe>`` whose ``srcdoc`` is the whole page.
    """

    html: str

    def _repr_html_(self) -> str:
        return self.html


def show(m: folium.Map, height: int = 600) -> InlineMap:
    """Show a map inline in Jupyter, with Leaflet and its plugins inlined.

    Displaying a folium map directly loads Leaflet from a CDN, so it stays blank
    without internet. This renders the page as :func:`save_map` with
    ``offline=True`` does and puts it in a sandboxed ``<iframe srcdoc>``; only the
    basemap tiles, if any, still come from the network (``basemap="none"`` needs
    none). Works for any folium map, e.g. one from ``GeoDataFrame.explore()``.

    Parameters
    ----------
    m
        A map from :func:`build_map` or ``explore()``.
    height
        Height of the frame in pixels.

    Returns
    -------
    InlineMap
        Shown when it is the last expression of a cell (or pass it to ``display``).

    Warns
    -----
    UserWarning
        If a plugin's asset has no offline copy: the page then loads its assets
        from the network, as folium does.
    """
    try:
        page = render_html(m, offline=True)
    except OfflineAssetError as exc:  # e.g. a plugin of gdf.explore() without a local copy
        warnings.warn(f"{exc}; shown with its assets from the network", stacklevel=2)
        page = render_html(m)
    return InlineMap(
        f'<iframe srcdoc="{html.escape(page, quote=True)}" '
        f'style="width:100%;height:{int(height)}px;border:none" '
        'sandbox="allow-scripts allow-popups allow-downloads"></iframe>'
    )


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
    m
        The map.
    path
        Destination file.
    offline
        See :func:`render_html`.

    Returns
    -------
    Path
    """
    from geo._io import atomic_write_text

    return atomic_write_text(path, render_html(m, offline))
