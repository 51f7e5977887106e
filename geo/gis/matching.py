"""Matching a point list to the gazetteer, and the review table ``geo gazetteer`` prints.

:func:`review_points` reads a user's points (:func:`geo.gis.poi.read_points`) and
matches them to the gazetteer places (:func:`geo.gis.poi.match_points`);
:func:`review_text` lays the review out for a terminal.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from geo.console import format_table

if TYPE_CHECKING:
    import pandas as pd
    from shapely.geometry.base import BaseGeometry

    from geo.data.gazetteer import Gazetteer

__all__ = ["PointColumns", "Review", "place_names", "review_points", "review_text"]


@dataclass(frozen=True)
class PointColumns:
    """Which columns of a point list hold what (``None``: found by name), and how to read it.

    Attributes
    ----------
    name, lon, lat
        The name column and the coordinate columns of a CSV.
    layer
        The layer of a GeoPackage that holds several.
    encoding
        Text encoding of the file when it is not UTF-8 (e.g. ``gbk``).
    """

    name: str | None = None
    lon: str | None = None
    lat: str | None = None
    layer: str | None = None
    encoding: str | None = None


@dataclass(frozen=True)
class Review:
    """A matched point list.

    Attributes
    ----------
    table
        One row per point (see :func:`geo.gis.poi.match_points`).
    only
        The places the user limited the change to, by their gazetteer names.
    notes
        What the reader noticed in the file.
    """

    table: pd.DataFrame
    only: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def place_names(text: str | None) -> list[str]:
    """Split a comma-separated list of place names (Chinese commas too).

    Parameters
    ----------
    text
        The names.

    Returns
    -------
    list of str
    """
    return [n.strip() for n in (text or "").replace("，", ",").split(",") if n.strip()]


def review_points(
    file: str | Path,
    crs: str,
    gazetteer: Gazetteer,
    district: BaseGeometry | None,
    *,
    columns: PointColumns | None = None,
    only: str | None = None,
    accuracy_m: float | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Review:
    """Read a point list and match it to the gazetteer; nothing is written.

    Parameters
    ----------
    file
        AMap/Baidu POI JSON, CSV, Excel workbook, GeoJSON, GeoPackage or shapefile.
    crs
        Its CRS.
    gazetteer
        The places to match.
    district
        The district outline (points far outside it are flagged).
    columns
        Column names of a CSV.
    only
        Comma-separated place names (any name or alias) to limit the change to.
    accuracy_m
        Error of the supplied points themselves in metres.
    progress
        Told the rows matched, per 1,000 (see :func:`geo.gis.poi.match_points`).

    Returns
    -------
    Review

    Raises
    ------
    GazetteerError
        If a name in ``only`` is no place.
    ValueRangeError
        If ``accuracy_m`` is no number of metres in range.
    """
    from geo.gis.poi.matching import match_points
    from geo.gis.poi.reading import read_points
    from geo.limits import checked_accuracy

    checked_accuracy(accuracy_m)
    cols = columns or PointColumns()
    plist = read_points(
        file,
        crs,
        name_column=cols.name,
        lon_column=cols.lon,
        lat_column=cols.lat,
        layer=cols.layer,
        encoding=cols.encoding,
    )
    chosen = [gazetteer.lookup(n).name_zh for n in place_names(only)]
    table = match_points(
        plist.points, gazetteer, district, names=chosen, accuracy_m=accuracy_m, progress=progress
    )
    return Review(table, chosen, list(plist.notes))


def _position(lon: float, lat: float, acc: float) -> str:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return "-"
    tail = f" ±{acc:,.0f} m" if math.isfinite(acc) else ""
    return f"{lon:.6f}, {lat:.6f}{tail}"


def review_text(review: pd.DataFrame) -> str:
    """Format a review table for the terminal, with a legend of the flags used.

    Parameters
    ----------
    review
        What :func:`geo.gis.poi.match_points` returned.

    Returns
    -------
    str
    """
    from geo.gis.poi.matching import FLAGS

    header = ["row", "place", "matched name", "address", "old", "new", "moved", "flags", "status"]
    rows = [
        [
            str(r.row),
            str(r.place) or "-",
            f"{r.name} ({r.how})" if r.how else str(r.name) or "-",
            str(r.address)[:30],
            _position(r.old_lon, r.old_lat, r.old_accuracy_m),
            _position(r.lon, r.lat, r.accuracy_m),
            f"{r.moved_m:,.0f} m" if math.isfinite(r.moved_m) else "-",
            str(r.flags) or "-",
            str(r.status),
        ]
        for r in review.itertuples()
    ]
    used = sorted({f for flags in review["flags"] for f in str(flags).split(";") if f})
    legend = [f"  {f}: {FLAGS[f]}" for f in used]
    counts = review["status"].value_counts()
    summary = ", ".join(
        f"{counts[k]} {k}" for k in ("apply", "needs --only", "not applied") if k in counts
    )
    return "\n".join([format_table(header, rows), "", f"{len(review)} row(s): {summary}", *legend])
