"""What a print figure shows, and where: the placement rule applied to its layers.

The decisions are the web map's (:func:`geo.figures.depiction.depict`): a feature is drawn
as a point, or as a hollow dashed schematic symbol near where it is known to lie, by
the figure's two limits; a coarser feature known to lie in a zone is counted on it,
as a badge (a zone of a layer the figure does not draw is drawn faintly for it: a
*context zone*); anything else is listed beside the map, grouped by layer (with
the zone it lies in), never drawn. Numbered symbols are keyed. Areas and lines are
drawn as they are (schematic ones dashed by the figure).

Computation only: layers come in as GeoDataFrames (EPSG:4326) and leave in the
figure's projected CRS.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.data.catalog import Catalog, LayerSpec
from geo.data.crs import METRIC_CRS
from geo.data.gazetteer import Gazetteer
from geo.data.placement import within_of
from geo.figures.depiction import THEMATIC_ROLES, Depiction, depict
from geo.figures.layers import figure_layers
from geo.figures.placed import area_anchors, zone_spots
from geo.figures.specs import FigureSpec
from geo.printing.symbols import Symbol, figure_symbols

__all__ = ["Badge", "FigureContent", "figure_content", "spread_coincident"]

#: Points closer than this are drawn around their common centre (metres).
COINCIDENT_M = 150.0
#: Most positions inside its zone a print badge tries besides its anchor.
BADGE_SPOTS = 60


@dataclass(frozen=True)
class Badge:
    """A count of coarse features on the area they are known to lie in.

    Attributes
    ----------
    area
        The area's name (the features' ``within``).
    x, y
        Where the badge goes, in the figure's CRS.
    members
        (layer title, feature name) of every feature counted.
    spots
        Other points inside the area (figure CRS, best first) where the badge may
        stand when ``(x, y)`` is taken.
    """

    area: str
    x: float
    y: float
    members: tuple[tuple[str, str], ...]
    spots: tuple[tuple[float, float], ...] = ()

    @property
    def text(self) -> str:
        """Badge text, e.g. ``大学城 · 8 项``."""
        return f"{self.area} · {len(self.members)} 项"


@dataclass
class FigureContent:
    """The layers and lists of one print figure.

    Attributes
    ----------
    drawn
        Layers in draw order (areas, lines, points), in :data:`METRIC_CRS`, with only
        the features drawn (points: the precise ones).
    badges
        Counts on located areas.
    unlocated
        Layer title to the names of features not drawn, in layer order.
    skipped
        Layer ids the figure names but that are not available.
    neighbours
        Neighbouring districts (context, drawn in grey), in :data:`METRIC_CRS`.
    symbols
        Layer id to legend class to print symbol (the web map's palette).
    keyed
        Layer title to (key, name, status) of every numbered symbol: the key list.
    discs
        Centre and radius (metres) of each schematic anchor's uncertainty disc.
    spec_limits
        The figure's point and schematic limits (metres), for the legend.
    context
        Context zones (:attr:`geo.figures.depiction.Depiction.context`) in :data:`METRIC_CRS`,
        with their outline ``colour``; ``None`` when the figure has none.
    """

    drawn: list[tuple[LayerSpec, gpd.GeoDataFrame]] = field(default_factory=list)
    badges: list[Badge] = field(default_factory=list)
    unlocated: dict[str, list[str]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    neighbours: gpd.GeoDataFrame | None = None
    symbols: dict[str, dict[str, Symbol]] = field(default_factory=dict)
    keyed: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    spec_limits: tuple[float, float] = (0.0, 0.0)
    discs: list[tuple[float, float, float]] = field(default_factory=list)
    context: gpd.GeoDataFrame | None = None

    @property
    def district(self) -> gpd.GeoDataFrame | None:
        """The district outline, when drawn."""
        return next((g for s, g in self.drawn if s.id == "district"), None)


def _is_point(layer: LayerSpec) -> bool:
    return layer.geometry_type.removeprefix("Multi") == "Point"


def _title(layer: LayerSpec) -> str:
    return f"{layer.title_zh} {layer.title_en}"


def _names(gdf: gpd.GeoDataFrame) -> list[str]:
    col = gdf["name_zh"] if "name_zh" in gdf else pd.Series(gdf.index.astype(str))
    return [str(v) for v in col.fillna("")]


def spread_coincident(gdf: gpd.GeoDataFrame, within_m: float = COINCIDENT_M) -> gpd.GeoDataFrame:
    """Return points with near-coincident ones spread on a small circle around their centre.

    Points closer than ``within_m`` to an earlier one are grouped; a group of *n*
    is drawn on a circle of radius ``within_m`` so that no symbol hides another.

    Parameters
    ----------
    gdf
        Points in a projected CRS (metres).
    within_m
        Grouping distance and spread radius in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy; a boolean ``spread`` column says which points were moved.
    """
    out = gdf.copy()
    out["spread"] = False
    if len(out) < 2:
        return out
    xy = shapely.get_coordinates(out.geometry.values)
    group = np.arange(len(xy))
    for i in range(len(xy)):
        near = np.hypot(*(xy[:i] - xy[i]).T) < within_m if i else np.array([], bool)
        if near.any():
            group[i] = group[np.argmax(near)]
    new = xy.copy()
    for g in np.unique(group):
        idx = np.flatnonzero(group == g)
        if len(idx) < 2:
            continue
        angle = 2 * np.pi * np.arange(len(idx)) / len(idx)
        centre = xy[idx].mean(axis=0)
        new[idx] = centre + within_m * np.column_stack([np.cos(angle), np.sin(angle)])
        out.iloc[idx, out.columns.get_loc("spread")] = True
    out.geometry = shapely.points(new)
    return out


def _keyed(dep: Depiction) -> dict[str, list[tuple[str, str, str]]]:
    """Layer title to (key, name, status) of each numbered symbol, in key order."""
    from geo.figures.keys import _key_sort, key_status

    out: dict[str, list[tuple[str, str, str]]] = {}
    for ld in dep.layers:
        rows = [r for r in ld.drawn.drop(columns="geometry").to_dict("records") if r.get("key")]
        if ld.layer.role not in THEMATIC_ROLES or not rows:
            continue
        rows.sort(key=lambda r: _key_sort(str(r["key"])))
        mark = {"schematic": "（示意）"}
        out[_title(ld.layer)] = [
            (str(r["key"]), str(r.get("name_zh") or "") + mark.get(r["shown"], ""), key_status(r))
            for r in rows
        ]
    return out


def figure_content(
    spec: FigureSpec,
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    gazetteer: Gazetteer | None = None,
    max_accuracy_m: float | None = None,
) -> FigureContent:
    """Decide what a print figure draws, counts and lists (:func:`geo.figures.depiction.depict`).

    Parameters
    ----------
    spec
        The figure (the same spec as the web map): its point and schematic limits.
    layers
        Loaded layers by catalog id, EPSG:4326.
    catalog
        The layer catalog.
    gazetteer
        Unused: badges stand on zones (drawn, or context zones), as on the web.
    max_accuracy_m
        Largest ``accuracy_m`` drawn as a point; default the figure's own.

    Returns
    -------
    FigureContent
    """
    if max_accuracy_m is not None and max_accuracy_m != spec.max_accuracy_m:
        spec = replace(spec, max_accuracy_m=max_accuracy_m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the skipped ids are kept and shown instead
        chosen, skipped = figure_layers(spec, catalog, layers)
    out = FigureContent(skipped=skipped)
    if "neighbours" in layers and len(layers["neighbours"]):
        out.neighbours = layers["neighbours"].to_crs(METRIC_CRS)
    dep = depict(spec, chosen, layers, catalog)
    decided = {ld.layer.id: ld for ld in dep.layers}
    coarse: list[tuple[LayerSpec, gpd.GeoDataFrame]] = []
    for layer in chosen:
        if layer.id == "neighbours":
            continue
        if layer.id not in decided:
            out.drawn.append((layer, layers[layer.id].to_crs(METRIC_CRS)))
            continue
        ld = decided[layer.id]
        drawn = ld.drawn.to_crs(METRIC_CRS)
        points = spread_coincident(drawn[drawn["shown"] == "point"])
        sch = drawn[drawn["shown"] == "schematic"].assign(spread=False)
        out.drawn.append((layer, gpd.GeoDataFrame(pd.concat([points, sch]), crs=METRIC_CRS)))
        coarse.append((layer, ld.badges))
    names = {w for _, g in coarse for w in within_of(g)}
    listed = {a for ld in dep.layers for a in ld.listed.get("area", pd.Series(dtype=str)) if a}
    anchors = area_anchors(names | listed, catalog, layers, gazetteer)
    for ld in dep.layers:
        if len(ld.listed):
            names_ = _listed_names(ld.listed, {k: v[2] for k, v in anchors.items()})
            out.unlocated.setdefault(_title(ld.layer), []).extend(names_)
    spots = zone_spots(names, catalog, layers)
    _count_on_areas(out, coarse, {k: v for k, v in anchors.items() if k in names}, spots)
    out.symbols = figure_symbols(spec, [s for s, _ in out.drawn], layers)
    out.keyed = _keyed(dep)
    out.discs = [(d.x, d.y, d.radius_m) for d in dep.discs]
    out.spec_limits = (spec.max_accuracy_m, spec.schematic_accuracy_m)
    out.context = _context(dep, catalog)
    return out


def _context(dep: Depiction, catalog: Catalog) -> gpd.GeoDataFrame | None:
    """Return the context zones in the print CRS, with the web map's outline colours."""
    from geo.figures.context import zone_colour

    if dep.context.empty:
        return None
    out = dep.context.to_crs(METRIC_CRS)
    out["colour"] = [
        zone_colour(catalog, str(lid), str(name))
        for lid, name in zip(out["layer"], out["name_zh"], strict=True)
    ]
    return out


def _listed_names(gdf: gpd.GeoDataFrame, labels: Mapping[str, str]) -> list[str]:
    """Names of listed features, with the zone each lies in (by name) when it has one."""
    areas = gdf["area"].fillna("").astype(str) if "area" in gdf else [""] * len(gdf)
    return [
        f"{n}（{labels.get(a, a)}）" if a else n for n, a in zip(_names(gdf), areas, strict=True)
    ]


def _count_on_areas(
    out: FigureContent,
    coarse: list[tuple[LayerSpec, gpd.GeoDataFrame]],
    anchors: Mapping[str, tuple[float, float, str]],
    spots: Mapping[str, list[tuple[float, float]]] | None = None,
) -> None:
    """Add a badge per located area; list the features of areas that cannot be located.

    ``anchors`` are the web maps' badge positions (``within`` value to lon, lat and
    label, from :func:`geo.figures.placed.area_anchors`), so a print counts a
    feature on the same area as the web figure does; ``spots`` (lon, lat) are the
    other points inside each zone its badge may move to (:func:`zone_spots`).
    """
    members: dict[str, list[tuple[str, str]]] = {}
    for layer, gdf in coarse:
        for name, area in zip(_names(gdf), within_of(gdf), strict=True):
            members.setdefault(area, []).append((_title(layer), name))
    for area, items in members.items():
        if area not in anchors:
            for title, name in items:
                out.unlocated.setdefault(title, []).append(f"{name}（{area}）")
            continue
        lon, lat, label = anchors[area]
        lonlat = [(lon, lat), *(spots or {}).get(area, [])[:BADGE_SPOTS]]
        pts = gpd.GeoSeries([shapely.Point(*p) for p in lonlat], crs="EPSG:4326").to_crs(METRIC_CRS)
        xy = tuple((p.x, p.y) for p in pts)
        out.badges.append(Badge(label, xy[0][0], xy[0][1], tuple(items), xy[1:]))
