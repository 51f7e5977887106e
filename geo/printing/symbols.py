"""The web maps' styles as print symbols: one adapter over :mod:`geo.figures.styles`.

Colours (the figure's own palette), class names, widths, opacities and the dash rule
come from the same modules as the interactive maps, so a print and its web map
always agree. Everything the print code asks of the styles goes through
:func:`figure_symbols`, :func:`class_symbol` and :func:`dashed`; nothing here holds a
colour of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.data.catalog import LayerSpec
from geo.figures.layers import figure_colours
from geo.figures.specs import FigureSpec
from geo.figures.styles.layer_style import (
    CLASS_LABELS,
    SCHEMATIC_DASH,
    SCHEMATIC_FILL_FACTOR,
    LayerStyle,
    class_label,
    get_style,
    is_drawn_schematic,
    point_style,
)

__all__ = [
    "PT_PER_PX",
    "Symbol",
    "class_symbol",
    "dashed",
    "figure_symbols",
    "kind_values",
    "legend_label",
]

#: A CSS pixel is 0.75 typographic point: web widths become print widths.
PT_PER_PX = 0.75


@dataclass(frozen=True)
class Symbol:
    """How one class of a layer is printed.

    Attributes
    ----------
    color
        Hex colour of outline, line or marker.
    label
        Legend text, Chinese first.
    linewidth
        Outline or line width in points.
    fill_alpha
        Fill opacity of polygons (0 for none) and markers.
    alpha
        Outline opacity.
    marker_size
        Marker diameter in points.
    dashes
        The layer's own dash pattern (on, off ... in points), e.g. the Science City's
        dash-dot; ``None`` when only schematic features are dashed.
    """

    color: str
    label: str
    linewidth: float
    fill_alpha: float
    alpha: float
    marker_size: float
    dashes: tuple[float, ...] | None = None

    def linestyle(self, schematic: bool) -> Any:
        """Matplotlib line style: the layer's dashes, else dashed when schematic."""
        if self.dashes:
            return (0, self.dashes)
        return (0, _dashes(SCHEMATIC_DASH)) if schematic else "solid"

    def fill(self, schematic: bool) -> float:
        """Fill opacity, lighter for schematic shapes as on the web maps."""
        return self.fill_alpha * (SCHEMATIC_FILL_FACTOR if schematic else 1.0)


def kind_values(layer: LayerSpec, gdf: gpd.GeoDataFrame) -> pd.Series:
    """Return each feature's class (the layer's ``kind_field``) as text."""
    field = layer.kind_field if layer.kind_field in gdf else "kind"
    if field not in gdf:
        return pd.Series("", index=gdf.index, dtype=object)
    return gdf[field].fillna("").astype(str)


def dashed(layer: LayerSpec, gdf: gpd.GeoDataFrame) -> pd.Series:
    """Return whether each feature is drawn dashed, by the web maps' rule."""
    records = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    flags = [is_drawn_schematic(layer.geometry_type, p) for p in records]
    return pd.Series(flags, index=gdf.index, dtype=bool, name="dashed")


def legend_label(layer: LayerSpec, kind: str, symbol: Symbol, alone: bool) -> str:
    """Return the text of a legend row: one class of a layer.

    A layer's only class is one row without a heading; when the class has no name of
    its own (a kind of a layer added with ``geo add-layer``), the row names the layer
    too, as the web map's legend heading does.

    Parameters
    ----------
    layer
        The layer.
    kind
        The class.
    symbol
        Its print symbol.
    alone
        Whether it is the layer's only class on the figure (no heading above it).

    Returns
    -------
    str
    """
    if not alone:
        return f"  {symbol.label}"
    if kind and kind not in CLASS_LABELS:
        return f"{layer.title_zh} {layer.title_en} · {symbol.label}"
    return symbol.label


def class_symbol(layer: LayerSpec, kind: str, colour: str) -> tuple[str, str]:
    """Return the (colour, legend label) of one class of a layer on a figure.

    With :func:`figure_symbols`, the one point where the print figures read names
    from the style module; the colour comes from the figure's palette.

    Parameters
    ----------
    layer
        The layer.
    kind
        The class (value of the layer's ``kind_field``); ``""`` when the figure
        draws the layer in one colour.
    colour
        The class's colour in the figure's palette.

    Returns
    -------
    tuple of str
        Hex colour and label (Chinese first, then English).
    """
    if not kind:
        return colour, f"{layer.title_zh} {layer.title_en}"
    zh, en = class_label(kind)
    return colour, f"{zh} {en}".strip()


def figure_symbols(
    spec: FigureSpec, drawn: Sequence[LayerSpec], layers: Mapping[str, gpd.GeoDataFrame]
) -> dict[str, dict[str, Symbol]]:
    """Return the print symbol of every legend class of a figure, by layer and class.

    Colours are the web map's palette for the same figure
    (:func:`geo.figures.layers.figure_colours`): no two classes share a colour.

    Parameters
    ----------
    spec
        The figure.
    drawn
        Its layers in draw order.
    layers
        All features of each layer (a class's colour does not depend on what is drawn).

    Returns
    -------
    dict of str to dict of str to Symbol
        Layer id to class to symbol; a layer drawn in one colour has the class ``""``.
    """
    colours = figure_colours(spec, list(drawn), layers)
    out: dict[str, dict[str, Symbol]] = {}
    for layer in drawn:
        style = get_style(layer.style)
        if layer.geometry_type.removeprefix("Multi") == "Point":
            style = point_style(style)
        out[layer.id] = {
            kind: _symbol(style, *class_symbol(layer, kind, colour))
            for kind, colour in colours.get(layer.id, {"": style.color}).items()
        }
    return out


def _dashes(pattern: str) -> tuple[float, ...]:
    """Return an SVG dash pattern (pixels) as matplotlib dashes (in line widths).

    The schematic ``"8 6"`` becomes ``(4, 3)``, the prints' dash before the atlas.
    """
    return tuple(float(v) * PT_PER_PX / 1.5 for v in pattern.split())


def _symbol(style: LayerStyle, colour: str, label: str) -> Symbol:
    return Symbol(
        color=colour,
        label=label,
        linewidth=style.weight * PT_PER_PX,
        fill_alpha=style.fill_opacity if style.fill else 0.0,
        alpha=style.opacity,
        marker_size=2 * style.radius * PT_PER_PX,
        dashes=_dashes(style.dash_array) if style.dash_array else None,
    )
