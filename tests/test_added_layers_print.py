"""A layer added with ``geo add-layer`` is drawn on the web map and on the print alike.

The documented workflow, end to end: a copy of the data (``geo init``), a point layer
from a CSV, a line layer from GeoJSON and a polygon layer from a shapefile, each added
to Figure 2 with ``--figures``, then the whole site in one ``geo site``.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from pypdf import PdfReader

from geo.cli import main

#: Every test here reads one whole-site build (about a minute).
pytestmark = pytest.mark.slow

#: layer id, input file name, geometry type, a kind no other layer uses (its legend row)
ADDED = (
    ("my_sites", "sites.csv", "Point", "测点甲类"),
    ("my_lines", "lines.geojson", "LineString", "测线乙类"),
    ("my_areas", "areas.shp", "Polygon", "测区丙类"),
)


def _inputs(folder: Path) -> None:
    (folder / "sites.csv").write_text(
        "name_zh,name_en,lon,lat\n测点一,Site one,106.40,29.60\n测点二,Site two,106.42,29.58\n",
        encoding="utf-8",
    )
    line = {"type": "LineString", "coordinates": [[106.40, 29.55], [106.45, 29.60]]}
    props = {"name_zh": "测线一", "name_en": "Line one"}
    doc = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": props, "geometry": line}],
    }
    (folder / "lines.geojson").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    gpd.GeoDataFrame(
        {"name_zh": ["测区一"], "name_en": ["Area one"]},
        geometry=[shapely.box(106.42, 29.56, 106.44, 29.58)],
        crs="EPSG:4326",
    ).to_file(folder / "areas.shp", encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("added")
    mp = pytest.MonkeyPatch()
    try:
        assert main(["init", str(root / "work")]) == 0
        mp.setenv("GEO_LAYERS_DIR", str(root / "work" / "layers"))
        _inputs(root)
        for layer_id, name, gtype, kind in ADDED:
            code = main(
                [
                    "add-layer",
                    str(root / name),
                    "--id",
                    layer_id,
                    "--title-zh",
                    f"新增{gtype}",
                    "--title-en",
                    f"Added {gtype}",
                    "--crs",
                    "wgs84",
                    "--geometry-type",
                    gtype,
                    "--kind",
                    kind,
                    "--plan-ref",
                    "site survey 2026",
                    "--geometry-source",
                    "digitized",
                    "--accuracy-m",
                    "50",
                    "--figures",
                    "2",
                ]
            )
            assert code == 0, layer_id
        # exit 1 only says a layer is not drawn: the shipped clusters are not derivable
        assert main(["site", "--out", str(root / "site"), "--no-thumbnails", "--jobs", "1"]) in (
            0,
            1,
        )
    finally:
        mp.undo()
    return root / "site"


def test_site_builds_every_print(site: Path) -> None:
    for fig in ("fig2", "fig3", "overview"):
        assert (site / "print" / f"{fig}.pdf").stat().st_size > 0
    assert (site / "report.pdf").stat().st_size > 0


@pytest.mark.parametrize(
    ("layer_id", "name_zh"),
    [("my_sites", "测点一"), ("my_lines", "测线一"), ("my_areas", "测区一")],
)
def test_added_layer_is_on_the_web_figure(site: Path, layer_id: str, name_zh: str) -> None:
    page = (site / "fig2.html").read_text(encoding="utf-8")
    assert layer_id in page
    assert name_zh in page


@pytest.mark.parametrize("kind", [k for *_, k in ADDED])
def test_added_layer_is_drawn_on_the_print(site: Path, kind: str) -> None:
    text = PdfReader(site / "print" / "fig2.pdf").pages[0].extract_text()
    legend = text[text.index("图例 Legend") :]
    assert kind in legend  # the legend lists only the classes actually drawn


def test_added_points_are_not_in_the_not_located_list(site: Path) -> None:
    text = PdfReader(site / "print" / "fig2.pdf").pages[0].extract_text()
    listed = text.split("Not located precisely enough to draw:")[-1].split("图 2：")[0]
    assert "测点一" not in listed


@pytest.mark.parametrize(("gtype", "kind"), [(g, k) for _, _, g, k in ADDED])
def test_added_layer_is_named_in_the_print_legend(site: Path, gtype: str, kind: str) -> None:
    text = PdfReader(site / "print" / "fig2.pdf").pages[0].extract_text()
    legend = text[text.index("图例 Legend") :]
    # its one class has no name of its own: the row names the layer, as the web legend does
    assert f"新增{gtype} Added {gtype} · {kind}" in legend
