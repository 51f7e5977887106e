"""Labels on a print figure: candidates by priority, placed apart, checked, thinned.

Zones, rivers, ridges, neighbouring districts and drawn places are labelled in
Chinese. ``adjustText`` moves the labels apart; then every label's box is measured
with the renderer and, in priority order, a label that still overlaps a kept label
or the map furniture, or that leaves the map, is removed. What remains is
guaranteed not to overlap (:func:`overlapping_pairs` is the check).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import shapely

from geo.catalog import LayerSpec
from geo.printing.fonts import plain_glyphs

__all__ = [
    "LABEL_GID",
    "LabelSpec",
    "label_candidates",
    "overlapping_pairs",
    "place_labels",
]

#: ``gid`` of every label text (tests and users find labels by it).
LABEL_GID = "map-label"
#: ``gid`` of the white outline drawn under each label.
HALO_GID = "map-label-halo"

#: Neighbouring districts are labelled at least this far outside the district (metres).
NEIGHBOUR_CLEARANCE_M = 800.0
#: Priority (lower is kept first), font size in points and colour by what is labelled.
_RANKS: dict[str, tuple[int, float, str]] = {
    "cities": (0, 11.0, "#222222"),
    "river": (1, 8.0, "#1f5fa8"),
    "screens": (2, 8.5, "#1b5e20"),
    "belts": (2, 8.0, "#333333"),
    "ridge": (2, 7.5, "#1b5e20"),
    "science_city": (3, 8.0, "#0b4f7c"),
    "creative_valley": (3, 7.0, "#7a2e5d"),
    "rings": (3, 6.5, "#333333"),
    "clusters": (3, 6.5, "#333333"),
    "neighbours": (4, 8.0, "#8a8a8a"),
    "place": (5, 6.0, "#222222"),
}


@dataclass(frozen=True)
class LabelSpec:
    """One label to place.

    Attributes
    ----------
    text : str
        The label (Chinese name).
    x, y : float
        Anchor in the map's CRS.
    priority : int
        Lower numbers are kept first when labels collide.
    size : float
        Font size in points (before the page scale).
    color : str
        Text colour.
    """

    text: str
    x: float
    y: float
    priority: int
    size: float
    color: str


def _spec(text: str, point: shapely.Point, rank: str) -> LabelSpec:
    priority, size, color = _RANKS[rank]
    return LabelSpec(text, float(point.x), float(point.y), priority, size, color)


def _anchor(geom: Any, view: shapely.Polygon) -> shapely.Point | None:
    """Return a point inside the visible part of a geometry (largest part, mid-line)."""
    part = geom.intersection(view)
    if part.is_empty:
        return None
    if part.geom_type.startswith("Multi") or part.geom_type == "GeometryCollection":
        part = max(part.geoms, key=lambda g: g.area or g.length)
    if part.geom_type == "LineString":
        return part.interpolate(0.5, normalized=True)
    return part.representative_point() if part.area > 0 else part.centroid


def _rank(layer: LayerSpec, kind: str) -> str | None:
    if layer.id == "axes":
        return "river" if kind == "river" else None
    if layer.id == "ridges":
        return "ridge"
    if layer.id in _RANKS:
        return layer.id
    if layer.geometry_type.removeprefix("Multi") == "Point" and layer.role in {"campus", "site"}:
        return "place"
    return None


def label_candidates(
    drawn: Iterable[tuple[LayerSpec, gpd.GeoDataFrame]],
    view: shapely.Polygon,
    neighbours: gpd.GeoDataFrame | None = None,
) -> list[LabelSpec]:
    """Return the labels a figure wants, highest priority first.

    Parameters
    ----------
    drawn : iterable of (LayerSpec, GeoDataFrame)
        Drawn layers in the map's CRS.
    view : shapely.Polygon
        The visible extent; anchors lie inside it.
    neighbours : GeoDataFrame, optional
        Neighbouring districts, labelled in grey.

    Returns
    -------
    list of LabelSpec
    """
    out: list[LabelSpec] = []
    sources = list(drawn)
    # Neighbours are labelled on their visible part away from the district.
    outside = view
    for layer, gdf in sources:
        if layer.id == "district":
            outside = view.difference(gdf.geometry.union_all().buffer(NEIGHBOUR_CLEARANCE_M))
    if neighbours is not None:
        sources.append((None, neighbours))
    for layer, gdf in sources:
        for row in gdf.itertuples():
            rank = "neighbours" if layer is None else _rank(layer, str(getattr(row, "kind", "")))
            name = str(getattr(row, "name_zh", "") or "")
            where = outside if layer is None else view
            point = _anchor(row.geometry, where) if rank and name else None
            if point is not None:
                out.append(_spec(name, point, rank))
    return sorted(out, key=lambda s: s.priority)


def _overlaps(a: Any, b: Any) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def overlapping_pairs(boxes: list[Any]) -> list[tuple[int, int]]:
    """Return the index pairs of boxes (``Bbox`` in display units) that overlap.

    Parameters
    ----------
    boxes : list of matplotlib.transforms.Bbox

    Returns
    -------
    list of tuple of int
    """
    return [
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if _overlaps(boxes[i], boxes[j])
    ]


def place_labels(
    ax: Any,
    labels: list[LabelSpec],
    obstacles: Iterable[Any] = (),
    scale: float = 1.0,
    points: Any = None,
) -> list[Any]:
    """Draw labels, move them apart with adjustText, and drop those that still collide.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The map axes (data in the map's CRS).
    labels : list of LabelSpec
        Highest priority first.
    obstacles : iterable of matplotlib.transforms.Bbox
        Display-space boxes labels must not cover (north arrow, scale bar, badges).
    scale : float
        Page scale of the font sizes.
    points : array of shape (n, 2), optional
        Drawn point symbols (map CRS) that labels are moved off.

    Returns
    -------
    list of matplotlib.text.Text
        The labels kept, in priority order.
    """
    from adjustText import adjust_text

    texts = []
    for lab in labels:
        t = ax.text(
            lab.x,
            lab.y,
            lab.text,
            fontsize=lab.size * scale,
            color=lab.color,
            ha="center",
            va="center",
            zorder=20,
            gid=LABEL_GID,
        )
        texts.append(t)
    plain_glyphs(texts)
    avoid = {} if points is None or not len(points) else {"x": points[:, 0], "y": points[:, 1]}
    if len(texts) > 1 or avoid:
        adjust_text(
            texts,
            ax=ax,
            ensure_inside_axes=True,
            expand=(1.1, 1.25),
            prevent_crossings=False,
            time_lim=0.3,
            **avoid,
        )
    kept = _thin(ax, texts, list(obstacles))
    _halos(ax, kept, 2.2 * scale)
    return kept


def _halos(ax: Any, texts: list[Any], width: float) -> None:
    """Draw a white outline under each label, as a separate artist.

    Matplotlib draws a text with path effects as outlines, not text: the halo is
    kept apart so that the label itself stays text in a PDF (searchable, copyable).
    """
    from matplotlib import patheffects

    for t in texts:
        ax.text(
            *t.get_position(),
            t.get_text(),
            fontsize=t.get_fontsize(),
            ha=t.get_ha(),
            va=t.get_va(),
            color="white",
            zorder=t.get_zorder() - 0.5,
            gid=HALO_GID,
            path_effects=[patheffects.Stroke(linewidth=width, foreground="white")],
        )


def _thin(ax: Any, texts: list[Any], obstacles: list[Any]) -> list[Any]:
    """Keep labels in priority order unless they overlap a kept one or leave the map."""
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    kept: list[Any] = []
    boxes = list(obstacles)
    for t in texts:
        box = t.get_window_extent(renderer)
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
        inside = inside and box.y1 <= frame.y1
        if inside and not any(_overlaps(box, b) for b in boxes):
            kept.append(t)
            boxes.append(box)
        else:
            t.remove()
    return kept
