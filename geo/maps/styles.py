"""One style module for every map: a colour per layer kind, consistent across figures.

Colours come from palettes designed to stay distinguishable for colour-blind
viewers: Okabe & Ito (2008) for the first eight categories and Paul Tol's *muted*
scheme after that. A category keeps its colour on every figure because the colour is
chosen from the layer's style key and the category's rank among **all** the
categories of the layer, never from which features a figure happens to show.

Geometry made by ``schematic`` drawing shows relations, not footprints, so it is
drawn dashed with a lighter fill: visibly different from surveyed or digitised
shapes. The legend uses the same functions, so it always matches the map.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

#: Okabe-Ito palette (black omitted: it is kept for outlines and text).
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#999999",  # grey
)
#: Paul Tol's muted palette, used after the Okabe-Ito colours run out.
TOL_MUTED: tuple[str, ...] = (
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
)
PALETTE: tuple[str, ...] = OKABE_ITO + TOL_MUTED

#: Dash pattern of schematic shapes (SVG ``stroke-dasharray``).
SCHEMATIC_DASH = "8 6"
#: Fill opacity multiplier of schematic shapes: lighter than footprints.
SCHEMATIC_FILL_FACTOR = 0.5


@dataclass(frozen=True)
class LayerStyle:
    """How one layer is drawn.

    Attributes
    ----------
    color : str
        Default colour (outline and fill) when the layer is not categorical.
    weight : float
        Outline or line width in pixels.
    fill : bool
        Whether polygons (and point circles) are filled.
    fill_opacity : float
        Fill opacity of polygons and points.
    opacity : float
        Outline opacity.
    radius : float
        Radius in pixels of point features (drawn as circle markers).
    dash_array : str or None
        Dash pattern for every feature of the layer (schematic ones get one anyway).
    categorical : bool
        Whether the colour follows the layer's ``kind_field``.
    colors : Mapping of str to str
        Fixed colours of named categories; other categories take palette colours.
    """

    color: str = "#0072B2"
    weight: float = 2.0
    fill: bool = True
    fill_opacity: float = 0.35
    opacity: float = 0.9
    radius: float = 6.0
    dash_array: str | None = None
    categorical: bool = True
    colors: Mapping[str, str] = field(default_factory=dict)


#: Styles by the catalog's ``style`` key. Fixed colours are given where a meaning is
#: shared across layers (the two cities, statuses), so the same idea looks the same.
STYLES: dict[str, LayerStyle] = {
    "district": LayerStyle(
        color="#000000", weight=3.0, fill=False, fill_opacity=0.0, categorical=False
    ),
    "neighbours": LayerStyle(
        color="#777777", weight=1.0, fill=True, fill_opacity=0.05, categorical=False
    ),
    "axes": LayerStyle(
        color="#555555", weight=3.0, fill=False, colors={"river": "#0072B2", "road": "#555555"}
    ),
    "ridges": LayerStyle(color="#117733", weight=4.0, fill=False, opacity=0.7, categorical=False),
    "campuses": LayerStyle(color="#332288", radius=6.0, fill_opacity=0.8, categorical=False),
    "rd_platforms": LayerStyle(radius=6.0, fill_opacity=0.85),
    "transformation_platforms": LayerStyle(
        radius=6.0,
        fill_opacity=0.85,
        colors={
            "已建": "#009E73",
            "在建": "#E69F00",
            "拟建": "#56B4E9",
            "新建": "#56B4E9",
            "提升": "#CC79A7",
            "existing": "#009E73",
            "under construction": "#E69F00",
            "planned": "#56B4E9",
            "under-construction": "#E69F00",
        },
    ),
    "industrial_platforms": LayerStyle(fill_opacity=0.35, radius=6.0),
    "carriers": LayerStyle(radius=5.0, fill_opacity=0.85),
    "projects": LayerStyle(radius=4.0, fill_opacity=0.85),
    "cancer_resources": LayerStyle(color="#D55E00", radius=7.0, fill_opacity=0.85),
    "science_parks": LayerStyle(color="#009E73", radius=7.0, fill_opacity=0.6),
    "smart_scenes": LayerStyle(color="#CC79A7", radius=5.0, fill_opacity=0.85),
    "incubator_members": LayerStyle(radius=4.0, fill_opacity=0.85),
    "ring_members": LayerStyle(radius=4.0, fill_opacity=0.85),
    "science_city": LayerStyle(color="#0072B2", fill_opacity=0.15, categorical=False),
    "creative_valley": LayerStyle(color="#CC79A7", fill_opacity=0.2, categorical=False),
    "screens": LayerStyle(color="#117733", fill_opacity=0.25, categorical=False),
    "cities": LayerStyle(
        fill_opacity=0.12,
        colors={"东部人字母城": "#E69F00", "西部科技新城": "#56B4E9"},
    ),
    "belts": LayerStyle(fill_opacity=0.25),
    "rings": LayerStyle(fill_opacity=0.2),
    "clusters": LayerStyle(fill_opacity=0.2),
}

#: Used for a style key the module does not know (a new layer still gets drawn).
DEFAULT_STYLE = LayerStyle()


def get_style(key: str) -> LayerStyle:
    """Return the style for a catalog ``style`` key (the default style if unknown).

    Parameters
    ----------
    key : str
        The catalog's ``style`` value, e.g. ``"rd_platforms"``.

    Returns
    -------
    LayerStyle
    """
    return STYLES.get(key, DEFAULT_STYLE)


def category_colors(style: LayerStyle, kinds: Iterable[Any]) -> dict[str, str]:
    """Return the colour of every category of a layer.

    Fixed colours of ``style.colors`` win; the other categories take palette
    colours in sorted order, skipping colours already fixed, so the mapping depends
    only on the layer's categories and is the same on every figure.

    Parameters
    ----------
    style : LayerStyle
        The layer's style.
    kinds : iterable
        All category values of the layer (duplicates and missing values allowed).

    Returns
    -------
    dict of str to str
        Category (as text) to hex colour.
    """
    names = sorted({str(k) for k in kinds if k is not None and str(k) != "nan"})
    if not style.categorical:
        return dict.fromkeys(names, style.color)
    free = [c for c in PALETTE if c not in set(style.colors.values())] or list(PALETTE)
    out: dict[str, str] = {}
    i = 0
    for name in names:
        if name in style.colors:
            out[name] = style.colors[name]
        else:
            out[name] = free[i % len(free)]
            i += 1
    return out


def feature_style(
    style: LayerStyle, color: str, schematic: bool, class_name: str = ""
) -> dict[str, Any]:
    """Return Leaflet path options for one feature.

    Parameters
    ----------
    style : LayerStyle
        The layer's style.
    color : str
        The feature's category colour.
    schematic : bool
        Whether the geometry is schematic: drawn dashed with a lighter fill.
    class_name : str
        CSS class(es) given to the SVG element (lets tests and users select a layer).

    Returns
    -------
    dict
        ``color``, ``weight``, ``opacity``, ``fill``, ``fillColor``, ``fillOpacity``,
        ``radius``, ``dashArray`` (when dashed) and ``className``.
    """
    dash = SCHEMATIC_DASH if schematic else style.dash_array
    fill_opacity = style.fill_opacity * (SCHEMATIC_FILL_FACTOR if schematic else 1.0)
    out: dict[str, Any] = {
        "color": color,
        "weight": style.weight,
        "opacity": style.opacity,
        "fill": style.fill,
        "fillColor": color,
        "fillOpacity": round(fill_opacity, 3),
        "radius": style.radius,
    }
    if dash:
        out["dashArray"] = dash
    if class_name:
        out["className"] = class_name
    return out


def point_style(style: LayerStyle) -> LayerStyle:
    """Return the style used for point features: always filled, so markers show."""
    return style if style.fill else replace(style, fill=True, fill_opacity=0.8)


def swatch_html(geometry_type: str, color: str, schematic: bool = False) -> str:
    """Return an inline SVG swatch for the legend, drawn like the map draws it.

    Parameters
    ----------
    geometry_type : str
        ``Point``, ``LineString`` or ``Polygon`` (Multi- forms accepted).
    color : str
        Hex colour.
    schematic : bool
        Draw the dashed schematic variant.

    Returns
    -------
    str
        An ``<svg>`` element, 18 x 12 px.
    """
    c = html.escape(color, quote=True)
    dash = f' stroke-dasharray="{SCHEMATIC_DASH.replace(" ", ",")}"' if schematic else ""
    gtype = geometry_type.removeprefix("Multi")
    if gtype == "Point":
        shape = f'<circle cx="9" cy="6" r="5" fill="{c}" stroke="{c}" fill-opacity="0.85"/>'
    elif gtype == "LineString":
        shape = f'<line x1="1" y1="6" x2="17" y2="6" stroke="{c}" stroke-width="3"{dash}/>'
    else:
        shape = (
            f'<rect x="1" y="1" width="16" height="10" fill="{c}" fill-opacity="0.3" '
            f'stroke="{c}" stroke-width="2"{dash}/>'
        )
    return f'<svg width="18" height="12" aria-hidden="true">{shape}</svg>'


#: CSS of the title block, legend and popups (shared by every map and the index).
MAP_CSS = """
.geo-title{position:absolute;top:10px;left:50%;transform:translateX(-50%);z-index:1000;
 max-width:min(560px,60vw);background:rgba(255,255,255,.93);padding:6px 12px;border-radius:6px;
 box-shadow:0 1px 5px rgba(0,0,0,.4);font:13px/1.35 system-ui,"Noto Sans CJK SC",sans-serif;
 text-align:center}
.geo-caption-zh{font-size:16px;font-weight:700}
.geo-caption-en{font-size:12px;color:#333}
.geo-note,.geo-meta,.geo-missing{font-size:11px;color:#555}
.geo-missing{color:#a33}
.geo-legend{background:rgba(255,255,255,.93);padding:6px 8px;border-radius:6px;
 box-shadow:0 1px 5px rgba(0,0,0,.4);font:12px/1.4 system-ui,"Noto Sans CJK SC",sans-serif;
 max-height:45vh;overflow:auto;min-width:140px}
.geo-legend-title{font-weight:700;margin-bottom:2px}
.geo-legend-layer{margin-top:4px}
.geo-legend-row svg{vertical-align:middle}
.geo-en{color:#555;font-size:11px}
.geo-popup table{border-collapse:collapse;font-size:12px}
.geo-popup th{text-align:left;padding-right:6px;color:#444;font-weight:600;white-space:nowrap}
.geo-popup td{word-break:break-word}
"""
# leaflet-minimap links its toggle icon by a relative path that an inlined (offline)
# stylesheet cannot reach; an inline SVG arrow replaces it.
MAP_CSS += (
    ".leaflet-control-minimap-toggle-display{background-size:12px;"
    "background-image:url(\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' "
    "viewBox='0 0 10 10'%3E%3Cpath d='M2 2l6 3-6 3z' fill='%23333'/%3E%3C/svg%3E\")!important}"
)
