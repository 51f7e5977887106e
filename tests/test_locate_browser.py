"""The locate page in headless Chromium with no network: drag, export, apply.

Needs Debian's ``/usr/bin/chromium``. In CI (``CI`` set) a missing browser fails the
run; elsewhere the tests skip with a loud reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import prcoords
import pytest
from pyproj import Geod

from geo.cli import main
from geo.data.gazetteer import load_gazetteer
from geo.data.layers import _load_layer
from geo.gis.correction import parse_gazetteer_text
from geo.maps.assets import external_references
from geo.maps.basemaps import resolve_basemap
from geo.maps.browser import CHROMIUM, block_network, launch
from geo.maps.locate import locate_page

pytestmark = pytest.mark.browser

DATA = Path(__file__).parent / "data" / "gazetteer_fix"
GEOD = Geod(ellps="WGS84")
SWUPL = (106.4296, 29.5711)  # where the fixture's 西南政法大学 really is, WGS-84
HOSTILE = "</script><img src=x onerror=alert(1)>{{ 7*7 }}"


def _need_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    msg = f"BROWSER TESTS NOT RUN: {CHROMIUM} is missing (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(msg + " -- required in CI", pytrace=False)
    pytest.skip(msg)


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


@pytest.fixture(scope="module")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


def _open(browser, path: Path):
    context = browser.new_context(viewport={"width": 1200, "height": 800}, accept_downloads=True)
    block_network(context)
    page = context.new_page()
    page.errors, page.dialogs = [], []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_function("window.locateMarkers !== undefined")
    return page


def _write_page(fix_layers: Path, basemap: str, out: Path) -> Path:
    district = _load_layer("district").geometry.union_all()
    gaz = load_gazetteer(fix_layers / "gazetteer.csv")
    out.write_text(locate_page(gaz, resolve_basemap(basemap), district), encoding="utf-8")
    return out


def _drag(page, name: str, lon: float, lat: float) -> None:
    """Zoom to the marker, then drag it with the mouse to (lon, lat) in map coordinates."""
    page.evaluate(
        """([name]) => {
          const s = window.locateMarkers.find(t => t.place.name_zh === name);
          s.marker._map.setView(s.marker.getLatLng(), 16, {reset: true});
        }""",
        [name],
    )
    page.wait_for_function("window.locateMarkers[0].marker._map.getZoom() === 16")
    start = page.locator(f'.leaflet-marker-icon[title="{name}"]').bounding_box()
    target = page.evaluate(
        """([lon, lat]) => {
          const map = window.locateMarkers[0].marker._map;
          const p = map.latLngToContainerPoint([lat, lon]);
          const r = map.getContainer().getBoundingClientRect();
          return [p.x + r.left, p.y + r.top];
        }""",
        [lon, lat],
    )
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(target[0], target[1], steps=15)
    page.mouse.up()


def test_drag_export_apply_moves_the_place(browser, fix_layers, tmp_path, capsys):
    page = _open(browser, _write_page(fix_layers, "none", tmp_path / "locate.html"))
    assert page.locator("#locate-list li").count() == 6  # the fixture's approximate places
    _drag(page, "西南政法大学", *SWUPL)
    with page.expect_download() as info:
        page.click("#locate-export")
    csv_path = tmp_path / "export.csv"
    info.value.save_as(csv_path)
    assert page.errors == []
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "name_zh,lon,lat,zoom"
    assert len(lines) == 2  # only the moved marker
    assert lines[1].startswith("西南政法大学,")
    assert lines[1].endswith(",16")  # dropped at zoom 16
    code = main(["gazetteer", "apply", str(csv_path), "--crs", "wgs84", "--source", "locate page"])
    printed = capsys.readouterr()
    assert code == 0, printed.out + printed.err
    _, rows = parse_gazetteer_text((fix_layers / "gazetteer.csv").read_text(encoding="utf-8"))
    row = next(r for r in rows if r["name_zh"] == "西南政法大学")
    assert _metres((float(row["lon"]), float(row["lat"])), SWUPL) < 10  # a few pixels at z16
    assert not row["note"].startswith("APPROXIMATE")
    assert row["accuracy_m"] == "330"  # campus 300 m + 10 px at zoom 16 (21 m), rounded up
    moved = _load_layer("sites").set_index("id").geometry["site-swupl"]
    assert _metres((moved.x, moved.y), SWUPL) < 10


def test_over_gaode_tiles_the_export_is_converted_back_to_wgs84(browser, fix_layers, tmp_path):
    page = _open(browser, _write_page(fix_layers, "gaode", tmp_path / "locate.html"))
    shown = page.evaluate(
        """() => { const s = window.locateMarkers.find(t => t.place.name_zh === '西南政法大学');
                   return [s.place.lon, s.place.lat]; }"""
    )
    gcj = prcoords.wgs_gcj((29.572770, 106.432488))  # the anchor, shifted for display
    assert _metres(tuple(shown), (gcj.lon, gcj.lat)) < 0.5
    # drop the marker on the GCJ-02 position of the true place, as a user would on Gaode
    target = prcoords.wgs_gcj((SWUPL[1], SWUPL[0]))
    csv_text = page.evaluate(
        """([lon, lat]) => { const s = window.locateMarkers.find(
                                 t => t.place.name_zh === '西南政法大学');
                             s.marker.setLatLng([lat, lon]); s.marker.fire('dragend');
                             return window.locateCsv(); }""",
        [target.lon, target.lat],
    )
    name, lon, lat, _ = csv_text.splitlines()[1].split(",")
    assert name == "西南政法大学"
    assert _metres((float(lon), float(lat)), SWUPL) < 0.5
    assert page.errors == []


def test_search_finds_aliases(browser, fix_layers, tmp_path):
    page = _open(browser, _write_page(fix_layers, "none", tmp_path / "locate.html"))
    page.fill("#locate-search", "西政")
    visible = page.locator("#locate-list li:not(.hidden)")
    assert visible.count() == 1
    assert visible.first.get_attribute("data-name") == "西南政法大学"


def test_place_text_stays_text_and_the_page_fetches_nothing(browser, fix_layers, tmp_path):
    path = fix_layers / "gazetteer.csv"
    text = path.read_text(encoding="utf-8").replace("same 街道", HOSTILE.replace(",", " "))
    path.write_text(text, encoding="utf-8")
    out = _write_page(fix_layers, "none", tmp_path / "locate.html")
    assert external_references(out.read_text(encoding="utf-8")) == []
    page = _open(browser, out)
    page.evaluate(
        """() => window.locateMarkers
                 .find(t => t.place.name_zh === '新桥医院').marker.openPopup()"""
    )
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert "{{ 7*7 }}" in popup
    assert page.dialogs == []
    assert page.errors == []
