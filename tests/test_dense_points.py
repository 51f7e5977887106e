"""Large point layers: a compact encoding on the web map, one light scatter in print.

A layer of 100 000 firms on Figure 2 gives a page of a few megabytes (one canvas and
two JSON values), not one GeoJSON feature and popup per point; ``geo add-layer``
accepts point layers beyond the 10 000 features other layers are held to.
"""

from __future__ import annotations

import base64
import json
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import limits
from geo.data.catalog import Catalog, LayerSpec
from geo.figures.specs import figure_by_id
from geo.maps import render_html
from geo.maps.builder import build_map
from geo.maps.dense_points import encode_points, point_names
from geo.project import Project

N_FIRMS = 100_000
HOSTILE = "</script><img src=x onerror=alert(1)>{{7*7}}${x}"
#: The page at 1e5 points before large layers were drawn densely: 106 MB.
PAGE_LIMIT_BYTES = 10 * 1024 * 1024


def _firms(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    x = rng.uniform(106.25, 106.50, n)
    y = rng.uniform(29.45, 29.75, n)
    names = [f"企业{i}" for i in range(n)]
    names[7] = HOSTILE
    return gpd.GeoDataFrame(
        {
            "id": [f"f{i}" for i in range(n)],
            "name_zh": names,
            "name_en": [f"Firm {i}" for i in range(n)],
            "kind": "企业",
            "plan_ref": "registry 2026",
            "geometry_source": "surveyed",
            "accuracy_m": 10.0,
        },
        geometry=shapely.points(x, y),
        crs="EPSG:4326",
    )


def _offsets(data: str, wide: bool) -> np.ndarray:
    """Decode the page's bytes independently of the module: little-endian pairs."""
    return np.frombuffer(base64.b64decode(data), dtype="<i4" if wide else "<u2")


# --------------------------------------------------------------------------- encoding
def test_encoding_round_trip_is_within_1e_5_degrees() -> None:
    rng = np.random.default_rng(3)
    lon = rng.uniform(106.25, 106.50, 5000)
    lat = rng.uniform(29.45, 29.75, 5000)
    enc = encode_points(lon, lat)
    q = _offsets(enc.data, enc.wide).astype(float)
    assert not enc.wide
    assert len(base64.b64decode(enc.data)) == 4 * 5000  # two uint16 a point
    assert np.abs(enc.x0 + q[0::2] * enc.step - lon).max() <= 1e-5
    assert np.abs(enc.y0 + q[1::2] * enc.step - lat).max() <= 1e-5


def test_a_wide_layer_uses_32_bit_offsets_and_keeps_its_precision() -> None:
    lon = np.array([100.0, 106.123456, 110.987654])
    lat = np.array([20.0, 29.5, 35.000004])
    enc = encode_points(lon, lat)
    q = _offsets(enc.data, enc.wide).astype(float)
    assert enc.wide
    assert np.abs(enc.x0 + q[0::2] * enc.step - lon).max() <= 1e-5
    assert np.abs(enc.y0 + q[1::2] * enc.step - lat).max() <= 1e-5


def test_a_point_without_chinese_name_is_named_in_english_then_by_id() -> None:
    gdf = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"], "name_zh": ["甲", None, " "], "name_en": ["A", "B", ""]},
        geometry=shapely.points([0, 1, 2], [0, 1, 2]),
    )
    assert point_names(gdf) == ["甲", "B", "c"]


# --------------------------------------------------------------------------- the page
@pytest.fixture(scope="module")
def firms_page() -> str:
    project = Project()
    cat = project.catalog
    spec = LayerSpec("firms", "企业", "Firms", "Point", "site", "企业", (2,), "firms")
    catalog = Catalog({**cat.layers, "firms": spec})
    layers = dict(project.layers())
    layers["firms"] = _firms(N_FIRMS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = build_map(figure_by_id("fig2", catalog), layers, catalog, basemap="none")
        return render_html(m, offline=True)


def _payload(page: str) -> dict:
    found = re.search(r"var d = (\{.*?\});\n", page)
    assert found, "no dense layer on the page"
    return json.loads(found.group(1))


def test_100k_points_make_a_page_under_10_mb(firms_page: str) -> None:
    page = firms_page
    assert len(page.encode("utf-8")) <= PAGE_LIMIT_BYTES
    assert page.count("企业9999") < 20  # names once each, not in a feature and a popup


def test_the_page_carries_every_point_and_name_once(firms_page: str) -> None:
    d = _payload(firms_page)
    q = _offsets(d["xy"], d["wide"]).astype(float)
    expected = _firms(N_FIRMS)
    assert len(q) == 2 * N_FIRMS
    assert np.abs(d["x0"] + q[0::2] * d["step"] - expected.geometry.x).max() <= 1e-5
    assert np.abs(d["y0"] + q[1::2] * d["step"] - expected.geometry.y).max() <= 1e-5
    assert len(d["names"]) == N_FIRMS
    assert d["names"][7] == HOSTILE  # as data, exactly as written


def test_a_name_never_reaches_the_page_as_markup(firms_page: str) -> None:
    page = firms_page
    assert "<img src=x" not in page
    assert "</script><img" not in page
    assert "\\u003c/script\\u003e\\u003cimg src=x" in page  # a JSON string, inert
    assert "{{7*7}}${x}" in page  # no template pass evaluated it


def test_the_figure_keeps_its_other_symbols(firms_page: str) -> None:
    page = firms_page
    assert '企业 \\u003cspan class=\\"geo-en\\"\\u003eFirms' in page  # its legend row
    assert '"Feature"' in page  # the plan's own layers still as features
    assert page.count("geo-l-firms") == 1  # one canvas, no marker per firm


# --------------------------------------------------------------------------- limits
def test_a_point_layer_may_hold_a_million_features_other_layers_ten_thousand() -> None:
    assert limits.layer_size_problem(1_000_000, 1_000_000, points=True) is None
    assert limits.layer_size_problem(1_000_001, 1_000_001, points=True)
    assert limits.layer_size_problem(10_001, 10_001)
    assert limits.layer_size_problem(5_000, 200_001)


@pytest.mark.slow
def test_a_million_points_make_a_page_under_30_mb() -> None:
    project = Project()
    cat = project.catalog
    spec = LayerSpec("firms", "企业", "Firms", "Point", "site", "企业", (2,), "firms")
    catalog = Catalog({**cat.layers, "firms": spec})
    layers = dict(project.layers())
    layers["firms"] = _firms(1_000_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = build_map(figure_by_id("fig2", catalog), layers, catalog, basemap="none")
        page = render_html(m, offline=True)
    assert len(page.encode("utf-8")) <= 30 * 1024 * 1024
    assert len(_payload(page)["names"]) == 1_000_000  # every point, each name once
    assert page.count("企业99999") < 20  # no popup per point: names are looked up on click


# --------------------------------------------------------------------------- print
@pytest.mark.slow
def test_the_print_draws_a_dense_layer_as_one_rasterised_scatter(tmp_path: Path) -> None:
    from geo.printing.figure import draw_figure

    project = Project()
    cat = project.catalog
    spec = LayerSpec("firms", "企业", "Firms", "Point", "site", "企业", (2,), "firms")
    catalog = Catalog({**cat.layers, "firms": spec})
    layers = dict(project.layers())
    layers["firms"] = _firms(20_000)
    fig = draw_figure(figure_by_id("fig2", catalog), layers, catalog)
    dense = [a for a in fig.findobj() if a.get_gid() == "layer-firms-dense"]
    assert len(dense) == 1
    assert dense[0].get_rasterized()
    assert len(dense[0].get_offsets()) == 20_000


# --------------------------------------------------------------------------- add-layer
def _csv(path: Path, n: int) -> Path:
    rng = np.random.default_rng(5)
    x, y = rng.uniform(106.25, 106.50, n), rng.uniform(29.45, 29.75, n)
    rows = "".join(f"企业{i},{a:.6f},{b:.6f}\n" for i, (a, b) in enumerate(zip(x, y, strict=True)))
    path.write_text("name_zh,lon,lat\n" + rows, encoding="utf-8")
    return path


def _add(csv: Path) -> list[str]:
    from geo.cli import main

    return [
        str(main(["add-layer", str(csv), "--id", "firms", "--title-zh", "企业", "--title-en",
                  "Firms", "--crs", "wgs84", "--kind", "firm", "--plan-ref", "registry 2026",
                  "--geometry-source", "surveyed", "--accuracy-m", "10", "--figures", "2"]))
    ]  # fmt: skip


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from geo.cli import main

    assert main(["init", str(tmp_path / "work")]) == 0
    monkeypatch.setenv("GEO_LAYERS_DIR", str(tmp_path / "work" / "layers"))
    return tmp_path / "work" / "layers"


@pytest.mark.slow
def test_add_layer_accepts_100k_points_and_the_layer_reads_back(work: Path) -> None:
    assert _add(_csv(work.parent / "firms.csv", N_FIRMS)) == ["0"]
    assert len(Project(work).layer("firms")) == N_FIRMS


def _firms_csv_rows(path: Path) -> list[tuple[float, float]]:
    """The positions written to a CSV by :func:`_csv`, read back with the csv module."""
    import csv

    with path.open(encoding="utf-8") as fh:
        return [(float(r["lon"]), float(r["lat"])) for r in csv.DictReader(fh)]


@pytest.mark.slow
def test_add_layer_accepts_a_million_points_stored_compactly(work: Path) -> None:
    csv = _csv(work.parent / "firms.csv", 1_000_000)
    assert _add(csv) == ["0"]
    stored = work / "firms.parquet"
    assert stored.stat().st_size <= limits.MAX_INPUT_BYTES  # it reads back through the door
    assert not (work / "firms.geojson").exists()
    layer = Project(work).layer("firms")
    assert len(layer) == 1_000_000
    rows = _firms_csv_rows(csv)
    for i in (0, 123_456, 999_999):
        assert abs(layer.geometry.iloc[i].x - rows[i][0]) <= 1e-6
        assert abs(layer.geometry.iloc[i].y - rows[i][1]) <= 1e-6
    assert layer["name_zh"].iloc[123_456] == "企业123456"


@pytest.mark.slow
def test_add_layer_refuses_more_than_a_million_points_in_one_line(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _add(_csv(work.parent / "firms.csv", 1_000_001)) == ["2"]
    err = capsys.readouterr().err
    assert "firms.csv" in err
    assert "1,000,001 points, more than the limit of 1,000,000 per point layer" in err
    assert "split it into several layers" in err  # the fix
    assert "Traceback" not in err
    assert not (work / "firms.geojson").exists()
    assert not (work / "firms.parquet").exists()


def test_add_layer_refuses_a_layer_file_too_large_to_read_back(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    csv = _csv(work.parent / "firms.csv", 3000)  # about 100 kB in, 800 kB as GeoJSON
    monkeypatch.setattr(limits, "MAX_INPUT_BYTES", 200_000)
    assert _add(csv) == ["2"]
    err = capsys.readouterr().err
    assert "more than the limit of 0.2 MB a layer file may hold" in err
    assert not (work / "firms.geojson").exists()
