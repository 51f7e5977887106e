"""The placement rule in the browser: every figure on the real layers.

Uses the ``browser`` fixture of ``conftest.py`` (Debian's Chromium, skipped loudly
when missing, failing in CI).

Offline pages (``--basemap none``) in headless Chromium with no network, at a desktop
and a phone size: no two point symbols within 3 px of each other unless clustered,
count badges visible, and the "not located" panel listing every unlocated platform.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from geo.data.catalog import read_catalog
from geo.data.layers import _load_layer
from geo.data.placement import placement
from geo.figures.specs import FIGURES, overview_spec
from geo.maps import MissingLayerWarning, build_map, save_map
from geo.maps.browser import block_network

pytestmark = pytest.mark.browser

#: Figures whose coarse point features are known to lie in drawable areas.
BADGED = ("fig2", "overview")
VIEWPORTS = ({"width": 1600, "height": 1000}, {"width": 390, "height": 844})
#: Centres (px) of the visible point symbols of the main map: one element each.
POINT_CENTRES = """(ids) => {
  const pane = document.querySelector('.folium-map > .leaflet-map-pane');
  const out = [];
  for (const id of ids) {
    for (const el of pane.querySelectorAll('.geo-l-' + id)) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) out.push([r.x + r.width / 2, r.y + r.height / 2, id]);
    }
  }
  return out;
}"""

#: Pairs of a badge and another badge, a cluster icon or a point symbol that overlap.
BADGE_OVERLAPS = """() => {
  const pane = document.querySelector('.folium-map');
  const rects = s => Array.from(pane.querySelectorAll(s))
    .map(e => [e.textContent || 'symbol', e.getBoundingClientRect()])
    .filter(x => x[1].width > 0);
  const badges = rects('.geo-badge');
  const symbols = rects('.marker-cluster').concat(
    rects('.leaflet-overlay-pane path.leaflet-interactive')
      .filter(x => x[1].width <= 48 && x[1].height <= 48));
  const hit = (a, b) =>
    a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
  const out = [];
  badges.forEach((a, i) => {
    badges.slice(i + 1).forEach(b => { if (hit(a[1], b[1])) out.push([a[0], b[0]]); });
    symbols.forEach(o => { if (hit(a[1], o[1])) out.push([a[0], o[0]]); });
  });
  return out;
}"""


@pytest.fixture(scope="module")
def real():
    cat = read_catalog()
    layers = {s.id: _load_layer(s.id, catalog=cat) for s in cat}
    return cat, layers


@pytest.fixture(scope="module")
def pages(real, tmp_path_factory):
    cat, layers = real
    out = tmp_path_factory.mktemp("placement")
    paths = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        for spec in (*FIGURES.values(), overview_spec(cat)):
            paths[spec.id] = save_map(
                build_map(spec, layers, cat, basemap="none"), out / spec.filename, offline=True
            )
    return paths


def _open(browser, path: Path, viewport: dict[str, int]):
    context = browser.new_context(viewport=viewport)
    block_network(context)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector(".geo-legend", timeout=15_000)
    page.wait_for_timeout(1200)  # the view settles, fonts load, badges move apart
    return context, page


def _point_layers(cat) -> list[str]:
    return [s.id for s in cat if s.geometry_type.removeprefix("Multi") == "Point"]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
@pytest.mark.parametrize("fig_id", [*FIGURES, "overview"])
def test_no_point_hides_another(browser, pages, real, fig_id, viewport):
    cat, _ = real
    context, page = _open(browser, pages[fig_id], viewport)
    try:
        for _zoom in range(2):  # the initial view, then one level closer
            assert page.errors == []
            assert _stacked(page.evaluate(POINT_CENTRES, _point_layers(cat))) == []
            badges = page.locator(".geo-badge")
            if fig_id in BADGED:
                assert badges.count() > 0
            assert all(b.is_visible() for b in badges.all())
            assert page.evaluate(BADGE_OVERLAPS) == []
            page.locator(".leaflet-control-zoom-in").click()
            page.wait_for_timeout(1200)
    finally:
        context.close()


def _stacked(centres: list) -> list:
    """Pairs of point symbols whose centres are within 3 px of each other."""
    return [
        (a[2], b[2])
        for i, a in enumerate(centres)
        for b in centres[i + 1 :]
        if abs(a[0] - b[0]) < 3 and abs(a[1] - b[1]) < 3
    ]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_not_located_panel_lists_unlocated_platforms(browser, pages, real, viewport):
    _, layers = real
    rd = layers["rd_platforms"]
    unlocated = rd.loc[placement(rd) == "unlocated", "name_zh"]
    assert len(unlocated) > 0  # the real data has platforms known only "in the district"
    context, page = _open(browser, pages["fig3"], viewport)
    try:
        panel = page.locator(".geo-unlocated")
        assert panel.count() == 1
        assert "位置未定" in panel.inner_text()
        box = panel.locator("details.geo-unlocated-box")
        narrow = viewport["width"] < 600
        assert box.evaluate("d => d.open") is not narrow  # closed on a phone, open otherwise
        if narrow:
            box.locator("> summary").click()
        panel.locator("details[data-layer='rd_platforms'] summary").click()
        text = panel.inner_text()
        assert all(name in text for name in unlocated)
        # never drawn: at most the point- and schematic-level platforms have a symbol of
        # their own (a cluster may hold some of them)
        drawn = page.locator(".geo-l-rd_platforms").count()
        assert drawn <= int(placement(rd).isin(["point", "schematic"]).sum())
    finally:
        context.close()
