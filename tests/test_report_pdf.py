"""The reviewer's PDF (site/report.pdf) fits its pages, prints no "nan" and stays small.

Built alone (every figure printed to PDF, the report's tables, a claims summary),
not through `geo site`. Text extents are measured from the PDF itself: each text
run's start from pypdf, its width from the font's /W widths (matplotlib's codes
are Unicode code points).
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
import pytest
from pypdf import PdfReader

from geo.data.catalog import read_catalog
from geo.figures.specs import FIGURES, figure_by_id
from geo.printing import Page, draw_figure, figure_bytes
from geo.printing.bundle import report_pdf
from geo.project import load_for_maps
from geo.report import build_report

pytestmark = pytest.mark.slow  # prints every figure (about 40 s)

LONG_REASON = (
    "cross-source: C070 (002:L967) gives 13000 m² (exact, 12,500 m²–13,500 m²) against "
    "11000 平方米 here; the two documents name the same centre 科学城成渝高校协同创新中心"
)


@pytest.fixture(scope="module")
def inputs():
    catalog = read_catalog()
    layers, _ = load_for_maps(catalog)
    page = Page("A4", "landscape")
    figures = []
    for fid in FIGURES.names():
        spec = figure_by_id(fid, catalog)
        fig = draw_figure(spec, layers, catalog, page)
        figures.append(figure_bytes(fig, "pdf", 300, page, spec.title_zh))
    claims = pd.DataFrame(
        {
            "claim_id": [f"C{i:03d}" for i in range(12)],
            "place": ["成渝高校协同创新生态圈"] * 12,
            "value_written": ["11000"] * 12,
            "unit_written": ["平方米"] * 12,
            "verdict": ["conflict"] * 6 + ["unsubstantiated"] * 6,
            "reason": [LONG_REASON] * 12,
        }
    )
    return figures, build_report(layers, catalog), claims


def _build(inputs) -> bytes:
    figures, report, claims = inputs
    return report_pdf(figures, report, claims, built=dt.date(2026, 12, 7))


@pytest.fixture(scope="module")
def pdf(inputs) -> bytes:
    return _build(inputs)


def _widths(font) -> tuple[dict[int, float], float]:
    cid = font["/DescendantFonts"][0].get_object()
    flat = [v.get_object() if hasattr(v, "get_object") else v for v in cid.get("/W", [])]
    widths: dict[int, float] = {}
    i = 0
    while i < len(flat):
        first, nxt = int(flat[i]), flat[i + 1]
        if isinstance(nxt, list):
            widths.update({first + k: float(w) for k, w in enumerate(nxt)})
            i += 2
        else:
            widths.update({c: float(flat[i + 2]) for c in range(first, int(nxt) + 1)})
            i += 3
    return widths, float(cid.get("/DW", 1000))


def _outside(data: bytes) -> list[tuple[int, int, int, str]]:
    """Return (page, left, right, text) of every text run not inside its page box."""
    out = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages, 1):
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        known: dict[int, tuple[dict[int, float], float]] = {}

        def visit(text, cm, tm, font, size, number=number, box=(x0, y0, x1, y1), known=known):
            if not text.strip() or font is None:
                return
            if id(font) not in known:
                known[id(font)] = _widths(font)
            widths, default = known[id(font)]
            scale = tm[0] * cm[0] + tm[1] * cm[2]
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            width = sum(widths.get(ord(c), default) for c in text) / 1000 * size * scale
            if x < box[0] or x + width > box[2] or not box[1] <= y <= box[3]:
                out.append((number, round(x), round(x + width), text[:40]))

        page.extract_text(visitor_text=visit)
    return out


def test_every_text_run_lies_inside_its_page(pdf):
    assert _outside(pdf) == []


def test_no_nan_and_bounds_instead_of_a_wider_band(pdf):
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert not re.search(r"\bnan\b", text, re.IGNORECASE)
    assert re.search(r"< [\d.,]+ km²", text)  # a band wider than the area: an upper bound
    assert re.search(r"ring-chengyu\s+\S+\s+—", text)  # a ring that cannot be drawn
    assert _wider_bands(text) == []


def _wider_bands(text: str) -> list[tuple[str, str]]:
    """Return the ``a ± b`` of the text whose band is as wide as the value or wider."""
    pairs = re.findall(r"(\d[\d,]*(?:\.\d+)?) ± (\d[\d,]*(?:\.\d+)?)", text)
    return [(a, b) for a, b in pairs if float(b.replace(",", "")) >= float(a.replace(",", ""))]


def test_under_one_megabyte_with_each_face_embedded_once(pdf, inputs):
    assert len(pdf) < 1_000_000
    assert _build(inputs) == pdf  # the same inputs give the same bytes
    files: dict[str, set[int]] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            face = str(font["/BaseFont"]).split("+")[-1]
            cid = font["/DescendantFonts"][0].get_object()
            stream = cid["/FontDescriptor"].get_object().raw_get("/FontFile2")
            files.setdefault(face, set()).add(stream.idnum)
            # a FontFile2 holds TrueType outlines: CFF ("OTTO") there makes poppler warn
            # "Mismatch between font type and embedded font file"
            assert stream.get_object().get_data()[:4] in (b"\x00\x01\x00\x00", b"true"), face
    # at most two files a face: the shared subset, and one matplotlib cuts for
    # glyphs drawn without a code point of their own
    assert files
    assert all(len(ids) <= 2 for ids in files.values()), files
