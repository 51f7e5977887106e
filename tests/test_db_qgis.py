"""QGIS opens every layer table of the PostGIS store, valid, complete and styled.

The packaged data folder is pushed with ``geo db push``; Debian's ``/usr/bin/python3``
(PyQGIS) then lists the tables of ``geo_layers`` through QGIS's own postgres
connection and loads each as a ``QgsVectorLayer`` (postgres provider, a
``QgsDataSourceUri`` on the test server's socket), as *Add PostGIS Layers* does. Each
layer must be valid, hold the folder's features, and be drawn with its default style
from ``public.layer_styles``: the renderer type and the symbol colours of the QML the
GeoPackage export embeds for that layer. With ``layer_styles`` emptied the same check
must fail for every layer.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from postgis_server import must_run

from conftest import geo_in_process
from geo import _data
from geo.cli import main

LAYERS = Path(_data.layers_dir())
PYQGIS = "/usr/bin/python3"


def _has_pyqgis() -> bool:
    try:
        run = subprocess.run([PYQGIS, "-I", "-c", "import qgis.core"], capture_output=True)
    except OSError:
        return False
    return run.returncode == 0


pytestmark = pytest.mark.skipif(
    not _has_pyqgis() and not must_run(),
    reason="PyQGIS missing: `make qgis` installs qgis python3-qgis",
)

#: Run by /usr/bin/python3: load every table of geo_layers, describe it as JSON.
LOAD = r"""
import json, os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (QgsApplication, QgsDataSourceUri, QgsProviderRegistry,
    QgsRenderContext, QgsVectorLayer)
app = QgsApplication([], False)
QgsApplication.setPrefixPath("/usr", True)
app.initQgis()
p = json.loads(sys.argv[1])
server = QgsDataSourceUri()
server.setConnection(p["host"], p["port"], p["dbname"], p["user"], "")
connection = QgsProviderRegistry.instance().providerMetadata("postgres").createConnection(
    server.uri(), {})
out = {}
for table in connection.tables("geo_layers"):
    uri = QgsDataSourceUri(server.uri())
    uri.setDataSource("geo_layers", table.tableName(), table.geometryColumn(), "", "geo_fid")
    layer = QgsVectorLayer(uri.uri(), table.tableName(), "postgres")
    row = {"valid": layer.isValid(), "count": layer.featureCount(), "renderer": None,
           "colors": []}
    if layer.isValid() and layer.renderer() is not None:
        row["renderer"] = layer.renderer().type()
        for symbol in layer.renderer().symbols(QgsRenderContext()):
            c = symbol.symbolLayer(0).color()
            row["colors"].append([c.red(), c.green(), c.blue(), c.alpha()])
    out[table.tableName()] = row
print(json.dumps(out))
"""


def _folder_counts() -> dict[str, int]:
    """Features per layer id of the folder's GeoJSON layers (the catalog's files)."""
    import yaml

    catalog = yaml.safe_load((LAYERS / "catalog.yaml").read_text(encoding="utf-8"))
    out = {}
    for entry in catalog["layers"]:
        file = str(entry.get("file") or "")
        if file.endswith(".geojson") and (LAYERS / file).is_file():
            doc = json.loads((LAYERS / file).read_text(encoding="utf-8"))
            out[str(entry["id"])] = len(doc["features"])
    return out


def _qml_style(qml: str) -> tuple[str, list[list[int]]]:
    """Return a QML's renderer type and the colour of each symbol's first layer."""
    renderer = ET.fromstring(qml.split("\n", 1)[1]).find("renderer-v2")
    assert renderer is not None
    colors = []
    for symbol in renderer.findall("symbols/symbol"):
        props = {p.get("k"): p.get("v") for p in symbol.findall("layer/prop")}
        value = props.get("color") or props.get("line_color")
        assert value is not None
        colors.append([int(v) for v in value.split(",")])
    return str(renderer.get("type")), colors


@pytest.fixture(scope="module")
def gpkg_styles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, list]]:
    """The style of each layer in the GeoPackage ``geo export`` writes from the folder."""
    gpkg = tmp_path_factory.mktemp("gpkg") / "x.gpkg"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GEO_LAYERS_DIR", str(LAYERS))
        err = io.StringIO()
        with redirect_stdout(io.StringIO()), redirect_stderr(err):
            assert main(["export", "--gpkg", str(gpkg)]) == 0, err.getvalue()
    with sqlite3.connect(gpkg) as lite:
        rows = lite.execute("SELECT f_table_name, styleQML FROM layer_styles").fetchall()
    return {name: _qml_style(qml) for name, qml in rows}


def _push(dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert geo_in_process(capsys, "db", "init", "--db", dsn).returncode == 0
    pushed = geo_in_process(capsys, "db", "push", str(LAYERS), "--db", dsn)
    assert pushed.returncode == 0, pushed.stderr


def _qgis_layers(dsn: str, tmp_path: Path) -> dict[str, dict]:
    script = tmp_path / "load.py"
    script.write_text(LOAD, encoding="utf-8")
    words = dict(w.split("=", 1) for w in dsn.split())
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)  # Debian's Python, with its own packages only
    run = subprocess.run(
        [PYQGIS, "-I", str(script), json.dumps(words)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def _unstyled(layers: dict[str, dict], want: dict[str, tuple[str, list[list[int]]]]) -> list:
    """Return the layers not drawn with the GeoPackage's style."""
    return sorted(
        name
        for name, row in layers.items()
        if (row["renderer"], row["colors"]) != (want[name][0], want[name][1])
    )


def test_qgis_opens_every_layer_table_valid_complete_and_styled(
    postgis_db, tmp_path, capsys, gpkg_styles
):
    _push(postgis_db, capsys)
    layers = _qgis_layers(postgis_db, tmp_path)
    counts = _folder_counts()
    assert sorted(layers) == sorted(counts)
    assert [n for n, r in layers.items() if not r["valid"]] == []
    assert {n: r["count"] for n, r in layers.items()} == counts
    want = gpkg_styles
    assert set(want) >= set(layers)
    assert _unstyled(layers, want) == []
    assert {r["renderer"] for r in layers.values()} >= {"categorizedSymbol", "singleSymbol"}


def test_without_layer_styles_the_style_check_fails_for_every_layer(
    postgis_db, tmp_path, capsys, gpkg_styles
):
    import psycopg

    _push(postgis_db, capsys)
    with psycopg.connect(postgis_db) as conn:
        conn.execute("DELETE FROM public.layer_styles")
    layers = _qgis_layers(postgis_db, tmp_path)
    assert layers
    assert all(r["valid"] for r in layers.values())
    assert _unstyled(layers, gpkg_styles) == sorted(layers)


def test_a_table_without_geometries_gets_the_catalog_geometry_type(postgis_db, capsys):
    import psycopg

    _push(postgis_db, capsys)
    with psycopg.connect(postgis_db) as conn:
        types = dict(
            conn.execute(
                "SELECT f_table_name, type FROM geometry_columns WHERE f_table_schema = %s",
                ("geo_layers",),
            ).fetchall()
        )
    assert types["projects"] == "POINT"  # every feature placed from the gazetteer
    assert types["axes"] == "LINESTRING"
