"""geo.Project: one entry to a data folder, one policy for layers that fail to load."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import geo
from geo import limits
from geo.errors import LayerLoadWarning, UnknownLayerError
from geo.project import Project

ROOT = Path(__file__).resolve().parents[1]
GIS = ROOT / "tests" / "data" / "gis" / "layers"


@pytest.fixture
def own_folder(tmp_path: Path) -> Path:
    """A copy of the repository's layers folder, used by path (not as the default)."""
    folder = tmp_path / "mine"
    shutil.copytree(ROOT / "layers", folder, ignore=shutil.ignore_patterns(".*"))
    return folder


def _move_place(gazetteer: Path, name: str, lon: float, lat: float) -> None:
    with gazetteer.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["name_zh"] == name:
            row["lon"], row["lat"], row["source_datum"] = f"{lon}", f"{lat}", "wgs84"
    with gazetteer.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_project_is_exported_lazily():
    code = "import sys, geo; geo.Project; print('geopandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert geo.Project is Project


def test_default_project_is_the_found_data_folder():
    project = Project()
    assert project.folder == ROOT / "layers"
    assert project.claims_path == ROOT / "layers" / "claims.csv"
    assert "rings" in project.catalog
    assert project.gazetteer.lookup("重庆大学").name_zh == "重庆大学A区"


def test_a_folder_of_ones_own_reads_its_files_and_its_gazetteer(own_folder):
    _move_place(own_folder / "gazetteer.csv", "重庆大学A区", 106.40, 29.60)
    mine, default = Project(own_folder), Project()
    assert mine.catalog.folder == own_folder.resolve()
    moved = mine.layer("campuses").set_index("id")
    kept = default.layer("campuses").set_index("id")
    places = moved.index[moved["place"] == "重庆大学A区"]
    assert len(places) > 0
    for fid in places:
        assert (moved.geometry[fid].x, moved.geometry[fid].y) == pytest.approx((106.40, 29.60))
        assert kept.geometry[fid].x != pytest.approx(106.40)


def test_layers_are_kept_and_handed_out_as_copies():
    project = Project()
    first = project.layer("district")
    first["name_zh"] = "changed"
    assert project.layer("district")["name_zh"].iloc[0] == "沙坪坝区"


def test_a_layer_that_fails_is_set_aside_once_and_the_others_load(own_folder):
    (own_folder / "projects.geojson").write_text("{broken", encoding="utf-8")
    project = Project(own_folder)
    with pytest.warns(LayerLoadWarning, match="layer projects") as caught:
        layers = project.layers(["district", "projects", "campuses"])
    assert sorted(layers) == ["campuses", "district"]
    assert len([w for w in caught if issubclass(w.category, LayerLoadWarning)]) == 1
    (found,) = project.problems
    assert found.layer == "projects"
    assert found.file == str(own_folder / "projects.geojson")
    assert "broken JSON" in found.problem
    assert "geo validate" in found.fix
    with warnings.catch_warnings():
        warnings.simplefilter("error", LayerLoadWarning)  # not reported a second time
        again = project.layers(["projects", "district"])
    assert sorted(again) == ["district"]


def test_a_derived_layer_whose_input_fails_names_the_catalog(own_folder):
    (own_folder / "axes.geojson").write_text("[]", encoding="utf-8")
    project = Project(own_folder)
    with pytest.warns(LayerLoadWarning):
        layers = project.layers(["axes", "belts"])
    assert layers == {}
    by_layer = {p.layer: p for p in project.problems}
    assert by_layer["belts"].file == f"{own_folder / 'catalog.yaml'} (derived layer belts)"
    assert "FeatureCollection" in by_layer["belts"].problem


def test_unknown_ids_are_refused_not_set_aside():
    project = Project()
    with pytest.raises(UnknownLayerError, match="nowhere"):
        project.layers(["district", "nowhere"])
    with pytest.raises(UnknownLayerError):
        project.layer("nowhere")
    assert project.problems == []


def test_size_limits_are_an_option(gis_layers, monkeypatch):
    monkeypatch.setattr(limits, "MAX_VERTICES", 50)
    project = Project(gis_layers)
    assert sorted(project.layers()) == ["clusters", "district", "sites"]
    with pytest.warns(LayerLoadWarning, match="clusters"):
        small = project.layers(within_limits=True)
    assert sorted(small) == ["district", "sites"]
    (found,) = project.problems
    assert "more than the limit of 50" in found.problem
    assert found.fix == limits.SIMPLIFY_FIX
    assert sorted(project.layers()) == ["clusters", "district", "sites"]  # loaded, only big


def test_figure_layers_are_the_catalogs_for_that_figure():
    project = Project()
    fig6 = project.figure_layers("fig6")
    context = ["district", "neighbours", "axes", "ridges"]  # on every figure
    assert list(fig6) == [*context, "campuses", "ring_members", "projects", "rings"]
    assert list(project.figure_layers(7)) == [*context, "cancer_resources"]


def test_summary_counts_features_and_says_why_one_fails(own_folder):
    (own_folder / "carriers.geojson").write_text("", encoding="utf-8")
    project = Project(own_folder)
    good = project.summary("ridges")
    assert good.features == 2
    assert set(good.sources) <= {"surveyed", "digitized", "schematic"}
    assert sum(good.sources.values()) == 2
    with pytest.warns(LayerLoadWarning):
        bad = project.summary("carriers")
    assert bad.row()[5] == "ERROR"
    assert "empty" in bad.problem


def test_reprs_name_the_folder_and_escape_the_data(own_folder):
    project = Project(own_folder)
    assert repr(project).startswith(f"<Project {own_folder}: 22 layers (7 derived), 0 loaded")
    project.layer("district")
    assert "1 loaded" in repr(project)
    assert "<td style='text-align:left'>1</td>" in project._repr_html_()
    summary = project.summary("district")
    assert repr(summary).startswith("<Layer district: 沙坪坝区 Shapingba District | Polygon, 1 ")
    text = (own_folder / "catalog.yaml").read_text(encoding="utf-8")
    (own_folder / "catalog.yaml").write_text(
        text.replace("title_en: Shapingba District", "title_en: <b>x</b>"), encoding="utf-8"
    )
    assert "&lt;b&gt;x&lt;/b&gt;" in Project(own_folder)._repr_html_()
    assert "<b>" not in Project(own_folder)._repr_html_()


def test_a_folder_without_a_catalog_says_so(tmp_path):
    assert "no catalog" in repr(Project(tmp_path))


def test_validate_lists_a_layer_that_does_not_load(own_folder):
    (own_folder / "ridges.geojson").write_text("{}", encoding="utf-8")
    found = Project(own_folder).validate(load=True)
    files = {p.file for p in found}
    assert str(own_folder / "ridges.geojson") in files
    assert any("layer ridges does not load" in p.problem for p in found)


def test_validate_as_json(capsys, gis_layers):
    from geo.cli import main

    (gis_layers / "sites.geojson").write_text('{"type": "FeatureCollection"}', encoding="utf-8")
    assert main(["validate", "--format", "json"]) == 1
    records = json.loads(capsys.readouterr().out)
    assert [r["problem"] for r in records] == ["'features' is missing or not a list"]
    assert set(records[0]) == {"file", "feature_id", "problem", "fix"}


def test_a_folder_without_a_gazetteer_loads_the_layers_that_name_no_place(own_folder):
    """The gazetteer is read when a place is looked up, not before every layer."""
    (own_folder / "gazetteer.csv").unlink()
    project = Project(own_folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LayerLoadWarning)
        loaded = project.layers()
    assert "district" in loaded
    failed = {p.layer: p.problem for p in project.problems}
    assert "campuses" in failed  # its points name gazetteer places
    assert "gazetteer" in failed["campuses"]


def test_validate_lists_each_problem_of_a_file_once(own_folder):
    """A file's problem is not repeated inside its 'does not load' line."""
    path = own_folder / "science_parks.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["accuracy_m"] = -5
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    found = Project(own_folder).validate(load=True)
    mentions = [p for p in found if "accuracy_m -5" in p.problem]
    assert len(mentions) == 1
    assert any("layer science_parks does not load" in p.problem for p in found)
