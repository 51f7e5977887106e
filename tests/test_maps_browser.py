"""Every figure, offline with ``--basemap none``, in headless Chromium with no network.

Needs Debian's ``/usr/bin/chromium`` (``make test`` installs it). In CI (``CI`` set)
a missing browser fails the run; elsewhere the tests skip with a loud reason.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from geo.data.catalog import read_catalog
from geo.data.layers import _load_layer
from geo.figures.layers import figure_layers
from geo.figures.specs import FIGURES, all_specs
from geo.maps import MissingLayerWarning
from geo.maps.browser import block_network
from geo.maps.site import write_site

pytestmark = pytest.mark.browser

DATA = Path(__file__).parent / "data" / "maps"
XSS = "<img src=x onerror=alert(1)>"
FIG_IDS = [*FIGURES, "overview"]
# Paths of the main map only (the minimap has its own overlay pane).
MAIN_PATHS = (
    "document.querySelector('.folium-map')"
    ".querySelectorAll(':scope > .leaflet-map-pane > .leaflet-overlay-pane .leaflet-interactive')"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GEO_LAYERS_DIR", str(DATA))
        cat = read_catalog(DATA / "catalog.yaml")
        layers = {s.id: _load_layer(s.id, catalog=cat) for s in cat}
    out = tmp_path_factory.mktemp("site")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        write_site(out, layers, cat, "none", offline=True)
        expected = {}
        for spec in all_specs(cat):
            chosen, _ = figure_layers(spec, cat, layers)
            expected[spec.id] = {s.id: len(layers[s.id]) for s in chosen}
    return out, expected


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    block_network(context)  # no network at all: only local files load
    p = context.new_page()
    p.errors, p.dialogs, p.remote = [], [], []
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    p.on("dialog", lambda d: (p.dialogs.append(d.message), d.dismiss()))
    p.on(
        "request",
        lambda r: None if r.url.startswith(("file://", "data:")) else p.remote.append(r.url),
    )
    yield p
    context.close()


@pytest.mark.parametrize("fig_id", FIG_IDS)
def test_figure_renders_offline(site, page, fig_id):
    out, expected = site
    page.goto((out / f"{fig_id}.html").as_uri(), wait_until="load")
    page.wait_for_selector(".geo-legend", timeout=15_000)
    assert page.errors == []
    assert page.remote == []  # nothing asked of the network
    n_features = sum(expected[fig_id].values())
    assert page.evaluate(f"{MAIN_PATHS}.length") >= n_features
    for layer_id, n in expected[fig_id].items():
        assert page.locator(f".geo-l-{layer_id}").count() == n, layer_id
    assert page.locator(".geo-legend").is_visible()
    assert page.locator(".leaflet-control-layers").is_visible()
    assert page.locator(".geo-title").is_visible()
    assert page.locator(".leaflet-control-scale").is_visible()
    assert page.locator(".leaflet-control-minimap").count() == 1


def test_xss_feature_shows_as_text(site, page):
    out, _ = site
    page.goto((out / "fig3.html").as_uri(), wait_until="load")
    page.wait_for_selector(".geo-l-rd_platforms")
    for el in page.locator(".geo-l-rd_platforms").all():
        el.dispatch_event("mouseover")
        el.dispatch_event("click")
        page.wait_for_timeout(50)
        if XSS in (page.locator(".leaflet-popup-content").all_inner_texts() or [""])[0]:
            break
    popup = page.locator(".leaflet-popup-content")
    assert XSS in popup.inner_text()  # shown literally, as text
    assert popup.locator("img").count() == 0
    assert "002_8a077782b689f185.txt:L330" in popup.inner_text()
    page.wait_for_timeout(300)
    assert page.dialogs == []
    assert page.errors == []


def test_schematic_shapes_are_dashed_in_the_browser(site, page):
    out, _ = site
    page.goto((out / "fig2.html").as_uri(), wait_until="load")
    page.wait_for_selector(".geo-l-cities")
    dashes = page.evaluate(
        "Array.from(document.querySelectorAll('.geo-l-cities'))"
        ".map(e => e.getAttribute('stroke-dasharray'))"
    )
    assert dashes
    assert all(d == "8 6" for d in dashes)
    assert page.locator(".geo-l-district").first.get_attribute("stroke-dasharray") is None


# --------------------------------------------------------------------------- script in text
JS_PAYLOAD = "${alert(1)} `${alert(2)}` \\ </script><script>alert(3)</script> {{7*7}}"


def _open_popup(page, selector: str, needle: str) -> str:
    """Click each feature of ``selector`` until a popup shows ``needle``; return its text."""
    for el in page.locator(selector).all():
        el.dispatch_event("mouseover")
        el.dispatch_event("click")
        page.wait_for_timeout(50)
        texts = page.locator(".leaflet-popup-content").all_inner_texts()
        if texts and needle in texts[0]:
            return texts[0]
    return ""


def test_script_syntax_in_a_feature_stays_text_on_a_figure(page, tmp_path):
    from geo.maps import build_map, figure_by_id, save_map

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GEO_LAYERS_DIR", str(DATA))
        cat = read_catalog(DATA / "catalog.yaml")
        layers = {s.id: _load_layer(s.id, catalog=cat) for s in cat}
    layers["rd_platforms"].loc[1, ["name_zh", "claims"]] = [JS_PAYLOAD, JS_PAYLOAD]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        fmap = build_map(figure_by_id("fig3", cat), layers, cat, "none")
    path = save_map(fmap, tmp_path / "fig3.html", offline=True)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector(".geo-l-rd_platforms")
    assert JS_PAYLOAD in _open_popup(page, ".geo-l-rd_platforms", JS_PAYLOAD)
    assert JS_PAYLOAD in page.locator(".leaflet-tooltip").all_inner_texts()[-1]
    page.wait_for_timeout(300)
    assert page.dialogs == []
    assert page.errors == []


def test_script_syntax_in_a_claim_stays_text_on_the_claims_map(page, tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    from geo import claims as cl

    mini = cl.read_ledger(Path(__file__).parent / "data" / "claims" / "mini_ledger.csv")
    first = mini["claim_id"] == mini["claim_id"].iloc[0]
    mini.loc[first, "quote"] = JS_PAYLOAD
    mini["place"] = mini["place"].where(~first, "`${alert(4)}`")
    places = gpd.GeoDataFrame(
        {"name_zh": ["`${alert(4)}`"], "aliases": [""], "accuracy_m": [300.0]},
        geometry=[Point(106.4, 29.6)],
        crs=4326,
    )  # located to ±300 m, so the place is a dot with a popup, not a listed name
    cl.write_outputs(tmp_path, cl.ClaimsContext({"places": places}, (), mini), "none")
    page.goto((tmp_path / "map.html").as_uri(), wait_until="load")
    page.wait_for_selector(".leaflet-interactive")
    assert JS_PAYLOAD in _open_popup(page, ".leaflet-interactive", JS_PAYLOAD)
    assert "`${alert(4)}`" in page.locator(".leaflet-tooltip").all_inner_texts()[-1]
    page.wait_for_timeout(300)
    assert page.dialogs == []
    assert page.errors == []
