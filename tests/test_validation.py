"""Layer validation: every problem in a file at once, each with feature id and fix."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

from conftest import CQU_A, feature, geo_in_process, point, square
from geo.data.inputs import read_layer_file, validate_file
from geo.data.layers import _load_layer, write_layer
from geo.errors import LayerValidationError

X, Y = CQU_A


def messages(path, **kw) -> str:
    return "\n".join(str(p) for p in validate_file(path, **kw))


def test_clean_file_has_no_problems_and_loads(write_fc):
    path = write_fc([feature("a", point(X, Y)), feature("b", point(X + 0.01, Y))])
    assert validate_file(path) == []
    gdf = read_layer_file(path)
    assert list(gdf["id"]) == ["a", "b"]
    assert gdf.crs.to_epsg() == 4326


def test_missing_required_properties_name_feature_and_property(write_fc):
    path = write_fc([feature("a", point(X, Y), plan_ref=None, accuracy_m=None)])
    text = messages(path)
    assert "feature a: missing required property 'plan_ref'" in text
    assert "feature a: missing required property 'accuracy_m'" in text


def test_duplicate_ids_in_one_file(write_fc):
    path = write_fc([feature("a", point(X, Y)), feature("a", point(X + 0.01, Y))])
    assert "feature a: duplicate id" in messages(path)


def test_duplicate_ids_across_layers(tmp_path, write_fc, monkeypatch):
    write_fc([feature("same", point(X, Y))], name="one.geojson")
    write_fc([feature("same", point(X + 0.01, Y))], name="two.geojson")
    (tmp_path / "catalog.yaml").write_text(
        "version: 1\nlayers:\n"
        + "".join(
            f"  - {{id: {n}, title_zh: 层{n}, title_en: {n}, geometry_type: Point, role: site,"
            f" group: g, style: s, file: {n}.geojson}}\n"
            for n in ("one", "two")
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("GEO_LAYERS_DIR", str(tmp_path))
    from geo.data.layers import validate_catalog

    text = "\n".join(map(str, validate_catalog()))
    assert "feature same: id also used in layer one" in text


def test_self_intersection(write_fc):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[X, Y], [X + 0.01, Y + 0.01], [X + 0.01, Y], [X, Y + 0.01], [X, Y]]],
    }
    path = write_fc([feature("bow", bowtie)])
    assert "feature bow: invalid geometry: Self-intersection" in messages(path)


def test_unclosed_ring(write_fc):
    ring = [[X, Y], [X + 0.01, Y], [X + 0.01, Y + 0.01], [X, Y + 0.01]]
    path = write_fc([feature("open", {"type": "Polygon", "coordinates": [ring]})])
    assert "feature open: unclosed polygon ring" in messages(path)


def test_empty_geometry(write_fc):
    path = write_fc(
        [feature("void", {"type": "Polygon", "coordinates": []}), feature("null", None)]
    )
    text = messages(path)
    assert "feature void: empty geometry" in text
    assert "feature null: geometry is null and no 'place'" in text


def test_lat_lon_swapped(write_fc):
    path = write_fc([feature("swap", point(Y, X))])
    assert "feature swap: latitude and longitude are swapped" in messages(path)


def test_projected_metres_given_as_degrees(write_fc):
    path = write_fc([feature("metres", point(396_000.0, 3_271_000.0))])
    assert "feature metres: coordinates such as (396000.0, 3271000.0) are too large" in messages(
        path
    )


def test_crs_other_than_declared(write_fc):
    member = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4544"}}
    path = write_fc([feature("a", point(X, Y))], crs=member)
    text = messages(path)
    assert "says its CRS is EPSG:4544 but wgs84 was declared" in text


def test_degrees_in_a_file_declared_projected(write_fc):
    path = write_fc([feature("deg", point(X, Y))])
    assert "feature deg: coordinates look like degrees but the declared CRS is EPSG:4544" in (
        messages(path, crs="EPSG:4544")
    )


def test_outside_chongqing(write_fc):
    path = write_fc([feature("bj", point(116.39, 39.9))])  # Beijing
    assert "feature bj: position (116.39000, 39.90000) lies outside Chongqing" in messages(path)


def test_projected_input_that_lands_outside_chongqing(write_fc):
    # Valid EPSG:4544 numbers, but for a place far east of Chongqing
    path = write_fc([feature("far", point(1_500_000.0, 3_300_000.0))])
    with pytest.raises(LayerValidationError, match="far: after reprojection"):
        read_layer_file(path, crs="EPSG:4544")


def test_non_utf8(write_fc):
    doc = {"type": "FeatureCollection", "features": [feature("gbk", point(X, Y))]}
    path = write_fc(json.dumps(doc, ensure_ascii=False).encode("gbk"))
    text = messages(path)
    assert "not UTF-8" in text
    assert "re-save the file as UTF-8" in text


def test_broken_json(write_fc):
    path = write_fc('{"type": "FeatureCollection", "features": [')
    assert "broken JSON at line 1" in messages(path)


def test_empty_file(write_fc):
    assert "the file is empty" in messages(write_fc(""))
    assert "has no features" in messages(write_fc([]))


def test_all_problems_reported_at_once(write_fc):
    path = write_fc(
        [
            feature("a", point(Y, X)),
            feature("b", point(X, Y), name_zh=None),
            feature("b", square(X, Y), geometry_source="guessed"),
        ]
    )
    with pytest.raises(LayerValidationError) as err:
        read_layer_file(path)
    ids = [p.feature_id for p in err.value.problems]
    assert ids.count("a") == 1
    assert ids.count("b") == 3
    assert str(path) in str(err.value)


def test_schematic_may_not_claim_fine_accuracy(write_fc):
    path = write_fc([feature("s", square(X, Y), geometry_source="schematic", accuracy_m=50)])
    assert "feature s: schematic geometry claims accuracy_m 50 < 300" in messages(path)


def test_input_files_are_never_modified(write_fc):
    path = write_fc([feature("a", point(Y, X)), feature("b", point(X, Y))])
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    validate_file(path)
    with pytest.raises(LayerValidationError):
        read_layer_file(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_gcj02_input_is_converted_on_load(write_fc):
    from geo.data.crs import wgs84_to_gcj02

    gx, gy = wgs84_to_gcj02(X, Y)
    path = write_fc([feature("g", point(float(gx), float(gy)))])
    gdf = read_layer_file(path, crs="gcj02")
    assert gdf.geometry[0].x == pytest.approx(X, abs=1e-7)
    assert gdf.geometry[0].y == pytest.approx(Y, abs=1e-7)


def test_epsg4544_input_is_reprojected(write_fc):
    from pyproj import Transformer

    ex, ey = Transformer.from_crs(4326, 4544, always_xy=True).transform(X, Y)
    path = write_fc([feature("m", point(ex, ey))])
    gdf = read_layer_file(path, crs="EPSG:4544")
    assert gdf.geometry[0].x == pytest.approx(X, abs=1e-7)


def test_unknown_layer_is_a_clear_error():
    from geo.errors import UnknownLayerError

    with pytest.raises(UnknownLayerError, match=r"unknown layer 'nosuch\.geojson'"):
        _load_layer("nosuch.geojson")


def test_write_layer_is_atomic_and_round_trips(tmp_path, write_fc, monkeypatch):
    gdf = read_layer_file(write_fc([feature("a", point(X, Y))]))
    dest = tmp_path / "out" / "a.geojson"
    write_layer(gdf, dest)
    assert read_layer_file(dest).geometry[0].equals(gdf.geometry[0])

    # A failure during the write leaves the previous file intact and no temp file.
    before = dest.read_bytes()

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        write_layer(gdf.assign(name_zh="改"), dest)
    assert dest.read_bytes() == before
    assert [p.name for p in dest.parent.iterdir()] == ["a.geojson"]


def test_cli_validate_exit_codes(write_fc, capsys):
    good = write_fc([feature("a", point(X, Y))], name="good.geojson")
    bad = write_fc([feature("a", point(Y, X)), feature("b", None)], name="bad.geojson")
    ok = geo_in_process(capsys, "validate", str(good))
    assert ok.returncode == 0, ok.stderr
    run = [sys.executable, "-m", "geo", "validate"]  # the status a real process exits with
    ko = subprocess.run([*run, str(bad)], capture_output=True, text=True, check=False)
    assert ko.returncode == 1
    assert "2 problem(s)" in ko.stderr
    assert "feature a: latitude and longitude are swapped" in ko.stderr
    assert "feature b: geometry is null" in ko.stderr


def test_a_problem_on_many_features_is_one_line_and_each_other_problem_its_own(write_fc, capsys):
    feats = [feature(f"p{i}", point(X + i * 1e-4, Y), kind="") for i in range(1, 51)]
    feats.append(feature("q", None))
    bad = write_fc(feats, name="many.geojson")
    ko = geo_in_process(capsys, "validate", str(bad))
    assert ko.returncode == 1
    lines = [line for line in ko.stderr.splitlines() if line.startswith("  - ")]
    assert "51 problem(s)" in ko.stderr  # each one counted
    assert len(lines) == 2, lines
    assert "50 features (p1, p2, p3 … p50)" in lines[0]
    assert "'kind'" in lines[0]
    assert "feature q: geometry is null" in lines[1]
    with pytest.raises(LayerValidationError) as err:
        read_layer_file(bad)
    assert len(err.value.problems) == 51  # the exception keeps every one
    assert len(str(err.value).splitlines()) == 3
