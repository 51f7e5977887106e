"""The benchmark's peers (geo.measure, geopandas, DuckDB spatial, scipy) and cross-checks.

Every overlap task returns a frame ``a, b, area`` (m², planar for kernels,
geodesic-quality for whole pipelines); every nearest task returns ``b, dist``
aligned with A's rows.

Usage: imported by ``scripts/bench_measure.py``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from bench_timing import Task

LAEA = "+proj=laea +lat_0=29.6 +lon_0=106.4 +ellps=WGS84 +units=m +no_defs"
PLANAR_REL = 1e-9
GEODESIC_REL, GEODESIC_ABS = 1e-6, 1e-3


# --------------------------------------------------------------------------- DuckDB
class DuckPeer:
    """DuckDB spatial with the case's layers loaded from registered WKB frames."""

    def __init__(self, data: dict[str, Any], kind: str, threads: list[int]) -> None:
        import duckdb
        import duckdb_extension_spatial
        import shapely

        ext = next(Path(duckdb_extension_spatial.__file__).parent.glob("extensions/*/spatial*"))
        self.con = duckdb.connect()
        self.con.execute(f"LOAD '{ext}'")  # the pip package ships the binary; no download
        self.threads = threads
        t0 = time.perf_counter()
        for name, gdf in (
            ("a_m", data["a_m"]),
            ("b_m", data["b_m"]),
            ("a", data["a"]),
            ("b", data["b"]),
        ):
            frame = pd.DataFrame(
                {"id": gdf.index.to_numpy(), "wkb": shapely.to_wkb(gdf.geometry.values)}
            )
            self.con.register(f"{name}_frame", frame)
            self.con.execute(
                f"CREATE TABLE {name} AS SELECT id, ST_GeomFromWKB(wkb) AS geom FROM {name}_frame"
            )
            self.con.unregister(f"{name}_frame")
        self.load_s = time.perf_counter() - t0
        self.kind = kind
        self.seen_threads: dict[int, int] = {}

    def set_threads(self, n: int) -> None:
        """Set DuckDB's thread count and record what it reports back."""
        self.con.execute(f"SET threads = {n}")
        self.seen_threads[n] = int(
            self.con.execute("SELECT current_setting('threads')").fetchone()[0]
        )

    def plan(self, sql: str) -> str:
        """Return the physical plan's operator names (to show the spatial join is used)."""
        text = str(self.con.execute(f"EXPLAIN {sql}").fetchall())
        return "SPATIAL_JOIN" if "SPATIAL_JOIN" in text else "no SPATIAL_JOIN"

    def facts(self) -> dict[str, Any]:
        """Load time, threads set and read back, and the join operator."""
        sql = (
            OVERLAP_KERNEL
            if self.kind == "overlap"
            else NEAREST_SQL.format(table="a_m", radius=1000.0)
        )
        return {"load_s": self.load_s, "threads": self.seen_threads, "join": self.plan(sql)}


# One projection, no filter: with ``WHERE area > 0`` over a subquery DuckDB 1.5
# evaluates ST_Intersection twice (a MATERIALIZED CTE took as long), so touching
# pairs (area 0) are dropped from the fetched arrays instead.
OVERLAP_KERNEL = """
SELECT a_m.id AS a, b_m.id AS b, ST_Area(ST_Intersection(a_m.geom, b_m.geom)) AS area
FROM a_m JOIN b_m ON ST_Intersects(a_m.geom, b_m.geom)
"""

# The same algorithm as geo.measure: a pair whose B feature covers A's takes A's own
# area, only the others are overlaid.
OVERLAP_SHORTCUT = """
SELECT a_m.id AS a, b_m.id AS b,
       CASE WHEN ST_Covers(b_m.geom, a_m.geom) THEN ST_Area(a_m.geom)
            ELSE ST_Area(ST_Intersection(a_m.geom, b_m.geom)) END AS area
FROM a_m JOIN b_m ON ST_Intersects(a_m.geom, b_m.geom)
"""

WITHIN_SQL = """
SELECT a.id AS a, b.id AS b, ST_Distance(a.geom, b.geom) AS area
FROM a_m a JOIN b_m b ON ST_DWithin(a.geom, b.geom, {radius})
"""

ZONES_SQL = """
SELECT a.id AS a, b.id AS b, 1.0 AS area
FROM a_m a JOIN b_m b ON ST_Intersects(b.geom, a.geom)
"""

# The same work as geo.measure.overlaps: project, intersect, back to lon/lat,
# ellipsoidal areas of the overlap and of both features (once per feature), the
# overlap geometry in lon/lat; shares and the area > 0 filter on the fetched arrays.
# ``ll`` is used twice in one projection, which DuckDB computes once.
# ST_Area_Spheroid wants latitude first.
OVERLAP_WHOLE = """
WITH am AS (
    SELECT id, ST_Transform(geom, 'EPSG:4326', 'EPSG:4544', always_xy := true) AS g,
           ST_Area_Spheroid(ST_FlipCoordinates(geom)) AS area
    FROM a
), bm AS (
    SELECT id, ST_Transform(geom, 'EPSG:4326', 'EPSG:4544', always_xy := true) AS g,
           ST_Area_Spheroid(ST_FlipCoordinates(geom)) AS area
    FROM b
)
SELECT a, b, area_a, area_b, ST_Area_Spheroid(ST_FlipCoordinates(ll)) AS area,
       ST_AsWKB(ll) AS geometry
FROM (
    SELECT am.id AS a, bm.id AS b, am.area AS area_a, bm.area AS area_b,
           ST_Transform(ST_Intersection(am.g, bm.g), 'EPSG:4544', 'EPSG:4326',
                        always_xy := true) AS ll
    FROM am JOIN bm ON ST_Intersects(am.g, bm.g)
)
"""

NEAREST_SQL = """
SELECT a.id AS a, arg_min(b.id, ST_Distance(a.geom, b.geom)) AS b,
       min(ST_Distance(a.geom, b.geom)) AS dist
FROM {table} a JOIN b_m b ON ST_DWithin(a.geom, b.geom, {radius})
GROUP BY a.id
"""


def duck_overlap(duck: DuckPeer, sql: str, threads: int) -> pd.DataFrame:
    """Run an overlap query; return ``a, b, area`` (and shares) where the area is > 0."""
    duck.set_threads(threads)
    got = duck.con.execute(sql).fetchnumpy()
    keep = got["area"] > 0
    out = pd.DataFrame({"a": got["a"][keep], "b": got["b"][keep], "area": got["area"][keep]})
    if "area_a" in got:
        out["share_of_a"] = out["area"] / got["area_a"][keep]
        out["share_of_b"] = out["area"] / got["area_b"][keep]
    return out


def duck_pairs(duck: DuckPeer, sql: str, threads: int) -> pd.DataFrame:
    """Run a pair query; return ``a, b, area`` as fetched (distances or 1.0 in ``area``)."""
    duck.set_threads(threads)
    got = duck.con.execute(sql).fetchnumpy()
    return pd.DataFrame({"a": got["a"], "b": got["b"], "area": got["area"]})


def duck_nearest(duck: DuckPeer, n: int, threads: int, radius: float = 1000.0) -> pd.DataFrame:
    """Nearest by ``ST_DWithin`` join and ``arg_min``, doubling the radius for misses."""
    duck.set_threads(threads)
    b = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, np.nan)
    duck.con.execute("CREATE OR REPLACE TEMP TABLE todo AS SELECT id, geom FROM a_m")
    while True:
        got = duck.con.execute(NEAREST_SQL.format(table="todo", radius=radius))
        res = got.fetchnumpy()
        b[res["a"]], dist[res["a"]] = res["b"], res["dist"]
        left = duck.con.execute("SELECT count(*) FROM todo").fetchone()[0] - len(res["a"])
        if left == 0:
            return pd.DataFrame({"b": b, "dist": dist})
        duck.con.register("found", pd.DataFrame({"id": res["a"]}))
        duck.con.execute("DELETE FROM todo WHERE id IN (SELECT id FROM found)")
        duck.con.unregister("found")
        radius *= 2


# --------------------------------------------------------------------------- tasks
def _frame(a: Any, b: Any, area: Any) -> pd.DataFrame:
    return pd.DataFrame({"a": np.asarray(a), "b": np.asarray(b), "area": np.asarray(area)})


def overlap_tasks(data: dict[str, Any], duck: DuckPeer, lean: bool = False) -> dict[str, Task]:
    """Every overlap peer on one case (``lean``: only geo.measure and DuckDB's queries)."""
    import geopandas as gpd
    import shapely

    from geo import measure

    a, b, a_m, b_m = data["a"], data["b"], data["a_m"], data["b_m"]

    def geo_whole() -> pd.DataFrame:
        r = measure.overlaps(a, b)
        return _frame(r["a"], r["b"], r["overlap_m2"])

    def geo_kernel() -> pd.DataFrame:
        ia, ib, inter, _ = measure.overlap_metric(a_m, b_m)
        return _frame(a_m.index.to_numpy()[ia], b_m.index.to_numpy()[ib], shapely.area(inter))

    def gpd_overlay() -> pd.DataFrame:
        r = gpd.overlay(a_m.reset_index(), b_m.reset_index(), how="intersection")
        r = r[r.area > 0]
        return _frame(r["id_1"], r["id_2"], r.area)

    def sjoin_intersection() -> pd.DataFrame:
        j = gpd.sjoin(a_m, b_m, predicate="intersects")
        ga = j.geometry.values
        gb = b_m.geometry.loc[j["id_right"]].values
        area = shapely.area(shapely.intersection(np.asarray(ga), np.asarray(gb)))
        keep = area > 0
        return _frame(j.index.to_numpy()[keep], j["id_right"].to_numpy()[keep], area[keep])

    def gpd_whole() -> pd.DataFrame:
        am, bm = a.to_crs(4544), b.to_crs(4544)
        r = gpd.overlay(am.reset_index(), bm.reset_index(), how="intersection")
        r = r[r.area > 0].to_crs(4326)
        area = r.to_crs(LAEA).area.to_numpy()
        area_a = a.to_crs(LAEA).area
        area_b = b.to_crs(LAEA).area
        r = r.assign(
            share_of_a=area / area_a.loc[r["id_1"]].to_numpy(),
            share_of_b=area / area_b.loc[r["id_2"]].to_numpy(),
        )
        return _frame(r["id_1"], r["id_2"], area)

    tasks = {"geo.measure.overlaps": Task(geo_whole, "whole")}
    if not lean:
        tasks["DuckDB pipeline"] = Task(
            lambda: duck_overlap(duck, OVERLAP_WHOLE, max(duck.threads)), "whole"
        )
        tasks["geopandas pipeline (overlay)"] = Task(gpd_whole, "whole")
    tasks["geo.measure.overlap_metric + area"] = Task(geo_kernel, "kernel")
    for t in duck.threads:
        tasks[f"DuckDB query with covers shortcut, threads={t}"] = Task(
            lambda t=t: duck_overlap(duck, OVERLAP_SHORTCUT, t), "kernel"
        )
        if not lean:
            tasks[f"DuckDB plain query, threads={t}"] = Task(
                lambda t=t: duck_overlap(duck, OVERLAP_KERNEL, t), "kernel"
            )
    if not lean:
        tasks["geopandas.overlay"] = Task(gpd_overlay, "kernel")
        tasks["geopandas.sjoin + intersection"] = Task(sjoin_intersection, "kernel")
    return tasks


def nearest_tasks(data: dict[str, Any], duck: DuckPeer) -> dict[str, Task]:
    """Every nearest peer on one case."""
    import geopandas as gpd
    import shapely
    from pyproj import Transformer
    from scipy.spatial import cKDTree

    from geo import measure

    a, b, a_m, b_m = data["a"], data["b"], data["a_m"], data["b_m"]
    xa, xb = (
        shapely.get_coordinates(a_m.geometry.values),
        shapely.get_coordinates(b_m.geometry.values),
    )
    la, lb = shapely.get_coordinates(a.geometry.values), shapely.get_coordinates(b.geometry.values)
    to_metric = Transformer.from_crs(4326, 4544, always_xy=True)

    def geo_whole() -> pd.DataFrame:
        r = measure.nearest(a, b)
        return pd.DataFrame({"b": r["b"].to_numpy(np.int64), "dist": r["dist_m"].to_numpy()})

    def geo_kernel() -> pd.DataFrame:
        _, ib, dist = measure.nearest_metric(a_m, b_m)
        return pd.DataFrame({"b": b_m.index.to_numpy()[ib], "dist": dist})

    def bare(pa: np.ndarray, pb: np.ndarray) -> pd.DataFrame:
        dist, ib = cKDTree(pb).query(pa, k=1, workers=-1)
        return pd.DataFrame({"b": b_m.index.to_numpy()[ib], "dist": dist})

    def arrays_whole() -> pd.DataFrame:
        return bare(*reproject(to_metric, la, lb))

    def sjoin_nearest() -> pd.DataFrame:
        j = gpd.sjoin_nearest(a_m, b_m, distance_col="dist")
        j = j[~j.index.duplicated()]  # ties give several rows; keep one, as the others do
        return pd.DataFrame({"b": j["id_right"].to_numpy(), "dist": j["dist"].to_numpy()})

    tasks = {
        "geo.measure.nearest": Task(geo_whole, "whole"),
        "pyproj + cKDTree (reprojecting floor)": Task(arrays_whole, "whole"),
        "geo.measure.nearest_metric": Task(geo_kernel, "kernel"),
        "cKDTree build + query (floor)": Task(lambda: bare(xa, xb), "kernel"),
        "geopandas.sjoin_nearest": Task(sjoin_nearest, "kernel"),
    }
    for t in duck.threads:
        tasks[f"DuckDB ST_DWithin + arg_min, threads={t}"] = Task(
            lambda t=t: duck_nearest(duck, len(a_m), t), "kernel"
        )
    return tasks


def reproject(to_metric: Any, la: np.ndarray, lb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both coordinate arrays to EPSG:4544, each in one pyproj call."""
    pa = np.column_stack(to_metric.transform(la[:, 0], la[:, 1]))
    pb = np.column_stack(to_metric.transform(lb[:, 0], lb[:, 1]))
    return pa, pb


def _point_arrays(data: dict[str, Any]) -> tuple[Any, np.ndarray, np.ndarray]:
    import shapely
    from pyproj import Transformer

    la = shapely.get_coordinates(data["a"].geometry.values)
    lb = shapely.get_coordinates(data["b"].geometry.values)
    return Transformer.from_crs(4326, 4544, always_xy=True), la, lb


def knearest_tasks(data: dict[str, Any], duck: DuckPeer, k: int = 3) -> dict[str, Task]:
    """geo.measure.k_nearest against a reprojecting and a bare cKDTree k-query."""
    import shapely
    from scipy.spatial import cKDTree

    from geo import measure

    a, b, b_m = data["a"], data["b"], data["b_m"]
    to_metric, la, lb = _point_arrays(data)
    xa = shapely.get_coordinates(data["a_m"].geometry.values)
    xb = shapely.get_coordinates(b_m.geometry.values)
    ids_b = b_m.index.to_numpy()

    def tree(pa: np.ndarray, pb: np.ndarray) -> pd.DataFrame:
        dist, ib = cKDTree(pb).query(pa, k=k, workers=-1)
        rank = np.tile(np.arange(1, k + 1), len(pa))
        return pd.DataFrame(
            {
                "a": np.repeat(np.arange(len(pa)), k),
                "b": ids_b[ib.ravel()],
                "rank": rank,
                "dist": dist.ravel(),
            }
        )

    def geo_k() -> pd.DataFrame:
        r = measure.k_nearest(a, b, k)
        return pd.DataFrame(
            {
                "a": r["a"].to_numpy(np.int64),
                "b": r["b"].to_numpy(np.int64),
                "rank": r["rank"].to_numpy(),
                "dist": r["dist_m"].to_numpy(),
            }
        )

    return {
        "geo.measure.k_nearest": Task(geo_k, "whole"),
        "pyproj + cKDTree k-query (reprojecting floor)": Task(
            lambda: tree(*reproject(to_metric, la, lb)), "whole"
        ),
        "cKDTree k-query on projected arrays": Task(lambda: tree(xa, xb), "kernel"),
    }


def within_tasks(data: dict[str, Any], duck: DuckPeer, radius: float) -> dict[str, Task]:
    """geo.measure.within_distance against DuckDB and a reprojecting cKDTree ball query."""
    from scipy.spatial import cKDTree

    from geo import measure

    a, b = data["a"], data["b"]
    to_metric, la, lb = _point_arrays(data)
    ids_a, ids_b = data["a_m"].index.to_numpy(), data["b_m"].index.to_numpy()

    def geo_within() -> pd.DataFrame:
        r = measure.within_distance(a, b, radius)
        return _frame(r["a"].to_numpy(np.int64), r["b"].to_numpy(np.int64), r["dist_m"])

    def tree() -> pd.DataFrame:
        pa, pb = reproject(to_metric, la, lb)
        m = cKDTree(pa).sparse_distance_matrix(cKDTree(pb), radius, output_type="ndarray")
        return _frame(ids_a[m["i"]], ids_b[m["j"]], m["v"])

    tasks = {
        "geo.measure.within_distance": Task(geo_within, "whole"),
        "pyproj + cKDTree distance matrix (reprojecting floor)": Task(tree, "whole"),
    }
    for t in duck.threads:
        tasks[f"DuckDB ST_DWithin join, threads={t}"] = Task(
            lambda t=t: duck_pairs(duck, WITHIN_SQL.format(radius=radius), t), "kernel"
        )
    return tasks


def zones_tasks(data: dict[str, Any], duck: DuckPeer) -> dict[str, Task]:
    """geo.measure.zonal_membership of points against geopandas.sjoin and DuckDB."""
    import geopandas as gpd

    from geo import measure

    a, b, a_m, b_m = data["a"], data["b"], data["a_m"], data["b_m"]

    def geo_zones() -> pd.DataFrame:
        r = measure.zonal_membership(a, b)
        return _frame(r["feature"].to_numpy(np.int64), r["zone"].to_numpy(np.int64), r["share"])

    def sjoin() -> pd.DataFrame:
        j = gpd.sjoin(a_m, b_m, predicate="intersects")
        return _frame(j.index.to_numpy(), j["id_right"].to_numpy(), np.ones(len(j)))

    tasks = {
        "geo.measure.zonal_membership": Task(geo_zones, "whole"),
        "geopandas.sjoin (metric)": Task(sjoin, "kernel"),
    }
    for t in duck.threads:
        tasks[f"DuckDB ST_Intersects join, threads={t}"] = Task(
            lambda t=t: duck_pairs(duck, ZONES_SQL, t), "kernel"
        )
    return tasks


# --------------------------------------------------------------------------- checks
def _compare(ref: pd.DataFrame, got: pd.DataFrame, planar: bool) -> dict[str, Any]:
    """Pairs, totals and per-pair values of one overlap output against the reference."""
    key_ref = ref.set_index(["a", "b"])["area"].sort_index()
    key_got = got.set_index(["a", "b"])["area"].sort_index()
    same_pairs = key_ref.index.equals(key_got.index)
    out: dict[str, Any] = {
        "pairs": len(got),
        "same_pairs": bool(same_pairs),
        "total": float(got["area"].sum()),
    }
    if not same_pairs:
        out["ok"] = False
        return out
    diff = np.abs(key_got.to_numpy() - key_ref.to_numpy())
    rel = diff / np.abs(key_ref.to_numpy())
    out["max_rel"], out["max_abs"] = float(np.max(rel)), float(np.max(diff))
    out["total_rel"] = abs(out["total"] / float(ref["area"].sum()) - 1)
    ok = rel <= PLANAR_REL if planar else (rel <= GEODESIC_REL) | (diff <= GEODESIC_ABS)
    out["ok"] = bool(np.all(ok))
    return out


def check_overlaps(outputs: dict[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    """Cross-check every overlap output: kernels against the geo kernel, wholes against geo."""
    kernel, whole = outputs["geo.measure.overlap_metric + area"], outputs["geo.measure.overlaps"]
    checks = {}
    for name, got in outputs.items():
        planar = name not in (
            "geo.measure.overlaps",
            "DuckDB pipeline",
            "geopandas pipeline (overlay)",
        )
        checks[name] = _compare(kernel if planar else whole, got, planar)
    return checks


def check_pairs(outputs: dict[str, pd.DataFrame], ref: str) -> dict[str, dict[str, Any]]:
    """Every pair output against ``ref``: the same pairs, values within 1e-6 relative."""
    return {name: _compare(outputs[ref], got, False) for name, got in outputs.items()}


def check_knearest(outputs: dict[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    """Check for the same (A, rank) rows as geo.measure, distances, other ids only at ties."""
    ref = outputs["geo.measure.k_nearest"].sort_values(["a", "rank"])
    checks = {}
    for name, got in outputs.items():
        got = got.sort_values(["a", "rank"])
        same_rows = len(got) == len(ref) and bool(
            np.array_equal(got["a"].to_numpy(), ref["a"].to_numpy())
        )
        gap = np.abs(got["dist"].to_numpy() - ref["dist"].to_numpy()) if same_rows else [np.inf]
        differ = got["b"].to_numpy() != ref["b"].to_numpy() if same_rows else np.ones(1, bool)
        checks[name] = {
            "rows": len(got),
            "differ": int(np.sum(differ)),
            "ties": int(np.sum(differ & (np.asarray(gap) <= 1e-6))),
            "max_abs": float(np.max(gap)),
            "total": float(np.sum(got["dist"])),
        }
        c = checks[name]
        c["ok"] = bool(same_rows and c["max_abs"] <= 1e-6 and c["differ"] == c["ties"])
    return checks


def check_nearest(outputs: dict[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    """Check for the same nearest id as geo.measure (or a tie) and the same distances."""
    ref = outputs["geo.measure.nearest"]
    checks = {}
    for name, got in outputs.items():
        differ = got["b"].to_numpy() != ref["b"].to_numpy()
        gap = np.abs(got["dist"].to_numpy() - ref["dist"].to_numpy())
        ties = int(np.sum(differ & (gap <= 1e-6)))
        checks[name] = {
            "rows": len(got),
            "differ": int(differ.sum()),
            "ties": ties,
            "max_abs": float(np.max(gap)),
            "total": float(np.sum(got["dist"])),
            "ok": bool(len(got) == len(ref) and differ.sum() == ties and np.max(gap) <= 1e-6),
        }
    return checks


def area_accuracy(polys: Any, district_path: Path) -> dict[str, Any]:
    """geo.measure.geodesic_area against pyproj.Geod ring by ring, with timings."""
    import geopandas as gpd
    from pyproj import Geod

    from geo import measure

    geod = Geod(ellps="WGS84")
    out = {}
    layers = {"district": gpd.read_file(district_path), f"{len(polys):,} polygons": polys}
    for label, gdf in layers.items():
        t0 = time.perf_counter()
        fast = measure.geodesic_area(gdf).to_numpy()
        t_fast = time.perf_counter() - t0
        t0 = time.perf_counter()
        truth = np.array([abs(geod.geometry_area_perimeter(g)[0]) for g in gdf.geometry])
        t_geod = time.perf_counter() - t0
        rel = float(np.max(np.abs(fast / truth - 1)))
        out[label] = {"max_rel": rel, "fast_s": t_fast, "geod_s": t_geod, "ok": rel <= GEODESIC_REL}
    return out
