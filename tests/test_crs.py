"""Coordinate conversions WGS-84 ⇄ GCJ-02 ⇄ BD-09, checked against independent code."""

from __future__ import annotations

import eviltransform
import geopandas as gpd
import numpy as np
import prcoords
import pytest
from shapely.geometry import Point, Polygon

from geo.data import crs
from geo.errors import CRSError, DegreesNotAllowedError

# A grid over Chongqing municipality (105.3-110.1E, 28.2-32.2N), 41 x 41 points.
LON, LAT = np.meshgrid(np.linspace(105.3, 110.1, 41), np.linspace(28.2, 32.2, 41))
LON, LAT = LON.ravel(), LAT.ravel()


def test_forward_gcj_matches_prcoords_and_eviltransform():
    glon, glat = crs.wgs84_to_gcj02(LON, LAT)
    for i in range(0, LON.size, 37):
        ref = prcoords.wgs_gcj(prcoords.Coords(LAT[i], LON[i]))
        assert glon[i] == pytest.approx(ref.lon, abs=1e-9)
        assert glat[i] == pytest.approx(ref.lat, abs=1e-9)
        elat, elon = eviltransform.wgs2gcj(LAT[i], LON[i])
        # eviltransform uses a slightly different constant set: agree within ~1 cm
        assert glon[i] == pytest.approx(elon, abs=1e-6)
        assert glat[i] == pytest.approx(elat, abs=1e-6)


def test_forward_bd_matches_prcoords():
    blon, blat = crs.wgs84_to_bd09(LON, LAT)
    for i in range(0, LON.size, 37):
        ref = prcoords.wgs_bd(prcoords.Coords(LAT[i], LON[i]))
        assert blon[i] == pytest.approx(ref.lon, abs=1e-9)
        assert blat[i] == pytest.approx(ref.lat, abs=1e-9)


def test_gcj_offset_is_hundreds_of_metres_in_chongqing():
    # The offset is what makes the conversion matter: a few hundred metres here.
    glon, glat = crs.wgs84_to_gcj02(106.45, 29.56)
    dx = (glon - 106.45) * 111_320 * np.cos(np.radians(29.56))
    dy = (glat - 29.56) * 110_574
    assert 200 < np.hypot(dx, dy) < 800


@pytest.mark.parametrize(
    ("fwd", "inv"),
    [
        (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84),
        (crs.wgs84_to_bd09, crs.bd09_to_wgs84),
        (crs.gcj02_to_bd09, crs.bd09_to_gcj02),
    ],
)
def test_round_trip_below_1e6_degrees(fwd, inv):
    back_lon, back_lat = inv(*fwd(LON, LAT))
    assert np.max(np.abs(back_lon - LON)) < 1e-6
    assert np.max(np.abs(back_lat - LAT)) < 1e-6


def test_convert_dispatches_and_accepts_aliases():
    a = crs.convert(106.3, 29.6, "WGS-84", "amap")
    b = crs.wgs84_to_gcj02(106.3, 29.6)
    assert a[0] == b[0]
    assert a[1] == b[1]
    same = crs.convert(106.3, 29.6, "cgcs2000", "wgs84")
    assert (float(same[0]), float(same[1])) == (106.3, 29.6)


def test_unknown_datum_is_a_clear_error():
    with pytest.raises(CRSError, match=r"unknown datum 'mars'.*gcj02"):
        crs.convert(106.3, 29.6, "mars", "wgs84")


def test_convert_gdf_moves_every_vertex():
    poly = Polygon([(106.3, 29.6), (106.31, 29.6), (106.31, 29.61)])
    gdf = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[poly, Point(106.4, 29.5)], crs=4326)
    out = crs.convert_gdf(gdf, "gcj02", "wgs84")
    xs, ys = crs.gcj02_to_wgs84(*np.array(poly.exterior.coords).T)
    assert np.allclose(np.array(out.geometry[0].exterior.coords), np.column_stack([xs, ys]))
    assert gdf.geometry[1].x == 106.4  # the input is not modified


def test_convert_gdf_refuses_projected_input():
    gdf = gpd.GeoDataFrame(geometry=[Point(500000, 3270000)], crs=4544)
    with pytest.raises(CRSError, match="to_crs"):
        crs.convert_gdf(gdf, "gcj02", "wgs84")


def test_require_metric_refuses_degrees_and_names_the_fix():
    gdf = gpd.GeoDataFrame(geometry=[Point(106.4, 29.5)], crs=4326)
    with pytest.raises(DegreesNotAllowedError, match="EPSG:4544"):
        crs.require_metric(gdf, "area")
    crs.require_metric(crs.to_metric(gdf), "area")  # metres pass


def test_metric_crs_distortion_below_0_1_percent_over_district():
    # A 1 km east-west segment at the district's west and east edges, measured
    # geodesically, is 1 km in EPSG:4544 to better than 0.1 %.
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    for lon in (106.25, 106.48):
        gdf = gpd.GeoDataFrame(geometry=[Point(lon, 29.6), Point(lon + 0.01, 29.6)], crs=4326)
        m = crs.to_metric(gdf)
        planar = m.geometry[0].distance(m.geometry[1])
        _, _, geodesic = geod.inv(lon, 29.6, lon + 0.01, 29.6)
        assert abs(planar / geodesic - 1) < 1e-3
