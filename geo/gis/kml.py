"""KML text: one ``<Document>``, a ``<Style>`` per class, a ``<Folder>`` per layer.

Each class of a layer (a category of its ``kind_field``, or the layer itself when it
is not categorical) gets one shared style in the colours of
:mod:`geo.figures.styles` (:func:`~geo.figures.styles.category_colors`), and every
placemark points at its class's style by ``<styleUrl>``. A folder is named by the
layer's id, so GDAL reads each folder back as a layer of that name; its description
holds the layer's titles. Placemarks are named by ``Name`` (``name_zh``); the other
properties are typed ``<ExtendedData>`` (a ``<Schema>`` per layer). Pure:
:func:`geo.gis.exchange.write_kml` writes the text.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import geopandas as gpd
import pandas as pd

from geo.data.catalog import Catalog, LayerSpec
from geo.errors import ExportWarning
from geo.figures.styles.layer_style import category_colors, get_style
from geo.gis.export import gpkg_frame

__all__ = ["KML_NAMESPACE", "class_styles", "kml_color", "kml_frame", "kml_text"]

#: The namespace of KML 2.2.
KML_NAMESPACE = "http://www.opengis.net/kml/2.2"
#: Icon of point placemarks (a circle Google Earth tints with the class colour).
POINT_ICON = "https://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"
_NOT_ID = re.compile(r"[^A-Za-z0-9_.-]")
#: Characters XML 1.0 cannot hold at all (control characters, U+FFFE, U+FFFF, lone
#: surrogates): KML text is written with each as ``\uXXXX``.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: Characters a field's ``name`` does not keep (markup, quotes, what XML cannot hold).
_NOT_KML_NAME = re.compile("[<>&\"'\t\n\r]|" + _NOT_XML.pattern)


def kml_color(hex_color: str, opacity: float = 1.0) -> str:
    """Return a KML colour (``aabbggrr``) from ``#rrggbb`` and an opacity 0-1.

    Parameters
    ----------
    hex_color
        ``#rrggbb``.
    opacity
        0 (transparent) to 1.

    Returns
    -------
    str

    Examples
    --------
    >>> kml_color("#ff8000", 0.5)
    '800080ff'
    """
    h = hex_color.lstrip("#").lower()
    alpha = round(max(0.0, min(1.0, opacity)) * 255)
    return f"{alpha:02x}{h[4:6]}{h[2:4]}{h[0:2]}"


def _xml_text(value: object) -> object:
    r"""Write characters XML cannot hold as ``\uXXXX`` (other values as given)."""
    if not isinstance(value, str):
        return value
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def kml_frame(gdf: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    r"""Return a layer whose text and field names make well-formed KML, saying what changed.

    Text holding characters XML 1.0 cannot hold (control characters, U+FFFE) is
    written with them as ``\uXXXX``; a property name holding ``<``, ``&``, a quote
    or such a character gets ``_`` in their place (other readers, GDAL's among them,
    take names as they stand).

    Parameters
    ----------
    gdf
        A layer in EPSG:4326.
    layer
        Its id, for the warning.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    out = gpkg_frame(gdf)
    escaped = 0
    for col in out.columns:
        given = out[col].tolist()
        if col == out.geometry.name or not any(isinstance(v, str) for v in given):
            continue
        values = [_xml_text(v) for v in given]
        escaped += sum(isinstance(a, str) and a != b for a, b in zip(values, given, strict=True))
        out[col] = pd.Series(values, index=out.index, dtype=object)
    names = {c: _NOT_KML_NAME.sub("_", str(c)) for c in out.columns if c != out.geometry.name}
    renamed = {a: b for a, b in names.items() if a != b}
    said = (
        [f"{escaped} text value(s) with control characters written as \\uXXXX"] if escaped else []
    )
    said += [f"field {a!r} written as {b!r}" for a, b in renamed.items()]
    if said:
        warnings.warn(f"KML layer {layer}: {'; '.join(said)}", ExportWarning, stacklevel=4)
    return out.rename(columns=renamed)


def _classes(spec: LayerSpec, gdf: gpd.GeoDataFrame) -> dict[str, str]:
    """Class value to colour: a category each, or one class ``""`` for the layer."""
    style = get_style(spec.style)
    if style.categorical and spec.kind_field in gdf.columns:
        colours = category_colors(style, gdf[spec.kind_field].tolist())
        if colours:
            return colours
    return {"": style.color}


def _class_of(spec: LayerSpec, row: Mapping[str, Any], classes: Mapping[str, str]) -> str:
    value = row.get(spec.kind_field)
    text = "" if value is None else str(value)
    return text if text in classes else next(iter(classes))


def class_styles(spec: LayerSpec, gdf: gpd.GeoDataFrame) -> dict[str, tuple[str, str]]:
    """Return the style id and KML ``<Style>`` of every class of a layer.

    Parameters
    ----------
    spec
        The catalog entry (style key, kind field).
    gdf
        The layer's features (their categories).

    Returns
    -------
    dict of str to (str, str)
        Class value (``""`` for a layer drawn in one colour) to (style id, XML).
    """
    style = get_style(spec.style)
    out = {}
    for n, (value, colour) in enumerate(_classes(spec, gdf).items()):
        sid = _NOT_ID.sub("_", f"{spec.id}-{n}-{value}" if value else spec.id)
        fill = style.fill_opacity if style.fill else 0.0
        out[value] = (
            sid,
            f"<Style id={quoteattr(sid)}>"
            f"<IconStyle><color>{kml_color(colour)}</color><scale>0.8</scale>"
            f"<Icon><href>{POINT_ICON}</href></Icon></IconStyle>"
            f"<LabelStyle><scale>0.8</scale></LabelStyle>"
            f"<LineStyle><color>{kml_color(colour, style.opacity)}</color>"
            f"<width>{style.weight:g}</width></LineStyle>"
            f"<PolyStyle><color>{kml_color(colour, fill)}</color>"
            f"<fill>{1 if fill > 0 else 0}</fill><outline>1</outline></PolyStyle></Style>",
        )
    return out


def _coords(coords: Iterable[tuple[float, ...]]) -> str:
    return " ".join(f"{c[0]:.7f},{c[1]:.7f}" for c in coords)


def _geometry(geom: Any) -> str:
    """KML geometry of a shapely geometry (multi-part ones as ``<MultiGeometry>``)."""
    kind = geom.geom_type
    if kind == "Point":
        return f"<Point><coordinates>{_coords([geom.coords[0]])}</coordinates></Point>"
    if kind == "LineString":
        return f"<LineString><coordinates>{_coords(geom.coords)}</coordinates></LineString>"
    if kind == "Polygon":
        inner = "".join(
            f"<innerBoundaryIs><LinearRing><coordinates>{_coords(r.coords)}</coordinates>"
            "</LinearRing></innerBoundaryIs>"
            for r in geom.interiors
        )
        return (
            "<Polygon><outerBoundaryIs><LinearRing><coordinates>"
            f"{_coords(geom.exterior.coords)}</coordinates></LinearRing></outerBoundaryIs>"
            f"{inner}</Polygon>"
        )
    return f"<MultiGeometry>{''.join(_geometry(g) for g in geom.geoms)}</MultiGeometry>"


def _value(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def _kml_type(dtype: Any) -> str:
    """Return the KML ``SimpleField`` type of a column's dtype."""
    kind = getattr(dtype, "kind", "O")
    return {"i": "int", "u": "int", "f": "double", "b": "bool"}.get(kind, "string")


def _schema(layer: str, gdf: gpd.GeoDataFrame) -> str:
    """Return a ``<Schema>`` typing the layer's properties (GDAL reads the types back)."""
    fields = "".join(
        f"<SimpleField name={quoteattr(str(c))} type={quoteattr(_kml_type(gdf[c].dtype))}/>"
        for c in gdf.columns
        if c not in ("Name", gdf.geometry.name)
    )
    sid = _NOT_ID.sub("_", f"{layer}-schema")
    return f"<Schema name={quoteattr(layer)} id={quoteattr(sid)}>{fields}</Schema>"


def _placemark(row: Mapping[str, Any], geometry: str, style_id: str, schema: str) -> str:
    data = "".join(
        f"<SimpleData name={quoteattr(str(k))}>{escape(v)}</SimpleData>"
        for k, raw in row.items()
        if k not in ("Name", geometry) and (v := _value(raw)) is not None
    )
    name = _value(row.get("Name")) or ""
    return (
        f"<Placemark><name>{escape(name)}</name><styleUrl>#{style_id}</styleUrl>"
        f'<ExtendedData><SchemaData schemaUrl="#{schema}">{data}</SchemaData></ExtendedData>'
        f"{_geometry(row[geometry])}</Placemark>"
    )


def _folder(spec: LayerSpec, gdf: gpd.GeoDataFrame, styles: Mapping[str, tuple[str, str]]) -> str:
    geometry = gdf.geometry.name
    ids = {value: sid for value, (sid, _) in styles.items()}
    schema = _NOT_ID.sub("_", f"{spec.id}-schema")
    marks = []
    for row in gdf.to_dict("records"):
        if row[geometry] is None or row[geometry].is_empty:
            continue
        marks.append(_placemark(row, geometry, ids[_class_of(spec, row, ids)], schema))
    return (
        f"<Folder><name>{escape(spec.id)}</name>"
        f"<description>{escape(f'{spec.title_zh} {spec.title_en}')}</description>"
        f"{''.join(marks)}</Folder>"
    )


def kml_text(layers: Mapping[str, gpd.GeoDataFrame], catalog: Catalog, title: str) -> str:
    """Return one KML document holding every layer, in catalog order.

    Parameters
    ----------
    layers
        The layers by catalog id, in EPSG:4326, their text already fit for XML and
        ``name_zh`` renamed ``Name`` (:func:`geo.gis.exchange.write_kml` does both).
    catalog
        The catalog (order, titles, style keys).
    title
        The document's name.

    Returns
    -------
    str
        A KML 2.2 document: a schema per layer (the properties' types), the styles,
        then a folder per layer.
    """
    specs = [s for s in catalog if s.id in layers]
    styles = {
        s.id: class_styles(s, layers[s.id].rename(columns={"Name": "name_zh"})) for s in specs
    }
    style_xml = "".join(xml for spec in specs for _, xml in styles[spec.id].values())
    schemas = "".join(_schema(s.id, layers[s.id]) for s in specs)
    folders = "".join(_folder(s, layers[s.id], styles[s.id]) for s in specs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<kml xmlns="{KML_NAMESPACE}"><Document><name>{escape(title)}</name>'
        f"{schemas}{style_xml}{folders}</Document></kml>\n"
    )
