"""Large point layers are checked column by column and stored as GeoParquet.

A point layer above ``limits.COMPACT_POINTS_ABOVE`` features is added to
``layers/<id>.parquet``, recorded in the catalog, validated, read back and exported
like any layer; its problems read as those of the same features in a GeoJSON file.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import yaml

from geo.data import checks, layerfile
from geo.data.inputs import validate_file
from geo.project import Project

N = 12_000  # above the 10 000 features a layer is held to, below the point limit


def _rows(n: int) -> list[dict]:
    rng = np.random.default_rng(11)
    x, y = rng.uniform(106.25, 106.50, n), rng.uniform(29.45, 29.75, n)
    return [
        {
            "id": f"firm-{i}",
            "name_zh": f"企业{i}",
            "name_en": f"Firm {i}",
            "kind": "firm",
            "plan_ref": "registry 2026",
            "geometry_source": "surveyed",
            "accuracy_m": 10.5,
            "lon": round(float(a), 6),
            "lat": round(float(b), 6),
        }
        for i, (a, b) in enumerate(zip(x, y, strict=True))
    ]


def _write_csv(rows: list[dict], path: Path) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _write_geojson(rows: list[dict], path: Path) -> Path:
    features = []
    for r in rows:
        props = {k: v for k, v in r.items() if k not in ("lon", "lat")}
        point = {"type": "Point", "coordinates": [r["lon"], r["lat"]]}
        features.append({"type": "Feature", "properties": props, "geometry": point})
    doc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _write_gpkg(rows: list[dict], path: Path) -> Path:
    import geopandas as gpd

    table = gpd.pd.DataFrame(rows)
    gdf = gpd.GeoDataFrame(
        table.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(table["lon"], table["lat"]),
        crs="EPSG:4326",
    )
    pyogrio.write_dataframe(gdf, path, driver="GPKG")
    return path


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from geo.cli import main

    assert main(["init", str(tmp_path / "work")]) == 0
    monkeypatch.setenv("GEO_LAYERS_DIR", str(tmp_path / "work" / "layers"))
    return tmp_path / "work" / "layers"


#: The GeoPackage input takes the same path once read; ``make test-fast`` runs the CSV.
@pytest.mark.parametrize(
    "write",
    [_write_csv, pytest.param(_write_gpkg, marks=pytest.mark.slow)],
    ids=["csv", "gpkg"],
)
def test_a_large_point_layer_is_stored_as_geoparquet_and_used_like_any(
    work: Path, write, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.cli import main

    rows = _rows(N)
    src = write(rows, work.parent / ("firms.csv" if write is _write_csv else "firms.gpkg"))
    args = ["add-layer", str(src), "--id", "firms", "--title-zh", "企业", "--title-en", "Firms",
            "--crs", "wgs84", "--figures", "2"]  # fmt: skip
    assert main(args) == 0
    assert (work / "firms.parquet").read_bytes()[:4] == b"PAR1"
    assert not (work / "firms.geojson").exists()
    entries = yaml.safe_load((work / "catalog.yaml").read_text(encoding="utf-8"))["layers"]
    assert next(e for e in entries if e["id"] == "firms")["file"] == "firms.parquet"

    layer = Project(work).layer("firms")
    assert len(layer) == N
    assert layer.crs.to_epsg() == 4326
    assert layer["name_zh"].iloc[4321] == "企业4321"
    assert abs(layer.geometry.iloc[4321].x - rows[4321]["lon"]) <= 1e-6
    assert abs(layer.geometry.iloc[4321].y - rows[4321]["lat"]) <= 1e-6

    capsys.readouterr()
    assert main(["validate"]) == 0  # every catalog layer, ids across layers
    out = work.parent / "out.gpkg"
    assert main(["export", "--gpkg", str(out), "--layers", "firms"]) == 0
    assert pyogrio.read_info(out, layer="firms")["features"] == N


def _spoilt(rows: list[dict]) -> list[dict]:
    rows[5]["id"] = "Bad Id"
    rows[10]["name_en"] = None
    rows[20]["accuracy_m"] = 0.5
    rows[30]["lon"] = 120.5
    rows[50]["geometry_source"] = "guessed"
    rows[60]["id"] = rows[1]["id"]
    rows[70].update(geometry_source="schematic", accuracy_m=100.5)
    rows[80]["plan_ref"] = "   "
    return rows


def test_column_checks_report_what_feature_checks_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _spoilt(_rows(N))
    expected = validate_file(_write_geojson(rows, tmp_path / "firms.geojson"))
    assert len(expected) == 8  # one problem per spoilt row

    def whole_document(*args: object, **kwargs: object) -> None:
        raise AssertionError("a large point table was checked one feature at a time")

    monkeypatch.setattr(checks, "check_document", whole_document)
    monkeypatch.setattr(layerfile, "check_document", whole_document)
    found = validate_file(_write_csv(rows, tmp_path / "firms.csv"))

    def key(p):
        return (p.feature_id, p.problem, p.fix)

    assert sorted(map(key, found)) == sorted(map(key, expected))
    assert all(p.file == str(tmp_path / "firms.csv") for p in found)


def test_a_layer_replaced_by_a_large_point_layer_keeps_its_former_file_as_a_backup(
    work: Path,
) -> None:
    from geo.cli import main

    rows = _rows(N)
    common = ["--id", "firms", "--title-zh", "企业", "--title-en", "Firms", "--crs", "wgs84"]
    assert main(["add-layer", str(_write_csv(rows[:100], work.parent / "few.csv")), *common]) == 0
    assert (work / "firms.geojson").is_file()
    many = str(_write_csv(rows, work.parent / "many.csv"))
    assert main(["add-layer", many, *common, "--replace"]) == 0
    assert (work / "firms.parquet").is_file()
    assert not (work / "firms.geojson").exists()  # no file the catalog no longer names
    assert [p.suffix for p in (work / ".backup").glob("firms.*")] == [".geojson"]
    assert len(Project(work).layer("firms")) == N
