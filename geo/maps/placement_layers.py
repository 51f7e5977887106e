"""The placement rule on a map: points, count badges on areas, a not-located list.

A point layer's features are split by :func:`geo.placement.placement`:

``point``
    drawn as one circle marker each. All point layers of a figure share one
    :class:`folium.plugins.MarkerCluster` (each layer a sub-group, so the layer
    control still toggles it): points within a few pixels of each other at the
    current zoom are drawn as one numbered cluster instead of hiding each other.
``area``
    one labelled badge per (area, layer), e.g. "重庆大学城 · 3 个研发平台", on the
    area named by the feature's ``within`` (a gazetteer area or a zone id); its
    popup lists every member with its plan reference.
``unlocated``
    listed, by layer, in the collapsible "位置未定 / not located" panel; never drawn.

Every data string is HTML-escaped before it reaches a popup, badge or the panel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template

from geo.maps.safe import VerbatimElement, js_string
from geo.placement import Placement, is_zone_id, placement, zone_ids

if TYPE_CHECKING:
    from geo.catalog import Catalog, LayerSpec
    from geo.gazetteer import Gazetteer

__all__ = [
    "BADGE_CLASS",
    "PANEL_CLASS",
    "Badge",
    "BadgeDeclutter",
    "FollowLayer",
    "MarkerPopups",
    "PlacedLayer",
    "PlacedPoints",
    "add_badges",
    "area_anchors",
    "badge_colours",
    "label_groups",
    "place_points",
    "point_cluster",
    "split_layer",
    "unlocated_html",
]

BADGE_CLASS = "geo-badge"
PANEL_CLASS = "geo-unlocated"
#: Points closer than this many pixels at the current zoom are clustered.
CLUSTER_RADIUS_PX = 8
#: Figures with more point layers than this (that have area members) get one badge
#: per area instead of one per (area, layer).
MERGE_BADGES_ABOVE = 2
#: Maximum zoom of a map whose basemap sets none (``--basemap none``).
MAX_ZOOM = 19
#: Vertical step between badges of different layers on one area, in pixels.
BADGE_STEP_PX = 24


def _esc(value: Any) -> str:
    from geo.maps.builder import esc

    return esc(value)


@dataclass
class PlacedLayer:
    """A point layer split by the placement rule.

    Attributes
    ----------
    layer : LayerSpec
        The layer.
    points : GeoDataFrame
        Features drawn as points.
    areas : GeoDataFrame
        Features counted on an area (their ``within``).
    unlocated : GeoDataFrame
        Features only listed.
    """

    layer: LayerSpec
    points: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    unlocated: gpd.GeoDataFrame = field(repr=False)


def split_layer(
    layer: LayerSpec, gdf: gpd.GeoDataFrame, max_accuracy_m: float, known_areas: set[str]
) -> PlacedLayer:
    """Split a point layer into points, area members and unlocated features.

    Parameters
    ----------
    layer : LayerSpec
        The layer.
    gdf : geopandas.GeoDataFrame
        Its features (any CRS; the split reads only properties).
    max_accuracy_m : float
        Largest ``accuracy_m`` drawn as a point.
    known_areas : set of str
        ``within`` values that can be drawn (see :func:`area_anchors`); a feature
        whose area cannot be drawn is listed as not located rather than lost.

    Returns
    -------
    PlacedLayer
    """
    level = placement(gdf, max_accuracy_m)
    within = _within(gdf)
    drawable = within.isin(known_areas)
    is_area = (level == Placement.AREA.value) & drawable
    is_point = level == Placement.POINT.value
    return PlacedLayer(layer, gdf[is_point], gdf[is_area], gdf[~is_point & ~is_area])


def _within(gdf: gpd.GeoDataFrame) -> pd.Series:
    if "within" not in gdf.columns:
        return pd.Series("", index=gdf.index)
    return gdf["within"].fillna("").astype(str).str.strip()


def _zone_points(
    names: set[str], catalog: Catalog, layers: Mapping[str, gpd.GeoDataFrame]
) -> dict[str, tuple[float, float, str]]:
    """Label points (lon, lat, name) of the named zones that are loaded."""
    out: dict[str, tuple[float, float, str]] = {}
    owners = zone_ids(catalog)
    for zid in names:
        gdf = layers.get(owners.get(zid, ""))
        hit = None if gdf is None else gdf.loc[gdf["id"] == zid]
        if hit is None or hit.empty or hit.geometry.iloc[0].is_empty:
            continue
        # the largest part's label point: inside the zone, away from its edges
        parts = shapely.get_parts(hit.geometry.iloc[0])
        big = max(parts, key=lambda g: g.area)
        pt = big.representative_point()
        out[zid] = (pt.x, pt.y, str(hit["name_zh"].iloc[0]))
    return out


def area_anchors(
    names: set[str],
    catalog: Catalog,
    layers: Mapping[str, gpd.GeoDataFrame],
    gazetteer: Gazetteer | None = None,
) -> dict[str, tuple[float, float, str]]:
    """Return where each named area's badge stands: (lon, lat, label) in WGS-84.

    Parameters
    ----------
    names : set of str
        ``within`` values to place.
    catalog : Catalog
        Tells which derived layer holds each zone id.
    layers : Mapping of str to GeoDataFrame
        Loaded layers (EPSG:4326); zones come from here.
    gazetteer : Gazetteer, optional
        Resolves gazetteer areas; default the project's gazetteer.

    Returns
    -------
    dict
        ``within`` value to (lon, lat, label). Names that cannot be placed (a zone
        not loaded, an unknown place) are absent.
    """
    from geo.gazetteer import load_gazetteer

    zones = {n for n in names if is_zone_id(n)}
    out = _zone_points(zones, catalog, layers)
    places = names - zones
    if not places:
        return out
    if gazetteer is None:
        try:
            gazetteer = load_gazetteer()
        except (FileNotFoundError, ValueError):
            return out  # no gazetteer: members of named places are listed instead
    gaz = gazetteer
    for name in places:
        if name in gaz:
            place = gaz.lookup(name)
            out[name] = (place.lon, place.lat, name)
    return out


class FollowLayer(MacroElement):
    """Show ``follower`` exactly while ``leader`` is on the map (no data in the script).

    Parameters
    ----------
    leader, follower : folium.map.Layer
        Layers already added to the map; the follower starts visible.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.leader.get_name() }}.on("add", function () {
            {{ this.follower.get_name() }}.addTo({{ this._parent.get_name() }});
        });
        {{ this.leader.get_name() }}.on("remove", function () {
            {{ this._parent.get_name() }}.removeLayer({{ this.follower.get_name() }});
        });
        {% endmacro %}
        """
    )

    def __init__(self, leader: Any, follower: Any) -> None:
        super().__init__()
        self._name = "FollowLayer"
        self.leader = leader
        self.follower = follower


def label_groups(m: folium.Map, groups: Mapping[str, Any]) -> dict[str, str]:
    """Return the JavaScript name of the group each layer's map labels go in.

    A clustered point layer's own group would fold its labels into the cluster with
    its points, so its labels get a plain group of their own that follows the layer
    on and off the map.

    Parameters
    ----------
    m : folium.Map
        The map.
    groups : Mapping of str to layer
        Layer id to the group the layer is drawn in.

    Returns
    -------
    dict of str to str
    """
    out = {}
    for lid, group in groups.items():
        if isinstance(group, folium.plugins.FeatureGroupSubGroup):
            twin = folium.FeatureGroup(name=f"{lid}-labels", control=False).add_to(m)
            FollowLayer(group, twin).add_to(m)
            group = twin
        out[lid] = group.get_name()
    return out


def badge_colours(colors: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Return each layer's badge border: its colour when it has one, else dark grey.

    Parameters
    ----------
    colors : Mapping
        Layer id to class to colour (the figure's legend colours).

    Returns
    -------
    dict of str to str
    """
    return {lid: next(iter(c.values())) if len(c) == 1 else "#333333" for lid, c in colors.items()}


#: A cluster icon no larger than two point symbols (the default is 40 px), so that it
#: leaves room for the labels of small zones around it. Only a count enters it.
_CLUSTER_ICON = """
function (cluster) {
    return L.divIcon({
        html: "<div><span>" + cluster.getChildCount() + "</span></div>",
        className: "marker-cluster marker-cluster-small geo-cluster",
        iconSize: L.point(22, 22)
    });
}
"""


def point_cluster(m: folium.Map) -> folium.plugins.MarkerCluster:
    """Return the one cluster group that holds every point layer of a map."""
    # clustering needs a maximum zoom, which a map without tiles does not set
    m.options.setdefault("max_zoom", MAX_ZOOM)
    cluster = folium.plugins.MarkerCluster(
        name="points",
        control=False,
        icon_create_function=_CLUSTER_ICON,
        options={
            "maxClusterRadius": CLUSTER_RADIUS_PX,
            "spiderfyOnMaxZoom": True,
            "showCoverageOnHover": False,
        },
    )
    cluster.add_to(m)
    return cluster


class Badge(VerbatimElement):
    """A count badge: a Leaflet marker with an HTML label and a popup.

    The label and popup reach the page as JSON strings (:func:`geo.maps.safe.js_string`)
    without a second template pass; their text is escaped by the caller with
    :func:`geo.maps.safe.html_text`.

    Parameters
    ----------
    location : tuple of float
        (lat, lon) in the display datum.
    html : str
        Escaped label HTML.
    popup : str
        Escaped popup HTML.
    anchor : tuple of int
        Leaflet ``iconAnchor`` in pixels (stacks badges of one area).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.marker({{ this.location|tojson }}, {
            icon: L.divIcon({html: {{ this.js_html }}, className: "geo-badge-icon",
                             iconSize: null, iconAnchor: {{ this.anchor|tojson }}}),
            riseOnHover: true
        }).bindPopup({{ this.js_popup }}, {maxWidth: 380});
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self, location: tuple[float, float], html: str, popup: str, anchor: tuple[int, int]
    ) -> None:
        super().__init__()
        self._name = "Badge"
        self.location = [float(v) for v in location]
        self.anchor = [int(v) for v in anchor]
        self.js_html = js_string(html)
        self.js_popup = js_string(popup)


class BadgeDeclutter(MacroElement):
    """Move overlapping badges apart on screen after every zoom (no data in the script).

    Badges are placed greedily, largest count first; a badge that would overlap a
    point symbol, a cluster icon, a map label or a badge already placed is shifted
    down or up by whole badge heights until it is clear. Labels are placed first
    (on every move, without waiting), so badges give way to them.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            function run() {
                var els = Array.from(map.getContainer().querySelectorAll(".geo-badge"));
                els.forEach(function (e) { e.style.top = "0px"; });
                els.sort(function (a, b) { return (+b.dataset.n) - (+a.dataset.n); });
                // point symbols, cluster icons and the map's labels are obstacles too
                var c = map.getContainer();
                var placed = Array.from(c.querySelectorAll(
                    ".marker-cluster, .leaflet-overlay-pane path.leaflet-interactive"
                )).map(function (e) { return e.getBoundingClientRect(); }).filter(
                    function (r) { return r.width > 0 && r.width <= 48 && r.height <= 48; });
                c.querySelectorAll(".geo-label:not(.geo-label-hidden)").forEach(function (e) {
                    var r = e.getBoundingClientRect();
                    if (r.width) { placed.push(r); }
                });
                els.forEach(function (e) {
                    var r = e.getBoundingClientRect();
                    if (!r.width) { return; }
                    var step = r.height + 2, dy = 0;
                    for (var k = 1; k < 60; k++) {
                        var hit = placed.some(function (p) {
                            return r.left < p.right + 2 && r.right > p.left - 2 &&
                                r.top + dy < p.bottom + 2 && r.bottom + dy > p.top - 2;
                        });
                        if (!hit) { break; }
                        dy = (k % 2 ? 1 : -1) * Math.ceil(k / 2) * step;
                    }
                    e.style.top = dy + "px";
                    placed.push({left: r.left, right: r.right, top: r.top + dy,
                                 bottom: r.bottom + dy});
                });
            }
            // once the view has settled and the cluster layer has redrawn its icons
            var timer = null;
            function later() { clearTimeout(timer); timer = setTimeout(run, 350); }
            map.on("zoomend moveend resize", later);
            map.whenReady(later);
            // a badge's size changes when its web font arrives
            if (document.fonts) { document.fonts.ready.then(later); }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "BadgeDeclutter"


class MarkerPopups(VerbatimElement):
    """Bind each marker of a clustered GeoJSON layer to the layer's popup and a tooltip.

    The popup and tooltip are the feature's ``popup`` and ``name_zh`` properties,
    HTML-escaped when the layer's GeoJSON was built; here they are only read from
    the data, never written into the script.

    Parameters
    ----------
    geojson : folium.GeoJson
        The layer, already added to its group.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.popup({maxWidth: 380}).setContent(
            function (layer) { return layer.feature.properties.popup; });
        {{ this.geojson.get_name() }}.eachLayer(function (layer) {
            layer.bindPopup({{ this.get_name() }});
            layer.bindTooltip(layer.feature.properties.name_zh, {sticky: true});
        });
        {% endmacro %}
        """
    )

    def __init__(self, geojson: folium.GeoJson) -> None:
        super().__init__()
        self._name = "MarkerPopups"
        self.geojson = geojson


def _noun(layer: LayerSpec) -> str:
    return f"个{layer.title_zh}"


def _member_item(row: Mapping[str, Any]) -> str:
    acc = f"{float(row.get('accuracy_m') or 0):,.0f}"
    return (
        f"<li>{_esc(row.get('name_zh'))} <span class='geo-ref'>{_esc(row.get('plan_ref'))}</span>"
        f" <span class='geo-acc'>±{_esc(acc)} m</span></li>"
    )


def _badge_popup(label: str, sets: list[tuple[LayerSpec, gpd.GeoDataFrame]]) -> str:
    parts = []
    for layer, members in sets:
        rows = members.drop(columns=members.geometry.name).to_dict("records")
        items = "".join(_member_item(r) for r in rows)
        parts.append(f"<b>{_esc(layer.title_zh)}</b> {_esc(layer.title_en)}<ul>{items}</ul>")
    return (
        f'<div class="geo-popup"><b>{_esc(label)}</b><br>'
        f"<i>位置只知在此区域内 known only to lie in this area</i>{''.join(parts)}</div>"
    )


def _badge_text(label: str, sets: list[tuple[LayerSpec, gpd.GeoDataFrame]]) -> str:
    n = sum(len(members) for _, members in sets)
    if len(sets) == 1:
        return f"{label} · {n} {_noun(sets[0][0])}"
    return f"{label} · {n} 项（{len(sets)} 类）"


def _badge_sets(
    placed: list[PlacedLayer], merge: bool
) -> list[tuple[str, list[tuple[LayerSpec, gpd.GeoDataFrame]]]]:
    """Group area members into badges: per (area, layer), or per area when merging."""
    by_area: dict[str, list[tuple[LayerSpec, gpd.GeoDataFrame]]] = {}
    for pl in placed:
        for area, members in pl.areas.groupby(_within(pl.areas), sort=True):
            by_area.setdefault(str(area), []).append((pl.layer, members))
    if merge:
        return sorted(by_area.items())
    return [(area, [one]) for area, sets in sorted(by_area.items()) for one in sets]


def add_badges(
    parent: folium.map.FeatureGroup,
    placed: list[PlacedLayer],
    anchors: Mapping[str, tuple[float, float]],
    labels: Mapping[str, str],
    colors: Mapping[str, str],
) -> int:
    """Draw the count badges: one per (area, layer), or one per area on busy figures.

    A figure with more than :data:`MERGE_BADGES_ABOVE` point layers that have area
    members gets one badge per area (its popup lists the members layer by layer),
    so that the badges of one area do not pile up.

    Parameters
    ----------
    parent : folium.FeatureGroup
        The group the badges are drawn in (outside the point cluster).
    placed : list of PlacedLayer
        The split point layers.
    anchors : Mapping of str to (lat, lon)
        Display position of each area's badges (already in the basemap's datum).
    labels : Mapping of str to str
        Display name of each area.
    colors : Mapping of str to str
        Layer id to the badge's border colour (single-layer badges).

    Returns
    -------
    int
        Number of badges drawn.
    """
    merge = sum(1 for pl in placed if len(pl.areas)) > MERGE_BADGES_ABOVE
    stack: dict[str, int] = {}
    drawn = 0
    for area, sets in _badge_sets(placed, merge):
        if area not in anchors:
            continue
        row = stack.get(area, 0)
        stack[area] = row + 1
        layer_ids = " ".join(layer.id for layer, _ in sets)
        color = colors.get(sets[0][0].id, "#333") if len(sets) == 1 else "#333"
        n = sum(len(members) for _, members in sets)
        html = (
            f'<div class="{BADGE_CLASS}" data-layer="{_esc(layer_ids)}" data-n="{n}" '
            f'style="border-color:{_esc(color)}">{_esc(_badge_text(labels[area], sets))}</div>'
        )
        popup = _badge_popup(labels[area], sets)
        Badge(anchors[area], html, popup, (0, -row * BADGE_STEP_PX)).add_to(parent)
        drawn += 1
    return drawn


def _listed(rows: list[dict[str, Any]], note_key: str = "plan_ref") -> str:
    return "".join(
        f"<li>{_esc(r.get('name_zh'))} <span class='geo-ref'>{_esc(r.get(note_key))}</span></li>"
        for r in rows
    )


def _by_class(layer: LayerSpec, gdf: gpd.GeoDataFrame) -> str:
    """List features under a heading per class (the layer's category field)."""
    field = layer.kind_field if layer.kind_field in gdf.columns else "kind"
    rows = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    classes: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        classes.setdefault(str(r.get(field) or ""), []).append(r)
    if len(classes) == 1:
        return f"<ul>{_listed(rows)}</ul>"
    return "".join(
        f'<div class="geo-class">{_esc(k)}</div><ul>{_listed(v)}</ul>'
        for k, v in sorted(classes.items())
    )


def unlocated_html(
    placed: list[PlacedLayer], underivable: tuple[tuple[LayerSpec, gpd.GeoDataFrame], ...] = ()
) -> str:
    """Return the "位置未定 / not located" panel; empty when nothing is to be listed.

    Parameters
    ----------
    placed : list of PlacedLayer
        The split point layers: their unlocated features are listed by layer, and
        within a layer by class, with their plan references.
    underivable : tuple of (LayerSpec, GeoDataFrame)
        Zones of the figure that could not be derived (empty shapes), listed with
        the reason.

    Returns
    -------
    str
        Collapsible ``<details>`` blocks, every value escaped.
    """
    blocks = [
        f'<details data-layer="{_esc(pl.layer.id)}"><summary>{_esc(pl.layer.title_zh)} '
        f"{_esc(pl.layer.title_en)} ({len(pl.unlocated)})</summary>"
        f"{_by_class(pl.layer, pl.unlocated)}</details>"
        for pl in placed
        if not pl.unlocated.empty
    ]
    blocks += [
        f'<details data-layer="{_esc(layer.id)}"><summary>{_esc(layer.title_zh)} '
        f"{_esc(layer.title_en)}: 未能绘出 not derivable ({len(zones)})</summary>"
        f"<ul>{_listed(zones.drop(columns=zones.geometry.name).to_dict('records'), 'rule')}"
        "</ul></details>"
        for layer, zones in underivable
    ]
    if not blocks:
        return ""
    # one box, open on a wide screen; the legend's script closes it on a narrow one
    return (
        '<details class="geo-unlocated-box" open>'
        '<summary class="geo-unlocated-title">位置未定 / not located</summary>'
        '<div class="geo-note">只知在区内，不绘为点 Known only to be in the district: '
        "listed, not drawn.</div>" + "".join(blocks) + "</details>"
    )


#: Styles of badges and the not-located panel (added to the map's stylesheet).
PLACEMENT_CSS = f"""
.{BADGE_CLASS} {{ display: inline-block; position: relative; white-space: nowrap;
  transform: translate(-50%, -50%);
  background: rgba(255,255,255,0.92); border: 2px solid #333; border-radius: 10px;
  padding: 1px 6px; font: 12px/16px sans-serif; color: #222; }}
.{PANEL_CLASS} {{ background: rgba(255,255,255,0.95); padding: 6px 8px; max-width: 300px;
  max-height: 40vh; overflow-y: auto; font: 12px/16px sans-serif; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); }}
.{PANEL_CLASS} ul {{ margin: 2px 0 4px 0; padding-left: 16px; }}
.{PANEL_CLASS} .geo-ref, .geo-badge-list .geo-ref {{ color: #666; font-size: 10px; }}
.geo-unlocated-title {{ font-weight: bold; }}
.geo-cluster div {{ width: 18px; height: 18px; margin: 2px; border-radius: 9px; }}
.geo-cluster span {{ line-height: 18px; font: bold 11px/18px sans-serif; }}
/* the cluster layer animates every marker icon while it regroups; badges and map
   labels are placed by measuring them, so they must stand still */
.leaflet-cluster-anim .geo-badge-icon, .leaflet-cluster-anim .geo-label-anchor {{
  transition: none !important; }}
.{PANEL_CLASS} .geo-class {{ font-style: italic; margin-top: 2px; }}
"""


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
