"""Thumbnails: each offline figure photographed once its map is drawn, with no network.

Needs Debian's ``/usr/bin/chromium``; in CI (``CI`` set) a missing browser fails the
run, elsewhere the tests skip with a loud reason.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import pytest

from geo.data.catalog import read_catalog
from geo.data.layers import _load_layer
from geo.figures.specs import figure_by_id
from geo.maps import MissingLayerWarning
from geo.maps.browser import CHROMIUM
from geo.maps.site import write_site
from geo.maps.thumbnails import figure_pages, photograph

pytestmark = pytest.mark.browser

DATA = Path(__file__).parent / "data" / "maps"


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        msg = f"BROWSER TESTS NOT RUN: {CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(msg + " -- required in CI", pytrace=False)
        pytest.skip(msg)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GEO_LAYERS_DIR", str(DATA))
        cat = read_catalog(DATA / "catalog.yaml")
        layers = {s.id: _load_layer(s.id, catalog=cat) for s in cat}
        specs = [figure_by_id(f, cat) for f in ("fig3", "fig8", "overview")]
    out = tmp_path_factory.mktemp("offline")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        write_site(out, layers, cat, "none", offline=True, specs=specs)
    return out


def test_figure_pages_are_the_figures_then_the_overview(offline_site):
    (offline_site / "notes.html").write_text("<p>not a figure</p>", encoding="utf-8")
    assert [p.name for p in figure_pages(offline_site)] == [
        "fig3.html",
        "fig8.html",
        "overview.html",
    ]


def test_every_page_is_photographed_with_its_map_drawn(offline_site):
    from PIL import Image

    shots = photograph(figure_pages(offline_site), size=(800, 600))
    assert sorted(shots) == ["fig3", "fig8", "overview"]
    for png in shots.values():
        img = Image.open(io.BytesIO(png)).convert("RGB")
        assert img.size == (800, 600)
        # the district and its layers are drawn: many colours, not a blank or grey page
        assert len(img.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50


def test_a_page_whose_map_never_draws_fails_instead_of_a_blank_picture(tmp_path, monkeypatch):
    import geo.maps.thumbnails as thumbnails

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    monkeypatch.setattr(thumbnails, "TIMEOUT_MS", 1000)
    blank = tmp_path / "fig1.html"
    blank.write_text("<html><body><p>no map here</p></body></html>", encoding="utf-8")
    with pytest.raises(Exception, match="leaflet-overlay-pane"):
        photograph([blank])
