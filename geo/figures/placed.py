"""A point layer split by the placement rule, and where each area's badge stands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import shapely

from geo.data.placement import Placement, is_zone_id, placement, within_of, zone_ids

if TYPE_CHECKING:
    from geo.data.catalog import Catalog, LayerSpec
    from geo.data.gazetteer import GazetteerRef


__all__ = [
    "PlacedLayer",
    "area_anchors",
    "split_layer",
    "zone_spots",
]


BADGE_CLASS = "geo-badge"
PANEL_CLASS = "geo-unlocated"
#: Located points closer than this many pixels at the current zoom are clustered: a
#: symbol is at most 14 px across and a cluster icon 16 px, drawn at the mean of its
#: members, so no two of them overlap. Schematic symbols are laid out apart and never
#: cluster.
CLUSTER_RADIUS_PX = 24
#: Figures with more point layers than this (that have area members) get one badge
#: per area instead of one per (area, layer).
MERGE_BADGES_ABOVE = 2
#: Maximum zoom of a map whose basemap sets none (``--basemap none``).
MAX_ZOOM = 19
#: Farthest a badge moves from its area's anchor to clear the way, in pixels.
BADGE_REACH_PX = 40
#: Vertical step between badges of different layers on one area, in pixels.
BADGE_STEP_PX = 24


@dataclass
class PlacedLayer:
    """A point layer split by the placement rule.

    Attributes
    ----------
    layer
        The layer.
    points
        Features drawn as points.
    areas
        Features counted on an area (their ``within``).
    unlocated
        Features only listed.
    """

    layer: LayerSpec
    points: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    unlocated: gpd.GeoDataFrame = field(repr=False)


def split_layer(
    layer: LayerSpec, gdf: gpd.GeoDataFrame, max_accuracy_m: float, known_areas: set[str]
) -> PlacedLayer:
    """Split a point layer into points, area members and unlocated features.

    Parameters
    ----------
    layer
        The layer.
    gdf
        Its features (any CRS; the split reads only properties).
    max_accuracy_m
        Largest ``accuracy_m`` drawn as a point.
    known_areas
        ``within`` values that can be drawn (see :func:`area_anchors`); a feature
        whose area cannot be drawn is listed as not located rather than lost.

    Returns
    -------
    PlacedLayer
    """
    level = placement(gdf, max_accuracy_m)
    within = within_of(gdf)
    drawable = within.isin(known_areas)
    is_area = (level == Placement.AREA.value) & drawable
    is_point = level == Placement.POINT.value
    return PlacedLayer(layer, gdf[is_point], gdf[is_area], gdf[~is_point & ~is_area])


def _zone_points(
    names: set[str], catalog: Catalog, layers: Mapping[str, gpd.GeoDataFrame]
) -> dict[str, tuple[float, float, str]]:
    """Label points (lon, lat, name) of the named zones that are loaded."""
    out: dict[str, tuple[float, float, str]] = {}
    owners = zone_ids(catalog)
    for zid in names:
        gdf = layers.get(owners.get(zid, ""))
        hit = None if gdf is None else gdf.loc[gdf["id"] == zid]
        if hit is None or hit.empty or hit.geometry.iloc[0].is_empty:
            continue
        # the largest part's label point: inside the zone, away from its edges
        parts = shapely.get_parts(hit.geometry.iloc[0])
        big = max(parts, key=lambda g: g.area)
        pt = big.representative_point()
        out[zid] = (pt.x, pt.y, str(hit["name_zh"].iloc[0]))
    return out


def zone_spots(
    names: set[str], catalog: Catalog, layers: Mapping[str, gpd.GeoDataFrame]
) -> dict[str, list[tuple[float, float]]]:
    """Return points inside each named zone where its badge may stand, best first.

    Parameters
    ----------
    names
        Zone ids (others are ignored).
    catalog
        Tells which derived layer holds each zone id.
    layers
        Loaded layers (EPSG:4326).

    Returns
    -------
    dict of str to list of (lon, lat)
        The label positions of :func:`geo.figures.labels.anchor_points` that lie inside
        the zone (its pole of inaccessibility, then those of pieces of it), WGS-84.
    """
    from geo.data.crs import METRIC_CRS
    from geo.figures.labels import anchor_points

    owners = zone_ids(catalog)
    out: dict[str, list[tuple[float, float]]] = {}
    for zid in sorted(n for n in names if is_zone_id(n)):
        gdf = layers.get(owners.get(zid, ""))
        hit = None if gdf is None else gdf.loc[gdf["id"] == zid]
        if hit is None or hit.empty or hit.geometry.iloc[0].is_empty:
            continue
        geom = hit.to_crs(METRIC_CRS).geometry.iloc[0]
        spots = [p for p in anchor_points(geom, geom.buffer(1.0)) if geom.contains(p)]
        spots += _grid(geom, spots[0] if spots else geom.representative_point())
        if spots:
            ll = gpd.GeoSeries(spots, crs=METRIC_CRS).to_crs("EPSG:4326")
            out[zid] = [(p.x, p.y) for p in ll]
    return out


#: Points of a grid inside a zone offered to its badge beyond its label positions.
ZONE_GRID = 120


def _grid(geom: Any, centre: Any) -> list[Any]:
    """Points of a regular grid inside ``geom``, nearest ``centre`` first (metres)."""
    import numpy as np

    x0, y0, x1, y1 = geom.bounds
    step = max((x1 - x0) * (y1 - y0) / (ZONE_GRID * 4), 1.0) ** 0.5
    xs, ys = np.meshgrid(np.arange(x0, x1, step), np.arange(y0, y1, step))
    pts = [p for p in shapely.points(xs.ravel(), ys.ravel()) if geom.contains(p)]
    pts.sort(key=lambda p: (p.distance(centre), p.x, p.y))
    return pts[:ZONE_GRID]


def area_anchors(
    names: set[str],
    catalog: Catalog,
    layers: Mapping[str, gpd.GeoDataFrame],
    gazetteer: GazetteerRef = None,
) -> dict[str, tuple[float, float, str]]:
    """Return where each named area's badge stands: (lon, lat, label) in WGS-84.

    Parameters
    ----------
    names
        ``within`` values to place.
    catalog
        Tells which derived layer holds each zone id.
    layers
        Loaded layers (EPSG:4326); zones come from here.
    gazetteer
        Resolves gazetteer areas (a file is read only when a place is named);
        default :func:`geo.data.gazetteer.default_path`.

    Returns
    -------
    dict
        ``within`` value to (lon, lat, label). Names that cannot be placed (a zone
        not loaded, an unknown place) are absent.
    """
    from geo.data.gazetteer import as_gazetteer

    zones = {n for n in names if is_zone_id(n)}
    out = _zone_points(zones, catalog, layers)
    places = names - zones
    if not places:
        return out
    try:
        gaz = as_gazetteer(gazetteer)
    except (FileNotFoundError, ValueError):
        return out  # no gazetteer: members of named places are listed instead
    for name in places:
        if name in gaz:
            place = gaz.lookup(name)
            out[name] = (place.lon, place.lat, name)
    return out
