"""A malformed ``gazetteer.csv`` stops ``geo layers`` and ``geo maps`` with one clean line.

Each case breaks the gazetteer of a ``geo init`` copy of the data in one way; the
command then runs (through ``geo.cli.main``; one cell as a real process) and must
exit with the user-error status (2, not the internal-error 70) and print exactly one
line on stderr: the file, the row, the problem and the fix, and no traceback. The
data folder is left as it was.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from test_corrupt_matrix import pristine, snapshot  # noqa: F401  (a fixture and a helper)
from test_entry_point import run_geo

from conftest import geo_in_process

GAZETTEER = "gazetteer.csv"


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines), encoding="utf-8")


def _cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell (``row`` counts the header as 1); the data has no quoted line breaks."""
    lines = _lines(path)
    header = lines[0].split(",")
    assert lines[row - 1].count('"') == 0, "pick a row without quoted cells"
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    _write(path, lines)


def _header(path: Path, old: str, new: str) -> None:
    lines = _lines(path)
    assert old in lines[0]
    lines[0] = lines[0].replace(old, new)
    _write(path, lines)


def _blank_line_then_bad_lon(path: Path) -> None:
    lines = _lines(path)
    _write(path, [*lines[:2], "", *lines[2:]])  # a blank line is row 3
    _cell(path, 4, "lon", "east")


def _undecodable(path: Path) -> None:
    lines = _lines(path)
    raw = "\n".join(lines[:4]).encode("utf-8") + b"\n\xff\xfe bad bytes\n"
    path.write_bytes(raw + "\n".join(lines[4:]).encode("utf-8"))


#: case: (how to break the file, what the line must say after the file's name)
CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "column named twice": (
        lambda p: _header(p, ",within", ",lon"),
        ": row 1: the header names column(s) lon more than once; fix: ",
    ),
    "row after a blank line": (_blank_line_then_bad_lon, ": row 4: lon 'east' is not a number"),
    "non-numeric lon": (lambda p: _cell(p, 3, "lon", "106.3E"), ": row 3: lon '106.3E' is not"),
    "missing column": (
        lambda p: _header(p, "accuracy_m", "accuracy"),
        ": row 1: the header lacks column(s) accuracy_m; fix: ",
    ),
    "bad header": (
        lambda p: _header(p, "name_zh,name_en", "名称,name"),
        ": row 1: the header lacks column(s) name_zh, name_en; fix: ",
    ),
    "undecodable bytes": (_undecodable, ": line 5: not UTF-8"),
}

COMMANDS = {
    "layers": ["layers"],
    "maps": ["maps", "--out", "{out}", "--basemap", "none", "--figure", "7"],
}

#: The cell also run as a real ``python -m geo`` process (the others run in-process).
PROCESS_CELL = ("undecodable bytes", "layers")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", CASES)
def test_a_malformed_gazetteer_is_one_user_error_line(
    case: str,
    command: str,
    pristine: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = Path(shutil.copytree(pristine.parent, tmp_path / "data"))
    path = root / "layers" / GAZETTEER
    breaking, says = CASES[case]
    breaking(path)
    before = snapshot(root / "layers")
    argv = [a.format(out=tmp_path / "out") for a in COMMANDS[command]]
    if (case, command) == PROCESS_CELL:
        process = run_geo(root, *argv)
        status, err = process.returncode, process.stderr.decode("utf-8")
    else:
        monkeypatch.setenv("GEO_LAYERS_DIR", str(root / "layers"))
        monkeypatch.setenv("GEO_SOURCES_DIR", str(root / "sources"))
        done = geo_in_process(capsys, *argv)
        status, err = done.returncode, done.stderr
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    assert status == 2, err
    (line,) = err.strip().splitlines()
    assert line.startswith(f"geo {command}: error: {path}{says}"), line
    assert "; fix: " in line, line
    assert snapshot(root / "layers") == before, "the data folder changed"
