"""Progress of long work: on stderr, plain lines in a log, a bar on a terminal."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import warnings
from pathlib import Path

import pytest

from conftest import geo_in_process
from geo.console import Progress

ROOT = Path(__file__).resolve().parents[1]
MAPS = Path(__file__).parent / "data" / "maps"


def _geo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``geo`` in a child process whose stderr is a pipe (not a terminal)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def test_plain_lines_when_stderr_is_no_terminal():
    stream = io.StringIO()
    with Progress("geo print", "figure", stream) as progress:
        progress(1, 2, "fig1")
        progress(2, 2, "fig2")
    assert stream.getvalue() == "geo print: 1/2 figures fig1\ngeo print: 2/2 figures fig2\n"


def _read_all(fd: int) -> str:
    chunks = []
    while select.select([fd], [], [], 0.5)[0]:
        chunks.append(os.read(fd, 65536))
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_bar_on_a_terminal():
    main_fd, child_fd = pty.openpty()
    rows_cols = struct.pack("HHHH", 24, 100, 0, 0)  # a terminal 100 columns wide
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, rows_cols)
    try:
        with os.fdopen(child_fd, "w", encoding="utf-8") as tty:
            with Progress("geo export gpkg", "layer", tty) as progress:
                for i, name in enumerate(["cities", "rings", "belts"], start=1):
                    progress(i, 3, name)
                tty.flush()
            drawn = _read_all(main_fd)
    finally:
        os.close(main_fd)
    assert "\r" in drawn  # redrawn in place
    assert "3/3" in drawn
    assert "belts" in drawn
    assert "geo export gpkg: 1/3 layers" not in drawn  # no log lines on a terminal


def test_gazetteer_match_reports_every_1000_rows(tmp_path):
    rows = "\n".join(f"点{i},106.46,29.56" for i in range(2500))
    (tmp_path / "big.csv").write_text(f"name,lon,lat\n{rows}\n", encoding="utf-8")
    done = _geo("gazetteer", "match", "big.csv", "--crs", "wgs84", "--format", "csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [x for x in done.stderr.splitlines() if x.startswith("geo gazetteer match:")]
    assert lines == [
        "geo gazetteer match: 1,000/2,500 rows",
        "geo gazetteer match: 2,000/2,500 rows",
        "geo gazetteer match: 2,500/2,500 rows",
    ]
    assert "rows" not in done.stdout.splitlines()[0]  # stdout holds only the CSV


def test_export_reports_every_layer(tmp_path, monkeypatch, capsys):
    args = ["export", "--format", "geojson", "--out", "out", "--layers", "cities,rings"]
    monkeypatch.chdir(tmp_path)
    done = geo_in_process(capsys, *args)  # captured stderr: no terminal
    assert done.returncode == 0, done.stderr
    lines = sorted(x for x in done.stderr.splitlines() if x.startswith("geo export"))
    assert lines == [
        "geo export geojson: 1/2 layers cities",
        "geo export geojson: 2/2 layers rings",
    ]


@pytest.mark.slow
def test_print_reports_every_figure(tmp_path):
    args = ["print", "--out", "p", "--figures", "2,3", "--format", "png", "--dpi", "30"]
    done = _geo(*args, "--jobs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [x for x in done.stderr.splitlines() if x.startswith("geo print:")]
    assert lines == ["geo print: 1/2 figures fig2", "geo print: 2/2 figures fig3"]


@pytest.mark.slow
def test_the_site_print_step_reports_each_print_and_the_report_pages(tmp_path, monkeypatch):
    from geo.site import steps as site_steps
    from geo.site.build import build_site

    folder = tmp_path / "layers"
    shutil.copytree(MAPS, folder)
    monkeypatch.setenv("GEO_LAYERS_DIR", str(folder))
    monkeypatch.setitem(site_steps.PRINT_SETTINGS, "dpi", 30.0)
    seen: list[tuple[int, int, str]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_site(
            tmp_path / "site",
            jobs=1,
            steps=("report", "print"),
            progress=None,
            units=lambda done, total, unit: seen.append((done, total, unit)),
        )
    total = len(seen)
    assert total >= 9  # Figures 1-8, the overview and the report pages
    assert [d for d, _, _ in seen] == list(range(1, total + 1))
    assert {t for _, t, _ in seen} == {total}
    assert seen[0][2] == "print fig1"
    assert seen[-1][2] == "report pages"


def test_a_small_file_says_nothing_of_progress(tmp_path, monkeypatch, capsys):
    (tmp_path / "few.csv").write_text("name,lon,lat\n点1,106.46,29.56\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = ["gazetteer", "match", "few.csv", "--crs", "wgs84", "--format", "csv"]
    done = geo_in_process(capsys, *args)
    assert done.returncode == 0, done.stderr
    assert not [x for x in done.stderr.splitlines() if x.startswith("geo gazetteer match:")]
