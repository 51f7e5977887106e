"""Outputs never land on inputs: every command's writes are refused inside the data.

Each case runs on a fresh ``geo init`` copy and checks the data folder is
byte-identical afterwards (hashing every file but the lock).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from geo.cli import main


def digest(folder: Path) -> str:
    """One hash of every file's path and bytes under ``folder`` (the lock file aside)."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name != ".geo.lock":
            h.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A fresh `geo init` copy, used as the data folder, with the working folder beside it."""
    assert main(["init", str(tmp_path)]) == 0
    monkeypatch.setenv("GEO_LAYERS_DIR", str(tmp_path / "layers"))
    monkeypatch.setenv("GEO_SOURCES_DIR", str(tmp_path / "sources"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if "error" in ln]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "--out", "layers/catalog.yaml"],
        ["export", "--out", "layers/campuses.geojson", "--layers", "campuses"],
        ["export", "--out", "layers/claims.csv"],
        ["export", "--format", "geojson", "--out", "layers"],
        ["gazetteer", "locate", "--out", "layers/gazetteer.csv"],
    ],
    ids=["catalog", "layer", "ledger", "all-layers", "locate-gazetteer"],
)
def test_an_output_in_the_data_folder_is_refused_and_the_data_stay(project, capsys, argv):
    before = digest(project / "layers")
    assert main(argv) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "refusing to write layers" in line
    assert "inside the data folder" in line
    assert "choose an output outside it" in line
    assert digest(project / "layers") == before
    assert main(["layers", "--no-load"]) == 0  # the data still read


def test_a_symlink_into_the_data_folder_is_followed_and_refused(project, capsys):
    (project / "out").symlink_to(project / "layers")
    before = digest(project / "layers")
    assert main(["gazetteer", "locate", "--out", "out/gazetteer.csv"]) == 2
    assert "inside the data folder" in one_error_line(capsys.readouterr().err)
    assert digest(project / "layers") == before


def test_the_writer_refuses_unless_the_target_is_granted(project):
    from geo._data import data_writes
    from geo._io import atomic_write_text
    from geo.errors import OutputOnInputError

    target = project / "layers" / "gazetteer.csv"
    with pytest.raises(OutputOnInputError, match="inside the data folder"):
        atomic_write_text(target, "x")
    with data_writes(project / "layers" / "catalog.yaml"), pytest.raises(OutputOnInputError):
        atomic_write_text(target, "x")  # another file's grant does not cover it
    with data_writes(target):
        atomic_write_text(target, "name_zh\n")
    assert target.read_text(encoding="utf-8") == "name_zh\n"


def test_the_sources_are_data_too(project):
    from geo._io import atomic_write_text
    from geo.errors import OutputOnInputError

    with pytest.raises(OutputOnInputError, match="inside the source documents folder"):
        atomic_write_text(project / "sources" / "new.txt", "x")


# --------------------------------------------------------------------------- the journal
def journal_of(layers: Path, moves: list[dict], mode: str = "undo") -> Path:
    path = layers / ".geo-commit.json"
    path.write_text(json.dumps({"mode": mode, "moves": moves}), encoding="utf-8")
    return path


def test_a_journal_naming_the_catalog_as_created_is_refused(project, capsys):
    layers = project / "layers"
    move = {
        "staged": ".catalog.yaml.abc123.tmp",
        "target": "catalog.yaml",
        "backup": None,
        "created": True,
    }
    journal = journal_of(layers, [move])
    before = digest(layers)
    assert main(["layers"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert str(journal) in line
    assert "catalog.yaml" in line
    assert "delete the journal" in line
    assert digest(layers) == before  # the catalog is there, the journal left alone


@pytest.mark.parametrize(
    "move",
    [
        {"staged": "gazetteer.csv", "target": "claims.csv", "backup": None, "created": False},
        {"staged": ".x.tmp", "target": ".geo-commit.json", "backup": None, "created": False},
    ],
    ids=["staged-is-data", "target-is-journal"],
)
def test_a_journal_moving_a_file_that_is_not_its_own_is_refused(project, capsys, move):
    layers = project / "layers"
    journal_of(layers, [move], mode="forward")
    before = digest(layers)
    assert main(["layers"]) == 2
    assert "commit journal refused" in one_error_line(capsys.readouterr().err)
    assert digest(layers) == before


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000, '{"mode": "forward", "moves": []}' + " " * 1_100_000],
    ids=["over-deep", "huge"],
)
def test_a_deep_or_huge_journal_is_one_line(project, capsys, text):
    layers = project / "layers"
    (layers / ".geo-commit.json").write_text(text, encoding="utf-8")
    before = digest(layers)
    assert main(["layers"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert ".geo-commit.json" in line
    assert "RecursionError" not in line
    assert digest(layers) == before


# --------------------------------------------------------------------------- the build manifest
@pytest.mark.parametrize(
    "text",
    ["[" * 100_000, '{"version": 2, "units": {"a": {"key": 1, "reads": 2, "outputs": 3}}}'],
    ids=["over-deep", "wrong-types"],
)
def test_an_unreadable_build_manifest_is_a_note_and_the_build_goes_on(tmp_path, text):
    from geo.errors import BuildManifestWarning
    from geo.site.cache import MANIFEST_NAME, Manifest

    (tmp_path / MANIFEST_NAME).write_text(text, encoding="utf-8")
    with pytest.warns(BuildManifestWarning, match="unreadable build manifest"):
        manifest = Manifest(tmp_path)
    assert manifest.entries == {}  # everything builds
    manifest.save()
    doc = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert doc == {"units": {}, "version": 2}


def test_an_input_read_by_the_process_is_protected(tmp_path):
    from geo._data import command_inputs
    from geo._io import atomic_write_text
    from geo.data.inputs import read_input_document
    from geo.errors import OutputOnInputError

    src = tmp_path / "mine.csv"
    src.write_text("name_zh,name_en,lon,lat\n点,P,106.4662,29.5665\n", encoding="utf-8")
    with command_inputs():
        read_input_document(src, "wgs84")
        with pytest.raises(OutputOnInputError, match="a file this command reads"):
            atomic_write_text(src, "x")
    assert src.read_text(encoding="utf-8").startswith("name_zh")
    read_input_document(src, "wgs84")  # outside a command: read, change, write back
    atomic_write_text(src, "x")


def test_a_project_folder_of_ones_own_is_protected(tmp_path):
    from geo import Project
    from geo._data import command_inputs
    from geo._io import atomic_write_text
    from geo.errors import OutputOnInputError

    with command_inputs():
        Project(tmp_path / "mine")
        with pytest.raises(OutputOnInputError, match="which this command reads"):
            atomic_write_text(tmp_path / "mine" / "out.gpkg", "x")


def test_init_into_the_data_folder_is_refused(project, capsys):
    before = digest(project / "layers")
    assert main(["init", str(project / "layers" / "copy")]) == 2
    assert "inside the data folder" in one_error_line(capsys.readouterr().err)
    assert digest(project / "layers") == before
