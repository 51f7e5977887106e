"""Numbers in range: accuracies, zoom levels and coordinates are refused in one line.

Accuracy is 1 m to 50 km, a zoom level 0 to 20 (``geo.limits``); a coordinate that
is not a number is called that, never "outside Chongqing"; nothing gives a traceback.
"""

from __future__ import annotations

import math

import pytest

from conftest import feature, point
from geo.cli import main
from geo.data.accuracy import hand_placed_error_m
from geo.errors import ValueRangeError

#: A position in the fixture district (tests/data/gazetteer_fix), WGS-84.
LON, LAT = 106.4330, 29.5690


def _set(*extra: str) -> int:
    base = ["gazetteer", "set", "西政", "--crs", "wgs84", "--source", "by hand"]
    return main([*base, *extra])


def _one_line_error(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert "Traceback" not in err
    return "\n".join(lines)


# --------------------------------------------------------------------------- accuracy
@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("nan", "--accuracy-m nan is not a number"),
        ("inf", "--accuracy-m inf is not a finite number"),
        ("-5", "--accuracy-m -5.0 is outside 1 to 50,000 m"),
        ("1e308", "--accuracy-m 1e+308 is outside 1 to 50,000 m"),
    ],
)
def test_gazetteer_set_refuses_an_accuracy_out_of_range(fix_layers, capsys, given, said):
    before = (fix_layers / "gazetteer.csv").read_bytes()
    code = _set("--lon", str(LON), "--lat", str(LAT), f"--accuracy-m={given}")
    err = _one_line_error(capsys.readouterr().err)
    assert code == 2
    assert said in err
    assert "fix: give the estimated positional error in metres" in err
    assert len(err.splitlines()) == 1
    assert (fix_layers / "gazetteer.csv").read_bytes() == before


@pytest.mark.parametrize(
    ("given", "said"),
    [("1e308", "1e+308 is outside"), ("0.5", "0.5 is outside"), ("60000", "60000.0 is outside")],
)
def test_add_layer_refuses_an_accuracy_out_of_range(gis_layers, tmp_path, capsys, given, said):
    src = tmp_path / "pts.csv"
    src.write_text("name_zh,lon,lat\n测点,106.40,29.60\n", encoding="utf-8")
    catalog = (gis_layers / "catalog.yaml").read_bytes()
    code = main(
        [
            "add-layer",
            str(src),
            "--id",
            "my_sites",
            "--title-zh",
            "站点",
            "--title-en",
            "Sites",
            "--crs",
            "wgs84",
            "--kind",
            "site",
            "--plan-ref",
            "survey",
            "--geometry-source",
            "digitized",
            f"--accuracy-m={given}",
        ]
    )
    err = _one_line_error(capsys.readouterr().err)
    assert code == 2
    assert f"--accuracy-m {said} 1 to 50,000 m" in err
    assert (gis_layers / "catalog.yaml").read_bytes() == catalog
    assert not (gis_layers / "my_sites.geojson").exists()


def test_a_layer_file_with_accuracies_out_of_range_lists_each_feature(write_fc, capsys):
    path = write_fc(
        [
            feature("far-1", point(106.40, 29.60), accuracy_m=1e308),
            feature("fine-1", point(106.40, 29.60), accuracy_m=0.5),
            feature("ok-1", point(106.40, 29.60), accuracy_m=50),
        ]
    )
    assert main(["validate", str(path)]) == 1
    out = "".join(capsys.readouterr())
    assert "feature far-1: accuracy_m 1e+308 is outside 1 to 50,000 m" in out
    assert "feature fine-1: accuracy_m 0.5 is outside 1 to 50,000 m" in out
    assert "ok-1" not in out


# --------------------------------------------------------------------------- zoom
@pytest.mark.parametrize(
    ("zoom", "said"),
    [
        ("-5", "zoom -5 is outside 0 to 20"),
        ("1e308", "zoom 1e+308 is outside 0 to 20"),
        ("21", "zoom 21 is outside 0 to 20"),
        ("high", "zoom 'high' is not a number"),
    ],
)
def test_a_zoom_column_out_of_range_is_refused_naming_the_row(
    fix_layers, tmp_path, capsys, zoom, said
):
    before = (fix_layers / "gazetteer.csv").read_bytes()
    src = tmp_path / "hand.csv"
    src.write_text(f"name,lon,lat,zoom\n西南政法大学,{LON},{LAT},16\n西政,{LON},{LAT},{zoom}\n")
    code = main(["gazetteer", "apply", str(src), "--crs", "wgs84", "--source", "by hand"])
    err = _one_line_error(capsys.readouterr().err)
    assert code == 2
    assert f"feature row 3: {said} -> fix: give the web-map zoom level" in err
    assert "row 2" not in err  # the good row is not blamed
    assert (fix_layers / "gazetteer.csv").read_bytes() == before


def test_an_accuracy_column_of_a_point_list_is_checked_too(fix_layers, tmp_path, capsys):
    src = tmp_path / "hand.csv"
    src.write_text(f"name,lon,lat,accuracy_m\n西政,{LON},{LAT},-5\n")
    assert main(["gazetteer", "match", str(src), "--crs", "wgs84"]) == 2
    assert "feature row 2: accuracy_m -5 is outside 1 to 50,000 m" in capsys.readouterr().err


# --------------------------------------------------------------------------- coordinates
@pytest.mark.parametrize(
    ("lon", "lat", "said"), [("nan", LAT, "longitude 'nan'"), (LON, "inf", "latitude 'inf'")]
)
def test_a_coordinate_that_is_no_number_is_called_so(fix_layers, capsys, lon, lat, said):
    code = _set("--lon", str(lon), "--lat", str(lat))
    err = _one_line_error(capsys.readouterr().err)
    assert code == 2
    assert f"{said} is not a number" in err
    assert "outside" not in err


def test_near_names_the_gazetteer_row_whose_latitude_is_no_number(fix_layers, capsys):
    gaz = fix_layers / "gazetteer.csv"
    text = gaz.read_text(encoding="utf-8")
    lines = text.splitlines()
    number, row = next((i, ln) for i, ln in enumerate(lines, 1) if ln.startswith("四川外国语大学,"))
    gaz.write_text(text.replace(row, row.replace(",29.572770,", ",notanumber,")), "utf-8")
    code = main(["near", "sites", "sites"])
    err = _one_line_error(capsys.readouterr().err)
    assert code == 2
    assert f"gazetteer.csv: row {number}: lat 'notanumber' is not a number" in err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize("zoom", [-5, 21, math.nan, 1e308])
def test_the_hand_placed_error_refuses_a_zoom_out_of_range(zoom):
    with pytest.raises(ValueRangeError, match=r"zoom .* -> fix: give the web-map zoom level"):
        hand_placed_error_m(zoom)
