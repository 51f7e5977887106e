"""The report's tables, each computed from the layers with :mod:`geo.measure`."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import measure
from geo.data import placement
from geo.data.catalog import Catalog
from geo.data.crs import METRIC_CRS
from geo.report.model import (
    COUNT_ZONE_LAYERS,
    COVERAGE_KM,
    OVERLAP_LAYERS,
    PLATFORM_LAYERS,
    PROJECT_LAYERS,
    REPORT_LAYERS,
    SLIVER_M2,
    ZONE_LAYERS,
    Layers,
    Report,
    Section,
)

__all__ = [
    "area_band_km2",
    "build_report",
]


# --------------------------------------------------------------------------- helpers
def _indexed(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Index a layer by its feature ids (the ``id`` property of docs/contract.md)."""
    if "id" in gdf.columns and gdf["id"].is_unique:
        return gdf.set_index("id", drop=False)
    return gdf


def _names(gdf: gpd.GeoDataFrame) -> pd.Series:
    if "name_zh" in gdf.columns:
        return gdf["name_zh"].astype(str)
    return pd.Series(gdf.index.astype(str), index=gdf.index)


def _present(layers: Layers, ids: tuple[str, ...], notes: list[str]) -> list[str]:
    """Return the ids available in ``layers``; note every missing one."""
    have = [i for i in ids if i in layers]
    missing = [i for i in ids if i not in layers]
    if missing:
        notes.append(f"skipped (layer not available yet): {', '.join(missing)}")
    return have


def _sum_rows(tables: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    tables = [t for t in tables if len(t)]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)


#: Edges of a zone within this distance (m) of the district boundary are that boundary.
SHARED_EDGE_M = 50.0


def area_band_km2(zones: gpd.GeoDataFrame, district: gpd.GeoDataFrame | None) -> pd.Series:
    """Return the ± of each zone's area in km²: its edges times their accuracy.

    A zone's area is uncertain by a band along its edge: the part of the edge that
    follows the district boundary carries the district's ``accuracy_m``, the rest the
    zone's own (lengths in EPSG:4544). A missing accuracy is unknown, so the band
    is infinite there (``inf``), never silently zero.

    Parameters
    ----------
    zones
        Polygons with ``accuracy_m``.
    district
        The district outline, with ``accuracy_m``.

    Returns
    -------
    pandas.Series
        Aligned to ``zones``' index.
    """
    edge = zones.to_crs(METRIC_CRS).boundary
    own = edge.length.to_numpy()
    shared = np.zeros(len(zones))
    d_acc = 0.0
    if district is not None and len(district):
        line = district.to_crs(METRIC_CRS).union_all().boundary.buffer(SHARED_EDGE_M)
        shared = edge.intersection(line).length.to_numpy()
        own = own - shared
        d_acc = float(np.nanmax(_accuracy(district))) if len(district) else 0.0
    return (own * _accuracy(zones) + shared * d_acc) / 1e6


# --------------------------------------------------------------------------- sections
def _zone_rows(
    lid: str, zones: gpd.GeoDataFrame, district: gpd.GeoDataFrame | None
) -> pd.DataFrame:
    area = measure.geodesic_area(zones)
    inside = pd.Series(np.nan, index=zones.index)
    dist_area = np.nan
    if district is not None:
        pairs = measure.overlaps(zones, district)
        inside = pairs.groupby("a")["overlap_m2"].sum().reindex(zones.index, fill_value=0.0)
        dist_area = measure.union_area(district)
    drawn = pd.DataFrame(
        {
            "layer": lid,
            "id": zones.index.astype(str),
            "name_zh": _names(zones).to_numpy(),
            "area_km2": area.to_numpy() / 1e6,
            "area_pm_km2": area_band_km2(zones, district),
            "in_district_km2": inside.to_numpy() / 1e6,
            "share_of_district": inside.to_numpy() / dist_area,
            "note": "",
        }
    )
    return pd.concat([drawn, _underivable(lid, zones)], ignore_index=True)


def _underivable(lid: str, zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """Rows (no numbers) for the zones a derived layer could not draw, with the reason."""
    gone = zones.attrs.get("not_derivable") or []
    return pd.DataFrame(
        {
            "layer": lid,
            "id": [str(z["id"]) for z in gone],
            "name_zh": [str(z["name_zh"]) for z in gone],
            "note": [str(z["rule"]) for z in gone],
        },
        columns=["layer", "id", "name_zh", "note"],
    )


def _accuracy(gdf: gpd.GeoDataFrame) -> pd.Series:
    """``accuracy_m`` of each feature; missing is unknown, i.e. infinitely coarse."""
    if "accuracy_m" not in gdf.columns:
        return pd.Series(np.inf, index=gdf.index)
    return pd.to_numeric(gdf["accuracy_m"], errors="coerce").fillna(np.inf)


def _zone_total(lid: str, zones: gpd.GeoDataFrame, district: gpd.GeoDataFrame | None) -> dict:
    union = measure.union_area(zones)
    row = {"layer": lid, "features": len(zones), "union_km2": union / 1e6}
    row["in_district_km2"] = row["share_of_district"] = np.nan
    if district is not None:
        both = measure.overlap_matrix({"z": zones, "d": district})
        row["in_district_km2"] = both.loc["z", "d"] / 1e6
        row["share_of_district"] = both.loc["z", "d"] / both.loc["d", "d"]
    return row


def _zone_sections(layers: Layers) -> list[Section]:
    notes: list[str] = []
    have = _present(layers, ZONE_LAYERS, notes)
    district = layers.get("district")
    if district is None:
        notes.append("skipped (layer not available yet): district — shares of district are blank")
    rows = [_zone_rows(lid, layers[lid], district) for lid in have]
    cols = [
        "layer",
        "id",
        "name_zh",
        "area_km2",
        "area_pm_km2",
        "in_district_km2",
        "share_of_district",
    ]
    totals = pd.DataFrame(
        [_zone_total(lid, layers[lid], district) for lid in have],
        columns=["layer", "features", "union_km2", "in_district_km2", "share_of_district"],
    )
    return [
        Section(
            "zone_areas",
            "分区面积 Zone areas and shares of the district",
            "Geodesic area (WGS-84) of every zone with its ± (each edge times its "
            "accuracy: the zone's own, or the district's where the edge is the district "
            "boundary), the part inside the district (overlay in EPSG:4544) and that part "
            "as a share of the district's area. Where the ± is as large as the area itself, "
            "only an upper bound is known and the table gives '< bound km²'; '—' is a zone "
            "that could not be drawn (its note says why).",
            _sum_rows(rows, cols),
            list(notes),
        ),
        Section(
            "zone_totals",
            "分区图层合计 Zone layers as a whole",
            "Each zone layer as the union of its features (overlaps inside a layer counted "
            "once). Cities and screens together partition the district: their shares add up "
            "to 100%.",
            totals,
            list(notes),
        ),
    ]


def _pair_rows(la: str, a: gpd.GeoDataFrame, lb: str, b: gpd.GeoDataFrame) -> pd.DataFrame:
    pairs = pd.DataFrame(measure.overlaps(a, b, SLIVER_M2).drop(columns="geometry"))
    if la == lb:  # one layer against itself: each unordered pair of distinct features once
        pairs = pairs[pairs["a"].astype(str) < pairs["b"].astype(str)]
    return pd.DataFrame(
        {
            "layer_a": la,
            "a": pairs["a"].astype(str).to_numpy(),
            "name_a": _names(a).reindex(pairs["a"]).to_numpy(),
            "layer_b": lb,
            "b": pairs["b"].astype(str).to_numpy(),
            "name_b": _names(b).reindex(pairs["b"]).to_numpy(),
            "overlap_ha": pairs["overlap_m2"].to_numpy() / 1e4,
            "share_of_a": pairs["share_of_a"].to_numpy(),
            "share_of_b": pairs["share_of_b"].to_numpy(),
        }
    )


def _overlap_sections(layers: Layers) -> list[Section]:
    notes: list[str] = []
    have = _present(layers, OVERLAP_LAYERS, notes)
    cols = ["layer_a", "a", "name_a", "layer_b", "b", "name_b"]
    cols += ["overlap_ha", "share_of_a", "share_of_b"]
    combos = itertools.combinations_with_replacement(have, 2)
    rows = [_pair_rows(la, layers[la], lb, layers[lb]) for la, lb in combos]
    matrix = measure.overlap_matrix({lid: layers[lid] for lid in have}, share=True)
    return [
        Section(
            "zone_overlaps",
            "圈、集群与带的重叠 Overlaps of rings, clusters and belts",
            "Every pair of features that overlap (within a layer and across layers), with "
            "the geodesic overlap and its share of each feature. Touching is not overlap, "
            f"and slivers up to {SLIVER_M2:g} m² (coordinate rounding) are left out.",
            _sum_rows(rows, cols),
            list(notes),
        ),
        Section(
            "zone_overlap_matrix",
            "重叠矩阵 Overlap matrix (share of row layer covered by column layer)",
            "Each layer taken as its union; cell = overlap / area of the row layer.",
            matrix.reset_index().rename(columns={"index": "layer"}),
            list(notes),
        ),
    ]


def _two_nearest(sites: gpd.GeoDataFrame, campuses: gpd.GeoDataFrame) -> pd.DataFrame:
    """Nearest campus, its edge-to-edge distance and the runner-up's, in EPSG:4544."""
    a = sites.geometry.to_crs(METRIC_CRS).to_numpy()
    b = campuses.geometry.to_crs(METRIC_CRS).to_numpy()
    out = pd.DataFrame({"b": None, "dist_m": np.nan, "next_m": np.inf}, index=sites.index)
    if len(a) and len(b):
        dist = shapely.distance(a[:, None], b[None, :])
        order = np.argsort(dist, axis=1)
        rows = np.arange(len(a))
        out["b"] = campuses.index.to_numpy()[order[:, 0]]
        out["dist_m"] = dist[rows, order[:, 0]]
        if len(b) > 1:
            out["next_m"] = dist[rows, order[:, 1]]
    return out


def _nearest_note(acc: float, dist: float, gap: float) -> str:
    if acc > dist:
        return (
            f"position ±{acc:,.0f} m is coarser than the distance ({dist:,.0f} m): "
            "nearest campus not determined"
        )
    return (
        f"position ±{acc:,.0f} m could change which campus is nearest (the next is only "
        f"{gap:,.0f} m further): nearest campus not determined"
    )


def _nearest_rows(lid: str, sites: gpd.GeoDataFrame, campuses: gpd.GeoDataFrame) -> pd.DataFrame:
    """Nearest precise campus of each site, or only a note when the site is too coarse.

    A site located precisely enough for a point (:func:`geo.data.placement.precise_enough`,
    which answers any distance question of the report) always gets its nearest campus.
    A coarser site gets one only when its error is smaller than the distance and
    cannot change which campus is nearest (the runner-up is more than twice the
    error further away).
    """
    near = _two_nearest(sites, campuses.loc[placement.precise_enough(_accuracy(campuses))])
    acc = _accuracy(sites)
    gap = near["next_m"] - near["dist_m"]
    ok = placement.precise_enough(acc) | ((acc <= near["dist_m"]) & (gap > 2 * acc))
    ok &= near["b"].notna()
    note = [
        "" if good else _nearest_note(a, d, g)
        for good, a, d, g in zip(ok, acc, near["dist_m"], gap, strict=True)
    ]
    campus = near["b"].where(ok)
    return pd.DataFrame(
        {
            "layer": lid,
            "id": sites.index.astype(str),
            "name_zh": _names(sites).to_numpy(),
            "campus": campus.to_numpy(dtype=object),
            "campus_name": _names(campuses).reindex(campus).to_numpy(),
            "dist_m": near["dist_m"].where(ok).to_numpy(),
            "accuracy_m": acc.to_numpy(),
            "position_ok": ok.to_numpy(),
            "note": note,
        }
    )


def _nearest_section(layers: Layers) -> Section:
    limit = placement.DEFAULT_MAX_ACCURACY_M  # what precise_enough tests against
    notes: list[str] = []
    have = _present(layers, PLATFORM_LAYERS + PROJECT_LAYERS, notes)
    cols = ["layer", "id", "name_zh", "campus", "campus_name", "dist_m"]
    cols += ["accuracy_m", "position_ok", "note"]
    rows: list[pd.DataFrame] = []
    if "campuses" not in layers:
        notes.append("skipped (layer not available yet): campuses — no distances computed")
    else:
        campuses = layers["campuses"]
        coarse = _names(campuses)[~placement.precise_enough(_accuracy(campuses))]
        if len(coarse):
            notes.append(
                f"not candidates (position coarser than ±{limit:g} m): " + ", ".join(coarse)
            )
        rows = [_nearest_rows(lid, layers[lid], campuses) for lid in have]
    return Section(
        "nearest_campus",
        "平台与项目的最近高校 Nearest campus of every platform and project",
        "Edge-to-edge distance in EPSG:4544 (0 when a platform lies on its campus), to "
        f"campuses located to ±{limit:g} m. A site located more coarsely gets "
        "a campus only when its error is smaller than the distance and cannot change which "
        "campus is nearest; otherwise position_ok is false and the note says why.",
        _sum_rows(rows, cols),
        notes,
    )


def _certain_membership(gdf: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """Zone membership of each feature, ``certain`` when its whole error disc is inside."""
    member = measure.zonal_membership(gdf, zones)
    feats = gdf.geometry.to_crs(METRIC_CRS).loc[member["feature"]].to_numpy()
    edges = zones.geometry.to_crs(METRIC_CRS).boundary.loc[member["zone"]].to_numpy()
    margin = shapely.distance(feats, edges)
    member["certain"] = _accuracy(gdf).loc[member["feature"]].to_numpy() <= margin
    return member


def _count_rows(
    zl: str, zones: gpd.GeoDataFrame, sites: dict[str, gpd.GeoDataFrame]
) -> pd.DataFrame:
    out = pd.DataFrame({"zone_layer": zl, "zone": zones.index.astype(str)}, index=zones.index)
    out["name_zh"] = _names(zones)
    out["uncertain"] = 0
    outside = {"zone_layer": zl, "zone": "(none)", "name_zh": "不在任何分区 outside all"}
    for sid, gdf in sites.items():
        member = _certain_membership(gdf, zones)
        sure = member.loc[member["certain"]]
        out[sid] = sure.groupby("zone").size().reindex(zones.index, fill_value=0)
        out["uncertain"] += (
            member.loc[~member["certain"]].groupby("zone").size().reindex(zones.index, fill_value=0)
        )
        outside[sid] = len(gdf) - member["feature"].nunique()
    out = pd.concat([out, pd.DataFrame([outside])], ignore_index=True)
    out["total"] = out[list(sites)].sum(axis=1)
    out["uncertain"] = out["uncertain"].fillna(0).astype("int64")
    return out


def _count_section(layers: Layers) -> Section:
    notes: list[str] = []
    zones = _present(layers, COUNT_ZONE_LAYERS, notes)
    site_ids = _present(layers, PLATFORM_LAYERS + PROJECT_LAYERS, notes)
    sites = {sid: layers[sid] for sid in site_ids}
    rows = [_count_rows(zl, layers[zl], sites) for zl in zones] if sites else []
    cols = ["zone_layer", "zone", "name_zh", *site_ids, "total", "uncertain"]
    for zl in zones:
        gone = _underivable(zl, layers[zl])
        notes += [f"{zl} {z.id} ({z.name_zh}): {z.note}" for z in gone.itertuples()]
    return Section(
        "zone_counts",
        "各分区的平台与项目数 Platforms and projects in each belt, city and ring",
        "Features inside each zone by at least their positional error (accuracy_m), so "
        "that they are in it wherever they really are; features that fall in a zone but "
        "whose error reaches past its edge are not counted but given under 'uncertain'. "
        "Zones of one layer may overlap, so a feature can count more than once.",
        _sum_rows(rows, cols)[cols] if rows else pd.DataFrame(columns=cols),
        notes,
    )


def _coverage_rows(name: str, sites: gpd.GeoDataFrame, campuses: gpd.GeoDataFrame) -> pd.DataFrame:
    """Coverage at each distance d, from sites and campuses located to ±d only."""
    rows = []
    for km in COVERAGE_KM:
        d = km * 1000.0
        used = sites.loc[_accuracy(sites) <= d]
        near = campuses.loc[_accuracy(campuses) <= d]
        within = 0
        if len(used) and len(near):
            within = int(measure.coverage(used, near, [d], how="count")["within"].iloc[0])
        coarse = len(sites) - len(used)
        rows.append(
            {
                "layer": name,
                "distance_km": float(km),
                "within": within,
                "total": len(used),
                "share": within / len(used) if len(used) else np.nan,
                "excluded_coarse": coarse,
                "note": f"{coarse} sites and {len(campuses) - len(near)} campuses located "
                f"more coarsely than ±{d:,.0f} m left out"
                if coarse or len(campuses) > len(near)
                else "",
            }
        )
    return pd.DataFrame(rows)


def _coverage_section(layers: Layers) -> Section:
    notes: list[str] = []
    have = _present(layers, PLATFORM_LAYERS, notes)
    cols = ["layer", "distance_km", "within", "total", "share", "excluded_coarse", "note"]
    rows: list[pd.DataFrame] = []
    if "campuses" not in layers:
        notes.append("skipped (layer not available yet): campuses — no coverage computed")
    elif have:
        campuses = layers["campuses"]
        rows = [_coverage_rows(lid, layers[lid], campuses) for lid in have]
        every = pd.concat([layers[lid] for lid in have], ignore_index=True)
        rows.append(
            _coverage_rows("all platforms", gpd.GeoDataFrame(every, crs=campuses.crs), campuses)
        )
    return Section(
        "campus_coverage",
        "高校周边平台覆盖 Platforms within 1, 2 and 5 km of a campus",
        "Share of platforms with any part within the distance of some campus, counting "
        "only platforms and campuses whose position is known to within that distance.",
        _sum_rows(rows, cols),
        notes,
    )


SECTION_BUILDERS: tuple[Callable[[Layers], list[Section]], ...] = (
    _zone_sections,
    _overlap_sections,
    lambda lay: [_nearest_section(lay)],
    lambda lay: [_count_section(lay)],
    lambda lay: [_coverage_section(lay)],
)


def build_report(
    layers: Layers, catalog: Catalog | None = None, missing: Mapping[str, str] | None = None
) -> Report:
    """Compute every table of the measurement report from the layers that exist.

    Parameters
    ----------
    layers
        Layers by catalog id (``district``, ``cities``, ``belts``, ``screens``,
        ``rings``, ``clusters``, ``campuses``, the platform layers, ``projects``);
        others are ignored, absent ones are noted.
    catalog
        For layer titles.
    missing
        Layer id → why it could not be loaded, shown in the report's notes.

    Returns
    -------
    Report
    """
    use = {lid: _indexed(layers[lid]) for lid in REPORT_LAYERS if lid in layers}
    sections = [s for builder in SECTION_BUILDERS for s in builder(use)]
    notes = [f"{lid}: {why}" for lid, why in (missing or {}).items()]
    absent = [lid for lid in REPORT_LAYERS if lid not in use and lid not in (missing or {})]
    notes += [f"{lid}: not available" for lid in absent]
    titles = {
        lid: (
            f"{catalog[lid].title_zh} {catalog[lid].title_en}"
            if catalog and lid in catalog
            else lid
        )
        for lid in use
    }
    title = "沙坪坝区科技创新布局测量报告 Shapingba innovation layout: measurement report"
    return Report(title, sections, notes, titles)
