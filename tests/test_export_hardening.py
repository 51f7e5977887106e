"""Exports that never crash: odd property names, a full disk, GDAL's warnings, KML text."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from conftest import message_lines
from geo.cli import main
from geo.data.catalog import read_catalog
from geo.data.layers import _load_layer
from geo.errors import ExportWarning, GeoWarning
from geo.gis.exchange import write_kml, write_shapefiles
from geo.gis.export import write_gpkg


@pytest.fixture
def sites(gis_layers: Path) -> tuple[gpd.GeoDataFrame, object]:
    """The fixture's point layer and catalog."""
    return _load_layer("sites"), read_catalog()


# --------------------------------------------------------------------------- fid
@pytest.mark.parametrize("name", ["fid", "FID"])
def test_a_property_named_fid_is_kept_in_the_geopackage(sites, tmp_path, name):
    frame, catalog = sites
    frame = frame.assign(**{name: [f"text-{i}" for i in range(len(frame))]})
    out = write_gpkg({"sites": frame}, catalog, tmp_path / "out.gpkg")
    back = pyogrio.read_dataframe(out, layer="sites")
    assert list(back[name]) == [f"text-{i}" for i in range(len(frame))]


def test_properties_differing_only_by_case_are_both_kept_and_said(sites, tmp_path):
    frame, catalog = sites
    frame = frame.assign(NAME_ZH="大写")
    with pytest.warns(ExportWarning, match="'NAME_ZH' as 'NAME_ZH_2'"):
        out = write_gpkg({"sites": frame}, catalog, tmp_path / "out.gpkg")
    back = pyogrio.read_dataframe(out, layer="sites")
    assert list(back["NAME_ZH_2"]) == ["大写"] * len(frame)
    assert list(back["name_zh"]) == list(frame["name_zh"])


# --------------------------------------------------------------------------- shapefile
def test_shapefile_field_map_lists_the_names_in_the_dbf(sites, tmp_path):
    frame, catalog = sites
    frame = frame.assign(NAME_ZH="大写", Geometry_Source="x")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (shp,) = write_shapefiles({"sites": frame}, catalog, tmp_path / "shp")
    held = [str(f) for f in pyogrio.read_info(shp)["fields"]]
    rows = (tmp_path / "shp" / "sites.fields.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert [r.split(",")[0] for r in rows] == held
    # no raw GDAL/pyogrio warning reaches the user: only the toolkit's own, one line each
    assert [w for w in caught if not issubclass(w.category, GeoWarning)] == []


# --------------------------------------------------------------------------- KML
@pytest.mark.parametrize(
    "props",
    [
        {"name_zh": "甲\x01乙", "name_en": "A\x1fB"},
        {"name_en": "A\ufffeB"},
        {"we\x01ird": "v"},
        {"a<b": "v", 'c"d': "w", "e&f": "x"},
    ],
    ids=["control characters", "U+FFFE", "control character in a name", "markup in names"],
)
def test_kml_is_always_well_formed_xml(sites, tmp_path, props):
    frame, catalog = sites
    frame = frame.assign(**props)
    with pytest.warns(ExportWarning, match="KML layer sites"):
        out = write_kml({"sites": frame}, catalog, tmp_path / "out.kml")
    root = ET.parse(out).getroot()  # raises on malformed XML
    assert len(root.findall(".//{http://www.opengis.net/kml/2.2}Placemark")) == len(frame)


def test_kml_keeps_escaped_text_readable(sites, tmp_path):
    frame, catalog = sites
    frame = frame.assign(name_en="A\x01B")
    with pytest.warns(ExportWarning, match=r"1 text value\(s\) with control characters"):
        out = write_kml({"sites": frame.head(1)}, catalog, tmp_path / "out.kml")
    assert "A\\u0001B" in "".join(ET.parse(out).getroot().itertext())


# --------------------------------------------------------------------------- full disk
def _limited_export(limit: int, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``geo export`` with files capped at ``limit`` bytes: writes fail as on a full disk."""
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.RLIM_INFINITY))\n"
        "from geo.cli import main\n"
        f"sys.exit(main({['export', *args]!r}))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=False
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE is Linux's")
@pytest.mark.parametrize(
    ("fmt", "name", "limit"), [("gpkg", "out.gpkg", 20_000), ("kml", "out.kml", 2_000)]
)
def test_a_full_disk_is_one_line_and_leaves_the_old_file(gis_layers, tmp_path, fmt, name, limit):
    out = tmp_path / "exports" / name
    out.parent.mkdir()
    out.write_text("the previous export\n")
    run = _limited_export(limit, "--format", fmt, "--out", str(out))
    assert run.returncode == 2, run.stderr
    lines = message_lines(run.stderr)  # per-layer progress lines are not messages
    assert "Traceback" not in run.stderr
    assert len(lines) == 1, run.stderr
    assert f"{out}: not written" in lines[0]
    assert "fix:" in lines[0]
    assert out.read_text() == "the previous export\n"
    assert sorted(p.name for p in out.parent.iterdir()) == [name]  # no temporary file left


def test_cli_export_with_a_fid_property_exits_0(gis_layers, tmp_path, capsys):
    path = gis_layers / "sites.geojson"
    path.write_text(
        path.read_text(encoding="utf-8").replace('"kind":', '"fid":"a text","kind":'),
        encoding="utf-8",
    )
    assert main(["export", "--gpkg", str(tmp_path / "x.gpkg")]) == 0, capsys.readouterr().err
    assert set(pyogrio.read_dataframe(tmp_path / "x.gpkg", layer="sites")["fid"]) == {"a text"}
