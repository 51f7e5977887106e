r"""Result tables for a terminal (text, CSV, JSON, GeoJSON or a workbook), and progress.

Every command that prints a table prints it through :func:`rows_text` (rows of
text) or :func:`frame_text` (a pandas table), so ``--format json`` gives the same
records everywhere: a list of objects, one per row, keyed by the column names.
``--format xlsx`` writes the same table as an Excel workbook (:func:`workbook_out`,
through :func:`geo.tables.xlsx_bytes`).

Long work (prints, exports, matching a long point list) reports its progress on
standard error through :class:`Progress`: a bar on a terminal, plain lines in a log.

Text from data never drives the terminal: :func:`terminal_text` shows control
characters (ESC, BEL, carriage return, C1 codes, bidirectional overrides) as
visible escapes such as ``\x1b``. Table cells pass through it, and the command
line passes every message and every line written to a terminal through it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "TABLE_FORMATS",
    "Progress",
    "cell_text",
    "echo",
    "format_table",
    "frame_text",
    "rows_frame",
    "rows_text",
    "terminal_text",
    "workbook_out",
]

#: Output formats of a table: readable text, CSV, JSON records or an Excel workbook.
TABLE_FORMATS = ("table", "csv", "json", "xlsx")
#: Characters a terminal acts on: C0 (but tab and newline), DEL, C1, bidi controls.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: In a table cell a tab or newline would break the columns too.
_CELL_CONTROLS = re.compile(f"[\t\n{_CONTROLS.pattern[1:-1]}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str, *, cell: bool = False) -> str:
    r"""Return ``text`` with the characters a terminal acts on shown as escapes.

    ESC (which starts sequences that set the window title or clear the screen),
    BEL, backspace, carriage return, DEL, the C1 codes and the bidirectional
    overrides become ``\x1b``, ``\x07``, ``\u202e`` ...; other text is unchanged.

    Parameters
    ----------
    text
        Text from data, a message or a whole line of output.
    cell
        Escape tabs and newlines as well (a table cell is one line).

    Returns
    -------
    str
    """
    return (_CELL_CONTROLS if cell else _CONTROLS).sub(_escape, text)


def _width(text: str) -> int:
    """Columns a text takes in a terminal (CJK characters count double)."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Format rows as a plain-text table whose columns line up (CJK counted double).

    Parameters
    ----------
    header
        Column names.
    rows
        The cells, as text.

    Returns
    -------
    str
    """
    lines = [[terminal_text(c, cell=True) for c in r] for r in (header, *rows)]
    widths = [max(_width(r[i]) for r in lines) for i in range(len(header))]
    lines.insert(1, ["-" * w for w in widths])
    return "\n".join(
        "  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in lines
    )


def rows_text(header: Sequence[str], rows: Sequence[Sequence[str]], fmt: str) -> str:
    """Return rows as a readable table, CSV or JSON records.

    Parameters
    ----------
    header
        Column names.
    rows
        The cells, as text.
    fmt
        The format.

    Returns
    -------
    str
    """
    if fmt == "json":
        return json.dumps([dict(zip(header, r, strict=True)) for r in rows], ensure_ascii=False)
    if fmt == "csv":
        import pandas as pd

        from geo.tables import csv_text

        return csv_text(pd.DataFrame(list(rows), columns=list(header))).rstrip("\n")
    return format_table(header, rows)


def cell_text(column: str, value: Any) -> str:
    """Return one measured value as table text: shares to 4 places, others to 2.

    Parameters
    ----------
    column
        Column name (a ``share`` column keeps four decimals).
    value
        The value; ``None`` and NaN give ``-``.

    Returns
    -------
    str
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}" if "share" in column else f"{value:,.2f}"
    return str(value)


def frame_text(table: pd.DataFrame, fmt: str, geometry: gpd.GeoSeries | None = None) -> str:
    """Return a result table as text, CSV, JSON records or GeoJSON features.

    Parameters
    ----------
    table
        The rows.
    fmt
        The format; CSV cells that a spreadsheet would read as formulas are quoted
        (:func:`geo.tables.csv_text`).
    geometry
        One shape per row, for ``geojson`` (EPSG:4326); without it, null geometries.

    Returns
    -------
    str
        Without a trailing newline, except CSV (which ends each row with one).
    """
    if fmt == "table":
        cols = [str(c) for c in table.columns]
        rows = [
            [cell_text(c, v) for c, v in zip(cols, r, strict=True)]
            for r in table.itertuples(index=False)
        ]
        return format_table(cols, rows) if rows else "(no rows)"
    if fmt == "csv":
        from geo.tables import csv_text

        return csv_text(table)
    if fmt == "json":
        records = json.loads(table.to_json(orient="records", force_ascii=False))
        return json.dumps(records, ensure_ascii=False, indent=1)
    import geopandas as gpd

    shapes = geometry if geometry is not None else gpd.GeoSeries([None] * len(table))
    gdf = gpd.GeoDataFrame(table.reset_index(drop=True), geometry=list(shapes), crs="EPSG:4326")
    text: str = gdf.to_json(ensure_ascii=False, na="null")
    return text


def echo(text: str) -> None:
    """Print ``text`` to standard output, ending it with exactly one newline.

    Parameters
    ----------
    text
        What :func:`rows_text` or :func:`frame_text` returned.
    """
    import sys

    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def rows_frame(header: Sequence[str], rows: Sequence[Sequence[str]]) -> pd.DataFrame:
    """Return text rows as a table whose columns of numbers (``1,234``, ``-``) are numbers.

    Parameters
    ----------
    header
        Column names.
    rows
        The cells, as text (``-`` for none).

    Returns
    -------
    pandas.DataFrame
    """
    import pandas as pd

    from geo.tables import finite_number

    table = pd.DataFrame(list(rows), columns=list(header), dtype=object)
    for col in table.columns:
        cells = [str(v).replace(",", "") for v in table[col]]
        numbers = {c: finite_number(c) for c in cells if c not in ("-", "")}
        if col != "id" and numbers and None not in numbers.values():
            table[col] = [numbers.get(c) for c in cells]
    return table


def workbook_out(sheets: dict[str, pd.DataFrame], out: str | None) -> None:
    """Write tables as an Excel workbook to ``out``, or to standard output when redirected.

    Parameters
    ----------
    sheets
        Sheet name to table (:func:`geo.tables.xlsx_bytes`).
    out
        The ``.xlsx`` file (written atomically; its path is said on stderr); None
        writes the bytes to standard output, which must not be a terminal.

    Raises
    ------
    WorkbookOutputError
        When ``out`` is None and standard output is a terminal.
    """
    import sys

    from geo.errors import WorkbookOutputError
    from geo.tables import write_xlsx, xlsx_bytes

    if out is not None:
        print(f"wrote {write_xlsx(out, sheets)}", file=sys.stderr)
        return
    if sys.stdout.isatty():
        raise WorkbookOutputError(
            "--format xlsx writes a workbook, not text for the terminal; "
            "fix: give --out FILE.xlsx (or redirect standard output to a file)"
        )
    sys.stdout.flush()
    sys.stdout.buffer.write(xlsx_bytes(sheets))


class Progress:
    """Progress of long work on standard error: a bar on a terminal, plain lines otherwise.

    Call it with ``(done, total, label)`` as each unit (a figure, a layer, a block of
    rows) finishes. On a terminal a tqdm bar is drawn and cleared at the end; when
    standard error is a file or a pipe (a log, CI), one line is written per call:
    ``geo print: 3/9 figures fig3``. Standard output stays for the results.

    Parameters
    ----------
    what
        The line's head, e.g. ``geo print``.
    unit
        What is counted, for the bar (``figure``, ``layer``, ``row``).
    stream
        Where to write (default ``sys.stderr``).
    """

    def __init__(self, what: str, unit: str = "", stream: Any = None) -> None:
        import sys

        self.what, self.unit = what, unit
        self.stream = stream if stream is not None else sys.stderr
        try:
            self.tty = bool(self.stream.isatty())
        except (AttributeError, ValueError, OSError):
            self.tty = False
        self._bar: Any = None

    def __call__(self, done: int, total: int, label: str = "") -> None:
        """Report that ``done`` of ``total`` units are finished, the last being ``label``."""
        if not self.tty:
            unit = f" {self.unit}s" if self.unit else ""
            tail = f" {terminal_text(label)}" if label else ""
            self.stream.write(f"{self.what}: {done:,}/{total:,}{unit}{tail}\n")
            self.stream.flush()
            return
        if self._bar is None:
            from tqdm import tqdm

            # the bar's carriage returns go to the terminal itself, not its escaping wrapper
            out = getattr(self.stream, "_stream", self.stream)
            self._bar = tqdm(
                total=total,
                desc=self.what,
                unit=f" {self.unit}" if self.unit else "it",
                file=out,
                leave=False,
            )
        self._bar.total = total
        self._bar.update(done - self._bar.n)
        if label:
            self._bar.set_postfix_str(terminal_text(label, cell=True), refresh=True)

    def close(self) -> None:
        """Clear the bar (plain lines stay as they are)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
