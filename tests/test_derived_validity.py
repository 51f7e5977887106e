"""Every layer, derived ones included, is valid in EPSG:4326 and EPSG:4544 and exports.

QGIS clip and GEOS refuse invalid shapes; the derived ``cities`` once were
self-intersecting after reprojection. These tests load the real catalog, check
every geometry in both CRSs, run ``geo validate --all`` and export every layer
to a GeoJSON folder and a GeoPackage that are read back with pyogrio.
"""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from geo.cli import main
from geo.data import derive
from geo.data.catalog import read_catalog
from geo.data.crs import METRIC_CRS
from geo.data.layers import _load_layers
from geo.errors import LayerValidationError
from geo.gis.export import write_geojson_dir, write_gpkg


def invalid_ids(gdf: gpd.GeoDataFrame) -> dict[str, list[str]]:
    """Ids of features invalid as stored and in the metric CRS."""
    metric = gdf.to_crs(METRIC_CRS)
    return {
        "4326": list(gdf.loc[~gdf.geometry.is_valid, "id"]),
        "4544": list(metric.loc[~metric.geometry.is_valid, "id"]),
    }


@pytest.fixture(scope="module")
def real():
    cat = read_catalog()
    return cat, _load_layers(catalog=cat)


def test_every_real_layer_is_valid_in_both_crs(real):
    cat, layers = real
    derived = [s.id for s in cat if s.is_derived]
    assert "cities" in derived
    bad = {lid: invalid_ids(gdf) for lid, gdf in layers.items()}
    assert {lid: ids for lid, ids in bad.items() if ids["4326"] or ids["4544"]} == {}


def test_valid_area_survives_reprojection_of_touching_parts():
    # Two squares meeting at a point that lies on the other's edge, in metres.
    x0, y0 = 400_000.0, 3_270_000.0
    a = box(x0, y0, x0 + 1000, y0 + 1000)
    b = Polygon([(x0 + 1000, y0 + 500), (x0 + 2000, y0 + 200), (x0 + 2000, y0 + 800)])
    bowtie = Polygon([(x0, y0), (x0 + 10, y0 + 10), (x0 + 10, y0), (x0, y0 + 10)])
    for geom in (MultiPolygon([a, b]), bowtie):
        out = derive.valid_area(geom)
        assert out.is_valid
        assert out.geom_type in ("Polygon", "MultiPolygon")
        stored = gpd.GeoSeries([out], crs=METRIC_CRS).to_crs(4326)
        assert stored.is_valid.all()
        assert stored.to_crs(METRIC_CRS).is_valid.all()
    assert derive.valid_area(MultiPolygon([a, b])).area == pytest.approx(a.area + b.area)
    assert derive.valid_area(bowtie).area == pytest.approx(50.0)  # both lobes kept


def test_validate_all_passes_on_the_real_catalog(capsys):
    assert main(["validate", "--all"]) == 0
    assert "derived ones included" in capsys.readouterr().out


def _bowtie_rule(params, load):
    """A rule whose output crosses itself (as the cities did once projected)."""
    x, y = 106.40, 29.60
    bowtie = Polygon([(x, y), (x + 0.01, y + 0.01), (x + 0.01, y), (x, y + 0.01)])
    rec = {
        "id": "bad-zone",
        "name_zh": "坏",
        "name_en": "Bad",
        "kind": "zone",
        "plan_ref": "002_8a077782b689f185.txt:L3",
        "geometry_source": "schematic",
        "accuracy_m": 1000.0,
    }
    return gpd.GeoDataFrame([rec], geometry=[bowtie], crs=4326)


def test_validate_all_names_an_invalid_derived_feature(gis_layers, monkeypatch, capsys):
    assert main(["validate", "--all"]) == 0
    rule = read_catalog()["clusters"].derived["rule"]
    monkeypatch.setitem(derive.RULES, rule, _bowtie_rule)
    assert main(["validate", "--all"]) == 1
    err = capsys.readouterr().err
    assert "derived layer clusters" in err
    assert "feature bad-zone: invalid geometry: Self-intersection" in err
    assert "fix:" in err


def test_export_refuses_an_invalid_layer_and_names_it(gis_layers, monkeypatch, tmp_path):
    cat = read_catalog()
    monkeypatch.setitem(derive.RULES, cat["clusters"].derived["rule"], _bowtie_rule)
    layers = _load_layers(catalog=cat)
    out = tmp_path / "out"
    with pytest.raises(LayerValidationError, match=r"layer clusters .* feature bad-zone"):
        write_geojson_dir(layers, cat, out / "gj")
    with pytest.raises(LayerValidationError, match="bad-zone"):
        write_gpkg(layers, cat, out / "x.gpkg")
    assert not out.exists()  # nothing written, no temporary file left
    assert main(["export", "--geojson", str(out / "gj")]) == 2


def test_every_real_layer_exports_and_reads_back_valid(real, tmp_path):
    cat, layers = real
    files = write_geojson_dir(layers, cat, tmp_path / "gj")
    gpkg = write_gpkg(layers, cat, tmp_path / "all.gpkg")
    assert len(files) == len(layers)
    back = {f.stem: pyogrio.read_dataframe(f) for f in files}
    back |= {f"gpkg:{lid}": pyogrio.read_dataframe(gpkg, layer=lid) for lid in layers}
    for name, gdf in back.items():
        assert len(gdf) == len(layers[name.removeprefix("gpkg:")]), name
        if gdf.empty:  # a layer none of whose zones could be derived
            continue
        assert invalid_ids(gdf) == {"4326": [], "4544": []}, name
        assert not shapely.is_empty(gdf.geometry.values).any(), name
