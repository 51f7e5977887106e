"""Controls on a map: HTML blocks, the outline minimap, the shared stylesheet, tools."""

from __future__ import annotations

from typing import Any, cast

import folium
import folium.plugins
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from geo.figures.specs import FigureSpec
from geo.maps.basemaps import Basemap
from geo.maps.css import MAP_CSS
from geo.maps.safe import VerbatimElement

LEGEND_CLASS = "geo-legend"
TITLE_CLASS = "geo-title"


class HtmlControl(VerbatimElement):
    """A block of (already escaped) HTML on the map: a Leaflet control or a top banner.

    The body reaches the page as a JSON string, never as template source.

    Parameters
    ----------
    body
        HTML content; callers escape every value in it.
    css_class
        Class of the container ``div``.
    position
        A Leaflet control corner (``bottomright`` ...), or ``top`` for a centred
        banner inside the map container (it stays visible in full screen).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.DomUtil.create("div", {{ this.css_class|tojson }});
        {{ this.get_name() }}.innerHTML = {{ this.body|tojson }};
        L.DomEvent.disableClickPropagation({{ this.get_name() }});
        L.DomEvent.disableScrollPropagation({{ this.get_name() }});
        {%- if this.position == "top" %}
        {{ this._parent.get_name() }}.getContainer().appendChild({{ this.get_name() }});
        {%- else %}
        var {{ this.get_name() }}_ctl = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}_ctl.onAdd = function () { return {{ this.get_name() }}; };
        {{ this.get_name() }}_ctl.addTo({{ this._parent.get_name() }});
        {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, body: str, css_class: str, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.body = body
        self.css_class = css_class
        self.position = position


class OutlineMiniMap(JSCSSMixin, MacroElement):
    """A minimap that shows the district outline instead of tiles (no network at all).

    Parameters
    ----------
    outline
        GeoJSON of the outline (already in the display datum).
    position
        Leaflet control corner.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }}_layer = L.geoJson({{ this.outline|tojson }},
            {interactive: false, style: {color: "#000", weight: 1, fill: false}});
        var {{ this.get_name() }} = new L.Control.MiniMap({{ this.get_name() }}_layer, {
            position: {{ this.position|tojson }}, toggleDisplay: true, zoomLevelOffset: -4});
        {{ this._parent.get_name() }}.addControl({{ this.get_name() }});
        {% endmacro %}
        """
    )
    default_js = folium.plugins.MiniMap.default_js
    default_css = folium.plugins.MiniMap.default_css

    def __init__(self, outline: dict[str, Any], position: str = "bottomleft") -> None:
        super().__init__()
        self._name = "OutlineMiniMap"
        self.outline = outline or {"type": "FeatureCollection", "features": []}
        self.position = position


def add_stylesheet(m: folium.Map) -> None:
    """Add the shared CSS of titles, legends and popups to the page header."""
    cast(Figure, m.get_root()).header.add_child(
        Element(f"<style>{MAP_CSS}</style>"), name="geo_maps_css"
    )


def add_tools(
    m: folium.Map,
    spec: FigureSpec,
    basemap: Basemap,
    outline: dict[str, Any],
    edit: bool = False,
) -> None:
    """Add the tools: measure, full screen, a minimap and, to edit, draw with export.

    Parameters
    ----------
    m
        The map.
    spec
        Its figure (names the exported sketch).
    basemap
        With tiles, the minimap shows them; without, the district outline.
    outline
        GeoJSON of the district outline.
    edit
        Add the Draw toolbar and its Export button (``geo maps --edit``): sketches
        to save as GeoJSON for ``geo add-layer``. Reading maps leave them out.
    """
    folium.plugins.Fullscreen(position="topleft").add_to(m)
    folium.plugins.MeasureControl(
        position="topleft",
        primary_length_unit="meters",
        secondary_length_unit="kilometers",
        primary_area_unit="sqmeters",
        secondary_area_unit="hectares",
    ).add_to(m)
    if edit:
        folium.plugins.Draw(
            export=True,
            filename=f"{spec.id}-sketch.geojson",
            position="topleft",
            draw_options={"circle": False, "circlemarker": False},
        ).add_to(m)
    if basemap.tiles:
        t = basemap.tiles[0]
        tile = folium.TileLayer(tiles=t.url, attr=t.attribution, subdomains=t.subdomains)
        folium.plugins.MiniMap(tile_layer=tile, position="bottomleft", toggle_display=True).add_to(
            m
        )
    else:
        OutlineMiniMap(outline, position="bottomleft").add_to(m)
