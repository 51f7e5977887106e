"""Names on the web map, Chinese first: which ones show, decided in the browser.

Positions are computed by :mod:`geo.figures.labels`, in EPSG:4544: inside an area at its pole of
inaccessibility (:func:`shapely.ops.polylabel`, the point farthest from the edge), along a
line at the middle of the part inside the district, beside a point for a campus.
Which labels show is decided in the browser, in screen space at the current zoom,
by a deterministic greedy pass: labels are tried in priority order (the figure's
must-see names first, then cities, then screens and belts ...), each at its
candidate positions, as is and nudged half its size up, down or sideways; a label
that overlaps one already placed, the title block or a control (a point's name:
also another point symbol) everywhere shows its symbol's key number instead, if it
has one, or is hidden. The pass
re-runs when the view, the size or the visible layers change.

Label text reaches the page as data (JSON) and is set with ``textContent``: a name
never becomes markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from folium.template import Template

from geo.figures.labels import Label
from geo.maps.safe import VerbatimElement


class MapLabels(VerbatimElement):
    """Draw labels into their layers' groups and hide those that would overlap.

    Parameters
    ----------
    labels
        In placement order.
    groups
        Layer id to the JavaScript name of its feature group.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var groups = { {%- for lid, var in this.groups.items() %}
                {{ lid|tojson }}: {{ var }},{% endfor %} };
            if (!map.getPane("geo-labels")) {
                map.createPane("geo-labels").style.zIndex = 450;
            }
            var placed = [];
            {{ this.data|tojson }}.forEach(function (d) {
                var el = document.createElement("div");
                el.className = "geo-label geo-label-" + d.size + " geo-label-" + d.anchor;
                el.dataset.layer = d.layer;
                if (d.tone) { el.classList.add("geo-label-" + d.tone); }
                var full = d.lines.map(function (text, i) {
                    var line = document.createElement("span");
                    line.className = i ? "geo-label-note" : "geo-label-name";
                    if (i === 0 && d.key) { text = d.key + " " + text; }
                    line.textContent = text;
                    return line;
                });
                var short = null;
                if (d.key) {
                    short = document.createElement("span");
                    short.className = "geo-label-name geo-label-key";
                    short.textContent = d.key;
                }
                full.forEach(function (line) { el.appendChild(line); });
                var marker = L.marker(d.at[0], {
                    icon: L.divIcon({html: el, className: "geo-label-anchor", iconSize: null}),
                    interactive: false, keyboard: false, pane: "geo-labels"
                });
                marker.addTo(groups[d.layer] || map);
                placed.push({marker: marker, el: el, at: d.at, full: full, short: short,
                             point: d.anchor === "right"});
            });
            function overlaps(a, b) {
                return a.left < b.right + 2 && b.left < a.right + 2
                    && a.top < b.bottom + 2 && b.top < a.bottom + 2;
            }
            function declutter() {
                var c = map.getContainer();
                var box = c.getBoundingClientRect();
                var taken = [];
                // furniture and cluster icons are never covered (count badges move
                // out of the labels' way themselves)
                var fixed = ".geo-title, .geo-source, .leaflet-control, .marker-cluster";
                c.querySelectorAll(fixed).forEach(
                    function (el) {
                        var r = el.getBoundingClientRect();
                        if (r.width && r.height) { taken.push(r); }
                    });
                // a point's name keeps off the other symbols (inset: it may touch its own)
                var symbols = [];
                c.querySelectorAll(".leaflet-overlay-pane path.leaflet-interactive").forEach(
                    function (el) {
                        var r = el.getBoundingClientRect();
                        if (r.width && r.width <= 48 && r.height <= 48) {
                            symbols.push({left: r.left + 3, right: r.right - 3,
                                          top: r.top + 3, bottom: r.bottom - 3});
                        }
                    });
                function fits(r, point) {
                    var inside = r.left >= box.left && r.right <= box.right
                        && r.top >= box.top && r.bottom <= box.bottom;
                    var clear = function (t) { return !overlaps(r, t); };
                    return inside && taken.every(clear) && (!point || symbols.every(clear));
                }
                function shift(el, dx, dy) {
                    el.style.marginLeft = dx + "px";
                    el.style.marginTop = dy + "px";
                }
                function show(p, lines, around) {
                    p.el.replaceChildren.apply(p.el, lines);
                    shift(p.el, 0, 0);
                    var w = p.el.offsetWidth, h = p.el.offsetHeight;
                    // Each position as it is, then nudged just above, below or beside.
                    var nudges = [[0, 0], [0, -h / 2 - 3], [0, h / 2 + 3],
                                  [w / 2 + 3, 0], [-w / 2 - 3, 0]];
                    if (p.point) {  // a point's label stays against its symbol: right or left
                        nudges = [[0, 0], [0, -h / 2 + 2], [0, h / 2 - 2], [-w - 14, 0]];
                    }
                    if (around) {  // a key number may also sit above or below its symbol
                        nudges = nudges.concat([[-w / 2 - 7, -h / 2 - 8], [-w / 2 - 7, h / 2 + 8],
                                                [-w - 14, -h / 2 - 2], [-w - 14, h / 2 + 2]]);
                    }
                    for (var i = 0; i < p.at.length; i++) {
                        p.marker.setLatLng(p.at[i]);
                        for (var j = 0; j < nudges.length; j++) {
                            shift(p.el, nudges[j][0], nudges[j][1]);
                            var r = p.el.getBoundingClientRect();
                            if (fits(r, p.point)) { taken.push(r); return true; }
                        }
                    }
                    return false;
                }
                placed.forEach(function (p) {
                    if (!map.hasLayer(p.marker)) { return; }
                    p.el.classList.remove("geo-label-hidden");
                    // the name where it fits, else the symbol's key number
                    if (show(p, p.full) || (p.short && show(p, [p.short], true))) { return; }
                    p.el.replaceChildren.apply(p.el, p.full);
                    p.marker.setLatLng(p.at[0]);
                    shift(p.el, 0, 0);
                    p.el.classList.add("geo-label-hidden");
                });
            }
            map.on("moveend zoomend resize overlayadd overlayremove geo:furniture", declutter);
            map.whenReady(declutter);
            if (document.fonts && document.fonts.ready) { document.fonts.ready.then(declutter); }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, labels: Sequence[Label], groups: dict[str, str]) -> None:
        super().__init__()
        self._name = "MapLabels"
        self.groups = groups
        self.data = [
            {
                "layer": lab.layer,
                "lines": list(lab.lines),
                "at": [list(c) for c in lab.candidates],
                "size": lab.size,
                "anchor": lab.anchor,
                "tone": lab.tone,
                "key": lab.short,
            }
            for lab in labels
        ]
