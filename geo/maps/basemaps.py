"""Basemaps and the datum each one is drawn in.

OpenStreetMap and CartoDB tiles are WGS-84 (Web Mercator of WGS-84 positions).
Gaode/AMap tiles are GCJ-02, so every vector layer drawn over them must be shifted
from WGS-84 to GCJ-02 for display (the stored data stays WGS-84). The addresses of
these three come from :mod:`xyzservices` (the providers folium itself knows), so
they follow the providers' changes; CartoDB now asks for a key, read from the
``CARTO_API_KEY`` environment variable when set. Tianditu (天地图) is the official
CGCS2000 basemap; CGCS2000 differs from WGS-84 by centimetres here, so no shift is
applied. xyzservices does not list it, so its address is kept here. Its tiles need
a key from the ``TIANDITU_KEY`` environment variable. Keys end up in the HTML (the
browser sends them), so use browser-type keys restricted to the site's domain.
``none`` draws no tiles at all: fully offline.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import folium

from geo.errors import BasemapError

#: Environment variable holding the Tianditu key.
TIANDITU_ENV = "TIANDITU_KEY"
#: Environment variable holding the (optional) CartoDB key.
CARTO_ENV = "CARTO_API_KEY"


@dataclass(frozen=True)
class TileSpec:
    """One tile layer.

    Attributes
    ----------
    url
        Leaflet URL template (``{z}/{x}/{y}``, ``{s}`` for subdomains).
    attribution
        Attribution HTML shown in the map corner.
    subdomains
        Characters substituted for ``{s}``.
    max_zoom
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
    name
        The ``--basemap`` value.
    title
        Name shown to users.
    datum
        Datum of the tiles: ``wgs84`` or ``gcj02``; vector layers are converted to it.
    tiles
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


#: The xyzservices provider of each basemap drawn from it.
XYZ_PROVIDERS: dict[str, str] = {
    "osm": "OpenStreetMap.Mapnik",
    "cartodb": "CartoDB.Positron",
    "gaode": "Gaode.Normal",
}
#: Attribution shown for Gaode (xyzservices names only the website).
GAODE_ATTRIBUTION = "&copy; 高德地图 AutoNavi (GCJ-02)"
_TDT = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)

#: Accepted ``--basemap`` values.
BASEMAP_NAMES: tuple[str, ...] = ("osm", "cartodb", "gaode", "tianditu", "none")


def xyz_tiles(provider: str, attribution: str | None = None, apikey: str | None = None) -> TileSpec:
    """Return the tile layer of an :mod:`xyzservices` provider.

    The address keeps Leaflet's ``{s}`` and ``{r}`` placeholders, and is upgraded
    to HTTPS (a page served over HTTPS is refused plain-HTTP tiles).

    Parameters
    ----------
    provider
        The provider's name, e.g. ``"OpenStreetMap.Mapnik"``.
    attribution
        Attribution HTML; default the provider's.
    apikey
        The provider's key, for those that take one (CartoDB); without it, the
        address has no key.

    Returns
    -------
    TileSpec
    """
    from xyzservices import providers

    tiles = providers.query_name(provider)
    with warnings.catch_warnings():  # a missing optional key is the caller's choice
        warnings.simplefilter("ignore", UserWarning)
        url = tiles.build_url(
            scale_factor="{r}", fill_subdomain=False, **({"apikey": apikey} if apikey else {})
        )
    return TileSpec(
        url.replace("http://", "https://", 1) if url.startswith("http://") else url,
        attribution or tiles.get("html_attribution") or tiles["attribution"],
        subdomains=tiles.get("subdomains", "abc"),
        max_zoom=int(tiles.get("max_zoom", 18)),
    )


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
    name
        One of ``osm`` (default), ``cartodb``, ``gaode``, ``tianditu``, ``none``.
    env
        Environment to read ``TIANDITU_KEY`` and ``CARTO_API_KEY`` from; default
        ``os.environ``.

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
        return Basemap("osm", "OpenStreetMap", "wgs84", (xyz_tiles(XYZ_PROVIDERS["osm"]),))
    if key == "cartodb":
        carto_key = (env.get(CARTO_ENV) or "").strip() or None
        tiles = xyz_tiles(XYZ_PROVIDERS["cartodb"], apikey=carto_key)
        return Basemap("cartodb", "CartoDB Positron", "wgs84", (tiles,))
    if key == "gaode":
        tiles = xyz_tiles(XYZ_PROVIDERS["gaode"], GAODE_ATTRIBUTION)
        return Basemap("gaode", "高德地图 Gaode", "gcj02", (tiles,))
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
    m
        A map created with ``tiles=None``.
    basemap
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
