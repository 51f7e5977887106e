"""Geometry validity of loaded layers, source and derived alike.

Desktop GIS and GEOS refuse invalid shapes: QGIS ``native:clip`` fails on a
self-intersecting polygon and GEOS raises a ``TopologyException`` when such a
shape is rounded for export. A shape valid in one CRS can be invalid in another
(reprojection moves near-coincident edges), so every feature is checked both as
stored (EPSG:4326) and in the metric CRS the measurements use (EPSG:4544).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo.data.crs import METRIC_CRS
from geo.errors import Problem

__all__ = ["geometry_problems"]


def geometry_problems(gdf: gpd.GeoDataFrame, source: str, fix: str) -> list[Problem]:
    """Return a problem for every feature whose geometry is missing, empty or invalid.

    Parameters
    ----------
    gdf
        A loaded layer (EPSG:4326) with an ``id`` column.
    source
        Where the layer comes from (a file path, or the catalog for a derived
        layer); it leads every problem.
    fix
        What to do about an invalid shape.

    Returns
    -------
    list of Problem
        In feature order; empty when every geometry is valid in both CRSs.
    """
    geoms = np.asarray(gdf.geometry.values)
    metric = np.asarray(gdf.to_crs(METRIC_CRS).geometry.values) if gdf.crs else geoms
    ids = gdf["id"].astype(str).tolist() if "id" in gdf else [f"#{i}" for i in range(len(gdf))]
    problems = []
    for fid, geom, geom_m in zip(ids, geoms, metric, strict=True):
        if geom is None or geom.is_empty:
            problems.append(Problem(source, fid, "missing or empty geometry", fix))
        elif not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            problems.append(Problem(source, fid, f"invalid geometry: {reason}", fix))
        elif not geom_m.is_valid:
            reason = shapely.is_valid_reason(geom_m)
            problems.append(Problem(source, fid, f"invalid in {METRIC_CRS}: {reason}", fix))
    return problems
