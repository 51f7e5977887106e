"""Names on a figure, Chinese first: which features are labelled, with what, and where.

Positions are computed in EPSG:4544: inside an area at its pole of inaccessibility
(:func:`shapely.ops.polylabel`, the point farthest from the edge), along a line at the
middle of the part inside the district, beside a point for a campus. The web map
(:mod:`geo.maps.labels`) decides in the browser which ones show at the current zoom;
the print (:mod:`geo.printing.labels`) places them on paper.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from geo.data.catalog import LayerSpec
from geo.data.crs import METRIC_CRS, STORAGE_CRS, convert_gdf
from geo.data.placement import precise_enough

__all__ = [
    "BESIDE_GAP_M",
    "KEYED",
    "LABELLED",
    "LINE_MARGIN_M",
    "LINE_STOPS",
    "NEIGHBOUR_REACH_M",
    "PIECES",
    "POINT_LABELS",
    "SHORTEN",
    "TONES",
    "Label",
    "_beside",
    "_display",
    "_largest",
    "_pieces",
    "_split",
    "_texts",
    "anchor_points",
    "figure_labels",
    "short_name",
]


#: Priority (lower shows first) and size class of each labelled layer.
LABELLED: dict[str, tuple[int, int]] = {
    "cities": (1, 1),
    "screens": (2, 2),
    "belts": (2, 2),
    "science_city": (2, 2),
    "axes": (3, 4),
    "rings": (3, 3),
    "clusters": (1, 3),  # the plan's three named clusters, with the cities
    "creative_valley": (3, 3),
    "ridges": (4, 4),
    "neighbours": (5, 4),
    "campuses": (6, 4),
    "cancer_resources": (5, 4),
    "science_parks": (5, 4),
}
#: Point layers labelled beside each point (only points precise enough to be drawn).
POINT_LABELS: frozenset[str] = frozenset({"campuses", "cancer_resources", "science_parks"})
#: Priority and size class of a point layer not in :data:`LABELLED` whose symbols
#: carry key numbers (the figure's subject): after the zones, before the context.
KEYED: tuple[int, int] = (4, 4)
#: Words dropped from long zone names on the map (the legend and popup keep them).
SHORTEN: tuple[tuple[str, str], ...] = (("创新生态圈", ""), ("孵化器集群", "集群"))
#: Context classes whose labels take their own tone (rivers blue italic, roads grey).
TONES: frozenset[str] = frozenset({"river", "road", "ridge"})
#: How far around the district neighbouring districts are labelled, in metres.
NEIGHBOUR_REACH_M = 3000.0


@dataclass(frozen=True)
class Label:
    """One label.

    Attributes
    ----------
    layer
        Layer id: the label hides with its layer.
    lines
        Text lines, first the name.
    candidates
        Positions to try, best first, in the display datum.
    priority
        Lower is placed first.
    size
        Size class 1 (largest) to 4.
    anchor
        ``centre`` (areas, lines) or ``right`` (beside a point).
    tone
        ``river``, ``road`` or ``ridge`` for a context line (styled as such), else ``""``.
    short
        Shown instead of ``lines`` where they do not fit: a symbol's key number.
    """

    layer: str
    lines: tuple[str, ...]
    candidates: tuple[tuple[float, float], ...]
    priority: int
    size: int
    anchor: str = "centre"
    tone: str = ""
    short: str = ""


def short_name(name: str) -> str:
    """Return the name a label shows: long generic endings shortened."""
    for long, short in SHORTEN:
        if name.endswith(long) and len(name) > len(long):
            return name[: -len(long)] + short
    return name


def _split(name: str) -> tuple[str, ...]:
    """Break a long name after its dash (科学大道— / 梁滩河谷…) into two lines."""
    if len(name) > 12 and "—" in name:
        head, tail = name.split("—", 1)
        return (head + "—", tail)
    return (name,)


def _largest(geom: BaseGeometry) -> BaseGeometry:
    parts = list(getattr(geom, "geoms", [geom]))
    return max(parts, key=lambda g: g.area if g.area else g.length)


#: Where along a line labels are tried (fractions of its length).
LINE_STOPS: tuple[float, ...] = (0.5, 0.35, 0.65, 0.2, 0.8)
#: Pieces a long shape is cut into, across its longer side, for more label positions.
PIECES = 4


def _pieces(poly: BaseGeometry) -> list[BaseGeometry]:
    """Cut a polygon across its longer side; middle pieces first."""
    x0, y0, x1, y1 = poly.bounds
    tall = (y1 - y0) >= (x1 - x0)
    cuts = []
    for i in range(PIECES):
        a = (y0 if tall else x0) + (y1 - y0 if tall else x1 - x0) * i / PIECES
        b = (y0 if tall else x0) + (y1 - y0 if tall else x1 - x0) * (i + 1) / PIECES
        box_ = shapely.box(x0, a, x1, b) if tall else shapely.box(a, y0, b, y1)
        piece = poly.intersection(box_)
        if not piece.is_empty and piece.area > 0:
            cuts.append((abs(i - (PIECES - 1) / 2), _largest(piece)))
    return [p for _, p in sorted(cuts, key=lambda c: c[0])]


#: Gap between a small zone's edge and a label set beside it, in metres.
BESIDE_GAP_M = 1500.0


def _beside(poly: BaseGeometry) -> list[BaseGeometry]:
    """Return positions just outside a polygon: east, west, north, south, then twice as far.

    Last resorts for a zone too small, or too crowded, to hold its name inside.
    """
    x0, y0, x1, y1 = poly.bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return [
        point
        for gap in (BESIDE_GAP_M, 2 * BESIDE_GAP_M)
        for point in (
            shapely.Point(x1 + gap, cy),
            shapely.Point(x0 - gap, cy),
            shapely.Point(cx, y1 + gap),
            shapely.Point(cx, y0 - gap),
        )
    ]


def anchor_points(geom: BaseGeometry, area: BaseGeometry) -> list[BaseGeometry]:
    """Return where a label of ``geom`` may go, best first, in the metric CRS of both.

    Parameters
    ----------
    geom
        A polygon, line or point in EPSG:4544.
    area
        The region labels belong to (the district plus a margin).

    Returns
    -------
    list of shapely Point
        For a polygon, the pole of inaccessibility of its largest part inside
        ``area``, then those of pieces of it, then four positions just beside it;
        for a line, points along the longest
        part inside ``area`` (middle first); a point itself. Empty when nothing of
        the feature is inside.
    """
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "Point":
        return [geom] if area.contains(geom) else []
    inside = geom.intersection(area)
    if inside.is_empty:
        return []
    part = _largest(inside)
    if part.geom_type == "Polygon":
        poles = [polylabel(p, tolerance=25.0) for p in [part, *_pieces(part)]]
        return poles + _beside(part)
    if part.geom_type == "LineString":
        return [part.interpolate(f, normalized=True) for f in LINE_STOPS]
    return [part.representative_point()]


def _texts(props: Mapping[str, object], notes: Mapping[str, str]) -> tuple[str, ...]:
    name = short_name(str(props.get("name_zh") or ""))
    note = notes.get(str(props.get("id")), "")
    if note:
        return (*_split(name), note)
    own = props.get("label_note")  # the feature's own short note (a cluster's target)
    return (f"{name} {own}",) if isinstance(own, str) and own else _split(name)


def figure_labels(
    layers: Sequence[LayerSpec],
    frames: Mapping[str, gpd.GeoDataFrame],
    district: gpd.GeoDataFrame,
    must_see: Sequence[str] = (),
    notes: Mapping[str, str] | None = None,
    datum: str = "wgs84",
    max_accuracy_m: float | None = None,
) -> list[Label]:
    """Return the labels of a figure's layers, in placement order.

    Parameters
    ----------
    layers
        The layers drawn; those in :data:`LABELLED` get labels.
    frames
        The layers' features in storage CRS (EPSG:4326). A point layer's frame
        holds what is drawn (``shown`` set by :func:`geo.figures.depiction.depict`, schematic
        symbols at their slots); its ``key`` column, when present, is what a label
        shows where the name does not fit.
    district
        The district outline.
    must_see
        Texts the figure must show: their labels are placed first.
    notes
        Feature id to a second line (a city's industries); a feature without one
        shows its ``label_note`` property, if any, after its name (a cluster's
        floor-area target: ``沙滨路集群 >30万m²``).
    datum
        Display datum of the map (``gcj02`` shifts the anchors).
    max_accuracy_m
        The figure's point limit (:attr:`geo.figures.specs.FigureSpec.max_accuracy_m`):
        a point not yet placed by :func:`geo.figures.depiction.depict` that is coarser gets
        no name; default :data:`geo.data.placement.DEFAULT_MAX_ACCURACY_M`.

    Returns
    -------
    list of Label
    """
    notes = notes or {}
    base = district.to_crs(METRIC_CRS).union_all()
    out: list[Label] = []
    for layer in layers:
        if layer.id not in frames:
            continue
        keyed = "key" in frames[layer.id].columns
        if layer.id not in LABELLED and not keyed:
            continue
        priority, size = LABELLED.get(layer.id, KEYED)
        reach = NEIGHBOUR_REACH_M if layer.id == "neighbours" else LINE_MARGIN_M
        area = base.buffer(reach)
        if layer.id == "neighbours":
            area = area.difference(base)
        metric = frames[layer.id].to_crs(METRIC_CRS)
        point = layer.geometry_type.removeprefix("Multi") == "Point"
        if point and "shown" not in metric.columns:  # a coarse position gets no name
            metric = metric[precise_enough(metric, max_accuracy_m)]
        # a drawn symbol is labelled wherever it is (a schematic one may lie near the edge)
        anchors = [
            [g] if keyed and g is not None and not g.is_empty else anchor_points(g, area)
            for g in metric.geometry.values
        ]
        records = metric.drop(columns=metric.geometry.name).to_dict("records")
        for props, spots in zip(records, _display(anchors, datum), strict=True):
            if not spots:
                continue
            lines = _texts(props, notes)
            first = 0 if any(t in " ".join(lines) for t in must_see) else priority
            anchor = "right" if point else "centre"
            key = str(props.get("key") or "") if keyed else ""
            tone = str(props.get("kind", ""))
            tone = tone if tone in TONES else ""
            out.append(Label(layer.id, lines, spots, first, size, anchor, tone=tone, short=key))
    out.sort(key=lambda lab: lab.priority)  # stable: layer order within a priority
    return out


def _display(
    anchors: list[list[BaseGeometry]], datum: str
) -> list[tuple[tuple[float, float], ...]]:
    """Return each feature's anchors as (lat, lon) in the display datum."""
    flat = [p for spots in anchors for p in spots]
    if not flat:
        return [() for _ in anchors]
    pts = gpd.GeoDataFrame(geometry=flat, crs=METRIC_CRS).to_crs(STORAGE_CRS)
    if datum != "wgs84":
        pts = convert_gdf(pts, "wgs84", datum)
    ll = [(round(p.y, 6), round(p.x, 6)) for p in pts.geometry.values]
    out, i = [], 0
    for spots in anchors:
        out.append(tuple(ll[i : i + len(spots)]))
        i += len(spots)
    return out


#: How far past the district lines are drawn, in metres (EPSG:4544).
LINE_MARGIN_M = 500.0
