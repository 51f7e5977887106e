"""Markdown for docs/benchmarks.md from the benchmark's measurements.

Usage: imported by ``scripts/bench_measure.py``.
"""

from __future__ import annotations

import statistics
from typing import Any

from bench_timing import SITE, STARTUP_GOAL

#: The geo.measure task each peer is divided by, by kind of case and level.
GEO_REF = {
    ("overlap", "whole"): "geo.measure.overlaps",
    ("overlap", "kernel"): "geo.measure.overlap_metric + area",
    ("overlap-zone", "whole"): "geo.measure.overlaps",
    ("overlap-zone", "kernel"): "geo.measure.overlap_metric + area",
    ("nearest", "whole"): "geo.measure.nearest",
    ("nearest", "kernel"): "geo.measure.nearest_metric",
    ("k_nearest", "whole"): "geo.measure.k_nearest",
    ("k_nearest", "kernel"): "geo.measure.k_nearest",
    ("within", "whole"): "geo.measure.within_distance",
    ("within", "kernel"): "geo.measure.within_distance",
    ("zones", "whole"): "geo.measure.zonal_membership",
    ("zones", "kernel"): "geo.measure.zonal_membership",
}
#: Per kind: (geo task, peer name prefix, target ratio or None, what the peer is).
GOALS = {
    "overlap": [
        ("geo.measure.overlaps", "DuckDB query with covers shortcut", 1.0),
        ("geo.measure.overlap_metric + area", "DuckDB query with covers shortcut", None),
        ("geo.measure.overlaps", "DuckDB plain query", None),
    ],
    "overlap-zone": [
        ("geo.measure.overlaps", "DuckDB query with covers shortcut", 1.0),
        ("geo.measure.overlap_metric + area", "DuckDB query with covers shortcut", None),
    ],
    "nearest": [
        ("geo.measure.nearest", "pyproj + cKDTree (reprojecting floor)", 1.5),
        ("geo.measure.nearest", "cKDTree build + query (floor)", None),
    ],
    "k_nearest": [
        ("geo.measure.k_nearest", "pyproj + cKDTree k-query (reprojecting floor)", 2.0),
        ("geo.measure.k_nearest", "cKDTree k-query on projected arrays", None),
    ],
    "within": [
        ("geo.measure.within_distance", "pyproj + cKDTree distance matrix", None),
        ("geo.measure.within_distance", "DuckDB ST_DWithin join", None),
    ],
    "zones": [
        ("geo.measure.zonal_membership", "geopandas.sjoin", None),
        ("geo.measure.zonal_membership", "DuckDB ST_Intersects join", None),
    ],
}


def span(times: list[float]) -> str:
    """Median and min-max of a list of seconds."""
    return f"{statistics.median(times):.2f} ({min(times):.2f}–{max(times):.2f})"


def _check_cell(kind: str, c: dict[str, Any]) -> str:
    mark = "pass" if c["ok"] else "**FAIL**"
    if kind in ("nearest", "k_nearest"):
        return (
            f"{mark}: {c['differ']:,} other ids ({c['ties']:,} ties), max Δd {c['max_abs']:.1e} m"
        )
    if not c["same_pairs"]:
        return f"{mark}: pair sets differ"
    return f"{mark}: same pairs, max rel {c['max_rel']:.1e}, max abs {c['max_abs']:.1e} m²"


def case_table(case: dict[str, Any]) -> list[str]:
    """One table: each peer's time, its ratio to geo.measure at the same level, the check."""
    kind = case["kind"]
    count = "rows" if kind in ("nearest", "k_nearest") else "pairs"
    total = {"overlap": "total m²", "overlap-zone": "total m²", "zones": "Σ share"}.get(
        kind, "Σ distance (m)"
    )
    lines = [
        f"| peer | level | median s (min–max) | ÷ geo.measure | {count} | {total} | cross-check |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, times in case["times"].items():
        level = case["levels"][name]
        ref = statistics.median(case["times"][GEO_REF[(kind, level)]])
        c = case["checks"][name]
        lines.append(
            f"| {name} | {level} | {span(times)} | {statistics.median(times) / ref:.2f} "
            f"| {c.get('pairs', c.get('rows', 0)):,} | {c['total']:,.1f} | {_check_cell(kind, c)} |"
        )
    return lines


def duck_line(case: dict[str, Any]) -> str:
    """DuckDB's load time, threads set and read back, and its join operator."""
    d = case["duck"]
    threads = ", ".join(f"set {k} → read {v}" for k, v in sorted(d["threads"].items()))
    if not threads:
        return f"DuckDB is not a peer here (tables loaded in {d['load_s']:.2f} s, unused)."
    return (
        f"DuckDB: four tables loaded from registered WKB frames in {d['load_s']:.2f} s "
        f"(not in the times above); threads {threads} (`current_setting('threads')`); "
        f"plan uses {d['join']}."
    )


def _median(case: dict[str, Any], name: str) -> float:
    return statistics.median(case["times"][name])


def goals(cases: list[dict[str, Any]], start_up: dict[str, Any]) -> list[str]:
    """Return the goal table: each path, its peer, the ratio, the target, met or not."""
    lines = ["| path | peer | ratio | target | met? |", "|---|---|---|---|---|"]
    for case in cases:
        for geo, prefix, target in GOALS[case["kind"]]:
            names = [n for n in case["times"] if n.startswith(prefix)]
            if not names:
                continue
            best = min(names, key=lambda n: _median(case, n))
            ratio = _median(case, geo) / _median(case, best)
            met = "—" if target is None else ("**met**" if ratio <= target else "**not met**")
            lines.append(
                f"| `{geo}`, {case['title']}, {case['n']:,} × {case['m']:,} "
                f"({_median(case, geo):.2f} s) | {best} ({_median(case, best):.2f} s) "
                f"| {ratio:.2f} | {'—' if target is None else f'≤ {target:g}'} | {met} |"
            )
    times = start_up["times"]
    for name in ("geo layers", "geo area cities"):
        t = statistics.median(times[name])
        lines.append(
            f"| `{name}` start-up ({start_up['tool']}, {len(times[name])} runs) | — "
            f"| {t:.3f} s | < {STARTUP_GOAL} s | "
            f"{'**met**' if t < STARTUP_GOAL else '**not met**'} |"
        )
    for name, goal in SITE.items():
        want = "—" if goal is None else f"≤ {goal:g} s"
        if start_up.get("maps"):
            t = statistics.median(start_up["maps"][name])
            met = "—" if goal is None else "**met**" if t <= goal else "**not met**"
            lines.append(f"| `{name}` | — | {t:.2f} s | {want} | {met} |")
        else:
            lines.append(f"| `{name}` | — | not measured (`--maps`) | {want} | — |")
    return lines


def maps_table(start_up: dict[str, Any]) -> list[str]:
    """``geo site`` cold, warm and after each edit, with median, range, goal and units."""
    maps = start_up["maps"]
    edits = start_up.get("maps_edits", [])
    last = "Edits of the last round: " + "; ".join(edits) + "." if edits else ""
    lines = [
        "`make maps` runs `geo site`, which builds the whole site in one process; a unit "
        "whose inputs and files are unchanged is reused. The data are a `geo init` copy "
        "(`GEO_LAYERS_DIR`). *Cold*: a fresh site folder; *warm*: nothing changed since "
        "the last build; then one gazetteer place moved by about 30 m (the first with a "
        "position) and `geo site` again; then the first catalog `title_en` changed and "
        "`geo site` again. " + last,
        "",
        "| build | median s (min–max) | runs | goal |",
        "|---|---|---|---|",
    ]
    for name, times in maps.items():
        goal = SITE[name]
        want = "—" if goal is None else f"≤ {goal:g} s"
        lines.append(f"| `{name}` | {span(times)} | {len(times)} | {want} |")
    for name, built in start_up.get("maps_built", {}).items():
        lines += ["", f"Built by `{name}` (last round):", ""]
        lines += [f"- {b}" for b in built] or ["- nothing"]
    return lines


def start_up_table(start_up: dict[str, Any]) -> list[str]:
    """Start-up commands with median and range."""
    lines = ["| command | median s (min–max) | runs |", "|---|---|---|"]
    for name, times in start_up["times"].items():
        lines.append(f"| `{name}` | {span(times)} | {len(times)} |")
    return lines


def accuracy_lines(accuracy: dict[str, Any]) -> list[str]:
    """Area accuracy against pyproj.Geod, with both timings."""
    return [
        f"- {label}: largest relative difference from pyproj.Geod {a['max_rel']:.1e} "
        f"({'pass' if a['ok'] else '**FAIL**'}, limit 1e-6); geo.measure.geodesic_area "
        f"{a['fast_s']:.2f} s, a pyproj.Geod loop {a['geod_s']:.2f} s."
        for label, a in accuracy.items()
    ]


def all_checks_pass(cases: list[dict[str, Any]], accuracy: dict[str, Any]) -> bool:
    """Return whether every cross-check and accuracy check passed."""
    return all(c["ok"] for case in cases for c in case["checks"].values()) and all(
        a["ok"] for a in accuracy.values()
    )


def markdown(
    cases: list[dict[str, Any]],
    accuracy: dict[str, Any],
    start_up: dict[str, Any],
    facts: dict[str, Any],
    doc: str,
) -> str:
    """Return docs/benchmarks.md."""
    method = [line.rstrip() for line in doc.split("Usage::")[0].splitlines()[2:]]
    body = [
        "# Benchmarks: geo.measure and its peers",
        "",
        "Generated by `scripts/bench_measure.py` (`make bench`); every number below is "
        "from the run described at the end.",
        "",
        "## Method",
        "",
        *method,
        "## Results",
        "",
        f"Times are seconds over {facts['rounds']} rounds; *÷ geo.measure* divides the "
        "peer's median by geo.measure's at the same level (below 1: the peer is faster).",
        "",
    ]
    for case in cases:
        body += [
            f"### {case['title']}: {case['n']:,} × {case['m']:,}",
            "",
            *case_table(case),
            "",
            duck_line(case),
            "",
        ]
    body += [
        "### Areas against pyproj.Geod",
        "",
        *accuracy_lines(accuracy),
        "",
        "### Start-up",
        "",
        *start_up_table(start_up),
        "",
        *(["### geo site", "", *maps_table(start_up), ""] if start_up.get("maps") else []),
        "## Goals",
        "",
        *goals(cases, start_up),
        "",
        "## Run",
        "",
        f"- Date: {facts['started']}.",
        f"- Machine: {facts['cpu']}; load average (1/5/15 min) {facts['load_before']} at the "
        f"start and {facts['load_after']} at the end: the machine was shared, so absolute "
        "times vary between runs; the interleaved rounds keep the ratios comparable.",
        f"- Software: {facts['versions']}.",
        f"- Command: `{facts['command']}`",
        "",
    ]
    return "\n".join(body)
