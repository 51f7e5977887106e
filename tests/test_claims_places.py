"""Every place of the ledger resolves to the place the documents mean.

The expectations below are read from the documents in sources/ (file and line
cited), not computed: a spelling variant resolves to its place, and two places
the plan keeps apart stay apart.
"""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo import claims as cl
from geo.claims.places import area_names
from geo.data.gazetteer import load_gazetteer
from geo.data.names import normalize_name


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


@pytest.fixture(scope="module")
def records():
    """The names of every place the layers draw (or could not draw)."""
    from geo.data.catalog import read_catalog
    from geo.data.layers import _load_layers

    return cl.layer_records(_load_layers(catalog=read_catalog()))


@pytest.fixture(scope="module")
def lookup(gaz, records):
    return cl.place_resolver(gaz, records)


@pytest.fixture(scope="module")
def ledger() -> pd.DataFrame:
    return cl.read_ledger()


# place as the ledger writes it -> the place it means
EXPECTED = {
    # 表15 row 3: 黄金湾·智谷 "集约铁路口岸创新中心 28.5 万平方米场地"
    "铁路口岸创新中心": "黄金湾·智谷",
    "黄金湾·智谷": "黄金湾·智谷",
    # 表15 row 17 builds the 瞪羚 base inside the 铁路口岸创新中心: a project there, not it
    "科学城黄金湾“瞪羚”基地": "科学城黄金湾“瞪羚”基地",
    # 自贸区企业创新中心 (表9) and the shorter forms of the text
    "自贸区创新中心": "自贸区企业创新中心",
    "自贸园区创新中心": "自贸区企业创新中心",
    "自贸区企业创新中心": "自贸区企业创新中心",
    # 表15 row 5 names the park 科学城创芯园（首创高科集成电路产业园）; 表9 首创高科·芯创园
    "科学城创芯园（首创高科集成电路产业园）": "首创高科·芯创园",
    "首创高科·芯创园": "首创高科·芯创园",
    # 表15 row 6: 科学城青凤高科创新中心, site column 科学城清凤高科园: the centre, not the park
    "科学城青凤高科创新中心": "青凤高科创新中心",
    "高新区青凤高科产业园": "青凤高科产业园",
    # 表9 row 4 重庆师大·双创园 (run by 拾光格), 表11 重庆师大·双创园（沙坪坝校区）
    "重庆师大·双创园": "重庆师大·双创园",
    "重庆师大·双创园（沙坪坝校区）": "重庆师大·双创园",
    # 表9 浪尖渝力·意创园; 表5 and 表10 write 融汇 and 融创
    "浪尖渝力·意创园": "浪尖渝力·意创园",
    "浪尖融汇·意创园": "浪尖渝力·意创园",
    "浪尖融创·意创园": "浪尖渝力·意创园",
    # the ring of 西南政法大学 and 川外, with either dash
    "环西政—川外创新生态圈": "环西政—川外创新生态圈",
    "环西政-川外创新生态圈": "环西政—川外创新生态圈",
    # 表15 row 7, tagged 环大学创新生态圈项目: the ring's project (a judgement, docs/claims.md)
    "科学城成渝高校协同创新中心": "成渝高校协同创新生态圈",
    "成渝高校协同创新生态圈": "成渝高校协同创新生态圈",
    # 002 L316 drops the 区 of the layer science_city's name
    "西部（重庆）科学城沙坪坝片": "西部(重庆)科学城沙坪坝片区",
    # 表15 row 35 is the weather park of L220/L800 (国家气象科技公园) and 专栏9 (重庆气象科技公园)
    "重庆市气象科技园": "国家气象科技公园",
    # 表15 row 46 (printed; the 36th row) is the geology park: a different park
    "沙坪坝区地质科技园": "沙坪坝区地质科技园",
    # 表15 row 16: the island is built "在大学城北拓区"
    "大学城北拓区“独角兽”岛": "大学城北拓区",
    "重庆大学城科技产业园": "重庆大学城科技产业园",
    "建筑职院·双创园": "建筑职院·双创园",
    "沙坪坝区": "沙坪坝区",
}


def test_every_hand_checked_name_is_in_the_ledger(ledger):
    assert sorted(set(EXPECTED) - set(ledger["place"])) == []


@pytest.mark.parametrize(("written", "meant"), sorted(EXPECTED.items()))
def test_a_ledger_place_resolves_to_the_place_it_means(written, meant, lookup):
    assert cl.normalise_place(written, lookup) == meant


@pytest.mark.parametrize(
    "names",
    [
        # 000 L41 拾光格数字创新港 (in the old CNU campus buildings), 000 L53 拾光格数字经济产业
        # 创新港, 002 L308/L312 拾光阁数字经济创新港, 002 L541 表9: 拾光格 runs 重庆师大·双创园
        (
            "拾光格数字创新港",
            "拾光格数字经济创新港",
            "拾光格数字经济产业创新港",
            "拾光阁数字经济创新港",
        ),
        # L220/L800 国家气象科技公园, L846 气象科技公园, L850 重庆气象科技公园, L1027 表15 row 35
        ("国家气象科技公园", "气象科技公园", "重庆气象科技公园", "重庆市气象科技园"),
    ],
)
def test_the_two_alias_conflicts_are_one_place_each(names, lookup):
    assert len({cl.normalise_place(n, lookup) for n in names}) == 1


def test_the_weather_park_and_the_geology_park_stay_apart(lookup):
    assert cl.normalise_place("重庆市气象科技园", lookup) != cl.normalise_place(
        "地质科技公园", lookup
    )
    assert cl.normalise_place("拾光格数字经济创新港", lookup) == "重庆师大·双创园"


def _entries(gaz, records) -> dict[str, set[str]]:
    """Which places (by canonical name) own each normalised name."""
    owners: dict[str, set[str]] = {}
    for place in gaz:
        for name in place.names:
            if name:
                owners.setdefault(normalize_name(name), set()).add(place.name_zh)
    for key, canon in area_names(records, gaz).items():
        owners.setdefault(key, set()).add(canon)
    return owners


def test_no_ledger_place_resolves_to_two_entries(ledger, gaz, records):
    owners = _entries(gaz, records)
    doubles = {
        p: sorted(owners[normalize_name(p)])
        for p in set(ledger["place"])
        if len(owners.get(normalize_name(p), ())) > 1
    }
    assert doubles == {}


def test_no_feature_alias_names_another_gazetteer_place(records, gaz):
    assert cl.alias_collisions(records, gaz) == []


def test_verdict_counts_are_those_documented():
    # docs/claims.md, "Verdicts measured": the alias fix changes no verdict
    judged, _ = cl.judge()
    counts = judged["verdict"].value_counts().to_dict()
    assert counts == {"conflict": 11, "unsubstantiated": 4, "consistent": 139, "cannot verify": 137}


# an area's variant as the documents write it -> the name of the feature that carries it
# (the variants were a table in the code; they are the features' ``aliases`` now)
AREA_VARIANTS = {
    # 002 L423 表5 row 2 -> 表15 row 2 (L957), 000 L49
    "环重庆师大创新生态圈": "环重庆师范大学创新生态圈",
    # 002 L425 表5 row 4, 000 L55 -> 表15 row 22 (L1000)
    "环电子职院创新生态圈": "环电子工程职业学院创新生态圈",
    "环重庆电子工程职业学院创新生态圈": "环电子工程职业学院创新生态圈",
    # 002 L280 专栏1, L376 表4 row 12, L416 -> the ring of 表5 row 5 (L426)
    "环政法-川外创新生态圈": "环西政—川外创新生态圈",
    "环政法—川外": "环西政—川外创新生态圈",
    "环西南政法—川外": "环西政—川外创新生态圈",
    "环西政—川外": "环西政—川外创新生态圈",
    # 002 L903; 表15 row 7 (L967), tagged 环大学创新生态圈项目 -> the ring of 表5 row 6 (L431)
    "环成渝高校协同创新生态圈": "成渝高校协同创新生态圈",
    "科学城成渝高校协同创新中心": "成渝高校协同创新生态圈",
    # 002 L276/L282 专栏1, L320, 表15 row 6 (L966) -> 表4 row 9 (L373)
    "青凤高科产业园创新孵化中心": "青凤高科创新中心",
    "青凤高科创新孵化中心": "青凤高科创新中心",
    # 002 L322 -> 表15 row 25 (L1008)
    "重庆大学国际联合研究院（二期）": "重庆大学国际研究院二期",
    # 002 L907 -> 表15 row 26 (L1009), brackets half-width
    "电子科技大学（重庆）国家大学科技园": "电子科大(重庆)国家大学科技园",
    # 专栏9 (L846, L850) and the site of 表15 row 46 (L1028) -> the park row 46 builds
    "地质科技公园": "沙坪坝区地质科技园",
    "地质科技园": "沙坪坝区地质科技园",
    # 002 L204/L316 and L246/L252/L875 -> the layer science_city (§2.4 一（二）, L202)
    "西部（重庆）科学城（沙坪坝片）": "西部(重庆)科学城沙坪坝片区",
    # 表15 rows 41, 43 (L1036, L1041) 建设地点 and L145/L155 -> §2.4 一（一） (L198)
    "沙坪坝区东部城区": "东部人字母城",
    "人文母城": "东部人字母城",
}


@pytest.mark.parametrize(("written", "meant"), sorted(AREA_VARIANTS.items()))
def test_an_area_variant_resolves_through_the_feature_aliases(written, meant, lookup):
    assert cl.normalise_place(written, lookup) == meant


def test_area_variants_need_the_features(gaz):
    # the gazetteer alone knows none of them: the variants are layer data
    alone = cl.gazetteer_resolver(gaz)
    assert {w: cl.normalise_place(w, alone) for w in AREA_VARIANTS} == {
        w: normalize_name(w) for w in AREA_VARIANTS
    }


def test_a_ring_that_cannot_be_drawn_keeps_its_names():
    drawn = gpd.GeoDataFrame([_area("ring-a", "甲圈", None)], geometry=[Point(0, 0)])
    drawn.attrs["not_derivable"] = [_area("ring-b", "乙圈", "环乙圈")]
    recs = cl.layer_records({"rings": drawn})
    assert [(r["id"], "geometry" in r) for r in recs] == [("ring-a", False), ("ring-b", False)]
    assert cl.place_resolver(None, recs)("环乙圈") == "乙圈"


def _area(fid: str, name: str, aliases: str | None) -> dict[str, str | None]:
    return {"id": fid, "name_zh": name, "aliases": aliases}


def test_resolver_prefers_the_gazetteer_and_folds_the_area_name(gaz):
    areas = [_area("a", "某（新）片区", "某新片|某片"), _area("b", "无别名片区", None)]
    lookup = cl.place_resolver(gaz, areas)
    assert lookup("某片") == lookup("某(新)片区") == "某(新)片区"
    assert lookup("科学城黄家湾·智谷") == "黄金湾·智谷"  # a gazetteer alias
    with pytest.raises(KeyError):
        lookup("无别名片区")  # a feature without aliases declares no area name
    assert cl.normalise_place("无别名片区", lookup) == "无别名片区"


def test_an_alias_of_another_gazetteer_place_is_a_collision(gaz):
    found = cl.alias_collisions([_area("x", "某某园区", "某园|黄金湾·智谷")], gaz)
    assert len(found) == 1
    assert "x: alias '黄金湾·智谷'" in found[0]


def test_an_alias_the_gazetteer_gives_the_same_place_is_no_collision(gaz):
    # docs/claims.md: 铁路口岸创新中心 is the gazetteer's alias of 黄金湾·智谷
    same = [_area("x", "黄金湾·智谷", "铁路口岸创新中心|黄金湾智谷片")]
    assert cl.alias_collisions(same, gaz) == []
    assert cl.place_resolver(gaz, same)("黄金湾智谷片") == "黄金湾·智谷"


def test_one_name_declared_for_two_areas_is_a_collision():
    areas = [_area("x", "甲园", "乙园"), _area("y", "丙园", "乙园"), _area("z", "甲园", "甲苑")]
    found = cl.alias_collisions(areas)
    assert found == ["y: '乙园' is also a name of x ('甲园')"]
    assert cl.place_resolver(None, areas)("乙园") == "甲园"  # the first declaration wins
