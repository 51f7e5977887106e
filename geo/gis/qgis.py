"""QGIS styles (QML) and OGC SLD for each layer, drawn as the web maps draw it.

Built from the colours of :mod:`geo.figures.styles`: categorised by the layer's
``kind_field``, schematic shapes dashed, points labelled with ``name_zh``. All
functions are pure; :mod:`geo.gis.export` writes the results (the GeoPackage's
``layer_styles`` table, ``.qml`` files beside GeoJSON).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import geopandas as gpd

from geo.data.catalog import Catalog, LayerSpec
from geo.figures.styles.layer_style import (
    SCHEMATIC_DASH,
    SCHEMATIC_FILL_FACTOR,
    LayerStyle,
    category_colors,
    get_style,
)

__all__ = ["LAYER_STYLES_COLUMNS", "StyleRow", "layer_qml", "layer_sld", "style_rows"]

#: Columns of the QGIS ``layer_styles`` table, in QGIS's order.
LAYER_STYLES_COLUMNS: tuple[str, ...] = (
    "id",
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
)
_QGIS_VERSION = "3.28.0-Firenze"
_GEOM_CODE = {"Point": 0, "LineString": 1, "Polygon": 2}
_SYMBOL_TYPE = {"Point": "marker", "LineString": "line", "Polygon": "fill"}


@dataclass(frozen=True)
class StyleRow:
    """One row of the ``layer_styles`` table.

    Attributes
    ----------
    f_table_name
        The layer (table) the style belongs to.
    style_name
        Name shown in QGIS's style manager.
    qml, sld
        The QGIS style and the OGC SLD.
    description
        The layer's titles.
    """

    f_table_name: str
    style_name: str
    qml: str
    sld: str
    description: str


# --------------------------------------------------------------------------- colours
def _rgba(hex_color: str, alpha: float) -> str:
    """Return QGIS's ``r,g,b,a`` colour text from ``#rrggbb`` and opacity 0-1."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(max(0.0, min(1.0, alpha)) * 255)}"


def _is_schematic(gdf: gpd.GeoDataFrame) -> tuple[bool, bool]:
    """Return (all schematic, some schematic) for a layer's features."""
    if "geometry_source" not in gdf.columns or gdf.empty:
        return False, False
    flags = gdf["geometry_source"].astype(str) == "schematic"
    return bool(flags.all()), bool(flags.any())


def _categories(spec: LayerSpec, gdf: gpd.GeoDataFrame, style: LayerStyle) -> dict[str, str]:
    if spec.kind_field not in gdf.columns:
        return {}
    return category_colors(style, gdf[spec.kind_field].tolist())


# --------------------------------------------------------------------------- QML
def _options(props: Mapping[str, str]) -> str:
    """Symbol-layer properties in both QML forms (``<Option>`` for 3.26+, ``<prop>`` before)."""
    opts = "".join(
        f'<Option name={quoteattr(k)} type="QString" value={quoteattr(v)}/>'
        for k, v in props.items()
    )
    legacy = "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in props.items())
    return f'<Option type="Map">{opts}</Option>{legacy}'


_DASH_EXPRESSION = "CASE WHEN \"geometry_source\" = 'schematic' THEN 'dash' ELSE 'solid' END"


def _data_defined(mixed: bool) -> str:
    """Per-feature dash for layers mixing schematic and drawn shapes."""
    if not mixed:
        return (
            '<data_defined_properties><Option type="Map"><Option name="name" type="QString" '
            'value=""/><Option name="properties"/><Option name="type" type="QString" '
            'value="collection"/></Option></data_defined_properties>'
        )
    return (
        '<data_defined_properties><Option type="Map"><Option name="name" type="QString" '
        'value=""/><Option name="properties" type="Map"><Option name="strokeStyle" '
        'type="Map"><Option name="active" type="bool" value="true"/><Option '
        f'name="expression" type="QString" value={quoteattr(_DASH_EXPRESSION)}/><Option '
        'name="type" type="int" value="3"/></Option></Option><Option name="type" '
        'type="QString" value="collection"/></Option></data_defined_properties>'
    )


def _symbol_layer(gtype: str, color: str, style: LayerStyle, dashed: bool, mixed: bool) -> str:
    pen = "dash" if dashed else "solid"
    dash = ";".join(SCHEMATIC_DASH.split())
    fill_alpha = style.fill_opacity * (SCHEMATIC_FILL_FACTOR if dashed else 1.0)
    if gtype == "Point":
        props = {
            "name": "circle",
            "color": _rgba(color, max(fill_alpha, 0.6)),
            "outline_color": _rgba("#333333", 1.0),
            "outline_style": pen,
            "outline_width": "1",
            "outline_width_unit": "Pixel",
            "size": f"{2 * style.radius:g}",
            "size_unit": "Pixel",
        }
        cls = "SimpleMarker"
    elif gtype == "LineString":
        props = {
            "line_color": _rgba(color, style.opacity),
            "line_style": pen,
            "line_width": f"{style.weight:g}",
            "line_width_unit": "Pixel",
            "use_custom_dash": "1" if dashed else "0",
            "customdash": dash,
            "customdash_unit": "Pixel",
            "capstyle": "round",
            "joinstyle": "round",
        }
        cls = "SimpleLine"
    else:
        props = {
            "color": _rgba(color, fill_alpha if style.fill else 0.0),
            "style": "solid" if style.fill else "no",
            "outline_color": _rgba(color, style.opacity),
            "outline_style": pen,
            "outline_width": f"{style.weight:g}",
            "outline_width_unit": "Pixel",
            "joinstyle": "round",
        }
        cls = "SimpleFill"
    return (
        f'<layer class="{cls}" enabled="1" locked="0" pass="0">'
        f"{_options(props)}{_data_defined(mixed and not dashed)}</layer>"
    )


def _symbol(name: str, gtype: str, color: str, style: LayerStyle, dashed: bool, mixed: bool) -> str:
    return (
        f'<symbol name={quoteattr(name)} type="{_SYMBOL_TYPE[gtype]}" alpha="1" '
        f'clip_to_extent="1" force_rhr="0">'
        f"{_symbol_layer(gtype, color, style, dashed, mixed)}</symbol>"
    )


def layer_qml(spec: LayerSpec, gdf: gpd.GeoDataFrame) -> str:
    """Return the QGIS style (QML) of a layer, drawn as the web maps draw it.

    Categorical layers get a categorised renderer on the catalog's ``kind_field``
    with the colours of :func:`geo.figures.styles.category_colors`; other layers a
    single symbol. A layer whose features are all ``schematic`` is dashed with a
    lighter fill; a layer mixing schematic and drawn shapes dashes the schematic
    ones by a data-defined stroke style. Features are labelled with ``name_zh``.

    Parameters
    ----------
    spec
        The catalog entry (style key, kind field, geometry type).
    gdf
        The layer's features (their categories and geometry sources).

    Returns
    -------
    str
        A QML document.
    """
    style = get_style(spec.style)
    gtype = spec.geometry_type.removeprefix("Multi")
    dashed, some = _is_schematic(gdf)
    cats = _categories(spec, gdf, style)
    if style.categorical and cats:
        symbols, categories = [], []
        for i, (value, color) in enumerate(cats.items()):
            symbols.append(_symbol(str(i), gtype, color, style, dashed, some))
            categories.append(
                f'<category render="true" symbol="{i}" value={quoteattr(value)} '
                f'label={quoteattr(value)} type="string"/>'
            )
        renderer = (
            f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(spec.kind_field)} '
            'symbollevels="0" enableorderby="0" forceraster="0">'
            f"<categories>{''.join(categories)}</categories>"
            f"<symbols>{''.join(symbols)}</symbols>"
            f"<source-symbol>{_symbol('0', gtype, style.color, style, dashed, some)}"
            "</source-symbol></renderer-v2>"
        )
    else:
        renderer = (
            '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" '
            f'forceraster="0"><symbols>{_symbol("0", gtype, style.color, style, dashed, some)}'
            "</symbols></renderer-v2>"
        )
    labeling = (
        '<labeling type="simple"><settings calloutType="simple"><text-style '
        'fieldName="name_zh" fontSize="9" textColor="50,50,50,255" isExpression="0">'
        '<text-buffer bufferDraw="1" bufferSize="0.8" bufferColor="255,255,255,255"/>'
        '</text-style><placement placement="0" dist="1"/><rendering scaleVisibility="1" '
        'scaleMin="1" scaleMax="100000"/></settings></labeling>'
        if "name_zh" in gdf.columns and gtype == "Point"
        else ""
    )
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version="{_QGIS_VERSION}" styleCategories="Symbology|Labeling" '
        f'labelsEnabled="{1 if labeling else 0}">\n'
        f"{renderer}\n{labeling}\n"
        f"<layerGeometryType>{_GEOM_CODE.get(gtype, 2)}</layerGeometryType>\n"
        "</qgis>\n"
    )


# --------------------------------------------------------------------------- SLD
def _sld_symbolizer(gtype: str, color: str, style: LayerStyle, dashed: bool) -> str:
    dash = (
        f'<se:SvgParameter name="stroke-dasharray">{SCHEMATIC_DASH}</se:SvgParameter>'
        if dashed
        else ""
    )
    fill_alpha = style.fill_opacity * (SCHEMATIC_FILL_FACTOR if dashed else 1.0)
    stroke = (
        f'<se:Stroke><se:SvgParameter name="stroke">{color}</se:SvgParameter>'
        f'<se:SvgParameter name="stroke-width">{style.weight:g}</se:SvgParameter>'
        f'<se:SvgParameter name="stroke-opacity">{style.opacity:g}</se:SvgParameter>'
        f"{dash}</se:Stroke>"
    )
    if gtype == "Point":
        return (
            "<se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>circle"
            f'</se:WellKnownName><se:Fill><se:SvgParameter name="fill">{color}'
            '</se:SvgParameter></se:Fill><se:Stroke><se:SvgParameter name="stroke">#333333'
            "</se:SvgParameter></se:Stroke></se:Mark>"
            f"<se:Size>{2 * style.radius:g}</se:Size></se:Graphic></se:PointSymbolizer>"
        )
    if gtype == "LineString":
        return f"<se:LineSymbolizer>{stroke}</se:LineSymbolizer>"
    fill = (
        f'<se:Fill><se:SvgParameter name="fill">{color}</se:SvgParameter>'
        f'<se:SvgParameter name="fill-opacity">{fill_alpha:.3g}</se:SvgParameter></se:Fill>'
        if style.fill
        else ""
    )
    return f"<se:PolygonSymbolizer>{fill}{stroke}</se:PolygonSymbolizer>"


def layer_sld(spec: LayerSpec, gdf: gpd.GeoDataFrame) -> str:
    """Return an OGC SLD 1.1 of the layer with the same colours as :func:`layer_qml`.

    Parameters
    ----------
    spec
        The catalog entry.
    gdf
        The layer's features.

    Returns
    -------
    str
        An SLD document (one rule per category, or one rule).
    """
    style = get_style(spec.style)
    gtype = spec.geometry_type.removeprefix("Multi")
    dashed, _ = _is_schematic(gdf)
    cats = _categories(spec, gdf, style)
    rules = []
    if style.categorical and cats:
        for value, color in cats.items():
            rules.append(
                f"<se:Rule><se:Name>{escape(value)}</se:Name><se:Description><se:Title>"
                f"{escape(value)}</se:Title></se:Description>"
                '<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc"><ogc:PropertyIsEqualTo>'
                f"<ogc:PropertyName>{escape(spec.kind_field)}</ogc:PropertyName>"
                f"<ogc:Literal>{escape(value)}</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>"
                f"{_sld_symbolizer(gtype, color, style, dashed)}</se:Rule>"
            )
    else:
        rules.append(
            f"<se:Rule><se:Name>{escape(spec.title_zh)}</se:Name>"
            f"{_sld_symbolizer(gtype, style.color, style, dashed)}</se:Rule>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" '
        'xmlns:ogc="http://www.opengis.net/ogc" xmlns:se="http://www.opengis.net/se" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.1.0" '
        'xsi:schemaLocation="http://www.opengis.net/sld '
        'http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">'
        f"<NamedLayer><se:Name>{escape(spec.id)}</se:Name><UserStyle>"
        f"<se:Name>{escape(spec.id)}</se:Name><se:FeatureTypeStyle>{''.join(rules)}"
        "</se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>\n"
    )


def style_rows(catalog: Catalog, layers: Mapping[str, gpd.GeoDataFrame]) -> list[StyleRow]:
    """Return the ``layer_styles`` rows of the given layers, in catalog order.

    Parameters
    ----------
    catalog
        The catalog (style keys, kind fields).
    layers
        The layers to style, by id.

    Returns
    -------
    list of StyleRow
    """
    return [
        StyleRow(
            f_table_name=spec.id,
            style_name=f"{spec.id} (geo.figures.styles)",
            qml=layer_qml(spec, layers[spec.id]),
            sld=layer_sld(spec, layers[spec.id]),
            description=f"{spec.title_zh} {spec.title_en}",
        )
        for spec in catalog
        if spec.id in layers
    ]
