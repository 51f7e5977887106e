"""Size, depth and shape limits at the door, and special files refused before opening.

Built from a tester's reproductions: wrongly shaped POI GeoJSON gave seven kinds of
traceback, 100 000-deep JSON a RecursionError, a FIFO hung the reader, a 78 MB
export took minutes and gigabytes and printed a 160 MB table, YAML aliases in the
catalog exploded later commands, and ``match`` advised a ``--layer`` it did not have.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from conftest import feature, point
from geo import limits
from geo.claims.ledger import read_ledger
from geo.cli import main
from geo.data.catalog import read_catalog
from geo.data.gazetteer import load_gazetteer
from geo.data.inputs import validate_file
from geo.errors import (
    CatalogError,
    CatalogFileError,
    GazetteerFileError,
    LayerValidationError,
    LedgerFileError,
)
from geo.gis.poi import read_points

LAYERS = Path(__file__).resolve().parents[1] / "layers"


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging when the block runs longer than ``seconds``."""

    def _raise(*_: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _poi_problems(path: Path, crs: str = "wgs84") -> list[str]:
    with pytest.raises(LayerValidationError) as info:
        read_points(path, crs)
    return [f"{p.feature_id}: {p.problem}" for p in info.value.problems]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": 5}]},
            "-: features[0].geometry: expected an object, got a number (5)",
        ),
        (
            {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": [1, 2]}]},
            "-: features[0].properties: expected an object, got a list ([1, 2])",
        ),
        (
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": 5}}],
            },
            "-: features[0].geometry.coordinates: expected [lon, lat], got a number (5)",
        ),
        (
            {"type": "FeatureCollection", "features": 5},
            "-: features: expected a list of Features, got a number (5)",
        ),
        ({"pois": [5]}, "-: pois[0]: expected an object, got a number (5)"),
        (
            {"results": [{"name": "x", "location": 5}]},
            '-: results[0].location: expected an object {"lng": .., "lat": ..}, got a number (5)',
        ),
    ],
)
def test_poi_json_of_the_wrong_shape_names_the_path(
    tmp_path: Path, doc: object, expected: str
) -> None:
    path = tmp_path / "points.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert _poi_problems(path, "bd09" if "results" in doc else "gcj02") == [expected]


def test_deep_poi_json_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    (found,) = _poi_problems(path)
    assert "too deeply (100000 levels, more than the limit of 512)" in found


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    path = tmp_path / "points.json"
    os.mkfifo(path)
    with deadline(10):
        (found,) = _poi_problems(path)
    assert found == "-: the file is a named pipe (FIFO), not a file"


def test_a_link_to_a_device_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "points.json"
    path.symlink_to("/dev/zero")
    assert _poi_problems(path) == ["-: the file is a device, not a file"]
    path = tmp_path / "layer.geojson"
    path.symlink_to("/dev/zero")
    assert [p.problem for p in validate_file(path)] == ["the file is a device, not a file"]


def test_a_folder_in_place_of_a_layer_is_named(tmp_path: Path) -> None:
    path = tmp_path / "layer.geojson"
    path.mkdir()
    (problem,) = validate_file(path)
    assert (problem.problem, problem.fix) == (
        "the file is a folder, not a file",
        "give a regular file",
    )


def test_an_oversized_poi_file_is_refused_by_its_size(tmp_path: Path) -> None:
    path = tmp_path / "amap.json"
    with path.open("wb") as f:  # sparse: no disk is used
        f.truncate(limits.MAX_INPUT_BYTES + 1)
    started = time.monotonic()
    (found,) = _poi_problems(path, "gcj02")
    assert time.monotonic() - started < 1.0
    assert found == "-: the file is 50.0 MB, more than the limit of 50.0 MB"


def test_too_many_points_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FEATURES", 2)
    path = tmp_path / "points.csv"
    path.write_text("name,lon,lat\n" + "a,106.46,29.56\n" * 3, encoding="utf-8")
    assert _poi_problems(path) == ["-: 3 points, more than the limit of 2"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("catalog.yaml", "gazetteer.csv", "claims.csv"):
        shutil.copy(LAYERS / name, tmp_path / name)
    return tmp_path


def _laughs(levels: int) -> str:
    """YAML nesting ``levels`` lists of three aliases each (3 ** levels "lol"s)."""
    lines = ["a0: &a0 [lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, levels + 1)]
    return "".join(f"  {line}\n" for line in lines)


def test_yaml_aliases_within_the_budget_load(folder: Path) -> None:
    path = folder / "catalog.yaml"
    path.write_text("laughs:\n" + _laughs(3) + path.read_text(encoding="utf-8"))
    assert len(read_catalog(path)) > 0  # 9 aliases


def test_yaml_billion_laughs_is_refused(folder: Path) -> None:
    path = folder / "catalog.yaml"
    text = path.read_text(encoding="utf-8").replace("title_en: ", "title_en: *a19 # ", 1)
    path.write_text("laughs:\n" + _laughs(19) + text)  # 3 ** 19: a billion entries
    with (
        deadline(10),
        pytest.raises(
            CatalogFileError, match=r"uses 58 aliases \(\*name\), more than the limit of 10"
        ),
    ):
        read_catalog(path)


def test_a_catalog_title_that_is_not_text_is_refused(folder: Path) -> None:
    path = folder / "catalog.yaml"
    text = path.read_text(encoding="utf-8").replace("title_en: ", "title_en: [a, b] # ", 1)
    path.write_text(text)
    with pytest.raises(CatalogError, match="layer district: title_en must be text"):
        read_catalog(path)


def test_a_catalog_over_the_layer_limit_is_refused(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_CATALOG_LAYERS", 3)
    with pytest.raises(CatalogFileError, match=r"layers: \d+ layers, more than the limit of 3"):
        read_catalog(folder / "catalog.yaml")


def test_a_data_file_over_its_limit_is_refused(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_DATA_FILE_BYTES", 1000)
    with pytest.raises(GazetteerFileError, match=r"more than the limit of 0\.0 MB"):
        load_gazetteer(folder / "gazetteer.csv")


def test_gazetteer_unterminated_quote_names_the_row(folder: Path) -> None:
    path = folder / "gazetteer.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines[:5], '"unterminated,' + lines[5]]), encoding="utf-8")
    with pytest.raises(GazetteerFileError) as info:
        load_gazetteer(path)
    assert str(info.value).startswith(f"{path}: row 6: ")
    assert "fix: " in str(info.value)


def test_the_printed_review_table_is_capped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(limits, "MAX_PRINTED_ROWS", 2)
    path = tmp_path / "points.csv"
    path.write_text("name,lon,lat\n" + "重庆大学,106.4662,29.5665\n" * 5, encoding="utf-8")
    assert main(["gazetteer", "match", str(path), "--crs", "wgs84"]) == 0
    out = capsys.readouterr().out
    assert "… 3 more rows; use --format csv" in out
    assert main(["gazetteer", "match", str(path), "--crs", "wgs84", "--format", "csv"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 6  # header and every row


def test_match_reads_the_geopackage_layer_it_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "points.gpkg"
    for layer, name in (("campus", "重庆大学"), ("other", "别处")):
        gdf = gpd.GeoDataFrame({"name": [name]}, geometry=[Point(106.4662, 29.5665)], crs=4326)
        gdf.to_file(path, layer=layer, driver="GPKG")
    argv = ["gazetteer", "match", str(path), "--crs", "wgs84"]
    assert main(argv) == 2
    assert "choose one with --layer NAME" in capsys.readouterr().err
    assert main([*argv, "--layer", "campus", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "重庆大学" in out
    assert "别处" not in out


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        ({"geometry": 5}, "features[1].geometry: expected an object, got a number (5)"),
        ({"geometry": "POINT (1 2)"}, "features[1].geometry: expected an object, got text"),
        ({"properties": [1, 2]}, "features[1].properties: 'properties' is a list, not an object"),
    ],
)
def test_a_layer_feature_of_the_wrong_shape_is_one_problem_at_its_path(
    write_fc, spoil: dict[str, object], expected: str
) -> None:
    good = feature("a-1", point(106.4662, 29.5665))
    path = write_fc([good, {**feature("b-1", point(106.4662, 29.5665)), **spoil}])
    (problem,) = validate_file(path)
    assert problem.problem.startswith(expected)


def test_a_ledger_number_that_is_not_one_names_row_and_column(folder: Path) -> None:
    path = folder / "claims.csv"
    head, first, *rest = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = first.split(",")
    column = head.split(",").index("value_si_low")
    cells[column] = "about ten"
    path.write_text("".join([head, ",".join(cells), *rest]), encoding="utf-8")
    with pytest.raises(LedgerFileError) as info:
        read_ledger(path)
    assert str(info.value) == (
        f"{path}: row 2, column value_si_low: 'about ten' is not a number; "
        "fix: write the number in digits (inf for an open upper bound)"
    )


def test_match_reads_a_gbk_point_list_it_is_told_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "points.csv"
    path.write_bytes("name,lon,lat\n重庆大学,106.4662,29.5665\n".encode("gbk"))
    argv = ["gazetteer", "match", str(path), "--crs", "wgs84", "--format", "csv"]
    assert main(argv) == 2
    assert "pass --encoding gbk" in capsys.readouterr().err
    assert main([*argv, "--encoding", "gbk"]) == 0
    assert "重庆大学" in capsys.readouterr().out
