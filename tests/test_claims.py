import argparse
import collections
import json
import math
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo import claims as cl
from geo.cli import cmd_claims
from geo.units import iter_quantity_mentions, parse_quantity

DATA = Path(__file__).parent / "data" / "claims"
REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "sources"


@pytest.fixture(scope="module")
def mini() -> pd.DataFrame:
    return cl.read_ledger(DATA / "mini_ledger.csv")


@pytest.fixture(scope="module")
def members() -> pd.DataFrame:
    return pd.read_csv(DATA / "mini_members.csv")


def _verdict(results: pd.DataFrame, cid: str, check: str) -> str:
    sel = results[(results["claim_id"] == cid) & (results["check"] == check)]
    assert not sel.empty, f"no {check} result for {cid}"
    return set(sel["verdict"]).pop() if sel["verdict"].nunique() == 1 else "mixed"


# ------------------------------------------------------------------ the real ledger


@pytest.fixture(scope="module")
def ledger() -> pd.DataFrame:
    return cl.read_ledger()


def test_ledger_columns_and_ids(ledger):
    for col in (
        "claim_id",
        "feature_id",
        "place",
        "metric",
        "qualifier",
        "value_written",
        "unit_written",
        "value_si_low",
        "value_si_high",
        "si_unit",
        "source_file",
        "line",
        "quote",
    ):
        assert col in ledger.columns
    assert ledger["claim_id"].is_unique
    assert set(ledger["qualifier"]) <= {"exact", "approx", "at_least", "at_most", "range"}
    assert set(ledger["metric"]) <= set(cl.METRIC_LABELS)


def test_every_quote_is_on_its_line(ledger):
    texts = {
        f: (SEEDS / f).read_text(encoding="utf-8").splitlines() for f in set(ledger["source_file"])
    }
    bad = [
        (r.claim_id, r.source_file, r.line)
        for r in ledger.itertuples()
        if r.quote not in texts[r.source_file][r.line - 1]
    ]
    assert bad == []


def test_every_value_is_in_its_quote(ledger):
    bad = [
        r.claim_id
        for r in ledger.itertuples()
        if r.value_written not in r.quote.replace(" ", "") and r.value_written not in r.quote
    ]
    assert bad == []


def test_si_values_follow_from_value_and_unit(ledger):
    bad = []
    for r in ledger.itertuples():
        if "read as" in r.note:  # a typo in the source, resolved by hand and said so
            continue
        q = parse_quantity(f"{r.value_written} {r.unit_written}")
        lo = r.value_si_low
        expected_lo = q.low
        if r.qualifier == "at_most":
            expected_lo, lo = q.high, r.value_si_high
        if not math.isclose(lo, expected_lo, rel_tol=1e-6):
            bad.append(r.claim_id)
        if r.qualifier == "at_least" and not math.isinf(r.value_si_high):
            bad.append(r.claim_id)
    assert bad == []


def test_sweep_finds_no_size_claim_missing_from_the_ledger(ledger):
    """Every number+unit in the five documents is ledgered or excluded with a reason."""
    have = collections.Counter(
        (r.source_file, r.line, r.value_written.replace(" ", "")) for r in ledger.itertuples()
    )
    excl = pd.read_csv(DATA / "sweep_exclusions.csv", dtype=str, keep_default_na=False)
    assert (excl["reason"].str.len() > 10).all()
    for r in excl.itertuples():
        have[(r.source_file, int(r.line), r.number)] += 1
    missing = []
    for path in sorted(SEEDS.glob("*.txt")):
        seen: collections.Counter = collections.Counter()
        for line, match in iter_quantity_mentions(path.read_text(encoding="utf-8")):
            num = re.match(r"[\d.]+(?:\s*[-—–~]\s*[\d.]+)?", match).group(0).replace(" ", "")
            key = (path.name, line, num)
            seen[key] += 1
            if seen[key] > have[key]:
                missing.append((path.name, line, match))
    assert missing == [], f"size statements neither in layers/claims.csv nor excluded: {missing}"


def test_every_table15_row_has_its_investment(ledger):
    text = (SEEDS / "002_8a077782b689f185.txt").read_text(encoding="utf-8").splitlines()
    rows = [
        i + 1 for i, ln in enumerate(text[950:1041], start=950) if re.match(r"\|\s*\d+\s*\|", ln)
    ]
    assert len(rows) == 43  # the plan's 43 major projects (one misnumbered 46)
    have = set(ledger.loc[ledger["metric"] == "investment_total", "line"])
    assert set(rows) <= have


def test_real_ledger_finds_the_row6_subtotal_error(ledger):
    # 表15 row 6: 65.00 + 45.00 = 110, but the 小计 column says 100.00.
    res = cl.check_arithmetic(ledger)
    row6 = ledger[(ledger["table_ref"] == "表15 row 6 col 小计")]
    assert len(row6) == 1
    assert _verdict(res, row6["claim_id"].iloc[0], "arithmetic") == "conflict"


def test_real_ledger_verdicts_cover_every_claim(ledger):
    judged = cl.verdicts(ledger, cl.run_checks(ledger))
    assert len(judged) == len(ledger)
    assert set(judged["verdict"]) <= set(cl.VERDICTS)
    assert (judged["reason"].str.len() > 0).all()


# ------------------------------------------------------------------ names


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("黄金湾·智谷", "科学城黄家湾·智谷"),
        ("拾光格数字创新港", "拾光阁数字经济创新港"),
        ("首创高科·芯创园", "首创创芯园"),
        ("首创高芯园", "科学城创芯园（首创高科集成电路产业园）"),
        ("环西政—川外创新生态圈", "环政法-川外创新生态圈"),
        ("环西南政法—川外", "环西政-川外创新生态圈"),
        ("大学客<br>(全球校友)<br>孵化器", "大学客(全球校友)孵化器"),
    ],
)
def test_name_variants_are_one_place(a, b):
    assert cl.normalise_place(a) == cl.normalise_place(b)


def test_gazetteer_lookup_is_used_after_aliases():
    def lookup(name: str) -> str:
        if name == "某地别名":
            return "某地"
        raise KeyError(name)

    assert cl.normalise_place("某地别名", lookup) == "某地"
    assert cl.normalise_place("未知地", lookup) == "未知地"


# ------------------------------------------------------------------ each check


def test_claim_interval_rules():
    row = {
        "value_si_low": 680000.0,
        "value_si_high": 680000.0,
        "qualifier": "exact",
        "value_written": "68",
    }
    assert cl.claim_interval(row) == pytest.approx((675000, 685000))
    row = {
        "value_si_low": 88000.0,
        "value_si_high": 88000.0,
        "qualifier": "approx",
        "value_written": "8.8",
    }
    lo, hi = cl.claim_interval(row)
    assert lo == pytest.approx(88000 - 500 - 8800)
    assert hi == pytest.approx(88000 + 500 + 8800)


def test_cross_source(mini):
    res = cl.check_cross_source(mini)
    assert _verdict(res, "X01", "cross-source") == "consistent"
    assert _verdict(res, "X02", "cross-source") == "consistent"
    # 11000 vs 13000 m² for one place spelt two ways
    assert _verdict(res, "X03", "cross-source") == "conflict"
    assert _verdict(res, "X04", "cross-source") == "conflict"
    # plan 68 万 vs reported 5 万 achieved
    assert _verdict(res, "X05", "cross-source") == "unsubstantiated"
    assert _verdict(res, "X06", "cross-source") == "consistent"


def test_aggregate(mini, members):
    res = cl.check_aggregate(mini, members)
    assert _verdict(res, "X07", "aggregate") == "consistent"  # 20 + 15 万 ≥ 30 万
    assert _verdict(res, "X10", "aggregate") == "unsubstantiated"  # 20 万 of > 60 万
    assert _verdict(res, "X11", "aggregate") == "conflict"  # member alone 20 万 > 10 万


def _square(lon: float, lat: float, side_m: float):
    dlat = side_m / 110_830.0
    dlon = side_m / (111_320.0 * math.cos(math.radians(lat)))
    return box(lon - dlon / 2, lat - dlat / 2, lon + dlon / 2, lat + dlat / 2)


@pytest.fixture(scope="module")
def footprints() -> gpd.GeoDataFrame:
    side = math.sqrt(100 * 2000 / 3)  # a 100 亩 square
    sq = _square(106.40, 29.60, side)
    return gpd.GeoDataFrame(
        {
            "id": ["f-ren", "f-gui", "f-zi", "f-chou", "f-yin"],
            "name_zh": ["壬园", "癸园", "子园", "丑园", "寅园"],
            "geometry_source": ["digitized", "digitized", "digitized", "schematic", "digitized"],
            "accuracy_m": [5.0, 5.0, 5.0, 5.0, 40.0],
        },
        geometry=[sq, sq, Point(106.4, 29.6), sq, sq],
        crs="EPSG:4326",
    )


def test_geometry(mini, footprints):
    res = cl.check_geometry(mini, footprints)
    assert _verdict(res, "X12", "geometry") == "consistent"  # 100 亩 on a 100 亩 square
    assert _verdict(res, "X13", "geometry") == "conflict"  # 10 亩 on a 100 亩 square
    assert _verdict(res, "X14", "geometry") == "cannot verify"  # a point has no area
    assert _verdict(res, "X15", "geometry") == "cannot verify"  # schematic
    assert _verdict(res, "X16", "geometry") == "cannot verify"  # ±40 m on 258 m sides
    reason = res.loc[res["claim_id"] == "X16", "reason"].iloc[0]
    assert "too coarse" in reason


def test_geometry_without_features_never_passes(mini):
    res = cl.check_geometry(mini, None)
    assert set(res["verdict"]) == {"cannot verify"}


def test_plausibility(mini):
    res = cl.check_plausibility(mini)
    assert _verdict(res, "X17", "plausibility") == "consistent"  # 27 万 / 78 亩 ≈ 5.2
    assert _verdict(res, "X18", "plausibility") == "consistent"
    assert _verdict(res, "X19", "plausibility") == "conflict"  # 202000 / 5 亩 ≈ 61
    assert _verdict(res, "X20", "plausibility") == "conflict"


def test_arithmetic(mini):
    res = cl.check_arithmetic(mini)
    assert _verdict(res, "X24", "arithmetic") == "consistent"  # 3 + 5 = 8
    assert _verdict(res, "X28", "arithmetic") == "conflict"  # 65 + 45 ≠ 100
    assert _verdict(res, "X21", "arithmetic") == "consistent"  # 8 ≤ 10
    assert _verdict(res, "X29", "arithmetic") == "consistent"  # 10 + 100 = 110
    assert _verdict(res, "X30", "arithmetic") == "consistent"  # two rows
    assert _verdict(res, "X31", "arithmetic") == "conflict"  # 类乙 sums to 100, not 99
    assert _verdict(res, "X32", "arithmetic") == "consistent"


@pytest.fixture(scope="module")
def places_zones():
    zone = box(106.39, 29.59, 106.41, 29.61)  # about 1.9 km by 2.2 km
    zones = gpd.GeoDataFrame(
        {"id": ["z-jia"], "name_zh": ["甲区"], "accuracy_m": [20.0]}, geometry=[zone], crs=4326
    )
    places = gpd.GeoDataFrame(
        {
            "name_zh": ["点内", "点外", "点边"],
            "aliases": ["", "", ""],
            "accuracy_m": [50.0, 50.0, 100.0],
        },
        geometry=[Point(106.40, 29.60), Point(106.43, 29.60), Point(106.4095, 29.60)],
        crs=4326,
    )
    return places, zones


def test_containment(mini, places_zones):
    places, zones = places_zones
    res = cl.check_containment(mini, places, zones)
    assert _verdict(res, "X33", "containment") == "consistent"
    assert _verdict(res, "X34", "containment") == "conflict"
    assert _verdict(res, "X35", "containment") == "cannot verify"  # 48 m from the edge, ±120 m
    assert _verdict(res, "X36", "containment") == "cannot verify"  # zone unknown


def test_overall_verdicts(mini, members, footprints, places_zones):
    places, zones = places_zones
    res = cl.run_checks(mini, members=members, features=footprints, places=places, zones=zones)
    judged = cl.verdicts(mini, res).set_index("claim_id")["verdict"]
    assert judged["X03"] == "conflict"
    assert judged["X05"] == "unsubstantiated"
    assert judged["X12"] == "consistent"
    assert judged["X14"] == "cannot verify"
    # containment locates the place but does not vouch for its figure
    assert judged["X33"] == "cannot verify"
    assert judged["X34"] == "conflict"
    summary = cl.summarise(cl.verdicts(mini, res))
    assert summary["claims"].sum() == len(mini)


# ------------------------------------------------------------------ report and CLI


def test_report_escapes_and_has_no_external_urls(mini, tmp_path):
    evil = mini.copy()
    evil.loc[0, "place"] = '<script>alert("x")</script>'
    evil.loc[0, "quote"] = "<b>&</b>"
    judged = cl.verdicts(evil, cl.run_checks(evil))
    judged["place_key"] = [cl.normalise_place(p) for p in judged["place"]]
    page = cmd_claims.report_html(judged, ["gazetteer"], "map.html")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in page
    assert "http://" not in page
    assert "https://" not in page
    places = gpd.GeoDataFrame(
        {"name_zh": ['<script>alert("x")</script>'], "aliases": [""]},
        geometry=[Point(106.4, 29.6)],
        crs=4326,
    )
    files = cmd_claims.write_claims_report(tmp_path, judged, ["gazetteer"], places, None)
    assert {p.name for p in files} == {
        "index.html",
        "map.html",
        "claims_report.csv",
        "claims_report.md",
    }
    html_map = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert '<script>alert("x")</script>' not in html_map
    md = (tmp_path / "claims_report.md").read_text(encoding="utf-8")
    assert "| conflict |" in md
    back = pd.read_csv(tmp_path / "claims_report.csv")
    assert len(back) == len(mini)
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_cli_handler(monkeypatch, capsys, mini):
    monkeypatch.setattr(cl, "read_ledger", lambda path=None: mini)
    monkeypatch.setattr(cmd_claims, "load_context", lambda: ({}, ["everything"]))
    assert cmd_claims.run(argparse.Namespace(strict=False, out=None, format="table")) == 0
    assert "conflict" in capsys.readouterr().out
    # the fixture holds conflicts (X03/X04), so --strict fails
    assert cmd_claims.run(argparse.Namespace(strict=True, out=None, format="json")) == 1
    data = json.loads(capsys.readouterr().out)
    assert len(data) == len(mini)
    calm = mini[mini["claim_id"].isin(["X01", "X02"])]
    monkeypatch.setattr(cl, "read_ledger", lambda path=None: calm)
    assert cmd_claims.run(argparse.Namespace(strict=True, out=None, format="csv")) == 0


def test_register_adds_claims_subcommand():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    cmd_claims.register(sub)
    args = parser.parse_args(["claims", "--strict", "--format", "csv", "--out", "x"])
    assert args.strict
    assert args.format == "csv"
    assert args.out == "x"
    assert args.func is cmd_claims.run
