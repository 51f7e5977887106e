"""Count badges on areas: one per (area, layer), with a popup listing the members."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import folium
import folium.plugins
import geopandas as gpd
from branca.element import MacroElement
from folium.template import Template

from geo.data.placement import within_of
from geo.figures.placed import (
    BADGE_CLASS,
    BADGE_REACH_PX,
    MERGE_BADGES_ABOVE,
    PlacedLayer,
)
from geo.maps.features import esc as _esc
from geo.maps.safe import VerbatimElement, js_string

if TYPE_CHECKING:
    from geo.data.catalog import LayerSpec


__all__ = [
    "Badge",
    "BadgeDeclutter",
    "MarkerPopups",
    "add_badges",
]


class Badge(VerbatimElement):
    """A count badge: a Leaflet marker with an HTML label and a popup.

    The label and popup reach the page as JSON strings (:func:`geo.maps.safe.js_string`)
    without a second template pass; their text is escaped by the caller with
    :func:`geo.maps.safe.html_text`.

    Parameters
    ----------
    location
        (lat, lon) in the display datum.
    html
        Escaped label HTML.
    popup
        Escaped popup HTML.
    anchor
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
    """Keep badges clear of each other and of symbols, near their zone and on screen.

    Badges are placed greedily, largest count first. Each badge carries points inside
    its zone (``data-cands``, numbers only); it goes to the first spot, within
    :data:`BADGE_REACH_PX` of one of them, that is inside the map and clear of point
    and schematic symbols, cluster icons, badges already placed and map labels (where
    none is clear, to the spot covering no symbol and the fewest labels). A badge
    away from its point gets a leader line to it; the point it stands for is noted in
    ``data-ax`` and ``data-ay`` (page pixels). Labels are placed first, so badges give way to them.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var REACH = {{ this.reach }};
            // offsets within REACH px, nearest first (deterministic)
            var offsets = [];
            for (var dy = -REACH; dy <= REACH; dy += 4) {
                for (var dx = -REACH; dx <= REACH; dx += 4) {
                    if (dx * dx + dy * dy <= REACH * REACH) { offsets.push([dx, dy]); }
                }
            }
            offsets.sort(function (a, b) {
                return (a[0] * a[0] + a[1] * a[1]) - (b[0] * b[0] + b[1] * b[1])
                    || a[1] - b[1] || a[0] - b[0];
            });
            function hits(r, placed) {
                return placed.some(function (p) {
                    return r.left < p.right + 2 && r.right > p.left - 2 &&
                        r.top < p.bottom + 2 && r.bottom > p.top - 2;
                });
            }
            function moved(r, dx, dy) {
                return {left: r.left + dx, right: r.right + dx,
                        top: r.top + dy, bottom: r.bottom + dy};
            }
            function run() {
                var c = map.getContainer(), box = c.getBoundingClientRect();
                var els = Array.from(c.querySelectorAll(".geo-badge"));
                els.forEach(function (e) {
                    e.style.left = "0px"; e.style.top = "0px";
                    var old = e.querySelector(".geo-badge-leader");
                    if (old) { old.remove(); }
                });
                els.sort(function (a, b) { return (+b.dataset.n) - (+a.dataset.n); });
                // point and schematic symbols, cluster icons and labels are obstacles
                var placed = Array.from(c.querySelectorAll(
                    ".marker-cluster, .leaflet-overlay-pane path.leaflet-interactive"
                )).map(function (e) { return e.getBoundingClientRect(); }).filter(
                    function (r) { return r.width > 0 && r.width <= 48 && r.height <= 48; });
                // labels are soft obstacles: a badge covers one only where nothing else fits
                var soft = [];
                c.querySelectorAll(".geo-label:not(.geo-label-hidden)").forEach(function (e) {
                    var r = e.getBoundingClientRect();
                    if (r.width) { soft.push(r); }
                });
                function search(e, r) {
                    var cands = JSON.parse(e.dataset.cands || "[]").map(function (c) {
                        return map.latLngToContainerPoint(c);
                    });
                    var base = cands.length ? cands[0] : null;
                    var best = null, fewest = Infinity;
                    cands.forEach(function (c) {
                        var sx = c.x - base.x, sy = c.y - base.y;
                        offsets.forEach(function (off) {
                            if (best && best.n === 0) { return; }
                            var o = moved(r, sx + off[0], sy + off[1]);
                            var inside = o.left >= box.left && o.right <= box.right &&
                                o.top >= box.top && o.bottom <= box.bottom;
                            if (!inside) { return; }
                            var n = 1000 * placed.filter(function (p) {
                                return hits(o, [p]);
                            }).length + soft.filter(function (p) { return hits(o, [p]); }).length;
                            if (n < fewest) {
                                fewest = n;
                                best = {n: n, dx: sx + off[0], dy: sy + off[1], off: off, c: c};
                            }
                        });
                    });
                    return best;
                }
                els.forEach(function (e) {
                    e.classList.remove("geo-badge-compact");
                    var r = e.getBoundingClientRect();
                    if (!r.width) { return; }
                    var best = search(e, r);
                    if (best === null || best.n >= 1000) {
                        // no clear spot for the whole text: the count alone (as on a
                        // phone; the popup still names the zone and lists the members)
                        e.classList.add("geo-badge-compact");
                        r = e.getBoundingClientRect();
                        var small = search(e, r);
                        if (small !== null && (best === null || small.n < best.n)) {
                            best = small;
                        } else {
                            e.classList.remove("geo-badge-compact");
                            r = e.getBoundingClientRect();
                        }
                    }
                    if (best === null) { return; }
                    e.style.left = best.dx + "px";
                    e.style.top = best.dy + "px";
                    e.dataset.ax = box.left + best.c.x;
                    e.dataset.ay = box.top + best.c.y;
                    if (best.off[0] || best.off[1]) {
                        var line = document.createElement("span");
                        line.className = "geo-badge-leader";
                        line.style.width = Math.hypot(best.off[0], best.off[1]) + "px";
                        line.style.transform = "rotate(" +
                            Math.atan2(-best.off[1], -best.off[0]) + "rad)";
                        e.appendChild(line);
                    }
                    placed.push(moved(r, best.dx, best.dy));
                });
            }
            // once the view has settled and the cluster layer has redrawn its icons
            var timer = null;
            function later() { clearTimeout(timer); timer = setTimeout(run, 350); }
            map.on("zoomend moveend resize", later);
            map.whenReady(later);
            // a badge's size changes when its font arrives (a font the page's language
            // picks may load only once text asks for it, after fonts.ready): a badge
            // whose size changes is placed again
            if (document.fonts) { document.fonts.ready.then(later); }
            if (window.ResizeObserver) {
                var sizes = new ResizeObserver(function (entries) {
                    if (entries.some(function (en) {
                        return !en.target.dataset.w ||
                            Math.abs(en.contentRect.width - en.target.dataset.w) > 0.5;
                    })) { later(); }
                    entries.forEach(function (en) { en.target.dataset.w = en.contentRect.width; });
                });
                map.getContainer().querySelectorAll(".geo-badge").forEach(function (e) {
                    sizes.observe(e);
                });
            }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "BadgeDeclutter"
        self.reach = BADGE_REACH_PX


class MarkerPopups(VerbatimElement):
    """Bind each marker of a clustered GeoJSON layer to the layer's popup and a tooltip.

    The popup and tooltip are the feature's ``popup`` and ``name_zh`` properties,
    HTML-escaped when the layer's GeoJSON was built; here they are only read from
    the data, never written into the script.

    Parameters
    ----------
    geojson
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


def _badge_html(label: str, sets: list[tuple[LayerSpec, gpd.GeoDataFrame]]) -> str:
    """Return the badge's escaped text; on a phone only the count shows (spans)."""
    text = _badge_text(label, sets)
    head = f"{label} · "
    n = str(sum(len(members) for _, members in sets))
    rest = text[len(head) + len(n) :]
    return (
        f'<span class="geo-badge-area">{_esc(head)}</span>{_esc(n)}'
        f'<span class="geo-badge-rest">{_esc(rest)}</span>'
    )


def _badge_sets(
    placed: list[PlacedLayer], merge: bool
) -> list[tuple[str, list[tuple[LayerSpec, gpd.GeoDataFrame]]]]:
    """Group area members into badges: per (area, layer), or per area when merging."""
    by_area: dict[str, list[tuple[LayerSpec, gpd.GeoDataFrame]]] = {}
    for pl in placed:
        for area, members in pl.areas.groupby(within_of(pl.areas), sort=True):
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
    candidates: Mapping[str, list[tuple[float, float]]] | None = None,
) -> int:
    """Draw the count badges: one per (area, layer), or one per area on busy figures.

    A figure with more than :data:`MERGE_BADGES_ABOVE` point layers that have area
    members gets one badge per area (its popup lists the members layer by layer),
    so that the badges of one area do not pile up.

    Parameters
    ----------
    parent
        The group the badges are drawn in (outside the point cluster).
    placed
        The split point layers.
    anchors
        Display position of each area's badges (already in the basemap's datum).
    labels
        Display name of each area.
    colors
        Layer id to the badge's border colour (single-layer badges).
    candidates
        Points inside each area where its badge may stand, the anchor first
        (default: the anchor only).

    Returns
    -------
    int
        Number of badges drawn.
    """
    merge = sum(1 for pl in placed if len(pl.areas)) > MERGE_BADGES_ABOVE
    drawn = 0
    for area, sets in _badge_sets(placed, merge):
        if area not in anchors:
            continue
        layer_ids = " ".join(layer.id for layer, _ in sets)
        color = colors.get(sets[0][0].id, "#333") if len(sets) == 1 else "#333"
        n = sum(len(members) for _, members in sets)
        cands = (candidates or {}).get(area) or [anchors[area]]
        # 5 decimals (about 1 m) and no spaces: a badge may carry a hundred spots
        spots = json.dumps(
            [[round(float(a), 5), round(float(b), 5)] for a, b in cands], separators=(",", ":")
        )
        html = (
            f'<div class="{BADGE_CLASS}" data-layer="{_esc(layer_ids)}" data-n="{n}" '
            f'data-cands="{_esc(spots)}" '
            f'style="border-color:{_esc(color)}" title="{_esc(_badge_text(labels[area], sets))}">'
            f"{_badge_html(labels[area], sets)}</div>"
        )
        popup = _badge_popup(labels[area], sets)
        Badge(anchors[area], html, popup, (0, 0)).add_to(parent)
        drawn += 1
    return drawn
