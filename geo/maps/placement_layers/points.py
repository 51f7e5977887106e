"""Applying the placement rule to a figure's point layers, and drawing the result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template

from geo.data.crs import METRIC_CRS
from geo.data.placement import within_of
from geo.figures.depiction import Depiction, depict
from geo.figures.placed import (
    PANEL_CLASS,
    PlacedLayer,
    area_anchors,
    zone_spots,
)
from geo.maps.placement_layers.badges import BadgeDeclutter, add_badges
from geo.maps.placement_layers.panel import PLACEMENT_CSS, keys_html, unlocated_html

if TYPE_CHECKING:
    from branca.element import Figure

    from geo.data.catalog import Catalog, LayerSpec
    from geo.data.gazetteer import GazetteerRef
    from geo.figures.specs import FigureSpec


__all__ = [
    "DISC_PANE",
    "PlacedPoints",
    "place_points",
]

#: Map pane of the uncertainty discs: above the areas, below every symbol.
DISC_PANE = "geo-discs"
#: Class of the key list control.
KEYS_CLASS = "geo-keys"


class UncertaintyDiscs(MacroElement):
    """Faint, non-interactive discs (metres) in their own pane; only numbers in the script.

    Parameters
    ----------
    discs
        In the display datum.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.discs|tojson }}.forEach(function (d) {
            L.circle([d[0], d[1]], {
                radius: d[2], interactive: false, pane: {{ this.pane|tojson }},
                className: "geo-schematic-disc", color: "#777777", weight: 1,
                dashArray: "2 4", fill: true, fillColor: "#999999", fillOpacity: 0.07
            }).addTo({{ this._parent.get_name() }});
        });
        {% endmacro %}
        """
    )

    def __init__(self, discs: list[tuple[float, float, float]]) -> None:
        super().__init__()
        self._name = "UncertaintyDiscs"
        self.discs = [[float(v) for v in d] for d in discs]
        self.pane = DISC_PANE


@dataclass
class PlacedPoints:
    """The point layers of one figure after the placement rule.

    Attributes
    ----------
    layers
        One entry per point layer drawn.
    anchors
        Area (``within`` value) to its badge position (lat, lon) in display datum.
    labels
        Area to its display name.
    underivable
        Zones of the figure that could not be derived, to be listed.
    depiction
        The decisions (keys, discs) the layers come from.
    discs
        One uncertainty disc per anchor of schematic symbols, in display datum.
    spots
        Zone to the points inside it (lat, lon, display datum) its badge may stand
        near, the anchor first.
    """

    layers: list[PlacedLayer]
    anchors: dict[str, tuple[float, float]]
    labels: dict[str, str]
    underivable: tuple[tuple[LayerSpec, gpd.GeoDataFrame], ...] = ()
    depiction: Depiction | None = None
    discs: list[tuple[float, float, float]] = field(default_factory=list)
    spots: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def draw(
        self,
        m: folium.Map,
        groups: Mapping[str, folium.map.Layer],
        colors: Mapping[str, str],
    ) -> None:
        """Add the badges to their layers' groups and the not-located panel to ``m``."""
        from branca.element import Element

        from geo.maps.controls import HtmlControl

        if not self.layers and not self.underivable:
            return
        cast("Figure", m.get_root()).header.add_child(
            Element(f"<style>{PLACEMENT_CSS}</style>"), name="geo_placement_css"
        )
        self._draw_discs(m)
        # badges stand apart from the point cluster, which would fold them into a count
        badges = folium.FeatureGroup(name="badges", control=False)
        badges.add_to(m)
        if add_badges(badges, self.layers, self.anchors, self.labels, colors, self.spots):
            BadgeDeclutter().add_to(m)
        panel = unlocated_html(self.layers, self.underivable, self.labels)
        if panel:
            HtmlControl(panel, PANEL_CLASS, "bottomleft").add_to(m)
        keys = keys_html(self.layers) if self.depiction else ""
        if keys:
            HtmlControl(keys, KEYS_CLASS, "topleft").add_to(m)

    def _draw_discs(self, m: folium.Map) -> None:
        """One faint disc per anchor of schematic symbols: how far they may really be."""
        if not self.discs:
            return
        folium.map.CustomPane(DISC_PANE, z_index=350, pointer_events=False).add_to(m)
        UncertaintyDiscs(self.discs).add_to(m)


def place_points(
    chosen: list[LayerSpec],
    layers: Mapping[str, gpd.GeoDataFrame],
    frames: dict[str, gpd.GeoDataFrame],
    catalog: Catalog,
    spec: FigureSpec,
    basemap: Any,
    skipped: tuple[LayerSpec, ...] = (),
    gazetteer: GazetteerRef = None,
) -> PlacedPoints:
    """Apply the placement rule to a figure's point layers (:func:`geo.figures.depiction.depict`).

    Parameters
    ----------
    chosen
        The layers the figure draws.
    layers
        Loaded layers (EPSG:4326), zones included when available.
    frames
        Display frames by layer id; a point layer's frame is replaced **in place**
        by the features drawn as points or schematic symbols (at their slots).
    catalog
        The layer catalog (which layer holds each zone).
    spec
        The figure: its point and schematic limits and spacing.
    basemap
        Its datum shifts the badge positions like the layers.
    skipped
        Layers the figure wanted but cannot draw (no features): their zones that
        could not be derived are listed too.
    gazetteer
        Places the badges of gazetteer areas (see :func:`area_anchors`).

    Returns
    -------
    PlacedPoints
    """
    from geo.maps.features import display_frame

    dep = depict(spec, chosen, layers, catalog)
    placed = [PlacedLayer(ld.layer, ld.drawn, ld.badges, ld.listed) for ld in dep.layers]
    for pl in placed:
        frames[pl.layer.id] = display_frame(pl.points, basemap)
    names = {w for pl in placed for w in within_of(pl.areas) if w}
    names |= {a for pl in placed for a in pl.unlocated.get("area", pd.Series(dtype=str)) if a}
    found = area_anchors(names, catalog, layers, gazetteer)
    keys = sorted(found)
    shown = _display_points([(found[k][0], found[k][1]) for k in keys], basemap)
    anchors = {k: (g.y, g.x) for k, g in zip(keys, shown, strict=True)}
    badged = {w for pl in placed for w in within_of(pl.areas) if w}
    spots = {
        k: [anchors[k], *((p.y, p.x) for p in _display_points(v, basemap))]
        for k, v in zone_spots(badged, catalog, layers).items()
        if k in anchors
    }
    return PlacedPoints(
        placed,
        anchors,
        {k: found[k][2] for k in keys},
        _underivable([*chosen, *skipped], layers),
        dep,
        _discs(dep, basemap),
        spots,
    )


def _display_points(lonlat: list[tuple[float, float]], basemap: Any) -> list[shapely.Point]:
    """WGS-84 points in the basemap's datum."""
    from geo.maps.features import display_frame

    if not lonlat:
        return []
    pts = gpd.GeoDataFrame(
        {"accuracy_m": [0.0] * len(lonlat)},
        geometry=[shapely.Point(x, y) for x, y in lonlat],
        crs="EPSG:4326",
    )
    return list(display_frame(pts, basemap).geometry)


def _discs(dep: Depiction, basemap: Any) -> list[tuple[float, float, float]]:
    """Return the depiction's discs as (lat, lon, radius) in the display datum."""
    if not dep.discs:
        return []
    centres = gpd.GeoSeries([shapely.Point(d.x, d.y) for d in dep.discs], crs=METRIC_CRS)
    ll = centres.to_crs("EPSG:4326")
    shown = _display_points([(p.x, p.y) for p in ll], basemap)
    return [(p.y, p.x, d.radius_m) for p, d in zip(shown, dep.discs, strict=True)]


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
