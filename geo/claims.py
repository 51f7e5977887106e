"""The claims ledger and its checks.

``layers/claims.csv`` lists every quantitative statement the plan and the four news
reports make about a named place (areas, lengths, project counts, investment).
This module normalises place names, runs six checks on the ledger and gives each
claim one verdict with its reason:

``consistent``
    a second source, the members' own claims, the footprint or the plan's own
    arithmetic agrees with the figure;
``conflict``
    they disagree beyond what rounding and stated accuracy allow;
``unsubstantiated``
    the evidence the documents give falls short of the figure (e.g. a cluster said
    to exceed 60 万 m² whose named members add up to 57 万 m²), or a plan target
    that a later report says was only partly reached;
``cannot verify``
    nothing independent to test the figure against (single source, point or
    schematic geometry, unknown place).

The checks take data as arguments (DataFrames and GeoDataFrames) and return
DataFrames; nothing here writes files. :func:`read_ledger` is the one reader.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "CHECKS",
    "METRIC_LABELS",
    "PLACE_ALIASES",
    "VERDICTS",
    "check_aggregate",
    "check_arithmetic",
    "check_containment",
    "check_cross_source",
    "check_geometry",
    "check_plausibility",
    "claim_interval",
    "default_members",
    "gazetteer_resolver",
    "ledger_path",
    "ledger_text",
    "link_features",
    "normalise_place",
    "read_ledger",
    "run_checks",
    "summarise",
    "summary_markdown",
    "verdicts",
]

#: Verdicts, from the one that decides most to the one that decides least.
VERDICTS: tuple[str, ...] = ("conflict", "unsubstantiated", "consistent", "cannot verify")

#: Check names, in the order they run.
CHECKS: tuple[str, ...] = (
    "cross-source",
    "aggregate",
    "geometry",
    "plausibility",
    "arithmetic",
    "containment",
)

#: Reader-facing names of the ledger's metrics.
METRIC_LABELS: dict[str, str] = {
    "land_area": "land area 占地/用地/规划面积",
    "land_area_collective": "collective land within the land area",
    "floor_area": "floor area 建筑面积/建筑体量",
    "site_area": "site or carrier space 场地/集约场地/空间面积",
    "total_area": "total area 总面积",
    "length": "length 公里",
    "count_projects": "number of projects",
    "count_resident_projects": "projects expected to move in",
    "count_enterprises": "number of enterprises",
    "count_platforms": "number of platforms",
    "investment_total": "total investment 总投资",
    "investment_fyp": "investment in 2021-2025 (十四五 小计)",
    "investment_2021_2022": "investment 2021-2022",
    "investment_2023_2025": "investment 2023-2025",
    "output_2025": "2025 output 产值",
    "revenue": "annual revenue 营收",
    "fund": "fund size 基金规模",
}

# Spelling variants of places and of the ring and cluster names that are not
# gazetteer places. Keys are folded with _fold() first; values are canonical.
# Each entry is backed by the documents (cited in docs/claims.md).
PLACE_ALIASES: dict[str, str] = {
    # 黄金湾·智谷: the plan also writes 黄家湾 (表15 row 32); it houses the
    # 铁路口岸创新中心 ("黄金湾·智谷 | 集约铁路口岸创新中心 28.5 万平方米场地", row 3).
    "黄家湾·智谷": "黄金湾·智谷",
    "科学城黄金湾·智谷": "黄金湾·智谷",
    "科学城黄家湾·智谷": "黄金湾·智谷",
    "铁路口岸创新中心": "黄金湾·智谷",
    # 自贸区企业创新中心
    "自贸区创新中心": "自贸区企业创新中心",
    "自贸园区企业创新中心": "自贸区企业创新中心",
    "自贸园区创新中心": "自贸区企业创新中心",
    "企业创新服务中心": "自贸区企业创新中心",
    # 首创高科·芯创园 (Table 9); the other tables and the text vary the name.
    "首创创芯园": "首创高科·芯创园",
    "首创高芯园": "首创高科·芯创园",
    "高芯园": "首创高科·芯创园",
    "首创高科·创芯园": "首创高科·芯创园",
    "北京首创·芯创园": "首创高科·芯创园",
    "首创创芯中心": "首创高科·芯创园",
    "高科创芯园": "首创高科·芯创园",
    "首创高科集成电路产业园": "首创高科·芯创园",
    "科学城创芯园(首创高科集成电路产业园)": "首创高科·芯创园",
    # 拾光格 / 拾光阁 and the 重庆师大 双创园 it runs (Table 9 建设主体 拾光格).
    "拾光阁数字经济创新港": "拾光格数字经济创新港",
    "拾光格数字创新港": "拾光格数字经济创新港",
    "拾光格数字经济产业创新港": "拾光格数字经济创新港",
    "重庆师大·双创园(沙坪坝校区)": "重庆师大·双创园",
    "重庆师范大学(东部)双创园": "重庆师大·双创园",
    # rings
    "环重庆师大创新生态圈": "环重庆师范大学创新生态圈",
    "环电子职院创新生态圈": "环电子工程职业学院创新生态圈",
    "环重庆电子工程职业学院创新生态圈": "环电子工程职业学院创新生态圈",
    "环西政-川外创新生态圈": "环西政—川外创新生态圈",
    "环政法-川外创新生态圈": "环西政—川外创新生态圈",
    "环政法—川外创新生态圈": "环西政—川外创新生态圈",
    "环西南政法—川外": "环西政—川外创新生态圈",
    "环政法—川外": "环西政—川外创新生态圈",
    "环西政—川外": "环西政—川外创新生态圈",
    "环成渝高校协同创新生态圈": "成渝高校协同创新生态圈",
    # 表15 row 7 is the ring's project at 黄金湾·智谷 (tagged 环大学创新生态圈项目).
    "科学城成渝高校协同创新中心": "成渝高校协同创新生态圈",
    # carriers
    "光谷·智创园": "中电光谷·智创园",
    "中电中电光谷·智创园": "中电光谷·智创园",
    "中电光谷·重庆智创园": "中电光谷·智创园",
    "浪尖融汇·意创园": "浪尖渝力·意创园",
    "浪尖融创·意创园": "浪尖渝力·意创园",
    "重庆建筑职院(北区)双创园": "建筑职院·双创园",
    "青凤高科产业园创新孵化中心": "青凤高科创新中心",
    "青凤高科创新孵化中心": "青凤高科创新中心",
    "科学城青凤高科创新中心": "青凤高科创新中心",
    "高新区青凤高科产业园": "青凤高科产业园",
    "重庆大学国际联合研究院(二期)": "重庆大学国际研究院二期",
    "电子科技大学(重庆)国家大学科技园": "电子科大(重庆)国家大学科技园",
    "重庆·大学城科技产业园": "重庆大学城科技产业园",
    "大学城科技产业园": "重庆大学城科技产业园",
    # 专栏9 / §2.4 name the weather and geology parks that 表15 rows 35 and 46 build.
    "国家气象科技公园": "重庆市气象科技园",
    "重庆气象科技公园": "重庆市气象科技园",
    "气象科技公园": "重庆市气象科技园",
    "地质科技公园": "沙坪坝区地质科技园",
    "地质科技园": "沙坪坝区地质科技园",
    "沙坪坝": "沙坪坝区",
    # 002 L316 writes the Science City's Shapingba part without 区 (layer science_city).
    "西部(重庆)科学城沙坪坝片": "西部(重庆)科学城沙坪坝片区",
    "西部(重庆)科学城(沙坪坝片)": "西部(重庆)科学城沙坪坝片区",
}

#: Zones the documents name by a word that is not the zone's own name.
#: 沙坪坝区东部城区 (表15 rows 41, 43 建设地点) is the district east of the Zhongliang
#: ridge, which §2.4 一（一） calls 东部人字母城 (layer cities, city-east).
ZONE_ALIASES: dict[str, str] = {"全区": "沙坪坝区", "沙坪坝区东部城区": "东部人字母城"}

#: A zone written ``科学城X`` (科学城黄金湾·智谷, 科学城国际物流城) puts the place in
#: the Science City's Shapingba part; X itself is a point, not an area.
ZONE_PREFIXES: dict[str, str] = {"科学城": "西部(重庆)科学城沙坪坝片区"}


def _fold(name: str) -> str:
    """Fold punctuation and layout variants (not synonyms) of a place name."""
    s = re.sub(r"<br\s*/?>", "", str(name))
    s = s.replace("（", "(").replace("）", ")")
    s = re.sub(r"[·•・]", "·", s)
    s = re.sub(r"[－–-]", "-", s)
    s = s.replace("——", "—")
    return re.sub(r"\s+", "", s)


_FOLDED_ALIASES: dict[str, str] = {_fold(k): v for k, v in PLACE_ALIASES.items()}


def normalise_place(name: str, lookup: Callable[[str], str] | None = None) -> str:
    """Return the one canonical name of a place, whatever spelling the documents use.

    Parameters
    ----------
    name : str
        A place as written (``"科学城黄家湾·智谷"``, ``"环政法-川外创新生态圈"``).
    lookup : callable, optional
        Maps a name or alias to its canonical name and raises ``KeyError`` (such as
        ``geo._errors.GazetteerError``) when unknown; normally built from the
        gazetteer. Tried after the explicit alias table.

    Returns
    -------
    str
        Canonical name; the folded input if neither table knows it.
    """
    folded = _fold(name)
    canon = _FOLDED_ALIASES.get(folded, folded)
    if lookup is not None:
        for candidate in (canon, folded):
            try:
                return lookup(candidate)
            except KeyError:
                continue
    return canon


def gazetteer_resolver(gazetteer: Any) -> Callable[[str], str]:
    """Return a ``lookup`` for :func:`normalise_place` backed by a gazetteer.

    The resolver matches names and aliases exactly, after the gazetteer's own
    normalisation (:func:`geo.gazetteer.normalize_name`), and raises a plain
    ``KeyError`` on a miss: a place missing from the gazetteer is an expected case
    here (the ledger names many), so no fuzzy suggestions are computed for it;
    those are for error messages (:meth:`geo.gazetteer.Gazetteer.lookup`).

    Parameters
    ----------
    gazetteer : geo.gazetteer.Gazetteer
        The loaded gazetteer.

    Returns
    -------
    callable
        Maps a name or alias to the place's ``name_zh``.
    """

    def resolve(name: str) -> str:
        if name not in gazetteer:
            raise KeyError(name)
        return str(gazetteer.lookup(name).name_zh)

    return resolve


def ledger_path() -> Path:
    """Path of ``claims.csv`` in the layers folder (see :func:`geo._data.layers_dir`).

    Returns
    -------
    pathlib.Path
        The ledger file.
    """
    from geo._data import layers_dir

    return layers_dir() / "claims.csv"


def read_ledger(path: str | Path | None = None) -> pd.DataFrame:
    """Read the claims ledger.

    Parameters
    ----------
    path : str or Path, optional
        Defaults to :func:`ledger_path`.

    Returns
    -------
    pandas.DataFrame
        One row per claim; ``value_si_low``/``value_si_high`` as floats (``inf`` for
        open upper bounds), ``line`` as int, text columns as str ('' when empty).
    """
    df = pd.read_csv(path or ledger_path(), dtype=str, keep_default_na=False, encoding="utf-8")
    for col in ("value_si_low", "value_si_high"):
        df[col] = df[col].astype(float)
    df["line"] = df["line"].astype(int)
    return df


def ledger_text(ledger: pd.DataFrame) -> str:
    """Return the ledger as the CSV text it is stored as (UTF-8, Unix line ends).

    Parameters
    ----------
    ledger : pandas.DataFrame
        The ledger read with every column as text
        (``pd.read_csv(path, dtype=str, keep_default_na=False)``), so that values
        are written back exactly as they were read.

    Returns
    -------
    str
        CSV text; reading and writing an unchanged ledger gives the same bytes.
    """
    return ledger.to_csv(index=False, lineterminator="\n")


_REF = re.compile(r"^(?P<file>[^\s:;]+):L(?P<a>\d+)(?:-(?P<b>\d+))?")


def _cites(plan_ref: Any, source_file: str, line: int) -> bool:
    """Whether a feature's ``plan_ref`` cites ``source_file`` at ``line``."""
    for ref in str(plan_ref or "").split(";"):
        m = _REF.match(ref.strip())
        if m and m["file"] == source_file:
            a = int(m["a"])
            b = int(m["b"] or a)
            if a <= line <= b:
                return True
    return False


def _names(rec: Mapping[str, Any]) -> list[str]:
    """Return a feature's own names: ``name_zh`` and its ``aliases`` (``|``-separated)."""
    names = [str(rec.get("name_zh") or "")]
    aliases = rec.get("aliases")
    if isinstance(aliases, str):
        names += [a for a in aliases.split("|") if a.strip()]
    return [n for n in names if n]


def link_features(
    claims: pd.DataFrame,
    layers: Mapping[str, Any],
    lookup: Callable[[str], str] | None = None,
) -> pd.Series:
    """Find the layer feature each claim is about; the ledger's ``feature_id`` column.

    Rules, in order:

    1. A Table 15 cell (``table_ref`` ``表15 row N ...``) is about the project of
       that row: the feature whose ``plan_ref`` cites 表15 and whose
       ``row_printed`` is N (the ledger uses the numbers as printed; row 36 is
       printed 46).
    2. Otherwise the features whose ``name_zh`` or ``aliases`` normalise
       (:func:`normalise_place`) to the claim's place. Among several, the first of:
       a feature whose ``plan_ref`` cites the claim's file and line; an area
       (polygon) feature, since a place that has an outline is that area (a ring
       is its ``ring-*`` polygon, not one of its member points); then the order of
       ``layers`` (catalog order: site layers before member layers), then id.
    3. No feature: ``""`` (table totals, a group of features such as all six
       rings, places outside the district or not mapped).

    A feature's ``place`` (where it stands) is never used: a lab at 黄金湾·智谷 is
    not 黄金湾·智谷.

    Parameters
    ----------
    claims : pandas.DataFrame
        The ledger (columns ``place``, ``table_ref``, ``source_file``, ``line``).
    layers : mapping of str to GeoDataFrame
        Layers by catalog id, in catalog order, derived layers included (e.g.
        :func:`geo.layers.load_layers`).
    lookup : callable, optional
        Gazetteer name resolver for :func:`normalise_place`.

    Returns
    -------
    pandas.Series
        Feature ids (str, ``""`` when none), indexed like ``claims``.
    """
    by_row: dict[int, str] = {}
    by_key: dict[str, list[tuple[int, str, bool, Any]]] = {}
    order = 0
    for gdf in layers.values():
        if gdf is None or not len(gdf):
            continue
        for rec in gdf.to_dict("records"):
            fid = str(rec.get("id") or "")
            if not fid:
                continue
            order += 1
            printed = rec.get("row_printed")
            if "表15" in str(rec.get("plan_ref") or "") and printed is not None:
                with contextlib.suppress(TypeError, ValueError):
                    by_row.setdefault(int(printed), fid)
            geom = rec.get("geometry")
            is_area = geom is not None and "Polygon" in geom.geom_type
            for name in _names(rec):
                by_key.setdefault(normalise_place(name, lookup), []).append(
                    (order, fid, is_area, rec.get("plan_ref"))
                )
    out: list[str] = []
    for row in claims.to_dict("records"):
        m = _T15_ROW.match(str(row.get("table_ref") or ""))
        if m and int(m[1]) in by_row:
            out.append(by_row[int(m[1])])
            continue
        cands = by_key.get(normalise_place(str(row["place"]), lookup), [])
        if not cands:
            out.append("")
            continue
        src, line = str(row["source_file"]), int(row["line"])
        best = min(
            cands,
            key=lambda c: (not _cites(c[3], src, line), not c[2], c[0], c[1]),
        )
        out.append(best[1])
    return pd.Series(out, index=claims.index, name="feature_id", dtype=object)


def _sig_tolerance(value_written: str, factor: float) -> float:
    """Half a unit in the last significant digit written, in SI units."""
    text = value_written.split("-")[0].lstrip(".")
    if "." in text:
        decimals = len(text.split(".")[1])
        return 0.5 * 10.0 ** (-decimals) * factor
    stripped = text.rstrip("0")
    zeros = len(text) - len(stripped) if stripped else 0
    tol = 0.5 * 10.0**zeros * factor
    if zeros:
        # Trailing zeros are ambiguous ("100 亩" may be exact); cap at 5 %.
        tol = min(tol, 0.05 * float(text) * factor)
    return tol


def claim_interval(row: Mapping[str, Any], approx_rel: float = 0.10) -> tuple[float, float]:
    """Return the interval a claim allows, in SI units.

    ``exact`` figures allow half a unit in their last significant digit (``68 万``
    allows ±0.5 万, ``13000`` allows ±500); ``approx`` (约) adds ``approx_rel``;
    ``at_least`` is open above; ``at_most`` starts at 0; ``range`` is as written.

    Parameters
    ----------
    row : mapping
        A ledger row.
    approx_rel : float, default 0.10
        Relative width allowed by 约.

    Returns
    -------
    tuple of (float, float)
        Low and high bounds.
    """
    lo = float(row["value_si_low"])
    hi = float(row["value_si_high"])
    qual = row["qualifier"]
    if qual == "range":
        return lo, hi
    written = str(row["value_written"]).lstrip(".")
    try:
        number = float(written.split("-")[0])
    except ValueError:
        number = 0.0
    base = hi if qual == "at_most" else lo
    factor = base / number if number else 1.0
    tol = _sig_tolerance(written, factor)
    if qual == "approx":
        tol += approx_rel * base
    if qual == "at_least":
        return lo - tol, math.inf
    if qual == "at_most":
        return 0.0, hi + tol
    return base - tol, base + tol


def _fmt(v: float, unit: str) -> str:
    """Human-readable SI value."""
    if math.isinf(v):
        return "∞"
    if unit == "CNY":
        return f"{v / 1e8:g} 亿元"
    if unit == "m2":
        return f"{v:,.0f} m²"
    if unit == "m":
        return f"{v:,.0f} m"
    return f"{v:g}"


def _cite(row: Mapping[str, Any]) -> str:
    return f"{row['claim_id']} ({str(row['source_file'])[:3]}:L{row['line']})"


def _result(claim_id: str, check: str, verdict: str, reason: str) -> dict[str, str]:
    return {"claim_id": claim_id, "check": check, "verdict": verdict, "reason": reason}


_RESULT_COLUMNS = ["claim_id", "check", "verdict", "reason"]


def _frame(rows: Iterable[dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=_RESULT_COLUMNS)


def _with_keys(claims: pd.DataFrame, lookup: Callable[[str], str] | None) -> pd.DataFrame:
    out = claims.copy()
    if "place_key" not in out.columns:
        out["place_key"] = [normalise_place(p, lookup) for p in out["place"]]
    return out


# --------------------------------------------------------------------------- checks


def check_cross_source(
    claims: pd.DataFrame, lookup: Callable[[str], str] | None = None
) -> pd.DataFrame:
    """Compare claims of the same place and metric made in different places.

    Two statements of the same basis (both plan figures, or both reported status)
    must overlap in :func:`claim_interval`, else ``conflict``. A plan figure against
    a later status report: status below the plan makes the plan figure
    ``unsubstantiated`` (only part of it is reported as done); otherwise both are
    ``consistent``.

    Parameters
    ----------
    claims : pandas.DataFrame
        The ledger (see :func:`read_ledger`).
    lookup : callable, optional
        Gazetteer name resolver for :func:`normalise_place`.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, check, verdict, reason``.
    """
    df = _with_keys(claims, lookup)
    out: list[dict[str, str]] = []
    for (_place, _metric), grp in df.groupby(["place_key", "metric"], sort=False):
        if grp[["source_file", "line"]].drop_duplicates().shape[0] < 2:
            continue
        recs = grp.to_dict("records")
        for a in recs:
            for b in recs:
                if a["claim_id"] == b["claim_id"] or (
                    a["source_file"] == b["source_file"] and a["line"] == b["line"]
                ):
                    continue
                alo, ahi = claim_interval(a)
                blo, bhi = claim_interval(b)
                unit = a["si_unit"]
                said = (
                    f"{_cite(b)} gives {b['value_written']} {b['unit_written']} "
                    f"({b['qualifier']}, {_fmt(blo, unit)}–{_fmt(bhi, unit)}) against "
                    f"{a['value_written']} {a['unit_written']} here"
                )
                overlap = alo <= bhi and blo <= ahi
                if a["basis"] == b["basis"]:
                    verdict = "consistent" if overlap else "conflict"
                    out.append(_result(a["claim_id"], "cross-source", verdict, said))
                elif a["basis"] == "plan":
                    if overlap or blo > ahi:
                        out.append(_result(a["claim_id"], "cross-source", "consistent", said))
                    else:
                        out.append(
                            _result(
                                a["claim_id"],
                                "cross-source",
                                "unsubstantiated",
                                said + "; the report states progress below this plan figure",
                            )
                        )
                else:
                    out.append(
                        _result(
                            a["claim_id"],
                            "cross-source",
                            "consistent",
                            said + "; a status report is not contradicted by a larger target",
                        )
                    )
    return _frame(out)


#: Members the documents name for each cluster and ring: (members, complete?).
#: ``complete`` is False where the list ends in 等 ("and others").
_DEFAULT_MEMBERS: dict[str, tuple[tuple[str, ...], bool]] = {
    # 002 L280-284, 专栏1
    "沙滨路孵化器集群": (
        (
            "环重庆大学创新生态圈",
            "环重庆师范大学创新生态圈",
            "环西政—川外创新生态圈",
            "特钢厂工业博物馆",
            "沙滨路科创带",
        ),
        False,
    ),
    "菁云湖孵化器集群": (("青凤高科创新中心", "中电光谷·西部科技城", "联东U谷"), False),
    "五云湖孵化器集群": (("黄金湾·智谷", "自贸区企业创新中心", "首创高科·芯创园"), False),
    # 002 L418-431, 表5: the six rings are all of 环大学创新生态圈
    "环大学创新生态圈": (
        (
            "环重庆大学创新生态圈",
            "环重庆师范大学创新生态圈",
            "环建筑职院创新生态圈",
            "环电子工程职业学院创新生态圈",
            "环西政—川外创新生态圈",
            "成渝高校协同创新生态圈",
        ),
        True,
    ),
    # 表5 重点项目 (a selection, so not complete)
    "环重庆大学创新生态圈": (
        (
            "重庆大学设计创意产业园",
            "重庆大学国际联合研究院",
            "重庆大学人工智能研究院",
            "中电光谷·智创园",
            "重庆大学附属沙坪坝医院",
        ),
        False,
    ),
    "成渝高校协同创新生态圈": (
        ("西部(重庆)地质科技创新研究院", "成渝高校成果转化基地", "电子科技成果转化基地"),
        False,
    ),
}


def default_members() -> pd.DataFrame:
    """Members of clusters and rings as the documents list them.

    Returns
    -------
    pandas.DataFrame
        Columns ``group, member, complete`` (``complete`` is per group).
    """
    rows = [
        {"group": g, "member": m, "complete": complete}
        for g, (members, complete) in _DEFAULT_MEMBERS.items()
        for m in members
    ]
    return pd.DataFrame(rows, columns=["group", "member", "complete"])


# For an aggregate area, a member's comparable figure is its first available of these.
_AREA_PREFERENCE: tuple[str, ...] = ("site_area", "total_area", "floor_area")


def check_aggregate(
    claims: pd.DataFrame,
    members: pd.DataFrame | None = None,
    lookup: Callable[[str], str] | None = None,
) -> pd.DataFrame:
    """Compare a cluster's or ring's claimed total with the sum of its members' claims.

    Only area claims are summed (a ring's money is not its key projects' sum). A
    member's figure is the first of its site, total and floor area claims.
    ``conflict`` when the members alone exceed the total's upper bound, or when a
    complete list falls short of it;
    ``unsubstantiated`` when an open list (等) falls short; ``consistent`` when the
    members reach the claimed figure; ``cannot verify`` when no member has a figure.

    Parameters
    ----------
    claims : pandas.DataFrame
        The ledger.
    members : pandas.DataFrame, optional
        Columns ``group, member`` and optionally ``complete`` (bool); for example
        built from the ``ring_members`` (property ``ring``) and
        ``incubator_members`` (property ``cluster``) layers. Defaults to
        :func:`default_members`.
    lookup : callable, optional
        Gazetteer name resolver.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, check, verdict, reason``.
    """
    df = _with_keys(claims, lookup)
    mem = default_members() if members is None else members.copy()
    if "complete" not in mem.columns:
        mem["complete"] = False
    mem["group_key"] = [normalise_place(g, lookup) for g in mem["group"]]
    mem["member_key"] = [normalise_place(m, lookup) for m in mem["member"]]
    out: list[dict[str, str]] = []
    for row in df.to_dict("records"):
        grp = mem[mem["group_key"] == row["place_key"]]
        # Only sizes add up over members; a ring's money is not its projects' sum.
        if grp.empty or row["metric"] not in _AREA_PREFERENCE:
            continue
        metric = row["metric"]
        prefs = _AREA_PREFERENCE if metric in _AREA_PREFERENCE else (metric,)
        lo_sum = hi_sum = 0.0
        used: list[str] = []
        missing: list[str] = []
        for member in dict.fromkeys(grp["member_key"]):
            mine = df[(df["place_key"] == member) & (df["basis"] == row["basis"])]
            if mine.empty:
                mine = df[df["place_key"] == member]
            pick = None
            for metric_name in prefs:
                cand = mine[mine["metric"] == metric_name]
                if not cand.empty:
                    pick = cand
                    break
            if pick is None:
                missing.append(member)
                continue
            bounds = [claim_interval(r) for r in pick.to_dict("records")]
            lo_sum += min(b[0] for b in bounds)
            hi_sum += max(b[1] for b in bounds)
            first = pick.iloc[0]
            used.append(
                f"{member} {first['value_written']} {first['unit_written']} [{first['metric']}]"
            )
        cid = row["claim_id"]
        if not used:
            out.append(
                _result(cid, "aggregate", "cannot verify", "no named member states a figure")
            )
            continue
        complete = bool(grp["complete"].astype(bool).all()) and not missing
        alo, ahi = claim_interval(row)
        unit = row["si_unit"]
        detail = (
            f"members with figures ({len(used)}): {'; '.join(used)} → "
            f"{_fmt(lo_sum, unit)}–{_fmt(hi_sum, unit)}; claimed {_fmt(alo, unit)}–"
            f"{_fmt(ahi, unit)}"
        )
        if missing:
            detail += f"; no figure for {len(missing)}: {'、'.join(missing)}"
        if lo_sum > ahi:
            verdict = "conflict"
            detail = "the members alone exceed the claimed total: " + detail
        elif lo_sum >= alo or hi_sum >= alo:
            verdict = "consistent"
        elif complete:
            verdict = "conflict"
            detail = "the complete member list falls short: " + detail
        else:
            verdict = "unsubstantiated"
            detail = "the named members do not reach the claimed figure: " + detail
        out.append(_result(cid, "aggregate", verdict, detail))
    return _frame(out)


#: Geometry sources whose outline may decide an area or length claim.
_MEASURED_SOURCES = frozenset({"surveyed", "digitized"})


def _accuracy(value: Any) -> float | None:
    """Return a positive, finite ``accuracy_m``, else None (unknown accuracy decides nothing)."""
    try:
        acc = float(value)
    except (TypeError, ValueError):
        return None
    return acc if math.isfinite(acc) and acc > 0 else None


def _geodesic_area_perimeter(geom: Any) -> tuple[float, float]:
    """Geodesic area (m²) and perimeter (m) of a lon/lat geometry."""
    from pyproj import Geod

    g_area, g_perim = Geod(ellps="WGS84").geometry_area_perimeter(geom)
    area = abs(g_area)
    try:  # the project's measure module, so that every reported area agrees
        import geopandas as gpd

        from geo import measure

        area = float(measure.geodesic_area(gpd.GeoDataFrame(geometry=[geom], crs=4326)).iloc[0])
    except (ImportError, AttributeError, ValueError):
        pass
    return area, g_perim


def check_geometry(
    claims: pd.DataFrame,
    features: Any,
    lookup: Callable[[str], str] | None = None,
    max_relative_uncertainty: float = 0.5,
) -> pd.DataFrame:
    """Compare land or total areas (and lengths) with the feature's geodesic footprint.

    The footprint's uncertainty is perimeter × ``accuracy_m`` (a band of the stated
    positional error all round the outline). Points, lines for areas and
    ``schematic`` geometry give ``cannot verify``, as does a footprint whose
    uncertainty exceeds ``max_relative_uncertainty`` of its area: a coarse
    outline must never pass a claim.

    Parameters
    ----------
    claims : pandas.DataFrame
        The ledger.
    features : geopandas.GeoDataFrame or None
        EPSG:4326 features with ``name_zh``, ``geometry_source``, ``accuracy_m`` and
        optionally ``id`` (matched against the claim's ``feature_id``).
    lookup : callable, optional
        Gazetteer name resolver.
    max_relative_uncertainty : float, default 0.5
        Above this, the footprint cannot decide.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, check, verdict, reason``.
    """
    df = _with_keys(claims, lookup)
    subject = df[df["metric"].isin(["land_area", "total_area", "length"])]
    out: list[dict[str, str]] = []
    by_key: dict[str, Any] = {}
    by_id: dict[str, Any] = {}
    if features is not None and len(features):
        for feat in features.to_dict("records"):
            by_key.setdefault(normalise_place(str(feat.get("name_zh", "")), lookup), feat)
            if feat.get("id"):
                by_id[str(feat["id"])] = feat
    for row in subject.to_dict("records"):
        cid = row["claim_id"]
        fid = str(row.get("feature_id") or "")
        # a linked claim is judged on its own feature only, never on a namesake
        feat = by_id.get(fid) if fid else by_key.get(row["place_key"])
        if feat is None or feat.get("geometry") is None:
            why = f"feature {fid} not loaded" if fid and feat is None else "no footprint"
            out.append(_result(cid, "geometry", "cannot verify", f"{why} for this place"))
            continue
        geom = feat["geometry"]
        source = str(feat.get("geometry_source", "") or "")
        acc = _accuracy(feat.get("accuracy_m"))
        gtype = geom.geom_type
        wants_line = row["metric"] == "length"
        if source not in _MEASURED_SOURCES:
            why = (
                "is schematic: it shows relations, not a footprint"
                if source == "schematic"
                else f"has geometry_source {source or 'unset'!r}, not a measured outline"
            )
            why = f"feature {feat.get('id', '')} {why}"
            out.append(_result(cid, "geometry", "cannot verify", why))
            continue
        if acc is None:
            out.append(
                _result(
                    cid,
                    "geometry",
                    "cannot verify",
                    f"feature {feat.get('id', '')} states no positive accuracy_m",
                )
            )
            continue
        if (wants_line and "LineString" not in gtype) or (
            not wants_line and "Polygon" not in gtype
        ):
            out.append(
                _result(
                    cid,
                    "geometry",
                    "cannot verify",
                    f"feature {feat.get('id', '')} is a {gtype}, which has no "
                    + ("length" if wants_line else "area"),
                )
            )
            continue
        area, perim = _geodesic_area_perimeter(geom)
        if wants_line:
            measured, unc = perim, 2 * acc
        else:
            measured, unc = area, perim * acc
        unit = row["si_unit"]
        if measured <= 0 or unc / measured > max_relative_uncertainty:
            out.append(
                _result(
                    cid,
                    "geometry",
                    "cannot verify",
                    f"footprint {_fmt(measured, unit)} ± {_fmt(unc, unit)} "
                    f"(accuracy {acc:g} m) is too coarse to decide",
                )
            )
            continue
        alo, ahi = claim_interval(row)
        mlo, mhi = measured - unc, measured + unc
        verdict = "consistent" if (mlo <= ahi and alo <= mhi) else "conflict"
        out.append(
            _result(
                cid,
                "geometry",
                verdict,
                f"feature {feat.get('id', '')} measures {_fmt(measured, unit)} ± "
                f"{_fmt(unc, unit)} (perimeter × {acc:g} m); claimed "
                f"{_fmt(alo, unit)}–{_fmt(ahi, unit)}",
            )
        )
    return _frame(out)


#: Plot-ratio (floor area ÷ land area) ranges considered sane, by kind of site.
PLOT_RATIO_RANGES: dict[str, tuple[float, float]] = {
    "park": (0.0, 0.5),  # science or popular-science park: a few venues in open land
    "campus": (0.2, 4.0),  # industrial or university park, mixed low and mid rise
    "complex": (0.5, 8.0),  # office, incubator or R&D complex
}

_KIND_RULES: tuple[tuple[str, str], ...] = (
    ("气象科技园", "park"),
    ("地质科技园", "park"),
    ("科普公园", "park"),
    ("科技公园", "park"),
    # 003 L130: 创新公园 is "以生态公园形态打造科创产业综合体", i.e. a complex.
    ("创新公园", "complex"),
    ("中心", "complex"),
    ("小镇", "complex"),
    ("研究院", "complex"),
    ("孵化器", "complex"),
    ("天地", "campus"),
    ("园", "campus"),
)


def site_kind(place: str) -> str:
    """Kind of site for the plot-ratio check, from the name.

    Parameters
    ----------
    place : str
        Canonical place name.

    Returns
    -------
    str
        A key of :data:`PLOT_RATIO_RANGES`; ``campus`` when no rule matches.
    """
    for word, kind in _KIND_RULES:
        if word in place:
            return kind
    return "campus"


def check_plausibility(
    claims: pd.DataFrame, lookup: Callable[[str], str] | None = None
) -> pd.DataFrame:
    """Check that floor area ÷ land area of a place is a sane plot ratio.

    Parameters
    ----------
    claims : pandas.DataFrame
        The ledger.
    lookup : callable, optional
        Gazetteer name resolver.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, check, verdict, reason``; both claims of each pair get
        the verdict (``conflict`` when the ratio is outside the range).
    """
    df = _with_keys(claims, lookup)
    out: list[dict[str, str]] = []
    for key, grp in df.groupby("place_key", sort=False):
        floors = grp[grp["metric"] == "floor_area"].to_dict("records")
        lands = grp[grp["metric"] == "land_area"].to_dict("records")
        kind = site_kind(str(key))
        lo_ok, hi_ok = PLOT_RATIO_RANGES[kind]
        for f in floors:
            for land in lands:
                ratio = float(f["value_si_low"]) / float(land["value_si_low"])
                ok = lo_ok <= ratio <= hi_ok
                reason = (
                    f"floor {f['value_written']} {f['unit_written']} ({_cite(f)}) ÷ land "
                    f"{land['value_written']} {land['unit_written']} ({_cite(land)}) = plot ratio "
                    f"{ratio:.2f}; sane for a {kind}: {lo_ok:g}–{hi_ok:g}"
                )
                verdict = "consistent" if ok else "conflict"
                out.append(_result(f["claim_id"], "plausibility", verdict, reason))
                out.append(_result(land["claim_id"], "plausibility", verdict, reason))
    return _frame(out)


_T15_ROW = re.compile(r"^表15 row (\d+)")


def check_arithmetic(claims: pd.DataFrame) -> pd.DataFrame:
    """Check Table 15's investment columns and the totals the plan states for them.

    Per row: 2021-2022 + 2023-2025 = 小计 (blank or ``--`` counts as 0) and
    小计 ≤ 规划总投资. Overall and per category (``category`` column): the number
    of rows and the sums of 规划总投资 and 小计 against the 合计 row and the text of
    Chapter 4 (each stated figure allows half a unit in its last digit).

    Parameters
    ----------
    claims : pandas.DataFrame
        The ledger.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, check, verdict, reason``.
    """
    df = claims
    out: list[dict[str, str]] = []
    cells = df[df["table_ref"].str.match(_T15_ROW)].copy()
    if cells.empty:
        return _frame(out)
    cells["row_no"] = cells["table_ref"].str.extract(_T15_ROW)[0]
    inv = cells[cells["metric"].str.startswith("investment_")]
    table: dict[str, dict[str, Any]] = {}
    for rec in inv.to_dict("records"):
        r = table.setdefault(rec["row_no"], {"category": rec["category"], "place": rec["place"]})
        r[rec["metric"]] = rec
    eps = 1e-3 * 1e8  # 0.001 亿元: below the 0.01 the table prints
    for no, r in table.items():
        a = r.get("investment_2021_2022")
        b = r.get("investment_2023_2025")
        s = r.get("investment_fyp")
        t = r.get("investment_total")
        parts = sum(float(x["value_si_low"]) for x in (a, b) if x is not None)
        if s is not None and (a is not None or b is not None):
            sv = float(s["value_si_low"])
            verdict = "consistent" if abs(parts - sv) <= eps else "conflict"
            out.append(
                _result(
                    s["claim_id"],
                    "arithmetic",
                    verdict,
                    f"表15 row {no}: 2021-2022 + 2023-2025 = {_fmt(parts, 'CNY')}; "
                    f"小计 says {_fmt(sv, 'CNY')}",
                )
            )
        if s is not None and t is not None:
            sv, tv = float(s["value_si_low"]), float(t["value_si_low"])
            verdict = "consistent" if sv <= tv + eps else "conflict"
            out.append(
                _result(
                    t["claim_id"],
                    "arithmetic",
                    verdict,
                    f"表15 row {no}: 十四五 小计 {_fmt(sv, 'CNY')} "
                    f"{'≤' if verdict == 'consistent' else '>'} 规划总投资 {_fmt(tv, 'CNY')}",
                )
            )
    # totals: overall ("all") and per category
    stated = df[df["place"].str.startswith("表15 ") & ~df["table_ref"].str.match(_T15_ROW)]
    for rec in stated.to_dict("records"):
        cat = rec["category"]
        rows = [r for r in table.values() if cat == "all" or r["category"] == cat]
        metric = rec["metric"]
        if metric == "count_projects":
            computed = float(len(rows))
            what = "rows in 表15" + ("" if cat == "all" else f" tagged {cat}")
        else:
            computed = sum(float(r[metric]["value_si_low"]) for r in rows if metric in r)
            what = f"sum of {metric} over {len(rows)} rows" + (
                "" if cat == "all" else f" tagged {cat}"
            )
        lo, hi = claim_interval(rec)
        verdict = "consistent" if lo - 1e-6 <= computed <= hi + 1e-6 else "conflict"
        shown = _fmt(computed, rec["si_unit"])
        out.append(
            _result(
                rec["claim_id"],
                "arithmetic",
                verdict,
                f"{what} = {shown}; stated {rec['value_written']} {rec['unit_written']}",
            )
        )
    return _frame(out)


def _zone_for(
    zone: str, zone_by_key: Mapping[str, Any], lookup: Callable[[str], str] | None
) -> tuple[str, Any] | None:
    """Return the zone polygon that a document's zone text names, if any.

    The zone's own name, a zone alias (全区 → 沙坪坝区) or a zone prefix (科学城X →
    the Science City's Shapingba part).
    """
    folded = _fold(zone)
    for text in (zone, ZONE_ALIASES.get(folded, "")):
        if text:
            key = normalise_place(text, lookup)
            if key in zone_by_key:
                return key, zone_by_key[key]
    for prefix, target in ZONE_PREFIXES.items():
        if folded.startswith(prefix) and folded != prefix:
            key = normalise_place(target, lookup)
            if key in zone_by_key:
                return key, zone_by_key[key]
    return None


def check_containment(
    claims: pd.DataFrame,
    places: Any,
    zones: Any,
    lookup: Callable[[str], str] | None = None,
    features: Any = None,
) -> pd.DataFrame:
    """Check that each claim's place lies in the zone the document puts it in.

    The zone is the polygon whose name or alias is the claim's ``zone`` (沙坪坝区 is
    the surveyed district; 全区 means it too; ``科学城X`` puts the place in the
    Science City's Shapingba part). The place is the claim's linked feature
    (``feature_id``) when that is a point, with that feature's ``accuracy_m``
    (which includes any extra error of standing at a host site); else its
    gazetteer point. A place that is an area (a ring, a cluster) is not tested.

    Distances are measured in CGCS2000 / 3-degree GK CM 105E (EPSG:4544). A point
    inside (outside) the zone by more than the summed accuracies is ``consistent``
    (``conflict``); nearer the edge than that, or with no positive accuracy stated,
    it ``cannot verify``: a point known to ±16 km cannot be placed in or out of a
    zone whose edge is 5 km away. This check locates a place; it never vouches for
    the place's figure (see :func:`verdicts`).

    Parameters
    ----------
    claims : pandas.DataFrame
        The ledger (columns ``zone`` and, optionally, ``feature_id``).
    places : geopandas.GeoDataFrame or None
        Points with ``name_zh``, optional ``aliases`` (``|``-separated) and
        ``accuracy_m``, EPSG:4326 (e.g. the gazetteer).
    zones : geopandas.GeoDataFrame or None
        Polygons with ``name_zh``, optional ``aliases``, ``accuracy_m``, EPSG:4326.
    lookup : callable, optional
        Gazetteer name resolver.
    features : geopandas.GeoDataFrame, optional
        Layer features with ``id`` and ``accuracy_m`` (EPSG:4326), for claims
        with a ``feature_id``.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, check, verdict, reason``.
    """
    df = _with_keys(claims, lookup)
    out: list[dict[str, str]] = []
    if (
        zones is None
        or not len(zones)
        or ((places is None or not len(places)) and (features is None or not len(features)))
    ):
        for cid in df["claim_id"]:
            out.append(
                _result(cid, "containment", "cannot verify", "no place points or zone polygons")
            )
        return _frame(out)
    point_by_key: dict[str, tuple[Any, float | None, str]] = {}
    if places is not None and len(places):
        p_m = places.to_crs(4544)
        for i, rec in enumerate(places.to_dict("records")):
            for n in _names(rec):
                point_by_key.setdefault(
                    normalise_place(n, lookup),
                    (p_m.geometry.iloc[i], _accuracy(rec.get("accuracy_m")), "gazetteer"),
                )
    feat_by_id: dict[str, tuple[Any, float | None, str]] = {}
    if features is not None and len(features):
        f_m = features.to_crs(4544)
        for i, rec in enumerate(features.to_dict("records")):
            if rec.get("id") and f_m.geometry.iloc[i] is not None:
                feat_by_id[str(rec["id"])] = (
                    f_m.geometry.iloc[i],
                    _accuracy(rec.get("accuracy_m")),
                    f"feature {rec['id']}",
                )
    z_m = zones.to_crs(4544)
    zone_by_key: dict[str, tuple[Any, float | None, str]] = {}
    for i, rec in enumerate(zones.to_dict("records")):
        for n in _names(rec):
            zone_by_key.setdefault(
                normalise_place(n, lookup),
                (z_m.geometry.iloc[i], _accuracy(rec.get("accuracy_m")), str(rec.get("id", ""))),
            )
    for row in df.to_dict("records"):
        cid = row["claim_id"]
        found = _zone_for(str(row["zone"]), zone_by_key, lookup) if row["zone"] else None
        if found is None:
            out.append(
                _result(cid, "containment", "cannot verify", f"no polygon for zone {row['zone']!r}")
            )
            continue
        zkey, (zone, z_acc, zid) = found
        fid = str(row.get("feature_id") or "")
        where_from = feat_by_id.get(fid) if fid else None
        if where_from is not None and "Point" not in where_from[0].geom_type:
            out.append(
                _result(
                    cid,
                    "containment",
                    "cannot verify",
                    f"{row['place_key']} is an area ({where_from[2]}), not a point",
                )
            )
            continue
        if where_from is None:
            where_from = point_by_key.get(row["place_key"])
        if where_from is None:
            out.append(
                _result(cid, "containment", "cannot verify", f"no point for place {row['place']!r}")
            )
            continue
        point, p_acc, origin = where_from
        if p_acc is None or z_acc is None:
            out.append(
                _result(
                    cid,
                    "containment",
                    "cannot verify",
                    f"no positive accuracy_m for {origin if p_acc is None else zid}",
                )
            )
            continue
        tol = p_acc + z_acc
        inside = zone.covers(point)
        dist = zone.boundary.distance(point)
        where = "inside" if inside else "outside"
        reason = (
            f"{row['place_key']} ({origin}, ±{p_acc:,.0f} m) lies {dist:,.0f} m {where} the "
            f"edge of {zkey} ({zid}, ±{z_acc:,.0f} m); accuracies add to {tol:,.0f} m"
        )
        verdict = "consistent" if inside else "conflict"
        if dist <= tol:
            verdict = "cannot verify"
            reason += ", more than the distance to the edge"
        out.append(_result(cid, "containment", verdict, reason))
    return _frame(out)


def run_checks(
    claims: pd.DataFrame,
    *,
    lookup: Callable[[str], str] | None = None,
    members: pd.DataFrame | None = None,
    features: Any = None,
    places: Any = None,
    zones: Any = None,
) -> pd.DataFrame:
    """Run all six checks.

    Parameters
    ----------
    claims : pandas.DataFrame
        The ledger.
    lookup : callable, optional
        Gazetteer name resolver.
    members : pandas.DataFrame, optional
        Cluster and ring membership (see :func:`check_aggregate`).
    features : geopandas.GeoDataFrame, optional
        Footprints for :func:`check_geometry`; linked points for
        :func:`check_containment`.
    places, zones : geopandas.GeoDataFrame, optional
        Points and zone polygons for :func:`check_containment`.

    Returns
    -------
    pandas.DataFrame
        All check results, columns ``claim_id, check, verdict, reason``.
    """
    df = _with_keys(claims, lookup)
    parts = [
        check_cross_source(df, lookup),
        check_aggregate(df, members, lookup),
        check_geometry(df, features, lookup),
        check_plausibility(df, lookup),
        check_arithmetic(df),
        check_containment(df, places, zones, lookup, features),
    ]
    return pd.concat([p for p in parts if not p.empty] or [_frame([])], ignore_index=True)


# Checks whose `consistent` vouches for the figure itself; containment only locates.
_VALUE_CHECKS = frozenset(CHECKS) - {"containment"}


def verdicts(claims: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """One verdict per claim from the check results.

    ``conflict`` if any check found one; else ``unsubstantiated`` if any; else
    ``consistent`` if a value check agreed; else ``cannot verify``.

    Parameters
    ----------
    claims : pandas.DataFrame
        The ledger.
    results : pandas.DataFrame
        Output of :func:`run_checks`.

    Returns
    -------
    pandas.DataFrame
        The ledger with ``verdict``, ``checks`` (which checks decided) and ``reason``.
    """
    out = claims.copy()
    verdict_col: list[str] = []
    checks_col: list[str] = []
    reason_col: list[str] = []
    grouped = dict(tuple(results.groupby("claim_id", sort=False)))
    for cid in out["claim_id"]:
        g = grouped.get(cid)
        if g is None or g.empty:
            verdict_col.append("cannot verify")
            checks_col.append("")
            reason_col.append("single statement: no second source, members, footprint or sum")
            continue
        chosen = "cannot verify"
        for v in ("conflict", "unsubstantiated"):
            if (g["verdict"] == v).any():
                chosen = v
                break
        else:
            if ((g["verdict"] == "consistent") & g["check"].isin(_VALUE_CHECKS)).any():
                chosen = "consistent"
        if chosen == "consistent":
            sel = g[(g["verdict"] == "consistent") & g["check"].isin(_VALUE_CHECKS)]
        else:
            sel = g[g["verdict"] == chosen]
        if chosen == "cannot verify" and sel.empty:
            sel = g
        verdict_col.append(chosen)
        checks_col.append(", ".join(dict.fromkeys(sel["check"])))
        reason_col.append(
            " | ".join(f"{c}: {r}" for c, r in zip(sel["check"], sel["reason"], strict=True))
        )
    out["verdict"] = verdict_col
    out["checks"] = checks_col
    out["reason"] = reason_col
    return out


def summarise(judged: pd.DataFrame) -> pd.DataFrame:
    """Count claims by verdict.

    Parameters
    ----------
    judged : pandas.DataFrame
        Output of :func:`verdicts`.

    Returns
    -------
    pandas.DataFrame
        Columns ``verdict, claims``, in :data:`VERDICTS` order, zeros included.
    """
    counts = judged["verdict"].value_counts()
    return pd.DataFrame(
        {"verdict": list(VERDICTS), "claims": [int(counts.get(v, 0)) for v in VERDICTS]}
    )


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def summary_markdown(judged: pd.DataFrame, missing: Iterable[str] = ()) -> str:
    """Write a Markdown summary of the verdicts for a reviewer who does not code.

    Parameters
    ----------
    judged : pandas.DataFrame
        Output of :func:`verdicts`.
    missing : iterable of str
        Data that was not available when the checks ran (said up front).

    Returns
    -------
    str
        The report.
    """
    lines = [
        "# Claims report: sizes, lengths and money stated for named places",
        "",
        f"{len(judged)} statements from the plan and four news reports were checked. "
        "Each has one verdict:",
        "",
        "- **consistent**: another source, the members' own figures, the mapped footprint "
        "or the plan's own arithmetic agrees;",
        "- **conflict**: they disagree by more than rounding or map accuracy allows;",
        "- **unsubstantiated**: the evidence in the documents falls short of the figure;",
        "- **cannot verify**: there is nothing independent to test the figure against.",
        "",
        "| verdict | claims |",
        "|---|---|",
    ]
    lines += [f"| {r.verdict} | {r.claims} |" for r in summarise(judged).itertuples()]
    missing = list(missing)
    if missing:
        lines += ["", "Data not available for this run (checks needing it said *cannot verify*):"]
        lines += [f"- {m}" for m in missing]
    for v in ("conflict", "unsubstantiated"):
        sub = judged[judged["verdict"] == v]
        if sub.empty:
            continue
        lines += [
            "",
            f"## {v.capitalize()} ({len(sub)})",
            "",
            "| claim | place | figure | source | why |",
            "|---|---|---|---|---|",
        ]
        for r in sub.to_dict("records"):
            lines.append(
                f"| {r['claim_id']} | {_md_cell(r['place'])} | "
                f"{_md_cell(r['value_written'])} {_md_cell(r['unit_written'])} "
                f"({_md_cell(METRIC_LABELS.get(r['metric'], r['metric']))}) | "
                f"{str(r['source_file'])[:3]} line {r['line']} | {_md_cell(r['reason'])} |"
            )
    lines.append("")
    return "\n".join(lines)


def context_from_layers(
    layers: Mapping[str, Any], catalog: Any, gazetteer: Any | None
) -> dict[str, Any]:
    """Build the keyword arguments of :func:`run_checks` from loaded layers.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Loaded layers by catalog id (any subset).
    catalog : geo.catalog.Catalog
        Says which layers are members, zones and sites.
    gazetteer : geo.gazetteer.Gazetteer, optional
        Resolves name variants and gives place points.

    Returns
    -------
    dict
        ``lookup``, ``places``, ``members``, ``features`` and ``zones`` where the
        inputs allow.
    """
    import geopandas as gpd

    ctx: dict[str, Any] = {}
    if gazetteer is not None:
        table = gazetteer.to_frame()
        ctx["lookup"] = gazetteer_resolver(gazetteer)
        ctx["places"] = gpd.GeoDataFrame(
            table,
            geometry=gpd.points_from_xy(table["lon"].astype(float), table["lat"].astype(float)),
            crs="EPSG:4326",
        )
    rows = [
        {"group": rec[col], "member": rec.get("name_zh", ""), "complete": False}
        for lid, col in (("ring_members", "ring"), ("incubator_members", "cluster"))
        if lid in layers and col in layers[lid].columns
        for rec in layers[lid].to_dict("records")
    ]
    if rows:
        ctx["members"] = pd.concat([default_members(), pd.DataFrame(rows)], ignore_index=True)
    kept = [layers[s.id] for s in catalog if s.id in layers and s.role not in ("axis", "terrain")]
    if kept:
        allf = gpd.GeoDataFrame(pd.concat(kept, ignore_index=True), crs="EPSG:4326")
        ctx["features"] = allf
        poly = allf[allf.geometry.notna() & allf.geometry.geom_type.str.contains("Polygon")]
        if len(poly):
            ctx["zones"] = poly
    return ctx
