"""One style module for every map: the atlas palette, widths, fills and legend names.

Colours come from one table, :data:`ATLAS` (:mod:`geo.figures.styles.atlas`): every
legend class (a layer's class, or the layer drawn in one colour) has one colour on
every figure, web map, legend, print and GeoPackage style. Zone classes follow the
GB/T 50137 land-use colours planners read; only water is blue (:func:`is_blue`);
rivers, roads and ridges are light context in colours of their own (:data:`CONTEXT`).
Within a figure the classes stay apart for normal vision and under simulated
deuteranopia and protanopia (CIELAB ΔE, :func:`distinguishable`).
:func:`figure_palette` gives each class its atlas colour and a class the atlas does
not list (a layer added later) the first free colour of the Okabe & Ito (2008) and
Paul Tol palettes, blues excepted.

:func:`category_colors` gives the GeoPackage export the same colours.

Geometry made by ``schematic`` drawing shows relations, not footprints, so it is
drawn dashed with a lighter fill: visibly different from surveyed or digitised
shapes. The legend uses the same functions, so it always matches the map.
"""

from __future__ import annotations

from geo.figures.styles.atlas import ATLAS, BLUE_HUE, CONTEXT, WATER, atlas_colour, is_blue
from geo.figures.styles.colours import (
    BACKGROUNDS,
    FIGURE_COLOURS,
    MIN_DELTA_E,
    MIN_DELTA_E_BACKGROUND,
    MIN_DELTA_E_CVD,
    OKABE_ITO,
    PALETTE,
    RESERVED,
    TOL_BRIGHT,
    TOL_LIGHT,
    TOL_MUTED,
    delta_e,
    distinguishable,
    figure_palette,
)
from geo.figures.styles.css import (
    MAP_CSS,
    swatch_html,
)
from geo.figures.styles.layer_style import (
    CLASS_LABELS,
    DEFAULT_STYLE,
    LINE_DASH_ACCURACY_M,
    SCHEMATIC_DASH,
    SCHEMATIC_FILL_FACTOR,
    SCHEMATIC_LINE_FACTOR,
    STYLES,
    LayerStyle,
    category_colors,
    class_label,
    feature_style,
    get_style,
    is_drawn_schematic,
    point_style,
)

__all__ = [
    "ATLAS",
    "BACKGROUNDS",
    "BLUE_HUE",
    "CLASS_LABELS",
    "CONTEXT",
    "DEFAULT_STYLE",
    "FIGURE_COLOURS",
    "LINE_DASH_ACCURACY_M",
    "MAP_CSS",
    "MIN_DELTA_E",
    "MIN_DELTA_E_BACKGROUND",
    "MIN_DELTA_E_CVD",
    "OKABE_ITO",
    "PALETTE",
    "RESERVED",
    "SCHEMATIC_DASH",
    "SCHEMATIC_FILL_FACTOR",
    "SCHEMATIC_LINE_FACTOR",
    "STYLES",
    "TOL_BRIGHT",
    "TOL_LIGHT",
    "TOL_MUTED",
    "WATER",
    "LayerStyle",
    "atlas_colour",
    "category_colors",
    "class_label",
    "delta_e",
    "distinguishable",
    "feature_style",
    "figure_palette",
    "get_style",
    "is_blue",
    "is_drawn_schematic",
    "point_style",
    "swatch_html",
]
