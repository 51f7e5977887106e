"""Context zones: the zones drawn faintly, only so that what is counted on them has a place.

Their one colour, dash, weight and opacity, read by web maps and prints alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geo.data.catalog import Catalog

__all__ = [
    "CONTEXT_COLOUR",
    "CONTEXT_DASH",
    "CONTEXT_LABEL",
    "CONTEXT_OPACITY",
    "CONTEXT_SIMPLIFY_M",
    "CONTEXT_WEIGHT",
    "zone_colour",
]


#: Outline colour of every context zone and of its legend row: a dark grey that no
#: class, nor the neighbours' grey or the road axes' grey, takes.
CONTEXT_COLOUR = "#4D4D4D"


#: Dash of a context zone's outline: dotted, apart from the dashed road axes.
CONTEXT_DASH = "1 4"


#: Outline width (px) and opacity: lighter than any zone the figure draws.
CONTEXT_WEIGHT = 1.5


CONTEXT_OPACITY = 0.6


#: Map-label priority and size class: placed after every other label, mid-sized.
CONTEXT_LABEL = (7, 3)


#: A context zone's outline is simplified to this many metres (never beyond its own
#: accuracy): a faint outline of a zone known to ±2 km needs no finer line.
CONTEXT_SIMPLIFY_M = 200.0


def zone_colour(catalog: Catalog, layer_id: str, name_zh: str) -> str:
    """Return a context zone's outline colour: the one context grey, for every zone.

    A zone drawn only so that the features counted on it have somewhere to stand is
    orientation, not a theme of the figure: its class colour (the west city's purple,
    the Jialing belt's vermillion) would repeat a class colour of the figure's own
    legend, so every context zone is drawn in :data:`CONTEXT_COLOUR`, dotted (set
    apart from the grey dashed road axes), with its name written beside it.

    Parameters
    ----------
    catalog
        The catalog (unused: kept so that callers need not know the rule).
    layer_id
        The zone's layer.
    name_zh
        The zone's name.

    Returns
    -------
    str
        :data:`CONTEXT_COLOUR`.
    """
    del catalog, layer_id, name_zh
    return CONTEXT_COLOUR
