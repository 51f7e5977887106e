"""Tests of geo.data.gazetteer and the committed layers/gazetteer.csv."""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import pandas as pd
import pytest

from geo.data.gazetteer import COLUMNS, Gazetteer, Place, default_path, load_gazetteer, lookup
from geo.data.names import normalize_name
from geo.errors import GazetteerError

CSV_PATH = Path(__file__).resolve().parents[1] / "layers" / "gazetteer.csv"


def _haversine_m(a: Place, b: Place) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def _row(name_zh: str, **kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "name_zh": name_zh,
        "name_en": kw.pop("name_en", name_zh + " en"),
        "aliases": kw.pop("aliases", ""),
        "kind": "site",
        "lon": 106.40,
        "lat": 29.60,
        "source_datum": "wgs84",
        "source": "test fixture",
        "accuracy_m": 100,
        "note": "",
    }
    row.update(kw)
    return row


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer(CSV_PATH)


# --- the committed file ---------------------------------------------------------


def test_committed_csv_has_contract_columns_and_six_decimals() -> None:
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    assert tuple(header) == COLUMNS
    assert rows
    for row in rows:
        assert len(row) == len(COLUMNS), row[0]
        lon, lat = row[4], row[5]
        assert len(lon.split(".")[1]) == 6, (row[0], lon)
        assert len(lat.split(".")[1]) == 6, (row[0], lat)
        assert row[6] in {"wgs84", "gcj02", "bd09"}, row[0]


def test_committed_csv_validates(gaz: Gazetteer) -> None:
    assert gaz.validate() == []


def test_every_committed_source_is_present_and_accuracy_honest(gaz: Gazetteer) -> None:
    for place in gaz:
        assert place.source, place.name_zh
        # Nothing in this file comes from a survey: no point may claim better than 100 m.
        assert place.accuracy_m >= 100, place.name_zh


def test_points_placed_from_text_or_town_points_are_coarse(gaz: Gazetteer) -> None:
    for place in gaz:
        if "GeoNames" in place.source or "point = " in place.source:
            assert place.accuracy_m >= 500, place.name_zh


@pytest.mark.parametrize(
    "names",
    [
        ("黄金湾·智谷", "黄家湾·智谷", "科学城黄家湾·智谷", "铁路口岸创新中心"),
        ("拾光格数字创新港", "拾光阁数字经济创新港", "重庆师大·双创园"),
        ("首创高科·芯创园", "首创创芯园", "首创高芯园", "高科创芯园"),
        ("自贸区企业创新中心", "自贸园区企业创新中心", "自贸区创新中心"),
        ("陆军军医大学", "第三军医大学", "陆军军医医大"),
        ("重庆国际物流枢纽园", "国际物流城", "科学城国际物流城"),
    ],
)
def test_issue_alias_groups_resolve_to_one_place(gaz: Gazetteer, names: tuple[str, ...]) -> None:
    places = {gaz.lookup(n).name_zh for n in names}
    assert len(places) == 1, places


@pytest.mark.parametrize(
    "variant",
    ["黄金湾•智谷", "黄金湾・智谷", "黄金湾‧智谷", "黄金湾 · 智谷", " 黄家湾·智谷 ", "黄金湾･智谷"],
)
def test_dot_variants_resolve(gaz: Gazetteer, variant: str) -> None:
    assert gaz.lookup(variant).name_zh == "黄金湾·智谷"


def test_full_width_parentheses_resolve(gaz: Gazetteer) -> None:
    assert gaz.lookup("重庆师范大学(东部)双创园").name_zh == "重庆师大·双创园"


def test_english_name_resolves(gaz: Gazetteer) -> None:
    assert gaz.lookup("Shapingba railway station").name_zh == "沙坪坝站"
    assert gaz.lookup("shapingba RAILWAY station").name_zh == "沙坪坝站"


def test_unknown_name_raises_with_name_and_suggestion(gaz: Gazetteer) -> None:
    with pytest.raises(GazetteerError) as info:
        gaz.lookup("黄金湾智谷园")
    message = str(info.value)
    assert "黄金湾智谷园" in message
    assert "黄金湾·智谷" in message or "黄家湾·智谷" in message
    assert isinstance(info.value, KeyError)


def test_unknown_name_without_close_match_still_names_it(gaz: Gazetteer) -> None:
    with pytest.raises(GazetteerError, match="Atlantis"):
        gaz.lookup("Atlantis")


# --- sanity relations that real positions must satisfy ---------------------------


def test_everything_is_in_the_shapingba_box(gaz: Gazetteer) -> None:
    for p in gaz:
        assert 106.2 <= p.lon <= 106.5, p.name_zh
        assert 29.45 <= p.lat <= 29.8, p.name_zh


def test_west_campuses_lie_west_of_zhongliangshan(gaz: Gazetteer) -> None:
    # 中梁山 runs north-south at about 106.36-106.40E; University Town lies west of it.
    for name in ("重庆大学虎溪校区", "重庆师范大学大学城校区", "重庆大学城"):
        assert gaz.lookup(name).lon < 106.36, name


def test_east_campuses_lie_east_of_zhongliangshan(gaz: Gazetteer) -> None:
    for name in ("重庆大学A区", "重庆师范大学沙坪坝校区", "陆军军医大学", "沙坪坝站"):
        assert gaz.lookup(name).lon > 106.42, name


def test_university_campuses_of_different_universities_are_distinct(gaz: Gazetteer) -> None:
    campuses = [p for p in gaz if p.kind == "university-campus"]
    owner = {
        "重庆大学A区": "CQU",
        "重庆大学虎溪校区": "CQU",
        "重庆师范大学大学城校区": "CNU",
        "重庆师范大学沙坪坝校区": "CNU",
        "陆军军医大学": "AMU",
    }
    for i, a in enumerate(campuses):
        for b in campuses[i + 1 :]:
            if owner.get(a.name_zh) != owner.get(b.name_zh):
                assert (a.lon, a.lat) != (b.lon, b.lat), (a.name_zh, b.name_zh)


def test_army_medical_university_is_near_southwest_hospital(gaz: Gazetteer) -> None:
    assert _haversine_m(gaz.lookup("陆军军医大学"), gaz.lookup("西南医院")) < 2000


def test_cqu_campus_a_is_near_shapingba_station(gaz: Gazetteer) -> None:
    # Campus A (沙正街) is a short walk from 三峡广场 / 沙坪坝站.
    d = _haversine_m(gaz.lookup("重庆大学A区"), gaz.lookup("沙坪坝站"))
    assert 300 < d < 2500


def test_chongqing_west_station_is_south_of_shapingba_station(gaz: Gazetteer) -> None:
    assert gaz.lookup("重庆西站").lat < gaz.lookup("沙坪坝站").lat - 0.03


def test_university_town_points_cluster(gaz: Gazetteer) -> None:
    town = gaz.lookup("重庆大学城")
    for name in ("重庆大学虎溪校区", "重庆师范大学大学城校区"):
        assert _haversine_m(town, gaz.lookup(name)) < 3000, name


# --- the class on small fixtures --------------------------------------------------


def test_dash_variants_resolve_on_fixture() -> None:
    g = Gazetteer(pd.DataFrame([_row("环西政—川外创新生态圈", aliases="环政法—川外|环西政-川外")]))
    for v in ("环西政–川外", "环西政－川外", "环西政-川外", "环政法-川外", "环政法 — 川外"):
        assert g.lookup(v).name_zh == "环西政—川外创新生态圈", v


def test_normalize_name_unifies_variants() -> None:
    assert normalize_name("黄金湾•智谷") == normalize_name("黄金湾·智谷")
    assert normalize_name("Ａ区") == normalize_name("a区")
    assert normalize_name("环西政—川外") == normalize_name("环西政－川外")
    assert normalize_name("重庆大学") != normalize_name("重庆师大")


def test_validate_reports_every_problem() -> None:
    rows = [
        _row("甲", aliases="乙"),
        _row("乙"),  # duplicates the alias of 甲
        _row("丙", lon=29.6, lat=106.4),  # swapped lon/lat: outside the box
        _row("丁", source=""),
        _row("戊", accuracy_m=0),
    ]
    problems = Gazetteer(pd.DataFrame(rows)).validate()
    text = "\n".join(problems)
    assert len(problems) == 4, text
    assert "乙" in text
    assert "also used" in text
    assert "outside" in text
    assert "no source" in text
    assert "accuracy_m" in text


def test_validate_catches_duplicates_across_dot_variants() -> None:
    rows = [_row("黄金湾·智谷"), _row("别名", aliases="黄金湾•智谷")]
    assert any("also used" in p for p in Gazetteer(pd.DataFrame(rows)).validate())


def test_missing_column_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="source"):
        Gazetteer(pd.DataFrame([{"name_zh": "甲"}]))


def test_load_from_env_dir_and_default_lookup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pd.DataFrame([_row("测试点", aliases="测试别名")]).to_csv(
        tmp_path / "gazetteer.csv", index=False, encoding="utf-8"
    )
    monkeypatch.setenv("GEO_LAYERS_DIR", str(tmp_path))
    assert default_path() == tmp_path / "gazetteer.csv"
    assert lookup("测试别名").name_zh == "测试点"
    with pytest.raises(GazetteerError):
        lookup("沙坪坝站")  # not in the overriding file


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(FileNotFoundError, match=r"nope\.csv"):
        load_gazetteer(path)


def test_undecodable_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(
        ",".join(COLUMNS).encode() + "\n沙坪坝,x,,site,106.4,29.6,wgs84,s,1,\n".encode("gbk")
    )
    with pytest.raises(ValueError, match=r"gbk\.csv"):
        load_gazetteer(path)


def test_loader_cache_refreshes_when_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    pd.DataFrame([_row("一")]).to_csv(path, index=False)
    assert "一" in load_gazetteer(path)
    pd.DataFrame([_row("二")]).to_csv(path, index=False)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    g = load_gazetteer(path)
    assert "二" in g
    assert "一" not in g


# --- University Town colleges placed from the Baidu Place list (BD-09) ------------

BAIDU_LIST_CAMPUSES = (
    "重庆电子工程职业学院",
    "重庆医药高等专科学校",
    "重庆商务职业学院",
    "四川美术学院虎溪校区",
    "陆军勤务学院",
)


def test_baidu_list_rows_record_their_datum_and_stay_coarse(gaz: Gazetteer) -> None:
    table = gaz.to_frame().set_index("name_zh")
    for name in BAIDU_LIST_CAMPUSES:
        p = gaz.lookup(name)
        assert table.loc[name, "source_datum"] == "bd09", name
        assert "universityList.js" in p.source, name
        assert p.accuracy_m >= 300, name


@pytest.mark.parametrize("name", BAIDU_LIST_CAMPUSES)
def test_baidu_list_campuses_lie_in_university_town(gaz: Gazetteer, name: str) -> None:
    p = gaz.lookup(name)
    assert p.lon < 106.36, name  # west of 中梁山
    assert _haversine_m(p, gaz.lookup("重庆大学城")) < 4000, name


def test_baidu_list_campuses_are_distinct_from_each_other_and_the_wikipedia_ones(
    gaz: Gazetteer,
) -> None:
    names = (*BAIDU_LIST_CAMPUSES, "重庆大学虎溪校区", "重庆师范大学大学城校区")
    points = [gaz.lookup(n) for n in names]
    for i, a in enumerate(points):
        for b in points[i + 1 :]:
            assert _haversine_m(a, b) > 200, (a.name_zh, b.name_zh)


def test_renamed_college_and_english_alias_resolve(gaz: Gazetteer) -> None:
    assert gaz.lookup("重庆电子科技职业大学").name_zh == "重庆电子工程职业学院"
    assert gaz.lookup("Army Logistics University").name_zh == "陆军勤务学院"
    assert gaz.lookup("四川美术学院").name_zh == "四川美术学院虎溪校区"


def test_baidu_list_datum_check_holds() -> None:
    # The list's 重庆师范大学(大学城校区) point (BD-09 lat 29.618613, lng 106.307308),
    # converted to WGS-84, must fall near the en.wikipedia coordinate; read as GCJ-02 it
    # would not. This is the evidence that the list is BD-09.
    from geo.data.crs import convert

    def as_place(lon: float, lat: float) -> Place:
        return Place("p", "p", float(lon), float(lat), "site", "test", 1.0)

    wiki = as_place(106.2994, 29.615)
    bd = as_place(*convert(106.307308, 29.618613, "bd09", "wgs84"))
    gcj = as_place(*convert(106.307308, 29.618613, "gcj02", "wgs84"))
    assert _haversine_m(bd, wiki) < 300
    assert _haversine_m(gcj, wiki) > 600


# --- entries read later from the same Baidu list (offsets 432 000-600 000, 616 000-920 000)

BAIDU_LIST_TOWN_CAMPUSES_2 = ("重庆科技大学虎溪校区", "重庆建筑科技职业学院", "重庆警察学院")


@pytest.mark.parametrize("name", [*BAIDU_LIST_TOWN_CAMPUSES_2, "四川外国语大学"])
def test_second_batch_baidu_rows_record_datum_and_stay_coarse(gaz: Gazetteer, name: str) -> None:
    table = gaz.to_frame().set_index("name_zh")
    p = gaz.lookup(name)
    assert table.loc[name, "source_datum"] == "bd09", name
    assert "universityList.js" in p.source, name
    assert p.accuracy_m >= 300, name


def test_second_batch_town_campuses_lie_in_university_town_and_are_distinct(
    gaz: Gazetteer,
) -> None:
    town = gaz.lookup("重庆大学城")
    for name in BAIDU_LIST_TOWN_CAMPUSES_2:
        p = gaz.lookup(name)
        assert p.lon < 106.36, name  # west of 中梁山
        assert _haversine_m(p, town) < 4000, name
    names = (
        *BAIDU_LIST_CAMPUSES,
        *BAIDU_LIST_TOWN_CAMPUSES_2,
        "重庆大学虎溪校区",
        "重庆师范大学大学城校区",
    )
    points = [gaz.lookup(n) for n in names]
    for i, a in enumerate(points):
        for b in points[i + 1 :]:
            assert _haversine_m(a, b) > 200, (a.name_zh, b.name_zh)


def test_sisu_lies_east_of_zhongliangshan_near_shapingba(gaz: Gazetteer) -> None:
    sisu = gaz.lookup("川外")
    assert sisu.name_zh == "四川外国语大学"
    assert sisu.lon > 106.42  # 烈士墓, east of 中梁山 and at the foot of 歌乐山
    assert _haversine_m(sisu, gaz.lookup("沙坪坝站")) < 3500
    assert _haversine_m(sisu, gaz.lookup("重庆大学A区")) > 1000


def test_second_batch_aliases_resolve(gaz: Gazetteer) -> None:
    assert gaz.lookup("重庆科技学院").name_zh == "重庆科技大学虎溪校区"
    assert gaz.lookup("建筑职院").name_zh == "重庆建筑科技职业学院"
    assert gaz.lookup("四川外国语大学").name_zh == "四川外国语大学"


def test_baidu_list_second_datum_check_cqu_campus_a() -> None:
    # The list's 重庆大学-A区 (沙正街174号; BD-09 lat 29.571111, lng 106.475186) against
    # the zh.wikipedia 重庆大学 coordinate (106.46444E 29.56667N): BD-09 agrees (~120 m),
    # GCJ-02 and WGS-84 readings do not (~1 km).
    from geo.data.crs import convert

    def as_place(lon: float, lat: float) -> Place:
        return Place("p", "p", float(lon), float(lat), "site", "test", 1.0)

    wiki = as_place(106.46444, 29.56667)
    bd = as_place(*convert(106.475186, 29.571111, "bd09", "wgs84"))
    gcj = as_place(*convert(106.475186, 29.571111, "gcj02", "wgs84"))
    raw = as_place(106.475186, 29.571111)
    assert _haversine_m(bd, wiki) < 200
    assert _haversine_m(gcj, wiki) > 800
    assert _haversine_m(raw, wiki) > 800


# --- anchored rows: approximate positions taken from a located place ---------------

import re  # noqa: E402

ANCHOR_RE = re.compile(r"^anchored at (?P<anchor>[^:]+):")


def _anchored(gaz: Gazetteer) -> list[tuple[Place, str, str]]:
    table = gaz.to_frame().set_index("name_zh")
    out = []
    for p in gaz:
        m = ANCHOR_RE.match(p.source)
        if m:
            out.append((p, m.group("anchor").strip(), str(table.loc[p.name_zh, "note"])))
    return out


def test_anchored_rows_are_flagged_and_no_better_than_their_anchor(gaz: Gazetteer) -> None:
    rows = _anchored(gaz)
    assert len(rows) >= 30
    for p, anchor_name, note in rows:
        anchor = gaz.lookup(anchor_name)  # the anchor must itself be a gazetteer place
        assert anchor.name_zh != p.name_zh, p.name_zh
        assert note.startswith("APPROXIMATE"), p.name_zh
        assert (p.lon, p.lat) == (anchor.lon, anchor.lat), p.name_zh
        assert p.accuracy_m >= anchor.accuracy_m + 300, p.name_zh


def test_axis_and_district_points_are_flagged_and_coarse(gaz: Gazetteer) -> None:
    table = gaz.to_frame().set_index("name_zh")
    for name, minimum in (("沙坪坝区", 15000), ("沙滨路", 8000), ("嘉陵江智慧创意湾区", 4500)):
        assert str(table.loc[name, "note"]).startswith("APPROXIMATE"), name
        assert gaz.lookup(name).accuracy_m >= minimum, name


def test_district_point_is_the_representative_point_of_the_district() -> None:
    import json

    from pyproj import Transformer
    from shapely.geometry import Point, shape

    root = Path(__file__).resolve().parents[1]
    data = json.loads((root / "layers" / "admin" / "district.geojson").read_text(encoding="utf-8"))
    poly = shape(data["features"][0]["geometry"])
    rp = poly.representative_point()
    p = load_gazetteer(CSV_PATH).lookup("沙坪坝区")
    assert abs(p.lon - rp.x) < 2e-6
    assert abs(p.lat - rp.y) < 2e-6
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:4544", always_xy=True).transform
    x0, y0 = to_m(rp.x, rp.y)
    polys = getattr(poly, "geoms", [poly])
    far = max(
        math.hypot(*(a - b for a, b in zip(to_m(*c), (x0, y0), strict=False)))
        for g in polys
        for c in g.exterior.coords
    )
    assert far <= p.accuracy_m < far + 100
    assert poly.contains(Point(p.lon, p.lat))


def test_axis_anchored_points_are_midpoints_of_their_lines() -> None:
    import json

    from shapely.geometry import shape

    root = Path(__file__).resolve().parents[1]
    axes = json.loads((root / "layers" / "axes.geojson").read_text(encoding="utf-8"))
    lines = {f["properties"]["id"]: shape(f["geometry"]) for f in axes["features"]}
    g = load_gazetteer(CSV_PATH)
    for name, axis in (("沙滨路", "axis-shabin-road"),):
        mid = lines[axis].interpolate(0.5, normalized=True)
        p = g.lookup(name)
        assert abs(p.lon - mid.x) < 2e-6, name
        assert abs(p.lat - mid.y) < 2e-6, name
        assert axis in p.source, name


def test_every_layer_place_resolves_with_normalisation(gaz: Gazetteer) -> None:
    import json

    root = Path(__file__).resolve().parents[1]
    for path in sorted((root / "layers").glob("*.geojson")):
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
            place = f["properties"].get("place")
            if place:
                gaz.lookup(place)  # raises GazetteerError if unknown


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("浪尖融汇·意创园", "浪尖渝力·意创园"),
        ("浪尖融创·意创园", "浪尖渝力·意创园"),
        ("联东 U 谷", "联东U谷国际企业港"),
        ("重庆气象科技公园", "国家气象科技公园"),
        ("磁器口古镇", "磁器口"),
        ("光谷·智创园", "中电光谷·智创园"),
        ("重庆大学设计创意创业园", "重庆大学设计创意产业园"),
    ],
)
def test_anchored_aliases_resolve(gaz: Gazetteer, alias: str, name: str) -> None:
    assert gaz.lookup(alias).name_zh == name


def test_within_must_be_a_drawable_area_or_a_known_zone() -> None:
    rows = [
        _row("甲镇", kind="town", accuracy_m=1500),
        _row("乙楼", kind="building", accuracy_m=300),
        _row("丙区", kind="area", accuracy_m=9000),
        _row("a", within="甲镇"),  # fine: a town known to ±1.5 km
        _row("b", within="city-east"),  # fine: a known zone
        _row("c", within="乙楼"),  # a building is not an area
        _row("d", within="丙区"),  # an area known to ±9 km is too coarse
        _row("e", within="city-nowhere"),  # unknown zone
        _row("f", within="不存在"),  # unknown place
    ]
    problems = Gazetteer(pd.DataFrame(rows)).within_problems({"city-east"})
    text = "\n".join(problems)
    assert len(problems) == 4, text
    assert "(c)" in text
    assert "building" in text
    assert "(d)" in text
    assert "9000" in text
    assert "city-nowhere" in text
    assert "known zones: city-east" in text
    assert "不存在" in text


# --- 街道/镇 seats from the public list of community health centres (BD-09) -------

#: row -> the list's entry (lng, lat) as written in the source file (BD-09, not converted).
HEALTH_CENTRE_ROWS: dict[str, tuple[float, float]] = {
    "童家桥街道": (106.452772, 29.580354),
    "磁器口": (106.458537, 29.587585),
    "新桥街道": (106.448226, 29.531518),
    "渝碚路街道": (106.456039, 29.565994),
    "双碑": (106.449535, 29.60807),
    "陈家桥": (106.350388, 29.630235),
    "凤凰镇": (106.333589, 29.729741),
    "中梁镇": (106.431631, 29.723435),
}

#: The list's entries for the towns GeoNames also locates (BD-09), for the datum check.
HEALTH_CENTRES_WITH_GEONAMES_ROWS: dict[str, tuple[float, float]] = {
    "虎溪街道": (106.315495, 29.57746),
    "歌乐山镇": (106.426388, 29.572353),
    "覃家岗街道": (106.465188, 29.54496),
    "青木关镇": (106.308745, 29.680087),
    "回龙坝镇": (106.387045, 29.7102),
    "曾家镇": (106.309551, 29.556083),
    "土主街道": (106.378203, 29.637659),
}


def _at(lon: float, lat: float) -> Place:
    return Place("p", "p", float(lon), float(lat), "site", "test", 1.0)


def test_health_centre_rows_are_the_checked_bd09_points(gaz: Gazetteer) -> None:
    from geo.data.crs import convert

    # The datum check: read as BD-09 the list lies near the GeoNames town points of the
    # gazetteer (median well under 500 m); read as GCJ-02 or WGS-84 it does not.
    def median_m(datum: str) -> float:
        ds = []
        for name, (lng, lat) in HEALTH_CENTRES_WITH_GEONAMES_ROWS.items():
            pt = _at(lng, lat) if datum == "wgs84" else _at(*convert(lng, lat, datum, "wgs84"))
            ds.append(_haversine_m(pt, gaz.lookup(name)))
        return sorted(ds)[len(ds) // 2]

    assert median_m("bd09") < 500
    assert median_m("gcj02") > 1000
    assert median_m("wgs84") > 1000
    table = gaz.to_frame().set_index("name_zh")
    for name, (lng, lat) in HEALTH_CENTRE_ROWS.items():
        p = gaz.lookup(name)
        assert table.loc[name, "source_datum"] == "bd09", name
        assert "7117306248" in p.source, name
        assert not p.approximate, name
        assert _haversine_m(p, _at(*convert(lng, lat, "bd09", "wgs84"))) < 2, name
        assert p.accuracy_m >= 2000, name  # a seat stands for the whole 街道/镇


def test_health_centre_seats_agree_with_located_places(gaz: Gazetteer) -> None:
    station = gaz.lookup("沙坪坝站")
    # 站东路 (station east road) is a community of 渝碚路街道
    assert _haversine_m(gaz.lookup("渝碚路街道"), station) < 1500
    # 川外 lies in 童家桥街道 (002:L1002)
    assert _haversine_m(gaz.lookup("童家桥街道"), gaz.lookup("川外")) < 1500
    # 重庆西站 lies in 新桥街道 (3.4 km²)
    assert _haversine_m(gaz.lookup("新桥街道"), gaz.lookup("重庆西站")) < 3500
    # 双碑 lies north of 磁器口, on the Jialing bank east of 中梁山
    assert gaz.lookup("双碑").lat > gaz.lookup("磁器口").lat
    assert gaz.lookup("双碑").lon > 106.42
    # the University Town 街道 and 凤凰镇 lie west of 中梁山
    for name in ("陈家桥", "凤凰镇"):
        assert gaz.lookup(name).lon < 106.36, name


@pytest.mark.parametrize(
    ("name", "subdistrict"),
    [("重庆大学附属肿瘤医院", "渝碚路街道"), ("新桥医院", "新桥街道")],
)
def test_table6_hospitals_are_anchored_in_their_subdistricts(
    gaz: Gazetteer, name: str, subdistrict: str
) -> None:
    p = gaz.lookup(name)
    assert p.source.startswith(f"anchored at {subdistrict}:")
    assert p.within == subdistrict
    assert p.approximate
    assert p.accuracy_m <= 3000


def test_every_place_coarser_than_5km_is_listed_with_its_reason(gaz: Gazetteer) -> None:
    text = (CSV_PATH.parents[1] / "docs" / "gazetteer.md").read_text(encoding="utf-8")
    assert "## Still coarser than ±5 km" in text
    section = text.split("## Still coarser than ±5 km", 1)[1].split("\n## ", 1)[0]
    listed = section.replace("**", "\n")
    for p in gaz:
        if p.accuracy_m > 5000:
            assert p.name_zh in listed, p.name_zh


# --- second narrowing round: the Jialing bay reach, 中渡口, the 西永 park sites ------


def _axis_m(axis_id: str):
    import json

    from pyproj import Transformer
    from shapely.geometry import LineString

    root = Path(__file__).resolve().parents[1]
    axes = json.loads((root / "layers" / "axes.geojson").read_text(encoding="utf-8"))
    coords = next(f for f in axes["features"] if f["properties"]["id"] == axis_id)
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:4544", always_xy=True).transform
    return LineString([to_m(x, y) for x, y in coords["geometry"]["coordinates"]]), to_m


def test_jialing_bay_is_the_reach_between_the_shuangbei_and_jingkou_seats(gaz: Gazetteer) -> None:
    from shapely.geometry import Point
    from shapely.ops import substring

    from geo.data.crs import convert

    river, to_m = _axis_m("axis-jialing-river")
    # 002:L790 一湾两半岛: the bay is framed by the 双碑 and 井口 peninsulas; their seats
    # (health-centre list, BD-09 as written in the source file) fix the two ends.
    ends = [
        river.project(Point(to_m(*convert(lng, lat, "bd09", "wgs84"))))
        for lng, lat in ((106.449535, 29.60807), (106.451827, 29.64271))
    ]
    reach = substring(river, min(ends), max(ends))
    assert 4000 < reach.length < 6000  # about 5 km of river, not the district's 17 km
    bay = gaz.lookup("嘉陵江智慧创意湾区")
    mid = reach.interpolate(0.5, normalized=True)
    assert Point(to_m(bay.lon, bay.lat)).distance(mid) < 1.0
    assert bay.accuracy_m >= 150 + reach.length / 2 + 2000  # line + half reach + seats
    assert bay.accuracy_m <= 5000
    assert bay.approximate
    assert "jialing_bay_reach.py" in bay.source
    assert "L790" in bay.source
    assert bay.within == "belt-jialing"


def test_jinsha_xingzuo_is_anchored_below_cqu_at_zhongdukou(gaz: Gazetteer) -> None:
    from shapely.geometry import Point

    p = gaz.lookup("金沙星座·科创园")
    cqu = gaz.lookup("重庆大学A区")
    assert p.source.startswith("anchored at 重庆大学A区:")
    assert "L995" in p.source
    assert "中渡口" in p.source
    assert (p.lon, p.lat) == (cqu.lon, cqu.lat)
    # 中渡口 is on the Jialing 2–3 km from 三峡广场 (over 沙坪坝站, ±650 m): the bound is the
    # farthest such river point from the campus point, plus 300 m for the site.
    river, to_m = _axis_m("axis-jialing-river")
    sta = gaz.lookup("沙坪坝站")
    station = Point(to_m(sta.lon, sta.lat))
    campus = Point(to_m(cqu.lon, cqu.lat))
    steps = [river.interpolate(d) for d in range(0, int(river.length), 20)]
    far = max(q.distance(campus) for q in steps if q.distance(station) <= 3000 + 650)
    assert p.accuracy_m >= cqu.accuracy_m + far + 300
    assert p.accuracy_m <= 5000
    assert p.within == "belt-jialing"


def test_cec_smart_innovation_park_sites_lie_in_the_xiyong_park(gaz: Gazetteer) -> None:
    p = gaz.lookup("中电光谷·智创园")
    park = gaz.lookup("西永微电子产业园")
    assert p.source.startswith("anchored at 西永微电子产业园:")
    assert "L994" in p.source
    assert "bgwtn.com" in p.source
    assert (p.lon, p.lat) == (park.lon, park.lat)
    assert p.accuracy_m == park.accuracy_m + 300
    assert p.within == "city-west"


def test_a_gazetteer_row_whose_numbers_are_no_numbers_is_refused_at_reading(tmp_path):
    from geo.data.gazetteer import default_path, load_gazetteer
    from geo.errors import GazetteerFileError

    lines = default_path().read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    rows = list(csv.reader(lines))
    rows[1][header.index("lat")] = "notanumber"
    rows[2][header.index("accuracy_m")] = "1e308"
    rows[3][header.index("lon")] = "inf"
    path = tmp_path / "gazetteer.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    with pytest.raises(GazetteerFileError) as err:
        load_gazetteer(path)
    text = str(err.value)
    assert "row 2: lat 'notanumber' is not a number" in text
    assert "row 3: accuracy_m" in text
    assert "row 4: lon inf is not a number" in text
    assert "\n" not in text


def test_the_weather_park_lies_in_the_zhongliang_screen_as_the_plan_builds_it_there():
    from geo._data import sources_dir

    plan = (sources_dir() / "002_8a077782b689f185.txt").read_text(encoding="utf-8").splitlines()
    assert "新建国家气象科技公园" in plan[219]  # L220
    heading = next(line for line in reversed(plan[:219]) if line.startswith("###"))
    assert "中梁山生态屏障" in heading
    place = load_gazetteer().lookup("国家气象科技公园")
    assert place.within == "screen-zhongliang"
