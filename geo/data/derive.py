"""Derived layers: zones the plan defines by relation, computed from declared rules.

The catalog declares each derived layer's rule and parameters (``derived:`` in
``layers/catalog.yaml``). Rules run in EPSG:4544 and return features in EPSG:4326, all
``geometry_source: schematic``: relations (a belt along an axis), not footprints.

Rules
-----
screens
    The two ecological screens: a corridor of declared half-width either side of
    each ridge crest line, clipped to the district.
cities
    The two cities: the district minus the screens, split by the dividing ridge
    into east and west. Screens and cities together partition the district.
belts
    Corridors of declared half-width along axis lines, joined with discs around the
    places the plan strings along them, clipped to the district.
ridge_side
    Context zones: the part of the district east or west of a ridge.
groups
    Rings: discs around the member sites of each group, merged where they lie
    within ``link_m`` of each other, clipped to the district.
schematic_zones
    Zones drawn from their best-known geometry when no member is located well
    enough for ``groups`` (the incubator clusters): a corridor along the stretch of
    an axis that located places name, or a disc around the most precisely known of
    a list of places (a lake once located, else the area the members are in).

Belts and groups use only places and members precise enough for the shape
(``max_member_accuracy_m``, default
:data:`~geo.data.placement.DEFAULT_MAX_ACCURACY_M`): a disc of 800 m around a point known
to ±16 km would draw a piece of a ring where nothing of it is known to be. A group
with no such member gets no feature, never a fake shape: it is reported in the
frame's ``attrs["not_derivable"]`` (its id, names, plan reference and the reason),
which maps and reports list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from geo.data import placement
from geo.data.crs import METRIC_CRS, STORAGE_CRS
from geo.data.gazetteer import as_gazetteer
from geo.data.placement import precise_enough
from geo.errors import DeriveError

if TYPE_CHECKING:
    from geo.data.catalog import LayerSpec
    from geo.data.gazetteer import Gazetteer, GazetteerRef, Place

Loader = Callable[[str], gpd.GeoDataFrame]
_PROPS = ("id", "name_zh", "name_en", "plan_ref")
#: Rule parameters passed through to the feature when given (``aliases``: other
#: names of the area, ``|``-separated, which :mod:`geo.claims` resolves;
#: ``label_note``: shown after the name on the map label; ``claims``: the plan's words on
#: the zone's size, shown in its popup).
_OPTIONAL = ("aliases", "axes_zh", "label_note", "claims")


def _metric(load: Loader, layer_id: str) -> gpd.GeoDataFrame:
    return load(layer_id).to_crs(METRIC_CRS)


def _district(load: Loader, params: Mapping[str, Any]) -> BaseGeometry:
    gdf = _metric(load, params.get("district", "district"))
    return shapely.union_all(gdf.geometry.values)


def _feature_by_id(gdf: gpd.GeoDataFrame, fid: str, layer: str) -> BaseGeometry:
    hit = gdf.loc[gdf["id"] == fid]
    if hit.empty:
        raise DeriveError(
            f"rule needs feature {fid!r} in layer {layer!r}, which has none: "
            f"known ids are {', '.join(map(str, gdf['id']))}"
        )
    return shapely.union_all(hit.geometry.values)


def _accuracy(gdf: gpd.GeoDataFrame, ids: list[str]) -> float:
    """Worst accuracy_m of the named input features: a zone is no better than its inputs."""
    return float(gdf.loc[gdf["id"].isin(ids), "accuracy_m"].max())


def _record(spec: Mapping[str, Any], kind: str, accuracy_m: float, **extra: Any) -> dict[str, Any]:
    missing = [k for k in _PROPS if k not in spec]
    if missing:
        raise DeriveError(f"derived feature {spec.get('id', '?')}: rule parameters lack {missing}")
    rec = {k: spec[k] for k in _PROPS}
    rec.update(kind=kind, geometry_source="schematic", accuracy_m=float(accuracy_m), **extra)
    rec.update({k: spec[k] for k in _OPTIONAL if k in spec})
    return rec


#: Grid in metres that derived shapes are snapped to before they are stored (1 cm).
GRID_M = 0.01


def _frame(records: list[dict[str, Any]], geoms: list[BaseGeometry]) -> gpd.GeoDataFrame:
    """Return the features in EPSG:4326, each area a valid (Multi)Polygon in both CRSs."""
    gdf = gpd.GeoDataFrame(records, geometry=[valid_area(g) for g in geoms], crs=METRIC_CRS)
    return gdf.to_crs(STORAGE_CRS).reset_index(drop=True)


def valid_area(geom: BaseGeometry) -> BaseGeometry:
    """Return an overlay result as a valid area that stays valid when reprojected.

    Overlays (difference, intersection) can leave parts that touch along an edge
    or meet at a point that lies on another part's edge; reprojection then moves
    such near-coincident edges across each other (a self-intersection that GEOS
    and QGIS refuse). Repairing with :func:`shapely.make_valid` and snapping to a
    :data:`GRID_M` grid (snap rounding nodes every touching point) leaves only
    shared vertices, which any projection keeps shared.

    Parameters
    ----------
    geom
        An area in EPSG:4544 (metres); other geometry types are returned as given.

    Returns
    -------
    shapely geometry
        A valid Polygon or MultiPolygon (empty if nothing areal is left).
    """
    if geom.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return geom
    return _polygonal(shapely.set_precision(shapely.make_valid(geom), GRID_M))


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    """Every polygon in a geometry, collections and multi-parts flattened."""
    out: list[Polygon] = []
    for part in shapely.get_parts(geom):
        if part.geom_type == "Polygon":
            out.append(part)
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            out += _polygons(part)
    return out


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Keep only the areal part of an overlay result (drop lines, points, slivers)."""
    parts = [g for g in _polygons(geom) if g.area > 1.0]
    return shapely.union_all(parts) if parts else Polygon()


def screens(params: Mapping[str, Any], load: Loader) -> gpd.GeoDataFrame:
    """Ecological screens: ridge corridors of declared half-width, clipped to the district.

    Parameters
    ----------
    params
        ``district`` (layer id), ``ridges`` (layer id) and ``screens``: a list of
        ``{id, name_zh, name_en, plan_ref, ridge, half_width_m}``.
    load
        Returns a layer by id.

    Returns
    -------
    geopandas.GeoDataFrame
        One feature per screen; later screens do not overlap earlier ones.
    """
    district = _district(load, params)
    ridges = _metric(load, params.get("ridges", "ridges"))
    records, geoms, taken = [], [], Polygon()
    for spec in params["screens"]:
        width = float(spec["half_width_m"])
        band = _feature_by_id(ridges, spec["ridge"], "ridges").buffer(width)
        geom = _polygonal(band.intersection(district).difference(taken))
        taken = taken.union(geom)
        rule = f"ridge {spec['ridge']} ± {width:g} m, clipped to the district"
        accuracy = max(width, _accuracy(ridges, [spec["ridge"]]))
        records.append(_record(spec, "ecological-screen", accuracy, rule=rule))
        geoms.append(geom)
    return _frame(records, geoms)


def _east_side(ridge: BaseGeometry, bounds: tuple[float, float, float, float]) -> Polygon:
    """Return the half-plane polygon east of a roughly north-south ridge line."""
    if ridge.geom_type != "LineString":
        ridge = shapely.line_merge(ridge)
    if ridge.geom_type != "LineString":
        raise DeriveError("the dividing ridge must be one continuous line")
    coords = list(ridge.coords)
    if coords[0][1] > coords[-1][1]:
        coords.reverse()  # south to north
    _, y0, x1, y1 = bounds
    if coords[0][1] > y0 or coords[-1][1] < y1:
        raise DeriveError(
            "the dividing ridge must extend beyond the district's north and south "
            "edges; extend ridges.geojson"
        )
    far = x1 + 50_000
    return Polygon([*coords, (far, coords[-1][1]), (far, coords[0][1])])


def _east_of_divide(
    load: Loader, params: Mapping[str, Any], district: BaseGeometry
) -> tuple[Polygon, float]:
    """Return the half-plane east of the dividing ridge and that ridge's accuracy_m."""
    ridges = _metric(load, params.get("ridges", "ridges"))
    ridge = _feature_by_id(ridges, params["divide"], "ridges")
    return _east_side(ridge, district.bounds), _accuracy(ridges, [params["divide"]])


def cities(params: Mapping[str, Any], load: Loader) -> gpd.GeoDataFrame:
    """Split the district outside the screens into the two cities at the dividing ridge.

    Parameters
    ----------
    params
        ``district``, ``screens`` (layer id), ``ridges``, ``divide`` (ridge feature id)
        and ``east``/``west``: ``{id, name_zh, name_en, plan_ref}`` (optional
        ``aliases``).
    load
        Returns a layer by id.

    Returns
    -------
    geopandas.GeoDataFrame
        Two features, east then west.
    """
    district = _district(load, params)
    screens_m = _metric(load, params.get("screens", "screens"))
    rest = district.difference(shapely.union_all(screens_m.geometry.values))
    east_side, ridge_accuracy = _east_of_divide(load, params, district)
    east, west = _polygonal(rest.intersection(east_side)), _polygonal(rest.difference(east_side))
    rule = f"district minus screens, split at ridge {params['divide']}"
    inputs = max(ridge_accuracy, float(screens_m["accuracy_m"].max()))
    accuracy = max(float(params.get("accuracy_m", 1000)), inputs)
    records = [
        _record(params["east"], "city", accuracy, rule=rule + " (east side)"),
        _record(params["west"], "city", accuracy, rule=rule + " (west side)"),
    ]
    return _frame(records, [east, west])


def ridge_side(params: Mapping[str, Any], load: Loader) -> gpd.GeoDataFrame:
    """Context zones on one side of a ridge, clipped to the district.

    Parameters
    ----------
    params
        ``district``, ``ridges``, ``divide`` (ridge feature id), and ``zones``: a list
        of ``{id, name_zh, name_en, plan_ref, side: east|west, kind, accuracy_m}``
        (optional ``aliases``).
    load
        Returns a layer by id.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    district = _district(load, params)
    east_side, ridge_accuracy = _east_of_divide(load, params, district)
    records, geoms = [], []
    for spec in params["zones"]:
        east = spec["side"] == "east"
        part = district.intersection(east_side) if east else district.difference(east_side)
        geoms.append(_polygonal(part))
        rule = f"district {spec['side']} of ridge {params['divide']}"
        accuracy = max(float(spec.get("accuracy_m", 1000)), ridge_accuracy)
        records.append(_record(spec, spec.get("kind", "zone"), accuracy, rule=rule))
    return _frame(records, geoms)


def _member_limit(params: Mapping[str, Any]) -> float:
    """Largest member ``accuracy_m`` a belt or group is built from (catalog parameter)."""
    return float(params.get("max_member_accuracy_m", placement.DEFAULT_MAX_ACCURACY_M))


def _places_metric(
    names: list[str], limit: float, gaz: Gazetteer
) -> tuple[list[BaseGeometry], float, list[str]]:
    """Return the gazetteer places within ``limit`` as EPSG:4544 points.

    Returns the points, their worst ``accuracy_m`` and the names left out as too
    coarse for the shape.
    """
    places = [gaz.lookup(n) for n in names]
    used = [p for p in places if precise_enough(p.accuracy_m, limit)]
    coarse = [n for n, p in zip(names, places, strict=True) if p not in used]
    worst = max((p.accuracy_m for p in used), default=0.0)
    return [_place_metric(p) for p in used], worst, coarse


def belts(params: Mapping[str, Any], load: Loader, gazetteer: Gazetteer) -> gpd.GeoDataFrame:
    """Development belts: corridors along axis lines joined with the places along them.

    Parameters
    ----------
    params
        ``district``, ``axes`` (layer id), optional ``max_member_accuracy_m`` (places
        less precise are left out of the shape) and ``belts``: a list of ``{id,
        name_zh, name_en, plan_ref, axes: [feature ids], half_width_m, places:
        [gazetteer names], place_radius_m}``.
    load
        Returns a layer by id.
    gazetteer
        Resolves the places.

    Returns
    -------
    geopandas.GeoDataFrame
        One feature per belt; ``places`` lists the places drawn, ``places_coarse``
        those left out as too coarse.
    """
    district = _district(load, params)
    axes = _metric(load, params.get("axes", "axes"))
    limit = _member_limit(params)
    records, geoms = [], []
    for spec in params["belts"]:
        width = float(spec["half_width_m"])
        lines = [_feature_by_id(axes, a, "axes") for a in spec["axes"]]
        shape = shapely.union_all([g.buffer(width) for g in lines])
        radius = float(spec.get("place_radius_m", width))
        pts, place_acc, coarse = _places_metric(list(spec.get("places", [])), limit, gazetteer)
        shape = shape.union(shapely.union_all([p.buffer(radius) for p in pts] or [Polygon()]))
        # close the gaps between a place disc and the corridor so the belt is one band
        shape = shape.buffer(width).buffer(-width)
        geoms.append(_polygonal(shape.intersection(district)))
        rule = f"axes {', '.join(spec['axes'])} ± {width:g} m ∪ places ± {radius:g} m"
        if coarse:
            rule += f" (places coarser than ±{limit:g} m left out)"
        used = [n for n in spec.get("places", []) if n not in coarse]
        records.append(
            _record(
                spec,
                "development-belt",
                max(width, _accuracy(axes, list(spec["axes"])), place_acc),
                rule=rule,
                places="|".join(used),
                places_coarse="|".join(coarse),
            )
        )
    return _frame(records, geoms)


def _group_shape(points: list[BaseGeometry], radius: float, link: float) -> BaseGeometry:
    discs = shapely.union_all([p.buffer(radius) for p in points])
    return discs.buffer(link / 2).buffer(-link / 2) if link > 0 else discs


def _group_rows(members: gpd.GeoDataFrame, params: Mapping[str, Any], key: str) -> Any:
    rows = members.loc[members[params["group_by"]] == key]
    if rows.empty:
        raise DeriveError(
            f"group {key!r} has no members in layer "
            f"{params['members']!r} (column {params['group_by']!r})"
        )
    return rows


def groups(params: Mapping[str, Any], load: Loader) -> gpd.GeoDataFrame:
    """Rings or clusters: discs around each group's member sites, merged when close.

    Parameters
    ----------
    params
        ``district``, ``members`` (layer id), ``group_by`` (member property naming the
        group), ``radius_m``, ``link_m`` (discs closer than this merge), optional
        ``max_member_accuracy_m`` (members less precise are left out of the shape),
        ``kind`` and ``groups``: a list of ``{key, id, name_zh, name_en, plan_ref}``
        (optional ``aliases``), ``key`` being the value of ``group_by`` on the members.
    load
        Returns a layer by id.

    Returns
    -------
    geopandas.GeoDataFrame
        One (possibly multi-part) polygon per group with a member precise enough:
        ``members`` lists the members the shape is drawn from, ``members_coarse``
        those left out as too coarse. Groups with no such member have no feature;
        ``attrs["not_derivable"]`` lists them (records with ``id``, ``name_zh``,
        ``name_en``, ``plan_ref``, ``aliases`` when given, ``rule`` and
        ``members_coarse``).
    """
    district = _district(load, params)
    members = _metric(load, params["members"])
    radius, link = float(params["radius_m"]), float(params.get("link_m", 0))
    limit = _member_limit(params)
    records, geoms, skipped = [], [], []
    for spec in params["groups"]:
        rows = _group_rows(members, params, spec["key"])
        ok = precise_enough(rows, limit)
        used, coarse = rows.loc[ok], rows.loc[~ok]
        names_coarse = "|".join(coarse["name_zh"].astype(str))
        if used.empty:
            rule = (
                f"not derivable: none of {len(rows)} member sites is located to "
                f"±{limit:g} m, so no disc of {radius:g} m can be drawn"
            )
            names = {k: spec[k] for k in _PROPS} | {k: spec[k] for k in _OPTIONAL if k in spec}
            skipped.append({**names, "rule": rule, "members_coarse": names_coarse})
            continue
        shape = _group_shape(list(used.geometry), radius, link)
        geoms.append(_polygonal(shape.intersection(district)))
        rule = (
            f"discs of {radius:g} m around {len(used)} member sites located to "
            f"±{limit:g} m, merged within {link:g} m"
        )
        if len(coarse):
            rule += f"; {len(coarse)} coarser members left out"
        records.append(
            _record(
                spec,
                params.get("kind", "group"),
                max(radius, float(used["accuracy_m"].max())),
                rule=rule,
                members="|".join(used["name_zh"].astype(str)),
                member_count=len(used),
                members_coarse=names_coarse,
            )
        )
    out = _frame(records, geoms) if records else _empty_frame(_GROUP_COLUMNS)
    out.attrs["not_derivable"] = skipped
    return out


#: Properties of a group feature, so that a layer with no derivable group keeps them.
_GROUP_COLUMNS = (
    *_PROPS,
    "kind",
    "geometry_source",
    "accuracy_m",
    "rule",
    "members",
    "member_count",
    "members_coarse",
)


def _empty_frame(columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Return a layer with no features but its usual properties, in EPSG:4326."""
    return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=STORAGE_CRS)


def _place_metric(place: Place) -> BaseGeometry:
    """Return a gazetteer place as an EPSG:4544 point."""
    pts = gpd.GeoSeries.from_xy([place.lon], [place.lat], crs=STORAGE_CRS).to_crs(METRIC_CRS)
    return pts.values[0]


def _along(
    spec: Mapping[str, Any], axes: gpd.GeoDataFrame, limit: float, gaz: Gazetteer
) -> tuple[Any, ...]:
    """Return the stretch of ``spec["along"]`` the ``stretch`` places name, and its notes.

    Each place located to ``limit`` and within ``max_offset_m`` of the axis is
    projected onto it; the stretch runs between the outermost projections (the
    whole axis when no place qualifies). Returns the line, its anchor accuracy, how
    it was drawn and the places left out.
    """
    from shapely.ops import substring

    line = _feature_by_id(axes, spec["along"], "axes")
    offset = float(spec.get("max_offset_m", 3000))
    stops, used, left, worst = [], [], [], _accuracy(axes, [spec["along"]])
    for name in spec.get("stretch", []):
        place = gaz.lookup(name)
        point = _place_metric(place)
        if not precise_enough(place.accuracy_m, limit) or line.distance(point) > offset:
            left.append(name)
            continue
        stops.append(line.project(point))
        used.append(name)
        worst = max(worst, place.accuracy_m)
    part = substring(line, min(stops), max(stops)) if stops else line
    how = f"along {spec['along']} " + (f"between {', '.join(used)}" if used else "(whole)")
    left_out = f"{', '.join(left)} coarser than ±{limit:g} m or off the axis" if left else ""
    return part, worst, how, left_out


def _around(spec: Mapping[str, Any], gaz: Gazetteer) -> tuple[Any, ...]:
    """Return the best-known of ``spec["around"]`` (smallest ``accuracy_m``, first on ties).

    Names not in the gazetteer are passed over (a lake not yet added); returns the
    point, its accuracy, how it was drawn and nothing left out.
    """
    found = [p for n in spec["around"] if (p := gaz.get(n)) is not None]
    if not found:
        raise DeriveError(
            f"zone {spec['id']}: none of {', '.join(spec['around'])} is in the gazetteer; "
            "add one of them to gazetteer.csv"
        )
    best = min(found, key=lambda p: p.accuracy_m)
    how = "anchored, not located" if best.approximate else "located"
    return _place_metric(best), best.accuracy_m, f"around {best.name_zh} ({how})", ""


def schematic_zones(
    params: Mapping[str, Any], load: Loader, gazetteer: Gazetteer
) -> gpd.GeoDataFrame:
    """Zones from their best-known geometry: a corridor along an axis or a disc around a place.

    Parameters
    ----------
    params
        ``district``, ``axes`` (layer id), ``kind``, optional ``max_member_accuracy_m``
        (places coarser do not bound a stretch) and ``zones``: a list of ``{id,
        name_zh, name_en, plan_ref, buffer_m}`` (optional ``aliases``, ``label_note``,
        ``claims``) with either ``along`` (an axis feature id), ``stretch``
        (gazetteer names bounding the stretch) and ``max_offset_m`` (default 3000),
        or ``around`` (gazetteer names: the most precisely known is used, the first
        on ties, so a lake added to the gazetteer takes over once it is known
        better than the park it stands in for).
    load
        Returns a layer by id.
    gazetteer
        Resolves the places.

    Returns
    -------
    geopandas.GeoDataFrame
        One feature per zone; ``accuracy_m`` is the anchor's plus ``buffer_m`` (the
        width is itself a guess), ``position_note`` says how it was drawn.
    """
    district = _district(load, params)
    limit = _member_limit(params)
    records, geoms = [], []
    for spec in params["zones"]:
        if "along" in spec:
            axes = _metric(load, params.get("axes", "axes"))
            anchor, acc, how, left = _along(spec, axes, limit, gazetteer)
        elif "around" in spec:
            anchor, acc, how, left = _around(spec, gazetteer)
        else:
            raise DeriveError(f"zone {spec.get('id', '?')}: give `along` or `around`")
        width = float(spec["buffer_m"])
        geoms.append(_polygonal(anchor.buffer(width).intersection(district)))
        how += f" ± {width:g} m"
        rule = f"{how} ({left}: left out)" if left else how
        records.append(
            _record(spec, params.get("kind", "zone"), acc + width, rule=rule, position_note=how)
        )
    return _frame(records, geoms)


RULES: dict[str, Callable[..., gpd.GeoDataFrame]] = {
    "screens": screens,
    "cities": cities,
    "belts": belts,
    "groups": groups,
    "ridge_side": ridge_side,
    "schematic_zones": schematic_zones,
}


def derive_layer(spec: LayerSpec, load: Loader, gazetteer: GazetteerRef = None) -> gpd.GeoDataFrame:
    """Compute a derived layer from its catalog rule.

    Parameters
    ----------
    spec
        A catalog entry with ``derived = {"rule": ..., "params": {...}}``.
    load
        Returns a source layer (EPSG:4326) by id.
    gazetteer
        For the rules that look places up (a file is read only then; as for belts).

    Returns
    -------
    geopandas.GeoDataFrame
        The derived features in EPSG:4326.

    Raises
    ------
    DeriveError
        If the rule is unknown or its inputs are missing.
    """
    if not spec.derived:
        raise DeriveError(f"layer {spec.id} is not a derived layer")
    rule = spec.derived["rule"]
    if rule not in RULES:
        raise DeriveError(f"layer {spec.id}: unknown rule {rule!r}; known: {', '.join(RULES)}")
    places = (as_gazetteer(gazetteer),) if RULES[rule] in (belts, schematic_zones) else ()
    return RULES[rule](spec.derived["params"], load, *places)


__all__ = [
    "GRID_M",
    "RULES",
    "belts",
    "cities",
    "derive_layer",
    "groups",
    "ridge_side",
    "schematic_zones",
    "screens",
    "valid_area",
]
