"""Markdown for docs/benchmarks.md from the benchmark's measurements.

Usage: imported by ``scripts/bench_measure.py``.
"""

from __future__ import annotations

import statistics
from typing import Any

GEO_REF = {
    ("overlap", "whole"): "geo.measure.overlaps",
    ("overlap", "kernel"): "geo.measure.overlap_metric + area",
    ("nearest", "whole"): "geo.measure.nearest",
    ("nearest", "kernel"): "geo.measure.nearest_metric",
}


def span(times: list[float]) -> str:
    """Median and min-max of a list of seconds."""
    return f"{statistics.median(times):.2f} ({min(times):.2f}–{max(times):.2f})"


def _check_cell(kind: str, c: dict[str, Any]) -> str:
    mark = "pass" if c["ok"] else "**FAIL**"
    if kind == "nearest":
        return (
            f"{mark}: {c['differ']:,} other ids ({c['ties']:,} ties), max Δd {c['max_abs']:.1e} m"
        )
    if not c["same_pairs"]:
        return f"{mark}: pair sets differ"
    return f"{mark}: same pairs, max rel {c['max_rel']:.1e}, max abs {c['max_abs']:.1e} m²"


def case_table(case: dict[str, Any]) -> list[str]:
    """One table: each peer's time, its ratio to geo.measure at the same level, the check."""
    kind = case["kind"]
    count = "pairs" if kind == "overlap" else "rows"
    total = "total m²" if kind == "overlap" else "Σ distance (m)"
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
    return (
        f"DuckDB: four tables loaded from registered WKB frames in {d['load_s']:.2f} s "
        f"(not in the times above); threads {threads} (`current_setting('threads')`); "
        f"plan uses {d['join']}."
    )


def _median(case: dict[str, Any], name: str) -> float:
    return statistics.median(case["times"][name])


def goals(cases: list[dict[str, Any]], start_up: dict[str, Any]) -> list[str]:
    """Each goal with the measured value, its ratio and whether it is met."""
    out = []
    for case in cases:
        if case["kind"] == "overlap":
            geo = _median(case, "geo.measure.overlaps")
            duck_names = [n for n in case["times"] if n.startswith("DuckDB query")]
            best = min(duck_names, key=lambda n: _median(case, n))
            ratio = geo / _median(case, best)
            out.append(
                f"- `geo.measure.overlaps` (WGS-84 in, geodesic-quality areas out) at "
                f"{case['n']:,} × {case['m']:,}: {geo:.2f} s against {_median(case, best):.2f} s "
                f"for the fair DuckDB query on pre-projected data ({best}): ratio {ratio:.2f}, "
                f"goal ≤ 1: **{'met' if ratio <= 1 else 'not met'}**. Against DuckDB's whole "
                f"pipeline ({_median(case, 'DuckDB pipeline'):.2f} s): ratio "
                f"{geo / _median(case, 'DuckDB pipeline'):.2f}."
            )
        else:
            geo = _median(case, "geo.measure.nearest")
            floor = _median(case, "cKDTree build + query (floor)")
            ratio = geo / floor
            out.append(
                f"- `geo.measure.nearest` at {case['n']:,} × {case['m']:,}: {geo:.2f} s against "
                f"{floor:.2f} s for a bare cKDTree on projected arrays: ratio {ratio:.2f}, goal "
                f"≤ 2: **{'met' if ratio <= 2 else 'not met'}**."
            )
    times = start_up["times"]
    help_s = statistics.median(times["geo --help"])
    gpd_s = statistics.median(times["python -c 'import geopandas'"])
    out.append(
        f"- `geo --help`: median {help_s:.3f} s ({start_up['tool']}, {len(times['geo --help'])} "
        f"runs; `import geopandas` takes {gpd_s:.3f} s, a bare interpreter "
        f"{statistics.median(times['python -c pass']):.3f} s): ratio to the 0.35 s goal "
        f"{help_s / 0.35:.2f}: **{'met' if help_s < 0.35 else 'not met'}**."
    )
    maps = start_up.get("maps")
    if maps:
        warm = maps["make maps (warm)"]
        maps_s = statistics.median(warm)
        out.append(
            f"- `make maps` warm: median {maps_s:.1f} s ({span(warm)}, {len(warm)} runs): "
            f"ratio to the 8 s goal {maps_s / 8:.2f}: **{'met' if maps_s < 8 else 'not met'}**."
        )
    else:
        out.append("- `make maps` warm: not measured in this run (`--maps` times it).")
    return out


def maps_table(maps: dict[str, list[float]]) -> list[str]:
    """``make maps`` cold, warm and one layer changed, with median, range and goal ratio."""
    lines = [
        "`make maps` builds the whole site in one process (`geo site`); a unit whose "
        "inputs and files are unchanged is reused. *Cold*: a fresh site folder; *warm*: "
        "nothing changed since the last build; *one layer changed*: one feature of "
        "`science_parks` renamed (Figure 8, the overview, their prints and thumbnails, "
        "the claims report and report.pdf rebuild). The layers are a copy "
        "(`GEO_LAYERS_DIR`), so the repository's data are left as they are.",
        "",
        "| build | median s (min–max) | runs | ÷ 8 s goal |",
        "|---|---|---|---|",
    ]
    for name, times in maps.items():
        ratio = statistics.median(times) / 8
        lines.append(f"| `{name}` | {span(times)} | {len(times)} | {ratio:.2f} |")
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
            f"### {case['kind']} {case['n']:,} × {case['m']:,}",
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
        *(["### make maps", "", *maps_table(start_up["maps"]), ""] if start_up.get("maps") else []),
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
