"""One declared threshold of "located": web points, web labels, prints and the report follow it.

Each test changes only :data:`geo.data.placement.DEFAULT_MAX_ACCURACY_M` (or a figure's own
``max_accuracy_m``) and checks that every consumer moves with it, so that no second
copy of the number can hide anywhere.
"""

from __future__ import annotations

import warnings
from dataclasses import fields

import pytest

from geo.data import placement
from geo.figures.depiction import depict
from geo.figures.labels import figure_labels
from geo.figures.layers import figure_layers
from geo.figures.specs import FigureSpec, all_specs, figure_layer_ids
from geo.printing.content import figure_content
from geo.project import Project
from geo.report import build_report

#: A limit between the two campuses below: 800 m is located at 1000 m, not at 600 m.
TIGHTER_M = 600.0


@pytest.fixture(scope="module")
def data():
    project = Project()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layers = project.layers()
    return project, layers


@pytest.fixture(scope="module")
def campus(data):
    """A campus known to ±800 m, and one known to ±300 m (from the data, not the code)."""
    _, layers = data
    campuses = layers["campuses"]
    coarse = campuses.loc[campuses["accuracy_m"] == 800].iloc[0]
    fine = campuses.loc[campuses["accuracy_m"] == 300].iloc[0]
    return coarse, fine


def _fresh_spec(catalog) -> FigureSpec:
    """A spec for a figure drawing the campuses, made now, with the limit left to its default."""
    spec = next(s for s in all_specs(catalog) if "campuses" in figure_layer_ids(s, catalog))
    kept = {f.name: getattr(spec, f.name) for f in fields(spec) if f.name != "max_accuracy_m"}
    return FigureSpec(**kept)


def _web_shown(spec, layers, catalog, fid: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chosen, _ = figure_layers(spec, catalog, layers)
    dep = depict(spec, chosen, layers, catalog)
    (ld,) = [ld for ld in dep.layers if ld.layer.id == "campuses"]
    return str(ld.drawn.set_index("id")["shown"].get(fid, "not drawn"))


def _printed_points(spec, layers, catalog, gazetteer) -> set[str]:
    content = figure_content(spec, layers, catalog, gazetteer)
    (gdf,) = [g for layer, g in content.drawn if layer.id == "campuses"]
    return set(gdf.loc[gdf["shown"] == "point", "id"])


def _report_coarse_note(layers, catalog) -> str:
    report = build_report(layers, catalog)
    (section,) = [s for s in report.sections if s.key == "nearest_campus"]
    return " ".join(n for n in section.notes if n.startswith("not candidates"))


def _web_labels(layers, catalog) -> set[str]:
    frame = layers["campuses"].drop(columns=["shown"], errors="ignore")
    labels = figure_labels([catalog["campuses"]], {"campuses": frame}, layers["district"])
    return {lab.lines[0] for lab in labels}


def test_the_predicate_reads_the_declared_default_when_called(monkeypatch):
    assert placement.precise_enough(800.0)
    monkeypatch.setattr(placement, "DEFAULT_MAX_ACCURACY_M", TIGHTER_M)
    assert not placement.precise_enough(800.0)
    assert placement.precise_enough(300.0)
    assert not placement.precise_enough(float("nan"))
    assert placement.precise_enough(800.0, 1000.0)  # a figure's own limit wins


def test_changing_the_declared_default_moves_web_print_and_report(monkeypatch, data, campus):
    project, layers = data
    catalog = project.catalog
    coarse, fine = campus
    places = project.gazetteer_path

    spec = _fresh_spec(catalog)
    assert spec.max_accuracy_m == 1000.0
    assert _web_shown(spec, layers, catalog, coarse["id"]) == "point"
    assert coarse["id"] in _printed_points(spec, layers, catalog, places)
    assert coarse["name_zh"] not in _report_coarse_note(layers, catalog)
    assert coarse["name_zh"] in _web_labels(layers, catalog)

    monkeypatch.setattr(placement, "DEFAULT_MAX_ACCURACY_M", TIGHTER_M)
    spec = _fresh_spec(catalog)
    assert spec.max_accuracy_m == TIGHTER_M
    assert _web_shown(spec, layers, catalog, coarse["id"]) == "schematic"
    assert _web_shown(spec, layers, catalog, fine["id"]) == "point"
    printed = _printed_points(spec, layers, catalog, places)
    assert coarse["id"] not in printed
    assert fine["id"] in printed
    note = _report_coarse_note(layers, catalog)
    assert coarse["name_zh"] in note
    assert fine["name_zh"] not in note
    assert f"±{TIGHTER_M:g} m" in note
    labelled = _web_labels(layers, catalog)
    assert coarse["name_zh"] not in labelled
    assert fine["name_zh"] in labelled


def test_a_figures_own_limit_moves_its_web_points_labels_and_print(data, campus):
    project, layers = data
    catalog = project.catalog
    coarse, _ = campus
    spec = _fresh_spec(catalog)
    tight = FigureSpec(
        **{**{f.name: getattr(spec, f.name) for f in fields(spec)}, "max_accuracy_m": TIGHTER_M}
    )
    assert _web_shown(tight, layers, catalog, coarse["id"]) == "schematic"
    assert coarse["id"] not in _printed_points(tight, layers, catalog, project.gazetteer_path)
    frame = layers["campuses"]
    labels = figure_labels(
        [catalog["campuses"]], {"campuses": frame}, layers["district"], max_accuracy_m=TIGHTER_M
    )
    assert coarse["name_zh"] not in {lab.lines[0] for lab in labels}
