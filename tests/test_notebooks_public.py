"""Notebooks in a stock Jupyter: the [notebook] extra, public API only, maps that show offline."""

from __future__ import annotations

import ast
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path

import pytest

from geo import errors
from geo.data.catalog import read_catalog
from geo.data.layers import _load_layer

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower()


def _code(nb: Path) -> str:
    doc = json.loads(nb.read_text(encoding="utf-8"))
    cells = [c for c in doc["cells"] if c["cell_type"] == "code"]
    # IPython magics and shell lines are not Python
    lines = (ln for c in cells for ln in "".join(c["source"]).splitlines())
    return "\n".join(ln for ln in lines if not ln.lstrip().startswith(("%", "!")))


def _imported_modules(source: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_notebook_extra_names_jupyter_and_the_plotting_packages():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extra = {_name(r) for r in data["project"]["optional-dependencies"]["notebook"]}
    assert {"jupyterlab", "ipykernel", "matplotlib", "mapclassify"} <= extra


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_use_only_the_public_api(nb):
    private = sorted(
        m
        for m in _imported_modules(_code(nb))
        if m.split(".")[0] == "geo"
        and (any(part.startswith("_") for part in m.split(".")) or m.startswith("geo.cli"))
    )
    assert private == [], f"{nb.name} imports private modules: {private}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_stored_without_outputs(nb):
    doc = json.loads(nb.read_text(encoding="utf-8"))
    for cell in doc["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], nb.name
            assert cell["execution_count"] is None, nb.name


def test_private_import_would_be_caught():
    found = _imported_modules("from geo._io import X\nimport geo.cli.cmd_claims\n")
    assert "geo._io" in found
    assert "geo.cli.cmd_claims" in found


def test_every_error_is_public():
    defined = {
        name
        for name, obj in vars(errors).items()
        if inspect.isclass(obj) and obj.__module__ == errors.__name__
    }
    assert defined <= set(errors.__all__)


# --------------------------------------------------------------------------- reprs
def test_catalog_repr_lists_layers_and_escapes():
    cat = read_catalog(ROOT / "layers" / "catalog.yaml")
    text = repr(cat)
    assert text.startswith(f"<Catalog of {len(cat)} layers")
    assert "rd_platforms" in text
    assert "LayerSpec(" not in text  # not the dataclass dump
    page = cat._repr_html_()
    assert page.count("<tr>") == len(cat) + 1
    assert "研发平台" in page
    assert "derived: " in page
    assert "R&amp;D" in page  # titles are escaped
    assert "R&D" not in page


def test_layer_spec_repr():
    cat = read_catalog(ROOT / "layers" / "catalog.yaml")
    spec = cat["rings"]
    assert repr(spec).startswith("<LayerSpec rings: ")
    assert "derived: " in repr(spec)
    assert "<th" in spec._repr_html_()
    assert "rd_platforms.geojson" in repr(cat["rd_platforms"])


# --------------------------------------------------------------------------- inline maps
def test_show_renders_the_offline_page_in_a_frame():
    from geo.maps import build_map, figure_by_id, show

    cat = read_catalog(ROOT / "layers" / "catalog.yaml")
    layers = {lid: _load_layer(lid, catalog=cat) for lid in ("district", "campuses")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # layers of the figure not loaded here
        m = build_map(figure_by_id("fig3", cat), layers, cat, basemap="none")
    shown = show(m)
    page = shown._repr_html_()
    assert page.startswith("<iframe srcdoc=")
    assert "unpkg.com" not in page
    assert "cdn.jsdelivr.net" not in page
    assert not re.search(r"<script src=", page)  # nothing unescaped, nothing linked
    assert "L.map(" in page or "L.map" in page  # Leaflet's own code is inside


def test_geodataframe_plot_and_explore_work():
    pytest.importorskip("mapclassify")
    import matplotlib

    matplotlib.use("Agg")
    from geo.maps import show

    gdf = _load_layer("rd_platforms")
    ax = gdf.plot(column="kind", legend=True)
    assert len(ax.collections) >= 1
    m = gdf.explore(column="accuracy_m", scheme="quantiles", k=3, tiles=None)
    assert "iframe" in show(m)._repr_html_()


@pytest.mark.browser
def test_inline_map_draws_with_no_network(browser, tmp_path):
    from geo.data.placement import placement
    from geo.maps import build_map, figure_by_id, show
    from geo.maps.browser import block_network

    cat = read_catalog(ROOT / "layers" / "catalog.yaml")
    layers = {lid: _load_layer(lid, catalog=cat) for lid in ("district", "campuses")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = build_map(figure_by_id("fig3", cat), layers, cat, basemap="none")
    notebook_page = tmp_path / "cell.html"
    notebook_page.write_text(f"<html><body>{show(m)._repr_html_()}</body></html>", "utf-8")
    context = browser.new_context()
    block_network(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(notebook_page.as_uri())
    frame = page.frames[1]
    frame.wait_for_selector(".leaflet-container", timeout=10_000)
    # the district outline and every campus located well enough to be a point
    points = (placement(layers["campuses"]) == "point").sum()
    assert points > 0
    assert frame.locator("path.leaflet-interactive").count() >= 1 + points
    assert errors == []
    context.close()


# --------------------------------------------------------------------------- stock Jupyter
@pytest.mark.slow
@pytest.mark.skipif(
    not (os.environ.get("CI") or os.environ.get("GEO_TEST_STOCK_JUPYTER")),
    reason="needs the package index (pip install .[notebook] into a new venv, ~2 min): "
    "set GEO_TEST_STOCK_JUPYTER=1 (always run in CI)",
)
def test_notebooks_run_in_a_venv_made_only_from_the_notebook_extra(tmp_path):
    from test_packaging import build_wheel

    wheel = build_wheel(tmp_path / "dist")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, f"{wheel}[notebook]", "nbmake"], check=True, timeout=1200)
    work = tmp_path / "work"  # the notebooks beside a copy of the data, outside the repo
    shutil.copytree(ROOT / "notebooks", work / "notebooks")
    shutil.copytree(ROOT / "layers", work / "layers")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEO_", "PYTHON"))}
    run = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pytest", "--nbmake", "notebooks", "-q"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert f"{len(NOTEBOOKS)} passed" in run.stdout
