"""What a print adds to its symbols: key numbers, uncertainty discs, area badges, the key list.

Every thematic symbol carries its key number (:mod:`geo.figures.keys`) just beside it; the
key list beside the legend says number → name → status. Each anchor of schematic
symbols gets one faint disc of its uncertainty radius. A badge's zone that the
figure does not otherwise draw (a context zone) is drawn faintly under the layers, as
on the web: a thin dotted outline in the context grey, with a light label, and one
legend row. Drawing only: the decisions come from
:func:`geo.printing.content.figure_content`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from geo.printing import furniture as fu
from geo.printing.content import FigureContent
from geo.printing.dense import is_dense_frame

__all__ = [
    "CONTEXT_GID",
    "CONTEXT_LABEL_GID",
    "count_rows",
    "draw_badges",
    "draw_context",
    "draw_context_labels",
    "draw_discs",
    "draw_keys",
    "key_lines",
    "point_xy",
    "tier_handles",
    "tier_labels",
]

#: Key numbers' font size in points (before the page scale).
KEY_PT = 4.6
#: Context zones: label size in points (before the page scale) and colour.
CONTEXT_LABEL_PT = 5.6
CONTEXT_LABEL_COLOUR = "#6f6f6f"
#: ``gid`` of a context zone's outline and of its label.
CONTEXT_GID = "context-zone"
CONTEXT_LABEL_GID = "context-zone-label"


def point_xy(content: FigureContent) -> Any:
    """Return the drawn point symbols' coordinates, shape (n, 2); dense layers' dots aside."""
    points = [
        g
        for s, g in content.drawn
        if s.geometry_type.removeprefix("Multi") == "Point" and not is_dense_frame(s, g)
    ]
    return shapely.get_coordinates(np.concatenate([g.geometry.values for g in points] or [[]]))


def draw_discs(ax: Any, content: FigureContent, scale: float) -> None:
    """Draw one faint dashed disc per schematic anchor, under every symbol."""
    from matplotlib.patches import Circle

    for x, y, r in content.discs:
        ax.add_patch(
            Circle(
                (x, y),
                r,
                facecolor=(0.6, 0.6, 0.6, 0.08),
                edgecolor=(0.45, 0.45, 0.45, 0.6),
                linestyle=(0, (2, 3)),
                linewidth=0.4 * scale,
                zorder=6,
                gid=fu.GIDS["disc"],
            )
        )


def draw_keys(ax: Any, content: FigureContent, scale: float) -> list[Any]:
    """Write each numbered symbol's key at its upper right; return the texts."""
    out = []
    for _, gdf in content.drawn:
        if "key" not in gdf.columns:
            continue
        for key, geom in zip(gdf["key"], gdf.geometry, strict=True):
            if not key or geom is None:
                continue
            out.append(
                ax.annotate(
                    str(key),
                    (geom.x, geom.y),
                    xytext=(2.2 * scale, 1.6 * scale),
                    textcoords="offset points",
                    fontsize=KEY_PT * scale,
                    fontweight="bold",
                    color="#222222",
                    zorder=22,
                    gid=fu.GIDS["key"],
                )
            )
    return out


def draw_badges(ax: Any, content: FigureContent, scale: float) -> list[Any]:
    """Draw the count badges on their zones and the context zones' outlines; return the texts.

    A badge stands at its zone's anchor, or at the first other spot inside the
    zone (:attr:`Badge.spots`) where it covers no point symbol, no small zone's
    centre (where its name goes) and no other badge.
    """
    draw_context(ax, content, scale)
    renderer = ax.figure.canvas.get_renderer()
    marks = _marks(ax, content)
    out: list[Any] = []
    for b in content.badges:
        text = ax.text(
            b.x,
            b.y,
            b.text,
            ha="center",
            va="center",
            fontsize=6.5 * scale,
            zorder=25,
            bbox={
                "boxstyle": "round,pad=0.25",
                "facecolor": "#fff3cd",
                "edgecolor": "#8a6d3b",
                "linewidth": 0.5 * scale,
            },
            gid=fu.GIDS["badge"],
        )
        taken = [t.get_window_extent(renderer).expanded(1.1, 1.4) for t in out]
        best, fewest = (b.x, b.y), None
        for spot in [(b.x, b.y), *b.spots]:
            text.set_position(spot)
            box = text.get_window_extent(renderer).expanded(1.1, 1.4)
            n = sum(box.contains(x, y) for x, y in marks) + sum(box.overlaps(t) for t in taken)
            if fewest is None or n < fewest:
                best, fewest = spot, n
            if n == 0:
                break
        text.set_position(best)
        out.append(text)
    return out


#: A drawn zone smaller than this (m²) keeps its centre clear of badges: its name goes there.
SMALL_ZONE_M2 = 2.0e7


def _marks(ax: Any, content: FigureContent) -> list[tuple[float, float]]:
    """Display points a badge keeps off: point symbols and the centres of small zones."""
    pts = [tuple(p) for p in point_xy(content)]
    for layer, gdf in content.drawn:
        if layer.geometry_type.removeprefix("Multi") == "Polygon" and layer.id != "district":
            small = gdf[gdf.geometry.area < SMALL_ZONE_M2]
            pts += [(p.x, p.y) for p in small.geometry.representative_point()]
    return [tuple(ax.transData.transform(p)) for p in pts]


def _outline(ax: Any, geom: Any, colour: str, scale: float, dashed: bool) -> None:
    from geo.figures.context import CONTEXT_OPACITY

    for part in shapely.get_parts(geom):
        for ring in [part.exterior, *part.interiors]:
            xs, ys = ring.xy
            ax.plot(
                xs,
                ys,
                color=colour,
                alpha=CONTEXT_OPACITY,
                linewidth=0.6 * scale,
                linestyle=(0, (1, 4)) if dashed else "solid",
                zorder=2,
                gid=CONTEXT_GID,
            )


def draw_context(ax: Any, content: FigureContent, scale: float) -> None:
    """Draw the context zones faintly, under every layer (their labels come last)."""
    zones = content.context
    if zones is None or zones.empty:
        return
    for src, colour, geom in zip(
        zones["geometry_source"], zones["colour"], zones.geometry, strict=True
    ):
        _outline(ax, geom, str(colour), scale, src == "schematic")


def draw_context_labels(ax: Any, content: FigureContent, scale: float, avoid: list[Any]) -> None:
    """Write each context zone's name, lightly, where it covers no other text or symbol.

    Drawn after the map's labels, as the web map places them last: a zone whose
    name finds no free spot inside it keeps its badge, which names it.

    Parameters
    ----------
    ax
        The map (its canvas attached: labels are measured).
    content
        Its ``context`` zones (metres).
    scale
        Page scale.
    avoid
        What a label keeps off: badges, map labels, furniture.
    """
    from matplotlib.transforms import Bbox

    from geo.figures.labels import anchor_points

    zones = content.context
    if zones is None or zones.empty:
        return
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    taken = [a if isinstance(a, Bbox) else a.get_window_extent(renderer) for a in avoid]
    taken += [t.get_window_extent(renderer) for t in ax.texts if t.get_visible()]
    marks = _marks(ax, content)
    district = content.district
    area = district.union_all().buffer(1.0) if district is not None else None
    for name, geom in zip(zones["name_zh"], zones.geometry, strict=True):
        text = ax.text(
            0,
            0,
            str(name),
            ha="center",
            va="center",
            fontsize=CONTEXT_LABEL_PT * scale,
            fontstyle="italic",
            color=CONTEXT_LABEL_COLOUR,
            zorder=19,
            gid=CONTEXT_LABEL_GID,
        )
        for spot in anchor_points(geom, area if area is not None else geom.buffer(1.0)):
            text.set_position((spot.x, spot.y))
            box = text.get_window_extent(renderer)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
            clear = not any(box.overlaps(t) for t in taken)
            if inside and box.y1 <= frame.y1 and clear and not any(box.contains(*m) for m in marks):
                taken.append(box)
                break
        else:
            text.remove()


def key_lines(content: FigureContent, width_em: float, max_lines: int) -> list[str]:
    """Return the key list: per layer, ``number name status`` entries, cut to ``max_lines``.

    Parameters
    ----------
    content
        Its ``keyed`` entries.
    width_em
        Line width in em.
    max_lines
        Lines available.

    Returns
    -------
    list of str
    """
    if not content.keyed or max_lines < 2:
        return []
    lines = ["图例编号 Key（示意 = schematic position）:"]
    for title, rows in content.keyed.items():
        lines.append(f"■ {title}")
        for k, n, st in rows:  # one entry per line, its number first
            lines += fu.wrap_cjk(f"{k}  {n}{f'（{st}）' if st else ''}", width_em)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], "…"]
    return lines


def count_rows(content: FigureContent, scale: float) -> tuple[list[Any], list[str]]:
    """Return the legend rows of the badges and of the context zones (one row for all).

    Parameters
    ----------
    content
        Its badges and context zones.
    scale
        Page scale.

    Returns
    -------
    tuple of (list of Artist, list of str)
        Handles and labels.
    """
    from matplotlib.patches import FancyBboxPatch, Patch

    from geo.figures.context import CONTEXT_COLOUR, CONTEXT_OPACITY

    handles: list[Any] = []
    labels: list[str] = []
    if content.badges:
        handles.append(FancyBboxPatch((0, 0), 1, 1, facecolor="#fff3cd", edgecolor="#8a6d3b"))
        labels.append("片区计数 Count of coarse features in an area")
    zones = content.context
    if zones is not None and not zones.empty:
        colours = set(zones["colour"])
        colour = colours.pop() if len(colours) == 1 else CONTEXT_COLOUR
        dashed = bool((zones["geometry_source"] == "schematic").all())
        handles.append(
            Patch(
                facecolor="none",
                edgecolor=colour,
                alpha=CONTEXT_OPACITY,
                linestyle=(0, (1, 4)) if dashed else "solid",
                linewidth=0.8 * scale,
            )
        )
        labels.append("所在片区（示意）Zone a coarse feature lies in")
    return handles, labels


def tier_handles(scale: float) -> list[Any]:
    """Return the legend symbols of a located point and a schematic symbol."""
    from matplotlib.lines import Line2D

    common: dict[str, Any] = {"marker": "o", "linestyle": "none", "markersize": 5 * scale}
    return [
        Line2D([], [], markerfacecolor="#555555", markeredgecolor="white", **common),
        Line2D([], [], markerfacecolor="white", markeredgecolor="#333333", **common),
    ]


def tier_labels(limits: tuple[float, float]) -> list[str]:
    """Return the legend rows of the two point levels, with the figure's limits (metres)."""
    pt, sch = (f"{v / 1000:g}" for v in limits)
    return [
        f"定位点 located (±≤{pt} km)",
        f"示意位置（虚线空心）schematic position (±{pt}–{sch} km)",
    ]
