"""The measurement report: the plan's zones, overlaps and proximities as tables.

:func:`build_report` takes whatever layers exist (a mapping of layer id to
GeoDataFrame, as :meth:`geo.project.Project.layers` returns them) plus the catalog, and
computes every table with :mod:`geo.measure`; no number is typed in. A layer the
report needs but that is absent is named in a visible note of each section it would
have fed, never skipped silently. :func:`report_csv`, :func:`report_markdown` and
:func:`report_html` turn the report into text; writing files is the CLI's job.
"""

from __future__ import annotations

from geo.report.model import (
    COUNT_ZONE_LAYERS,
    COVERAGE_KM,
    OVERLAP_LAYERS,
    PLATFORM_LAYERS,
    PROJECT_LAYERS,
    REPORT_LAYERS,
    SLIVER_M2,
    ZONE_LAYERS,
    FigureLink,
    Layers,
    Report,
    Section,
)
from geo.report.render import _banded as _banded
from geo.report.render import _text_rows as _text_rows
from geo.report.render import (
    plus_minus,
    report_csv,
    report_html,
    report_markdown,
    unit_text,
)
from geo.report.sections import (
    SECTION_BUILDERS,
    SHARED_EDGE_M,
    area_band_km2,
    build_report,
)

__all__ = [
    "COUNT_ZONE_LAYERS",
    "COVERAGE_KM",
    "OVERLAP_LAYERS",
    "PLATFORM_LAYERS",
    "PROJECT_LAYERS",
    "REPORT_LAYERS",
    "SECTION_BUILDERS",
    "SHARED_EDGE_M",
    "SLIVER_M2",
    "ZONE_LAYERS",
    "FigureLink",
    "Layers",
    "Report",
    "Section",
    "area_band_km2",
    "build_report",
    "plus_minus",
    "report_csv",
    "report_html",
    "report_markdown",
    "unit_text",
]
