"""What a map draws of a feature: its display geometry, popup and GeoJSON properties.

Every attribute value passes :func:`esc` (:func:`geo.maps.safe.html_text`) before it
reaches a popup or a property: folium and Leaflet insert those as HTML, and branca
reads folium's output as a Jinja template once more.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.data.catalog import LayerSpec
from geo.data.crs import STORAGE_CRS, convert_gdf
from geo.maps.basemaps import Basemap
from geo.maps.safe import html_text

#: Coordinates are written with this many decimals (1e-6 degree ≈ 0.1 m).
PRECISION = 6
#: Metres per degree of latitude; a degree of longitude is shorter here, so a
#: tolerance of ``accuracy_m / M_PER_DEG`` degrees never moves a vertex further.
M_PER_DEG = 111_320.0
#: Properties shown in their own popup rows rather than as claims.
_CORE = frozenset(
    {
        "id",
        "name_zh",
        "name_en",
        "kind",
        "status",
        "plan_ref",
        "geometry_source",
        "accuracy_m",
        "place",
        "geometry",
        "claims",
    }
)
#: Property-name suffix to the unit shown in popups (longest suffix wins).
CLAIM_UNITS: dict[str, str] = {
    "_km2": "km²",
    "_m2": "m²",
    "_wan_m2": "万 m²",
    "_ha": "ha",
    "_mu": "亩",
    "_km": "km",
    "_m": "m",
    "_yuan": "元",
    "_cny": "元",
    "_wan_yuan": "万元",
    "_yi_yuan": "亿元",
    "_pct": "%",
}
#: Schematic note of every map's source line.


def esc(value: Any) -> str:
    """Return ``value`` as inert HTML text; ``None``/NaN give ``""``.

    See :func:`geo.maps.safe.html_text`: HTML-escaped, quotes included, and with the
    characters that open code in Jinja or a JavaScript template literal escaped too.
    """
    return html_text(value)


# --------------------------------------------------------------------------- geometry
#: Largest simplification tolerance of schematic shapes in metres (keeps discs round).
SIMPLIFY_CAP_M = 30.0


def display_frame(gdf: gpd.GeoDataFrame, basemap: Basemap) -> gpd.GeoDataFrame:
    """Return a layer ready to draw: simplified within accuracy, shifted, rounded.

    Parameters
    ----------
    gdf
        Features in EPSG:4326 with ``accuracy_m``.
    basemap
        Its datum decides the display shift (GCJ-02 for Gaode).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy; geometry in the basemap's datum with :data:`PRECISION` decimals.
    """
    out = gdf.to_crs(STORAGE_CRS) if gdf.crs and not gdf.crs.equals(STORAGE_CRS) else gdf.copy()
    acc = out["accuracy_m"] if "accuracy_m" in out else np.zeros(len(out))
    # Simplify within the feature's accuracy; schematic shapes by at most
    # SIMPLIFY_CAP_M, as a disc simplified by its 800 m accuracy would draw as a square.
    acc_m = np.nan_to_num(np.asarray(acc, dtype="float64"), nan=0.0)
    if "geometry_source" in out:
        schematic = np.asarray(out["geometry_source"] == "schematic")
        acc_m = np.where(schematic, np.minimum(acc_m, SIMPLIFY_CAP_M), acc_m)
    tol = acc_m / M_PER_DEG
    out.geometry = shapely.simplify(np.asarray(out.geometry.values), tol, preserve_topology=True)
    if basemap.needs_shift:
        out = convert_gdf(out, "wgs84", basemap.datum)
    out.geometry = shapely.transform(
        np.asarray(out.geometry.values), lambda c: np.round(c, PRECISION)
    )
    return out


# --------------------------------------------------------------------------- popups
def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.2f}"


def claim_rows(props: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return (label, value with unit) for every quantity a feature carries.

    A quantity is a property whose name ends in a unit suffix of
    :data:`CLAIM_UNITS` (``site_area_m2``, ``investment_yi_yuan`` ...); a free-text
    ``claims`` property is shown too. Values are escaped.

    Parameters
    ----------
    props
        A feature's properties.

    Returns
    -------
    list of tuple of str
    """
    rows: list[tuple[str, str]] = []
    suffixes = sorted(CLAIM_UNITS, key=len, reverse=True)
    for key, value in props.items():
        if key in _CORE or value is None or isinstance(value, bool):
            continue
        suffix = next((s for s in suffixes if str(key).endswith(s)), None)
        if suffix is None or not isinstance(value, int | float) or math.isnan(value):
            continue
        rows.append((esc(key), f"{esc(_number(float(value)))} {esc(CLAIM_UNITS[suffix])}"))
    claims = props.get("claims")
    if claims is not None and esc(claims):
        rows.append(("claims", esc(claims)))
    return rows


def _shorten(text: str, limit: int) -> str:
    """Cut long notes for a popup, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def popup_html(props: Mapping[str, Any], layer: LayerSpec) -> str:
    """Return the popup HTML of one feature; every value is escaped.

    Parameters
    ----------
    props
        The feature's properties (the fields of docs/contract.md, optional ``status`` and claims).
    layer
        The feature's layer (title and category field).

    Returns
    -------
    str
    """
    kind = props.get(layer.kind_field, props.get("kind"))
    source = esc(props.get("geometry_source"))
    if source == "schematic":
        source += "（示意 schematic: relations, not a footprint）"
    rows = [("类别 kind", esc(kind))]
    if esc(props.get("key")):
        rows.insert(0, ("图上编号 key", esc(props.get("key"))))
    if props.get("shown") == "schematic":
        rows.append(("位置 position", schematic_note(props)))
    if esc(props.get("status")):
        rows.append(("状态 status", esc(props.get("status"))))
    rows += claim_rows(props)
    acc = props.get("accuracy_m")
    precision = f"± {esc(_number(float(acc)))} m" if acc is not None and esc(acc) else ""
    rows += [
        ("规划出处 plan_ref", esc(props.get("plan_ref"))),
        ("几何来源 geometry_source", source),
        ("精度 accuracy_m", precision),
    ]
    if esc(props.get("position_note")):
        rows.append(("位置 position", esc(_shorten(str(props["position_note"]), 100))))
    rows += [
        ("图层 layer", f"{esc(layer.title_zh)} {esc(layer.title_en)}"),
    ]
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return (
        f'<div class="geo-popup"><b>{esc(props.get("name_zh"))}</b><br>'
        f"<i>{esc(props.get('name_en'))}</i><table>{body}</table></div>"
    )


def schematic_note(props: Mapping[str, Any]) -> str:
    """Say where a schematic symbol's feature is really known to be, and how well (escaped).

    Parameters
    ----------
    props
        The feature's properties: ``place`` (the gazetteer place it lies near) and
        ``accuracy_m``.

    Returns
    -------
    str
        ``位于…附近 ±3.5 km；示意位置，非实际点位 …``.
    """
    acc = props.get("accuracy_m")
    km = (
        f"±{float(acc) / 1000:.1f} km"
        if isinstance(acc, int | float) and math.isfinite(acc)
        else ""
    )
    place = esc(props.get("place")) or esc(props.get("name_zh"))
    return (
        f"位于{place}附近 {esc(km)}；示意位置，非实际点位 "
        "(schematic position near where it is known to lie, not its actual site)"
    )


# --------------------------------------------------------------------------- features
def is_schematic(props: Mapping[str, Any]) -> bool:
    """Return whether a feature's geometry is schematic (shows relations, not a footprint)."""
    return props.get("geometry_source") == "schematic"


def layer_geojson(gdf: gpd.GeoDataFrame, layer: LayerSpec) -> dict[str, Any]:
    """Return the FeatureCollection drawn for a layer: escaped properties only.

    Parameters
    ----------
    gdf
        The display frame (see :func:`display_frame`).
    layer
        The layer.

    Returns
    -------
    dict
        Features with ``id``, ``name_zh``, ``name_en``, ``kind``, ``geometry_source``,
        ``status`` (when given) and ``popup``, all HTML-safe.
    """
    records = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    features = []
    for i, (props, geom) in enumerate(zip(records, gdf.geometry.values, strict=True)):
        kind = props.get(layer.kind_field, props.get("kind"))
        out: dict[str, Any] = {
            "id": esc(props.get("id") or f"{layer.id}-{i}"),
            "name_zh": esc(props.get("name_zh")),
            "name_en": esc(props.get("name_en")),
            "kind": esc(kind),
            "geometry_source": esc(props.get("geometry_source")),
            "popup": popup_html(props, layer),
        }
        if esc(props.get("status")):
            out["status"] = esc(props.get("status"))
        for extra in ("shown", "key"):  # set by the placement rule on point layers
            if esc(props.get(extra)):
                out[extra] = esc(props.get(extra))
        acc = props.get("accuracy_m")
        if isinstance(acc, int | float) and math.isfinite(acc):
            out["accuracy_m"] = float(acc)
        features.append(
            {"type": "Feature", "properties": out, "geometry": shapely.geometry.mapping(geom)}
        )
    return {"type": "FeatureCollection", "features": features}
