"""Labels on a print figure: candidates by priority, placed apart, checked, thinned.

The labels are the web map's (:func:`geo.figures.labels.figure_labels`): zones, rivers,
ridges, neighbouring districts and precisely placed campuses and sites, in Chinese,
the figure's must-see names first. ``adjustText`` moves them apart; then every
label's box is measured with the renderer and, in priority order, a label that still
overlaps a kept label or the map furniture, or that leaves the map, is removed. What
remains is guaranteed not to overlap (:func:`overlapping_pairs` is the check).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np

from geo.data.catalog import LayerSpec
from geo.data.crs import METRIC_CRS, STORAGE_CRS, transformer
from geo.figures.labels import figure_labels
from geo.figures.specs import FigureSpec
from geo.printing.fonts import plain_glyphs

__all__ = [
    "LABEL_GID",
    "LabelSpec",
    "free_of",
    "label_candidates",
    "overlapping_pairs",
    "place_labels",
]

#: ``gid`` of every label text (tests and users find labels by it).
LABEL_GID = "map-label"
#: ``gid`` of the white outline drawn under each label.
HALO_GID = "map-label-halo"
#: Steps adjustText takes to move labels apart: a count, not a time, so a print is the
#: same on a fast machine and a busy one.
ADJUST_ITERATIONS = 200

#: Font size in points of the web labels' size classes (1 largest).
SIZE_PT: dict[int, float] = {1: 11.0, 2: 8.5, 3: 7.0, 4: 6.0}
#: Label colour by layer (others dark grey).
COLOURS: dict[str, str] = {
    "cities": "#222222",
    "screens": "#1b5e20",
    "neighbours": "#8a8a8a",
}
#: Colour and font style of context labels by tone (as the web maps' ``geo-label-*``):
#: rivers blue italic (upright when the font has no italic, as the CJK fonts), roads
#: grey, ridges olive.
TONES: dict[str, tuple[str, str]] = {
    "river": ("#1f5fa8", "italic"),
    "road": ("#6b6b6b", "normal"),
    "ridge": ("#5c6b3a", "normal"),
}


@dataclass(frozen=True)
class LabelSpec:
    """One label to place.

    Attributes
    ----------
    text
        The label (Chinese name).
    x, y
        Anchor in the map's CRS.
    priority
        Lower numbers are kept first when labels collide.
    size
        Font size in points (before the page scale).
    color
        Text colour.
    style
        Font style, ``normal`` or ``italic``.
    """

    text: str
    x: float
    y: float
    priority: int
    size: float
    color: str
    style: str = "normal"


def _name_and_notes(lines: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """Join a long name the web label broke after its dash; the rest are notes."""
    if len(lines) > 1 and lines[0].endswith("—"):
        return lines[0] + lines[1], lines[2:]
    return lines[0], lines[1:]


def label_candidates(
    spec: FigureSpec,
    drawn: Sequence[LayerSpec],
    layers: Mapping[str, gpd.GeoDataFrame],
    metres_per_pt: float,
    free: Callable[[str, float, float, float], bool] | None = None,
) -> list[LabelSpec]:
    """Return the web map's labels of a figure as print labels, highest priority first.

    Which features are labelled, the text (short names, a city's industries as a
    second label below it), the anchor and the priority (the figure's must-see names
    first) all come from :func:`geo.figures.labels.figure_labels`.

    Parameters
    ----------
    spec
        The figure.
    drawn
        The layers drawn, neighbouring districts included.
    layers
        Their features, EPSG:4326 (with ``district``).
    metres_per_pt
        Map metres per typographic point (places a note under its name).
    free
        ``free(text, x, y, size_pt)``: whether a label there covers no furniture (a
        count badge sits on the point a small zone is drawn around). Each label
        takes its first free position among the web label's candidates; default
        the first.

    Returns
    -------
    list of LabelSpec
    """
    if "district" not in layers:
        return []
    web = figure_labels(
        list(drawn),
        layers,
        layers["district"],
        spec.must_see,
        dict(spec.label_notes),
        max_accuracy_m=spec.max_accuracy_m,
    )
    lonlat = [c[::-1] for lab in web for c in lab.candidates]
    xs, ys = (
        transformer(STORAGE_CRS, METRIC_CRS).transform(*zip(*lonlat, strict=True))
        if lonlat
        else ((), ())
    )
    out: list[LabelSpec] = []
    start = 0
    for lab in web:
        spots = list(zip(xs[start:], ys[start : start + len(lab.candidates)], strict=False))
        start += len(lab.candidates)
        name, notes = _name_and_notes(lab.lines)
        size = SIZE_PT.get(lab.size, 6.0)
        colour, style = TONES.get(lab.tone, (COLOURS.get(lab.layer, "#333333"), "normal"))
        parts = [
            (text, 0.0 if k == 0 else -k * 1.3 * size * metres_per_pt, size * (0.7 if k else 1))
            for k, text in enumerate([name, *notes])
        ]

        def clear(p: tuple[float, float], parts: list[Any] = parts) -> bool:
            return free is None or all(free(t, p[0], p[1] + dy, sz) for t, dy, sz in parts)

        x, y = next((p for p in spots if clear(p)), spots[0])
        for k, (text, dy, sz) in enumerate(parts):
            kind = style if k == 0 else "normal"
            out.append(LabelSpec(text, x, y + dy, 2 * lab.priority + min(k, 1), sz, colour, kind))
    return sorted(out, key=lambda s: s.priority)


def _overlaps(a: Any, b: Any) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def overlapping_pairs(boxes: list[Any]) -> list[tuple[int, int]]:
    """Return the index pairs of boxes (``Bbox`` in display units) that overlap.

    Parameters
    ----------
    boxes

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


def free_of(ax: Any, obstacles: list[Any], scale: float) -> Callable[..., bool]:
    """Return ``free(text, x, y, size)``: whether that label would cover none of ``obstacles``.

    Parameters
    ----------
    ax
        The map axes (data in the map's CRS).
    obstacles
        Display-space boxes of the furniture (count badges, north arrow, scale bar).
    scale
        Page scale of the font sizes.

    Returns
    -------
    callable
        For :func:`label_candidates`: the label is measured with the renderer and
        given room above and below for ``adjustText``'s nudges.
    """
    renderer = ax.figure.canvas.get_renderer()

    def free(text: str, x: float, y: float, size: float) -> bool:
        probe = ax.text(
            x, y, text, fontsize=size * scale, ha="center", va="center", parse_math=False
        )
        box = probe.get_window_extent(renderer)
        probe.remove()
        box = box.expanded(1.2, 3.0)  # room for adjustText's nudges
        return not any(_overlaps(box, b) for b in obstacles)

    return free


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
    ax
        The map axes (data in the map's CRS).
    labels
        Highest priority first.
    obstacles
        Display-space boxes labels must not cover (north arrow, scale bar, badges).
    scale
        Page scale of the font sizes.
    points
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
            fontstyle=lab.style,
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
            iter_lim=ADJUST_ITERATIONS,
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
            fontstyle=t.get_fontstyle(),
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
        box = _free_spot(ax, t, frame, boxes, renderer)
        if box is not None:
            kept.append(t)
            boxes.append(box)
        else:
            t.remove()
    return kept


#: How far (in points, before the page scale) a colliding label is tried around
#: where adjustText left it before it is dropped: rings of eight directions.
NUDGE_PT: tuple[float, ...] = (6.0, 12.0, 18.0, 24.0)


def _free_spot(ax: Any, t: Any, frame: Any, boxes: list[Any], renderer: Any) -> Any:
    """Return the label's box at the nearest free spot (moving it there), or ``None``."""

    def fits(box: Any) -> bool:
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
        return inside and box.y1 <= frame.y1 and not any(_overlaps(box, b) for b in boxes)

    box = t.get_window_extent(renderer)
    if fits(box):
        return box
    home = ax.transData.transform(t.get_position())
    per_pt = ax.figure.dpi / 72.0
    for radius in NUDGE_PT:
        for k in range(8):
            angle = k * np.pi / 4
            step = radius * per_pt * np.array([np.cos(angle), np.sin(angle)])
            t.set_position(ax.transData.inverted().transform(home + step))
            box = t.get_window_extent(renderer)
            if fits(box):
                return box
    t.set_position(ax.transData.inverted().transform(home))
    return None
