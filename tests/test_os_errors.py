"""Operating-system errors end a command with one line naming the path and the fix."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import CQU_A, message_lines
from geo.cli import main

X, Y = CQU_A
ADD_OPTS = [
    "--title-zh",
    "点",
    "--title-en",
    "Points",
    "--crs",
    "wgs84",
    "--kind",
    "site",
    "--plan-ref",
    "p:L1",
    "--geometry-source",
    "digitized",
    "--accuracy-m",
    "100",
]


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != ".geo.lock"  # the lock file holds no data
    }


@pytest.fixture
def points_csv(tmp_path: Path) -> Path:
    path = tmp_path / "pts.csv"
    path.write_text(f"name_zh,name_en,lon,lat\n甲,A,{X},{Y}\n", encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    rc = main(list(args))
    err = capsys.readouterr().err
    return rc, err


def assert_one_line(err: str, *needles: str) -> None:
    assert "Traceback" not in err
    lines = message_lines(err)  # progress lines (a log's) are not messages
    assert len(lines) == 1, err
    for needle in needles:
        assert needle in lines[0], err


# --------------------------------------------------------------------------- failing writes
@pytest.mark.parametrize(
    ("module", "name", "code", "fix"),
    [
        (os, "fsync", errno.ENOSPC, "free disk space"),  # the disk fills while writing
        # the tests may run as root, which chmod cannot stop: the refusal is simulated
        (tempfile, "mkstemp", errno.EROFS, "read-only"),
    ],
    ids=["disk-full", "read-only-folder"],
)
def test_failing_write_is_one_line_and_changes_nothing(
    gis_layers, points_csv, capsys, monkeypatch, module, name, code, fix
):
    before = snapshot(gis_layers)

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(module, name, fail)
    rc, err = run_cli(capsys, "add-layer", str(points_csv), "--id", "new_points", *ADD_OPTS)
    monkeypatch.undo()
    assert rc != 0
    assert_one_line(err, str(gis_layers), fix)
    assert snapshot(gis_layers) == before


# --------------------------------------------------------------------------- bad targets
@pytest.mark.usefixtures("gis_layers")
def test_out_pointing_at_a_file(tmp_path, capsys):
    target = tmp_path / "report.txt"
    target.write_text("keep me\n", encoding="utf-8")
    rc, err = run_cli(capsys, "report", "--out", str(target))
    assert rc != 0
    assert_one_line(err, str(target), "fix:")
    assert target.read_text(encoding="utf-8") == "keep me\n"


@pytest.mark.usefixtures("gis_layers")
def test_out_pointing_at_dev_null(capsys):
    rc, err = run_cli(capsys, "report", "--out", os.devnull)
    assert rc != 0
    assert_one_line(err, os.devnull, "give a folder path")


@pytest.mark.usefixtures("gis_layers")
def test_gpkg_export_to_a_folder(tmp_path, capsys):
    folder = tmp_path / "out"
    folder.mkdir()
    rc, err = run_cli(capsys, "export", "--gpkg", str(folder), "--layers", "sites")
    assert rc != 0
    assert_one_line(err, str(folder), "give a file path")
    assert list(folder.iterdir()) == []  # no temporary file left behind


def test_overlong_layer_id_is_refused_before_anything_is_written(gis_layers, points_csv, capsys):
    before = snapshot(gis_layers)
    rc, err = run_cli(capsys, "add-layer", str(points_csv), "--id", "a" * 300, *ADD_OPTS)
    assert rc == 2
    assert_one_line(err, "at most 64 characters")
    assert snapshot(gis_layers) == before


def test_sixty_four_characters_are_enough(gis_layers, points_csv, capsys):
    rc, _ = run_cli(capsys, "add-layer", str(points_csv), "--id", "a" * 64, *ADD_OPTS)
    assert rc == 0
    assert (gis_layers / f"{'a' * 64}.geojson").exists()


# --------------------------------------------------------------------------- closed pipe
def test_closed_pipe_ends_quietly(gis_layers):
    env = {**os.environ, "GEO_LAYERS_DIR": str(gis_layers)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo", "layers"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    proc.stdout.close()  # as `| head` does once it has read enough
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert err.decode() == ""
