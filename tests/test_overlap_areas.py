"""The areas behind :func:`geo.measure.overlaps`: one equal-area plane, measured in parts.

* Areas of geometries measured apart on one plane equal those measured together
  (each ring's value depends only on the ring and the plane).
* Each group of pairs takes its own cuts to lon/lat and measures them on its worker
  thread, on the plane of the features, and the result is what one pass over the
  features and the cuts together gives: a feature inside another has share 1, and
  the overlaps agree with :class:`pyproj.Geod`.
* Cuts whose coordinates reach past the features' bounds move the plane: every area
  is then measured again on the plane of all the coordinates.
"""

from __future__ import annotations

import itertools
import os
import threading
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from geo import measure

GEOD = Geod(ellps="WGS84")


def discs(n: int, rmin: float, rmax: float, seed: int) -> gpd.GeoDataFrame:
    """n 16-gons in EPSG:4326 around Shapingba (built in EPSG:4544)."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform((608_000, 3_262_000), (626_000, 3_290_000), size=(n, 2))
    radius = rng.uniform(rmin, rmax, size=n)
    geoms = shapely.buffer(shapely.points(xy), radius, quad_segs=4)
    return gpd.GeoDataFrame(geometry=geoms, crs=4544).to_crs(4326)


def geod_area(geom: shapely.Geometry) -> float:
    """pyproj.Geod's area of a lon/lat polygon or multi-polygon, holes subtracted."""
    if geom.geom_type == "MultiPolygon":
        return sum(geod_area(g) for g in geom.geoms)
    rings = [geom.exterior, *geom.interiors]
    areas = [abs(GEOD.polygon_area_perimeter(*np.asarray(r.coords).T)[0]) for r in rings]
    return areas[0] - sum(areas[1:])


def test_areas_measured_apart_on_one_plane_equal_those_measured_together() -> None:
    from geo.measure.areas import _areas, _laea

    small = discs(300, 30, 150, seed=1).geometry.to_numpy()
    holed = shapely.difference(small[:40], shapely.buffer(shapely.centroid(small[:40]), 1e-4))
    pairs = zip(small[40:80:2], small[41:80:2], strict=True)
    multi = shapely.multipolygons([[p, q] for p, q in pairs])
    large = discs(6, 20_000, 40_000, seed=2).geometry.to_numpy()  # rings that go exact
    geoms = np.concatenate([small, holed, multi, large])
    together = _areas(geoms)
    plane = _laea(shapely.get_coordinates(geoms))
    cuts = [0, 7, 150, 340, 361, len(geoms)]
    apart = np.concatenate([_areas(geoms[i:j], None, plane) for i, j in itertools.pairwise(cuts)])
    np.testing.assert_array_equal(apart, together)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: everything runs inline")
def test_each_group_measures_its_cuts_on_a_worker_and_all_equal_one_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import geo.measure.overlap as overlap
    from geo.measure.areas import _areas as measured

    calls: list[tuple[str, int]] = []

    def spy(geoms: np.ndarray, *args: Any) -> np.ndarray:
        calls.append((threading.current_thread().name, len(geoms)))
        return measured(geoms, *args)

    monkeypatch.setattr(overlap, "_areas", spy)
    a = discs(6_000, 30, 150, seed=3)  # 29 000 pairs: enough for groups on workers
    b = discs(1_000, 500, 900, seed=4)
    got = measure.overlaps(a, b)
    here = threading.current_thread().name
    assert sorted(n for name, n in calls if name == here) == [len(b), len(a)]  # the features
    cuts = [(name, n) for name, n in calls if name != here]
    assert len(cuts) > 1
    assert all(name.startswith("geo-measure") for name, _ in cuts)
    assert sum(n for _, n in cuts) == np.count_nonzero(got["share_of_a"] < 1)

    whole = np.array([geod_area(g) for g in [*a.geometry, *b.geometry]])
    cut = got["share_of_a"].to_numpy() < 1
    assert cut.any()
    assert not cut.all()
    inside = got[~cut]
    # a feature inside another: its overlap is the feature, share exactly 1
    assert np.all(inside["share_of_a"] == 1.0)
    assert all(
        shapely.equals_exact(g, a.geometry.iloc[i], tolerance=0)
        for g, i in zip(inside.geometry, inside["a"], strict=True)
    )
    some = got.iloc[::7]
    overlap_geod = np.array([geod_area(g) for g in some.geometry])
    # Geod itself is good to about 1e-5 m² on slivers of a few m²
    np.testing.assert_allclose(some["overlap_m2"], overlap_geod, rtol=1e-6, atol=1e-3)
    share_of_b = overlap_geod / whole[len(a) + some["b"].to_numpy()]
    np.testing.assert_allclose(some["share_of_b"], share_of_b, rtol=2e-6, atol=1e-9)


def test_cuts_past_the_features_bounds_measure_every_area_on_the_joined_plane(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import geo.measure.overlap as overlap
    from geo.measure.areas import _areas, _laea, _laea_at

    a, b = discs(400, 30, 150, seed=5), discs(20, 500, 900, seed=6)
    before = measure.overlaps(a, b)
    joined = overlap._joined
    planes: list[tuple[float, float, float, float]] = []

    def wider(bounds: tuple[float, float, float, float], more: list) -> tuple:
        lo0, la0, lo1, la1 = joined(bounds, more)
        planes.append((lo0 - 0.3, la0 - 0.3, lo1, la1))  # as if a cut reached further
        return planes[-1]

    monkeypatch.setattr(overlap, "_joined", wider)
    got = measure.overlaps(a, b)
    assert len(planes) == 2  # A's with B's bounds, then with the cuts'
    plane = _laea_at(planes[-1])
    assert plane != _laea_at(planes[0])
    own = _laea(shapely.get_coordinates(np.concatenate([a.geometry, b.geometry])))
    assert plane != own
    whole_a = _areas(a.geometry.to_numpy(), None, plane)
    whole_b = _areas(b.geometry.to_numpy(), None, plane)
    overlap_m2 = _areas(got.geometry.to_numpy(), None, plane)
    np.testing.assert_array_equal(got["overlap_m2"], overlap_m2)
    np.testing.assert_array_equal(got["share_of_a"], overlap_m2 / whole_a[got["a"]])
    np.testing.assert_array_equal(got["share_of_b"], overlap_m2 / whole_b[got["b"]])
    assert np.any(got["share_of_a"] == 1.0)
    # the same pairs and overlaps as on the features' own plane, areas a little apart
    np.testing.assert_array_equal(got[["a", "b"]], before[["a", "b"]])
    assert shapely.equals_exact(got.geometry.to_numpy(), before.geometry.to_numpy(), 0).all()
    assert not np.array_equal(got["overlap_m2"], before["overlap_m2"])
    np.testing.assert_allclose(got["overlap_m2"], before["overlap_m2"], rtol=1e-6)
