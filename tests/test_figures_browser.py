"""Every figure of the committed layers as a planner opens it: Chromium, no network.

The site is built once (offline, ``--basemap none``) and each figure is opened at a
desktop size (1600×1000) and a phone size (390×844). Checked without clicking:
the figure's must-see names are on screen, labels do not overlap, the legend fits,
north arrow and a metric-only scale are there, and no two legend classes share a
colour.
"""

from __future__ import annotations

import warnings
from itertools import combinations

import pytest

from geo.data.catalog import read_catalog
from geo.figures.specs import FIGURES, all_specs
from geo.maps import MissingLayerWarning
from geo.maps.browser import block_network
from geo.maps.site import write_site
from geo.project import load_for_maps

pytestmark = pytest.mark.browser

FIG_IDS = [*FIGURES, "overview"]
SIZES = {"desktop": (1600, 1000), "phone": (390, 844)}
_SPECS = {s.id: s for s in all_specs(read_catalog())}

#: Labels on screen: text and box of every label the placement pass kept.
VISIBLE_LABELS = """() => Array.from(document.querySelectorAll('.geo-label'))
  .filter(e => !e.classList.contains('geo-label-hidden') && e.offsetParent !== null)
  .map(e => { const r = e.getBoundingClientRect();
    return {text: e.textContent, box: [r.left, r.top, r.right, r.bottom]}; })"""
#: Legend rows a reader sees: text and swatch colour.
LEGEND_ROWS = """() => Array.from(document.querySelectorAll('.geo-legend-row'))
  .filter(e => e.offsetParent !== null && !e.classList.contains('geo-legend-schematic'))
  .map(e => { const s = e.querySelector('svg [fill], svg [stroke]');
    const c = s.getAttribute('fill') === 'none' || s.tagName === 'line'
      ? s.getAttribute('stroke') : s.getAttribute('fill');
    return {text: e.textContent.trim(), colour: c.toUpperCase()}; })"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    cat = read_catalog()
    layers, skipped = load_for_maps(cat)
    assert skipped == []
    out = tmp_path_factory.mktemp("figures")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        write_site(out, layers, cat, "none", offline=True)
    return out


def _open(browser, site, fig_id, size):
    w, h = SIZES[size]
    context = browser.new_context(viewport={"width": w, "height": h})
    block_network(context)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto((site / f"{fig_id}.html").as_uri(), wait_until="load")
    page.wait_for_selector(".geo-legend", timeout=15_000)
    page.evaluate("document.fonts.ready")
    page.wait_for_timeout(250)
    return context, page


def _measure(page) -> dict:
    """Read everything the tests check from one page.

    First as the page opens, then with the legend open (one tap on a phone).
    """
    legend = page.locator(".geo-legend")
    m = {
        "labels": page.evaluate(VISIBLE_LABELS),
        "all_labels": page.locator(".geo-label").all_text_contents(),
        "collapsed": page.locator(".geo-legend.geo-collapsed").count() == 1,
        "legend_box": legend.bounding_box(),
        "legend_scroll": page.evaluate(
            "() => { const e = document.querySelector('.geo-legend');"
            " return [e.scrollHeight, e.clientHeight]; }"
        ),
        "north_arrow": page.locator(".geo-north-arrow").is_visible(),
        "scale_lines": page.locator(".leaflet-control-scale-line").count(),
        "imperial": page.locator(".leaflet-control-scale-imperial").count(),
        "scale_text": page.locator(".leaflet-control-scale").inner_text(),
        "title_box": page.locator(".geo-title").bounding_box(),
        "district_box": page.locator(
            ".folium-map > .leaflet-map-pane .geo-l-district"
        ).bounding_box(),
    }
    if m["collapsed"]:
        page.locator(".geo-legend-toggle").click()
    m["legend_rows"] = page.evaluate(LEGEND_ROWS)
    m["errors"] = list(page.errors)
    return m


@pytest.fixture(scope="module")
def measured(browser, site):
    cache: dict[tuple[str, str], dict] = {}

    def get(fig_id: str, size: str) -> dict:
        if (fig_id, size) not in cache:
            context, page = _open(browser, site, fig_id, size)
            try:
                cache[fig_id, size] = _measure(page)
            finally:
                context.close()
        return cache[fig_id, size]

    return get


CASES = [(f, s) for f in FIG_IDS for s in SIZES]


def _overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    out = []
    for a, b in combinations(labels, 2):
        (l1, t1, r1, b1), (l2, t2, r2, b2) = a["box"], b["box"]
        if l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1:
            out.append((a["text"], b["text"]))
    return out


@pytest.mark.parametrize(("fig_id", "size"), CASES)
def test_must_see_is_on_screen(measured, fig_id, size):
    m = measured(fig_id, size)
    spec = _SPECS[fig_id]
    assert spec.must_see, f"{fig_id} says nothing about what a planner must see"
    labels = " | ".join(lab["text"] for lab in m["labels"])
    legend = " | ".join(row["text"] for row in m["legend_rows"])
    assert m["collapsed"] == (size == "phone")  # a phone opens the legend with one tap
    for text in spec.must_see:
        if text in " | ".join(m["all_labels"]):
            assert text in labels, f"{fig_id} ({size}): label {text!r} hidden"
        else:
            assert text in legend, f"{fig_id} ({size}): {text!r} not in the legend"
    assert m["errors"] == []


@pytest.mark.parametrize(("fig_id", "size"), CASES)
def test_labels_do_not_overlap(measured, fig_id, size):
    labels = measured(fig_id, size)["labels"]
    assert labels, f"{fig_id} has no labels on screen"
    assert _overlapping(labels) == []


@pytest.mark.parametrize(("fig_id", "size"), CASES)
def test_legend_fits(measured, fig_id, size):
    m = measured(fig_id, size)
    box = m["legend_box"]
    w, h = SIZES[size]
    if size == "desktop":
        scroll, client = m["legend_scroll"]
        assert scroll <= client + 1, f"{fig_id}: legend scrolls ({scroll} > {client} px)"
        assert box["y"] >= 0
        assert box["y"] + box["height"] <= h
    else:
        share = box["width"] * box["height"] / (w * h)
        assert share <= 0.30, f"{fig_id}: legend covers {share:.0%} of the phone map"


@pytest.mark.parametrize(("fig_id", "size"), CASES)
def test_north_arrow_and_metric_scale_only(measured, fig_id, size):
    m = measured(fig_id, size)
    assert m["north_arrow"]
    assert m["scale_lines"] == 1
    assert m["imperial"] == 0
    assert "m" in m["scale_text"]
    assert "mi" not in m["scale_text"]


@pytest.mark.parametrize(("fig_id", "size"), CASES)
def test_no_two_legend_classes_share_a_colour(measured, fig_id, size):
    rows = measured(fig_id, size)["legend_rows"]
    assert len(rows) >= 2
    seen: dict[str, str] = {}
    for row in rows:
        assert row["colour"] not in seen, (
            f"{fig_id}: {row['text']!r} and {seen.get(row['colour'])!r} share {row['colour']}"
        )
        seen[row["colour"]] = row["text"]


@pytest.mark.parametrize(("fig_id", "size"), CASES)
def test_title_block_does_not_cover_the_district(measured, fig_id, size):
    m = measured(fig_id, size)
    title, district = m["title_box"], m["district_box"]
    assert district["y"] >= title["y"] + title["height"] - 1, fig_id


def test_legend_follows_the_layer_control_and_collapses(browser, site):
    context, page = _open(browser, site, "fig2", "desktop")
    try:
        block = page.locator('.geo-legend-layer[data-layer="rings"]')
        assert block.is_visible()
        page.locator(".leaflet-control-layers").hover()
        page.locator(".leaflet-control-layers label", has_text="环大学创新生态圈").locator(
            "input"
        ).uncheck()
        assert not block.is_visible()
        ring_labels = page.locator('.geo-label[data-layer="rings"]')
        assert all(not e.is_visible() for e in ring_labels.all())
        page.locator(".geo-legend-toggle").click()
        assert not page.locator(".geo-legend-body").is_visible()
    finally:
        context.close()


def test_site_page_without_cdn_or_tiles_still_shows_everything(browser, tmp_path):
    cat = read_catalog()
    layers, _ = load_for_maps(cat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        write_site(tmp_path, layers, cat, "osm", specs=[_SPECS["fig2"]])
    context, page = _open(browser, tmp_path, "fig2", "desktop")
    try:
        notice = page.locator(".geo-tile-notice")
        notice.wait_for(timeout=5_000)
        assert "Basemap tiles could not load" in notice.inner_text()
        assert notice.bounding_box()["height"] < 30  # one line
        assert page.errors == []  # Leaflet came from site/assets, not a CDN
        assert page.locator(".geo-l-cities").count() == 2
        shown = " ".join(lab["text"] for lab in page.evaluate(VISIBLE_LABELS))
        assert "东部人字母城" in shown
    finally:
        context.close()


NOTICE_BOX = """() => {
  const r = document.querySelector('.geo-tile-notice').getBoundingClientRect();
  return {left: r.left, right: r.right, width: window.innerWidth};
}"""


def test_tile_notice_fits_a_phone_and_can_be_closed(browser, tmp_path):
    cat = read_catalog()
    layers, _ = load_for_maps(cat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        write_site(tmp_path, layers, cat, "osm", specs=[_SPECS["fig3"]])
    context, page = _open(browser, tmp_path, "fig3", "phone")
    try:
        notice = page.locator(".geo-tile-notice")
        notice.wait_for(timeout=5_000)
        box = page.evaluate(NOTICE_BOX)
        assert box["left"] >= 0, box  # all of it readable
        assert box["right"] <= box["width"], box
        assert "everything else is shown" in notice.inner_text()
        page.get_by_role("button", name="Close this notice").click()
        assert page.locator(".geo-tile-notice").count() == 0
        title = page.locator(".geo-unlocated-title").first
        b = title.bounding_box()
        on_top = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).closest('.geo-tile-notice') === null",
            [b["x"] + b["width"] / 2, b["y"] + b["height"] / 2],
        )
        assert on_top  # nothing covers the not-located panel any more
    finally:
        context.close()
