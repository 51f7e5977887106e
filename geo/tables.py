"""Tables written for people: CSV a spreadsheet reads as data, Markdown that shows text.

Every CSV the toolkit writes for people (reports, ``--format csv``, the claims report,
the Shapefile field map) goes through :func:`csv_text`; only the data files
``claims.csv`` and ``gazetteer.csv`` are written back exactly as stored. So a name such as
``=HYPERLINK(...)`` or ``@SUM(...)`` taken from a layer or a claim opens in a
spreadsheet as text, not as a formula. As the OWASP advice on CSV injection
recommends, a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with a single quote; numbers (and text that is a plain
number, such as ``-12.5``) are written unchanged.

Markdown cells go through :func:`markdown_cell`: HTML is escaped, so markup from
data shows as text, and pipes are escaped, so a cell cannot split its row.
"""

from __future__ import annotations

import csv
import html
import math
import re
from typing import Any

import pandas as pd

__all__ = [
    "FORMULA_PREFIXES",
    "csv_text",
    "finite_number",
    "markdown_cell",
    "neutralise_cell",
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
