"""Measuring layers: areas, lengths, overlaps, proximity and zonal membership.

Two rules shape every function here:

* Reported areas and lengths are **geodesic** on the WGS-84 ellipsoid, whatever CRS
  the input is in. Lengths come from :class:`pyproj.Geod`. Areas come from a
  Lambert azimuthal equal-area projection of the ellipsoid centred on the data,
  ring by ring where a bound on the difference from the geodesic ring (whose edges
  are geodesics, not straight lines in the projection) is below 5e-7 of the ring's
  area, and from :class:`pyproj.Geod` otherwise (long edges far from the centre).
* Overlay, buffering and distances run in the metric CRS EPSG:4544 (CGCS2000 /
  3-degree Gauss-Krüger CM 105E). Its scale error over the district is below 0.03%,
  so planar distances there are reported as metres without correction.

Layer functions (:func:`overlaps`, :func:`nearest`, :func:`zonal_membership` ...)
accept GeoDataFrames in any declared CRS (normally EPSG:4326 from
:meth:`geo.project.Project.layer`); both inputs of a two-layer function must share the
same CRS. The ``*_metric`` kernels take frames that are already metric and refuse
degrees; the benchmarks use them to avoid projecting the same data twice.

Pair tables carry the **index labels** of the inputs in columns ``a`` and ``b``
(``feature`` and ``zone`` for membership); index a layer by ``id`` first to get ids.
Every candidate pair comes from a spatial index (:class:`shapely.STRtree`, or a
:class:`scipy.spatial.cKDTree` for nearest and k-nearest between point layers),
never from a loop over all pairs; large overlays, predicates, transforms and tree
queries run on every core.
"""

from __future__ import annotations

from geo.data.units import AREA_UNITS
from geo.measure.areas import area_table, convert_area, geodesic_area, geodesic_length
from geo.measure.arrays import (
    FloatArray,
    GeomArray,
    IntArray,
    geod,
    geometry_dimension,
)
from geo.measure.overlap import (
    overlap_matrix,
    overlap_metric,
    overlaps,
    union_area,
)
from geo.measure.proximity import (
    coverage,
    k_nearest,
    nearest,
    nearest_metric,
    parse_distance,
    within_distance,
)
from geo.measure.zones import (
    count_in_zones,
    zonal_membership,
    zones_for,
)

__all__ = [
    "AREA_UNITS",
    "FloatArray",
    "GeomArray",
    "IntArray",
    "area_table",
    "convert_area",
    "count_in_zones",
    "coverage",
    "geod",
    "geodesic_area",
    "geodesic_length",
    "geometry_dimension",
    "k_nearest",
    "nearest",
    "nearest_metric",
    "overlap_matrix",
    "overlap_metric",
    "overlaps",
    "parse_distance",
    "union_area",
    "within_distance",
    "zonal_membership",
    "zones_for",
]
