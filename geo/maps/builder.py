"""The one generic map builder: a :class:`FigureSpec` plus layers in, a folium map out.

Layers come in as a dict of GeoDataFrames (EPSG:4326) with the catalog, so the
builder draws whatever exists: a layer the spec names but the catalog or the dict
lacks is skipped with a :class:`MissingLayerWarning` and listed in the title block.

Every attribute value passes :func:`esc` (:func:`geo.maps.safe.html_text`) before it
reaches a popup, tooltip, legend or layer-control label: folium and Leaflet insert
those as HTML, and branca reads folium's output as a Jinja template once more.
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Mapping
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from geo._errors import MissingLayerWarning
from geo.catalog import Catalog, LayerSpec
from geo.crs import STORAGE_CRS, convert_gdf
from geo.maps.basemaps import Basemap, add_basemap, resolve_basemap
from geo.maps.furniture import (
    NORTH_ARROW_SVG,
    PLAN_SOURCE_EN,
    PLAN_SOURCE_ZH,
    add_furniture,
    clip_lines,
)
from geo.maps.labels import MapLabels, figure_labels
from geo.maps.placement_layers import (
    MarkerPopups,
    badge_colours,
    label_groups,
    place_points,
    point_cluster,
)
from geo.maps.safe import VerbatimElement, html_text
from geo.maps.specs import FigureSpec
from geo.maps.styles import (
    MAP_CSS,
    RESERVED,
    class_label,
    feature_style,
    figure_palette,
    get_style,
    is_drawn_schematic,
    point_style,
    swatch_html,
)

#: Coordinates are written with this many decimals (1e-6 degree ≈ 0.1 m).
PRECISION = 6
#: Metres per degree of latitude; a degree of longitude is shorter here, so a
#: tolerance of ``accuracy_m / M_PER_DEG`` degrees never moves a vertex further.
M_PER_DEG = 111_320.0
#: Draw order by geometry: areas at the bottom, points on top (SVG paint order).
_DRAW_ORDER = {"Polygon": 0, "LineString": 1, "Point": 2}
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
SCHEMATIC_NOTE = (
    "虚线图形为示意，仅表示空间关系，不代表实测边界。"
    " Dashed shapes are schematic: they show relations, not surveyed footprints."
)


def esc(value: Any) -> str:
    """Return ``value`` as inert HTML text; ``None``/NaN give ``""``.

    See :func:`geo.maps.safe.html_text`: HTML-escaped, quotes included, and with the
    characters that open code in Jinja or a JavaScript template literal escaped too.
    """
    return html_text(value)


# --------------------------------------------------------------------------- controls
LEGEND_CLASS = "geo-legend"
TITLE_CLASS = "geo-title"


class HtmlControl(VerbatimElement):
    """A block of (already escaped) HTML on the map: a Leaflet control or a top banner.

    The body reaches the page as a JSON string, never as template source.

    Parameters
    ----------
    body : str
        HTML content; callers escape every value in it.
    css_class : str
        Class of the container ``div``.
    position : str
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
    outline : dict
        GeoJSON of the outline (already in the display datum).
    position : str
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
    m.get_root().header.add_child(Element(f"<style>{MAP_CSS}</style>"), name="geo_maps_css")


# --------------------------------------------------------------------------- layer choice
def figure_layers(
    spec: FigureSpec, catalog: Catalog, layers: Mapping[str, gpd.GeoDataFrame]
) -> tuple[list[LayerSpec], list[str]]:
    """Return the layers a figure draws, in draw order, and the ids it had to skip.

    The district outline is always drawn when available. Catalog layers whose
    ``figures`` list the figure's number are added after the spec's own list.

    Parameters
    ----------
    spec : FigureSpec
        The figure.
    catalog : Catalog
        The layer catalog.
    layers : Mapping of str to GeoDataFrame
        Loaded layers by id.

    Returns
    -------
    tuple of (list of LayerSpec, list of str)
        Layers to draw (polygons, then lines, then points) and skipped ids.
    """
    wanted = ["district", *spec.layers]
    if spec.include_catalog_figures and spec.number is not None:
        wanted += [s.id for s in catalog.for_figure(spec.number)]
    ids = list(dict.fromkeys(wanted))
    chosen: list[LayerSpec] = []
    skipped: list[str] = []
    for lid in ids:
        if lid not in catalog:
            reason = "is not in the catalog"
        elif lid not in layers or layers[lid] is None or len(layers[lid]) == 0:
            reason = "has no loaded features"
        else:
            chosen.append(catalog[lid])
            continue
        if lid != "district" or lid in spec.layers:
            warnings.warn(
                f"{spec.id}: layer {lid!r} {reason}; drawn without it",
                MissingLayerWarning,
                stacklevel=2,
            )
        skipped.append(lid)
    chosen.sort(key=lambda s: _DRAW_ORDER.get(s.geometry_type.removeprefix("Multi"), 0))
    return chosen, skipped


# --------------------------------------------------------------------------- geometry
#: Largest simplification tolerance of schematic shapes in metres (keeps discs round).
SIMPLIFY_CAP_M = 30.0


def display_frame(gdf: gpd.GeoDataFrame, basemap: Basemap) -> gpd.GeoDataFrame:
    """Return a layer ready to draw: simplified within accuracy, shifted, rounded.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features in EPSG:4326 with ``accuracy_m``.
    basemap : Basemap
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
    props : Mapping
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
    props : Mapping
        The feature's properties (the fields of docs/contract.md, optional ``status`` and claims).
    layer : LayerSpec
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
    if esc(props.get("status")):
        rows.append(("状态 status", esc(props.get("status"))))
    rows += claim_rows(props)
    acc = props.get("accuracy_m")
    rows += [
        ("规划出处 plan_ref", esc(props.get("plan_ref"))),
        ("几何来源 geometry_source", source),
        ("精度 accuracy_m", f"± {esc(_number(float(acc)))} m" if esc(acc) else ""),
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


# --------------------------------------------------------------------------- features
def _is_schematic(props: Mapping[str, Any]) -> bool:
    return props.get("geometry_source") == "schematic"


def layer_geojson(gdf: gpd.GeoDataFrame, layer: LayerSpec) -> dict[str, Any]:
    """Return the FeatureCollection drawn for a layer: escaped properties only.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The display frame (see :func:`display_frame`).
    layer : LayerSpec
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
        out = {
            "id": esc(props.get("id") or f"{layer.id}-{i}"),
            "name_zh": esc(props.get("name_zh")),
            "name_en": esc(props.get("name_en")),
            "kind": esc(kind),
            "geometry_source": esc(props.get("geometry_source")),
            "popup": popup_html(props, layer),
        }
        if esc(props.get("status")):
            out["status"] = esc(props.get("status"))
        acc = props.get("accuracy_m")
        if isinstance(acc, int | float) and math.isfinite(acc):
            out["accuracy_m"] = float(acc)
        features.append(
            {"type": "Feature", "properties": out, "geometry": shapely.geometry.mapping(geom)}
        )
    return {"type": "FeatureCollection", "features": features}


def _styler(layer: LayerSpec, colors: Mapping[str, str]) -> Any:
    """Return folium's ``style_function`` for a layer (category colour, schematic dash)."""
    base = get_style(layer.style)
    if layer.geometry_type.removeprefix("Multi") == "Point":
        base = point_style(base)
    cls = f"geo-l-{layer.id}"

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        props = feature["properties"]
        kind = html.unescape(props.get("kind", ""))
        color = colors.get(kind, colors.get("", base.color))
        schematic = _is_schematic(props)
        extra = " geo-schematic" if schematic else ""
        dashed = is_drawn_schematic(layer.geometry_type, props)
        return feature_style(base, color, dashed, cls + extra, line=not base.fill)

    return style


def add_layer(
    m: folium.Map,
    layer: LayerSpec,
    gdf: gpd.GeoDataFrame,
    colors: Mapping[str, str],
    cluster: folium.plugins.MarkerCluster | None = None,
) -> folium.FeatureGroup:
    """Draw one layer into its own feature group (points as circle markers).

    Parameters
    ----------
    m : folium.Map
        The map.
    layer : LayerSpec
        The layer.
    gdf : geopandas.GeoDataFrame
        The display frame.
    colors : Mapping of str to str
        Category colours of the layer.
    cluster : folium.plugins.MarkerCluster, optional
        For a point layer: the map's shared cluster group, which the layer joins as
        a sub-group (near-coincident points cluster instead of stacking).

    Returns
    -------
    folium.FeatureGroup
    """
    is_point = layer.geometry_type.removeprefix("Multi") == "Point"
    name = f"{esc(layer.title_zh)} {esc(layer.title_en)}"
    if is_point and cluster is not None:
        fg = folium.plugins.FeatureGroupSubGroup(cluster, name=name, show=True)
    else:
        fg = folium.FeatureGroup(name=name, show=True)
    if len(gdf) == 0:  # every feature too coarse for a point: badges and the list only
        fg.add_to(m)
        return fg
    clustered = is_point and cluster is not None
    gj = folium.GeoJson(
        layer_geojson(gdf, layer),
        name=layer.id,
        style_function=_styler(layer, colors),
        marker=folium.CircleMarker() if is_point else None,
        # a cluster takes the markers out of their GeoJSON group: bind to each marker
        popup=None if clustered else folium.GeoJsonPopup(["popup"], labels=False, max_width=380),
        tooltip=None
        if clustered
        else folium.GeoJsonTooltip(["name_zh"], labels=False, sticky=True),
        control=False,
    ).add_to(fg)
    if clustered:
        MarkerPopups(gj).add_to(fg)
    fg.add_to(m)
    return fg


# --------------------------------------------------------------------------- colours
#: Styles drawn in reserved furniture colours, outside the figure's palette.
_RESERVED_STYLES = {"district": RESERVED["outline"], "neighbours": RESERVED["context"]}


def figure_colours(
    spec: FigureSpec, chosen: list[LayerSpec], layers: Mapping[str, gpd.GeoDataFrame]
) -> dict[str, dict[str, str]]:
    """Return every legend class's colour on one figure: no two classes share one.

    A categorical layer has a class per category, unless the figure draws it in one
    colour (``spec.single_colour``); then, like a non-categorical layer, it has one
    class, keyed ``""``. The outline and neighbouring districts keep reserved colours.

    Parameters
    ----------
    spec : FigureSpec
        The figure.
    chosen : list of LayerSpec
        Its layers, in draw order.
    layers : Mapping of str to GeoDataFrame
        The loaded layers.

    Returns
    -------
    dict
        Layer id to class to hex colour.
    """
    classes: list[tuple[str, str]] = []
    preferred: dict[tuple[str, str], str] = {}
    for layer in reversed(chosen):  # legend order: points first
        style = get_style(layer.style)
        if layer.style in _RESERVED_STYLES:
            continue
        if style.categorical and layer.id not in spec.single_colour:
            for kind in sorted({str(k) for k in _kinds(layers[layer.id], layer) if _present(k)}):
                classes.append((layer.id, kind))
                if kind in style.colors:
                    preferred[(layer.id, kind)] = style.colors[kind]
        else:
            classes.append((layer.id, ""))
            if not style.categorical:
                preferred[(layer.id, "")] = style.color
    palette = figure_palette(classes, preferred)
    out: dict[str, dict[str, str]] = {
        s.id: {"": _RESERVED_STYLES[s.style]} for s in chosen if s.style in _RESERVED_STYLES
    }
    for (lid, kind), colour in palette.items():
        out.setdefault(lid, {})[kind] = colour
    return out


def _present(value: Any) -> bool:
    return value is not None and str(value) not in ("", "nan", "None")


# --------------------------------------------------------------------------- legend, title
def _class_name(kind: str) -> str:
    zh, en = class_label(kind)
    return f'{esc(zh)} <span class="geo-en">{esc(en)}</span>' if en else esc(zh)


def _dashed_classes(layer: LayerSpec, gdf: gpd.GeoDataFrame) -> dict[str, bool]:
    """Return, per class (and ``""`` for the whole layer), whether all of it is dashed."""
    field = layer.kind_field if layer.kind_field in gdf else "kind"
    props = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    out: dict[str, bool] = {}
    for p in props:
        dashed = is_drawn_schematic(layer.geometry_type, p)
        for key in (str(p.get(field)), ""):
            out[key] = out.get(key, True) and dashed
    return out


def _legend_block(layer: LayerSpec, cats: Mapping[str, str], dashed: Mapping[str, bool]) -> str:
    gtype = layer.geometry_type
    title = f'{esc(layer.title_zh)} <span class="geo-en">{esc(layer.title_en)}</span>'
    lid = esc(layer.id)
    if list(cats) == [""]:  # one class: one row named by the layer
        return (
            f'<div class="geo-legend-layer" data-layer="{lid}">'
            f'<div class="geo-legend-row" data-layer="{lid}" data-kind="">'
            f"{swatch_html(gtype, cats[''], dashed.get('', False))} {title}</div></div>"
        )
    rows = "".join(
        f'<div class="geo-legend-row" data-layer="{lid}" data-kind="{esc(k)}">'
        f"{swatch_html(gtype, c, dashed.get(k, False))} {_class_name(k)}</div>"
        for k, c in cats.items()
    )
    return (
        f'<div class="geo-legend-layer" data-layer="{lid}">'
        f'<div class="geo-legend-head">{title}</div>{rows}</div>'
    )


def legend_html(
    drawn: list[tuple[LayerSpec, gpd.GeoDataFrame]], colors: Mapping[str, Mapping[str, str]]
) -> str:
    """Return the legend: a row per class, Chinese name first, English after it.

    A class's swatch is dashed when every feature of it is drawn dashed.

    Parameters
    ----------
    drawn : list of (LayerSpec, GeoDataFrame)
        The layers on the map, in draw order.
    colors : Mapping
        Layer id to class colours (the mapping the styles use; a single class is
        keyed ``""`` and named by its layer).

    Returns
    -------
    str
        HTML with every label escaped: a toggle button and the collapsible body.
    """
    blocks = []
    any_schematic = False
    for layer, gdf in reversed(drawn):  # points first: the order a reader scans
        props = gdf.drop(columns=gdf.geometry.name).to_dict("records")
        schematic = any(is_drawn_schematic(layer.geometry_type, p) for p in props)
        any_schematic |= schematic
        style = get_style(layer.style)
        cats = colors.get(layer.id) or {"": style.color}
        blocks.append(_legend_block(layer, cats, _dashed_classes(layer, gdf)))
    if any_schematic:
        blocks.append(
            f'<div class="geo-legend-row geo-legend-schematic">'
            f"{swatch_html('Polygon', '#555555', True)} 示意 "
            '<span class="geo-en">schematic</span></div>'
        )
    return (
        '<button type="button" class="geo-legend-toggle" aria-expanded="true">'
        "图例 Legend</button>"
        f'<div class="geo-legend-body">{"".join(blocks)}</div>'
    )


def title_html(
    spec: FigureSpec, basemap: Basemap, skipped: list[str], index_href: str = "index.html"
) -> str:
    """Return the title block: the plan's caption (zh, en), a link back, any gaps."""
    parts = [
        f'<div class="geo-caption-zh">{esc(spec.title_zh)}</div>',
        f'<div class="geo-caption-en">{esc(spec.caption_en)}</div>',
        f'<a class="geo-back" href="{esc(index_href)}">← 图集 Index</a>',
    ]
    if skipped:
        parts.append(
            f'<div class="geo-missing">未收录图层 layers not available: {esc(", ".join(skipped))}'
            "</div>"
        )
    return "".join(parts)


def source_html(spec: FigureSpec, basemap: Basemap) -> str:
    """Return the source line: the plan by title and period, the figure's line, basemap."""
    meta = f"底图 basemap: {esc(basemap.title)}"
    if basemap.needs_shift:
        meta += " — 矢量图层已转换为 GCJ-02 显示 (layers shifted to GCJ-02 for display)"
    ref = f" · {esc(spec.label_zh)} {esc(spec.plan_ref)}" if spec.plan_ref else ""
    return (
        f'<div class="geo-source-plan">{esc(PLAN_SOURCE_ZH)}{ref} '
        f'<span class="geo-source-en">· {esc(PLAN_SOURCE_EN)}</span></div>'
        f'<div class="geo-note">{esc(SCHEMATIC_NOTE)} · {meta}</div>'
    )


# --------------------------------------------------------------------------- tools
def _add_tools(m: folium.Map, spec: FigureSpec, basemap: Basemap, outline: dict[str, Any]) -> None:
    """Measure, full screen, draw with export, minimap."""
    folium.plugins.Fullscreen(position="topleft").add_to(m)
    folium.plugins.MeasureControl(
        position="topleft",
        primary_length_unit="meters",
        secondary_length_unit="kilometers",
        primary_area_unit="sqmeters",
        secondary_area_unit="hectares",
    ).add_to(m)
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


def _groups(
    catalog_order: list[LayerSpec], fgs: Mapping[str, folium.FeatureGroup]
) -> dict[str, list[folium.FeatureGroup]]:
    groups: dict[str, list[folium.FeatureGroup]] = {}
    for layer in catalog_order:
        groups.setdefault(esc(layer.group), []).append(fgs[layer.id])
    return groups


def _bounds(spec: FigureSpec, frames: list[gpd.GeoDataFrame]) -> list[list[float]] | None:
    """Return the bounds the map opens on; ``None`` when the spec sets a view.

    The district when drawn (neighbours are context, not the subject), else every layer.
    """
    if spec.center is not None:
        return None
    district = [f for f in frames if len(f) and "district" in set(f.get("kind", []))]
    bounds = np.array([f.total_bounds for f in (district or frames) if len(f)])
    if not len(bounds):
        return None
    x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
    x1, y1 = bounds[:, 2].max(), bounds[:, 3].max()
    return [[float(y0), float(x0)], [float(y1), float(x1)]]


def _new_map(spec: FigureSpec) -> folium.Map:
    m = folium.Map(
        location=list(spec.center or (29.56, 106.40)),
        zoom_start=spec.zoom or 11,
        tiles=None,
        control_scale=False,  # furniture adds a metric-only scale
        zoom_snap=0.25,  # the district fills the window, not half of it
        prefer_canvas=False,  # SVG paths: one selectable element per feature
    )
    # Only Leaflet itself is needed: no Bootstrap, jQuery or Font Awesome, which
    # would add about 1 MB to an offline file and nothing to these maps.
    m.default_js = [j for j in folium.Map.default_js if j[0] == "leaflet"]
    m.default_css = [c for c in folium.Map.default_css if c[0] == "leaflet_css"]
    return m


def build_map(
    spec: FigureSpec,
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    basemap: str | Basemap = "osm",
    index_href: str = "index.html",
) -> folium.Map:
    """Build the interactive map of one figure.

    Parameters
    ----------
    spec : FigureSpec
        What to draw (see :mod:`geo.maps.specs`).
    layers : Mapping of str to GeoDataFrame
        Loaded layers by catalog id, EPSG:4326 (e.g. from ``geo.layers.load_layers``).
    catalog : Catalog
        Titles, groups, styles and category fields of the layers.
    basemap : str or Basemap
        ``osm`` (default), ``cartodb``, ``gaode`` (layers shifted to GCJ-02),
        ``tianditu`` (needs ``TIANDITU_KEY``) or ``none``.
    index_href : str
        Link from the title block back to the index page.

    Returns
    -------
    folium.Map
        Render with :func:`geo.maps.render_html` (``offline=True`` inlines assets).

    Warns
    -----
    MissingLayerWarning
        For each layer the spec names that is absent.
    """
    bm = basemap if isinstance(basemap, Basemap) else resolve_basemap(basemap)
    chosen, skipped = figure_layers(spec, catalog, layers)
    m = _new_map(spec)
    add_stylesheet(m)
    add_basemap(m, bm)
    sources = _clipped(chosen, layers)
    frames = {s.id: display_frame(sources[s.id], bm) for s in chosen}
    colors = figure_colours(spec, chosen, layers)
    gone = tuple(catalog[i] for i in skipped if i in catalog)
    placed = place_points(chosen, layers, frames, catalog, spec.max_accuracy_m, bm, gone)
    cluster = point_cluster(m) if placed.layers else None
    fgs = {s.id: add_layer(m, s, frames[s.id], colors[s.id], cluster) for s in chosen}
    placed.draw(m, fgs, badge_colours(colors))
    catalog_order = [s for s in catalog if s.id in fgs]
    if fgs:
        folium.plugins.GroupedLayerControl(
            _groups(catalog_order, fgs), exclusive_groups=False, collapsed=True
        ).add_to(m)
    HtmlControl(NORTH_ARROW_SVG, "geo-north-arrow", "topright").add_to(m)
    outline = layer_geojson(frames["district"], catalog["district"]) if "district" in frames else {}
    _add_tools(m, spec, bm, outline)
    drawn = [(s, frames[s.id]) for s in chosen]
    HtmlControl(legend_html(drawn, colors), LEGEND_CLASS, "bottomright").add_to(m)
    HtmlControl(title_html(spec, bm, skipped, index_href), TITLE_CLASS, "top").add_to(m)
    HtmlControl(source_html(spec, bm), "geo-source", "top").add_to(m)
    groups = label_groups(m, fgs)
    if "district" in sources:
        labels = figure_labels(
            chosen,
            sources,
            sources["district"],
            spec.must_see,
            dict(spec.label_notes),
            bm.datum,
        )
        MapLabels(labels, groups).add_to(m)
    add_furniture(m, groups, _bounds(spec, list(frames.values())))
    return m


def _clipped(
    chosen: list[LayerSpec], layers: Mapping[str, gpd.GeoDataFrame]
) -> dict[str, gpd.GeoDataFrame]:
    """Return the layers to draw, lines clipped to the district plus a margin."""
    out = {s.id: layers[s.id] for s in chosen}
    if "district" not in out:
        return out
    for s in chosen:
        if s.geometry_type.removeprefix("Multi") == "LineString":
            out[s.id] = clip_lines(layers[s.id], layers["district"])
    return out


def _kinds(gdf: gpd.GeoDataFrame, layer: LayerSpec) -> list[Any]:
    field = layer.kind_field if layer.kind_field in gdf else "kind"
    return list(gdf[field]) if field in gdf else []
