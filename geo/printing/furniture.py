"""The furniture of a planning figure: north arrow, scale bar, locator, legend, blocks.

Every piece carries a ``gid`` (:data:`GIDS`), so a test or a user can find it among
the figure's artists. The scale bar is measured in the map's projected CRS
(EPSG:4544, metres); the north arrow points to true north, turned from grid north
by the meridian convergence at the map's centre.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

import geopandas as gpd

from geo.data.crs import METRIC_CRS, transformer

__all__ = [
    "GIDS",
    "meridian_convergence_deg",
    "nice_length_m",
    "north_arrow",
    "scale_bar",
    "wrap_cjk",
]

#: ``gid`` of each piece of furniture.
GIDS: dict[str, str] = {
    "title": "title",
    "subtitle": "subtitle",
    "legend": "legend",
    "north": "north-arrow",
    "scale": "scale-bar",
    "scale_label": "scale-bar-label",
    "locator": "locator",
    "source": "source",
    "notice": "schematic-notice",
    "unlocated": "unlocated-list",
    "badge": "area-badge",
    "key": "symbol-key",
    "keys": "key-list",
    "disc": "schematic-disc",
}


def nice_length_m(span_m: float, fraction: float = 0.2) -> float:
    """Return a round scale-bar length (1, 2 or 5 × 10ⁿ m) near ``fraction`` of a span.

    Parameters
    ----------
    span_m
        Width of the map in metres.
    fraction
        Wanted share of the width.

    Returns
    -------
    float
        Metres.
    """
    target = span_m * fraction
    power = 10 ** math.floor(math.log10(target))
    return max(m * power for m in (1, 2, 5) if m * power <= target)


def _km(metres: float) -> str:
    km = metres / 1000
    return f"{km:g}"


def scale_bar(ax: Any, length_m: float, scale: float = 1.0, segments: int = 4) -> list[Any]:
    """Draw an alternating black and white scale bar in the map's lower left.

    The bar's rectangles are drawn in data coordinates, so their width *is*
    ``length_m`` in the projected CRS.

    Parameters
    ----------
    ax
        Map axes whose data units are metres.
    length_m
        Length of the bar.
    scale
        Page scale of line widths and fonts.
    segments
        Number of alternating segments.

    Returns
    -------
    list of matplotlib.artist.Artist
        The rectangles and the labels.
    """
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    left, base = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    height = 0.012 * (y1 - y0)
    step = length_m / segments
    artists: list[Any] = []
    for i in range(segments):
        rect = Rectangle(
            (left + i * step, base),
            step,
            height,
            facecolor="black" if i % 2 == 0 else "white",
            edgecolor="black",
            linewidth=0.6 * scale,
            zorder=30,
            gid=GIDS["scale"],
        )
        artists.append(ax.add_patch(rect))
    for dist in (0.0, length_m / 2, length_m):
        text = "0" if dist == 0 else _km(dist)
        artists.append(
            ax.text(
                left + dist,
                base + height * 1.6,
                text,
                ha="center",
                va="bottom",
                fontsize=6.5 * scale,
                zorder=30,
                gid=GIDS["scale_label"],
            )
        )
    artists.append(
        ax.text(
            left + length_m + step * 0.4,
            base + height / 2,
            "公里 km",
            ha="left",
            va="center",
            fontsize=6.5 * scale,
            zorder=30,
            gid=GIDS["scale_label"],
        )
    )
    return artists


def meridian_convergence_deg(x: float, y: float, crs: str = METRIC_CRS) -> float:
    """Return the angle from grid north to true north at a projected point, in degrees.

    Positive when true north lies to the left (anticlockwise) of grid north, as east
    of a Gauss-Krüger zone's central meridian.
    """
    to_geo = transformer(crs, "EPSG:4326")
    to_grid = transformer("EPSG:4326", crs)
    lon, lat = to_geo.transform(x, y)
    nx, ny = to_grid.transform(lon, lat + 0.01)
    return math.degrees(math.atan2(-(nx - x), ny - y))


def north_arrow(ax: Any, convergence_deg: float, scale: float = 1.0) -> list[Any]:
    """Draw a north arrow in the map's upper right, turned to true north.

    Returns
    -------
    list of matplotlib.artist.Artist
        The arrow and its letter.
    """
    from matplotlib.patches import FancyArrow

    cx, cy, length = 0.94, 0.86, 0.08
    a = math.radians(convergence_deg)
    dx, dy = -math.sin(a) * length, math.cos(a) * length
    arrow = FancyArrow(
        cx - dx / 2,
        cy - dy / 2,
        dx,
        dy,
        width=0.012,
        head_width=0.035,
        head_length=0.035,
        length_includes_head=True,
        transform=ax.transAxes,
        facecolor="black",
        edgecolor="white",
        linewidth=0.5 * scale,
        zorder=30,
        gid=GIDS["north"],
    )
    ax.add_patch(arrow)
    letter = ax.text(
        cx + dx * 0.75,
        cy + dy * 0.75,
        "北\nN",
        transform=ax.transAxes,
        ha="center",
        va="bottom",
        fontsize=8 * scale,
        fontweight="bold",
        linespacing=0.95,
        zorder=30,
        gid=GIDS["north"],
    )
    return [arrow, letter]


def locator(
    fig: Any,
    rect: tuple[float, float, float, float],
    district: gpd.GeoDataFrame,
    context: gpd.GeoDataFrame | None,
    view: tuple[float, float, float, float],
    scale: float = 1.0,
) -> Any:
    """Draw the locator inset: the district (red) among its neighbours, the map frame.

    Parameters
    ----------
    fig
    rect
        Inset position in figure fractions (left, bottom, width, height).
    district
        The district, in the map's CRS.
    context
        The surrounding districts shipped with the data (grey).
    view
        The main map's extent (xmin, ymin, xmax, ymax).
    scale
        Page scale.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from matplotlib.patches import Rectangle

    ax = fig.add_axes(rect, gid=GIDS["locator"])
    if context is not None and len(context):
        context.plot(ax=ax, facecolor="#e6e6e6", edgecolor="#9a9a9a", linewidth=0.4 * scale)
    district.plot(ax=ax, facecolor="#d7301f", edgecolor="#7f0000", linewidth=0.5 * scale)
    ax.add_patch(
        Rectangle(
            (view[0], view[1]),
            view[2] - view[0],
            view[3] - view[1],
            fill=False,
            edgecolor="black",
            linewidth=0.6 * scale,
            linestyle="--",
        )
    )
    ax.set_aspect("equal")
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)
    ax.set_title("区位 Location", fontsize=7 * scale, pad=2)
    return ax


def _char_width(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in {"W", "F"} else 0.55


def wrap_cjk(text: str, width_em: float) -> list[str]:
    """Wrap mixed Chinese and Latin text to lines of at most ``width_em`` ems.

    Chinese characters are one em wide, Latin ones about half; lines break
    anywhere, preferring after ``、`` or a space near the end.
    """
    lines: list[str] = []
    line, used = "", 0.0
    for ch in text:
        w = _char_width(ch)
        if used + w > width_em and line:
            cut = max(line.rfind("、"), line.rfind(" "))
            if cut > len(line) * 0.6:
                lines.append(line[: cut + 1].rstrip())
                line = line[cut + 1 :]
            else:
                lines.append(line)
                line = ""
            used = sum(_char_width(c) for c in line)
        line += ch
        used += w
    if line:
        lines.append(line)
    return lines
