"""Print figures: Figures 1-8 and the overview as PNG and PDF, drawn with matplotlib.

The same figure specs, styles and placement rule as the web maps, projected to
EPSG:4544 and laid out as a planning figure (规划图) on A4 or A3: title, legend,
north arrow, metric scale bar, labels placed without overlap, locator, source and
date, schematic notice. :func:`draw_figure` computes; :func:`write_prints` writes.
"""

from __future__ import annotations

from geo.printing.figure import FORMATS, draw_figure, figure_bytes
from geo.printing.paper import Page

__all__ = ["FORMATS", "Page", "draw_figure", "figure_bytes"]
