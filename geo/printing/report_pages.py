"""The report pages that show the printed figures, and the reviewer's PDF.

``SITE/reports/report.html`` (also as ``index.html``, the page the site index
links), ``SITE/reports/report.md`` and ``SITE/report.pdf``: the measurement
report's tables with each printed figure beside them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from geo._io import atomic_write_bytes, atomic_write_text
from geo.data.intake import read_csv_table
from geo.figures.specs import FigureSpec
from geo.printing.bundle import report_pdf
from geo.report.model import Report
from geo.report.render import report_html, report_markdown

__all__ = ["figure_links", "write_report_pages"]


def figure_links(
    site: Path, prints: Path, specs: Sequence[FigureSpec], written: Mapping[str, Mapping[str, Path]]
) -> list[tuple[str, str, str]]:
    """Return (caption, PNG link, PDF link) of each figure printed in both formats.

    Parameters
    ----------
    site
        The site folder (the links are relative to ``site/reports``).
    prints
        The folder of the prints.
    specs
        Figures in report order.
    written
        Figure id to format to file.

    Returns
    -------
    list of tuple of str
    """
    rel = Path(os.path.relpath(prints, site / "reports")).as_posix()
    return [
        (s.title_zh, f"{rel}/{s.id}.png", f"{rel}/{s.id}.pdf")
        for s in specs
        if {"png", "pdf"} <= set(written.get(s.id, {}))
    ]


def write_report_pages(
    site: Path,
    prints: Path,
    report: Report,
    specs: Sequence[FigureSpec],
    written: Mapping[str, Mapping[str, Path]],
    claims_csv: Path | None = None,
    built: dt.date | None = None,
) -> list[Path]:
    """Write the report pages with the figures, and ``site/report.pdf``.

    Parameters
    ----------
    site
        The site folder.
    prints
        The folder of the prints.
    report
        The measurement report (:func:`geo.report.build_report`).
    specs
        Printed figures, in report order.
    written
        Figure id to format to file (:func:`geo.printing.output.write_prints`).
    claims_csv
        Judged claims (default ``site/claims/claims_report.csv``, when present).
    built
        Date on the PDF's cover.

    Returns
    -------
    list of Path
        ``report.html``, ``index.html``, ``report.md`` and ``report.pdf``.
    """
    folder = site / "reports"
    figures = figure_links(site, prints, specs, written)
    page = report_html(report, figures)
    paths = [
        atomic_write_text(folder / "report.html", page),
        atomic_write_text(folder / "index.html", page),  # the page the site index links
        atomic_write_text(folder / "report.md", report_markdown(report, figures)),
    ]
    csv = claims_csv if claims_csv is not None else site / "claims" / "claims_report.csv"
    claims = read_csv_table(csv, (), what="claims report") if csv.is_file() else None
    pdfs = [written[s.id]["pdf"].read_bytes() for s in specs if "pdf" in written.get(s.id, {})]
    data = report_pdf(pdfs, report, claims, built=built)
    paths.append(atomic_write_bytes(site / "report.pdf", data))
    return paths
