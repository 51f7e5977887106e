"""How every feature of a figure's point layers is shown: the one decision web and print share.

For each point layer a figure draws, :func:`depict` applies the placement rule
(:func:`geo.data.placement.placement`, with the figure's two limits) and decides:

``point``
    drawn where it is;
``schematic``
    drawn as its own hollow, dashed symbol near its anchor (:mod:`geo.figures.schematic`);
``badge``
    counted on the zone it lies in: a zone the figure draws, or else a *context
    zone* the figure then draws faintly for it (:attr:`Depiction.context`), so
    that a badge never names an area the figure does not show;
``listed``
    in the "位置未定 / not located" list, with the zone it lies in when it has one
    (a zone that cannot be drawn: not loaded, or empty).

Thematic features (layers whose role is ``site`` or ``member``) carry a key number
(:mod:`geo.figures.keys`). :func:`figures_record` turns the decisions of every figure into
``site/figures.json``: per figure, every feature, how it is shown, its key, layer and
accuracy. Computation only: layers come in as GeoDataFrames (EPSG:4326).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.data.crs import METRIC_CRS, STORAGE_CRS
from geo.data.placement import Placement, is_zone_id, placement, within_of, zone_ids
from geo.data.reads import reads_of
from geo.figures.keys import Key, figure_keys, key_status
from geo.figures.layers import figure_layers, is_dense, is_point
from geo.figures.schematic import Disc, layout

if TYPE_CHECKING:
    from geo.data.catalog import Catalog, LayerSpec
    from geo.figures.specs import FigureSpec

__all__ = [
    "THEMATIC_ROLES",
    "Depiction",
    "LayerDepiction",
    "Shown",
    "context_zones",
    "depict",
    "figures_json",
    "figures_record",
    "record_bytes",
]

#: File name of the record in the site folder.
RECORD_NAME = "figures.json"

#: Layer roles whose features are the figure's subject: numbered and keyed.
THEMATIC_ROLES: frozenset[str] = frozenset({"site", "member"})


class Shown(StrEnum):
    """How a feature appears on a figure."""

    POINT = "point"
    SCHEMATIC = "schematic"
    BADGE = "badge"
    LISTED = "listed"


@dataclass
class LayerDepiction:
    """One point layer of a figure, decided.

    Attributes
    ----------
    layer
        The layer.
    drawn
        Points and schematic features (EPSG:4326), schematic ones moved to their
        slot; columns ``shown``, ``key``, ``anchor_lon``, ``anchor_lat`` added.
    badges
        Features counted on a zone drawn on the figure (their ``within``), a
        context zone included.
    listed
        Features only listed; ``area`` names the zone they lie in, when known.
    """

    layer: LayerSpec
    drawn: gpd.GeoDataFrame
    badges: gpd.GeoDataFrame
    listed: gpd.GeoDataFrame

    @property
    def points(self) -> gpd.GeoDataFrame:
        """The features drawn where they are."""
        return self.drawn[self.drawn["shown"] == Shown.POINT.value]

    @property
    def schematic(self) -> gpd.GeoDataFrame:
        """The features drawn at a schematic position."""
        return self.drawn[self.drawn["shown"] == Shown.SCHEMATIC.value]


@dataclass
class Depiction:
    """Every point layer of one figure, decided.

    Attributes
    ----------
    spec
        The figure.
    layers
        In the figure's draw order.
    discs
        One per anchor of schematic features, in :data:`METRIC_CRS`.
    keys
        Thematic feature id to its key.
    context
        Context zones (EPSG:4326): zones of layers the figure does not draw that
        its badges stand on, drawn faintly; ``id``, ``name_zh``, ``name_en``,
        ``layer`` (the zone's layer), ``geometry_source``, ``accuracy_m``.
    """

    spec: FigureSpec
    layers: list[LayerDepiction] = field(default_factory=list)
    discs: list[Disc] = field(default_factory=list)
    keys: dict[str, Key] = field(default_factory=dict)
    context: gpd.GeoDataFrame = field(default_factory=lambda: _zone_frame([]))

    def records(self) -> list[dict[str, Any]]:
        """Return one record per feature (sorted by layer, then id) for the figure record."""
        out = []
        for ld in self.layers:
            for frame, shown in (
                (ld.drawn, None),
                (ld.badges, Shown.BADGE.value),
                (ld.listed, Shown.LISTED.value),
            ):
                for row in _rows(frame):
                    out.append(self._record(ld.layer, row, shown or row["shown"]))
        return sorted(out, key=lambda r: (r["layer"], r["id"]))

    def _record(self, layer: LayerSpec, row: Mapping[str, Any], shown: str) -> dict[str, Any]:
        key = self.keys.get(str(row["id"]))
        rec: dict[str, Any] = {
            "id": str(row["id"]),
            "layer": layer.id,
            "name_zh": str(row.get("name_zh") or ""),
            "shown": shown,
            "key": key.text if key else None,
            "table": key.table if key and key.table else None,
            "status": key_status(row) if key else None,
            "accuracy_m": _number(row.get("accuracy_m")),
            "area": _text(row.get("within")) or None,
        }
        geom = row.get("geometry")
        if shown in (Shown.POINT.value, Shown.SCHEMATIC.value) and geom is not None:
            rec["lon"], rec["lat"] = round(geom.x, 6), round(geom.y, 6)
        return rec


def _rows(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    return frame.to_dict("records") if len(frame) else []


def _number(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if v == v else None


def _text(value: Any) -> str:
    return "" if value is None or str(value) in ("nan", "None") else str(value).strip()


def drawn_zones(chosen: Iterable[LayerSpec], catalog: Catalog) -> set[str]:
    """Return the zone ids a figure draws (those a badge may stand on).

    Parameters
    ----------
    chosen
        The layers the figure draws.
    catalog
        Which derived layer holds each zone id.

    Returns
    -------
    set of str
    """
    ids = {s.id for s in chosen}
    return {zid for zid, owner in zone_ids(catalog).items() if owner in ids}


def depict(
    spec: FigureSpec,
    chosen: list[LayerSpec],
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
) -> Depiction:
    """Decide how every feature of a figure's point layers is shown.

    Parameters
    ----------
    spec
        The figure: ``max_accuracy_m``, ``schematic_accuracy_m`` and
        ``schematic_spacing_m`` are read from it.
    chosen
        The layers it draws (:func:`geo.figures.layers.figure_layers`).
    layers
        Loaded layers (EPSG:4326); zones included.
    catalog
        The layer catalog.

    Returns
    -------
    Depiction
        Coarse features known to lie in a zone of a layer the figure does not draw
        are counted on it all the same: the zone is in ``context``, drawn faintly.
        Within a site build (layers and catalog of one unit's
        :class:`~geo.data.reads.Reads`) it is decided once per figure and shared by
        the offline and online pages and ``figures.json``; do not change it.
    """
    owner = reads_of(layers)
    if owner is None or catalog is not owner.catalog:
        return _depict(spec, chosen, layers, catalog)
    ids = [s.id for s in chosen]
    return owner.shared(
        f"depict {spec!r} {ids}",
        lambda r: _depict(spec, [r.catalog[i] for i in ids], r.layers, r.catalog),
    )


def _depict(
    spec: FigureSpec,
    chosen: list[LayerSpec],
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
) -> Depiction:
    """Body of :func:`depict`."""
    zones = drawn_zones(chosen, catalog) & _present_zones(chosen, layers)
    points = [s for s in chosen if is_point(s) and s.id in layers]
    points = [s for s in points if not is_dense(spec, s, layers[s.id])]
    levels = {
        s.id: placement(layers[s.id], spec.max_accuracy_m, spec.schematic_accuracy_m)
        for s in points
    }
    wanted = {
        w for s in points for w in within_of(layers[s.id])[levels[s.id] == Placement.AREA.value]
    }
    context = context_zones(wanted - zones, catalog, layers)
    zones |= set(context["id"])
    thematic = [
        r
        for s in points
        if s.role in THEMATIC_ROLES
        for r in _rows(layers[s.id].drop(columns="geometry"))
    ]
    out = Depiction(spec, keys=figure_keys(thematic), context=context)
    district = layers.get("district")
    inside = district.to_crs(METRIC_CRS).union_all() if district is not None else None
    moved, out.discs = _schematic(points, layers, levels, spec.schematic_spacing_m, inside)
    for s in points:
        gdf, level = layers[s.id], levels[s.id]
        drawn = gdf[level.isin([Placement.POINT.value, Placement.SCHEMATIC.value])].copy()
        drawn["shown"] = level[drawn.index].map(
            {
                Placement.POINT.value: Shown.POINT.value,
                Placement.SCHEMATIC.value: Shown.SCHEMATIC.value,
            }
        )
        drawn["anchor_lon"] = drawn.geometry.x.round(6)
        drawn["anchor_lat"] = drawn.geometry.y.round(6)
        drawn["key"] = [_key_text(out.keys, fid) for fid in drawn["id"]]
        sch = drawn["shown"] == Shown.SCHEMATIC.value
        if sch.any():
            drawn.loc[sch, drawn.geometry.name] = [moved[str(f)] for f in drawn.loc[sch, "id"]]
        area = (level == Placement.AREA.value) & within_of(gdf).isin(zones)
        rest = gdf[~level.isin([Placement.POINT.value, Placement.SCHEMATIC.value]) & ~area].copy()
        rest["area"] = within_of(rest).where(within_of(rest).map(_is_area), "")
        out.layers.append(LayerDepiction(s, drawn, gdf[area].copy(), rest))
    return out


def _is_area(within: str) -> bool:
    from geo.data.placement import DISTRICT_NAMES

    return within.lower() not in DISTRICT_NAMES


def _key_text(keys: Mapping[str, Key], fid: Any) -> str:
    key = keys.get(str(fid))
    return key.text if key else ""


def _present_zones(chosen: list[LayerSpec], layers: Mapping[str, gpd.GeoDataFrame]) -> set[str]:
    """Zone ids with a non-empty shape among the figure's loaded layers."""
    out: set[str] = set()
    for s in chosen:
        gdf = layers.get(s.id)
        if gdf is None or is_point(s) or "id" not in gdf:
            continue
        out |= {
            str(i)
            for i, g in zip(gdf["id"], gdf.geometry, strict=True)
            if g is not None and not g.is_empty
        }
    return out


#: Columns of a context-zone frame (:attr:`Depiction.context`).
ZONE_COLUMNS: tuple[str, ...] = (
    "id",
    "name_zh",
    "name_en",
    "layer",
    "geometry_source",
    "accuracy_m",
)


def _zone_frame(rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows, columns=[*ZONE_COLUMNS, "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=STORAGE_CRS)


def context_zones(
    names: Iterable[str], catalog: Catalog, layers: Mapping[str, gpd.GeoDataFrame]
) -> gpd.GeoDataFrame:
    """Return the named zones that can be drawn: loaded, with a non-empty shape.

    Parameters
    ----------
    names
        ``within`` values; only zone ids (:func:`geo.data.placement.is_zone_id`) of a
        zone layer (:func:`geo.data.placement.zone_ids`) are looked up.
    catalog
        Which derived layer holds each zone id.
    layers
        Loaded layers (EPSG:4326), whether the figure draws them or not.

    Returns
    -------
    GeoDataFrame
        One row per zone found, sorted by id, columns :data:`ZONE_COLUMNS`
        (``layer`` is the zone's layer id), EPSG:4326.
    """
    owners = zone_ids(catalog)
    rows = []
    for zid in sorted({str(n) for n in names if is_zone_id(str(n))}):
        gdf = layers.get(owners.get(zid, ""))
        if gdf is None or "id" not in gdf:
            continue
        hit = gdf[gdf["id"].astype(str) == zid].to_crs(STORAGE_CRS)
        geom = hit.geometry.iloc[0] if len(hit) else None
        if geom is None or geom.is_empty:
            continue
        row = hit.iloc[0]
        rows.append(
            {
                "id": zid,
                "name_zh": _text(row.get("name_zh")) or zid,
                "name_en": _text(row.get("name_en")),
                "layer": owners[zid],
                "geometry_source": _text(row.get("geometry_source")) or "schematic",
                "accuracy_m": _number(row.get("accuracy_m")),
                "geometry": geom,
            }
        )
    return _zone_frame(rows)


def _schematic(
    points: list[LayerSpec],
    layers: Mapping[str, gpd.GeoDataFrame],
    levels: Mapping[str, pd.Series],
    spacing_m: float,
    inside: Any = None,
) -> tuple[dict[str, shapely.Point], list[Disc]]:
    """Lay out every schematic feature of the figure; return WGS-84 slots and the discs."""
    fixed: list[tuple[float, float]] = []
    items: list[tuple[str, float, float, float]] = []
    for s in points:
        metric = layers[s.id].to_crs(METRIC_CRS)
        level = levels[s.id]
        for fid, geom, acc, lev in zip(
            metric["id"], metric.geometry, metric["accuracy_m"], level, strict=True
        ):
            if geom is None or geom.is_empty:
                continue
            if lev == Placement.POINT.value:
                fixed.append((geom.x, geom.y))
            elif lev == Placement.SCHEMATIC.value:
                items.append((str(fid), geom.x, geom.y, float(acc)))
    slots, discs = layout(items, fixed, spacing_m, inside)
    if not slots:
        return {}, discs
    pts = gpd.GeoSeries([shapely.Point(s.x, s.y) for s in slots], crs=METRIC_CRS).to_crs(
        STORAGE_CRS
    )
    return {s.id: p for s, p in zip(slots, pts, strict=True)}, discs


def figures_record(depictions: Iterable[Depiction]) -> dict[str, Any]:
    """Return the machine-readable record of how every figure shows its features.

    Parameters
    ----------
    depictions
        One per figure.

    Returns
    -------
    dict
        ``{"version": 1, "figures": {fig_id: {"title_zh", "max_accuracy_m",
        "schematic_accuracy_m", "counts", "context_zones": [...], "features": [...]}}}``;
        ``context_zones`` names the zones the figure draws faintly for its badges.
    """
    figures: dict[str, Any] = {}
    for dep in depictions:
        feats = dep.records()
        counts = {s.value: sum(1 for f in feats if f["shown"] == s.value) for s in Shown}
        figures[dep.spec.id] = {
            "title_zh": dep.spec.title_zh,
            "max_accuracy_m": dep.spec.max_accuracy_m,
            "schematic_accuracy_m": dep.spec.schematic_accuracy_m,
            "counts": counts,
            "context_zones": [
                {"id": str(r["id"]), "layer": str(r["layer"]), "name_zh": str(r["name_zh"])}
                for r in _rows(dep.context.drop(columns="geometry"))
            ],
            "features": feats,
        }
    return {"version": 1, "figures": dict(sorted(figures.items()))}


def record_bytes(record: Mapping[str, Any]) -> bytes:
    """Return the record as deterministic UTF-8 JSON (sorted keys, one line per feature).

    Parameters
    ----------
    record
        From :func:`figures_record`.

    Returns
    -------
    bytes
    """
    return (json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode()


def figures_json(
    specs: Iterable[FigureSpec], layers: Mapping[str, gpd.GeoDataFrame], catalog: Catalog
) -> bytes:
    """Return ``figures.json`` for the given figures: :func:`depict` each, then the record.

    Parameters
    ----------
    specs
        The figures (layers filled in, e.g. :func:`geo.figures.specs.all_specs`).
    layers
        Loaded layers (EPSG:4326).
    catalog
        The layer catalog.

    Returns
    -------
    bytes
        Deterministic UTF-8 JSON (:func:`record_bytes`).
    """
    import warnings

    deps = []
    for spec in specs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the maps report missing layers themselves
            chosen, _ = figure_layers(spec, catalog, layers)
        deps.append(depict(spec, chosen, layers, catalog))
    return record_bytes(figures_record(deps))
