"""Adding a layer: any input format, reported fills, validation, one atomic write."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from shapely.geometry import Point, box

from conftest import CQU_A
from geo import _io
from geo._journal import LOCK_NAME
from geo.cli import main
from geo.data.catalog import read_catalog
from geo.data.layers import _load_layer
from geo.errors import CatalogError, LayerValidationError
from geo.gis.registry import (
    PropertyDefaults,
    add_layer,
    catalog_text_with_entry,
    document_from_table,
    fill_properties,
)

GIS = Path(__file__).parent / "data" / "gis"
DRAW = GIS / "draw_export.geojson"
AMAP_CSV = GIS / "amap_points_gcj02.csv"
X, Y = CQU_A
FILL_OPTS = [
    "--kind",
    "sketch",
    "--plan-ref",
    "002_8a077782b689f185.txt:L3",
    "--geometry-source",
    "schematic",
    "--accuracy-m",
    "500",
]


@pytest.fixture
def layers(gis_layers: Path) -> Path:
    return gis_layers


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != LOCK_NAME  # the lock file holds no data
    }


def add_cli(*args: str) -> int:
    return main(["add-layer", *map(str, args)])


# --------------------------------------------------------------------------- Draw control
def test_draw_export_is_accepted_and_every_fill_is_printed(layers, capsys):
    rc = add_cli(
        DRAW,
        "--id",
        "sketch_zone",
        "--title-zh",
        "草图",
        "--title-en",
        "Sketch",
        "--crs",
        "wgs84",
        "--figures",
        "2,5",
        *FILL_OPTS,
    )
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "filled 'id' = 'sketch-zone-1', 'sketch-zone-2' on 2 feature(s) from --id" in out
    assert "filled 'name_zh' = '草图 1', '草图 2'" in out
    assert "filled 'kind' = 'sketch' on 2 feature(s) from --kind" in out
    assert "filled 'accuracy_m' = '500' on 2 feature(s) from --accuracy-m" in out
    spec = read_catalog()["sketch_zone"]
    assert spec.figures == (2, 5)
    # the catalog's figures decide what a figure draws: no code names the new layer
    from geo.figures.specs import figure_by_id

    catalog = read_catalog()
    assert "sketch_zone" in figure_by_id("fig2", catalog).layers
    assert "sketch_zone" in figure_by_id("fig5", catalog).layers
    assert "sketch_zone" not in figure_by_id("fig3", catalog).layers
    assert spec.geometry_type == "Polygon"
    assert spec.file == "sketch_zone.geojson"
    gdf = _load_layer("sketch_zone")
    assert list(gdf["id"]) == ["sketch-zone-1", "sketch-zone-2"]
    assert set(gdf["geometry_source"]) == {"schematic"}
    # the stored file leads with the required properties
    first = json.loads((layers / "sketch_zone.geojson").read_text())["features"][0]
    assert list(first["properties"])[:2] == ["id", "name_zh"]


def test_draw_export_without_fill_options_fails_naming_the_options(layers, capsys):
    before = snapshot(layers)
    rc = add_cli(
        DRAW, "--id", "sketch_zone", "--title-zh", "草图", "--title-en", "Sketch", "--crs", "wgs84"
    )
    err = capsys.readouterr().err
    assert rc == 2
    assert "feature sketch-zone-1: missing required property 'kind'" in err
    assert "or --kind" in err
    assert "or --plan-ref" in err
    assert snapshot(layers) == before


def test_fills_never_overwrite_given_values():
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"id": "mine", "kind": "own"}, "geometry": None},
            {"type": "Feature", "properties": {}, "geometry": None},
        ],
    }
    out, fills = fill_properties(doc, "new_layer", "新", "New", PropertyDefaults(kind="k"))
    props = [f["properties"] for f in out["features"]]
    assert props[0]["id"] == "mine"
    assert props[0]["kind"] == "own"
    assert props[1]["id"] == "new-layer-1"
    assert props[1]["kind"] == "k"
    kind_fill = next(f for f in fills if f.prop == "kind")
    assert kind_fill.feature_ids == ("new-layer-1",)
    assert "plan_ref" not in props[1]  # no default given: left for validation to report
    assert doc["features"][1]["properties"] == {}  # the input is not modified


# --------------------------------------------------------------------------- formats
def test_csv_in_gcj02_is_converted_to_wgs84(layers, capsys):
    rc = add_cli(
        AMAP_CSV,
        "--id",
        "amap_sites",
        "--title-zh",
        "高德点",
        "--title-en",
        "AMap sites",
        "--crs",
        "gcj02",
        "--plan-ref",
        "002_8a077782b689f185.txt:L3",
        "--geometry-source",
        "digitized",
        "--accuracy-m",
        "50",
    )
    assert rc == 0, capsys.readouterr().err
    gdf = _load_layer("amap_sites")
    cqu = gdf.loc[gdf["name_zh"] == "重庆大学A区"].geometry.iloc[0]
    assert cqu.x == pytest.approx(106.46444, abs=2e-6)
    assert cqu.y == pytest.approx(29.56667, abs=2e-6)
    assert "declared gcj02" in read_catalog()["amap_sites"].provenance


def test_csv_declared_wgs84_would_be_placed_elsewhere(layers):
    """The same numbers read as WGS-84 land hundreds of metres away: the datum matters."""
    defaults = PropertyDefaults(plan_ref="p:L1", geometry_source="digitized", accuracy_m=50)
    a = add_layer(AMAP_CSV, "as_gcj", "甲", "A", "gcj02", defaults=defaults).features
    b = add_layer(
        AMAP_CSV, "as_wgs", "乙", "B", "wgs84", defaults=defaults, directory=layers
    ).features
    shift = a.to_crs(4544).distance(b.to_crs(4544))
    assert (shift > 300).all()


def test_csv_location_column_and_bad_rows():
    table = pd.DataFrame(
        {"name_zh": ["甲", "乙", "丙"], "location": [f"{X},{Y}", f"{X}，{Y}", "n/a"]}
    )
    with pytest.raises(LayerValidationError) as err:
        document_from_table(table, "pts.csv")
    assert [p.feature_id for p in err.value.problems] == ["row 4"]
    doc = document_from_table(table.iloc[:2], "pts.csv")
    assert doc["features"][1]["geometry"]["coordinates"] == [X, Y]


def test_csv_without_coordinate_columns():
    with pytest.raises(LayerValidationError, match="no coordinate columns among name, a, b"):
        document_from_table(pd.DataFrame({"name": ["x"], "a": [1], "b": [2]}), "t.csv")


def test_csv_with_swapped_columns_gets_the_design_error(layers, tmp_path):
    path = tmp_path / "swapped.csv"
    path.write_text(f"name_zh,name_en,lon,lat\n甲,A,{Y},{X}\n", encoding="utf-8")
    defaults = PropertyDefaults(
        kind="k", plan_ref="p:L1", geometry_source="digitized", accuracy_m=50
    )
    with pytest.raises(LayerValidationError, match="latitude and longitude are swapped"):
        add_layer(path, "swapped", "甲", "A", "wgs84", defaults=defaults)


def test_gbk_csv_is_refused_with_a_fix(layers, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(f"name_zh,lon,lat\n重庆大学,{X},{Y}\n".encode("gbk"))
    with pytest.raises(LayerValidationError, match="CSV UTF-8"):
        add_layer(path, "gbk", "甲", "A", "wgs84")


def _metric_frame() -> gpd.GeoDataFrame:
    props = {
        "id": ["park-a"],
        "name_zh": ["公园甲"],
        "name_en": ["Park A"],
        "kind": ["park"],
        "plan_ref": ["002_8a077782b689f185.txt:L3"],
        "geometry_source": ["digitized"],
        "accuracy_m": [30.0],
    }
    wgs = gpd.GeoDataFrame(props, geometry=[box(X, Y, X + 0.01, Y + 0.01)], crs=4326)
    return wgs.to_crs(4544)


@pytest.mark.parametrize("suffix", [".gpkg", ".shp"])
def test_geopackage_and_shapefile_in_epsg4544(layers, tmp_path, suffix):
    src = tmp_path / f"parks{suffix}"
    _metric_frame().to_file(src)
    result = add_layer(src, "parks", "公园", "Parks", "EPSG:4544")
    assert result.features.crs.to_epsg() == 4326
    minx, miny, maxx, _ = _load_layer("parks").total_bounds
    assert (minx, miny) == (pytest.approx(X, abs=1e-6), pytest.approx(Y, abs=1e-6))
    assert maxx == pytest.approx(X + 0.01, abs=1e-6)


def test_geopackage_declared_with_the_wrong_crs(layers, tmp_path):
    src = tmp_path / "parks.gpkg"
    _metric_frame().to_file(src)
    with pytest.raises(LayerValidationError, match="says its CRS is EPSG:4544 but wgs84"):
        add_layer(src, "parks", "公园", "Parks", "wgs84")


def test_mixed_geometry_types_are_refused(layers, tmp_path):
    doc = json.loads(DRAW.read_text())
    doc["features"].append(
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [X, Y]}}
    )
    path = tmp_path / "mixed.geojson"
    path.write_text(json.dumps(doc))
    with pytest.raises(LayerValidationError, match="mix geometry types"):
        add_layer(path, "mixed", "混", "Mixed", "wgs84")


def test_ids_must_be_unique_across_layers(layers, tmp_path):
    path = tmp_path / "dupe.csv"
    path.write_text(f"id,name_zh,name_en,lon,lat\nsite-cqu,甲,A,{X},{Y}\n", encoding="utf-8")
    defaults = PropertyDefaults(
        kind="k", plan_ref="p:L1", geometry_source="digitized", accuracy_m=50
    )
    with pytest.raises(LayerValidationError, match="site-cqu: id already used in layer sites"):
        add_layer(path, "dupes", "甲", "A", "wgs84", defaults=defaults)


def test_input_file_is_never_modified(layers):
    before = hashlib.sha256(DRAW.read_bytes()).hexdigest()
    add_layer(
        DRAW,
        "sketch",
        "草图",
        "Sketch",
        "wgs84",
        defaults=PropertyDefaults("k", "p:L1", "schematic", 400),
    )
    assert hashlib.sha256(DRAW.read_bytes()).hexdigest() == before


# --------------------------------------------------------------------------- catalog
def test_catalog_comments_are_kept_and_it_still_parses(layers):
    before = (layers / "catalog.yaml").read_text(encoding="utf-8")
    result = add_layer(
        DRAW,
        "sketch",
        "草图",
        "Sketch",
        "wgs84",
        defaults=PropertyDefaults("k", "p:L1", "schematic", 400),
    )
    after = (layers / "catalog.yaml").read_text(encoding="utf-8")
    assert not result.catalog_rewritten
    assert after.startswith(before)  # appended as text
    assert "# Comments here must survive `geo add-layer`." in after
    assert list(read_catalog().layers) == ["district", "sites", "clusters", "sketch"]


def test_catalog_text_entry_goes_inside_the_layers_list():
    text = (
        "version: 1\nlayers:\n- id: a  # first\n  title_zh: 甲\n  title_en: A\n"
        "  geometry_type: Point\n  role: site\n  group: g\n  style: a\n  file: a.geojson\n"
        "\n# trailing settings\nextra: {keep: true}\n"
    )
    entry = {
        "id": "b",
        "title_zh": "乙",
        "title_en": "B",
        "geometry_type": "Point",
        "role": "site",
        "group": "g",
        "style": "b",
        "file": "b.geojson",
    }
    new, rewritten = catalog_text_with_entry(text, entry, replace=False)
    assert not rewritten
    assert "- id: a  # first" in new
    assert "# trailing settings" in new
    data = yaml.safe_load(new)
    assert [e["id"] for e in data["layers"]] == ["a", "b"]
    assert data["extra"] == {"keep": True}


def test_existing_id_is_refused_without_replace(layers, capsys):
    before = snapshot(layers)
    rc = add_cli(
        DRAW,
        "--id",
        "sites",
        "--title-zh",
        "站点",
        "--title-en",
        "Sites",
        "--crs",
        "wgs84",
        *FILL_OPTS,
    )
    assert rc == 2
    assert "already in the catalog" in capsys.readouterr().err
    assert snapshot(layers) == before


def test_replace_keeps_a_backup_and_the_other_entries(layers, tmp_path, capsys):
    old_bytes = (layers / "sites.geojson").read_bytes()
    path = tmp_path / "sites.csv"
    path.write_text(
        f"name_zh,name_en,lon,lat,cluster\n甲,A,{X},{Y},east\n乙,B,106.31,29.6,west\n",
        encoding="utf-8",
    )
    rc = add_cli(
        path,
        "--id",
        "sites",
        "--title-zh",
        "新站点",
        "--title-en",
        "New sites",
        "--crs",
        "wgs84",
        "--replace",
        "--kind",
        "site",
        "--plan-ref",
        "p:L1",
        "--geometry-source",
        "digitized",
        "--accuracy-m",
        "100",
    )
    out = capsys.readouterr().out
    assert rc == 0, out
    backups = list((layers / ".backup").glob("sites.*.geojson"))
    assert len(backups) == 1
    assert backups[0].read_bytes() == old_bytes
    assert "previous file kept as" in out
    cat = read_catalog()
    assert cat["sites"].title_en == "New sites"
    assert cat["sites"].figures == (3,)  # kept from the previous entry
    assert cat["sites"].style == "rd_platforms"
    assert list(cat.layers) == ["district", "sites", "clusters"]
    assert len(_load_layer("clusters")) == 2  # the derived layer follows the new sites
    assert "# the boundary" in (layers / "catalog.yaml").read_text(encoding="utf-8")


def test_derived_layers_cannot_be_replaced(layers):
    with pytest.raises(CatalogError, match="derived by rule 'groups'"):
        add_layer(DRAW, "clusters", "集群", "Clusters", "wgs84", replace=True)


# --------------------------------------------------------------------------- atomicity
@pytest.mark.parametrize("layer_id", ["fresh_layer", "sites"])
def test_failed_second_rename_leaves_everything_as_before(layers, tmp_path, monkeypatch, layer_id):
    path = tmp_path / "pts.csv"
    path.write_text(f"name_zh,name_en,lon,lat,cluster\n甲,A,{X},{Y},east\n", encoding="utf-8")
    before = snapshot(layers)
    real = _io._replace
    calls: list[str] = []

    def flaky(src, target):
        name = Path(target).name
        if Path(target).parent == layers and not name.startswith("."):  # not the journal
            calls.append(name)
            if name == "catalog.yaml":
                raise OSError("disk full during the catalog rename")
        return real(src, target)

    monkeypatch.setattr(_io, "_replace", flaky)
    defaults = PropertyDefaults("k", "p:L1", "digitized", 50)
    with pytest.raises(OSError, match="disk full"):
        add_layer(
            path, layer_id, "甲", "A", "wgs84", defaults=defaults, replace=layer_id == "sites"
        )
    assert calls[:2] == [f"{layer_id}.geojson", "catalog.yaml"]  # the failure came mid-way
    assert snapshot(layers) == before
    assert not (layers / ".backup").exists()
    monkeypatch.undo()
    assert "fresh_layer" not in read_catalog()


def test_new_layer_file_is_readable_by_others(layers):
    add_layer(
        DRAW,
        "sketch",
        "草图",
        "Sketch",
        "wgs84",
        defaults=PropertyDefaults("k", "p:L1", "schematic", 400),
    )
    assert (layers / "sketch.geojson").stat().st_mode & 0o044 == 0o044


def test_point_helper_sanity():
    # the CQU fixture point lies inside the fixture district
    district = _load_layer(GIS / "layers" / "admin" / "district.geojson")
    assert district.geometry.iloc[0].contains(Point(X, Y))
