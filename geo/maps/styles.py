"""One style module for every map: widths, fills, legend names and one palette per figure.

Colours come from palettes designed to stay distinguishable for colour-blind
viewers: Okabe & Ito (2008), then Paul Tol's *bright*, *muted* and *light* schemes.
:func:`figure_palette` gives every legend class of one figure its own colour: it
walks that ordered list and skips any colour too close (CIELAB ΔE, also under
simulated deuteranopia and protanopia) to one already used or to the map
background. A class may name a preferred colour (rivers blue, ridges green); it
gets it when that colour is still free.

:func:`category_colors` keeps the older, figure-independent colouring (a category's
colour from its rank among all categories of its layer) for the GeoPackage export.

Geometry made by ``schematic`` drawing shows relations, not footprints, so it is
drawn dashed with a lighter fill: visibly different from surveyed or digitised
shapes. The legend uses the same functions, so it always matches the map.
"""

from __future__ import annotations

import html
import math
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

#: Paul Tol's bright palette.
TOL_BRIGHT: tuple[str, ...] = (
    "#4477AA",
    "#EE6677",
    "#228833",
    "#CCBB44",
    "#66CCEE",
    "#AA3377",
    "#BBBBBB",
)
#: Paul Tol's light palette.
TOL_LIGHT: tuple[str, ...] = (
    "#77AADD",
    "#EE8866",
    "#EEDD88",
    "#FFAABB",
    "#99DDFF",
    "#44BB99",
    "#BBCC33",
    "#AAAA00",
)
#: Every colour a figure may use, in the order :func:`figure_palette` tries them.
FIGURE_COLOURS: tuple[str, ...] = tuple(
    dict.fromkeys((*OKABE_ITO[:7], *TOL_BRIGHT, *TOL_MUTED, *TOL_LIGHT, OKABE_ITO[7]))
)
#: Map backgrounds a class colour must stand out from: white (OSM, CartoDB, the
#: legend) and Leaflet's grey when there are no tiles.
BACKGROUNDS: tuple[str, ...] = ("#FFFFFF", "#DDDDDD")
#: Colours reserved for furniture and context: never given to a data class.
RESERVED: dict[str, str] = {"outline": "#000000", "context": "#777777"}
#: Smallest CIELAB ΔE (CIE76) between two classes of a figure, for normal vision
#: and under simulated deuteranopia and protanopia.
MIN_DELTA_E = 20.0
MIN_DELTA_E_CVD = 8.0
#: Smallest ΔE between a class colour and the backgrounds.
MIN_DELTA_E_BACKGROUND = 15.0

# Machado, Oliveira & Fernandes (2009) dichromacy matrices (severity 1), applied in
# linear RGB.
_CVD: dict[str, tuple[tuple[float, float, float], ...]] = {
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
}


def _linear_rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    rgb = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return lin[0], lin[1], lin[2]


def _lab(lin: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (min(max(c, 0.0), 1.0) for c in lin)
    xyz = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _simulate(lin: tuple[float, float, float], kind: str) -> tuple[float, float, float]:
    m = _CVD[kind]
    return (
        m[0][0] * lin[0] + m[0][1] * lin[1] + m[0][2] * lin[2],
        m[1][0] * lin[0] + m[1][1] * lin[1] + m[1][2] * lin[2],
        m[2][0] * lin[0] + m[2][1] * lin[1] + m[2][2] * lin[2],
    )


def delta_e(a: str, b: str, vision: str = "normal") -> float:
    """Return the CIELAB ΔE (CIE76) between two hex colours.

    Parameters
    ----------
    a, b : str
        Hex colours (``#RRGGBB``).
    vision : str
        ``normal``, ``deuteranopia`` or ``protanopia`` (simulated, Machado 2009).

    Returns
    -------
    float
    """
    la, lb = _linear_rgb(a), _linear_rgb(b)
    if vision != "normal":
        la, lb = _simulate(la, vision), _simulate(lb, vision)
    return math.dist(_lab(la), _lab(lb))


def distinguishable(a: str, b: str, scale: float = 1.0) -> bool:
    """Whether two colours are far enough apart for normal and colour-blind vision.

    Parameters
    ----------
    a, b : str
        Hex colours.
    scale : float
        Multiplier of the thresholds (:func:`figure_palette` relaxes them only when
        a figure has more classes than the strict thresholds allow).

    Returns
    -------
    bool
    """
    if a.upper() == b.upper():
        return False
    if delta_e(a, b) < MIN_DELTA_E * scale:
        return False
    return all(delta_e(a, b, v) >= MIN_DELTA_E_CVD * scale for v in _CVD)


def _fits(colour: str, used: Iterable[str], scale: float) -> bool:
    if any(delta_e(colour, bg) < MIN_DELTA_E_BACKGROUND for bg in BACKGROUNDS):
        return False
    return all(distinguishable(colour, u, scale) for u in used)


def _pick(preferred: str | None, used: list[str]) -> str:
    """Return the first colour that fits, relaxing the thresholds only if none does."""
    candidates = ([preferred] if preferred else []) + list(FIGURE_COLOURS)
    for scale in (1.0, 0.75, 0.5, 0.25):
        for c in candidates:
            if _fits(c, used, scale):
                return c
    for c in FIGURE_COLOURS:  # never reached with the classes this project has
        if c not in used:
            return c
    raise ValueError(f"a figure has more than {len(FIGURE_COLOURS)} classes: too many colours")


def figure_palette(
    classes: Iterable[tuple[str, str]], preferred: Mapping[tuple[str, str], str] | None = None
) -> dict[tuple[str, str], str]:
    """Give every legend class of one figure its own colour.

    Classes whose preferred colour is still distinguishable from those already used
    get it first (in the order given); then every other class takes the next colour
    of :data:`FIGURE_COLOURS` that is distinguishable from all used so far.

    Parameters
    ----------
    classes : iterable of (layer id, class) pairs
        The figure's legend classes, in legend order; duplicates are ignored.
    preferred : Mapping, optional
        Class to the colour it should get when free (a river blue ...).

    Returns
    -------
    dict
        Class to hex colour; no two classes share a colour.
    """
    preferred = preferred or {}
    order = list(dict.fromkeys(classes))
    used = list(RESERVED.values())
    out: dict[tuple[str, str], str] = {}
    for cls in order:  # first pass: preferred colours that are still free
        colour = preferred.get(cls)
        if colour and _fits(colour, used, 1.0):
            out[cls] = colour
            used.append(colour)
    for cls in order:  # then everyone else, in legend order
        if cls not in out:
            out[cls] = _pick(None, used)
            used.append(out[cls])
    return {cls: out[cls] for cls in order}


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
        color="#555555", weight=3.0, fill=False, colors={"river": "#0072B2", "road": "#882255"}
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
    "screens": LayerStyle(color="#009E73", fill_opacity=0.25, categorical=False),
    "cities": LayerStyle(
        fill_opacity=0.3,
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
    value : object
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
    geometry_type : str
        The layer's geometry type.
    props : Mapping
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
    style : LayerStyle
        The layer's style.
    color : str
        The feature's category colour.
    schematic : bool
        Whether the geometry is schematic: drawn dashed with a lighter fill.
    class_name : str
        CSS class(es) given to the SVG element (lets tests and users select a layer).
    line : bool
        The feature is an unfilled line: schematic ones are also drawn thinner.

    Returns
    -------
    dict
        ``color``, ``weight``, ``opacity``, ``fill``, ``fillColor``, ``fillOpacity``,
        ``radius``, ``dashArray`` (when dashed) and ``className``.
    """
    dash = SCHEMATIC_DASH if schematic else style.dash_array
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


#: CSS of the title block, legend, labels, furniture and popups (shared by every map
#: and the index).
MAP_CSS = """
.geo-title{position:absolute;top:10px;left:50%;transform:translateX(-50%);z-index:1000;
 max-width:min(620px,64vw);background:rgba(255,255,255,.93);padding:5px 12px;border-radius:6px;
 box-shadow:0 1px 5px rgba(0,0,0,.4);font:13px/1.3 system-ui,"Noto Sans CJK SC",sans-serif;
 text-align:center}
.geo-caption-zh{font-size:16px;font-weight:700}
.geo-caption-en{font-size:12px;color:#333}
.geo-back{font-size:11px}
.geo-note,.geo-meta,.geo-missing{font-size:11px;color:#555}
.geo-missing{color:#a33}
.geo-source{position:absolute;left:0;right:0;bottom:0;z-index:1000;
 background:rgba(255,255,255,.85);padding:2px 8px;font:10px/1.3 system-ui,"Noto Sans CJK SC",
 sans-serif;color:#333}
.geo-source .geo-note{font-size:10px}
.folium-map .leaflet-bottom{bottom:30px}
.geo-tile-notice{position:absolute;left:50%;transform:translateX(-50%);bottom:36px;z-index:1001;
 background:#fff3cd;color:#664d03;padding:2px 8px;border-radius:4px;
 font:12px system-ui,"Noto Sans CJK SC",sans-serif;white-space:nowrap}
.geo-north-arrow{background:rgba(255,255,255,.85);border-radius:4px;padding:2px 4px 0;
 line-height:0;box-shadow:0 1px 4px rgba(0,0,0,.3);margin-top:80px!important}
.geo-legend{background:rgba(255,255,255,.93);padding:5px 8px;border-radius:6px;
 box-shadow:0 1px 5px rgba(0,0,0,.4);font:12px/1.3 system-ui,"Noto Sans CJK SC",sans-serif;
 max-height:calc(100vh - 150px);overflow:auto;max-width:340px}
.geo-legend-toggle{font:700 12px system-ui,"Noto Sans CJK SC",sans-serif;border:0;
 background:none;padding:0;cursor:pointer}
.geo-legend-toggle::after{content:" ▾"}
.geo-legend.geo-collapsed .geo-legend-toggle::after{content:" ▸"}
.geo-legend.geo-collapsed .geo-legend-body{display:none}
.geo-legend-layer{margin-top:3px}
.geo-legend-head{font-weight:700}
.geo-legend-row svg{vertical-align:middle}
.geo-en{color:#555;font-size:11px}
.geo-label-anchor{background:none;border:0}
.geo-label{position:absolute;white-space:nowrap;text-align:center;pointer-events:none;
 font-family:system-ui,"Noto Sans CJK SC",sans-serif;color:#222;line-height:1.15;
 text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff}
.geo-label span{display:block}
.geo-label-centre{transform:translate(-50%,-50%)}
.geo-label-right{transform:translate(7px,-50%);text-align:left}
.geo-label-1{font-size:17px;font-weight:700}
.geo-label-2{font-size:14px;font-weight:700;color:#1a3d1a}
.geo-label-3{font-size:12px;font-weight:600}
.geo-label-4{font-size:11px;color:#444}
.geo-label-note{font-size:11px;font-weight:600;color:#333}
.geo-label-hidden{visibility:hidden}
.geo-popup table{border-collapse:collapse;font-size:12px}
.geo-popup th{text-align:left;padding-right:6px;color:#444;font-weight:600;white-space:nowrap}
.geo-popup td{word-break:break-word}
@media (max-width:600px){
 .geo-title{left:52px;right:52px;transform:none;max-width:none;padding:3px 6px}
 .geo-caption-zh{font-size:13px}
 .geo-caption-en{display:none}
 .geo-source{font-size:9px}
 .geo-source .geo-note,.geo-source-en{display:none}
 .geo-label-3{font-size:11px}
 .geo-label-4{font-size:10px}
 .leaflet-control-minimap{display:none}
 .geo-legend{max-width:80vw;max-height:50vh}
}
"""
# leaflet-minimap links its toggle icon by a relative path that an inlined (offline)
# stylesheet cannot reach; an inline SVG arrow replaces it.
MAP_CSS += (
    ".leaflet-control-minimap-toggle-display{background-size:12px;"
    "background-image:url(\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' "
    "viewBox='0 0 10 10'%3E%3Cpath d='M2 2l6 3-6 3z' fill='%23333'/%3E%3C/svg%3E\")!important}"
)
