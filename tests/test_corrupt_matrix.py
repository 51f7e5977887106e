"""Every command against every data file broken six ways: one line, no traceback.

The data files of a layers folder (``catalog.yaml``, ``gazetteer.csv``,
``claims.csv`` and one layer file) are each made unreadable (a folder in its
place: the tests run as root, so file permissions would not stop a read), empty,
binary, truncated, GBK-encoded and of the wrong shape, on a copy made by ``geo
init``. Every subcommand of the parser (listed from it, so a new command must be
given a minimal argv below) then runs in-process against each: it must fail with a
line naming the file (or, where the command does not read that file, succeed) and
leave the data folder byte for byte as it was. One cell also runs as a real
process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import geo
from geo.cli import build_parser, main

#: A minimal valid argv per subcommand ("{out}": a scratch folder, "{poi}": a point list).
ARGV: dict[str, list[str]] = {
    "claims": ["claims"],
    "gazetteer match": ["gazetteer", "match", "{poi}", "--crs", "wgs84"],
    "gazetteer apply": [
        *("gazetteer", "apply", "{poi}", "--crs", "wgs84", "--source", "s", "--dry-run"),
    ],
    "gazetteer set": [
        *("gazetteer", "set", "重庆大学", "--lon", "106.466", "--lat", "29.566"),
        *("--crs", "wgs84", "--source", "s", "--dry-run"),
    ],
    "gazetteer locate": ["gazetteer", "locate", "--out", "{out}/locate.html", "--basemap", "none"],
    "add-layer": [
        *("add-layer", "{poi}", "--id", "new_sites", "--title-zh", "点", "--title-en", "Sites"),
        *("--crs", "wgs84", "--kind", "site", "--plan-ref", "survey", "--accuracy-m", "50"),
        *("--geometry-source", "digitized", "--name-zh", "点", "--name-en", "Site"),
    ],
    "export": ["export", "--format", "geojson", "--out", "{out}/export"],
    "init": ["init", "{out}/init"],
    "layers": ["layers"],
    "validate": ["validate"],
    "maps": ["maps", "--out", "{out}/maps", "--basemap", "none", "--figure", "7"],
    "area": ["area", "district"],
    "overlap": ["overlap", "district", "neighbours"],
    "near": ["near", "campuses", "rd_platforms"],
    "zones": ["zones", "campuses", "--in", "cities"],
    "report": ["report", "--out", "{out}/site"],
    "print": ["print", "--out", "{out}/print", "--figures", "7", "--format", "png", "--dpi", "30"],
    "site": ["site", "--out", "{out}/site", "--no-thumbnails", "--jobs", "1"],
    "db init": ["db", "init"],
    "db push": ["db", "push"],
    "db pull": ["db", "pull", "{out}/pulled"],
}

#: The data files broken, relative to the layers folder: the layer is drawn on one
#: figure only (Figure 7) and read by no derived layer.
FILES = ["catalog.yaml", "gazetteer.csv", "claims.csv", "cancer_resources.geojson"]
KINDS = ["unreadable", "empty", "binary", "truncated", "gbk", "shape"]

#: Cells where the command does not read the file, so success is right (and stderr
#: must still hold no traceback and the folder stay unchanged).
#: ``init`` copies the files byte for byte, whatever they hold.
#: The ``db`` commands, given no database here, stop with one line before reading
#: anything (tests/test_db*.py run them against a server).
_DB = {"db init", "db push", "db pull"}
NOT_READ: dict[str, set[str]] = {
    "catalog.yaml": {"init", *_DB},
    # these read only the catalog and the layers they name (no gazetteer place)
    "gazetteer.csv": {"add-layer", "area", "overlap", "init", *_DB},
    # the ledger is read by the claims, the site and the gazetteer's downstream check
    "claims.csv": {
        *("add-layer", "export", "layers", "validate", "maps", "area", "overlap", "near"),
        *("zones", "report", "print", "gazetteer match", "gazetteer locate", "init", *_DB),
    },
    # the cancer-resource layer is on Figure 7 only and in no claim or report table
    "cancer_resources.geojson": {
        *("claims", "gazetteer match", "gazetteer apply", "gazetteer set", "gazetteer locate"),
        *("add-layer", "area", "overlap", "near", "zones", "report", "init", *_DB),
    },
}
#: Commands that change the data folder when they succeed.
WRITES = {"add-layer"}
#: The kind run where the command does not read the file (any kind shows the same).
UNREAD_KIND = "binary"
#: Left out: ``geo site`` builds the whole site around a broken layer (a minute); it
#: reads layers through the same loader as ``maps`` and ``print``, which are run.
SKIPPED = {("site", "cancer_resources.geojson")}
#: The command run against each file by the one-line tests below (``layers`` otherwise).
PROCESS_COMMAND = {"claims.csv": "claims"}
SHAPES = {
    ".yaml": b"- a list\n- not a catalog\n",
    ".csv": b"a,b\n1,2\n",
    ".geojson": b'{"type": "FeatureCollection", "features": 5}',
}


def subcommands() -> list[str]:
    """Every subcommand of the parser, as ``name`` or ``group action``."""
    out = []
    for action in build_parser()._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for name, sub in action.choices.items():
            nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
            actions = [f"{name} {n}" for a in nested for n in a.choices]
            out += actions or [name]
    return out


def truncated(original: bytes, suffix: str) -> bytes:
    """Cut a file a third of the way in, as an interrupted copy would.

    A table is cut after the first cell of a row, so that row is short of fields (a
    cut at a row's end, or before an empty last cell, would leave a valid, shorter
    table); other formats are cut inside a string.
    """
    head = original[: len(original) // 3]
    if suffix == ".csv":
        row_start = head.rindex(b"\n") + 1
        return original[: original.index(b",", row_start) + 1]
    return head + b'"'


def corrupt(path: Path, kind: str) -> None:
    """Break ``path`` in place the way ``kind`` says."""
    original = path.read_bytes()
    if kind == "unreadable":
        path.unlink()
        path.mkdir()
        return
    data = {
        "empty": b"",
        "binary": bytes(range(256)) * 8,
        "truncated": truncated(original, path.suffix),
        "gbk": original.decode("utf-8").encode("gbk", errors="replace"),
        "shape": SHAPES[path.suffix],
    }[kind]
    path.write_bytes(data)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder``: file bytes, or None for a folder."""
    return {
        str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes())
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``geo init`` copy of the data; its layers folder."""
    root = tmp_path_factory.mktemp("corrupt") / "data"
    assert main(["init", str(root)]) == 0
    return root / "layers"


@pytest.fixture
def data(pristine: Path, tmp_path: Path) -> Path:
    """A fresh copy of the ``geo init`` layers folder for one cell."""
    return Path(shutil.copytree(pristine, tmp_path / "layers"))


def test_every_subcommand_has_an_argv() -> None:
    missing = sorted(set(subcommands()) - set(ARGV))
    assert not missing, f"give these subcommands a minimal argv in ARGV: {missing}"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse
        status = exc.code if isinstance(exc.code, int) else 2
    return status, capsys.readouterr().err


def _argv(command: str, tmp_path: Path) -> list[str]:
    poi = tmp_path / "points.csv"
    poi.write_text("name,lon,lat\n重庆大学,106.4662,29.5665\n", encoding="utf-8")
    return [a.format(out=tmp_path / "out", poi=poi) for a in ARGV[command]]


#: Commands that build whole outputs (a second or more each when they succeed) last.
SAMPLE_ORDER = sorted(ARGV, key=lambda c: c in {"claims", "export", "maps", "print", "report"})


def _cells() -> list[Any]:
    """Every (command, file, damage) cell; those beyond a sample are marked slow.

    The sample, which ``make test-fast`` runs, holds each command once and each
    (file, damage) pair once, each pair with the first command of
    :data:`SAMPLE_ORDER` (the slowest last); ``make test`` runs the whole matrix.
    """
    cells = [
        (command, name, kind)
        for name in FILES
        for kind in KINDS
        for command in SAMPLE_ORDER
        if (command, name) not in SKIPPED and (command not in NOT_READ[name] or kind == UNREAD_KIND)
    ]
    seen: set[Any] = set()
    out = []
    for command, name, kind in cells:
        new = {command, (name, kind)} - seen
        seen |= new
        marks = () if new else (pytest.mark.slow,)
        out.append(pytest.param(command, name, kind, marks=marks))
    return out


@pytest.mark.parametrize(("command", "name", "kind"), _cells())
def test_broken_data_file_gives_one_line(
    command: str,
    name: str,
    kind: str,
    data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GEO_LAYERS_DIR", str(data))
    monkeypatch.chdir(tmp_path)
    path = data / name
    corrupt(path, kind)
    before = snapshot(data)
    status, err = _run(_argv(command, tmp_path), capsys)
    after = snapshot(data)
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    if command in NOT_READ[name]:
        assert after[name] == before[name], f"{name} changed"
        if command not in WRITES:
            assert after == before, "the data folder changed"
        return
    assert after == before, "the data folder changed"
    assert status != 0, f"exit 0 with {name} {kind}:\n{err}"
    naming = [line for line in err.splitlines() if str(path) in line]
    assert len(naming) >= 1, f"no line names {path}:\n{err}"
    assert all("fix" in line for line in naming), err
    if name != "cancer_resources.geojson":  # a shared file stops the command at once
        assert len(err.strip().splitlines()) == 1, err


#: The (file, damage) pair also run as a real ``python -m geo`` process.
PROCESS_CELL = ("catalog.yaml", "unreadable")


@pytest.mark.parametrize(("name", "kind"), [(f, k) for f, k in zip(FILES, KINDS, strict=False)])
def test_broken_data_file_stops_the_reading_command(
    name: str,
    kind: str,
    data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = data / name
    corrupt(path, kind)
    before = snapshot(data)
    command = PROCESS_COMMAND.get(name, "layers")
    if (name, kind) == PROCESS_CELL:
        package_root = str(Path(geo.__file__).resolve().parents[1])
        env = {**os.environ, "GEO_LAYERS_DIR": str(data), "PYTHONPATH": package_root}
        done = subprocess.run(
            [sys.executable, "-m", "geo", command],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
        status, err = done.returncode, done.stderr
    else:
        monkeypatch.setenv("GEO_LAYERS_DIR", str(data))
        monkeypatch.chdir(tmp_path)
        status, err = _run([command], capsys)
    assert snapshot(data) == before, "the data folder changed"
    assert status != 0
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert str(path) in lines[0], err


@pytest.fixture
def shared_data(pristine: Path) -> Iterator[Path]:
    """A copy of the data in a folder other users may enter (pytest's is root's only)."""
    root = Path(tempfile.mkdtemp(prefix="geo-perm-", dir="/tmp"))
    root.chmod(0o755)
    try:
        yield Path(shutil.copytree(pristine, root / "layers"))
    finally:
        shutil.rmtree(root)


SETPRIV = shutil.which("setpriv")
NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups"]


#: Files whose permission case runs in ``make test`` only (a process each): the one-line
#: message is that of the catalog's case, and the file's read is run as an unreadable
#: cell above.
PERMISSION_SLOW = {"gazetteer.csv", "cancer_resources.geojson"}


@pytest.mark.skipif(SETPRIV is None or os.geteuid() != 0, reason="needs root and setpriv")
@pytest.mark.parametrize(
    "name",
    [pytest.param(f, marks=(pytest.mark.slow,) if f in PERMISSION_SLOW else ()) for f in FILES],
)
def test_a_file_without_read_permission_is_one_line(name: str, shared_data: Path) -> None:
    path = shared_data / name
    path.chmod(0)
    package_root = str(Path(geo.__file__).resolve().parents[1])
    env = {**os.environ, "GEO_LAYERS_DIR": str(shared_data), "PYTHONPATH": package_root}
    command = PROCESS_COMMAND.get(name, "layers")
    done = subprocess.run(
        [str(SETPRIV), *NOBODY, sys.executable, "-m", "geo", command],
        capture_output=True,
        text=True,
        env=env,
        cwd="/tmp",
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    (line,) = done.stderr.strip().splitlines()
    assert str(path) in line
    assert "(Permission denied)" in line
    assert "make the file readable" in line


@pytest.mark.parametrize("name", FILES)
def test_a_dangling_link_is_one_line(
    name: str, data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = data / name
    path.unlink()
    path.symlink_to(data / "gone" / name)
    monkeypatch.setenv("GEO_LAYERS_DIR", str(data))
    status, err = _run([PROCESS_COMMAND.get(name, "layers")], capsys)
    assert status != 0
    (line,) = err.strip().splitlines()
    assert str(path) in line
    assert "fix" in line
