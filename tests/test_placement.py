import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.data.placement import Placement, placement, precise_enough


def _frame(acc, within=None):
    data = {"accuracy_m": acc}
    if within is not None:
        data["within"] = within
    return gpd.GeoDataFrame(data, geometry=[Point(106.4, 29.6)] * len(acc), crs=4326)


def test_levels_follow_accuracy_and_within():
    gdf = _frame([300, 1000, 5001, 16230, None], ["", "", "大学城", "沙坪坝区", "大学城"])
    got = placement(gdf, max_accuracy_m=1000)
    assert got.name == "placement"
    assert list(got) == [
        Placement.POINT,
        Placement.POINT,
        Placement.AREA,
        Placement.UNLOCATED,
        Placement.AREA,
    ]


def test_without_within_coarse_features_are_unlocated():
    got = placement(_frame([50, 5001]), max_accuracy_m=100)
    assert list(got) == ["point", "unlocated"]


def test_nan_accuracy_is_never_precise():
    assert not precise_enough(_frame([float("nan")]), 1000).iloc[0]


@pytest.mark.parametrize("bad", [0, -5, float("inf"), float("nan")])
def test_bad_limit_is_refused(bad):
    with pytest.raises(ValueError, match="max_accuracy_m"):
        placement(_frame([10]), bad)
