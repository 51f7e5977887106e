"""Excel workbooks in: the same column rules as a CSV, one sheet chosen by name."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from geo.cli import main
from geo.data.layers import _load_layer

ROWS = [
    ["xl1", "重庆大学A区", "CQU Campus A", 106.46839, 29.56406, "university"],
    ["xl2", "重庆师范大学", "CQNU", 106.303227, 29.612345, "university"],
]
HEADER = ["id", "name_zh", "name_en", "经度", "纬度", "kind"]
FILL = ["--plan-ref", "p.txt:L1", "--geometry-source", "digitized", "--accuracy-m", "50"]


def _workbook(path: Path) -> Path:
    """Two sheets: notes first, the points (GCJ-02, Chinese coordinate headers) second."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "说明"
    notes.append(["坐标为高德 GCJ-02"])
    sites = book.create_sheet("站点")
    sites.append(HEADER)
    for row in ROWS:
        sites.append(row)
    book.save(path)
    return path


def _csv(path: Path) -> Path:
    rows = [["c" + r[0], *r[1:]] for r in ROWS]  # ids are unique across layers
    lines = [",".join(HEADER), *(",".join(map(str, r)) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _add(path: Path, layer_id: str, *extra: str) -> int:
    titles = ["--title-zh", "站点", "--title-en", "Sites"]
    return main(
        ["add-layer", str(path), "--id", layer_id, *titles, "--crs", "gcj02", *FILL, *extra]
    )


def test_a_sheet_lands_where_the_same_rows_as_csv_land(gis_layers, tmp_path, capsys):
    book = _workbook(tmp_path / "sites.xlsx")
    assert _add(book, "xl_sites", "--sheet", "站点") == 0, capsys.readouterr().err
    assert _add(_csv(tmp_path / "sites.csv"), "csv_sites") == 0, capsys.readouterr().err
    xl = _load_layer("xl_sites").set_index("name_zh").to_crs(4544)
    csv = _load_layer("csv_sites").set_index("name_zh").to_crs(4544)
    assert list(xl["id"]) == ["xl1", "xl2"]
    assert list(xl.index) == ["重庆大学A区", "重庆师范大学"]
    assert (xl.geometry.distance(csv.geometry.loc[xl.index]) < 5).all()
    # converted from GCJ-02: WGS-84 lies a few hundred metres south-west of the input
    cqu = _load_layer("xl_sites").set_index("id").geometry.loc["xl1"]
    assert cqu.x == pytest.approx(106.46444, abs=2e-5)
    assert cqu.y == pytest.approx(29.56667, abs=2e-5)


def test_the_first_sheet_is_read_by_default(gis_layers, tmp_path, capsys):
    assert _add(_workbook(tmp_path / "sites.xlsx"), "xl_first") == 2
    err = capsys.readouterr().err
    assert "no coordinate columns among 坐标为高德 GCJ-02" in err
    assert "Traceback" not in err


def test_a_wrong_sheet_name_lists_the_sheets(tmp_path, capsys):
    book = _workbook(tmp_path / "sites.xlsx")
    assert main(["validate", str(book), "--crs", "gcj02", "--sheet", "Sheet1"]) == 1
    err = capsys.readouterr().err
    assert "no sheet 'Sheet1' in the workbook; it holds: '说明', '站点'" in err
    assert "--sheet" in err


def test_gazetteer_match_reads_a_sheet(fix_layers, tmp_path, capsys):
    book = _workbook(tmp_path / "sites.xlsx")
    args = ["gazetteer", "match", str(book), "--crs", "gcj02", "--sheet", "站点"]
    assert main([*args, "--name-column", "name_zh", "--format", "json"]) == 0, (
        capsys.readouterr().err
    )
    out = capsys.readouterr().out
    assert "重庆大学A区" in out
    assert "重庆师范大学" in out
