"""Point lists from users: read them in the formats people have, match them to places.

A GIS officer in Chongqing who wants to fix an approximate gazetteer position usually
holds one of these:

- an AMap (高德) Web-service POI search result, as JSON (``{"pois": [...]}``) or as a
  CSV with ``name``, ``location`` (``"lng,lat"``), ``address`` and ``adname``
  columns; AMap coordinates are GCJ-02;
- a Baidu Place search result (``{"results": [...]}`` with ``location.lat`` and
  ``location.lng``), in BD-09 (or GCJ-02 when requested with ``ret_coordtype``);
- a CSV with a name column and ``lon``/``lat``, ``lng``/``lat``, ``x``/``y`` or
  ``经度``/``纬度`` columns (a surveyed point list);
- a GeoJSON of points, including what the maps' Draw control exports;
- a GeoPackage or shapefile of points.

:func:`read_points` turns any of them into one table of WGS-84 points with a name and
an address; :func:`match_points` matches every row to gazetteer places by name and
aliases (tolerating brackets, ``校区`` suffixes, ``重庆市`` prefixes and the parts of a
place such as a gate) and returns a review table: the old and the new position, the
distance moved, the accuracy the new position would get, and flags that say why a
row should not be applied as it is. Nothing is written.

Only :func:`read_points` reads the disk.
"""

from __future__ import annotations

from geo.gis.poi.matching import (
    AGREE_M,
    BLOCKING_FLAGS,
    DISTRICT_MARGIN_M,
    FLAGS,
    match_points,
    name_keys,
)
from geo.gis.poi.reading import (
    ADDRESS_COLUMNS,
    EXTRA_COLUMNS,
    NAME_COLUMNS,
    PointList,
    read_points,
    to_wgs84,
)

__all__ = [
    "ADDRESS_COLUMNS",
    "AGREE_M",
    "BLOCKING_FLAGS",
    "DISTRICT_MARGIN_M",
    "EXTRA_COLUMNS",
    "FLAGS",
    "NAME_COLUMNS",
    "PointList",
    "match_points",
    "name_keys",
    "read_points",
    "to_wgs84",
]
