"""Applying the placement rule to a figure's point layers, and drawing the result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd

from geo.maps.placement_layers.badges import BadgeDeclutter, add_badges
from geo.maps.placement_layers.panel import PLACEMENT_CSS, unlocated_html
from geo.maps.placement_layers.placed import (
    PANEL_CLASS,
    PlacedLayer,
    _within,
    area_anchors,
    split_layer,
)

if TYPE_CHECKING:
    from geo.catalog import Catalog, LayerSpec


__all__ = [
    "PlacedPoints",
    "place_points",
]


@dataclass
class PlacedPoints:
    """The point layers of one figure after the placement rule.

    Attributes
    ----------
    layers : list of PlacedLayer
        One entry per point layer drawn.
    anchors : dict
        Area (``within`` value) to its badge position (lat, lon) in display datum.
    labels : dict
        Area to its display name.
    underivable : tuple of (LayerSpec, GeoDataFrame)
        Zones of the figure that could not be derived, to be listed.
    """

    layers: list[PlacedLayer]
    anchors: dict[str, tuple[float, float]]
    labels: dict[str, str]
    underivable: tuple[tuple[LayerSpec, gpd.GeoDataFrame], ...] = ()

    def draw(
        self,
        m: folium.Map,
        groups: Mapping[str, folium.map.FeatureGroup],
        colors: Mapping[str, str],
    ) -> None:
        """Add the badges to their layers' groups and the not-located panel to ``m``."""
        from branca.element import Element

        from geo.maps.builder import HtmlControl

        if not self.layers and not self.underivable:
            return
        m.get_root().header.add_child(
            Element(f"<style>{PLACEMENT_CSS}</style>"), name="geo_placement_css"
        )
        # badges stand apart from the point cluster, which would fold them into a count
        badges = folium.FeatureGroup(name="badges", control=False).add_to(m)
        if add_badges(badges, self.layers, self.anchors, self.labels, colors):
            BadgeDeclutter().add_to(m)
        panel = unlocated_html(self.layers, self.underivable)
        if panel:
            HtmlControl(panel, PANEL_CLASS, "bottomleft").add_to(m)


def place_points(
    chosen: list[LayerSpec],
    layers: Mapping[str, gpd.GeoDataFrame],
    frames: dict[str, gpd.GeoDataFrame],
    catalog: Catalog,
    max_accuracy_m: float,
    basemap: Any,
    skipped: tuple[LayerSpec, ...] = (),
) -> PlacedPoints:
    """Apply the placement rule to a figure's point layers.

    Parameters
    ----------
    chosen : list of LayerSpec
        The layers the figure draws.
    layers : Mapping of str to GeoDataFrame
        Loaded layers (EPSG:4326), zones included when available.
    frames : dict of str to GeoDataFrame
        Display frames by layer id; a point layer's frame is cut down **in place**
        to the features drawn as points.
    catalog : Catalog
        The layer catalog (which layer holds each zone).
    max_accuracy_m : float
        Largest ``accuracy_m`` drawn as a point.
    basemap : Basemap
        Its datum shifts the badge positions like the layers.
    skipped : tuple of LayerSpec
        Layers the figure wanted but cannot draw (no features): their zones that
        could not be derived are listed too.

    Returns
    -------
    PlacedPoints
    """
    from geo.maps.builder import display_frame

    points = [s for s in chosen if s.geometry_type.removeprefix("Multi") == "Point"]
    names = {w for s in points for w in _within(layers[s.id]) if w}
    found = area_anchors(names, catalog, layers)
    placed = [split_layer(s, layers[s.id], max_accuracy_m, set(found)) for s in points]
    for pl in placed:
        frame = frames[pl.layer.id]
        frames[pl.layer.id] = frame[frame.index.isin(pl.points.index)]
    keys = sorted(found)
    pts = gpd.GeoDataFrame(
        {"accuracy_m": [0.0] * len(keys)},
        geometry=gpd.points_from_xy([found[k][0] for k in keys], [found[k][1] for k in keys]),
        crs="EPSG:4326",
    )
    shown = display_frame(pts, basemap) if keys else pts
    anchors = {k: (g.y, g.x) for k, g in zip(keys, shown.geometry, strict=True)}
    return PlacedPoints(
        placed, anchors, {k: found[k][2] for k in keys}, _underivable([*chosen, *skipped], layers)
    )


def _underivable(
    specs: list[LayerSpec], layers: Mapping[str, gpd.GeoDataFrame]
) -> tuple[tuple[LayerSpec, gpd.GeoDataFrame], ...]:
    """Zones a derived layer reports as not derivable (``attrs["not_derivable"]``)."""
    out = []
    for s in specs:
        gone = layers[s.id].attrs.get("not_derivable") if s.id in layers else None
        if gone:
            frame = gpd.GeoDataFrame(pd.DataFrame(gone), geometry=[None] * len(gone))
            out.append((s, frame))
    return tuple(out)
