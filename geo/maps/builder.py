"""The one generic map builder: a :class:`FigureSpec` plus layers in, a folium map out.

Layers come in as a dict of GeoDataFrames (EPSG:4326) with the catalog, so the
builder draws whatever exists: a layer the spec names but the catalog or the dict
lacks is skipped with a :class:`MissingLayerWarning` (the build's log lists it; the
title block carries no technical notes).

Every attribute value passes :func:`esc` (:func:`geo.maps.safe.html_text`) before it
reaches a popup, tooltip, legend or layer-control label: folium and Leaflet insert
those as HTML, and branca reads folium's output as a Jinja template once more.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np

from geo.data.catalog import Catalog, LayerSpec
from geo.figures.labels import figure_labels
from geo.figures.layers import figure_colours, figure_layers, is_dense
from geo.figures.specs import FigureSpec
from geo.figures.styles.layer_style import feature_style, get_style, is_drawn_schematic, point_style
from geo.maps.basemaps import Basemap, add_basemap, resolve_basemap
from geo.maps.controls import (
    LEGEND_CLASS,
    TITLE_CLASS,
    HtmlControl,
    add_stylesheet,
    add_tools,
)
from geo.maps.dense_points import add_dense_layer
from geo.maps.features import (
    display_frame,
    esc,
    is_schematic,
    layer_geojson,
)
from geo.maps.furniture import NORTH_ARROW_SVG, add_furniture, clip_lines
from geo.maps.labels import MapLabels
from geo.maps.legend import legend_html, source_html, tier_rows, title_html
from geo.maps.placement_layers.badges import MarkerPopups
from geo.maps.placement_layers.clusters import (
    FollowLayer,
    badge_colours,
    label_groups,
    point_cluster,
)
from geo.maps.placement_layers.context import add_context_zones
from geo.maps.placement_layers.points import place_points

if TYPE_CHECKING:
    from geo.data.gazetteer import GazetteerRef

# Moved to their own modules; still importable from here.
__all__ = [
    "add_layer",
    "build_map",
]


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
        schematic = is_schematic(props)
        extra = " geo-schematic" if schematic else ""
        dashed = is_drawn_schematic(layer.geometry_type, props)
        if props.get("shown") == "schematic":
            return schematic_symbol(base, color, cls)
        return feature_style(base, color, dashed, cls + extra, line=not base.fill)

    return style


#: A schematic symbol: hollow (white inside), a dashed outline in the class colour.
SCHEMATIC_SYMBOL_DASH = "3 2"


def schematic_symbol(base: Any, color: str, class_name: str) -> dict[str, Any]:
    """Return the Leaflet options of a schematic symbol: hollow, dashed, never smaller than 6 px.

    Parameters
    ----------
    base
        The layer's point style.
    color
        The feature's class colour.
    class_name
        The layer's CSS class.

    Returns
    -------
    dict
    """
    return {
        "color": color,
        "weight": 2,
        "opacity": 1.0,
        "fill": True,
        "fillColor": "#ffffff",
        "fillOpacity": 0.85,
        "radius": max(float(base.radius), 6.0),
        "dashArray": SCHEMATIC_SYMBOL_DASH,
        "className": f"{class_name} geo-schematic-symbol",
    }


def add_layer(
    m: folium.Map,
    layer: LayerSpec,
    gdf: gpd.GeoDataFrame,
    colors: Mapping[str, str],
    cluster: folium.plugins.MarkerCluster | None = None,
) -> folium.FeatureGroup | folium.plugins.FeatureGroupSubGroup:
    """Draw one layer into its own feature group (points as circle markers).

    Parameters
    ----------
    m
        The map.
    layer
        The layer.
    gdf
        The display frame.
    colors
        Category colours of the layer.
    cluster
        For a point layer: the map's shared cluster group, which the layer joins as
        a sub-group (near-coincident points cluster instead of stacking).

    Returns
    -------
    folium.FeatureGroup or folium.plugins.FeatureGroupSubGroup
    """
    is_point = layer.geometry_type.removeprefix("Multi") == "Point"
    name = f"{esc(layer.title_zh)} {esc(layer.title_en)}"
    fg: folium.FeatureGroup | folium.plugins.FeatureGroupSubGroup
    if is_point and cluster is not None:
        fg = folium.plugins.FeatureGroupSubGroup(cluster, name=name, show=True)
    else:
        fg = folium.FeatureGroup(name=name, show=True)
    if len(gdf) == 0:  # every feature too coarse for a point: badges and the list only
        fg.add_to(m)
        return fg
    clustered = is_point and cluster is not None
    # schematic symbols are laid out apart already: they stay out of the cluster
    sch = gdf["shown"].eq("schematic") if clustered and "shown" in gdf else None
    located = gdf[~sch] if sch is not None else gdf
    if len(located):
        gj = _geojson(layer, located, colors, is_point, clustered)
        gj.add_to(fg)
        if clustered:
            MarkerPopups(gj).add_to(fg)
    fg.add_to(m)
    if sch is not None and sch.any():
        twin = folium.FeatureGroup(name=f"{layer.id}-schematic", control=False)
        _geojson(layer, gdf[sch], colors, is_point, False).add_to(twin)
        twin.add_to(m)
        FollowLayer(fg, twin).add_to(m)
    return fg


def _dense_layer(
    m: folium.Map, layer: LayerSpec, gdf: gpd.GeoDataFrame, colors: Mapping[str, str]
) -> folium.FeatureGroup:
    """Draw a point layer above the figure's ``dense_points_above`` on one canvas."""
    name = f"{esc(layer.title_zh)} {esc(layer.title_en)}"
    title = f"{layer.title_zh} {layer.title_en}".strip()
    colour = colors.get("", next(iter(colors.values()), get_style(layer.style).color))
    return add_dense_layer(m, layer.id, name, title, gdf, colour)


def _geojson(
    layer: LayerSpec, gdf: gpd.GeoDataFrame, colors: Mapping[str, str], point: bool, clustered: bool
) -> folium.GeoJson:
    """Return a layer's features as one GeoJSON element (points as circle markers)."""
    return folium.GeoJson(
        layer_geojson(gdf, layer),
        name=layer.id,
        style_function=_styler(layer, colors),
        marker=folium.CircleMarker() if point else None,
        # a cluster takes the markers out of their GeoJSON group: bind to each marker
        popup=None if clustered else folium.GeoJsonPopup(["popup"], labels=False, max_width=380),
        tooltip=None
        if clustered
        else folium.GeoJsonTooltip(["name_zh"], labels=False, sticky=True),
        control=False,
    )


def _groups(
    catalog_order: list[LayerSpec], fgs: Mapping[str, folium.map.Layer]
) -> dict[str, list[folium.map.Layer]]:
    groups: dict[str, list[folium.map.Layer]] = {}
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
    gazetteer: GazetteerRef = None,
    edit: bool = False,
) -> folium.Map:
    """Build the interactive map of one figure.

    Parameters
    ----------
    spec
        What to draw (see :mod:`geo.figures.specs`).
    layers
        Loaded layers by catalog id, EPSG:4326 (e.g. from :meth:`geo.project.Project.layers`).
    catalog
        Titles, groups, styles and category fields of the layers.
    basemap
        ``osm`` (default), ``cartodb``, ``gaode`` (layers shifted to GCJ-02),
        ``tianditu`` (needs ``TIANDITU_KEY``) or ``none``.
    index_href
        Link from the title block back to the index page.
    gazetteer
        Places the badges of gazetteer areas (``Project.gazetteer_path``; default
        :func:`geo.data.gazetteer.default_path`).
    edit
        Add the Draw toolbar and its Export button (off: a map to read).

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
    dense = {s.id for s in chosen if is_dense(spec, s, layers[s.id])}
    colors = figure_colours(spec, chosen, layers)
    gone = tuple(catalog[i] for i in skipped if i in catalog)
    placed = place_points(chosen, layers, frames, catalog, spec, bm, gone, gazetteer)
    context = add_context_zones(m, placed.depiction, catalog, layers, bm)  # under the layers
    cluster = point_cluster(m) if placed.layers else None
    fgs = {
        s.id: _dense_layer(m, s, frames[s.id], colors[s.id])
        if s.id in dense
        else add_layer(m, s, frames[s.id], colors[s.id], cluster)
        for s in chosen
    }
    placed.draw(m, fgs, badge_colours(colors))
    catalog_order = [s for s in catalog if s.id in fgs]
    if fgs:
        folium.plugins.GroupedLayerControl(
            _groups(catalog_order, fgs), exclusive_groups=False, collapsed=True
        ).add_to(m)
    HtmlControl(NORTH_ARROW_SVG, "geo-north-arrow", "topright").add_to(m)
    outline = layer_geojson(frames["district"], catalog["district"]) if "district" in frames else {}
    add_tools(m, spec, bm, outline, edit)
    # a dense layer has one legend row: its first feature stands for it
    drawn = [(s, frames[s.id].iloc[:1] if s.id in dense else frames[s.id]) for s in chosen]
    tiers = tier_rows(spec.max_accuracy_m, spec.schematic_accuracy_m) if placed.layers else ""
    tiers += context.legend
    HtmlControl(legend_html(drawn, colors, tiers), LEGEND_CLASS, "bottomright").add_to(m)
    HtmlControl(title_html(spec, bm, index_href), TITLE_CLASS, "top").add_to(m)
    HtmlControl(source_html(spec, bm), "geo-source", "top").add_to(m)
    groups = label_groups(m, fgs)
    if "district" in sources:
        shown = {**sources, **{pl.layer.id: pl.points for pl in placed.layers}}
        labels = figure_labels(
            [s for s in chosen if s.id not in dense],
            shown,
            sources["district"],
            spec.must_see,
            dict(spec.label_notes),
            bm.datum,
            spec.max_accuracy_m,
        )
        MapLabels([*labels, *context.labels], groups).add_to(m)
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
