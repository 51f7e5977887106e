"""Export for desktop GIS: a styled GeoPackage opened with fiona and pyogrio, GeoJSON + QML."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import fiona
import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point

from geo.cli import main
from geo.data.catalog import read_catalog
from geo.data.layers import _load_layers
from geo.figures.styles.layer_style import category_colors, get_style
from geo.gis.export import gpkg_frame, write_geojson_dir, write_gpkg
from geo.gis.qgis import LAYER_STYLES_COLUMNS, layer_qml, layer_sld

GIS = Path(__file__).parent / "data" / "gis"


@pytest.fixture
def layers(gis_layers: Path) -> Path:
    return gis_layers


@pytest.fixture
def exported(layers, tmp_path):
    cat = read_catalog()
    data = _load_layers(catalog=cat)
    path = write_gpkg(data, cat, tmp_path / "site" / "shapingba.gpkg")
    return path, cat, data


def _qml_root(text: str) -> ET.Element:
    return ET.fromstring(text.split("\n", 1)[1])  # drop the DOCTYPE line


def test_every_layer_with_crs_and_rows_via_fiona(exported):
    path, cat, data = exported
    names = fiona.listlayers(path)
    assert names == [*cat.layers, "layer_styles"]  # derived 'clusters' included
    for lid in cat.layers:
        with fiona.open(path, layer=lid) as src:
            assert src.crs.to_epsg() == 4326
            assert len(src) == len(data[lid])
            ids = sorted(f["properties"]["id"] for f in src)
        assert ids == sorted(data[lid]["id"])


def test_every_layer_with_crs_and_rows_via_pyogrio(exported):
    path, cat, data = exported
    listed = dict(pyogrio.list_layers(path))
    assert set(cat.layers) <= set(listed)
    for lid in cat.layers:
        info = pyogrio.read_info(path, layer=lid)
        assert info["crs"] == "EPSG:4326"
        assert info["features"] == len(data[lid])
        back = pyogrio.read_dataframe(path, layer=lid)
        assert back.crs.to_epsg() == 4326
        # Polygons come back as MultiPolygons: compare shapes, not types
        assert back.geometry.iloc[0].equals(data[lid].geometry.iloc[0])


def test_layer_styles_table_follows_the_qgis_schema(exported):
    path, cat, _ = exported
    with sqlite3.connect(path) as con:
        cols = [r[1] for r in con.execute("PRAGMA table_info(layer_styles)")]
        rows = con.execute(
            "SELECT f_table_name, f_geometry_column, styleQML, styleSLD, useAsDefault "
            "FROM layer_styles"
        ).fetchall()
        geom_cols = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
        registered = con.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
    con.close()
    assert tuple(cols) == LAYER_STYLES_COLUMNS
    assert registered == ("attributes",)
    assert [r[0] for r in rows] == list(cat.layers)
    for table, geom_col, qml, sld, default in rows:
        assert geom_col == geom_cols[table]
        assert default == 1
        assert _qml_root(qml).tag == "qgis"
        assert ET.fromstring(sld.encode()).tag.endswith("StyledLayerDescriptor")


def test_layer_styles_readable_through_ogr(exported):
    path, cat, _ = exported
    styles = pyogrio.read_dataframe(path, layer="layer_styles")
    assert sorted(styles["f_table_name"]) == sorted(cat.layers)
    assert styles["useAsDefault"].astype(bool).all()


def test_qml_uses_the_map_colours_per_category(layers):
    cat = read_catalog()
    sites = _load_layers(["sites"], catalog=cat)["sites"]
    root = _qml_root(layer_qml(cat["sites"], sites))
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol"
    assert renderer.get("attr") == "kind"
    want = category_colors(get_style("rd_platforms"), sites["kind"])
    cats = {c.get("value"): c.get("symbol") for c in renderer.iter("category")}
    assert set(cats) == set(want)
    for value, sym in cats.items():
        symbol = renderer.find(f"symbols/symbol[@name='{sym}']")
        color = symbol.find("layer/Option/Option[@name='color']").get("value")
        h = want[value].lstrip("#")
        assert color.split(",")[:3] == [str(int(h[i : i + 2], 16)) for i in (0, 2, 4)]


def test_schematic_layers_are_dashed_and_others_are_not(exported):
    _, cat, data = exported
    clusters = _qml_root(layer_qml(cat["clusters"], data["clusters"]))
    styles = {o.get("value") for o in clusters.iter("Option") if o.get("name") == "outline_style"}
    assert styles == {"dash"}
    assert "stroke-dasharray" in layer_sld(cat["clusters"], data["clusters"])
    # the sites layer mixes digitized and schematic points: dashed per feature
    sites = layer_qml(cat["sites"], data["sites"])
    assert "\"geometry_source\" = 'schematic'" in sites.replace("&quot;", '"')
    district = _qml_root(layer_qml(cat["district"], data["district"]))
    assert district.find("renderer-v2").get("type") == "singleSymbol"
    assert {
        o.get("value") for o in district.iter("Option") if o.get("name") == "outline_style"
    } == {"solid"}


def test_failed_export_leaves_the_previous_geopackage(exported, monkeypatch):
    path, cat, data = exported
    before = path.read_bytes()

    def boom(*_a, **_k):
        raise RuntimeError("style building failed")

    monkeypatch.setattr("geo.gis.export.style_rows", boom)
    with pytest.raises(RuntimeError, match="style building failed"):
        write_gpkg(data, cat, path)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["shapingba.gpkg"]


def test_geojson_dir_has_a_qml_beside_each_layer(layers, tmp_path):
    cat = read_catalog()
    data = _load_layers(catalog=cat)
    files = write_geojson_dir(data, cat, tmp_path / "out")
    assert [f.name for f in files] == [f"{lid}.geojson" for lid in cat.layers]
    for lid in cat.layers:
        assert len(gpd.read_file(tmp_path / "out" / f"{lid}.geojson")) == len(data[lid])
        assert _qml_root((tmp_path / "out" / f"{lid}.qml").read_text()).tag == "qgis"


def test_list_columns_become_json_text():
    gdf = gpd.GeoDataFrame(
        {"id": ["a", "b"], "members": [["甲", "乙"], None], "mixed": [1, "x"]},
        geometry=[Point(106.4, 29.6), Point(106.41, 29.6)],
        crs=4326,
    )
    out = gpkg_frame(gdf)
    assert out["members"].tolist() == ['["甲", "乙"]', None]
    assert out["mixed"].tolist() == ["1", "x"]


def test_cli_export(layers, tmp_path, capsys):
    gpkg, gj = tmp_path / "site" / "s.gpkg", tmp_path / "gj"
    assert main(["export", "--gpkg", str(gpkg), "--geojson", str(gj)]) == 0
    out = capsys.readouterr().out
    assert "wrote 3 layer(s) with QGIS styles" in out
    assert fiona.listlayers(gpkg)[:3] == ["district", "sites", "clusters"]
    assert sorted(p.name for p in gj.iterdir())[:2] == ["clusters.geojson", "clusters.qml"]
    assert main(["export"]) == 2
