"""Reading one sheet of an Excel workbook (``.xlsx``) as a table.

A workbook is read through the one door (:func:`geo.data.intake.read_file_bytes`, so
its size is checked first) and parsed by pandas with openpyxl; the table it gives
goes through the same column rules and text policy as a CSV
(:func:`geo.data.inputs.read_table`). Its first row holds the column names. A
workbook holding several sheets is read at its first sheet, or at the one named
(``--sheet``); a name it lacks is refused with the list of its sheets.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from geo import limits
from geo.data.intake import read_file_bytes
from geo.errors import DataFileError, LayerValidationError, Problem

__all__ = ["LEGACY_SUFFIXES", "WORKBOOK_SUFFIXES", "read_sheet", "sheet_names"]

#: Suffixes read as Excel workbooks (Office Open XML).
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm"})
#: Old binary workbooks, refused with the fix.
LEGACY_SUFFIXES = frozenset({".xls", ".et"})
#: What to do with a workbook that cannot be opened.
RESAVE_FIX = "open it in Excel or WPS and save it again as an Excel workbook (.xlsx)"


def _problem(path: Path, problem: str, fix: str) -> LayerValidationError:
    return LayerValidationError([Problem(str(path), "-", problem, fix)])


def _workbook_bytes(path: Path) -> bytes:
    if path.suffix.lower() in LEGACY_SUFFIXES:
        raise _problem(path, "an old binary workbook (.xls) cannot be read", RESAVE_FIX)
    try:
        return read_file_bytes(path, limits.MAX_INPUT_BYTES)
    except DataFileError as exc:
        raise LayerValidationError([exc.as_problem()]) from None


def sheet_names(path: str | Path) -> list[str]:
    """Return the names of a workbook's sheets, in workbook order.

    Parameters
    ----------
    path
        The ``.xlsx`` file; it is only read.

    Returns
    -------
    list of str

    Raises
    ------
    LayerValidationError
        If the file is not a workbook openpyxl can open.
    """
    path = Path(path)
    return _names(path, _workbook_bytes(path))


def _names(path: Path, raw: bytes) -> list[str]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
    except Exception as exc:  # BadZipFile, InvalidFileException, KeyError for a broken part
        found = " ".join(str(exc).split()) or type(exc).__name__
        raise _problem(path, f"not an Excel workbook ({found})", RESAVE_FIX) from None
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def _choose_sheet(path: Path, names: list[str], sheet: str | None) -> str:
    if not names:
        raise _problem(path, "the workbook holds no sheet", RESAVE_FIX)
    if sheet is None:
        return names[0]
    if sheet not in names:
        listing = ", ".join(repr(n) for n in names)
        raise _problem(
            path, f"no sheet {sheet!r} in the workbook; it holds: {listing}", "give one to --sheet"
        )
    return sheet


def read_sheet(path: str | Path, sheet: str | None = None) -> pd.DataFrame:
    """Read one sheet of a workbook as a table of cells, its first row the header.

    Dates become ISO text (as a CSV holds them) and ``id`` is read as text; row
    ``n`` of the table is row ``n + 2`` of the sheet. The text policy is applied by
    :func:`geo.data.inputs.read_table`.

    Parameters
    ----------
    path
        The ``.xlsx`` file; it is only read.
    sheet
        The sheet's name; default the first sheet.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    LayerValidationError
        If the file is too large, not a workbook, or has no sheet ``sheet`` (the
        message lists its sheets).
    """
    path = Path(path)
    raw = _workbook_bytes(path)
    name = _choose_sheet(path, _names(path, raw), sheet)
    try:
        table = pd.read_excel(
            io.BytesIO(raw), sheet_name=name, engine="openpyxl", dtype={"id": str}
        )
    except Exception as exc:  # openpyxl and pandas raise a variety on a broken sheet
        found = " ".join(str(exc).split()) or type(exc).__name__
        raise _problem(path, f"cannot read sheet {name!r} ({found})", RESAVE_FIX) from None
    for col in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[col]):
            table[col] = table[col].map(lambda v: v.isoformat() if pd.notna(v) else None)
    return table
