"""Basemap tile addresses come from xyzservices; the names and attributions are ours."""

from __future__ import annotations

import pytest
from xyzservices import providers

from geo.maps.basemaps import BASEMAP_NAMES, resolve_basemap

OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
CARTO_ATTRIBUTION = OSM_ATTRIBUTION + ' &copy; <a href="https://carto.com/attributions">CARTO</a>'


def test_basemap_names_are_kept():
    assert BASEMAP_NAMES == ("osm", "cartodb", "gaode", "tianditu", "none")


def test_osm_and_cartodb_addresses_and_attributions():
    (osm,) = resolve_basemap("osm", env={}).tiles
    assert osm.url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert osm.attribution == OSM_ATTRIBUTION
    (carto,) = resolve_basemap("cartodb", env={}).tiles
    assert carto.url == "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png"
    assert carto.attribution == CARTO_ATTRIBUTION
    assert carto.subdomains == "abcd"


@pytest.mark.parametrize(
    ("name", "provider"),
    [
        ("osm", providers.OpenStreetMap.Mapnik),
        ("cartodb", providers.CartoDB.Positron),
        ("gaode", providers.Gaode.Normal),
    ],
)
def test_addresses_follow_xyzservices(name, provider, monkeypatch):
    monkeypatch.setitem(provider, "url", "https://tiles.example.invalid/{z}/{x}/{y}.png")
    monkeypatch.setitem(provider, "html_attribution", "&copy; Example")
    monkeypatch.setitem(provider, "max_zoom", 7)
    (tiles,) = resolve_basemap(name, env={}).tiles
    assert tiles.url == "https://tiles.example.invalid/{z}/{x}/{y}.png"
    assert tiles.max_zoom == 7
    if name != "gaode":  # Gaode keeps the attribution naming its datum
        assert tiles.attribution == "&copy; Example"


def test_gaode_is_gcj02_over_https_with_its_attribution():
    bm = resolve_basemap("gaode", env={})
    (tiles,) = bm.tiles
    assert bm.needs_shift
    assert tiles.url.startswith("https://")
    assert tiles.url.removeprefix("https://") == providers.Gaode.Normal.url.split("://", 1)[1]
    assert tiles.attribution == "&copy; 高德地图 AutoNavi (GCJ-02)"


def test_a_carto_key_is_used_when_given():
    (tiles,) = resolve_basemap("cartodb", env={"CARTO_API_KEY": "key123"}).tiles
    assert "key123" in tiles.url
    (keyless,) = resolve_basemap("cartodb", env={"CARTO_API_KEY": "  "}).tiles
    assert "key" not in keyless.url.split(".png", 1)[1]


def test_tianditu_stays_ours_and_needs_its_key():
    tdt = resolve_basemap("tianditu", env={"TIANDITU_KEY": "tk1"})
    assert [t.url.split("LAYER=")[1][:3] for t in tdt.tiles] == ["vec", "cva"]
    assert all(t.url.startswith("https://t{s}.tianditu.gov.cn/") for t in tdt.tiles)
    assert all(t.attribution == "&copy; 天地图 Tianditu (CGCS2000)" for t in tdt.tiles)
