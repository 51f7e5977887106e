"""Every place of the ledger resolves to the place the documents mean.

The expectations below are read from the documents in sources/ (file and line
cited), not computed: a spelling variant resolves to its place, and two places
the plan keeps apart stay apart.
"""

import pandas as pd
import pytest

from geo import claims as cl
from geo.gazetteer import load_gazetteer
from geo.names import normalize_name


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


@pytest.fixture(scope="module")
def lookup(gaz):
    return cl.gazetteer_resolver(gaz)


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


def _entries(gaz) -> dict[str, set[str]]:
    """Which entries (gazetteer rows, area names) own each normalised name."""
    owners: dict[str, set[str]] = {}
    for place in gaz:
        for name in place.names:
            if name:
                owners.setdefault(normalize_name(name), set()).add(f"gazetteer {place.name_zh}")
    for canon, variants in cl.AREA_ALIASES.items():
        for name in (canon, *variants):
            owners.setdefault(normalize_name(name), set()).add(f"area {canon}")
    return owners


def test_no_ledger_place_resolves_to_two_entries(ledger, gaz):
    owners = _entries(gaz)
    doubles = {
        p: sorted(owners[normalize_name(p)])
        for p in set(ledger["place"])
        if len(owners.get(normalize_name(p), ())) > 1
    }
    assert doubles == {}


def test_area_aliases_name_no_gazetteer_place(gaz):
    names = [n for canon, variants in cl.AREA_ALIASES.items() for n in (canon, *variants)]
    assert [n for n in names if gaz.get(n) is not None] == []


def test_verdict_counts_are_those_documented():
    # docs/claims.md, "Verdicts measured": the alias fix changes no verdict
    judged, _ = cl.judge()
    counts = judged["verdict"].value_counts().to_dict()
    assert counts == {"conflict": 11, "unsubstantiated": 4, "consistent": 139, "cannot verify": 137}
