"""Writing the measurement report's files: tables, Markdown, HTML and ``report.pdf``.

:mod:`geo.report` computes and renders the report; this module gathers its layers
from a :class:`~geo.project.Project` and writes what ``geo report`` and
``geo print --report`` produce, each file atomically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from geo._io import atomic_write_text

if TYPE_CHECKING:
    import geopandas as gpd

    from geo.data.catalog import Catalog
    from geo.figures.specs import FigureSpec
    from geo.project import LayerProblem, Project
    from geo.report.model import Report

__all__ = [
    "report_inputs",
    "report_missing",
    "write_report",
    "write_report_csv",
    "write_report_with_figures",
]


def report_inputs(
    project: Project,
) -> tuple[dict[str, gpd.GeoDataFrame], Catalog | None, dict[str, str]]:
    """Return the report's layers that load, the catalog and why each other one is missing.

    Parameters
    ----------
    project
        The data folder.

    Returns
    -------
    tuple of (dict of str to GeoDataFrame, Catalog or None, dict of str to str)
        The catalog is never ``None`` here (the type allows a report built without one).

    Raises
    ------
    CatalogError
        If the catalog cannot be read: a report without it would be empty.
    """
    from geo import report

    catalog = project.catalog  # an unreadable catalog is an error, not an empty report
    layers = project.layers([lid for lid in report.REPORT_LAYERS if lid in catalog])
    return layers, catalog, report_missing(layers, catalog, project.problems)


def report_missing(
    layers: Mapping[str, gpd.GeoDataFrame], catalog: Catalog, problems: Iterable[LayerProblem] = ()
) -> dict[str, str]:
    """Say why each report layer not in ``layers`` is missing.

    Parameters
    ----------
    layers
        The layers that loaded.
    catalog
        The catalog.
    problems
        Why layers were left out (:attr:`geo.Project.problems`).

    Returns
    -------
    dict of str to str
        Layer id to reason: not in the catalog, or the load problem's first line.
    """
    from geo import report

    why = {p.layer: f"could not be loaded: {p.first_line}" for p in problems}
    return {
        lid: "not in the catalog yet" if lid not in catalog else why.get(lid, "could not be loaded")
        for lid in report.REPORT_LAYERS
        if lid not in layers
    }


def write_report(project: Project, site: str | Path) -> tuple[Report, Path]:
    """Build the measurement report and write CSV, Markdown and HTML to ``site/reports``.

    Parameters
    ----------
    project
        The data folder.
    site
        The site folder.

    Returns
    -------
    tuple of (Report, Path)
        The report and the folder written.
    """
    from geo import report

    layers, catalog, missing = report_inputs(project)
    rep = report.build_report(layers, catalog, missing)
    folder = Path(site) / "reports"
    write_report_csv(rep, folder)
    atomic_write_text(folder / "report.md", report.report_markdown(rep))
    atomic_write_text(folder / "index.html", report.report_html(rep))
    return rep, folder


def write_report_csv(rep: Report, folder: Path) -> list[Path]:
    """Write the report's tables as ``folder/<table>.csv`` (formulas quoted).

    Parameters
    ----------
    rep
        The measurement report.
    folder
        Usually ``site/reports``.

    Returns
    -------
    list of Path
    """
    from geo.report.render import report_csv

    return [atomic_write_text(folder / name, text) for name, text in report_csv(rep).items()]


def write_report_with_figures(
    site: Path,
    prints: Path,
    written: Mapping[str, Mapping[str, Path]],
    claims_csv: str | Path | None,
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    specs: Sequence[FigureSpec],
    problems: Iterable[LayerProblem] = (),
) -> list[Path]:
    """Write the report pages showing the printed figures, and ``site/report.pdf``.

    Parameters
    ----------
    site
        The site folder.
    prints
        The folder the figures were printed into.
    written
        Figure id to ``{"png": path, "pdf": path}`` (what was printed).
    claims_csv
        Judged claims for the PDF; default ``site/claims/claims_report.csv`` if present.
    layers
        The loaded layers.
    catalog
        The catalog.
    specs
        Every figure, in order (those printed are shown).
    problems
        Why layers were left out, named in the report.

    Returns
    -------
    list of Path
        The files written.
    """
    from geo import report
    from geo.printing.report_pages import write_report_pages

    rep = report.build_report(layers, catalog, report_missing(layers, catalog, problems))
    shown = [s for s in specs if s.id in written]
    csv = Path(claims_csv) if claims_csv else None
    return write_report_pages(site, prints, rep, shown, written, csv, dt.date.today())
