import math

import pytest

from geo.data.units import (
    MU_M2,
    canonical_unit,
    iter_quantity_mentions,
    parse_number,
    parse_quantity,
)
from geo.errors import ClaimParseError


@pytest.mark.parametrize(
    ("text", "low", "high", "unit", "qualifier"),
    [
        ("28.5 万平方米", 285_000, 285_000, "m2", "exact"),
        ("50000 平方米", 50_000, 50_000, "m2", "exact"),
        ("13000 m <sup>2</sup>", 13_000, 13_000, "m2", "exact"),
        ("6000 ㎡", 6_000, 6_000, "m2", "exact"),
        ("85.27 亩", 85.27 * 10_000 / 15, 85.27 * 10_000 / 15, "m2", "exact"),
        ("3 公顷", 30_000, 30_000, "m2", "exact"),
        ("1.97 平方公里", 1_970_000, 1_970_000, "m2", "exact"),
        ("25 公里", 25_000, 25_000, "m", "exact"),
        ("32 亿元", 3.2e9, 3.2e9, "CNY", "exact"),
        ("5000万元", 5e7, 5e7, "CNY", "exact"),
        ("10000-20000 m <sup>2</sup>", 10_000, 20_000, "m2", "range"),
        ("1000-2000平方米", 1_000, 2_000, "m2", "range"),
        ("约 8.8 万平方米", 88_000, 88_000, "m2", "approx"),
        ("超过 30 万平方米", 300_000, math.inf, "m2", "at_least"),
        ("200 万平方米以上", 2_000_000, math.inf, "m2", "at_least"),
        ("最高达10亿元", 0, 1e9, "CNY", "at_most"),
        ("70000平方", 70_000, 70_000, "m2", "exact"),
        ("32 个", 32, 32, "count", "exact"),
    ],
)
def test_parse_quantity_forms(text, low, high, unit, qualifier):
    q = parse_quantity(text)
    assert q.low == pytest.approx(low)
    assert q.high == pytest.approx(high) or (math.isinf(high) and math.isinf(q.high))
    assert q.si_unit == unit
    assert q.qualifier == qualifier


def test_mu_is_two_thousand_thirds_square_metres():
    assert pytest.approx(10_000) == MU_M2 * 15
    assert parse_quantity("300 亩").low == pytest.approx(200_000)


def test_wan_multiplies_by_ten_thousand():
    assert canonical_unit("万平方米") == ("m2", "m2", 1e4)
    assert canonical_unit("亿元")[2] == 1e8


@pytest.mark.parametrize("bad", [".0.30", "1.2.3", "", "abc"])
def test_parse_number_refuses_garbage(bad):
    with pytest.raises(ClaimParseError):
        parse_number(bad)


@pytest.mark.parametrize(
    "bad",
    ["30 万英亩", "20000-10000 平方米", "约", "超过 30 万平方米以下", "许多平方米"],
)
def test_parse_quantity_refuses(bad):
    with pytest.raises(ClaimParseError):
        parse_quantity(bad)


def test_claim_parse_error_is_value_error():
    with pytest.raises(ValueError, match="unknown unit"):
        canonical_unit("英亩")


def test_sweep_finds_every_form_in_a_line():
    text = (
        "甲\n占地面积 85.27 亩，总建筑面积 202000 m <sup>2</sup>，投资 15 亿元，实施 32 个项目。\n"
    )
    hits = list(iter_quantity_mentions(text))
    assert [h[0] for h in hits] == [2, 2, 2, 2]
    assert hits[0][1] == "85.27 亩"
    assert hits[3][1].startswith("32")


# --------------------------------------------------------------------------- one unit table
#: Definitions written by hand: 1 亩 = 1/15 公顷, 1 公顷 = 1e4 m², 1 km² = 1e6 m².
AREA_DEFINITIONS_M2 = {"m2": 1.0, "ha": 1e4, "mu": 10_000 / 15, "km2": 1e6}
LENGTH_DEFINITIONS_M = {"m": 1.0, "km": 1000.0}


def test_area_factors_match_their_definitions():
    from geo.data.units import AREA_UNITS

    assert set(AREA_UNITS) == set(AREA_DEFINITIONS_M2)
    for unit, m2 in AREA_DEFINITIONS_M2.items():
        assert AREA_UNITS[unit] == pytest.approx(m2, rel=1e-15), unit


def test_every_area_unit_measure_accepts_is_in_the_unit_table():
    import pandas as pd

    from geo import measure
    from geo.data.units import UNITS

    assert set(measure.AREA_UNITS) == set(AREA_DEFINITIONS_M2)
    for unit, factor in measure.AREA_UNITS.items():
        assert UNITS[unit] == ("m2", factor), unit
        converted = measure.convert_area(pd.Series([3e6]), unit).iloc[0]
        assert converted == pytest.approx(3e6 / AREA_DEFINITIONS_M2[unit], rel=1e-12), unit
    with pytest.raises(ValueError, match="unknown area unit"):
        measure.convert_area(pd.Series([1.0]), "acre")


@pytest.mark.parametrize(
    ("spelling", "unit"),
    [("m", "m"), ("米", "m"), ("km", "km"), ("公里", "km"), ("千米", "km"), ("KM", "km")],
)
def test_every_distance_unit_measure_accepts_is_in_the_unit_table(spelling, unit):
    from geo import measure
    from geo.data.units import UNITS

    assert UNITS[unit] == ("m", LENGTH_DEFINITIONS_M[unit])
    assert measure.parse_distance(f"2.5 {spelling}") == 2.5 * LENGTH_DEFINITIONS_M[unit]


@pytest.mark.parametrize(
    ("written", "unit"),
    [("亩", "mu"), ("公顷", "ha"), ("平方公里", "km2"), ("平方米", "m2"), ("公里", "km")],
)
def test_claims_read_the_same_factors(written, unit):
    defined = {**AREA_DEFINITIONS_M2, **LENGTH_DEFINITIONS_M}
    canon, _si, factor = canonical_unit(written)
    assert canon == unit
    assert factor == pytest.approx(defined[unit], rel=1e-15)
