"""The fast paths agree with the slow truths, and start-up stays light.

* Areas (equal-area projection with an exact fallback) against :class:`pyproj.Geod`
  ring by ring, on the district and on random polygons like the benchmark's.
* Nearest on coordinate arrays against a brute-force search on coordinates that
  geopandas projected.
* ``geo near A A`` never pairs a feature with itself.
* ``geo --help`` imports neither scipy, folium nor pandas, ``geo layers`` neither
  scipy nor folium, and importing the package builds no pyproj Transformer.
* Claims name resolution computes no fuzzy suggestions, and the verdicts are the
  same as with the gazetteer's raising lookup.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geo import measure
from geo.cli import main
from geo.data.layers import _load_layer

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "measure"
DISTRICT = ROOT / "layers" / "admin" / "district.geojson"
GEOD = Geod(ellps="WGS84")
TOLERANCE = 1e-6


def geod_area(geom: shapely.Geometry) -> float:
    """Geodesic area ring by ring, unsigned, holes subtracted (the old definition)."""
    total = 0.0
    for poly in getattr(geom, "geoms", [geom]):
        rings = [poly.exterior, *poly.interiors]
        areas = [abs(GEOD.polygon_area_perimeter(*np.asarray(r.coords).T)[0]) for r in rings]
        total += areas[0] - sum(areas[1:])
    return total


def random_polygons(n: int, seed: int) -> gpd.GeoDataFrame:
    """16-gons of radius 30-900 m in the district's box, some with holes or a second part."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform((620_000, 3_265_000), (645_000, 3_300_000), size=(n, 2))
    radius = rng.uniform(30, 900, size=n)
    geoms = shapely.buffer(shapely.points(xy), radius, quad_segs=4)
    holed = rng.random(n) < 0.1
    geoms[holed] = shapely.difference(
        geoms[holed], shapely.buffer(shapely.points(xy[holed]), radius[holed] / 3)
    )
    multi = rng.random(n) < 0.1
    far = shapely.buffer(shapely.points(xy[multi] + 3 * radius[multi, None]), radius[multi] / 2)
    geoms[multi] = shapely.union(geoms[multi], far)
    return gpd.GeoDataFrame(geometry=geoms, crs=4544).to_crs(4326)


def relative_error(gdf: gpd.GeoDataFrame) -> float:
    fast = measure.geodesic_area(gdf).to_numpy()
    truth = np.array([geod_area(g) for g in gdf.geometry])
    return float(np.max(np.abs(fast / truth - 1)))


# --------------------------------------------------------------------------- areas
def test_district_area_matches_geod() -> None:
    assert relative_error(_load_layer(DISTRICT)) <= TOLERANCE


def test_random_polygon_areas_match_geod() -> None:
    assert relative_error(random_polygons(2000, seed=7)) <= TOLERANCE


@pytest.mark.parametrize("span", [0.3, 2.0, 20.0])
def test_long_edges_far_from_the_centre_still_match_geod(span: float) -> None:
    # A thin triangle with edges of tens to thousands of km, beside a small square that
    # fixes the projection's centre far away: a straight line in the equal-area plane
    # is then visibly off the geodesic, so these rings must take the exact route.
    lon, lat = 106.4, 29.6
    thin = shapely.Polygon(
        [(lon - span, lat + span), (lon + span, lat + span), (lon, lat + 0.9 * span)]
    )
    square = shapely.box(lon - span, lat - span, lon - span + 0.01, lat - span + 0.01)
    assert relative_error(gpd.GeoDataFrame(geometry=[thin, square], crs=4326)) <= TOLERANCE


def test_overlap_areas_match_geod_and_shares_of_contained_features_are_one() -> None:
    a = random_polygons(400, seed=3)
    b = gpd.GeoDataFrame(geometry=[shapely.box(106.2, 29.4, 106.35, 29.65)], crs=4326)
    pairs = measure.overlaps(a, b)
    truth = np.array([geod_area(g) for g in pairs.geometry])
    assert np.all(np.abs(pairs["overlap_m2"] / truth - 1) <= TOLERANCE)
    inside = shapely.covers(b.geometry.iloc[0], a.geometry.to_numpy()[pairs["a"]])
    assert inside.any()
    assert np.allclose(pairs["share_of_a"][inside], 1.0, rtol=1e-12)


# --------------------------------------------------------------------------- nearest
def test_nearest_points_match_brute_force_on_geopandas_projection() -> None:
    rng = np.random.default_rng(11)
    lonlat_a = rng.uniform((106.25, 29.47), (106.48, 29.78), size=(5000, 2))
    lonlat_b = rng.uniform((106.25, 29.47), (106.48, 29.78), size=(150, 2))
    a = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*lonlat_a.T), crs=4326)
    b = gpd.GeoDataFrame(
        {"id": [f"s{i}" for i in range(150)]},
        geometry=gpd.points_from_xy(*lonlat_b.T),
        crs=4326,
    ).set_index("id")
    xa = shapely.get_coordinates(a.to_crs(4544).geometry.values)
    xb = shapely.get_coordinates(b.to_crs(4544).geometry.values)
    d = np.hypot(xa[:, None, 0] - xb[None, :, 0], xa[:, None, 1] - xb[None, :, 1])
    got = measure.nearest(a, b)
    assert list(got["b"]) == list(b.index[d.argmin(axis=1)])
    assert np.allclose(got["dist_m"], d.min(axis=1), rtol=0, atol=1e-6)
    limited = measure.nearest(a, b, max_distance_m=500)
    far = d.min(axis=1) > 500
    assert far.any()
    assert limited["b"][far].isna().all()
    assert list(limited["b"][~far]) == list(b.index[d.argmin(axis=1)][~far])


def test_nearest_points_in_a_projected_crs_match_lonlat_input() -> None:
    sites = _load_layer(DATA / "sites.geojson").set_index("id")
    campuses = _load_layer(DATA / "campuses.geojson").set_index("id")
    pd.testing.assert_frame_equal(
        measure.nearest(sites.to_crs(4544), campuses.to_crs(4544)),
        measure.nearest(sites, campuses),
        atol=1e-6,
    )


# --------------------------------------------------------------------------- near A A
@pytest.fixture
def sites() -> gpd.GeoDataFrame:
    return _load_layer(DATA / "sites.geojson").set_index("id", drop=False)


# The fixture's sites sit at (600, 600), (2000, 500), (2500, 2500) and (6000, 6000) m
# from one origin in EPSG:4544, so each one's nearest other site is known by hand.
OTHER = {
    "site-1": ("site-2", math.hypot(1400, 100)),
    "site-2": ("site-1", math.hypot(1400, 100)),
    "site-3": ("site-2", math.hypot(500, 2000)),
    "site-4": ("site-3", math.hypot(3500, 3500)),
}


def test_nearest_of_a_layer_to_itself_is_another_feature(sites: gpd.GeoDataFrame) -> None:
    got = measure.nearest(sites, sites, exclude_self=True)
    assert {k: got.loc[k, "b"] for k in OTHER} == {k: v[0] for k, v in OTHER.items()}
    for k, (_, dist) in OTHER.items():
        assert got.loc[k, "dist_m"] == pytest.approx(dist, abs=0.5)


def test_nearest_polygons_to_themselves_skip_self() -> None:
    parks = _load_layer(DATA / "parks.geojson").set_index("id", drop=False)
    got = measure.nearest(parks, parks, exclude_self=True)
    # park-a and park-b share an edge; park-m's square [3000, 3500]² is 500 m east and
    # 2000 m north of park-b [1500, 2500] x [0, 1000].
    assert dict(got["b"]) == {"park-a": "park-b", "park-b": "park-a", "park-m": "park-b"}
    assert got.loc["park-m", "dist_m"] == pytest.approx(math.hypot(500, 2000), abs=0.5)
    assert got.loc["park-a", "dist_m"] == pytest.approx(0, abs=1e-6)


def test_k_nearest_and_within_skip_self(sites: gpd.GeoDataFrame) -> None:
    k2 = measure.k_nearest(sites, sites, 2, exclude_self=True)
    assert not (k2["a"] == k2["b"]).any()
    assert list(k2[k2["a"] == "site-3"]["b"]) == ["site-2", "site-1"]
    near = measure.within_distance(sites, sites, 1500, exclude_self=True)
    assert sorted(zip(near["a"], near["b"], strict=True)) == [
        ("site-1", "site-2"),
        ("site-2", "site-1"),
    ]


def test_exclude_self_needs_unique_labels(sites: gpd.GeoDataFrame) -> None:
    twice = pd.concat([sites, sites])
    with pytest.raises(ValueError, match="unique id"):
        measure.nearest(sites, twice, exclude_self=True)


def test_cli_near_a_layer_to_itself(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(DATA / "sites.geojson")
    assert main(["near", path, path, "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["a"]: r["b"] for r in records} == {k: v[0] for k, v in OTHER.items()}
    assert all(r["dist_m"] > 0 for r in records)


# --------------------------------------------------------------------------- start-up
PROBE = """
import importlib
import sys
import pyproj

built = []
original = pyproj.Transformer.from_crs
pyproj.Transformer.from_crs = lambda *a, **k: built.append(a) or original(*a, **k)
for name in ("geo", "geo.cli", "geo.data.crs", "geo.measure", "geo.claims", "geo.data.layers"):
    importlib.import_module(name)
at_import = len(built)
from geo.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
heavy = sorted(m for m in ("scipy", "folium") if m in sys.modules)
print("PROBE", code, heavy, at_import, len(built), file=sys.stderr)
"""


def probe(argv: list[str]) -> list[str]:
    """Run the command in a fresh interpreter; return code, heavy modules, Transformers."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    line = next((x for x in done.stderr.splitlines() if x.startswith("PROBE")), done.stderr)
    return line.split(" ", 1)[1:]


def test_help_imports_no_scipy_or_folium_and_builds_no_transformer() -> None:
    # exit 0, no scipy or folium, no Transformer at import, none for the help
    assert probe(["--help"]) == ["0 [] 0 0"]


def test_layers_imports_no_scipy_or_folium() -> None:
    # Derived layers project with geopandas while loading (Transformers at run time,
    # after the command starts); importing the package builds none.
    code, heavy, at_import, _ = probe(["layers"])[0].split(" ")
    assert (code, heavy, at_import) == ("0", "[]", "0")


def test_help_loads_no_data_library() -> None:
    code = (
        "import sys\n"
        "from geo.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pandas', 'geopandas', 'shapely', 'pyproj') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr[-2000:]


# --------------------------------------------------------------------------- claims
def test_claims_lookup_computes_no_suggestions(monkeypatch: pytest.MonkeyPatch) -> None:
    from geo import claims
    from geo.data.gazetteer import Gazetteer, load_gazetteer

    gaz = load_gazetteer()
    calls: list[str] = []
    monkeypatch.setattr(Gazetteer, "suggest", lambda self, name, n=3: calls.append(name) or [])
    ctx = claims.context_from_layers({}, [], gaz)
    known = gaz.places[0].name_zh
    assert claims.normalise_place(known, ctx["lookup"]) == known
    assert claims.normalise_place("不存在的某某园区", ctx["lookup"]) == "不存在的某某园区"
    assert calls == []


@pytest.mark.slow
def test_claims_verdicts_equal_those_of_the_raising_lookup() -> None:
    from geo import claims

    ctx = claims.load_context().inputs
    ledger = claims.read_ledger()
    fast = claims.verdicts(ledger, claims.run_checks(ledger, **ctx))
    gaz_lookup = ctx["lookup"]
    assert gaz_lookup is not None
    from geo.data.gazetteer import load_gazetteer

    gaz = load_gazetteer()

    def slow_lookup(name: str) -> str:
        try:
            return str(gaz.lookup(name).name_zh)
        except KeyError:  # not a gazetteer place: an area named by the layers' aliases
            return gaz_lookup(name)

    slow_ctx = {**ctx, "lookup": slow_lookup}
    slow = claims.verdicts(ledger, claims.run_checks(ledger, **slow_ctx))
    pd.testing.assert_frame_equal(fast, slow)


# --------------------------------------------------------------------------- k nearest
def _old_candidates_k(
    ga: np.ndarray, gb: np.ndarray, k: int, limit: float
) -> tuple[np.ndarray, np.ndarray]:
    """The radius search k_nearest used for every layer (copied as the oracle)."""
    tree = shapely.STRtree(gb)
    (ia0, _), d0 = tree.query_nearest(ga, return_distance=True, all_matches=False)
    radius = np.full(len(ga), limit)
    radius[ia0] = np.minimum(np.maximum(d0, 1.0), limit)
    pending = np.arange(len(ga))
    found_a, found_b = [], []
    while pending.size:
        qa, qb = tree.query(ga[pending], predicate="dwithin", distance=radius[pending])
        counts = np.bincount(qa, minlength=pending.size)
        done = (counts >= k) | (radius[pending] >= limit)
        sel = done[qa]
        found_a.append(pending[qa[sel]])
        found_b.append(qb[sel])
        radius[pending[~done]] = np.minimum(radius[pending[~done]] * 2.0, limit)
        pending = pending[~done]
    return np.concatenate(found_a), np.concatenate(found_b)


def old_k_nearest(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    k: int,
    max_distance_m: float | None = None,
    exclude_self: bool = False,
) -> pd.DataFrame:
    """k_nearest as it was before the k-d tree path (radius search, then a sort)."""
    ga = np.asarray(a.to_crs(4544).geometry.values, dtype=object)
    gb = np.asarray(b.to_crs(4544).geometry.values, dtype=object)
    self_of = b.index.get_indexer(a.index) if exclude_self else None
    x0, y0, x1, y1 = shapely.total_bounds(np.concatenate([ga, gb]))
    limit = float(np.hypot(x1 - x0, y1 - y0)) + 1.0 if max_distance_m is None else max_distance_m
    ia, ib = _old_candidates_k(ga, gb, k + (self_of is not None), limit)
    if self_of is not None:
        keep = ib != self_of[ia]
        ia, ib = ia[keep], ib[keep]
    dist = shapely.distance(ga[ia], gb[ib])
    order = np.lexsort((ib, dist, ia))
    frame = pd.DataFrame(
        {
            "a": a.index.to_numpy()[ia[order]],
            "b": b.index.to_numpy()[ib[order]],
            "dist_m": dist[order],
        }
    )
    if max_distance_m is not None:
        frame = frame[frame["dist_m"] <= max_distance_m]
    frame["rank"] = frame.groupby("a", sort=False).cumcount() + 1
    frame = frame[frame["rank"] <= k]
    return frame[["a", "b", "rank", "dist_m"]].reset_index(drop=True)


def same_frames(new: pd.DataFrame, old: pd.DataFrame) -> None:
    """Equal values, dtypes and index, bit for bit (distances compared exactly)."""
    pd.testing.assert_frame_equal(new, old, check_exact=True)


def gridded_points(n: int, seed: int, step: float) -> gpd.GeoDataFrame:
    """Points on a coarse metric grid: many exactly equal distances and duplicates."""
    rng = np.random.default_rng(seed)
    cells = rng.integers(0, 12, size=(n, 2)).astype(float)
    xy = np.array([636_000.0, 3_277_000.0]) + cells * step
    ids = [f"p{i:03d}" for i in range(n)]
    return gpd.GeoDataFrame({"id": ids}, geometry=shapely.points(xy), crs=4544).set_index("id")


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_k_nearest_points_equal_the_radius_search_on_the_test_data(
    k: int, sites: gpd.GeoDataFrame
) -> None:
    campuses = _load_layer(DATA / "campuses.geojson").set_index("id", drop=False)
    for a, b in ((sites, campuses), (campuses, sites), (sites, sites)):
        same_frames(measure.k_nearest(a, b, k), old_k_nearest(a, b, k))
        same_frames(
            measure.k_nearest(a, b, k, max_distance_m=2100),
            old_k_nearest(a, b, k, max_distance_m=2100),
        )
    same_frames(
        measure.k_nearest(sites, sites, k, exclude_self=True),
        old_k_nearest(sites, sites, k, exclude_self=True),
    )


def test_k_nearest_points_equal_the_radius_search_on_the_project_layers() -> None:
    from geo.project import Project

    project = Project()
    projects = project.layer("projects").set_index("id")
    platforms = project.layer("rd_platforms").set_index("id")
    for k in (1, 3):
        same_frames(
            measure.k_nearest(projects, platforms, k), old_k_nearest(projects, platforms, k)
        )
        same_frames(
            measure.k_nearest(platforms, platforms, k, exclude_self=True),
            old_k_nearest(platforms, platforms, k, exclude_self=True),
        )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_k_nearest_points_keep_the_old_order_of_ties(seed: int) -> None:
    # 400 points on a 12 x 12 grid: duplicates, and equal distances at every rank.
    a, b = gridded_points(400, seed, 100.0), gridded_points(90, seed + 10, 100.0)
    for k in (1, 2, 3, 4, 7):
        new, old = measure.k_nearest(a, b, k), old_k_nearest(a, b, k)
        assert k == 1 or (old.groupby("a")["dist_m"].nunique() < k).any()  # ties
        same_frames(new, old)
        same_frames(
            measure.k_nearest(a, b, k, max_distance_m=250),
            old_k_nearest(a, b, k, max_distance_m=250),
        )
        same_frames(
            measure.k_nearest(b, b, k, exclude_self=True),
            old_k_nearest(b, b, k, exclude_self=True),
        )
    small = b.iloc[:3]
    same_frames(measure.k_nearest(a, small, 5), old_k_nearest(a, small, 5))
    same_frames(
        measure.k_nearest(small, small, 5, exclude_self=True),
        old_k_nearest(small, small, 5, exclude_self=True),
    )


def test_k_nearest_points_equal_the_radius_search_on_random_lonlat_points() -> None:
    rng = np.random.default_rng(5)
    lonlat = rng.uniform((106.25, 29.47), (106.48, 29.78), size=(3000, 2))
    a = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*lonlat[:2500].T), crs=4326)
    b = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*lonlat[2500:].T), crs=4326)
    for k in (1, 3, 8):
        same_frames(measure.k_nearest(a, b, k), old_k_nearest(a, b, k))
        same_frames(
            measure.k_nearest(b, b, k, exclude_self=True),
            old_k_nearest(b, b, k, exclude_self=True),
        )


def test_k_nearest_of_points_takes_the_k_d_tree_not_the_radius_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from geo.measure import proximity

    def refuse(*args: object) -> None:
        raise AssertionError("the radius search ran")

    rng = np.random.default_rng(8)
    xy = rng.uniform((620_000, 3_265_000), (645_000, 3_300_000), size=(600, 2))
    a = gpd.GeoDataFrame(geometry=shapely.points(xy[:500]), crs=4544)
    b = gpd.GeoDataFrame(geometry=shapely.points(xy[500:]), crs=4544)
    expected = old_k_nearest(a, b, 3)
    monkeypatch.setattr(proximity, "_candidates_k", refuse)
    same_frames(measure.k_nearest(a, b, 3), expected)


def test_chunked_transform_equals_one_pyproj_call() -> None:
    from pyproj import Transformer

    from geo.measure.arrays import transform_xy

    rng = np.random.default_rng(4)
    lon, lat = rng.uniform((106.25, 29.47), (106.48, 29.78), size=(450_001, 2)).T
    x, y = transform_xy("EPSG:4326", "EPSG:4544", lon, lat)
    ox, oy = Transformer.from_crs(4326, 4544, always_xy=True).transform(lon, lat)
    assert np.array_equal(x, ox)
    assert np.array_equal(y, oy)
