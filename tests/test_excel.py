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


# --------------------------------------------------------------------------- workbooks out
HOSTILE = '=HYPERLINK("http://evil.example/","点我")'


def _sheet(path: Path, name: str | None = None):
    book = openpyxl.load_workbook(path)
    return book[name] if name else book.worksheets[0]


def _header(sheet) -> list[str]:
    return [c.value for c in sheet[1]]


def test_area_as_a_workbook_has_chinese_headers_units_formats_and_a_frozen_header(tmp_path):
    out = tmp_path / "area.xlsx"
    assert main(["area", "cities", "--unit", "km2", "--format", "xlsx", "--out", str(out)]) == 0
    sheet = _sheet(out)
    assert _header(sheet) == [
        "编号 id",
        "中文名称 name_zh",
        "类型 kind",
        "面积 area_km2（km²）",
        "占比 share",
    ]
    assert sheet.freeze_panes == "A2"
    area, share = sheet.cell(row=2, column=4), sheet.cell(row=2, column=5)
    assert isinstance(area.value, float)
    assert area.number_format == "#,##0.00"
    assert share.number_format == "0.00%"
    assert 0 < share.value <= 1  # the share itself, shown as a percentage


def test_a_hostile_name_is_stored_as_text_not_a_formula(fix_layers, tmp_path):
    points = tmp_path / "pts.csv"
    points.write_text(f'name,lon,lat\n"{HOSTILE.replace(chr(34), 2 * chr(34))}",106.46,29.56\n')
    out = tmp_path / "match.xlsx"
    args = ["gazetteer", "match", str(points), "--crs", "wgs84", "--format", "xlsx"]
    assert main([*args, "--out", str(out)]) == 0
    sheet = _sheet(out)
    names = [c for c in sheet["B"] if c.value == HOSTILE]
    assert len(names) == 1
    assert names[0].data_type == "s"  # a formula would read back as data type 'f'
    assert "名称 name" in _header(sheet)
    assert "经度 lon（°）" in _header(sheet)
    assert sheet.freeze_panes == "A2"


def test_claims_workbook_has_the_summary_and_every_claim(tmp_path, capsys):
    out = tmp_path / "claims.xlsx"
    assert main(["claims", "--xlsx", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["汇总 summary", "声明 claims"]
    claims = book["声明 claims"]
    assert _header(claims)[0] == "声明编号 claim_id"
    assert "结论 verdict" in _header(claims)
    assert claims.freeze_panes == "A2"
    assert claims.max_row > 100
    counted = sum(c.value for c in book["汇总 summary"]["B"][1:])
    assert counted == claims.max_row - 1


def test_xlsx_on_a_terminal_without_out_is_one_line(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert main(["layers", "--no-load", "--format", "xlsx"]) == 2
    err = capsys.readouterr().err
    assert "give --out FILE.xlsx" in err
