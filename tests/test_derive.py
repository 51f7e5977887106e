"""Derived layers: screens and cities partition the district; belts, rings, clusters."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from geo.data.catalog import LayerSpec
from geo.data.derive import derive_layer
from geo.errors import DeriveError

# A 20 km x 20 km synthetic district near Shapingba, built in EPSG:4544 metres.
X0, Y0 = 380_000.0, 3_270_000.0
DISTRICT = box(X0, Y0, X0 + 20_000, Y0 + 20_000)
BASE = {
    "name_zh": "测",
    "name_en": "t",
    "kind": "k",
    "plan_ref": "p",
    "geometry_source": "digitized",
    "accuracy_m": 10.0,
}


def frame(rows: list[tuple[str, object]], **cols) -> gpd.GeoDataFrame:
    data = [
        {**BASE, "id": fid, **{k: v[i] for k, v in cols.items()}} for i, (fid, _) in enumerate(rows)
    ]
    gdf = gpd.GeoDataFrame(data, geometry=[g for _, g in rows], crs=4544)
    return gdf.to_crs(4326)


LAYERS = {
    "district": frame([("d", DISTRICT)]),
    # a ridge running north-south at x = X0 + 12 km, overshooting the edges
    "ridges": frame(
        [
            ("ridge-mid", LineString([(X0 + 12_000, Y0 - 1000), (X0 + 11_000, Y0 + 21_000)])),
            ("ridge-west", LineString([(X0 + 1_000, Y0 - 1000), (X0 + 1_000, Y0 + 21_000)])),
        ]
    ),
    "axes": frame([("axis-road", LineString([(X0 + 17_000, Y0), (X0 + 17_000, Y0 + 20_000)]))]),
    "members": frame(
        [
            ("m1", Point(X0 + 5_000, Y0 + 5_000)),
            ("m2", Point(X0 + 5_500, Y0 + 5_000)),
            ("m3", Point(X0 + 15_000, Y0 + 15_000)),
            ("m4", Point(X0 + 3_000, Y0 + 17_000)),
        ],
        group=["a", "a", "b", "b"],
    ),
}


def load(layer_id: str) -> gpd.GeoDataFrame:
    return LAYERS[layer_id]


def spec(rule: str, params: dict) -> LayerSpec:
    return LayerSpec(
        id="x",
        title_zh="x",
        title_en="x",
        geometry_type="Polygon",
        role="zone",
        group="g",
        figures=(),
        style="s",
        derived={"rule": rule, "params": params},
    )


def named(fid: str) -> dict:
    return {"id": fid, "name_zh": fid, "name_en": fid, "plan_ref": "plan:L1"}


SCREENS = {
    "district": "district",
    "ridges": "ridges",
    "screens": [
        {**named("screen-mid"), "ridge": "ridge-mid", "half_width_m": 1500},
        {**named("screen-west"), "ridge": "ridge-west", "half_width_m": 2000},
    ],
}


def metric_area(gdf: gpd.GeoDataFrame) -> gpd.GeoSeries:
    return gdf.to_crs(4544).area


def test_screens_and_cities_partition_the_district():
    LAYERS["screens"] = derive_layer(spec("screens", SCREENS), load)
    cities = derive_layer(
        spec(
            "cities",
            {
                "district": "district",
                "screens": "screens",
                "ridges": "ridges",
                "divide": "ridge-mid",
                "east": named("city-east"),
                "west": named("city-west"),
            },
        ),
        load,
    )
    parts = list(LAYERS["screens"].to_crs(4544).geometry) + list(cities.to_crs(4544).geometry)
    total = sum(p.area for p in parts)
    assert total == pytest.approx(DISTRICT.area, rel=1e-3)
    union = shapely.union_all(parts)
    assert union.symmetric_difference(DISTRICT).area < 1e-4 * DISTRICT.area  # no gap
    for i, a in enumerate(parts):  # no overlap
        for b in parts[i + 1 :]:
            assert a.intersection(b).area < 1.0
    east, west = cities.to_crs(4544).geometry
    assert east.centroid.x > X0 + 12_000 > west.centroid.x
    # the mid screen is 3 km wide and the district 20 km tall: about 60 km²
    assert metric_area(LAYERS["screens"]).iloc[0] == pytest.approx(3_000 * 20_000, rel=0.03)
    assert set(cities["geometry_source"]) == {"schematic"}


def test_later_screens_do_not_overlap_earlier_ones():
    params = {
        **SCREENS,
        "screens": [
            {**named("s1"), "ridge": "ridge-mid", "half_width_m": 1500},
            {**named("s2"), "ridge": "ridge-mid", "half_width_m": 3000},
        ],
    }
    out = derive_layer(spec("screens", params), load).to_crs(4544)
    assert out.geometry[0].intersection(out.geometry[1]).area < 1.0


def test_groups_make_one_shape_per_group_containing_members():
    out = derive_layer(
        spec(
            "groups",
            {
                "district": "district",
                "members": "members",
                "group_by": "group",
                "radius_m": 800,
                "link_m": 1000,
                "kind": "ring",
                "groups": [{**named("ring-a"), "key": "a"}, {**named("ring-b"), "key": "b"}],
            },
        ),
        load,
    )
    assert list(out["id"]) == ["ring-a", "ring-b"]
    members = LAYERS["members"]
    for _, row in out.iterrows():
        mine = members[members["group"] == row["id"][-1]]
        assert all(row.geometry.contains(p) for p in mine.geometry)
    # group a: two discs 500 m apart merge into one part; group b: 17 km apart, two parts
    assert shapely.get_num_geometries(out.geometry[0]) == 1
    assert shapely.get_num_geometries(out.geometry[1]) == 2
    assert (out["accuracy_m"] >= 300).all()
    assert "aliases" not in out.columns  # no group declares any


def test_group_without_members_is_a_clear_error():
    with pytest.raises(DeriveError, match="group 'zzz' has no members"):
        derive_layer(
            spec(
                "groups",
                {
                    "members": "members",
                    "group_by": "group",
                    "radius_m": 500,
                    "groups": [{**named("g"), "key": "zzz"}],
                },
            ),
            load,
        )


def test_belt_follows_its_axis_and_is_clipped():
    out = derive_layer(
        spec(
            "belts",
            {
                "district": "district",
                "axes": "axes",
                "belts": [{**named("belt"), "axes": ["axis-road"], "half_width_m": 1000}],
            },
        ),
        load,
    )
    geom = out.to_crs(4544).geometry[0]
    assert geom.contains(Point(X0 + 17_500, Y0 + 10_000))
    assert not geom.contains(Point(X0 + 15_500, Y0 + 10_000))
    assert geom.area == pytest.approx(2_000 * 20_000, rel=0.02)  # clipped at the edges


def test_unknown_rule_and_missing_feature():
    with pytest.raises(DeriveError, match="unknown rule 'blob'"):
        derive_layer(spec("blob", {}), load)
    bad = {**SCREENS, "screens": [{**named("s"), "ridge": "nope", "half_width_m": 100}]}
    with pytest.raises(DeriveError, match="feature 'nope'"):
        derive_layer(spec("screens", bad), load)


def test_ridge_side_zone():
    out = derive_layer(
        spec(
            "ridge_side",
            {
                "district": "district",
                "ridges": "ridges",
                "divide": "ridge-mid",
                "zones": [{**named("west"), "side": "west"}],
            },
        ),
        load,
    )
    geom = out.to_crs(4544).geometry[0]
    assert geom.area == pytest.approx(11_500 * 20_000, rel=0.01)


def test_a_zone_is_no_more_accurate_than_its_inputs():
    coarse = LAYERS["members"].copy()
    coarse.loc[coarse["group"] == "b", "accuracy_m"] = 5000.0
    out = derive_layer(
        spec(
            "groups",
            {
                "district": "district",
                "members": "coarse",
                "group_by": "group",
                "radius_m": 800,
                "max_member_accuracy_m": 5000,
                "groups": [{**named("ring-a"), "key": "a"}, {**named("ring-b"), "key": "b"}],
            },
        ),
        lambda lid: coarse if lid == "coarse" else LAYERS[lid],
    )
    assert list(out["accuracy_m"]) == [800.0, 5000.0]


def test_aliases_pass_through_to_drawn_and_undrawn_groups():
    # group a is located to ±10 m; group b only to ±5 km, too coarse for any disc
    coarse = LAYERS["members"].copy()
    coarse.loc[coarse["group"] == "b", "accuracy_m"] = 5000.0
    groups = [
        {**named("ring-a"), "key": "a", "aliases": "甲圈|环甲"},
        {**named("ring-b"), "key": "b", "aliases": "乙圈"},
    ]
    params = {"district": "district", "members": "coarse", "group_by": "group"}
    out = derive_layer(
        spec("groups", {**params, "radius_m": 800, "groups": groups}),
        lambda lid: coarse if lid == "coarse" else LAYERS[lid],
    )
    assert list(out["id"]) == ["ring-a"]
    assert list(out["aliases"]) == ["甲圈|环甲"]
    [undrawn] = out.attrs["not_derivable"]
    assert (undrawn["id"], undrawn["aliases"]) == ("ring-b", "乙圈")


def test_ridge_side_zone_carries_its_aliases():
    zone = {**named("west"), "side": "west", "aliases": "西片|西部片区"}
    params = {"district": "district", "ridges": "ridges", "divide": "ridge-mid"}
    out = derive_layer(spec("ridge_side", {**params, "zones": [zone]}), load)
    assert out["aliases"].tolist() == ["西片|西部片区"]


# --------------------------------------------------------------------------- schematic zones
def gazetteer(*places: tuple[str, float, float, float, str]):
    """A gazetteer of (name, x, y in EPSG:4544, accuracy_m, note) places."""
    import pandas as pd

    from geo.data.gazetteer import Gazetteer

    pts = gpd.GeoSeries([Point(x, y) for _, x, y, _, _ in places], crs=4544).to_crs(4326)
    rows = [
        {
            "name_zh": name,
            "name_en": f"{name} en",
            "aliases": "",
            "kind": "site",
            "lon": round(p.x, 7),
            "lat": round(p.y, 7),
            "source_datum": "wgs84",
            "source": "test fixture",
            "accuracy_m": acc,
            "note": note,
        }
        for (name, _, _, acc, note), p in zip(places, pts, strict=True)
    ]
    return Gazetteer(pd.DataFrame(rows))


def zones(*specs: dict) -> LayerSpec:
    return spec("schematic_zones", {"district": "district", "axes": "axes", "zones": list(specs)})


def test_corridor_follows_the_stretch_its_located_places_name():

    gaz = gazetteer(
        ("甲", X0 + 16_000, Y0 + 5_000, 300, ""),  # 1 km west of the axis, at 5 km
        ("乙", X0 + 16_500, Y0 + 9_000, 500, ""),  # at 9 km
        ("丙", X0 + 17_000, Y0 + 15_000, 9_000, "APPROXIMATE"),  # too coarse to bound it
        ("丁", X0 + 5_000, Y0 + 18_000, 100, ""),  # 12 km off the axis
    )
    zone = {**named("c"), "along": "axis-road", "stretch": ["甲", "乙", "丙", "丁"]}
    out = derive_layer(zones({**zone, "buffer_m": 400, "label_note": ">30万m²"}), load, gaz)
    geom = out.to_crs(4544).geometry[0]
    assert geom.contains(Point(X0 + 17_000, Y0 + 7_000))
    assert geom.contains(Point(X0 + 17_350, Y0 + 5_000))
    assert not geom.contains(Point(X0 + 17_000, Y0 + 12_000))  # past 乙: not named
    assert not geom.contains(Point(X0 + 16_000, Y0 + 7_000))  # beyond the buffer
    _, ymin, _, ymax = geom.bounds
    assert (ymin, ymax) == pytest.approx((Y0 + 4_600, Y0 + 9_400), abs=5)
    row = out.iloc[0]
    assert row["geometry_source"] == "schematic"
    assert row["accuracy_m"] == 900.0  # worst bounding place (±500 m) + the 400 m buffer
    assert "丙, 丁" in row["rule"]
    assert "left out" in row["rule"]
    assert row["label_note"] == ">30万m²"


def test_zone_around_the_best_known_place_and_its_lake_once_located():

    park = ("园", X0 + 8_000, Y0 + 8_000, 3_000, "")
    lake = ("湖", X0 + 9_000, Y0 + 9_000, 200, "")
    zone = {**named("c"), "around": ["湖", "园"], "buffer_m": 1000, "claims": "超过 50 万平方米"}
    for places, centre, accuracy in (([park], park, 4000.0), ([park, lake], lake, 1200.0)):
        out = derive_layer(zones(zone), load, gazetteer(*places))
        geom = out.to_crs(4544).geometry[0]
        assert geom.centroid.distance(Point(centre[1], centre[2])) < 5
        assert geom.area == pytest.approx(3.1416e6, rel=0.01)
        assert out["accuracy_m"].tolist() == [accuracy]
        assert out["claims"].tolist() == ["超过 50 万平方米"]
    with pytest.raises(DeriveError, match="none of 湖, 无"):
        derive_layer(zones({**zone, "around": ["湖", "无"]}), load, gazetteer(park))
