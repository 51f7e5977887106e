"""Axes (rivers, roads) and ridges of plan §2.4 against the district boundary."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ROOT / "layers"
METRIC = "EPSG:4544"
REQUIRED = ("id", "name_zh", "name_en", "kind", "plan_ref", "geometry_source", "accuracy_m")
PLAN_REF = re.compile(r"^002_8a077782b689f185\.txt:L(\d+)")


@pytest.fixture(scope="module")
def district_m() -> shapely.Geometry:
    return gpd.read_file(LAYERS / "admin" / "district.geojson").to_crs(METRIC).geometry.iloc[0]


@pytest.fixture(scope="module")
def axes() -> gpd.GeoDataFrame:
    return gpd.read_file(LAYERS / "axes.geojson").set_index("id", drop=False)


@pytest.fixture(scope="module")
def ridges() -> gpd.GeoDataFrame:
    return gpd.read_file(LAYERS / "ridges.geojson").set_index("id", drop=False)


def _m(gdf: gpd.GeoDataFrame, fid: str) -> shapely.Geometry:
    return gdf.loc[[fid]].to_crs(METRIC).geometry.iloc[0]


def test_expected_features(axes: gpd.GeoDataFrame, ridges: gpd.GeoDataFrame) -> None:
    assert set(axes.index) == {
        "axis-jialing-river",
        "axis-g212",
        "axis-shabin-road",
        "axis-kexue-avenue",
        "axis-liangtan-river",
    }
    assert set(ridges.index) == {"ridge-zhongliang", "ridge-jinyun"}
    assert axes.loc["axis-jialing-river", "kind"] == "river"
    assert axes.loc["axis-liangtan-river", "kind"] == "river"
    assert set(axes.loc[["axis-g212", "axis-shabin-road", "axis-kexue-avenue"], "kind"]) == {"road"}
    assert (ridges["kind"] == "ridge").all()
    assert axes.loc["axis-jialing-river", "name_zh"] == "嘉陵江"
    assert ridges.loc["ridge-zhongliang", "name_zh"] == "中梁山"
    assert ridges.loc["ridge-jinyun", "name_zh"] == "缙云山"


@pytest.mark.parametrize("layer", ["axes", "ridges"])
def test_properties_valid(layer: str) -> None:
    gdf = gpd.read_file(LAYERS / f"{layer}.geojson")
    assert gdf.crs.to_epsg() == 4326
    assert set(gdf.geom_type) == {"LineString"}
    assert gdf.geometry.is_valid.all()
    assert gdf["id"].is_unique
    for _, row in gdf.iterrows():
        for key in REQUIRED:
            assert row[key] not in (None, ""), (row["id"], key)
        assert re.fullmatch(r"[a-z0-9-]+", row["id"])
        # §2.4 and the sections it leans on lie within the plan's first 900 lines.
        for ref in row["plan_ref"].split("; "):
            m = PLAN_REF.match(ref)
            assert m, ref
            assert 1 <= int(m.group(1)) <= 900
        assert row["geometry_source"] in {"surveyed", "digitized", "schematic"}
        assert float(row["accuracy_m"]) >= 100  # nothing here is better than 100 m
        assert len(row["provenance_note"]) > 80
    xy = shapely.get_coordinates(gdf.geometry.to_numpy())
    assert ((xy[:, 0] > 105.9) & (xy[:, 0] < 106.8)).all()
    assert ((xy[:, 1] > 29.3) & (xy[:, 1] < 29.95)).all()


def test_ids_unique_across_layers(axes: gpd.GeoDataFrame, ridges: gpd.GeoDataFrame) -> None:
    admin = [
        *gpd.read_file(LAYERS / "admin" / "district.geojson")["id"],
        *gpd.read_file(LAYERS / "admin" / "neighbours.geojson")["id"],
    ]
    ids = [*axes["id"], *ridges["id"], *admin]
    assert len(ids) == len(set(ids))


def test_every_line_crosses_district(
    district_m: shapely.Geometry, axes: gpd.GeoDataFrame, ridges: gpd.GeoDataFrame
) -> None:
    for gdf in (axes, ridges):
        for fid, g in zip(gdf.index, gdf.to_crs(METRIC).geometry, strict=True):
            assert g.intersection(district_m).length > 5000, f"{fid} barely meets the district"


def test_zhongliang_splits_district(district_m: shapely.Geometry, ridges: gpd.GeoDataFrame) -> None:
    cut = district_m.difference(_m(ridges, "ridge-zhongliang").buffer(50))
    parts = [p for p in getattr(cut, "geoms", [cut]) if p.area > 1e6]
    big = [p for p in parts if p.area > 50e6]
    assert len(big) >= 2, [round(p.area / 1e6, 1) for p in parts]
    # The part holding the Jialing reach is the east city.
    jialing_mid = _m(gpd.read_file(LAYERS / "axes.geojson").set_index("id"), "axis-jialing-river")
    east = max(big, key=lambda p: p.centroid.x)
    assert east.distance(jialing_mid.interpolate(0.5, normalized=True)) < 500


def _mean_x(g: shapely.Geometry) -> float:
    return float(np.mean(shapely.get_coordinates(g)[:, 0]))


def test_relative_positions(
    district_m: shapely.Geometry, axes: gpd.GeoDataFrame, ridges: gpd.GeoDataFrame
) -> None:
    zl = _m(ridges, "ridge-zhongliang").intersection(district_m)
    jy = _m(ridges, "ridge-jinyun").intersection(district_m)
    jialing = _m(axes, "axis-jialing-river")
    assert _mean_x(jy) < _mean_x(zl) - 5000  # 缙云山 west of 中梁山
    assert _mean_x(jialing) > _mean_x(zl) + 2000  # the Jialing east of 中梁山


def test_shabin_road_along_jialing(axes: gpd.GeoDataFrame) -> None:
    jialing = _m(axes, "axis-jialing-river")
    road = _m(axes, "axis-shabin-road")
    assert jialing.buffer(2000).contains(road)
    assert road.length > 8000  # the source gives 13 km for 高家花园大桥-井口 alone


def _x_at(line: shapely.Geometry, y: float) -> float | None:
    minx, _, maxx, _ = line.bounds
    hit = LineString([(minx - 1e5, y), (maxx + 1e5, y)]).intersection(line)
    return None if hit.is_empty else float(np.mean(shapely.get_coordinates(hit)[:, 0]))


@pytest.mark.parametrize("fid", ["axis-liangtan-river", "axis-kexue-avenue"])
def test_between_ridges(
    fid: str, district_m: shapely.Geometry, axes: gpd.GeoDataFrame, ridges: gpd.GeoDataFrame
) -> None:
    zl = _m(ridges, "ridge-zhongliang")
    jy = _m(ridges, "ridge-jinyun")
    line = _m(axes, fid).intersection(district_m)
    seg = shapely.segmentize(line, 250)
    checked = 0
    for x, y in shapely.get_coordinates(seg):
        xw, xe = _x_at(jy, y), _x_at(zl, y)
        if xw is None or xe is None:
            continue
        assert xw < x < xe, f"{fid} vertex at northing {y:.0f} is not between the ridges"
        checked += 1
    assert checked > 20
