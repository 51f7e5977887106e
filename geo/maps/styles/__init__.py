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

from geo.maps.styles.colours import (
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
from geo.maps.styles.css import (
    MAP_CSS,
    swatch_html,
)
from geo.maps.styles.layer_style import (
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
    "BACKGROUNDS",
    "CLASS_LABELS",
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
    "LayerStyle",
    "category_colors",
    "class_label",
    "delta_e",
    "distinguishable",
    "feature_style",
    "figure_palette",
    "get_style",
    "is_drawn_schematic",
    "point_style",
    "swatch_html",
]
