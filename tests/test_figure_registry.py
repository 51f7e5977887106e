"""A figure added through the registry: one spec plus the catalog's ``figures:`` lists.

A throw-away Figure 9 is registered for one test, in a copy of the fixture data
whose catalog puts one layer on it; the web map and the print are built through
the command line, and the registry is left as it was.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from geo.cli import main
from geo.errors import DuplicateNameError, GeoError, UnknownNameError
from geo.figures.specs import FIGURES, FigureSpec, figure_numbers
from geo.maps import MissingLayerWarning

DATA = Path(__file__).parent / "data" / "maps"
GAZETTEER = Path(__file__).resolve().parents[1] / "layers" / "gazetteer.csv"
#: The one layer the catalog puts on Figure 9, its title and its one feature's name.
LAYER, TITLE, NAME = "cancer_resources", "肿瘤诊疗资源", "重庆大学附属肿瘤医院"
FIG9 = FigureSpec(
    id="fig9",
    label_zh="图 9",
    caption_zh="测试用图",
    caption_en="A figure for the test",
    plan_ref="002_8a077782b689f185.txt:L1",
    shows="One layer, put on it by the catalog.",
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture data whose catalog lists Figure 9 for one layer."""
    layers = tmp_path / "layers"
    shutil.copytree(DATA, layers)
    shutil.copy(GAZETTEER, layers / "gazetteer.csv")  # the prints read one
    catalog = layers / "catalog.yaml"
    text = catalog.read_text(encoding="utf-8")
    entry = f"file: {LAYER}.geojson, role: site,\n     group: 平台 Platforms, figures: [7]"
    assert entry in text
    catalog.write_text(text.replace(entry, entry.replace("[7]", "[7, 9]")), encoding="utf-8")
    monkeypatch.setenv("GEO_LAYERS_DIR", str(layers))
    return layers


@pytest.fixture
def fig9() -> Iterator[FigureSpec]:
    """Figure 9 in the registry for one test; the registry as it was afterwards."""
    before = list(FIGURES.items())
    with FIGURES.temporarily("fig9", FIG9) as spec:
        yield spec
    assert list(FIGURES.items()) == before


def _quiet_main(args: list[str]) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingLayerWarning)
        return main(args)


def test_a_registered_figure_is_drawn_on_the_web_map(folder, fig9, tmp_path, capsys):
    assert figure_numbers()[-1] == 9
    out = tmp_path / "site"
    assert _quiet_main(["maps", "--out", str(out), "--basemap", "none", "--figure", "9"]) == 0
    page = (out / "fig9.html").read_text(encoding="utf-8")
    assert "测试用图" in page  # its caption
    assert TITLE in page  # the layer the catalog put on it
    assert NAME in page
    assert str(out / "fig9.html") in capsys.readouterr().out


def test_a_registered_figure_is_printed(folder, fig9, tmp_path):
    out = tmp_path / "print"
    args = ["print", "--figures", "9", "--out", str(out), "--dpi", "40", "--jobs", "1"]
    assert _quiet_main(args) == 0
    assert (out / "fig9.png").read_bytes().startswith(b"\x89PNG")
    text = "".join(page.extract_text() for page in PdfReader(out / "fig9.pdf").pages)
    assert "测试用图" in text
    assert TITLE in text


def test_add_layer_takes_a_registered_figure_number(folder, fig9, tmp_path, capsys):
    src = tmp_path / "one.geojson"
    src.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"id": "p1", "name_zh": "点", "name_en": "P"}, '
        '"geometry": {"type": "Point", "coordinates": [106.4, 29.6]}}]}',
        encoding="utf-8",
    )
    args = ["add-layer", str(src), "--id", "extra", "--title-zh", "点", "--title-en", "P"]
    args += ["--crs", "wgs84", "--figures", "9", "--kind", "x", "--plan-ref", "002:L1"]
    args += ["--geometry-source", "surveyed", "--accuracy-m", "10"]
    assert main(args) == 0, capsys.readouterr().err
    assert "figures: [9]" in (folder / "catalog.yaml").read_text(encoding="utf-8")


def test_without_it_figure_9_is_unknown_everywhere(folder, capsys):
    assert "fig9" not in FIGURES
    assert 9 not in figure_numbers()
    assert main(["maps", "--out", "x", "--figure", "9"]) == 2
    assert "unknown figure '9'" in capsys.readouterr().err
    args = ["add-layer", "a.geojson", "--id", "a", "--title-zh", "a", "--title-en", "a"]
    with pytest.raises(SystemExit):
        main([*args, "--crs", "wgs84", "--figures", "9"])
    assert "no figure 9; the plan's figures are numbered 1 to 8" in capsys.readouterr().err


def test_a_figure_id_is_registered_once_and_an_unknown_one_is_named():
    with pytest.raises(DuplicateNameError, match="figure 'fig1' is registered already"):
        FIGURES.add("fig1", FIG9)
    with pytest.raises(UnknownNameError, match="unknown figure 'fig0': use one of fig1, fig2"):
        FIGURES["fig0"]
    with pytest.raises(KeyError) as caught:  # a KeyError and a GeoError, for any caller
        FIGURES["fig0"]
    assert isinstance(caught.value, GeoError)
