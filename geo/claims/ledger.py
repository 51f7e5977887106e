"""The ledger file ``layers/claims.csv``: where it is, reading it, writing it back.

:func:`read_ledger` is the one reader; :func:`write_ledger` the one writer (atomic,
through :mod:`geo._io`). Everything else in :mod:`geo.claims` works on DataFrames.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from geo.errors import LedgerFileError

__all__ = [
    "METRIC_LABELS",
    "T15_ROW",
    "ledger_path",
    "ledger_text",
    "read_ledger",
    "write_ledger",
]

#: A ledger ``table_ref`` that is a Table 15 cell; group 1 is the printed row number.
T15_ROW = re.compile(r"^表15 row (\d+)")

#: Columns the ledger must hold (the numbers are typed when read).
REQUIRED_COLUMNS = (
    "claim_id",
    "place",
    "metric",
    "value_si_low",
    "value_si_high",
    "source_file",
    "line",
    "quote",
)
#: Columns of one-line text: a line break there becomes a space when read.
ONE_LINE_COLUMNS = frozenset({"claim_id", "feature_id", "place", "metric", "zone", "quote"})

#: Reader-facing names of the ledger's metrics.
METRIC_LABELS: dict[str, str] = {
    "land_area": "land area 占地/用地/规划面积",
    "land_area_collective": "collective land within the land area",
    "floor_area": "floor area 建筑面积/建筑体量",
    "site_area": "site or carrier space 场地/集约场地/空间面积",
    "total_area": "total area 总面积",
    "length": "length 公里",
    "count_projects": "number of projects",
    "count_resident_projects": "projects expected to move in",
    "count_enterprises": "number of enterprises",
    "count_platforms": "number of platforms",
    "investment_total": "total investment 总投资",
    "investment_fyp": "investment in 2021-2025 (十四五 小计)",
    "investment_2021_2022": "investment 2021-2022",
    "investment_2023_2025": "investment 2023-2025",
    "output_2025": "2025 output 产值",
    "revenue": "annual revenue 营收",
    "fund": "fund size 基金规模",
}


def ledger_path() -> Path:
    """Path of ``claims.csv`` in the layers folder (see :func:`geo._data.layers_dir`).

    Returns
    -------
    pathlib.Path
        The ledger file.
    """
    from geo._data import layers_dir

    return layers_dir() / "claims.csv"


def read_ledger(path: str | Path | None = None) -> pd.DataFrame:
    """Read the claims ledger.

    Parameters
    ----------
    path
        Defaults to :func:`ledger_path`.

    Returns
    -------
    pandas.DataFrame
        One row per claim; ``value_si_low``/``value_si_high`` as floats (``inf`` for
        open upper bounds), ``line`` as int, text columns as str ('' when empty).
    """
    return typed_ledger(read_ledger_text(path))


def read_ledger_text(path: str | Path | None = None) -> pd.DataFrame:
    """Read the ledger with every column as text, exactly as stored.

    Parameters
    ----------
    path
        Defaults to :func:`ledger_path`.

    Returns
    -------
    pandas.DataFrame
        What :func:`ledger_text` writes back byte for byte.

    Raises
    ------
    LedgerFileError
        If the file is not a readable UTF-8 CSV with the ledger's columns, or holds
        text the policy of :mod:`geo.data.intake` refuses (one line: file, row, fix).
    """
    from geo.data.intake import read_csv_table

    path = path or ledger_path()
    table = read_csv_table(
        path,
        REQUIRED_COLUMNS,
        one_line=ONE_LINE_COLUMNS,
        error=LedgerFileError,
        what="claims ledger",
        dtype=str,
        keep_default_na=False,
    )
    table.attrs["path"] = str(path)  # named by typed_ledger's messages
    return table


def typed_ledger(raw: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a text ledger with ``value_si_*`` as floats and ``line`` as int.

    Parameters
    ----------
    raw
        The ledger as :func:`read_ledger_text` reads it.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    LedgerFileError
        If a number column holds something else (naming the row and column).
    """
    df = raw.copy()
    rows = raw.attrs.get("rows")  # the file's row numbers
    rows = range(2, len(raw) + 2) if rows is None else rows
    for col, kind in (("value_si_low", float), ("value_si_high", float), ("line", int)):
        for number, cell in zip(rows, df[col], strict=True):
            try:
                kind(cell)
            except (TypeError, ValueError):
                raise LedgerFileError(
                    str(raw.attrs.get("path", "claims.csv")),
                    f"row {number}, column {col}",
                    f"{cell!r} is not {'a whole number' if kind is int else 'a number'}",
                    "write the number in digits (inf for an open upper bound)",
                ) from None
        df[col] = df[col].astype(kind)
    return df


def ledger_text(ledger: pd.DataFrame) -> str:
    """Return the ledger as the CSV text it is stored as (UTF-8, Unix line ends).

    Parameters
    ----------
    ledger
        The ledger read with every column as text
        (:func:`read_ledger_text`), so that values
        are written back exactly as they were read.

    Returns
    -------
    str
        CSV text; reading and writing an unchanged ledger gives the same bytes.
    """
    return ledger.to_csv(index=False, lineterminator="\n")


def write_ledger(ledger: pd.DataFrame, path: str | Path | None = None) -> Path:
    """Write the ledger atomically as :func:`ledger_text` gives it.

    Parameters
    ----------
    ledger
        The ledger with every column as text (see :func:`ledger_text`).
    path
        Defaults to :func:`ledger_path`. The caller holds the folder's write lock
        (:func:`geo._io.write_lock`) when it read the ledger to change it.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    from geo._io import atomic_write_text

    return atomic_write_text(Path(path) if path is not None else ledger_path(), ledger_text(ledger))
