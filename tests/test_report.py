"""geo.report and `geo report`, on the tests/data/measure fixtures.

Layout (EPSG:4544 metres from the fixture origin, see tests/test_measure.py):
district = [-1000,7000]^2 (64 km²); cities = zone-west, zone-east (4 km² each);
rings = zone-ring (4 km²); belts = the three parks; campuses; rd_platforms = sites.
"""

from __future__ import annotations

import io
import math
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import report
from geo.cli import main
from geo.data.catalog import parse_catalog
from geo.data.layers import _load_layer

DATA = Path(__file__).resolve().parent / "data" / "measure"
REL = 1e-3


def _load(name: str) -> gpd.GeoDataFrame:
    return _load_layer(DATA / f"{name}.geojson")


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    zones = _load("zones")
    sites = _load("sites")
    sites.loc[0, "name_zh"] = "<b>一号</b> & co"  # must come out escaped
    return {
        "district": _load("district_box"),
        "cities": zones[zones["kind"] == "city"],
        "rings": zones[zones["kind"] == "ring"],
        "belts": _load("parks"),
        "campuses": _load("campuses"),
        "rd_platforms": sites,
    }


def _entry(lid: str, role: str, gtype: str, file: str) -> dict[str, object]:
    return {
        "id": lid,
        "title_zh": f"{lid}图层",
        "title_en": f"{lid} layer",
        "geometry_type": gtype,
        "role": role,
        "group": "test",
        "style": lid,
        "file": file,
    }


CATALOG = {
    "version": 1,
    "layers": [
        _entry("district", "admin", "Polygon", "district_box.geojson"),
        _entry("cities", "zone", "Polygon", "zones.geojson"),
        _entry("belts", "zone", "Polygon", "parks.geojson"),
        _entry("campuses", "campus", "Point", "campuses.geojson"),
        _entry("rd_platforms", "site", "Point", "sites.geojson"),
    ],
}


@pytest.fixture(scope="module")
def rep(layers: dict[str, gpd.GeoDataFrame]) -> report.Report:
    return report.build_report(layers, parse_catalog(CATALOG), {"projects": "not drawn yet"})


def _table(rep: report.Report, key: str) -> pd.DataFrame:
    return next(s for s in rep.sections if s.key == key).table


def test_zone_areas_and_shares(rep: report.Report) -> None:
    t = _table(rep, "zone_areas").set_index("id")
    assert t.loc["zone-west", "area_km2"] == pytest.approx(4.0, rel=REL)
    assert t.loc["zone-west", "share_of_district"] == pytest.approx(4 / 64, rel=REL)
    assert t.loc["park-m", "in_district_km2"] == pytest.approx(0.5, rel=REL)
    totals = _table(rep, "zone_totals").set_index("layer")
    assert totals.loc["cities", "union_km2"] == pytest.approx(8.0, rel=REL)
    assert totals.loc["cities", "share_of_district"] == pytest.approx(8 / 64, rel=REL)


def test_zone_overlaps(rep: report.Report) -> None:
    t = _table(rep, "zone_overlaps")
    assert len(t) == 1  # only park-a overlaps zone-ring; the parks do not overlap each other
    row = t.iloc[0]
    assert (row["layer_a"], row["a"], row["layer_b"], row["b"]) == (
        "rings",
        "zone-ring",
        "belts",
        "park-a",
    )
    assert row["overlap_ha"] == pytest.approx(25.0, rel=REL)
    assert row["share_of_a"] == pytest.approx(0.25 / 4, rel=REL)
    assert row["share_of_b"] == pytest.approx(0.25, rel=REL)
    m = _table(rep, "zone_overlap_matrix").set_index("layer")
    assert m.loc["rings", "belts"] == pytest.approx(0.25 / 4, rel=REL)
    assert m.loc["belts", "rings"] == pytest.approx(0.25 / 2.5, rel=REL)


def test_nearest_campus(rep: report.Report) -> None:
    t = _table(rep, "nearest_campus").set_index("id")
    assert t.loc["site-4", "campus"] == "campus-y"
    assert t.loc["site-4", "campus_name"] == "乙大学"
    assert t.loc["site-4", "dist_m"] == pytest.approx(math.hypot(2000, 6000), abs=0.5)
    assert t.loc["site-1", "dist_m"] == pytest.approx(math.hypot(100, 900), abs=0.5)


def test_zone_counts(rep: report.Report) -> None:
    table = _table(rep, "zone_counts").set_index(["zone_layer", "zone"])
    t = table["rd_platforms"]
    # site-2 lies on the west/east edge: within its accuracy of both, so it counts in
    # neither and is given as uncertain in both
    assert t[("cities", "zone-west")] == 1
    assert t[("cities", "zone-east")] == 0
    assert table.loc[("cities", "zone-west"), "uncertain"] == 1
    assert table.loc[("cities", "zone-east"), "uncertain"] == 1
    assert t[("cities", "(none)")] == 2  # site-3, site-4
    # site-1 is 100 m inside park-a but known to ±300 m: uncertain, not counted
    assert t[("belts", "park-a")] == 0
    assert table.loc[("belts", "park-a"), "uncertain"] == 1
    assert t[("belts", "park-b")] == 1  # site-2, 500 m inside
    assert t[("belts", "park-m")] == 0
    assert t[("rings", "zone-ring")] == 1
    assert t[("rings", "(none)")] == 3


def test_campus_coverage(rep: report.Report) -> None:
    t = _table(rep, "campus_coverage")
    rd = t[t["layer"] == "rd_platforms"].set_index("distance_km")["share"]
    assert rd.to_dict() == {1.0: 0.25, 2.0: 0.5, 5.0: 0.75}
    assert "all platforms" in set(t["layer"])


def test_missing_layers_are_noted(rep: report.Report) -> None:
    assert any(n.startswith("projects: not drawn yet") for n in rep.notes)
    assert any("screens" in n for n in rep.notes)
    overlap_notes = next(s for s in rep.sections if s.key == "zone_overlaps").notes
    assert any("clusters" in n for n in overlap_notes)
    assert rep.layers_used["cities"] == "cities图层 cities layer"


def test_nothing_available_still_renders() -> None:
    empty = report.build_report({})
    assert all(s.table.empty for s in empty.sections)
    assert all(s.notes for s in empty.sections)
    assert "skipped" in report.report_html(empty)


def test_html_is_escaped_and_offline(rep: report.Report) -> None:
    page = report.report_html(rep)
    assert "&lt;b&gt;一号&lt;/b&gt; &amp; co" in page
    assert "<b>一号" not in page
    assert "http://" not in page
    assert "https://" not in page
    assert "zone_areas.csv" in page


def test_markdown_and_csv(rep: report.Report) -> None:
    md = report.report_markdown(rep)
    assert md.startswith("# ")
    assert "## 分区面积 Zone areas" in md
    assert "**Note:**" in md
    csvs = report.report_csv(rep)
    assert set(csvs) == {f"{s.key}.csv" for s in rep.sections}
    back = pd.read_csv(io.StringIO(csvs["nearest_campus.csv"]))
    assert back["dist_m"].iloc[3] == pytest.approx(math.hypot(2000, 6000), abs=0.5)


def test_cli_report_writes_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    data = tmp_path / "layers"
    shutil.copytree(DATA, data)
    (data / "catalog.yaml").write_text(yaml.safe_dump(CATALOG, allow_unicode=True), "utf-8")
    monkeypatch.setenv("GEO_LAYERS_DIR", str(data))
    code = main(["report", "--out", str(tmp_path / "site")])
    out = capsys.readouterr().out
    assert code == 0
    folder = tmp_path / "site" / "reports"
    assert (folder / "index.html").exists()
    assert (folder / "report.md").exists()
    assert (folder / "zone_areas.csv").exists()
    assert "rings: not in the catalog yet" in out
    assert "rings: not in the catalog yet" in (folder / "index.html").read_text("utf-8")


def test_schematic_areas_show_their_band_and_sensible_rounding() -> None:
    from geo.report import area_band_km2, plus_minus

    assert plus_minus(44.6305, 9.83) == "44.6 ± 9.8"
    assert plus_minus(202.2031, 30.1) == "202 ± 30"
    assert plus_minus(1.23456, 0.352) == "1.23 ± 0.35"
    assert plus_minus(3.14159, float("nan")) == "3.142"
    # a band as wide as the value leaves an upper bound; no value is a dash, never "nan"
    assert plus_minus(45.2, 51.7, " km²") == "< 97 km²"
    assert plus_minus(2.0, 3.5) == "< 5.5"
    assert plus_minus(float("nan"), float("nan")) == "—"
    # A 2 km square inside a 10 km district: four 2 km edges at ±500 m -> ±4 km².
    x, y = 540_000, 3_270_000  # near Shapingba in EPSG:4544
    district = gpd.GeoDataFrame(
        {"accuracy_m": [100.0]}, geometry=[shapely.box(x, y, x + 10_000, y + 10_000)], crs=4544
    )
    inner = shapely.box(x + 4_000, y + 4_000, x + 6_000, y + 6_000)
    corner = shapely.box(x, y, x + 2_000, y + 2_000)  # two edges on the district boundary
    zones = gpd.GeoDataFrame({"accuracy_m": [500.0, 500.0]}, geometry=[inner, corner], crs=4544)
    band = area_band_km2(zones.to_crs(4326), district.to_crs(4326))
    assert band[0] == pytest.approx(4.0, rel=0.01)
    assert band[1] == pytest.approx((4_000 * 500 + 4_000 * 100) / 1e6, rel=0.02)
    page = report.report_html(
        report.Report(
            title="t",
            sections=[
                report.Section(
                    key="zone_areas",
                    title="z",
                    intro="i",
                    table=pd.DataFrame({"id": ["a"], "area_km2": [44.6305], "area_pm_km2": [9.83]}),
                )
            ],
        )
    )
    assert "44.6 ± 9.8" in page
    assert "44.630" not in page
