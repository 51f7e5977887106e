"""Bad input: every malformed, garbled, ambiguous or oversized file is a clear problem.

Each problem names the file, the feature, what is wrong and the fix; no input gives a
traceback, and ``geo validate`` refuses exactly what ``geo add-layer`` refuses.
"""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import LineString, Point, box

from conftest import CQU_A, feature, point
from geo import limits
from geo.cli import main
from geo.data.inputs import read_layer_file, validate_file
from geo.errors import LayerValidationError
from geo.gis.registry import add_layer, garbled_reading, read_input_document

X, Y = CQU_A
# Writing the test shapefiles cuts field names to 10 characters, and pyogrio warns;
# the reader restores the names, which is part of what is tested.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Column names longer than 10:UserWarning",
    "ignore:Normalized/laundered field name:RuntimeWarning",
)
PROPS = {
    "name_zh": "公园甲",
    "name_en": "Park A",
    "kind": "park",
    "plan_ref": "002_8a077782b689f185.txt:L3",
    "geometry_source": "digitized",
    "accuracy_m": 30.0,
}


def problems_of(path: Path, **kw: Any) -> list[str]:
    return [str(p) for p in validate_file(path, **kw)]


def frame(geoms: list[Any], crs: int = 4326, **columns: list[Any]) -> gpd.GeoDataFrame:
    n = len(geoms)
    data = {"id": [f"park-{i}" for i in range(n)], **{k: [v] * n for k, v in PROPS.items()}}
    data.update(columns)
    return gpd.GeoDataFrame(data, geometry=geoms, crs=crs)


def with_property(feat: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    feat["properties"][key] = value
    return feat


# --------------------------------------------------------------------------- wrong shapes
WRONG_SHAPES = {
    "id as a list": (feature(["a"], point(X, Y)), "#0", "id is a list, not text"),
    "id as an object": (feature({"x": 1}, point(X, Y)), "#0", "id is an object, not text"),
    "properties as a list": (
        {"type": "Feature", "properties": [1, 2], "geometry": point(X, Y)},
        "#0",
        "'properties' is a list, not an object",
    ),
    "flat polygon": (
        feature("flat", {"type": "Polygon", "coordinates": [X, Y]}),
        "flat",
        "coordinates are not nested as a Polygon needs",
    ),
    "nested point": (
        feature("deep", {"type": "Point", "coordinates": [[[X, Y]]]}),
        "deep",
        "nested more deeply than a Point allows",
    ),
    "position of text": (
        feature("text", {"type": "Point", "coordinates": ["106.4", "29.5"]}),
        "text",
        "is not a pair of numbers",
    ),
    "numeric geometry type": (
        feature("num", {"type": 5, "coordinates": [X, Y]}),
        "num",
        "geometry type 5 is not a GeoJSON geometry type",
    ),
    "huge integer coordinate": (
        feature("huge", {"type": "Point", "coordinates": [10**400, Y]}),
        "huge",
        "NaN or infinite",
    ),
    "property named geometry": (
        with_property(feature("geo", point(X, Y)), "geometry", "x"),
        "geo",
        "property named 'geometry'",
    ),
}


@pytest.mark.parametrize("case", list(WRONG_SHAPES))
def test_json_of_the_wrong_shape_is_a_feature_problem(write_fc, case):
    feat, fid, expected = WRONG_SHAPES[case]
    found = problems_of(write_fc([feat]))
    assert any(f"feature {fid}" in p and expected in p and "-> fix:" in p for p in found), found


def test_every_wrongly_shaped_feature_is_reported_at_once(write_fc):
    path = write_fc([feat for feat, _, _ in WRONG_SHAPES.values()])
    text = "\n".join(problems_of(path))
    for _, _fid, expected in WRONG_SHAPES.values():
        assert expected in text


def test_deeply_nested_brackets_are_a_file_problem(write_fc):
    path = write_fc("[" * 100_000 + "]" * 100_000)
    (found,) = problems_of(path)
    assert "feature -: the JSON nests lists or objects too deeply" in found


def test_deeply_nested_property_is_a_feature_problem(write_fc):
    deep: Any = "x"
    for _ in range(200):
        deep = [deep]
    found = problems_of(write_fc([feature("deep", point(X, Y), note=deep)]))
    assert any("feature deep: property 'note' nests" in p for p in found), found


def test_wrong_crs_member_is_a_problem(write_fc):
    member = {"type": "name", "properties": ["EPSG:4544"]}
    assert problems_of(write_fc([feature("a", point(X, Y))], crs=member)) == []
    member = {"type": "name", "properties": {"name": "no such crs"}}
    found = problems_of(write_fc([feature("a", point(X, Y))], crs=member))
    assert any("not a known CRS" in p for p in found), found


# --------------------------------------------------------------------------- encodings
@pytest.fixture
def gbk_shapefile(tmp_path: Path) -> Path:
    """A shapefile whose .dbf is GBK and which has no .cpg, as Chinese desktop GIS writes."""
    path = tmp_path / "parks.shp"
    gdf = frame([Point(X, Y)], name_zh=["沙坪坝公园"])
    pyogrio.write_dataframe(gdf, path, encoding="gbk")
    path.with_suffix(".cpg").unlink()
    return path


def test_gbk_shapefile_without_cpg_is_refused_with_the_fix(gis_layers, gbk_shapefile):
    with pytest.raises(LayerValidationError) as err:
        add_layer(gbk_shapefile, "parks", "公园", "Parks", "wgs84")
    message = str(err.value)
    assert "feature park-0" in message
    assert "GBK read with the wrong encoding (it reads '沙坪坝公园')" in message
    assert "--encoding gbk" in message
    assert not (gis_layers / "parks.geojson").exists()


def test_gbk_shapefile_is_read_with_encoding(gis_layers, gbk_shapefile, capsys):
    rc = main(
        [
            "add-layer",
            str(gbk_shapefile),
            "--id",
            "parks",
            "--title-zh",
            "公园",
            "--title-en",
            "Parks",
            "--crs",
            "wgs84",
            "--encoding",
            "gbk",
        ]
    )
    assert rc == 0, capsys.readouterr().err
    stored = json.loads((gis_layers / "parks.geojson").read_text(encoding="utf-8"))
    assert stored["features"][0]["properties"]["name_zh"] == "沙坪坝公园"


def test_validate_reads_with_encoding_too(gbk_shapefile):
    assert problems_of(gbk_shapefile)
    assert problems_of(gbk_shapefile, encoding="gbk") == []


def test_gbk_csv_is_read_with_encoding(tmp_path):
    path = tmp_path / "sites.csv"
    header = "id,name_zh,name_en,kind,plan_ref,geometry_source,accuracy_m,lon,lat\n"
    row = f"a,重庆大学,CQU,university,p:L1,digitized,50,{X},{Y}\n"
    path.write_bytes((header + row).encode("gbk"))
    assert any("--encoding gbk" in p for p in problems_of(path))
    gdf = read_layer_file(path, encoding="gbk")
    assert gdf["name_zh"].tolist() == ["重庆大学"]


def test_unknown_encoding_is_named(tmp_path, write_fc):
    path = write_fc([feature("a", point(X, Y))])
    assert any("unknown encoding 'klingon'" in p for p in problems_of(path, encoding="klingon"))


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("沙坪坝".encode("gbk").decode("latin-1"), "沙坪坝"),
        ("沙坪坝".encode().decode("latin-1"), "沙坪坝"),
        ("Café crème", None),
        ("Zürich", None),
        ("沙坪坝", None),
        ("plain", None),
    ],
)
def test_garbled_text_is_recognised_and_genuine_text_is_not(text, reading):
    found = garbled_reading(text)
    assert (found[1] if found else None) == reading


# --------------------------------------------------------------------------- GeoPackage layers
@pytest.fixture
def two_layer_gpkg(tmp_path: Path) -> Path:
    path = tmp_path / "two.gpkg"
    pyogrio.write_dataframe(frame([Point(X, Y)]), path, layer="sites")
    parks = frame([box(X, Y, X + 0.01, Y + 0.01)], id=["park-b"])
    pyogrio.write_dataframe(parks, path, layer="parks")
    return path


def test_multi_layer_geopackage_needs_layer_and_lists_them(two_layer_gpkg):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no raw library warning either
        with pytest.raises(LayerValidationError) as err:
            read_input_document(two_layer_gpkg, "wgs84")
    message = str(err.value)
    assert "the file holds 2 layers: sites (Point), parks (Polygon)" in message
    assert "--layer NAME" in message


def test_layer_option_chooses_the_layer(two_layer_gpkg):
    gdf = read_layer_file(two_layer_gpkg, layer="parks")
    assert gdf["id"].tolist() == ["park-b"]
    assert gdf.geom_type.tolist() == ["Polygon"]
    with pytest.raises(LayerValidationError, match="no layer 'roads' in the file; it holds: sites"):
        read_layer_file(two_layer_gpkg, layer="roads")


def test_layer_option_on_a_geojson_is_refused(write_fc):
    path = write_fc([feature("a", point(X, Y))])
    assert any("holds one layer" in p for p in problems_of(path, layer="x"))


# --------------------------------------------------------------------------- measures, any format
def test_measures_read_geopackage_shapefile_and_csv(tmp_path, capsys):
    # a 1 km square in CGCS2000 / GK CM 105E: 1 000 000 m2 up to the projection's scale
    x0, y0 = 640_000.0, 3_272_000.0
    square = frame([box(x0, y0, x0 + 1000, y0 + 1000)], crs=4544)
    for suffix in (".gpkg", ".shp"):
        path = tmp_path / f"square{suffix}"
        square.to_file(path)
        assert main(["area", str(path), "--format", "csv"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert float(out[1].split(",")[3]) == pytest.approx(1e6, rel=2e-3)
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "id,name_zh,name_en,kind,plan_ref,geometry_source,accuracy_m,lon,lat\n"
        f"a,甲,A,k,p:L1,digitized,50,{X},{Y}\nb,乙,B,k,p:L1,digitized,50,{X + 0.01},{Y}\n",
        encoding="utf-8",
    )
    assert main(["near", str(sites), str(tmp_path / "square.gpkg"), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("a,name_a,b,name_b,dist_m\na,甲,park-0")


# --------------------------------------------------------------------------- one validation path
def test_infinite_or_nan_accuracy_is_refused(write_fc):
    for value in ("Infinity", "NaN", "-Infinity"):
        text = json.dumps({"type": "FeatureCollection", "features": [feature("a", point(X, Y))]})
        path = write_fc(text.replace('"accuracy_m": 100', f'"accuracy_m": {value}'))
        assert any("accuracy_m" in p and "not a finite number" in p for p in problems_of(path))


def test_infinite_property_is_refused(write_fc):
    text = json.dumps({"type": "FeatureCollection", "features": [feature("a", point(X, Y))]})
    path = write_fc(text.replace('"kind": "test"', '"kind": "test", "area": Infinity'))
    assert any("property 'area' holds NaN or Infinity" in p for p in problems_of(path))


def test_geometry_collection_is_called_unsupported(write_fc):
    geom = {"type": "GeometryCollection", "geometries": [point(X, Y)]}
    (found,) = problems_of(write_fc([feature("gc", geom)]))
    assert "GeometryCollection is not supported" in found
    assert "one feature per member geometry" in found
    assert "empty" not in found


BAD_FOR_BOTH = {
    "mixed types": (
        [
            feature("a", point(X, Y)),
            feature("b", LineString([CQU_A, (X + 0.01, Y)]).__geo_interface__),
        ],
        "wgs84",
    ),
    "point at 1e308 in EPSG:4544": ([feature("far", point(1e308, 1e308))], "EPSG:4544"),
    "infinite accuracy": ([feature("a", point(X, Y), accuracy_m=float("inf"))], "wgs84"),
}


@pytest.mark.parametrize("case", list(BAD_FOR_BOTH))
def test_validate_refuses_what_add_layer_refuses(gis_layers, write_fc, case):
    features, crs = BAD_FOR_BOTH[case]
    path = write_fc(features)
    assert main(["validate", str(path), "--crs", crs]) == 1
    with pytest.raises(LayerValidationError):
        add_layer(path, "bad", "坏", "Bad", crs)


# --------------------------------------------------------------------------- size limits
def test_oversized_file_is_refused_before_reading(gis_layers, write_fc, monkeypatch):
    path = write_fc([feature("a", point(X, Y))])
    monkeypatch.setattr(limits, "MAX_INPUT_BYTES", 100)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read"))
    with pytest.raises(LayerValidationError) as err:
        add_layer(path, "big", "大", "Big", "wgs84")
    assert "more than the limit of 0.0 MB per input" in str(err.value)
    assert "ogr2ogr -simplify" in str(err.value)


def test_too_many_features_or_vertices_are_refused(write_fc, monkeypatch):
    line = {"type": "LineString", "coordinates": [[X + i * 1e-4, Y] for i in range(50)]}
    path = write_fc([feature(f"f{i}", line) for i in range(3)])
    monkeypatch.setattr(limits, "MAX_VERTICES", 149)
    (found,) = problems_of(path)
    assert "150 vertices, more than the limit of 149 per layer" in found
    monkeypatch.setattr(limits, "MAX_FEATURES", 2)
    (found,) = problems_of(path)
    assert "3 features, more than the limit of 2 per layer" in found


def test_geopackage_feature_count_is_checked_before_reading(two_layer_gpkg, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FEATURES", 0)
    monkeypatch.setattr(pyogrio, "read_dataframe", lambda *a, **k: pytest.fail("read"))
    with pytest.raises(LayerValidationError, match="1 features, more than the limit of 0"):
        read_input_document(two_layer_gpkg, "wgs84", layer="parks")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_on_a_terminal_only(monkeypatch):
    monkeypatch.setattr(limits, "PROGRESS_EVERY", 10)
    shown, quiet = _Terminal(), io.StringIO()
    for stream in (shown, quiet):
        progress = limits.Progress("reading big.geojson", 25, stream)
        for _ in range(25):
            progress.step()
    assert shown.getvalue().splitlines() == [
        "reading big.geojson: 10/25 features",
        "reading big.geojson: 20/25 features",
    ]
    assert quiet.getvalue() == ""


def test_maps_skip_a_layer_over_the_limit(gis_layers, monkeypatch):
    from geo.data.catalog import read_catalog
    from geo.project import load_for_maps

    # the district rectangle and the sites pass; the derived cluster discs do not
    monkeypatch.setattr(limits, "MAX_VERTICES", 50)
    layers, skipped = load_for_maps(read_catalog())
    assert sorted(layers) == ["district", "sites"]
    (message,) = skipped
    assert message.startswith("layer clusters not drawn: ")
    assert "vertices, more than the limit of 50 per layer; simplify it" in message


# --------------------------------------------------------------------------- smaller checks
def test_zones_must_be_polygons(gis_layers, capsys):
    assert main(["zones", "sites", "--in", "sites"]) == 2
    assert "sites holds points, which have no area: zones must be polygons" in (
        capsys.readouterr().err
    )


def test_overlap_says_lines_have_no_area(gis_layers, tmp_path, capsys):
    path = tmp_path / "axis.gpkg"
    frame([LineString([CQU_A, (X + 0.01, Y)])], id=["axis-1"]).to_file(path)
    assert main(["overlap", str(path), "district"]) == 2
    err = capsys.readouterr().err
    assert "holds lines, which have no area" in err
    assert "(no rows)" not in err


ADD_A = ["add-layer", "--id", "a", "--title-zh", "甲", "--title-en", "A"]


@pytest.mark.parametrize("figures", ["99,-1", "0", "9", "2,x"])
def test_figure_numbers_outside_the_plan_are_refused(gis_layers, write_fc, figures, capsys):
    path = write_fc([feature("a", point(X, Y))])
    with pytest.raises(SystemExit) as exit_:
        main([*ADD_A, str(path), "--crs", "wgs84", "--figures", figures])
    assert exit_.value.code == 2
    assert "--figures" in capsys.readouterr().err
    assert not (gis_layers / "a.geojson").exists()


def test_unknown_map_figure_fails_before_loading_layers(gis_layers, monkeypatch, capsys):
    from geo.project import Project

    monkeypatch.setattr(Project, "layers", lambda *a, **k: pytest.fail("layers loaded"))
    assert main(["maps", "--figure", "99", "--basemap", "none"]) == 2
    assert "unknown figure '99'" in capsys.readouterr().err


def test_geojson_encodings(write_fc):
    doc = {"type": "FeatureCollection", "features": [feature("a", point(X, Y), name_zh="沙坪坝")]}
    text = json.dumps(doc, ensure_ascii=False)
    gbk = write_fc(text.encode("gbk"), name="gbk.geojson")
    assert any("not UTF-8" in p and "--encoding gbk" in p for p in problems_of(gbk))
    assert read_layer_file(gbk, encoding="gbk")["name_zh"].tolist() == ["沙坪坝"]
    bom = write_fc(b"\xef\xbb\xbf" + text.encode(), name="bom.geojson")
    assert read_layer_file(bom, encoding="utf-8")["name_zh"].tolist() == ["沙坪坝"]


def test_garbled_text_inside_a_utf8_geojson_is_refused(write_fc):
    garbled = "沙坪坝".encode("gbk").decode("latin-1")
    (found,) = problems_of(write_fc([feature("a", point(X, Y), name_zh=garbled)]))
    assert "feature a: text 'É³Æº°Ó' is GBK read with the wrong encoding" in found
    assert "export it again from the source" in found


def test_a_slow_check_reports_progress_on_stderr(write_fc, monkeypatch, capsys):
    monkeypatch.setattr(limits, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(limits, "PROGRESS_AFTER_S", 0.0)  # as if the check were slow
    path = write_fc([feature(f"p{i}", point(X + i * 1e-3, Y)) for i in range(5)])
    assert problems_of(path) == []
    assert capsys.readouterr().err.splitlines() == [
        "checking layer.geojson: 2/5 features",
        "checking layer.geojson: 4/5 features",
    ]
