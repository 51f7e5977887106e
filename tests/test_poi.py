"""Reading users' point lists in every supported format and matching them to places.

The GCJ-02 and BD-09 fixtures in ``tests/data/gazetteer_fix`` were computed from the
WGS-84 points of ``points_wgs84_jingwei.csv`` with ``prcoords`` (an implementation
independent of ``geo.data.crs``); ``test_fixture_offsets_agree_with_eviltransform``
checks them against a third one.
"""

from __future__ import annotations

from pathlib import Path

import eviltransform
import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import box

from geo.data.gazetteer import Gazetteer, load_gazetteer
from geo.errors import LayerValidationError
from geo.gis.poi import match_points, name_keys, read_points

DATA = Path(__file__).parent / "data" / "gazetteer_fix"
GAZ = DATA / "layers" / "gazetteer.csv"
# the fixture district: a rectangle over Shapingba
DISTRICT = box(106.28, 29.52, 106.48, 29.70)
# fixture truth, WGS-84
TRUTH = {"西南政法大学": (106.4296, 29.5711), "重庆医科大学": (106.3120, 29.6240)}
GEOD = Geod(ellps="WGS84")


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def _point(points: gpd.GeoDataFrame, name: str) -> tuple[float, float]:
    hit = points[points["name"].str.startswith(name)].geometry.iloc[0]
    return hit.x, hit.y


def _review(path: Path, crs: str, **kw: object) -> pd.DataFrame:
    return match_points(read_points(path, crs).points, load_gazetteer(GAZ), DISTRICT, **kw)


def test_fixture_offsets_agree_with_eviltransform():
    raw = pd.read_csv(DATA / "amap_pois_gcj02.csv")
    lon, lat = map(float, raw.loc[raw["name"] == "西南政法大学", "location"].iloc[0].split(","))
    elat, elon = eviltransform.wgs2gcj(TRUTH["西南政法大学"][1], TRUTH["西南政法大学"][0])
    assert _metres((lon, lat), (elon, elat)) < 1.0


@pytest.mark.parametrize(
    ("name", "crs"),
    [
        ("amap_pois_gcj02.json", "gcj02"),
        ("amap_pois_gcj02.csv", "gcj02"),
        ("baidu_place_bd09.json", "bd09"),
        ("points_wgs84_jingwei.csv", "wgs84"),
    ],
)
def test_a_point_in_any_datum_lands_within_5_m_of_the_wgs84_point(name, crs):
    points = read_points(DATA / name, crs).points
    assert points.crs.to_epsg() == 4326
    for place in ("西南政法大学", "重庆医科大学"):
        assert _metres(_point(points, place), TRUTH[place]) < 5.0


def test_the_unconverted_gcj02_point_is_hundreds_of_metres_off():
    # the check above can fail: read as WGS-84, the same numbers are ~500 m away
    raw = pd.read_csv(DATA / "amap_pois_gcj02.csv")
    lon, lat = map(float, raw["location"].iloc[0].split(","))
    assert _metres((lon, lat), TRUTH["西南政法大学"]) > 300


def test_geopackage_in_a_projected_crs_is_reprojected(tmp_path):
    truth = gpd.GeoDataFrame(
        {"name": ["西南政法大学"]},
        geometry=gpd.points_from_xy([TRUTH["西南政法大学"][0]], [TRUTH["西南政法大学"][1]]),
        crs="EPSG:4326",
    ).to_crs("EPSG:4544")
    path = tmp_path / "points.gpkg"
    truth.to_file(path, driver="GPKG")
    points = read_points(path, "EPSG:4544").points
    assert _metres(_point(points, "西南政法大学"), TRUTH["西南政法大学"]) < 1.0


def test_draw_export_points_take_names_in_order_and_polygons_are_skipped():
    plist = read_points(DATA / "draw_export_points.geojson", "wgs84")
    assert plist.provider == "GeoJSON"
    assert any("Polygon" in n for n in plist.notes)
    review = match_points(plist.points, load_gazetteer(GAZ), DISTRICT, names=["西政"])
    assert list(review["place"]) == ["西南政法大学"]
    assert list(review["status"]) == ["apply"]
    unnamed = match_points(plist.points, load_gazetteer(GAZ), DISTRICT)
    assert list(unnamed["flags"]) == ["unnamed"]
    assert list(unnamed["status"]) == ["not applied"]


def test_ambiguous_outside_and_unmatched_rows_are_flagged_not_applied():
    review = _review(DATA / "amap_pois_gcj02.json", "gcj02").set_index("name")
    for name in ("新桥医院", "陆军军医大学第二附属医院"):
        assert "ambiguous" in review.loc[name, "flags"]
        assert review.loc[name, "status"] == "not applied"
    yubei = review.loc["西南政法大学(渝北校区)"]
    assert "outside" in yubei["flags"]
    assert yubei["status"] == "not applied"
    assert review.loc["永辉超市(沙坪坝店)", "flags"] == "unmatched"
    assert review.loc["沙滨路", "flags"] == "extent"
    assert review.loc["西南政法大学", "status"] == "apply"


def test_a_located_place_needs_explicit_consent():
    review = _review(DATA / "amap_pois_gcj02.json", "gcj02").set_index("name")
    gate = review.loc["四川外国语大学-西门"]
    assert gate["place"] == "四川外国语大学"
    assert set(gate["flags"].split(";")) == {"part", "located"}
    assert gate["status"] == "needs --only"


@pytest.mark.parametrize(
    ("written", "place"),
    [
        ("重庆市肿瘤医院", "重庆大学附属肿瘤医院"),
        ("重庆医科大学(缙云校区)", "重庆医科大学"),
        ("重庆医科大学（大学城校区）", "重庆医科大学"),
        ("中国人民解放军陆军军医大学第二附属医院", "新桥医院"),
        ("第三军医大学第二附属医院", "新桥医院"),
        ("重庆大学（A区）", "重庆大学A区"),
        ("重庆市沙坪坝区四川外国语大学", "四川外国语大学"),
        ("重庆大学A区-东门", "重庆大学A区"),
    ],
)
def test_tolerant_matching_of_the_usual_variants(written, place):
    points = gpd.GeoDataFrame(
        {"row": ["r"], "name": [written], "address": [""], "source_datum": ["wgs84"]},
        geometry=gpd.points_from_xy([106.44], [29.56]),
        crs="EPSG:4326",
    )
    review = match_points(points, load_gazetteer(GAZ), DISTRICT)
    assert review["place"].iloc[0] == place


def test_a_name_that_fits_two_places_is_ambiguous():
    table = pd.DataFrame(
        {
            "name_zh": ["某某学院", "重庆市某某学院"],
            "name_en": ["A", "B"],
            "aliases": ["", ""],
            "kind": ["building", "building"],
            "lon": [106.40, 106.45],
            "lat": [29.55, 29.60],
            "source": ["s", "s"],
            "accuracy_m": [100, 100],
        }
    )
    points = gpd.GeoDataFrame(
        {"row": ["r"], "name": ["沙坪坝区某某学院"], "address": [""], "source_datum": ["wgs84"]},
        geometry=gpd.points_from_xy([106.42], [29.57]),
        crs="EPSG:4326",
    )
    review = match_points(points, Gazetteer(table), DISTRICT)
    assert review["flags"].iloc[0] == "ambiguous"
    assert review["place"].iloc[0] == "某某学院 | 重庆市某某学院"


def test_name_keys_keep_the_campus_before_dropping_the_bracket():
    keys = name_keys("重庆大学(虎溪校区)")
    assert keys[0] == ("重庆大学(虎溪校区)", "exact")
    assert keys.index(("重庆大学虎溪", "variant")) < keys.index(("重庆大学", "loose"))


def test_an_amap_file_declared_wgs84_is_refused_with_the_fix():
    with pytest.raises(LayerValidationError) as err:
        read_points(DATA / "amap_pois_gcj02.json", "wgs84")
    text = str(err.value)
    assert "amap_pois_gcj02.json" in text
    assert "--crs gcj02" in text


def test_every_bad_row_of_a_csv_is_reported_at_once(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "名称,经度,纬度\n西南政法大学,106.43,29.57\n重庆医科大学,abc,29.62\n新桥医院,29.53,106.44\n",
        encoding="utf-8",
    )
    with pytest.raises(LayerValidationError) as err:
        read_points(path, "wgs84")
    problems = err.value.problems
    assert [p.feature_id for p in problems] == ["row 3", "row 4"]
    assert "swapped" in problems[1].problem
    assert all(p.file == str(path) for p in problems)


def test_named_coordinate_columns(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text("地点名,E,N\n西南政法大学,106.4296,29.5711\n", encoding="utf-8")
    plist = read_points(path, "wgs84", name_column="地点名", lon_column="E", lat_column="N")
    assert list(plist.points["name"]) == ["西南政法大学"]
    with pytest.raises(LayerValidationError, match="--lon-column"):
        read_points(path, "wgs84", lon_column="E", lat_column="lat")


def test_an_empty_amap_result_gives_an_empty_review(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text('{"status": "1", "count": "0", "pois": []}', encoding="utf-8")
    plist = read_points(path, "gcj02")
    assert plist.provider == "AMap POI JSON"
    review = match_points(plist.points, load_gazetteer(GAZ), DISTRICT)
    assert review.empty
    assert "status" in review.columns
