"""``geo export --format qgis``: the project opened and printed by headless PyQGIS.

The project is read back by Debian's ``/usr/bin/python3`` (PyQGIS), in a subprocess:
a layer group and a print layout per figure, no invalid layer, relative paths, each
layout exported to PDF (A4 landscape, its Chinese text extractable) and the placement
rule kept: a feature too coarse for a point is never drawn as one. Those checks are
``slow`` (``make test`` runs them); ``make test-fast`` reads the project file itself: a
group and a layout per figure, every layer a table of the GeoPackage beside it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from pypdf import PdfReader

from geo.cli import main
from geo.data.catalog import read_catalog
from geo.figures.specs import all_specs
from geo.figures.texts import PLAN_SOURCE_ZH, SCHEMATIC_NOTE

ROOT = Path(__file__).resolve().parents[1]
PYQGIS = "/usr/bin/python3"


def _has_pyqgis() -> bool:
    try:
        run = subprocess.run([PYQGIS, "-I", "-c", "import qgis.core"], capture_output=True)
    except OSError:
        return False
    return run.returncode == 0


needs_pyqgis = pytest.mark.skipif(
    not _has_pyqgis(), reason="PyQGIS missing: `make qgis` installs qgis python3-qgis"
)

#: Opening the project in PyQGIS and printing every layout takes half a minute: those
#: tests run in ``make test``; ``make test-fast`` reads the project file instead
#: (``test_the_project_file_has_a_group_and_a_layout_per_figure``).
OPENS_IN_QGIS = pytest.mark.slow

#: Run by /usr/bin/python3: open the project, describe it, print every layout to PDF.
CHECK = r"""
import json, os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (QgsApplication, QgsLayerTreeGroup, QgsLayoutExporter, QgsProject,
    QgsRenderContext, QgsVectorLayer)
app = QgsApplication([], False)
QgsApplication.setPrefixPath("/usr", True)
app.initQgis()
project = QgsProject.instance()
out = {"read": project.read(sys.argv[1]), "groups": {}, "invalid": [], "layouts": {},
       "features": {}}
for node in project.layerTreeRoot().children():
    if isinstance(node, QgsLayerTreeGroup):
        out["groups"][node.name()] = [n.layer().id() for n in node.findLayers() if n.layer()]
for layer in project.mapLayers().values():
    if not layer.isValid():
        out["invalid"].append(layer.name())
        continue
    if not isinstance(layer, QgsVectorLayer) or layer.fields().indexOf("placement") < 0:
        continue
    ctx = QgsRenderContext()
    renderer = layer.renderer().clone()
    renderer.startRender(ctx, layer.fields())
    rows = []
    for f in layer.getFeatures():
        symbols = [s.symbolLayer(0) for s in renderer.symbolsForFeature(f, ctx)]
        rows.append({"id": f["id"], "placement": f["placement"],
                     "drawn": renderer.willRenderFeature(f, ctx),
                     "fill_alpha": [s.fillColor().alpha() for s in symbols],
                     "stroke": [int(s.strokeStyle()) for s in symbols]})
    renderer.stopRender(ctx)
    out["features"][layer.source().split("layername=")[-1]] = rows
for layout in project.layoutManager().printLayouts():
    fig = layout.name().split()[0]
    settings = QgsLayoutExporter.PdfExportSettings()
    # as QGIS's Export as PDF does: the layout's own text setting
    text_format = int(layout.customProperty("textFormat", 0))
    settings.textRenderFormat = QgsRenderContext.TextRenderFormat(text_format)
    pdf = os.path.join(sys.argv[2], fig + ".pdf")
    result = QgsLayoutExporter(layout).exportToPdf(pdf, settings)
    out["layouts"][fig] = {"name": layout.name(), "pdf": pdf, "result": int(result),
                           "text_format": text_format}
print(json.dumps(out, ensure_ascii=False))
app.exitQgis()
"""


def _words(text: str) -> str:
    """Text without spaces, CJK radicals as the ideographs they stand for (NFKC)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="module")
def qgis_export(tmp_path_factory):
    out = tmp_path_factory.mktemp("qgis") / "shapingba.qgz"
    assert main(["export", "--format", "qgis", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def qgis_opened(qgis_export, tmp_path_factory):
    pdfs = tmp_path_factory.mktemp("pdf")
    script = pdfs / "check.py"
    script.write_text(CHECK, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run(
        [PYQGIS, "-I", str(script), str(qgis_export), str(pdfs)],
        capture_output=True,
        text=True,
        env={**env, "QT_QPA_PLATFORM": "offscreen"},
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def specs():
    return all_specs(read_catalog(ROOT / "layers" / "catalog.yaml"))


@needs_pyqgis
@OPENS_IN_QGIS
def test_a_group_and_a_layout_per_figure_no_layer_invalid(qgis_opened, specs):
    assert qgis_opened["read"] is True
    assert qgis_opened["invalid"] == []
    assert sorted(qgis_opened["layouts"]) == sorted(s.id for s in specs)
    for spec in specs:
        group = [g for g in qgis_opened["groups"] if spec.caption_zh in g]
        assert len(group) == 1, spec.id
        assert len(qgis_opened["groups"][group[0]]) >= 3, spec.id  # district, neighbours, its own


def _project_xml(qgis_export: Path) -> ET.Element:
    with zipfile.ZipFile(qgis_export) as z:
        qgs = next(n for n in z.namelist() if n.endswith(".qgs"))
        return ET.fromstring(z.read(qgs))


@needs_pyqgis
def test_the_project_file_has_a_group_and_a_layout_per_figure(qgis_export, specs):
    root = _project_xml(qgis_export)
    layouts = [el.get("name", "") for el in root.iter("Layout")]
    assert sorted(name.split()[0] for name in layouts) == sorted(s.id for s in specs)
    groups = {
        g.get("name", ""): [el.get("id") for el in g.iter("layer-tree-layer")]
        for g in root.find("layer-tree-group").findall("layer-tree-group")
    }
    for spec in specs:
        group = [g for g in groups if spec.caption_zh in g]
        assert len(group) == 1, spec.id
        assert len(groups[group[0]]) >= 3, spec.id  # district, neighbours, its own
    with sqlite3.connect(qgis_export.with_suffix(".gpkg")) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
    con.close()
    sources = [el.text or "" for el in root.iterfind("projectlayers/maplayer/datasource")]
    assert sources
    for source in sources:  # every layer a table of the GeoPackage beside the project
        path, _, table = source.partition("|layername=")
        assert path == "./shapingba.gpkg", source
        assert table in tables, source


@needs_pyqgis
def test_the_project_names_the_geopackage_beside_it_relatively(qgis_export):
    assert qgis_export.with_suffix(".gpkg").is_file()
    with zipfile.ZipFile(qgis_export) as z:
        qgs = next(n for n in z.namelist() if n.endswith(".qgs"))
        text = z.read(qgs).decode()
    assert "./shapingba.gpkg|layername=" in text
    assert str(qgis_export.parent) not in text


@needs_pyqgis
@OPENS_IN_QGIS
def test_every_layout_prints_an_a4_landscape_pdf_with_its_chinese_text(qgis_opened, specs):
    for spec in specs:
        printed = qgis_opened["layouts"][spec.id]
        assert printed["result"] == 0, spec.id  # QgsLayoutExporter.Success
        assert printed["text_format"] == 1, spec.id  # TextFormatAlwaysText
        reader = PdfReader(printed["pdf"])
        assert len(reader.pages) == 1, spec.id
        box = reader.pages[0].mediabox
        assert abs(float(box.width) - 841.9) < 2, spec.id  # A4 landscape, points
        assert abs(float(box.height) - 595.3) < 2, spec.id
        text = _words(reader.pages[0].extract_text())
        assert _words(spec.title_zh) in text, spec.id
        assert _words(PLAN_SOURCE_ZH) in text, spec.id
        assert _words(SCHEMATIC_NOTE) in text, spec.id
        for word in ("位置未定", "图例", "km"):
            assert word in text, (spec.id, word)


@needs_pyqgis
@OPENS_IN_QGIS
def test_a_coarse_feature_is_never_drawn_as_a_point(qgis_export, qgis_opened, specs):
    fig2 = next(s for s in specs if s.id == "fig2")
    # the projects as exported, each with its gazetteer position's accuracy
    projects = gpd.read_file(qgis_export.with_suffix(".gpkg"), layer="projects")
    fine = set(projects.loc[projects["accuracy_m"] <= fig2.max_accuracy_m, "id"])
    rows = qgis_opened["features"]["fig2__projects"]
    assert sorted(r["id"] for r in rows) == sorted(projects["id"])  # every project, once
    filled = {r["id"] for r in rows if r["drawn"] and r["fill_alpha"] != [0]}
    assert filled == fine
    assert len(fine) < len(projects) / 4  # most projects are coarse: not points
    for table, feats in qgis_opened["features"].items():
        for r in feats:
            if r["placement"] in ("badge", "listed"):
                assert not r["drawn"], (table, r["id"])
            elif r["placement"] == "schematic":
                assert r["drawn"], (table, r["id"])
                assert r["fill_alpha"] == [0], (table, r["id"])
                assert r["stroke"] == [2], (table, r["id"])  # Qt.DashLine


def test_without_pyqgis_the_command_says_how_to_get_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GEO_PYQGIS_PYTHON", str(tmp_path / "no-python"))
    assert main(["export", "--format", "qgis", "--out", str(tmp_path / "p.qgz")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "apt-get install qgis python3-qgis" in err[0]
    assert not (tmp_path / "p.qgz").exists()


@needs_pyqgis
def test_the_geopackage_opens_alone_with_the_placement_rules(qgis_export):
    with sqlite3.connect(qgis_export.with_suffix(".gpkg")) as con:
        qml = con.execute(
            "SELECT styleQML FROM layer_styles WHERE f_table_name = 'fig3__rd_platforms' "
            "AND useAsDefault = 1"
        ).fetchall()
    con.close()
    assert len(qml) == 1
    assert 'type="RuleRenderer"' in qml[0][0]
    assert "&quot;placement&quot; = 'schematic'" in qml[0][0]
