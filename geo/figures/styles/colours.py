"""Colour-blind-safe palettes, colour distance, and one palette per figure."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from geo.errors import PaletteError
from geo.figures.styles.atlas import CONTEXT, is_blue

__all__ = [
    "delta_e",
    "distinguishable",
    "figure_palette",
]


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
#: Colours of categories outside the atlas in the GeoPackage styles: no blue.
PALETTE: tuple[str, ...] = tuple(c for c in OKABE_ITO + TOL_MUTED if not is_blue(c))

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
#: Every colour a class outside the atlas may get, in the order :func:`figure_palette`
#: tries them: the palettes above without their blues (blue is kept for water).
FIGURE_COLOURS: tuple[str, ...] = tuple(
    c
    for c in dict.fromkeys((*OKABE_ITO[:7], *TOL_BRIGHT, *TOL_MUTED, *TOL_LIGHT, OKABE_ITO[7]))
    if not is_blue(c)
)
#: Map backgrounds a class colour must stand out from: white (OSM, CartoDB, the
#: legend) and Leaflet's grey when there are no tiles.
BACKGROUNDS: tuple[str, ...] = ("#FFFFFF", "#DDDDDD")
#: Colours reserved for furniture and context (the district outline, neighbouring
#: districts, rivers, roads and ridges): never given to a data class.
RESERVED: dict[str, str] = {"outline": "#000000", "context": "#777777", **CONTEXT}
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
    a, b
        Hex colours (``#RRGGBB``).
    vision
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
    a, b
        Hex colours.
    scale
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
    raise PaletteError(
        f"a figure has more than {len(FIGURE_COLOURS)} classes, more than its colours: "
        "group the kinds into fewer classes or add colours to FIGURE_COLOURS"
    )


def figure_palette(
    classes: Iterable[tuple[str, str]], fixed: Mapping[tuple[str, str], str] | None = None
) -> dict[tuple[str, str], str]:
    """Give every legend class of one figure its own colour.

    A class with a fixed colour (its :data:`~geo.figures.styles.atlas.ATLAS` colour) keeps
    it on every figure, so its colour never depends on its neighbours; the atlas is
    checked to keep the classes of each figure apart (``tests/test_palette.py``).
    Every other class (a layer added to the catalog without an atlas entry) takes the
    next colour of :data:`FIGURE_COLOURS` distinguishable from all used so far.

    Parameters
    ----------
    classes
        The figure's legend classes, in legend order; duplicates are ignored.
    fixed
        Class to its atlas colour.

    Returns
    -------
    dict
        Class to hex colour; no two classes share a colour.
    """
    fixed = fixed or {}
    order = list(dict.fromkeys(classes))
    used = list(RESERVED.values())
    out: dict[tuple[str, str], str] = {}
    for cls in order:  # first pass: the atlas colours
        colour = fixed.get(cls)
        if colour and colour.upper() not in {c.upper() for c in out.values()}:
            out[cls] = colour
            used.append(colour)
    for cls in order:  # then everyone else, in legend order
        if cls not in out:
            out[cls] = _pick(None, used)
            used.append(out[cls])
    return {cls: out[cls] for cls in order}
