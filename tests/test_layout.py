"""The encoded layout on the real layers: partition, containment, honesty of accuracy.

These are the checks of the layers issue, run on the committed data through the
catalog, so a change to a source layer or a rule that breaks the plan's relations
fails here.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geo.cli import main
from geo.data.catalog import read_catalog
from geo.data.layers import _load_layer, validate_catalog


@pytest.fixture(scope="module")
def catalog():
    return read_catalog()


@pytest.fixture(scope="module")
def layers(catalog):
    return {spec.id: _load_layer(spec.id, catalog=catalog) for spec in catalog}


def metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs("EPSG:4544")


def test_catalog_validates_without_problems():
    assert validate_catalog() == []


def test_every_catalog_layer_loads_with_features(layers, catalog):
    assert set(layers) == set(catalog.layers)
    # a derived layer may be empty only when it says which zones could not be derived
    empty = [lid for lid, gdf in layers.items() if gdf.empty and not gdf.attrs.get("not_derivable")]
    assert empty == []


def test_screens_and_cities_partition_the_district(layers):
    district = shapely.union_all(metric(layers["district"]).geometry.values)
    parts = list(metric(layers["screens"]).geometry) + list(metric(layers["cities"]).geometry)
    assert len(parts) == 4
    assert sum(p.area for p in parts) == pytest.approx(district.area, rel=1e-3)
    union = shapely.union_all(parts)
    assert union.symmetric_difference(district).area < 1e-3 * district.area  # no gap
    for i, a in enumerate(parts):
        for b in parts[i + 1 :]:
            assert a.intersection(b).area < 100.0  # m²: no overlap beyond rounding


def test_cities_are_east_and_west_of_the_zhongliang_ridge(layers):
    cities = metric(layers["cities"]).set_index("id")
    ridge = metric(layers["ridges"]).set_index("id").geometry["ridge-zhongliang"]
    assert cities.geometry["city-east"].centroid.x > ridge.centroid.x
    assert cities.geometry["city-west"].centroid.x < ridge.centroid.x


def test_features_in_shapingba_lie_in_the_district_within_their_accuracy(layers, catalog):
    district = shapely.union_all(metric(layers["district"]).geometry.values)
    outside = []
    for spec in catalog.by_role("site", "campus", "member", "axis", "terrain"):
        gdf = metric(layers[spec.id])
        for fid, geom, acc in zip(gdf["id"], gdf.geometry, gdf["accuracy_m"], strict=True):
            # lines may run beyond the district (ridges are extended to split it)
            probe = geom if geom.geom_type == "Point" else geom.interpolate(0.5, normalized=True)
            if probe.distance(district) > acc:
                outside.append((spec.id, fid, round(probe.distance(district))))
    assert outside == []


def test_each_belt_contains_the_places_strung_along_it(layers, catalog):
    from geo.data.gazetteer import load_gazetteer
    from geo.data.placement import DEFAULT_MAX_ACCURACY_M

    gaz = load_gazetteer()
    belts = layers["belts"].set_index("id")
    params = catalog["belts"].derived["params"]
    limit = params.get("max_member_accuracy_m", DEFAULT_MAX_ACCURACY_M)
    for spec in params["belts"]:
        geom = belts.geometry[spec["id"]]
        coarse = str(belts.loc[spec["id"], "places_coarse"]).split("|")
        for name in spec["places"]:
            p = gaz.lookup(name)
            if p.accuracy_m <= limit:
                assert geom.contains(shapely.Point(p.lon, p.lat)), (spec["id"], name)
            else:  # too coarse to shape the belt: named as left out, never dropped silently
                assert name in coarse, (spec["id"], name)


def test_jialing_belt_links_the_five_universities_the_plan_names(layers):
    # plan L210: 陆军军医大学、重庆师范大学、重庆大学、西南政法大学、四川外国语大学
    # the two whose positions are coarser than ±1 km cannot shape the belt: listed instead
    belts = layers["belts"].set_index("id")
    belt = belts.geometry["belt-jialing"]
    campuses = layers["campuses"]
    for prefix in ("重庆师范大学", "重庆大学", "四川外国语大学"):
        hits = campuses[campuses["name_zh"].str.startswith(prefix)]
        assert any(belt.contains(g) for g in hits.geometry), prefix
    coarse = belts.loc["belt-jialing", "places_coarse"].split("|")
    assert set(coarse) == {"陆军军医大学", "西南政法大学"}


def test_each_ring_contains_its_members(layers, catalog):
    from geo.data.placement import DEFAULT_MAX_ACCURACY_M

    zones, members, key = "rings", "ring_members", "ring"

    params = catalog[zones].derived["params"]
    limit = params.get("max_member_accuracy_m", DEFAULT_MAX_ACCURACY_M)
    groups = {g["key"]: g["id"] for g in params["groups"]}
    zone = layers[zones].set_index("id")
    coarse = dict(zip(zone.index, zone["members_coarse"], strict=True))
    coarse.update({g["id"]: g["members_coarse"] for g in layers[zones].attrs["not_derivable"]})
    for _, row in layers[members].iterrows():
        gid = groups[row[key]]
        if row["accuracy_m"] <= limit:
            assert zone.geometry[gid].contains(row.geometry), (row[key], row["name_zh"])
        else:  # too coarse to shape the zone: named as left out
            assert row["name_zh"] in coarse[gid].split("|"), row["name_zh"]


def test_each_ring_contains_a_campus(layers, catalog):
    groups = {g["key"]: g["id"] for g in catalog["rings"].derived["params"]["groups"]}
    members = layers["ring_members"]
    campuses = members[members["member_role"] == "campus"]
    assert set(campuses["ring"]) == set(groups)


def test_no_schematic_feature_claims_accuracy_below_300_m(layers):
    low = [
        (lid, fid)
        for lid, gdf in layers.items()
        for fid, src, acc in zip(gdf["id"], gdf["geometry_source"], gdf["accuracy_m"], strict=True)
        if src == "schematic" and acc < 300
    ]
    assert low == []


def test_every_feature_says_where_it_came_from(layers):
    for lid, gdf in layers.items():
        assert gdf["geometry_source"].isin(["surveyed", "digitized", "schematic"]).all(), lid
        assert (gdf["accuracy_m"] > 0).all(), lid


def test_geo_layers_lists_every_layer(capsys, catalog):
    assert main(["layers"]) == 0
    out = capsys.readouterr().out
    for spec in catalog:
        assert spec.id in out


def test_features_at_anchored_places_are_drawn_as_schematic(layers):
    from geo.data.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    checked = 0
    for gdf in layers.values():
        if "place" not in gdf:
            continue
        for place, src, note in zip(
            gdf["place"], gdf["geometry_source"], gdf["position_note"], strict=True
        ):
            if not isinstance(place, str):
                continue
            p = gaz.lookup(place)
            assert src == ("schematic" if p.approximate else "digitized"), place
            assert note.startswith(p.name_zh), place  # the popup says where the point is
            checked += 1
    assert checked > 100  # the plan's point layers all stand at gazetteer places
