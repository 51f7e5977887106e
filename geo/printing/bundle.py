"""The reviewer's PDF: the print figures, the zone tables and the claims summary.

A cover page, then every figure's PDF page as printed (merged with ``pypdf``, so
the figures are not drawn twice), then the report's zone tables and the verdict
counts of the claims ledger, each typeset with matplotlib in the same CJK font.
Computation only: the result is bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import pandas as pd

from geo.figures.texts import PLAN_SOURCE_EN, PLAN_SOURCE_ZH
from geo.printing.fonts import cjk_family, plain_glyphs, rc_params
from geo.printing.furniture import wrap_cjk
from geo.printing.paper import Page
from geo.report.model import Report
from geo.report.render import _banded, _text_rows

__all__ = ["BUNDLE_TITLE", "ZONE_SECTIONS", "report_pdf"]

BUNDLE_TITLE = "沙坪坝区“十四五”科技创新布局：图集、分区测量与数据核查"
#: Report sections bundled as the zone tables.
ZONE_SECTIONS: tuple[str, ...] = ("zone_areas", "zone_totals", "zone_counts")
#: Table rows per page.
ROWS_PER_PAGE = 26
#: Lines of running text per page.
LINES_PER_PAGE = 34
#: Claims-ledger columns shown for conflicting and unsubstantiated claims.
CLAIM_COLUMNS: tuple[str, ...] = ("claim_id", "place", "value_written", "unit_written", "reason")


def _page(page: Page, title: str) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=page.size_in)
    fig.text(0.05, 0.94, title, fontsize=14, fontweight="bold", va="top", gid="title")
    ax = fig.add_axes((0.05, 0.06, 0.9, 0.8))
    ax.set_axis_off()
    return fig, ax


def _text_pages(page: Page, title: str, lines: Sequence[str]) -> list[Any]:
    """Typeset lines of text, one artist per line, on as many pages as they need."""
    wrapped = [w for line in lines for w in (wrap_cjk(line, 110) or [""])]
    pages = []
    for start in range(0, len(wrapped), LINES_PER_PAGE):
        fig, ax = _page(page, title if start == 0 else f"{title}（续 continued）")
        for i, line in enumerate(wrapped[start : start + LINES_PER_PAGE]):
            ax.text(0, 1 - i / LINES_PER_PAGE, line, va="top", ha="left", fontsize=9)
        pages.append(fig)
    return pages


def _table_pages(page: Page, title: str, intro: str, table: pd.DataFrame) -> list[Any]:
    table = _banded(table)  # zone areas as value ± band, as on the report page
    rows = _text_rows(table) if len(table) else [["(no rows)"] + [""] * (len(table.columns) - 1)]
    cols = [str(c) for c in table.columns]
    pages = []
    for start in range(0, len(rows), ROWS_PER_PAGE):
        part = rows[start : start + ROWS_PER_PAGE]
        head = title if start == 0 else f"{title}（续 continued）"
        fig, ax = _page(page, head)
        fig.text(0.05, 0.89, "\n".join(wrap_cjk(intro, 150)), fontsize=8, va="top")
        tab = ax.table(cellText=part, colLabels=cols, loc="upper left", cellLoc="left")
        tab.auto_set_font_size(False)
        tab.set_fontsize(7)
        tab.auto_set_column_width(list(range(len(cols))))
        pages.append(fig)
    return pages


def _plain(value: Any) -> str:
    """Return a ledger value as plain text (the ledger writes m² as HTML)."""
    return str(value).replace(" <sup>2</sup>", "²").replace("<sup>2</sup>", "²")


def _claims_lines(claims: pd.DataFrame | None) -> list[str]:
    if claims is None or "verdict" not in claims:
        return ["核查结果不可用 Claims verdicts not available: run `geo claims --out SITE/claims`."]
    counts = claims["verdict"].value_counts()
    lines = [f"{len(claims)} 条数据陈述已核查 statements checked:"]
    lines += [f"  {verdict}: {n}" for verdict, n in counts.items()]
    for verdict in ("conflict", "unsubstantiated"):
        sub = claims[claims["verdict"] == verdict]
        if len(sub):
            lines += ["", f"{verdict} ({len(sub)}):"]
            cols = [c for c in CLAIM_COLUMNS if c in sub]
            lines += [
                "  " + " · ".join(_plain(r[c])[:200] for c in cols) for _, r in sub.iterrows()
            ]
    return lines


def _pdf(figures: Sequence[Any]) -> bytes:
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.text import Text

    buf = io.BytesIO()
    with PdfPages(buf, metadata={"Title": BUNDLE_TITLE, "CreationDate": None}) as pdf:
        for fig in figures:
            plain_glyphs(fig.findobj(Text))
            pdf.savefig(fig)
    return buf.getvalue()


def report_pdf(
    figure_pdfs: Sequence[bytes],
    report: Report,
    claims: pd.DataFrame | None = None,
    page: Page | None = None,
    built: dt.date | None = None,
) -> bytes:
    """Return the reviewer's PDF: cover, figures, zone tables, claims summary.

    Parameters
    ----------
    figure_pdfs
        The figures as printed (PDF files from :func:`geo.printing.figure_bytes`).
    report
        The measurement report (:func:`geo.report.build_report`).
    claims
        Judged claims (a ``verdict`` column; ``claims_report.csv`` of ``geo claims``).
    page
        Paper of the text pages (default A4 landscape).
    built
        Date stated on the cover.

    Returns
    -------
    bytes
        One PDF with the CJK font embedded.
    """
    from matplotlib import rc_context
    from pypdf import PdfReader, PdfWriter

    page = page or Page()
    with rc_context(rc_params(cjk_family())):
        cover = _text_pages(
            page,
            BUNDLE_TITLE,
            [
                PLAN_SOURCE_ZH,
                PLAN_SOURCE_EN,
                f"图 Figures: {len(figure_pdfs)} 幅 · 分区表 Zone tables · 数据核查 Claims summary",
                *([f"编制 Built: {built.isoformat()}"] if built else []),
                "",
                "本图集由开源工具 shapingba-geo 自规划文本重建；分区为示意，不代表实测边界。",
                "Rebuilt from the plan's text; zones are schematic, not surveyed footprints.",
            ],
        )
        tables = [
            fig
            for s in report.sections
            if s.key in ZONE_SECTIONS
            for fig in _table_pages(page, s.title, s.intro, s.table)
        ]
        tables += _text_pages(page, "数据核查 Claims summary", _claims_lines(claims))
        front, back = _pdf(cover), _pdf(tables)
    writer = PdfWriter()
    for part in (front, *figure_pdfs, back):
        writer.append(PdfReader(io.BytesIO(part)))
    writer.add_metadata({"/Title": BUNDLE_TITLE})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
