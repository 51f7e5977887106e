"""Exchange with desktop GIS: every export format read back, Chinese intact, CRS as asked.

The layers are the project's own (22 layers, gazetteer-placed points, long Chinese
text), loaded once; each format is written to a temporary folder and read back with
pyogrio (and ``ogrinfo`` when GDAL's command-line tools are installed).
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pyogrio
import pytest

from geo.cli import main
from geo.data.catalog import read_catalog
from geo.data.layers import _load_layers
from geo.errors import ShapefileTextWarning
from geo.gis.exchange import SHAPEFILE_FIELD_BYTES, export_crs, shapefile_fields, write_export

ROOT = Path(__file__).resolve().parents[1]
GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"


@pytest.fixture(scope="module")
def project():
    cat = read_catalog(ROOT / "layers" / "catalog.yaml")
    return cat, _load_layers(catalog=cat)


@pytest.fixture(scope="module")
def export(project, tmp_path_factory):
    """Write the project in a format and CRS, once per module; return the paths written.

    The tests only read what was written, so each (format, CRS) is written once.
    """
    cat, data = project
    folder = tmp_path_factory.mktemp("exports")
    written: dict[tuple[str, str], tuple[Path, list[Path]]] = {}

    def _export(fmt: str, crs: str = "EPSG:4326") -> tuple[Path, list[Path]]:
        if (fmt, crs) not in written:
            out = folder / crs.replace(":", "") / f"export.{fmt}"
            written[fmt, crs] = out, write_export(data, cat, fmt, out, crs)
        return written[fmt, crs]

    return _export


def _files(out: Path, fmt: str, layer_id: str) -> tuple[Path, str | None]:
    """Return the file holding a layer and the layer name inside it."""
    if fmt in ("gpkg", "kml"):
        return out, layer_id
    return out / f"{layer_id}.{fmt}", None


@pytest.mark.parametrize(
    ("fmt", "crs"),
    [
        ("gpkg", "EPSG:4326"),
        ("gpkg", "EPSG:4544"),
        ("shp", "EPSG:4490"),
        ("shp", "EPSG:4544"),
        ("fgb", "EPSG:4544"),
        ("kml", "EPSG:4326"),
        ("geojson", "EPSG:4326"),
    ],
)
def test_round_trip_counts_crs_and_chinese(project, export, fmt, crs):
    _, data = project
    with pytest.warns() if fmt == "shp" else _Nothing():
        out, _ = export(fmt, crs)
    for lid, gdf in data.items():
        path, layer = _files(out, fmt, lid)
        if len(gdf) == 0:  # a derived layer with nothing derivable (the clusters today)
            assert len(pyogrio.read_dataframe(path, layer=layer)) == 0, lid
            continue
        info = pyogrio.read_info(path, layer=layer)
        assert info["features"] == len(gdf), lid
        back = pyogrio.read_dataframe(path, layer=layer)
        assert back.crs.to_epsg() == int(crs.split(":")[1]), lid
        names = back["Name"] if fmt == "kml" else back["name_zh"]
        assert sorted(names) == sorted(gdf["name_zh"]), lid
        assert back.geometry.notna().all(), lid
        assert not back.geometry.is_empty.any(), lid


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_point_layers_carry_their_gazetteer_positions(project, export):
    _, data = project
    raw = ROOT / "layers" / "campuses.geojson"
    digest = hashlib.sha256(raw.read_bytes()).hexdigest()
    assert '"geometry": null' in raw.read_text(encoding="utf-8")  # placed by the gazetteer
    path = export("gpkg")[1][0]
    back = pyogrio.read_dataframe(path, layer="campuses").set_index("id")
    loaded = data["campuses"].set_index("id")
    for fid, geom in loaded.geometry.items():
        assert back.geometry[fid].distance(geom) < 1e-9, fid
    assert hashlib.sha256(raw.read_bytes()).hexdigest() == digest  # source left as it was


def test_geopackage_is_version_1_2(export):
    path = export("gpkg")[1][0]
    with sqlite3.connect(path) as con:
        app = con.execute("PRAGMA application_id").fetchone()[0]
        version = con.execute("PRAGMA user_version").fetchone()[0]
    con.close()
    assert app == GPKG_APPLICATION_ID
    assert version == 10200


def test_projected_export_is_in_metres(project, export):
    _, data = project
    out, path = export("fgb", "EPSG:4544")
    district = pyogrio.read_dataframe(out / "district.fgb")
    assert district.crs.to_epsg() == 4544
    area_km2 = district.area.sum() / 1e6
    assert 390 < area_km2 < 405  # the district is about 396.9 km²
    assert len(path) == len(data)


def test_shapefile_has_utf8_cpg_and_a_field_map(project, tmp_path):
    cat, data = project
    with pytest.warns(ShapefileTextWarning, match="254 bytes"):
        write_export(data, cat, "shp", tmp_path / "shp")
    folder = tmp_path / "shp"
    assert (folder / "campuses.cpg").read_text().strip().upper() in {"UTF-8", "UTF8"}
    with (folder / "campuses.fields.csv").open(encoding="utf-8") as fh:
        mapping = {r["shp_field"]: r["field"] for r in csv.DictReader(fh)}
    assert mapping["geometry_s"] == "geometry_source"
    back = pyogrio.read_dataframe(folder / "campuses.shp").rename(columns=mapping)
    expected = [c for c in data["campuses"].columns if c != "geometry"]
    assert [c for c in back.columns if c != "geometry"] == expected
    assert (back["geometry_source"].tolist()) == data["campuses"]["geometry_source"].tolist()
    for value in back["position_note"].dropna():  # text cut at a character boundary
        assert len(value.encode()) <= 254
        assert "\ufffd" not in value


def test_shapefile_field_names_are_short_and_unique():
    cols = ["id", "geometry_source", "geometry_sources", "value_si_low", "value_si_high", "x"]
    fields = shapefile_fields(cols)
    assert list(fields) == cols
    assert all(len(f.encode()) <= SHAPEFILE_FIELD_BYTES for f in fields.values())
    assert len({f.lower() for f in fields.values()}) == len(cols)
    assert fields["id"] == "id"
    assert fields["geometry_source"] == "geometry_s"


def test_kml_and_geojson_refuse_a_projected_crs():
    from geo.errors import CRSError

    with pytest.raises(CRSError, match="WGS-84 only"):
        export_crs("EPSG:4544", "kml")
    with pytest.raises(CRSError, match="choose one of"):
        export_crs("EPSG:3857", "gpkg")
    assert export_crs("4544", "shp") == "EPSG:4544"


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed")
def test_ogrinfo_reads_every_format(project, tmp_path):
    cat, data = project
    subset = {k: data[k] for k in ("district", "campuses")}
    for fmt in ("gpkg", "shp", "kml", "fgb", "geojson"):
        out = tmp_path / f"x.{fmt}"
        write_export(subset, cat, fmt, out)
        path, _ = _files(out, fmt, "campuses")
        summary = subprocess.run(
            ["ogrinfo", "-so", "-ro", str(path), "campuses"], capture_output=True, text=True
        )
        assert summary.returncode == 0, summary.stderr
        assert f"Feature Count: {len(data['campuses'])}" in summary.stdout, fmt
        features = subprocess.run(
            ["ogrinfo", "-ro", "-q", str(path), "campuses"], capture_output=True, text=True
        )
        assert "重庆大学A区" in features.stdout, fmt


def test_cli_export_formats(gis_layers, tmp_path, capsys):
    assert (
        main(["export", "--format", "fgb", "--crs", "EPSG:4544", "--out", str(tmp_path / "f")]) == 0
    )
    assert (tmp_path / "f" / "sites.fgb").is_file()
    assert pyogrio.read_info(tmp_path / "f" / "sites.fgb")["crs"] == "EPSG:4544"
    assert main(["export", "--out", str(tmp_path / "d.gpkg")]) == 0  # gpkg by default
    assert pyogrio.read_info(tmp_path / "d.gpkg", layer="sites")["features"] > 0
    capsys.readouterr()
    assert (
        main(["export", "--format", "kml", "--crs", "EPSG:4544", "--out", str(tmp_path / "k")]) == 2
    )
    assert "WGS-84 only" in capsys.readouterr().err
    assert not (tmp_path / "k").exists()
    assert main(["export", "--format", "shp"]) == 2
    assert "--out" in capsys.readouterr().err
