"""What a print adds to its symbols: key numbers, uncertainty discs, area badges, the key list.

Every thematic symbol carries its key number (:mod:`geo.keys`) just beside it; the
key list beside the legend says number → name → status. Each anchor of schematic
symbols gets one faint disc of its uncertainty radius. Drawing only: the decisions
come from :func:`geo.printing.content.figure_content`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from geo.printing import furniture as fu
from geo.printing.content import FigureContent
from geo.printing.dense import is_dense_frame

__all__ = [
    "draw_badges",
    "draw_discs",
    "draw_keys",
    "key_lines",
    "point_xy",
    "tier_handles",
    "tier_labels",
]

#: Key numbers' font size in points (before the page scale).
KEY_PT = 4.6


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
    """Draw the count badges on their zones; return the texts."""
    return [
        ax.text(
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
        for b in content.badges
    ]


def key_lines(content: FigureContent, width_em: float, max_lines: int) -> list[str]:
    """Return the key list: per layer, ``number name status`` entries, cut to ``max_lines``.

    Parameters
    ----------
    content : FigureContent
        Its ``keyed`` entries.
    width_em : float
        Line width in em.
    max_lines : int
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


def tier_handles(scale: float) -> list[Any]:
    """Return the legend symbols of a located point and a schematic symbol."""
    from matplotlib.lines import Line2D

    common = {"marker": "o", "linestyle": "none", "markersize": 5 * scale}
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
