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
from geo.printing.compact import lean_paths, share_fonts, truetype_files
from geo.printing.fonts import cjk_family, plain_glyphs, rc_params
from geo.printing.furniture import _char_width, wrap_cjk
from geo.printing.paper import Page
from geo.report.model import Report
from geo.report.render import _banded, _text_rows

__all__ = ["BUNDLE_TITLE", "ZONE_SECTIONS", "report_pdf"]

BUNDLE_TITLE = "沙坪坝区“十四五”科技创新布局：图集、分区测量与数据核查"
#: Report sections bundled as the zone tables.
ZONE_SECTIONS: tuple[str, ...] = ("zone_areas", "zone_totals", "zone_counts")
#: Lines of running text per page.
LINES_PER_PAGE = 34
#: Claims-ledger columns shown for conflicting and unsubstantiated claims.
CLAIM_COLUMNS: tuple[str, ...] = ("claim_id", "place", "value_written", "unit_written", "reason")


#: Left and right margins of the text pages, as a fraction of the page width.
MARGIN = 0.05
#: Widest a table's column may be before its text wraps, in ems.
COLUMN_EM = 34.0
#: Table text size, largest and smallest (points): a wide table shrinks to fit.
TABLE_FONT_PT = (7.0, 4.5)
#: Line height of table cells, as a multiple of the font size.
TABLE_LEADING = 1.45


def _page(page: Page, title: str, top: float = 0.86) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=page.size_in)
    fig.text(MARGIN, 0.94, title, fontsize=14, fontweight="bold", va="top", gid="title")
    ax = fig.add_axes((MARGIN, 0.06, 1 - 2 * MARGIN, top - 0.06))
    ax.set_axis_off()
    return fig, ax


def _em_width(page: Page, fontsize: float) -> float:
    """Return how many ems of ``fontsize`` fit between the margins (with some slack)."""
    return page.size_in[0] * 72 * (1 - 2 * MARGIN) / fontsize * 0.94


def _text_pages(page: Page, title: str, lines: Sequence[str]) -> list[Any]:
    """Typeset lines of text, one artist per line, on as many pages as they need."""
    width = _em_width(page, 9)
    wrapped = [w for line in lines for w in (wrap_cjk(line, width) or [""])]
    pages = []
    for start in range(0, len(wrapped), LINES_PER_PAGE):
        fig, ax = _page(page, title if start == 0 else f"{title}（续 continued）")
        for i, line in enumerate(wrapped[start : start + LINES_PER_PAGE]):
            ax.text(0, 1 - i / LINES_PER_PAGE, line, va="top", ha="left", fontsize=9)
        pages.append(fig)
    return pages


def _ems(text: str) -> float:
    return max((sum(_char_width(c) for c in line) for line in text.split("\n")), default=0.0)


def _fit_table(
    page: Page, cols: list[str], rows: list[list[str]]
) -> tuple[float, list[float], list[list[str]]]:
    """Wrap long cells and choose a font size so the table spans at most the text width.

    Returns
    -------
    tuple
        The font size, each column's width in ems and the wrapped cells (header first).
    """
    cells = [cols, *rows]
    widest, smallest = TABLE_FONT_PT
    column_em = COLUMN_EM
    while True:
        wrapped = [["\n".join(wrap_cjk(c, column_em) or [""]) for c in r] for r in cells]
        widths = [max(_ems(r[j]) for r in wrapped) + 1.8 for j in range(len(cols))]
        size = min(widest, _em_width(page, 1) / sum(widths))
        if size >= smallest or column_em <= 8:
            return max(size, smallest), widths, wrapped
        column_em -= 4


def _table_pages(page: Page, title: str, intro: str, table: pd.DataFrame) -> list[Any]:
    """Typeset a table on as many pages as it needs, never wider than the text."""
    table = _banded(table)  # zone areas as value ± band, as on the report page
    rows = _text_rows(table) if len(table) else [["(no rows)"] + [""] * (len(table.columns) - 1)]
    size, widths, cells = _fit_table(page, [str(c) for c in table.columns], rows)
    head, body = cells[0], cells[1:]
    intro_lines = wrap_cjk(intro, _em_width(page, 8))
    page_h = page.size_in[1] * 72
    top = 0.89 - (len(intro_lines) * 8 * 1.35 + 8) / page_h
    room = (top - 0.06) * page_h  # points of table per page

    def height(cells_row: list[str]) -> float:
        return (max(c.count("\n") for c in cells_row) + 1) * size * TABLE_LEADING + 2

    chunks: list[list[list[str]]] = [[]]
    used = height(head)
    for row in body:
        if chunks[-1] and used + height(row) > room:
            chunks.append([])
            used = height(head)
        chunks[-1].append(row)
        used += height(row)
    pages = []
    for n, part in enumerate(chunks):
        fig, ax = _page(page, title if n == 0 else f"{title}（续 continued）", top)
        fig.text(MARGIN, 0.89, "\n".join(intro_lines), fontsize=8, va="top", linespacing=1.35)
        ax_w, ax_h = (1 - 2 * MARGIN) * page.size_in[0] * 72, room
        tab = ax.table(
            cellText=part,
            colLabels=head,
            colWidths=[w * size / ax_w for w in widths],
            loc="upper left",
            cellLoc="left",
        )
        tab.auto_set_font_size(False)
        tab.set_fontsize(size)
        for (r, _c), cell in tab.get_celld().items():
            cell.set_height(height((head, *part)[r]) / ax_h)
            cell.PAD = 0.6 / widths[_c]  # 0.6 em either side, as a share of the column
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
    share_fonts(writer)  # one subset of each face for the whole file
    truetype_files(writer)  # FontFile2 holds TrueType outlines, as readers expect
    lean_paths(writer)
    merged = io.BytesIO()
    writer.write(merged)
    clean = PdfWriter()  # copies only what the pages use: the subsets replaced stay behind
    clean.append(PdfReader(merged))
    clean.compress_identical_objects()
    clean.add_metadata({"/Title": BUNDLE_TITLE})
    buf = io.BytesIO()
    clean.write(buf)
    return buf.getvalue()
