"""Checks that compare the documents with themselves.

A second source, a group's members, a plot ratio, Table 15's sums.

Each check is registered in :data:`geo.claims.registry.CHECK_REGISTRY` and takes
the ledger (with ``place_key``) plus the inputs its signature names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from geo.claims.intervals import claim_interval
from geo.claims.intervals import format_si as _fmt
from geo.claims.ledger import T15_ROW
from geo.claims.places import normalise_place
from geo.claims.registry import cite, frame, register_check, result, with_keys

__all__ = [
    "PLOT_RATIO_RANGES",
    "check_aggregate",
    "check_arithmetic",
    "check_cross_source",
    "check_plausibility",
    "default_members",
    "site_kind",
]


def _grouped(df: pd.DataFrame, by: tuple[str, ...]) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    """Rows as records, grouped by the columns ``by`` in order of first appearance.

    As ``df.groupby(list(by), sort=False)`` with ``to_dict("records")`` per group (rows
    with a missing key left out), without a frame per group.
    """
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for rec in df.to_dict("records"):
        key = tuple(rec[c] for c in by)
        if not any(pd.isna(k) for k in key):
            groups.setdefault(key, []).append(rec)
    return groups


@register_check("cross-source", order=10)
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
    claims
        The ledger (see :func:`read_ledger`).
    lookup
        Gazetteer name resolver for :func:`normalise_place`.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, check, verdict, reason``.
    """
    out: list[dict[str, str]] = []
    for recs in _grouped(with_keys(claims, lookup), ("place_key", "metric")).values():
        if len({(r["source_file"], r["line"]) for r in recs}) < 2:
            continue
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
                    f"{cite(b)} gives {b['value_written']} {b['unit_written']} "
                    f"({b['qualifier']}, {_fmt(blo, unit)}–{_fmt(bhi, unit)}) against "
                    f"{a['value_written']} {a['unit_written']} here"
                )
                overlap = alo <= bhi and blo <= ahi
                if a["basis"] == b["basis"]:
                    verdict = "consistent" if overlap else "conflict"
                    out.append(result(a["claim_id"], "cross-source", verdict, said))
                elif a["basis"] == "plan":
                    if overlap or blo > ahi:
                        out.append(result(a["claim_id"], "cross-source", "consistent", said))
                    else:
                        out.append(
                            result(
                                a["claim_id"],
                                "cross-source",
                                "unsubstantiated",
                                said + "; the report states progress below this plan figure",
                            )
                        )
                else:
                    out.append(
                        result(
                            a["claim_id"],
                            "cross-source",
                            "consistent",
                            said + "; a status report is not contradicted by a larger target",
                        )
                    )
    return frame(out)


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


@register_check("aggregate", order=20)
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
    claims
        The ledger.
    members
        Columns ``group, member`` and optionally ``complete`` (bool); for example
        built from the ``ring_members`` (property ``ring``) and
        ``incubator_members`` (property ``cluster``) layers. Defaults to
        :func:`default_members`.
    lookup
        Gazetteer name resolver.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, check, verdict, reason``.
    """
    df = with_keys(claims, lookup)
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
            out.append(result(cid, "aggregate", "cannot verify", "no named member states a figure"))
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
        out.append(result(cid, "aggregate", verdict, detail))
    return frame(out)


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
    place
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


@register_check("plausibility", order=40)
def check_plausibility(
    claims: pd.DataFrame, lookup: Callable[[str], str] | None = None
) -> pd.DataFrame:
    """Check that floor area ÷ land area of a place is a sane plot ratio.

    Parameters
    ----------
    claims
        The ledger.
    lookup
        Gazetteer name resolver.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, check, verdict, reason``; both claims of each pair get
        the verdict (``conflict`` when the ratio is outside the range).
    """
    out: list[dict[str, str]] = []
    for (key,), recs in _grouped(with_keys(claims, lookup), ("place_key",)).items():
        floors = [r for r in recs if r["metric"] == "floor_area"]
        lands = [r for r in recs if r["metric"] == "land_area"]
        kind = site_kind(str(key))
        lo_ok, hi_ok = PLOT_RATIO_RANGES[kind]
        for f in floors:
            for land in lands:
                ratio = float(f["value_si_low"]) / float(land["value_si_low"])
                ok = lo_ok <= ratio <= hi_ok
                reason = (
                    f"floor {f['value_written']} {f['unit_written']} ({cite(f)}) ÷ land "
                    f"{land['value_written']} {land['unit_written']} ({cite(land)}) = plot ratio "
                    f"{ratio:.2f}; sane for a {kind}: {lo_ok:g}–{hi_ok:g}"
                )
                verdict = "consistent" if ok else "conflict"
                out.append(result(f["claim_id"], "plausibility", verdict, reason))
                out.append(result(land["claim_id"], "plausibility", verdict, reason))
    return frame(out)


@register_check("arithmetic", order=50)
def check_arithmetic(claims: pd.DataFrame) -> pd.DataFrame:
    """Check Table 15's investment columns and the totals the plan states for them.

    Per row: 2021-2022 + 2023-2025 = 小计 (blank or ``--`` counts as 0) and
    小计 ≤ 规划总投资. Overall and per category (``category`` column): the number
    of rows and the sums of 规划总投资 and 小计 against the 合计 row and the text of
    Chapter 4 (each stated figure allows half a unit in its last digit).

    Parameters
    ----------
    claims
        The ledger.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, check, verdict, reason``.
    """
    df = claims
    out: list[dict[str, str]] = []
    cells = df[df["table_ref"].str.match(T15_ROW)].copy()
    if cells.empty:
        return frame(out)
    cells["row_no"] = cells["table_ref"].str.extract(T15_ROW)[0]
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
                result(
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
                result(
                    t["claim_id"],
                    "arithmetic",
                    verdict,
                    f"表15 row {no}: 十四五 小计 {_fmt(sv, 'CNY')} "
                    f"{'≤' if verdict == 'consistent' else '>'} 规划总投资 {_fmt(tv, 'CNY')}",
                )
            )
    # totals: overall ("all") and per category
    stated = df[df["place"].str.startswith("表15 ") & ~df["table_ref"].str.match(T15_ROW)]
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
            result(
                rec["claim_id"],
                "arithmetic",
                verdict,
                f"{what} = {shown}; stated {rec['value_written']} {rec['unit_written']}",
            )
        )
    return frame(out)
