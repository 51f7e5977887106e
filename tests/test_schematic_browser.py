"""The schematic tier in the browser: Figures 2, 3 and 4 on the real layers.

Offline pages (``--basemap none``) in headless Chromium, at a desktop and a phone
size: every feature known to ±5 km is on the map (as a symbol or inside a cluster
count), no two symbols overlap at the opening view, and every count badge stands
within 40 px of its zone and inside the map, on a zone the figure draws as a layer
(Figure 2) or faintly, as context (Figures 3 and 5).
"""

from __future__ import annotations

import warnings

import pytest

from geo.data.catalog import read_catalog
from geo.data.layers import _load_layer
from geo.figures.depiction import depict
from geo.figures.layers import figure_layers
from geo.figures.placed import BADGE_REACH_PX
from geo.figures.specs import figure_by_id
from geo.maps import MissingLayerWarning, build_map, save_map
from geo.maps.browser import block_network

pytestmark = pytest.mark.browser

VIEWPORTS = ({"width": 1600, "height": 1000}, {"width": 390, "height": 844})
FIGS = ("fig2", "fig3", "fig4")
#: Figures with count badges: on zones of their layers (2) or on context zones (3, 5).
BADGED = ("fig2", "fig3", "fig5")

#: Point and schematic symbols (small SVG paths) and cluster icons: [kind, count, rect].
SYMBOLS = """(ids) => {
  const map = document.querySelector('.folium-map > .leaflet-map-pane');
  const out = [];
  ids.forEach(id => map.querySelectorAll('path.geo-l-' + id).forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.width > 0) out.push(['symbol', 1, r.toJSON()]);
  }));
  map.querySelectorAll('.marker-cluster').forEach(e => {
    out.push(['cluster', +e.textContent, e.getBoundingClientRect().toJSON()]);
  });
  return out;
}"""

#: Each badge: its text, its rectangle, the point of its zone it stands for, the map box.
BADGES = """() => {
  const map = document.querySelector('.folium-map');
  const box = map.getBoundingClientRect().toJSON();
  return Array.from(map.querySelectorAll('.geo-badge')).map(b => {
    return [b.textContent, b.getBoundingClientRect().toJSON(), [+b.dataset.ax, +b.dataset.ay],
            box];
  });
}"""


@pytest.fixture(scope="module")
def real():
    cat = read_catalog()
    return cat, {s.id: _load_layer(s.id, catalog=cat) for s in cat}


@pytest.fixture(scope="module")
def pages(real, tmp_path_factory):
    cat, layers = real
    out = tmp_path_factory.mktemp("schematic")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        return {
            f: save_map(
                build_map(figure_by_id(f, cat), layers, cat, basemap="none"),
                out / f"{f}.html",
                offline=True,
            )
            for f in dict.fromkeys(FIGS + BADGED)
        }


def _drawn(real, fig_id: str) -> int:
    """Features the figure draws as points or schematic symbols (the decision)."""
    cat, layers = real
    spec = figure_by_id(fig_id, cat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        chosen, _ = figure_layers(spec, cat, layers)
    return sum(len(ld.drawn) for ld in depict(spec, chosen, layers, cat).layers)


def _open(browser, path, viewport):
    context = browser.new_context(viewport=viewport)
    block_network(context)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector(".geo-legend", timeout=15_000)
    page.wait_for_timeout(1200)  # the view settles, fonts load, badges move
    return context, page


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"] - 0.5
        and b["left"] < a["right"] - 0.5
        and a["top"] < b["bottom"] - 0.5
        and b["top"] < a["bottom"] - 0.5
    )


def _gap(point: list[float], r: dict) -> float:
    """Distance in px from a point to a rectangle (0 inside)."""
    dx = max(r["left"] - point[0], 0.0, point[0] - r["right"])
    dy = max(r["top"] - point[1], 0.0, point[1] - r["bottom"])
    return (dx * dx + dy * dy) ** 0.5


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
@pytest.mark.parametrize("fig_id", FIGS)
def test_every_near_feature_is_drawn_and_no_symbol_overlaps(browser, pages, real, fig_id, viewport):
    context, page = _open(browser, pages[fig_id], viewport)
    try:
        assert page.errors == []
        points = [s.id for s in real[0] if s.geometry_type.removeprefix("Multi") == "Point"]
        symbols = page.evaluate(SYMBOLS, points)
        assert sum(n for _, n, _ in symbols) == _drawn(real, fig_id)
        rects = [r for _, _, r in symbols]
        hits = [(i, j) for i, a in enumerate(rects) for j in range(i) if _overlap(a, rects[j])]
        assert hits == [], [(rects[i], rects[j]) for i, j in hits]
        assert page.locator(".geo-schematic-symbol").count() > 0
        assert page.locator(".geo-legend-tier").count() == 2
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
@pytest.mark.parametrize("fig_id", BADGED)
def test_badges_stay_near_their_zone_and_on_the_map(browser, pages, fig_id, viewport):
    context, page = _open(browser, pages[fig_id], viewport)
    try:
        badges = page.evaluate(BADGES)
        assert badges  # the zones its coarse features lie in are drawn, as layers or faintly
        if fig_id != "fig2":  # no city or screen layer: the zones are drawn as context
            assert page.locator("path.geo-context-zone").count() >= 1
        for text, rect, anchor, box in badges:
            assert _gap(anchor, rect) <= BADGE_REACH_PX, text
            # inside the map (to a pixel: a centred badge has sub-pixel edges)
            assert box["left"] - 1 <= rect["left"], text
            assert rect["right"] <= box["right"] + 1, text
            assert box["top"] - 1 <= rect["top"], text
            assert rect["bottom"] <= box["bottom"] + 1, text
    finally:
        context.close()
