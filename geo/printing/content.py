"""What a print figure shows, and where: the placement rule applied to its layers.

Point layers are split exactly as on the web maps
(:func:`geo.maps.placement_layers.split_layer`), so any layer a web figure draws is
drawn on its print too. A feature is drawn as a point only when
:func:`geo.placement.placement` says ``point``. A coarser feature known to lie in a
named area (``within``) is counted on that area, as a badge, when the area can be
located: a zone drawn on the same figure (by its Chinese name) or a gazetteer place
precise enough to draw. Anything else is listed beside the map, grouped by layer,
never drawn. Areas and lines are drawn as they are (schematic ones dashed by the
figure).

Computation only: layers come in as GeoDataFrames (EPSG:4326) and leave in the
figure's projected CRS.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.catalog import Catalog, LayerSpec
from geo.crs import METRIC_CRS
from geo.gazetteer import Gazetteer
from geo.maps.builder import figure_layers
from geo.maps.placement_layers import PlacedLayer, area_anchors, split_layer
from geo.maps.specs import FigureSpec
from geo.placement import Placement, placement, within_of
from geo.printing.symbols import Symbol, figure_symbols

__all__ = ["Badge", "FigureContent", "figure_content", "spread_coincident"]

#: Points closer than this are drawn around their common centre (metres).
COINCIDENT_M = 150.0


@dataclass(frozen=True)
class Badge:
    """A count of coarse features on the area they are known to lie in.

    Attributes
    ----------
    area : str
        The area's name (the features' ``within``).
    x, y : float
        Where the badge goes, in the figure's CRS.
    members : tuple of (str, str)
        (layer title, feature name) of every feature counted.
    """

    area: str
    x: float
    y: float
    members: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        """Badge text, e.g. ``大学城 · 8 项``."""
        return f"{self.area} · {len(self.members)} 项"


@dataclass
class FigureContent:
    """The layers and lists of one print figure.

    Attributes
    ----------
    drawn : list of (LayerSpec, GeoDataFrame)
        Layers in draw order (areas, lines, points), in :data:`METRIC_CRS`, with only
        the features drawn (points: the precise ones).
    badges : list of Badge
        Counts on located areas.
    unlocated : dict of str to list of str
        Layer title to the names of features not drawn, in layer order.
    skipped : list of str
        Layer ids the figure names but that are not available.
    neighbours : GeoDataFrame or None
        Neighbouring districts (context, drawn in grey), in :data:`METRIC_CRS`.
    symbols : dict of str to dict of str to Symbol
        Layer id to legend class to print symbol (the web map's palette).
    """

    drawn: list[tuple[LayerSpec, gpd.GeoDataFrame]] = field(default_factory=list)
    badges: list[Badge] = field(default_factory=list)
    unlocated: dict[str, list[str]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    neighbours: gpd.GeoDataFrame | None = None
    symbols: dict[str, dict[str, Symbol]] = field(default_factory=dict)

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
    gdf : geopandas.GeoDataFrame
        Points in a projected CRS (metres).
    within_m : float
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


def figure_content(
    spec: FigureSpec,
    layers: Mapping[str, gpd.GeoDataFrame],
    catalog: Catalog,
    gazetteer: Gazetteer | None = None,
    max_accuracy_m: float = 1000.0,
) -> FigureContent:
    """Decide what a print figure draws, counts and lists.

    Parameters
    ----------
    spec : FigureSpec
        The figure (the same spec as the web map).
    layers : Mapping of str to GeoDataFrame
        Loaded layers by catalog id, EPSG:4326.
    catalog : Catalog
        The layer catalog.
    gazetteer : Gazetteer, optional
        Locates the gazetteer areas of coarse features (as the web maps do).
    max_accuracy_m : float, default 1000
        Largest ``accuracy_m`` drawn as a point.

    Returns
    -------
    FigureContent
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kept in `skipped`; geo print and geo site report them
        chosen, skipped = figure_layers(spec, catalog, layers)
    out = FigureContent(skipped=skipped)
    if "neighbours" in layers and len(layers["neighbours"]):
        out.neighbours = layers["neighbours"].to_crs(METRIC_CRS)
    chosen = [s for s in chosen if s.id != "neighbours"]
    points = [s for s in chosen if _is_point(s)]
    anchors = area_anchors(_area_names(points, layers, max_accuracy_m), catalog, layers, gazetteer)
    placed = {s.id: split_layer(s, layers[s.id], max_accuracy_m, set(anchors)) for s in points}
    for layer in chosen:
        gdf = layers[layer.id].to_crs(METRIC_CRS)
        if layer.id not in placed:
            out.drawn.append((layer, gdf))
            continue
        split = placed[layer.id]
        out.drawn.append((layer, spread_coincident(gdf[gdf.index.isin(split.points.index)])))
        if len(split.unlocated):
            listed = _unlocated_names(split.unlocated, max_accuracy_m)
            out.unlocated.setdefault(_title(layer), []).extend(listed)
    _add_badges(out, [placed[s.id] for s in points], anchors)
    out.symbols = figure_symbols(spec, [s for s, _ in out.drawn], layers)
    return out


def _area_names(
    points: list[LayerSpec], layers: Mapping[str, gpd.GeoDataFrame], max_accuracy_m: float
) -> set[str]:
    """Return the ``within`` areas named by the coarse features of the point layers."""
    names: set[str] = set()
    for layer in points:
        gdf = layers[layer.id]
        coarse = placement(gdf, max_accuracy_m) == Placement.AREA.value
        names.update(within_of(gdf)[coarse])
    return names


def _unlocated_names(gdf: gpd.GeoDataFrame, max_accuracy_m: float) -> list[str]:
    """Return the names not drawn: unlocated features, then those of unlocatable areas."""
    coarse = (placement(gdf, max_accuracy_m) == Placement.AREA.value).to_numpy()
    areas = within_of(gdf).to_numpy()
    names = _names(gdf)
    plain = [n for n, c in zip(names, coarse, strict=True) if not c]
    in_area = [f"{n}（{a}）" for n, a, c in zip(names, areas, coarse, strict=True) if c]
    return plain + in_area


def _add_badges(
    out: FigureContent,
    placed: list[PlacedLayer],
    anchors: Mapping[str, tuple[float, float, str]],
) -> None:
    """Add a badge per located area, counting the features of every layer on it.

    ``placed`` is the web maps' split (:func:`geo.maps.placement_layers.split_layer`)
    and ``anchors`` their badge positions (``within`` value to lon, lat and label,
    from :func:`geo.maps.placement_layers.area_anchors`), so a print counts a
    feature on the same area as the web figure does.
    """
    members: dict[str, list[tuple[str, str]]] = {}
    for pl in placed:
        title = _title(pl.layer)
        for name, area in zip(_names(pl.areas), within_of(pl.areas), strict=True):
            members.setdefault(area, []).append((title, name))
    for area, items in members.items():
        lon, lat, label = anchors[area]
        pt = gpd.GeoSeries([shapely.Point(lon, lat)], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
        out.badges.append(Badge(label, pt.x, pt.y, tuple(items)))
