"""How each layer is drawn: widths, fills, legend names, and schematic dashes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from geo.figures.styles.atlas import ATLAS
from geo.figures.styles.colours import PALETTE

__all__ = [
    "LayerStyle",
    "category_colors",
    "class_label",
    "feature_style",
    "get_style",
    "is_drawn_schematic",
    "point_style",
]


#: Dash pattern of schematic shapes (SVG ``stroke-dasharray``).
SCHEMATIC_DASH = "8 6"
#: Fill opacity multiplier of schematic shapes: lighter than footprints.
SCHEMATIC_FILL_FACTOR = 0.5


#: Colour of a layer the atlas does not know (a brown-grey: not blue, not a land use).
DEFAULT_COLOUR = "#7F6A5A"


@dataclass(frozen=True)
class LayerStyle:
    """How one layer is drawn.

    Attributes
    ----------
    color
        Default colour (outline and fill) when the layer is not categorical.
    weight
        Outline or line width in pixels.
    fill
        Whether polygons (and point circles) are filled.
    fill_opacity
        Fill opacity of polygons and points.
    opacity
        Outline opacity.
    radius
        Radius in pixels of point features (drawn as circle markers).
    dash_array
        Dash pattern for every feature of the layer (schematic ones get one anyway).
    categorical
        Whether the colour follows the layer's ``kind_field``.
    colors
        Fixed colours of named categories; other categories take palette colours.
    """

    color: str = DEFAULT_COLOUR
    weight: float = 2.0
    fill: bool = True
    fill_opacity: float = 0.35
    opacity: float = 0.9
    radius: float = 6.0
    dash_array: str | None = None
    categorical: bool = True
    colors: Mapping[str, str] = field(default_factory=dict)


def _atlas(key: str, **options: Any) -> LayerStyle:
    """Return a layer's style with its colours from the atlas palette."""
    colours = ATLAS.get(key, {})
    return LayerStyle(color=colours.get("", DEFAULT_COLOUR), colors=colours, **options)


#: Styles by the catalog's ``style`` key; every colour comes from
#: :data:`geo.figures.styles.atlas.ATLAS`, so a class looks the same on every figure.
#: Rivers, roads and ridges are light context under the thematic layers; the Science
#: City is a heavy dash-dot outline over a faint fill, the two cities light fills
#: with a thin outline, so the three areas differ in outline as well as hue.
STYLES: dict[str, LayerStyle] = {
    "district": LayerStyle(
        color="#000000", weight=3.0, fill=False, fill_opacity=0.0, categorical=False
    ),
    "neighbours": LayerStyle(
        color="#777777", weight=1.0, fill=True, fill_opacity=0.05, categorical=False
    ),
    "axes": _atlas("axes", weight=2.0, fill=False, opacity=0.75),
    "ridges": _atlas("ridges", weight=2.0, fill=False, opacity=0.7, categorical=False),
    "campuses": _atlas("campuses", radius=6.0, fill_opacity=0.8, categorical=False),
    "rd_platforms": _atlas("rd_platforms", radius=6.0, fill_opacity=0.85),
    "transformation_platforms": _atlas("transformation_platforms", radius=6.0, fill_opacity=0.85),
    "industrial_platforms": _atlas("industrial_platforms", fill_opacity=0.35, radius=6.0),
    "carriers": _atlas("carriers", radius=5.0, fill_opacity=0.85),
    "projects": _atlas("projects", radius=4.0, fill_opacity=0.85),
    "cancer_resources": _atlas("cancer_resources", radius=7.0, fill_opacity=0.85),
    "science_parks": _atlas("science_parks", radius=7.0, fill_opacity=0.6),
    "smart_scenes": _atlas("smart_scenes", radius=5.0, fill_opacity=0.85),
    "incubator_members": _atlas("incubator_members", radius=4.0, fill_opacity=0.85),
    "ring_members": _atlas("ring_members", radius=4.0, fill_opacity=0.85),
    "science_city": _atlas(
        "science_city", weight=3.5, fill_opacity=0.08, dash_array="10 4 2 4", categorical=False
    ),
    "creative_valley": _atlas("creative_valley", fill_opacity=0.2, categorical=False),
    "screens": _atlas("screens", fill_opacity=0.25, categorical=False),
    "cities": _atlas("cities", weight=1.5, fill_opacity=0.3),
    "belts": _atlas("belts", fill_opacity=0.25),
    "rings": _atlas("rings", fill_opacity=0.2),
    "clusters": _atlas("clusters", fill_opacity=0.2),
}

#: Used for a style key the module does not know (a new layer still gets drawn).
DEFAULT_STYLE = LayerStyle(color=DEFAULT_COLOUR)


def get_style(key: str) -> LayerStyle:
    """Return the style for a catalog ``style`` key (the default style if unknown).

    Parameters
    ----------
    key
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
    style
        The layer's style.
    kinds
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


#: Legend names of the code values the layers use for their classes: Chinese (the
#: plan's words where it has them) with English after it. A class not listed is
#: shown as written (Chinese class values such as 在建 or ring names need no entry).
CLASS_LABELS: dict[str, tuple[str, str]] = {
    "district": ("沙坪坝区", "Shapingba District"),
    "neighbour": ("相邻区", "neighbouring district"),
    "river": ("河流", "river"),
    "road": ("道路轴线", "road axis"),
    "ridge": ("山脊线", "ridge line"),
    "university": ("高校", "university"),
    "vocational-college": ("职业院校", "vocational college"),
    "hospital": ("医院", "hospital"),
    "military-university": ("军队院校", "military university"),
    "medical-school": ("医学院", "medical school"),
    "integrated-circuits": ("集成电路", "integrated circuits"),
    "artificial-intelligence": ("人工智能", "artificial intelligence"),
    "big-data-cloud": ("大数据云计算", "big data and cloud"),
    "intelligent-manufacturing": ("智能制造", "intelligent manufacturing"),
    "energy-equipment": ("能源装备", "energy equipment"),
    "life-health": ("生命健康", "life and health"),
    "ecology-environment": ("生态环保", "ecology and environment"),
    "high-tech-services": ("高技术服务", "high-tech services"),
    "blockchain": ("区块链", "blockchain"),
    "under-construction": ("在建", "under construction"),
    "planned": ("规划论证", "being planned"),
    "existing": ("已建", "built"),
    "industrial-park": ("产业园区", "industrial park"),
    "building-park": ("楼宇产业园", "building-type park"),
    "carrier": ("双创载体", "innovation carrier (表9)"),
    "demonstration": ("双创示范园区", "demonstration park (表10)"),
    "cluster": ("双创集聚园区", "agglomeration park (表11)"),
    "featured": ("双创特色园区", "featured park (表12)"),
    "science-city-key": ("申报科学城市级重点项目", "Science City key project"),
    "planned-new": ("其他策划类新建项目", "other planned new project"),
    "university-ring": ("环大学创新生态圈建设项目", "university ring project"),
    "chengdu-chongqing-synergy": ("成渝两地双城经济圈协同项目", "Chengdu-Chongqing project"),
    "ai-pilot-zone": ("新一代人工智能创新发展试验区项目", "AI pilot zone project"),
    "hundred-cities-action": ("科技部“百城行动计划”项目", "Hundred Cities Action project"),
    "innovation-resources": ("引进创新资源及高端研发机构培育项目", "R&D institute project"),
    "science-park": ("科技公园", "science park"),
    "popular-science-park": ("科普公园", "popular-science park"),
    "smart-scene": ("智慧城乡应用场景", "smart-city scene"),
    "science-city": ("西部（重庆）科学城", "Western Science City"),
    "development-belt": ("发展带", "development belt"),
}


def class_label(value: Any) -> tuple[str, str]:
    """Return the (Chinese, English) legend name of a class value.

    Parameters
    ----------
    value
        A class value as the layer stores it (``building-park``, ``在建`` ...).

    Returns
    -------
    tuple of str
        The names of :data:`CLASS_LABELS`; an unlisted value is returned as the
        Chinese name with no English.
    """
    text = "" if value is None else str(value)
    return CLASS_LABELS.get(text, (text, ""))


#: Lines less accurate than this (metres) are drawn like schematic ones: dashed and
#: thinner, so a ridge traced through four peaks does not look surveyed.
LINE_DASH_ACCURACY_M = 500.0
#: Width multiplier of dashed (schematic) lines.
SCHEMATIC_LINE_FACTOR = 0.6


def is_drawn_schematic(geometry_type: str, props: Mapping[str, Any]) -> bool:
    """Whether a feature is drawn dashed: schematic, or a line coarser than 500 m.

    Parameters
    ----------
    geometry_type
        The layer's geometry type.
    props
        The feature's ``geometry_source`` and ``accuracy_m``.

    Returns
    -------
    bool
    """
    if props.get("geometry_source") == "schematic":
        return True
    if geometry_type.removeprefix("Multi") != "LineString":
        return False
    acc = props.get("accuracy_m")
    return isinstance(acc, int | float) and acc > LINE_DASH_ACCURACY_M


def feature_style(
    style: LayerStyle, color: str, schematic: bool, class_name: str = "", line: bool = False
) -> dict[str, Any]:
    """Return Leaflet path options for one feature.

    Parameters
    ----------
    style
        The layer's style.
    color
        The feature's category colour.
    schematic
        Whether the geometry is schematic: drawn dashed (the layer's own dash, if it
        has one, else :data:`SCHEMATIC_DASH`) with a lighter fill.
    class_name
        CSS class(es) given to the SVG element (lets tests and users select a layer).
    line
        The feature is an unfilled line: schematic ones are also drawn thinner.

    Returns
    -------
    dict
        ``color``, ``weight``, ``opacity``, ``fill``, ``fillColor``, ``fillOpacity``,
        ``radius``, ``dashArray`` (when dashed) and ``className``.
    """
    dash = (style.dash_array or SCHEMATIC_DASH) if schematic else style.dash_array
    fill_opacity = style.fill_opacity * (SCHEMATIC_FILL_FACTOR if schematic else 1.0)
    weight = style.weight * (SCHEMATIC_LINE_FACTOR if schematic and line else 1.0)
    out: dict[str, Any] = {
        "color": color,
        "weight": round(weight, 2),
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
