"""The web maps' styles as print symbols: one adapter over :mod:`geo.maps.styles`.

Colours, widths, opacities and the schematic dash come from the same style module
as the interactive maps, so a print and its web map always agree. Everything the
print code asks of the styles goes through :func:`class_symbol` and
:func:`layer_symbols`; nothing here holds a colour of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.catalog import LayerSpec
from geo.maps.styles import SCHEMATIC_FILL_FACTOR, category_colors, get_style, point_style

__all__ = ["PT_PER_PX", "Symbol", "class_symbol", "kind_values", "layer_symbols"]

#: A CSS pixel is 0.75 typographic point: web widths become print widths.
PT_PER_PX = 0.75


@dataclass(frozen=True)
class Symbol:
    """How one class of a layer is printed.

    Attributes
    ----------
    color : str
        Hex colour of outline, line or marker.
    label : str
        Legend text, Chinese first.
    linewidth : float
        Outline or line width in points.
    fill_alpha : float
        Fill opacity of polygons (0 for none) and markers.
    alpha : float
        Outline opacity.
    marker_size : float
        Marker diameter in points.
    """

    color: str
    label: str
    linewidth: float
    fill_alpha: float
    alpha: float
    marker_size: float

    def fill(self, schematic: bool) -> float:
        """Fill opacity, lighter for schematic shapes as on the web maps."""
        return self.fill_alpha * (SCHEMATIC_FILL_FACTOR if schematic else 1.0)


def kind_values(layer: LayerSpec, gdf: gpd.GeoDataFrame) -> pd.Series:
    """Return each feature's class (the layer's ``kind_field``) as text."""
    field = layer.kind_field if layer.kind_field in gdf else "kind"
    if field not in gdf:
        return pd.Series("", index=gdf.index, dtype=object)
    return gdf[field].fillna("").astype(str)


def _zh_names(layer: LayerSpec, gdf: gpd.GeoDataFrame, kinds: pd.Series) -> dict[str, str]:
    """Return a Chinese name per class from a ``*_zh`` column that names classes 1:1."""
    if layer.kind_field.endswith("_zh") or layer.kind_field in {"cluster", "ring"}:
        return {}
    for column in (c for c in gdf.columns if str(c).endswith("_zh") and c != "name_zh"):
        pairs = pd.DataFrame({"k": kinds, "zh": gdf[column]}).dropna().drop_duplicates()
        if len(pairs) and pairs["k"].is_unique and pairs["zh"].is_unique:
            return dict(zip(pairs["k"], pairs["zh"].astype(str), strict=True))
    return {}


def class_symbol(
    layer: LayerSpec, kind: str, all_kinds: Iterable[Any], zh_name: str = ""
) -> tuple[str, str]:
    """Return the (colour, legend label) of one class of a layer.

    This is the one point where the print figures read colours and names from the
    style module.

    Parameters
    ----------
    layer : LayerSpec
        The layer.
    kind : str
        The class (value of the layer's ``kind_field``); ignored for layers that
        are not categorical.
    all_kinds : iterable
        Every class of the layer (the colour depends on the class's rank among them).
    zh_name : str
        The class's Chinese name, when the layer's data gives one.

    Returns
    -------
    tuple of str
        Hex colour and label (Chinese first, English or code after).
    """
    style = get_style(layer.style)
    if not style.categorical or not kind:
        return style.color, f"{layer.title_zh} {layer.title_en}"
    color = category_colors(style, all_kinds).get(kind, style.color)
    label = f"{zh_name} {kind}" if zh_name and zh_name != kind else kind
    return color, label


def layer_symbols(layer: LayerSpec, gdf: gpd.GeoDataFrame) -> dict[str, Symbol]:
    """Return the print symbol of every class of a layer, by class.

    Parameters
    ----------
    layer : LayerSpec
        The layer.
    gdf : geopandas.GeoDataFrame
        All its features (the colours depend on all classes, not on those drawn).

    Returns
    -------
    dict of str to Symbol
        One entry per class; a single entry keyed ``""`` for non-categorical layers.
    """
    style = get_style(layer.style)
    is_point = layer.geometry_type.removeprefix("Multi") == "Point"
    if is_point:
        style = point_style(style)
    kinds = kind_values(layer, gdf)
    names = _zh_names(layer, gdf, kinds)
    keys = sorted(set(kinds)) if style.categorical else [""]
    out: dict[str, Symbol] = {}
    for key in keys:
        color, label = class_symbol(layer, key, kinds, names.get(key, ""))
        out[key] = Symbol(
            color=color,
            label=label,
            linewidth=style.weight * PT_PER_PX,
            fill_alpha=style.fill_opacity if style.fill else 0.0,
            alpha=style.opacity,
            marker_size=2 * style.radius * PT_PER_PX,
        )
    return out
