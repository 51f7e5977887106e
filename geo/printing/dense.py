"""Large point layers in print: one light, rasterised scatter instead of a symbol each.

A point layer the figure draws densely (more features than the spec's
``dense_points_above``, see :func:`geo.figures.layers.is_dense`) is not depicted feature by
feature, so its frame carries no ``shown`` column. It is drawn as small translucent
dots without outlines, rasterised at the print's resolution inside the PDF: a PDF with
100 000 points stays the size of one image, not 100 000 vector paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import shapely

if TYPE_CHECKING:
    from geo.data.catalog import LayerSpec
    from geo.printing.symbols import Symbol

__all__ = ["DOT_ALPHA", "DOT_SIZE_PT", "draw_dense", "is_dense_frame"]

#: Diameter of one dot in points (before the print's scale).
DOT_SIZE_PT = 1.4
#: Opacity of one dot: overlapping dots darken where firms crowd.
DOT_ALPHA = 0.35


def is_dense_frame(layer: LayerSpec, gdf: gpd.GeoDataFrame) -> bool:
    """Whether a drawn frame is a dense point layer (a point layer not depicted per feature).

    Parameters
    ----------
    layer
        The layer.
    gdf
        What the print draws of it.

    Returns
    -------
    bool
    """
    return layer.geometry_type.removeprefix("Multi") == "Point" and "shown" not in gdf


def draw_dense(
    ax: Any, layer: LayerSpec, gdf: gpd.GeoDataFrame, symbols: Mapping[str, Symbol], scale: float
) -> None:
    """Draw every point of a dense layer as one rasterised scatter in the layer's colour.

    Parameters
    ----------
    ax
        The map axes (EPSG:4544).
    layer
        The layer (its id names the artist ``layer-<id>-dense``).
    gdf
        Its points, in the axes' CRS.
    symbols
        The layer's legend classes; the first one's colour is used (the figure
        draws a dense layer in one colour).
    scale
        The print's scale factor for sizes.
    """
    xy = shapely.get_coordinates(gdf.geometry.values)
    colour = next(iter(symbols.values())).color
    ax.scatter(
        xy[:, 0],
        xy[:, 1],
        s=(DOT_SIZE_PT * scale) ** 2,
        c=colour,
        alpha=DOT_ALPHA,
        linewidths=0,
        rasterized=True,
        zorder=9,
        gid=f"layer-{layer.id}-dense",
    )
