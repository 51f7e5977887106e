"""Large point layers on a web map: one canvas, a compact encoding, popups on click.

A point layer with more features than its figure's ``dense_points_above`` (an
enterprise registry of 100 000 firms, say) is not drawn as one GeoJSON feature, one
SVG marker and one popup per point: at about 1 kB a point that gives a page of
100 MB that a browser cannot open. Instead:

* the positions are quantised to a grid of :data:`STEP_DEG` (1e-5°, about 1 m)
  from the layer's south-west corner and sent as one base64 string of unsigned
  16-bit offsets (32-bit when the layer spans more than 0.65°): 4 bytes a point;
* each point's name (``name_zh``, else ``name_en``, else ``id``) goes in one JSON
  array of strings, data only;
* the page decodes them once and draws every point as a small disc of pixels written
  straight into one ``<canvas>`` (no path per point) in its own map pane, below the
  figure's other symbols, redrawn after each pan or zoom;
* a click (any click on the map, over a zone too) finds the nearest point within a
  few pixels and opens a popup whose text is set with ``textContent``: a name is
  never parsed as HTML. A point's popup replaces that of a zone under it.

:func:`encode_points` and :func:`decode_points` are the encoding; the page decodes
exactly the bytes :func:`encode_points` returns.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
from folium.template import Template

from geo.maps.safe import VerbatimElement

__all__ = [
    "STEP_DEG",
    "DensePoints",
    "EncodedPoints",
    "add_dense_layer",
    "decode_points",
    "encode_points",
    "point_names",
]

#: Grid step of the encoded positions, in degrees (about 1.1 m north-south).
STEP_DEG = 1e-5
#: Largest offset a 16-bit encoding holds: 65 535 steps, 0.655°.
_U16_MAX = np.iinfo(np.uint16).max
#: Map pane of the dense layers: above areas and lines' fills, below every symbol.
DENSE_PANE = "geo-dense"


@dataclass(frozen=True)
class EncodedPoints:
    """Positions as the page receives them.

    Attributes
    ----------
    x0, y0
        Longitude and latitude of the grid origin (the layer's south-west corner).
    step
        Grid step in degrees.
    wide
        Offsets are 32-bit signed integers; otherwise 16-bit unsigned.
    data
        Base64 of the offsets, little-endian, interleaved (x, y) per point.
    """

    x0: float
    y0: float
    step: float
    wide: bool
    data: str

    def as_json(self) -> dict[str, Any]:
        """Return the fields as the page reads them."""
        return {"x0": self.x0, "y0": self.y0, "step": self.step, "wide": self.wide, "xy": self.data}


def encode_points(lon: np.ndarray, lat: np.ndarray, step: float = STEP_DEG) -> EncodedPoints:
    """Quantise positions to a grid and pack them as base64.

    Parameters
    ----------
    lon, lat
        Positions in degrees (display datum), finite, the same length.
    step
        Grid step in degrees; a decoded position is within ``step / 2`` of the given one.

    Returns
    -------
    EncodedPoints
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x0 = round(float(lon.min()), 5) if len(lon) else 0.0
    y0 = round(float(lat.min()), 5) if len(lat) else 0.0
    qx = np.rint((lon - x0) / step).astype(np.int64)
    qy = np.rint((lat - y0) / step).astype(np.int64)
    top = int(max(qx.max(initial=0), qy.max(initial=0)))
    wide = bool(top > _U16_MAX or qx.min(initial=0) < 0 or qy.min(initial=0) < 0)
    dtype = np.dtype("<i4") if wide else np.dtype("<u2")
    packed = np.empty(2 * len(lon), dtype=dtype)
    packed[0::2], packed[1::2] = qx, qy
    return EncodedPoints(x0, y0, step, wide, base64.b64encode(packed.tobytes()).decode("ascii"))


def decode_points(enc: EncodedPoints) -> tuple[np.ndarray, np.ndarray]:
    """Return the positions the page draws from an encoding (the page's own arithmetic).

    Parameters
    ----------
    enc
        From :func:`encode_points`.

    Returns
    -------
    tuple of numpy.ndarray
        Longitudes and latitudes in degrees.
    """
    dtype = np.dtype("<i4") if enc.wide else np.dtype("<u2")
    q = np.frombuffer(base64.b64decode(enc.data), dtype=dtype).astype(float)
    return enc.x0 + q[0::2] * enc.step, enc.y0 + q[1::2] * enc.step


def point_names(gdf: gpd.GeoDataFrame) -> list[str]:
    """Return one name per point: ``name_zh``, else ``name_en``, else ``id``, else ``""``.

    Parameters
    ----------
    gdf
        The layer.

    Returns
    -------
    list of str
        Plain text, as written in the data (the page shows it as text).
    """
    out = None
    for col in ("name_zh", "name_en", "id"):
        if col not in gdf:
            continue
        col_text = gdf[col].astype("string").fillna("").str.strip()
        out = col_text if out is None else out.where(out != "", col_text)
    return [] if out is None else [str(v) for v in out.fillna("")]


class DensePoints(VerbatimElement):
    """One canvas drawing every point of a layer; data reaches the page as JSON only.

    Parameters
    ----------
    encoded
        The positions.
    names
        One name per point, shown as text in the click popup.
    color
        Fill colour (``#rrggbb``).
    title
        The layer's title, shown above the name in the popup (as text).
    radius
        Radius of a point in pixels.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent._parent.get_name() }};
            var group = {{ this._parent.get_name() }};
            var d = {{ this.payload|tojson }};
            if (!map.getPane(d.pane)) {
                var pane = map.createPane(d.pane);
                pane.style.zIndex = 390;
                pane.style.pointerEvents = "none";
            }
            var raw = atob(d.xy), bytes = new Uint8Array(raw.length);
            for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
            var q = d.wide ? new Int32Array(bytes.buffer) : new Uint16Array(bytes.buffer);
            var n = q.length / 2, mx = new Float64Array(n), my = new Float64Array(n);
            var lon = new Float64Array(n), lat = new Float64Array(n);
            for (var k = 0; k < n; k++) {
                lon[k] = d.x0 + q[2 * k] * d.step;
                lat[k] = d.y0 + q[2 * k + 1] * d.step;
                var s = Math.sin(lat[k] * Math.PI / 180);
                mx[k] = (lon[k] + 180) / 360;
                my[k] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
            }
            // one disc of pixels, stamped straight into the canvas's image buffer
            var r = d.radius, ri = Math.ceil(r), stamp = [];
            for (var sy = -ri; sy <= ri; sy++) {
                for (var sx = -ri; sx <= ri; sx++) {
                    if (sx * sx + sy * sy <= r * r) { stamp.push([sx, sy]); }
                }
            }
            var rgb = parseInt(d.color.slice(1), 16);
            var ink = (255 << 24) | ((rgb & 255) << 16) | (rgb & 0xff00) | (rgb >> 16);
            function place(map) {
                var scale = 256 * Math.pow(2, map.getZoom()), o = map.getPixelOrigin();
                var tl = map.containerPointToLayerPoint([0, 0]);
                return [scale, o.x + tl.x, o.y + tl.y];
            }
            var Dense = L.Layer.extend({
                onAdd: function (map) {
                    this._c = L.DomUtil.create("canvas", "geo-dense-points " + d.cls);
                    this._c.style.opacity = 0.55;
                    map.getPane(d.pane).appendChild(this._c);
                    map.on("moveend zoomend resize viewreset", this._draw, this);
                    map.on("zoomstart", this._hide, this);
                    map.on("preclick", this._click, this);
                    this._draw();
                },
                onRemove: function (map) {
                    L.DomUtil.remove(this._c);
                    map.off("moveend zoomend resize viewreset", this._draw, this);
                    map.off("zoomstart", this._hide, this);
                    map.off("preclick", this._click, this);
                },
                _hide: function () { this._c.style.visibility = "hidden"; },
                _draw: function () {
                    var map = this._map, size = map.getSize(), c = this._c;
                    c.width = size.x; c.height = size.y;
                    L.DomUtil.setPosition(c, map.containerPointToLayerPoint([0, 0]));
                    c.style.visibility = "visible";
                    var ctx = c.getContext("2d"), p = place(map), drawn = 0;
                    var w = size.x, h = size.y, img = ctx.createImageData(w, h);
                    var px = new Uint32Array(img.data.buffer), m = stamp.length;
                    for (var k = 0; k < n; k++) {
                        var x = Math.round(mx[k] * p[0] - p[1]);
                        var y = Math.round(my[k] * p[0] - p[2]);
                        if (x < -ri || y < -ri || x >= w + ri || y >= h + ri) { continue; }
                        for (var j = 0; j < m; j++) {
                            var X = x + stamp[j][0], Y = y + stamp[j][1];
                            if (X >= 0 && Y >= 0 && X < w && Y < h) { px[Y * w + X] = ink; }
                        }
                        drawn++;
                    }
                    ctx.putImageData(img, 0, 0);
                    c.setAttribute("data-drawn", String(drawn));
                },
                _click: function (e) {
                    var p = place(this._map), best = -1, reach = (r + 4) * (r + 4);
                    var cx = e.containerPoint.x, cy = e.containerPoint.y;
                    for (var k = 0; k < n; k++) {
                        var dx = mx[k] * p[0] - p[1] - cx, dy = my[k] * p[0] - p[2] - cy;
                        var dd = dx * dx + dy * dy;
                        if (dd <= reach) { reach = dd; best = k; }
                    }
                    if (best < 0) { return; }
                    var box = document.createElement("div");
                    box.className = "geo-dense-popup";
                    var head = document.createElement("b");
                    head.textContent = d.names[best] || "";
                    var sub = document.createElement("div");
                    sub.textContent = d.title;
                    box.appendChild(head); box.appendChild(sub);
                    // after the click of a zone below, whose popup this one replaces
                    var map = this._map, at = [lat[best], lon[best]];
                    setTimeout(function () {
                        L.popup({maxWidth: 320}).setLatLng(at).setContent(box).openOn(map);
                    }, 0);
                }
            });
            group.addLayer(new Dense());
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self, encoded: EncodedPoints, names: list[str], color: str, title: str, radius: float
    ) -> None:
        super().__init__()
        self._name = "DensePoints"
        self.payload = {
            **encoded.as_json(),
            "names": names,
            "color": color,
            "title": title,
            "radius": float(radius),
            "pane": DENSE_PANE,
            "cls": "",
        }


def add_dense_layer(
    m: folium.Map, layer_id: str, name: str, title: str, gdf: gpd.GeoDataFrame, color: str
) -> folium.FeatureGroup:
    """Draw a large point layer on one canvas, in its own feature group.

    Parameters
    ----------
    m
        The map.
    layer_id
        The layer's id (the canvas's CSS class is ``geo-l-<id>``).
    name
        The group's name in the layer control (escaped HTML).
    title
        The layer's title as plain text, for the popup.
    gdf
        The layer's points in the display datum (EPSG:4326 coordinates).
    color
        Fill colour.

    Returns
    -------
    folium.FeatureGroup
    """
    fg = folium.FeatureGroup(name=name, show=True)
    fg.add_to(m)
    pts = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty].explode(index_parts=False)
    enc = encode_points(pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy())
    dense = DensePoints(enc, point_names(pts), color, title, radius=1.5)
    dense.payload["cls"] = f"geo-l-{layer_id}"
    dense.add_to(fg)
    return fg
