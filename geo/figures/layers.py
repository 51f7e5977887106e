"""Which layers a figure draws, in which order and colours: read by web maps and prints alike.

:func:`figure_layers` chooses a figure's layers from its spec and the catalog's
``figures:`` lists; :func:`figure_colours` gives every class drawn on it a colour that no
other class of the figure shares; :func:`is_dense` says which point layers are drawn as
one dense layer.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from geo.errors import MissingLayerWarning
from geo.figures.styles.colours import RESERVED, figure_palette
from geo.figures.styles.layer_style import get_style

if TYPE_CHECKING:
    from geo.data.catalog import Catalog, LayerSpec
    from geo.figures.specs import FigureSpec

__all__ = [
    "figure_colours",
    "figure_layers",
    "is_dense",
    "is_point",
]


#: Draw order by geometry: areas at the bottom, points on top (SVG paint order).
_DRAW_ORDER = {"Polygon": 0, "LineString": 1, "Point": 2}


# --------------------------------------------------------------------------- layer choice
def figure_layers(
    spec: FigureSpec, catalog: Catalog, layers: Mapping[str, gpd.GeoDataFrame]
) -> tuple[list[LayerSpec], list[str]]:
    """Return the layers a figure draws, in draw order, and the ids it had to skip.

    The district outline is always drawn when available. Catalog layers whose
    ``figures`` list the figure's number are added after the spec's own list.

    Parameters
    ----------
    spec
        The figure.
    catalog
        The layer catalog.
    layers
        Loaded layers by id.

    Returns
    -------
    tuple of (list of LayerSpec, list of str)
        Layers to draw (polygons, then lines, then points) and skipped ids.
    """
    wanted = ["district", *spec.layers]
    if spec.include_catalog_figures and spec.number is not None:
        wanted += [s.id for s in catalog.for_figure(spec.number)]
    ids = list(dict.fromkeys(wanted))
    chosen: list[LayerSpec] = []
    skipped: list[str] = []
    for lid in ids:
        if lid not in catalog:
            reason = "is not in the catalog"
        elif lid not in layers or layers[lid] is None or len(layers[lid]) == 0:
            reason = "has no loaded features"
        else:
            chosen.append(catalog[lid])
            continue
        if lid != "district" or lid in spec.layers:
            warnings.warn(
                f"{spec.id}: layer {lid!r} {reason}; drawn without it",
                MissingLayerWarning,
                stacklevel=2,
            )
        skipped.append(lid)
    chosen.sort(key=lambda s: _DRAW_ORDER.get(s.geometry_type.removeprefix("Multi"), 0))
    return chosen, skipped


# --------------------------------------------------------------------------- colours
#: Styles drawn in reserved furniture colours, outside the figure's palette.
_RESERVED_STYLES = {"district": RESERVED["outline"], "neighbours": RESERVED["context"]}


def figure_colours(
    spec: FigureSpec, chosen: list[LayerSpec], layers: Mapping[str, gpd.GeoDataFrame]
) -> dict[str, dict[str, str]]:
    """Return every legend class's colour on one figure: no two classes share one.

    A categorical layer has a class per category, unless the figure draws it in one
    colour (``spec.single_colour``, or a dense point layer); then, like a
    non-categorical layer, it has one class, keyed ``""``. The outline and
    neighbouring districts keep reserved colours.

    Parameters
    ----------
    spec
        The figure.
    chosen
        Its layers, in draw order.
    layers
        The loaded layers.

    Returns
    -------
    dict
        Layer id to class to hex colour.
    """
    classes: list[tuple[str, str]] = []
    preferred: dict[tuple[str, str], str] = {}
    for layer in reversed(chosen):  # legend order: points first
        style = get_style(layer.style)
        if layer.style in _RESERVED_STYLES:
            continue
        one = layer.id in spec.single_colour or is_dense(spec, layer, layers[layer.id])
        if style.categorical and not one:
            for kind in sorted({str(k) for k in _kinds(layers[layer.id], layer) if _present(k)}):
                classes.append((layer.id, kind))
                if kind in style.colors:
                    preferred[(layer.id, kind)] = style.colors[kind]
        else:
            classes.append((layer.id, ""))
            preferred[(layer.id, "")] = style.color
    palette = figure_palette(classes, preferred)
    out: dict[str, dict[str, str]] = {
        s.id: {"": _RESERVED_STYLES[s.style]} for s in chosen if s.style in _RESERVED_STYLES
    }
    for (lid, kind), colour in palette.items():
        out.setdefault(lid, {})[kind] = colour
    return out


def _present(value: Any) -> bool:
    return value is not None and str(value) not in ("", "nan", "None")


def _kinds(gdf: gpd.GeoDataFrame, layer: LayerSpec) -> list[Any]:
    field = layer.kind_field if layer.kind_field in gdf else "kind"
    return list(gdf[field]) if field in gdf else []


def is_dense(spec: FigureSpec, layer: LayerSpec, gdf: gpd.GeoDataFrame | None) -> bool:
    """Whether a figure draws a layer as one dense layer, not feature by feature.

    Parameters
    ----------
    spec
        The figure (its ``dense_points_above``).
    layer
        The layer.
    gdf
        Its features.

    Returns
    -------
    bool
        True for a point layer of more than ``spec.dense_points_above`` features: it
        is not depicted, keyed or recorded per feature.
    """
    return is_point(layer) and gdf is not None and len(gdf) > spec.dense_points_above


def is_point(layer: LayerSpec) -> bool:
    """Whether a layer holds points (or multipoints)."""
    return layer.geometry_type.removeprefix("Multi") == "Point"
