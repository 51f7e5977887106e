"""Basemaps and the datum each one is drawn in.

OpenStreetMap and CartoDB tiles are WGS-84 (Web Mercator of WGS-84 positions).
Gaode/AMap tiles are GCJ-02, so every vector layer drawn over them must be shifted
from WGS-84 to GCJ-02 for display (the stored data stays WGS-84). Tianditu (天地图)
is the official CGCS2000 basemap; CGCS2000 differs from WGS-84 by centimetres here,
so no shift is applied. Its tiles need a key from the ``TIANDITU_KEY`` environment
variable; the key ends up in the HTML (the browser sends it), so use a browser-type
key restricted to the site's domain. ``none`` draws no tiles at all: fully offline.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import folium

from geo._errors import BasemapError

#: Environment variable holding the Tianditu key.
TIANDITU_ENV = "TIANDITU_KEY"


@dataclass(frozen=True)
class TileSpec:
    """One tile layer.

    Attributes
    ----------
    url : str
        Leaflet URL template (``{z}/{x}/{y}``, ``{s}`` for subdomains).
    attribution : str
        Attribution HTML shown in the map corner.
    subdomains : str
        Characters substituted for ``{s}``.
    max_zoom : int
        Highest zoom the provider serves.
    """

    url: str
    attribution: str
    subdomains: str = "abc"
    max_zoom: int = 18


@dataclass(frozen=True)
class Basemap:
    """A basemap choice.

    Attributes
    ----------
    name : str
        The ``--basemap`` value.
    title : str
        Name shown to users.
    datum : str
        Datum of the tiles: ``wgs84`` or ``gcj02``; vector layers are converted to it.
    tiles : tuple of TileSpec
        Tile layers, bottom first (Tianditu has a vector and an annotation layer).
    """

    name: str
    title: str
    datum: str = "wgs84"
    tiles: tuple[TileSpec, ...] = field(default_factory=tuple)

    @property
    def needs_shift(self) -> bool:
        """Whether vector layers are shifted to GCJ-02 for display."""
        return self.datum == "gcj02"


_OSM = TileSpec(
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    subdomains="abc",
    max_zoom=19,
)
_CARTO = TileSpec(
    "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
    '&copy; <a href="https://carto.com/attributions">CARTO</a>',
    subdomains="abcd",
    max_zoom=20,
)
_GAODE = TileSpec(
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}",
    "&copy; 高德地图 AutoNavi (GCJ-02)",
    subdomains="1234",
    max_zoom=18,
)
_TDT = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)

#: Accepted ``--basemap`` values.
BASEMAP_NAMES: tuple[str, ...] = ("osm", "cartodb", "gaode", "tianditu", "none")


def _tianditu(key: str) -> Basemap:
    attribution = "&copy; 天地图 Tianditu (CGCS2000)"
    return Basemap(
        "tianditu",
        "天地图 Tianditu",
        "wgs84",
        (
            TileSpec(_TDT.format(layer="vec", key=key), attribution, "01234567", 18),
            TileSpec(_TDT.format(layer="cva", key=key), attribution, "01234567", 18),
        ),
    )


def resolve_basemap(name: str, env: Mapping[str, str] | None = None) -> Basemap:
    """Return the basemap called ``name``.

    Parameters
    ----------
    name : str
        One of ``osm`` (default), ``cartodb``, ``gaode``, ``tianditu``, ``none``.
    env : Mapping, optional
        Environment to read ``TIANDITU_KEY`` from; default ``os.environ``.

    Returns
    -------
    Basemap

    Raises
    ------
    BasemapError
        If the name is unknown, or ``tianditu`` is asked for without a key.
    """
    key = str(name).strip().lower()
    env = os.environ if env is None else env
    if key == "osm":
        return Basemap("osm", "OpenStreetMap", "wgs84", (_OSM,))
    if key == "cartodb":
        return Basemap("cartodb", "CartoDB Positron", "wgs84", (_CARTO,))
    if key == "gaode":
        return Basemap("gaode", "高德地图 Gaode", "gcj02", (_GAODE,))
    if key == "none":
        return Basemap("none", "no basemap", "wgs84", ())
    if key == "tianditu":
        tk = (env.get(TIANDITU_ENV) or "").strip()
        if not tk:
            raise BasemapError(
                f"basemap tianditu needs a key: set the environment variable {TIANDITU_ENV} "
                "(free from https://console.tianditu.gov.cn/), or choose another --basemap"
            )
        return _tianditu(tk)
    raise BasemapError(f"unknown basemap {name!r}: use one of {', '.join(BASEMAP_NAMES)}")


def add_basemap(m: folium.Map, basemap: Basemap) -> None:
    """Add the basemap's tile layers to a map (no layer-control entry).

    Parameters
    ----------
    m : folium.Map
        A map created with ``tiles=None``.
    basemap : Basemap
        The basemap; ``none`` adds nothing.
    """
    for i, t in enumerate(basemap.tiles):
        folium.TileLayer(
            tiles=t.url,
            attr=t.attribution,
            name=basemap.title if i == 0 else f"{basemap.title} annotation",
            subdomains=t.subdomains,
            max_zoom=t.max_zoom,
            overlay=i > 0,
            control=False,
        ).add_to(m)
