"""Every extension point is a :class:`geo.registries.Registry`: one shape, one error."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from geo.errors import DuplicateNameError, GeoError, UnknownNameError
from geo.registries import Registry

GEO = Path(__file__).resolve().parents[1] / "geo"


def test_names_come_in_the_order_registered_and_a_name_once():
    reg: Registry[int] = Registry("number")
    reg.add("two", 2)

    @reg.register("double")
    def double(x: int) -> int:
        return 2 * x

    assert reg.names() == ("two", "double")
    assert list(reg.items()) == [("two", 2), ("double", double)]
    with pytest.raises(DuplicateNameError, match="number 'two' is registered already"):
        reg.add("two", 3)
    assert reg["two"] == 2


def test_an_unknown_name_is_a_key_error_naming_the_known_ones():
    reg: Registry[int] = Registry("number")
    reg.add("one", 1)
    reg.add("two", 2)
    with pytest.raises(UnknownNameError) as caught:
        reg["three"]
    assert isinstance(caught.value, KeyError)
    assert isinstance(caught.value, GeoError)
    assert str(caught.value) == "unknown number 'three': use one of one, two"
    assert reg.get("three") is None


def test_temporarily_leaves_the_registry_as_it_was():
    reg: Registry[int] = Registry("number")
    reg.add("one", 1)
    with reg.temporarily("nine", 9):
        assert reg.names() == ("one", "nine")
    assert reg.names() == ("one",)
    with pytest.raises(RuntimeError), reg.temporarily("ten", 10):
        raise RuntimeError("stopped")
    assert reg.names() == ("one",)


@pytest.mark.parametrize(
    ("module", "attribute", "names"),
    [
        (
            "geo.claims",
            "CHECK_REGISTRY",
            ("cross-source", "aggregate", "geometry", "plausibility", "arithmetic", "containment"),
        ),
        ("geo.cli", "COMMANDS", ("cmd_claims", "cmd_gazetteer", "cmd_gis", "cmd_init")),
        (
            "geo.site.state",
            "SITE_STEPS",
            ("report", "claims", "print", "locate", "offline", "thumbnails", "online"),
        ),
        ("geo.gis.exchange", "EXPORT_FORMATS", ("gpkg", "shp", "kml", "fgb", "geojson", "qgis")),
        ("geo.figures.specs", "FIGURES", ("fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "fig7")),
    ],
)
def test_every_extension_point_is_a_registry(module, attribute, names):
    import importlib

    import geo.site.steps  # noqa: F401  (registers the steps)

    reg = getattr(importlib.import_module(module), attribute)
    assert isinstance(reg, Registry)
    assert set(names) <= set(reg.names())


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_the_steps_and_the_build_state_never_import_the_runner():
    assert "geo.site.build" not in _imports(GEO / "site" / "steps.py")
    assert not {"geo.site.build", "geo.site.steps"} & _imports(GEO / "site" / "state.py")
    assert "geo.site.steps" in _imports(GEO / "site" / "build.py")  # the runner imports the steps


def test_a_registered_step_runs_in_the_build(monkeypatch, tmp_path):
    from geo.site import build
    from geo.site.state import SITE_STEPS

    ran = []
    with SITE_STEPS.temporarily("extra", lambda b, step: ran.append(b.out)):
        monkeypatch.setattr(build, "load_inputs", lambda: _no_inputs(tmp_path))
        results = build.build_site(tmp_path / "site", steps=("extra",), progress=None)
    assert ran == [tmp_path / "site"]
    assert [r.name for r in results] == ["load", "extra"]
    assert "extra" not in SITE_STEPS


def _no_inputs(tmp_path: Path):
    from types import SimpleNamespace

    from geo.data.catalog import parse_catalog
    from geo.site.state import Inputs

    project = SimpleNamespace(catalog=parse_catalog({"version": 1, "layers": []}), problems=[])
    return Inputs(project, {}, {}, {"gazetteer": ""})


def test_an_unknown_export_format_names_the_known_ones(tmp_path):
    from geo.gis.exchange import write_export

    with pytest.raises(UnknownNameError, match="unknown export format 'dxf': use one of gpkg, shp"):
        write_export({}, None, "dxf", tmp_path / "x.dxf")


def test_the_export_command_offers_the_registered_formats(capsys):
    from geo.cli import main
    from geo.gis.exchange import EXPORT_FORMATS

    with pytest.raises(SystemExit):
        main(["export", "--format", "dxf", "--out", "x"])
    err = capsys.readouterr().err
    assert "(choose from 'gpkg', 'shp', 'kml', 'fgb', 'geojson', 'qgis')" in err
    assert tuple(EXPORT_FORMATS) == ("gpkg", "shp", "kml", "fgb", "geojson", "qgis")
