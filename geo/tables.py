"""Tables written for people: CSV and workbooks a spreadsheet reads as data, Markdown text.

Every CSV the toolkit writes for people (reports, ``--format csv``, the claims report,
the Shapefile field map) goes through :func:`csv_text`; only the data files
``claims.csv`` and ``gazetteer.csv`` are written back exactly as stored. So a name such as
``=HYPERLINK(...)`` or ``@SUM(...)`` taken from a layer or a claim opens in a
spreadsheet as text, not as a formula. As the OWASP advice on CSV injection
recommends, a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with a single quote; numbers (and text that is a plain
number, such as ``-12.5``) are written unchanged.

Excel workbooks are written by :func:`xlsx_bytes` (and :func:`write_xlsx`): Chinese
headers with units, number formats, a frozen header row, and every text cell stored
as text, so ``=HYPERLINK(...)`` is a string there too, kept as it is.

Markdown cells go through :func:`markdown_cell`: HTML is escaped, so markup from
data shows as text, and pipes are escaped, so a cell cannot split its row.
"""

from __future__ import annotations

import csv
import html
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "COLUMN_NAMES_ZH",
    "FORMULA_PREFIXES",
    "column_header",
    "csv_text",
    "finite_number",
    "markdown_cell",
    "neutralise_cell",
    "write_xlsx",
    "xlsx_bytes",
]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def finite_number(value: Any) -> float | None:
    """Read a table cell as a finite number; ``None`` for anything else.

    Parameters
    ----------
    value
        A cell (text such as ``" 106.46 "``, a number, ``None``).

    Returns
    -------
    float or None
        ``None`` for empty, non-numeric, NaN or infinite cells.

    Examples
    --------
    >>> finite_number(" 106.46 "), finite_number("inf"), finite_number("x")
    (106.46, None, None)
    """
    try:
        out = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def neutralise_cell(value: Any) -> Any:
    """Return a cell value that a spreadsheet cannot read as a formula.

    Parameters
    ----------
    value
        A cell; only text is changed.

    Returns
    -------
    Any
        ``value`` itself, or for text that starts with one of
        :data:`FORMULA_PREFIXES` and is not a plain number, ``"'" + value``.

    Examples
    --------
    >>> neutralise_cell("=1+1"), neutralise_cell("-12.5"), neutralise_cell(-3)
    ("'=1+1", '-12.5', -3)
    """
    formula = isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
    return "'" + value if formula and not _NUMBER.fullmatch(value) else value


def csv_text(table: pd.DataFrame) -> str:
    r"""Return a table as CSV text with every text cell and header neutralised.

    Parameters
    ----------
    table
        The table; it is not modified.

    Returns
    -------
    str
        CSV with a header row, no index and ``\n`` line ends; numeric columns are
        written with full precision, exactly as :meth:`pandas.DataFrame.to_csv` does.
        When a text cell holds a carriage return, every text cell is quoted.
    """
    out = table.copy()
    out.columns = [neutralise_cell(str(c)) for c in table.columns]
    has_cr = any("\r" in c for c in out.columns)
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if not pd.api.types.is_numeric_dtype(column):
            out.isetitem(i, column.map(neutralise_cell))
            has_cr |= bool(column.map(lambda v: isinstance(v, str) and "\r" in v).any())
    # The csv module quotes a field holding "\n" but not one holding a lone "\r",
    # which readers then take for a line end: quote every text field in that case.
    quoting = csv.QUOTE_NONNUMERIC if has_cr else csv.QUOTE_MINIMAL
    text: str = out.to_csv(index=False, lineterminator="\n", quoting=quoting)
    return text


def markdown_cell(value: Any) -> str:
    r"""Return text for a Markdown table cell: HTML escaped, pipes escaped, one line.

    Parameters
    ----------
    value
        The cell; converted with ``str``.

    Returns
    -------
    str

    Examples
    --------
    >>> markdown_cell("<b>a|b</b>")
    '&lt;b&gt;a\\|b&lt;/b&gt;'
    """
    text = html.escape(str(value), quote=False)
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


# --------------------------------------------------------------------------- workbooks
#: Chinese names of the columns the toolkit's tables carry, by column stem (the name
#: without its unit suffix); the header of a workbook column is ``名称 name（单位）``.
COLUMN_NAMES_ZH: dict[str, str] = {
    "id": "编号",
    "name_zh": "中文名称",
    "name_en": "英文名称",
    "title_zh": "图层中文名",
    "title_en": "图层英文名",
    "kind": "类型",
    "geometry": "几何类型",
    "role": "用途",
    "features": "要素数",
    "sources": "几何来源",
    "worst": "最大误差",
    "area": "面积",
    "length": "长度",
    "share": "占比",
    "a": "要素甲",
    "name_a": "要素甲名称",
    "b": "要素乙",
    "name_b": "要素乙名称",
    "overlap": "重叠面积",
    "share_of_a": "占甲比例",
    "share_of_b": "占乙比例",
    "dist": "距离",
    "feature": "要素",
    "layer": "图层",
    "zone": "片区",
    "zone_name": "片区名称",
    "on_boundary": "位于边界",
    "row": "行",
    "name": "名称",
    "address": "地址",
    "place": "地名",
    "how": "匹配方式",
    "old_lon": "原经度",
    "old_lat": "原纬度",
    "old_accuracy": "原精度",
    "lon": "经度",
    "lat": "纬度",
    "moved": "移动距离",
    "accuracy": "精度",
    "source_datum": "原坐标系",
    "flags": "标记",
    "status": "状态",
    "file": "文件",
    "feature_id": "要素编号",
    "problem": "问题",
    "fix": "修改方法",
    "claim_id": "声明编号",
    "place_key": "地名键",
    "metric": "指标",
    "qualifier": "限定词",
    "value_written": "原文数值",
    "unit_written": "原文单位",
    "value_si_low": "数值下限",
    "value_si_high": "数值上限",
    "si_unit": "单位",
    "basis": "依据",
    "source_file": "来源文件",
    "line": "行号",
    "quote": "原文",
    "table_ref": "表号",
    "category": "类别",
    "note": "备注",
    "verdict": "结论",
    "checks": "检查",
    "reason": "理由",
    "count": "数量",
    "claims": "声明数",
}
#: Unit suffixes of column names, the unit shown in the header and the number format.
COLUMN_UNITS: dict[str, tuple[str, str]] = {
    "_km2": ("km²", "#,##0.00"),
    "_m2": ("m²", "#,##0"),
    "_ha": ("ha", "#,##0.00"),
    "_mu": ("亩", "#,##0.0"),
    "_km": ("km", "#,##0.00"),
    "_m": ("m", "#,##0"),
}
#: Degree columns: the unit and six decimals (about 0.1 m).
_DEGREE_COLUMNS = frozenset({"lon", "lat", "old_lon", "old_lat"})
#: Characters an .xlsx file cannot hold (XML 1.0 forbids them); shown as escapes.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def column_header(column: str) -> tuple[str, str | None]:
    """Return a column's workbook header (Chinese name, column name, unit) and number format.

    Parameters
    ----------
    column
        The column name of a result table.

    Returns
    -------
    tuple of (str, str or None)
        The header and the number format of its numbers (None: Excel's general).

    Examples
    --------
    >>> column_header("area_km2")
    ('面积 area_km2（km²）', '#,##0.00')
    >>> column_header("share_of_a")
    ('占甲比例 share_of_a', '0.00%')
    """
    stem, unit, fmt = column, "", None
    for suffix, (shown, number) in COLUMN_UNITS.items():
        if column.endswith(suffix) and len(column) > len(suffix):
            stem, unit, fmt = column[: -len(suffix)], shown, number
            break
    if column in _DEGREE_COLUMNS:
        unit, fmt = "°", "0.000000"
    elif "share" in column:
        fmt = "0.00%"
    zh = COLUMN_NAMES_ZH.get(stem) or COLUMN_NAMES_ZH.get(column)
    head = f"{zh} {column}" if zh else column
    return (f"{head}（{unit}）" if unit else head), fmt


def _cell_value(value: Any) -> Any:
    """Return a value an .xlsx cell holds: None for NaN, text with illegal characters shown."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    return _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _text_width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def _fill_sheet(sheet: Any, table: pd.DataFrame) -> None:
    """Write a header row (frozen), the rows, number formats and column widths."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    heads = [column_header(str(c)) for c in table.columns]
    widths = [_text_width(h) for h, _ in heads]
    for j, (head, _) in enumerate(heads, start=1):
        cell = sheet.cell(row=1, column=j, value=head)
        cell.data_type = "s"  # a header is text, whatever it starts with
        cell.font = Font(bold=True)
    for i, row in enumerate(table.itertuples(index=False), start=2):
        for j, value in enumerate(row, start=1):
            value = _cell_value(value)
            cell = sheet.cell(row=i, column=j, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text starting with = + - @ stays text, never a formula
            elif value is not None and heads[j - 1][1] and not isinstance(value, bool):
                cell.number_format = heads[j - 1][1]
            widths[j - 1] = max(widths[j - 1], min(_text_width(value), 60))
    for j, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = width + 2
    sheet.freeze_panes = "A2"


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """Return tables as an Excel workbook, one sheet each, ready for people.

    Each sheet has a bold header row, frozen, naming each column in Chinese with its
    unit (:func:`column_header`); numbers keep their full precision under a number
    format (thousands, ``0.00%`` for shares, six decimals for degrees). Text is
    stored as text: a name such as ``=HYPERLINK(...)`` is a string cell, never a
    formula, and is kept exactly as it is (no quote is added).

    Parameters
    ----------
    sheets
        Sheet name to table, in order (names are cut to Excel's 31 characters).

    Returns
    -------
    bytes
        The ``.xlsx`` file.
    """
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, table in sheets.items():
        _fill_sheet(book.create_sheet(re.sub(r"[\[\]:*?/\\]", "_", name)[:31]), table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_xlsx(path: str | Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """Write tables as an Excel workbook (:func:`xlsx_bytes`), atomically.

    Parameters
    ----------
    path
        The ``.xlsx`` file to write.
    sheets
        Sheet name to table, in order.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    from geo._io import atomic_write_bytes

    return atomic_write_bytes(path, xlsx_bytes(sheets))
