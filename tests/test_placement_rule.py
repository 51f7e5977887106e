"""The placement rule everywhere: gazetteer ``within``, derived zones, reports, maps."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point

from geo.data.catalog import read_catalog
from geo.data.gazetteer import load_gazetteer
from geo.data.layers import _load_layer
from geo.data.placement import DEFAULT_MAX_ACCURACY_M, placement, precise_enough
from geo.report import build_report

#: The district's representative point (the gazetteer's 沙坪坝区 row).
DISTRICT_POINT = (106.361563, 29.623518)


@pytest.fixture(scope="module")
def real() -> dict[str, gpd.GeoDataFrame]:
    cat = read_catalog()
    return {s.id: _load_layer(s.id, catalog=cat) for s in cat}


# --------------------------------------------------------------------------- gazetteer
def test_committed_within_values_are_valid_and_filled() -> None:
    gaz = load_gazetteer()
    assert gaz.validate() == []
    anchored = [p for p in gaz if p.approximate]
    assert len(anchored) == 35
    # evidence-based areas: University Town colleges, the hospital on 汉渝路 (渝碚路街道)
    assert gaz.lookup("重庆医科大学").within == "重庆大学城"
    assert gaz.lookup("重庆大学附属肿瘤医院").within == "渝碚路街道"
    assert gaz.lookup("沙坪坝区").within == ""


# --------------------------------------------------------------------------- rule
def test_placement_levels() -> None:
    gdf = gpd.GeoDataFrame(
        {"accuracy_m": [300.0, 5000.0, 16000.0, float("nan")], "within": ["", "大学城", "", "x"]},
        geometry=[Point(106.4, 29.6)] * 4,
        crs=4326,
    )
    assert list(placement(gdf)) == ["point", "schematic", "unlocated", "area"]
    assert list(placement(gdf, 1000, 1000)) == ["point", "area", "unlocated", "area"]
    assert list(placement(gdf, 6000)) == ["point", "point", "unlocated", "area"]
    with pytest.raises(ValueError, match="max_accuracy_m"):
        precise_enough(gdf, 0)


# --------------------------------------------------------------------------- derived
def _district_point_m() -> Point:
    return gpd.GeoSeries([Point(*DISTRICT_POINT)], crs=4326).to_crs(4544).iloc[0]


def test_ring_cqu_no_longer_reaches_the_district_centre(real) -> None:
    rings = real["rings"].set_index("id").to_crs(4544)
    cqu = rings.loc["ring-cqu", "geometry"]
    assert not cqu.is_empty
    assert cqu.distance(_district_point_m()) > 5000
    assert cqu.area < 5e6  # a ring around the campus, not 9.9 km² reaching the centre


def test_every_ring_part_holds_a_precise_member(real) -> None:
    zone_layer, member_layer, key = "rings", "ring_members", "ring"
    cat = read_catalog()
    params = cat[zone_layer].derived["params"]
    limit = float(params.get("max_member_accuracy_m", DEFAULT_MAX_ACCURACY_M))
    members = real[member_layer].to_crs(4544)
    keys = {g["id"]: g["key"] for g in params["groups"]}
    for _, zone in real[zone_layer].to_crs(4544).iterrows():
        mine = members[members[key] == keys[zone["id"]]]
        precise = mine[mine["accuracy_m"] <= limit]
        for part in shapely.get_parts(zone.geometry):
            assert any(part.covers(p) for p in precise.geometry), zone["id"]
    # a group with no precise member has no shape at all, and says why
    for gone in real[zone_layer].attrs.get("not_derivable", []):
        mine = members[members[key] == keys[gone["id"]]]
        assert (mine["accuracy_m"] > limit).all(), gone["id"]
        assert gone["rule"].startswith("not derivable"), gone["id"]
    drawn = set(real[zone_layer]["id"])
    listed = {g["id"] for g in real[zone_layer].attrs.get("not_derivable", [])}
    assert drawn | listed == set(keys)
    assert not drawn & listed


def test_belts_leave_out_coarse_places(real) -> None:
    belts = real["belts"].set_index("id")
    gaz = load_gazetteer()
    for bid, row in belts.iterrows():
        used = [n for n in str(row["places"]).split("|") if n]
        assert all(gaz.lookup(n).accuracy_m <= DEFAULT_MAX_ACCURACY_M for n in used), bid
    assert "陆军军医大学" in belts.loc["belt-jialing", "places_coarse"]


# --------------------------------------------------------------------------- reports
@pytest.fixture(scope="module")
def report(real):
    return {s.key: s.table for s in build_report(real).sections}


def test_district_point_is_never_a_nearest_campus(report, real) -> None:
    near = report["nearest_campus"]
    campuses = real["campuses"].set_index("id")
    picked = near["campus"].dropna()
    assert len(picked) > 0
    assert (campuses.loc[picked, "accuracy_m"] <= DEFAULT_MAX_ACCURACY_M).all()
    assert "重庆大学附属肿瘤医院" not in set(near["campus_name"].dropna())


def test_no_nearest_row_rests_on_a_position_coarser_than_its_distance(report) -> None:
    near = report["nearest_campus"]
    ok = near[near["position_ok"]]
    assert (ok["accuracy_m"] <= ok["dist_m"].clip(lower=DEFAULT_MAX_ACCURACY_M)).all()
    flagged = near[~near["position_ok"]]
    assert len(flagged) > 0
    assert flagged["campus"].isna().all()
    assert flagged["dist_m"].isna().all()
    assert flagged["note"].str.contains("nearest campus not determined").all()
    # a district-only point (±16 km) never gets a campus
    coarse = near[near["accuracy_m"] > 15_000]
    assert len(coarse) > 0
    assert not coarse["position_ok"].any()


def _metric_points(xy: list[tuple[float, float]], **cols) -> gpd.GeoDataFrame:
    """Points given in metres from a place in the district (EPSG:4544), as EPSG:4326."""
    x0, y0 = 630_000.0, 3_278_000.0
    pts = [Point(x0 + x, y0 + y) for x, y in xy]
    gdf = gpd.GeoDataFrame(cols, geometry=pts, crs=4544).to_crs(4326)
    return gdf.set_index("id", drop=False)


def test_a_coarse_site_gets_a_campus_only_when_its_error_cannot_change_it() -> None:
    campuses = _metric_points(
        [(0, 0), (0, 5_300), (20_000, 0)],
        id=["a", "b", "c"],
        name_zh=["甲", "乙", "丙"],
        accuracy_m=[300.0, 300.0, 300.0],
    )
    sites = _metric_points(
        [(0, 2_650), (25_000, 0), (10_000, 0), (300, 0)],
        id=["between", "clear", "far", "on-a"],
        name_zh=["s1", "s2", "s3", "s4"],
        accuracy_m=[2000.0, 3000.0, 16_000.0, 800.0],
    )
    table = build_report({"campuses": campuses, "rd_platforms": sites})
    near = next(s.table for s in table.sections if s.key == "nearest_campus").set_index("id")
    # halfway between a and b, ±2 km: either could be nearer
    assert pd.isna(near.loc["between", "campus"])
    assert "could change which campus" in near.loc["between", "note"]
    # 5 km from c, 25 km from a: ±3 km cannot change it
    assert near.loc["clear", "campus"] == "c"
    assert near.loc["clear", "dist_m"] == pytest.approx(5000, abs=1)
    # ±16 km at 10 km from a and c: not determined
    assert pd.isna(near.loc["far", "campus"])
    assert not near.loc["far", "position_ok"]
    # a precise site always gets its campus
    assert near.loc["on-a", "campus"] == "a"


def test_cqu_ring_no_longer_contains_the_rd_platforms(report, real) -> None:
    counts = report["zone_counts"].set_index(["zone_layer", "zone"])
    assert counts.loc[("rings", "ring-cqu"), "rd_platforms"] <= 1
    assert len(real["rd_platforms"]) == 25


def test_coverage_counts_only_positions_known_to_the_distance(report, real) -> None:
    cov = report["campus_coverage"].set_index(["layer", "distance_km"])
    rd = real["rd_platforms"]
    for km in (1.0, 2.0, 5.0):
        known = int((rd["accuracy_m"] <= km * 1000).sum())
        assert cov.loc[("rd_platforms", km), "total"] == known
        assert cov.loc[("rd_platforms", km), "excluded_coarse"] == len(rd) - known


# --------------------------------------------------------------------------- maps
def test_figure3_draws_points_badges_and_a_not_located_list(real) -> None:
    from geo.maps import FIGURES, build_map

    cat = read_catalog()
    page = build_map(FIGURES["fig3"], real, cat, basemap="none").get_root().render()
    rd = real["rd_platforms"]
    level = placement(rd)
    # point- and schematic-level platforms reach the GeoJSON as features
    assert page.count('"id": "rd-') == int(level.isin(["point", "schematic"]).sum())
    assert page.count('"shown": "schematic"') >= int((level == "schematic").sum()) > 0
    # the zone coarse ones lie in (the west city) is not a layer of Figure 3: it is
    # drawn faintly, and they are counted on it
    assert page.count('className: "geo-badge-icon"') == 1
    assert '"className": "geo-context-zone"' in page
    assert "MarkerCluster" in page
    assert "\\u4f4d\\u7f6e\\u672a\\u5b9a" in page  # 位置未定, as a JS string


def test_claims_map_lists_coarse_places_and_dots_precise_ones() -> None:
    from geo.claims.map_page import claims_map

    judged = pd.DataFrame(
        {
            "claim_id": ["A1", "B1"],
            "place_key": ["准确地点", "<b>全区</b>"],
            "metric": ["m", "m"],
            "value_written": [1, 2],
            "unit_written": ["km²", "km²"],
            "verdict": ["consistent", "conflict"],
            "source_file": ["002", "002"],
            "line": [1, 2],
            "quote": ["q", "q"],
        }
    )
    places = gpd.GeoDataFrame(
        {
            "name_zh": ["准确地点", "<b>全区</b>"],
            "aliases": ["", ""],
            "accuracy_m": [300.0, 16_000.0],
            "within": ["", "city-east"],
        },
        geometry=[Point(106.45, 29.56), Point(106.36, 29.62)],
        crs=4326,
    )
    district = gpd.GeoDataFrame(
        {
            "id": ["district-x", "city-east"],
            "kind": ["district", "city"],
            "name_zh": ["区", "东城"],
        },
        geometry=[Point(106.4, 29.6).buffer(0.2), Point(106.45, 29.56).buffer(0.05)],
        crs=4326,
    )
    page = claims_map(judged, places, None, district, basemap="none").get_root().render()
    assert page.count("L.circleMarker(") == 1  # the precise place only
    assert "[29.56, 106.45]" in page
    assert "[29.62, 106.36]" not in page  # the district-scale point is not dotted
    assert "未绘为点" in page
    assert "东城" in page  # listed under its area's name, not the zone id
    assert "&lt;b&gt;全区&lt;/b&gt;" in page
    assert "<b>全区</b>" not in page
    assert "图例 Legend" in page
    assert "规划数据核查图" in page
    assert "L.geoJson(" in page  # the district outline


def _spec(lid: str, geometry_type: str = "Point"):
    from geo.data.catalog import LayerSpec

    return LayerSpec(
        id=lid,
        title_zh=f"{lid}层",
        title_en=lid,
        geometry_type=geometry_type,
        role="site",
        group="g",
        figures=(),
        style="s",
        kind_field="industry",
    )


def test_not_located_panel_groups_by_class_and_lists_underivable_zones() -> None:
    from geo.figures.placed import split_layer
    from geo.maps.placement_layers.panel import unlocated_html

    pts = gpd.GeoDataFrame(
        {
            "name_zh": ["<i>甲</i>", "乙", "丙"],
            "plan_ref": ["L1", "L2", "L3"],
            "industry": ["ai", "bio", "ai"],
            "accuracy_m": [16_000.0, 16_000.0, 200.0],
            "within": ["", "", ""],
        },
        geometry=[Point(106.4, 29.6)] * 3,
        crs=4326,
    )
    placed = split_layer(_spec("rd"), pts, 1000, set())
    assert list(placed.points["name_zh"]) == ["丙"]
    zones = gpd.GeoDataFrame(
        {"name_zh": ["某集群"], "rule": ["not derivable: none located"]},
        geometry=[shapely.Polygon()],
        crs=4326,
    )
    page = unlocated_html([placed], ((_spec("clusters", "Polygon"), zones),))
    assert "位置未定" in page
    assert "&lt;i&gt;甲&lt;/i&gt;" in page
    assert "<i>甲" not in page
    assert page.index(">ai<") < page.index("甲") < page.index(">bio<") < page.index("乙")
    assert "丙" not in page  # drawn as a point, not listed
    assert "某集群" in page
    assert "not derivable: none located" in page


def test_badges_one_per_area_and_layer_or_merged_on_busy_figures() -> None:
    import folium

    from geo.figures.placed import split_layer
    from geo.maps.placement_layers.badges import add_badges

    def layer(lid: str, n: int):
        gdf = gpd.GeoDataFrame(
            {
                "name_zh": [f"{lid}{i}" for i in range(n)],
                "plan_ref": ["L"] * n,
                "industry": ["x"] * n,
                "accuracy_m": [9000.0] * n,
                "within": ["大学城"] * n,
            },
            geometry=[Point(106.3, 29.6)] * n,
            crs=4326,
        )
        return split_layer(_spec(lid), gdf, 1000, {"大学城"})

    anchors, labels = {"大学城": (29.6, 106.3)}, {"大学城": "大学城"}
    two = [layer("a", 8), layer("b", 2)]
    assert add_badges(folium.FeatureGroup(), two, anchors, labels, {}) == 2
    three = [*two, layer("c", 1)]
    group = folium.FeatureGroup()
    assert add_badges(group, three, anchors, labels, {}) == 1
    m = folium.Map()
    group.add_to(m)
    page = m.get_root().render()
    assert "大学城 · 11 项" in page  # all three layers on one badge


def test_figure_max_accuracy_m_sets_what_is_drawn_as_a_point(real) -> None:
    from dataclasses import replace

    from geo.maps import FIGURES, build_map

    cat = read_catalog()
    loose = replace(FIGURES["fig3"], max_accuracy_m=20_000)
    page = build_map(loose, real, cat, basemap="none").get_root().render()
    assert page.count('"id": "rd-') == len(real["rd_platforms"])  # all within ±20 km
