"""One base for the toolkit's errors and warnings, and what the command line does with them."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from geo import errors
from geo.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]
MAPS = ROOT / "tests" / "data" / "maps"
#: The commands that only parse, call the library and print (claims keeps its own loop).
THIN = [name for name in COMMANDS if name != "cmd_claims"]

CLASSES = [
    obj
    for obj in vars(errors).values()
    if inspect.isclass(obj) and obj.__module__ == errors.__name__ and obj is not errors.Problem
]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_class_has_the_toolkits_base_and_a_built_in_one(cls):
    assert issubclass(cls, errors.GeoError | errors.GeoWarning)
    if cls not in (errors.GeoError, errors.GeoWarning):
        builtin = [b for b in cls.__mro__ if b.__module__ == "builtins" and b is not object]
        assert builtin[0] not in (Exception, BaseException), cls


def test_the_moved_classes_are_the_same_everywhere():
    from geo.errors import (
        MissingLayerWarning,
        OfflineAssetError,
        ShapefileTextWarning,
        SizeBudgetWarning,
    )

    assert OfflineAssetError is errors.OfflineAssetError
    assert issubclass(OfflineAssetError, ValueError)
    for warning in (ShapefileTextWarning, MissingLayerWarning, SizeBudgetWarning):
        assert issubclass(warning, errors.GeoWarning)
        assert getattr(errors, warning.__name__) is warning


def test_an_offline_asset_error_in_a_command_is_one_line(tmp_path, monkeypatch, capsys):
    import geo.maps.site

    def refuse(*_args, **_kw):
        raise errors.OfflineAssetError("https://cdn.example/x.js is not in the asset table")

    monkeypatch.setenv("GEO_LAYERS_DIR", str(MAPS))
    monkeypatch.setattr(geo.maps.site, "write_site", refuse)
    code = main(["maps", "--out", str(tmp_path), "--basemap", "none", "--offline"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == "geo maps: error: https://cdn.example/x.js is not in the asset table\n"


def test_a_toolkit_warning_in_a_command_is_said_plainly(gis_layers, capsys):
    (gis_layers / "sites.geojson").write_text("{", encoding="utf-8")
    assert main(["layers"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("geo layers: warning: layer sites does not load (")
    assert "broken JSON" in err
    assert "LayerLoadWarning" not in err  # not Python's warning block
    assert "warnings.warn" not in err


@pytest.mark.parametrize("name", THIN)
def test_commands_do_not_import_the_command_line_package(name):
    tree = ast.parse((ROOT / "geo" / "cli" / f"{name}.py").read_text(encoding="utf-8"))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is not None
    }
    imported |= {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert "geo.cli" not in imported
