"""100 000 firms on Figure 2, offline, in headless Chromium with no network.

The page opens, draws the points on one canvas and names a clicked point in a popup,
as text. The load event comes within 1.5 s of the navigation: the best of three
loads, as other work on a shared machine slows single loads (printed with ``-s``).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from test_dense_points import HOSTILE, N_FIRMS, PAGE_LIMIT_BYTES, _firms

from geo.data.catalog import Catalog, LayerSpec
from geo.figures.specs import figure_by_id
from geo.maps import render_html
from geo.maps.browser import block_network
from geo.maps.builder import build_map
from geo.project import Project

pytestmark = pytest.mark.browser

#: The load event of the page with 100 000 points, from navigation start.
LOAD_LIMIT_MS = 1500
MAP = "window[document.querySelector('.folium-map').id]"


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = Project()
    cat = project.catalog
    spec = LayerSpec("firms", "企业", "Firms", "Point", "site", "企业", (2,), "firms")
    catalog = Catalog({**cat.layers, "firms": spec})
    layers = dict(project.layers())
    layers["firms"] = _firms(N_FIRMS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = build_map(figure_by_id("fig2", catalog), layers, catalog, basemap="none")
        text = render_html(m, offline=True)
    out = tmp_path_factory.mktemp("dense") / "fig2.html"
    out.write_text(text, encoding="utf-8")
    return out


@pytest.fixture
def opened(browser, page_file: Path):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    block_network(context)
    p = context.new_page()
    p.errors, p.dialogs = [], []
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    p.on("dialog", lambda d: (p.dialogs.append(d.message), d.dismiss()))
    p.goto(page_file.as_uri(), wait_until="load", timeout=120_000)
    p.load_ms = p.evaluate("performance.timing.loadEventStart - performance.timing.navigationStart")
    yield p
    context.close()


def test_the_page_opens_and_draws_every_point_on_one_canvas(opened, page_file: Path) -> None:
    size = page_file.stat().st_size
    print(f"\n100 000 points: page {size / 1e6:.1f} MB, load event {opened.load_ms} ms")
    assert size <= PAGE_LIMIT_BYTES
    assert opened.errors == []
    canvases = opened.locator("canvas.geo-dense-points")
    assert canvases.count() == 1
    drawn = int(canvases.first.get_attribute("data-drawn"))
    assert drawn > N_FIRMS // 2  # the view holds most of the district
    painted = opened.evaluate(
        """() => {
            const c = document.querySelector('canvas.geo-dense-points');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) { n++; } }
            return n;
        }"""
    )
    assert painted > 50_000  # pixels, not a blank canvas


def test_the_page_loads_within_1_5_s(browser, page_file: Path) -> None:
    times = []
    for _ in range(3):
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        block_network(context)
        p = context.new_page()
        p.goto(page_file.as_uri(), wait_until="load", timeout=120_000)
        timing = "performance.timing.loadEventStart - performance.timing.navigationStart"
        times.append(p.evaluate(timing))
        context.close()
    print(f"\n100 000 points: load events {times} ms")
    assert min(times) <= LOAD_LIMIT_MS


def test_the_legend_names_the_layer(opened) -> None:
    legend = opened.locator(".geo-legend")
    assert "企业" in legend.inner_text()


def test_a_click_names_the_point_as_text(opened) -> None:
    firm = _firms(N_FIRMS).geometry.iloc[7]
    xy = opened.evaluate(
        f"""([lat, lon]) => {{
            const map = {MAP};
            map.setView([lat, lon], 19, {{animate: false}});
            map.fire('moveend');
            const p = map.latLngToContainerPoint([lat, lon]);
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }}""",
        [firm.y, firm.x],
    )
    opened.mouse.click(xy[0], xy[1])
    popup = opened.locator(".geo-dense-popup")
    popup.wait_for(timeout=10_000)
    assert popup.locator("b").inner_text() == HOSTILE
    assert popup.locator("img").count() == 0
    assert opened.dialogs == []
