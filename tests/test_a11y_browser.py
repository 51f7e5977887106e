"""Map pages for every reader: axe-core finds nothing serious, the legend is near at hand.

A figure page, the locate page and the claims map, built offline from the packaged
data (no tiles), are scanned in headless Chromium with axe-core, vendored in
``tests/data/axe/`` (axe.min.js of the npm package axe-core 4.14.1, MPL-2.0:
unmodified, with its licences beside it). No violation of impact ``serious`` or
``critical`` may remain.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from geo.maps.browser import block_network

AXE = Path(__file__).parent / "data" / "axe" / "axe.min.js"


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    from geo.claims.outputs import write_outputs
    from geo.figures.specs import figure_by_id
    from geo.maps.basemaps import resolve_basemap
    from geo.maps.locate import locate_page
    from geo.maps.site import write_site
    from geo.project import Project

    out = tmp_path_factory.mktemp("a11y")
    project = Project()
    catalog = project.catalog
    layers = project.layers(within_limits=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        specs = [figure_by_id("2", catalog)]
        write_site(out, layers, catalog, "none", True, specs, project.gazetteer_path)
    none = resolve_basemap("none")
    district = layers["district"].geometry.union_all()
    (out / "locate.html").write_text(locate_page(project.gazetteer, none, district), "utf-8")
    write_outputs(out / "claims", basemap="none")
    return {
        "figure": out / "fig2.html",
        "locate": out / "locate.html",
        "claims": out / "claims" / "map.html",
    }


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    block_network(context)
    p = context.new_page()
    yield p
    context.close()


def _open(page, path: Path) -> None:
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-container")
    page.wait_for_timeout(300)


@pytest.mark.parametrize("name", ["figure", "locate", "claims"])
def test_no_serious_or_critical_axe_violation(page, pages, name):
    _open(page, pages[name])
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, n: v.nodes.length,
                first: v.nodes[0].target.join(" ")}));
        }"""
    )
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert bad == [], bad


@pytest.mark.parametrize("name", ["figure", "locate", "claims"])
def test_language_title_viewport_and_skip_link_first(page, pages, name):
    _open(page, pages[name])
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.title().strip()
    viewport = page.evaluate("document.querySelector('meta[name=viewport]').content")
    assert "width=device-width" in viewport
    assert "user-scalable=no" not in viewport
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "geo-skip"
    target = page.evaluate("document.activeElement.getAttribute('href')").lstrip("#")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == target


def test_legend_toggle_within_a_few_tabs_and_no_svg_in_the_way(page, pages):
    _open(page, pages["figure"])
    stops = []
    for _ in range(30):
        page.keyboard.press("Tab")
        stops.append(
            page.evaluate(
                """() => { const e = document.activeElement;
                    return (e instanceof SVGElement ? "svg:" : "") + e.className; }"""
            )
        )
        if "geo-legend-toggle" in stops[-1]:
            break
    assert "geo-legend-toggle" in stops[-1], stops
    assert len(stops) <= 20, stops  # 66 when every SVG path took a Tab
    assert not [s for s in stops if s.startswith("svg:")], stops
    focusable = page.evaluate(
        "[...document.querySelectorAll('svg path')].filter(p => p.tabIndex >= 0).length"
    )
    assert focusable == 0


def test_locate_and_claims_maps_say_when_tiles_fail(pages):
    for name in ("locate", "claims"):
        assert "Basemap tiles could not load" in pages[name].read_text("utf-8"), name


def test_draw_toolbar_only_on_an_edit_build(pages, tmp_path):
    from geo.cli import main

    assert "L.Control.Draw" not in pages["figure"].read_text("utf-8")
    args = ["maps", "--out", str(tmp_path), "--offline", "--basemap", "none", "--figure", "2"]
    assert main([*args, "--edit"]) in (0, 1)
    page = (tmp_path / "fig2.html").read_text("utf-8")
    assert "L.Control.Draw" in page
    assert "fig2-sketch.geojson" in page
