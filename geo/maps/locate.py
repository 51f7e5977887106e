"""The locate page: fix approximate positions by dragging markers on a map.

Every approximate gazetteer place is a draggable marker at its anchor, with its
accuracy circle and the evidence of the anchor in a popup. A search box finds
places by any name or alias. The user drags each marker to where the place really
is and exports a CSV (``name_zh, lon, lat, zoom``) of the markers moved, which
``geo gazetteer apply FILE --crs wgs84`` accepts unchanged: over Gaode tiles
(GCJ-02) the page shows everything shifted to GCJ-02 and converts the dropped
positions back to WGS-84 before export. The zoom at which a marker was dropped is
exported too: it sets the accuracy of the position (a point dropped at zoom 12 is
worse than one dropped at zoom 17).

The page is one self-contained HTML file (Leaflet inlined); only tiles need the
internet, and with ``--basemap none`` nothing does. Place data reach the page as
JSON inside a script (``<``, ``>`` and ``&`` escaped) and are put into the page
with ``textContent``, never as HTML.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd

from geo.data.accuracy import LINE_OR_AREA_KINDS
from geo.data.crs import convert, convert_gdf
from geo.maps.assets import inline_assets
from geo.maps.basemaps import Basemap, add_basemap
from geo.maps.furniture import TileNotice
from geo.maps.ids import stable_ids
from geo.maps.page import finish_page

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

    from geo.data.gazetteer import Gazetteer, Place

__all__ = ["EXPORT_COLUMNS", "locate_page", "page_data", "script_json"]

#: Columns of the exported CSV.
EXPORT_COLUMNS: tuple[str, ...] = ("name_zh", "lon", "lat", "zoom")
#: Map view when there is no district: Shapingba.
_CENTER = (29.60, 106.38)

_CSS = """
#locate-panel{position:absolute;top:10px;right:10px;z-index:1000;width:300px;
max-height:calc(100% - 40px);overflow:auto;background:#fff;padding:8px 10px;
font:13px/1.4 "Noto Sans CJK SC","Microsoft YaHei",sans-serif;border-radius:4px;
box-shadow:0 1px 5px rgba(0,0,0,.4)}
#locate-panel h1{font-size:15px;margin:0 0 4px}
#locate-panel p{margin:2px 0 6px;color:#444}
#locate-search{width:100%;box-sizing:border-box;padding:4px;margin:4px 0}
#locate-list{list-style:none;margin:0;padding:0}
#locate-list li{padding:3px 2px;border-bottom:1px solid #eee;cursor:pointer}
#locate-list li.moved{background:#e6f4ea}
#locate-list li.hidden{display:none}
#locate-export{width:100%;margin:6px 0;padding:6px;font-weight:bold;cursor:pointer}
.locate-pin{width:14px;height:14px;border-radius:50%;border:2px solid #fff;
background:#d95f02;box-shadow:0 0 3px #000}
.locate-pin.moved{background:#1b9e77}
@media (max-width:600px){#locate-panel{width:180px;font-size:12px}}
"""

_SKIP = "跳到搜索 Skip to the search"
_PANEL = """
<div id="locate-panel" role="complementary" aria-label="定位 Locate places">
<h1>定位 Locate places</h1>
<p>拖动标记到实际位置，然后导出 CSV。Drag each marker to where the place is, then export
the CSV and run <code>geo gazetteer apply FILE --crs wgs84 --source TEXT</code>.</p>
<p id="locate-datum"></p>
<input id="locate-search" type="search" placeholder="搜索名称或别名 Search names and aliases">
<button id="locate-export" type="button">导出 CSV Export (<span id="locate-count">0</span>)</button>
<ul id="locate-list"></ul>
</div>
"""

# The page's logic. PLACES, DATUM, MAP, SKIPPED and BOUNDS are substituted by locate_page.
_JS = """
(function () {
  var places = __PLACES__;
  var datum = __DATUM__;
  var map = __MAP__;
  var skipped = __SKIPPED__;
  var bounds = __BOUNDS__;
  // fit without animation, so nothing moves the view after the page has loaded
  if (bounds) { map.fitBounds(bounds, {animate: false}); }
  var A = 6378245.0, EE = 0.00669342162296594323;
  function delta(lon, lat) {
    var x = lon - 105.0, y = lat - 35.0, sq = Math.sqrt(Math.abs(x)), PI = Math.PI;
    var dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sq;
    dlat += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    dlat += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    dlat += (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    var dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sq;
    dlon += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    dlon += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    dlon += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    var rad = lat / 180.0 * PI, magic = 1 - EE * Math.sin(rad) * Math.sin(rad);
    var sm = Math.sqrt(magic);
    return [(dlon * 180.0) / (A / sm * Math.cos(rad) * PI),
            (dlat * 180.0) / ((A * (1 - EE)) / (magic * sm) * PI)];
  }
  // GCJ-02 to WGS-84 by fixed-point iteration of the forward offset
  function toWgs84(lon, lat) {
    if (datum !== "gcj02") { return [lon, lat]; }
    var w = [lon, lat];
    for (var i = 0; i < 30; i++) {
      var d = delta(w[0], w[1]);
      var e0 = w[0] + d[0] - lon, e1 = w[1] + d[1] - lat;
      w = [w[0] - e0, w[1] - e1];
      if (Math.abs(e0) < 1e-12 && Math.abs(e1) < 1e-12) { break; }
    }
    return w;
  }
  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) { el.className = cls; }
    return el;
  }
  function key(s) {
    return String(s).normalize("NFKC").replace(/\\s+/g, "").toLowerCase();
  }
  var list = document.getElementById("locate-list");
  var count = document.getElementById("locate-count");
  document.getElementById("locate-datum").textContent = datum === "gcj02"
    ? "底图为 GCJ-02：导出时转换为 WGS-84 (Gaode tiles are GCJ-02; the export is WGS-84)"
    : "导出坐标为 WGS-84 (the export is WGS-84)";
  if (skipped.length) {
    document.getElementById("locate-datum").appendChild(text("div",
      "不可用一点定位 (a line or the district, edit its layer instead): " + skipped.join("、")));
  }
  var state = places.map(function (p) {
    var icon = L.divIcon({className: "", html: "<div class='locate-pin'></div>",
                          iconSize: [18, 18], iconAnchor: [9, 9]});
    var marker = L.marker([p.lat, p.lon], {draggable: true, icon: icon, title: p.name_zh});
    L.circle([p.lat, p.lon], {radius: p.accuracy_m, color: "#d95f02", weight: 1,
                              dashArray: "4 4", fill: false, interactive: false}).addTo(map);
    var pop = document.createElement("div");
    pop.appendChild(text("b", p.name_zh + " " + p.name_en));
    if (p.aliases) { pop.appendChild(text("div", "别名 aliases: " + p.aliases)); }
    pop.appendChild(text("div", "精度 accuracy: ±" + p.accuracy_m + " m"));
    pop.appendChild(text("div", "锚点依据 anchor: " + p.source));
    pop.appendChild(text("div", p.note));
    marker.bindPopup(pop, {maxWidth: 320});
    var item = text("li", p.name_zh + " " + p.name_en);
    item.setAttribute("data-name", p.name_zh);
    var s = {place: p, marker: marker, item: item, moved: false, zoom: null,
             keys: [p.name_zh, p.name_en].concat(p.aliases.split("|")).map(key)};
    marker.on("dragend", function () {
      s.moved = true;
      s.zoom = map.getZoom();
      item.className = "moved";
      marker.getElement().firstChild.className = "locate-pin moved";
      count.textContent = state.filter(function (t) { return t.moved; }).length;
    });
    item.addEventListener("click", function () {
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15));
      marker.openPopup();
    });
    list.appendChild(item);
    marker.addTo(map);
    return s;
  });
  // places anchored at one point would hide each other: spread the markers not yet
  // moved on a small ring (in pixels, at every zoom) around the shared anchor
  var groups = {};
  state.forEach(function (s) {
    var k = s.place.lat.toFixed(7) + "," + s.place.lon.toFixed(7);
    (groups[k] = groups[k] || []).push(s);
  });
  function spread() {
    var z = map.getZoom();
    Object.keys(groups).forEach(function (k) {
      var g = groups[k];
      if (g.length < 2) { return; }
      g.forEach(function (s, i) {
        if (s.moved) { return; }
        var a = 2 * Math.PI * i / g.length, r = 8 + 3 * g.length;
        var p = map.project([s.place.lat, s.place.lon], z).add([r * Math.cos(a), r * Math.sin(a)]);
        s.marker.setLatLng(map.unproject(p, z));
      });
    });
  }
  spread();
  map.on("zoomend", spread);
  document.getElementById("locate-search").addEventListener("input", function (ev) {
    var q = key(ev.target.value);
    state.forEach(function (s) {
      var hit = !q || s.keys.some(function (k) { return k.indexOf(q) >= 0; });
      s.item.className = (s.moved ? "moved" : "") + (hit ? "" : " hidden");
    });
  });
  function cell(v) {
    var t = String(v);
    return /[",\\n\\r]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
  }
  window.locateCsv = function () {
    var rows = ["name_zh,lon,lat,zoom"];
    state.filter(function (s) { return s.moved; }).forEach(function (s) {
      var ll = s.marker.getLatLng(), w = toWgs84(ll.lng, ll.lat);
      rows.push([cell(s.place.name_zh), w[0].toFixed(7), w[1].toFixed(7), s.zoom].join(","));
    });
    return rows.join("\\n") + "\\n";
  };
  document.getElementById("locate-export").addEventListener("click", function () {
    var blob = new Blob([window.locateCsv()], {type: "text/csv;charset=utf-8"});
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "locate-positions.csv";
    document.body.appendChild(a);
    a.click();
    a.remove();
  });
  window.locateMarkers = state;
})();
"""


def script_json(value: Any) -> str:
    r"""Return JSON safe to place inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as ``\\u`` escapes, so no data string can
    close the script or open a comment; the result is still the same JavaScript
    value.

    Parameters
    ----------
    value
        JSON-serialisable data.

    Returns
    -------
    str
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(ch, esc)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _record(place: Place, lon: float, lat: float, note: str) -> dict[str, Any]:
    return {
        "name_zh": place.name_zh,
        "name_en": place.name_en,
        "aliases": "|".join(place.aliases),
        "lon": round(lon, 7),
        "lat": round(lat, 7),
        "accuracy_m": float(place.accuracy_m),
        "source": place.source,
        "note": note,
    }


def page_data(gazetteer: Gazetteer, datum: str = "wgs84") -> list[dict[str, Any]]:
    """Return the approximate places as the page shows them.

    Parameters
    ----------
    gazetteer
        The places; only approximate (anchored) ones are returned.
    datum
        Datum of the basemap (``gcj02`` for Gaode): the positions are shifted to it.

    Returns
    -------
    list of dict
        ``name_zh, name_en, aliases, lon, lat, accuracy_m, source, note`` per place;
        places of a kind one point cannot locate (a road, the district) are left out.
    """
    notes = {}
    table = gazetteer.to_frame()
    if "note" in table.columns:
        notes = dict(
            zip(table["name_zh"].astype(str), table["note"].fillna("").astype(str), strict=True)
        )
    places = [p for p in gazetteer if p.approximate and p.kind not in LINE_OR_AREA_KINDS]
    lon, lat = convert([p.lon for p in places], [p.lat for p in places], "wgs84", datum)
    return [
        _record(p, float(x), float(y), notes.get(p.name_zh, ""))
        for p, x, y in zip(places, lon, lat, strict=True)
    ]


def _outline(
    m: folium.Map, district: BaseGeometry | None, basemap: Basemap
) -> list[list[float]] | None:
    """Draw the district outline; return its bounds (display datum) for the first view."""
    if district is None:
        return None
    gdf = gpd.GeoDataFrame(geometry=[district], crs="EPSG:4326")
    if basemap.needs_shift:
        gdf = convert_gdf(gdf, "wgs84", "gcj02")
    folium.GeoJson(
        gdf.__geo_interface__,
        name="district",
        style_function=lambda _: {"color": "#555", "weight": 2, "fill": False, "dashArray": "6 4"},
        interactive=False,
        control=False,
    ).add_to(m)
    x0, y0, x1, y1 = (float(v) for v in gdf.total_bounds)
    return [[y0, x0], [y1, x1]]


def locate_page(
    gazetteer: Gazetteer, basemap: Basemap, district: BaseGeometry | None = None
) -> str:
    """Return the locate page as one self-contained HTML document.

    Parameters
    ----------
    gazetteer
        Its approximate places become the draggable markers.
    basemap
        Tiles to draw (:func:`geo.maps.basemaps.resolve_basemap`); over GCJ-02 tiles
        everything is shifted for display and the export converted back.
    district
        District outline (WGS-84), drawn and used for the initial view.

    Returns
    -------
    str
        HTML with Leaflet inlined: it opens from ``file://`` with no internet. The
        same inputs give the same bytes (element ids from :func:`geo.maps.ids.stable_ids`).
    """
    with stable_ids("locate"):
        return _locate_html(gazetteer, basemap, district)


def _locate_html(gazetteer: Gazetteer, basemap: Basemap, district: BaseGeometry | None) -> str:
    m = folium.Map(location=list(_CENTER), zoom_start=11, tiles=None, control_scale=True)
    m.default_js = [j for j in folium.Map.default_js if j[0] == "leaflet"]
    m.default_css = [c for c in folium.Map.default_css if c[0] == "leaflet_css"]
    add_basemap(m, basemap)
    TileNotice().add_to(m)
    bounds = _outline(m, district, basemap)
    values = {
        "BOUNDS": script_json(bounds),
        "PLACES": script_json(page_data(gazetteer, basemap.datum)),
        "DATUM": script_json(basemap.datum),
        "SKIPPED": script_json(
            [p.name_zh for p in gazetteer if p.approximate and p.kind in LINE_OR_AREA_KINDS]
        ),
        "MAP": m.get_name(),
    }
    # one pass: substituted data are never scanned again, and never become a template
    js = re.sub(r"__(PLACES|DATUM|MAP|SKIPPED|BOUNDS)__", lambda hit: values[hit[1]], _JS)
    page = m.get_root().render()
    page = page.replace("</head>", f"<style>{_CSS}</style></head>", 1)
    page = page.replace("<body>", f"<body>{_PANEL}", 1)
    # the skip link goes before the panel: the first thing Tab reaches
    page = inline_assets(finish_page(page, "定位 Locate places", "locate-search", _SKIP))
    head, tail, end = page.rpartition("</html>")
    return f"{head}<script>{js}</script>{tail}{end}"
