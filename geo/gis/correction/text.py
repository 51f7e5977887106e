"""The gazetteer file as text: parsed to rows and rendered back byte for byte."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from geo.data.gazetteer import Gazetteer

__all__ = [
    "gazetteer_from_text",
    "parse_gazetteer_text",
    "render_gazetteer_text",
]


# --------------------------------------------------------------------------- text
def parse_gazetteer_text(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """Split the gazetteer CSV into its header and rows of text cells.

    Parameters
    ----------
    text
        The file's content.

    Returns
    -------
    tuple of (list of str, list of dict)
        Column names in file order and one ``{column: cell}`` per row; cells are
        kept as written so that unchanged rows are written back byte for byte.
    """
    reader = csv.DictReader(io.StringIO(text))
    rows = [dict(r) for r in reader]
    return list(reader.fieldnames or []), rows


def render_gazetteer_text(header: Sequence[str], rows: Iterable[Mapping[str, str]]) -> str:
    r"""Return the CSV text of a gazetteer (minimal quoting, ``\\n`` line ends)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def gazetteer_from_text(text: str) -> Gazetteer:
    """Build a :class:`Gazetteer` from CSV text (as :func:`load_gazetteer` reads it)."""
    table = pd.read_csv(
        io.StringIO(text), encoding="utf-8", dtype={"aliases": str, "note": str, "within": str}
    )
    return Gazetteer(table)
