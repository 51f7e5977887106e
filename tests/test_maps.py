"""Maps: specs, styles, escaping, legend, basemaps, offline assets, sizes, CLI.

Assertions are made on the rendered page (the GeoJSON payloads, the style switch
and the legend HTML that folium writes), as geopandas tests ``explore``.
"""

from __future__ import annotations

import itertools
import json
import re
import warnings
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.data.catalog import parse_catalog, read_catalog
from geo.data.crs import wgs84_to_gcj02
from geo.data.inputs import read_layer_file
from geo.data.layers import _load_layer
from geo.errors import BasemapError
from geo.figures.labels import LINE_MARGIN_M, figure_labels
from geo.figures.layers import figure_colours, figure_layers
from geo.figures.specs import all_specs, with_catalog_layers
from geo.figures.styles.colours import RESERVED, delta_e, distinguishable, figure_palette
from geo.figures.styles.layer_style import (
    SCHEMATIC_DASH,
    class_label,
    feature_style,
    get_style,
    is_drawn_schematic,
)
from geo.maps import (
    FIGURES,
    MissingLayerWarning,
    build_map,
    external_references,
    figure_by_id,
    overview_spec,
    render_html,
    resolve_basemap,
)
from geo.maps.features import M_PER_DEG, display_frame
from geo.maps.furniture import clip_lines
from geo.maps.legend import legend_html
from geo.maps.site import BUDGET_OFFLINE, BUDGET_ONLINE, index_html, write_site
from geo.project import load_for_maps
from geo.report import unit_text

DATA = Path(__file__).parent / "data" / "maps"
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "sources" / "002_8a077782b689f185.txt"
XSS = "<img src=x onerror=alert(1)>"


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def fixture_data():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GEO_LAYERS_DIR", str(DATA))
        cat = read_catalog(DATA / "catalog.yaml")
        layers = {s.id: _load_layer(s.id, catalog=cat) for s in cat}
    return cat, layers


@pytest.fixture(scope="module")
def real_data():
    """The real catalog and its layers (derived ones included), loaded once for the module."""
    cat = read_catalog()
    layers, _ = load_for_maps(cat)
    return cat, layers


def build(fig_id, data, basemap="none", edit=False):
    cat, layers = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        return build_map(figure_by_id(fig_id, cat), layers, cat, basemap, edit=edit)


def payloads(page: str) -> list[dict]:
    """Every GeoJSON FeatureCollection folium embedded with ``<name>_add({...})``."""
    dec = json.JSONDecoder()
    out = []
    for m in re.finditer(r"geo_json_\w+_add\(", page):
        if page[m.end()] == "{":
            out.append(dec.raw_decode(page, m.end())[0])
    return out


def features(page: str) -> dict[str, dict]:
    return {f["properties"]["id"]: f for fc in payloads(page) for f in fc["features"]}


def styles(page: str) -> dict[str, dict]:
    """Feature id to the style folium's styler switch returns for it (default included)."""
    dec = json.JSONDecoder()
    out = {}
    for m in re.finditer(
        r"function (geo_json_\w+)_styler\(feature\) \{(.*?)\n        \}", page, re.S
    ):
        body = m.group(2)
        listed = {}
        for cases, style in re.findall(r'((?:case "[^"]*": )+)\s*return (\{[^}]*\});', body):
            for fid in re.findall(r'case "([^"]*)"', cases):
                listed[fid] = json.loads(style)
        default = json.loads(re.search(r"default:\s*return (\{[^}]*\});", body).group(1))
        add = page.index(f"{m.group(1)}_add(", m.end()) + len(m.group(1)) + 5
        fc = dec.raw_decode(page, add)[0]
        for f in fc["features"]:
            fid = f["properties"]["id"]
            out[fid] = listed.get(fid, default)
    return out


def html_control(page: str, css_class: str) -> str:
    m = re.search(
        rf'var (\w+) = L\.DomUtil\.create\("div", "{css_class}"\);'
        r'\s*\1\.innerHTML = ("(?:[^"\\]|\\.)*");',
        page,
    )
    assert m, f"no {css_class} block in the page"
    return json.loads(m.group(2))


# --------------------------------------------------------------------------- specs
def test_eight_figures_with_the_plans_captions():
    numbers = [f.number for f in FIGURES.values()]
    assert numbers[:8] == list(range(1, 9))  # the plan's eight, then any added
    assert list(FIGURES) == [f"fig{n}" for n in numbers]
    assert FIGURES["fig1"].title_zh == "图 1：西部（重庆）科学城及沙坪坝区产业功能规划"
    assert FIGURES["fig2"].title_zh == "图 2：“十四五”沙坪坝区科技创新版图"
    assert all(f.caption_en and f.plan_ref for f in FIGURES.values())


def test_captions_are_the_plan_lines_cited():
    lines = SEED.read_text(encoding="utf-8").splitlines()
    for f in FIGURES.values():
        lineno = int(f.plan_ref.rsplit(":L", 1)[1])
        assert lines[lineno - 1].strip() == f.title_zh


def test_overview_lists_every_catalog_layer(fixture_data):
    cat, _ = fixture_data
    assert overview_spec(cat).layers == tuple(cat.layers)


def test_absent_layer_is_skipped_with_warning(fixture_data):
    cat, layers = fixture_data
    without = {lid: gdf for lid, gdf in layers.items() if lid != "cities"}
    with pytest.warns(MissingLayerWarning, match="cities"):
        m = build_map(figure_by_id("fig1", cat), without, cat, "none")
    # the warning is the build's log; the title block carries no technical note
    assert "cities" not in html_control(render_html(m), "geo-title")


def test_layers_present_per_spec(fixture_data):
    cat, layers = fixture_data
    page = render_html(build("fig3", fixture_data))
    got = set(features(page))
    want = {fid for lid in ("district", "campuses", "rd_platforms") for fid in layers[lid]["id"]}
    assert got == want
    chosen, _ = figure_layers(figure_by_id("fig2", cat), cat, layers)
    kinds = [s.geometry_type for s in chosen]
    assert kinds == sorted(kinds, key=["Polygon", "LineString", "Point"].index)


def test_overview_draws_every_feature(fixture_data):
    _, layers = fixture_data
    page = render_html(build("overview", fixture_data))
    assert len(features(page)) == sum(len(g) for g in layers.values())


# --------------------------------------------------------------------------- styles
def test_rendered_colours_are_the_figures_palette(fixture_data):
    cat, layers = fixture_data
    for fig in ("fig3", "overview"):
        spec = figure_by_id(fig, cat)
        chosen, _ = figure_layers(spec, cat, layers)
        colours = figure_colours(spec, chosen, layers)["rd_platforms"]
        s = styles(render_html(build(fig, fixture_data)))
        for fid, kind in zip(
            layers["rd_platforms"]["id"], layers["rd_platforms"]["kind"], strict=True
        ):
            assert s[fid]["fillColor"] == colours.get(kind, colours.get(""))
            assert "geo-l-rd_platforms" in s[fid]["className"]


def test_no_two_classes_of_a_figure_share_a_colour(real_data):
    cat, layers = real_data
    for spec in all_specs(cat):
        chosen, _ = figure_layers(spec, cat, layers)
        colours = [
            c for cats in figure_colours(spec, chosen, layers).values() for c in cats.values()
        ]
        assert len(colours) == len(set(colours)), spec.id
        assert len(colours) >= 3, spec.id
        if spec.number is not None:  # every figure but the overview: colour-blind safe too
            data = [c for c in colours if c not in RESERVED.values()]
            for a, b in itertools.combinations(data, 2):
                assert distinguishable(a, b), (spec.id, a, b)


def test_palette_separates_close_colours_and_keeps_preferences():
    assert not distinguishable("#0072B2", "#0072B2")
    assert not distinguishable("#E69F00", "#EEA000")  # two oranges
    assert distinguishable("#E69F00", "#0072B2")
    assert delta_e("#FF0000", "#00FF00", "deuteranopia") < delta_e("#FF0000", "#00FF00")
    classes = [("a", "x"), ("b", "y"), ("c", "z"), ("d", "w")]
    got = figure_palette(classes, {("b", "y"): "#E69F00", ("c", "z"): "#EEA000"})
    assert got[("b", "y")] == "#E69F00"  # an atlas colour is kept ...
    assert got[("c", "z")] == "#EEA000"  # ... whatever its neighbours: one colour per class
    assert got[("a", "x")] not in {"#E69F00", "#EEA000"}
    assert len(set(got.values())) == 4
    assert "#000000" not in got.values()  # reserved for the outline
    for free in (got[("a", "x")], got[("d", "w")]):  # classes outside the atlas: apart
        assert distinguishable(free, "#E69F00")
        assert distinguishable(free, "#EEA000")
    twice = figure_palette([("a", "x"), ("b", "y")], {("a", "x"): "#E69F00", ("b", "y"): "#E69F00"})
    assert twice[("b", "y")] != "#E69F00"  # two classes never share one colour


def test_legend_names_classes_never_codes(real_data):
    cat, layers = real_data
    for fig in ("fig1", "fig5"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingLayerWarning)
            legend = html_control(
                render_html(build_map(figure_by_id(fig, cat), layers, cat, "none")), "geo-legend"
            )
        text = re.sub(r"<[^>]+>", " ", legend)
        assert "building-park" not in text
        assert "industrial-park" not in text
        assert "楼宇产业园" in text
        assert "building-type park" in text
    assert class_label("ai-pilot-zone")[0] == "新一代人工智能创新发展试验区项目"
    assert class_label("在建") == ("在建", "")


def test_status_colours_are_fixed(fixture_data):
    s = styles(render_html(build("fig4", fixture_data)))
    assert s["tp-1"]["fillColor"] == "#1B7837"  # 已建: dark green
    assert s["tp-2"]["fillColor"] == "#D55E00"  # 在建: vermillion


def test_schematic_shapes_are_dashed_and_others_not(fixture_data):
    s = styles(render_html(build("fig2", fixture_data)))
    assert s["city-west"]["dashArray"] == SCHEMATIC_DASH
    assert "geo-schematic" in s["city-west"]["className"]
    assert "dashArray" not in s["district-shapingba"]
    assert s["city-west"]["fillOpacity"] < get_style("cities").fill_opacity + 1e-9


# --------------------------------------------------------------------------- escaping
def test_xss_name_is_escaped_everywhere(fixture_data):
    page = render_html(build("fig3", fixture_data))
    feat = features(page)["rd-1"]["properties"]
    assert feat["name_zh"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert "<img" not in feat["popup"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in feat["popup"]
    assert "&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;" in feat["name_en"]
    assert XSS not in page
    # the map label carries the name as a JSON string, set with textContent
    page = page.replace("\\u003cimg src=x onerror=alert(1)\\u003e", "")
    assert "onerror=alert(1)>" not in page.replace("\\u003e", ">").replace("&gt;", "")


def test_legend_and_layer_control_labels_are_escaped(fixture_data):
    cat, layers = fixture_data
    page = render_html(build("fig3", fixture_data))
    assert "R\\u0026amp;D platforms" in page or "R&amp;D platforms" in page
    evil = layers["rd_platforms"].copy()
    evil.loc[0, "kind"] = XSS
    legend = legend_html([(cat["rd_platforms"], evil)], {"rd_platforms": {XSS: "#E69F00"}})
    assert XSS not in legend
    assert "&lt;img src=x" in legend


def test_popup_shows_plan_fields_and_claims_with_units(fixture_data):
    popup = features(render_html(build("fig3", fixture_data)))["rd-1"]["properties"]["popup"]
    for text in ("表3 row 1", "digitized", "± 200 m", "电子信息", "13,000 m²", "3.5 亿元"):
        assert text in popup
    tp = features(render_html(build("fig4", fixture_data)))["tp-2"]["properties"]
    assert "状态 status" in tp["popup"]
    assert tp["status"] == "在建"


# --------------------------------------------------------------------------- legend, controls
def test_legend_entries_match_styles(fixture_data):
    _, layers = fixture_data
    page = render_html(build("fig3", fixture_data))
    legend = html_control(page, "geo-legend")
    cat = fixture_data[0]
    spec = figure_by_id("fig3", cat)
    colors = figure_colours(spec, figure_layers(spec, cat, layers)[0], layers)["rd_platforms"]
    for kind, color in colors.items():
        row = re.search(rf'data-layer="rd_platforms" data-kind="{kind}">(.*?)</div>', legend)
        assert row
        assert f'fill="{color}"' in row.group(1)
    assert "研发平台" in legend
    assert "高校" in legend
    assert '示意 <span class="geo-en">schematic</span>' in html_control(
        render_html(build("fig2", fixture_data)), "geo-legend"
    )


def test_every_map_has_the_tools(fixture_data):
    cat, _ = fixture_data
    page = render_html(build("fig7", fixture_data, edit=True))
    for needle in (
        "L.control.groupedLayers",
        "L.Control.Measure",
        "L.Control.Draw",
        "L.Control.MiniMap",
        "L.control.fullscreen",
        "L.control.scale",
        "fig7-sketch.geojson",
        "bindTooltip",
        "bindPopup",
    ):
        assert needle in page, needle
    assert "exclusiveGroups" not in page  # checkboxes: layers switch independently
    for group in {s.group for s in cat}:  # catalog groups, as folium writes them (tojson)
        if any(s.group == group and s.id in ("district", "cancer_resources") for s in cat):
            assert json.dumps(group, ensure_ascii=False) in page
    assert "西部肿瘤诊疗中心资源分布图" in html_control(page, "geo-title")
    source = html_control(page, "geo-source")
    assert "schematic" in source
    assert "《重庆市沙坪坝区“十四五”科技创新发展规划（修订版）》" in source
    assert ".txt" not in source.split("图 7")[0]  # the plan by its title, not a file name
    assert "imperial: false" in page
    assert "geo-north-arrow" in page


# --------------------------------------------------------------------------- basemaps
def test_gcj_shift_matches_geo_crs(fixture_data):
    _, layers = fixture_data
    lon, lat = layers["campuses"].set_index("id").geometry["campus-cqu"].coords[0]
    gx, gy = wgs84_to_gcj02(lon, lat)
    gaode = features(render_html(build("fig3", fixture_data, "gaode")))
    assert gaode["campus-cqu"]["geometry"]["coordinates"] == [
        round(float(gx), 6),
        round(float(gy), 6),
    ]
    osm = features(render_html(build("fig3", fixture_data, "osm")))
    assert osm["campus-cqu"]["geometry"]["coordinates"] == [lon, lat]
    assert abs(gx - lon) > 1e-3  # the shift is hundreds of metres, not rounding


def test_basemap_choices():
    assert resolve_basemap("osm").tiles
    assert resolve_basemap("none").tiles == ()
    assert resolve_basemap("gaode").needs_shift
    with pytest.raises(BasemapError, match="TIANDITU_KEY"):
        resolve_basemap("tianditu", env={})
    tdt = resolve_basemap("tianditu", env={"TIANDITU_KEY": "abc123"})
    assert [t.url.split("LAYER=")[1][:3] for t in tdt.tiles] == ["vec", "cva"]
    assert all("tk=abc123" in t.url for t in tdt.tiles)
    with pytest.raises(BasemapError, match="unknown basemap"):
        resolve_basemap("bing")


def test_tianditu_map_has_both_tile_layers(fixture_data, monkeypatch):
    monkeypatch.setenv("TIANDITU_KEY", "k")
    page = render_html(build("fig7", fixture_data, "tianditu"))
    assert "vec_w/wmts" in page
    assert "cva_w/wmts" in page


# --------------------------------------------------------------------------- offline, size
def test_offline_none_has_no_external_url(fixture_data):
    page = render_html(build("fig2", fixture_data, "none", edit=True), offline=True)
    assert external_references(page) == []
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", page)
    assert "L.Control.Draw" in page
    assert "L.Control.Measure" in page


def test_offline_with_tiles_only_fetches_tiles(fixture_data):
    page = render_html(build("fig2", fixture_data, "osm"), offline=True)
    assert set(external_references(page)) == {resolve_basemap("osm").tiles[0].url}


def test_online_page_links_cdn(fixture_data):
    refs = external_references(render_html(build("fig2", fixture_data, "osm")))
    assert any("leaflet" in r for r in refs)
    assert not any("bootstrap" in r or "fontawesome" in r for r in refs)


def test_coordinates_rounded_to_six_decimals(fixture_data):
    def coords(c):
        if isinstance(c[0], list):
            for x in c:
                yield from coords(x)
        else:
            yield from c

    page = render_html(build("overview", fixture_data))
    for f in features(page).values():
        assert all(round(v, 6) == v for v in coords(f["geometry"]["coordinates"]))


def test_simplified_only_within_accuracy():
    district = read_layer_file(ROOT / "layers" / "admin" / "district.geojson")
    shown = display_frame(district, resolve_basemap("osm"))
    moved = district.geometry.iloc[0].hausdorff_distance(shown.geometry.iloc[0]) * M_PER_DEG
    assert moved <= district["accuracy_m"].iloc[0] + 1.0
    assert len(shown.get_coordinates()) <= len(district.get_coordinates())


def test_size_budgets(fixture_data, tmp_path):
    cat, layers = fixture_data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        online = write_site(tmp_path / "on", layers, cat, "osm")
        offline = write_site(tmp_path / "off", layers, cat, "none", offline=True)
    assert set(online.pages) == {*FIGURES, "overview"}
    assert max(online.sizes.values()) <= BUDGET_ONLINE
    assert max(offline.sizes.values()) <= BUDGET_OFFLINE


def test_real_admin_layers_fit_budget(tmp_path):
    """The real district and its neighbours (the largest geometry) stay in budget."""
    admin = ROOT / "layers" / "admin"
    cat = parse_catalog(
        {
            "layers": [
                {
                    "id": "district",
                    "title_zh": "沙坪坝区",
                    "title_en": "Shapingba",
                    "geometry_type": "Polygon",
                    "file": "admin/district.geojson",
                    "role": "admin",
                    "group": "行政区 Admin",
                    "style": "district",
                },
                {
                    "id": "neighbours",
                    "title_zh": "相邻区",
                    "title_en": "Neighbours",
                    "geometry_type": "Polygon",
                    "file": "admin/neighbours.geojson",
                    "role": "context",
                    "group": "行政区 Admin",
                    "style": "neighbours",
                },
            ]
        }
    )
    layers = {lid: read_layer_file(admin / f"{lid}.geojson") for lid in cat.layers}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        on = write_site(tmp_path / "on", layers, cat, "osm", specs=[FIGURES["fig1"]])
        off = write_site(tmp_path / "off", layers, cat, "none", True, specs=[FIGURES["fig1"]])
    assert on.sizes["fig1"] <= BUDGET_ONLINE
    assert off.sizes["fig1"] <= BUDGET_OFFLINE


# --------------------------------------------------------------------------- site, CLI
def test_index_links_existing_reports_and_thumbnails(tmp_path):
    (tmp_path / "screenshots").mkdir()
    (tmp_path / "screenshots" / "fig1.png").write_bytes(b"png")
    page = index_html(list(FIGURES.values()), tmp_path)
    assert 'src="screenshots/fig1.png"' in page
    assert page.count("no thumbnail") == 7
    assert 'href="reports/index.html"' not in page
    assert "reports/index.html missing" in page
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "index.html").write_text("r")
    page = index_html(list(FIGURES.values()), tmp_path)
    assert 'href="reports/index.html"' in page
    assert "claims/index.html missing" in page
    for f in FIGURES.values():
        assert f'href="{f.filename}"' in page
        assert f.caption_zh.replace("“", "") in page.replace("“", "")


def test_cli_writes_site(tmp_path, monkeypatch, capsys):
    from geo.cli import main

    monkeypatch.setenv("GEO_LAYERS_DIR", str(DATA))
    rc = main(["maps", "--out", str(tmp_path), "--basemap", "none", "--offline"])
    out, err = capsys.readouterr()
    assert rc == 0
    for name in [*(f"{i}.html" for i in FIGURES), "overview.html", "index.html"]:
        assert (tmp_path / name).exists()
        assert str(tmp_path / name) in out
    assert "warning" not in err  # every figure's layers come from the catalog


def test_cli_tianditu_without_key_is_a_clear_error(tmp_path, monkeypatch, capsys):
    from geo.cli import main

    monkeypatch.setenv("GEO_LAYERS_DIR", str(DATA))
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    assert main(["maps", "--out", str(tmp_path), "--basemap", "tianditu"]) == 2
    assert "TIANDITU_KEY" in capsys.readouterr().err
    assert not (tmp_path / "fig1.html").exists()


def test_builder_takes_any_dict_of_frames(fixture_data):
    cat, layers = fixture_data
    only = {"district": layers["district"], "rd_platforms": layers["rd_platforms"].to_crs(3857)}
    with pytest.warns(MissingLayerWarning, match="campuses"):
        page = render_html(build_map(FIGURES["fig3"], only, cat, "none"))
    lon, lat = layers["rd_platforms"].geometry.iloc[1].coords[0]
    assert features(page)["rd-2"]["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)
    assert isinstance(layers["rd_platforms"], gpd.GeoDataFrame)


def test_chinese_is_written_as_utf8_and_markup_stays_escaped(fixture_data):
    from geo.maps import render_html

    cat, layers = fixture_data
    page = render_html(build_map(figure_by_id("fig3", cat), layers, cat, "none"))
    assert "沙坪坝区" in page  # UTF-8, not \\u6c99... escapes
    assert "onerror=alert(1)" in page  # the hostile feature is on this figure ...
    assert "<img src=x onerror" not in page  # ... and only ever as escaped text


# --------------------------------------------------------------------------- labels, lines
def test_lines_are_clipped_to_the_district_plus_margin(real_data):
    _, layers = real_data
    clipped = clip_lines(layers["ridges"], layers["district"])
    reach = layers["district"].to_crs(4544).union_all().buffer(LINE_MARGIN_M + 1)
    assert clipped.to_crs(4544).within(reach).all()
    assert not layers["ridges"].to_crs(4544).within(reach).all()  # they did run past it
    assert clipped.crs == layers["ridges"].crs


def test_coarse_lines_are_dashed_and_thinner(real_data):
    assert is_drawn_schematic("LineString", {"geometry_source": "digitized", "accuracy_m": 1500})
    assert not is_drawn_schematic("LineString", {"geometry_source": "digitized", "accuracy_m": 150})
    assert not is_drawn_schematic("Polygon", {"geometry_source": "digitized", "accuracy_m": 1500})
    cat, layers = real_data
    legend = legend_html([(cat["axes"], layers["axes"])], {"axes": {"river": "#1", "road": "#2"}})
    rows = dict(re.findall(r'data-kind="(\w+)">(.*?)</div>', legend))
    assert "stroke-dasharray" in rows["road"]  # every road axis is schematic or coarse
    assert "stroke-dasharray" not in rows["river"]  # the Jialing is traced to ±150 m
    style = get_style("ridges")
    dashed = feature_style(style, "#117733", True, line=True)
    assert dashed["dashArray"] == SCHEMATIC_DASH
    assert dashed["weight"] < style.weight


def test_labels_sit_inside_their_shapes_and_on_their_lines(real_data):
    cat, layers = real_data
    spec = figure_by_id("fig2", cat)
    chosen, _ = figure_layers(spec, cat, layers)
    labels = figure_labels(chosen, layers, layers["district"], spec.must_see)
    by_text = {lab.lines[0]: lab for lab in labels}
    cities = layers["cities"].set_index("name_zh").geometry
    lat, lon = by_text["东部人字母城"].candidates[0]
    assert cities["东部人字母城"].contains(shapely.Point(lon, lat))
    river = layers["axes"].set_index("name_zh").to_crs(4544).geometry["嘉陵江"]
    lat, lon = by_text["嘉陵江"].candidates[0]
    pt = gpd.GeoSeries([shapely.Point(lon, lat)], crs=4326).to_crs(4544).iloc[0]
    assert river.distance(pt) < 1.0
    assert by_text["环重庆大学"].lines == ("环重庆大学",)  # shortened on the map
    assert labels[0].priority == 0  # must-see names are placed first
    assert {lab.lines[0] for lab in labels if lab.priority == 0} >= {"东部人字母城", "嘉陵江"}


def test_city_labels_carry_the_plans_industries():
    lines = SEED.read_text(encoding="utf-8").splitlines()
    notes = dict(figure_by_id("fig1", read_catalog()).label_notes)
    for fid, lineno in (("city-east", 200), ("city-west", 204)):
        for industry in notes[fid].split(" · "):
            assert industry in lines[lineno - 1], (fid, industry)


# --------------------------------------------------------------------------- site without CDN
def test_site_pages_load_leaflet_from_a_shared_local_folder(fixture_data, tmp_path):
    cat, layers = fixture_data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        write_site(tmp_path, layers, cat, "none", specs=[FIGURES["fig3"], FIGURES["fig7"]])
    pages = [(tmp_path / f).read_text(encoding="utf-8") for f in ("fig3.html", "fig7.html")]
    for page in pages:
        assert external_references(page) == []
        local = re.findall(r'<script src="(assets/[^"]+)"', page)
        assert any("leaflet.js" in src for src in local)
        for src in local + re.findall(r'<link rel="stylesheet" href="(assets/[^"]+)"', page):
            assert (tmp_path / src).stat().st_size > 0
        assert 'href="index.html"' in html_control(page, "geo-title")  # back to the index
    assert set(re.findall(r'"(assets/[^"]+)"', pages[0])) == set(
        re.findall(r'"(assets/[^"]+)"', pages[1])
    )  # one shared copy
    assert len(pages[1]) < BUDGET_ONLINE


def test_offline_index_finds_thumbnails_and_pages_above_it(tmp_path):
    (tmp_path / "screenshots").mkdir()
    (tmp_path / "screenshots" / "fig2.png").write_bytes(b"png")
    for rel in ("reports/index.html", "claims/index.html", "index.html"):
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_text("x")
    (tmp_path / "offline").mkdir()
    page = index_html(list(FIGURES.values()), tmp_path / "offline")
    assert 'src="../screenshots/fig2.png"' in page
    assert 'href="../reports/index.html"' in page
    assert 'href="../claims/index.html"' in page
    assert 'href="../index.html"' in page


@pytest.mark.slow
def test_tables_show_units_not_markup(tmp_path):
    from geo.cli import main
    from geo.report import Report, Section
    from geo.report import report_html as reports_html

    assert unit_text("10000 m <sup>2</sup>") == "10000 m²"
    assert unit_text("<sup>3</sup><b>x</b>") == "³&lt;b&gt;x&lt;/b&gt;"
    table = pd.DataFrame({"value_text": ["13000 m <sup>2</sup>"]})
    section = Section(key="s", title="S", intro="intro", table=table)
    page = reports_html(Report(title="t", sections=[section]))
    assert "13000 m²" in page
    assert "&lt;sup&gt;" not in page
    assert 'href="../index.html"' in page
    assert main(["claims", "--out", str(tmp_path)]) in (0, 1)
    ledger = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "&lt;sup&gt;" not in ledger
    assert "m²" in ledger
    assert 'href="../index.html"' in ledger


def test_label_text_is_data_never_markup(fixture_data):
    cat, layers = fixture_data
    evil = dict(layers)
    evil["cities"] = layers["cities"].copy()
    evil["cities"].loc[evil["cities"].index[0], "name_zh"] = XSS
    evil["cities"].loc[evil["cities"].index[1], "name_zh"] = "{{ 7 * 7 }}城"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        page = render_html(build_map(figure_by_id("fig2", cat), evil, cat, "none"))
    assert XSS not in page
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page  # as a JSON string
    assert "line.textContent = text" in page  # set as text, never as HTML
    assert '"{{ 7 * 7 }}城"' in page  # never evaluated as a template


def test_index_links_print_versions_report_pdf_and_locate_page(tmp_path):
    page = index_html(list(FIGURES.values()), tmp_path)
    assert "print/fig2.png" not in page
    assert "report.pdf missing" in page
    (tmp_path / "print").mkdir()
    for ext in ("png", "pdf"):
        (tmp_path / "print" / f"fig2.{ext}").write_bytes(b"x")
    (tmp_path / "report.pdf").write_bytes(b"%PDF")
    (tmp_path / "locate.html").write_text("l")
    page = index_html(list(FIGURES.values()), tmp_path)
    assert 'href="print/fig2.png"' in page
    assert 'href="print/fig2.pdf"' in page
    assert 'href="print/fig3.png"' not in page
    assert 'href="report.pdf"' in page
    assert 'href="locate.html"' in page


# --------------------------------------------------------------------------- one declaration
#: The layers each figure drew, in draw order (polygons, lines, points), when FigureSpec
#: listed them beside the catalog's ``figures`` lists (the builder combined the two),
#: plus the context lines (axes, ridges) every figure has drawn since.
DRAWN_BEFORE = {
    "fig1": "district neighbours cities science_city creative_valley axes ridges "
    "industrial_platforms smart_scenes",
    "fig2": "district neighbours cities screens belts rings clusters axes ridges campuses projects",
    "fig3": "district neighbours axes ridges campuses rd_platforms",
    "fig4": "district neighbours clusters axes ridges incubator_members transformation_platforms",
    "fig5": "district neighbours science_city axes ridges industrial_platforms carriers projects",
    "fig6": "district neighbours rings axes ridges campuses ring_members projects",
    "fig7": "district neighbours axes ridges cancer_resources",
    "fig8": "district neighbours screens axes ridges smart_scenes science_parks",
}
_DRAW = ["Polygon", "LineString", "Point"]


def test_figures_declare_no_layers_of_their_own():
    # the catalog's figures lists are the one declaration of a figure's layers
    assert [f.layers for f in FIGURES.values()] == [()] * len(FIGURES)


def test_every_figure_draws_what_the_catalog_lists_for_it(real_data):
    cat, layers = real_data
    for spec in all_specs(cat)[:8]:
        listed = {"district"} | {s.id for s in cat.for_figure(spec.number)}
        assert set(spec.layers) == listed, spec.id
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingLayerWarning)
            chosen, skipped = figure_layers(spec, cat, layers)
        assert {s.id for s in chosen} | set(skipped) == listed, spec.id
        assert set(spec.draw_order) <= listed, spec.id  # styling: it adds no layer


def test_figures_draw_the_layers_they_drew_before_in_the_same_order():
    cat = read_catalog()
    for spec in all_specs(cat)[:8]:
        drawn = sorted(spec.layers, key=lambda lid: _DRAW.index(cat[lid].geometry_type))
        assert drawn == DRAWN_BEFORE[spec.id].split(), spec.id


def test_draw_order_places_only_the_layers_it_names():
    cat = read_catalog()
    plain = replace(FIGURES["fig2"], draw_order=())
    assert figure_by_id("fig2", cat).layers == tuple(
        "cities" if lid == "screens" else "screens" if lid == "cities" else lid
        for lid in with_catalog_layers(plain, cat).layers
    )
