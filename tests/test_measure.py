"""geo.measure and the measuring commands, against hand-computed cases.

The fixtures in tests/data/measure/ are squares and points laid out in EPSG:4544
metres from X0 = 636000, Y0 = 3277000 (near 106.40E 29.60N) and stored as WGS-84:

zones     zone-west [0,2000]x[0,2000], zone-east [2000,4000]x[0,2000] (kind city),
          zone-ring [1000,3000]x[1000,3000] (kind ring)
parks     park-a [500,1500]^2, park-b [1500,2500]x[0,1000] (wound clockwise; its top
          edge touches zone-ring), park-m MultiPolygon [3000,3500]^2 + [5000,5500]x[0,500]
sites     site-1 (600,600), site-2 (2000,500) on the west/east edge, site-3 (2500,2500),
          site-4 (6000,6000)
campuses  campus-x (500,1500), campus-y (4000,0)

Gauss-Krüger scale error here is about 2.3e-4 (areas 4.5e-4), so geodesic values
match the planar hand computations to 0.1%.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import measure
from geo.cli import main
from geo.data.layers import _load_layer
from geo.errors import CRSError, DegreesNotAllowedError, UnknownLayerError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "measure"
DISTRICT = ROOT / "layers" / "admin" / "district.geojson"
X0, Y0 = 636000.0, 3277000.0
REL = 1e-3  # 0.1%


def layer(name: str) -> gpd.GeoDataFrame:
    return _load_layer(DATA / f"{name}.geojson").set_index("id", drop=False)


def metric(*geoms: shapely.Geometry) -> gpd.GeoDataFrame:
    """Geometries given in metres from (X0, Y0), as an EPSG:4544 frame."""
    moved = [shapely.affinity.translate(g, X0, Y0) for g in geoms]
    return gpd.GeoDataFrame({"id": [f"f{i}" for i in range(len(geoms))]}, geometry=moved, crs=4544)


def wgs(*geoms: shapely.Geometry) -> gpd.GeoDataFrame:
    return metric(*geoms).to_crs(4326)


@pytest.fixture(scope="module")
def zones() -> gpd.GeoDataFrame:
    return layer("zones")


@pytest.fixture(scope="module")
def parks() -> gpd.GeoDataFrame:
    return layer("parks")


@pytest.fixture(scope="module")
def sites() -> gpd.GeoDataFrame:
    return layer("sites")


@pytest.fixture(scope="module")
def campuses() -> gpd.GeoDataFrame:
    return layer("campuses")


# --------------------------------------------------------------------------- areas
def test_one_km_square_in_metric_crs_is_one_million_m2() -> None:
    area = measure.geodesic_area(metric(shapely.box(0, 0, 1000, 1000)))
    assert area.name == "area_m2"
    assert area.iloc[0] == pytest.approx(1_000_000, rel=REL)


def test_winding_does_not_change_the_sign() -> None:
    ccw = shapely.Polygon([(0, 0), (1000, 0), (1000, 1000), (0, 1000)])
    cw = shapely.Polygon([(0, 0), (0, 1000), (1000, 1000), (1000, 0)])
    area = measure.geodesic_area(metric(ccw, cw))
    assert (area > 0).all()
    assert area.iloc[0] == pytest.approx(area.iloc[1], rel=1e-12)


def test_holes_and_multipolygons() -> None:
    holed = shapely.Polygon(
        [(0, 0), (2000, 0), (2000, 2000), (0, 2000)],
        [[(500, 500), (500, 1500), (1500, 1500), (1500, 500)]],
    )
    multi = shapely.MultiPolygon([shapely.box(0, 0, 1000, 1000), shapely.box(3000, 0, 3500, 500)])
    area = measure.geodesic_area(metric(holed, multi, shapely.Point(0, 0)))
    assert area.iloc[0] == pytest.approx(4e6 - 1e6, rel=REL)
    assert area.iloc[1] == pytest.approx(1e6 + 0.25e6, rel=REL)
    assert area.iloc[2] == 0.0


def test_area_is_aligned_to_the_input_index(parks: gpd.GeoDataFrame) -> None:
    area = measure.geodesic_area(parks)
    assert list(area.index) == ["park-a", "park-b", "park-m"]
    assert area["park-b"] == pytest.approx(1e6, rel=REL)  # wound clockwise in the file
    assert area["park-m"] == pytest.approx(0.5e6, rel=REL)


@pytest.mark.skipif(not DISTRICT.exists(), reason="layers/admin/district.geojson not built yet")
def test_district_area_is_396_9_km2() -> None:
    district = _load_layer(DISTRICT)
    assert measure.geodesic_area(district).sum() / 1e6 == pytest.approx(396.9, rel=5e-3)


def test_lengths() -> None:
    gdf = metric(shapely.LineString([(0, 0), (1000, 0)]), shapely.box(0, 0, 1000, 1000))
    length = measure.geodesic_length(gdf)
    assert length.name == "length_m"
    assert length.iloc[0] == pytest.approx(1000, rel=REL)
    assert length.iloc[1] == pytest.approx(4000, rel=REL)


def test_unit_conversions() -> None:
    s = pd.Series([1e6], name="area_m2")
    assert measure.convert_area(s, "ha").iloc[0] == 100.0
    assert measure.convert_area(s, "mu").iloc[0] == pytest.approx(1500.0)  # 1e6 / (2000/3)
    assert measure.convert_area(s, "km2").iloc[0] == 1.0
    assert measure.convert_area(s, "km2").name == "area_km2"
    with pytest.raises(ValueError, match="unknown area unit"):
        measure.convert_area(s, "acre")


def test_area_table_by_kind(zones: gpd.GeoDataFrame) -> None:
    table = measure.area_table(zones, by="kind", unit="km2")
    assert table.loc["city", "features"] == 2
    assert table.loc["city", "area_km2"] == pytest.approx(8.0, rel=REL)
    assert table.loc["ring", "area_km2"] == pytest.approx(4.0, rel=REL)
    assert table.loc["city", "share"] == pytest.approx(2 / 3, rel=REL)
    with pytest.raises(KeyError, match="no column"):
        measure.area_table(zones, by="colour")


# --------------------------------------------------------------------------- overlaps
def test_overlap_pairs(parks: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> None:
    pairs = measure.overlaps(parks, zones).set_index(["a", "b"])
    # park-b only touches zone-ring (shared edge) and park-m only touches it at a corner.
    assert set(pairs.index) == {
        ("park-a", "zone-west"),
        ("park-a", "zone-ring"),
        ("park-b", "zone-west"),
        ("park-b", "zone-east"),
    }
    row = pairs.loc[("park-a", "zone-ring")]
    assert row["overlap_m2"] == pytest.approx(250_000, rel=REL)
    assert row["share_of_a"] == pytest.approx(0.25, rel=REL)
    assert row["share_of_b"] == pytest.approx(250_000 / 4e6, rel=REL)
    assert pairs.loc[("park-a", "zone-west"), "share_of_a"] == pytest.approx(1.0, rel=1e-9)
    assert pairs.loc[("park-b", "zone-east"), "share_of_a"] == pytest.approx(0.5, rel=REL)
    assert pairs.crs.to_epsg() == 4326


def test_identical_polygons_share_everything() -> None:
    a = wgs(shapely.box(0, 0, 1000, 1000))
    pairs = measure.overlaps(a, a.copy())
    assert len(pairs) == 1
    assert pairs["share_of_a"].iloc[0] == pytest.approx(1.0, rel=1e-9)
    assert pairs["share_of_b"].iloc[0] == pytest.approx(1.0, rel=1e-9)


def test_multipolygon_overlap_counts_only_the_inside_part() -> None:
    multi = shapely.MultiPolygon([shapely.box(0, 0, 1000, 1000), shapely.box(5000, 0, 6000, 1000)])
    pairs = measure.overlaps(wgs(multi), wgs(shapely.box(500, 0, 5500, 1000)))
    assert pairs["overlap_m2"].iloc[0] == pytest.approx(1e6, rel=REL)  # 500x1000 twice
    assert pairs["share_of_a"].iloc[0] == pytest.approx(0.5, rel=REL)


def test_no_intersections_and_empty_layers() -> None:
    a = wgs(shapely.box(0, 0, 100, 100))
    far = wgs(shapely.box(5000, 5000, 5100, 5100))
    touching = wgs(shapely.box(100, 0, 200, 100))
    empty = a.iloc[0:0]
    for b in (far, touching, empty):
        pairs = measure.overlaps(a, b)
        assert len(pairs) == 0
        assert {"a", "b", "overlap_m2", "share_of_a", "share_of_b"} <= set(pairs.columns)
    assert len(measure.overlaps(empty, a)) == 0
    assert measure.union_area(empty) == 0.0


def test_union_counts_overlaps_once(zones: gpd.GeoDataFrame) -> None:
    # 4 + 4 + 4 km² minus ring∩west (1 km²) and ring∩east (1 km²)
    assert measure.union_area(zones) == pytest.approx(10e6, rel=REL)
    doubled = pd.concat([zones, zones])
    assert measure.union_area(doubled) == pytest.approx(10e6, rel=REL)


def test_overlap_matrix(parks: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> None:
    m = measure.overlap_matrix({"parks": parks, "zones": zones})
    assert m.loc["parks", "parks"] == pytest.approx(2.5e6, rel=REL)
    assert m.loc["parks", "zones"] == pytest.approx(2e6, rel=REL)  # park-a + park-b
    assert m.loc["zones", "parks"] == m.loc["parks", "zones"]
    share = measure.overlap_matrix({"parks": parks, "zones": zones}, share=True)
    assert share.loc["parks", "zones"] == pytest.approx(0.8, rel=REL)
    assert share.loc["zones", "parks"] == pytest.approx(0.2, rel=REL)
    assert share.loc["zones", "zones"] == pytest.approx(1.0)


# --------------------------------------------------------------------------- proximity
def test_nearest_points(sites: gpd.GeoDataFrame, campuses: gpd.GeoDataFrame) -> None:
    near = measure.nearest(sites, campuses)
    assert list(near.index) == list(sites.index)
    assert list(near["b"]) == ["campus-x", "campus-x", "campus-x", "campus-y"]
    expected = [math.hypot(100, 900), math.hypot(1500, 1000), math.hypot(2000, 1000)]
    expected.append(math.hypot(2000, 6000))
    np.testing.assert_allclose(near["dist_m"], expected, atol=0.5)


def test_nearest_polygons_edge_to_edge(parks: gpd.GeoDataFrame, campuses: gpd.GeoDataFrame) -> None:
    near = measure.nearest(parks, campuses)
    assert near.loc["park-a", "dist_m"] == pytest.approx(0.0, abs=0.01)  # campus on its corner
    assert near.loc["park-b", "dist_m"] == pytest.approx(math.hypot(1000, 500), abs=0.5)
    assert near.loc["park-m", "b"] == "campus-y"
    assert near.loc["park-m", "dist_m"] == pytest.approx(1000.0, abs=0.5)


def test_nearest_with_limit_and_empty(sites: gpd.GeoDataFrame, campuses: gpd.GeoDataFrame) -> None:
    near = measure.nearest(sites, campuses, max_distance_m=2000)
    assert near["b"].isna().tolist() == [False, False, True, True]
    empty = measure.nearest(sites, campuses.iloc[0:0])
    assert empty["dist_m"].isna().all()


def test_k_nearest(sites: gpd.GeoDataFrame, campuses: gpd.GeoDataFrame) -> None:
    k2 = measure.k_nearest(sites, campuses, 2)
    four = k2[k2["a"] == "site-4"]
    assert four["b"].tolist() == ["campus-y", "campus-x"]
    assert four["rank"].tolist() == [1, 2]
    np.testing.assert_allclose(
        four["dist_m"], [math.hypot(2000, 6000), math.hypot(5500, 4500)], atol=0.5
    )
    assert len(measure.k_nearest(sites, campuses, 5)) == 8  # only 2 campuses exist
    assert len(measure.k_nearest(sites, campuses, 2, max_distance_m=2100)) == 3
    with pytest.raises(ValueError, match="at least 1"):
        measure.k_nearest(sites, campuses, 0)


def test_k_nearest_polygons_grows_the_search(
    parks: gpd.GeoDataFrame, zones: gpd.GeoDataFrame
) -> None:
    k = measure.k_nearest(parks, zones, 3)
    m = k[k["a"] == "park-m"]
    # park-m: touches zone-ring (0), then zone-east 1000 m from its first part.
    assert m["b"].tolist()[:2] == ["zone-ring", "zone-east"]
    np.testing.assert_allclose(m["dist_m"].tolist()[:2], [0.0, 1000.0], atol=0.5)


def test_within_distance(sites: gpd.GeoDataFrame, campuses: gpd.GeoDataFrame) -> None:
    pairs = measure.within_distance(sites, campuses, "2km")
    assert list(zip(pairs["a"], pairs["b"], strict=True)) == [
        ("site-1", "campus-x"),
        ("site-2", "campus-x"),
    ]
    assert len(measure.within_distance(sites, campuses, 0)) == 0


def test_coverage_of_points(sites: gpd.GeoDataFrame, campuses: gpd.GeoDataFrame) -> None:
    cov = measure.coverage(sites, campuses, ["1km", 2000, "5 km"])
    assert cov["distance_m"].tolist() == [1000.0, 2000.0, 5000.0]
    assert cov["measure"].iloc[0] == "count"
    assert cov["share"].tolist() == [0.25, 0.5, 0.75]


def test_coverage_of_polygons_by_area(parks: gpd.GeoDataFrame, campuses: gpd.GeoDataFrame) -> None:
    cov = measure.coverage(parks, campuses, [500])
    # a quarter disc of radius 500 m around campus-x lies in park-a; parks cover 2.5 km².
    assert cov["measure"].iloc[0] == "area_m2"
    assert cov["within"].iloc[0] == pytest.approx(math.pi * 500**2 / 4, rel=2e-3)
    assert cov["share"].iloc[0] == pytest.approx(math.pi * 500**2 / 4 / 2.5e6, rel=2e-3)


def test_parse_distance() -> None:
    assert measure.parse_distance("500m") == 500.0
    assert measure.parse_distance("2km") == 2000.0
    assert measure.parse_distance("1.5 公里") == 1500.0
    for bad in ("2 miles", "-3km", "km", "500", ""):
        with pytest.raises(ValueError, match="bad distance"):
            measure.parse_distance(bad)


# --------------------------------------------------------------------------- zones
def test_points_in_zones(sites: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> None:
    m = measure.zonal_membership(sites, zones)
    got = {(f, z): e for f, z, e in zip(m["feature"], m["zone"], m["on_boundary"], strict=True)}
    assert got == {
        ("site-1", "zone-west"): False,
        ("site-2", "zone-west"): True,  # on the shared edge: in both, flagged
        ("site-2", "zone-east"): True,
        ("site-3", "zone-ring"): False,
    }
    assert (m["share"] == 1.0).all()


def test_polygons_in_zones_by_area_share(parks: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> None:
    m = measure.zonal_membership(parks, zones).set_index(["feature", "zone"])["share"]
    assert m[("park-a", "zone-west")] == pytest.approx(1.0, rel=1e-9)
    assert m[("park-a", "zone-ring")] == pytest.approx(0.25, rel=REL)
    assert m[("park-b", "zone-west")] == pytest.approx(0.5, rel=REL)
    assert ("park-b", "zone-ring") not in m.index  # touching only
    assert "park-m" not in m.index.get_level_values(0)


def test_count_and_zones_for(sites: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> None:
    counts = measure.count_in_zones(sites, zones)
    assert counts.to_dict() == {"zone-west": 2, "zone-east": 1, "zone-ring": 1}
    both = measure.zones_for(sites, {"cities": zones.iloc[:2], "rings": zones.iloc[2:]})
    assert both.groupby("layer").size().to_dict() == {"cities": 3, "rings": 1}


# --------------------------------------------------------------------------- bad input
def test_degrees_refused_by_metric_kernels(sites: gpd.GeoDataFrame) -> None:
    with pytest.raises(DegreesNotAllowedError, match="degrees"):
        measure.overlap_metric(sites, sites)
    with pytest.raises(DegreesNotAllowedError, match="degrees"):
        measure.nearest_metric(sites, sites)


def test_mismatched_or_missing_crs(sites: gpd.GeoDataFrame, campuses: gpd.GeoDataFrame) -> None:
    with pytest.raises(CRSError, match="EPSG:4544"):
        measure.nearest(sites, campuses.to_crs(4544))
    with pytest.raises(CRSError, match="CRS"):
        measure.overlaps(sites.set_crs(None, allow_override=True), campuses)
    with pytest.raises(CRSError, match="no CRS"):
        measure.geodesic_area(sites.set_crs(None, allow_override=True))


def test_unknown_layer_is_a_clear_error() -> None:
    with pytest.raises(UnknownLayerError, match="unknown layer"):
        _load_layer(DATA / "no-such-layer.geojson")


# --------------------------------------------------------------------------- CLI
def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_cli_area(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "area", str(DATA / "parks.geojson"), "--unit", "ha")
    assert code == 0
    assert "park-a" in out
    assert "甲园" in out
    assert "union" in out
    code, out, _ = run(capsys, "area", str(DATA / "parks.geojson"), "--format", "csv")
    got = {r["id"]: float(r["area_m2"]) for r in rows(out)}
    assert got["park-m"] == pytest.approx(0.5e6, rel=REL)
    code, out, _ = run(
        capsys,
        "area",
        str(DATA / "zones.geojson"),
        "--by",
        "kind",
        "--unit",
        "mu",
        "--format",
        "csv",
    )
    assert {r["kind"]: float(r["area_mu"]) for r in rows(out)} == pytest.approx(
        {"city": 12000.0, "ring": 6000.0}, rel=REL
    )


def test_cli_area_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "area", str(DATA / "sites.geojson"))
    assert code == 2
    assert "points" in err
    code, _, err = run(capsys, "area", str(DATA / "nothing-here.geojson"))
    assert code == 2
    assert "unknown layer" in err
    code, _, err = run(capsys, "area", str(DATA / "parks.geojson"), "--by", "colour")
    assert code == 2
    assert "colour" in err


def test_cli_overlap(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "overlap",
        str(DATA / "parks.geojson"),
        str(DATA / "zones.geojson"),
        "--format",
        "csv",
    )
    assert code == 0
    got = {(r["a"], r["b"]): float(r["share_of_a"]) for r in rows(out)}
    assert len(got) == 4
    assert got[("park-a", "zone-ring")] == pytest.approx(0.25, rel=REL)


def test_cli_near(capsys: pytest.CaptureFixture[str]) -> None:
    a, b = str(DATA / "sites.geojson"), str(DATA / "campuses.geojson")
    code, out, _ = run(capsys, "near", a, b)
    assert code == 0
    assert "campus-y" in out
    assert "乙大学" in out
    code, out, _ = run(capsys, "near", a, b, "--format", "json")
    records = json.loads(out)
    assert records[3]["b"] == "campus-y"
    assert records[3]["dist_m"] == pytest.approx(math.hypot(2000, 6000), abs=0.5)
    code, out, _ = run(capsys, "near", a, b, "--within", "2km", "--format", "csv")
    assert [(r["a"], r["b"]) for r in rows(out)] == [("site-1", "campus-x"), ("site-2", "campus-x")]
    code, out, _ = run(capsys, "near", a, b, "--k", "2", "--format", "geojson")
    doc = json.loads(out)
    assert doc["type"] == "FeatureCollection"
    assert len(doc["features"]) == 8
    assert doc["features"][0]["geometry"]["type"] == "Point"


def test_cli_near_bad_distance(capsys: pytest.CaptureFixture[str]) -> None:
    a, b = str(DATA / "sites.geojson"), str(DATA / "campuses.geojson")
    code, out, err = run(capsys, "near", a, b, "--within", "2 miles")
    assert code == 2
    assert out == ""
    assert "bad distance" in err
    assert "2km" in err
    code, _, err = run(capsys, "near", a, b, "--k", "0")
    assert code == 2
    assert "--k" in err


def test_cli_zones(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "zones",
        str(DATA / "sites.geojson"),
        "--in",
        str(DATA / "zones.geojson"),
        "--format",
        "csv",
    )
    assert code == 0
    got = sorted((r["feature"], r["zone"], r["on_boundary"]) for r in rows(out))
    assert got == [
        ("site-1", "zone-west", "False"),
        ("site-2", "zone-east", "True"),
        ("site-2", "zone-west", "True"),
        ("site-3", "zone-ring", "False"),
    ]


def test_min_overlap_drops_slivers(parks: gpd.GeoDataFrame) -> None:
    # park-a and park-b share part of the edge x = 1500; only self pairs are real overlaps.
    pairs = measure.overlaps(parks, parks, min_overlap_m2=1.0)
    assert sorted(zip(pairs["a"], pairs["b"], strict=True)) == [
        ("park-a", "park-a"),
        ("park-b", "park-b"),
        ("park-m", "park-m"),
    ]
