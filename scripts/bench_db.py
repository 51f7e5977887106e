"""Zonal membership (``geo zones``) in PostGIS against in memory, at 1e4 to 1e6 points.

Random enterprise points (seeded, uniform inside the district polygon of
``layers/admin/district.geojson``) are placed in every zone layer of the catalog
(what ``geo zones`` uses by default) twice: by :func:`geo.measure.zones_for` on the
loaded frames, and by :class:`geo.db.measures.PostGISMeasures`' SQL (GiST index,
EPSG:4544) on the same frames already copied into the database. Both timings are of
the function call alone (the data loaded, the tables filled and indexed); the
one-off copy into the database (what ``--db`` pays on every call) is timed apart.
Each point's zones must be the same on both paths, or the script exits with 1.

A throw-away PostgreSQL cluster is started (as the ``postgres`` user when run as
root, see ``tests/postgis_server.py``) and removed at the end.

Usage: ``python scripts/bench_db.py [--sizes 10000 100000 1000000] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests")]
DISTRICT = ROOT / "layers" / "admin" / "district.geojson"
SEED = 20250101
#: Neighbours per point in the nearest case (``geo near --k 3``).
K = 3


def crossover(rows: Sequence[tuple[int, float, float]]) -> int | None:
    """Return the smallest n from which the database is faster at every larger n.

    Parameters
    ----------
    rows
        ``(n, in_memory_s, database_s)``, in any order.

    Returns
    -------
    int or None
        None when the database is not faster at the largest n.

    Examples
    --------
    >>> crossover([(10, 1.0, 2.0), (100, 2.0, 1.0), (1000, 3.0, 1.0)])
    100
    >>> crossover([(10, 1.0, 0.5), (100, 1.0, 2.0)]) is None
    True
    """
    found = None
    for n, mem, db in sorted(rows, reverse=True):
        if db >= mem:
            break
        found = n
    return found


def enterprises(n: int, rng: np.random.Generator) -> Any:
    """Return n random points inside the district, EPSG:4326, indexed by id ``e…``."""
    import geopandas as gpd
    import shapely
    from bench_measure import random_points

    area = shapely.union_all(gpd.read_file(DISTRICT).to_crs("EPSG:4544").geometry.values)
    xy = random_points(n, area, rng)
    ids = [f"e{i:07d}" for i in range(n)]
    gdf = gpd.GeoDataFrame({"id": ids}, geometry=shapely.points(xy), crs="EPSG:4544")
    return gdf.to_crs(4326).set_index("id", drop=False)


class Preloaded:
    """:class:`PostGISMeasures` on tables already filled in one open connection."""

    def __init__(self, conn: Any) -> None:
        from geo.db.measures import PostGISMeasures

        self.conn = conn
        self.tables: dict[int, str] = {}
        outer = self

        class _Measures(PostGISMeasures):
            def _frame(self, a: Any, b: Any, query: str, **params: Any) -> Any:
                import pandas as pd

                sql = query.replace("geo_a", outer.tables[id(a)])
                sql = sql.replace("geo_b", outer.tables[id(b)])
                cur = outer.conn.execute(sql, params or None)
                return pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])

        self.measures = _Measures("")

    def load(self, name: str, gdf: Any) -> float:
        """Copy a layer into temporary table ``name`` (indexed); return the seconds."""
        from geo.db.measures import _temp_table

        t0 = time.perf_counter()
        _temp_table(self.conn, name, gdf)
        self.tables[id(gdf)] = name
        return time.perf_counter() - t0


@contextmanager
def database() -> Iterator[Any]:
    """Start a throw-away cluster with PostGIS; yield an open connection; remove it."""
    import psycopg
    from postgis_server import cluster

    with cluster() as dsn, psycopg.connect(dsn) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        conn.commit()
        yield conn


def membership(frame: Any) -> set[tuple[str, str, str]]:
    """Return the (layer, feature, zone) triples of a zones frame."""
    return set(
        zip(frame["layer"], frame["feature"].astype(str), frame["zone"].astype(str), strict=True)
    )


def median_time(run: Any, rounds: int) -> tuple[float, Any]:
    """Run ``rounds`` times; return the median seconds and the last output."""
    times, out = [], None
    for _ in range(rounds):
        out = None
        t0 = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def machine() -> str:
    """Describe the machine (cores, CPU, RAM, load) and the versions."""
    import shapely

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    mem = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"nproc {os.cpu_count()}, CPU `{cpu}`, RAM {mem / 1024**2:.1f} GiB, "
        f"load average {load}; Python {platform.python_version()}, "
        f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string})"
    )


def neighbours(frame: Any) -> tuple[list[tuple[str, int, str]], Any]:
    """Return the (a, rank, b) triples of a k-nearest frame, sorted, and the distances."""
    frame = frame.sort_values(["a", "rank"])
    keys = list(
        zip(frame["a"].astype(str), frame["rank"].astype(int), frame["b"].astype(str), strict=True)
    )
    return keys, frame["dist_m"].to_numpy(dtype=float)


def same_neighbours(mem: Any, db: Any) -> bool:
    """Say whether both k-nearest frames name the same neighbours at the same distances."""
    (k1, d1), (k2, d2) = neighbours(mem), neighbours(db)
    return k1 == k2 and bool(np.allclose(d1, d2, rtol=1e-9, atol=1e-6))


def case(pre: Preloaded, zones: dict[str, Any], near: Any, n: int, rounds: int) -> dict[str, Any]:
    """Time one size on both paths and cross-check the answers."""
    from geo import measure

    pts = enterprises(n, np.random.default_rng(SEED + n))
    push = pre.load(f"pts_{n}", pts)
    out: dict[str, Any] = {"n": n, "push": push}
    mem_s, mem = median_time(lambda: measure.zones_for(pts, zones), rounds)
    db_s, db = median_time(lambda: pre.measures.zones_for(pts, zones), rounds)
    out["zones"] = (mem_s, db_s, membership(mem) == membership(db), mem["feature"].nunique())
    del mem, db
    if near is not None:
        mem_s, mem = median_time(lambda: measure.k_nearest(pts, near, K), rounds)
        db_s, db = median_time(lambda: pre.measures.k_nearest(pts, near, K), rounds)
        out["near"] = (mem_s, db_s, same_neighbours(mem, db), len(mem))
    pre.conn.execute(f"DROP TABLE pts_{n}")
    return out


def table(rows: list[dict[str, Any]], key: str, title: str, top: int, noun: str) -> list[str]:
    """Return the Markdown lines of one measure's table and its crossover."""
    lines = [
        f"{title}:",
        "",
        "| n | in memory s | database s | database / memory | same answer |",
        "|---:|---:|---:|---:|:---|",
    ]
    for r in rows:
        mem, db, same, count = r[key]
        ok = f"yes ({count:,} {noun})" if same else "**NO**"
        lines.append(f"| {r['n']:,} | {mem:.3f} | {db:.3f} | {db / mem:.2f} | {ok} |")
    cross = crossover([(r["n"], r[key][0], r[key][1]) for r in rows])
    lines += ["", f"crossover: {f'{cross:,}' if cross else f'none up to {top:,}'}", ""]
    return lines


def main() -> int:
    from geo.measure.queries import indexed
    from geo.project import Project

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=3, help="timed runs per path (median)")
    parser.add_argument(
        "--near", default="campuses", help="layer of the k-nearest case ('' to skip it)"
    )
    args = parser.parse_args()
    project = Project()
    ids = [s.id for s in project.catalog.by_role("zone")]
    zones = {lid: indexed(gdf) for lid, gdf in project.layers(ids).items()}
    near = indexed(project.layers([args.near])[args.near]) if args.near else None
    lines = [f"machine: {machine()}", f"command: python {' '.join(sys.argv)}"]
    lines.append("zone layers: " + ", ".join(f"{k} ({len(v)})" for k, v in zones.items()))
    rows = []
    with database() as conn:
        pre = Preloaded(conn)
        t0 = time.perf_counter()
        for lid, gdf in [*zones.items(), *([("near", near)] if near is not None else [])]:
            pre.load(f"layer_{lid}", gdf)
        lines.append(f"zone and near layers copied in once: {time.perf_counter() - t0:.3f} s")
        case(pre, zones, near, 500, 1)  # warm-up, untimed
        for n in args.sizes:
            rows.append(case(pre, zones, near, n, args.rounds))
            print(f"  done n={n:,}", file=sys.stderr)
        conn.rollback()
    lines += [f"load average after: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}", ""]
    lines += [f"median of {args.rounds} runs; copy-in of the points (one run), s:", ""]
    lines += ["| n | copy-in s |", "|---:|---:|"]
    lines += [f"| {r['n']:,} | {r['push']:.2f} |" for r in rows]
    lines.append("")
    top = max(args.sizes)
    lines += table(rows, "zones", "zones (every zone layer)", top, "points placed")
    if near is not None:
        lines += table(rows, "near", f"k nearest (k = {K}, of {args.near})", top, "pairs")
    print("\n".join(lines))
    keys = ["zones", "near"] if near is not None else ["zones"]
    return 0 if all(r[k][2] for r in rows for k in keys) else 1


if __name__ == "__main__":
    sys.exit(main())
