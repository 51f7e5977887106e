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
from geo.claims.report_page import report_html
from geo.cli import cmd_claims
from geo.data.gazetteer import load_gazetteer
from geo.data.units import iter_quantity_mentions, parse_quantity

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


@pytest.fixture(scope="module")
def gaz_lookup():
    return cl.gazetteer_resolver(load_gazetteer())


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("黄金湾·智谷", "科学城黄家湾·智谷"),
        ("拾光格数字创新港", "拾光阁数字经济创新港"),
        ("拾光格数字经济创新港", "拾光格数字创新港"),
        ("首创高科·芯创园", "首创创芯园"),
        ("首创高芯园", "科学城创芯园（首创高科集成电路产业园）"),
        ("环西政—川外创新生态圈", "环政法-川外创新生态圈"),
        ("环西南政法—川外", "环西政-川外创新生态圈"),
        ("大学客<br>(全球校友)<br>孵化器", "大学客(全球校友)孵化器"),
    ],
)
def test_name_variants_are_one_place(a, b, real):
    lookup = real[1]["lookup"]  # the gazetteer's names and the layer features' aliases
    assert cl.normalise_place(a, lookup) == cl.normalise_place(b, lookup)


def test_gazetteer_lookup_resolves_names():
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


def test_cross_source(mini, gaz_lookup):
    res = cl.check_cross_source(mini, gaz_lookup)
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


def test_overall_verdicts(mini, members, footprints, places_zones, gaz_lookup):
    places, zones = places_zones
    res = cl.run_checks(
        mini,
        lookup=gaz_lookup,
        members=members,
        features=footprints,
        places=places,
        zones=zones,
    )
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
    judged, _ = cl.judge(cl.ClaimsContext(ledger=evil))
    page = report_html(judged, ["gazetteer"], "map.html")
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
    context = cl.ClaimsContext({"places": places}, ("gazetteer",), evil)
    files = cl.write_outputs(tmp_path, context)
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
    monkeypatch.setattr(cl, "load_context", lambda: cl.ClaimsContext({}, ("everything",), mini))
    assert cmd_claims.run(argparse.Namespace(strict=False, out=None, format="table")) == 0
    assert "conflict" in capsys.readouterr().out
    # the fixture holds conflicts (X03/X04), so --strict fails
    assert cmd_claims.run(argparse.Namespace(strict=True, out=None, format="json")) == 1
    data = json.loads(capsys.readouterr().out)
    assert len(data) == len(mini)
    calm = mini[mini["claim_id"].isin(["X01", "X02"])]
    monkeypatch.setattr(cl, "load_context", lambda: cl.ClaimsContext(ledger=calm))
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


# ------------------------------------------------------------------ linking to features


@pytest.fixture(scope="module")
def real():
    """The real layers (derived ones included), gazetteer lookup and check context."""
    from geo.data.catalog import read_catalog
    from geo.data.gazetteer import load_gazetteer
    from geo.data.layers import _load_layers

    cat = read_catalog()
    layers = _load_layers(catalog=cat)
    gaz = load_gazetteer()
    ctx = cl.context_from_layers(layers, cat, gaz)
    return layers, ctx


def _feature_table(layers) -> pd.DataFrame:
    return pd.concat(
        [g.drop(columns="geometry").assign(layer=lid) for lid, g in layers.items()],
        ignore_index=True,
    ).set_index("id")


def test_every_feature_id_exists_in_the_layers(ledger, real):
    layers, _ = real
    ids = set(_feature_table(layers).index)
    linked = ledger.loc[ledger["feature_id"] != "", "feature_id"]
    assert len(linked) > 200  # most claims are about a mapped feature
    assert sorted(set(linked) - ids) == []


def test_feature_ids_are_what_link_features_computes(ledger, real):
    layers, ctx = real
    computed = cl.link_features(ledger, layers, ctx["lookup"])
    stale = ledger.loc[ledger["feature_id"] != computed, "claim_id"].tolist()
    assert stale == [], f"run `geo claims --link`: feature_id out of date for {stale}"


def test_every_table15_claim_links_to_the_project_of_its_row(ledger, real):
    layers, _ = real
    feats = _feature_table(layers)
    t15 = ledger[ledger["table_ref"].str.match(r"^表15 row \d+")]
    assert len(t15) >= 43 * 4
    bad = []
    for r in t15.itertuples():
        row_no = int(re.match(r"^表15 row (\d+)", r.table_ref).group(1))
        f = feats.loc[r.feature_id] if r.feature_id in feats.index else None
        if (
            f is None
            or f["layer"] != "projects"
            or int(f["row_printed"]) != row_no
            or f"{r.source_file}:L{r.line} " not in f"{f['plan_ref']} "
        ):
            bad.append((r.claim_id, r.table_ref, r.feature_id))
    assert bad == []
    # the misnumbered row: printed 46, 36th data row
    geo_park = t15[t15["table_ref"].str.startswith("表15 row 46 ")]
    assert set(geo_park["feature_id"]) == {"proj-36"}


def test_a_claim_about_a_ring_links_to_its_ring_feature(ledger, real):
    layers, ctx = real
    rings = layers["rings"]
    ring_id = {
        cl.normalise_place(n, ctx["lookup"]): i
        for n, i in zip(rings["name_zh"], rings["id"], strict=True)
    }
    about_rings = ledger[
        ledger["place"].map(lambda p: cl.normalise_place(p, ctx["lookup"]) in ring_id)
        & ~ledger["table_ref"].str.startswith("表15 row")
    ]
    assert len(about_rings) >= 8
    expected = [ring_id[cl.normalise_place(p, ctx["lookup"])] for p in about_rings["place"]]
    assert about_rings["feature_id"].tolist() == expected
    assert ledger.set_index("claim_id").loc["C004", "feature_id"] == "ring-cqu"


def test_link_features_rules():
    # 丙园 is both a member point and a polygon; 丁所 sits at 丙园 but is not 丙园.
    sq = box(106.39, 29.59, 106.41, 29.61)
    layers = {
        "sites": gpd.GeoDataFrame(
            {
                "id": ["s-bing", "s-ding", "s-wu-t9"],
                "name_zh": ["丙园", "丁所", "戊园"],
                "place": ["", "丙园", ""],
                "plan_ref": ["d.txt:L1", "d.txt:L2", "d.txt:L7 表9 row 1"],
            },
            geometry=[Point(106.4, 29.6)] * 3,
            crs=4326,
        ),
        "projects": gpd.GeoDataFrame(
            {
                "id": ["p-36", "p-37", "p-wu"],
                "name_zh": ["己园", "庚园", "戊园"],
                "row": [36, 37, 38],
                "row_printed": [46, 37, 38],
                "plan_ref": ["d.txt:L28 表15 row 36", "d.txt:L29 表15 row 37", "d.txt:L30 表15"],
            },
            geometry=[Point(106.4, 29.6)] * 3,
            crs=4326,
        ),
        "zones": gpd.GeoDataFrame(
            {
                "id": ["z-bing"],
                "name_zh": ["丙园"],
                "aliases": ["丙苑|丙区"],
                "plan_ref": ["d.txt:L9"],
            },
            geometry=[sq],
            crs=4326,
        ),
    }
    claims = pd.DataFrame(
        {
            "place": ["丙苑", "丙园", "丁所", "某地", "随便", "戊园", "戊园", "表15 合计"],
            "table_ref": ["", "", "", "", "表15 row 46 col 小计", "表9 戊园", "", "表15 合计"],
            "source_file": ["d.txt"] * 8,
            "line": [3, 4, 5, 6, 28, 7, 99, 40],
        }
    )
    got = cl.link_features(claims, layers).tolist()
    assert got == [
        "z-bing",  # alias of the zone; the polygon beats the namesake point
        "z-bing",
        "s-ding",
        "",  # no such feature
        "p-36",  # Table 15 by printed row number, whatever the place says
        "s-wu-t9",  # the feature that cites the claim's line
        "s-wu-t9",  # no citation: layer order decides
        "",
    ]


def test_link_ledger_rewrites_only_feature_id(tmp_path, mini):
    src = DATA / "mini_ledger.csv"
    target = tmp_path / "claims.csv"
    target.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    layers = {
        "sites": gpd.GeoDataFrame(
            {"id": ["f-jia"], "name_zh": ["甲园"], "plan_ref": ["doc_a.txt:L1"]},
            geometry=[Point(106.4, 29.6)],
            crs=4326,
        )
    }
    linked, changes = cl.link_ledger(target, layers, lambda n: (_ for _ in ()).throw(KeyError(n)))
    assert set(changes["new"]) == {"f-jia"}
    assert set(changes["claim_id"]) == set(mini.loc[mini["place"] == "甲园", "claim_id"])
    text = cl.ledger_text(linked)
    before = src.read_text(encoding="utf-8").splitlines()
    after = text.splitlines()
    assert len(before) == len(after)
    for b, a in zip(before, after, strict=True):
        assert b.split(",", 2)[2] == a.split(",", 2)[2]  # everything but feature_id as it was


# ------------------------------------------------------------------ geometry and containment


def test_geometry_never_passes_on_points_schematic_or_unknown_accuracy(mini, footprints):
    fp = footprints.copy()
    fp.loc[0, "accuracy_m"] = float("nan")  # 壬园: a square, but no accuracy
    fp.loc[1, "geometry_source"] = ""  # 癸园: a square of unknown origin
    res = cl.check_geometry(mini, fp)
    assert _verdict(res, "X12", "geometry") == "cannot verify"
    assert _verdict(res, "X13", "geometry") == "cannot verify"


def test_geometry_judges_a_linked_claim_on_its_own_feature(mini, footprints):
    one = mini[mini["claim_id"] == "X12"].copy()  # 100 亩 at 壬园
    assert _verdict(cl.check_geometry(one, footprints), "X12", "geometry") == "consistent"
    one["feature_id"] = "f-zi"  # linked to a point: the namesake square must not decide
    assert _verdict(cl.check_geometry(one, footprints), "X12", "geometry") == "cannot verify"
    one["feature_id"] = "f-missing"
    assert _verdict(cl.check_geometry(one, footprints), "X12", "geometry") == "cannot verify"


def test_containment_point_accuracy_beyond_the_edge_cannot_verify(mini, places_zones):
    places, zones = places_zones
    zones = zones.assign(accuracy_m=1.0)
    one = mini[mini["claim_id"] == "X33"]  # 点内: at the centre, ~950 m from the east edge
    assert _verdict(cl.check_containment(one, places, zones), "X33", "containment") == "consistent"
    fuzzy = places.assign(accuracy_m=[2000.0, 50.0, 100.0])  # ±2 km > its distance to the edge
    res = cl.check_containment(one, fuzzy, zones)
    assert _verdict(res, "X33", "containment") == "cannot verify"
    outside = mini[mini["claim_id"] == "X34"]  # 点外: ~1.9 km east of the zone
    fuzzy = places.assign(accuracy_m=[50.0, 2500.0, 100.0])
    assert _verdict(cl.check_containment(outside, fuzzy, zones), "X34", "containment") == (
        "cannot verify"
    )
    unknown = places.assign(accuracy_m=[float("nan"), 50.0, 100.0])
    assert _verdict(cl.check_containment(one, unknown, zones), "X33", "containment") == (
        "cannot verify"
    )


def test_containment_uses_the_linked_feature_and_its_accuracy(mini, places_zones):
    places, zones = places_zones
    one = mini[mini["claim_id"] == "X33"].copy()
    feats = gpd.GeoDataFrame(
        {"id": ["f-lab", "f-far", "f-area"], "accuracy_m": [3000.0, 10.0, 10.0]},
        geometry=[
            Point(106.40, 29.60),
            Point(106.45, 29.60),
            box(106.399, 29.599, 106.401, 29.601),
        ],
        crs=4326,
    )
    one["feature_id"] = "f-lab"  # same point as the gazetteer's, but ±3 km as placed
    res = cl.check_containment(one, places, zones, features=feats)
    assert _verdict(res, "X33", "containment") == "cannot verify"
    one["feature_id"] = "f-far"
    res = cl.check_containment(one, places, zones, features=feats)
    assert _verdict(res, "X33", "containment") == "conflict"
    one["feature_id"] = "f-area"
    res = cl.check_containment(one, places, zones, features=feats)
    assert _verdict(res, "X33", "containment") == "cannot verify"
    assert "area" in res["reason"].iloc[0]


@pytest.mark.parametrize(
    ("zone", "expected"), [("全区", "consistent"), ("科学城点内", "consistent")]
)
def test_containment_zone_words(mini, places_zones, zone, expected):
    places, zones = places_zones
    zones = zones.assign(name_zh=["沙坪坝区"])
    if zone.startswith("科学城"):
        zones = zones.assign(name_zh=["西部（重庆）科学城沙坪坝片区"])
    one = mini[mini["claim_id"] == "X33"].assign(zone=zone)

    def lookup(name: str) -> str:  # the gazetteer's alias: 全区 is the district
        if name == "全区":
            return "沙坪坝区"
        raise KeyError(name)

    res = cl.check_containment(one, places, zones, lookup)
    assert _verdict(res, "X33", "containment") == expected


def test_real_checks_never_pass_a_figure_on_points_or_schematic_shapes(ledger, real):
    layers, ctx = real
    feats = _feature_table(layers)
    res = cl.run_checks(ledger, **ctx)
    geo_res = res[res["check"] == "geometry"].merge(ledger[["claim_id", "feature_id"]])
    assert len(geo_res) >= 15
    for r in geo_res.itertuples():
        if r.verdict == "cannot verify":
            continue
        f = feats.loc[r.feature_id]
        geom = layers[f["layer"]].set_index("id").loc[r.feature_id, "geometry"]
        assert f["geometry_source"] in ("surveyed", "digitized"), r.claim_id
        assert "Polygon" in geom.geom_type or "LineString" in geom.geom_type, r.claim_id
    # containment: the real zones are used, and only decides beyond the accuracies
    con = res[res["check"] == "containment"]
    decided = con[con["verdict"] != "cannot verify"]
    assert len(decided) >= 5
    assert decided["reason"].str.contains("district-shapingba").any()
    for reason in decided["reason"]:
        m = re.search(r"lies ([\d,]+) m .* accuracies add to ([\d,]+) m", reason)
        assert m, reason
        assert float(m[1].replace(",", "")) > float(m[2].replace(",", "")), reason
    sci = con[con["reason"].str.contains("context-science-city")]
    assert len(sci) >= 20  # 科学城… zones are tested against the Science City polygon


# ------------------------------------------------------------------ the map


@pytest.mark.parametrize("basemap", ["none", "osm"])
def test_claims_map_is_self_contained_and_escaped(mini, tmp_path, basemap):
    from geo.maps import external_references, resolve_basemap

    evil = mini.copy()
    evil["place"] = evil["place"].where(evil["claim_id"] != "X01", "<img/src=x/onerror=alert(1)>")
    evil.loc[evil["claim_id"] == "X01", "quote"] = "</script><script>alert(2)</script>"
    places = gpd.GeoDataFrame(
        {"name_zh": ["<img/src=x/onerror=alert(1)>"], "aliases": [""]},
        geometry=[Point(106.4, 29.6)],
        crs=4326,
    )
    cl.write_outputs(tmp_path, cl.ClaimsContext({"places": places}, (), evil), basemap)
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "<img/src=x/onerror=alert(1)>" not in page
    assert "<script>alert(2)" not in page
    assert "&lt;img/src=x/onerror=alert(1)&gt;" in page  # the place's popup, escaped
    tiles = {t.url for t in resolve_basemap(basemap).tiles}
    # nothing is fetched from the network but the tiles (licence comments, the SVG
    # namespace and the attribution hyperlinks in inlined Leaflet are never fetched)
    assert set(external_references(page)) == tiles
    assert not re.search(r"""<(?:script|link|img)\b[^>]*(?:src|href)=["']?https?:""", page)
    if basemap == "none":
        assert "tile.openstreetmap.org" not in page


def test_link_refuses_when_a_layer_does_not_load(tmp_path, monkeypatch, capsys):
    """Relinking without a layer would silently drop its links: refuse, name it, write nothing."""
    import shutil

    from geo.cli import main

    data = tmp_path / "layers"
    shutil.copytree(Path(__file__).resolve().parents[1] / "layers", data)
    monkeypatch.setenv("GEO_LAYERS_DIR", str(data))
    (data / "projects.geojson").write_text('{"type": "FeatureCollection", "features": [', "utf-8")
    before = (data / "claims.csv").read_bytes()
    assert main(["claims", "--link"]) != 0
    err = capsys.readouterr().err
    assert "projects" in err
    assert "cannot relink" in err
    assert (data / "claims.csv").read_bytes() == before


def test_a_projects_own_ledger_is_judged(tmp_path):
    """Project("folder") judges that folder's claims.csv, not the packaged one."""
    import shutil

    from geo import Project

    data = tmp_path / "layers"
    shutil.copytree(Path(__file__).resolve().parents[1] / "layers", data)
    raw = pd.read_csv(data / "claims.csv", dtype=str, keep_default_na=False)
    raw.head(5).to_csv(data / "claims.csv", index=False)
    judged, _ = cl.judge(cl.load_context(Project(data)))
    assert list(judged["claim_id"]) == list(raw["claim_id"].head(5))
