"""The measures' pipelines against truths computed here, and their worker threads.

* :func:`geo.measure.overlaps` on the project's zone layers and on random polygons
  with holes and second parts: the pairs are those whose shapely intersection in
  EPSG:4544 has an area, the overlap is that intersection in lon/lat, its area and
  the features' areas are :class:`pyproj.Geod`'s ring by ring.
* :func:`geo.measure.geodesic_area` of a layer mixing plain polygons with holes,
  multi-parts, collections, lines, points, empties and missing geometries; the
  choice of the exact route for rings whose bound falls on the limit.
* Large transforms run on the same worker threads call after call, so that each
  thread builds its PROJ object once.
"""

from __future__ import annotations

import os
import threading

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer

from geo import measure

GEOD = Geod(ellps="WGS84")
#: The equal-area route's bound on its difference from the geodesic ring.
TOLERANCE = 1e-6


def geod_area(geom: shapely.Geometry | None) -> float:
    """Geodesic area of the polygons in a lon/lat geometry, ring by ring, holes subtracted."""
    if geom is None or geom.is_empty:
        return 0.0
    if geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        return sum(geod_area(g) for g in geom.geoms)
    if geom.geom_type != "Polygon":
        return 0.0
    rings = [geom.exterior, *geom.interiors]
    areas = [abs(GEOD.polygon_area_perimeter(*np.asarray(r.coords).T)[0]) for r in rings]
    return areas[0] - sum(areas[1:])


def expected_overlaps(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> dict[tuple, shapely.Geometry]:
    """Every pair's intersection in lon/lat, where it has an area in EPSG:4544."""
    to_ll = Transformer.from_crs(4544, 4326, always_xy=True)

    def lonlat(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(to_ll.transform(xy[:, 0], xy[:, 1]))

    am, bm = a.to_crs(4544), b.to_crs(4544)
    out = {}
    for ka, ga in am.geometry.items():
        for kb, gb in bm.geometry.items():
            cut = shapely.intersection(ga, gb)
            if shapely.area(cut) > 0:
                out[(ka, kb)] = shapely.transform(cut, lonlat)
    return out


def check_overlaps(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> int:
    """Compare measure.overlaps(a, b) with the truth; return the number of pairs."""
    got = measure.overlaps(a, b)
    truth = expected_overlaps(a, b)
    assert sorted(zip(got["a"], got["b"], strict=True)) == sorted(truth)
    assert list(got.columns) == ["a", "b", "overlap_m2", "share_of_a", "share_of_b", "geometry"]
    assert got.crs.to_epsg() == 4326
    area_a = {k: geod_area(g) for k, g in a.geometry.items()}
    area_b = {k: geod_area(g) for k, g in b.geometry.items()}
    for row in got.itertuples():
        want = truth[(row.a, row.b)]
        assert shapely.hausdorff_distance(row.geometry, want) < 1e-9
        area = geod_area(want)
        assert row.overlap_m2 == pytest.approx(area, rel=TOLERANCE)
        assert row.share_of_a == pytest.approx(area / area_a[row.a], rel=2 * TOLERANCE)
        assert row.share_of_b == pytest.approx(area / area_b[row.b], rel=2 * TOLERANCE)
    return len(got)


def random_polygons(n: int, seed: int, rmin: float, rmax: float) -> gpd.GeoDataFrame:
    """16-gons in a 6 km square of the district, some with a hole or a second part."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform((630_000, 3_275_000), (636_000, 3_281_000), size=(n, 2))
    radius = rng.uniform(rmin, rmax, size=n)
    geoms = shapely.buffer(shapely.points(xy), radius, quad_segs=4)
    holed = rng.random(n) < 0.2
    geoms[holed] = shapely.difference(
        geoms[holed], shapely.buffer(shapely.points(xy[holed]), radius[holed] / 3)
    )
    multi = rng.random(n) < 0.2
    far = shapely.buffer(shapely.points(xy[multi] + 2 * radius[multi, None]), radius[multi] / 2)
    geoms[multi] = shapely.union(geoms[multi], far)
    ids = [f"p{seed}-{i}" for i in range(n)]
    return gpd.GeoDataFrame({"id": ids}, geometry=geoms, crs=4544).set_index("id").to_crs(4326)


# --------------------------------------------------------------------------- overlaps
def test_overlaps_of_the_project_zones_equal_shapely_and_geod() -> None:
    from geo.project import Project

    project = Project()
    layers = {n: project.layer(n).set_index("id") for n in ("rings", "cities", "clusters")}
    district = project.layer("district").set_index("id")
    pairs = 0
    for a, b in [("rings", "cities"), ("clusters", "rings"), ("cities", "clusters")]:
        pairs += check_overlaps(layers[a], layers[b])
    pairs += check_overlaps(layers["rings"], district)
    assert pairs >= 10  # real overlaps, not only empty answers


def test_overlaps_with_holes_and_second_parts_equal_shapely_and_geod() -> None:
    # small polygons against large ones: some wholly inside (the overlap is the small
    # polygon itself), most cut, the cuts holed or in several parts
    a = random_polygons(120, seed=11, rmin=50, rmax=400)
    b = random_polygons(12, seed=12, rmin=800, rmax=1500)
    got = measure.overlaps(a, b)
    kinds = set(shapely.get_type_id(got.geometry.to_numpy()))
    assert {3, 6} <= kinds  # polygons and multipolygons among the overlaps
    assert (got["share_of_a"] == 1.0).any()
    assert check_overlaps(a, b) == len(got)


def test_overlaps_in_a_projected_crs_equal_those_in_lonlat() -> None:
    a = random_polygons(60, seed=21, rmin=50, rmax=400)
    b = random_polygons(8, seed=22, rmin=800, rmax=1500)
    lonlat = measure.overlaps(a, b)
    projected = measure.overlaps(a.to_crs(4544), b.to_crs(4544))
    assert list(zip(lonlat["a"], lonlat["b"], strict=True)) == list(
        zip(projected["a"], projected["b"], strict=True)
    )
    np.testing.assert_allclose(projected["overlap_m2"], lonlat["overlap_m2"], rtol=1e-9)
    assert projected.crs.to_epsg() == 4326
    gap = shapely.hausdorff_distance(projected.geometry.to_numpy(), lonlat.geometry.to_numpy())
    assert np.all(gap < 1e-9)


# --------------------------------------------------------------------------- areas
def test_areas_of_a_layer_of_mixed_geometries_equal_geod() -> None:
    polys = random_polygons(40, seed=31, rmin=50, rmax=400).geometry.to_list()
    line = shapely.LineString([(106.40, 29.60), (106.41, 29.61)])
    geoms = [
        *polys,
        shapely.GeometryCollection([polys[0], line, shapely.Point(106.4, 29.6)]),
        line,
        shapely.Point(106.42, 29.62),
        shapely.Polygon(),
        None,
        shapely.MultiPolygon([polys[1], polys[2]]) if polys[1].geom_type == "Polygon" else polys[1],
    ]
    gdf = gpd.GeoDataFrame(geometry=geoms, crs=4326)
    got = measure.geodesic_area(gdf).to_numpy()
    truth = np.array([geod_area(g) for g in geoms])
    zero = truth == 0
    assert np.all(got[zero] == 0)
    np.testing.assert_allclose(got[~zero], truth[~zero], rtol=TOLERANCE)


@pytest.mark.parametrize("factor", [1.0, 1 + 2**-52, 1 - 2**-53, 1 + 1e-12, 1 - 1e-12, 1.5, 0.5])
def test_rings_near_the_limit_go_exact_as_the_bound_with_hypot_and_powers_says(
    factor: float,
) -> None:
    from geo.measure.areas import _EARTH_RADIUS_M, _EQUAL_AREA_TOLERANCE, _needs_exact

    # rings of 3 to 20 points, the area given so that the limit falls on the bound
    rng = np.random.default_rng(6)
    sizes = rng.integers(3, 21, size=500)
    ring_off = np.concatenate([[0], np.cumsum(sizes)])
    x, y = rng.uniform(-3e4, 3e4, size=(2, ring_off[-1]))
    bound = np.empty(len(sizes))
    for i in range(len(sizes)):
        rx, ry = x[ring_off[i] : ring_off[i + 1]], y[ring_off[i] : ring_off[i + 1]]
        edge = np.hypot(np.diff(rx), np.diff(ry))
        rho = np.hypot((rx[1:] + rx[:-1]) / 2.0, (ry[1:] + ry[:-1]) / 2.0) + edge
        total = 0.0
        for term in edge**3 * rho:
            total += term
        bound[i] = 2.0 * total / _EARTH_RADIUS_M**2
    area = bound / _EQUAL_AREA_TOLERANCE * factor
    ring_of = np.repeat(np.arange(len(sizes)), sizes)
    same = ring_of[1:] == ring_of[:-1]
    got = _needs_exact(x, y, same, ring_of[:-1], area, ring_off)
    np.testing.assert_array_equal(got, ~(bound <= _EQUAL_AREA_TOLERANCE * area))


# --------------------------------------------------------------------------- threads
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: transforms run inline")
def test_large_transforms_run_on_the_same_worker_threads_call_after_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from geo.measure.arrays import transform_xy

    names: set[str] = set()
    transform = Transformer.transform

    def spy(self: Transformer, *args: object, **kwargs: object) -> object:
        names.add(threading.current_thread().name)
        return transform(self, *args, **kwargs)

    monkeypatch.setattr(Transformer, "transform", spy)
    rng = np.random.default_rng(5)
    lon, lat = rng.uniform((106.25, 29.47), (106.48, 29.78), size=(300_000, 2)).T
    for _ in range(3):
        transform_xy("EPSG:4326", "EPSG:4544", lon, lat)
    assert threading.current_thread().name not in names  # the work went to workers
    assert len(names) <= (os.cpu_count() or 1)  # and always to the same ones
