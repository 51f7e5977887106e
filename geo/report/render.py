"""The report as text: CSV per table, Markdown and one self-contained HTML page."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.report.model import OVERLAP_LAYERS, FigureLink, Report, Section
from geo.tables import csv_text, markdown_cell

__all__ = [
    "plus_minus",
    "report_csv",
    "report_html",
    "report_markdown",
    "unit_text",
]


#: What a table shows for a value that could not be measured (never "nan").
NO_VALUE = "—"


# --------------------------------------------------------------------------- rendering
def _fmt(column: str, value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return NO_VALUE
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, float | np.floating):
        if "share" in column or column in OVERLAP_LAYERS:  # matrix cells are shares
            return f"{value:.1%}"
        digits = 0 if column.endswith("_m") else (1 if column == "distance_km" else 3)
        return f"{value:,.{digits}f}"
    return str(value)


def _text_rows(table: pd.DataFrame) -> list[list[str]]:
    cols = [str(c) for c in table.columns]
    return [
        [_fmt(c, v) for c, v in zip(cols, row, strict=True)]
        for row in table.itertuples(index=False)
    ]


def report_csv(report: Report) -> dict[str, str]:
    """Return each section's table as CSV text, by file name (full precision).

    Parameters
    ----------
    report

    Returns
    -------
    dict of str to str
        ``{"zone_areas.csv": "...", ...}``.
    """
    return {f"{s.key}.csv": csv_text(s.table) for s in report.sections}


def _md_cell(text: str) -> str:
    """Markdown table cell: HTML and pipes escaped, on one line."""
    return markdown_cell(text)


def _md_text(text: str) -> str:
    """Markdown running text: HTML from data escaped, so it shows as text."""
    return html.escape(str(text), quote=False)


def _md_table(table: pd.DataFrame) -> list[str]:
    if table.empty:
        return ["_(no rows)_"]
    head = [_md_cell(str(c)) for c in table.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in _text_rows(table)]
    return lines


def _md_figures(figures: Sequence[FigureLink]) -> list[str]:
    lines = ["", "## 图 Figures", ""] if figures else []
    for caption, image, pdf in figures:
        alt = _md_text(caption).replace("[", "(").replace("]", ")")
        lines += [f"![{alt}]({image})", "", f"{_md_cell(caption)} ([PDF]({pdf}))", ""]
    return lines


def report_markdown(report: Report, figures: Sequence[FigureLink] = ()) -> str:
    """Render the report as Markdown (numbers rounded for reading; CSVs keep all digits).

    Parameters
    ----------
    report
    figures
        Print figures shown before the zone tables (none by default).

    Returns
    -------
    str
    """
    used = ", ".join(f"{k} ({v})" for k, v in report.layers_used.items()) or "none"
    lines = [f"# {_md_text(report.title)}", "", f"- Layers used: {_md_text(used)}"]
    lines += [f"- **Note:** {_md_text(n)}" for n in report.notes]
    lines += _md_figures(figures)
    for s in report.sections:
        lines += ["", f"## {_md_text(s.title)}", "", _md_text(s.intro), ""]
        lines += [f"> **Note:** {_md_text(n)}" for n in s.notes] + ([""] if s.notes else [])
        lines += _md_table(s.table)
        lines += ["", f"CSV: `{s.key}.csv`"]
    return "\n".join(lines) + "\n"


_CSS = (
    "body{font-family:sans-serif;margin:2em;max-width:75em}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:.2em .5em}"
    "td.n{text-align:right}th{background:#eee}.note{background:#fff3cd;padding:.4em .8em}"
    ".figs{display:grid;grid-template-columns:repeat(auto-fill,minmax(22em,1fr));gap:1em}"
    ".figs img{width:100%;border:1px solid #bbb}.figs figcaption{font-size:.9em}"
)


def _html_figures(figures: Sequence[FigureLink]) -> str:
    if not figures:
        return ""
    items = "".join(
        f'<figure><a href="{html.escape(pdf)}"><img src="{html.escape(image)}" '
        f'alt="{html.escape(caption)}" loading="lazy"></a>'
        f'<figcaption>{html.escape(caption)} (<a href="{html.escape(pdf)}">PDF</a>)'
        "</figcaption></figure>"
        for caption, image, pdf in figures
    )
    return f'<section id="figures"><h2>图 Figures</h2><div class="figs">{items}</div></section>'


#: Superscript markup some source quotes carry (``m <sup>2</sup>``), shown as the
#: unit it means (``m²``) wherever a table is rendered as HTML.
_SUP = re.compile(r"\s*<sup>\s*([0-9])\s*</sup>", re.IGNORECASE)
_SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def unit_text(value: object) -> str:
    """Return a table value as escaped HTML text, with ``<sup>n</sup>`` as a superscript.

    Parameters
    ----------
    value
        A cell value (``"10000 m <sup>2</sup>"``).

    Returns
    -------
    str
        ``"10000 m²"``, HTML-escaped; no markup from the value survives.
    """
    text = _SUP.sub(lambda m: m.group(1).translate(_SUPERSCRIPT_DIGITS), str(value))
    return html.escape(text)


def plus_minus(value: float, band: float, unit: str = "") -> str:
    """Return ``value ± band`` rounded to the band's second significant digit.

    A band as wide as the value or wider leaves only an upper bound, written
    ``< value + band``; a value that could not be measured is a dash.

    Parameters
    ----------
    value, band
        A measurement and its uncertainty, in the same unit.
    unit
        Written after an upper bound (``" km²"``).

    Returns
    -------
    str
        ``"44.6 ± 9.8"``, ``"202 ± 30"``; the value alone (3 decimals) when the band
        is missing or zero; ``"< 97"`` when the band exceeds the value; ``"—"`` when
        the value is missing.

    Examples
    --------
    >>> plus_minus(44.6305, 9.83), plus_minus(45.0, 52.0, " km²"), plus_minus(float("nan"), 1.0)
    ('44.6 ± 9.8', '< 97 km²', '—')
    """
    if not math.isfinite(value):
        return NO_VALUE
    if not (math.isfinite(band) and band > 0):
        return f"{value:,.3f}"
    digits = max(0, 1 - math.floor(math.log10(band)))
    if band >= abs(value):
        return f"< {abs(value) + band:,.{digits}f}{unit}"
    return f"{value:,.{digits}f} ± {band:,.{digits}f}"


def _banded(table: pd.DataFrame) -> pd.DataFrame:
    """Show zone areas as rounded ``value ± band`` text (the band from ``area_pm_km2``)."""
    if not {"area_km2", "area_pm_km2"} <= set(table.columns):
        return table
    out = table.drop(columns="area_pm_km2")
    for col in ("area_km2", "in_district_km2"):
        if col in out.columns:
            out[col] = [
                plus_minus(float(v), float(b), " km²")
                for v, b in zip(table[col], table["area_pm_km2"], strict=True)
            ]
    return out.rename(
        columns={"area_km2": "area_km2 (±)", "in_district_km2": "in_district_km2 (±)"}
    )


def _html_table(table: pd.DataFrame) -> str:
    if table.empty:
        return "<p><em>(no rows)</em></p>"
    table = _banded(table)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    numeric = [
        pd.api.types.is_numeric_dtype(table[c]) or str(c).endswith("(±)") for c in table.columns
    ]
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=n' if n else ''}>{unit_text(v)}</td>"
            for v, n in zip(r, numeric, strict=True)
        )
        + "</tr>"
        for r in _text_rows(table)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_section(s: Section) -> str:
    notes = "".join(f'<p class="note">Note: {html.escape(n)}</p>' for n in s.notes)
    link = f'<p><a href="{html.escape(s.key)}.csv">{html.escape(s.key)}.csv</a></p>'
    return (
        f'<section id="{html.escape(s.key)}"><h2>{html.escape(s.title)}</h2>'
        f"<p>{html.escape(s.intro)}</p>{notes}{_html_table(s.table)}{link}</section>"
    )


def report_html(report: Report, figures: Sequence[FigureLink] = ()) -> str:
    """Render the report as one self-contained HTML page (no external URLs).

    Every value is HTML-escaped.

    Parameters
    ----------
    report
    figures
        Print figures shown before the zone tables (none by default).

    Returns
    -------
    str
    """
    used = ", ".join(f"{k} ({v})" for k, v in report.layers_used.items()) or "none"
    notes = "".join(f'<li class="note">{html.escape(n)}</li>' for n in report.notes)
    toc = "".join(
        f'<li><a href="#{html.escape(s.key)}">{html.escape(s.title)}</a></li>'
        for s in report.sections
    )
    body = _html_figures(figures) + "".join(_html_section(s) for s in report.sections)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(report.title)}</title><style>{_CSS}</style></head><body>"
        '<p><a href="../index.html">← 图集 Index</a></p>'
        f"<h1>{html.escape(report.title)}</h1><p>Layers used: {html.escape(used)}</p>"
        f"<ul>{notes}</ul><ul>{toc}</ul>{body}"
        '<p><a href="report.md">report.md</a></p></body></html>\n'
    )
