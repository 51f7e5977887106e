"""The measurement report: the plan's zones, overlaps and proximities as tables.

:func:`build_report` takes whatever layers exist (a mapping of layer id to
GeoDataFrame, as :func:`geo.layers.load_layer` returns them) plus the catalog, and
computes every table with :mod:`geo.measure`; no number is typed in. A layer the
report needs but that is absent is named in a visible note of each section it would
have fed, never skipped silently. :func:`report_csv`, :func:`report_markdown` and
:func:`report_html` turn the report into text; writing files is the CLI's job.
"""

from __future__ import annotations

import html
import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import measure
from geo.catalog import Catalog
from geo.crs import METRIC_CRS
from geo.placement import DEFAULT_MAX_ACCURACY_M
from geo.tables import csv_text, markdown_cell

__all__ = [
    "COVERAGE_KM",
    "REPORT_LAYERS",
    "Report",
    "Section",
    "build_report",
    "report_csv",
    "report_html",
    "report_markdown",
]

ZONE_LAYERS = ("cities", "belts", "screens", "rings", "clusters")
OVERLAP_LAYERS = ("rings", "clusters", "belts")
COUNT_ZONE_LAYERS = ("belts", "cities", "rings")
PLATFORM_LAYERS = ("rd_platforms", "transformation_platforms", "industrial_platforms")
PROJECT_LAYERS = ("projects",)
#: Distances (km) of the platform-to-campus coverage table.
COVERAGE_KM = (1, 2, 5)
#: Overlaps up to this size are slivers of coordinate rounding, not overlaps (m²).
SLIVER_M2 = 1.0
#: A position this precise answers any distance question of the report (metres); a
#: coarser one answers only questions about distances at least as large as its error.
POINT_ACCURACY_M = DEFAULT_MAX_ACCURACY_M
#: Every layer the report reads.
REPORT_LAYERS = ("district", *ZONE_LAYERS, "campuses", *PLATFORM_LAYERS, *PROJECT_LAYERS)

Layers = Mapping[str, gpd.GeoDataFrame]
#: A figure shown with the tables: (caption, image link, PDF link), links relative.
FigureLink = tuple[str, str, str]


@dataclass
class Section:
    """One table of the report.

    Attributes
    ----------
    key : str
        File stem of the table's CSV (``zone_areas`` → ``zone_areas.csv``).
    title : str
        Heading, Chinese first.
    intro : str
        One or two sentences on what the table shows and how it was measured.
    table : pandas.DataFrame
        The numbers, unformatted (possibly empty).
    notes : list of str
        Visible notes, such as layers that were skipped and why.
    """

    key: str
    title: str
    intro: str
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    """The whole report: sections in order, plus notes on the inputs.

    Attributes
    ----------
    title : str
        Page title.
    sections : list of Section
        The tables.
    notes : list of str
        Report-wide notes (the layers that were missing and why).
    layers_used : dict of str to str
        Layer id → title of every layer the report read.
    """

    title: str
    sections: list[Section]
    notes: list[str] = field(default_factory=list)
    layers_used: dict[str, str] = field(default_factory=dict)


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


def _accuracy(gdf: gpd.GeoDataFrame) -> np.ndarray:
    if "accuracy_m" not in gdf.columns:
        return np.full(len(gdf), np.nan)
    return pd.to_numeric(gdf["accuracy_m"], errors="coerce").to_numpy(dtype="float64")


def area_band_km2(zones: gpd.GeoDataFrame, district: gpd.GeoDataFrame | None) -> np.ndarray:
    """Return the ± of each zone's area in km²: its edges times their accuracy.

    A zone's area is uncertain by a band along its edge: the part of the edge that
    follows the district boundary carries the district's ``accuracy_m``, the rest the
    zone's own (lengths in EPSG:4544). NaN where an accuracy is missing.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Polygons with ``accuracy_m``.
    district : geopandas.GeoDataFrame or None
        The district outline, with ``accuracy_m``.

    Returns
    -------
    numpy.ndarray
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
            "as a share of the district's area.",
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

    A site located to :data:`POINT_ACCURACY_M` always gets its nearest campus. A
    coarser site gets one only when its error is smaller than the distance and
    cannot change which campus is nearest (the runner-up is more than twice the
    error further away).
    """
    near = _two_nearest(sites, campuses.loc[_accuracy(campuses) <= POINT_ACCURACY_M])
    acc = _accuracy(sites)
    gap = near["next_m"] - near["dist_m"]
    ok = (acc <= POINT_ACCURACY_M) | ((acc <= near["dist_m"]) & (gap > 2 * acc))
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
    notes: list[str] = []
    have = _present(layers, PLATFORM_LAYERS + PROJECT_LAYERS, notes)
    cols = ["layer", "id", "name_zh", "campus", "campus_name", "dist_m"]
    cols += ["accuracy_m", "position_ok", "note"]
    rows: list[pd.DataFrame] = []
    if "campuses" not in layers:
        notes.append("skipped (layer not available yet): campuses — no distances computed")
    else:
        campuses = layers["campuses"]
        coarse = _names(campuses)[_accuracy(campuses) > POINT_ACCURACY_M]
        if len(coarse):
            notes.append(
                f"not candidates (position coarser than ±{POINT_ACCURACY_M:g} m): "
                + ", ".join(coarse)
            )
        rows = [_nearest_rows(lid, layers[lid], campuses) for lid in have]
    return Section(
        "nearest_campus",
        "平台与项目的最近高校 Nearest campus of every platform and project",
        "Edge-to-edge distance in EPSG:4544 (0 when a platform lies on its campus), to "
        f"campuses located to ±{POINT_ACCURACY_M:g} m. A site located more coarsely gets "
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
    layers : mapping of str to GeoDataFrame
        Layers by catalog id (``district``, ``cities``, ``belts``, ``screens``,
        ``rings``, ``clusters``, ``campuses``, the platform layers, ``projects``);
        others are ignored, absent ones are noted.
    catalog : Catalog, optional
        For layer titles.
    missing : mapping of str to str, optional
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


# --------------------------------------------------------------------------- rendering
def _fmt(column: str, value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, float | np.floating):
        if "share" in column or column in OVERLAP_LAYERS:  # matrix cells are shares
            return f"{value:.1%}"
        digits = 0 if column.endswith("_m") else (1 if column == "distance_km" else 3)
        return f"{value:,.{digits}f}"
    return str(value)


def _text_rows(table: pd.DataFrame) -> list[list[str]]:
    cols = [str(c) for c in table.columns]
    return [
        [_fmt(c, v) for c, v in zip(cols, row, strict=True)]
        for row in table.itertuples(index=False)
    ]


def report_csv(report: Report) -> dict[str, str]:
    """Return each section's table as CSV text, by file name (full precision).

    Parameters
    ----------
    report : Report

    Returns
    -------
    dict of str to str
        ``{"zone_areas.csv": "...", ...}``.
    """
    return {f"{s.key}.csv": csv_text(s.table) for s in report.sections}


def _md_cell(text: str) -> str:
    """Markdown table cell: HTML and pipes escaped, on one line."""
    return markdown_cell(text)


def _md_text(text: str) -> str:
    """Markdown running text: HTML from data escaped, so it shows as text."""
    return html.escape(str(text), quote=False)


def _md_table(table: pd.DataFrame) -> list[str]:
    if table.empty:
        return ["_(no rows)_"]
    head = [_md_cell(str(c)) for c in table.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in _text_rows(table)]
    return lines


def _md_figures(figures: Sequence[FigureLink]) -> list[str]:
    lines = ["", "## 图 Figures", ""] if figures else []
    for caption, image, pdf in figures:
        alt = _md_text(caption).replace("[", "(").replace("]", ")")
        lines += [f"![{alt}]({image})", "", f"{_md_cell(caption)} ([PDF]({pdf}))", ""]
    return lines


def report_markdown(report: Report, figures: Sequence[FigureLink] = ()) -> str:
    """Render the report as Markdown (numbers rounded for reading; CSVs keep all digits).

    Parameters
    ----------
    report : Report
    figures : sequence of (caption, image link, PDF link)
        Print figures shown before the zone tables (none by default).

    Returns
    -------
    str
    """
    used = ", ".join(f"{k} ({v})" for k, v in report.layers_used.items()) or "none"
    lines = [f"# {_md_text(report.title)}", "", f"- Layers used: {_md_text(used)}"]
    lines += [f"- **Note:** {_md_text(n)}" for n in report.notes]
    lines += _md_figures(figures)
    for s in report.sections:
        lines += ["", f"## {_md_text(s.title)}", "", _md_text(s.intro), ""]
        lines += [f"> **Note:** {_md_text(n)}" for n in s.notes] + ([""] if s.notes else [])
        lines += _md_table(s.table)
        lines += ["", f"CSV: `{s.key}.csv`"]
    return "\n".join(lines) + "\n"


_CSS = (
    "body{font-family:sans-serif;margin:2em;max-width:75em}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:.2em .5em}"
    "td.n{text-align:right}th{background:#eee}.note{background:#fff3cd;padding:.4em .8em}"
    ".figs{display:grid;grid-template-columns:repeat(auto-fill,minmax(22em,1fr));gap:1em}"
    ".figs img{width:100%;border:1px solid #bbb}.figs figcaption{font-size:.9em}"
)


def _html_figures(figures: Sequence[FigureLink]) -> str:
    if not figures:
        return ""
    items = "".join(
        f'<figure><a href="{html.escape(pdf)}"><img src="{html.escape(image)}" '
        f'alt="{html.escape(caption)}" loading="lazy"></a>'
        f'<figcaption>{html.escape(caption)} (<a href="{html.escape(pdf)}">PDF</a>)'
        "</figcaption></figure>"
        for caption, image, pdf in figures
    )
    return f'<section id="figures"><h2>图 Figures</h2><div class="figs">{items}</div></section>'


#: Superscript markup some source quotes carry (``m <sup>2</sup>``), shown as the
#: unit it means (``m²``) wherever a table is rendered as HTML.
_SUP = re.compile(r"\s*<sup>\s*([0-9])\s*</sup>", re.IGNORECASE)
_SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def unit_text(value: object) -> str:
    """Return a table value as escaped HTML text, with ``<sup>n</sup>`` as a superscript.

    Parameters
    ----------
    value : object
        A cell value (``"10000 m <sup>2</sup>"``).

    Returns
    -------
    str
        ``"10000 m²"``, HTML-escaped; no markup from the value survives.
    """
    text = _SUP.sub(lambda m: m.group(1).translate(_SUPERSCRIPT_DIGITS), str(value))
    return html.escape(text)


def plus_minus(value: float, band: float) -> str:
    """Return ``value ± band`` rounded to the band's second significant digit.

    Parameters
    ----------
    value, band : float
        A measurement and its uncertainty, in the same unit.

    Returns
    -------
    str
        ``"44.6 ± 9.8"``, ``"202 ± 30"``; the value alone (3 decimals) when the band
        is missing or zero.
    """
    if not (math.isfinite(band) and band > 0):
        return f"{value:,.3f}"
    digits = max(0, 1 - math.floor(math.log10(band)))
    return f"{value:,.{digits}f} ± {band:,.{digits}f}"


def _banded(table: pd.DataFrame) -> pd.DataFrame:
    """Show zone areas as rounded ``value ± band`` text (the band from ``area_pm_km2``)."""
    if not {"area_km2", "area_pm_km2"} <= set(table.columns):
        return table
    out = table.drop(columns="area_pm_km2")
    for col in ("area_km2", "in_district_km2"):
        if col in out.columns:
            out[col] = [
                plus_minus(float(v), float(b))
                for v, b in zip(table[col], table["area_pm_km2"], strict=True)
            ]
    return out.rename(
        columns={"area_km2": "area_km2 (±)", "in_district_km2": "in_district_km2 (±)"}
    )


def _html_table(table: pd.DataFrame) -> str:
    if table.empty:
        return "<p><em>(no rows)</em></p>"
    table = _banded(table)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    numeric = [
        pd.api.types.is_numeric_dtype(table[c]) or str(c).endswith("(±)") for c in table.columns
    ]
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=n' if n else ''}>{unit_text(v)}</td>"
            for v, n in zip(r, numeric, strict=True)
        )
        + "</tr>"
        for r in _text_rows(table)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_section(s: Section) -> str:
    notes = "".join(f'<p class="note">Note: {html.escape(n)}</p>' for n in s.notes)
    link = f'<p><a href="{html.escape(s.key)}.csv">{html.escape(s.key)}.csv</a></p>'
    return (
        f'<section id="{html.escape(s.key)}"><h2>{html.escape(s.title)}</h2>'
        f"<p>{html.escape(s.intro)}</p>{notes}{_html_table(s.table)}{link}</section>"
    )


def report_html(report: Report, figures: Sequence[FigureLink] = ()) -> str:
    """Render the report as one self-contained HTML page (no external URLs).

    Every value is HTML-escaped.

    Parameters
    ----------
    report : Report
    figures : sequence of (caption, image link, PDF link)
        Print figures shown before the zone tables (none by default).

    Returns
    -------
    str
    """
    used = ", ".join(f"{k} ({v})" for k, v in report.layers_used.items()) or "none"
    notes = "".join(f'<li class="note">{html.escape(n)}</li>' for n in report.notes)
    toc = "".join(
        f'<li><a href="#{html.escape(s.key)}">{html.escape(s.title)}</a></li>'
        for s in report.sections
    )
    body = _html_figures(figures) + "".join(_html_section(s) for s in report.sections)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(report.title)}</title><style>{_CSS}</style></head><body>"
        '<p><a href="../index.html">← 图集 Index</a></p>'
        f"<h1>{html.escape(report.title)}</h1><p>Layers used: {html.escape(used)}</p>"
        f"<ul>{notes}</ul><ul>{toc}</ul>{body}"
        '<p><a href="report.md">report.md</a></p></body></html>\n'
    )
