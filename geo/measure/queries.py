"""The tables ``geo area``, ``overlap``, ``near`` and ``zones`` print.

Each function takes loaded layers (EPSG:4326, indexed by feature id, see
:func:`indexed`), measures them with :mod:`geo.measure` and returns a
:class:`Result`: the table, with feature names beside the ids, and the shape of each
row for GeoJSON output. Inputs that cannot give the measure (points have no area)
raise :class:`~geo.errors.MeasureInputError` naming the layer and what to try.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from geo.errors import MeasureInputError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "Result",
    "area_result",
    "indexed",
    "near_result",
    "overlap_result",
    "require_areas",
    "zones_result",
]


@dataclass(frozen=True)
class Result:
    """A measurement table.

    Attributes
    ----------
    table
        The rows.
    geometry
        One shape per row (for GeoJSON), or ``None`` for tables of sums.
    total
        A closing line for a readable table (``""`` when there is none).
    notes
        What was left out of the measure and why (printed apart from the table).
    """

    table: pd.DataFrame
    geometry: gpd.GeoSeries | None = None
    total: str = ""
    notes: tuple[str, ...] = ()


def indexed(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a layer indexed by feature ``id`` when the ids are unique.

    Parameters
    ----------
    gdf
        A loaded layer.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    return gdf.set_index("id", drop=False) if gdf["id"].is_unique else gdf


def require_areas(gdf: gpd.GeoDataFrame, key: str, need: str) -> None:
    """Refuse a layer of points or lines where areas are needed.

    Parameters
    ----------
    gdf
        The layer.
    key
        Its name, for the message.
    need
        What the areas are needed for, and what to try instead.

    Raises
    ------
    MeasureInputError
        If the layer holds no polygons.
    """
    from geo import measure

    dim = measure.geometry_dimension(gdf)
    if dim != 2:
        held = {0: "points", 1: "lines"}.get(dim, "no features")
        raise MeasureInputError(f"{key} holds {held}, which have no area: {need}")


def _names(gdf: gpd.GeoDataFrame, labels: pd.Series) -> list[Any]:
    """Return the ``name_zh`` of the features with these index labels."""
    import pandas as pd

    names = gdf["name_zh"] if "name_zh" in gdf.columns else pd.Series(gdf.index, index=gdf.index)
    return list(names.reindex(labels).to_numpy())


def area_result(gdf: gpd.GeoDataFrame, key: str, by: str | None, unit: str) -> Result:
    """Geodesic area of every feature (length for lines), or areas summed by a column.

    Parameters
    ----------
    gdf
        The layer, indexed by id.
    key
        Its name, for messages.
    by
        Column to sum by.
    unit
        Area unit (``m2``, ``ha``, ``mu``, ``km2``).

    Returns
    -------
    Result
        With the total and the union area as the closing line.

    Raises
    ------
    MeasureInputError
        For a layer of points, or a ``by`` column the layer lacks.
    """
    import pandas as pd

    from geo import measure

    dim = measure.geometry_dimension(gdf)
    if dim == 0:
        raise MeasureInputError(f"{key} holds points, which have no area: try `geo near`")
    if dim == 1:
        lengths = measure.geodesic_length(gdf)
        table = pd.DataFrame({"id": gdf.index, "name_zh": gdf["name_zh"], "length_m": lengths})
        return Result(table, gdf.geometry)
    try:
        areas = measure.area_table(gdf, by=by, unit=unit)
    except KeyError as exc:
        raise MeasureInputError(str(exc.args[0])) from exc
    col = f"area_{unit}"
    union = measure.union_area(gdf) / measure.AREA_UNITS[unit]
    total = (
        f"total {areas[col].sum():,.2f} {unit}; union (overlaps counted once) {union:,.2f} {unit}"
    )
    if by:
        return Result(areas.reset_index()[[by, "features", col, "share"]], None, total)
    table = pd.DataFrame({"id": gdf.index, "name_zh": gdf["name_zh"], "kind": gdf["kind"]})
    table[col], table["share"] = areas[col].to_numpy(), areas["share"].to_numpy()
    return Result(table.reset_index(drop=True), gdf.geometry, total)


def overlap_result(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    keys: tuple[str, str],
    unit: str,
    measures: Any = None,
) -> Result:
    """Every pair of overlapping features of two polygon layers, with shares.

    Parameters
    ----------
    a, b
        The layers, indexed by id.
    keys
        Their names, for messages.
    unit
        Area unit of the overlap.
    measures
        What computes the pairs: :mod:`geo.measure` (default), or an object with
        the same functions (:class:`geo.db.measures.PostGISMeasures`).

    Returns
    -------
    Result
        The overlap shapes as geometry.

    Raises
    ------
    MeasureInputError
        If either layer holds points or lines (a layer with no features gives no
        pairs and a note).
    """
    import pandas as pd

    from geo import measure

    empty = [key for gdf, key in ((a, keys[0]), (b, keys[1])) if len(gdf) == 0]
    for gdf, key in ((a, keys[0]), (b, keys[1])):
        need = f"overlap compares two polygon layers (try `geo near {keys[0]} {keys[1]}`)"
        if len(gdf):  # an empty layer overlaps nothing: noted, not refused
            require_areas(gdf, key, need)
    pairs = (measures or measure).overlaps(a, b)
    table = pd.DataFrame(
        {
            "a": pairs["a"],
            "name_a": _names(a, pairs["a"]),
            "b": pairs["b"],
            "name_b": _names(b, pairs["b"]),
            f"overlap_{unit}": pairs["overlap_m2"] / measure.AREA_UNITS[unit],
            "share_of_a": pairs["share_of_a"],
            "share_of_b": pairs["share_of_b"],
        }
    )
    notes = tuple(f"{key} holds no features: no pairs with it" for key in empty)
    return Result(table, pairs.geometry, notes=notes)


def near_result(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    k: int | None = None,
    within: str | None = None,
    alone: bool = False,
    measures: Any = None,
) -> Result:
    """Nearest, k nearest or within-distance pairs, edge to edge in metres.

    Parameters
    ----------
    a, b
        The layers, indexed by id.
    k
        The k nearest instead of the nearest.
    within
        A distance such as ``500m`` or ``2km``.
    alone
        ``a`` and ``b`` are one layer: a feature is not its own neighbour.
    measures
        What computes the pairs (see :func:`overlap_result`).

    Returns
    -------
    Result
        The features of ``a`` as geometry.

    Raises
    ------
    MeasureInputError
        For ``k`` below 1 or a distance that does not parse.
    """
    import pandas as pd

    from geo import measure

    if k is not None and k < 1:
        raise MeasureInputError(f"--k must be at least 1, got {k}")
    try:
        metres = None if within is None else measure.parse_distance(within)
    except ValueError as exc:
        raise MeasureInputError(str(exc)) from exc
    run = measures or measure
    if k is not None:
        pairs = run.k_nearest(a, b, k, metres, exclude_self=alone)
    elif metres is not None:
        pairs = run.within_distance(a, b, metres, exclude_self=alone)
    else:
        near = run.nearest(a, b, exclude_self=alone)
        pairs = pd.DataFrame(
            {"a": a.index, "b": near["b"].to_numpy(), "dist_m": near["dist_m"].to_numpy()}
        )
    table = pairs.assign(name_a=_names(a, pairs["a"]), name_b=_names(b, pairs["b"]))
    cols = ["a", "name_a", "b", "name_b", *(["rank"] if "rank" in pairs else []), "dist_m"]
    return Result(table[cols], a.geometry.reindex(pairs["a"]))


def zones_result(
    gdf: gpd.GeoDataFrame, zone_layers: Mapping[str, gpd.GeoDataFrame], measures: Any = None
) -> Result:
    """Which zone of which zone layer each feature falls in, with the share inside.

    Parameters
    ----------
    gdf
        The features, indexed by id.
    zone_layers
        Zone layers by name, indexed by id.
    measures
        What computes the membership (see :func:`overlap_result`).

    Returns
    -------
    Result
        The features as geometry.

    Raises
    ------
    MeasureInputError
        Without zone layers that hold features, or for a zone layer of points or lines.

    Notes
    -----
    A zone layer with no features (a derived layer none of whose groups can be
    built, such as the incubator clusters) is left out, with a note naming it.
    """
    import pandas as pd

    from geo import measure

    empty = [key for key, zones in zone_layers.items() if len(zones) == 0]
    zone_layers = {k: z for k, z in zone_layers.items() if k not in empty}
    notes = tuple(f"zone layer {key} holds no features: left out" for key in empty)
    if not zone_layers:
        raise MeasureInputError(
            "no zone layer with features available"
            + (f" ({', '.join(empty)} hold none)" if empty else "")
            + ": give one with --in (e.g. cities, rings)"
        )
    need = "zones must be polygons: give a polygon layer with --in (e.g. cities, rings)"
    for key, zones in zone_layers.items():
        require_areas(zones, key, need)
    member = (measures or measure).zones_for(gdf, dict(zone_layers))
    names = [
        _names(zone_layers[lay], pd.Series([z]))[0]
        for lay, z in zip(member["layer"], member["zone"], strict=True)
    ]
    table = pd.DataFrame(
        {
            "feature": member["feature"],
            "name_zh": _names(gdf, member["feature"]),
            "layer": member["layer"],
            "zone": member["zone"],
            "zone_name": names,
            "share": member["share"],
            "on_boundary": member["on_boundary"],
        }
    )
    return Result(table, gdf.geometry.reindex(member["feature"]), notes=notes)
