"""What the report holds: its sections, the layers it reads and its thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

__all__ = [
    "FigureLink",
    "Layers",
    "Report",
    "Section",
]


ZONE_LAYERS = ("cities", "belts", "screens", "rings", "clusters")
OVERLAP_LAYERS = ("rings", "clusters", "belts")
COUNT_ZONE_LAYERS = ("belts", "cities", "rings")
PLATFORM_LAYERS = ("rd_platforms", "transformation_platforms", "industrial_platforms")
PROJECT_LAYERS = ("projects",)
#: Distances (km) of the platform-to-campus coverage table.
COVERAGE_KM = (1, 2, 5)
#: Overlaps up to this size are slivers of coordinate rounding, not overlaps (m²).
SLIVER_M2 = 1.0
#: Every layer the report reads.
REPORT_LAYERS = ("district", *ZONE_LAYERS, "campuses", *PLATFORM_LAYERS, *PROJECT_LAYERS)

Layers = Mapping[str, gpd.GeoDataFrame]
#: A figure shown with the tables: (caption, image link, PDF link), links relative.
FigureLink = tuple[str, str, str]


@dataclass
class Section:
    """One table of the report.

    Attributes
    ----------
    key
        File stem of the table's CSV (``zone_areas`` → ``zone_areas.csv``).
    title
        Heading, Chinese first.
    intro
        One or two sentences on what the table shows and how it was measured.
    table
        The numbers, unformatted (possibly empty).
    notes
        Visible notes, such as layers that were skipped and why.
    """

    key: str
    title: str
    intro: str
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    """The whole report: sections in order, plus notes on the inputs.

    Attributes
    ----------
    title
        Page title.
    sections
        The tables.
    notes
        Report-wide notes (the layers that were missing and why).
    layers_used
        Layer id → title of every layer the report read.
    """

    title: str
    sections: list[Section]
    notes: list[str] = field(default_factory=list)
    layers_used: dict[str, str] = field(default_factory=dict)
