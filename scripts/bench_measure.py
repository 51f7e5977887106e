"""Benchmark geo.measure against its peers on the same data, in one process.

Synthetic data inside the district (layers/admin/district.geojson when present, else
its bounding box 106.25-106.48E, 29.47-29.78N), fixed random seed:

* overlaps: N polygons (16-gons) against 1 000 zones (16-gons, radius 500-900 m),
  the polygons small (radius 30-150 m, most wholly inside a zone) or as large as
  the zones (radius 500-900 m, most cut by the zone's edge), N = 2e4 and 1e5;
* nearest, k_nearest (k = 3) and within_distance (300 m): 1e6 points against 2 000
  sites;
* zones: zonal membership of 1e6 points in the 1 000 zones.

Every peer runs on the same frames in the same process. Each peer runs once on a
small case first (imports, the DuckDB extension, PROJ set-up), then the timed
rounds run every peer once per round, the order reversed every other round; the
tables give the median and the min-max of the rounds. Only like is compared with
like:

* overlaps: ``geo.measure.overlaps`` (WGS-84 in: projection, overlay, geodesic
  areas of both features and the overlap, shares, the overlap in lon/lat) and its
  kernel ``overlap_metric`` + ``shapely.area`` (EPSG:4544 in, planar areas out)
  against DuckDB spatial running **the same algorithm** on pre-projected data:
  ``CASE WHEN ST_Covers(b, a) THEN ST_Area(a) ELSE ST_Area(ST_Intersection(a, b))
  END`` over an ``ST_Intersects`` join. The goal divides ``geo.measure.overlaps``,
  which does more, by that query. DuckDB's plain query (an intersection for every
  pair), its whole pipeline (``ST_Transform``, ``ST_Area_Spheroid``) and geopandas
  (``overlay``, ``sjoin`` + ``intersection``) are shown on the small polygons.
* nearest and k_nearest: ``geo.measure.nearest`` / ``k_nearest`` (WGS-84 in,
  metres out) against the reprojecting floor, pyproj on the coordinate arrays plus
  a ``scipy.spatial.cKDTree`` query with the same worker count as geo.measure
  (``workers=-1``); the bare cKDTree on projected arrays, geopandas.sjoin_nearest
  and a DuckDB ``ST_DWithin`` join with ``arg_min`` are shown too.
* within_distance: against pyproj + ``cKDTree.sparse_distance_matrix`` and a
  DuckDB ``ST_DWithin`` join; zones: against ``geopandas.sjoin`` and a DuckDB
  ``ST_Intersects`` join (geo.measure also flags points on a zone's edge).

DuckDB gets its data by registering a pandas frame of WKB (``con.register``) and
``CREATE TABLE ... ST_GeomFromWKB``; that load is timed apart. Its thread count is
set and read back with ``current_setting('threads')``; geo.measure uses one thread
per core (``os.cpu_count()``).

Every output is cross-checked against ``geo.measure``'s: the same set of pairs
(or the same nearest id per row and rank, other ids allowed only at equal
distances), the same totals, and per-pair values (planar: relative 1e-9; geodesic
and distances: relative 1e-6 or 1e-3 absolute, since pyproj.Geod and
ST_Area_Spheroid themselves are only good to about 1e-5 m² on sub-m² slivers).
Areas are also checked against pyproj.Geod ring by ring on the district and on the
N polygons of the largest case.

Start-up: ``geo layers`` and ``geo area cities`` on a ``geo init`` copy, timed by
hyperfine when installed (``apt-get install hyperfine``), else by interleaved
repeated runs, beside ``geo --help``, ``import geopandas`` and a bare interpreter.
With ``--maps``, ``geo site`` (what ``make maps`` runs) is timed on a ``geo init``
copy in three rounds: into a fresh site folder (cold), again with nothing changed
(warm), and after a realistic edit (one gazetteer place moved by about 30 m, one
catalog title changed).

Usage::

    python scripts/bench_measure.py [--write docs/benchmarks.md] [--quick] [--rounds 3]
        [--maps] [--only overlap,overlap-zone,nearest,k_nearest,within,zones] [--sizes 20000]

``--only`` runs the named kinds of case alone and ``--sizes`` only those overlap
sizes, for checking one change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_peers as peers
import bench_report as report
from bench_timing import rounds, startup_times

ROOT = Path(__file__).resolve().parents[1]
DISTRICT = ROOT / "layers" / "admin" / "district.geojson"
BBOX = (106.25, 29.47, 106.48, 29.78)
SEED = 20250101
#: The distance of the within_distance case (metres).
WITHIN_M = 300.0


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
    """Return a GeoDataFrame (EPSG:4544, indexed by ``id``) of n 16-gons inside ``area``."""
    import geopandas as gpd
    import shapely

    xy = random_points(n, area, rng)
    radius = rng.uniform(rmin, rmax, size=n)
    geoms = shapely.buffer(shapely.points(xy), radius, quad_segs=4)
    ids = np.arange(n)
    return gpd.GeoDataFrame({"id": ids}, geometry=geoms, crs="EPSG:4544").set_index("id")


def points(n: int, area: Any, rng: np.random.Generator) -> Any:
    """Return a GeoDataFrame (EPSG:4544, indexed by ``id``) of n points inside ``area``."""
    import geopandas as gpd
    import shapely

    xy = random_points(n, area, rng)
    ids = np.arange(n)
    return gpd.GeoDataFrame({"id": ids}, geometry=shapely.points(xy), crs="EPSG:4544").set_index(
        "id"
    )


def overlap_data(n: int, zones: int, area: Any) -> dict[str, Any]:
    """Both layers of an overlap case, in EPSG:4544 and in WGS-84."""
    rng = np.random.default_rng(SEED + n)
    a_m, b_m = polygons(n, 30, 150, area, rng), polygons(zones, 500, 900, area, rng)
    return {"a_m": a_m, "b_m": b_m, "a": a_m.to_crs(4326), "b": b_m.to_crs(4326)}


def nearest_data(n: int, sites: int, area: Any) -> dict[str, Any]:
    """Both layers of a nearest case, in EPSG:4544 and in WGS-84."""
    rng = np.random.default_rng(SEED + n)
    a_m, b_m = points(n, area, rng), points(sites, area, rng)
    return {"a_m": a_m, "b_m": b_m, "a": a_m.to_crs(4326), "b": b_m.to_crs(4326)}


def zones_data(n: int, zones: int, area: Any) -> dict[str, Any]:
    """N points and zone-sized 16-gons, in EPSG:4544 and in WGS-84."""
    rng = np.random.default_rng(SEED + n)
    a_m, b_m = points(n, area, rng), polygons(zones, 500, 900, area, rng)
    return {"a_m": a_m, "b_m": b_m, "a": a_m.to_crs(4326), "b": b_m.to_crs(4326)}


def zone_sized_data(n: int, zones: int, area: Any) -> dict[str, Any]:
    """N polygons as large as the zones (radius 500-900 m) against the zones."""
    rng = np.random.default_rng(SEED + n + 1)
    a_m, b_m = polygons(n, 500, 900, area, rng), polygons(zones, 500, 900, area, rng)
    return {"a_m": a_m, "b_m": b_m, "a": a_m.to_crs(4326), "b": b_m.to_crs(4326)}


#: Each kind of case: its data, its peers, its cross-check and its title.
KINDS: dict[str, tuple[Any, Any, Any, str]] = {
    "overlap": (
        overlap_data,
        lambda d, duck: peers.overlap_tasks(d, duck),
        peers.check_overlaps,
        "overlaps, small polygons (radius 30-150 m)",
    ),
    "overlap-zone": (
        zone_sized_data,
        lambda d, duck: peers.overlap_tasks(d, duck, lean=True),
        peers.check_overlaps,
        "overlaps, zone-sized polygons (radius 500-900 m)",
    ),
    "nearest": (nearest_data, peers.nearest_tasks, peers.check_nearest, "nearest"),
    "k_nearest": (
        nearest_data,
        peers.knearest_tasks,
        peers.check_knearest,
        "k_nearest, k = 3",
    ),
    "within": (
        nearest_data,
        lambda d, duck: peers.within_tasks(d, duck, WITHIN_M),
        lambda out: peers.check_pairs(out, "geo.measure.within_distance"),
        f"within_distance {WITHIN_M:.0f} m",
    ),
    "zones": (
        zones_data,
        peers.zones_tasks,
        lambda out: peers.check_pairs(out, "geo.measure.zonal_membership"),
        "zonal_membership of points",
    ),
}


def run_case(kind: str, n: int, m: int, area: Any, n_rounds: int, threads: list[int]) -> dict:
    """Load one case into every peer, time the rounds and cross-check the outputs."""
    make, tasks_of, check, title = KINDS[kind]
    data = make(n, m, area)
    duck = peers.DuckPeer(data, "overlap" if kind.startswith("overlap") else "nearest", threads)
    tasks = tasks_of(data, duck)
    times, outputs = rounds(tasks, n_rounds)
    checks = check(outputs)
    print(f"{kind} {n:,} x {m:,}: done", file=sys.stderr)
    return {
        "kind": kind,
        "title": title,
        "n": n,
        "m": m,
        "times": times,
        "levels": {name: task.level for name, task in tasks.items()},
        "checks": checks,
        "duck": duck.facts(),
    }


def machine() -> dict[str, str]:
    """Describe the machine and the library versions."""
    import duckdb
    import geopandas
    import pyproj
    import scipy
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
    return {
        "cpu": f"nproc {os.cpu_count()}, CPU `{cpu}`, RAM {mem_kib / 1024**2:.1f} GiB",
        "versions": (
            f"Python {platform.python_version()}, shapely {shapely.__version__} "
            f"(GEOS {shapely.geos_version_string}), geopandas {geopandas.__version__}, "
            f"pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str}), "
            f"scipy {scipy.__version__}, duckdb {duckdb.__version__}"
        ),
    }


def load() -> str:
    """Return the 1, 5 and 15 minute load averages."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--write", type=Path, help="write the Markdown results to this file")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per case")
    parser.add_argument(
        "--maps",
        action="store_true",
        help="also time `geo site` cold, warm and after an edit",
    )
    parser.add_argument(
        "--only", help="comma-separated kinds of case to run (default: all): " + ", ".join(KINDS)
    )
    parser.add_argument("--sizes", help="comma-separated overlap sizes N (default: all)")
    args = parser.parse_args()
    only = list(KINDS) if not args.only else args.only.split(",")
    if unknown := sorted(set(only) - set(KINDS)):
        parser.error(f"unknown kind {', '.join(unknown)}: use {', '.join(KINDS)}")
    started, load_before = dt.datetime.now(dt.UTC), load()
    area = district_metric()
    overlap_sizes = [2000, 10000] if args.quick else [20000, 100000]
    if args.sizes:
        overlap_sizes = [int(n) for n in args.sizes.split(",")]
    point_size = 100_000 if args.quick else 1_000_000
    threads = sorted({1, os.cpu_count() or 1})
    for kind in only:  # warm-up: every peer once, untimed
        run_case(kind, 500, 100, area, 1, threads)
    cases = [
        run_case(kind, n, 1000, area, args.rounds, threads)
        for kind in ("overlap", "overlap-zone")
        if kind in only
        for n in overlap_sizes
    ]
    cases += [
        run_case(kind, point_size, 2000, area, args.rounds, threads)
        for kind in ("nearest", "k_nearest", "within")
        if kind in only
    ]
    if "zones" in only:
        cases.append(run_case("zones", point_size, 1000, area, args.rounds, threads))
    accuracy = peers.area_accuracy(overlap_data(overlap_sizes[-1], 1000, area)["a"], DISTRICT)
    start_up = startup_times(ROOT, args.rounds * 5, args.maps)
    facts = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": load_before,
        "load_after": load(),
        "rounds": args.rounds,
        "command": "python scripts/bench_measure.py " + " ".join(sys.argv[1:]),
        **machine(),
    }
    text = report.markdown(cases, accuracy, start_up, facts, __doc__ or "")
    print(text)
    if args.write:
        args.write.write_text(text, encoding="utf-8")  # a generated doc, not user input
    return 0 if report.all_checks_pass(cases, accuracy) else 1


if __name__ == "__main__":
    sys.exit(main())
