"""The atlas palette: one colour per legend class, the same on every figure, web and print.

A class is a value of a layer's class field (``industrial-park``, ``在建``, a ring's
name) keyed by the layer's catalog ``style``; ``""`` is the class of a layer drawn in
one colour (a figure's ``single_colour``, or a layer without classes). The web maps,
their legends, the prints and the GeoPackage styles all read :data:`ATLAS`, so 产业园区
is the same brown on Figure 1 and Figure 5 and 重大项目 the same red on Figures 2, 5 and 6.

Zone classes follow the land-use colours planners read (GB/T 50137-2011): industry
brown, research and education magenta, medical pink-red, green space green, and water
blue. **Only water is blue** (:func:`is_blue` says what counts as blue); the context
lines (rivers, roads, ridges) have colours of their own (:data:`CONTEXT`) that no
data class takes. Classes without a land-use meaning (industries, statuses, named
rings and clusters) take the Okabe-Ito and ColorBrewer hues left over. Two classes
that share a figure are told apart for normal vision and under simulated
deuteranopia and protanopia (:func:`geo.figures.styles.distinguishable`); the two cities
and the Science City differ in hue and in outline (:data:`geo.figures.styles.STYLES`).
"""

from __future__ import annotations

import colorsys
from collections.abc import Mapping

__all__ = ["ATLAS", "BLUE_HUE", "CONTEXT", "WATER", "atlas_colour", "is_blue"]

#: Context lines, drawn light under every figure's thematic layers.
CONTEXT: dict[str, str] = {
    "river": "#4A90D9",  # water: the one blue of the atlas
    "road": "#9A9A9A",
    "ridge": "#8A9A5B",
}

# GB/T 50137-2011 land-use families (and the hues left for thematic classes).
_INDUSTRY = "#8C510A"  # M industrial: brown
_INDUSTRY_LIGHT = "#D8B365"  # light brown: industry in office buildings
_RESEARCH = "#C51B7D"  # A3 education and research: magenta
_RESEARCH_DARK = "#8E0152"
_MEDICAL = "#E8505B"  # A5 medical: pink-red
_GREEN = "#5AAE61"  # G green space
_GREEN_DARK = "#1B7837"
_GREEN_LIGHT = "#A6D854"
_URBAN = "#F0E442"  # the established city: yellow, as residential areas are drawn
_PURPLE = "#9970AB"
_PURPLE_DARK = "#762A83"
_PURPLE_LIGHT = "#C2A5CF"
_PINK = "#DE77AE"
_SALMON = "#F4A582"
_ORANGE = "#E69F00"
_VERMILLION = "#D55E00"
_RED = "#D62728"
_OLIVE = "#999933"
_TEAL_GREEN = "#1B9E77"

#: Catalog ``style`` key to class to colour. ``""`` is the layer in one colour.
ATLAS: dict[str, dict[str, str]] = {
    "axes": {"river": CONTEXT["river"], "road": CONTEXT["road"], "": CONTEXT["road"]},
    "ridges": {"ridge": CONTEXT["ridge"], "": CONTEXT["ridge"]},
    # zones
    "cities": {"东部人字母城": _URBAN, "西部科技新城": _PURPLE, "": "#B2ABD2"},
    "science_city": {"": _RESEARCH_DARK},
    "creative_valley": {"": _SALMON},
    "screens": {"": _GREEN},
    "belts": {
        "嘉陵西岸科技创新示范带": _VERMILLION,
        "科学大道—梁滩河谷高质量发展示范带": _OLIVE,
        "": "#FDB863",
    },
    "rings": {
        "环重庆大学创新生态圈": _ORANGE,
        "环重庆师大创新生态圈": _GREEN,
        "环建筑职院创新生态圈": _VERMILLION,
        "环电子职院创新生态圈": _URBAN,
        "环西政—川外创新生态圈": _PURPLE,
        "成渝高校协同创新生态圈": _OLIVE,
        "": _PINK,
    },
    "clusters": {
        "沙滨路孵化器集群": _ORANGE,
        "菁云湖孵化器集群": _GREEN,
        "五云湖孵化器集群": _PURPLE,
        "": _PURPLE_DARK,
    },
    # sites
    "campuses": {"": _RESEARCH},
    "rd_platforms": {
        "integrated-circuits": _ORANGE,
        "artificial-intelligence": _VERMILLION,
        "big-data-cloud": _URBAN,
        "intelligent-manufacturing": _INDUSTRY,
        "energy-equipment": _OLIVE,
        "life-health": _MEDICAL,
        "ecology-environment": _GREEN_DARK,
        "high-tech-services": _PURPLE,
        "blockchain": _GREEN_LIGHT,
        "": "#FEE08B",
    },
    "transformation_platforms": {
        "under-construction": _VERMILLION,
        "under construction": _VERMILLION,
        "在建": _VERMILLION,
        "planned": _URBAN,
        "拟建": _URBAN,
        "新建": _URBAN,
        "existing": _GREEN_DARK,
        "已建": _GREEN_DARK,
        "提升": _PURPLE,
        "": "#E08214",
    },
    "industrial_platforms": {
        "industrial-park": _INDUSTRY,
        "building-park": _INDUSTRY_LIGHT,
        "": _INDUSTRY,
    },
    "carriers": {
        "carrier": _PURPLE_DARK,
        "demonstration": _PURPLE,
        "cluster": _PURPLE_LIGHT,
        "featured": _ORANGE,
        "": "#542788",
    },
    "projects": {"": _RED},
    "cancer_resources": {
        "hospital": _MEDICAL,
        "medical-school": _RESEARCH,
        "military-university": _PURPLE_DARK,
        "carrier": _ORANGE,
        "": _MEDICAL,
    },
    "science_parks": {
        "science-park": _GREEN_DARK,
        "popular-science-park": _GREEN_LIGHT,
        "": "#4D9221",
    },
    "smart_scenes": {"smart-scene": _TEAL_GREEN, "": _TEAL_GREEN},
    "incubator_members": {"沙滨路": _ORANGE, "菁云湖": _GREEN, "五云湖": _PURPLE, "": "#BF812D"},
    "ring_members": {"": "#F1B6DA"},
}

#: The water classes, (style key, class): the only ones allowed a blue.
WATER: frozenset[tuple[str, str]] = frozenset({("axes", "river")})

#: What counts as blue: an HSV hue in this range (degrees, cyan through indigo) with
#: a saturation of at least :data:`BLUE_MIN_SATURATION`. Teal greens (hue < 175°),
#: violet and purple (≥ 260°) and greys are not blue.
BLUE_HUE: tuple[float, float] = (175.0, 260.0)
BLUE_MIN_SATURATION = 0.25


def is_blue(colour: str) -> bool:
    """Whether a colour reads as blue (and so as water on a plan).

    Parameters
    ----------
    colour
        Hex colour ``#RRGGBB``.

    Returns
    -------
    bool
        True when its HSV hue lies in :data:`BLUE_HUE` and its saturation is at
        least :data:`BLUE_MIN_SATURATION`.
    """
    h = colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, sat, _ = colorsys.rgb_to_hsv(r, g, b)
    return sat >= BLUE_MIN_SATURATION and BLUE_HUE[0] <= hue * 360 < BLUE_HUE[1]


def atlas_colour(
    style: str, kind: str, table: Mapping[str, Mapping[str, str]] = ATLAS
) -> str | None:
    """Return the atlas colour of a class, ``None`` for a class the atlas does not list.

    Parameters
    ----------
    style
        The layer's catalog ``style`` key.
    kind
        The class; ``""`` for the layer drawn in one colour.
    table
        The palette (default :data:`ATLAS`).

    Returns
    -------
    str or None
    """
    return table.get(style, {}).get(kind)
