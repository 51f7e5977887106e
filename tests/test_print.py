"""Print figures: paper sizes, embedded CJK fonts, furniture, labels, placement, CLI."""

from __future__ import annotations

import io
import math

import pytest
import shapely
from matplotlib.transforms import Bbox
from PIL import Image
from pypdf import PdfReader
from pyproj import Geod, Transformer

from geo.cli import main
from geo.data.catalog import read_catalog
from geo.data.gazetteer import load_gazetteer
from geo.errors import MissingDependencyError
from geo.figures.specs import figure_by_id
from geo.printing import Page, draw_figure, figure_bytes
from geo.printing.content import figure_content, spread_coincident
from geo.printing.fonts import cjk_family, rc_params
from geo.printing.furniture import GIDS, meridian_convergence_deg, nice_length_m
from geo.printing.labels import LABEL_GID, LabelSpec, overlapping_pairs, place_labels
from geo.project import load_for_maps
from geo.report import Report, Section, report_html, report_markdown


@pytest.fixture(scope="module")
def data():
    catalog = read_catalog()
    layers, _ = load_for_maps(catalog)
    return catalog, layers


@pytest.fixture(scope="module")
def fig2(data):
    catalog, layers = data
    spec = figure_by_id("2", catalog)
    return spec, draw_figure(spec, layers, catalog, Page("A4", "landscape"))


def _by_gid(fig, gid):
    return [a for a in fig.findobj() if a.get_gid() == gid]


def _map_axes(fig):
    return next(a for a in fig.axes if a.get_gid() == "map")


# --------------------------------------------------------------------------- paper
def test_pixel_sizes_follow_paper_and_dpi():
    assert Page("A4", "landscape").pixels(300) == (3508, 2480)
    # 297 mm / 25.4 * 100 = 1169.3 and 210 mm -> 826.8: rounded, not truncated
    assert Page("A4", "landscape").pixels(100) == (1169, 827)
    assert Page("A4", "portrait").pixels(100) == (827, 1169)
    assert Page("A3", "landscape").pixels(100) == (1654, 1169)


def test_png_has_the_paper_size_in_pixels(fig2):
    spec, fig = fig2
    png = figure_bytes(fig, "png", 100, Page(), spec.title_zh)
    # matplotlib alone truncates 826.8 px to 826; the print must round to 827
    assert Image.open(io.BytesIO(png)).size == (1169, 827)


def test_bad_paper_and_format_are_refused(fig2):
    with pytest.raises(ValueError, match="paper must be one of A4, A3"):
        Page("Letter")
    with pytest.raises(ValueError, match="format must be one of png, pdf"):
        figure_bytes(fig2[1], "svg", 100, Page())


# --------------------------------------------------------------------------- PDF fonts
def _fonts(reader):
    out = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            out.append(font)
    return out


def test_pdf_embeds_the_cjk_font_and_keeps_the_title_as_text(fig2):
    spec, fig = fig2
    reader = PdfReader(io.BytesIO(figure_bytes(fig, "pdf", 100, Page(), spec.title_zh)))
    fonts = _fonts(reader)
    cjk = [f for f in fonts if "CJK" in str(f["/BaseFont"])]
    assert cjk, [str(f["/BaseFont"]) for f in fonts]
    assert len(fonts) <= 2  # one subset per weight: no second copy for ligatures or forms
    for font in cjk:
        assert font["/Subtype"] == "/Type0"  # TrueType CID font (pdf.fonttype 42), not Type 3
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor  # embedded
    text = reader.pages[0].extract_text()
    assert spec.caption_zh in text
    labels = [t.get_text() for t in _by_gid(fig, LABEL_GID)]
    assert labels
    assert [lab for lab in labels if lab not in text] == []  # labels are text, not outlines
    assert "重庆市沙坪坝区“十四五”科技创新发展规划（修订版）" in text


def test_pdf_page_is_the_paper(data):
    catalog, layers = data
    page = Page("A3", "portrait")
    fig = draw_figure(figure_by_id("7", catalog), layers, catalog, page)
    box = PdfReader(io.BytesIO(figure_bytes(fig, "pdf", 72, page))).pages[0].mediabox
    mm = 25.4 / 72
    assert (float(box.width) * mm, float(box.height) * mm) == pytest.approx((297, 420), abs=0.1)


def test_missing_cjk_font_names_the_package():
    with pytest.raises(MissingDependencyError, match="fonts-noto-cjk"):
        cjk_family(("No Such Font Family",))


# --------------------------------------------------------------------------- furniture
def test_furniture_is_present(fig2):
    spec, fig = fig2
    for key in ("title", "subtitle", "north", "scale", "locator", "source", "notice", "legend"):
        assert _by_gid(fig, GIDS[key]), f"no {key} ({GIDS[key]}) on the figure"
    assert _by_gid(fig, GIDS["title"])[0].get_text() == spec.title_zh
    legend = _by_gid(fig, GIDS["legend"])[0]
    labels = [t.get_text() for t in legend.get_texts()]
    assert any(lab.startswith("沙坪坝区") for lab in labels)  # Chinese first
    assert any("相邻区" in lab for lab in labels)


def test_scale_bar_is_true_length_in_epsg4544_metres(fig2):
    _, fig = fig2
    segments = _by_gid(fig, GIDS["scale"])
    x0 = min(r.get_x() for r in segments)
    x1 = max(r.get_x() + r.get_width() for r in segments)
    y = segments[0].get_y()
    km = max(
        float(t.get_text()) for t in _by_gid(fig, GIDS["scale_label"]) if t.get_text()[0].isdigit()
    )
    assert x1 - x0 == pytest.approx(km * 1000)
    # the map's data units are EPSG:4544 metres: the geodesic length agrees within 0.1 %
    to_geo = Transformer.from_crs("EPSG:4544", "EPSG:4326", always_xy=True)
    (lon0, lon1), (lat0, lat1) = to_geo.transform([x0, x1], [y, y])
    geodesic = Geod(ellps="WGS84").inv(lon0, lat0, lon1, lat1)[2]
    assert geodesic == pytest.approx(km * 1000, rel=1e-3)


def test_epsg4544_scale_error_over_the_district_is_below_0_03_percent():
    """docs/print.md: one scale bar is true to 0.03 % anywhere in the district."""
    import numpy as np
    from pyproj import Proj

    from geo import Project

    outline = Project().layer("district").geometry.union_all().boundary
    xs, ys = (
        np.asarray(outline.coords.xy)
        if outline.geom_type == "LineString"
        else (np.concatenate([np.asarray(g.coords.xy) for g in outline.geoms], axis=1))
    )
    factors = Proj("EPSG:4544").get_factors(xs, ys)
    assert np.abs(factors.meridional_scale - 1).max() < 3e-4
    assert np.abs(factors.parallel_scale - 1).max() < 3e-4


def test_nice_scale_lengths():
    assert nice_length_m(40_000) == 5_000
    assert nice_length_m(12_000) == 2_000
    assert nice_length_m(900) == 100


def test_north_arrow_turns_by_the_meridian_convergence():
    # Independent formula: gamma = atan(tan(lon - 105 E) * sin(lat)) at 106.4 E, 29.6 N.
    lon, lat = 106.4, 29.6
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:4544", always_xy=True).transform(lon, lat)
    expected = math.degrees(
        math.atan(math.tan(math.radians(lon - 105)) * math.sin(math.radians(lat)))
    )
    assert meridian_convergence_deg(x, y) == pytest.approx(expected, abs=0.01)


# --------------------------------------------------------------------------- labels
def test_labels_do_not_overlap_and_name_the_zones(fig2):
    _, fig = fig2
    renderer = fig.canvas.get_renderer()
    labels = [t for t in _by_gid(fig, LABEL_GID) if t.get_visible()]
    texts = {t.get_text() for t in labels}
    assert {"东部人字母城", "西部科技新城"} <= texts
    assert "嘉陵江" in texts or "梁滩河" in texts
    assert len(labels) >= 8
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert overlapping_pairs(boxes) == []
    frame = _map_axes(fig).get_window_extent(renderer)
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 for b in boxes)


def test_figure1_names_each_citys_industries(data):
    catalog, layers = data
    spec = figure_by_id("1", catalog)
    fig = draw_figure(spec, layers, catalog)
    texts = {t.get_text() for t in _by_gid(fig, LABEL_GID)}
    for _, industries in spec.label_notes:  # the web map's second line under each city
        assert industries in texts


def test_overlap_check_finds_overlaps():
    a, b, c = Bbox([[0, 0], [10, 10]]), Bbox([[5, 5], [15, 15]]), Bbox([[20, 0], [30, 5]])
    assert overlapping_pairs([a, b, c]) == [(0, 1)]


def test_colliding_label_of_lower_priority_is_dropped():
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with rc_context(rc_params(cjk_family())):
        _collide(FigureCanvasAgg(Figure(figsize=(4, 4))).figure)


def _collide(fig):
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    wall = Bbox([[0, 0], [400, 400]])  # an obstacle covering the whole map
    kept = place_labels(ax, [LabelSpec("甲", 50, 50, 0, 10, "k")], [wall])
    assert kept == []
    kept = place_labels(
        ax, [LabelSpec("高优先级", 50, 50, 0, 10, "k"), LabelSpec("低优先级", 50, 50, 5, 10, "k")]
    )
    boxes = [t.get_window_extent(fig.canvas.get_renderer()) for t in kept]
    assert kept[0].get_text() == "高优先级"
    assert overlapping_pairs(boxes) == []


# --------------------------------------------------------------------------- placement
def test_points_only_where_precise_enough(data):
    catalog, layers = data
    spec = figure_by_id("3", catalog)
    fig = draw_figure(spec, layers, catalog, Page(), max_accuracy_m=1000)
    rd = layers["rd_platforms"]
    precise = rd[rd["accuracy_m"] <= 1000]
    drawn = _by_gid(fig, "layer-rd_platforms")
    assert sum(len(c.get_offsets()) for c in drawn) == len(precise)
    # known to ±1-5 km: a hollow schematic symbol each
    near = rd[(rd["accuracy_m"] > 1000) & (rd["accuracy_m"] <= 5000)]
    hollow = _by_gid(fig, "layer-rd_platforms-schematic")
    assert sum(len(c.get_offsets()) for c in hollow) == len(near) > 0
    # every coarser platform is shown once: counted on a badge or in the side list
    content = figure_content(spec, layers, catalog, load_gazetteer())
    title = "研发平台 R&D platforms (Table 3)"
    on_badges = [n for b in content.badges for t, n in b.members if t == title]
    listed = content.unlocated.get(title, [])
    coarse = rd[rd["accuracy_m"] > 5000]
    assert len(on_badges) + len(listed) == len(coarse)
    side = "\n".join(t.get_text() for t in _by_gid(fig, GIDS["unlocated"]))
    assert f"R&D platforms (Table 3)（{len(listed)}）" in side


def test_coarse_features_are_counted_on_their_zone_drawn_or_faint(data):
    from dataclasses import replace

    catalog, layers = data
    rd, campuses = layers["rd_platforms"].copy(), layers["campuses"].copy()
    coarse = rd.index[rd["accuracy_m"] > 5000]
    rd["within"] = campuses["within"] = ""  # only the areas set here
    rd.loc[coarse[:3], "within"] = "city-east"
    rd.loc[coarse[3:5], "within"] = "重庆大学A区"  # a place, not a zone
    spec = figure_by_id("3", catalog)
    fixed = {**layers, "rd_platforms": rd, "campuses": campuses}
    content = figure_content(spec, fixed, catalog, load_gazetteer())
    # Figure 3 draws no city layer: the east city is drawn faintly and counts them
    assert [(b.area, len(b.members)) for b in content.badges] == [("东部人字母城", 3)]
    assert list(content.context["id"]) == ["city-east"]
    listed = content.unlocated["研发平台 R&D platforms (Table 3)"]
    assert not any("（东部人字母城）" in n for n in listed)
    assert sum("（重庆大学A区）" in n for n in listed) == 2
    assert len(listed) == len(coarse) - 3
    with_cities = replace(spec, layers=(*spec.layers, "cities"), include_catalog_figures=False)
    content = figure_content(with_cities, fixed, catalog, load_gazetteer())
    assert [(b.area, len(b.members)) for b in content.badges] == [("东部人字母城", 3)]
    assert content.context is None  # drawn as a layer of the figure, not as context


@pytest.mark.slow
def test_names_are_drawn_literally_never_as_math(data):
    catalog, layers = data
    campuses, rd = layers["campuses"].copy(), layers["rd_platforms"].copy()
    spec = figure_by_id("3", catalog)
    shown = {t.get_text() for t in _by_gid(draw_figure(spec, layers, catalog), LABEL_GID)}
    drawn = campuses.index[campuses["name_zh"].isin(shown)][0]  # a campus whose label is kept
    campuses.loc[drawn, "name_zh"] = r"校区$x^2$\beta"
    listed = rd.index[(rd["accuracy_m"] > 1000) & (rd["within"].fillna("") == "")]
    rd.loc[listed[0], "name_zh"] = "平台$\\frac{$x"  # bad TeX, in the side list
    fig = draw_figure(spec, {**layers, "campuses": campuses, "rd_platforms": rd}, catalog)
    text = PdfReader(io.BytesIO(figure_bytes(fig, "pdf", 72, Page()))).pages[0].extract_text()
    assert "平台$\\frac{$x" in text
    assert r"校区$x^2$\beta" in [t.get_text() for t in _by_gid(fig, LABEL_GID)]


def test_coincident_points_are_spread():
    import geopandas as gpd

    pts = gpd.GeoDataFrame(
        geometry=[shapely.Point(0, 0), shapely.Point(0, 0), shapely.Point(5000, 0)], crs=4544
    )
    out = spread_coincident(pts, 150)
    assert out["spread"].tolist() == [True, True, False]
    assert out.geometry.iloc[0].distance(out.geometry.iloc[1]) == pytest.approx(300)
    assert out.geometry.iloc[2].equals(shapely.Point(5000, 0))


def test_portrait_page_keeps_furniture_and_labels_apart(data):
    catalog, layers = data
    fig = draw_figure(figure_by_id("8", catalog), layers, catalog, Page("A4", "portrait"))
    renderer = fig.canvas.get_renderer()
    for key in ("north", "scale", "legend", "title"):
        assert _by_gid(fig, GIDS[key])
    boxes = [t.get_window_extent(renderer) for t in _by_gid(fig, LABEL_GID)]
    assert boxes
    assert overlapping_pairs(boxes) == []


# --------------------------------------------------------------------------- reports
def _tiny_report():
    import pandas as pd

    table = pd.DataFrame({"layer": ["cities"], "area_km2": [1.5]})
    return Report("报告 Report", [Section("zone_areas", "分区面积", "intro", table)])


def test_report_pages_show_figures_escaped():
    figs = [('图 1：<script>"x"</script>', "../print/fig1.png", "../print/fig1.pdf")]
    page = report_html(_tiny_report(), figs)
    assert '<img src="../print/fig1.png"' in page
    assert '<a href="../print/fig1.pdf">' in page
    assert "<script>" not in page
    md = report_markdown(_tiny_report(), figs)
    assert "](../print/fig1.png)" in md
    assert "([PDF](../print/fig1.pdf))" in md


def test_report_without_figures_has_no_figure_section():
    assert 'id="figures"' not in report_html(_tiny_report())
    assert "## 图 Figures" not in report_markdown(_tiny_report())


@pytest.mark.slow
def test_cli_prints_and_bundles_the_report(tmp_path):
    out, site = tmp_path / "print", tmp_path / "site"
    args = ["print", "--figures", "7", "--dpi", "40", "--out", str(out), "--report", str(site)]
    assert main([*args, "--jobs", "1"]) == 0
    assert Image.open(out / "fig7.png").size == Page().pixels(40)
    reader = PdfReader(site / "report.pdf")
    assert len(reader.pages) >= 4  # cover, figure 7, zone tables, claims summary
    assert "西部肿瘤诊疗中心资源分布图" in reader.pages[1].extract_text()
    for page in reader.pages:  # every page's text is set in an embedded CJK font
        fonts = [f.get_object() for f in page["/Resources"]["/Font"].values()]
        assert any("CJK" in str(f["/BaseFont"]) for f in fonts)
    page = (site / "reports" / "report.html").read_text(encoding="utf-8")
    assert 'src="../../print/fig7.png"' in page
    assert (site / "reports" / "index.html").read_text(encoding="utf-8") == page


@pytest.mark.slow
def test_a_broken_claims_table_for_the_report_is_one_line(tmp_path, capsys):
    bad = tmp_path / "claims.csv"
    bad.write_text('claim_id,verdict\n"C001,consistent\n', encoding="utf-8")
    out, site = tmp_path / "print", tmp_path / "site"
    args = ["print", "--figures", "7", "--dpi", "40", "--out", str(out), "--report", str(site)]
    assert main([*args, "--jobs", "1", "--claims", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "claims.csv: row 2: malformed CSV" in err
    assert not (site / "report.pdf").exists()


def test_cli_refuses_unknown_figure_and_format(tmp_path, capsys):
    assert main(["print", "--figures", "9", "--out", str(tmp_path)]) == 2
    assert "unknown figure" in capsys.readouterr().err
    assert main(["print", "--format", "svg", "--out", str(tmp_path)]) == 2
    assert "unknown format" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_prints_are_written_whole_and_alone(tmp_path):
    from geo._io import atomic_write_bytes

    target = tmp_path / "fig1.png"
    target.write_bytes(b"old")
    atomic_write_bytes(target, b"\x89PNG new")
    assert target.read_bytes() == b"\x89PNG new"
    assert [p.name for p in tmp_path.iterdir()] == ["fig1.png"]  # no temporary file left


def test_render_prints_names_the_layers_each_print_looked_up(data):
    import datetime as dt

    from geo.printing.output import PrintJob, render_prints

    catalog, layers = data
    job = PrintJob(Page("A4", "landscape"), 30, ("png",), 1000.0, dt.date(2026, 1, 1))
    specs = [figure_by_id(f, catalog) for f in ("7", "8")]
    seen = {spec.id: ids for spec, _files, ids in render_prints(specs, layers, catalog, job)}
    # Figure 7 draws the cancer-centre resources, Figure 8 the science parks (catalog)
    assert {"district", "cancer_resources"} <= seen["fig7"]
    assert "science_parks" not in seen["fig7"]
    assert {"district", "science_parks"} <= seen["fig8"]
    assert "cancer_resources" not in seen["fig8"]


def test_the_largest_prints_start_first_and_come_back_in_order(monkeypatch):
    from concurrent.futures import Future
    from types import SimpleNamespace

    import geo.printing.output as output

    submitted = []

    class Pool:  # runs each print at once, noting the order the prints were handed out
        def __init__(self, *args, **kwargs):
            pass

        def _done(self, spec):
            submitted.append(spec.id)
            future: Future = Future()
            future.set_result(({"png": spec.id.encode()}, frozenset()))
            return future

        def submit(self, fn, spec):
            return self._done(spec)

        def map(self, fn, specs):
            return [self._done(spec).result() for spec in specs]

        def shutdown(self, wait=True, cancel_futures=False):
            pass

    monkeypatch.setattr(output, "ProcessPoolExecutor", Pool)
    layers = {"small": [1], "large": [1] * 30, "middle": [1] * 10}
    specs = [
        SimpleNamespace(id="a", layers=("small",)),
        SimpleNamespace(id="b", layers=("small", "large")),
        SimpleNamespace(id="c", layers=("middle", "missing")),
        SimpleNamespace(id="d", layers=("small",)),
    ]
    job = output.PrintJob(Page(), 30, ("png",))
    run = output.PrintRun(specs, layers, None, job, None, workers=2)
    assert submitted == ["b", "c", "a", "d"]  # most features first; equal ones keep order
    assert [(s.id, files["png"]) for s, files, _ in run] == [
        ("a", b"a"),
        ("b", b"b"),
        ("c", b"c"),
        ("d", b"d"),
    ]


def test_report_pages_link_only_figures_printed_in_both_formats(tmp_path):
    import datetime as dt

    from geo.printing.report_pages import write_report_pages

    site, prints = tmp_path / "site", tmp_path / "site" / "print"
    prints.mkdir(parents=True)
    catalog = read_catalog()
    specs = [figure_by_id(f, catalog) for f in ("1", "2")]
    fig1_pdf = prints / "fig1.pdf"
    _blank_pdf(fig1_pdf)
    written = {"fig1": {"png": prints / "fig1.png", "pdf": fig1_pdf}, "fig2": {"png": prints}}
    paths = write_report_pages(
        site, prints, _tiny_report(), specs, written, None, dt.date(2026, 1, 2)
    )
    assert [p.name for p in paths] == ["report.html", "index.html", "report.md", "report.pdf"]
    page = (site / "reports" / "report.html").read_text(encoding="utf-8")
    assert 'src="../print/fig1.png"' in page
    assert "fig2.png" not in page
    reader = PdfReader(site / "report.pdf")
    assert "2026-01-02" in reader.pages[0].extract_text()
    assert len(reader.pages) == 4  # cover, figure 1, the zone table, the claims summary


def _blank_pdf(path):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(2, 2))
    fig.savefig(path, format="pdf")
    plt.close(fig)
