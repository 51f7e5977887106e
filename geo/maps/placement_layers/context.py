"""Context zones on a map: the zones a figure's badges stand on that it does not otherwise draw.

A coarse feature is counted on the zone it is known to lie in (its ``within``). When
the figure does not draw that zone's layer, :func:`geo.figures.depiction.depict` names the
zone in ``Depiction.context`` and the map draws it faintly: a thin dotted outline in
the one context grey (:func:`zone_colour`), no fill, under every thematic layer and
never in the way of a click, with a light label (its name) and one legend row for
all such zones ("所在片区（示意）"). So a badge never names an area the reader
cannot see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast

import folium
import geopandas as gpd

from geo.figures.context import (
    CONTEXT_COLOUR,
    CONTEXT_DASH,
    CONTEXT_LABEL,
    CONTEXT_OPACITY,
    CONTEXT_SIMPLIFY_M,
    CONTEXT_WEIGHT,
    zone_colour,
)
from geo.figures.labels import Label, figure_labels
from geo.maps.features import esc as _esc

if TYPE_CHECKING:
    from branca.element import Figure

    from geo.data.catalog import Catalog
    from geo.figures.depiction import Depiction


__all__ = [
    "CONTEXT_CLASS",
    "ContextZones",
    "add_context_zones",
    "context_legend_row",
    "context_style",
]

#: CSS class of a context zone's outline (``geo-context-zone``) and label tone.
CONTEXT_CLASS = "geo-context-zone"
#: Layer id of the context zones' group and labels.
CONTEXT_LAYER = "context-zones"

_CSS = (
    ".geo-label.geo-label-context{color:#6f6f6f;font-weight:400;font-style:italic;"
    "text-shadow:0 0 2px #fff,0 0 2px #fff}"
)


@dataclass
class ContextZones:
    """What the context zones add to a map besides their outlines.

    Attributes
    ----------
    legend
        The one legend row (HTML), empty when the figure has no context zone.
    labels
        One light label per zone, for :class:`geo.maps.labels.MapLabels`.
    """

    legend: str = ""
    labels: list[Label] = field(default_factory=list)


def context_style(colour: str, schematic: bool) -> dict[str, Any]:
    """Return the Leaflet options of a context zone's outline.

    Parameters
    ----------
    colour
        Its colour (:func:`zone_colour`), drawn at :data:`CONTEXT_OPACITY`.
    schematic
        Dash the outline (a schematic zone stays dashed).

    Returns
    -------
    dict
    """
    style = {
        "color": colour,
        "weight": CONTEXT_WEIGHT,
        "opacity": CONTEXT_OPACITY,
        "fill": False,
        "className": CONTEXT_CLASS,
    }
    style["dashArray"] = CONTEXT_DASH if schematic else None
    return {k: v for k, v in style.items() if v is not None}


def context_legend_row(colours: list[str], schematic: bool = True) -> str:
    """Return the one legend row naming every context zone of a figure.

    Parameters
    ----------
    colours
        The zones' outline colours: one swatch each, side by side, in one row.
    schematic
        Draw the swatches dashed (every derived zone is schematic).

    Returns
    -------
    str
        HTML.
    """
    dash = f' stroke-dasharray="{CONTEXT_DASH.replace(" ", ",")}"' if schematic else ""
    swatches = "".join(
        '<svg width="18" height="12" aria-hidden="true"><rect x="1" y="1" width="16" '
        f'height="10" fill="none" stroke="{_esc(c)}" stroke-opacity="{CONTEXT_OPACITY}" '
        f'stroke-width="1.5"{dash}/></svg>'
        for c in dict.fromkeys(colours or [CONTEXT_COLOUR])
    )
    return (
        f'<div class="geo-legend-row geo-legend-context" data-tier="context">{swatches} '
        '所在片区（示意） <span class="geo-en">zone a coarse feature lies in</span></div>'
    )


def _geojson(frame: gpd.GeoDataFrame, colours: list[str]) -> dict[str, Any]:
    """Return the zones as GeoJSON: escaped ``id``, ``name_zh``, colour, dash; no popup."""
    import shapely.geometry

    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "id": _esc(zid),
                    "name_zh": _esc(name),
                    "schematic": src == "schematic",
                    "colour": _esc(colour),
                },
                "geometry": shapely.geometry.mapping(geom),
            }
            for zid, name, src, colour, geom in zip(
                frame["id"],
                frame["name_zh"],
                frame["geometry_source"],
                colours,
                frame.geometry,
                strict=True,
            )
        ],
    }


def _labels(
    zones: gpd.GeoDataFrame, catalog: Catalog, district: gpd.GeoDataFrame | None, datum: str
) -> list[Label]:
    """Return one light label per zone, placed like the labels of its own layer."""
    if district is None or not len(district):
        return []
    out: list[Label] = []
    for owner, rows in zones.groupby("layer", sort=True):
        if owner not in catalog:
            continue
        for lab in figure_labels([catalog[owner]], {owner: rows}, district, datum=datum):
            priority, size = CONTEXT_LABEL
            out.append(
                replace(lab, layer=CONTEXT_LAYER, priority=priority, size=size, tone="context")
            )
    return out


def _simplified(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the zones simplified to :data:`CONTEXT_SIMPLIFY_M` (or their accuracy)."""
    import numpy as np
    import shapely

    from geo.data.crs import METRIC_CRS, STORAGE_CRS

    metric = zones.to_crs(METRIC_CRS)
    acc = np.nan_to_num(np.asarray(metric["accuracy_m"], dtype="float64"), nan=0.0)
    tol = np.minimum(acc, CONTEXT_SIMPLIFY_M)
    metric.geometry = shapely.simplify(
        np.asarray(metric.geometry.values), tol, preserve_topology=True
    )
    return metric.to_crs(STORAGE_CRS)


def add_context_zones(
    m: folium.Map,
    dep: Depiction | None,
    catalog: Catalog,
    layers: Mapping[str, gpd.GeoDataFrame],
    basemap: Any,
) -> ContextZones:
    """Draw a figure's context zones faintly; return their legend row and labels.

    Call it before the figure's layers are added: Leaflet paints in the order
    layers are added, so the outlines stay under every thematic layer.

    Parameters
    ----------
    m
        The map.
    dep
        The figure's decisions; its ``context`` names the zones.
    catalog
        The zones' layers (for their label positions).
    layers
        Loaded layers (EPSG:4326); ``district`` bounds the label positions.
    basemap
        Its datum shifts the outlines like the layers.

    Returns
    -------
    ContextZones
    """
    from branca.element import Element

    from geo.maps.features import display_frame

    if dep is None or dep.context.empty:
        return ContextZones()
    frame = display_frame(_simplified(dep.context), basemap)
    colours = [
        zone_colour(catalog, str(lid), str(name))
        for lid, name in zip(frame["layer"], frame["name_zh"], strict=True)
    ]
    group = folium.FeatureGroup(name=CONTEXT_LAYER, control=False)
    folium.GeoJson(
        _geojson(frame, colours),
        name=CONTEXT_LAYER,
        style_function=lambda f: context_style(
            f["properties"]["colour"], bool(f["properties"]["schematic"])
        ),
        control=False,
        interactive=False,
    ).add_to(group)
    group.add_to(m)
    cast("Figure", m.get_root()).header.add_child(
        Element(f"<style>{_CSS}</style>"), name="geo_context_css"
    )
    schematic = bool((dep.context["geometry_source"] == "schematic").all())
    labels = _labels(dep.context, catalog, layers.get("district"), basemap.datum)
    return ContextZones(context_legend_row(colours, schematic), labels)
