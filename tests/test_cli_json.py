"""``--format json`` of every command that prints a table: one record per row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.cli import main

ROOT = Path(__file__).resolve().parents[1]
MEASURE = ROOT / "tests" / "data" / "measure"
AMAP = ROOT / "tests" / "data" / "gazetteer_fix" / "amap_pois_gcj02.json"


def records(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict]:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_layers(capsys):
    rows = {r["id"]: r for r in records(capsys, "layers", "--format", "json")}
    assert rows["ridges"]["features"] == "2"
    assert rows["rings"]["geometry"] == "Polygon"
    assert len(rows) == 22


def test_validate(capsys):
    assert records(capsys, "validate", "--format", "json") == []


def test_area(capsys):
    rows = records(
        capsys, "area", str(MEASURE / "parks.geojson"), "--unit", "ha", "--format", "json"
    )
    by_id = {r["id"]: r for r in rows}
    assert by_id["park-a"]["area_ha"] == pytest.approx(100, rel=1e-3)  # 1000 m squared
    assert by_id["park-a"]["name_zh"] == "甲园"
    grouped = records(
        capsys, "area", str(MEASURE / "zones.geojson"), "--by", "kind", "--format", "json"
    )
    assert {r["kind"]: r["features"] for r in grouped} == {"city": 2, "ring": 1}


def test_overlap(capsys):
    rows = records(
        capsys,
        "overlap",
        str(MEASURE / "parks.geojson"),
        str(MEASURE / "zones.geojson"),
        "--format",
        "json",
    )
    got = {(r["a"], r["b"]): r["share_of_a"] for r in rows}
    assert len(got) == 4
    assert got[("park-a", "zone-ring")] == pytest.approx(0.25, rel=1e-3)


def test_zones(capsys):
    rows = records(
        capsys,
        "zones",
        str(MEASURE / "sites.geojson"),
        "--in",
        str(MEASURE / "zones.geojson"),
        "--format",
        "json",
    )
    assert sorted((r["feature"], r["zone"], r["on_boundary"]) for r in rows) == [
        ("site-1", "zone-west", False),
        ("site-2", "zone-east", True),
        ("site-2", "zone-west", True),
        ("site-3", "zone-ring", False),
    ]


def test_near(capsys):
    rows = records(
        capsys,
        "near",
        str(MEASURE / "sites.geojson"),
        str(MEASURE / "campuses.geojson"),
        "--format",
        "json",
    )
    assert [r["b"] for r in rows] == ["campus-x", "campus-x", "campus-x", "campus-y"]


def test_gazetteer_match(fix_layers, capsys):
    rows = records(capsys, "gazetteer", "match", str(AMAP), "--crs", "gcj02", "--format", "json")
    assert rows
    assert {"place", "status", "lon", "lat"} <= set(rows[0])


def test_gazetteer_match_csv_quotes_formulas(fix_layers, tmp_path, capsys):
    """A POI export is outside data: a name a spreadsheet would run stays text."""
    doc = json.loads(AMAP.read_text(encoding="utf-8"))
    doc["pois"][0]["name"] = '=HYPERLINK("http://x","西南政法大学")'
    pois = tmp_path / "pois.json"
    pois.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert main(["gazetteer", "match", str(pois), "--crs", "gcj02", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "=HYPERLINK" in out
    assert not any(line.startswith(("=", '"=')) for line in out.splitlines())
    assert not any(",=" in line or ',"=' in line for line in out.splitlines())


def test_every_csv_table_quotes_formulas():
    """Text tables and the Shapefile field map go through the one CSV writer too."""
    from geo.console import rows_text
    from geo.gis.exchange import _fields_csv

    assert rows_text(["name", "n"], [["=1+1", "3"]], "csv") == "name,n\n'=1+1,3"
    assert _fields_csv({"@SUM(A1)": "@SUM(A1)"}).splitlines() == [
        "shp_field,field",
        "'@SUM(A1),'@SUM(A1)",
    ]
