"""One door to a data folder, and no "current" gazetteer: whoever resolves a place is handed one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import geo
import geo.data.gazetteer
import geo.data.layers
from geo.data.catalog import Catalog, LayerSpec
from geo.data.derive import derive_layer
from geo.data.gazetteer import Gazetteer
from geo.data.inputs import read_layer_file
from geo.errors import LayerValidationError
from geo.figures.placed import area_anchors

ROOT = Path(__file__).resolve().parents[1]


def _gazetteer_csv(path: Path, name: str, lon: float, lat: float) -> Path:
    columns = "name_zh,name_en,aliases,kind,lon,lat,source_datum,source,accuracy_m,note,within"
    path.write_text(f"{columns}\n{name},Place,,park,{lon},{lat},wgs84,test,200,,\n", "utf-8")
    return path


def _place_layer(path: Path, name: str) -> Path:
    props = {
        "id": "p1",
        "name_zh": "甲",
        "name_en": "A",
        "kind": "lab",
        "plan_ref": "x:L1",
        "place": name,
    }
    doc = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": props, "geometry": None}],
    }
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def test_loading_is_through_project_only():
    for name in ("load_layer", "load_layers"):
        assert name not in geo.__all__
        assert not hasattr(geo.data.layers, name)
        with pytest.raises(AttributeError):
            getattr(geo, name)
    assert not hasattr(geo.data.gazetteer, "using_gazetteer")


def test_the_gazetteer_module_does_not_need_the_layer_loader():
    code = (
        "import sys, geo.data.gazetteer as g; g._catalog_zones(); "
        "print('geo.data.layers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_reader_handed_a_gazetteer_file_resolves_places_there(tmp_path):
    layer = _place_layer(tmp_path / "layer.geojson", "湖心岛")
    mine = _gazetteer_csv(tmp_path / "gazetteer.csv", "湖心岛", 106.35, 29.6)
    gdf = read_layer_file(layer, "wgs84", "Point", mine)
    assert (gdf.geometry[0].x, gdf.geometry[0].y) == (106.35, 29.6)
    # the default gazetteer has no such place: nothing "current" stands in for the one given
    with pytest.raises(LayerValidationError, match="湖心岛' is not in the gazetteer"):
        read_layer_file(layer, "wgs84", "Point")


def test_a_gazetteer_file_is_read_only_when_a_place_is_looked_up(tmp_path, monkeypatch):
    read: list[Path] = []
    real = geo.data.gazetteer.load_gazetteer

    def spy(path: Path | None = None) -> Gazetteer:
        read.append(path)
        return real(path)

    monkeypatch.setattr(geo.data.gazetteer, "load_gazetteer", spy)
    no_zones = Catalog({})  # every name is then a gazetteer place
    mine = _gazetteer_csv(tmp_path / "gazetteer.csv", "湖心岛", 106.35, 29.6)
    located = _place_layer(tmp_path / "layer.geojson", "")
    doc = json.loads(located.read_text("utf-8"))
    doc["features"][0]["properties"].update(place=None, geometry_source="digitized", accuracy_m=50)
    doc["features"][0]["geometry"] = {"type": "Point", "coordinates": [106.4, 29.6]}
    located.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    assert len(read_layer_file(located, "wgs84", "Point", mine)) == 1
    assert area_anchors(set(), no_zones, {}, mine) == {}
    assert read == []
    assert area_anchors({"湖心岛"}, no_zones, {}, mine) == {"湖心岛": (106.35, 29.6, "湖心岛")}
    assert read == [mine]


def test_derived_rules_look_places_up_in_the_gazetteer_handed_to_them():
    import geopandas as gpd
    from shapely.geometry import box

    district = gpd.GeoDataFrame(
        {"id": ["d"], "accuracy_m": [10.0]}, geometry=[box(106.2, 29.45, 106.5, 29.8)], crs=4326
    )
    table = pd.DataFrame(
        [
            {
                "name_zh": "湖",
                "name_en": "Lake",
                "aliases": "",
                "kind": "park",
                "lon": 106.3,
                "lat": 29.6,
                "source": "test",
                "accuracy_m": 100.0,
            }
        ]
    )
    zone = {"id": "z", "name_zh": "区", "name_en": "Zone", "plan_ref": "x:L1"}
    spec = LayerSpec(
        id="zones",
        title_zh="区",
        title_en="Zones",
        geometry_type="Polygon",
        role="zone",
        group="g",
        figures=(),
        style="zone",
        derived={
            "rule": "schematic_zones",
            "params": {
                "district": "district",
                "zones": [{**zone, "around": ["湖"], "buffer_m": 500}],
            },
        },
    )
    out = derive_layer(spec, lambda lid: district, Gazetteer(table))
    centre = out.to_crs(4326).geometry[0].centroid
    assert (round(centre.x, 3), round(centre.y, 3)) == (106.3, 29.6)
