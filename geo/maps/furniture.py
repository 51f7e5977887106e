"""Map furniture of a planning figure: scale, legend behaviour, view, notices, clipping.

North arrow, metric scale, the legend's behaviour, the initial view, the source line,
the tile notice, and lines clipped to the district.

The legend and the title block are HTML controls the builder writes; this module adds
what they need to behave like a printed 规划图 on a screen: the legend collapses (and
starts collapsed on a phone), hides the classes of layers switched off in the layer
control, and the first view fits the district below the title block instead of
under it.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
from folium.template import Template

from geo.data.crs import METRIC_CRS
from geo.figures.labels import LINE_MARGIN_M
from geo.maps.safe import VerbatimElement

#: Map width in CSS pixels below which the legend starts collapsed.
NARROW_PX = 600

#: North arrow: an SVG drawn in the page (no image file, no network).
NORTH_ARROW_SVG = (
    '<svg width="28" height="40" viewBox="0 0 28 40" role="img" aria-label="北 north">'
    '<path d="M14 2 L24 30 L14 24 L4 30 Z" fill="#222" stroke="#222" stroke-width="1"/>'
    '<path d="M14 2 L14 24 L4 30 Z" fill="#fff" stroke="#222" stroke-width="1"/>'
    '<text x="14" y="39" text-anchor="middle" font-size="10" font-weight="700" '
    'font-family="system-ui,sans-serif">N 北</text></svg>'
)


def clip_lines(
    gdf: gpd.GeoDataFrame, district: gpd.GeoDataFrame, margin_m: float = LINE_MARGIN_M
) -> gpd.GeoDataFrame:
    """Clip line features to the district plus a margin, so they stop near its edge.

    Parameters
    ----------
    gdf
        Line features, any CRS.
    district
        The district outline.
    margin_m
        Buffer around the district in metres, computed in EPSG:4544.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy in the input CRS; features with nothing left inside are dropped.
    """
    crs = gdf.crs
    area = district.to_crs(METRIC_CRS).union_all().buffer(margin_m)
    out = gdf.to_crs(METRIC_CRS)
    out = out.set_geometry(out.geometry.intersection(area))
    out = out[~out.geometry.is_empty & out.geometry.notna()]
    return out.to_crs(crs)


class MetricScale(VerbatimElement):
    """Leaflet's scale bar in metres and kilometres only (no miles)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, metric: true, position: "bottomleft"})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


class LegendBehaviour(VerbatimElement):
    """Make the legend collapsible and make it follow the layer control.

    Parameters
    ----------
    groups
        Layer id to the JavaScript name of its feature group.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var box = map.getContainer().querySelector(".geo-legend");
            if (!box) { return; }
            var groups = { {%- for lid, var in this.groups.items() %}
                {{ lid|tojson }}: {{ var }},{% endfor %} };
            var toggle = box.querySelector(".geo-legend-toggle");
            function setCollapsed(yes) {
                box.classList.toggle("geo-collapsed", yes);
                if (toggle) { toggle.setAttribute("aria-expanded", yes ? "false" : "true"); }
                map.fire("geo:furniture");
            }
            if (toggle) {
                toggle.addEventListener("click", function () {
                    setCollapsed(!box.classList.contains("geo-collapsed"));
                });
            }
            function follow() {
                Object.keys(groups).forEach(function (lid) {
                    var on = map.hasLayer(groups[lid]);
                    box.querySelectorAll(".geo-legend-layer").forEach(function (el) {
                        if (el.dataset.layer === lid) { el.hidden = !on; }
                    });
                });
            }
            map.on("overlayadd overlayremove", follow);
            follow();
            var narrow = map.getContainer().clientWidth < {{ this.narrow }};
            setCollapsed(narrow);
            // the "not located" list and the key list start closed on a phone too
            map.getContainer().querySelectorAll(
                "details.geo-unlocated-box, details.geo-keys-box"
            ).forEach(function (box) { if (narrow) { box.open = false; } });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, groups: dict[str, str]) -> None:
        super().__init__()
        self._name = "LegendBehaviour"
        self.groups = groups
        self.narrow = NARROW_PX


class FitBelowTitle(VerbatimElement):
    """Open on the given bounds, padded so the title block and legend do not cover them.

    Parameters
    ----------
    bounds
        ``[[south, west], [north, east]]`` in the display datum.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var c = map.getContainer();
            function fit() {
                var title = c.querySelector(".geo-title");
                var top = title ? title.offsetTop + title.offsetHeight + 8 : 10;
                var legend = c.querySelector(".geo-legend");
                var right = 12;
                if (legend && !legend.classList.contains("geo-collapsed")
                        && c.clientWidth > 900) {
                    right = legend.offsetWidth + 24;
                }
                var source = c.querySelector(".geo-source");
                var bottom = (source ? source.offsetHeight : 0) + 30;
                map.fitBounds({{ this.bounds|tojson }},
                    {paddingTopLeft: [54, top], paddingBottomRight: [right, bottom]});
            }
            fit();
            if (document.fonts && document.fonts.ready) { document.fonts.ready.then(fit); }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "FitBelowTitle"
        self.bounds = bounds


class TileNotice(VerbatimElement):
    """Say when basemap tiles fail to load; everything else still shows.

    Add it after the tile layers (:func:`geo.maps.basemaps.add_basemap`); it brings
    its own style, so any map page can carry it (figures, locate, claims). It is one
    line on a wide screen and wraps within a narrow one; a close button (×) takes it
    away, so it never hides a panel for good.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>.geo-tile-notice{position:absolute;left:50%;transform:translateX(-50%);
         bottom:36px;z-index:1001;background:#fff3cd;color:#664d03;
         padding:2px 4px 2px 8px;border-radius:4px;box-sizing:border-box;
         font:12px system-ui,"Noto Sans CJK SC",sans-serif;width:max-content;
         max-width:calc(100% - 16px);display:flex;align-items:flex-start;gap:4px}
         .geo-tile-notice button{border:0;background:none;color:inherit;cursor:pointer;
         font:inherit;font-size:14px;line-height:1;padding:0 2px}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function (map) {
            var shown = false;
            function notice() {
                if (shown) { return; }
                shown = true;
                var el = L.DomUtil.create("div", "geo-tile-notice", map.getContainer());
                el.setAttribute("role", "status");
                var text = L.DomUtil.create("span", "", el);
                text.textContent = {{ this.text|tojson }};
                var close = L.DomUtil.create("button", "", el);
                close.type = "button";
                close.textContent = "\u00d7";
                close.setAttribute("aria-label", {{ this.close_label|tojson }});
                L.DomEvent.disableClickPropagation(el);
                L.DomEvent.on(close, "click", function () { L.DomUtil.remove(el); });
            }
            map.eachLayer(function (layer) {
                if (layer instanceof L.TileLayer) { layer.on("tileerror", notice); }
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "TileNotice"
        self.text = (
            "底图瓦片无法加载（需要互联网），其余图层照常显示。"
            " Basemap tiles could not load (no internet); everything else is shown."
        )
        self.close_label = "关闭提示 Close this notice"


def add_furniture(m: Any, groups: dict[str, str], bounds: list[list[float]] | None) -> None:
    """Add the scale, legend behaviour, tile notice and initial view to a map.

    Parameters
    ----------
    m
        The map, with its legend and title already added.
    groups
        Layer id to the JavaScript name of its feature group.
    bounds
        Bounds to open on; ``None`` keeps the map's own view.
    """
    MetricScale().add_to(m)
    LegendBehaviour(groups).add_to(m)
    TileNotice().add_to(m)
    if bounds is not None:
        FitBelowTitle(bounds).add_to(m)
